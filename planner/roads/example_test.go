package roads_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner/roads"
)

func ExampleFromFeatures() {
	fs := []data.Feature{
		{Props: map[string]any{"highway": "primary"}, Geom: orb.LineString{{-7.60, 33.58}, {-7.55, 33.58}, {-7.50, 33.58}}},
		{Props: map[string]any{"highway": "tertiary"}, Geom: orb.LineString{{-7.55, 33.50}, {-7.55, 33.58}}},
	}
	g, rep, err := roads.FromFeatures(fs, roads.BuildOptions{})
	if err != nil {
		panic(err)
	}
	c := g.Components()
	fmt.Println(rep.Lines, "lines,", g.NumNodes(), "nodes,", g.NumEdges(), "edges,", c.Count, "component")
	// Output: 2 lines, 4 nodes, 3 edges, 1 component
}

func ExampleNewProxy() {
	places := []orb.Point{{-7.59, 33.57}, {-6.84, 34.02}, {-7.38, 33.69}, {-6.58, 34.26}}
	g, err := roads.NewProxy(places, roads.ProxyOptions{Detour: 1.3})
	if err != nil {
		panic(err)
	}
	fmt.Println("proxy:", g.Proxy, "edges:", g.NumEdges(), "class:", g.Edge(0).Class)
	// Output: proxy: true edges: 3 class: proxy
}

func ExampleSearch() {
	g, err := roads.New(
		[]orb.Point{{-7.60, 33.58}, {-7.55, 33.58}, {-7.50, 33.58}, {-7.55, 33.50}},
		[]roads.Edge{{A: 0, B: 1, LengthM: 4600}, {A: 1, B: 2, LengthM: 4700}, {A: 1, B: 3, LengthM: 8900}},
	)
	if err != nil {
		panic(err)
	}
	s := roads.NewSearch(g) // keep it: later queries allocate nothing
	snap, _ := g.Snap(orb.Point{-7.501, 33.581})
	s.FromMany([]int{0, 3}) // two sources at distance 0
	p, _ := s.Path(snap.Node)
	fmt.Printf("node %d is %.0f m from source %d via nodes %v; spur %.0f m\n", snap.Node, s.Dist(snap.Node), s.Root(snap.Node), p.Nodes, snap.DistM)
	// Output: node 2 is 9300 m from source 0 via nodes [0 1 2]; spur 145 m
}
