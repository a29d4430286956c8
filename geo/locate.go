package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// AreaIndex finds which area (commune, province, …) holds a point. It is
// built once and is safe for concurrent reads.
type AreaIndex struct {
	tr    rtree.RTreeG[int]
	codes []string
	geoms []orb.Geometry
}

// NewAreaIndex indexes the polygons geoms under codes (same length).
func NewAreaIndex(codes []string, geoms []orb.Geometry) *AreaIndex {
	ix := &AreaIndex{codes: codes, geoms: geoms}
	for i, g := range geoms {
		if g == nil {
			continue
		}
		b := g.Bound()
		ix.tr.Insert(b.Min, b.Max, i)
	}
	return ix
}

// Locate returns the code of the first indexed area that contains p, and
// whether one does.
func (ix *AreaIndex) Locate(p orb.Point) (string, bool) {
	found := -1
	ix.tr.Search(p, p, func(min, max [2]float64, i int) bool {
		if contains(ix.geoms[i], p) {
			found = i
			return false
		}
		return true
	})
	if found < 0 {
		return "", false
	}
	return ix.codes[found], true
}

// Len returns the number of indexed areas.
func (ix *AreaIndex) Len() int { return len(ix.codes) }

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}
