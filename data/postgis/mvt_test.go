package postgis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

// The tile fixture: a small country around Rabat–Kénitra (0.8° × 0.6°)
// with boundaries at every level (a region with a hole, a region in two
// parts, wavy edges that simplification must thin), places (one with a
// non-numeric id), measurements, population, coverage stats for three
// operators × four technologies at resolution 8, and a snapshot of white
// and grey zones (one with a hole, one without geometry).
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

var tileQueries = []tiles.Query{
	{MCCMNC: "604-00", Tech: data.Tech4G}, {MCCMNC: "604-01", Tech: data.Tech2G}, {MCCMNC: "604-02", Tech: data.Tech5G},
	{MCCMNC: "604-99", Tech: data.Tech4G},
}

// decodedFeature is one feature as orb decodes it, with the exact id and
// the wire type of every property from the raw protobuf.
type decodedFeature struct {
	id    uint64
	geom  orb.Geometry
	props map[string]any
	kinds map[string]string
}

func decodeTile(t *testing.T, raw []byte) map[string][]decodedFeature {
	t.Helper()
	out := map[string][]decodedFeature{}
	if raw == nil {
		return out
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var pb vectortile.Tile
	if err := pb.Unmarshal(raw); err != nil {
		t.Fatalf("decode protobuf: %v", err)
	}
	if len(pb.Layers) != len(layers) {
		t.Fatalf("decoders disagree: %d and %d layers", len(pb.Layers), len(layers))
	}
	for i, l := range layers {
		pl := pb.Layers[i]
		if pl.GetVersion() != 2 || pl.GetExtent() != tiles.Extent {
			t.Errorf("layer %s: version %d extent %d, want 2 and %d", l.Name, pl.GetVersion(), pl.GetExtent(), tiles.Extent)
		}
		if len(l.Features) == 0 {
			continue // tiles.Encode may keep a layer whose features all clipped away
		}
		for j, f := range l.Features {
			pf := pl.Features[j]
			df := decodedFeature{id: pf.GetId(), geom: f.Geometry, props: f.Properties, kinds: map[string]string{}}
			if pf.Id == nil {
				t.Errorf("layer %s feature %d has no id", l.Name, j)
			}
			for k := 0; k+1 < len(pf.Tags); k += 2 {
				v := pl.Values[pf.Tags[k+1]]
				var kind string
				switch {
				case v.StringValue != nil:
					kind = "string"
				case v.FloatValue != nil:
					kind = "float"
				case v.DoubleValue != nil:
					kind = "double"
				case v.IntValue != nil:
					kind = "int"
				case v.UintValue != nil:
					kind = "uint"
				case v.SintValue != nil:
					kind = "sint"
				case v.BoolValue != nil:
					kind = "bool"
				}
				df.kinds[pl.Keys[pf.Tags[k]]] = kind
			}
			out[l.Name] = append(out[l.Name], df)
		}
	}
	return out
}

// polygons returns the polygons of a decoded polygonal geometry.
func polygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

func area(g orb.Geometry) float64 {
	a := 0.0
	for _, p := range polygons(g) {
		for _, r := range p {
			a += tiles.SignedArea(r)
		}
	}
	return a
}

func rings(g orb.Geometry) int {
	n := 0
	for _, p := range polygons(g) {
		n += len(p)
	}
	return n
}

func pointCount(g orb.Geometry) int {
	n := 0
	for _, p := range polygons(g) {
		for _, r := range p {
			n += len(r)
		}
	}
	if n == 0 {
		switch g := g.(type) {
		case orb.Point:
			return 1
		case orb.MultiPoint:
			return len(g)
		}
	}
	return n
}

// invisible reports whether a decoded geometry lies in the clip buffer
// only, or is a sliver: where ST_AsMVTGeom and orb's clipper may disagree
// on keeping it.
func invisible(g orb.Geometry) bool {
	b := g.Bound()
	if b.Max[0] <= 0 || b.Max[1] <= 0 || b.Min[0] >= tiles.Extent || b.Min[1] >= tiles.Extent {
		return true
	}
	_, isPoly := g.(orb.Polygon)
	_, isMulti := g.(orb.MultiPolygon)
	return (isPoly || isMulti) && math.Abs(area(g)) < 4
}

// compareFeature checks that two renderings of one feature agree: type,
// properties and their wire types, and the geometry within rounding,
// clipping and simplification differences.
func compareFeature(got, want decodedFeature) []string {
	var errs []string
	if !reflect.DeepEqual(got.props, want.props) {
		errs = append(errs, fmt.Sprintf("properties %v, want %v", got.props, want.props))
	}
	if !reflect.DeepEqual(got.kinds, want.kinds) {
		errs = append(errs, fmt.Sprintf("property wire types %v, want %v", got.kinds, want.kinds))
	}
	gt, wt := got.geom.GeoJSONType(), want.geom.GeoJSONType()
	if gt != wt && !(strings.HasSuffix(gt, "Polygon") && strings.HasSuffix(wt, "Polygon")) {
		return append(errs, fmt.Sprintf("geometry %s, want %s", gt, wt))
	}
	gb, wb := got.geom.Bound(), want.geom.Bound()
	ps := polygons(got.geom)
	if ps == nil {
		for i := 0; i < 2; i++ {
			if math.Abs(gb.Min[i]-wb.Min[i]) > 2 || math.Abs(gb.Max[i]-wb.Max[i]) > 2 {
				errs = append(errs, fmt.Sprintf("bounds %v, want %v", gb, wb))
				break
			}
		}
		return errs
	}
	// Polygons: the same filled region. Where a hole meets the clip edge
	// orb keeps the whole clip box as exterior and ST_AsMVTGeom (wagyu)
	// the valid outline, so rings and bounds may differ while the fill
	// is the same: compare the fill on a grid of samples, away from the
	// edges (vertices differ by up to one unit: clipping, simplification).
	if bad, n := fillMismatch(got.geom, want.geom); bad > 0 {
		errs = append(errs, fmt.Sprintf("fill differs at %d of %d samples (bounds %v, want %v)", bad, n, gb, wb))
	}
	ga, wa := area(got.geom), area(want.geom)
	if math.Abs(ga-wa) > 0.01*math.Abs(wa)+(wb.Max[0]-wb.Min[0])+(wb.Max[1]-wb.Min[1]) {
		errs = append(errs, fmt.Sprintf("area %.0f, want %.0f", ga, wa))
	}
	for _, p := range ps {
		for i, r := range p {
			if a := tiles.SignedArea(r); i == 0 && a <= 0 || i > 0 && a >= 0 {
				errs = append(errs, fmt.Sprintf("ring %d has signed area %.0f: wrong winding", i, a))
			}
		}
	}
	// Same rings (the fill check covers a hole opened at the clip edge):
	// points within a few, simplification running on slightly different
	// vertices.
	if rings(got.geom) == rings(want.geom) {
		gn, wn := pointCount(got.geom), pointCount(want.geom)
		if d := gn - wn; d > 4+wn/5 || -d > 4+wn/5 {
			errs = append(errs, fmt.Sprintf("%d points, want %d", gn, wn))
		}
	}
	return errs
}

func contains(g orb.Geometry, p orb.Point) bool {
	for _, poly := range polygons(g) {
		if planar.PolygonContains(poly, p) {
			return true
		}
	}
	return false
}

// fillMismatch samples a 32 × 32 grid over both geometries and counts the
// samples more than 2 units from both outlines that one covers and the
// other does not.
func fillMismatch(a, b orb.Geometry) (bad, n int) {
	bd := a.Bound().Union(b.Bound())
	const k = 32
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			p := orb.Point{bd.Min[0] + (bd.Max[0]-bd.Min[0])*(float64(i)+0.5)/k, bd.Min[1] + (bd.Max[1]-bd.Min[1])*(float64(j)+0.5)/k}
			n++
			if contains(a, p) != contains(b, p) && planar.DistanceFrom(a, p) > 2 && planar.DistanceFrom(b, p) > 2 {
				bad++
			}
		}
	}
	return bad, n
}

