package postgis

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

// The tile fixture: a small country around Rabat–Kénitra (0.8° × 0.6°)
// with boundaries at every level (a region with a hole, a region in two
// parts, wavy edges that simplification must thin), places (one with a
// non-numeric id), measurements, population, coverage stats for three
// operators × four technologies at resolution 8, a snapshot of white
// and grey zones (one with a hole, one without geometry), disputes of
// several operators and technologies (one with a hole, one whose id does
// not end in a cell, one that is not a polygon) and declared coverage of
// two operator/technology scopes (wavy polygons, a hole, a multipolygon,
// decimal and text ids).
var fixtureBox = orb.Bound{Min: orb.Point{-7.0, 33.8}, Max: orb.Point{-6.2, 34.4}}

var fixtureOps = []string{"604-00", "604-01", "604-02"}

type tileFixture struct {
	areas  map[data.AreaLevel][]data.Area
	places map[data.PlaceLayer][]data.Place
	meas   []data.Measurement
	pop    []data.CellPop
	run    data.CoverageRun
	stats  []data.CellStat
	snap   data.Snapshot
	zones  []data.Zone
	// generic feature layers: disputes and declared coverage
	features map[string][]data.Feature
	// plan is a stored scenario run: routes and assignments
	plan data.ScenarioRun
}

// wavy is a ring around b whose south and north edges wave with n points
// each, counter-clockwise.
func wavy(b orb.Bound, n int, amp float64) orb.Ring {
	var r orb.Ring
	w := b.Max[0] - b.Min[0]
	for i := 0; i <= n; i++ {
		x := b.Min[0] + w*float64(i)/float64(n)
		r = append(r, orb.Point{x, b.Min[1] + amp*math.Sin(float64(i)*0.7)})
	}
	for i := n; i >= 0; i-- {
		x := b.Min[0] + w*float64(i)/float64(n)
		r = append(r, orb.Point{x, b.Max[1] + amp*math.Cos(float64(i)*0.9)})
	}
	return append(r, r[0])
}

func box(x0, y0, x1, y1 float64) orb.Bound {
	return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
}

