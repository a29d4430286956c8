package scenario_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/taghtia/taghtia/planner/scenario"
)

// crafted returns two results over mostly the same items: a has 100 MAD a
// year for two years; b has 200 MAD in 2025 only, connects s1 by
// satellite instead of fibre, and has one more zone, z4.
func crafted(t *testing.T) (a, b scenario.Summary) {
	t.Helper()
	sa := withBudget(map[scenario.Year]float64{2025: 100, 2026: 100})
	sa.Name = "two-years"
	sb := withBudget(map[scenario.Year]float64{2025: 200})
	sb.Name = "front-loaded"
	common := []scenario.Item{zone("z1", 80, 800), zone("z2", 60, 300)}
	ia := append(slices.Clone(common), scenario.Item{ID: "s1", Kind: scenario.KindFibre, CostMAD: 50, Population: 100, Sites: 1})
	ib := append(slices.Clone(common),
		scenario.Item{ID: "s1", Kind: scenario.KindSatellite, CostMAD: 45, Population: 100, Sites: 1},
		zone("z4", 10, 10))
	return scenario.Summarize(sa, schedule(t, sa, ia)), scenario.Summarize(sb, schedule(t, sb, ib))
}

func TestCompare(t *testing.T) {
	a, b := crafted(t)
	c := scenario.Compare(a, b)
	if c.A != "two-years" || c.B != "front-loaded" {
		t.Errorf("names = %q, %q", c.A, c.B)
	}
	fib, sat := c.ByTechnology.Fibre, c.ByTechnology.Satellite
	if fib.Planned.Items != (scenario.Diff[int]{A: 1, B: 0, Delta: -1}) || fib.Planned.CostMAD != (scenario.Diff[float64]{A: 50, B: 0, Delta: -50}) {
		t.Errorf("fibre = %+v", fib.Planned)
	}
	if fib.Funded.Items.A != 0 || sat.Funded.AdminSitesConnected != (scenario.Diff[int]{A: 0, B: 1, Delta: 1}) {
		t.Errorf("funded fibre %+v, satellite %+v", fib.Funded, sat.Funded)
	}
	if sat.OpexMADPerYear != (scenario.Diff[float64]{A: 0, B: 18000, Delta: 18000}) {
		t.Errorf("satellite opex = %+v", sat.OpexMADPerYear)
	}
	if r := c.ByTechnology.Roaming.Planned; r.ZonesCovered.Delta != 1 || r.PopulationCovered != (scenario.Diff[int64]{A: 1100, B: 1110, Delta: 10}) {
		t.Errorf("roaming = %+v", r)
	}
	if tot := c.Total; tot.Planned.CostMAD != (scenario.Diff[float64]{A: 190, B: 195, Delta: 5}) ||
		tot.DoneByDeadline.PopulationCovered != (scenario.Diff[int64]{A: 1100, B: 1210, Delta: 110}) {
		t.Errorf("total = %+v", tot)
	}
	if c.NotFunded.Items != (scenario.Diff[int]{A: 1, B: 0, Delta: -1}) || c.NotFunded.CostMAD.Delta != -50 {
		t.Errorf("not funded = %+v", c.NotFunded)
	}

	if len(c.Deadlines) != 2 {
		t.Fatalf("deadlines = %+v", c.Deadlines)
	}
	sites, zones := c.Deadlines[0], c.Deadlines[1]
	if sites.Programme != scenario.ProgrammeSites || len(sites.DoneOnlyInA) != 0 || !slices.Equal(sites.DoneOnlyInB, []string{"s1"}) || sites.Done.Items.Delta != 1 {
		t.Errorf("sites deadline = %+v", sites)
	}
	if zones.Programme != scenario.ProgrammeZones || len(zones.DoneOnlyInA) != 0 || !slices.Equal(zones.DoneOnlyInB, []string{"z4"}) || zones.DateA != zones.DateB {
		t.Errorf("zones deadline = %+v", zones)
	}

	if len(c.Years) != 2 {
		t.Fatalf("years = %+v", c.Years)
	}
	y25, y26 := c.Years[0], c.Years[1]
	if y25.Year != 2025 || y25.BudgetMAD != (scenario.Diff[float64]{A: 100, B: 200, Delta: 100}) || y25.SpentMAD != (scenario.Diff[float64]{A: 80, B: 195, Delta: 115}) {
		t.Errorf("2025 = %+v", y25)
	}
	// b has no 2026 budget: it spends nothing, and its cumulative stays at
	// its 2025 value.
	if y26.Year != 2026 || y26.SpentMAD != (scenario.Diff[float64]{A: 60, B: 0, Delta: -60}) || y26.Cumulative.Items != (scenario.Diff[int]{A: 2, B: 4, Delta: 2}) {
		t.Errorf("2026 = %+v", y26)
	}

	want := []scenario.Move{
		{ID: "s1", A: scenario.Placement{Status: scenario.StatusUnfunded, Kind: scenario.KindFibre},
			B: scenario.Placement{Status: scenario.StatusFunded, Kind: scenario.KindSatellite, Year: 2025}},
		{ID: "z2", A: scenario.Placement{Status: scenario.StatusFunded, Kind: scenario.KindRoaming, Year: 2026},
			B: scenario.Placement{Status: scenario.StatusFunded, Kind: scenario.KindRoaming, Year: 2025}},
		{ID: "z4", A: scenario.Placement{Status: scenario.StatusAbsent},
			B: scenario.Placement{Status: scenario.StatusFunded, Kind: scenario.KindRoaming, Year: 2025}},
	}
	if !reflect.DeepEqual(c.Moves, want) {
		t.Errorf("moves = %+v\nwant %+v", c.Moves, want)
	}
}

func TestCompareSelfIsEmpty(t *testing.T) {
	a, _ := crafted(t)
	c := scenario.Compare(a, a)
	if len(c.Moves) != 0 || c.Total.Planned.CostMAD.Delta != 0 || len(c.Deadlines[0].DoneOnlyInA)+len(c.Deadlines[1].DoneOnlyInB) != 0 {
		t.Errorf("a compared with itself: %+v", c)
	}
}

func TestCompareJSON(t *testing.T) {
	a, b := crafted(t)
	out, err := json.Marshal(scenario.Compare(a, b))
	if err != nil {
		t.Fatal(err)
	}
	js := string(out)
	for _, key := range []string{
		`"a":"two-years","b":"front-loaded"`,
		`"by_technology":{"fibre":{"planned":{"items":{"a":1,"b":0,"delta":-1},"cost_mad":{"a":50,"b":0,"delta":-50}`,
		`"opex_mad_per_year":{"a":0,"b":18000,"delta":18000}`,
		`"done_only_in_b":["s1"]`,
		`"date_a":"2026-12-31"`,
		`"spent_mad":{"a":80,"b":195,"delta":115}`,
		`{"id":"z4","a":{"status":"absent"},"b":{"status":"funded","kind":"roaming","year":2025}}`,
	} {
		if !strings.Contains(js, key) {
			t.Errorf("comparison JSON lacks %s", key)
		}
	}
	if strings.Contains(js, "null") {
		t.Errorf("comparison JSON has a null: %s", js)
	}
}
