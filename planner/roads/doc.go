// Package roads is a routable road graph for fibre planning: nodes at road
// junctions and line ends, undirected edges with their geodesic length in
// metres, road class and geometry; snapping of points to the nearest node;
// and Dijkstra shortest paths from one or several sources with reusable
// scratch space. It is pure: no storage, no HTTP.
//
// A graph comes from road lines ([FromFeatures]), from explicit nodes and
// edges ([New]), or, where no road data exists, from settlement points
// ([NewProxy]): a relative-neighbourhood graph whose edges are straight
// lines lengthened by a detour factor. Such a graph is a proxy for the road
// network, not roads: its Proxy field is true and its edges have class
// [ClassProxy], and everything built on it must say so.
//
// Coordinates are WGS84 longitude/latitude as orb.Point{lon, lat}; lengths
// are metres.
package roads
