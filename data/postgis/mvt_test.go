package postgis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/tiles"
)

var tileQueries = []tiles.Query{
	{MCCMNC: "604-00", Tech: data.Tech4G}, {MCCMNC: "604-01", Tech: data.Tech2G}, {MCCMNC: "604-02", Tech: data.Tech5G},
	{MCCMNC: "604-99", Tech: data.Tech4G},
}

// disputeQueries narrow the disputes by operator, technology, both or
// neither.
var disputeQueries = []tiles.Query{
	{}, {MCCMNC: "604-01"}, {MCCMNC: "604-02", Tech: data.Tech4G}, {Tech: data.Tech3G}, {MCCMNC: "604-99"},
}

// queriesOf are the selections a layer's tiles are compared with.
func queriesOf(layer string) []tiles.Query {
	switch layer {
	case "coverage", "declared":
		return tileQueries
	case "disputes":
		return disputeQueries
	case "plan":
		return []tiles.Query{{Scenario: fixturePlanID}, {Scenario: fixturePlanID + 1}} // the second is not stored: empty tiles
	}
	return []tiles.Query{{}}
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
		for _, q := range []tiles.Query{{MCCMNC: "604-01", Tech: data.Tech4G, Scenario: fixturePlanID}, {MCCMNC: "604-02", Scenario: 7}} {
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
	}
	compared := map[string]int{}
	for _, z := range []maptile.Zoom{5, 8, 10, 12, 14} {
		step := uint32(1)
		if z == 14 {
			step = 2
		}
		for _, tile := range tilesOver(fixtureBox, z, step) {
			for _, layer := range tiles.Layers() {
				for _, q := range queriesOf(layer) {
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
	// vacuous), places only from z5, health from z9; disputes and
	// declared from tiles.FeatureLayersMinZoom (z5).
	for _, z := range []int{5, 8, 10, 12, 14} {
		for _, layer := range tiles.Layers() {
			if n := compared[fmt.Sprintf("%s z%d", layer, z)]; n < 3 {
				t.Errorf("%s z%d: only %d features compared", layer, z, n)
			}
		}
	}
	// Below tiles.FeatureLayersMinZoom the feature layers are empty in both.
	low := maptile.At(orb.Point{-6.6, 34.1}, tiles.FeatureLayersMinZoom-1)
	for _, layer := range []string{"disputes", "declared"} {
		for _, q := range queriesOf(layer) {
			a, err1 := set.Render(ctx, layer, low, q)
			b, err2 := r.Render(ctx, layer, low, q)
			if err1 != nil || err2 != nil || a.Raw != nil || b.Raw != nil {
				t.Errorf("%s %v %+v: %d and %d bytes, errs %v %v; want empty tiles", layer, low, q, len(b.Raw), len(a.Raw), err2, err1)
			}
		}
	}
	t.Logf("features compared: %v", compared)
}

// TestTileRendererFeatureLayers checks the disputes and declared layers
// beyond the comparison: the operator filter keeps only that operator's
// disputes, ids follow tiles.DisputeID and tiles.FeatureID, declared
// tiles need an operator and a technology, and a recompute that replaces
// the disputes makes the renderer stale.
func TestTileRendererFeatureLayers(t *testing.T) {
	_, r, st := renderers(t, tiles.Options{})
	ctx := context.Background()
	fx := newTileFixture(t)
	byOp := map[string]map[uint64]bool{}
	for _, f := range fx.features[data.LayerDisputes] {
		if !tiles.Polygonal(f.Geom) {
			continue
		}
		op := f.Props["mcc_mnc"].(string)
		if byOp[op] == nil {
			byOp[op] = map[uint64]bool{}
		}
		byOp[op][tiles.DisputeID(f.ID)] = true
	}
	for op, want := range byOp {
		got := map[uint64]bool{}
		for _, tile := range tilesOver(fixtureBox, 8, 1) {
			tl, err := r.Render(ctx, "disputes", tile, tiles.Query{MCCMNC: op})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range decodeTile(t, tl.Raw)["disputes"] {
				if f.props["mcc_mnc"] != op {
					t.Errorf("%s's disputes: feature %d of %v", op, f.id, f.props["mcc_mnc"])
				}
				got[f.id] = true
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s's disputes: ids %v, want %v", op, got, want)
		}
	}
	if _, err := r.Render(ctx, "declared", maptile.At(orb.Point{-6.85, 34.2}, 10), tiles.Query{MCCMNC: "604-00"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("declared without tech: err = %v, want ErrInvalid", err)
	}
	tl, err := r.Render(ctx, "declared", maptile.At(orb.Point{-6.85, 34.2}, 10), tiles.Query{MCCMNC: "604-00", Tech: data.Tech4G})
	if err != nil {
		t.Fatal(err)
	}
	if fs := decodeTile(t, tl.Raw)["declared"]; len(fs) == 0 || fs[0].id != 1 || fs[0].props["level"] != "very_good" || len(fs[0].props) != 2 {
		t.Errorf("declared features %+v, want feature 1 (level very_good, source_ref)", fs)
	}
	if ok, err := r.Current(ctx); err != nil || !ok {
		t.Fatalf("Current = %v, %v; want true", ok, err)
	}
	ds := fx.features[data.LayerDisputes][:2]
	if err := st.ReplaceFeatures(ctx, data.LayerDisputes, ds); err != nil {
		t.Fatal(err)
	}
	if err := st.PutLayerInfo(ctx, data.LayerInfo{Name: data.LayerDisputes, Count: len(ds), Source: "recompute", LoadedAt: fx.run.ComputedAt.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Current(ctx); err != nil || ok {
		t.Errorf("after new disputes Current = %v, %v; want false", ok, err)
	}
}

func TestTileRendererEdges(t *testing.T) {
	_, r, st := renderers(t, tiles.Options{})
	ctx := context.Background()
	// Empty: the middle of the Atlantic, and an operator without stats.
	far := maptile.At(orb.Point{-30, 30}, 12)
	for _, layer := range tiles.Layers() {
		tile, err := r.Render(ctx, layer, far, tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G, Scenario: fixturePlanID})
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
