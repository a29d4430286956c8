package fibre_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/fibre"
	"github.com/taghtia/taghtia/planner/roads"
)

// star: a centre (node 0) and four leaves 1 km away (nodes 1..4).
func star(t testing.TB) *roads.Graph {
	t.Helper()
	nodes := []orb.Point{{-7, 33}, {-6.99, 33}, {-7.01, 33}, {-7, 33.01}, {-7, 32.99}}
	var edges []roads.Edge
	for i := 1; i <= 4; i++ {
		edges = append(edges, roads.Edge{A: 0, B: i, LengthM: 1000})
	}
	return mustGraph(t, nodes, edges)
}

// line: nodes 0..n-1, consecutive nodes joined by 1 km.
func line(t testing.TB, n int) *roads.Graph {
	t.Helper()
	var nodes []orb.Point
	var edges []roads.Edge
	for i := range n {
		nodes = append(nodes, orb.Point{-7 + float64(i)*0.01, 33})
		if i > 0 {
			edges = append(edges, roads.Edge{A: i - 1, B: i, LengthM: 1000})
		}
	}
	return mustGraph(t, nodes, edges)
}

func mustGraph(t testing.TB, nodes []orb.Point, edges []roads.Edge) *roads.Graph {
	t.Helper()
	g, err := roads.New(nodes, edges)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func urbanAt(g *roads.Graph, ids ...int) []fibre.Site {
	var s []fibre.Site
	for _, n := range ids {
		s = append(s, fibre.Site{ID: string(rune('A' + len(s))), Point: g.Node(n), Urban: true})
	}
	return s
}

func popAt(g *roads.Graph, n int) []fibre.PoP { return []fibre.PoP{{ID: "P", Point: g.Node(n)}} }

var unit = fibre.Params{CivilUrbanMADPerKm: 1000, CivilRuralMADPerKm: 1000, SatelliteCapexMAD: 9000, SatelliteOpexMADPerYear: 700}

func plan(t *testing.T, g *roads.Graph, sites []fibre.Site, pops []fibre.PoP, p fibre.Params) *fibre.Result {
	t.Helper()
	res, err := fibre.Plan(context.Background(), g, sites, pops, p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestPlanKnownTrees(t *testing.T) {
	type site struct {
		order                int
		newKm, sharedKm, sep float64
	}
	tests := []struct {
		name             string
		g                *roads.Graph
		sites            []int
		pop              int
		want             []site
		trench, separate float64
		halfMST          float64 // the closure's MST / 2
		// On a tree dual ascent finds the optimum: the bound is the trench.
	}{
		{
			// The best tree is the whole star (4 km); separately 3 × 2 km.
			// Closure: all terminals 2 km apart, MST 6 km, half 3 km.
			name: "star", g: star(t), sites: []int{1, 2, 3}, pop: 4,
			want:   []site{{1, 2, 0, 2}, {2, 1, 1, 2}, {3, 1, 1, 2}},
			trench: 4, separate: 6, halfMST: 3,
		},
		{
			// Sites along one road share it: 3 km, not 2 + 3.
			name: "line", g: line(t, 4), sites: []int{3, 2}, pop: 0,
			want:   []site{{2, 1, 2, 3}, {1, 2, 0, 2}},
			trench: 3, separate: 5, halfMST: 1.5,
		},
		{
			name: "site on the PoP's node", g: line(t, 2), sites: []int{0, 1}, pop: 0,
			want:   []site{{1, 0, 0, 0}, {2, 1, 0, 1}},
			trench: 1, separate: 1, halfMST: 0.5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := plan(t, tc.g, urbanAt(tc.g, tc.sites...), popAt(tc.g, tc.pop), unit)
			for i, w := range tc.want {
				r := res.Sites[i]
				if r.Tech != fibre.Fibre || r.Order != w.order || !near(r.NewKm, w.newKm) || !near(r.SharedKm, w.sharedKm) || !near(r.SeparateKm, w.sep) || r.PoP != 0 {
					t.Errorf("site %d = %s order %d new %v shared %v separate %v pop %d, want fibre %+v",
						i, r.Tech, r.Order, r.NewKm, r.SharedKm, r.SeparateKm, r.PoP, w)
				}
				if !near(r.CostMAD, 1000*w.newKm) {
					t.Errorf("site %d cost %v, want %v", i, r.CostMAD, 1000*w.newKm)
				}
				if end := r.Route[len(r.Route)-1]; r.Route[0] != tc.g.Node(tc.sites[i]) || tc.g.Node(r.Attach) != end {
					t.Errorf("site %d route %v does not run from the site to node %d", i, r.Route, r.Attach)
				}
			}
			tt := res.Totals
			if !near(tt.NewTrenchKm, tc.trench) || !near(tt.SeparateKm, tc.separate) || !near(tt.HalfMSTKm, tc.halfMST) ||
				!near(tt.DualAscentKm, tc.trench) || !near(tt.LowerBoundKm, tc.trench) {
				t.Errorf("trench %v separate %v bounds %v (half MST %v, dual ascent %v), want %v %v, half MST %v, dual ascent %v",
					tt.NewTrenchKm, tt.SeparateKm, tt.LowerBoundKm, tt.HalfMSTKm, tt.DualAscentKm, tc.trench, tc.separate, tc.halfMST, tc.trench)
			}
			if !near(tt.SavingRatio, 1-tc.trench/tc.separate) || !near(tt.GapRatio, 1) {
				t.Errorf("saving %v gap %v", tt.SavingRatio, tt.GapRatio)
			}
			if len(res.Built) != int(tc.trench) {
				t.Errorf("built %v, want %v edges of 1 km", res.Built, tc.trench)
			}
		})
	}
}

func TestPlanThresholdBoundary(t *testing.T) {
	g := line(t, 2) // the site is 1 km from its PoP: 1000 civil + 500 equipment
	below := func(x float64) float64 { return math.Nextafter(x, 0) }
	p := unit
	p.EquipmentMAD = 500
	tests := []struct {
		name   string
		edit   func(*fibre.Params)
		urban  bool
		tech   fibre.Tech
		reason string
	}{
		{"cost equal to the threshold stays fibre", func(p *fibre.Params) { p.MaxCostMAD = 1500 }, true, fibre.Fibre, ""},
		{"cost just over the threshold goes satellite", func(p *fibre.Params) { p.MaxCostMAD = below(1500) }, true, fibre.Satellite, fibre.ReasonCost},
		{"route equal to the threshold stays fibre", func(p *fibre.Params) { p.MaxRouteKm = 1 }, true, fibre.Fibre, ""},
		{"route just over the threshold goes satellite", func(p *fibre.Params) { p.MaxRouteKm = below(1) }, true, fibre.Satellite, fibre.ReasonDistance},
		{"no thresholds", func(p *fibre.Params) {}, false, fibre.Fibre, ""},
		{"rural by satellite, rural site", func(p *fibre.Params) { p.RuralBySatellite = true }, false, fibre.Satellite, fibre.ReasonRural},
		{"rural by satellite, urban site", func(p *fibre.Params) { p.RuralBySatellite = true }, true, fibre.Fibre, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := p
			tc.edit(&q)
			sites := []fibre.Site{{ID: "S", Point: g.Node(1), Urban: tc.urban}}
			res := plan(t, g, sites, popAt(g, 0), q)
			r := res.Sites[0]
			if r.Tech != tc.tech || r.Reason != tc.reason {
				t.Fatalf("got %s (%q), want %s (%q)", r.Tech, r.Reason, tc.tech, tc.reason)
			}
			tt := res.Totals
			switch tc.tech {
			case fibre.Fibre:
				if r.CostMAD != 1500 || tt.FibreMAD != 1500 || tt.Fibre != 1 || len(r.Edges) != 1 {
					t.Errorf("fibre: cost %v totals %+v edges %v", r.CostMAD, tt, r.Edges)
				}
			case fibre.Satellite:
				if r.CostMAD != 9000 || r.OpexMADPerYear != 700 || tt.SatelliteCapexMAD != 9000 || tt.NewTrenchKm != 0 || len(res.Built) != 0 || r.Order != 0 {
					t.Errorf("satellite: %+v, totals %+v, built %v", r, tt, res.Built)
				}
				if tc.reason != fibre.ReasonRural && (r.FibreCostMAD != 1500 || r.FibreKm != 1) {
					t.Errorf("fibre alternative %v MAD %v km, want 1500 1", r.FibreCostMAD, r.FibreKm)
				}
			}
		})
	}
}

// A site over the distance threshold on its own comes back to fibre once
// another site's trench passes near it; one still over it is never built.
func TestPlanSatelliteDeferred(t *testing.T) {
	g := line(t, 13) // PoP at 0; B at 10; A at 11 (urban, cheap); C at 12 (never fits)
	sites := []fibre.Site{
		{ID: "A", Point: g.Node(11), Urban: true},
		{ID: "B", Point: g.Node(10)},
	}
	p := fibre.Params{CivilUrbanMADPerKm: 100, CivilRuralMADPerKm: 10000, MaxRouteKm: 10.5}
	res := plan(t, g, sites, popAt(g, 0), p)
	a, b := res.Sites[0], res.Sites[1]
	if b.Tech != fibre.Fibre || b.Order != 1 || a.Tech != fibre.Fibre || a.Order != 2 || a.NewKm != 1 || a.SharedKm != 10 {
		t.Errorf("A = %s order %d new %v shared %v; B = %s order %d; want B then A over 1 km", a.Tech, a.Order, a.NewKm, a.SharedKm, b.Tech, b.Order)
	}

	p.MaxRouteKm = 9.5 // now B does not fit either: nothing is built
	res = plan(t, g, sites, popAt(g, 0), p)
	for _, r := range res.Sites {
		if r.Tech != fibre.Satellite || r.Reason != fibre.ReasonDistance {
			t.Errorf("%s = %s (%s), want satellite (distance)", r.ID, r.Tech, r.Reason)
		}
	}
	if len(res.Built) != 0 {
		t.Errorf("built %v for satellite sites", res.Built)
	}
}

func TestPlanUnreachable(t *testing.T) {
	// Two islands: 0-1 with the PoP, 2-3 without.
	g := mustGraph(t, []orb.Point{{-7, 33}, {-6.99, 33}, {-5, 30}, {-4.99, 30}},
		[]roads.Edge{{A: 0, B: 1, LengthM: 1000}, {A: 2, B: 3, LengthM: 1000}})
	empty := mustGraph(t, nil, nil)
	tests := []struct {
		name        string
		g           *roads.Graph
		pops        []fibre.PoP
		unreachable int
	}{
		{"site on another island", g, popAt(g, 0), 1},
		{"no graph", empty, []fibre.PoP{{Point: orb.Point{-7, 33}}}, 2},
		{"no PoPs", g, nil, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sites := []fibre.Site{{ID: "on", Point: orb.Point{-6.99, 33}, Urban: true}, {ID: "off", Point: orb.Point{-4.99, 30}, Urban: true}}
			res := plan(t, tc.g, sites, tc.pops, unit)
			if res.Totals.Unreachable != tc.unreachable || res.Totals.Satellite != tc.unreachable {
				t.Errorf("totals %+v, want %d unreachable", res.Totals, tc.unreachable)
			}
			off := res.Sites[1]
			if off.Tech != fibre.Satellite || off.Reason != fibre.ReasonUnreachable || off.PoP != -1 || off.SeparateKm != 0 {
				t.Errorf("off-island site = %+v", off)
			}
		})
	}
}

func TestPlanInvalid(t *testing.T) {
	g := line(t, 2)
	bad := unit
	bad.CivilRuralMADPerKm = -1
	if _, err := fibre.Plan(context.Background(), g, nil, nil, bad); !errors.Is(err, fibre.ErrInvalid) {
		t.Errorf("negative cost: err = %v, want ErrInvalid", err)
	}
	bad = unit
	bad.MaxCostMAD = math.NaN()
	if err := bad.Validate(); !errors.Is(err, fibre.ErrInvalid) {
		t.Errorf("NaN threshold: err = %v", err)
	}
	if _, err := fibre.Plan(context.Background(), g, []fibre.Site{{Point: orb.Point{math.NaN(), 0}}}, nil, unit); !errors.Is(err, fibre.ErrInvalid) {
		t.Errorf("NaN site: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fibre.Plan(ctx, g, urbanAt(g, 1), popAt(g, 0), unit); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}
