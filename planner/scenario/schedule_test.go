package scenario_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/planner/scenario"
)

// withBudget is the default scenario with another budget.
func withBudget(perYear map[scenario.Year]float64) scenario.Scenario {
	s := scenario.Default()
	s.Budget.PerYearMAD = perYear
	return s
}

func schedule(t *testing.T, s scenario.Scenario, items []scenario.Item) scenario.Timeline {
	t.Helper()
	tl, err := scenario.Schedule(s, items)
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	return tl
}

// done lists each year's funded ids.
func done(tl scenario.Timeline) map[int][]string {
	m := map[int][]string{}
	for _, y := range tl.Years {
		m[y.Year] = y.Done
	}
	return m
}

func zone(id string, cost float64, pop int64) scenario.Item {
	return scenario.Item{ID: id, Kind: scenario.KindRoaming, CostMAD: cost, Population: pop}
}

func TestScheduleBudgetBoundary(t *testing.T) {
	tests := []struct {
		name   string
		budget float64
		items  []scenario.Item
		want   map[int][]string
		left   float64
	}{
		{"exactly the budget", 100, []scenario.Item{zone("a", 100, 10)}, map[int][]string{2025: {"a"}}, 0},
		{"exactly what is left", 100, []scenario.Item{zone("a", 60, 60), zone("b", 40, 10)}, map[int][]string{2025: {"a", "b"}}, 0},
		{"one centime over", 100, []scenario.Item{zone("a", 60, 60), zone("b", 40.01, 10)}, map[int][]string{2025: {"a"}}, 40},
		// 0.1 + 0.2 != 0.3 in floating point; in centimes it is.
		{"float rounding", 0.3, []scenario.Item{zone("a", 0.1, 2), zone("b", 0.2, 2)}, map[int][]string{2025: {"a", "b"}}, 0},
		{"free item with no budget", 0, []scenario.Item{zone("a", 0, 1)}, map[int][]string{2025: {"a"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := schedule(t, withBudget(map[scenario.Year]float64{2025: tt.budget}), tt.items)
			if got := done(tl); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("done = %v, want %v", got, tt.want)
			}
			if got := tl.Years[0].UnspentMAD; got != tt.left {
				t.Errorf("unspent = %v, want %v", got, tt.left)
			}
		})
	}
}

// TestScheduleSkipAndContinue: an item that does not fit waits for the
// next year while smaller items ranked after it go ahead, and it is first
// in line the next year.
func TestScheduleSkipAndContinue(t *testing.T) {
	s := withBudget(map[scenario.Year]float64{2025: 100, 2026: 100})
	s.Priority = scenario.PriorityPopulation
	items := []scenario.Item{zone("big", 80, 1000), zone("mid", 50, 500), zone("small", 20, 100), zone("late", 60, 50)}
	tl := schedule(t, s, items)
	want := map[int][]string{2025: {"big", "small"}, 2026: {"mid"}}
	if got := done(tl); !reflect.DeepEqual(got, want) {
		t.Errorf("done = %v, want %v", got, want)
	}
	y := tl.Years
	if y[0].SpentMAD != 100 || y[0].UnspentMAD != 0 || y[1].SpentMAD != 50 || y[1].UnspentMAD != 50 {
		t.Errorf("spent/unspent = %v/%v, %v/%v", y[0].SpentMAD, y[0].UnspentMAD, y[1].SpentMAD, y[1].UnspentMAD)
	}
	if c := y[1].Cumulative; c.Items != 3 || c.CostMAD != 150 || c.PopulationCovered != 1600 || c.ZonesCovered != 3 {
		t.Errorf("cumulative 2026 = %+v", c)
	}
	if len(tl.Unfunded) != 1 || tl.Unfunded[0].ID != "late" || tl.Unfunded[0].Reason != scenario.ReasonBudgetExhausted {
		t.Errorf("unfunded = %+v, want late (budget_exhausted)", tl.Unfunded)
	}
}

func TestScheduleCarryOver(t *testing.T) {
	s := withBudget(map[scenario.Year]float64{2025: 100, 2026: 100})
	items := []scenario.Item{zone("large", 150, 1000)}
	tl := schedule(t, s, items)
	if len(tl.Unfunded) != 1 || tl.Unfunded[0].Reason != scenario.ReasonExceedsBudget {
		t.Fatalf("without carry-over: unfunded = %+v, want exceeds_budget", tl.Unfunded)
	}
	s.Budget.CarryOverUnspent = true
	tl = schedule(t, s, items)
	if got := done(tl); !reflect.DeepEqual(got, map[int][]string{2025: {}, 2026: {"large"}}) {
		t.Errorf("with carry-over: done = %v", got)
	}
	if y := tl.Years[1]; y.CarriedInMAD != 100 || y.SpentMAD != 150 || y.UnspentMAD != 50 {
		t.Errorf("2026 = %+v", y)
	}
}

