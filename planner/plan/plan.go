// Package plan runs a planning scenario over what a store holds: it
// connects the administrative sites to fibre points of presence along
// roads or satellite (planner/fibre), covers the programme's white zones
// with new 4G sites (planner/radio) and its grey zones with national
// roaming, and schedules the work within the scenario's budget
// (planner/scenario).
//
// Inputs come from the store's layers when they are loaded — sites
// (data.LayerSites), points of presence (data.LayerPoP), roads
// (data.LayerRoads) — and are otherwise built for the demo and said so:
// sites from the reference layers (planner/sites.Demo, synthetic ones
// marked), PoPs at province and region seats (an assumption), and a proxy
// road network over settlements and sites (planner/roads.NewProxy).
package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/fibre"
	"github.com/taghtia/taghtia/planner/radio"
	"github.com/taghtia/taghtia/planner/roads"
	"github.com/taghtia/taghtia/planner/scenario"
	"github.com/taghtia/taghtia/planner/sites"
)

// Store is what Run reads.
type Store interface {
	Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error)
	Places(ctx context.Context, layer data.PlaceLayer) ([]data.Place, error)
	Features(ctx context.Context, layer string) ([]data.Feature, error)
	Population(ctx context.Context) ([]data.CellPop, error)
	LatestSnapshot(ctx context.Context) (data.Snapshot, error)
	Zones(ctx context.Context, snapshot int64, f data.ZoneFilter) ([]data.Zone, int, error)
}

// Options tune Run.
type Options struct {
	Scenario   scenario.Scenario
	Thresholds coverage.Thresholds // the 4G "good" signal bin sets the new sites' radius
	Seed       uint64              // of the demo site set
	Stage      func(name string)   // told each step as it starts
}

// Inputs says where each input came from.
type Inputs struct {
	Sites          int    `json:"sites"`
	SyntheticSites int    `json:"synthetic_sites"`
	SitesSource    string `json:"sites_source"` // "layer" or "demo"
	PoPs           int    `json:"pops"`
	PoPsAssumed    bool   `json:"pops_assumed"` // demo PoPs at province and region seats
	RoadNodes      int    `json:"road_nodes"`
	RoadEdges      int    `json:"road_edges"`
	ProxyRoads     bool   `json:"proxy_roads"`
	// RoadAccesses are the nodes added where a site or PoP meets an
	// imported road between junctions (roads.Graph.Access); 0 on the proxy.
	RoadAccesses int   `json:"road_accesses"`
	Snapshot     int64 `json:"snapshot"`
	WhiteZones   int   `json:"white_zones"` // programme zones planned
	GreyZones    int   `json:"grey_zones"`
}

// ZonePlan is what the scenario does for one programme zone.
type ZonePlan struct {
	ID         string        `json:"id"`
	Kind       data.ZoneKind `json:"kind"`
	Work       scenario.Kind `json:"work"` // site4g or roaming
	Host       string        `json:"host,omitempty"`
	Sites      []radio.Site  `json:"sites,omitempty"`
	CostMAD    float64       `json:"cost_mad"`
	Population int64         `json:"population"`
	Covered    int64         `json:"covered"`
	RegionCode string        `json:"region_code"`
	// Geom is the zone's polygon in the snapshot, for the map.
	Geom orb.MultiPolygon `json:"-"`
}

// Result is a planned scenario.
type Result struct {
	Summary scenario.Summary
	Inputs  Inputs
	Sites   []sites.Site // parallel to Fibre.Sites
	Fibre   *fibre.Result
	Zones   []ZonePlan
	Regions map[string]string // site id -> region code
}

// ErrNoSnapshot is returned when no zones have been computed.
var ErrNoSnapshot = errors.New("plan: no zone snapshot: run taghtia zones first")

