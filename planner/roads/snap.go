package roads

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
	"github.com/tidwall/rtree"
)

// Snap is where a point joins the graph: its nearest node and the length of
// the straight spur from the point to that node. Callers cost the spur
// (a site's drop to the road is trench too).
type Snap struct {
	Node  int
	DistM float64 // great-circle metres from the point to the node
}

// Snap returns the node nearest to p by great-circle distance, and false
// when the graph has no nodes.
func (g *Graph) Snap(p orb.Point) (Snap, bool) {
	best := Snap{Node: -1, DistM: math.Inf(1)}
	g.index.Nearby(
		func(min, max [2]float64, n int32, item bool) float64 {
			if item {
				return geo.DistanceM(p, min)
			}
			return boxLowerM(p, min, max)
		},
		func(min, max [2]float64, n int32, d float64) bool {
			best = Snap{Node: int(n), DistM: d}
			return false
		},
	)
	return best, best.Node >= 0
}

// boxLowerM is a lower bound of the great-circle distance from p to any
// point of the box [min, max], so that Nearby visits nodes in order of true
// distance: the latitude gap alone is exact along a meridian; the longitude
// gap is scaled by the cosine of the box's or p's latitude farthest from the
// equator, less 5 % for the poleward bulge of great circles and the flat
// approximation over the few hundred kilometres that matter.
func boxLowerM(p orb.Point, min, max [2]float64) float64 {
	dLat := 0.0
	if p[1] < min[1] {
		dLat = min[1] - p[1]
	} else if p[1] > max[1] {
		dLat = p[1] - max[1]
	}
	dLon := 0.0
	if p[0] < min[0] {
		dLon = min[0] - p[0]
	} else if p[0] > max[0] {
		dLon = p[0] - max[0]
	}
	if dLon > 180 {
		dLon = 360 - dLon
	}
	far := math.Max(math.Max(math.Abs(min[1]), math.Abs(max[1])), math.Abs(p[1]))
	c := math.Cos(math.Min(far, 90) * math.Pi / 180)
	mPerDeg := geo.EarthRadiusM * math.Pi / 180
	x := dLon * mPerDeg * c * 0.95
	y := dLat * mPerDeg
	return math.Sqrt(x*x + y*y)
}