func newTileFixture(t testing.TB) *tileFixture {
	rng := rand.New(rand.NewPCG(7, 11))
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fx := &tileFixture{areas: map[data.AreaLevel][]data.Area{}, places: map[data.PlaceLayer][]data.Place{}}
	b := fixtureBox
	fx.areas[data.LevelCountry] = []data.Area{{Level: data.LevelCountry, Code: "MA", NameFR: "Maroc", NameAR: "المغرب", Population: 900000,
		Geom: orb.MultiPolygon{{wavy(b, 300, 0.01)}}}}
	hole := orb.Ring{{-6.8, 34.0}, {-6.8, 34.1}, {-6.7, 34.1}, {-6.7, 34.0}, {-6.8, 34.0}} // clockwise
	fx.areas[data.LevelRegion] = []data.Area{
		{Level: data.LevelRegion, Code: "01", NameFR: "Rabat-Salé-Kénitra", NameAR: "الرباط سلا القنيطرة", Population: 600000,
			Geom: orb.MultiPolygon{{wavy(box(-7.0, 33.8, -6.6, 34.4), 120, 0.008), hole}}},
		{Level: data.LevelRegion, Code: "02", NameFR: "Fès-Meknès", NameAR: "فاس مكناس", Population: 300000,
			Geom: orb.MultiPolygon{{wavy(box(-6.6, 33.8, -6.2, 34.05), 80, 0.005)}, {wavy(box(-6.55, 34.15, -6.25, 34.4), 60, 0.004)}}},
		{Level: data.LevelRegion, Code: "03", NameFR: "Sans limite", Population: 5},
	}
	fx.areas[data.LevelProvince] = []data.Area{
		{Level: data.LevelProvince, Code: "01.511", Parent: "01", Region: "01", NameFR: "Kénitra", NameAR: "القنيطرة", Population: 400000,
			Geom: orb.MultiPolygon{{wavy(box(-7.0, 34.1, -6.6, 34.4), 90, 0.003)}}},
		{Level: data.LevelProvince, Code: "01.512", Parent: "01", Region: "01", NameFR: "Khémisset", NameAR: "الخميسات", Population: 200000,
			Geom: orb.MultiPolygon{{wavy(box(-7.0, 33.8, -6.6, 34.1), 90, 0.003)}}},
		{Level: data.LevelProvince, Code: "02.521", Parent: "02", Region: "02", NameFR: "Sidi Kacem", NameAR: "سيدي قاسم", Population: 300000,
			Geom: orb.MultiPolygon{{wavy(box(-6.6, 33.8, -6.2, 34.05), 70, 0.002)}}},
	}
	for i, c := range []orb.Bound{box(-7.0, 34.1, -6.8, 34.4), box(-6.8, 34.1, -6.6, 34.4), box(-7.0, 33.8, -6.6, 34.1), box(-6.6, 33.8, -6.2, 34.05)} {
		prov := []string{"01.511", "01.511", "01.512", "02.521"}[i]
		fx.areas[data.LevelCommune] = append(fx.areas[data.LevelCommune], data.Area{Level: data.LevelCommune,
			Code: fmt.Sprintf("%s.%02d.01", prov, i+1), Parent: prov, Region: prov[:2], NameFR: fmt.Sprintf("Commune %d", i+1),
			NameAR: fmt.Sprintf("جماعة %d", i+1), Type: "rural", Population: int64(50000 * (i + 1)), Geom: orb.MultiPolygon{{wavy(c, 50, 0.002)}}})
	}
	fx.areas[data.LevelCommune] = append(fx.areas[data.LevelCommune], data.Area{Level: data.LevelCommune, Code: "02.521.09.01",
		Parent: "02.521", Region: "02", NameFR: "Sans contour", Population: 1234})
	for i := 0; i < 40; i++ {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		id := fmt.Sprint(2530000 + i*17)
		if i == 5 {
			id = "osm-n42" // not a number: feature id 0
		}
		fx.places[data.LayerPlaces] = append(fx.places[data.LayerPlaces], data.Place{Layer: data.LayerPlaces, ID: id,
			Name: fmt.Sprintf("Douar %d", i), NameAR: fmt.Sprintf("دوار %d", i), Kind: []string{"PPL", "PPLA", "PPLA2"}[i%3],
			Population: int64(rng.IntN(20000)), Point: p})
	}
	for i := 0; i < 25; i++ {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		fx.places[data.LayerHealth] = append(fx.places[data.LayerHealth], data.Place{Layer: data.LayerHealth, ID: fmt.Sprint(9000 + i),
			Name: fmt.Sprintf("Centre de santé %d", i), Kind: []string{"clinic", "hospital", "health_post"}[i%3], Point: p})
	}

	// Coverage: three clusters of resolution-8 cells, measured unevenly.
	seen := map[geo.Cell]bool{}
	var cells []geo.Cell
	for _, ctr := range []orb.Point{{-6.85, 34.25}, {-6.5, 33.95}, {-6.75, 33.9}} {
		c, err := geo.CellAt(ctr, 8)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range geo.Disk(c, 14) {
			if !seen[d] {
				seen[d] = true
				cells = append(cells, d)
			}
		}
	}
	slices.Sort(cells)
	for _, c := range cells {
		for _, op := range fixtureOps {
			for _, tech := range data.Techs {
				if rng.IntN(10) < 3 {
					continue
				}
				st := data.CellStat{Cell: c, MCCMNC: op, Tech: tech, Samples: int32(1 + rng.IntN(60)), Last: at.Add(-time.Duration(rng.IntN(1000)) * time.Hour),
					Level:     data.Level(rng.IntN(5)),
					SignalP10: float32(-120 + rng.IntN(30)), SignalP50: float32(-110+rng.IntN(50)) + 0.3, SignalP90: float32(-60 + rng.IntN(20)),
					DLP10: float32(rng.IntN(200)) / 7, DLP50: float32(rng.IntN(500)) / 3, DLP90: float32(rng.IntN(900)) / 3}
				if rng.IntN(6) == 0 {
					st.SignalP10, st.SignalP50, st.SignalP90 = data.Absent, data.Absent, data.Absent
				}
				if rng.IntN(5) == 0 {
					st.DLP10, st.DLP50, st.DLP90 = data.Absent, data.Absent, data.Absent
				}
				fx.stats = append(fx.stats, st)
			}
		}
		fx.pop = append(fx.pop, data.CellPop{Cell: c, Population: int32(rng.IntN(3000)), Commune: "01.511.01.01"})
	}
	fx.run = data.CoverageRun{Resolution: 8, ConfigVersion: "test-1", Measurements: 200, Cells: len(cells), ComputedAt: at}
	for i := 0; i < 200; i++ {
		c := cells[rng.IntN(len(cells))]
		p := geo.CellCenter(c)
		fx.meas = append(fx.meas, data.Measurement{Time: at.Add(-time.Duration(i) * time.Minute), Lon: p[0], Lat: p[1],
			MCCMNC: fixtureOps[i%3], Tech: data.Techs[i%4], SignalDBm: float32(-110 + i%50), RSRQDB: data.Absent, SINRDB: data.Absent,
			DLMbps: float32(i%40) / 2, ULMbps: data.Absent, LatencyMs: data.Absent, AccuracyM: 10, Device: uint64(1000 + i%13)})
	}

	// Zones: discs of cells (one a ring, so its outline has a hole), and one
	// without geometry that both renderers leave out.
	type zspec struct {
		ctr    orb.Point
		k      int
		hole   int
		kind   data.ZoneKind
		op     string
		noGeom bool
	}
	specs := []zspec{
		{orb.Point{-6.9, 34.05}, 6, 0, data.White, "", false},
		{orb.Point{-6.45, 34.3}, 9, 3, data.Grey, "604-01", false},
		{orb.Point{-6.3, 33.85}, 4, 0, data.White, "", false},
		{orb.Point{-6.62, 34.2}, 2, 0, data.Grey, "604-02", false},
		{orb.Point{-6.7, 33.85}, 3, 0, data.White, "", true},
	}
	for i, s := range specs {
		c, _ := geo.CellAt(s.ctr, 8)
		zc := geo.Disk(c, s.k)
		if s.hole > 0 {
			inner := map[geo.Cell]bool{}
			for _, h := range geo.Disk(c, s.hole) {
				inner[h] = true
			}
			zc = slices.DeleteFunc(zc, func(x geo.Cell) bool { return inner[x] })
		}
		slices.Sort(zc)
		letter := "W"
		if s.kind == data.Grey {
			letter = "G"
		}
		z := data.Zone{ID: letter + "-" + zc[0].String(), FID: uint64(zc[0]), Kind: s.kind, Rank: i + 1, Programme: i < 3,
			Population: int64(1000*(i+1) + 7), AreaKm2: float64(len(zc)) * 0.737, RegionCode: "01", Region: "Rabat-Salé-Kénitra",
			RegionAR: "الرباط", ProvinceCode: "01.511", Province: "Kénitra", ProvinceAR: "القنيطرة",
			Communes: []string{"Commune 1", "Commune 2"}[:1+i%2], CommunesAR: []string{"جماعة 1", "جماعة 2"}[:1+i%2],
			CommuneCodes: []string{"01.511.01.01", "01.511.02.01"}[:1+i%2], Centroid: geo.CellCenter(c), Operator: s.op, Cells: zc}
		if !s.noGeom {
			g, err := geo.CellsOutline(zc)
			if err != nil {
				t.Fatal(err)
			}
			z.Geom = g
		}
		fx.zones = append(fx.zones, z)
	}
	fx.features = map[string][]data.Feature{}
	type dspec struct {
		ctr     orb.Point
		k, hole int
		op      string
		tech    data.Tech
	}
	dspecs := []dspec{
		{orb.Point{-6.85, 34.25}, 6, 2, "604-01", data.Tech4G},
		{orb.Point{-6.5, 33.95}, 5, 0, "604-01", data.Tech3G},
		{orb.Point{-6.75, 33.9}, 4, 0, "604-02", data.Tech4G},
		{orb.Point{-6.3, 34.2}, 7, 0, "604-00", data.Tech4G},
		{orb.Point{-6.95, 34.0}, 3, 0, "604-02", data.Tech2G},
		{orb.Point{-6.6, 34.3}, 5, 0, "604-01", data.Tech4G},
	}
	for i, s := range dspecs {
		c, _ := geo.CellAt(s.ctr, 8)
		dc := geo.Disk(c, s.k)
		if s.hole > 0 {
			inner := geo.Disk(c, s.hole)
			dc = slices.DeleteFunc(dc, func(x geo.Cell) bool { return slices.Contains(inner, x) })
		}
		slices.Sort(dc)
		g, err := geo.CellsOutline(dc)
		if err != nil {
			t.Fatal(err)
		}
		d := data.Dispute{ID: fmt.Sprintf("D-%s-%s-%s", s.op, s.tech, dc[0]), MCCMNC: s.op, Tech: s.tech, Declared: data.LevelGood + data.Level(i%2),
			Measured: data.Level(1 + i%2), Cells: dc, Samples: int64(40 + 13*i), Devices: int64(3 + i), Population: int64(1000*i + 17),
			CommuneCodes: []string{"01.511.01.01", "01.511.02.01"}[:1+i%2], RegionCode: "01", Confidence: []float32{0.7, 0.55, 1, 0.333}[i%4], Geom: g}
		if i == 4 {
			d.ID = "D-legacy-dispute" // not ending in a cell: a hashed feature id
		}
		fx.features[data.LayerDisputes] = append(fx.features[data.LayerDisputes], d.Feature())
	}
	fx.features[data.LayerDisputes] = append(fx.features[data.LayerDisputes], data.Feature{Layer: data.LayerDisputes, ID: "D-604-01-4G-point",
		Props: map[string]any{"mcc_mnc": "604-01", "tech": "4G"}, Geom: orb.Point{-6.6, 34.1}}) // not a polygon: left out
	declaredHole := orb.Ring{{-6.9, 34.15}, {-6.9, 34.2}, {-6.8, 34.2}, {-6.8, 34.15}, {-6.9, 34.15}}
	declaredHole.Reverse() // clockwise, as ingest writes holes
	for _, sc := range []struct{ op, tech string }{{"604-00", "4G"}, {"604-01", "2G"}} {
		layer := data.LayerKey(data.LayerDeclared, sc.op, sc.tech)
		props := func(level, ref string) map[string]any {
			return map[string]any{"operator": sc.op, "tech": sc.tech, "level": level, "source_ref": ref, "NIVEAU": "BC", "surface_km2": 12.5}
		}
		fx.features[layer] = []data.Feature{
			{Layer: layer, ID: "000001", Props: props("very_good", "feature 1"), Geom: orb.Polygon{wavy(box(-7.0, 34.05, -6.7, 34.35), 150, 0.006), declaredHole}},
			{Layer: layer, ID: "000002", Props: props("good", "feature 2"), Geom: orb.MultiPolygon{{wavy(box(-6.65, 33.85, -6.4, 34.0), 90, 0.004)}, {wavy(box(-6.35, 34.1, -6.25, 34.3), 40, 0.003)}}},
			{Layer: layer, ID: "nord-" + sc.op, Props: props("limited", "feature 3"), Geom: orb.Polygon{wavy(box(-6.6, 34.05, -6.4, 34.38), 60, 0.002)}},
		}
	}
	fx.plan = fixturePlan(at)
	fx.snap = data.Snapshot{ComputedAt: at, Resolution: 8, ConfigVersion: "test-1", RequiredTech: data.Tech4G, RequiredLevel: data.LevelGood,
		ProgrammeSize: 3, White: 3, Grey: 2, WhitePop: 9000, GreyPop: 6000, UnmeasuredPop: 10}
	return fx
}