// compareTiles compares the SQL tile with the in-process one, feature by
// feature; it returns the number of features compared.
func compareTiles(t *testing.T, name string, got, want tiles.Tile) int {
	t.Helper()
	if (got.Raw == nil) != (want.Raw == nil) {
		gl, wl := decodeTile(t, got.Raw), decodeTile(t, want.Raw)
		if len(gl) != 0 || len(wl) != 0 {
			t.Errorf("%s: empty %v, want empty %v", name, got.Raw == nil, want.Raw == nil)
			return 0
		}
	}
	if got.Raw != nil && (got.Gzip == nil || got.ETag == "") {
		t.Errorf("%s: tile without gzip or ETag", name)
	}
	gl, wl := decodeTile(t, got.Raw), decodeTile(t, want.Raw)
	n := 0
	names := map[string]bool{}
	for l := range gl {
		names[l] = true
	}
	for l := range wl {
		names[l] = true
	}
	for l := range names {
		byID := map[uint64]decodedFeature{}
		for _, f := range wl[l] {
			if _, dup := byID[f.id]; dup {
				t.Errorf("%s layer %s: feature id %d twice (in-process)", name, l, f.id)
			}
			byID[f.id] = f
		}
		seen := map[uint64]bool{}
		for _, f := range gl[l] {
			if seen[f.id] {
				t.Errorf("%s layer %s: feature id %d twice", name, l, f.id)
			}
			seen[f.id] = true
			w, ok := byID[f.id]
			if !ok {
				if !invisible(f.geom) {
					t.Errorf("%s layer %s: extra feature %d %v (%s, bounds %v)", name, l, f.id, f.props, f.geom.GeoJSONType(), f.geom.Bound())
				}
				continue
			}
			n++
			for _, e := range compareFeature(f, w) {
				t.Errorf("%s layer %s feature %d: %s", name, l, f.id, e)
			}
		}
		for id, w := range byID {
			if !seen[id] && !invisible(w.geom) {
				t.Errorf("%s layer %s: missing feature %d %v (%s, bounds %v)", name, l, id, w.props, w.geom.GeoJSONType(), w.geom.Bound())
			}
		}
	}
	return n
}

