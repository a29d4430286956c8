package ingest

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/taghtia/taghtia/ingest/vector"
	"github.com/tidwall/rtree"
)

// Polygon validity, shared by declared coverage and reference areas.
//
// A polygon is checked with simplefeatures' Validate (OGC simple
// features rules). An invalid one is repaired ring by ring, the way
// GEOS's MakeValid "structure" method does: each ring is noded (a vertex
// is added wherever two of its segments cross, touch or overlap) and cut
// at every repeated vertex into simple loops; a ring's area is the union
// of its loops (so a bow-tie keeps both lobes, a self-overlapping ring is
// filled once, spikes and retraced edges vanish), holes are subtracted
// from the exterior, and the parts of a multipolygon are unioned (which
// also merges overlapping parts). What cannot be repaired: NaN or
// infinite coordinates, a geometry with nothing left once its degenerate
// rings are dropped, or a loop that is still invalid after a second
// noding pass (near-degenerate floating-point cases).

// polygons checks a polygonal feature: the geometry type, lon/lat
// coordinates, validity (repaired with a W_INVALID_GEOMETRY warning). It
// returns the cleaned polygons (no repeated points, exterior rings
// counter-clockwise, holes clockwise) and their simplefeatures form.
func (p *featureProblems) polygons(vf vector.Feature, ref, need string) (orb.MultiPolygon, sf.Geometry, bool) {
	mp, ok := polygonal(vf.Geom)
	if !ok {
		p.fail("geometry", geomName(vf.Geom), "E_GEOMETRY_TYPE", fmt.Sprintf("%s; %s %s", need, ref, geomArticle(vf.Geom)))
		return nil, sf.Geometry{}, false
	}
	if !p.coords(mp, ref) {
		return nil, sf.Geometry{}, false
	}
	out, g, violation, err := cleanPolygons(mp)
	if err != nil {
		p.fail("geometry", violation, "E_INVALID_GEOMETRY", fmt.Sprintf("the geometry of %s is invalid (%s) and could not be repaired: %v; expected a valid polygon", ref, violation, err))
		return nil, sf.Geometry{}, false
	}
	if violation != "" {
		p.warn("geometry", violation, "W_INVALID_GEOMETRY", fmt.Sprintf("the geometry of %s is invalid: %s; expected a valid polygon; it was repaired by splitting its rings where they cross and merging the pieces (area now about %.3f km²): check it", ref, violation, areaKM2(g)))
	}
	return out, g, true
}

// cleanPolygons drops repeated points, closes rings, validates and if
// need be repairs; violation describes what was invalid ("" if nothing).
func cleanPolygons(mp orb.MultiPolygon) (out orb.MultiPolygon, g sf.Geometry, violation string, err error) {
	defer func() {
		// simplefeatures' overlay panics on some degenerate inputs; such
		// a geometry is unrepairable, not a crash of the upload.
		if r := recover(); r != nil {
			out, g, err = nil, sf.Geometry{}, fmt.Errorf("the overlay failed: %v", r)
			if violation == "" {
				violation = "degenerate geometry"
			}
		}
	}()
	clean := make(orb.MultiPolygon, 0, len(mp))
	unclosed := orb.Point{}
	hasUnclosed := false
	for _, pg := range mp {
		cp := make(orb.Polygon, 0, len(pg))
		for _, r := range pg {
			r = orb.Ring(dedupe(orb.LineString(r)))
			if len(r) > 1 && r[0] != r[len(r)-1] {
				if !hasUnclosed {
					unclosed, hasUnclosed = r[0], true
				}
				r = append(r[:len(r):len(r)], r[0])
			}
			cp = append(cp, r)
		}
		clean = append(clean, cp)
	}
	sg := toSF(clean)
	verr := sg.Validate()
	switch {
	case verr == nil && !hasUnclosed:
		g = forceCCW(sg)
		if out = fromSF(g); len(out) == 0 {
			return nil, sf.Geometry{}, "empty polygon", fmt.Errorf("it has no rings")
		}
		return out, g, "", nil
	case verr == nil:
		violation = "polygon ring not closed (at or near " + fmtXY(unclosed) + ")"
	default:
		violation = describeViolation(verr, clean)
	}
	if verr != nil {
		rg, err := repairPolygons(clean)
		if err != nil {
			return nil, sf.Geometry{}, violation, err
		}
		sg = rg
	}
	g = forceCCW(sg)
	out = fromSF(g)
	if len(out) == 0 {
		return nil, sf.Geometry{}, violation, fmt.Errorf("nothing is left of it once its degenerate rings are dropped")
	}
	g = toSF(out)
	if err := g.Validate(); err != nil {
		return nil, sf.Geometry{}, violation, fmt.Errorf("the repaired geometry is still invalid: %s", describeViolation(err, out))
	}
	return out, g, violation, nil
}

