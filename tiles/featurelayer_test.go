package tiles_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

// fakeReader serves a few generic feature layers and layer infos; the
// other layers are empty.
type fakeReader struct {
	mu       sync.Mutex
	features map[string][]data.Feature
	infos    []data.LayerInfo
	reads    map[string]int // Features calls per layer
}

func (r *fakeReader) Areas(context.Context, data.AreaLevel) ([]data.Area, error) { return nil, nil }
func (r *fakeReader) Places(context.Context, data.PlaceLayer) ([]data.Place, error) {
	return nil, nil
}
func (r *fakeReader) CellStats(context.Context, data.CellStatFilter) ([]data.CellStat, error) {
	return nil, nil
}
func (r *fakeReader) CoverageRun(context.Context) (data.CoverageRun, error) {
	return data.CoverageRun{}, data.ErrNotFound
}
func (r *fakeReader) LatestSnapshot(context.Context) (data.Snapshot, error) {
	return data.Snapshot{}, data.ErrNotFound
}
func (r *fakeReader) Zones(context.Context, int64, data.ZoneFilter) ([]data.Zone, int, error) {
	return nil, 0, nil
}
func (r *fakeReader) Features(_ context.Context, layer string) ([]data.Feature, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reads == nil {
		r.reads = map[string]int{}
	}
	r.reads[layer]++
	return slices.Clone(r.features[layer]), nil
}
func (r *fakeReader) LayerInfos(context.Context) ([]data.LayerInfo, error) {
	return slices.Clone(r.infos), nil
}

var _ tiles.Reader = (*fakeReader)(nil)

// dispute is a dispute over the cells of a disc around p, with a hole of
// radius hole when hole > 0.
func dispute(t *testing.T, p orb.Point, k, hole int, op string, tech data.Tech) data.Dispute {
	t.Helper()
	c, err := geo.CellAt(p, 8)
	if err != nil {
		t.Fatal(err)
	}
	cells := geo.Disk(c, k)
	if hole > 0 {
		inner := geo.Disk(c, hole)
		cells = slices.DeleteFunc(cells, func(x geo.Cell) bool { return slices.Contains(inner, x) })
	}
	slices.Sort(cells)
	g, err := geo.CellsOutline(cells)
	if err != nil {
		t.Fatal(err)
	}
	return data.Dispute{ID: fmt.Sprintf("D-%s-%s-%s", op, tech, cells[0]), MCCMNC: op, Tech: tech, Declared: data.LevelGood,
		Measured: data.LevelLimited, Cells: cells, Samples: 120, Devices: 9, Population: 4321, CommuneCodes: []string{"01.511.01.01"},
		RegionCode: "01", Confidence: 0.7, Geom: g}
}

// decoded is one feature of a decoded tile with its exact id and the wire
// type of every property.
type decoded struct {
	id    uint64
	geom  orb.Geometry
	props map[string]any
	kinds map[string]string
}

