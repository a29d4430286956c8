package fibre_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/fibre"
	"github.com/taghtia/taghtia/planner/roads"
)

type instance struct {
	g     *roads.Graph
	sites []fibre.Site
	pops  []fibre.PoP
}

// randomInstance: a proxy graph over random points, some of its edges
// removed (islands), sites and PoPs off the nodes.
func randomInstance(t testing.TB, r *rand.Rand) instance {
	t.Helper()
	box := func() orb.Point { return orb.Point{-8 + r.Float64(), 31 + r.Float64()} }
	pts := make([]orb.Point, 20+r.IntN(200))
	for i := range pts {
		pts[i] = box()
	}
	pg, err := roads.NewProxy(pts, roads.ProxyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var edges []roads.Edge
	for e := range pg.NumEdges() {
		if r.Float64() < 0.9 {
			edges = append(edges, pg.Edge(e))
		}
	}
	in := instance{g: mustGraph(t, pts, edges)}
	for i := range 1 + r.IntN(60) {
		in.sites = append(in.sites, fibre.Site{ID: string(rune('a' + i%26)), Point: box(), Urban: r.Float64() < 0.6})
	}
	for range 1 + r.IntN(4) {
		in.pops = append(in.pops, fibre.PoP{Point: box()})
	}
	return in
}

// points are the instance's site and PoP positions.
func (in instance) points() (sites, pops []orb.Point) {
	for _, s := range in.sites {
		sites = append(sites, s.Point)
	}
	for _, p := range in.pops {
		pops = append(pops, p.Point)
	}
	return sites, pops
}

func TestPlanProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	reasons := map[string]int{}
	fibreSites := 0
	for k := range 40 {
		in := randomInstance(t, r)
		p := fibre.Params{CivilUrbanMADPerKm: 250000, CivilRuralMADPerKm: 120000, EquipmentMAD: 40000, SatelliteCapexMAD: 150000}
		if k%3 == 1 {
			p.MaxCostMAD = 3e6
			p.MaxRouteKm = 15
		}
		res := plan(t, in.g, in.sites, in.pops, p)
		checkPlan(t, in, p, res)
		for _, s := range res.Sites {
			reasons[s.Reason]++
		}
		fibreSites += res.Totals.Fibre
	}
	// The instances exercise every path.
	if fibreSites == 0 || reasons[fibre.ReasonCost]+reasons[fibre.ReasonDistance] == 0 || reasons[fibre.ReasonUnreachable] == 0 {
		t.Errorf("instances too easy: %d fibre sites, reasons %v", fibreSites, reasons)
	}
	t.Logf("%d fibre sites, satellite reasons %v", fibreSites, reasons)
}

