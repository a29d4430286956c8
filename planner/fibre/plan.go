package fibre

import (
	"container/heap"
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/roads"
)

// Tech is how a site is connected.
type Tech string

// Technologies.
const (
	Fibre     Tech = "fibre"
	Satellite Tech = "satellite"
)

// Why a site goes to satellite.
const (
	ReasonRural       = "rural"       // rural, and Params.RuralBySatellite is on
	ReasonCost        = "cost"        // marginal fibre cost > Params.MaxCostMAD
	ReasonDistance    = "distance"    // new route > Params.MaxRouteKm
	ReasonUnreachable = "unreachable" // no road route to any PoP
)

// SiteResult is one site's connection.
type SiteResult struct {
	ID     string
	Tech   Tech
	Reason string // for satellite: one of the Reason constants
	Order  int    // 1-based order in which fibre sites were connected; 0 for satellite

	PoP    int            // index of the PoP the fibre route ultimately hangs from; -1 for satellite
	Attach int            // graph node where the new route meets the tree (or a PoP's node); -1 for satellite
	Route  orb.LineString // the new route: site → spur → road → tree (→ PoP, when the PoP's own spur is new)
	Edges  []int          // graph edges this site built, from the site towards the tree

	SpurKm     float64 // the site's straight spur to the graph
	NewKm      float64 // new trench: spur + new road edges (+ the PoP's spur, for the first site on that PoP)
	SharedKm   float64 // length of its route to the PoP over trench built by earlier sites
	SeparateKm float64 // its own shortest route to the nearest PoP, no sharing (the baseline); 0 when unreachable

	// FibreKm and FibreCostMAD are the new route and marginal fibre cost:
	// as built for a fibre site, against the final tree for a site sent to
	// satellite by cost or distance.
	FibreKm      float64
	FibreCostMAD float64

	CostMAD        float64 // capex: fibre civil works on NewKm + equipment, or satellite capex
	OpexMADPerYear float64 // satellite opex
}

// Totals sum a plan.
type Totals struct {
	Sites, Fibre, Satellite, Unreachable int // Unreachable sites are counted in Satellite too

	NewTrenchKm  float64
	CivilMAD     float64
	EquipmentMAD float64
	FibreMAD     float64 // civil + equipment

	SatelliteCapexMAD       float64
	SatelliteOpexMADPerYear float64
	CapexMAD                float64 // fibre + satellite capex

	// The baseline: the same fibre sites, each on its own shortest route to
	// its nearest PoP, trenches not shared.
	SeparateKm  float64
	SeparateMAD float64 // its civil works + equipment
	SavingRatio float64 // 1 − NewTrenchKm/SeparateKm (0 without fibre sites)

	// LowerBoundKm: no plan connecting the same fibre sites needs less
	// trench; the larger of HalfMSTKm (the MST of the metric closure / 2)
	// and DualAscentKm (a feasible dual of the cut formulation); see the
	// package doc.
	LowerBoundKm float64
	HalfMSTKm    float64
	DualAscentKm float64
	GapRatio     float64 // NewTrenchKm / LowerBoundKm (≤ 2; 0 when the bound is 0)

	Proxy bool // routed on a proxy network, not real roads: every figure is an estimate
}

// Result is a fibre plan.
type Result struct {
	Sites  []SiteResult // in the order of the input sites
	Built  []int        // graph edges with new trench, in building order, each once
	Totals Totals
}

// Plan connects sites to PoPs along g, sharing trenches, with the
// heuristic and satellite rules of the package doc. It returns an error
// wrapping [ErrInvalid] for invalid parameters or coordinates, and ctx's
// error when cancelled. Sites that cannot be routed are reported, not
// errors.
func Plan(ctx context.Context, g *roads.Graph, sites []Site, pops []PoP, p Params) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	for i, s := range sites {
		if !validPoint(s.Point) {
			return nil, fmt.Errorf("%w: site %d (%s) at %v is not a longitude/latitude", ErrInvalid, i, s.ID, s.Point)
		}
	}
	for i, pp := range pops {
		if !validPoint(pp.Point) {
			return nil, fmt.Errorf("%w: PoP %d (%s) at %v is not a longitude/latitude", ErrInvalid, i, pp.ID, pp.Point)
		}
	}
	pl := newPlanner(g, sites, pops, p)
	if err := pl.run(ctx); err != nil {
		return nil, err
	}
	return pl.result(), nil
}

