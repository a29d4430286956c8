package roads

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
)

// Search runs Dijkstra shortest paths on one graph and keeps its state
// (distances, predecessors, the heap) for reuse: after the first query a
// search allocates nothing, and starting a new query costs O(1), so callers
// that route many times (fibre planning) keep one Search. A Search is not
// safe for concurrent use; use one per goroutine.
//
// A query is either [Search.From] / [Search.FromMany], or, for incremental
// work, [Search.Reset], then [Search.Add] for each source, then [Search.Run];
// more sources may be added after Run and Run called again: it relaxes only
// the distances the new sources improve (the incremental multi-source
// Dijkstra of fibre planning).
type Search struct {
	g        *Graph
	epoch    uint32
	stamp    []uint32 // node state is valid when stamp[n] == epoch
	dist     []float64
	pred     []int32 // edge into the node on its shortest path, -1 at a source
	root     []int32 // the source the node's shortest path starts from
	pq       queue
	improved []int32
}

// NewSearch returns a search over g.
func NewSearch(g *Graph) *Search {
	n := len(g.nodes)
	return &Search{
		g:     g,
		stamp: make([]uint32, n),
		dist:  make([]float64, n),
		pred:  make([]int32, n),
		root:  make([]int32, n),
	}
}

// Graph returns the graph s searches.
func (s *Search) Graph() *Graph { return s.g }

// Reset forgets every distance: all nodes become unreached.
func (s *Search) Reset() {
	s.epoch++
	if s.epoch == 0 { // wrapped: clear the stamps once every 2³² queries
		clear(s.stamp)
		s.epoch = 1
	}
	s.pq = s.pq[:0]
	s.improved = s.improved[:0]
}

// Add makes node n a source at distance d (an offset such as the length of
// a spur to the node, or 0), if that improves its current distance, and
// reports whether it did. Call Run to propagate.
func (s *Search) Add(n int, d float64) bool {
	if s.epoch == 0 {
		s.Reset()
	}
	if s.stamp[n] == s.epoch && s.dist[n] <= d {
		return false
	}
	s.stamp[n] = s.epoch
	s.dist[n] = d
	s.pred[n] = -1
	s.root[n] = int32(n)
	s.push(int32(n), d)
	return true
}

// Run settles every node whose distance the sources added since the last
// Run improve. [Search.Improved] then lists those nodes.
func (s *Search) Run() {
	s.improved = s.improved[:0]
	g := s.g
	for len(s.pq) > 0 {
		it := s.pop()
		u := it.n
		if it.d > s.dist[u] {
			continue // stale entry: u was improved after this push
		}
		s.improved = append(s.improved, u)
		for _, h := range g.adj[g.start[u]:g.start[u+1]] {
			nd := it.d + h.w
			v := h.to
			if s.stamp[v] == s.epoch && s.dist[v] <= nd {
				continue
			}
			s.stamp[v] = s.epoch
			s.dist[v] = nd
			s.pred[v] = h.edge
			s.root[v] = s.root[u]
			s.push(v, nd)
		}
	}
}

// From runs a query from the single source src.
func (s *Search) From(src int) {
	s.Reset()
	s.Add(src, 0)
	s.Run()
}

// FromMany runs a query from several sources, all at distance 0: each node
// gets its distance to the nearest source.
func (s *Search) FromMany(srcs []int) {
	s.Reset()
	for _, n := range srcs {
		s.Add(n, 0)
	}
	s.Run()
}

// Improved returns the nodes the last Run settled (their distance
// improved), in order of distance. The slice is reused by the next Run.
func (s *Search) Improved() []int32 { return s.improved }

// Reached reports whether node n has a distance.
func (s *Search) Reached(n int) bool { return s.stamp[n] == s.epoch && s.epoch != 0 }

// Dist returns the distance of node n in metres, +Inf when unreached.
func (s *Search) Dist(n int) float64 {
	if !s.Reached(n) {
		return math.Inf(1)
	}
	return s.dist[n]
}

// PredEdge returns the edge by which the shortest path enters node n, -1 at
// a source or an unreached node.
func (s *Search) PredEdge(n int) int {
	if !s.Reached(n) {
		return -1
	}
	return int(s.pred[n])
}

// Root returns the source that node n's shortest path starts from, -1 when
// unreached.
func (s *Search) Root(n int) int {
	if !s.Reached(n) {
		return -1
	}
	return int(s.root[n])
}

// Path is a route through the graph.
type Path struct {
	Nodes   []int          // from the source to the target
	Edges   []int          // len(Nodes)-1 edges, in travel order
	LengthM float64        // sum of the edges' lengths
	Geom    orb.LineString // the edges' geometries joined, oriented source → target
}

// Path returns the shortest path from its source to node n, and false when
// n is unreached. A source's path has one node and no edges.
func (s *Search) Path(n int) (Path, bool) {
	if !s.Reached(n) {
		return Path{}, false
	}
	var p Path
	for u := n; ; {
		p.Nodes = append(p.Nodes, u)
		e := s.pred[u]
		if e < 0 {
			break
		}
		p.Edges = append(p.Edges, int(e))
		ed := &s.g.edges[e]
		if ed.A == u {
			u = ed.B
		} else {
			u = ed.A
		}
	}
	reverse(p.Nodes)
	reverse(p.Edges)
	p.Geom = orb.LineString{s.g.nodes[p.Nodes[0]]}
	for i, e := range p.Edges {
		p.LengthM += s.g.edges[e].LengthM
		p.Geom = appendGeom(p.Geom, s.g, e, p.Nodes[i])
	}
	return p, true
}

// appendGeom appends edge e's vertices after its first, walking from node
// from.
func appendGeom(ls orb.LineString, g *Graph, e, from int) orb.LineString {
	ed := &g.edges[e]
	geom := ed.Geom
	if len(geom) < 2 {
		if from == ed.A {
			return append(ls, g.nodes[ed.B])
		}
		return append(ls, g.nodes[ed.A])
	}
	if from == ed.A {
		return append(ls, geom[1:]...)
	}
	for i := len(geom) - 2; i >= 0; i-- {
		ls = append(ls, geom[i])
	}
	return ls
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// queue is a binary min-heap of (distance, node) kept by container/heap.
// push and pop go through heap.Fix on the slice itself rather than
// heap.Push/heap.Pop, whose any-typed values would allocate on each call.
type queue []item

type item struct {
	d float64
	n int32
}

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].d != q[j].d {
		return q[i].d < q[j].d
	}
	return q[i].n < q[j].n
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (s *Search) push(n int32, d float64) {
	s.pq = append(s.pq, item{d: d, n: n})
	heap.Fix(&s.pq, len(s.pq)-1)
}

func (s *Search) pop() item {
	it := s.pq[0]
	last := len(s.pq) - 1
	s.pq[0] = s.pq[last]
	s.pq = s.pq[:last]
	if last > 0 {
		heap.Fix(&s.pq, 0)
	}
	return it
}