func checkPlan(t *testing.T, in instance, p fibre.Params, res *fibre.Result) {
	t.Helper()
	g := in.g
	tt := res.Totals
	// Trench sharing never costs more than separate routes: per site and in total.
	if tt.NewTrenchKm > tt.SeparateKm*(1+1e-12) || tt.FibreMAD > tt.SeparateMAD*(1+1e-12) {
		t.Errorf("shared %v km %v MAD > separate %v km %v MAD", tt.NewTrenchKm, tt.FibreMAD, tt.SeparateKm, tt.SeparateMAD)
	}
	// Each built edge once; new trench = built edges + site spurs + used PoP spurs.
	built := slices.Clone(res.Built)
	slices.Sort(built)
	if len(slices.Compact(built)) != len(res.Built) {
		t.Errorf("an edge is built twice: %v", res.Built)
	}
	sum := 0.0
	for _, e := range res.Built {
		sum += g.Edge(e).LengthM
	}
	used := map[int]bool{}
	uf := make([]int, g.NumNodes())
	for i := range uf {
		uf[i] = i
	}
	find := func(x int) int {
		for uf[x] != x {
			x = uf[x]
		}
		return x
	}
	for _, e := range res.Built {
		ed := g.Edge(e)
		uf[find(ed.A)] = find(ed.B)
	}
	for i, s := range res.Sites {
		if s.Tech != fibre.Fibre {
			if s.Order != 0 || s.PoP != -1 || len(s.Edges) != 0 {
				t.Errorf("satellite site %d: %+v", i, s)
			}
			if s.Reason == fibre.ReasonCost && !(s.FibreCostMAD > p.MaxCostMAD) || s.Reason == fibre.ReasonDistance && !(s.FibreKm > p.MaxRouteKm) {
				t.Errorf("site %d went to satellite (%s) at %v MAD %v km", i, s.Reason, s.FibreCostMAD, s.FibreKm)
			}
			continue
		}
		sn, _ := g.Snap(in.sites[i].Point)
		sum += sn.DistM
		used[s.PoP] = true
		if s.NewKm > s.SeparateKm*(1+1e-12)+1e-12 {
			t.Errorf("site %d: new %v km > separate %v km", i, s.NewKm, s.SeparateKm)
		}
		if s.NewKm+s.SharedKm < s.SeparateKm*(1-1e-12) {
			t.Errorf("site %d: route to its PoP %v km is shorter than the shortest %v km", i, s.NewKm+s.SharedKm, s.SeparateKm)
		}
		if p.MaxCostMAD > 0 && s.CostMAD > p.MaxCostMAD || p.MaxRouteKm > 0 && s.NewKm > p.MaxRouteKm {
			t.Errorf("site %d on fibre over a threshold: %v MAD %v km", i, s.CostMAD, s.NewKm)
		}
		// Every connected site's route reaches its PoP through built trench.
		pn, _ := g.Snap(in.pops[s.PoP].Point)
		if find(sn.Node) != find(pn.Node) {
			t.Errorf("site %d is not joined to its PoP %d by built edges", i, s.PoP)
		}
		if s.Route[0] != in.sites[i].Point {
			t.Errorf("site %d: route starts at %v", i, s.Route[0])
		}
	}
	for pop := range used {
		sn, _ := g.Snap(in.pops[pop].Point)
		sum += sn.DistM
	}
	if math.Abs(sum/1000-tt.NewTrenchKm) > 1e-6 {
		t.Errorf("new trench %v km, but edges and spurs add to %v km", tt.NewTrenchKm, sum/1000)
	}
	// The bound is below the plan, and the plan within twice the bound.
	if tt.LowerBoundKm > tt.NewTrenchKm*(1+1e-12) || tt.NewTrenchKm > 2*tt.LowerBoundKm*(1+1e-9)+1e-9 {
		t.Errorf("bound %v km, plan %v km", tt.LowerBoundKm, tt.NewTrenchKm)
	}
}

// TestLowerBoundMatchesClosure checks Mehlhorn's shortcut against the
// definition: the MST of the full metric closure (one search per terminal)
// over an explicit graph with the spurs and the super-terminal as edges.
func TestLowerBoundMatchesClosure(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 30 {
		in := randomInstance(t, r)
		sites, pops := in.points()
		got := fibre.LowerBound(in.g, sites, pops)
		want := closureBound(t, in.g, sites, pops)
		if math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("bound %v km, closure MST/2 %v km", got, want)
		}
	}
}

func closureBound(t *testing.T, g *roads.Graph, sites, pops []orb.Point) float64 {
	n := g.NumNodes()
	nodes := make([]orb.Point, n, n+len(sites)+1)
	edges := make([]roads.Edge, 0, g.NumEdges()+len(sites)+len(pops))
	for i := range n {
		nodes[i] = g.Node(i)
	}
	for e := range g.NumEdges() {
		edges = append(edges, g.Edge(e))
	}
	super := n
	nodes = append(nodes, orb.Point{})
	for _, p := range pops {
		sn, _ := g.Snap(p)
		edges = append(edges, roads.Edge{A: super, B: sn.Node, LengthM: sn.DistM})
	}
	terms := []int{super}
	for _, s := range sites {
		sn, _ := g.Snap(s)
		terms = append(terms, len(nodes))
		edges = append(edges, roads.Edge{A: len(nodes), B: sn.Node, LengthM: geo.DistanceM(s, g.Node(sn.Node))})
		nodes = append(nodes, s)
	}
	aug := mustGraph(t, nodes, edges)
	s := roads.NewSearch(aug)
	s.From(super)
	var reach []int
	for _, tn := range terms {
		if s.Reached(tn) {
			reach = append(reach, tn)
		}
	}
	// Prim on the closure of the reachable terminals.
	dist := make([][]float64, len(reach))
	for i, a := range reach {
		s.From(a)
		for _, b := range reach {
			dist[i] = append(dist[i], s.Dist(b))
		}
	}
	in := make([]bool, len(reach))
	best := make([]float64, len(reach))
	for i := range best {
		best[i] = math.Inf(1)
	}
	best[0] = 0
	total := 0.0
	for range reach {
		u := -1
		for i := range reach {
			if !in[i] && (u < 0 || best[i] < best[u]) {
				u = i
			}
		}
		in[u] = true
		total += best[u]
		for i := range reach {
			if !in[i] && dist[u][i] < best[i] {
				best[i] = dist[u][i]
			}
		}
	}
	if len(reach) == 1 {
		return 0
	}
	return total / 2 / 1000
}

