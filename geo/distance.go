package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the mean Earth radius used for distances, in metres.
const EarthRadiusM = 6371008.8

// DistanceM returns the great-circle distance between a and b in metres.
func DistanceM(a, b orb.Point) float64 {
	la1, la2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dla := la2 - la1
	dlo := (b[0] - a[0]) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Offset returns the point at distance m metres from p towards bearing deg
// (clockwise from north), on a sphere.
func Offset(p orb.Point, m, deg float64) orb.Point {
	d := m / EarthRadiusM
	br := deg * math.Pi / 180
	la1 := p[1] * math.Pi / 180
	lo1 := p[0] * math.Pi / 180
	la2 := math.Asin(math.Sin(la1)*math.Cos(d) + math.Cos(la1)*math.Sin(d)*math.Cos(br))
	lo2 := lo1 + math.Atan2(math.Sin(br)*math.Sin(d)*math.Cos(la1), math.Cos(d)-math.Sin(la1)*math.Sin(la2))
	return orb.Point{lo2 * 180 / math.Pi, la2 * 180 / math.Pi}
}

// DegreesFor returns a longitude/latitude span that holds m metres around
// latitude lat, for building search boxes.
func DegreesFor(m, lat float64) (dLon, dLat float64) {
	dLat = m / 111320
	c := math.Cos(lat * math.Pi / 180)
	if c < 0.01 {
		c = 0.01
	}
	return dLat / c, dLat
}
