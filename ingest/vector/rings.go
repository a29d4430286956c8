package vector

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// polygonFromRings groups a Shapefile polygon's rings: clockwise rings
// are outer rings, counter-clockwise ones holes, each hole going to the
// smallest outer ring that contains it. A hole no outer ring contains,
// and every ring of a shape without a clockwise ring, stands as a
// polygon of its own. Rings keep the file's order of vertices. One
// polygon is an orb.Polygon, several an orb.MultiPolygon.
func polygonFromRings(rings []orb.Ring) orb.Geometry {
	type part struct {
		poly  orb.Polygon
		bound orb.Bound
		area  float64
		index int // of its first ring in the file
	}
	var outers, parts []part
	var holes []int
	for i, r := range rings {
		if a := signedArea(r); a < 0 {
			outers = append(outers, part{poly: orb.Polygon{r}, bound: r.Bound(), area: -a, index: i})
		} else {
			holes = append(holes, i)
		}
	}
	// Smallest first, so that a hole goes to the innermost outer ring.
	slices.SortStableFunc(outers, func(a, b part) int { return cmp.Compare(a.area, b.area) })
	for _, i := range holes {
		h := rings[i]
		placed := false
		for k := range outers {
			if len(h) > 0 && outers[k].bound.Contains(h[0]) && ringInside(h, outers[k].poly[0]) {
				outers[k].poly = append(outers[k].poly, h)
				placed = true
				break
			}
		}
		if !placed {
			parts = append(parts, part{poly: orb.Polygon{h}, index: i})
		}
	}
	parts = append(parts, outers...)
	slices.SortFunc(parts, func(a, b part) int { return a.index - b.index })
	if len(parts) == 1 {
		return parts[0].poly
	}
	mp := make(orb.MultiPolygon, len(parts))
	for i, p := range parts {
		mp[i] = p.poly
	}
	return mp
}

// ringInside says whether hole lies inside outer, judged by its first
// vertex that is not on outer's boundary (or its bounding-box centre).
func ringInside(hole, outer orb.Ring) bool {
	for _, p := range hole {
		if !onBoundary(outer, p) {
			return planar.RingContains(outer, p)
		}
	}
	return planar.RingContains(outer, hole.Bound().Center())
}

func onBoundary(r orb.Ring, p orb.Point) bool {
	return slices.Contains(r, p)
}

// signedArea is the shoelace area: negative for a clockwise ring.
func signedArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	a := 0.0
	x0, y0 := r[0][0], r[0][1]
	for i := 1; i < len(r)-1; i++ {
		a += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return a / 2
}
