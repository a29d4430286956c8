package roads_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/roads"
)

// TestAccess: a 20 km road (junctions only at its ends, a bend at 10 km)
// and points beside it. Snapped to nodes, a point 500 m from the middle
// of the road is 10 km from the graph; with Access it is 500 m from its
// foot, and routes along the road from either end are as long as the road
// to the foot.
func TestAccess(t *testing.T) {
	const lat = 33.0
	dLon, _ := geo.DegreesFor(1000, lat)
	_, dLat := geo.DegreesFor(1000, lat)
	at := func(xKm, yKm float64) orb.Point { return orb.Point{-6 + xKm*dLon, lat + yKm*dLat} }
	road := orb.LineString{at(0, 0), at(5, 0), at(10, 0), at(15, 0), at(20, 0)}
	length := 0.0
	for i := 0; i+1 < len(road); i++ {
		length += geo.DistanceM(road[i], road[i+1])
	}
	g, err := roads.New([]orb.Point{road[0], road[len(road)-1]}, []roads.Edge{
		{A: 0, B: 1, LengthM: 1.3 * length, Class: "primary", Geom: road}, // lengths as given: 1.3 × the line
		{A: 1, B: 1, LengthM: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	pts := []orb.Point{
		at(7.5, 0.5),   // beside the middle of a segment: split there
		at(7.5, -0.5),  // the same foot from the other side: one node
		at(10, 0.3),    // beside the bend, an interior vertex: split there
		at(-1, 0),      // past the end: the end node, no split
		at(20, 0.0005), // on the end node: no split
	}
	if sn, _ := g.Snap(pts[0]); math.Abs(sn.DistM-geo.DistanceM(pts[0], road[0])) > 1 {
		t.Fatalf("before Access: snap %+v", sn)
	}
	a := g.Access(pts)
	if a.NumNodes() != g.NumNodes()+2 || a.NumEdges() != g.NumEdges()+2 {
		t.Fatalf("Access: %d nodes, %d edges; want 4 and 4 (two feet on the road)", a.NumNodes(), a.NumEdges())
	}
	if g.NumNodes() != 2 {
		t.Error("Access changed its receiver")
	}
	s := roads.NewSearch(a)
	s.From(0)
	for i, c := range []struct{ spurM, alongKm float64 }{{500, 7.5}, {500, 7.5}, {300, 10}, {1000, 0}, {0.05, 20}} {
		sn, ok := a.Snap(pts[i])
		if !ok || math.Abs(sn.DistM-c.spurM) > 2 {
			t.Errorf("point %d: spur %.1f m, want %.0f", i, sn.DistM, c.spurM)
			continue
		}
		// Lengths follow the edge's given length in proportion.
		if want := 1.3 * length * c.alongKm / 20; math.Abs(s.Dist(sn.Node)-want) > 0.5 { // the road is uniform in longitude
			t.Errorf("point %d: %.1f m along the road from node 0, want %.1f", i, s.Dist(sn.Node), want)
		}
		p, ok := s.Path(sn.Node)
		if !ok || (c.alongKm > 0 && len(p.Geom) < 2) {
			t.Errorf("point %d: path %+v", i, p)
			continue
		}
		if c.alongKm > 0 && geo.DistanceM(p.Geom[len(p.Geom)-1], a.Node(sn.Node)) > 0.01 {
			t.Errorf("point %d: path ends at %v, want the foot %v", i, p.Geom[len(p.Geom)-1], a.Node(sn.Node))
		}
	}
	// The whole road is still one route of the edge's length, through the
	// feet, its geometry the road's vertices and the feet.
	s.From(0)
	if d := s.Dist(1); math.Abs(d-1.3*length) > 1e-6*length {
		t.Errorf("end to end %.3f m, want %.3f", d, 1.3*length)
	}
	p, _ := s.Path(1)
	if len(p.Geom) != len(road)+1 { // the bend's foot is a vertex already; the middle one is new
		t.Errorf("end-to-end geometry %d points, want %d: %v", len(p.Geom), len(road)+1, p.Geom)
	}
	for i, e := range p.Edges {
		if a.Edge(e).Class != "primary" {
			t.Errorf("part %d has class %q", i, a.Edge(e).Class)
		}
	}
	// Points at nodes only: the same graph.
	if b := g.Access([]orb.Point{road[0], at(-3, 0)}); b != g {
		t.Error("Access without a split returned a new graph")
	}
}