var (
	reViolationXY   = regexp.MustCompile(`\{(\S+) (\S+)\}`)
	reViolationPoly = regexp.MustCompile(`validating polygon at index (\d+): `)
	reViolationRing = regexp.MustCompile(`validating ring at index (\d+): `)
)

// describeViolation rewrites a simplefeatures validation error for
// people: "polygon ring not simple (at or near 7.61,33.58), in the
// exterior ring of polygon 2". For a ring that is not simple, the place
// given is where the ring crosses itself rather than its first vertex.
func describeViolation(err error, mp orb.MultiPolygon) string {
	msg := err.Error()
	poly, ring := 0, -1
	if m := reViolationPoly.FindStringSubmatch(msg); m != nil {
		poly, _ = strconv.Atoi(m[1])
	}
	if m := reViolationRing.FindStringSubmatch(msg); m != nil {
		ring, _ = strconv.Atoi(m[1])
	}
	msg = reViolationPoly.ReplaceAllString(msg, "")
	msg = reViolationRing.ReplaceAllString(msg, "")
	msg = strings.TrimPrefix(msg, "validating multipolygon constraints: ")
	if strings.Contains(msg, "ring not simple") && ring >= 0 && poly < len(mp) && ring < len(mp[poly]) {
		if _, at, ok := nodeRing(mp[poly][ring]); ok {
			msg = reViolationXY.ReplaceAllString(msg, "{"+strconv.FormatFloat(at[0], 'g', -1, 64)+" "+strconv.FormatFloat(at[1], 'g', -1, 64)+"}")
		}
	}
	msg = reViolationXY.ReplaceAllStringFunc(msg, func(s string) string {
		m := reViolationXY.FindStringSubmatch(s)
		x, err1 := strconv.ParseFloat(m[1], 64)
		y, err2 := strconv.ParseFloat(m[2], 64)
		if err1 != nil || err2 != nil {
			return m[1] + "," + m[2]
		}
		return fmtXY(orb.Point{x, y})
	})
	if ring >= 0 {
		where := "the exterior ring"
		if ring > 0 {
			where = fmt.Sprintf("hole %d", ring)
		}
		if len(mp) > 1 {
			where += fmt.Sprintf(" of polygon %d", poly+1)
		}
		msg += ", in " + where
	} else if len(mp) > 1 && reViolationPoly.MatchString(err.Error()) {
		msg += fmt.Sprintf(", in polygon %d", poly+1)
	}
	return msg
}

// repairPolygons repairs each polygon and unions them.
func repairPolygons(mp orb.MultiPolygon) (sf.Geometry, error) {
	var parts []sf.Geometry
	for _, pg := range mp {
		g, err := repairPolygon(pg)
		if err != nil {
			return sf.Geometry{}, err
		}
		if !g.IsEmpty() {
			parts = append(parts, g)
		}
	}
	switch len(parts) {
	case 0:
		return sf.Geometry{}, fmt.Errorf("nothing is left of it once its degenerate rings are dropped")
	case 1:
		return parts[0], nil
	}
	u, err := sf.UnionMany(parts)
	if err != nil {
		return sf.Geometry{}, fmt.Errorf("merging its polygons: %v", err)
	}
	return polygonalPart(u), nil
}

// repairPolygon is the union of the exterior ring's loops less the union
// of the holes' loops.
func repairPolygon(pg orb.Polygon) (sf.Geometry, error) {
	if len(pg) == 0 {
		return sf.Geometry{}, nil
	}
	ext, err := ringArea(pg[0])
	if err != nil || ext.IsEmpty() {
		return ext, err
	}
	var holes []sf.Geometry
	for _, h := range pg[1:] {
		hg, err := ringArea(h)
		if err != nil {
			return sf.Geometry{}, err
		}
		if !hg.IsEmpty() {
			holes = append(holes, hg)
		}
	}
	if len(holes) == 0 {
		return ext, nil
	}
	hu, err := sf.UnionMany(holes)
	if err != nil {
		return sf.Geometry{}, fmt.Errorf("merging its holes: %v", err)
	}
	d, err := sf.Difference(ext, hu)
	if err != nil {
		return sf.Geometry{}, fmt.Errorf("cutting its holes: %v", err)
	}
	return polygonalPart(d), nil
}