func TestTileRendererMatchesSet(t *testing.T) {
	set, r, _ := renderers(t, tiles.Options{})
	ctx := context.Background()
	if r.Resolution() != set.Resolution() {
		t.Errorf("Resolution = %d, want %d", r.Resolution(), set.Resolution())
	}
	if rb, sb := r.Bounds(), set.Bounds(); math.Abs(rb.Min[0]-sb.Min[0])+math.Abs(rb.Min[1]-sb.Min[1])+math.Abs(rb.Max[0]-sb.Max[0])+math.Abs(rb.Max[1]-sb.Max[1]) > 1e-9 {
		t.Errorf("Bounds = %v, want %v", rb, sb)
	}
	for _, l := range tiles.Layers() {
		q := tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}
		got, err := r.TileJSON(l, "http://h", q)
		if err != nil {
			t.Fatalf("TileJSON %s: %v", l, err)
		}
		want, _ := set.TileJSON(l, "http://h", q)
		got.Version, want.Version = "", ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("TileJSON %s = %+v, want %+v", l, got, want)
		}
	}
	compared := map[string]int{}
	for _, z := range []maptile.Zoom{5, 8, 10, 12, 14} {
		step := uint32(1)
		if z == 14 {
			step = 2
		}
		for _, tile := range tilesOver(fixtureBox, z, step) {
			for _, layer := range tiles.Layers() {
				qs := []tiles.Query{{}}
				if layer == "coverage" {
					qs = tileQueries
				}
				for _, q := range qs {
					name := fmt.Sprintf("%s %d/%d/%d %s/%s", layer, z, tile.X, tile.Y, q.MCCMNC, q.Tech)
					want, err := set.Render(ctx, layer, tile, q)
					if err != nil {
						t.Fatalf("Set %s: %v", name, err)
					}
					got, err := r.Render(ctx, layer, tile, q)
					if err != nil {
						t.Fatalf("TileRenderer %s: %v", name, err)
					}
					compared[fmt.Sprintf("%s z%d", layer, z)] += compareTiles(t, name, got, want)
				}
			}
		}
	}
	// Every layer has features to compare at every zoom (the test is not
	// vacuous), places only from z5, health from z9.
	for _, z := range []int{5, 8, 10, 12, 14} {
		for _, layer := range tiles.Layers() {
			if n := compared[fmt.Sprintf("%s z%d", layer, z)]; n < 3 {
				t.Errorf("%s z%d: only %d features compared", layer, z, n)
			}
		}
	}
	t.Logf("features compared: %v", compared)
}

