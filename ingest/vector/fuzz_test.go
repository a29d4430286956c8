package vector_test

import (
	"errors"
	"io"
	"testing"

	shp "github.com/jonas-p/go-shp"
	"github.com/paulmach/orb"

	"github.com/taghtia/taghtia/ingest/vector"
)

// checkStream reads r to the end and checks what any reader must hold:
// it ends within limit calls, returned features have valid coordinates
// and JSON-valued properties, and errors carry a code and a message.
func checkStream(t *testing.T, r vector.Reader, limit int) {
	prevLine := 0
	for i := 0; ; i++ {
		if i > limit {
			t.Fatalf("no end after %d calls to Next", i)
		}
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var ve *vector.Error
		if err != nil {
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is %T, want *vector.Error", err, err)
			}
			if ve.Code == "" || ve.Message == "" {
				t.Fatalf("error without code or message: %#v", ve)
			}
			if ve.Fatal() {
				return
			}
			continue
		}
		if !validCoords(f.Geom) {
			t.Fatalf("feature %s has coordinates outside lon/lat: %v", f.Ref, f.Geom)
		}
		if f.Props == nil {
			t.Fatalf("feature %s has nil Props", f.Ref)
		}
		for k, v := range f.Props {
			switch v.(type) {
			case nil, string, float64, bool:
			default:
				t.Fatalf("property %s is %T", k, v)
			}
		}
		if f.Line <= prevLine || f.Ref == "" {
			t.Fatalf("feature line %d after %d, ref %q", f.Line, prevLine, f.Ref)
		}
		prevLine = f.Line
	}
}

func FuzzGeoJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{"a":[1,{"b":2}]},"geometry":{"type":"Point","coordinates":[-7.6,33.5]}}]}`,
		`{"features":[{"type":"Feature","properties":null,"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}],"type":"FeatureCollection"}`,
		`{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[0,0],[1,1]]}]}}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[]]}`,
		`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[1,"x",{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,2]}}]}`,
		"\xef\xbb\xbf{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStream(t, vector.NewGeoJSONReader(data), len(data)+2)
	})
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"id,lon,lat\n1,-7.6,33.5\n2,abc,1\n3,-200,1\n",
		"nom;longitude;latitude\r\nCasa;-7,6;33,5\r\n",
		"wkt\tname\nPOINT (1 2)\tx\n\"POLYGON ((0 0, 1 0, 1 1, 0 0))\"\ty\nLINESTRING (1 2)\tz\n",
		"\xef\xbb\xbfx,y\n1,2,3,4\n5\n\"a\"b,1\n",
		"geom\nSRID=4326;MULTIPOINT ((1 2), (3 4))\nGEOMETRYCOLLECTION (POINT (1 2))\nPOINT EMPTY\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := vector.NewCSVReader(data, vector.Options{})
		if err != nil {
			var ve *vector.Error
			if !errors.As(err, &ve) || !ve.Fatal() {
				t.Fatalf("open error %v (%T), want a fatal *vector.Error", err, err)
			}
			return
		}
		checkStream(t, r, len(data)+2)
	})
}

func FuzzGPKGGeometry(f *testing.F) {
	for _, g := range []orb.Geometry{
		orb.Point{-7.6, 33.5},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.LineString{{0, 0}, {1, 1}},
		orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}},
		square,
		orb.MultiPolygon{square, square},
		orb.Collection{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}},
	} {
		f.Add(gpkgBlob(f, g, 4326))
	}
	f.Add(pointZ(-5.5, 34.2, 400))
	f.Add([]byte("GP\x00\x11\xe6\x10\x00\x00"))
	f.Add([]byte("GP\x00\x01\x00\x00\x10\xe6\x01\xd1\x07\x00\x00\x00\x00\x00\x00\x00\x00\xf0?\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x08@\x00\x00\x00\x00\x00\x00\x10@"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := vector.DecodeGPKGGeometry(data)
		if err != nil {
			var ve *vector.Error
			if !errors.As(err, &ve) || ve.Fatal() || ve.Message == "" {
				t.Fatalf("error %v (%T), want a per-feature *vector.Error", err, err)
			}
			return
		}
		if g == nil {
			return
		}
		if !validCoords(g) {
			t.Fatalf("coordinates outside lon/lat: %v", g)
		}
		again, err := vector.DecodeGPKGGeometry(gpkgBlob(t, g, 4326))
		if err != nil || !orb.Equal(g, again) {
			t.Fatalf("round trip: %v became %v (%v)", g, again, err)
		}
	})
}

func FuzzShapefile(f *testing.F) {
	dir := f.TempDir()
	files := writeShapefile(f, dir, "seed", []shpRecord{
		{rings: [][]shp.Point{outerCW, holeCCW}, attrs: []any{"Rabat", 577827, 1234.5, "T", "20240503"}},
		{rings: [][]shp.Point{islandCW, outerCW}, attrs: []any{"Fès", 1, 9.25, "F", ""}},
	})
	f.Add(readFile(f, files[0]), readFile(f, files[2]))
	f.Fuzz(func(t *testing.T, shpData, dbfData []byte) {
		dir := t.TempDir()
		shpPath := writeFile(t, dir, "f.shp", shpData)
		dbfPath := writeFile(t, dir, "f.dbf", dbfData)
		r, err := vector.OpenShapefile(shpPath, []string{shpPath, dbfPath})
		if err != nil {
			var ve *vector.Error
			if errors.As(err, &ve) && !ve.Fatal() {
				t.Fatalf("open returned a per-feature error %v", err)
			}
			return
		}
		defer r.Close()
		checkStream(t, r, len(shpData)/8+2)
	})
}
