package ingest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/vector"
	"github.com/tidwall/rtree"
)

// Declared coverage: the polygons an operator declares per technology,
// each with a level attribute. The ARCEP convention is an attribute NIVEAU
// of TBC (très bonne couverture), BC (bonne couverture) or CL (couverture
// limitée); where there is no polygon the operator declares no coverage.
//
// Overlaps. Polygons of one operator and technology should not overlap;
// when they do (a BC polygon drawn over a TBC one), each pair is reported
// as W_OVERLAP and both polygons are kept. The rule downstream is that
// the best declared level wins: a cell covered by several polygons of the
// same scope takes the best of their levels (very_good > good > limited).

// DeclaredOptions says how to read a declared-coverage file.
type DeclaredOptions struct {
	// Operator is the MCC-MNC of the whole file, e.g. "604-01"; when "",
	// each feature's OperatorAttr attribute gives it.
	Operator string
	// Tech is "2G".."5G" for the whole file; when "", each feature's
	// TechAttr attribute gives it.
	Tech string
	// LevelAttr names the level attribute; default "NIVEAU".
	LevelAttr string
	// OperatorAttr and TechAttr name the operator and technology
	// attributes; by default "operator" or else "mcc_mnc", and "tech" or
	// else "techno". Attribute names match case-insensitively.
	OperatorAttr, TechAttr string
	// LevelMap maps a file's level value (compared trimmed and
	// case-insensitively) to "very_good", "good" or "limited"; default
	// TBC, BC and CL.
	LevelMap map[string]string
	// Operators lists the accepted MCC-MNC codes; nil accepts any 604-xx.
	Operators map[string]bool
}

// arcepLevels is the ARCEP level convention, the default LevelMap.
var arcepLevels = map[string]string{"TBC": "very_good", "BC": "good", "CL": "limited"}

// OverlapEpsilon is the intersection area, in square degrees, below which
// two polygons are taken to touch rather than overlap (1e-9 deg² is about
// 10 m² at Morocco's latitudes).
const OverlapEpsilon = 1e-9

