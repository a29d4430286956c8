package tiles

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
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

// CheckQuery refuses a coverage or declared selection without one
// operator and one technology: those tiles show one network's level (the
// web server always names both), so renderers keep a pyramid or a
// declared layer per pair only. Plan tiles need one scenario run. Disputes take either, both or none: the
// query narrows them to one operator and/or technology.
func CheckQuery(layer string, q Query) error {
	if (layer == "coverage" || layer == "declared") && (q.MCCMNC == "" || q.Tech == 0) {
		return fmt.Errorf("%w: %s tiles need one operator (mcc_mnc) and one technology (tech)", data.ErrInvalid, layer)
	}
	if layer == "plan" && q.Scenario < 1 {
		return fmt.Errorf("%w: plan tiles need a stored scenario run (scenario=ID)", data.ErrInvalid)
	}
	return nil
}

// DeclaredLayer is the feature layer holding the declared coverage a
// declared tile of q shows, e.g. "declared/604-01/4G".
func DeclaredLayer(q Query) string {
	return data.LayerKey(data.LayerDeclared, q.MCCMNC, q.Tech.String())
}
