package ingest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/vector"
)

// Reference layers from files: a regulator's own boundaries, places,
// administrative sites, roads and fibre points of presence, read by
// package vector and mapped here to the store's layers with an attribute
// mapping. The default attribute names read the Morocco reference pack's
// own GeoJSON (ma_communes_1502.geojson and the like) and common
// spellings (code, nom, nom_ar, POP2024 …), case-insensitively.

// RefKind names a reference layer a file can fill.
type RefKind string

// Reference layer kinds.
const (
	RefCommunes  RefKind = "communes"  // areas: polygons
	RefProvinces RefKind = "provinces" // areas: polygons
	RefRegions   RefKind = "regions"   // areas: polygons
	RefPlaces    RefKind = "places"    // data.Place: points
	RefSites     RefKind = "sites"     // data.LayerSites: points
	RefRoads     RefKind = "roads"     // data.LayerRoads: lines
	RefPoP       RefKind = "pop"       // data.LayerPoP: points
)

// RefOptions says how to map a reference file.
type RefOptions struct {
	Kind RefKind
	// Columns maps a target field (code, name_fr, population …; see
	// RefFields) to the file's attribute for it, overriding the default
	// names.
	Columns map[string]string
}

// refDefaults lists, per kind and target field, the attribute names tried
// in order (case-insensitively); the first with a value is used.
var refDefaults = map[RefKind]map[string][]string{
	RefCommunes: {
		"code":       {"code", "code_commune", "code_hcp", "hcp_code", "commune_code", "id"},
		"name_fr":    {"name_fr", "nom", "nom_fr", "name", "nom_commune", "hcp_name_fr"},
		"name_ar":    {"name_ar", "nom_ar", "hcp_name_ar", "nom_arabe"},
		"name_en":    {"name_en"},
		"parent":     {"province_code", "code_province", "parent"},
		"region":     {"region_code", "code_region", "hcp_region_code"},
		"type":       {"type", "milieu", "type_commune"},
		"population": populationAttrs,
	},
	RefProvinces: {
		"code":       {"hcp_code", "code", "code_province", "province_code", "id"},
		"name_fr":    {"hcp_name_fr", "name_fr", "nom", "nom_fr", "name", "nom_province"},
		"name_ar":    {"hcp_name_ar", "name_ar", "nom_ar", "nom_arabe"},
		"name_en":    {"name_en"},
		"parent":     {"region_code", "code_region", "hcp_region_code", "parent"},
		"region":     {"region_code", "code_region", "hcp_region_code"},
		"type":       {"hcp_type", "type"},
		"population": populationAttrs,
	},
	RefRegions: {
		"code":       {"hcp_region_code", "code", "code_region", "region_code", "id"},
		"name_fr":    {"name_fr", "hcp_name_fr", "nom", "nom_fr", "name", "nom_region"},
		"name_ar":    {"hcp_name_ar", "name_ar", "nom_ar", "nom_arabe"},
		"name_en":    {"name_en"},
		"parent":     {"parent"},
		"region":     {},
		"type":       {"type"},
		"population": populationAttrs,
	},
	RefPlaces: {
		"id":         {"geonameid", "id", "osm_id", "code"},
		"name":       {"name", "nom", "name_fr", "name_clean"},
		"name_ar":    {"name_ar", "nom_ar"},
		"kind":       {"kind", "feature_code", "type", "fclass", "facility_type"},
		"population": populationAttrs,
		"province":   {"hcp_province_code", "province_code", "code_province"},
		"region":     {"region_code", "code_region", "region_iso"},
	},
	RefSites: {
		"id":        {"id", "code", "site_id", "osm_id"},
		"name":      {"name", "nom", "name_fr"},
		"kind":      {"kind", "type", "category", "categorie", "nature"},
		"commune":   {"commune", "commune_code", "code_commune"},
		"urban":     {"urban", "milieu", "urbain", "is_urban"},
		"synthetic": {"synthetic", "synthetique"},
	},
	RefRoads: {
		"id":    {"id", "osm_id", "code"},
		"class": {"class", "highway", "fclass", "classe", "type", "categorie"},
		"name":  {"name", "nom", "ref"},
	},
	RefPoP: {
		"id":       {"id", "code", "pop_id"},
		"name":     {"name", "nom"},
		"operator": {"operator", "operateur", "mcc_mnc"},
	},
}

var populationAttrs = []string{"population_2024", "population", "pop", "pop2024", "pop_2024", "population2024"}

