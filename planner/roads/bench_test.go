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
