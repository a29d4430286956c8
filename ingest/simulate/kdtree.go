package simulate

import (
	"cmp"
	"math"
	"slices"
)

// kdTree is a static 2-d tree over lon/lat points for nearest-point
// queries. Declare asks for the nearest site of every cell within reach,
// mostly tens of kilometres from the sites, where the bucket grid of
// pointIndex would visit hundreds of empty buckets per query. The
// distance is the same equirectangular one as pointIndex.nearest.
type kdTree struct {
	x, y []float64 // points in tree order: each range's median at its middle
}

func newKDTree(lon, lat []float64) *kdTree {
	pts := make([][2]float64, len(lon))
	for i := range lon {
		pts[i] = [2]float64{lon[i], lat[i]}
	}
	var build func(p [][2]float64, axis int)
	build = func(p [][2]float64, axis int) {
		if len(p) <= 1 {
			return
		}
		slices.SortFunc(p, func(a, b [2]float64) int {
			return cmp.Or(cmp.Compare(a[axis], b[axis]), cmp.Compare(a[1-axis], b[1-axis]))
		})
		mid := len(p) / 2
		build(p[:mid], 1-axis)
		build(p[mid+1:], 1-axis)
	}
	build(pts, 0)
	t := &kdTree{x: make([]float64, len(pts)), y: make([]float64, len(pts))}
	for i, p := range pts {
		t.x[i], t.y[i] = p[0], p[1]
	}
	return t
}

// nearest returns the distance in km to the point nearest to (lon, lat),
// and false when no point is within maxKm.
func (t *kdTree) nearest(lon, lat, maxKm float64) (float64, bool) {
	q := kdQuery{t: t, qx: lon, qy: lat, cosLat: math.Cos(lat * math.Pi / 180), best: maxKm * maxKm}
	q.search(0, len(t.x), 0)
	if !q.found {
		return 0, false
	}
	return math.Sqrt(q.best), true
}

type kdQuery struct {
	t              *kdTree
	qx, qy, cosLat float64 // query point and the cosine of its latitude
	best           float64 // squared km
	found          bool
}

func (q *kdQuery) search(lo, hi, axis int) {
	for lo < hi {
		mid := (lo + hi) / 2
		dx := (q.t.x[mid] - q.qx) * q.cosLat * kmPerDeg // as pointIndex.nearest, to the last bit
		dy := (q.t.y[mid] - q.qy) * kmPerDeg
		if d2 := dx*dx + dy*dy; d2 <= q.best {
			q.best, q.found = d2, true
		}
		diff := dy
		if axis == 0 {
			diff = dx
		}
		// diff > 0: the split is above the query, whose side is the low one.
		nearLo, nearHi, farLo, farHi := lo, mid, mid+1, hi
		if diff < 0 {
			nearLo, nearHi, farLo, farHi = mid+1, hi, lo, mid
		}
		q.search(nearLo, nearHi, 1-axis)
		if diff*diff > q.best {
			return
		}
		lo, hi, axis = farLo, farHi, 1-axis
	}
}