type planner struct {
	g     *roads.Graph
	sites []Site
	pops  []PoP
	p     Params
	s     *roads.Search

	snap   []roads.Snap // per site; Node -1 when the graph is empty
	popSn  []roads.Snap // per PoP, when the graph has nodes
	popAt  []int32      // per node: the PoP seeded there, -1
	inTree []bool       // per node
	depth  []float64    // per tree node: metres along the tree to its PoP
	hang   []int32      // per tree node: its PoP
	head   []int32      // per node: first queued site there, -1
	next   []int32      // per site: next queued site at the same node

	out     []SiteResult
	done    []bool
	pending []string // per site: why its last evaluation failed
	built   []int
	order   int
	q       siteQueue
}

func newPlanner(g *roads.Graph, sites []Site, pops []PoP, p Params) *planner {
	n := g.NumNodes()
	pl := &planner{
		g: g, sites: sites, pops: pops, p: p, s: roads.NewSearch(g),
		snap: make([]roads.Snap, len(sites)), popAt: make([]int32, n), inTree: make([]bool, n),
		depth: make([]float64, n), hang: make([]int32, n), head: make([]int32, n), next: make([]int32, len(sites)),
		out: make([]SiteResult, len(sites)), done: make([]bool, len(sites)), pending: make([]string, len(sites)),
	}
	for i := range n {
		pl.popAt[i], pl.hang[i], pl.head[i] = -1, -1, -1
	}
	return pl
}

func (pl *planner) cost(i int, km float64) float64 {
	return pl.p.rate(pl.sites[i])*km + pl.p.EquipmentMAD
}

// newKm is site i's new route to the current tree, in km.
func (pl *planner) newKm(i int) float64 {
	return (pl.snap[i].DistM + pl.s.Dist(pl.snap[i].Node)) / 1000
}

func (pl *planner) run(ctx context.Context) error {
	g, s := pl.g, pl.s
	s.Reset()
	for i, pp := range pl.pops {
		sn, ok := g.Snap(pp.Point)
		if !ok {
			break // no graph
		}
		pl.popSn = append(pl.popSn, sn)
		if s.Add(sn.Node, sn.DistM) {
			pl.popAt[sn.Node] = int32(i)
		}
	}
	s.Run() // distances to the nearest PoP: the separate baseline

	for i, site := range pl.sites {
		r := &pl.out[i]
		*r = SiteResult{ID: site.ID, PoP: -1, Attach: -1}
		sn, ok := g.Snap(site.Point)
		if !ok {
			sn.Node = -1
		}
		pl.snap[i] = sn
		reachable := ok && s.Reached(sn.Node)
		if reachable {
			r.SeparateKm = pl.newKm(i)
		}
		switch {
		case !reachable:
			pl.satellite(i, ReasonUnreachable)
		case pl.p.RuralBySatellite && !site.Urban:
			pl.satellite(i, ReasonRural)
		default:
			pl.next[i] = pl.head[sn.Node]
			pl.head[sn.Node] = int32(i)
			pl.q.push(siteItem{cost: pl.cost(i, r.SeparateKm), site: int32(i)})
		}
	}

	for steps := 0; len(pl.q) > 0; steps++ {
		if steps%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		it := pl.q.pop()
		i := int(it.site)
		if pl.done[i] {
			continue
		}
		km := pl.newKm(i)
		c := pl.cost(i, km)
		if it.cost != c {
			continue // stale: a cheaper entry for i was queued since
		}
		if pl.p.MaxCostMAD > 0 && c > pl.p.MaxCostMAD {
			pl.pending[i] = ReasonCost
			continue
		}
		if pl.p.MaxRouteKm > 0 && km > pl.p.MaxRouteKm {
			pl.pending[i] = ReasonDistance
			continue
		}
		pl.connect(i, km, c)
		s.Run()
		for _, v := range s.Improved() {
			for j := pl.head[v]; j >= 0; j = pl.next[j] {
				if !pl.done[j] {
					pl.q.push(siteItem{cost: pl.cost(int(j), pl.newKm(int(j))), site: j})
				}
			}
		}
	}
	for i := range pl.sites {
		if !pl.done[i] {
			km := pl.newKm(i)
			pl.out[i].FibreKm, pl.out[i].FibreCostMAD = km, pl.cost(i, km)
			pl.satellite(i, pl.pending[i])
		}
	}
	return nil
}

func (pl *planner) satellite(i int, reason string) {
	r := &pl.out[i]
	r.Tech, r.Reason = Satellite, reason
	r.CostMAD, r.OpexMADPerYear = pl.p.SatelliteCapexMAD, pl.p.SatelliteOpexMADPerYear
	pl.done[i] = true
}