// MapDeclared maps the features of a declared-coverage file to features of
// the layers data.LayerKey(data.LayerDeclared, operator, tech): a file may
// hold several operator/technology scopes, and the caller replaces each
// scope it returns. Feature IDs are the "@id" attribute or else the
// feature's Line (its 1-based index when Line is 0), zero-padded to six
// digits, unique within a scope. Props hold operator, tech, level,
// source_ref and the file's own attributes. Geometries are valid (repaired when they were not, with a warning), without repeated
// points, exterior rings counter-clockwise and holes clockwise.
//
// Problems go to rep; the error is a *FormatError only when no feature
// is usable, or an error wrapping data.ErrInvalid for bad options.
func MapDeclared(file string, fs []vector.Feature, opt DeclaredOptions, rep *Report) ([]data.Feature, error) {
	levels, err := opt.levels()
	if err != nil {
		return nil, fmt.Errorf("declared coverage %s: %w", file, err)
	}
	if opt.LevelAttr == "" {
		opt.LevelAttr = "NIVEAU"
	}
	if opt.Operator != "" {
		if opt.Operator, err = parseMCCMNC(opt.Operator); err != nil {
			return nil, fmt.Errorf("declared coverage %s: operator option: %w: %v", file, data.ErrInvalid, err)
		}
	}
	var optTech data.Tech
	if opt.Tech != "" {
		if optTech, err = data.ParseTech(opt.Tech); err != nil {
			return nil, fmt.Errorf("declared coverage %s: tech option: %w", file, err)
		}
	}
	if len(fs) == 0 {
		return nil, &FormatError{File: file, Message: "the file holds no features; expected declared-coverage polygons"}
	}
	opAttrs := []string{"operator", "mcc_mnc"}
	if opt.OperatorAttr != "" {
		opAttrs = []string{opt.OperatorAttr}
	}
	techAttrs := []string{"tech", "techno"}
	if opt.TechAttr != "" {
		techAttrs = []string{opt.TechAttr}
	}

	type kept struct {
		f    data.Feature
		line int
		ref  string
		geom sf.Geometry
	}
	var out []kept
	ids := map[string]int{} // layer + id -> line
	var seenLevel, seenOp, seenTech bool
	for i, vf := range fs {
		rep.Rows++
		p := featureProblems{file: file, line: vf.Line, rep: rep}
		ref := featureRef(vf)

		// Level.
		lvCol, lvVal, lvOK := attr(vf.Props, opt.LevelAttr)
		seenLevel = seenLevel || lvOK
		lvS := text(lvVal)
		if !lvOK {
			lvCol = opt.LevelAttr
		}
		level, known := levels.lookup(lvS)
		switch {
		case lvS == "":
			p.fail(lvCol, "", "E_REQUIRED", fmt.Sprintf("%s is empty or missing; expected one of %s", lvCol, levels.expected))
		case !known:
			p.fail(lvCol, lvS, "E_LEVEL", fmt.Sprintf("%s is %q; expected one of %s (or set a level mapping)", lvCol, lvS, levels.expected))
		}

		// Operator.
		opCol, opVal, opOK := attr(vf.Props, opAttrs...)
		if !opOK {
			opCol = opAttrs[0]
		}
		opS := text(opVal)
		seenOp = seenOp || opS != ""
		op := opt.Operator
		if op == "" {
			switch code, err := parseMCCMNC(opS); {
			case opS == "":
				p.fail(opCol, "", "E_REQUIRED", fmt.Sprintf("%s is empty or missing; expected an MCC-MNC such as 604-01 (or give the file's operator)", opCol))
			case err != nil:
				p.fail(opCol, opS, "E_MCC_MNC", err.Error())
			default:
				op = code
			}
		} else if code, err := parseMCCMNC(opS); opS != "" && err == nil && code != op {
			p.fail(opCol, opS, "E_OTHER_OPERATOR", fmt.Sprintf("feature is for %s but this file is for operator %s", code, op))
		}
		if op != "" && !p.bad {
			switch {
			case opt.Operators != nil && !opt.Operators[op]:
				p.fail(opCol, op, "E_UNKNOWN_OPERATOR", fmt.Sprintf("%s is not an operator of this country; expected one of %s", op, keys(opt.Operators)))
			case opt.Operators == nil && !strings.HasPrefix(op, "604-"):
				p.fail(opCol, op, "E_UNKNOWN_OPERATOR", fmt.Sprintf("%s is not under Morocco's mobile country code 604", op))
			}
		}

		// Technology.
		techCol, techVal, techOK := attr(vf.Props, techAttrs...)
		if !techOK {
			techCol = techAttrs[0]
		}
		techS := text(techVal)
		seenTech = seenTech || techS != ""
		tech := optTech
		if tech == 0 {
			t, err := data.ParseTech(techS)
			switch {
			case techS == "":
				p.fail(techCol, "", "E_REQUIRED", fmt.Sprintf("%s is empty or missing; expected 2G, 3G, 4G or 5G (or give the file's technology)", techCol))
			case err != nil:
				p.fail(techCol, techS, "E_TECH", fmt.Sprintf("%q is not a technology; expected 2G, 3G, 4G or 5G", techS))
			default:
				tech = t
			}
		} else if t, err := data.ParseTech(techS); techS != "" && err == nil && t != tech {
			p.fail(techCol, techS, "E_OTHER_TECH", fmt.Sprintf("feature is for %s but this file is for %s", t, tech))
		}

		// Geometry.
		mp, g, _ := p.polygons(vf, ref, "declared coverage needs polygons")
		if p.bad {
			rep.Rejected++
			continue
		}

		layer := data.LayerKey(data.LayerDeclared, op, tech.String())
		n := vf.Line
		if n <= 0 {
			n = i + 1
		}
		id, idCol := fmt.Sprintf("%06d", n), "@id"
		if c, v, ok := attr(vf.Props, "@id"); ok && text(v) != "" {
			id, idCol = text(v), c
		}
		if prev, dup := ids[layer+"\x00"+id]; dup {
			p.fail(idCol, id, "E_DUPLICATE_ROW", fmt.Sprintf("@id %s is already used in %s by the feature at line %d; ids must be unique", id, layer, prev))
			rep.Rejected++
			continue
		}
		ids[layer+"\x00"+id] = vf.Line
		props := make(map[string]any, len(vf.Props)+4)
		for k, v := range vf.Props {
			props[k] = v
		}
		props["operator"], props["tech"], props["level"], props["source_ref"] = op, tech.String(), level, ref
		var geom orb.Geometry = mp
		if len(mp) == 1 {
			geom = mp[0]
		}
		out = append(out, kept{f: data.Feature{Layer: layer, ID: id, Props: props, Geom: geom}, line: vf.Line, ref: ref, geom: g})
		rep.Accepted++
	}
	if len(out) == 0 {
		switch {
		case !seenLevel:
			return nil, &FormatError{File: file, Column: opt.LevelAttr, Message: fmt.Sprintf("no feature has the level attribute %s; found attributes %s (set the level attribute)", opt.LevelAttr, attrNames(fs))}
		case opt.Operator == "" && !seenOp:
			return nil, &FormatError{File: file, Column: opAttrs[0], Message: fmt.Sprintf("no feature names its operator in %s; found attributes %s (give the file's operator)", strings.Join(opAttrs, " or "), attrNames(fs))}
		case opt.Tech == "" && !seenTech:
			return nil, &FormatError{File: file, Column: techAttrs[0], Message: fmt.Sprintf("no feature names its technology in %s; found attributes %s (give the file's technology)", strings.Join(techAttrs, " or "), attrNames(fs))}
		}
		return nil, &FormatError{File: file, Message: fmt.Sprintf("all %d features were rejected; see the problems listed", len(fs))}
	}

	// Overlaps within each scope, then the output grouped by scope in file order.
	slices.SortStableFunc(out, func(a, b kept) int { return strings.Compare(a.f.Layer, b.f.Layer) })
	items := make([]overlapItem, len(out))
	for i, k := range out {
		items[i] = overlapItem{scope: k.f.Layer, line: k.line, ref: k.ref, level: k.f.Props["level"].(string), geom: k.geom}
	}
	for _, o := range findOverlaps(items) {
		a, b := items[o.i], items[o.j]
		rep.add(Problem{File: file, Line: b.line, Column: "geometry", Value: fmt.Sprintf("%.3f km²", o.km2), Code: "W_OVERLAP", Severity: SevWarning,
			Message: fmt.Sprintf("%s (level %s) overlaps %s (line %d, level %s) in %s by about %.3f km² (equirectangular approximation); polygons of one operator and technology should not overlap; both are kept and the better level wins where they do",
				b.ref, b.level, a.ref, a.line, a.level, b.scope, o.km2)})
	}
	res := make([]data.Feature, len(out))
	for i, k := range out {
		res[i] = k.f
	}
	return res, nil
}

