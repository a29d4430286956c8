package vector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// geojsonReader streams a FeatureCollection's "features" array one
// feature at a time with json.Decoder tokens, so memory follows the
// largest feature, not the file. A single Feature or a bare geometry is
// one feature. Members other than "features" are kept until the end
// ("crs" and "type" are checked; the others are small by nature).
type geojsonReader struct {
	dec     *json.Decoder
	closer  io.Closer
	name    string
	state   int // gjStart, gjFeatures, gjDone
	n       int
	members map[string]json.RawMessage
	sawList bool
}

const (
	gjStart = iota
	gjMembers
	gjFeatures
	gjDone
)

func newGeoJSON(r io.ReadCloser, name string) *geojsonReader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	return &geojsonReader{dec: json.NewDecoder(br), closer: r, name: name, members: map[string]json.RawMessage{}}
}

func (g *geojsonReader) Kind() Kind   { return KindGeoJSON }
func (g *geojsonReader) Close() error { return g.closer.Close() }

func (g *geojsonReader) Next() (Feature, error) {
	for {
		switch g.state {
		case gjDone:
			return Feature{}, io.EOF
		case gjStart:
			tok, err := g.dec.Token()
			if err != nil {
				return Feature{}, g.syntax(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return Feature{}, fileError(g.name, CodeFormat, "expected a JSON object (a FeatureCollection, Feature or geometry), found %v", describeToken(tok))
			}
			g.state = gjMembers
		case gjMembers:
			if err := g.members1(); err != nil {
				g.state = gjDone
				return Feature{}, err
			}
			if g.state == gjDone {
				return g.single()
			}
		case gjFeatures:
			if !g.dec.More() {
				if _, err := g.dec.Token(); err != nil { // ]
					return Feature{}, g.syntax(err)
				}
				g.state = gjMembers
				continue
			}
			var raw json.RawMessage
			if err := g.dec.Decode(&raw); err != nil {
				g.state = gjDone
				return Feature{}, g.syntax(err)
			}
			g.n++
			f, err := decodeFeature(raw)
			if err != nil {
				err.File, err.Ref, err.Line = g.name, fmt.Sprintf("feature %d", g.n), g.n
				return Feature{}, err
			}
			f.Ref, f.Line = fmt.Sprintf("feature %d", g.n), g.n
			return f, nil
		}
	}
}

// members1 reads top-level members up to the "features" array (state
// becomes gjFeatures) or the end of the object (gjDone).
func (g *geojsonReader) members1() error {
	for g.dec.More() {
		tok, err := g.dec.Token()
		if err != nil {
			return g.syntax(err)
		}
		key, _ := tok.(string)
		if key == "features" && !g.sawList {
			g.sawList = true
			tok, err := g.dec.Token()
			if err != nil {
				return g.syntax(err)
			}
			if tok == nil {
				continue // "features": null, an empty collection
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return fileError(g.name, CodeFormat, `expected "features" to be an array, found %v`, describeToken(tok))
			}
			if err := g.checkCRS(); err != nil {
				return err
			}
			g.state = gjFeatures
			return nil
		}
		var raw json.RawMessage
		if err := g.dec.Decode(&raw); err != nil {
			return g.syntax(err)
		}
		g.members[key] = raw
	}
	if _, err := g.dec.Token(); err != nil { // }
		return g.syntax(err)
	}
	if tok, err := g.dec.Token(); err != io.EOF {
		if err != nil {
			return g.syntax(err)
		}
		return fileError(g.name, CodeFormat, "expected the end of the file after the GeoJSON object, found %v", describeToken(tok))
	}
	g.state = gjDone
	return g.checkCRS()
}

// single returns the document as one feature when it held no "features".
func (g *geojsonReader) single() (Feature, error) {
	if g.sawList {
		return Feature{}, io.EOF
	}
	var typ string
	json.Unmarshal(g.members["type"], &typ)
	doc, err := json.Marshal(g.members)
	if err != nil {
		return Feature{}, fileError(g.name, CodeFormat, "could not rebuild the GeoJSON object: %v", err)
	}
	g.n = 1
	var f Feature
	var ferr *Error
	switch typ {
	case "FeatureCollection":
		return Feature{}, fileError(g.name, CodeFormat, `expected a FeatureCollection with a "features" array, found none`)
	case "Feature":
		f, ferr = decodeFeature(doc)
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		f.Props = map[string]any{}
		f.Geom, ferr = decodeGeometry(doc)
	default:
		return Feature{}, fileError(g.name, CodeFormat, "expected a FeatureCollection, Feature or geometry, found type %q", typ)
	}
	if ferr != nil {
		ferr.File, ferr.Ref, ferr.Line = g.name, "feature 1", 1
		return Feature{}, ferr
	}
	f.Ref, f.Line = "feature 1", 1
	return f, nil
}

var crs4326 = regexp.MustCompile(`(?i)^(urn:ogc:def:crs:)?(EPSG:+(6\.\d+:)?4326|OGC:(1\.3:)?CRS:?84|CRS:?84)$`)

// checkCRS accepts no "crs" member (RFC 7946), a null one, or one naming
// EPSG:4326 or CRS84.
func (g *geojsonReader) checkCRS() error {
	raw, ok := g.members["crs"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var crs struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
			Href string `json:"href"`
		} `json:"properties"`
	}
	json.Unmarshal(raw, &crs)
	name := strings.TrimSpace(crs.Properties.Name)
	if crs4326.MatchString(name) {
		return nil
	}
	found := name
	if found == "" {
		found = string(raw)
		if len(found) > 200 {
			found = found[:200] + "…"
		}
	}
	return &Error{File: g.name, Field: "crs", Value: found, Code: CodeCRS,
		Message: fmt.Sprintf("expected longitude/latitude in EPSG:4326 (or CRS84), found the CRS %s: reproject the file (e.g. ogr2ogr -t_srs EPSG:4326)", found)}
}