func decodeLayers(t *testing.T, raw []byte) map[string][]decoded {
	t.Helper()
	out := map[string][]decoded{}
	if raw == nil {
		return out
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var pb vectortile.Tile
	if err := pb.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	for i, l := range layers {
		pl := pb.Layers[i]
		for j, f := range l.Features {
			pf := pl.Features[j]
			d := decoded{id: pf.GetId(), geom: f.Geometry, props: f.Properties, kinds: map[string]string{}}
			for k := 0; k+1 < len(pf.Tags); k += 2 {
				v := pl.Values[pf.Tags[k+1]]
				kind := "other"
				switch {
				case v.StringValue != nil:
					kind = "string"
				case v.FloatValue != nil:
					kind = "float"
				case v.DoubleValue != nil:
					kind = "double"
				case v.UintValue != nil:
					kind = "uint"
				case v.SintValue != nil:
					kind = "sint"
				}
				d.kinds[pl.Keys[pf.Tags[k]]] = kind
			}
			out[l.Name] = append(out[l.Name], d)
		}
	}
	return out
}

func ids(fs []decoded) []uint64 {
	var out []uint64
	for _, f := range fs {
		out = append(out, f.id)
	}
	slices.Sort(out)
	return out
}

// checkWinding checks MVT v2 ring orientation: exteriors positive, holes
// negative; it returns the number of holes.
func checkWinding(t *testing.T, f decoded) int {
	t.Helper()
	var ps []orb.Polygon
	switch g := f.geom.(type) {
	case orb.Polygon:
		ps = []orb.Polygon{g}
	case orb.MultiPolygon:
		ps = g
	default:
		t.Fatalf("feature %d: %T, want a polygon", f.id, f.geom)
	}
	holes := 0
	for _, p := range ps {
		for i, r := range p {
			if a := tiles.SignedArea(r); i == 0 && a <= 0 || i > 0 && a >= 0 {
				t.Errorf("feature %d ring %d: signed area %.0f has the wrong sign", f.id, i, a)
			}
			if i > 0 {
				holes++
			}
		}
	}
	return holes
}

func TestDisputesTile(t *testing.T) {
	d1 := dispute(t, orb.Point{-6.83, 34.01}, 4, 1, "604-01", data.Tech4G) // a ring: its outline has a hole
	d2 := dispute(t, orb.Point{-6.80, 34.02}, 2, 0, "604-01", data.Tech3G)
	d3 := dispute(t, orb.Point{-6.86, 34.00}, 2, 0, "604-02", data.Tech4G)
	r := &fakeReader{features: map[string][]data.Feature{data.LayerDisputes: {d1.Feature(), d2.Feature(), d3.Feature()}}}
	set, err := tiles.Load(t.Context(), r, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id1, id2, id3 := uint64(d1.Cells[0]), uint64(d2.Cells[0]), uint64(d3.Cells[0])
	tile := maptile.At(orb.Point{-6.83, 34.01}, 11)
	cases := []struct {
		name string
		q    tiles.Query
		want []uint64
	}{
		{"everyone", tiles.Query{}, []uint64{id1, id2, id3}},
		{"one operator", tiles.Query{MCCMNC: "604-01"}, []uint64{id1, id2}},
		{"one operator and tech", tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}, []uint64{id1}},
		{"one tech", tiles.Query{Tech: data.Tech4G}, []uint64{id1, id3}},
		{"other operator", tiles.Query{MCCMNC: "604-02"}, []uint64{id3}},
		{"unknown operator", tiles.Query{MCCMNC: "604-99"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := set.Render(t.Context(), "disputes", tile, c.q)
			if err != nil {
				t.Fatal(err)
			}
			layers := decodeLayers(t, got.Raw)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if g := ids(layers["disputes"]); !slices.Equal(g, want) {
				t.Errorf("ids = %v, want %v", g, want)
			}
			if len(c.want) == 0 && got.Raw != nil {
				t.Errorf("got %d bytes, want an empty tile", len(got.Raw))
			}
		})
	}

	raw, err := set.Render(t.Context(), "disputes", tile, tiles.Query{})
	if err != nil {
		t.Fatal(err)
	}
	holes := 0
	for _, f := range decodeLayers(t, raw.Raw)["disputes"] {
		h := checkWinding(t, f)
		if f.id != id1 {
			continue
		}
		holes += h
		wantProps := map[string]any{"id": d1.ID, "mcc_mnc": "604-01", "tech": "4G", "declared": "good", "measured": "limited",
			"samples": 120.0, "devices": 9.0, "population": 4321.0, "confidence": float64(float32(0.7)), "region": "01"}
		wantKinds := map[string]string{"id": "string", "mcc_mnc": "string", "tech": "string", "declared": "string", "measured": "string",
			"samples": "uint", "devices": "uint", "population": "uint", "confidence": "float", "region": "string"}
		if fmt.Sprint(f.props) != fmt.Sprint(wantProps) {
			t.Errorf("props = %v, want %v (no cells, no communes)", f.props, wantProps)
		}
		if fmt.Sprint(f.kinds) != fmt.Sprint(wantKinds) {
			t.Errorf("wire types = %v, want %v", f.kinds, wantKinds)
		}
	}
	if holes != 1 {
		t.Errorf("dispute %d has %d holes, want 1", id1, holes)
	}

	// Below FeatureLayersMinZoom disputes do not draw.
	low, err := set.Render(t.Context(), "disputes", maptile.At(orb.Point{-6.83, 34.01}, tiles.FeatureLayersMinZoom-1), tiles.Query{})
	if err != nil || low.Raw != nil {
		t.Errorf("z%d: %d bytes, err %v; want an empty tile", tiles.FeatureLayersMinZoom-1, len(low.Raw), err)
	}
	at5, err := set.Render(t.Context(), "disputes", maptile.At(orb.Point{-6.83, 34.01}, tiles.FeatureLayersMinZoom), tiles.Query{})
	if err != nil || len(decodeLayers(t, at5.Raw)["disputes"]) != 3 {
		t.Errorf("z%d: err %v, features %d, want 3", tiles.FeatureLayersMinZoom, err, len(decodeLayers(t, at5.Raw)["disputes"]))
	}
}

func TestDeclaredTile(t *testing.T) {
	square := func(x, y, w float64) orb.Ring {
		return orb.Ring{{x, y}, {x + w, y}, {x + w, y + w}, {x, y + w}, {x, y}}
	}
	cw := square(-6.84, 34.0, 0.01)
	cw.Reverse() // a clockwise hole, as ingest writes holes
	mine := []data.Feature{
		{ID: "000001", Props: map[string]any{"operator": "604-01", "tech": "4G", "level": "very_good", "source_ref": "feature 1", "NIVEAU": "TBC"},
			Geom: orb.Polygon{square(-6.85, 33.99, 0.03), cw}},
		{ID: "zone-nord", Props: map[string]any{"level": "limited", "source_ref": "feature 2"},
			Geom: orb.MultiPolygon{{square(-6.81, 34.0, 0.01)}, {square(-6.79, 34.0, 0.01)}}},
		{ID: "000003", Props: map[string]any{"level": "good"}, Geom: orb.Point{-6.83, 34.01}}, // not a polygon: left out
	}
	theirs := []data.Feature{{ID: "000001", Props: map[string]any{"level": "good"}, Geom: orb.Polygon{square(-6.85, 33.99, 0.03)}}}
	r := &fakeReader{features: map[string][]data.Feature{"declared/604-01/4G": mine, "declared/604-02/4G": theirs}}
	set, err := tiles.Load(t.Context(), r, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tile := maptile.At(orb.Point{-6.83, 34.01}, 11)
	for _, q := range []tiles.Query{{}, {MCCMNC: "604-01"}, {Tech: data.Tech4G}} {
		if _, err := set.Render(t.Context(), "declared", tile, q); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("query %+v: err = %v, want ErrInvalid (operator and technology needed)", q, err)
		}
	}
	got, err := set.Render(t.Context(), "declared", tile, tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G})
	if err != nil {
		t.Fatal(err)
	}
	fs := decodeLayers(t, got.Raw)["declared"]
	want := []uint64{1, tiles.FeatureID("zone-nord")}
	slices.Sort(want)
	if g := ids(fs); !slices.Equal(g, want) {
		t.Fatalf("ids = %v, want %v", g, want)
	}
	holes := 0
	for _, f := range fs {
		holes += checkWinding(t, f)
		if f.id == 1 && (fmt.Sprint(f.props) != "map[level:very_good source_ref:feature 1]" || f.kinds["level"] != "string") {
			t.Errorf("props = %v (%v), want level and source_ref only", f.props, f.kinds)
		}
	}
	if holes != 1 {
		t.Errorf("%d holes, want 1", holes)
	}
	other, err := set.Render(t.Context(), "declared", tile, tiles.Query{MCCMNC: "604-02", Tech: data.Tech4G})
	if err != nil {
		t.Fatal(err)
	}
	if fs := decodeLayers(t, other.Raw)["declared"]; len(fs) != 1 || fs[0].props["level"] != "good" {
		t.Errorf("604-02: %v, want its own polygon only", fs)
	}
	none, err := set.Render(t.Context(), "declared", tile, tiles.Query{MCCMNC: "604-01", Tech: data.Tech3G})
	if err != nil || none.Raw != nil {
		t.Errorf("no declared 3G: %d bytes, err %v; want an empty tile", len(none.Raw), err)
	}
	// Read lazily, once per operator and technology.
	if _, err := set.Render(t.Context(), "declared", maptile.At(orb.Point{-6.83, 34.01}, 9), tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}); err != nil {
		t.Fatal(err)
	}
	if n := r.reads["declared/604-01/4G"]; n != 1 {
		t.Errorf("declared/604-01/4G read %d times, want once", n)
	}
}

