package tiles_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

func TestParseTile(t *testing.T) {
	ok := []struct{ z, x, y string }{{"0", "0", "0"}, {"5", "15", "12"}, {"18", "262143", "0"}}
	for _, c := range ok {
		if _, err := tiles.ParseTile(c.z, c.x, c.y); err != nil {
			t.Errorf("%v: %v", c, err)
		}
	}
	bad := []struct{ z, x, y string }{{"19", "0", "0"}, {"5", "32", "0"}, {"5", "0", "-1"}, {"a", "0", "0"}, {"3", "1.5", "0"}, {"", "", ""}}
	for _, c := range bad {
		if _, err := tiles.ParseTile(c.z, c.x, c.y); !errors.Is(err, tiles.ErrBadTile) {
			t.Errorf("%v: err = %v, want ErrBadTile", c, err)
		}
	}
}

func TestHexResolution(t *testing.T) {
	cases := []struct {
		z    maptile.Zoom
		base int
		want int
	}{{0, 8, 3}, {4, 8, 3}, {5, 8, 4}, {8, 8, 7}, {9, 8, 8}, {14, 8, 8}, {14, 9, 9}}
	for _, c := range cases {
		if got := tiles.HexResolution(c.z, c.base); got != c.want {
			t.Errorf("HexResolution(%d, %d) = %d, want %d", c.z, c.base, got, c.want)
		}
	}
}

// TestEncodeWinding checks MVT v2 ring orientation on decoded tiles:
// exterior rings positive area in tile coordinates, holes negative, for
// input wound either way.
func TestEncodeWinding(t *testing.T) {
	c, _ := geo.CellAt(orb.Point{-6.83, 34.01}, 8)
	ccw := geo.CellPolygon(c)
	cw := orb.Polygon{append(orb.Ring(nil), ccw[0]...)}
	cw[0].Reverse()
	// a square with a hole, exterior CW and hole CCW (the wrong way round for GeoJSON)
	box := orb.Polygon{
		{{-6.9, 34.0}, {-6.9, 34.05}, {-6.8, 34.05}, {-6.8, 34.0}, {-6.9, 34.0}},
		{{-6.87, 34.01}, {-6.83, 34.01}, {-6.83, 34.04}, {-6.87, 34.04}, {-6.87, 34.01}},
	}
	tile := maptile.At(orb.Point{-6.85, 34.02}, 12)
	fc := geojson.NewFeatureCollection()
	for i, g := range []orb.Geometry{ccw, cw, box} {
		f := geojson.NewFeature(g)
		f.ID = uint64(i + 1)
		fc.Append(f)
	}
	raw, err := tiles.Encode(tile, map[string]*geojson.FeatureCollection{"t": fc})
	if err != nil || raw == nil {
		t.Fatalf("encode: %v (nil tile: %v)", err, raw == nil)
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || len(layers[0].Features) != 3 {
		t.Fatalf("decoded %d layers", len(layers))
	}
	for _, f := range layers[0].Features {
		p, ok := f.Geometry.(orb.Polygon)
		if !ok {
			t.Fatalf("feature %v: %T, want polygon", f.ID, f.Geometry)
		}
		for i, r := range p {
			a := tiles.SignedArea(r)
			if i == 0 && a <= 0 || i > 0 && a >= 0 {
				t.Errorf("feature %v ring %d: signed area %.0f has the wrong sign", f.ID, i, a)
			}
		}
	}
	if ids := fmt.Sprint(layers[0].Features[0].ID, layers[0].Features[2].ID); ids != "1 3" {
		t.Errorf("ids = %v, want stable integer ids 1 and 3", ids)
	}
}

func TestEncodeEmpty(t *testing.T) {
	fc := geojson.NewFeatureCollection()
	fc.Append(geojson.NewFeature(orb.Point{100, 10}))
	raw, err := tiles.Encode(maptile.At(orb.Point{-6.85, 34.02}, 12), map[string]*geojson.FeatureCollection{"t": fc})
	if err != nil || raw != nil {
		t.Fatalf("got %d bytes, err %v; want an empty (nil) tile", len(raw), err)
	}
}

// BenchmarkEncodeHexes encodes a dense z12 tile of resolution-8 hexagons
// (about 4,000), the worst case the pyramid allows; the baseline is the
// same features marshalled without projection, clipping and rewinding.
func BenchmarkEncodeHexes(b *testing.B) {
	tile := maptile.At(orb.Point{-7.6, 33.58}, 11)
	bd := tile.Bound()
	centre, _ := geo.CellAt(bd.Center(), 8)
	fc := geojson.NewFeatureCollection()
	for _, c := range geo.Disk(centre, 36) {
		f := geojson.NewFeature(geo.CellPolygon(c))
		f.ID = uint64(c)
		f.Properties = geojson.Properties{"level": "good", "samples": 12}
		fc.Append(f)
	}
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			cp := geojson.NewFeatureCollection()
			for _, f := range fc.Features {
				nf := *f
				nf.Geometry = orb.Clone(f.Geometry)
				cp.Append(&nf)
			}
			raw, err := tiles.Encode(tile, map[string]*geojson.FeatureCollection{"coverage": cp})
			if err != nil {
				b.Fatal(err)
			}
			n = len(raw)
		}
		b.ReportMetric(float64(n), "bytes/tile")
		b.ReportMetric(float64(len(fc.Features)), "features")
	})
	b.Run("baseline-marshal-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ls := mvt.NewLayers(map[string]*geojson.FeatureCollection{"coverage": fc})
			if _, err := mvt.Marshal(ls); err != nil {
				b.Fatal(err)
			}
		}
	})
}
