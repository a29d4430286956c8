package data

import "github.com/paulmach/orb"

// Generic vector layers imported from files or PostGIS: what the planner
// and the coverage evidence read beyond boundaries and places.
const (
	LayerSites    = "sites"    // administrative sites (points)
	LayerRoads    = "roads"    // road network (lines)
	LayerPoP      = "pop"      // fibre points of presence (points)
	LayerDeclared = "declared" // operators' declared coverage (polygons)
	LayerCells    = "cells"    // cell sites with their range (OpenCelliD and the like)
)

// Feature is one feature of a generic vector layer. Props hold JSON values
// (string, float64, bool, nil) so every store returns them alike.
type Feature struct {
	Layer string
	ID    string
	Props map[string]any
	Geom  orb.Geometry // EPSG:4326
}

// LayerSpeedTiles holds aggregated speed-test tiles (Ookla-style quadkey
// tiles with mean speeds, test and device counts).
const LayerSpeedTiles = "speedtiles"

// LayerKey names a scoped sublayer, e.g. LayerKey(LayerDeclared, "604-01",
// "4G") = "declared/604-01/4G": a file replaces only its own scope (one
// operator's declared 4G map leaves the others alone). Empty parts are
// left out.
func LayerKey(base string, parts ...string) string {
	k := base
	for _, p := range parts {
		if p != "" {
			k += "/" + p
		}
	}
	return k
}