// ringArea is the area a ring encloses, as the union of its simple loops.
func ringArea(r orb.Ring) (sf.Geometry, error) {
	var polys []sf.Geometry
	var add func(loop orb.Ring, depth int) error
	add = func(loop orb.Ring, depth int) error {
		pg := toSF(orb.MultiPolygon{{loop}})
		if pg.Validate() == nil {
			if pg.Area() > 0 {
				polys = append(polys, pg)
			}
			return nil
		}
		if depth > 0 {
			return fmt.Errorf("a piece of a ring near %s is still invalid after splitting", fmtXY(loop[0]))
		}
		noded, _, _ := nodeRing(loop)
		for _, l := range splitLoops(noded) {
			if err := add(l, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	r = orb.Ring(dedupe(orb.LineString(r)))
	if len(r) > 1 && r[0] != r[len(r)-1] {
		r = append(r[:len(r):len(r)], r[0])
	}
	if len(r) < 4 {
		return sf.Geometry{}, nil
	}
	noded, _, _ := nodeRing(r)
	for _, l := range splitLoops(noded) {
		if err := add(l, 1); err != nil {
			return sf.Geometry{}, err
		}
	}
	switch len(polys) {
	case 0:
		return sf.Geometry{}, nil
	case 1:
		return polys[0], nil
	}
	u, err := sf.UnionMany(polys)
	if err != nil {
		return sf.Geometry{}, fmt.Errorf("merging the pieces of a ring: %v", err)
	}
	return polygonalPart(u), nil
}

// nodeRing returns a closed ring with a vertex added wherever two of its
// segments cross, touch or overlap, and the first place the ring meets
// itself other than at consecutive segments (ok false if it does not).
func nodeRing(r orb.Ring) (noded orb.Ring, at orb.Point, ok bool) {
	n := len(r) - 1 // segments
	if n < 2 {
		return r, orb.Point{}, false
	}
	type cut struct {
		t  float64
		pt orb.Point
	}
	cuts := make([][]cut, n)
	addCut := func(i int, pt orb.Point) {
		a, b := r[i], r[i+1]
		if pt == a || pt == b {
			return
		}
		d := orb.Point{b[0] - a[0], b[1] - a[1]}
		t := ((pt[0]-a[0])*d[0] + (pt[1]-a[1])*d[1]) / (d[0]*d[0] + d[1]*d[1])
		cuts[i] = append(cuts[i], cut{t, pt})
	}
	pair := func(i, j int) {
		pts := segmentIntersections(r[i], r[i+1], r[j], r[j+1])
		adjacent := j == i+1 || (i == 0 && j == n-1)
		for _, pt := range pts {
			if adjacent && (pt == r[j] || pt == r[i]) && (pt == r[i+1] || pt == r[j+1]) {
				continue // the shared vertex of consecutive segments
			}
			if !ok {
				at, ok = pt, true
			}
			addCut(i, pt)
			addCut(j, pt)
		}
	}
	if n <= 32 {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				pair(i, j)
			}
		}
	} else {
		var tr rtree.RTreeGN[float64, int]
		box := func(i int) ([2]float64, [2]float64) {
			a, b := r[i], r[i+1]
			return [2]float64{math.Min(a[0], b[0]), math.Min(a[1], b[1])}, [2]float64{math.Max(a[0], b[0]), math.Max(a[1], b[1])}
		}
		for i := 0; i < n; i++ {
			lo, hi := box(i)
			tr.Insert(lo, hi, i)
		}
		var cand []int
		for i := 0; i < n; i++ {
			lo, hi := box(i)
			cand = cand[:0]
			tr.Search(lo, hi, func(_, _ [2]float64, j int) bool {
				if j > i {
					cand = append(cand, j)
				}
				return true
			})
			slices.Sort(cand)
			for _, j := range cand {
				pair(i, j)
			}
		}
	}
	noded = make(orb.Ring, 0, len(r))
	for i := 0; i < n; i++ {
		noded = append(noded, r[i])
		cs := cuts[i]
		slices.SortFunc(cs, func(a, b cut) int { return cmp.Compare(a.t, b.t) })
		for _, c := range cs {
			if c.pt != noded[len(noded)-1] {
				noded = append(noded, c.pt)
			}
		}
	}
	noded = append(noded, r[n])
	return orb.Ring(dedupe(orb.LineString(noded))), at, ok
}

// segmentIntersections returns where segments ab and cd meet: none, one
// point, or the two ends of a collinear overlap. Endpoints are returned
// exactly; a proper crossing is computed once, so both segments get the
// same point.
func segmentIntersections(a, b, c, d orb.Point) []orb.Point {
	if math.Max(a[0], b[0]) < math.Min(c[0], d[0]) || math.Max(c[0], d[0]) < math.Min(a[0], b[0]) ||
		math.Max(a[1], b[1]) < math.Min(c[1], d[1]) || math.Max(c[1], d[1]) < math.Min(a[1], b[1]) {
		return nil
	}
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		t := d1 / (d1 - d2)
		return []orb.Point{{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}}
	}
	var out []orb.Point
	addIf := func(pt, p, q orb.Point, o float64) {
		if o == 0 && onSegment(p, q, pt) && !slices.Contains(out, pt) {
			out = append(out, pt)
		}
	}
	addIf(a, c, d, d1)
	addIf(b, c, d, d2)
	addIf(c, a, b, d3)
	addIf(d, a, b, d4)
	return out
}

