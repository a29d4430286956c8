package roads_test

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/roads"
)

var moroccoBox = orb.Bound{Min: orb.Point{-13, 21}, Max: orb.Point{-1, 36}}

func BenchmarkNewProxy(b *testing.B) {
	pts := randomPoints(rand.New(rand.NewPCG(7, 8)), 30000, moroccoBox)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := roads.NewProxy(pts, roads.ProxyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchFromMany(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	g, err := roads.NewProxy(randomPoints(r, 30000, moroccoBox), roads.ProxyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	srcs := make([]int, 30)
	for i := range srcs {
		srcs[i] = r.IntN(g.NumNodes())
	}
	s := roads.NewSearch(g)
	b.ReportAllocs()
	for b.Loop() {
		s.FromMany(srcs)
	}
}

// Access against snapping alone: 7,634 sites (the demo's count) beside a
// 30,000-node network, each off a road by up to 2 km, so that most split
// an edge. Run with go test ./planner/roads -run '^$' -bench 'Access|SnapSites'.
func BenchmarkAccess(b *testing.B) {
	g, sites := accessFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		g.Access(sites)
	}
}

func BenchmarkSnapSites(b *testing.B) {
	g, sites := accessFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range sites {
			g.Snap(p)
		}
	}
}

func accessFixture(b *testing.B) (*roads.Graph, []orb.Point) {
	r := rand.New(rand.NewPCG(11, 12))
	g, err := roads.NewProxy(randomPoints(r, 30000, moroccoBox), roads.ProxyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sites := make([]orb.Point, 7634)
	for i := range sites {
		e := g.Edge(r.IntN(g.NumEdges()))
		a, c := g.Node(e.A), g.Node(e.B)
		f := r.Float64()
		sites[i] = orb.Point{a[0] + f*(c[0]-a[0]) + 0.02*(r.Float64()-0.5), a[1] + f*(c[1]-a[1]) + 0.02*(r.Float64()-0.5)}
	}
	return g, sites
}
