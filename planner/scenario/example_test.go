package scenario_test

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/taghtia/taghtia/planner/scenario"
)

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "scenario")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "fibre-first.yaml")
	// Only what changes: every other key keeps its default.
	doc := `name: fibre-first
satellite:
  rural_by_satellite: false
  fibre_cost_threshold_mad: 1500000
budget:
  per_year_mad: {2025: 2e9, 2026: 2e9}
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		log.Fatal(err)
	}
	s, err := scenario.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Name, s.Satellite.RuralBySatellite, s.Satellite.FibreCostThresholdMAD)
	fmt.Println("urban trench MAD/km:", s.Fibre.CivilWorksMADPerKM.Urban, "(default)")
	fmt.Println("sites deadline:", s.Deadlines.Sites, "(default)")
	// Output:
	// fibre-first false 1.5e+06
	// urban trench MAD/km: 220000 (default)
	// sites deadline: 2026-12-31 (default)
}

func ExampleParse_errors() {
	doc := `fibre:
  civil_works_mad_per_km:
    urban: -5
  spur_cost: 10000
`
	_, err := scenario.Parse("scenario.yaml", []byte(doc))
	fmt.Println(err)
	// Output:
	// scenario.yaml:4: fibre.spur_cost: unknown key (fibre has civil_works_mad_per_km, equipment_mad_per_site, spur_mad_per_site, proxy_detour_factor)
}

func ExampleSchedule() {
	s := scenario.Default()
	s.Budget.PerYearMAD = map[scenario.Year]float64{2025: 5_000_000, 2026: 5_000_000}
	items := []scenario.Item{
		{ID: "zone-A", Kind: scenario.KindSite4G, CostMAD: 4_400_000, Population: 12_000, Sites: 2},
		{ID: "zone-B", Kind: scenario.KindRoaming, CostMAD: 150_000, Population: 2_500},
		{ID: "zone-C", Kind: scenario.KindSite4G, CostMAD: 2_200_000, Population: 3_000, Sites: 1},
		{ID: "site-1", Kind: scenario.KindFibre, CostMAD: 310_000, Sites: 1},
		{ID: "site-2", Kind: scenario.KindSatellite, CostMAD: 45_000, Sites: 1},
		{ID: "zone-D", Kind: scenario.KindSite4G, CostMAD: 6_600_000, Population: 9_000, Sites: 3},
	}
	tl, err := scenario.Schedule(s, items)
	if err != nil {
		log.Fatal(err)
	}
	for _, y := range tl.Years {
		fmt.Printf("%d: %v spent %.0f MAD, %d people (cumulative %d)\n",
			y.Year, y.Done, y.SpentMAD, y.Totals.PopulationCovered, y.Cumulative.PopulationCovered)
	}
	for _, d := range tl.Deadlines {
		fmt.Printf("%s by %s: %d of %d done\n", d.Programme, d.Date, d.Done.Items, d.Planned.Items)
	}
	for _, u := range tl.Unfunded {
		fmt.Printf("not funded: %s (%s)\n", u.ID, u.Reason)
	}
	// Output:
	// 2025: [zone-B zone-A site-1 site-2] spent 4905000 MAD, 14500 people (cumulative 14500)
	// 2026: [zone-C] spent 2200000 MAD, 3000 people (cumulative 17500)
	// sites by 2026-12-31: 2 of 2 done
	// zones by 2026-12-31: 3 of 4 done
	// not funded: zone-D (exceeds_budget)
}

func ExampleSummarize() {
	s := scenario.Default()
	items := []scenario.Item{
		{ID: "site-2", Kind: scenario.KindSatellite, CostMAD: 45_000, Sites: 1, Region: "09"},
	}
	tl, err := scenario.Schedule(s, items)
	if err != nil {
		log.Fatal(err)
	}
	sum := scenario.Summarize(s, tl)
	b, _ := json.MarshalIndent(sum.ByTechnology.Satellite, "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "items": 1,
	//   "cost_mad": 45000,
	//   "population_covered": 0,
	//   "admin_sites_connected": 1,
	//   "radio_sites_built": 0,
	//   "zones_covered": 0,
	//   "opex_mad_per_year": 18000,
	//   "funded": {
	//     "items": 1,
	//     "cost_mad": 45000,
	//     "population_covered": 0,
	//     "admin_sites_connected": 1,
	//     "radio_sites_built": 0,
	//     "zones_covered": 0
	//   },
	//   "done_by_deadline": {
	//     "items": 1,
	//     "cost_mad": 45000,
	//     "population_covered": 0,
	//     "admin_sites_connected": 1,
	//     "radio_sites_built": 0,
	//     "zones_covered": 0
	//   }
	// }
}
