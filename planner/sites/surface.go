package sites

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// InteriorPoint returns a point inside the multipolygon mp, and false when
// mp has no area. It is the centroid of mp's largest polygon when that
// lies inside mp, else the middle of the widest inside span of a
// horizontal line through that centroid (then through the polygon's
// bound at other heights), as PostGIS ST_PointOnSurface does.
func InteriorPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	best, bestArea := -1, 0.0
	for i, p := range mp {
		if a := math.Abs(planar.Area(p)); a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{}, false
	}
	poly := mp[best]
	c, _ := planar.CentroidArea(poly)
	if planar.MultiPolygonContains(mp, c) {
		return c, true
	}
	b := poly.Bound()
	ys := []float64{c[1]}
	for _, f := range []float64{0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875} {
		ys = append(ys, b.Min[1]+f*(b.Max[1]-b.Min[1]))
	}
	for _, y := range ys {
		if p, ok := widestSpan(poly, y); ok && planar.MultiPolygonContains(mp, p) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// widestSpan returns the middle of the widest span of the line at height
// y inside poly (between alternate crossings of its rings).
func widestSpan(poly orb.Polygon, y float64) (orb.Point, bool) {
	var xs []float64
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] > y) == (b[1] > y) {
				continue
			}
			xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
		}
	}
	slices.Sort(xs)
	w, mid := 0.0, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if d := xs[i+1] - xs[i]; d > w {
			w, mid = d, (xs[i]+xs[i+1])/2
		}
	}
	return orb.Point{mid, y}, w > 0
}

// areaKm2 returns the approximate area of mp in km² (planar area in
// degrees scaled at the latitude of its bound's centre).
func areaKm2(mp orb.MultiPolygon) float64 {
	lat := mp.Bound().Center()[1] * math.Pi / 180
	return math.Abs(planar.Area(mp)) * 111.32 * 110.574 * math.Cos(lat)
}
