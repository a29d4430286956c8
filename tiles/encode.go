package tiles

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// Extent is the MVT tile extent.
const Extent = 4096

// buffer is the clip buffer in tile units, as MapLibre's default.
const buffer = 64

// Encode turns WGS84 feature collections, keyed by layer name, into one MVT
// v2 tile: lines and polygons of at most half a unit left out, projected
// to the tile, clipped with a 64-unit buffer, simplified below one tile
// unit, emptied features removed, and polygon rings rewound
// so that exterior rings have positive area in tile coordinates (the MVT
// spec; orb's encoder does not do it). Layers are written sorted by name.
// It returns nil when no feature remains.
func Encode(t maptile.Tile, layers map[string]*geojson.FeatureCollection) ([]byte, error) {
	names := make([]string, 0, len(layers))
	for n := range layers {
		names = append(names, n)
	}
	sort.Strings(names)
	var ls mvt.Layers
	for _, n := range names {
		l := mvt.NewLayer(n, dropSpecks(t, layers[n]))
		l.Version = 2 // orb writes 1 though it encodes by the v2 spec
		l.Extent = Extent
		ls = append(ls, l)
	}
	ls.ProjectToTile(t)
	ls.Clip(orb.Bound{Min: orb.Point{-buffer, -buffer}, Max: orb.Point{Extent + buffer, Extent + buffer}})
	ls.Simplify(simplify.DouglasPeucker(1.0))
	ls.RemoveEmpty(1.0, 1.0)
	count := 0
	for _, l := range ls {
		for _, f := range l.Features {
			f.Geometry = roundAndRewind(f.Geometry)
		}
		kept := l.Features[:0]
		for _, f := range l.Features {
			if f.Geometry != nil {
				kept = append(kept, f)
			}
		}
		l.Features = kept
		count += len(kept)
	}
	if count == 0 {
		return nil, nil
	}
	b, err := mvt.Marshal(ls)
	if err != nil {
		return nil, fmt.Errorf("tiles: encode %v: %w", t, err)
	}
	return b, nil
}

// dropSpecks leaves out the lines and polygons whose extent in the tile
// is at most half a unit both ways, as ST_AsMVTGeom does: projected and
// floored, they would land on one or two grid units by chance of where
// they fall. Points are kept. fc itself when nothing is dropped.
func dropSpecks(t maptile.Tile, fc *geojson.FeatureCollection) *geojson.FeatureCollection {
	if fc == nil {
		return fc
	}
	speck := func(g orb.Geometry) bool {
		switch g.(type) {
		case orb.Point, orb.MultiPoint, nil:
			return false
		}
		b := g.Bound()
		lo, hi := maptile.Fraction(b.Min, t.Z), maptile.Fraction(b.Max, t.Z) // tile units / Extent; y grows south
		return (hi[0]-lo[0])*Extent <= 0.5 && (lo[1]-hi[1])*Extent <= 0.5
	}
	if !slices.ContainsFunc(fc.Features, func(f *geojson.Feature) bool { return speck(f.Geometry) }) {
		return fc
	}
	out := &geojson.FeatureCollection{Type: fc.Type, Features: make([]*geojson.Feature, 0, len(fc.Features))}
	for _, f := range fc.Features {
		if !speck(f.Geometry) {
			out.Features = append(out.Features, f)
		}
	}
	return out
}

// Gzip compresses an encoded tile at the fast level (the default level
// costs half the tile pipeline for a few percent).
func Gzip(raw []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}