// RefFields lists the target fields of a kind, sorted.
func RefFields(k RefKind) []string {
	var out []string
	for f := range refDefaults[k] {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// refMapper reads one file's features for one kind.
type refMapper struct {
	file string
	kind RefKind
	cols map[string][]string
	rep  *Report
	ids  map[string]int // id -> line
}

func newRefMapper(file string, opt RefOptions, rep *Report, want ...RefKind) (*refMapper, error) {
	if !slices.Contains(want, opt.Kind) {
		return nil, fmt.Errorf("reference layer %s: %w: kind %q is not one of %s", file, data.ErrInvalid, opt.Kind, joinKinds(want))
	}
	m := &refMapper{file: file, kind: opt.Kind, cols: map[string][]string{}, rep: rep, ids: map[string]int{}}
	for f, names := range refDefaults[opt.Kind] {
		m.cols[f] = names
	}
	for f, a := range opt.Columns {
		if _, ok := m.cols[f]; !ok {
			return nil, fmt.Errorf("reference layer %s: %w: column mapping names %q, which %s do not have; expected one of %s", file, data.ErrInvalid, f, opt.Kind, strings.Join(RefFields(opt.Kind), ", "))
		}
		m.cols[f] = []string{a}
	}
	return m, nil
}

func joinKinds(ks []RefKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// get returns a field's value as text and the attribute it came from (the
// first default name when none is present).
func (m *refMapper) get(vf vector.Feature, field string) (col, val string) {
	names := m.cols[field]
	c, v, ok := attr(vf.Props, names...)
	if !ok {
		if len(names) > 0 {
			return names[0], ""
		}
		return field, ""
	}
	return c, text(v)
}

// id reads the feature's identifier, failing on a missing or repeated one.
func (m *refMapper) id(p *featureProblems, vf vector.Feature, field string) string {
	col, id := m.get(vf, field)
	if id == "" {
		p.fail(col, "", "E_REQUIRED", fmt.Sprintf("%s of %s is empty or missing; expected a unique %s (looked for %s; map the column if the file names it otherwise)",
			field, featureRef(vf), field, strings.Join(m.cols[field], ", ")))
		return ""
	}
	if prev, dup := m.ids[id]; dup {
		p.fail(col, id, "E_DUPLICATE_ROW", fmt.Sprintf("%s %s is already used by the feature at line %d; each %s must be unique", field, id, prev, field))
		return ""
	}
	return id
}

// keep records an accepted feature's identifier.
func (m *refMapper) keep(id string, line int) { m.ids[id] = line }

// population reads a whole, non-negative number ("" is 0).
func (m *refMapper) population(p *featureProblems, vf vector.Feature) int64 {
	col, s := m.get(vf, "population")
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1e12 {
		p.fail(col, s, "E_NUMBER", fmt.Sprintf("population %q is not a whole non-negative number", s))
		return 0
	}
	return int64(f)
}

// name reads a name field, warning when the main name is empty.
func (m *refMapper) name(p *featureProblems, vf vector.Feature, field string, main bool) string {
	col, s := m.get(vf, field)
	if s == "" && main {
		p.warn(col, "", "W_EMPTY_NAME", fmt.Sprintf("%s of %s is empty or missing; expected a name (looked for %s); the feature is kept unnamed", field, featureRef(vf), strings.Join(m.cols[field], ", ")))
	}
	return s
}

// boolean reads a yes/no field: urban/rural, true/false, 1/0, oui/non.
func (m *refMapper) boolean(p *featureProblems, vf vector.Feature, field string) (bool, bool) {
	col, s := m.get(vf, field)
	switch strings.ToLower(s) {
	case "":
		return false, false
	case "urban", "urbain", "urbaine", "true", "1", "yes", "oui", "u":
		return true, true
	case "rural", "rurale", "false", "0", "no", "non", "r":
		return false, true
	}
	p.fail(col, s, "E_BOOL", fmt.Sprintf("%s %q is not a yes/no value; expected urban/rural, true/false or 1/0", field, s))
	return false, false
}

func (m *refMapper) finish(fs []vector.Feature, accepted int, key string) error {
	if len(fs) == 0 {
		return &FormatError{File: m.file, Message: fmt.Sprintf("the file holds no features; expected %s", m.kind)}
	}
	if accepted > 0 {
		return nil
	}
	seen := false
	for _, f := range fs {
		if _, _, ok := attr(f.Props, m.cols[key]...); ok {
			seen = true
			break
		}
	}
	if !seen {
		return &FormatError{File: m.file, Column: m.cols[key][0], Message: fmt.Sprintf("no feature has a %s attribute (looked for %s); found attributes %s; map the column",
			key, strings.Join(m.cols[key], ", "), attrNames(fs))}
	}
	return &FormatError{File: m.file, Message: fmt.Sprintf("all %d features were rejected; see the problems listed", len(fs))}
}

// MapAreas maps communes, provinces or regions: code, name_fr, name_ar,
// name_en, parent, region, type and population, from polygons or
// multipolygons (validated, and repaired with a warning). A missing parent
// or region is derived from an HCP code ("01.511.01.01" is in province
// "01.511" of region "01"); regions have parent "MA".
func MapAreas(file string, fs []vector.Feature, opt RefOptions, rep *Report) ([]data.Area, error) {
	m, err := newRefMapper(file, opt, rep, RefCommunes, RefProvinces, RefRegions)
	if err != nil {
		return nil, err
	}
	level := map[RefKind]data.AreaLevel{RefCommunes: data.LevelCommune, RefProvinces: data.LevelProvince, RefRegions: data.LevelRegion}[opt.Kind]
	var out []data.Area
	for _, vf := range fs {
		rep.Rows++
		p := featureProblems{file: file, line: vf.Line, rep: rep}
		ref := featureRef(vf)
		code := m.id(&p, vf, "code")
		a := data.Area{Level: level, Code: code}
		a.NameFR = m.name(&p, vf, "name_fr", true)
		_, a.NameAR = m.get(vf, "name_ar")
		_, a.NameEN = m.get(vf, "name_en")
		_, a.Parent = m.get(vf, "parent")
		_, a.Region = m.get(vf, "region")
		_, a.Type = m.get(vf, "type")
		a.Population = m.population(&p, vf)
		mp, _, _ := p.polygons(vf, ref, string(opt.Kind)+" need polygons")
		if p.bad {
			rep.Rejected++
			continue
		}
		a.Geom = mp
		derive(&a)
		m.keep(code, vf.Line)
		out = append(out, a)
		rep.Accepted++
	}
	return out, m.finish(fs, len(out), "code")
}

// derive fills parent and region from an HCP code when the file did not.
func derive(a *data.Area) {
	parts := strings.Split(a.Code, ".")
	hcp := true
	for _, s := range parts {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			hcp = false
		}
	}
	switch a.Level {
	case data.LevelRegion:
		if a.Region == "" {
			a.Region = a.Code
		}
		if a.Parent == "" {
			a.Parent = "MA"
		}
	case data.LevelProvince:
		if hcp && len(parts) >= 2 {
			a.Region = first(a.Region, parts[0])
			a.Parent = first(a.Parent, parts[0])
		}
	case data.LevelCommune:
		if hcp && len(parts) >= 3 {
			a.Region = first(a.Region, parts[0])
			a.Parent = first(a.Parent, parts[0]+"."+parts[1])
		}
	}
}

// MapPlaces maps populated places (data.LayerPlaces): id, name, name_ar,
// kind, population, province and region, from points.
func MapPlaces(file string, fs []vector.Feature, opt RefOptions, rep *Report) ([]data.Place, error) {
	m, err := newRefMapper(file, opt, rep, RefPlaces)
	if err != nil {
		return nil, err
	}
	var out []data.Place
	for _, vf := range fs {
		rep.Rows++
		p := featureProblems{file: file, line: vf.Line, rep: rep}
		pl := data.Place{Layer: data.LayerPlaces, ID: m.id(&p, vf, "id")}
		pl.Name = m.name(&p, vf, "name", true)
		_, pl.NameAR = m.get(vf, "name_ar")
		_, pl.Kind = m.get(vf, "kind")
		_, pl.Province = m.get(vf, "province")
		_, reg := m.get(vf, "region")
		pl.Region = strings.TrimPrefix(reg, "MA-")
		pl.Population = m.population(&p, vf)
		pt, ok := p.point(vf, "places need points")
		if !ok || p.bad {
			rep.Rejected++
			continue
		}
		pl.Point = pt
		m.keep(pl.ID, vf.Line)
		out = append(out, pl)
		rep.Accepted++
	}
	return out, m.finish(fs, len(out), "id")
}

// MapFeatures maps administrative sites (points: id, name, kind, commune,
// urban, synthetic), roads (lines or multilines: id, class, name) or fibre
// points of presence (points: id, name, operator) to features of
// data.LayerSites, LayerRoads or LayerPoP. Props hold the file's
// attributes, the mapped fields under their target names and source_ref.
func MapFeatures(file string, fs []vector.Feature, opt RefOptions, rep *Report) ([]data.Feature, error) {
	m, err := newRefMapper(file, opt, rep, RefSites, RefRoads, RefPoP)
	if err != nil {
		return nil, err
	}
	layer := map[RefKind]string{RefSites: data.LayerSites, RefRoads: data.LayerRoads, RefPoP: data.LayerPoP}[opt.Kind]
	var out []data.Feature
	for _, vf := range fs {
		rep.Rows++
		p := featureProblems{file: file, line: vf.Line, rep: rep}
		ref := featureRef(vf)
		id := m.id(&p, vf, "id")
		props := make(map[string]any, len(vf.Props)+6)
		for k, v := range vf.Props {
			props[k] = v
		}
		set := func(field string) {
			if _, v := m.get(vf, field); v != "" {
				props[field] = v
			}
		}
		var geom orb.Geometry
		switch opt.Kind {
		case RefSites, RefPoP:
			pt, ok := p.point(vf, string(opt.Kind)+" need points")
			if ok {
				geom = pt
			}
			if opt.Kind == RefSites {
				if n := m.name(&p, vf, "name", true); n != "" {
					props["name"] = n
				}
				set("kind")
				set("commune")
				for _, f := range []string{"urban", "synthetic"} {
					if b, ok := m.boolean(&p, vf, f); ok {
						props[f] = b
					}
				}
			} else {
				if n := m.name(&p, vf, "name", true); n != "" {
					props["name"] = n
				}
				set("operator")
			}
		case RefRoads:
			if ls, ok := p.lines(vf, ref); ok {
				geom = ls
			}
			set("class")
			set("name")
		}
		if p.bad {
			rep.Rejected++
			continue
		}
		props["source_ref"] = ref
		m.keep(id, vf.Line)
		out = append(out, data.Feature{Layer: layer, ID: id, Props: props, Geom: geom})
		rep.Accepted++
	}
	return out, m.finish(fs, len(out), "id")
}

// point checks a point feature (a one-point MultiPoint is taken as its
// point).
func (p *featureProblems) point(vf vector.Feature, need string) (orb.Point, bool) {
	g := vf.Geom
	if mp, ok := g.(orb.MultiPoint); ok && len(mp) == 1 {
		g = mp[0]
	}
	pt, ok := g.(orb.Point)
	if !ok {
		p.fail("geometry", geomName(vf.Geom), "E_GEOMETRY_TYPE", fmt.Sprintf("%s; %s %s", need, featureRef(vf), geomArticle(vf.Geom)))
		return orb.Point{}, false
	}
	if !p.coords(pt, featureRef(vf)) {
		return orb.Point{}, false
	}
	return pt, true
}

// lines checks a line feature: a LineString or MultiLineString, each line
// with two distinct points at least; repeated points are dropped.
func (p *featureProblems) lines(vf vector.Feature, ref string) (orb.Geometry, bool) {
	var mls orb.MultiLineString
	switch g := vf.Geom.(type) {
	case orb.LineString:
		mls = orb.MultiLineString{g}
	case orb.MultiLineString:
		mls = g
	}
	if len(mls) == 0 {
		p.fail("geometry", geomName(vf.Geom), "E_GEOMETRY_TYPE", fmt.Sprintf("roads need lines; %s %s", ref, geomArticle(vf.Geom)))
		return nil, false
	}
	if !p.coords(mls, ref) {
		return nil, false
	}
	out := make(orb.MultiLineString, 0, len(mls))
	for i, ls := range mls {
		ls = orb.LineString(dedupe(ls))
		if len(ls) < 2 {
			p.fail("geometry", "", "E_INVALID_GEOMETRY", fmt.Sprintf("line %d of %s has fewer than two distinct points; expected a line", i+1, ref))
			return nil, false
		}
		out = append(out, ls)
	}
	if len(out) == 1 {
		return out[0], true
	}
	return out, true
}

// coords fails a geometry with a vertex that is not lon/lat degrees.
func (p *featureProblems) coords(g orb.Geometry, ref string) bool {
	bad, ok := badVertex(g)
	if !ok {
		return true
	}
	v := fmtXY(bad)
	msg := fmt.Sprintf("vertex %s of %s is not lon/lat degrees; expected EPSG:4326 (lon in [-180, 180], lat in [-90, 90])", v, ref)
	if math.Abs(bad[0]) > 1000 && math.Abs(bad[1]) > 1000 {
		msg += "; it looks like projected metres: reproject the file to EPSG:4326"
	} else if math.Abs(bad[0]) <= 90 && math.Abs(bad[1]) <= 180 {
		msg += "; lon and lat look swapped"
	}
	p.fail("geometry", v, "E_COORDINATES", msg)
	return false
}

func badVertex(g orb.Geometry) (orb.Point, bool) {
	var bad orb.Point
	found := false
	check := func(pt orb.Point) {
		if found {
			return
		}
		if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) { // NaN fails too
			bad, found = pt, true
		}
	}
	switch g := g.(type) {
	case orb.Point:
		check(g)
	case orb.MultiPoint:
		for _, pt := range g {
			check(pt)
		}
	case orb.LineString:
		for _, pt := range g {
			check(pt)
		}
	case orb.MultiLineString:
		for _, ls := range g {
			for _, pt := range ls {
				check(pt)
			}
		}
	case orb.MultiPolygon:
		for _, pg := range g {
			for _, r := range pg {
				for _, pt := range r {
					check(pt)
				}
			}
		}
	}
	return bad, found
}

// fmtXY writes a point as "lon,lat" to 1e-6 degrees (about 0.1 m).
func fmtXY(pt orb.Point) string {
	f := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
	}
	return f(pt[0]) + "," + f(pt[1])
}
