package sites_test

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/planner/sites"
)

const packDir = "../../../shared/data/morocco"

// layers keeps what ingest.LoadPack stores.
type layers struct {
	areas  map[data.AreaLevel][]data.Area
	places map[data.PlaceLayer][]data.Place
}

func (l *layers) ReplaceAreas(_ context.Context, level data.AreaLevel, areas []data.Area) error {
	l.areas[level] = areas
	return nil
}

func (l *layers) ReplacePlaces(_ context.Context, layer data.PlaceLayer, places []data.Place) error {
	l.places[layer] = places
	return nil
}

func (l *layers) PutLayerInfo(context.Context, data.LayerInfo) error { return nil }

// loadPack reads the Morocco reference pack with the ingest loaders, or
// skips the test when it is missing.
func loadPack(t testing.TB) sites.Options {
	t.Helper()
	if _, err := os.Stat(packDir); err != nil {
		t.Skipf("Morocco reference pack not found at %s", packDir)
	}
	l := &layers{areas: map[data.AreaLevel][]data.Area{}, places: map[data.PlaceLayer][]data.Place{}}
	if _, err := ingest.LoadPack(context.Background(), l, packDir); err != nil {
		t.Fatal(err)
	}
	return sites.Options{
		Communes:  l.areas[data.LevelCommune],
		Provinces: l.areas[data.LevelProvince],
		Regions:   l.areas[data.LevelRegion],
		Places:    l.places[data.LayerPlaces],
		Health:    l.places[data.LayerHealth],
		Seed:      1,
	}
}

func TestDemoMoroccoPack(t *testing.T) {
	opt := loadPack(t)
	start := time.Now()
	set, err := sites.Demo(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo site set built in %v", time.Since(start))
	sum := sites.Summarize(set.Sites)
	t.Logf("%d sites: %d urban (%d synthetic), %d rural; by kind %v; %d PoPs; %d facilities in no commune; no boundary %v",
		sum.Sites, sum.Urban, sum.Synthetic, sum.Rural, sum.ByKind, len(set.PoPs), set.DroppedFacilities, set.NoBoundary)
	if sum.Urban != sites.DefaultUrbanSites {
		t.Errorf("urban sites = %d, want exactly %d", sum.Urban, sites.DefaultUrbanSites)
	}
	communes := map[string]data.Area{}
	withGeom := 0
	for _, a := range opt.Communes {
		communes[a.Code] = a
		if len(a.Geom) > 0 {
			withGeom++
		}
	}
	if got := sum.ByKind[sites.KindCommuneSeat]; got != withGeom {
		t.Errorf("commune seats = %d, want one per commune with a boundary (%d)", got, withGeom)
	}
	if got := sum.ByKind[sites.KindProvinceSeat]; got != len(opt.Provinces) {
		t.Errorf("province seats = %d, want %d", got, len(opt.Provinces))
	}
	if got := sum.ByKind[sites.KindRegionSeat]; got != len(opt.Regions) {
		t.Errorf("region seats = %d, want %d", got, len(opt.Regions))
	}
	health := map[string]int{}
	for _, p := range opt.Health {
		health[p.Kind]++
	}
	if got, all := sum.ByKind[sites.KindHospital]+sum.ByKind[sites.KindClinic]+set.DroppedFacilities, health["hospital"]+health["clinic"]; got != all {
		t.Errorf("hospitals + clinics + dropped = %d, want the pack's %d", got, all)
	}
	if set.DroppedFacilities > 20 {
		t.Errorf("%d hospitals and clinics in no commune; expected a handful (coast, the gap near Azrou)", set.DroppedFacilities)
	}
	ids := map[string]bool{}
	perCommune := map[string]int{}
	for _, s := range set.Sites {
		if ids[s.ID] {
			t.Errorf("site id %s is repeated", s.ID)
		}
		ids[s.ID] = true
		a, ok := communes[s.Commune]
		if !ok || !contains(a.Geom, s.Point) {
			t.Errorf("site %s at %v is not inside its commune %q", s.ID, s.Point, s.Commune)
		}
		if s.Urban != (a.Type == "urban") {
			t.Errorf("site %s: urban %v in a %s commune", s.ID, s.Urban, a.Type)
		}
		if s.Synthetic {
			if !s.Urban {
				t.Errorf("synthetic site %s is rural", s.ID)
			}
			perCommune[s.Commune]++
		}
	}
	// Synthetic offices follow urban population: the most populous urban
	// commune (Casablanca) gets the most.
	most, n := "", 0
	for c, k := range perCommune {
		if k > n || k == n && c < most {
			most, n = c, k
		}
	}
	var biggest data.Area
	for _, a := range opt.Communes {
		if a.Type == "urban" && a.Population > biggest.Population {
			biggest = a
		}
	}
	if most != biggest.Code {
		t.Errorf("most synthetic sites in %s (%d), want the most populous urban commune %s %s", most, n, biggest.Code, biggest.NameFR)
	}
	for _, p := range set.PoPs {
		if !p.Assumption {
			t.Errorf("PoP %s is not marked an assumption", p.ID)
		}
	}
	if len(set.PoPs) < len(opt.Provinces) {
		t.Errorf("%d PoPs, want at least one per province (%d)", len(set.PoPs), len(opt.Provinces))
	}
	for _, id := range []string{"region_seat-04", "region_seat-06", "region_seat-08"} {
		for _, s := range set.Sites {
			if s.ID == id {
				t.Logf("%s: %s in %s %s", id, s.Name, s.Commune, communes[s.Commune].NameFR)
			}
		}
	}
	again, err := sites.Demo(opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set, again) {
		t.Error("the same pack and seed gave different sets")
	}
}
