package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner/plan"
	"github.com/taghtia/taghtia/planner/scenario"
	"github.com/taghtia/taghtia/web"
)

type planCmd struct {
	Scenario string `help:"Scenario file (YAML or JSON); every key left out keeps its default (taghtia plan --print-defaults)." type:"existingfile"`
	Out      string `help:"Directory for the exports: summary.json, sites.csv, routes.geojson, zones.csv." default:"plan-out" type:"path"`
	Seed     uint64 `help:"Seed of the demo site set (used when no sites layer is loaded)." default:"1"`
	Defaults bool   `name:"print-defaults" help:"Print the default scenario, with every parameter documented, and exit."`
}

func (c *planCmd) Run(e *env) error {
	if c.Defaults {
		_, err := os.Stdout.Write(scenario.DefaultYAML())
		return err
	}
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	return c.runOn(e, st)
}

// runOn plans the scenario over st, prints the totals, writes the exports
// and stores the run.
func (c *planCmd) runOn(e *env, st data.Store) error {
	sc := scenario.Default()
	if c.Scenario != "" {
		var err error
		if sc, err = scenario.Load(c.Scenario); err != nil {
			return err
		}
	}
	t, err := e.thresholds()
	if err != nil {
		return err
	}
	start, stageStart, stage := time.Now(), time.Now(), ""
	res, err := plan.Run(e.ctx, st, plan.Options{Scenario: sc, Thresholds: t, Seed: c.Seed, Stage: func(s string) {
		if stage != "" {
			e.log.Debug("stage done", "stage", stage, "seconds", time.Since(stageStart).Seconds())
		}
		stage, stageStart = s, time.Now()
		fmt.Printf("%s…\n", s)
	}})
	if err != nil {
		return err
	}
	in := res.Inputs
	fmt.Printf("scenario %q: %d sites (%s, %d synthetic), %d PoPs%s, roads: %d nodes %d edges%s, snapshot %d\n",
		sc.Name, in.Sites, in.SitesSource, in.SyntheticSites, in.PoPs, map[bool]string{true: " (assumed: province and region seats)"}[in.PoPsAssumed],
		in.RoadNodes, in.RoadEdges, map[bool]string{true: " (PROXY network over settlements, not real roads)"}[in.ProxyRoads], in.Snapshot)
	ft := res.Fibre.Totals
	fmt.Printf("fibre: %d sites, %.0f km new trench (separate routes %.0f km: saving %.1f %%; lower bound %.0f km, gap %.2f), %.0f MAD\n",
		ft.Fibre, ft.NewTrenchKm, ft.SeparateKm, 100*ft.SavingRatio, ft.LowerBoundKm, ft.GapRatio, ft.FibreMAD)
	fmt.Printf("satellite: %d sites (%d unreachable by road), %.0f MAD capex, %.0f MAD/year\n", ft.Satellite, ft.Unreachable, ft.SatelliteCapexMAD, ft.SatelliteOpexMADPerYear)
	b := res.Summary.ByTechnology
	fmt.Printf("new 4G sites: %d in %d zones, %.0f MAD, %d people covered\n", b.Site4G.RadioSitesBuilt, b.Site4G.Items, b.Site4G.CostMAD, b.Site4G.PopulationCovered)
	fmt.Printf("roaming: %d grey zones, %.0f MAD, %d people\n", b.Roaming.Items, b.Roaming.CostMAD, b.Roaming.PopulationCovered)
	for _, y := range res.Summary.Schedule.Years {
		fmt.Printf("  %d: %d items, %.0f of %.0f MAD\n", y.Year, y.Totals.Items, y.SpentMAD, y.BudgetMAD)
	}
	fmt.Printf("total %.0f MAD; %d items do not fit the budget; %.1fs\n", res.Summary.Total.CostMAD, len(res.Summary.Schedule.Unfunded), time.Since(start).Seconds())
	if err := writePlan(c.Out, res); err != nil {
		return err
	}
	run, err := web.NewScenarioRun(res, time.Now().UTC())
	if err != nil {
		return err
	}
	if run, err = st.AddScenarioRun(e.ctx, run); err != nil {
		return fmt.Errorf("store the plan: %w", err)
	}
	fmt.Printf("exports in %s; stored as scenario %d (GET /api/v1/scenarios/%d)\n", c.Out, run.ID, run.ID)
	e.log.Info("plan done", "scenario", sc.Name, "seconds", time.Since(start).Seconds())
	return nil
}

// writePlan writes the exports of a plan into dir, each file whole.
func writePlan(dir string, res *plan.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, fill func(f *os.File) error) error {
		tmp := filepath.Join(dir, name+".tmp")
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if err := fill(f); err != nil {
			f.Close()
			os.Remove(tmp)
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(tmp, filepath.Join(dir, name))
	}
	err := write("summary.json", func(f *os.File) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"inputs": res.Inputs, "summary": res.Summary})
	})
	if err != nil {
		return err
	}
	err = write("sites.csv", func(f *os.File) error {
		w := csv.NewWriter(f)
		w.Write(plan.SiteColumns)
		for _, row := range res.SiteRows() {
			w.Write(row.Record())
		}
		w.Flush()
		return w.Error()
	})
	if err != nil {
		return err
	}
	err = write("routes.geojson", func(f *os.File) error {
		fc := geojson.NewFeatureCollection()
		for i, r := range res.Fibre.Sites {
			if len(r.Route) < 2 {
				continue
			}
			ft := geojson.NewFeature(r.Route)
			ft.ID = res.Sites[i].ID
			ft.Properties = geojson.Properties{"site": r.ID, "new_km": r.NewKm, "shared_km": r.SharedKm, "cost_mad": r.CostMAD,
				"order": r.Order, "proxy": res.Inputs.ProxyRoads}
			fc.Append(ft)
		}
		return json.NewEncoder(f).Encode(fc)
	})
	if err != nil {
		return err
	}
	return write("zones.csv", func(f *os.File) error {
		w := csv.NewWriter(f)
		w.Write(plan.ZoneColumns)
		for _, z := range res.ZoneRows() {
			w.Write(z.Record())
		}
		w.Flush()
		return w.Error()
	})
}
