package ingest

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// countryRes is the H3 resolution of the country mask (edge ≈ 1.4 km).
const countryRes = 7

// CountryTest returns a test of whether a point lies in the areas (the
// country outline). The areas are rasterised once onto H3 resolution-7
// cells; a point is inside when its cell or one of its neighbours is, a
// tolerance of one to three kilometres at the coast and borders that also
// makes the test a hash lookup per row. Safe for concurrent use.
func CountryTest(areas []data.Area) func(orb.Point) bool {
	mask := map[geo.Cell]struct{}{}
	for _, a := range areas {
		// simplified to about 500 m first: the mask is coarser than that
		g := simplify.DouglasPeucker(0.005).MultiPolygon(a.Geom.Clone())
		cells, err := geo.CellsInPolygon(g, countryRes)
		if err != nil {
			continue
		}
		for _, c := range cells {
			mask[c] = struct{}{}
		}
	}
	return func(p orb.Point) bool {
		c, err := geo.CellAt(p, countryRes)
		if err != nil {
			return false
		}
		if _, ok := mask[c]; ok {
			return true
		}
		for _, n := range geo.Neighbors(c) {
			if _, ok := mask[n]; ok {
				return true
			}
		}
		return false
	}
}