// Run plans opt.Scenario over st.
func Run(ctx context.Context, st Store, opt Options) (*Result, error) {
	sc := opt.Scenario
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	say := func(s string) {
		if opt.Stage != nil {
			opt.Stage(s)
		}
	}
	res := &Result{Regions: map[string]string{}}
	say("inputs")
	var lv [3][]data.Area
	for i, l := range []data.AreaLevel{data.LevelCommune, data.LevelProvince, data.LevelRegion} {
		a, err := st.Areas(ctx, l)
		if err != nil {
			return nil, fmt.Errorf("read %s areas: %w", l, err)
		}
		lv[i] = a
	}
	places, err := st.Places(ctx, data.LayerPlaces)
	if err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	health, err := st.Places(ctx, data.LayerHealth)
	if err != nil {
		return nil, fmt.Errorf("read health facilities: %w", err)
	}
	ss, pops, err := siteInputs(ctx, st, lv, places, health, opt.Seed, &res.Inputs)
	if err != nil {
		return nil, err
	}
	res.Sites = ss
	gz := coverage.NewGazetteer(lv[0], lv[1], lv[2])
	for _, s := range ss {
		a := gz.Communes[s.Commune]
		r := a.Region
		if r == "" {
			r = gz.Provinces[a.Parent].Region
		}
		res.Regions[s.ID] = r
	}

	say("roads")
	g, err := roadGraph(ctx, st, places, ss, sc.Fibre.ProxyDetourFactor, &res.Inputs)
	if err != nil {
		return nil, err
	}

	say("fibre")
	fs := make([]fibre.Site, len(ss))
	for i, s := range ss {
		fs[i] = fibre.Site{ID: s.ID, Point: s.Point, Urban: s.Urban}
	}
	fp := make([]fibre.PoP, len(pops))
	for i, p := range pops {
		fp[i] = fibre.PoP{ID: p.ID, Point: p.Point}
	}
	if !g.Proxy { // on real roads a site joins the nearest road, not the nearest junction
		pts := make([]orb.Point, 0, len(fs)+len(fp))
		for _, s := range fs {
			pts = append(pts, s.Point)
		}
		for _, p := range fp {
			pts = append(pts, p.Point)
		}
		n := g.NumNodes()
		g = g.Access(pts)
		res.Inputs.RoadAccesses = g.NumNodes() - n
	}
	fr, err := fibre.Plan(ctx, g, fs, fp, fibre.Params{
		CivilUrbanMADPerKm: sc.Fibre.CivilWorksMADPerKM.Urban, CivilRuralMADPerKm: sc.Fibre.CivilWorksMADPerKM.Rural,
		EquipmentMAD: sc.Fibre.EquipmentMADPerSite + sc.Fibre.SpurMADPerSite,
		MaxCostMAD:   sc.Satellite.FibreCostThresholdMAD, MaxRouteKm: sc.Satellite.DistanceThresholdKM,
		RuralBySatellite:  sc.Satellite.RuralBySatellite,
		SatelliteCapexMAD: sc.Satellite.VSATCapexMAD, SatelliteOpexMADPerYear: sc.Satellite.VSATOpexMADPerYear,
	})
	if err != nil {
		return nil, fmt.Errorf("fibre plan: %w", err)
	}
	res.Fibre = fr
	var items []scenario.Item
	for _, r := range fr.Sites {
		k := scenario.KindFibre
		if r.Tech != fibre.Fibre {
			k = scenario.KindSatellite
		}
		items = append(items, scenario.Item{ID: "site:" + r.ID, Kind: k, CostMAD: r.CostMAD, Sites: 1, Region: res.Regions[r.ID]})
	}

	say("zones")
	zs, err := zonePlans(ctx, st, sc, opt.Thresholds, &res.Inputs)
	if err != nil {
		return nil, err
	}
	res.Zones = zs
	for _, z := range zs {
		it := scenario.Item{ID: "zone:" + z.ID, Kind: z.Work, CostMAD: z.CostMAD, Population: z.Covered, Region: z.RegionCode}
		if z.Work == scenario.KindSite4G {
			it.Sites = len(z.Sites)
		}
		items = append(items, it)
	}

	say("schedule")
	tl, err := scenario.Schedule(sc, items)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	res.Summary = scenario.Summarize(sc, tl)
	t := fr.Totals
	res.Summary.FibreNetwork = &scenario.FibreNetwork{NewTrenchKM: t.NewTrenchKm, SeparateRoutesKM: t.SeparateKm,
		SeparateRoutesCostMAD: t.SeparateMAD, SavingMAD: t.SeparateMAD - t.FibreMAD, LowerBoundKM: t.LowerBoundKm, HalfMSTKM: t.HalfMSTKm, DualAscentKM: t.DualAscentKm, ProxyRoads: t.Proxy,
		SharedTrenchKM: reusedKm(fr)}
	return res, nil
}

// reusedKm sums, over the fibre sites, the trench of earlier sites their
// route to the PoP runs in: the km sharing saved.
func reusedKm(fr *fibre.Result) float64 {
	var km float64
	for _, s := range fr.Sites {
		km += s.SharedKm
	}
	return km
}

func siteInputs(ctx context.Context, st Store, lv [3][]data.Area, places, health []data.Place, seed uint64, in *Inputs) ([]sites.Site, []sites.PoP, error) {
	fs, err := st.Features(ctx, data.LayerSites)
	if err != nil {
		return nil, nil, fmt.Errorf("read sites: %w", err)
	}
	pf, err := st.Features(ctx, data.LayerPoP)
	if err != nil {
		return nil, nil, fmt.Errorf("read points of presence: %w", err)
	}
	var demo *sites.Set
	needDemo := len(fs) == 0 || len(pf) == 0
	if needDemo {
		demo, err = sites.Demo(sites.Options{Communes: lv[0], Provinces: lv[1], Regions: lv[2], Places: places, Health: health, Seed: seed})
		if err != nil {
			return nil, nil, fmt.Errorf("demo sites: %w", err)
		}
	}
	var ss []sites.Site
	if len(fs) > 0 {
		if ss, err = sites.FromFeatures(fs); err != nil {
			return nil, nil, err
		}
		in.SitesSource = "layer"
	} else {
		ss = demo.Sites
		in.SitesSource = "demo"
	}
	var pops []sites.PoP
	if len(pf) > 0 {
		for _, f := range pf {
			p, err := sites.PoPFromFeature(f)
			if err != nil {
				return nil, nil, err
			}
			pops = append(pops, p)
		}
	} else {
		pops, in.PoPsAssumed = demo.PoPs, true
	}
	in.Sites, in.PoPs = len(ss), len(pops)
	for _, s := range ss {
		if s.Synthetic {
			in.SyntheticSites++
		}
	}
	return ss, pops, nil
}

