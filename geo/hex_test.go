package geo_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/geo"
)

var rabat = orb.Point{-6.8326, 34.0133}

func TestCellAtAndBack(t *testing.T) {
	c, err := geo.CellAt(rabat, 8)
	if err != nil {
		t.Fatal(err)
	}
	if c.Resolution() != 8 {
		t.Fatalf("resolution = %d, want 8", c.Resolution())
	}
	if d := geo.DistanceM(geo.CellCenter(c), rabat); d > 600 {
		t.Errorf("centre is %.0f m from the point, want < 600 m", d)
	}
	if !planar.PolygonContains(geo.CellPolygon(c), rabat) {
		t.Errorf("cell polygon does not contain its point")
	}
	if a := geo.CellAreaKm2(c); a < 0.6 || a > 0.9 {
		t.Errorf("area = %.3f km², want about 0.74", a)
	}
	if p := geo.Parent(c, 5); p.Resolution() != 5 {
		t.Errorf("parent resolution = %d", p.Resolution())
	}
	if n := len(geo.Neighbors(c)); n != 6 {
		t.Errorf("neighbours = %d, want 6", n)
	}
}

func TestCellAtRejects(t *testing.T) {
	for name, p := range map[string]orb.Point{"lat>90": {0, 91}, "lon<-180": {-181, 0}, "nan": {math.NaN(), 0}} {
		if _, err := geo.CellAt(p, 8); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := geo.CellAt(rabat, 16); err == nil {
		t.Error("resolution 16: no error")
	}
}

func TestParseCell(t *testing.T) {
	c, _ := geo.CellAt(rabat, 8)
	got, err := geo.ParseCell(c.String())
	if err != nil || got != c {
		t.Fatalf("ParseCell(%s) = %v, %v", c, got, err)
	}
	for _, s := range []string{"", "zz", "0", "8f2830828052d25ff", "ffffffffffffffff"} {
		if _, err := geo.ParseCell(s); !errors.Is(err, geo.ErrInvalidCell) {
			t.Errorf("ParseCell(%q) err = %v, want ErrInvalidCell", s, err)
		}
	}
}

func TestCellPolygonIsCCW(t *testing.T) {
	c, _ := geo.CellAt(rabat, 8)
	if planar.Area(geo.CellPolygon(c)) <= 0 {
		t.Error("cell ring is not counter-clockwise (GeoJSON right-hand rule)")
	}
}

func TestCellsInPolygonAndOutline(t *testing.T) {
	sq := orb.Polygon{{{-7, 33.9}, {-6.9, 33.9}, {-6.9, 34}, {-7, 34}, {-7, 33.9}}}
	cells, err := geo.CellsInPolygon(sq, 8)
	if err != nil {
		t.Fatal(err)
	}
	// about 9.2 km × 11.1 km = 102 km² / 0.74 km²
	if len(cells) < 110 || len(cells) > 170 {
		t.Errorf("got %d cells, want about 138", len(cells))
	}
	out, err := geo.CellsOutline(cells)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("outline has %d polygons, want 1", len(out))
	}
	if a, b := planar.Area(out[0]), planar.Area(sq); math.Abs(a-b)/b > 0.15 {
		t.Errorf("outline area %.5f vs square %.5f", a, b)
	}
}

func TestAreaIndex(t *testing.T) {
	a := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	b := orb.MultiPolygon{{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0}}}}
	ix := geo.NewAreaIndex([]string{"a", "b"}, []orb.Geometry{a, b})
	for p, want := range map[orb.Point]string{{0.5, 0.5}: "a", {1.5, 0.5}: "b", {3, 3}: ""} {
		got, ok := ix.Locate(p)
		if got != want || ok != (want != "") {
			t.Errorf("Locate(%v) = %q, %v; want %q", p, got, ok, want)
		}
	}
}

func ExampleCellAt() {
	c, _ := geo.CellAt(orb.Point{-6.8326, 34.0133}, 8)
	fmt.Println(c.Resolution(), geo.Parent(c, 5).Resolution())
	// Output: 8 5
}
