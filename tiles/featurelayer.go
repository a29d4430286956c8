package tiles

import (
	"crypto/md5"
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/data"
)

// The generic feature layers (disputes, declared coverage) keep their
// properties as JSON values (see data.Feature); these are the rules by
// which both renderers turn them into tile features.

// FeatureID is the feature id of a generic feature: its id read as a
// decimal number when it is 1 to 18 ASCII digits ("000042" is 42), else
// the first 60 bits of the MD5 of the id with bit 60 set, so a hashed id
// never meets a decimal one (those are below 10^18 < 2^60).
func FeatureID(id string) uint64 {
	if n := len(id); n >= 1 && n <= 18 && strings.Trim(id, "0123456789") == "" {
		v, _ := strconv.ParseUint(id, 10, 64)
		return v
	}
	h := md5.Sum([]byte(id))
	return binary.BigEndian.Uint64(h[:8])>>4 | 1<<60
}

// DisputeID is the feature id of a dispute: the H3 index that ends its id
// (after the last '-': "D-604-01-4G-" + the smallest cell) read as
// hexadecimal, so it is the smallest cell's index as a zone's FID is.
// When the id does not end in 1 to 16 hexadecimal digits of at most 63
// bits, it is FeatureID(id).
func DisputeID(id string) uint64 {
	s := id[strings.LastIndexByte(id, '-')+1:]
	if len(s) >= 1 && len(s) <= 16 {
		if v, err := strconv.ParseUint(s, 16, 63); err == nil {
			return v
		}
	}
	return FeatureID(id)
}

// Bounds beyond which a JSON number is left out of the tile rather than
// overflow an integer or a float4 (PostGIS would fail the tile).
const (
	maxIntProp   = 9e18
	maxFloatProp = 1e38
)

// jsonProps copies JSON properties of a feature into tile properties by
// kind; a property missing or of another JSON type is left out.
type jsonProps struct {
	from map[string]any
	to   geojson.Properties
}

func (p jsonProps) str(k string) {
	if v, ok := p.from[k].(string); ok {
		p.to[k] = v
	}
}

// integer writes a number truncated towards zero, as Int.
func (p jsonProps) integer(k string) {
	if v, ok := p.from[k].(float64); ok && math.Abs(v) < maxIntProp {
		p.to[k] = Int(int64(v))
	}
}

// float4 writes a number as a float32 (an MVT float_value).
func (p jsonProps) float4(k string) {
	if v, ok := p.from[k].(float64); ok && math.Abs(v) < maxFloatProp {
		p.to[k] = float32(v)
	}
}

// DisputeProps are the tile properties of a feature of
// data.LayerDisputes (see data.Dispute.Feature): id (the dispute id),
// mcc_mnc, tech, declared, measured and region as strings, samples,
// devices and population as integers (Int), confidence as a float32.
// The cells and communes lists stay out of tiles (the API has them).
func DisputeProps(f data.Feature) geojson.Properties {
	p := jsonProps{from: f.Props, to: geojson.Properties{"id": f.ID}}
	for _, k := range []string{"mcc_mnc", "tech", "declared", "measured", "region"} {
		p.str(k)
	}
	for _, k := range []string{"samples", "devices", "population"} {
		p.integer(k)
	}
	p.float4("confidence")
	return p.to
}

// DeclaredProps are the tile properties of a declared-coverage feature
// (see ingest.MapDeclared): level (very_good, good or limited) and
// source_ref (where the polygon was in its file), as strings. The
// operator and technology are the layer's own; the file's other
// attributes stay out of tiles.
func DeclaredProps(f data.Feature) geojson.Properties {
	p := jsonProps{from: f.Props, to: geojson.Properties{}}
	p.str("level")
	p.str("source_ref")
	return p.to
}

// PlanProps are the tile properties of a feature of a scenario run's
// routes or assignments (see data.ScenarioRun): site, kind, tech, name,
// zone, host and region as strings; population, covered and new_sites as
// integers (Int); new_km, shared_km and cost_mad as float32.
func PlanProps(f data.Feature) geojson.Properties {
	return planProps(f, PlanStrings, PlanIntegers, PlanFloats)
}

// PlanBriefProps are the properties of a plan route or site point below
// PlanDetailZoom: kind, tech and zone as strings, population as an
// integer (a route has none of them). At national zooms thousands of
// sites and routes share a tile, and their names, ids and costs (unique
// values) made it a megabyte; the map shows details from PlanDetailZoom.
func PlanBriefProps(f data.Feature) geojson.Properties {
	return planProps(f, PlanBriefStrings, PlanBriefIntegers, nil)
}

func planProps(f data.Feature, strs, ints, floats []string) geojson.Properties {
	p := jsonProps{from: f.Props, to: geojson.Properties{}}
	for _, k := range strs {
		p.str(k)
	}
	for _, k := range ints {
		p.integer(k)
	}
	for _, k := range floats {
		p.float4(k)
	}
	return p.to
}

// The properties PlanProps and PlanBriefProps copy, by kind.
var (
	PlanStrings       = []string{"site", "kind", "tech", "name", "zone", "host", "region"}
	PlanIntegers      = []string{"population", "covered", "new_sites"}
	PlanFloats        = []string{"new_km", "shared_km", "cost_mad"}
	PlanBriefStrings  = []string{"kind", "tech", "zone"}
	PlanBriefIntegers = []string{"population"}
)

// Lineal reports whether g is a line string or multi line string.
func Lineal(g orb.Geometry) bool {
	switch g.(type) {
	case orb.LineString, orb.MultiLineString:
		return true
	}
	return false
}

// Punctual reports whether g is a point.
func Punctual(g orb.Geometry) bool {
	_, ok := g.(orb.Point)
	return ok
}

// Polygonal reports whether g is a polygon or multipolygon: the feature
// layers draw only those.
func Polygonal(g orb.Geometry) bool {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	}
	return false
}
