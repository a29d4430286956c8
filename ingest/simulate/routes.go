package simulate

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// link is a straight drive route between two places, a proxy for a road.
type link struct {
	a, b orb.Point
	km   float64
}

// linksBetween joins every place to its two nearest places (links over
// maxRouteKm left out), each link once, in a stable order.
func linksBetween(places []data.Place) []link {
	pts := make([]orb.Point, 0, len(places))
	for _, p := range places {
		if p.Point[0] == 0 && p.Point[1] == 0 {
			continue
		}
		pts = append(pts, p.Point)
	}
	slices.SortFunc(pts, func(a, b orb.Point) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	pts = slices.Compact(pts)
	lon := make([]float64, len(pts))
	lat := make([]float64, len(pts))
	for i, p := range pts {
		lon[i], lat[i] = p[0], p[1]
	}
	ix := newPointIndex(lon, lat)
	type pair struct{ i, j int32 }
	var pairs []pair
	var buf []candidate
	for i := range pts {
		buf = ix.nearest(lon[i], lat[i], 3, maxRouteKm, buf)
		for _, c := range buf {
			if c.id == int32(i) {
				continue
			}
			p := pair{int32(i), c.id}
			if p.j < p.i {
				p.i, p.j = p.j, p.i
			}
			pairs = append(pairs, p)
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Or(cmp.Compare(a.i, b.i), cmp.Compare(a.j, b.j)) })
	pairs = slices.Compact(pairs)
	links := make([]link, 0, len(pairs))
	for _, p := range pairs {
		a, b := pts[p.i], pts[p.j]
		links = append(links, link{a: a, b: b, km: geo.DistanceM(a, b) / 1000})
	}
	return links
}
