package postgis

// Decoding two tiles and comparing them feature by feature.

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/tiles"
)

// decodedFeature is one feature as orb decodes it, with the exact id and
// the wire type of every property from the raw protobuf.
type decodedFeature struct {
	id    uint64
	geom  orb.Geometry
	props map[string]any
	kinds map[string]string
}

func decodeTile(t *testing.T, raw []byte) map[string][]decodedFeature {
	t.Helper()
	out := map[string][]decodedFeature{}
	if raw == nil {
		return out
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var pb vectortile.Tile
	if err := pb.Unmarshal(raw); err != nil {
		t.Fatalf("decode protobuf: %v", err)
	}
	if len(pb.Layers) != len(layers) {
		t.Fatalf("decoders disagree: %d and %d layers", len(pb.Layers), len(layers))
	}
	for i, l := range layers {
		pl := pb.Layers[i]
		if pl.GetVersion() != 2 || pl.GetExtent() != tiles.Extent {
			t.Errorf("layer %s: version %d extent %d, want 2 and %d", l.Name, pl.GetVersion(), pl.GetExtent(), tiles.Extent)
		}
		if len(l.Features) == 0 {
			continue // tiles.Encode may keep a layer whose features all clipped away
		}
		for j, f := range l.Features {
			pf := pl.Features[j]
			df := decodedFeature{id: pf.GetId(), geom: f.Geometry, props: f.Properties, kinds: map[string]string{}}
			if pf.Id == nil {
				t.Errorf("layer %s feature %d has no id", l.Name, j)
			}
			for k := 0; k+1 < len(pf.Tags); k += 2 {
				v := pl.Values[pf.Tags[k+1]]
				var kind string
				switch {
				case v.StringValue != nil:
					kind = "string"
				case v.FloatValue != nil:
					kind = "float"
				case v.DoubleValue != nil:
					kind = "double"
				case v.IntValue != nil:
					kind = "int"
				case v.UintValue != nil:
					kind = "uint"
				case v.SintValue != nil:
					kind = "sint"
				case v.BoolValue != nil:
					kind = "bool"
				}
				df.kinds[pl.Keys[pf.Tags[k]]] = kind
			}
			out[l.Name] = append(out[l.Name], df)
		}
	}
	return out
}

// polygons returns the polygons of a decoded polygonal geometry.
func polygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

func area(g orb.Geometry) float64 {
	a := 0.0
	for _, p := range polygons(g) {
		for _, r := range p {
			a += tiles.SignedArea(r)
		}
	}
	return a
}

func rings(g orb.Geometry) int {
	n := 0
	for _, p := range polygons(g) {
		n += len(p)
	}
	return n
}

func pointCount(g orb.Geometry) int {
	n := 0
	for _, p := range polygons(g) {
		for _, r := range p {
			n += len(r)
		}
	}
	if n == 0 {
		switch g := g.(type) {
		case orb.Point:
			return 1
		case orb.MultiPoint:
			return len(g)
		}
	}
	return n
}

// invisible reports whether a decoded geometry lies in the clip buffer
// only, or is a sliver: where ST_AsMVTGeom and orb's clipper may disagree
// on keeping it.
func invisible(g orb.Geometry) bool {
	b := g.Bound()
	if b.Max[0] <= 0 || b.Max[1] <= 0 || b.Min[0] >= tiles.Extent || b.Min[1] >= tiles.Extent {
		return true
	}
	_, isPoly := g.(orb.Polygon)
	_, isMulti := g.(orb.MultiPolygon)
	return (isPoly || isMulti) && math.Abs(area(g)) < 4
}

// compareFeature checks that two renderings of one feature agree: type,
// properties and their wire types, and the geometry within rounding,
// clipping and simplification differences.
func compareFeature(got, want decodedFeature) []string {
	var errs []string
	if !reflect.DeepEqual(got.props, want.props) {
		errs = append(errs, fmt.Sprintf("properties %v, want %v", got.props, want.props))
	}
	if !reflect.DeepEqual(got.kinds, want.kinds) {
		errs = append(errs, fmt.Sprintf("property wire types %v, want %v", got.kinds, want.kinds))
	}
	gt, wt := got.geom.GeoJSONType(), want.geom.GeoJSONType()
	// One part or several: clipping and ST_AsMVTGeom may split or join
	// the parts of a (multi)line or (multi)polygon differently.
	if gt != wt && !(strings.HasSuffix(gt, "Polygon") && strings.HasSuffix(wt, "Polygon")) &&
		!(strings.HasSuffix(gt, "LineString") && strings.HasSuffix(wt, "LineString")) {
		return append(errs, fmt.Sprintf("geometry %s, want %s", gt, wt))
	}
	gb, wb := got.geom.Bound(), want.geom.Bound()
	ps := polygons(got.geom)
	if ps == nil {
		for i := 0; i < 2; i++ {
			if math.Abs(gb.Min[i]-wb.Min[i]) > 2 || math.Abs(gb.Max[i]-wb.Max[i]) > 2 {
				errs = append(errs, fmt.Sprintf("bounds %v, want %v", gb, wb))
				break
			}
		}
		return errs
	}
	// Polygons: the same filled region. Where a hole meets the clip edge
	// orb keeps the whole clip box as exterior and ST_AsMVTGeom (wagyu)
	// the valid outline, so rings and bounds may differ while the fill
	// is the same: compare the fill on a grid of samples, away from the
	// edges (vertices differ by up to one unit: clipping, simplification).
	if bad, n := fillMismatch(got.geom, want.geom); bad > 0 {
		errs = append(errs, fmt.Sprintf("fill differs at %d of %d samples (bounds %v, want %v)", bad, n, gb, wb))
	}
	ga, wa := area(got.geom), area(want.geom)
	if math.Abs(ga-wa) > 0.01*math.Abs(wa)+(wb.Max[0]-wb.Min[0])+(wb.Max[1]-wb.Min[1]) {
		errs = append(errs, fmt.Sprintf("area %.0f, want %.0f", ga, wa))
	}
	for _, p := range ps {
		for i, r := range p {
			if a := tiles.SignedArea(r); i == 0 && a <= 0 || i > 0 && a >= 0 {
				errs = append(errs, fmt.Sprintf("ring %d has signed area %.0f: wrong winding", i, a))
			}
		}
	}
	// Same rings (the fill check covers a hole opened at the clip edge):
	// points within a few, simplification running on slightly different
	// vertices.
	if rings(got.geom) == rings(want.geom) {
		gn, wn := pointCount(got.geom), pointCount(want.geom)
		if d := gn - wn; d > 4+wn/5 || -d > 4+wn/5 {
			errs = append(errs, fmt.Sprintf("%d points, want %d", gn, wn))
		}
	}
	return errs
}

func contains(g orb.Geometry, p orb.Point) bool {
	for _, poly := range polygons(g) {
		if planar.PolygonContains(poly, p) {
			return true
		}
	}
	return false
}

// fillMismatch samples a 32 × 32 grid over both geometries and counts the
// samples more than 2 units from both outlines that one covers and the
// other does not.
func fillMismatch(a, b orb.Geometry) (bad, n int) {
	bd := a.Bound().Union(b.Bound())
	const k = 32
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			p := orb.Point{bd.Min[0] + (bd.Max[0]-bd.Min[0])*(float64(i)+0.5)/k, bd.Min[1] + (bd.Max[1]-bd.Min[1])*(float64(j)+0.5)/k}
			n++
			if contains(a, p) != contains(b, p) && planar.DistanceFrom(a, p) > 2 && planar.DistanceFrom(b, p) > 2 {
				bad++
			}
		}
	}
	return bad, n
}

