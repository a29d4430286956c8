package vector

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// checkGeometry returns a per-feature error (without File and Ref) if g
// has a coordinate that is not a longitude/latitude in degrees, or a line
// or ring too short to be one. A nil geometry passes.
func checkGeometry(g orb.Geometry) *Error {
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return checkPoint(g)
	case orb.MultiPoint:
		return checkPoints(g)
	case orb.LineString:
		return checkLine(g)
	case orb.MultiLineString:
		for _, l := range g {
			if e := checkLine(l); e != nil {
				return e
			}
		}
		return nil
	case orb.Ring:
		return checkRing(g)
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			if e := checkPolygon(p); e != nil {
				return e
			}
		}
		return nil
	case orb.Collection:
		for _, c := range g {
			if e := checkGeometry(c); e != nil {
				return e
			}
		}
		return nil
	case orb.Bound:
		return checkPoints([]orb.Point{g.Min, g.Max})
	}
	return &Error{Code: CodeGeometry, Message: fmt.Sprintf("expected a point, line or polygon geometry, found %T", g)}
}

func checkLine(l orb.LineString) *Error {
	if len(l) < 2 {
		return &Error{Code: CodeGeometry, Message: fmt.Sprintf("expected a line of at least 2 points, found %d", len(l))}
	}
	return checkPoints(l)
}

func checkRing(r orb.Ring) *Error {
	if len(r) < 4 {
		return &Error{Code: CodeGeometry, Message: fmt.Sprintf("expected a polygon ring of at least 4 points, found %d", len(r))}
	}
	return checkPoints(r)
}

func checkPolygon(p orb.Polygon) *Error {
	if len(p) == 0 {
		return &Error{Code: CodeGeometry, Message: "expected a polygon with an outer ring, found an empty polygon"}
	}
	for _, r := range p {
		if e := checkRing(r); e != nil {
			return e
		}
	}
	return nil
}

func checkPoints(ps []orb.Point) *Error {
	for _, p := range ps {
		if e := checkPoint(p); e != nil {
			return e
		}
	}
	return nil
}

func checkPoint(p orb.Point) *Error {
	x, y := p[0], p[1]
	if x >= -180 && x <= 180 && y >= -90 && y <= 90 {
		return nil
	}
	e := &Error{Code: CodeCoordinate, Value: formatFloat(x) + " " + formatFloat(y)}
	switch {
	case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0):
		e.Message = fmt.Sprintf("expected a longitude and latitude in degrees, found (%s)", e.Value)
	case math.Abs(x) > 1000 || math.Abs(y) > 1000:
		e.Message = fmt.Sprintf("expected a longitude in [-180, 180] and latitude in [-90, 90], found (%s), "+
			"which looks like projected metres, not degrees: reproject the file to EPSG:4326", e.Value)
	default:
		e.Message = fmt.Sprintf("expected a longitude in [-180, 180] and latitude in [-90, 90], found (%s)", e.Value)
	}
	return e
}

func formatFloat(f float64) string {
	if math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
