package vector

import (
	"bytes"
	"io"

	"github.com/paulmach/orb"
)

// Hooks for the black-box tests and fuzzers.

// DecodeGPKGGeometry exposes the GeoPackage binary decoder.
func DecodeGPKGGeometry(b []byte) (orb.Geometry, error) {
	g, e := decodeGPKGGeometry(b)
	if e != nil {
		return nil, e
	}
	return g, nil
}

// NewGeoJSONReader reads GeoJSON from memory.
func NewGeoJSONReader(b []byte) Reader {
	return &guard{r: newGeoJSON(io.NopCloser(bytes.NewReader(b)), "fuzz.geojson"), file: "fuzz.geojson", max: DefaultMaxFeatures}
}

// NewCSVReader reads CSV from memory.
func NewCSVReader(b []byte, opt Options) (Reader, error) {
	r, err := newCSV(io.NopCloser(bytes.NewReader(b)), "fuzz.csv", opt)
	if err != nil {
		return nil, err
	}
	return &guard{r: r, file: "fuzz.csv", max: DefaultMaxFeatures}, nil
}

// OpenShapefile opens an unzipped Shapefile (shp, dbf in dir).
func OpenShapefile(shpPath string, files []string) (Reader, error) {
	r, err := openShapefile(shpPath, files, "fuzz.shp", Options{Limits: Limits{}.withDefaults()})
	if err != nil {
		return nil, err
	}
	return &guard{r: r, file: "fuzz.shp", max: DefaultMaxFeatures}, nil
}