func TestVersionFollowsDisputes(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := dispute(t, orb.Point{-6.83, 34.01}, 2, 0, "604-01", data.Tech4G)
	r := &fakeReader{features: map[string][]data.Feature{data.LayerDisputes: {d.Feature()}},
		infos: []data.LayerInfo{{Name: data.LayerDisputes, Count: 1, Source: "recompute", LoadedAt: at}}}
	version := func() string {
		set, err := tiles.Load(t.Context(), r, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return set.Version()
	}
	v1 := version()
	if v := version(); v != v1 {
		t.Errorf("same data, versions %s and %s", v1, v)
	}
	r.infos[0].LoadedAt = at.Add(time.Minute) // a new recompute
	v2 := version()
	if v2 == v1 {
		t.Errorf("version %s did not change with the disputes' layer info", v1)
	}
	r.features[data.LayerDisputes] = nil
	if v := version(); v == v2 {
		t.Errorf("version %s did not change with the disputes", v2)
	}
}

func TestFeatureIDs(t *testing.T) {
	cases := []struct {
		name string
		got  uint64
		want uint64
	}{
		{"decimal", tiles.FeatureID("000042"), 42},
		{"18 digits", tiles.FeatureID("999999999999999999"), 999999999999999999},
		{"dispute", tiles.DisputeID("D-604-01-4G-8828308281fffff"), 0x8828308281fffff},
		{"dispute, upper case", tiles.DisputeID("D-604-01-4G-8828308281FFFFF"), 0x8828308281fffff},
		{"dispute, not hex", tiles.DisputeID("D-604-01-4G-zz"), tiles.FeatureID("D-604-01-4G-zz")},
		{"dispute, 64 bits", tiles.DisputeID("D-8828308281fffff0"), tiles.FeatureID("D-8828308281fffff0")},
		{"dispute, too long", tiles.DisputeID("D-00000000000000001"), tiles.FeatureID("D-00000000000000001")},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, c.got, c.want)
		}
	}
	for _, id := range []string{"zone-nord", "1234567890123456789", "", "12a"} {
		h := tiles.FeatureID(id)
		if h>>60 != 1 || h != tiles.FeatureID(id) {
			t.Errorf("FeatureID(%q) = %#x, want bit 60 set and nothing above, stable", id, h)
		}
	}
	if tiles.FeatureID("a") == tiles.FeatureID("b") {
		t.Error("hashed ids collide")
	}
}

