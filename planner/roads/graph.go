package roads

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// ErrInvalid reports a graph that cannot be built as given.
var ErrInvalid = errors.New("roads: invalid graph")

// ClassProxy is the road class of every edge of a proxy graph.
const ClassProxy = "proxy"

// Edge is an undirected road segment between two nodes.
type Edge struct {
	A, B    int            // node ids
	LengthM float64        // metres, ≥ 0
	Class   string         // road class, e.g. "primary"; ClassProxy on a proxy graph
	Geom    orb.LineString // from node A to node B; may be nil (a straight segment)
}

// Graph is an undirected road graph. It is immutable once built and safe
// for concurrent reads; a [Search] holds the per-query state.
type Graph struct {
	// Proxy is true when the graph is not real roads but a proxy built over
	// settlements by [NewProxy]: routes on it are estimates.
	Proxy bool

	nodes []orb.Point
	edges []Edge

	// adjacency in compressed rows: the half-edges of node n are
	// adj[start[n]:start[n+1]].
	start []int32
	adj   []half

	index rtree.RTreeG[int32]
}

type half struct {
	to   int32
	edge int32
	w    float64
}

// New builds a graph from nodes and edges (edge endpoints index nodes).
// Lengths are taken as given. It returns an error wrapping [ErrInvalid] for
// an endpoint out of range or a negative or non-finite length.
func New(nodes []orb.Point, edges []Edge) (*Graph, error) {
	if len(nodes) > math.MaxInt32 || len(edges) > math.MaxInt32 {
		return nil, fmt.Errorf("%w: too many nodes or edges", ErrInvalid)
	}
	for i, e := range edges {
		if e.A < 0 || e.A >= len(nodes) || e.B < 0 || e.B >= len(nodes) {
			return nil, fmt.Errorf("%w: edge %d joins nodes %d and %d, want 0..%d", ErrInvalid, i, e.A, e.B, len(nodes)-1)
		}
		if !(e.LengthM >= 0) || math.IsInf(e.LengthM, 1) {
			return nil, fmt.Errorf("%w: edge %d has length %v m, want a finite length ≥ 0", ErrInvalid, i, e.LengthM)
		}
	}
	g := &Graph{nodes: nodes, edges: edges}
	g.start = make([]int32, len(nodes)+1)
	for _, e := range edges {
		g.start[e.A+1]++
		g.start[e.B+1]++
	}
	for i := 1; i < len(g.start); i++ {
		g.start[i] += g.start[i-1]
	}
	g.adj = make([]half, 2*len(edges))
	fill := make([]int32, len(nodes))
	copy(fill, g.start[:len(nodes)])
	for i, e := range edges {
		g.adj[fill[e.A]] = half{to: int32(e.B), edge: int32(i), w: e.LengthM}
		fill[e.A]++
		g.adj[fill[e.B]] = half{to: int32(e.A), edge: int32(i), w: e.LengthM}
		fill[e.B]++
	}
	for i, p := range nodes {
		g.index.Insert(p, p, int32(i))
	}
	return g, nil
}

// NumNodes returns the number of nodes; node ids are 0..NumNodes()-1.
func (g *Graph) NumNodes() int { return len(g.nodes) }

// NumEdges returns the number of edges; edge ids are 0..NumEdges()-1.
func (g *Graph) NumEdges() int { return len(g.edges) }

// Node returns the position of node n.
func (g *Graph) Node(n int) orb.Point { return g.nodes[n] }

// Edge returns edge e. Its Geom is shared with the graph: do not modify it.
func (g *Graph) Edge(e int) Edge { return g.edges[e] }

// Degree returns the number of edge ends at node n.
func (g *Graph) Degree(n int) int { return int(g.start[n+1] - g.start[n]) }

// Neighbours calls fn for each edge at node n with the node at its other
// end, until fn returns false.
func (g *Graph) Neighbours(n int, fn func(edge, other int) bool) {
	for _, h := range g.adj[g.start[n]:g.start[n+1]] {
		if !fn(int(h.edge), int(h.to)) {
			return
		}
	}
}

// EdgeGeom returns the geometry of edge e oriented from node from (one of
// its ends) to the other end; a new slice.
func (g *Graph) EdgeGeom(e, from int) orb.LineString {
	ed := g.edges[e]
	ls := ed.Geom
	if len(ls) < 2 {
		ls = orb.LineString{g.nodes[ed.A], g.nodes[ed.B]}
	}
	out := make(orb.LineString, len(ls))
	copy(out, ls)
	if from != ed.A {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}
