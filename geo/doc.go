// Package geo holds Taghtia's pure geometry: the H3 hexagon grid, distances,
// and point-in-area lookup over reference polygons. It does no I/O.
//
// Coordinates are WGS84 longitude/latitude as orb.Point{lon, lat}.
package geo
