package roads_test

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/roads"
)

// handGraph is seven nodes on a line of longitudes (positions do not
// matter: lengths are given); nodes 5 and 6 are isolated. From node 0 the
// distances are 0, 3 (via 2), 1, 8, 11 (two ways), unreachable, unreachable.
func handGraph(t testing.TB) *roads.Graph {
	t.Helper()
	nodes := make([]orb.Point, 7)
	for i := range nodes {
		nodes[i] = orb.Point{float64(i), 0}
	}
	edges := []roads.Edge{
		{A: 0, B: 1, LengthM: 4},  // 0
		{A: 0, B: 2, LengthM: 1},  // 1
		{A: 2, B: 1, LengthM: 2},  // 2
		{A: 1, B: 3, LengthM: 5},  // 3
		{A: 2, B: 3, LengthM: 8},  // 4
		{A: 3, B: 4, LengthM: 3},  // 5
		{A: 2, B: 4, LengthM: 10}, // 6: 0-2-4 is 11 m, as is 0-2-1-3-4
	}
	g, err := roads.New(nodes, edges)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSearchFrom(t *testing.T) {
	g := handGraph(t)
	s := roads.NewSearch(g)
	s.From(0)
	inf := math.Inf(1)
	want := []float64{0, 3, 1, 8, 11, inf, inf}
	for n, w := range want {
		if got := s.Dist(n); got != w {
			t.Errorf("Dist(%d) = %v, want %v", n, got, w)
		}
	}
	tests := []struct {
		name  string
		to    int
		nodes []int
		edges []int
	}{
		{"source", 0, []int{0}, nil},
		{"via cheaper detour", 1, []int{0, 2, 1}, []int{1, 2}},
		{"two hops", 3, []int{0, 2, 1, 3}, []int{1, 2, 3}},
		// Two paths of 11 m reach node 4; the first settled (via node 2) is kept.
		{"tie keeps first found", 4, []int{0, 2, 4}, []int{1, 6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := s.Path(tc.to)
			if !ok {
				t.Fatal("no path")
			}
			if !slices.Equal(p.Nodes, tc.nodes) || !slices.Equal(p.Edges, tc.edges) {
				t.Errorf("path = %v %v, want %v %v", p.Nodes, p.Edges, tc.nodes, tc.edges)
			}
			if p.LengthM != s.Dist(tc.to) {
				t.Errorf("length = %v, want %v", p.LengthM, s.Dist(tc.to))
			}
			if len(p.Geom) != len(p.Nodes) || p.Geom[0] != g.Node(tc.nodes[0]) || p.Geom[len(p.Geom)-1] != g.Node(tc.to) {
				t.Errorf("geom = %v", p.Geom)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		for _, n := range []int{5, 6} {
			if _, ok := s.Path(n); ok || s.Reached(n) || s.PredEdge(n) != -1 || s.Root(n) != -1 {
				t.Errorf("node %d: reached=%v pred=%d root=%d, want unreached", n, s.Reached(n), s.PredEdge(n), s.Root(n))
			}
		}
	})
	t.Run("from an isolated node", func(t *testing.T) {
		s.From(5)
		if s.Dist(5) != 0 || s.Reached(0) {
			t.Errorf("dist(5) = %v, reached(0) = %v", s.Dist(5), s.Reached(0))
		}
	})
}

func TestSearchFromMany(t *testing.T) {
	g := handGraph(t)
	s := roads.NewSearch(g)
	s.FromMany([]int{0, 4})
	tests := []struct {
		node, root int
		dist       float64
	}{
		{0, 0, 0}, {1, 0, 3}, {2, 0, 1}, {3, 4, 3}, {4, 4, 0},
	}
	for _, tc := range tests {
		if s.Dist(tc.node) != tc.dist || s.Root(tc.node) != tc.root {
			t.Errorf("node %d: dist %v root %d, want %v %d", tc.node, s.Dist(tc.node), s.Root(tc.node), tc.dist, tc.root)
		}
	}
	p, _ := s.Path(3)
	if !slices.Equal(p.Nodes, []int{4, 3}) {
		t.Errorf("path to 3 = %v, want [4 3]", p.Nodes)
	}
}

func TestSearchIncremental(t *testing.T) {
	g := handGraph(t)
	s := roads.NewSearch(g)
	s.From(0)
	if s.Add(2, 5) {
		t.Error("Add(2, 5) improved a distance of 1")
	}
	if !s.Add(3, 0) {
		t.Fatal("Add(3, 0) did not improve")
	}
	s.Run()
	if got := s.Improved(); !slices.Equal(got, []int32{3, 4}) {
		t.Errorf("improved = %v, want [3 4]", got)
	}
	if s.Dist(4) != 3 || s.Root(4) != 3 || s.Dist(1) != 3 || s.Root(1) != 0 {
		t.Errorf("after adding 3: dist(4)=%v root %d, dist(1)=%v root %d", s.Dist(4), s.Root(4), s.Dist(1), s.Root(1))
	}
	// An offset source: a node seeded at 2 m, as a spur would.
	s.Reset()
	s.Add(1, 2)
	s.Run()
	if s.Dist(0) != 5 || s.Dist(1) != 2 { // 2 + (1-2-0) 3
		t.Errorf("offset source: dist(0)=%v dist(1)=%v, want 5 2", s.Dist(0), s.Dist(1))
	}
}

func TestSearchGeometryOrientation(t *testing.T) {
	nodes := []orb.Point{{0, 0}, {1, 0}, {2, 0}}
	mid := orb.Point{0.5, 0.5}
	edges := []roads.Edge{
		{A: 0, B: 1, LengthM: 1, Geom: orb.LineString{{0, 0}, mid, {1, 0}}},
		{A: 2, B: 1, LengthM: 1, Geom: orb.LineString{{2, 0}, {1.5, -0.5}, {1, 0}}}, // stored backwards
	}
	g, err := roads.New(nodes, edges)
	if err != nil {
		t.Fatal(err)
	}
	s := roads.NewSearch(g)
	s.From(0)
	p, _ := s.Path(2)
	want := orb.LineString{{0, 0}, mid, {1, 0}, {1.5, -0.5}, {2, 0}}
	if !slices.Equal(p.Geom, want) {
		t.Errorf("geom = %v, want %v", p.Geom, want)
	}
}

func TestSearchNoAllocs(t *testing.T) {
	g := handGraph(t)
	s := roads.NewSearch(g)
	s.FromMany([]int{0, 4})
	srcs := []int{0, 4}
	if n := testing.AllocsPerRun(100, func() { s.FromMany(srcs) }); n != 0 {
		t.Errorf("FromMany allocates %v times per run, want 0", n)
	}
}

func TestNewInvalid(t *testing.T) {
	nodes := []orb.Point{{0, 0}, {1, 1}}
	for name, e := range map[string]roads.Edge{
		"endpoint out of range": {A: 0, B: 2, LengthM: 1},
		"negative length":       {A: 0, B: 1, LengthM: -1},
		"NaN length":            {A: 0, B: 1, LengthM: math.NaN()},
	} {
		if _, err := roads.New(nodes, []roads.Edge{e}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