// Access returns g with a node at each point's access to the road: the
// nearest point of any edge (its foot), splitting that edge there, so
// that [Graph.Snap] of the point gives the foot and the straight spur to
// it rather than the nearest junction, which on real roads can lie far
// along a road that passes close by. A foot within AccessToleranceM of a
// node uses the node. Split parts share their edge's class and length in
// proportion to their geodesic length, so a route over a split edge costs
// what the edge did. The result is g itself when no edge is split (every
// point is nearest to a node, as on a proxy graph built over the points).
func (g *Graph) Access(pts []orb.Point) *Graph {
	if len(g.edges) == 0 || len(pts) == 0 {
		return g
	}
	type seg struct{ edge, i int32 }
	var segs []seg
	var tr rtree.RTreeG[int32]
	for e := range g.edges {
		ls := g.edgeLine(e)
		for i := 0; i+1 < len(ls); i++ {
			b := orb.LineString{ls[i], ls[i+1]}.Bound()
			tr.Insert(b.Min, b.Max, int32(len(segs)))
			segs = append(segs, seg{int32(e), int32(i)})
		}
	}
	type split struct {
		i int32   // segment of the edge's line
		t float64 // position along it, in [0, 1]
		p orb.Point
	}
	splits := map[int32][]split{}
	for _, p := range pts {
		var best split
		bestEdge, bestD := int32(-1), math.Inf(1)
		tr.Nearby(
			func(min, max [2]float64, n int32, item bool) float64 {
				if !item {
					return boxLowerM(p, min, max)
				}
				s := segs[n]
				ls := g.edgeLine(int(s.edge))
				t, foot := footOn(p, ls[s.i], ls[s.i+1])
				d := geo.DistanceM(p, foot)
				if d < bestD {
					best, bestEdge, bestD = split{s.i, t, foot}, s.edge, d
				}
				return d
			},
			func(min, max [2]float64, n int32, d float64) bool { return false },
		)
		if bestEdge < 0 {
			continue
		}
		ed := g.edges[bestEdge]
		if geo.DistanceM(best.p, g.nodes[ed.A]) <= AccessToleranceM || geo.DistanceM(best.p, g.nodes[ed.B]) <= AccessToleranceM {
			continue // at a node already
		}
		splits[bestEdge] = append(splits[bestEdge], best)
	}
	if len(splits) == 0 {
		return g
	}
	nodes := slices.Clone(g.nodes)
	edges := make([]Edge, 0, len(g.edges)+2*len(splits))
	for e, ed := range g.edges {
		ss, ok := splits[int32(e)]
		if !ok {
			edges = append(edges, ed)
			continue
		}
		slices.SortFunc(ss, func(a, b split) int { return cmp.Or(cmp.Compare(a.i, b.i), cmp.Compare(a.t, b.t)) })
		ls := g.edgeLine(e)
		total := lineM(ls)
		from, piece := ed.A, orb.LineString{ls[0]}
		next := 1 // the next vertex of ls to copy
		cut := func(to int, at orb.Point) {
			if piece[len(piece)-1] != at {
				piece = append(piece, at)
			}
			l := ed.LengthM
			if total > 0 {
				l = ed.LengthM * lineM(piece) / total
			}
			geom := piece
			if ed.Geom == nil && len(piece) == 2 {
				geom = nil
			}
			edges = append(edges, Edge{A: from, B: to, LengthM: l, Class: ed.Class, Geom: geom})
			from, piece = to, orb.LineString{at}
		}
		add := func(v orb.Point) { // a vertex, unless the foot just cut there
			if piece[len(piece)-1] != v {
				piece = append(piece, v)
			}
		}
		last := orb.Point{math.NaN(), math.NaN()}
		for _, s := range ss {
			for ; next <= int(s.i); next++ {
				add(ls[next])
			}
			if s.p == last || geo.DistanceM(s.p, piece[len(piece)-1]) <= AccessToleranceM && len(piece) == 1 {
				continue // the same foot as the previous split
			}
			last = s.p
			nodes = append(nodes, s.p)
			cut(len(nodes)-1, s.p)
		}
		for ; next < len(ls)-1; next++ {
			add(ls[next])
		}
		cut(ed.B, ls[len(ls)-1])
	}
	out, err := New(nodes, edges)
	if err != nil {
		return g // cannot happen: the parts join existing and new nodes with finite lengths
	}
	out.Proxy = g.Proxy
	return out
}

// AccessToleranceM is how close, in metres, a point's foot on a road must
// be to a node for [Graph.Access] to use the node rather than split.
const AccessToleranceM = 1.0

// edgeLine is edge e's geometry from A to B, the straight segment when it
// has none. Shared: do not modify.
func (g *Graph) edgeLine(e int) orb.LineString {
	ed := g.edges[e]
	if len(ed.Geom) >= 2 {
		return ed.Geom
	}
	return orb.LineString{g.nodes[ed.A], g.nodes[ed.B]}
}

// footOn is the point of segment ab nearest to p, and its position t in
// [0, 1] from a, in a local equirectangular frame around p (exact enough
// over a road segment).
func footOn(p, a, b orb.Point) (float64, orb.Point) {
	c := math.Cos(p[1] * math.Pi / 180)
	ax, ay := (a[0]-p[0])*c, a[1]-p[1]
	bx, by := (b[0]-p[0])*c, b[1]-p[1]
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return 0, a
	}
	t := math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	return t, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// lineM is the geodesic length of ls in metres.
func lineM(ls orb.LineString) float64 {
	m := 0.0
	for i := 0; i+1 < len(ls); i++ {
		m += geo.DistanceM(ls[i], ls[i+1])
	}
	return m
}
