package plan_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/plan"
	"github.com/taghtia/taghtia/planner/scenario"
)

// store is an in-memory plan.Store.
type store struct {
	features map[string][]data.Feature
	pop      []data.CellPop
	zones    []data.Zone
	snap     bool
}

func (s *store) Areas(ctx context.Context, l data.AreaLevel) ([]data.Area, error) {
	if l == data.LevelCommune {
		return []data.Area{{Level: l, Code: "01.001.01.01", NameFR: "A", Parent: "01.001", Region: "01"}}, nil
	}
	return nil, nil
}
func (s *store) Places(ctx context.Context, l data.PlaceLayer) ([]data.Place, error) { return nil, nil }
func (s *store) Features(ctx context.Context, l string) ([]data.Feature, error) {
	return s.features[l], nil
}
func (s *store) Population(ctx context.Context) ([]data.CellPop, error) { return s.pop, nil }
func (s *store) LatestSnapshot(ctx context.Context) (data.Snapshot, error) {
	if !s.snap {
		return data.Snapshot{}, data.ErrNotFound
	}
	return data.Snapshot{ID: 7, RequiredTech: data.Tech4G, RequiredLevel: data.LevelGood}, nil
}
func (s *store) Zones(ctx context.Context, id int64, f data.ZoneFilter) ([]data.Zone, int, error) {
	return s.zones, len(s.zones), nil
}

// fixture: a 10 km road east from the PoP with two urban sites on it (at
// 4 and 10 km) and one rural site; a white and a grey programme zone.
func fixture(t *testing.T) *store {
	t.Helper()
	const lat = 33.0
	dLon, _ := geo.DegreesFor(1000, lat) // one km
	at := func(km float64) orb.Point { return orb.Point{-6 + km*dLon, lat} }
	// Two lines meeting at km 4; s3 at km 7 joins the road between
	// junctions (roads.Graph.Access).
	roadA, roadB := orb.LineString{at(0), at(2), at(4)}, orb.LineString{at(4), at(10)}
	st := &store{snap: true, features: map[string][]data.Feature{
		data.LayerRoads: {{Layer: data.LayerRoads, ID: "r1", Geom: roadA, Props: map[string]any{"class": "primary"}},
			{Layer: data.LayerRoads, ID: "r2", Geom: roadB, Props: map[string]any{"class": "primary"}}},
		data.LayerPoP: {{Layer: data.LayerPoP, ID: "p1", Geom: at(0)}},
		data.LayerSites: {
			{Layer: data.LayerSites, ID: "s1", Geom: at(4), Props: map[string]any{"kind": "commune_seat", "urban": true, "commune": "01.001.01.01"}},
			{Layer: data.LayerSites, ID: "s2", Geom: at(10), Props: map[string]any{"kind": "hospital", "urban": true, "commune": "01.001.01.01"}},
			{Layer: data.LayerSites, ID: "s3", Geom: at(7), Props: map[string]any{"kind": "commune_seat", "urban": false, "commune": "01.001.01.01"}},
		},
	}}
	white, _ := geo.CellAt(orb.Point{-5.0, 32.0}, 8)
	grey, _ := geo.CellAt(orb.Point{-4.0, 32.0}, 8)
	for _, c := range geo.Disk(white, 1) {
		st.pop = append(st.pop, data.CellPop{Cell: c, Population: 500, Commune: "01.001.01.01"})
	}
	st.pop = append(st.pop, data.CellPop{Cell: grey, Population: 80, Commune: "01.001.01.01"})
	st.zones = []data.Zone{
		{ID: "W-1", Kind: data.White, Programme: true, Population: 3500, RegionCode: "01", Cells: geo.Disk(white, 1)},
		{ID: "G-1", Kind: data.Grey, Programme: true, Population: 80, Operator: "604-01", RegionCode: "01", Cells: []geo.Cell{grey}},
		{ID: "W-2", Kind: data.White, Programme: false, Population: 10, Cells: []geo.Cell{grey}},
	}
	return st
}

