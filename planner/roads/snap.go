package roads

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
)

// Snap is where a point joins the graph: its nearest node and the length of
// the straight spur from the point to that node. Callers cost the spur
// (a site's drop to the road is trench too).
type Snap struct {
	Node  int
	DistM float64 // great-circle metres from the point to the node
}

// Snap returns the node nearest to p by great-circle distance, and false
// when the graph has no nodes.
func (g *Graph) Snap(p orb.Point) (Snap, bool) {
	best := Snap{Node: -1, DistM: math.Inf(1)}
	g.index.Nearby(
		func(min, max [2]float64, n int32, item bool) float64 {
			if item {
				return geo.DistanceM(p, min)
			}
			return boxLowerM(p, min, max)
		},
		func(min, max [2]float64, n int32, d float64) bool {
			best = Snap{Node: int(n), DistM: d}
			return false
		},
	)
	return best, best.Node >= 0
}

// boxLowerM is a lower bound of the great-circle distance from p to any
// point of the box [min, max], so that Nearby visits nodes in order of true
// distance: the latitude gap alone is exact along a meridian; the longitude
// gap is scaled by the cosine of the box's or p's latitude farthest from the
// equator, less 5 % for the poleward bulge of great circles and the flat
// approximation over the few hundred kilometres that matter.
func boxLowerM(p orb.Point, min, max [2]float64) float64 {
	dLat := 0.0
	if p[1] < min[1] {
		dLat = min[1] - p[1]
	} else if p[1] > max[1] {
		dLat = p[1] - max[1]
	}
	dLon := 0.0
	if p[0] < min[0] {
		dLon = min[0] - p[0]
	} else if p[0] > max[0] {
		dLon = p[0] - max[0]
	}
	if dLon > 180 {
		dLon = 360 - dLon
	}
	far := math.Max(math.Max(math.Abs(min[1]), math.Abs(max[1])), math.Abs(p[1]))
	c := math.Cos(math.Min(far, 90) * math.Pi / 180)
	mPerDeg := geo.EarthRadiusM * math.Pi / 180
	x := dLon * mPerDeg * c * 0.95
	y := dLat * mPerDeg
	return math.Sqrt(x*x + y*y)
}