// orient is twice the signed area of the triangle pqr.
func orient(p, q, r orb.Point) float64 {
	return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
}

// onSegment says whether r, collinear with pq, lies on the segment.
func onSegment(p, q, r orb.Point) bool {
	return math.Min(p[0], q[0]) <= r[0] && r[0] <= math.Max(p[0], q[0]) &&
		math.Min(p[1], q[1]) <= r[1] && r[1] <= math.Max(p[1], q[1])
}

// splitLoops cuts a noded closed ring at each repeated vertex into closed
// loops of distinct vertices; loops of fewer than three vertices (spikes,
// retraced edges) are dropped.
func splitLoops(r orb.Ring) []orb.Ring {
	var loops []orb.Ring
	path := make([]orb.Point, 0, len(r))
	at := make(map[orb.Point]int, len(r))
	for _, pt := range r {
		i, seen := at[pt]
		if !seen {
			at[pt] = len(path)
			path = append(path, pt)
			continue
		}
		if len(path)-i >= 3 {
			loop := make(orb.Ring, 0, len(path)-i+1)
			loop = append(loop, path[i:]...)
			loops = append(loops, append(loop, pt))
		}
		for _, q := range path[i+1:] {
			delete(at, q)
		}
		path = path[:i+1]
	}
	return loops
}

// dedupe drops repeated consecutive points (in place).
func dedupe(ls orb.LineString) orb.LineString {
	if len(ls) < 2 {
		return ls
	}
	out := ls[:1:1]
	for _, pt := range ls[1:] {
		if pt != out[len(out)-1] {
			out = append(out, pt)
		}
	}
	return out
}

// polygonalPart keeps the polygons of an overlay result.
func polygonalPart(g sf.Geometry) sf.Geometry {
	switch g.Type() {
	case sf.TypePolygon, sf.TypeMultiPolygon:
		return g
	}
	var polys []sf.Polygon
	for _, part := range g.Dump() {
		if pg, ok := part.AsPolygon(); ok && !pg.IsEmpty() {
			polys = append(polys, pg)
		}
	}
	return sf.NewMultiPolygon(polys).AsGeometry()
}

// forceCCW winds exterior rings counter-clockwise and holes clockwise.
func forceCCW(g sf.Geometry) sf.Geometry {
	switch g.Type() {
	case sf.TypePolygon:
		return g.MustAsPolygon().ForceCCW().AsGeometry()
	case sf.TypeMultiPolygon:
		return g.MustAsMultiPolygon().ForceCCW().AsGeometry()
	}
	return g
}

// toSF converts polygons to a simplefeatures Polygon (one) or
// MultiPolygon, unvalidated.
func toSF(mp orb.MultiPolygon) sf.Geometry {
	polys := make([]sf.Polygon, len(mp))
	for i, pg := range mp {
		rings := make([]sf.LineString, len(pg))
		for j, r := range pg {
			c := make([]float64, 0, 2*len(r))
			for _, pt := range r {
				c = append(c, pt[0], pt[1])
			}
			rings[j] = sf.NewLineString(sf.NewSequence(c, sf.DimXY))
		}
		polys[i] = sf.NewPolygon(rings)
	}
	if len(polys) == 1 {
		return polys[0].AsGeometry()
	}
	return sf.NewMultiPolygon(polys).AsGeometry()
}

// fromSF converts a simplefeatures Polygon or MultiPolygon to orb,
// dropping repeated points and empty polygons.
func fromSF(g sf.Geometry) orb.MultiPolygon {
	var polys []sf.Polygon
	switch g.Type() {
	case sf.TypePolygon:
		polys = []sf.Polygon{g.MustAsPolygon()}
	case sf.TypeMultiPolygon:
		polys = g.MustAsMultiPolygon().Dump()
	}
	var out orb.MultiPolygon
	for _, pg := range polys {
		if pg.IsEmpty() {
			continue
		}
		var op orb.Polygon
		for _, r := range pg.DumpRings() {
			seq := r.Coordinates()
			ring := make(orb.Ring, seq.Length())
			for i := range ring {
				xy := seq.GetXY(i)
				ring[i] = orb.Point{xy.X, xy.Y}
			}
			op = append(op, orb.Ring(dedupe(orb.LineString(ring))))
		}
		out = append(out, op)
	}
	return out
}
