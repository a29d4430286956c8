package roads_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/roads"
)

func road(class string, g orb.Geometry) data.Feature {
	return data.Feature{Layer: data.LayerRoads, Props: map[string]any{"highway": class}, Geom: g}
}

func TestFromFeatures(t *testing.T) {
	tests := []struct {
		name              string
		fs                []data.Feature
		nodes, edges      int
		components, large int
	}{
		{
			name: "crossing at a shared vertex",
			fs: []data.Feature{
				road("primary", orb.LineString{{0, 0}, {0.1, 0}, {0.2, 0}}),
				road("secondary", orb.LineString{{0.1, -0.1}, {0.1, 0}, {0.1, 0.1}}),
			},
			nodes: 5, edges: 4, components: 1, large: 5,
		},
		{
			name: "touching: a line ends on another's vertex",
			fs: []data.Feature{
				road("primary", orb.LineString{{0, 0}, {0.1, 0}, {0.2, 0}}),
				road("track", orb.LineString{{0.1, 0.1}, {0.1, 0}}),
			},
			nodes: 4, edges: 3, components: 1, large: 4,
		},
		{
			name: "matched after rounding to 1e-7°",
			fs: []data.Feature{
				road("primary", orb.LineString{{0, 0}, {0.1, 0}, {0.2, 0}}),
				road("track", orb.LineString{{0.1, 0.1}, {0.1 + 3e-8, -2e-8}}),
			},
			nodes: 4, edges: 3, components: 1, large: 4,
		},
		{
			name: "crossing without a shared vertex does not meet",
			fs: []data.Feature{
				road("primary", orb.LineString{{0, 0}, {0.2, 0}}),
				road("bridge", orb.LineString{{0.1, -0.1}, {0.1, 0.1}}),
			},
			nodes: 4, edges: 2, components: 2, large: 2,
		},
		{
			name:  "intermediate vertices stay in one edge",
			fs:    []data.Feature{road("primary", orb.LineString{{0, 0}, {0.05, 0.01}, {0.1, 0}, {0.1, 0}})},
			nodes: 2, edges: 1, components: 1, large: 2,
		},
		{
			name: "multi line string and a skipped point",
			fs: []data.Feature{
				road("primary", orb.MultiLineString{{{0, 0}, {0.1, 0}}, {{0.1, 0}, {0.2, 0}}}),
				road("primary", orb.Point{0, 0}),
				road("primary", orb.LineString{{0.3, 0}, {0.3, 0}}),
			},
			nodes: 3, edges: 2, components: 1, large: 3,
		},
		{
			name:  "a line through itself gets a node there; its loop is dropped",
			fs:    []data.Feature{road("primary", orb.LineString{{0, 0}, {0.1, 0}, {0.1, 0.1}, {0.05, 0.05}, {0.1, 0}, {0.2, 0}})},
			nodes: 3, edges: 2, components: 1, large: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, _, err := roads.FromFeatures(tc.fs, roads.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := g.Components()
			if g.NumNodes() != tc.nodes || g.NumEdges() != tc.edges || c.Count != tc.components || c.Largest != tc.large {
				t.Errorf("nodes %d edges %d components %d largest %d, want %d %d %d %d",
					g.NumNodes(), g.NumEdges(), c.Count, c.Largest, tc.nodes, tc.edges, tc.components, tc.large)
			}
			if g.Proxy {
				t.Error("a graph of roads says Proxy")
			}
			for e := range g.NumEdges() {
				ed := g.Edge(e)
				if ed.Geom[0] != g.Node(ed.A) || ed.Geom[len(ed.Geom)-1] != g.Node(ed.B) {
					t.Errorf("edge %d geometry %v does not run from node %d to %d", e, ed.Geom, ed.A, ed.B)
				}
				want := 0.0
				for i := 1; i < len(ed.Geom); i++ {
					want += geo.DistanceM(ed.Geom[i-1], ed.Geom[i])
				}
				if math.Abs(ed.LengthM-want) > 1e-6 || ed.Class == "" {
					t.Errorf("edge %d: length %v class %q, want %v", e, ed.LengthM, ed.Class, want)
				}
			}
		})
	}
}

func TestFromFeaturesReport(t *testing.T) {
	fs := []data.Feature{
		road("primary", orb.MultiLineString{{{0, 0}, {0.1, 0}}, {{0.1, 0}, {0.2, 0}}}),
		road("primary", orb.Point{0, 0}),
		{Props: map[string]any{"class": "A1", "highway": "motorway"}, Geom: orb.LineString{{1, 1}, {1.1, 1}}},
	}
	g, rep, err := roads.FromFeatures(fs, roads.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 3 || rep.Skipped != 1 {
		t.Errorf("report = %+v, want 3 lines, 1 skipped", rep)
	}
	if c := g.Edge(2).Class; c != "A1" {
		t.Errorf("class = %q, want the first key, class", c)
	}
	if e := g.Edge(0); math.Abs(e.LengthM-geo.DistanceM(orb.Point{0, 0}, orb.Point{0.1, 0})) > 1e-9 {
		t.Errorf("length = %v", e.LengthM)
	}
}