// compareTiles compares the SQL tile with the in-process one, feature by
// feature; it returns the number of features compared.
func compareTiles(t *testing.T, name string, got, want tiles.Tile) int {
	t.Helper()
	if (got.Raw == nil) != (want.Raw == nil) {
		gl, wl := decodeTile(t, got.Raw), decodeTile(t, want.Raw)
		if len(gl) != 0 || len(wl) != 0 {
			t.Errorf("%s: empty %v, want empty %v", name, got.Raw == nil, want.Raw == nil)
			return 0
		}
	}
	if got.Raw != nil && (got.Gzip == nil || got.ETag == "") {
		t.Errorf("%s: tile without gzip or ETag", name)
	}
	gl, wl := decodeTile(t, got.Raw), decodeTile(t, want.Raw)
	n := 0
	names := map[string]bool{}
	for l := range gl {
		names[l] = true
	}
	for l := range wl {
		names[l] = true
	}
	for l := range names {
		byID := map[uint64]decodedFeature{}
		for _, f := range wl[l] {
			if _, dup := byID[f.id]; dup {
				t.Errorf("%s layer %s: feature id %d twice (in-process)", name, l, f.id)
			}
			byID[f.id] = f
		}
		seen := map[uint64]bool{}
		for _, f := range gl[l] {
			if seen[f.id] {
				t.Errorf("%s layer %s: feature id %d twice", name, l, f.id)
			}
			seen[f.id] = true
			w, ok := byID[f.id]
			if !ok {
				if !invisible(f.geom) {
					t.Errorf("%s layer %s: extra feature %d %v (%s, bounds %v)", name, l, f.id, f.props, f.geom.GeoJSONType(), f.geom.Bound())
				}
				continue
			}
			n++
			for _, e := range compareFeature(f, w) {
				t.Errorf("%s layer %s feature %d: %s", name, l, f.id, e)
			}
		}
		for id, w := range byID {
			if !seen[id] && !invisible(w.geom) {
				t.Errorf("%s layer %s: missing feature %d %v (%s, bounds %v)", name, l, id, w.props, w.geom.GeoJSONType(), w.geom.Bound())
			}
		}
	}
	return n
}