func (fx *tileFixture) load(t testing.TB, st data.Store) {
	t.Helper()
	ctx := context.Background()
	for _, lv := range data.AreaLevels {
		if err := st.ReplaceAreas(ctx, lv, fx.areas[lv]); err != nil {
			t.Fatalf("ReplaceAreas %s: %v", lv, err)
		}
		if err := st.PutLayerInfo(ctx, data.LayerInfo{Name: string(lv), Count: len(fx.areas[lv]), Source: "fixture", LoadedAt: fx.run.ComputedAt}); err != nil {
			t.Fatal(err)
		}
	}
	for _, pl := range []data.PlaceLayer{data.LayerPlaces, data.LayerHealth} {
		if err := st.ReplacePlaces(ctx, pl, fx.places[pl]); err != nil {
			t.Fatalf("ReplacePlaces %s: %v", pl, err)
		}
	}
	up := data.Upload{SHA256: "f1x", File: "fixture.csv", Format: "canonical-csv", Bytes: 1, ReceivedAt: fx.run.ComputedAt}
	_, err := st.AddUpload(ctx, up, func(emit func([]data.Measurement) error) (data.Upload, error) {
		if err := emit(slices.Clone(fx.meas)); err != nil {
			return data.Upload{}, err
		}
		return data.Upload{Rows: int64(len(fx.meas)), Accepted: int64(len(fx.meas))}, nil
	})
	if err != nil {
		t.Fatalf("AddUpload: %v", err)
	}
	if err := st.ReplacePopulation(ctx, fx.pop); err != nil {
		t.Fatalf("ReplacePopulation: %v", err)
	}
	if err := st.ReplaceCoverage(ctx, fx.run, fx.stats); err != nil {
		t.Fatalf("ReplaceCoverage: %v", err)
	}
	if _, err := st.AddSnapshot(ctx, fx.snap, fx.zones); err != nil {
		t.Fatalf("AddSnapshot: %v", err)
	}
	layers := slices.Sorted(maps.Keys(fx.features))
	for _, l := range layers {
		if err := st.ReplaceFeatures(ctx, l, fx.features[l]); err != nil {
			t.Fatalf("ReplaceFeatures %s: %v", l, err)
		}
		if err := st.PutLayerInfo(ctx, data.LayerInfo{Name: l, Count: len(fx.features[l]), Source: "fixture", LoadedAt: fx.run.ComputedAt}); err != nil {
			t.Fatal(err)
		}
	}
	run, err := st.AddScenarioRun(ctx, fx.plan)
	if err != nil {
		t.Fatalf("AddScenarioRun: %v", err)
	}
	if run.ID != fixturePlanID {
		t.Fatalf("AddScenarioRun: id %d, want %d (a fresh store)", run.ID, fixturePlanID)
	}
}