// TestPlanPoPSpur: a PoP off the graph pays its spur once, with the first
// site on it; later sites count it as shared.
func TestPlanPoPSpur(t *testing.T) {
	g := line(t, 3)
	pop := []fibre.PoP{{ID: "P", Point: orb.Point{-7, 33.001}}}
	spur := geo.DistanceM(pop[0].Point, g.Node(0)) / 1000
	res := plan(t, g, urbanAt(g, 1, 2), pop, unit)
	a, b := res.Sites[0], res.Sites[1]
	if !near(a.NewKm, 1+spur) || a.SharedKm != 0 || !near(b.NewKm, 1) || !near(b.SharedKm, 1+spur) || !near(res.Totals.NewTrenchKm, 2+spur) {
		t.Errorf("a new %v shared %v; b new %v shared %v; total %v; spur %v", a.NewKm, a.SharedKm, b.NewKm, b.SharedKm, res.Totals.NewTrenchKm, spur)
	}
	if end := a.Route[len(a.Route)-1]; end != pop[0].Point {
		t.Errorf("first route ends at %v, want the PoP", end)
	}
}

// TestDualAscentBound: on random instances the dual-ascent bound never
// exceeds the plan's trench (a feasible dual is a lower bound), is
// usually above the half-MST bound, and stopping it early keeps it valid
// (never above the full run's).
func TestDualAscentBound(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	better := 0
	for range 40 {
		in := randomInstance(t, r)
		sites, pops := in.points()
		res := plan(t, in.g, in.sites, in.pops, unit)
		var fibreSites []orb.Point
		for i, sr := range res.Sites {
			if sr.Tech == fibre.Fibre {
				fibreSites = append(fibreSites, sites[i])
			}
		}
		da := fibre.DualAscentBound(in.g, fibreSites, pops, 0)
		half := fibre.LowerBound(in.g, fibreSites, pops)
		if da > res.Totals.NewTrenchKm*(1+1e-9)+1e-9 {
			t.Errorf("dual ascent %v km above the plan's %v km", da, res.Totals.NewTrenchKm)
		}
		if early := fibre.DualAscentBound(in.g, fibreSites, pops, 3); early > da*(1+1e-9)+1e-9 {
			t.Errorf("3 steps give %v km, above the full run's %v", early, da)
		}
		if da > half*(1+1e-6) {
			better++
		}
		if res.Totals.LowerBoundKm < math.Max(da, half)*(1-1e-9) {
			t.Errorf("plan's bound %v km, want the larger of %v and %v", res.Totals.LowerBoundKm, da, half)
		}
	}
	if better < 20 {
		t.Errorf("dual ascent beat half the MST on %d of 40 instances, want most", better)
	}
}

// TestDualAscentExactOnATree: on a tree the Steiner tree is the union of
// the paths, and dual ascent finds its length.
func TestDualAscentExactOnATree(t *testing.T) {
	// A star: centre 0, arms of 1, 2 and 3 km to nodes 1, 2, 3; the PoP at
	// node 1, sites at 2 and 3: the tree is 1+2+3 = 6 km (half MST: the
	// closure's MST is 3+4 = 7 km, so 3.5).
	nodes := []orb.Point{{-7, 33}, {-7.01, 33}, {-6.98, 33}, {-7, 33.03}}
	g := mustGraph(t, nodes, []roads.Edge{{A: 0, B: 1, LengthM: 1000}, {A: 0, B: 2, LengthM: 2000}, {A: 0, B: 3, LengthM: 3000}})
	sites, pops := []orb.Point{nodes[2], nodes[3]}, []orb.Point{nodes[1]}
	if got := fibre.DualAscentBound(g, sites, pops, 0); math.Abs(got-6) > 1e-9 {
		t.Errorf("dual ascent on the star: %v km, want 6", got)
	}
	if got := fibre.LowerBound(g, sites, pops); math.Abs(got-3.5) > 1e-9 {
		t.Errorf("half MST on the star: %v km, want 3.5", got)
	}
}