func TestTileRendererEdges(t *testing.T) {
	_, r, st := renderers(t, tiles.Options{})
	ctx := context.Background()
	// Empty: the middle of the Atlantic, and an operator without stats.
	far := maptile.At(orb.Point{-30, 30}, 12)
	for _, layer := range tiles.Layers() {
		tile, err := r.Render(ctx, layer, far, tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G})
		if err != nil || tile.Raw != nil || tile.Gzip != nil {
			t.Errorf("%s at %v: %d bytes, err %v; want an empty tile", layer, far, len(tile.Raw), err)
		}
	}
	in := maptile.At(orb.Point{-6.85, 34.25}, 12)
	if tile, err := r.Render(ctx, "coverage", in, tiles.Query{MCCMNC: "604-99", Tech: data.Tech4G}); err != nil || tile.Raw != nil {
		t.Errorf("unknown operator: %d bytes, err %v; want an empty tile", len(tile.Raw), err)
	}
	// A full tile, served again from the cache.
	a, err := r.Render(ctx, "coverage", in, tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G})
	if err != nil || a.Raw == nil {
		t.Fatalf("coverage at %v: %d bytes, err %v", in, len(a.Raw), err)
	}
	b, err := r.Render(ctx, "coverage", in, tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G})
	if err != nil || b.ETag != a.ETag || &b.Raw[0] != &a.Raw[0] {
		t.Errorf("second render: err %v, ETag %s vs %s, cached %v", err, b.ETag, a.ETag, err == nil && &b.Raw[0] == &a.Raw[0])
	}
	// Unknown layer.
	if _, err := r.Render(ctx, "roads", in, tiles.Query{}); !errors.Is(err, tiles.ErrUnknownLayer) {
		t.Errorf("unknown layer: err = %v, want ErrUnknownLayer", err)
	}
	if _, err := r.TileJSON("roads", "http://h", tiles.Query{}); !errors.Is(err, tiles.ErrUnknownLayer) {
		t.Errorf("unknown TileJSON: err = %v, want ErrUnknownLayer", err)
	}
	// A cancelled request cancels its query (an uncached tile).
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Render(cctx, "zones", maptile.At(orb.Point{-6.9, 34.05}, 13), tiles.Query{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	// The renderer notices a new snapshot.
	if ok, err := r.Current(ctx); err != nil || !ok {
		t.Errorf("Current = %v, %v; want true", ok, err)
	}
	snap, _ := st.LatestSnapshot(ctx)
	snap.ID = 0
	zones, _, err := st.Zones(ctx, 1, data.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSnapshot(ctx, snap, zones); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Current(ctx); err != nil || ok {
		t.Errorf("after AddSnapshot Current = %v, %v; want false", ok, err)
	}
	r2, err := NewTileRenderer(ctx, st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Version() == r.Version() {
		t.Errorf("version %s did not change with the snapshot", r.Version())
	}
	// The new snapshot's pyramid is its own: same low-zoom hexagons.
	low := maptile.At(orb.Point{-6.6, 34.1}, 6)
	t1, err1 := r.Render(ctx, "zones", low, tiles.Query{})
	t2, err2 := r2.Render(ctx, "zones", low, tiles.Query{})
	if err1 != nil || err2 != nil || t1.Raw == nil || t1.ETag != t2.ETag {
		t.Errorf("low-zoom zones of two equal snapshots: %v %v, ETags %s %s", err1, err2, t1.ETag, t2.ETag)
	}
}

// Benchmarks: the same fixture rendered cold (a one-tile cache, so every
// tile of the sweep is rendered) by the SQL renderer and by the in-process
// Set, at z8, z12 and z14, over the tiles that cover the data, every
// layer. Run with
//
//	TAGHTIA_TEST_DATABASE_URL=… go test ./data/postgis -run '^$' -bench Tiles
func BenchmarkTilesPostGIS(b *testing.B) {
	_, r, _ := renderers(b, tiles.Options{CacheTiles: 1})
	benchTiles(b, r)
}

func BenchmarkTilesEmbedded(b *testing.B) {
	set, _, _ := renderers(b, tiles.Options{CacheTiles: 1})
	benchTiles(b, set)
}

func benchTiles(b *testing.B, r tiles.Renderer) {
	ctx := context.Background()
	q := tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}
	for _, layer := range tiles.Layers() { // warm the Set's coverage pyramid
		if _, err := r.Render(ctx, layer, maptile.New(0, 0, 0), q); err != nil {
			b.Fatal(err)
		}
	}
	for _, z := range []maptile.Zoom{8, 12, 14} {
		ts := tilesOver(fixtureBox, z, 1)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			var bytes, n int
			for b.Loop() {
				for _, t := range ts {
					for _, layer := range tiles.Layers() {
						tile, err := r.Render(ctx, layer, t, q)
						if err != nil {
							b.Fatal(err)
						}
						bytes += len(tile.Raw)
						n++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "us/tile")
			b.ReportMetric(float64(bytes)/float64(n), "bytes/tile")
			b.ReportMetric(float64(len(ts)*len(tiles.Layers())), "tiles/op")
		})
	}
}