// levelTable is a resolved level mapping.
type levelTable struct {
	m        map[string]string // upper-cased trimmed file value -> level
	expected string            // the file values, best level first, for messages
}

func (t levelTable) lookup(s string) (string, bool) {
	l, ok := t.m[strings.ToUpper(strings.TrimSpace(s))]
	return l, ok
}

func (o DeclaredOptions) levels() (levelTable, error) {
	src := o.LevelMap
	if src == nil {
		src = arcepLevels
	}
	rank := map[string]int{data.LevelVeryGood.String(): 0, data.LevelGood.String(): 1, data.LevelLimited.String(): 2}
	t := levelTable{m: map[string]string{}}
	type kv struct {
		k string
		r int
	}
	var ks []kv
	for k, v := range src {
		r, ok := rank[v]
		if !ok {
			return t, fmt.Errorf("%w: level mapping %q -> %q: expected very_good, good or limited", data.ErrInvalid, k, v)
		}
		key := strings.ToUpper(strings.TrimSpace(k))
		if key == "" {
			return t, fmt.Errorf("%w: level mapping has an empty file value", data.ErrInvalid)
		}
		t.m[key] = v
		ks = append(ks, kv{strings.TrimSpace(k), r})
	}
	slices.SortFunc(ks, func(a, b kv) int {
		if a.r != b.r {
			return a.r - b.r
		}
		return strings.Compare(a.k, b.k)
	})
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.k
	}
	t.expected = strings.Join(names, ", ")
	return t, nil
}

// parseMCCMNC reads "604-01", "604 01" or "60401" (a number too) as
// "604-01".
func parseMCCMNC(s string) (string, error) {
	s = strings.TrimSpace(s)
	if mccMNC.MatchString(s) {
		return s, nil
	}
	d := strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '/' {
			return -1
		}
		return r
	}, s)
	if len(d) >= 5 && len(d) <= 6 && strings.Trim(d, "0123456789") == "" {
		return d[:3] + "-" + d[3:], nil
	}
	return "", fmt.Errorf("%q is not MCC-MNC; expected three digits, a dash and two or three digits, such as 604-01", s)
}

type overlapItem struct {
	scope string
	line  int
	ref   string
	level string
	geom  sf.Geometry
}

type overlap struct {
	i, j int     // indexes into the items, i < j
	km2  float64 // area of the intersection
}

