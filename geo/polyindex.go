package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// PolygonIndex answers point-in-polygon queries over many polygons, some
// of them huge (a national coverage map is one polygon of a hundred
// thousand vertices with thousands of holes). Polygons are found by their
// bound (an R-tree), holes likewise, and each ring's edges are kept in
// horizontal bands, so one test reads the edges of one band, not the ring.
// Build once; safe for concurrent reads.
type PolygonIndex struct {
	tr    rtree.RTreeG[int]
	polys []indexedPolygon
}

type indexedPolygon struct {
	shell *bandedRing
	holes rtree.RTreeG[*bandedRing]
}

// NewPolygonIndex indexes the polygons and multipolygons of gs; other
// geometry types are ignored.
func NewPolygonIndex(gs []orb.Geometry) *PolygonIndex {
	ix := &PolygonIndex{}
	for _, g := range gs {
		var ps []orb.Polygon
		switch g := g.(type) {
		case orb.Polygon:
			ps = []orb.Polygon{g}
		case orb.MultiPolygon:
			ps = g
		}
		for _, p := range ps {
			if len(p) == 0 || len(p[0]) < 4 {
				continue
			}
			ip := indexedPolygon{shell: newBandedRing(p[0])}
			for _, h := range p[1:] {
				if len(h) >= 4 {
					br := newBandedRing(h)
					ip.holes.Insert(br.bound.Min, br.bound.Max, br)
				}
			}
			ix.polys = append(ix.polys, ip)
			ix.tr.Insert(ip.shell.bound.Min, ip.shell.bound.Max, len(ix.polys)-1)
		}
	}
	return ix
}

// Contains reports whether some indexed polygon holds p (inside its
// shell, outside its holes).
func (ix *PolygonIndex) Contains(p orb.Point) bool {
	found := false
	ix.tr.Search(p, p, func(min, max [2]float64, i int) bool {
		ip := &ix.polys[i]
		if !ip.shell.contains(p) {
			return true
		}
		inHole := false
		ip.holes.Search(p, p, func(min, max [2]float64, h *bandedRing) bool {
			inHole = h.contains(p)
			return !inHole
		})
		found = !inHole
		return !found
	})
	return found
}

// Len is the number of polygons indexed.
func (ix *PolygonIndex) Len() int { return len(ix.polys) }

type edge struct{ x1, y1, x2, y2 float64 }

// bandedRing holds a ring's edges by horizontal band.
type bandedRing struct {
	bound orb.Bound
	minY  float64
	h     float64
	bands [][]edge
}

func newBandedRing(r orb.Ring) *bandedRing {
	b := r.Bound()
	n := len(r) - 1
	nb := max(1, min(4096, n/8))
	br := &bandedRing{bound: b, minY: b.Min[1], h: (b.Max[1] - b.Min[1]) / float64(nb), bands: make([][]edge, nb)}
	if br.h == 0 {
		br.h = 1
	}
	for i := 0; i < n; i++ {
		e := edge{r[i][0], r[i][1], r[i+1][0], r[i+1][1]}
		lo, hi := br.band(math.Min(e.y1, e.y2)), br.band(math.Max(e.y1, e.y2))
		for k := lo; k <= hi; k++ {
			br.bands[k] = append(br.bands[k], e)
		}
	}
	return br
}

func (br *bandedRing) band(y float64) int {
	k := int((y - br.minY) / br.h)
	return max(0, min(len(br.bands)-1, k))
}

// contains is the even-odd crossing test over the edges of p's band.
func (br *bandedRing) contains(p orb.Point) bool {
	if !br.bound.Contains(p) {
		return false
	}
	x, y := p[0], p[1]
	in := false
	for _, e := range br.bands[br.band(y)] {
		if (e.y1 > y) != (e.y2 > y) && x < (e.x2-e.x1)*(y-e.y1)/(e.y2-e.y1)+e.x1 {
			in = !in
		}
	}
	return in
}
