package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
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

// features returns the hexagons whose centres fall in b grown by about one
// cell, so edge hexagons are drawn in both tiles.
func (g *hexGrid) features(b orb.Bound) []*geojson.Feature {
	grow := hexRadiusDeg(g.res)
	b = orb.Bound{Min: orb.Point{b.Min[0] - grow, b.Min[1] - grow}, Max: orb.Point{b.Max[0] + grow, b.Max[1] + grow}}
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
