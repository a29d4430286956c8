package sites_test

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner/sites"
)

func contains(mp orb.MultiPolygon, p orb.Point) bool { return planar.MultiPolygonContains(mp, p) }

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// fixture is one province of one region with two communes: an urban
// square with a town and a hamlet, and a rural U-shaped commune with no
// place (its seat must fall inside the U, not in the notch where its
// centroid lies).
func fixture() sites.Options {
	urban := data.Area{Level: data.LevelCommune, Code: "01.001.01.01", Parent: "01.001", Region: "01", NameFR: "Ville",
		Type: "urban", Population: 100000, Geom: rect(-7.0, 33.0, -6.9, 33.1)}
	rural := data.Area{Level: data.LevelCommune, Code: "01.001.02.01", Parent: "01.001", Region: "01", NameFR: "Douar",
		Type: "rural", Population: 5000, Geom: orb.MultiPolygon{{{{-6.9, 33.0}, {-6.6, 33.0}, {-6.6, 33.3}, {-6.7, 33.3}, {-6.7, 33.1}, {-6.8, 33.1}, {-6.8, 33.3}, {-6.9, 33.3}, {-6.9, 33.0}}}}}
	noBoundary := data.Area{Level: data.LevelCommune, Code: "01.001.02.09", Parent: "01.001", Region: "01", NameFR: "Sans limite", Type: "rural", Population: 700}
	return sites.Options{
		Communes:  []data.Area{rural, noBoundary, urban},
		Provinces: []data.Area{{Level: data.LevelProvince, Code: "01.001", Parent: "01", Region: "01", NameFR: "Province", Geom: rect(-7.0, 33.0, -6.6, 33.3)}},
		Regions:   []data.Area{{Level: data.LevelRegion, Code: "01", Region: "01", NameFR: "Région", Geom: rect(-7.0, 33.0, -6.6, 33.3)}},
		Places: []data.Place{
			{Layer: data.LayerPlaces, ID: "2", Name: "Hamlet", Kind: "PPL", Population: 100, Point: orb.Point{-6.92, 33.08}},
			{Layer: data.LayerPlaces, ID: "1", Name: "Town", Kind: "PPLA2", Population: 50000, Point: orb.Point{-6.95, 33.05}},
		},
		Health: []data.Place{
			{Layer: data.LayerHealth, ID: "10", Name: "Hôpital", Kind: "hospital", Point: orb.Point{-6.96, 33.04}},
			{Layer: data.LayerHealth, ID: "11", Name: "", Kind: "clinic", Point: orb.Point{-6.65, 33.2}},
			{Layer: data.LayerHealth, ID: "12", Name: "Pharmacie", Kind: "pharmacy", Point: orb.Point{-6.97, 33.06}},
			{Layer: data.LayerHealth, ID: "13", Name: "Au large", Kind: "hospital", Point: orb.Point{-8, 33}},
		},
		UrbanSites: 10,
		Seed:       7,
	}
}

func TestDemoFixture(t *testing.T) {
	opt := fixture()
	set, err := sites.Demo(opt)
	if err != nil {
		t.Fatal(err)
	}
	sum := sites.Summarize(set.Sites)
	wantKinds := map[sites.Kind]int{
		sites.KindCommuneSeat: 2, sites.KindHospital: 1, sites.KindClinic: 1,
		sites.KindProvinceSeat: 1, sites.KindRegionSeat: 1, sites.KindAdminOffice: 6,
	}
	if !reflect.DeepEqual(sum.ByKind, wantKinds) {
		t.Errorf("by kind = %v, want %v", sum.ByKind, wantKinds)
	}
	if sum.Urban != 10 || sum.Rural != 2 || sum.Synthetic != 6 {
		t.Errorf("urban %d rural %d synthetic %d, want 10, 2, 6", sum.Urban, sum.Rural, sum.Synthetic)
	}
	if set.DroppedFacilities != 1 {
		t.Errorf("dropped facilities = %d, want 1 (the hospital at sea)", set.DroppedFacilities)
	}
	if want := []string{"01.001.02.09"}; !reflect.DeepEqual(set.NoBoundary, want) {
		t.Errorf("no boundary = %v, want %v", set.NoBoundary, want)
	}
	geom := map[string]data.Area{}
	for _, a := range opt.Communes {
		geom[a.Code] = a
	}
	byID := map[string]sites.Site{}
	for _, s := range set.Sites {
		byID[s.ID] = s
		a, ok := geom[s.Commune]
		if !ok || !contains(a.Geom, s.Point) {
			t.Errorf("site %s at %v is not inside its commune %q", s.ID, s.Point, s.Commune)
		}
		if s.Urban != (a.Type == "urban") {
			t.Errorf("site %s urban = %v in a %s commune", s.ID, s.Urban, a.Type)
		}
		if s.Synthetic != (s.Kind == sites.KindAdminOffice) {
			t.Errorf("site %s: synthetic %v for kind %s", s.ID, s.Synthetic, s.Kind)
		}
		if s.Synthetic && s.Commune != "01.001.01.01" {
			t.Errorf("synthetic site %s in rural commune %s", s.ID, s.Commune)
		}
	}
	town := orb.Point{-6.95, 33.05}
	for id, want := range map[string]orb.Point{
		"commune_seat-01.001.01.01": town, // the most populous place
		"province_seat-01.001":      town, // the seat of the PPLA2 place's commune
		"region_seat-01":            town, // no PPLC/PPLA: the province seat's commune
		"hospital-10":               {-6.96, 33.04},
	} {
		if got := byID[id].Point; got != want {
			t.Errorf("%s at %v, want %v", id, got, want)
		}
	}
	if s := byID["clinic-11"]; s.Urban || s.Commune != "01.001.02.01" || s.Name != "clinic 11" {
		t.Errorf("clinic = %+v, want rural in 01.001.02.01 named after its id", s)
	}
	// One PoP: the region seat stands at the province seat.
	if len(set.PoPs) != 1 || !set.PoPs[0].Assumption || set.PoPs[0].Point != town || set.PoPs[0].Site != "province_seat-01.001" {
		t.Errorf("PoPs = %+v, want one assumption at the province seat", set.PoPs)
	}
}

func TestDemoDeterministic(t *testing.T) {
	a, err := sites.Demo(fixture())
	if err != nil {
		t.Fatal(err)
	}
	// Shuffled inputs, same seed: the same set.
	opt := fixture()
	opt.Places[0], opt.Places[1] = opt.Places[1], opt.Places[0]
	opt.Health[0], opt.Health[3] = opt.Health[3], opt.Health[0]
	b, err := sites.Demo(opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("same inputs and seed gave different sets")
	}
	opt = fixture()
	opt.Seed++
	c, err := sites.Demo(opt)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Sites, c.Sites) {
		t.Error("another seed gave the same synthetic sites")
	}
}

func TestDemoTargetAlreadyMet(t *testing.T) {
	opt := fixture()
	opt.UrbanSites = 3 // the real urban sites are already 4
	set, err := sites.Demo(opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sites.Summarize(set.Sites); sum.Synthetic != 0 || sum.Urban != 4 {
		t.Errorf("synthetic %d urban %d, want no synthetic site and the 4 real urban ones", sum.Synthetic, sum.Urban)
	}
}

func TestDemoNeedsBoundaries(t *testing.T) {
	opt := fixture()
	for i := range opt.Communes {
		opt.Communes[i].Geom = nil
	}
	if _, err := sites.Demo(opt); err == nil {
		t.Error("Demo without commune boundaries succeeded")
	}
}
