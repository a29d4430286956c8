package vector_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/taghtia/taghtia/ingest/vector"
)

func TestCSVLonLat(t *testing.T) {
	// BOM, semicolons, decimal commas, a quoted cell, upper-case names.
	data := "\xef\xbb\xbfnom;Longitude;LATITUDE;op\r\n" +
		"Casablanca;-7,6189;33,5731;\"IAM; Orange\"\r\n" +
		"Tanger;-5.8340;35.7595;inwi\r\n"
	kind, res, err := openAll(t, writeFile(t, t.TempDir(), "sites.txt", []byte(data)), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []vector.Feature{
		{Ref: "line 2", Line: 2, Geom: orb.Point{-7.6189, 33.5731}, Props: map[string]any{"nom": "Casablanca", "op": "IAM; Orange"}},
		{Ref: "line 3", Line: 3, Geom: orb.Point{-5.834, 35.7595}, Props: map[string]any{"nom": "Tanger", "op": "inwi"}},
	}
	if kind != vector.KindCSV || !reflect.DeepEqual(res.features, want) {
		t.Errorf("kind %s, got %#v\nwant %#v", kind, res.features, want)
	}
}

func TestCSVWKT(t *testing.T) {
	data := "id,geom\n" +
		"1,\"POLYGON ((-7 33, -6 33, -6 34, -7 33))\"\n" +
		"2,SRID=4326;POINT (-7.5 33.1)\n" +
		"3,\n" +
		"4,POINT EMPTY\n" +
		"5,\"LINESTRING (1 2\"\n"
	_, res, err := openAll(t, writeFile(t, t.TempDir(), "zones.csv", []byte(data)), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []vector.Feature{
		{Ref: "line 2", Line: 2, Geom: orb.Polygon{{{-7, 33}, {-6, 33}, {-6, 34}, {-7, 33}}}, Props: map[string]any{"id": "1"}},
		{Ref: "line 3", Line: 3, Geom: orb.Point{-7.5, 33.1}, Props: map[string]any{"id": "2"}},
		{Ref: "line 4", Line: 4, Props: map[string]any{"id": "3"}},
		{Ref: "line 5", Line: 5, Props: map[string]any{"id": "4"}},
	}
	if !reflect.DeepEqual(res.features, want) {
		t.Errorf("got %#v\nwant %#v", res.features, want)
	}
	if len(res.problems) != 1 || res.problems[0].Code != "E_GEOMETRY" || res.problems[0].Line != 6 || res.problems[0].Field != "geom" {
		t.Errorf("problems = %v, want E_GEOMETRY at line 6, field geom", res.problems)
	}
}

func TestCSVBadCoordinateContinues(t *testing.T) {
	data := "site,lon,lat\n" +
		"a,-7.6,33.5\n" +
		"b,abc,33.5\n" +
		"c,-7.6,\n" +
		"d,300000,3700000\n" +
		"e,-7.6,95\n" +
		"f,\"bad\"quote,1\n" +
		"g,-8.0,31.6\n"
	_, res, err := openAll(t, writeFile(t, t.TempDir(), "sites.csv", []byte(data)), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.features) != 2 || res.features[0].Props["site"] != "a" || res.features[1].Props["site"] != "g" || res.features[1].Line != 8 {
		t.Errorf("features = %v, want a and g (line 8)", res.features)
	}
	type prob struct {
		line         int
		code, field  string
		value, words string
	}
	want := []prob{
		{3, "E_COORDINATE", "lon", "abc", "longitude"},
		{4, "E_COORDINATE", "lat", "", "empty"},
		{5, "E_COORDINATE", "lon", "300000", "projected metres"},
		{6, "E_COORDINATE", "lat", "95", "latitude in [-90, 90]"},
		{7, "E_ROW", "", "", "quote"},
	}
	if len(res.problems) != len(want) {
		t.Fatalf("problems = %v, want %d", res.problems, len(want))
	}
	for i, w := range want {
		p := res.problems[i]
		if p.Line != w.line || p.Code != w.code || p.Field != w.field || p.Value != w.value || !strings.Contains(p.Message, w.words) {
			t.Errorf("problem %d = %+v, want %+v", i, *p, w)
		}
	}
}

func TestCSVColumns(t *testing.T) {
	tests := []struct {
		name, data string
		opt        vector.Options
		code       string // "" = reads
	}{
		{"x y", "X,Y,v\n1,2,a\n", vector.Options{}, ""},
		{"named", "e,n\n1,2\n", vector.Options{LonColumn: "E", LatColumn: "n"}, ""},
		{"named missing", "e,n\n1,2\n", vector.Options{LonColumn: "lon", LatColumn: "n"}, "E_FORMAT"},
		{"half named", "e,n\n1,2\n", vector.Options{LonColumn: "e"}, "E_FORMAT"},
		{"none", "a,b\n1,2\n", vector.Options{}, "E_FORMAT"},
		{"wkt named", "a,shape\n1,POINT (1 2)\n", vector.Options{WKTColumn: "shape"}, ""},
		{"ewkt other srid", "wkt\nSRID=26191;POINT (1 2)\n", vector.Options{}, "E_CRS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := vector.NewCSVReader([]byte(tt.data), tt.opt)
			if err == nil {
				var res result
				res, err = readAll(t, r)
				if err == nil && len(res.features) != 1 {
					t.Errorf("features = %v, want 1", res.features)
				}
			}
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code)
		})
	}
}
