// Package tiles serves Taghtia's layers as Mapbox Vector Tiles: tile math,
// in-memory spatial indexes over the stored layers, MVT v2 encoding with
// orb (rings rewound to the spec, stable integer ids, sorted layers), a
// pyramid of coarser H3 parents for low zooms, TileJSON 3.0.0 and a cache
// of encoded tiles.
package tiles
