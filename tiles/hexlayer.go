package tiles

import (
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/geo"
	"github.com/tidwall/rtree"
)

// hexGrid is one resolution of a hexagon pyramid: properties per cell and
// an index of cell centres.
type hexGrid struct {
	res   int
	props map[geo.Cell]geojson.Properties
	tr    rtree.RTreeG[geo.Cell]
}

func newHexGrid(res int, props map[geo.Cell]geojson.Properties) *hexGrid {
	g := &hexGrid{res: res, props: props}
	for c := range props {
		p := geo.CellCenter(c)
		g.tr.Insert(p, p, c)
	}
	return g
}

// features returns the hexagons of tile t whose centres fall in
// HexSearchBound, so edge hexagons are drawn in both tiles.
func (g *hexGrid) features(t maptile.Tile) []*geojson.Feature {
	b := HexSearchBound(t, g.res)
	var out []*geojson.Feature
	g.tr.Search(b.Min, b.Max, func(_, _ [2]float64, c geo.Cell) bool {
		f := geojson.NewFeature(geo.CellPolygon(c))
		f.ID = uint64(c)
		f.Properties = g.props[c]
		out = append(out, f)
		return true
	})
	return out
}

// hexRadiusDeg is a generous bound of an H3 cell's radius in degrees.
func hexRadiusDeg(res int) float64 {
	r := 1.3 // resolution 0 cells are about 1,100 km across
	for i := 0; i < res; i++ {
		r /= 2.6457513 // sqrt(7)
	}
	return r * 10
}