func TestPlanFeatureLayers(t *testing.T) {
	for _, layer := range []string{"disputes", "declared"} {
		for z := maptile.Zoom(0); z <= tiles.MaxZoom; z++ {
			plan, err := tiles.Plan(layer, z, 8, 8)
			if err != nil {
				t.Fatal(err)
			}
			if want := z >= tiles.FeatureLayersMinZoom; (len(plan) == 1) != want || len(plan) > 1 || want && plan[0].Name != layer {
				t.Errorf("%s z%d: plan %+v", layer, z, plan)
			}
		}
	}
}

func TestFeatureLayersTileJSON(t *testing.T) {
	set, err := tiles.Load(t.Context(), &fakeReader{}, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		layer string
		q     tiles.Query
		url   string
	}{
		{"disputes", tiles.Query{}, "http://h/tiles/disputes/{z}/{x}/{y}.mvt"},
		{"disputes", tiles.Query{MCCMNC: "604-01"}, "http://h/tiles/disputes/{z}/{x}/{y}.mvt?mcc_mnc=604-01"},
		{"declared", tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}, "http://h/tiles/declared/{z}/{x}/{y}.mvt?mcc_mnc=604-01&tech=4G"},
	}
	for _, c := range cases {
		tj, err := set.TileJSON(c.layer, "http://h", c.q)
		if err != nil {
			t.Fatal(err)
		}
		if tj.Tiles[0] != c.url || tj.MinZoom != tiles.FeatureLayersMinZoom || len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != c.layer {
			t.Errorf("%s %+v: tiles %v minzoom %d layers %+v", c.layer, c.q, tj.Tiles, tj.MinZoom, tj.VectorLayers)
		}
	}
	if tj, _ := set.TileJSON("boundaries", "http://h", tiles.Query{}); tj.MinZoom != 0 {
		t.Errorf("boundaries minzoom %d, want 0", tj.MinZoom)
	}
}

func ExampleDisputeID() {
	// A dispute's feature id is its smallest cell, which ends its id.
	fmt.Printf("%#x\n", tiles.DisputeID("D-604-01-4G-8828308281fffff"))
	// Other ids: decimal ones as numbers, else a hash with bit 60 set.
	fmt.Println(tiles.FeatureID("000042"), tiles.FeatureID("zone-nord")>>60)
	// Output:
	// 0x8828308281fffff
	// 42 1
}

