package sites_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/ingest/vector"
	"github.com/taghtia/taghtia/planner/sites"
)

func TestSiteFeatureRoundTrip(t *testing.T) {
	cases := []sites.Site{
		{ID: "commune_seat-01.051.01.05", Name: "Commune Imzouren", Kind: sites.KindCommuneSeat, Commune: "01.051.01.05", Urban: true, Point: orb.Point{-3.85, 35.14}},
		{ID: "admin_office-01.051.01.05-3", Name: "Admin office 3", Kind: sites.KindAdminOffice, Commune: "01.051.01.05", Urban: true, Point: orb.Point{-3.84, 35.15}, Synthetic: true},
		{ID: "x", Kind: "mairie", Point: orb.Point{-7, 31}},
	}
	for _, want := range cases {
		t.Run(want.ID, func(t *testing.T) {
			f := want.Feature()
			if f.Layer != data.LayerSites {
				t.Fatalf("layer = %q, want %q", f.Layer, data.LayerSites)
			}
			got, err := sites.FromFeature(f)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("round trip = %+v, want %+v", got, want)
			}
		})
	}
}

// An imported site (ingest.MapFeatures, as `taghtia ingest --layer sites`
// stores it) reads as the same Site a demo builds.
func TestFromImportedFeature(t *testing.T) {
	vf := []vector.Feature{
		{Ref: "feature 1", Line: 1, Geom: orb.Point{-6.83, 34.01},
			Props: map[string]any{"code": "RAB-1", "nom": "Wilaya de Rabat", "type": "region_seat", "code_commune": "04.421.01.01", "milieu": "urbain", "synthetique": "non"}},
		{Ref: "feature 2", Line: 2, Geom: orb.MultiPoint{{-5.5, 32.1}},
			Props: map[string]any{"id": float64(77), "name": "Dispensaire", "kind": "clinic", "urban": false}},
	}
	rep := &ingest.Report{}
	fs, err := ingest.MapFeatures("sites.geojson", vf, ingest.RefOptions{Kind: ingest.RefSites}, rep)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sites.FromFeatures(fs)
	if err != nil {
		t.Fatal(err)
	}
	want := []sites.Site{
		{ID: "RAB-1", Name: "Wilaya de Rabat", Kind: sites.KindRegionSeat, Commune: "04.421.01.01", Urban: true, Point: orb.Point{-6.83, 34.01}},
		{ID: "77", Name: "Dispensaire", Kind: sites.KindClinic, Point: orb.Point{-5.5, 32.1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("imported sites:\n got %+v\nwant %+v", got, want)
	}
}

func TestFromFeatureRejects(t *testing.T) {
	cases := []struct {
		name string
		f    data.Feature
	}{
		{"no id", data.Feature{Layer: data.LayerSites, Geom: orb.Point{1, 2}}},
		{"line", data.Feature{Layer: data.LayerSites, ID: "a", Geom: orb.LineString{{1, 2}, {3, 4}}}},
		{"no geometry", data.Feature{Layer: data.LayerSites, ID: "a"}},
		{"other layer", data.Feature{Layer: data.LayerRoads, ID: "a", Geom: orb.Point{1, 2}}},
		{"bad bool", data.Feature{Layer: data.LayerSites, ID: "a", Geom: orb.Point{1, 2}, Props: map[string]any{"urban": "maybe"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sites.FromFeature(c.f)
			if !errors.Is(err, data.ErrInvalid) {
				t.Errorf("FromFeature(%+v) = %v, want data.ErrInvalid", c.f, err)
			}
		})
	}
}

func TestPoPFeatureRoundTrip(t *testing.T) {
	want := sites.PoP{ID: "pop-province_seat-01.051", Name: "PoP Province Al Hoceima (assumption)", Point: orb.Point{-3.9, 35.2},
		Site: "province_seat-01.051", Assumption: true}
	f := want.Feature()
	if f.Layer != data.LayerPoP {
		t.Fatalf("layer = %q, want %q", f.Layer, data.LayerPoP)
	}
	got, err := sites.PoPFromFeature(f)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("round trip = %+v, want %+v", got, want)
	}
	imported, err := sites.PoPFromFeature(data.Feature{Layer: data.LayerPoP, ID: "P1", Geom: orb.Point{-7, 33}, Props: map[string]any{"name": "NRA", "operator": "604-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if imported.Assumption || imported.Operator != "604-01" {
		t.Errorf("imported PoP = %+v, want operator 604-01 and no assumption", imported)
	}
}

func TestLargestRemainder(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		weights []float64
		want    []int
	}{
		{"exact", 10, []float64{1, 1}, []int{5, 5}},
		{"remainders", 10, []float64{1, 1, 1}, []int{4, 3, 3}},
		{"largest wins", 7, []float64{60, 25, 15}, []int{4, 2, 1}},
		{"zero weight gets none", 5, []float64{0, 3, 2}, []int{0, 3, 2}},
		{"nothing to share", 0, []float64{1, 2}, []int{0, 0}},
		{"no weight", 3, []float64{0, 0}, []int{0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := sites.LargestRemainder(c.n, c.weights)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("LargestRemainder(%d, %v) = %v, want %v", c.n, c.weights, got, c.want)
			}
		})
	}
}

func TestInteriorPoint(t *testing.T) {
	// A U shape: its centroid lies in the notch, outside.
	u := orb.MultiPolygon{{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}}
	square := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	for name, mp := range map[string]orb.MultiPolygon{"u": u, "square": square} {
		p, ok := sites.InteriorPoint(mp)
		if !ok || !contains(mp, p) {
			t.Errorf("%s: InteriorPoint = %v, %v; want a point inside", name, p, ok)
		}
	}
	if _, ok := sites.InteriorPoint(nil); ok {
		t.Error("InteriorPoint(nil) found a point")
	}
}
