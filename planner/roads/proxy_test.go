package roads_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/roads"
)

func randomPoints(r *rand.Rand, n int, b orb.Bound) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

// clustered puts points in a few tight, far-apart clusters, where the
// nearest-neighbour candidates alone would leave the graph cut.
func clustered(r *rand.Rand, clusters, each int) []orb.Point {
	var pts []orb.Point
	for range clusters {
		c := orb.Point{-12 + r.Float64()*11, 22 + r.Float64()*13}
		for range each {
			pts = append(pts, orb.Point{c[0] + r.NormFloat64()*0.01, c[1] + r.NormFloat64()*0.01})
		}
	}
	return pts
}

func TestNewProxy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	morocco := orb.Bound{Min: orb.Point{-13, 21}, Max: orb.Point{-1, 36}}
	dup := randomPoints(r, 50, orb.Bound{Min: orb.Point{-8, 31}, Max: orb.Point{-7, 32}})
	dup = append(dup, dup[3], dup[3])
	tests := []struct {
		name string
		pts  []orb.Point
	}{
		{"uniform", randomPoints(r, 600, morocco)},
		{"clustered", clustered(r, 8, 25)},
		{"a line of points", func() []orb.Point {
			var p []orb.Point
			for i := range 40 {
				p = append(p, orb.Point{-7 + float64(i)*0.01, 33})
			}
			return p
		}()},
		{"coincident points", dup},
		{"two points", []orb.Point{{-7, 33}, {-6, 34}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := roads.NewProxy(tc.pts, roads.ProxyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !g.Proxy || g.NumNodes() != len(tc.pts) {
				t.Fatalf("proxy %v, %d nodes for %d points", g.Proxy, g.NumNodes(), len(tc.pts))
			}
			if c := g.Components(); c.Count != 1 {
				t.Errorf("%d components (largest %d), want connected", c.Count, c.Largest)
			}
			for e := range g.NumEdges() {
				ed := g.Edge(e)
				p, q := tc.pts[ed.A], tc.pts[ed.B]
				d := geo.DistanceM(p, q)
				if ed.Class != roads.ClassProxy || math.Abs(ed.LengthM-1.3*d) > 1e-6 {
					t.Errorf("edge %d: class %q length %v, want proxy, %v", e, ed.Class, ed.LengthM, 1.3*d)
				}
				for i, x := range tc.pts {
					if i != ed.A && i != ed.B && geo.DistanceM(p, x) < d && geo.DistanceM(q, x) < d {
						t.Fatalf("edge %d–%d (%.0f m) violates the RNG rule: point %d is closer to both", ed.A, ed.B, d, i)
					}
				}
			}
		})
	}
}

// TestNewProxyKeepsMST checks the proxy contains a minimum spanning tree:
// its total MST weight equals the complete graph's (Prim, brute force).
func TestNewProxyKeepsMST(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pts := append(randomPoints(r, 150, orb.Bound{Min: orb.Point{-9, 30}, Max: orb.Point{-5, 34}}), clustered(r, 4, 10)...)
	g, err := roads.NewProxy(pts, roads.ProxyOptions{Detour: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := primComplete(pts)
	got := primGraph(g)
	if math.Abs(got-want) > 1e-6*want {
		t.Errorf("MST of the proxy = %.3f m, of all pairs = %.3f m", got, want)
	}
}

func primComplete(pts []orb.Point) float64 {
	n := len(pts)
	best := make([]float64, n)
	in := make([]bool, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	best[0] = 0
	total := 0.0
	for range n {
		u := -1
		for i := range n {
			if !in[i] && (u < 0 || best[i] < best[u]) {
				u = i
			}
		}
		in[u] = true
		total += best[u]
		for i := range n {
			if d := geo.DistanceM(pts[u], pts[i]); !in[i] && d < best[i] {
				best[i] = d
			}
		}
	}
	return total
}

func primGraph(g *roads.Graph) float64 {
	n := g.NumNodes()
	best := make([]float64, n)
	in := make([]bool, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	best[0] = 0
	total := 0.0
	for range n {
		u := -1
		for i := range n {
			if !in[i] && (u < 0 || best[i] < best[u]) {
				u = i
			}
		}
		in[u] = true
		total += best[u]
		g.Neighbours(u, func(e, v int) bool {
			if w := g.Edge(e).LengthM; !in[v] && w < best[v] {
				best[v] = w
			}
			return true
		})
	}
	return total
}

func TestNewProxyInvalid(t *testing.T) {
	if _, err := roads.NewProxy([]orb.Point{{0, 0}, {1, 1}}, roads.ProxyOptions{Detour: 0.5}); err == nil {
		t.Error("detour 0.5: no error")
	}
	if _, err := roads.NewProxy([]orb.Point{{0, 0}, {1, math.NaN()}}, roads.ProxyOptions{}); err == nil {
		t.Error("NaN point: no error")
	}
	g, err := roads.NewProxy(nil, roads.ProxyOptions{})
	if err != nil || g.NumNodes() != 0 || !g.Proxy {
		t.Errorf("no points: %v, %v", g, err)
	}
}

func TestSnap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pts := randomPoints(r, 2000, orb.Bound{Min: orb.Point{-13, 21}, Max: orb.Point{-1, 36}})
	g, err := roads.New(pts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		q := orb.Point{-14 + r.Float64()*14, 20 + r.Float64()*17}
		s, ok := g.Snap(q)
		want, wd := -1, math.Inf(1)
		for j, p := range pts {
			if d := geo.DistanceM(q, p); d < wd {
				want, wd = j, d
			}
		}
		if !ok || (s.Node != want && s.DistM != wd) || math.Abs(s.DistM-wd) > 1e-9 {
			t.Errorf("query %d %v: snapped to %d at %.1f m, want %d at %.1f m", i, q, s.Node, s.DistM, want, wd)
		}
	}
	if s, ok := g.Snap(pts[7]); !ok || s.Node != 7 || s.DistM != 0 {
		t.Errorf("snap of a node = %+v, want node 7 at 0 m", s)
	}
	empty, _ := roads.New(nil, nil)
	if _, ok := empty.Snap(orb.Point{0, 0}); ok {
		t.Error("snap on an empty graph succeeded")
	}
}