// TestPlanTile checks the plan tileset of a scenario run: routes as lines,
// sites and new radio sites as points, zones as polygons, each with its
// properties typed; nothing below tiles.PlanMinZoom; a scenario id is
// required; a run not stored yet gives empty tiles until it is stored.
func TestPlanTile(t *testing.T) {
	hole := orb.Ring{{-6.84, 34.0}, {-6.84, 34.01}, {-6.83, 34.01}, {-6.83, 34.0}, {-6.84, 34.0}}
	hole.Reverse()
	routes := []data.Feature{
		{ID: "00042", Props: map[string]any{"site": "00042", "new_km": 12.5, "shared_km": 0.5, "cost_mad": 1.25e6, "extra": "x"},
			Geom: orb.LineString{{-6.9, 33.95}, {-6.85, 34.0}, {-6.8, 34.02}}},
		{ID: "two-parts", Props: map[string]any{"site": "two-parts", "new_km": 3.0},
			Geom: orb.MultiLineString{{{-6.9, 34.05}, {-6.86, 34.04}}, {{-6.82, 34.04}, {-6.8, 34.05}}}},
		{ID: "pt", Geom: orb.Point{-6.85, 34.0}}, // not a line: left out of routes
		speck(9),                                 // a fifth of a unit at z9, across a unit's edge: left out
	}
	assigned := []data.Feature{
		{ID: "site:00042", Props: map[string]any{"site": "00042", "kind": "admin", "tech": "fibre", "name": "Commune", "population": 1200.0, "cost_mad": 1.25e6},
			Geom: orb.Point{-6.8, 34.02}},
		{ID: "radio:Z-1:1", Props: map[string]any{"kind": "radio", "tech": "site4g", "zone": "Z-1", "covered": 800.0}, Geom: orb.Point{-6.835, 34.005}},
		{ID: "zone:Z-1", Props: map[string]any{"zone": "Z-1", "kind": "white", "tech": "site4g", "population": 900.0, "new_sites": 1.0},
			Geom: orb.Polygon{{{-6.86, 33.98}, {-6.81, 33.98}, {-6.81, 34.03}, {-6.86, 34.03}, {-6.86, 33.98}}, hole}},
		{ID: "zone:Z-2", Props: map[string]any{"zone": "Z-2", "kind": "grey", "tech": "roaming", "host": "604-01"},
			Geom: orb.MultiPolygon{{{{-6.9, 33.9}, {-6.88, 33.9}, {-6.88, 33.92}, {-6.9, 33.9}}}}},
		{ID: "line", Geom: orb.LineString{{-6.9, 33.9}, {-6.8, 34.0}}}, // neither point nor polygon: left out
	}
	r := &fakeReader{features: map[string][]data.Feature{data.RoutesLayer(3): routes, data.AssignmentsLayer(3): assigned}}
	set, err := tiles.Load(t.Context(), r, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tile := maptile.At(orb.Point{-6.85, 34.0}, 9)
	if _, err := set.Render(t.Context(), "plan", tile, tiles.Query{}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("no scenario: err = %v, want ErrInvalid", err)
	}
	got, err := set.Render(t.Context(), "plan", tile, tiles.Query{Scenario: 3})
	if err != nil {
		t.Fatal(err)
	}
	ls := decodeLayers(t, got.Raw)
	if g, w := ids(ls["routes"]), []uint64{42, tiles.FeatureID("two-parts")}; !slices.Equal(g, sorted(w)) {
		t.Errorf("routes ids %v, want %v", g, sorted(w))
	}
	if g, w := ids(ls["sites"]), []uint64{tiles.FeatureID("site:00042"), tiles.FeatureID("radio:Z-1:1")}; !slices.Equal(g, sorted(w)) {
		t.Errorf("sites ids %v, want %v", g, sorted(w))
	}
	if g, w := ids(ls["zones"]), []uint64{tiles.FeatureID("zone:Z-1"), tiles.FeatureID("zone:Z-2")}; !slices.Equal(g, sorted(w)) {
		t.Errorf("zones ids %v, want %v", g, sorted(w))
	}
	for _, f := range ls["routes"] {
		if _, ok := f.geom.(orb.Point); ok {
			t.Errorf("route %d is a point", f.id)
		}
		if f.id == 42 && (fmt.Sprint(f.props) != "map[cost_mad:1.25e+06 new_km:12.5 shared_km:0.5 site:00042]" || f.kinds["new_km"] != "float") {
			t.Errorf("route 42 props %v (%v)", f.props, f.kinds)
		}
	}
	for _, f := range ls["sites"] {
		if _, ok := f.geom.(orb.Point); !ok {
			t.Errorf("site %d is a %s", f.id, f.geom.GeoJSONType())
		}
		if f.id == tiles.FeatureID("site:00042") && (f.props["tech"] != "fibre" || f.kinds["population"] != "uint" || f.props["name"] != "Commune") {
			t.Errorf("site props %v (%v)", f.props, f.kinds)
		}
	}
	holes := 0
	for _, f := range ls["zones"] {
		holes += checkWinding(t, f)
		if f.id == tiles.FeatureID("zone:Z-2") && (f.props["host"] != "604-01" || f.props["tech"] != "roaming") {
			t.Errorf("zone Z-2 props %v", f.props)
		}
	}
	if holes != 1 {
		t.Errorf("%d holes, want 1", holes)
	}
	// Below PlanDetailZoom sites carry kind, tech, zone and population
	// only, routes nothing.
	brief, err := set.Render(t.Context(), "plan", maptile.At(orb.Point{-6.85, 34.0}, tiles.PlanDetailZoom-1), tiles.Query{Scenario: 3})
	if err != nil {
		t.Fatal(err)
	}
	bl := decodeLayers(t, brief.Raw)
	if len(bl["routes"]) == 0 {
		t.Errorf("z%d: no routes", tiles.PlanDetailZoom-1)
	}
	for _, f := range bl["routes"] {
		if len(f.props) != 0 {
			t.Errorf("z%d route %d props %v, want none", tiles.PlanDetailZoom-1, f.id, f.props)
		}
	}
	for _, f := range bl["sites"] {
		if _, named := f.props["name"]; named || f.props["kind"] == nil || len(f.props) > 4 {
			t.Errorf("z%d site %d props %v, want the brief ones", tiles.PlanDetailZoom-1, f.id, f.props)
		}
	}
	// Below PlanMinZoom: empty.
	if low, err := set.Render(t.Context(), "plan", maptile.At(orb.Point{-6.85, 34.0}, tiles.PlanMinZoom-1), tiles.Query{Scenario: 3}); err != nil || low.Raw != nil {
		t.Errorf("z%d: %d bytes, err %v; want an empty tile", tiles.PlanMinZoom-1, len(low.Raw), err)
	}
	// Read once per run.
	if _, err := set.Render(t.Context(), "plan", maptile.At(orb.Point{-6.85, 34.0}, 12), tiles.Query{Scenario: 3}); err != nil {
		t.Fatal(err)
	}
	if n := r.reads[data.RoutesLayer(3)]; n != 1 {
		t.Errorf("routes/3 read %d times, want once", n)
	}
	// A run not stored yet: empty, and not kept empty once it is stored.
	if e, err := set.Render(t.Context(), "plan", tile, tiles.Query{Scenario: 4}); err != nil || e.Raw != nil {
		t.Errorf("unknown run: %d bytes, err %v; want an empty tile", len(e.Raw), err)
	}
	r.mu.Lock()
	r.features[data.AssignmentsLayer(4)] = assigned[:1]
	r.mu.Unlock()
	later, err := set.Render(t.Context(), "plan", tile, tiles.Query{Scenario: 4})
	if err != nil || len(decodeLayers(t, later.Raw)["sites"]) != 1 {
		t.Errorf("run 4 once stored: %v, err %v; want its site", decodeLayers(t, later.Raw), err)
	}
	tj, err := set.TileJSON("plan", "http://h", tiles.Query{Scenario: 3})
	if err != nil || tj.Tiles[0] != "http://h/tiles/plan/{z}/{x}/{y}.mvt?scenario=3" || tj.MinZoom != tiles.PlanMinZoom || len(tj.VectorLayers) != 3 {
		t.Errorf("TileJSON %+v, err %v", tj, err)
	}
}

func sorted(s []uint64) []uint64 { return slices.Sorted(slices.Values(s)) }

// speck is a route a fifth of a tile unit long at zoom z, straddling the
// edge between two units of x, near (-6.85, 34.01).
func speck(z int) data.Feature {
	unit := 360 / float64(uint64(1)<<z) / tiles.Extent
	edge := -180 + math.Floor((-6.85+180)/unit)*unit
	return data.Feature{ID: "speck", Props: map[string]any{"site": "speck"}, Geom: orb.LineString{{edge - unit/10, 34.01}, {edge + unit/10, 34.01}}}
}
