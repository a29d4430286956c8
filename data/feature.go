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
