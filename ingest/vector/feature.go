// Package vector reads vector files — GeoJSON, GeoPackage, zipped
// Shapefile and CSV with coordinate columns — into a stream of features
// with their properties, in EPSG:4326, for the layer mappers of package
// ingest (declared coverage, reference layers).
package vector

import "github.com/paulmach/orb"

// Feature is one feature as read from a file, before it is mapped to a
// layer.
type Feature struct {
	// Ref says where the feature is in its file, for messages: "feature 12"
	// (GeoJSON, 1-based), "row 7 of table communes" (GeoPackage), "record 3"
	// (Shapefile), "line 5" (CSV).
	Ref string
	// Line is the CSV line or the 1-based feature/record number.
	Line int
	// Props are the feature's attributes as JSON values: string, float64,
	// bool or nil. Attribute names keep the file's spelling.
	Props map[string]any
	// Geom is nil when the feature has no geometry.
	Geom orb.Geometry
}