// connect builds site i's shortest path to the tree and seeds the search
// with its new tree nodes.
func (pl *planner) connect(i int, km, cost float64) {
	g, s := pl.g, pl.s
	sn := pl.snap[i]
	path, _ := s.Path(sn.Node)
	root := path.Nodes[0]
	r := &pl.out[i]
	pl.order++
	r.Tech, r.Order, r.Attach = Fibre, pl.order, root
	r.SpurKm, r.NewKm, r.FibreKm = sn.DistM/1000, km, km
	r.CostMAD, r.FibreCostMAD = cost, cost

	var popEnd orb.Point
	newPoP := !pl.inTree[root]
	if newPoP { // an unused PoP: its spur is new trench, paid by this site
		pop := pl.popAt[root]
		popEnd = pl.pops[pop].Point
		pl.inTree[root], pl.hang[root], pl.depth[root] = true, pop, s.Dist(root)
		s.Add(root, 0)
	} else {
		r.SharedKm = pl.depth[root] / 1000
	}
	r.PoP = int(pl.hang[root])
	along := pl.depth[root]
	for k, e := range path.Edges {
		v := path.Nodes[k+1]
		along += g.Edge(e).LengthM
		pl.inTree[v], pl.hang[v], pl.depth[v] = true, pl.hang[root], along
		s.Add(v, 0)
		pl.built = append(pl.built, e)
	}
	r.Edges = make([]int, len(path.Edges))
	for k, e := range path.Edges {
		r.Edges[len(path.Edges)-1-k] = e
	}

	route := make(orb.LineString, 0, len(path.Geom)+2)
	route = appendPoint(route, pl.sites[i].Point)
	for k := len(path.Geom) - 1; k >= 0; k-- {
		route = appendPoint(route, path.Geom[k])
	}
	if newPoP {
		route = appendPoint(route, popEnd)
	}
	if len(route) == 1 { // a site on its PoP's node: a route of length 0
		route = append(route, route[0])
	}
	r.Route = route
	pl.done[i] = true
}

func appendPoint(ls orb.LineString, p orb.Point) orb.LineString {
	if len(ls) > 0 && ls[len(ls)-1] == p {
		return ls
	}
	return append(ls, p)
}

func (pl *planner) result() *Result {
	res := &Result{Sites: pl.out, Built: pl.built}
	t := &res.Totals
	t.Sites, t.Proxy = len(pl.sites), pl.g.Proxy
	var fibre []roads.Snap
	for i, r := range pl.out {
		switch r.Tech {
		case Fibre:
			t.Fibre++
			t.NewTrenchKm += r.NewKm
			t.CivilMAD += pl.p.rate(pl.sites[i]) * r.NewKm
			t.EquipmentMAD += pl.p.EquipmentMAD
			t.SeparateKm += r.SeparateKm
			t.SeparateMAD += pl.cost(i, r.SeparateKm)
			fibre = append(fibre, pl.snap[i])
		case Satellite:
			t.Satellite++
			if r.Reason == ReasonUnreachable {
				t.Unreachable++
			}
			t.SatelliteCapexMAD += r.CostMAD
			t.SatelliteOpexMADPerYear += r.OpexMADPerYear
		}
	}
	t.FibreMAD = t.CivilMAD + t.EquipmentMAD
	t.CapexMAD = t.FibreMAD + t.SatelliteCapexMAD
	if t.SeparateKm > 0 {
		t.SavingRatio = 1 - t.NewTrenchKm/t.SeparateKm
	}
	t.HalfMSTKm = lowerBound(pl.s, fibre, pl.popSn)
	t.DualAscentKm = dualAscent(pl.s, fibre, pl.popSn, 0)
	t.LowerBoundKm = max(t.HalfMSTKm, t.DualAscentKm)
	if t.LowerBoundKm > 0 {
		t.GapRatio = t.NewTrenchKm / t.LowerBoundKm
	}
	return res
}

// siteQueue is a min-heap of sites by marginal cost (ties by site index),
// kept by container/heap without boxing (see roads' queue).
type siteQueue []siteItem

type siteItem struct {
	cost float64
	site int32
}

func (q siteQueue) Len() int { return len(q) }
func (q siteQueue) Less(i, j int) bool {
	if q[i].cost != q[j].cost {
		return q[i].cost < q[j].cost
	}
	return q[i].site < q[j].site
}
func (q siteQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *siteQueue) Push(x any)   { *q = append(*q, x.(siteItem)) }
func (q *siteQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (q *siteQueue) push(it siteItem) {
	*q = append(*q, it)
	heap.Fix(q, len(*q)-1)
}

func (q *siteQueue) pop() siteItem {
	old := *q
	it := old[0]
	last := len(old) - 1
	old[0] = old[last]
	*q = old[:last]
	if last > 0 {
		heap.Fix(q, 0)
	}
	return it
}