func roadGraph(ctx context.Context, st Store, places []data.Place, ss []sites.Site, detour float64, in *Inputs) (*roads.Graph, error) {
	rf, err := st.Features(ctx, data.LayerRoads)
	if err != nil {
		return nil, fmt.Errorf("read roads: %w", err)
	}
	var g *roads.Graph
	if len(rf) > 0 {
		g, _, err = roads.FromFeatures(rf, roads.BuildOptions{})
		if err != nil {
			return nil, fmt.Errorf("road graph: %w", err)
		}
	} else {
		// The proxy: settlements and every site (a site is where people
		// and a street are), so routes run from settlement to settlement.
		pts := make([]orb.Point, 0, len(places)+len(ss))
		seen := map[orb.Point]bool{}
		for _, p := range places {
			if !seen[p.Point] {
				seen[p.Point] = true
				pts = append(pts, p.Point)
			}
		}
		for _, s := range ss {
			if !seen[s.Point] {
				seen[s.Point] = true
				pts = append(pts, s.Point)
			}
		}
		if g, err = roads.NewProxy(pts, roads.ProxyOptions{Detour: detour}); err != nil {
			return nil, fmt.Errorf("proxy road network: %w", err)
		}
	}
	in.RoadNodes, in.RoadEdges, in.ProxyRoads = g.NumNodes(), g.NumEdges(), g.Proxy
	return g, nil
}

func zonePlans(ctx context.Context, st Store, sc scenario.Scenario, th coverage.Thresholds, in *Inputs) ([]ZonePlan, error) {
	snap, err := st.LatestSnapshot(ctx)
	if errors.Is(err, data.ErrNotFound) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, err
	}
	in.Snapshot = snap.ID
	zones, _, err := st.Zones(ctx, snap.ID, data.ZoneFilter{})
	if err != nil {
		return nil, fmt.Errorf("zones of snapshot %d: %w", snap.ID, err)
	}
	pop, err := st.Population(ctx)
	if err != nil {
		return nil, fmt.Errorf("read population grid: %w", err)
	}
	grid := make(map[geo.Cell]data.CellPop, len(pop))
	for _, p := range pop {
		grid[p.Cell] = p
	}
	density := radio.Density(pop)
	tt, ok := th.Techs[snap.RequiredTech]
	if !ok || tt.Signal == nil {
		return nil, fmt.Errorf("plan: the thresholds have no %s signal bins for the new sites' radius", snap.RequiredTech)
	}
	target := tt.Signal.Good
	if snap.RequiredLevel == data.LevelVeryGood {
		target = tt.Signal.VeryGood
	}
	var out []ZonePlan
	for i, z := range zones {
		if !z.Programme {
			continue
		}
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		zp := ZonePlan{ID: z.ID, Kind: z.Kind, Population: z.Population, RegionCode: z.RegionCode, Geom: z.Geom}
		if z.Kind == data.Grey && sc.Roaming.HostOperatorRule != scenario.HostNone && z.Operator != "" {
			zp.Work, zp.Host, zp.CostMAD, zp.Covered = scenario.KindRoaming, z.Operator, sc.Roaming.CostMADPerZone, z.Population
			in.GreyZones++
			out = append(out, zp)
			continue
		}
		cells := make([]data.CellPop, 0, len(z.Cells))
		for _, c := range z.Cells {
			if p, ok := grid[c]; ok {
				cells = append(cells, p)
			}
		}
		p, err := radio.Place(cells, radio.Options{TargetDBm: target, Tech: snap.RequiredTech, CostMAD: sc.Radio.CostMADPerSite,
			Coverage: sc.Radio.CoverageTargetShare, MaxSites: sc.Radio.MaxSitesPerZone, Ring: sc.Radio.CandidateRingK, Density: density})
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.ID, err)
		}
		zp.Work, zp.Sites, zp.CostMAD, zp.Covered = scenario.KindSite4G, p.Sites, p.CostMAD, p.Covered
		if z.Kind == data.White {
			in.WhiteZones++
		} else {
			in.GreyZones++
		}
		out = append(out, zp)
	}
	slices.SortStableFunc(out, func(a, b ZonePlan) int { return int(b.Population - a.Population) })
	return out, nil
}