func (g *geojsonReader) syntax(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fileError(g.name, CodeFormat, "expected complete JSON, found the file cut short after %d features", g.n)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fileError(g.name, CodeFormat, "expected valid JSON, found a syntax error at byte %d (after %d features): %v", se.Offset, g.n, se)
	}
	return readError(g.name, err)
}

func describeToken(tok any) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return fmt.Sprintf("%q", t.String())
	case string:
		return fmt.Sprintf("the string %q", t)
	}
	return fmt.Sprintf("%v", tok)
}

// decodeFeature decodes one GeoJSON Feature with orb/geojson, after a
// strict look at its geometry (orb reads a position [] or [7.5] as 0).
func decodeFeature(raw json.RawMessage) (Feature, *Error) {
	var shape struct {
		Type     json.RawMessage `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return Feature{}, &Error{Code: CodeGeometry, Message: fmt.Sprintf("expected a Feature object, found %s", jsonKind(raw))}
	}
	if string(shape.Type) != `"Feature"` {
		return Feature{}, &Error{Code: CodeGeometry, Field: "type", Value: string(shape.Type),
			Message: fmt.Sprintf(`expected "type": "Feature", found %s`, orNothing(shape.Type))}
	}
	if len(shape.Geometry) > 0 && string(shape.Geometry) != "null" {
		if e := strictGeometry(shape.Geometry, 0); e != nil {
			return Feature{}, e
		}
	}
	gf, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return Feature{}, &Error{Code: CodeGeometry, Message: "expected a valid Feature, found: " + strings.TrimPrefix(err.Error(), "geojson: ")}
	}
	f := Feature{Props: make(map[string]any, len(gf.Properties)+1), Geom: gf.Geometry}
	for k, v := range gf.Properties {
		f.Props[k] = jsonValue(v)
	}
	if gf.ID != nil {
		f.Props["@id"] = jsonValue(gf.ID)
	}
	if e := checkGeometry(f.Geom); e != nil {
		return Feature{}, e
	}
	return f, nil
}

func decodeGeometry(raw json.RawMessage) (orb.Geometry, *Error) {
	if e := strictGeometry(raw, 0); e != nil {
		return nil, e
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, &Error{Code: CodeGeometry, Message: "expected a valid geometry, found: " + strings.TrimPrefix(err.Error(), "geojson: ")}
	}
	geom := g.Geometry()
	if e := checkGeometry(geom); e != nil {
		return nil, e
	}
	return geom, nil
}

// positionDepth is how deep positions sit in each type's coordinates.
var positionDepth = map[string]int{
	"Point": 1, "MultiPoint": 2, "LineString": 2, "MultiLineString": 3, "Polygon": 3, "MultiPolygon": 4,
}

// strictGeometry checks what orb lets through: a missing or null
// "coordinates", and positions of fewer than two numbers.
func strictGeometry(raw json.RawMessage, level int) *Error {
	var g struct {
		Type        string            `json:"type"`
		Coordinates json.RawMessage   `json:"coordinates"`
		Geometries  []json.RawMessage `json:"geometries"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return &Error{Code: CodeGeometry, Field: "geometry", Message: fmt.Sprintf("expected a geometry object, found %s", jsonKind(raw))}
	}
	if g.Type == "GeometryCollection" {
		if level > 8 {
			return &Error{Code: CodeGeometry, Field: "geometry", Message: "expected geometry collections nested at most 8 deep, found deeper"}
		}
		for _, c := range g.Geometries {
			if e := strictGeometry(c, level+1); e != nil {
				return e
			}
		}
		return nil
	}
	depth, ok := positionDepth[g.Type]
	if !ok {
		return &Error{Code: CodeGeometry, Field: "geometry", Value: g.Type,
			Message: fmt.Sprintf("expected a GeoJSON geometry type (Point, LineString, Polygon, their Multi forms or GeometryCollection), found %q", g.Type)}
	}
	if len(g.Coordinates) == 0 || string(g.Coordinates) == "null" {
		return &Error{Code: CodeGeometry, Field: "geometry", Message: fmt.Sprintf("expected coordinates for the %s, found none", g.Type)}
	}
	if bad, ok := shortPosition(g.Coordinates, depth); !ok {
		return &Error{Code: CodeCoordinate, Field: "geometry", Value: bad,
			Message: fmt.Sprintf("expected positions of a longitude and a latitude in the %s, found %s", g.Type, bad)}
	}
	return nil
}

// shortPosition scans JSON coordinates for an array at depth (a position)
// with fewer than two elements; it returns that array's text.
func shortPosition(coords []byte, depth int) (string, bool) {
	level, count, start := 0, 0, 0
	inString := false
	for i := 0; i < len(coords); i++ {
		c := coords[i]
		if inString {
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[':
			level++
			if level == depth {
				count, start = 0, i
			}
		case ']':
			if level == depth && count < 2 {
				return string(coords[start : i+1]), false
			}
			level--
		case ',':
			if level == depth {
				count++
			}
		case ' ', '\t', '\r', '\n':
		default:
			if level == depth && count == 0 {
				count = 1 // the first element
			}
		}
	}
	return "", true
}

func jsonKind(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func orNothing(raw []byte) string {
	if len(raw) == 0 {
		return "no type"
	}
	return string(raw)
}

// jsonValue turns a decoded JSON value into a property: string, float64,
// bool or nil as they are; objects and arrays as their compact JSON text.
func jsonValue(v any) any {
	switch v.(type) {
	case nil, string, float64, bool:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
