package vector_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/taghtia/taghtia/ingest/vector"
)

func TestGeoJSONCollection(t *testing.T) {
	// "features" before "type" and "crs"; ids; a nested property; a null geometry.
	doc := `{"features": [
	  {"type": "Feature", "id": "c1", "geometry": {"type": "Point", "coordinates": [-7.62, 33.59]},
	   "properties": {"name": "Casablanca", "pop": 3359818, "capital": false, "tags": ["port", "city"], "note": null}},
	  {"type": "Feature", "id": 7, "geometry": null, "properties": null},
	  {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[-7,33],[-6,33],[-6,34],[-7,33]]]}, "properties": {}}
	 ],
	 "type": "FeatureCollection",
	 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}`
	kind, res, err := openAll(t, writeFile(t, t.TempDir(), "communes.geojson", []byte("\xef\xbb\xbf"+doc)), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kind != vector.KindGeoJSON {
		t.Errorf("Kind = %s, want geojson", kind)
	}
	want := []vector.Feature{
		{Ref: "feature 1", Line: 1, Geom: orb.Point{-7.62, 33.59}, Props: map[string]any{
			"@id": "c1", "name": "Casablanca", "pop": 3359818.0, "capital": false, "tags": `["port","city"]`, "note": nil}},
		{Ref: "feature 2", Line: 2, Props: map[string]any{"@id": 7.0}},
		{Ref: "feature 3", Line: 3, Geom: orb.Polygon{{{-7, 33}, {-6, 33}, {-6, 34}, {-7, 33}}}, Props: map[string]any{}},
	}
	if !reflect.DeepEqual(res.features, want) {
		t.Errorf("got  %#v\nwant %#v", res.features, want)
	}
	if len(res.problems) != 0 {
		t.Errorf("problems: %v", res.problems)
	}
}

func TestGeoJSONSingle(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want vector.Feature
	}{
		{"feature", `{"type":"Feature","properties":{"a":1},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`,
			vector.Feature{Ref: "feature 1", Line: 1, Props: map[string]any{"a": 1.0}, Geom: orb.LineString{{0, 0}, {1, 1}}}},
		{"bare geometry", `{"coordinates":[-5.8,35.77],"type":"Point"}`,
			vector.Feature{Ref: "feature 1", Line: 1, Props: map[string]any{}, Geom: orb.Point{-5.8, 35.77}}},
		{"collection", `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}`,
			vector.Feature{Ref: "feature 1", Line: 1, Props: map[string]any{}, Geom: orb.Collection{orb.Point{1, 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res, err := openAll(t, writeFile(t, t.TempDir(), "one.json", []byte(tt.doc)), vector.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.features) != 1 || !reflect.DeepEqual(res.features[0], tt.want) {
				t.Errorf("got %#v, want %#v", res.features, tt.want)
			}
		})
	}
}

func TestGeoJSONBadFeatureContinues(t *testing.T) {
	doc := `{"type":"FeatureCollection","features":[
	  {"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[7.5]}},
	  {"type":"Feature","properties":{"n":2},"geometry":{"type":"Pointy","coordinates":[1,2]}},
	  {"type":"Feature","properties":{"n":3},"geometry":{"type":"Point","coordinates":[500000,3700000]}},
	  {"type":"Feature","properties":{"n":4},"geometry":{"type":"LineString","coordinates":[[1,2]]}},
	  {"type":"Feature","properties":{"n":5},"geometry":{"type":"Point","coordinates":"x"}},
	  "not a feature",
	  {"type":"Feature","properties":{"n":7},"geometry":{"type":"Point","coordinates":[-7.6,33.5]}}
	]}`
	_, res, err := openAll(t, writeFile(t, t.TempDir(), "bad.geojson", []byte(doc)), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.features) != 1 || res.features[0].Props["n"] != 7.0 || res.features[0].Ref != "feature 7" {
		t.Errorf("features = %v, want only n=7 as feature 7", res.features)
	}
	wantCodes := []string{"E_COORDINATE", "E_GEOMETRY", "E_COORDINATE", "E_GEOMETRY", "E_GEOMETRY", "E_GEOMETRY"}
	var got []string
	for i, p := range res.problems {
		got = append(got, p.Code)
		if p.Line != i+1 || p.Ref != fmt.Sprintf("feature %d", i+1) || p.File != "bad.geojson" {
			t.Errorf("problem %d: Line %d Ref %q File %q", i, p.Line, p.Ref, p.File)
		}
	}
	if !reflect.DeepEqual(got, wantCodes) {
		t.Errorf("codes = %v, want %v", got, wantCodes)
	}
	if len(res.problems) > 2 && !strings.Contains(res.problems[2].Message, "projected metres") {
		t.Errorf("message %q should say projected metres", res.problems[2].Message)
	}
}

func TestGeoJSONFatal(t *testing.T) {
	tests := []struct {
		name, doc, code string
		features        int // read before the error
	}{
		{"crs first", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:26191"}},"features":[{"type":"Feature","geometry":null,"properties":{}}]}`, "E_CRS", 0},
		{"crs last", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}}],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32629"}}}`, "E_CRS", 1},
		{"truncated", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}},{"type":`, "E_FORMAT", 1},
		{"syntax", `{"type":"FeatureCollection","features":[{"type":"Feature",,}]}`, "E_FORMAT", 0},
		{"array", `[{"type":"Feature"}]`, "E_FORMAT", 0},
		{"no features", `{"type":"FeatureCollection"}`, "E_FORMAT", 0},
		{"trailing", `{"type":"Point","coordinates":[1,2]} {"geometry":1}`, "E_FORMAT", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vector.NewGeoJSONReader([]byte(tt.doc))
			res, err := readAll(t, r)
			wantCode(t, err, tt.code)
			if len(res.features) != tt.features {
				t.Errorf("read %d features before the error, want %d", len(res.features), tt.features)
			}
		})
	}
}

func TestGeoJSONCRSAccepted(t *testing.T) {
	for _, name := range []string{"EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS84"} {
		doc := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"` + name + `"}},"features":[]}`
		if _, err := readAll(t, vector.NewGeoJSONReader([]byte(doc))); err != nil {
			t.Errorf("crs %s: %v", name, err)
		}
	}
}

func TestGeoJSONGzip(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range 1000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"i":%d},"geometry":{"type":"Point","coordinates":[-7.%03d,33.5]}}`, i, i)
	}
	b.WriteString("]}")
	kind, res, err := openAll(t, writeFile(t, t.TempDir(), "points.bin", gzipBytes(t, b.Bytes())), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kind != vector.KindGeoJSON || len(res.features) != 1000 {
		t.Fatalf("kind %s, %d features; want geojson, 1000", kind, len(res.features))
	}
	if got := res.features[999]; got.Props["i"] != 999.0 || got.Geom != (orb.Point{-7.999, 33.5}) {
		t.Errorf("last feature = %v", got)
	}
}

func TestTooManyFeatures(t *testing.T) {
	doc := `{"type":"FeatureCollection","features":[` + strings.Repeat(`{"type":"Feature","geometry":null,"properties":{}},`, 3) + `{"type":"Feature","geometry":null,"properties":{}}]}`
	_, res, err := openAll(t, writeFile(t, t.TempDir(), "many.geojson", []byte(doc)), vector.Options{Limits: vector.Limits{MaxFeatures: 2}})
	wantCode(t, err, "E_TOO_MANY_FEATURES")
	if len(res.features) != 2 {
		t.Errorf("read %d features, want 2", len(res.features))
	}
}