func TestRun(t *testing.T) {
	st := fixture(t)
	sc := scenario.Default()
	sc.Satellite.FibreCostThresholdMAD = 5e6 // 4 km of urban trench is over the default
	res, err := plan.Run(context.Background(), st, plan.Options{Scenario: sc, Thresholds: coverage.DefaultThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	in := res.Inputs
	if in.SitesSource != "layer" || in.Sites != 3 || in.PoPs != 1 || in.PoPsAssumed || in.ProxyRoads || in.WhiteZones != 1 || in.GreyZones != 1 || in.Snapshot != 7 ||
		in.RoadAccesses != 1 {
		t.Fatalf("inputs = %+v", in)
	}
	ft := res.Fibre.Totals
	// s1 and s2 share the first 4 km; s3 is rural: satellite.
	if ft.Fibre != 2 || ft.Satellite != 1 || math.Abs(ft.NewTrenchKm-10) > 0.05 || math.Abs(ft.SeparateKm-14) > 0.05 {
		t.Errorf("fibre totals = %+v", ft)
	}
	wantFibre := 10*sc.Fibre.CivilWorksMADPerKM.Urban + 2*(sc.Fibre.EquipmentMADPerSite+sc.Fibre.SpurMADPerSite)
	if math.Abs(ft.FibreMAD-wantFibre) > 0.01*wantFibre {
		t.Errorf("fibre cost %.0f MAD, want about %.0f", ft.FibreMAD, wantFibre)
	}
	b := res.Summary.ByTechnology
	if b.Roaming.Items != 1 || b.Roaming.CostMAD != sc.Roaming.CostMADPerZone || b.Site4G.Items != 1 || b.Site4G.RadioSitesBuilt < 1 ||
		b.Site4G.CostMAD != float64(b.Site4G.RadioSitesBuilt)*sc.Radio.CostMADPerSite || b.Satellite.CostMAD != sc.Satellite.VSATCapexMAD {
		t.Errorf("by technology = %+v", b)
	}
	if fn := res.Summary.FibreNetwork; fn == nil || fn.ProxyRoads || math.Abs(fn.SharedTrenchKM-4) > 0.05 || fn.LowerBoundKM <= 0 || fn.LowerBoundKM > ft.NewTrenchKm {
		t.Errorf("fibre network = %+v", fn)
	}
	if res.Regions["s1"] != "01" {
		t.Errorf("site region %q", res.Regions["s1"])
	}

	// The rural site on fibre: it sits on the trench to s2, so the network
	// does not grow.
	rural := sc
	rural.Satellite.RuralBySatellite = false
	res2, err := plan.Run(context.Background(), st, plan.Options{Scenario: rural, Thresholds: coverage.DefaultThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	if ft := res2.Fibre.Totals; ft.Fibre != 3 || math.Abs(ft.NewTrenchKm-10) > 0.05 || math.Abs(ft.SeparateKm-21) > 0.05 {
		t.Errorf("rural on fibre: totals %+v, want 3 sites on 10 km of trench (21 km separately)", ft)
	}

	// Without roaming, the grey zone gets new sites too.
	sc.Roaming.HostOperatorRule = scenario.HostNone
	res, err = plan.Run(context.Background(), st, plan.Options{Scenario: sc, Thresholds: coverage.DefaultThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Summary.ByTechnology; b.Roaming.Items != 0 || b.Site4G.Items != 2 {
		t.Errorf("no roaming: %+v", b)
	}
}

func TestRunRefuses(t *testing.T) {
	st := fixture(t)
	st.snap = false
	if _, err := plan.Run(context.Background(), st, plan.Options{Scenario: scenario.Default(), Thresholds: coverage.DefaultThresholds()}); !errors.Is(err, plan.ErrNoSnapshot) {
		t.Errorf("no snapshot: %v", err)
	}
	sc := scenario.Default()
	sc.Radio.CostMADPerSite = -1
	if _, err := plan.Run(context.Background(), fixture(t), plan.Options{Scenario: sc, Thresholds: coverage.DefaultThresholds()}); err == nil {
		t.Error("a negative cost was accepted")
	}
}
