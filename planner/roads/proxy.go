package roads

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
)

// ProxyOptions tunes [NewProxy].
type ProxyOptions struct {
	// Detour multiplies each edge's great-circle length to stand for the
	// winding of a real road; default 1.3, at least 1.
	Detour float64
	// Neighbours is how many nearest points of each point are candidates
	// for its edges; default 12.
	Neighbours int
}

// NewProxy builds a proxy road network over settlement points (places with
// population, commune seats) where no road data exists. It is NOT a road
// network: the graph's Proxy field is true and every edge has class
// [ClassProxy], a straight geometry and the great-circle length times
// opts.Detour.
//
// The edges are those of the relative-neighbourhood graph (RNG): p–q is an
// edge when no third point r is closer to both p and q than they are to
// each other (max(d(p,r), d(q,r)) < d(p,q)), distances being great-circle.
// It is computed without a Delaunay triangulation: the candidates for p's
// edges are its opts.Neighbours nearest points, and each candidate is
// tested exactly against every point within d(p,q) of p (a grid radius
// query). Every edge is therefore a true RNG edge, but an RNG edge between
// two points that are not among each other's nearest can be missed, which
// could cut the graph; so components are then joined, Borůvka-style, by the
// shortest edge leaving each one, which is an edge of the minimum spanning
// tree and hence of the RNG. The result is connected, and a subgraph of the
// RNG that contains a minimum spanning tree. Node i is points[i] (coincident
// points stay distinct nodes, joined by zero-length edges).
func NewProxy(points []orb.Point, opts ProxyOptions) (*Graph, error) {
	detour := opts.Detour
	if detour == 0 {
		detour = 1.3
	}
	if !(detour >= 1) || math.IsInf(detour, 1) {
		return nil, fmt.Errorf("%w: detour factor %v, want ≥ 1", ErrInvalid, opts.Detour)
	}
	k := opts.Neighbours
	if k <= 0 {
		k = 12
	}
	for i, p := range points {
		if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
			return nil, fmt.Errorf("%w: point %d at %v is not a longitude/latitude", ErrInvalid, i, p)
		}
	}
	n := len(points)
	if n == 0 {
		g, err := New(nil, nil)
		if g != nil {
			g.Proxy = true
		}
		return g, err
	}
	gr := newGrid(points)
	type cand struct {
		j int32
		d float64
	}
	var near []cand
	type pair struct{ a, b int32 }
	var pairs []pair
	r0 := gr.cell * geo.EarthRadiusM * math.Pi / 180
	for i, p := range points {
		// The k nearest, exactly: grow the radius until k points lie within it.
		for r := r0; ; r *= 2 {
			near = near[:0]
			gr.within(p, r, func(j int32) {
				if int(j) != i {
					if d := geo.DistanceM(p, points[j]); d <= r {
						near = append(near, cand{j, d})
					}
				}
			})
			if len(near) >= k || len(near) == n-1 {
				break
			}
		}
		slices.SortFunc(near, func(a, b cand) int {
			if a.d != b.d {
				if a.d < b.d {
					return -1
				}
				return 1
			}
			return int(a.j - b.j)
		})
		for _, c := range near[:min(k, len(near))] {
			a, b := int32(i), c.j
			if a > b {
				a, b = b, a
			}
			pairs = append(pairs, pair{a, b})
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if x.a != y.a {
			return int(x.a - y.a)
		}
		return int(x.b - y.b)
	})
	pairs = slices.Compact(pairs)

	var edges []Edge
	add := func(a, b int32, d float64) {
		edges = append(edges, Edge{
			A: int(a), B: int(b), LengthM: d * detour, Class: ClassProxy,
			Geom: orb.LineString{points[a], points[b]},
		})
	}
	uf := newUnionFind(n)
	for _, pr := range pairs {
		d := geo.DistanceM(points[pr.a], points[pr.b])
		if rngEdge(gr, points, pr.a, pr.b, d) {
			add(pr.a, pr.b, d)
			uf.union(int(pr.a), int(pr.b))
		}
	}

	// Join components: the shortest edge leaving a component is an MST edge.
	for {
		comps := map[int][]int32{}
		for i := range n {
			r := uf.find(i)
			comps[r] = append(comps[r], int32(i))
		}
		if len(comps) <= 1 {
			break
		}
		largest := -1
		for r, m := range comps {
			if largest < 0 || len(m) > len(comps[largest]) || (len(m) == len(comps[largest]) && r < largest) {
				largest = r
			}
		}
		roots := make([]int, 0, len(comps))
		for r := range comps {
			if r != largest {
				roots = append(roots, r)
			}
		}
		slices.Sort(roots)
		type link struct {
			a, b int32
			d    float64
		}
		var links []link
		for _, r := range roots {
			best := link{-1, -1, math.Inf(1)}
			for _, a := range comps[r] {
				if b, d := nearestOutside(gr, points, uf, a, r, best.d); b >= 0 && d < best.d {
					best = link{a, b, d}
				}
			}
			links = append(links, best)
		}
		for _, l := range links {
			if uf.find(int(l.a)) != uf.find(int(l.b)) {
				add(l.a, l.b, l.d)
				uf.union(int(l.a), int(l.b))
			}
		}
	}
	g, err := New(points, edges)
	if err != nil {
		return nil, err
	}
	g.Proxy = true
	return g, nil
}

// rngEdge reports whether no point r is closer to both a and b than d =
// d(a, b). Such an r lies within d of a, so a radius query around a finds
// every one.
func rngEdge(gr *grid, pts []orb.Point, a, b int32, d float64) bool {
	ok := true
	gr.within(pts[a], d, func(r int32) {
		if !ok || r == a || r == b {
			return
		}
		if geo.DistanceM(pts[a], pts[r]) < d && geo.DistanceM(pts[b], pts[r]) < d {
			ok = false
		}
	})
	return ok
}

// nearestOutside returns the point nearest to a outside a's component
// (root r), if one is nearer than bound, with its distance; -1 when none.
func nearestOutside(gr *grid, pts []orb.Point, uf *unionFind, a int32, r int, bound float64) (int32, float64) {
	r0 := gr.cell * geo.EarthRadiusM * math.Pi / 180
	for rad := r0; ; rad *= 2 {
		rad = math.Min(rad, bound)
		best, bd := int32(-1), math.Inf(1)
		gr.within(pts[a], rad, func(j int32) {
			if uf.find(int(j)) == r {
				return
			}
			if d := geo.DistanceM(pts[a], pts[j]); d <= rad && (d < bd || (d == bd && j < best)) {
				best, bd = j, d
			}
		})
		if best >= 0 {
			return best, bd
		}
		if rad >= bound || rad > math.Pi*geo.EarthRadiusM {
			return -1, math.Inf(1)
		}
	}
}

type unionFind struct{ parent []int32 }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *unionFind) find(x int) int {
	for int(u.parent[x]) != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = int(u.parent[x])
	}
	return x
}

func (u *unionFind) union(a, b int) bool {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return false
	}
	u.parent[rb] = int32(ra)
	return true
}