// fixturePlanID is the id of the fixture's scenario run in a fresh store.
const fixturePlanID = 1

// fixturePlan is a scenario run over the fixture: wavy fibre routes (one
// in two parts), administrative sites and new radio sites as points (one
// with a text id, one with no properties), zones as polygons (one with a
// hole, one a multipolygon) and a line among the assignments that the
// plan tiles leave out.
func fixturePlan(at time.Time) data.ScenarioRun {
	r := data.ScenarioRun{Name: "fixture", CreatedAt: at, Snapshot: 1, Body: []byte(`{"summary":{}}`)}
	rng := rand.New(rand.NewPCG(6, 2030))
	line := func(x0, y0, x1, y1 float64, n int) orb.LineString {
		ls := orb.LineString{}
		for i := 0; i <= n; i++ {
			f := float64(i) / float64(n)
			ls = append(ls, orb.Point{x0 + f*(x1-x0) + 0.004*(rng.Float64()-0.5), y0 + f*(y1-y0) + 0.004*(rng.Float64()-0.5)})
		}
		return ls
	}
	for i := range 12 {
		x, y := -6.95+0.06*float64(i), 33.85+0.045*float64(i)
		id := fmt.Sprintf("%05d", 100+i)
		var g orb.Geometry = line(x, y, x+0.05+0.01*float64(i%3), y+0.2, 40+i)
		if i == 3 {
			g = orb.MultiLineString{line(x, y, x+0.1, y+0.05, 20), line(x+0.1, y+0.05, x+0.12, y+0.3, 30)}
		}
		r.Routes = append(r.Routes, data.Feature{ID: id, Props: map[string]any{"site": id, "new_km": 1.5 * float64(i), "shared_km": 0.25 * float64(i%4),
			"cost_mad": 125000.0 * float64(i+1)}, Geom: g})
		techs := []string{"fibre", "satellite"}
		r.Assignments = append(r.Assignments, data.Feature{ID: "site:" + id, Props: map[string]any{"site": id, "kind": "admin", "tech": techs[i%2],
			"name": "Commune " + id, "region": "01", "new_km": 1.5 * float64(i), "cost_mad": 125000.0 * float64(i+1)}, Geom: orb.Point{x + 0.05, y + 0.2}})
	}
	r.Assignments = append(r.Assignments,
		data.Feature{ID: "site:bare", Props: map[string]any{}, Geom: orb.Point{-6.5, 34.0}},
		data.Feature{ID: "radio:Z-1:1", Props: map[string]any{"kind": "radio", "tech": "site4g", "zone": "Z-1", "covered": 1200, "cost_mad": 2.2e6}, Geom: orb.Point{-6.75, 34.12}},
		data.Feature{ID: "radio:Z-1:2", Props: map[string]any{"kind": "radio", "tech": "site4g", "zone": "Z-1", "covered": 300, "cost_mad": 2.2e6}, Geom: orb.Point{-6.7, 34.14}},
		data.Feature{ID: "zone:Z-1", Props: map[string]any{"zone": "Z-1", "kind": "white", "tech": "site4g", "region": "01", "population": 9000, "covered": 1500,
			"new_sites": 2, "cost_mad": 4.4e6}, Geom: orb.Polygon{wavy(box(-6.8, 34.08, -6.65, 34.2), 50, 0.003), func() orb.Ring {
			h := orb.Ring{{-6.75, 34.12}, {-6.75, 34.15}, {-6.7, 34.15}, {-6.7, 34.12}, {-6.75, 34.12}}
			h.Reverse()
			return h
		}()}},
		data.Feature{ID: "zone:Z-2", Props: map[string]any{"zone": "Z-2", "kind": "grey", "tech": "roaming", "host": "604-01", "population": 6000, "cost_mad": 150000.0},
			Geom: orb.MultiPolygon{{wavy(box(-6.5, 33.9, -6.4, 34.0), 30, 0.002)}, {wavy(box(-6.35, 34.25, -6.3, 34.3), 10, 0.001)}}},
		data.Feature{ID: "line:x", Props: map[string]any{"kind": "admin"}, Geom: orb.LineString{{-6.6, 34}, {-6.5, 34.1}}}, // not a point or polygon: left out
	)
	return r
}

// renderers loads the fixture into an embedded store and a fresh PostGIS
// store and returns the in-process Set and the SQL renderer over them.
func renderers(t testing.TB, opt tiles.Options) (*tiles.Set, *TileRenderer, *Store) {
	t.Helper()
	pg := freshStore(t)
	emb, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	fx := newTileFixture(t)
	fx.load(t, emb)
	fx.load(t, pg)
	set, err := tiles.Load(context.Background(), emb, opt)
	if err != nil {
		t.Fatalf("tiles.Load: %v", err)
	}
	r, err := NewTileRenderer(context.Background(), pg, opt)
	if err != nil {
		t.Fatalf("NewTileRenderer: %v", err)
	}
	return set, r, pg
}

// tilesOver lists the tiles of zoom z over b, every step-th in x and y.
func tilesOver(b orb.Bound, z maptile.Zoom, step uint32) []maptile.Tile {
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x += step {
		for y := lo.Y; y <= hi.Y; y += step {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}