func TestScheduleUnfundedReasons(t *testing.T) {
	s := withBudget(map[scenario.Year]float64{2025: 100, 2026: 200})
	items := []scenario.Item{
		zone("fits", 150, 1500),     // 2026 (does not fit 2025)
		zone("too-big", 250, 10000), // more than any year
		zone("crowded", 120, 1000),  // fits 2026 alone, but "fits" took it
		{ID: "future", Kind: scenario.KindRoaming, CostMAD: 1, Population: 5, EarliestStart: scenario.NewDate(2027, time.March, 1)},
		{ID: "from-2026", Kind: scenario.KindRoaming, CostMAD: 90, Population: 900, EarliestStart: scenario.NewDate(2026, time.June, 1)},
	}
	tl := schedule(t, s, items)
	if got, want := done(tl), map[int][]string{2025: {}, 2026: {"fits"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("done = %v, want %v", got, want)
	}
	got := map[string]scenario.Reason{}
	for _, u := range tl.Unfunded {
		got[u.ID] = u.Reason
		if u.Detail == "" {
			t.Errorf("%s has no detail", u.ID)
		}
	}
	want := map[string]scenario.Reason{
		"too-big":   scenario.ReasonExceedsBudget,
		"crowded":   scenario.ReasonBudgetExhausted,
		"future":    scenario.ReasonStartsTooLate,
		"from-2026": scenario.ReasonBudgetExhausted, // 2025 is closed to it; 2026 went to "fits"
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons = %v, want %v", got, want)
	}
	if tl.NotFunded.Items != 4 || tl.NotFunded.CostMAD != 461 || tl.Funded.CostMAD+tl.NotFunded.CostMAD != tl.Planned.CostMAD {
		t.Errorf("funded %+v, not funded %+v, planned %+v", tl.Funded, tl.NotFunded, tl.Planned)
	}
	if d := tl.Unfunded[0].Detail; !strings.Contains(d, "more than any budget year open to it (the largest: 200 MAD in 2026)") {
		t.Errorf("too-big detail = %q", d)
	}
}

func TestSchedulePriority(t *testing.T) {
	items := []scenario.Item{
		zone("a", 100, 1000), // 10 per MAD
		zone("b", 50, 800),   // 16 per MAD
		zone("c", 400, 2000), // 5 per MAD
		zone("d", 50, 800),   // ties b on every key: after b by id
		zone("e", 0, 0),      // free, nobody: 0 per MAD
		zone("f", 0, 10),     // free, covers people: first per MAD
		zone("g", 10, 0),     // 0 per MAD
	}
	tests := []struct {
		priority scenario.Priority
		want     []string
	}{
		{scenario.PriorityPopulationPerMAD, []string{"f", "b", "d", "a", "c", "e", "g"}},
		{scenario.PriorityPopulation, []string{"c", "a", "b", "d", "f", "e", "g"}},
		{scenario.PriorityCost, []string{"e", "f", "g", "b", "d", "a", "c"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.priority), func(t *testing.T) {
			s := withBudget(map[scenario.Year]float64{2025: 1e6})
			s.Priority = tt.priority
			tl := schedule(t, s, items)
			var got []string
			for i, e := range tl.Items {
				got = append(got, e.ID)
				if e.Rank != i+1 {
					t.Errorf("%s rank %d, want %d", e.ID, e.Rank, i+1)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order = %v, want %v", got, tt.want)
			}
			if !slices.Equal(tl.Years[0].Done, tt.want) {
				t.Errorf("2025 done = %v, want the priority order %v", tl.Years[0].Done, tt.want)
			}
		})
	}
}

// TestSchedulePriorityDecides: with a budget for one of two items, the
// priority decides which.
func TestSchedulePriorityDecides(t *testing.T) {
	items := []scenario.Item{zone("cheap-dense", 100, 5000), zone("big", 900, 20000)}
	for p, want := range map[scenario.Priority]string{
		scenario.PriorityPopulationPerMAD: "cheap-dense",
		scenario.PriorityPopulation:       "big",
		scenario.PriorityCost:             "cheap-dense",
	} {
		s := withBudget(map[scenario.Year]float64{2025: 900})
		s.Priority = p
		tl := schedule(t, s, items)
		if got := tl.Years[0].Done; len(got) != 1 || got[0] != want {
			t.Errorf("%s: done %v, want [%s]", p, got, want)
		}
	}
}

func TestScheduleDeadlines(t *testing.T) {
	s := withBudget(map[scenario.Year]float64{2025: 100, 2026: 100, 2027: 100})
	s.Deadlines.Sites = scenario.NewDate(2025, time.December, 31)
	s.Deadlines.Zones = scenario.NewDate(2026, time.June, 30) // before 31 Dec 2026: 2026 work is late
	items := []scenario.Item{
		{ID: "site-1", Kind: scenario.KindFibre, CostMAD: 60, Population: 600, Sites: 1},
		{ID: "site-2", Kind: scenario.KindSatellite, CostMAD: 60, Population: 200, Sites: 1},
		{ID: "site-3", Kind: scenario.KindFibre, CostMAD: 500, Population: 100, Sites: 1},
		{ID: "zone-1", Kind: scenario.KindSite4G, CostMAD: 40, Population: 4000, Sites: 2},
		{ID: "zone-2", Kind: scenario.KindRoaming, CostMAD: 90, Population: 450},
	}
	tl := schedule(t, s, items)
	if got, want := done(tl), map[int][]string{2025: {"zone-1", "site-1"}, 2026: {"zone-2"}, 2027: {"site-2"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("done = %v, want %v", got, want)
	}
	sites, zones := tl.Deadlines[0], tl.Deadlines[1]
	if sites.Programme != scenario.ProgrammeSites || sites.Date != s.Deadlines.Sites ||
		!slices.Equal(sites.Kinds, []scenario.Kind{scenario.KindFibre, scenario.KindSatellite}) {
		t.Errorf("sites deadline = %+v", sites)
	}
	if sites.Done.Items != 1 || sites.Done.AdminSitesConnected != 1 || sites.Planned.AdminSitesConnected != 3 ||
		!slices.Equal(sites.Late, []string{"site-2"}) || !slices.Equal(sites.NotFunded, []string{"site-3"}) {
		t.Errorf("sites deadline = %+v", sites)
	}
	if zones.Done.ZonesCovered != 1 || zones.Done.RadioSitesBuilt != 2 || zones.Done.PopulationCovered != 4000 ||
		!slices.Equal(zones.Late, []string{"zone-2"}) || len(zones.NotFunded) != 0 {
		t.Errorf("zones deadline = %+v", zones)
	}
	for _, e := range tl.Items {
		if e.ID == "zone-2" && (e.Year != 2026 || e.DoneDate != scenario.NewDate(2026, time.December, 31)) {
			t.Errorf("zone-2 entry = %+v", e)
		}
	}
}

func TestScheduleByRegion(t *testing.T) {
	s := withBudget(map[scenario.Year]float64{2025: 100})
	items := []scenario.Item{
		{ID: "a", Kind: scenario.KindRoaming, CostMAD: 60, Population: 600, Region: "09"},
		{ID: "b", Kind: scenario.KindRoaming, CostMAD: 60, Population: 300, Region: "09"},
		{ID: "c", Kind: scenario.KindRoaming, CostMAD: 10, Population: 10, Region: "01"},
	}
	tl := schedule(t, s, items)
	if len(tl.ByRegion) != 2 || tl.ByRegion[0].Region != "01" || tl.ByRegion[1].Planned.Items != 2 || tl.ByRegion[1].Funded.Items != 1 {
		t.Errorf("by region = %+v", tl.ByRegion)
	}
}

func TestScheduleIsDeterministic(t *testing.T) {
	var items []scenario.Item
	for i := range 200 {
		items = append(items, zone(string(rune('A'+i%26))+strings.Repeat("x", i/26), float64(10+i%7*10), int64(100*(i%5))))
	}
	s := withBudget(map[scenario.Year]float64{2025: 2000, 2026: 3000})
	want, _ := json.Marshal(schedule(t, s, items))
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		got, _ := json.Marshal(schedule(t, s, items))
		if string(got) != string(want) {
			t.Fatal("a shuffled input gives another schedule")
		}
	}
}

func TestScheduleRefuses(t *testing.T) {
	tests := []struct {
		name  string
		items []scenario.Item
		want  string
	}{
		{"empty id", []scenario.Item{zone("", 1, 1)}, "id is empty"},
		{"repeated id", []scenario.Item{zone("a", 1, 1), zone("a", 2, 2)}, `item 1 ("a"): id is also item 0's`},
		{"unknown kind", []scenario.Item{{ID: "a", Kind: "cable"}}, `kind "cable" is not one of fibre, satellite, site4g, roaming`},
		{"negative cost", []scenario.Item{zone("a", -1, 1)}, "cost_mad -1 must be in"},
		{"negative population", []scenario.Item{zone("a", 1, -1)}, "population -1 is negative"},
		{"sites for roaming", []scenario.Item{{ID: "a", Kind: scenario.KindRoaming, Sites: 1}}, "must be 0 for roaming"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.Schedule(scenario.Default(), tt.items)
			var ie *scenario.ItemError
			if !errors.Is(err, scenario.ErrInvalid) || !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Schedule = %v, want an ItemError containing %q", err, tt.want)
			}
		})
	}
	bad := scenario.Default()
	bad.Radio.CoverageTargetShare = 2
	if _, err := scenario.Schedule(bad, nil); !errors.Is(err, scenario.ErrInvalid) {
		t.Errorf("Schedule(invalid scenario) = %v, want ErrInvalid", err)
	}
}

