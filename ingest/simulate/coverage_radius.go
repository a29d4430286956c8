package simulate

import (
	"math"

	"github.com/taghtia/taghtia/data"
)

// The simulator's radio model, exported for planning (new 4G sites for
// white zones): the same clutter classes, Hata path loss and link budget
// as the simulated measurements, so that a planned site's reach is the
// reach a simulated site has.

// Clutter is the land-use class that selects the model's path-loss
// correction, densest first.
type Clutter uint8

// The clutter classes of the model.
const (
	ClutterDenseUrban = Clutter(denseUrban) // ≥ 8,000 people/km²
	ClutterUrban      = Clutter(urban)      // ≥ 2,000 people/km²
	ClutterSuburban   = Clutter(suburban)   // ≥ 300 people/km²
	ClutterRural      = Clutter(rural)      // below, and off the population grid
)

// ClutterResolution is the H3 resolution whose cells give a point's
// population density: the model takes the density of the point's
// resolution-7 parent (~5.2 km²), the population of its populated
// children over its area.
const ClutterResolution = clutterRes

// ClutterOf returns the clutter class of a population density in people
// per km².
func ClutterOf(peoplePerKm2 float64) Clutter { return Clutter(clutterOf(peoplePerKm2)) }

// String names the class: dense_urban, urban, suburban or rural.
func (c Clutter) String() string {
	switch c {
	case ClutterDenseUrban:
		return "dense_urban"
	case ClutterUrban:
		return "urban"
	case ClutterSuburban:
		return "suburban"
	case ClutterRural:
		return "rural"
	}
	return "Clutter(?)"
}

// modelTech returns the index of t in the model, false for a technology
// it does not simulate (5G).
func modelTech(t data.Tech) (int, bool) {
	for i, tp := range techs {
		if tp.tech == t {
			return i, true
		}
	}
	return 0, false
}

// LinkBudgetDBm returns the EIRP of technology t's reference signal
// (transmit power plus antenna gain less feeder loss), in dBm: the
// median signal at distance d is LinkBudgetDBm − PathLossDB(d). It is
// −Inf for a technology the model does not simulate (5G).
func LinkBudgetDBm(t data.Tech) float64 {
	i, ok := modelTech(t)
	if !ok {
		return math.Inf(-1)
	}
	return techs[i].refDBm + antennaGainDBi - feederLossDB
}

// PathLossDB returns the model's median path loss in dB at dKm kilometres
// for technology t in clutter c (distances below 50 m count as 50 m);
// +Inf for a technology the model does not simulate or an unknown class.
func PathLossDB(t data.Tech, c Clutter, dKm float64) float64 {
	i, ok := modelTech(t)
	if !ok || c > ClutterRural {
		return math.Inf(1)
	}
	pl := newPathLoss()
	return pl.loss(i, clutter(c), dKm)
}

// CoverageRadiusKm returns the distance in km at which the median outdoor
// signal of a site of technology t falls to targetDBm in clutter c: the d
// solving LinkBudgetDBm(t) − PathLossDB(t, c, d) = targetDBm. The median
// carries no shadowing or fast fading (both have zero median in dB) and
// no indoor or vehicle loss. The radius is capped at the model's 35 km
// server range, and is 0 when even a receiver next to the site (50 m)
// sees less than the target, or for a technology or class the model does
// not have. For 4G and the "good" threshold of −105 dBm it is about
// 0.7 km in dense urban, 0.9 km urban, 1.9 km suburban and 5.1 km rural
// clutter.
func CoverageRadiusKm(t data.Tech, c Clutter, targetDBm float64) float64 {
	i, ok := modelTech(t)
	if !ok || c > ClutterRural || math.IsNaN(targetDBm) {
		return 0
	}
	pl := newPathLoss()
	budget := LinkBudgetDBm(t) - targetDBm // loss the link can afford
	if budget < pl.loss(i, clutter(c), minDistKm) {
		return 0
	}
	d := math.Pow(10, (budget-pl.a[i][c])/pl.b)
	return min(max(d, minDistKm), maxServerKm)
}
