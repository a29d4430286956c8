package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"
)

// featureIndex finds WGS84 features by bounding box. It is read-only after
// it is built, so concurrent searches are safe.
type featureIndex struct {
	tr    rtree.RTreeG[*geojson.Feature]
	count int
}

func (ix *featureIndex) add(f *geojson.Feature) {
	b := f.Geometry.Bound()
	ix.tr.Insert(b.Min, b.Max, f)
	ix.count++
}

// search returns copies of the features whose bounds meet b, with cloned
// geometry (encoding projects geometry in place).
func (ix *featureIndex) search(b orb.Bound) []*geojson.Feature {
	var out []*geojson.Feature
	ix.tr.Search(b.Min, b.Max, func(_, _ [2]float64, f *geojson.Feature) bool {
		nf := *f
		nf.Geometry = orb.Clone(f.Geometry)
		out = append(out, &nf)
		return true
	})
	return out
}

// padded grows a tile bound by the clip buffer so features just outside the
// tile still draw across its edge.
func padded(b orb.Bound) orb.Bound {
	dx := (b.Max[0] - b.Min[0]) * buffer / Extent
	dy := (b.Max[1] - b.Min[1]) * buffer / Extent
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}
