package vector_test

import (
	"testing"

	"github.com/taghtia/taghtia/ingest/vector"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head string
		want vector.Kind
	}{
		{"zip of a shapefile", "PK\x03\x04" + string(make([]byte, 22)) + "\x0c\x00\x00\x00communes.shp", vector.KindShapefileZip},
		{"zip of something else", "PK\x03\x04" + string(make([]byte, 22)) + "\x0c\x00\x00\x00communes.csv", vector.KindZip},
		{"geopackage", "SQLite format 3\x00rest", vector.KindGPKG},
		{"gzip", "\x1f\x8b\x08\x00", vector.KindGzip},
		{"parquet", "PAR1\x15\x04", vector.KindParquet},
		{"feature collection", `{"type":"FeatureCollection","features":[]}`, vector.KindGeoJSON},
		{"features first, with BOM", "\xef\xbb\xbf \n {\"features\":[{\"type\":\"Feature\"", vector.KindGeoJSON},
		{"bare geometry", `{"type":"Point","coordinates":[-7.6,33.5]}`, vector.KindGeoJSON},
		{"other JSON", `{"name":"x"}`, vector.KindUnknown},
		{"csv comma", "id,lon,lat\n1,-7.6,33.5\n", vector.KindCSV},
		{"csv semicolon", "nom;longitude;latitude\r\nCasa;-7,6;33,5\r\n", vector.KindCSV},
		{"csv tab", "a\tb\n", vector.KindCSV},
		{"csv wkt only", "WKT\n\"POINT (1 2)\"\n", vector.KindCSV},
		{"one word", "hello\n", vector.KindUnknown},
		{"binary", "\x00\x01\x02,\x03\n", vector.KindUnknown},
		{"empty", "", vector.KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vector.Sniff([]byte(tt.head)); got != tt.want {
				t.Errorf("Sniff(%q) = %s, want %s", tt.head, got, tt.want)
			}
		})
	}
}
