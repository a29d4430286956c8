package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// SignedArea is the surveyor's-formula area of a ring in its own
// coordinates. In tile coordinates (y down) MVT v2 wants exterior rings
// positive and holes negative.
func SignedArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	if n := len(r); n > 0 && r[0] != r[n-1] {
		s += r[n-1][0]*r[0][1] - r[0][0]*r[n-1][1]
	}
	return s / 2
}

// roundAndRewind snaps tile coordinates to integers as the encoder will,
// drops repeated points, rings that collapse and line parts of no length, and rewinds rings: exterior
// positive, holes negative. It returns nil for a geometry with nothing left.
func roundAndRewind(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		p := fixPolygon(g)
		if p == nil {
			return nil
		}
		return p
	case orb.MultiPolygon:
		out := g[:0]
		for _, p := range g {
			if fp := fixPolygon(p); fp != nil {
				out = append(out, fp)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case orb.LineString:
		if l := snapLine(g); l != nil {
			return l
		}
		return nil
	case orb.MultiLineString:
		// Clipping leaves a zero-length part where a line touches the
		// buffer edge: drop it (ST_AsMVTGeom does).
		out := g[:0]
		for _, l := range g {
			if sl := snapLine(l); sl != nil {
				out = append(out, sl)
			}
		}
		switch len(out) {
		case 0:
			return nil
		case 1:
			return out[0]
		}
		return out
	}
	return g
}

// snapLine snaps a line's points to integers and drops repeated ones; nil
// when fewer than two remain.
func snapLine(l orb.LineString) orb.LineString {
	out := snapPoints(l)
	if len(out) < 2 {
		return nil
	}
	return out
}

// snapPoints rounds pts to integers, dropping repeated points.
func snapPoints(pts []orb.Point) []orb.Point {
	out := make([]orb.Point, 0, len(pts))
	for _, pt := range pts {
		q := orb.Point{math.Round(pt[0]), math.Round(pt[1])}
		if n := len(out); n > 0 && out[n-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

func fixPolygon(p orb.Polygon) orb.Polygon {
	out := make(orb.Polygon, 0, len(p))
	for i, r := range p {
		r = snapRing(r)
		if len(r) < 4 {
			if i == 0 {
				return nil // no exterior, no polygon
			}
			continue
		}
		a := SignedArea(r)
		if a == 0 {
			if i == 0 {
				return nil
			}
			continue
		}
		if (i == 0) != (a > 0) {
			r.Reverse()
		}
		out = append(out, r)
	}
	return out
}

func snapRing(r orb.Ring) orb.Ring {
	out := orb.Ring(snapPoints(r))
	if n := len(out); n > 1 && out[0] != out[n-1] {
		out = append(out, out[0])
	}
	return out
}