// findOverlaps returns the pairs of items of the same scope whose
// interiors intersect by more than OverlapEpsilon: candidates from an
// R-tree of bounding boxes, then the area of the exact intersection.
// Pairs whose intersection cannot be computed (numerical degeneracy)
// are skipped.
func findOverlaps(items []overlapItem) []overlap {
	var tr rtree.RTreeGN[float64, int]
	boxes := make([][2][2]float64, len(items))
	for i, it := range items {
		env := it.geom.Envelope()
		lo, hi, ok := env.MinMaxXYs()
		if !ok {
			continue
		}
		boxes[i] = [2][2]float64{{lo.X, lo.Y}, {hi.X, hi.Y}}
		tr.Insert(boxes[i][0], boxes[i][1], i)
	}
	var res []overlap
	var cand []int
	for i, it := range items {
		cand = cand[:0]
		tr.Search(boxes[i][0], boxes[i][1], func(_, _ [2]float64, j int) bool {
			if j > i && items[j].scope == it.scope {
				cand = append(cand, j)
			}
			return true
		})
		slices.Sort(cand)
		for _, j := range cand {
			if !sf.Intersects(it.geom, items[j].geom) {
				continue
			}
			inter, err := sf.Intersection(it.geom, items[j].geom)
			if err != nil {
				continue
			}
			if a := inter.Area(); a > OverlapEpsilon {
				res = append(res, overlap{i: i, j: j, km2: areaKM2(inter)})
			}
		}
	}
	return res
}

// areaKM2 is the area of a lon/lat geometry in km², with a local
// equirectangular projection at its centroid's latitude (good to a few
// tenths of a percent for areas a few tens of kilometres across).
func areaKM2(g sf.Geometry) float64 {
	c, ok := g.Centroid().XY()
	if !ok {
		return 0
	}
	const kmPerDeg = 6371.0088 * math.Pi / 180
	return g.Area() * kmPerDeg * kmPerDeg * math.Cos(c.Y*math.Pi/180)
}

// featureProblems collects one feature's problems.
type featureProblems struct {
	file string
	line int
	rep  *Report
	bad  bool
}

func (p *featureProblems) fail(col, val, code, msg string) {
	p.bad = true
	p.rep.add(Problem{File: p.file, Line: p.line, Column: col, Value: truncate(val), Code: code, Severity: SevError, Message: msg})
}

func (p *featureProblems) warn(col, val, code, msg string) {
	p.rep.add(Problem{File: p.file, Line: p.line, Column: col, Value: truncate(val), Code: code, Severity: SevWarning, Message: msg})
}

func featureRef(f vector.Feature) string {
	if f.Ref != "" {
		return f.Ref
	}
	return fmt.Sprintf("feature %d", f.Line)
}

// attr finds the first of names among the attributes, exactly or else
// case-insensitively (the first such attribute in byte order), and returns
// the file's spelling of it. An attribute with a nil or blank value counts
// as absent when a later name has a value.
func attr(props map[string]any, names ...string) (string, any, bool) {
	var firstName string
	var firstVal any
	found := false
	for _, n := range names {
		k, v, ok := lookupFold(props, n)
		if !ok {
			continue
		}
		if text(v) != "" {
			return k, v, true
		}
		if !found {
			firstName, firstVal, found = k, v, true
		}
	}
	return firstName, firstVal, found
}

func lookupFold(props map[string]any, name string) (string, any, bool) {
	if v, ok := props[name]; ok {
		return name, v, true
	}
	best := ""
	for k := range props {
		if strings.EqualFold(k, name) && (best == "" || k < best) {
			best = k
		}
	}
	if best == "" {
		return "", nil, false
	}
	return best, props[best], true
}

// text renders an attribute value as trimmed NFC text.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return nfc(strings.TrimSpace(v))
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func attrNames(fs []vector.Feature) string {
	seen := map[string]bool{}
	for i, f := range fs {
		if i == 100 {
			break
		}
		for k := range f.Props {
			seen[k] = true
		}
	}
	if len(seen) == 0 {
		return "none"
	}
	return keys(seen)
}

// polygonal returns the polygons of a Polygon, MultiPolygon or a
// collection of them.
func polygonal(g orb.Geometry) (orb.MultiPolygon, bool) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, true
	case orb.Ring:
		return orb.MultiPolygon{{g}}, true
	case orb.Bound:
		return orb.MultiPolygon{g.ToPolygon()}, true
	case orb.MultiPolygon:
		return g, len(g) > 0
	case orb.Collection:
		var mp orb.MultiPolygon
		for _, c := range g {
			sub, ok := polygonal(c)
			if !ok {
				return nil, false
			}
			mp = append(mp, sub...)
		}
		return mp, len(mp) > 0
	}
	return nil, false
}

func geomName(g orb.Geometry) string {
	if g == nil {
		return "no geometry"
	}
	return g.GeoJSONType()
}

// geomArticle says what a geometry is: "is a Point", "has no geometry".
func geomArticle(g orb.Geometry) string {
	switch {
	case g == nil:
		return "has no geometry"
	case isEmpty(g):
		return "is an empty " + g.GeoJSONType()
	case g.GeoJSONType() == "":
		return "has a geometry of unknown type"
	}
	return "is a " + g.GeoJSONType()
}

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return false
}
