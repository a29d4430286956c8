package fibre

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/roads"
)

// LowerBound returns, in km, a lower bound on the trench any plan needs to
// connect every site to the PoPs along g (spurs included, PoPs joined by
// the backbone for free): half the minimum spanning tree of the metric
// closure of the sites plus one super-terminal for all the PoPs, computed
// exactly with Mehlhorn's construction (see the package doc). Sites that
// cannot reach a PoP are left out. [Plan] reports it for its fibre sites.
func LowerBound(g *roads.Graph, sites, pops []orb.Point) float64 {
	if g.NumNodes() == 0 {
		return 0
	}
	return lowerBound(roads.NewSearch(g), snapAll(g, sites), snapAll(g, pops))
}

// snapAll snaps points to g, which has nodes.
func snapAll(g *roads.Graph, pts []orb.Point) []roads.Snap {
	out := make([]roads.Snap, len(pts))
	for i, p := range pts {
		out[i], _ = g.Snap(p)
	}
	return out
}

type terminal struct {
	node int
	spur float64
}

type link struct {
	a, b int32
	w    float64
}

// lowerBound computes the bound from the sites' and PoPs' snaps.
func lowerBound(s *roads.Search, sites, pops []roads.Snap) float64 {
	g := s.Graph()
	if len(sites) == 0 || len(pops) == 0 || g.NumNodes() == 0 {
		return 0
	}
	popT := make([]terminal, 0, len(pops))
	s.Reset()
	for _, sn := range pops {
		popT = append(popT, terminal{sn.Node, sn.DistM})
		s.Add(sn.Node, sn.DistM)
	}
	s.Run()
	var terms []terminal
	for _, sn := range sites {
		if s.Reached(sn.Node) {
			terms = append(terms, terminal{sn.Node, sn.DistM})
		}
	}
	if len(terms) == 0 {
		return 0
	}

	// One search from every terminal: each node's nearest terminal (its
	// Voronoi region). The super-terminal is len(terms), reached through
	// the PoPs' spurs.
	super := int32(len(terms))
	label := make([]int32, g.NumNodes())
	s.Reset()
	for _, t := range popT {
		if s.Add(t.node, t.spur) {
			label[t.node] = super
		}
	}
	for i, t := range terms {
		if s.Add(t.node, t.spur) {
			label[t.node] = int32(i)
		}
	}
	s.Run()
	lab := func(n int) int32 { return label[s.Root(n)] }

	// Terminal-to-terminal links across region boundaries (Mehlhorn's G1').
	var links []link
	for e := range g.NumEdges() {
		ed := g.Edge(e)
		if !s.Reached(ed.A) || !s.Reached(ed.B) {
			continue
		}
		if la, lb := lab(ed.A), lab(ed.B); la != lb {
			links = append(links, link{la, lb, s.Dist(ed.A) + ed.LengthM + s.Dist(ed.B)})
		}
	}
	// A terminal's spur to a node of another region.
	for i, t := range terms {
		if l := lab(t.node); l != int32(i) {
			links = append(links, link{int32(i), l, t.spur + s.Dist(t.node)})
		}
	}
	for _, t := range popT {
		if l := lab(t.node); l != super {
			links = append(links, link{super, l, t.spur + s.Dist(t.node)})
		}
	}

	// Kruskal.
	slices.SortFunc(links, func(x, y link) int { return cmp.Compare(x.w, y.w) })
	parent := make([]int32, len(terms)+1)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	mst := 0.0
	for _, l := range links {
		if ra, rb := find(l.a), find(l.b); ra != rb {
			parent[rb] = ra
			mst += l.w
		}
	}
	return mst / 2 / 1000
}