func TestScheduleEmpty(t *testing.T) {
	tl := schedule(t, scenario.Default(), nil)
	b, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "null") {
		t.Errorf("empty schedule has a null: %s", b)
	}
	if len(tl.Years) != 2 || len(tl.Deadlines) != 2 {
		t.Errorf("years %d, deadlines %d; want 2 and 2", len(tl.Years), len(tl.Deadlines))
	}
}

func TestSummarize(t *testing.T) {
	s := withBudget(map[scenario.Year]float64{2025: 3_000_000, 2026: 3_000_000})
	items := []scenario.Item{
		{ID: "s1", Kind: scenario.KindFibre, CostMAD: 300_000, Population: 0, Sites: 1},
		{ID: "s2", Kind: scenario.KindSatellite, CostMAD: 45_000, Sites: 1},
		{ID: "s3", Kind: scenario.KindSatellite, CostMAD: 45_000, Sites: 1},
		{ID: "z1", Kind: scenario.KindSite4G, CostMAD: 4_400_000, Population: 8000, Sites: 2},
		{ID: "z2", Kind: scenario.KindSite4G, CostMAD: 2_200_000, Population: 5000, Sites: 1},
		{ID: "z3", Kind: scenario.KindRoaming, CostMAD: 150_000, Population: 3000},
	}
	sum := scenario.Summarize(s, schedule(t, s, items))
	bt := sum.ByTechnology
	if bt.Satellite.Items != 2 || bt.Satellite.CostMAD != 90_000 || bt.Satellite.AdminSitesConnected != 2 || bt.Satellite.OpexMADPerYear != 36_000 {
		t.Errorf("satellite = %+v", bt.Satellite)
	}
	if bt.Site4G.RadioSitesBuilt != 3 || bt.Site4G.ZonesCovered != 2 || bt.Site4G.OpexMADPerYear != 600_000 || bt.Site4G.PopulationCovered != 13000 {
		t.Errorf("site4g = %+v", bt.Site4G)
	}
	// z1 (4.4 M) never fits a 3 M year.
	if bt.Site4G.Funded.Items != 1 || bt.Site4G.DoneByDeadline.PopulationCovered != 5000 {
		t.Errorf("site4g funded %+v, done %+v", bt.Site4G.Funded, bt.Site4G.DoneByDeadline)
	}
	if sum.Total.Items != 6 || sum.Total.CostMAD != 7_140_000 || sum.Total.OpexMADPerYear != 636_000 || sum.Total.Funded.Items != 5 {
		t.Errorf("total = %+v", sum.Total)
	}
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"by_technology":{"fibre":{"items":1,"cost_mad":300000,`, `"opex_mad_per_year":36000`, `"site4g":`, `"schedule":{"priority":"population_per_mad"`, `"per_year_mad":{"2025":3000000,"2026":3000000}`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("summary JSON lacks %s:\n%s", key, b)
		}
	}
	if strings.Contains(string(b), "fibre_network") {
		t.Error("summary JSON has fibre_network, which Summarize leaves out")
	}
}
