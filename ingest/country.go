package ingest

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// CountryTest returns a test of whether a point lies in the areas (the
// country outline). It is tolerant by about half a kilometre: a point whose
// 0.01° grid square centre is inside counts as inside, which also makes the
// test cheap (one exact test per grid square). Not safe for concurrent use.
func CountryTest(areas []data.Area) func(orb.Point) bool {
	codes := make([]string, 0, len(areas))
	geoms := make([]orb.Geometry, 0, len(areas))
	for _, a := range areas {
		if len(a.Geom) > 0 {
			codes = append(codes, a.Code)
			geoms = append(geoms, a.Geom)
		}
	}
	ix := geo.NewAreaIndex(codes, geoms)
	memo := map[[2]int32]bool{}
	return func(p orb.Point) bool {
		k := [2]int32{int32(math.Floor(p[0] * 100)), int32(math.Floor(p[1] * 100))}
		in, ok := memo[k]
		if !ok {
			_, in = ix.Locate(orb.Point{(float64(k[0]) + 0.5) / 100, (float64(k[1]) + 0.5) / 100})
			memo[k] = in
		}
		if in {
			return true
		}
		_, exact := ix.Locate(p)
		return exact
	}
}
