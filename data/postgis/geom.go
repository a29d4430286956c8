package postgis

import (
	"encoding/binary"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// The product's geometry type is orb's; go-geom speaks PostGIS's EWKB
// (with SRID). These convert at the store's edge.

// toEWKB encodes g with SRID 4326; nil for a nil geometry (SQL NULL).
func toEWKB(g orb.Geometry) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	var t geom.T
	switch g := g.(type) {
	case orb.Point:
		t = geom.NewPointFlat(geom.XY, []float64{g[0], g[1]})
	case orb.MultiPoint:
		t = geom.NewMultiPointFlat(geom.XY, flatPoints(g))
	case orb.LineString:
		t = geom.NewLineStringFlat(geom.XY, flatPoints(g))
	case orb.MultiLineString:
		var flat []float64
		var ends []int
		for _, l := range g {
			flat = append(flat, flatPoints(l)...)
			ends = append(ends, len(flat))
		}
		t = geom.NewMultiLineStringFlat(geom.XY, flat, ends)
	case orb.Polygon:
		flat, ends := flatPolygon(nil, g)
		t = geom.NewPolygonFlat(geom.XY, flat, ends)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, nil
		}
		var flat []float64
		var endss [][]int
		for _, p := range g {
			var ends []int
			flat, ends = flatPolygon(flat, p)
			endss = append(endss, ends)
		}
		t = geom.NewMultiPolygonFlat(geom.XY, flat, endss)
	default:
		return nil, fmt.Errorf("geometry type %s is not stored", g.GeoJSONType())
	}
	t, err := geom.SetSRID(t, 4326)
	if err != nil {
		return nil, err
	}
	return ewkb.Marshal(t, binary.LittleEndian)
}

func flatPoints[T ~[]orb.Point](ps T) []float64 {
	out := make([]float64, 0, 2*len(ps))
	for _, p := range ps {
		out = append(out, p[0], p[1])
	}
	return out
}

func flatPolygon(flat []float64, p orb.Polygon) ([]float64, []int) {
	ends := make([]int, 0, len(p))
	for _, r := range p {
		flat = append(flat, flatPoints(r)...)
		ends = append(ends, len(flat))
	}
	return flat, ends
}

// fromEWKB decodes EWKB (or WKB) into orb; nil bytes give a nil geometry.
func fromEWKB(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	t, err := ewkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	return toOrb(t)
}

func toOrb(t geom.T) (orb.Geometry, error) {
	points := func(flat []float64, stride int) []orb.Point {
		out := make([]orb.Point, 0, len(flat)/stride)
		for i := 0; i+1 < len(flat); i += stride {
			out = append(out, orb.Point{flat[i], flat[i+1]})
		}
		return out
	}
	rings := func(flat []float64, start int, ends []int, stride int) orb.Polygon {
		p := make(orb.Polygon, 0, len(ends))
		for _, e := range ends {
			p = append(p, orb.Ring(points(flat[start:e], stride)))
			start = e
		}
		return p
	}
	s := t.Stride()
	switch g := t.(type) {
	case *geom.Point:
		c := g.FlatCoords()
		return orb.Point{c[0], c[1]}, nil
	case *geom.MultiPoint:
		return orb.MultiPoint(points(g.FlatCoords(), s)), nil
	case *geom.LineString:
		return orb.LineString(points(g.FlatCoords(), s)), nil
	case *geom.MultiLineString:
		var out orb.MultiLineString
		start := 0
		for _, e := range g.Ends() {
			out = append(out, orb.LineString(points(g.FlatCoords()[start:e], s)))
			start = e
		}
		return out, nil
	case *geom.Polygon:
		return rings(g.FlatCoords(), 0, g.Ends(), s), nil
	case *geom.MultiPolygon:
		out := make(orb.MultiPolygon, 0, len(g.Endss()))
		start := 0
		for _, ends := range g.Endss() {
			out = append(out, rings(g.FlatCoords(), start, ends, s))
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("geometry type %T is not read", t)
}
