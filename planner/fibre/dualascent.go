package fibre

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/roads"
)

// DualAscentBound returns, in km, a lower bound on the trench any plan
// needs to connect the sites to the PoPs along g: every site's own spur,
// plus the value of a feasible dual of the directed-cut formulation of the
// Steiner tree over the sites' nodes, rooted at a super-node joined to
// each PoP's node by an arc as long as the PoP's spur (Wong's dual ascent,
// 1984). Each step takes the active site whose component (the nodes that
// reach it by arcs of zero reduced cost) is smallest and raises its cut
// by the least reduced cost entering it, until every site's component
// holds the root. The dual stays feasible at every step, so stopping
// after maxSteps (0: no limit), or after DualAscentWork arc visits, still
// gives a valid bound. Sites that
// cannot reach a PoP are left out. On sparse road graphs it is much
// tighter than [LowerBound]'s half MST; [Plan] reports the larger.
func DualAscentBound(g *roads.Graph, sites, pops []orb.Point, maxSteps int) float64 {
	if g.NumNodes() == 0 {
		return 0
	}
	return dualAscent(roads.NewSearch(g), snapAll(g, sites), snapAll(g, pops), maxSteps)
}

// DualAscentWork caps the arcs dual ascent visits, about a second's work:
// on a large real road graph the steps (at most one per arc) times the
// components they scan could run for hours; the bound found by then is
// kept.
const DualAscentWork = 300_000_000

// dualAscent computes the bound from the sites' and PoPs' snaps.
func dualAscent(s *roads.Search, sites, pops []roads.Snap, maxSteps int) float64 {
	g := s.Graph()
	n := g.NumNodes()
	if len(sites) == 0 || len(pops) == 0 || n == 0 {
		return 0
	}
	// Reduced costs: arc 2e runs A→B along edge e, 2e+1 B→A; rootIn[v]
	// is the arc from the root into a PoP's node (+Inf when none).
	red := make([]float64, 2*g.NumEdges())
	for e := range g.NumEdges() {
		l := g.Edge(e).LengthM
		red[2*e], red[2*e+1] = l, l
	}
	rootIn := make([]float64, n)
	for i := range rootIn {
		rootIn[i] = math.Inf(1)
	}
	s.Reset()
	for _, p := range pops {
		rootIn[p.Node] = math.Min(rootIn[p.Node], p.DistM)
		s.Add(p.Node, p.DistM)
	}
	s.Run()
	// The sites that reach a PoP: their spurs, and their nodes as
	// terminals (one per node).
	total := 0.0
	isTerm := make([]bool, n)
	var terms []int32
	for _, sn := range sites {
		if !s.Reached(sn.Node) {
			continue
		}
		total += sn.DistM
		if !isTerm[sn.Node] {
			isTerm[sn.Node] = true
			terms = append(terms, int32(sn.Node))
		}
	}
	// arcInto is the arc of edge e that enters node v.
	arcInto := func(e, v int) int {
		if g.Edge(e).B == v {
			return 2 * e
		}
		return 2*e + 1
	}
	const zero = 1e-9 // a reduced cost this small is saturated
	stamp := make([]int32, n)
	epoch := int32(0)
	var comp []int32
	work := 0
	// component fills comp with the nodes that reach t through saturated
	// arcs and reports whether the root is among them.
	component := func(t int32) bool {
		epoch++
		comp = append(comp[:0], t)
		stamp[t] = epoch
		for i := 0; i < len(comp); i++ {
			v := int(comp[i])
			if rootIn[v] <= zero {
				return true
			}
			g.Neighbours(v, func(e, u int) bool {
				work++
				if stamp[u] != epoch && red[arcInto(e, v)] <= zero {
					stamp[u] = epoch
					comp = append(comp, int32(u))
				}
				return true
			})
		}
		return false
	}
	q := &activeQueue{}
	for _, t := range terms {
		q.push(activeItem{size: 1, node: t})
	}
	for steps := 0; q.Len() > 0 && (maxSteps <= 0 || steps < maxSteps) && work < DualAscentWork; steps++ {
		it := q.pop()
		if component(it.node) {
			continue // joined to the root
		}
		if len(comp) > it.size && q.Len() > 0 && len(comp) > (*q)[0].size {
			q.push(activeItem{size: len(comp), node: it.node}) // not the smallest any more
			continue
		}
		// The least reduced cost entering the component.
		delta := math.Inf(1)
		for _, v := range comp {
			delta = math.Min(delta, rootIn[v])
			g.Neighbours(int(v), func(e, u int) bool {
				if stamp[u] != epoch {
					delta = math.Min(delta, red[arcInto(e, int(v))])
				}
				return true
			})
		}
		if math.IsInf(delta, 1) {
			continue // cannot reach the root (not expected: the site reaches a PoP)
		}
		total += delta
		for _, v := range comp {
			rootIn[v] -= delta
			g.Neighbours(int(v), func(e, u int) bool {
				if stamp[u] != epoch {
					red[arcInto(e, int(v))] -= delta
				}
				return true
			})
		}
		q.push(activeItem{size: len(comp), node: it.node})
	}
	return total / 1000
}

// activeQueue is a min-heap of active sites by their component's size
// when last seen.
type activeQueue []activeItem

type activeItem struct {
	size int
	node int32
}

func (q activeQueue) Len() int { return len(q) }
func (q activeQueue) Less(i, j int) bool {
	if q[i].size != q[j].size {
		return q[i].size < q[j].size
	}
	return q[i].node < q[j].node
}
func (q activeQueue) Swap(i, j int)       { q[i], q[j] = q[j], q[i] }
func (q *activeQueue) Push(x any)         { *q = append(*q, x.(activeItem)) }
func (q *activeQueue) Pop() any           { old := *q; it := old[len(old)-1]; *q = old[:len(old)-1]; return it }
func (q *activeQueue) push(it activeItem) { heap.Push(q, it) }
func (q *activeQueue) pop() activeItem    { return heap.Pop(q).(activeItem) }
