package tiles

import (
	"context"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Renderer serves the tile layers of one state of a store. Set renders in
// process from an indexed copy of the data; a database store may render
// in SQL. Every renderer serves the same layers, feature ids and
// properties for the same data.
type Renderer interface {
	// Render encodes one tile of a layer (see Layers); ErrUnknownLayer.
	Render(ctx context.Context, layer string, t maptile.Tile, q Query) (Tile, error)
	// TileJSON describes a layer; base is the server's URL prefix.
	TileJSON(layer, base string, q Query) (TileJSON, error)
	// Version identifies the data behind the tiles.
	Version() string
	// Bounds is the extent of the data.
	Bounds() orb.Bound
	// Resolution is the H3 resolution of the coverage grid.
	Resolution() int
}

var _ Renderer = (*Set)(nil)
