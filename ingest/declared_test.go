package ingest_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/ingest/vector"
)

// Casablanca-ish origin for generated polygons.
const x0, y0 = -7.6, 33.5

// sq is a counter-clockwise square of side s degrees at (x0+x, y0+y).
func sq(x, y, s float64) orb.Polygon {
	x, y = x0+x, y0+y
	return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
}

// ring builds a ring from offsets in units of u degrees from the origin.
func ring(u float64, xy ...float64) orb.Ring {
	var r orb.Ring
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, orb.Point{x0 + xy[i]*u, y0 + xy[i+1]*u})
	}
	return r
}

func vf(line int, props map[string]any, g orb.Geometry) vector.Feature {
	return vector.Feature{Ref: fmt.Sprintf("feature %d", line), Line: line, Props: props, Geom: g}
}

func decl(op, tech, level string) map[string]any {
	m := map[string]any{"NIVEAU": level}
	if op != "" {
		m["operator"] = op
	}
	if tech != "" {
		m["tech"] = tech
	}
	return m
}

// byLine indexes problems by line.
func byLine(rep *ingest.Report) map[int][]ingest.Problem {
	m := map[int][]ingest.Problem{}
	for _, p := range rep.Problems {
		m[p.Line] = append(m[p.Line], p)
	}
	return m
}

func findProblem(ps []ingest.Problem, code string) (ingest.Problem, bool) {
	for _, p := range ps {
		if p.Code == code {
			return p, true
		}
	}
	return ingest.Problem{}, false
}

// checkValid asserts a geometry is a valid polygon per simplefeatures,
// wound RFC 7946-style, without repeated points.
func checkValid(t testing.TB, g orb.Geometry) float64 {
	t.Helper()
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	default:
		t.Fatalf("geometry is %T, want a polygon", g)
	}
	b, err := geojson.NewGeometry(mp).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	sg, err := sf.UnmarshalGeoJSON(b)
	if err != nil {
		t.Fatalf("simplefeatures rejects %s: %v", b, err)
	}
	if err := sg.Validate(); err != nil {
		t.Fatalf("invalid output %s: %v", b, err)
	}
	for _, pg := range mp {
		for i, r := range pg {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("ring %d not closed or too short: %v", i, r)
			}
			for k := 1; k < len(r); k++ {
				if r[k] == r[k-1] {
					t.Fatalf("ring %d repeats point %v", i, r[k])
				}
			}
			if want := orb.CCW; (i == 0) != (r.Orientation() == want) {
				t.Fatalf("ring %d has orientation %v", i, r.Orientation())
			}
		}
	}
	return sg.Area()
}

func TestMapDeclaredLevels(t *testing.T) {
	cases := []struct {
		name   string
		opt    ingest.DeclaredOptions
		props  []map[string]any
		levels []string
	}{
		{"ARCEP convention, any case and spacing", ingest.DeclaredOptions{},
			[]map[string]any{decl("604-01", "4G", "TBC"), decl("604-01", "4G", " bc "), decl("604-01", "4G", "Cl")},
			[]string{"very_good", "good", "limited"}},
		{"custom mapping and attribute names", ingest.DeclaredOptions{LevelAttr: "couverture", OperatorAttr: "OPERATEUR", TechAttr: "GEN",
			LevelMap: map[string]string{"1": "very_good", "2": "good", "3": "limited", "faible": "limited"}},
			[]map[string]any{{"COUVERTURE": 1.0, "operateur": "60401", "gen": "LTE"}, {"couverture": "2", "OPERATEUR": "604-01", "GEN": "4g"}, {"couverture": "FAIBLE", "OPERATEUR": 60401.0, "GEN": "4G"}},
			[]string{"very_good", "good", "limited"}},
		{"scope from the options, mcc_mnc/techno fallbacks ignored", ingest.DeclaredOptions{Operator: "604-01", Tech: "4G"},
			[]map[string]any{{"NIVEAU": "TBC"}, {"niveau": "BC", "mcc_mnc": "604-01", "techno": "4G"}, {"Niveau": "CL"}},
			[]string{"very_good", "good", "limited"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fs []vector.Feature
			for i, p := range c.props {
				fs = append(fs, vf(i+1, p, sq(float64(i), 0, 0.5)))
			}
			rep := &ingest.Report{}
			out, err := ingest.MapDeclared("f.geojson", fs, c.opt, rep)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) > 0 {
				t.Fatalf("problems: %v", rep.Problems)
			}
			if len(out) != len(c.levels) || rep.Rows != 3 || rep.Accepted != 3 || rep.Rejected != 0 {
				t.Fatalf("%d features, rows %d accepted %d rejected %d", len(out), rep.Rows, rep.Accepted, rep.Rejected)
			}
			for i, f := range out {
				if f.Layer != "declared/604-01/4G" || f.ID != fmt.Sprintf("00000%d", i+1) {
					t.Errorf("feature %d: layer %q id %q", i, f.Layer, f.ID)
				}
				if f.Props["level"] != c.levels[i] || f.Props["operator"] != "604-01" || f.Props["tech"] != "4G" || f.Props["source_ref"] != fmt.Sprintf("feature %d", i+1) {
					t.Errorf("feature %d props = %v", i, f.Props)
				}
				for k, v := range c.props[i] {
					if k != "operator" && k != "tech" && f.Props[k] != v {
						t.Errorf("feature %d lost attribute %s=%v: %v", i, k, v, f.Props)
					}
				}
				if _, ok := f.Geom.(orb.Polygon); !ok {
					t.Errorf("feature %d geometry %T", i, f.Geom)
				}
			}
		})
	}
}

func TestMapDeclaredProblems(t *testing.T) {
	ok := sq(0, 0, 0.1)
	bowtie := orb.Polygon{ring(0.01, 0, 0, 2, 2, 2, 0, 0, 2, 0, 0)}
	collinear := orb.Polygon{ring(0.01, 0, 0, 1, 0, 2, 0, 0, 0)}
	projected := orb.Polygon{{{300000, 3700000}, {301000, 3700000}, {301000, 3701000}, {300000, 3700000}}}
	withID := func(p map[string]any, id string) map[string]any { p["@id"] = id; return p }
	fs := []vector.Feature{
		vf(2, decl("604-01", "4G", "XX"), ok),
		vf(3, decl("604-01", "4G", ""), ok),
		vf(4, decl("604-01", "4G", "TBC"), orb.Point{-7.6, 33.5}),
		vf(5, decl("", "4G", "TBC"), ok),
		vf(6, decl("IAM", "4G", "TBC"), ok),
		vf(7, decl("604-09", "4G", "TBC"), ok),
		vf(8, decl("604-01", "WiMAX", "TBC"), ok),
		vf(9, decl("604-01", "", "TBC"), ok),
		vf(10, decl("604-01", "4G", "TBC"), nil),
		vf(11, decl("604-01", "4G", "TBC"), projected),
		vf(12, decl("604-01", "4G", "TBC"), collinear),
		vf(13, withID(decl("604-02", "4G", "BC"), "A1"), sq(1, 0, 0.1)),
		vf(14, withID(decl("604-02", "4G", "BC"), "A1"), sq(2, 0, 0.1)),
		vf(15, decl("604-01", "4G", "BC"), bowtie),
		vf(16, decl("604-01", "4G", "CL"), orb.LineString{{-7.6, 33.5}, {-7.5, 33.6}}),
	}
	delete(fs[1].Props, "NIVEAU")
	want := map[int]struct{ code, col, msg string }{
		2:  {"E_LEVEL", "NIVEAU", `NIVEAU is "XX"; expected one of TBC, BC, CL (or set a level mapping)`},
		3:  {"E_REQUIRED", "NIVEAU", "NIVEAU is empty or missing; expected one of TBC, BC, CL"},
		4:  {"E_GEOMETRY_TYPE", "geometry", "declared coverage needs polygons; feature 4 is a Point"},
		5:  {"E_REQUIRED", "operator", "expected an MCC-MNC such as 604-01"},
		6:  {"E_MCC_MNC", "operator", `"IAM" is not MCC-MNC`},
		7:  {"E_UNKNOWN_OPERATOR", "operator", "604-09 is not an operator of this country; expected one of 604-00, 604-01, 604-02"},
		8:  {"E_TECH", "tech", `"WiMAX" is not a technology; expected 2G, 3G, 4G or 5G`},
		9:  {"E_REQUIRED", "tech", "tech is empty or missing"},
		10: {"E_GEOMETRY_TYPE", "geometry", "feature 10 has no geometry"},
		11: {"E_COORDINATES", "geometry", "vertex 300000,3700000 of feature 11 is not lon/lat degrees; expected EPSG:4326 (lon in [-180, 180], lat in [-90, 90]); it looks like projected metres"},
		12: {"E_INVALID_GEOMETRY", "geometry", "could not be repaired: nothing is left"},
		14: {"E_DUPLICATE_ROW", "@id", "@id A1 is already used in declared/604-02/4G by the feature at line 13"},
		15: {"W_INVALID_GEOMETRY", "geometry", "polygon ring not simple (at or near -7.59,33.51)"},
		16: {"E_GEOMETRY_TYPE", "geometry", "feature 16 is a LineString"},
	}
	rep := &ingest.Report{}
	out, err := ingest.MapDeclared("iam.geojson", fs, ingest.DeclaredOptions{Operators: map[string]bool{"604-00": true, "604-01": true, "604-02": true}}, rep)
	if err != nil {
		t.Fatal(err)
	}
	got := byLine(rep)
	for line, w := range want {
		p, ok := findProblem(got[line], w.code)
		if !ok {
			t.Errorf("line %d: no %s in %v", line, w.code, got[line])
			continue
		}
		if p.Column != w.col || !strings.Contains(p.Message, w.msg) || p.File != "iam.geojson" {
			t.Errorf("line %d: %s column %q message %q; want column %q, message containing %q", line, w.code, p.Column, p.Message, w.col, w.msg)
		}
		if sev := ingest.SevError; strings.HasPrefix(w.code, "W_") != (p.Severity != sev) {
			t.Errorf("line %d: %s has severity %s", line, w.code, p.Severity)
		}
	}
	for line, ps := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("unexpected problems at line %d: %v", line, ps)
		}
	}
	if rep.Rows != 15 || rep.Accepted != 2 || rep.Rejected != 13 || len(out) != 2 || rep.Warnings != 1 {
		t.Errorf("rows %d accepted %d rejected %d warnings %d, %d features", rep.Rows, rep.Accepted, rep.Rejected, rep.Warnings, len(out))
	}
	if out[0].ID != "000015" || out[1].ID != "A1" || out[1].Layer != "declared/604-02/4G" {
		t.Errorf("features = %v / %v", out[0], out[1])
	}
}

func TestMapDeclaredOtherScope(t *testing.T) {
	fs := []vector.Feature{
		vf(1, decl("604-02", "4G", "TBC"), sq(0, 0, 0.1)),
		vf(2, decl("604-01", "LTE", "TBC"), sq(1, 0, 0.1)),
		vf(3, decl("604-01", "3G", "TBC"), sq(2, 0, 0.1)),
		vf(4, decl("208-10", "4G", "TBC"), sq(3, 0, 0.1)),
	}
	rep := &ingest.Report{}
	out, err := ingest.MapDeclared("f", fs, ingest.DeclaredOptions{Operator: "604-01", Tech: "4G"}, rep)
	if err != nil {
		t.Fatal(err)
	}
	got := byLine(rep)
	if _, ok := findProblem(got[1], "E_OTHER_OPERATOR"); !ok {
		t.Errorf("line 1: %v", got[1])
	}
	if _, ok := findProblem(got[3], "E_OTHER_TECH"); !ok {
		t.Errorf("line 3: %v", got[3])
	}
	if _, ok := findProblem(got[4], "E_OTHER_OPERATOR"); !ok {
		t.Errorf("line 4: %v", got[4])
	}
	if len(out) != 1 || out[0].Props["source_ref"] != "feature 2" {
		t.Errorf("out = %v", out)
	}
	// Without a restriction, a foreign MCC is still refused.
	rep = &ingest.Report{}
	ingest.MapDeclared("f", fs[3:], ingest.DeclaredOptions{}, rep)
	if p, ok := findProblem(rep.Problems, "E_UNKNOWN_OPERATOR"); !ok || !strings.Contains(p.Message, "not under Morocco's mobile country code 604") {
		t.Errorf("foreign operator: %v", rep.Problems)
	}
}

func TestMapDeclaredRepair(t *testing.T) {
	const u = 0.01
	cases := []struct {
		name      string
		geom      orb.Geometry
		area      float64 // in u²
		violation string  // "" for a valid input
	}{
		{"bow-tie", orb.Polygon{ring(u, 0, 0, 2, 2, 2, 0, 0, 2, 0, 0)}, 2, "polygon ring not simple (at or near -7.59,33.51), in the exterior ring"},
		{"self-overlapping ring", orb.Polygon{ring(u, 0, 0, 3, 0, 3, 3, 1, 3, 1, 1, 2, 1, 2, 2, 0, 2, 0, 0)}, 8, "polygon ring not simple (at or near -7.59,33.52)"},
		{"ring wound twice", orb.Polygon{ring(u, 0, 0, 2, 0, 2, 2, 0, 2, 0, 0, 2, 0, 2, 2, 0, 2, 0, 0)}, 4, "ring not simple"},
		{"spike", orb.Polygon{ring(u, 0, 0, 2, 0, 2, 1, 3, 1, 2, 1, 2, 2, 0, 2, 0, 0)}, 4, "ring not simple"},
		{"unclosed ring", orb.Polygon{ring(u, 0, 0, 2, 0, 2, 2, 0, 2)}, 4, "polygon ring not closed (at or near -7.6,33.5)"},
		{"hole crossing the exterior", orb.Polygon{ring(u, 0, 0, 2, 0, 2, 2, 0, 2, 0, 0), ring(u, 1, 1, 3, 1, 3, 3, 1, 3, 1, 1)}, 3, "polygon rings intersect at multiple points"},
		{"hole outside", orb.Polygon{ring(u, 0, 0, 2, 0, 2, 2, 0, 2, 0, 0), ring(u, 3, 3, 4, 3, 4, 4, 3, 4, 3, 3)}, 4, "polygon interior ring outside of exterior ring"},
		{"overlapping parts", orb.MultiPolygon{{ring(u, 0, 0, 2, 0, 2, 2, 0, 2, 0, 0)}, {ring(u, 1, 1, 3, 1, 3, 3, 1, 3, 1, 1)}}, 7, "multipolygon child polygons touch at multiple points"},
		{"bow-tie hole", orb.Polygon{ring(u, 0, 0, 4, 0, 4, 4, 0, 4, 0, 0), ring(u, 1, 1, 3, 3, 3, 1, 1, 3, 1, 1)}, 14, "hole 1"},
		{"clockwise with repeated points (valid)", orb.Polygon{ring(u, 0, 0, 0, 2, 0, 2, 2, 2, 2, 0, 2, 0, 0, 0)}, 4, ""},
		{"clockwise with a hole (valid)", orb.Polygon{ring(u, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0), ring(u, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1)}, 15, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &ingest.Report{}
			out, err := ingest.MapDeclared("f", []vector.Feature{vf(7, decl("604-01", "4G", "TBC"), c.geom)}, ingest.DeclaredOptions{}, rep)
			if err != nil {
				t.Fatalf("%v; problems %v", err, rep.Problems)
			}
			area := checkValid(t, out[0].Geom)
			if math.Abs(area/(u*u)-c.area) > 1e-6 {
				t.Errorf("area = %g u², want %g", area/(u*u), c.area)
			}
			if c.violation == "" {
				if len(rep.Problems) > 0 {
					t.Errorf("problems for a valid polygon: %v", rep.Problems)
				}
				return
			}
			p, ok := findProblem(rep.Problems, "W_INVALID_GEOMETRY")
			if !ok || p.Line != 7 || p.Severity != ingest.SevWarning || !strings.Contains(p.Message, c.violation) || p.Value == "" {
				t.Errorf("problem = %+v, want a warning mentioning %q", p, c.violation)
			}
		})
	}
}

func TestMapDeclaredUnrepairable(t *testing.T) {
	for name, g := range map[string]orb.Geometry{
		"collinear":    orb.Polygon{ring(0.01, 0, 0, 1, 0, 2, 0, 0, 0)},
		"two points":   orb.Polygon{ring(0.01, 0, 0, 1, 1)},
		"one point":    orb.Polygon{ring(0.01, 0, 0, 0, 0, 0, 0)},
		"empty":        orb.Polygon{},
		"empty rings":  orb.Polygon{{}, {}},
		"NaN":          orb.Polygon{{{math.NaN(), 33}, {-7, 33}, {-7, 34}, {math.NaN(), 33}}},
		"retraced":     orb.Polygon{ring(0.01, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0)},
		"empty multi":  orb.MultiPolygon{},
		"empty member": orb.MultiPolygon{{}},
	} {
		t.Run(name, func(t *testing.T) {
			rep := &ingest.Report{}
			out, err := ingest.MapDeclared("f", []vector.Feature{vf(3, decl("604-01", "4G", "TBC"), g)}, ingest.DeclaredOptions{}, rep)
			var fe *ingest.FormatError
			if !errors.As(err, &fe) || len(out) != 0 {
				t.Fatalf("err = %v, %d features", err, len(out))
			}
			if len(rep.Problems) != 1 || rep.Problems[0].Line != 3 || rep.Problems[0].Severity != ingest.SevError {
				t.Fatalf("problems = %v", rep.Problems)
			}
			switch c := rep.Problems[0].Code; c {
			case "E_INVALID_GEOMETRY", "E_COORDINATES", "E_GEOMETRY_TYPE":
			default:
				t.Errorf("code %s", c)
			}
		})
	}
}

func TestMapDeclaredOverlap(t *testing.T) {
	a := sq(0, 0, 0.1)       // -7.60..-7.50, 33.50..33.60
	b := sq(0.05, 0.05, 0.1) // overlaps a by 0.05° x 0.05°
	edge := sq(0.1, 0, 0.1)  // shares a's east edge
	corner := sq(0.1, 0.1, 0.05)
	cases := []struct {
		name string
		fs   []vector.Feature
		want int
	}{
		{"same scope", []vector.Feature{vf(2, decl("604-01", "4G", "TBC"), a), vf(3, decl("604-01", "4G", "BC"), b)}, 1},
		{"other operator", []vector.Feature{vf(2, decl("604-01", "4G", "TBC"), a), vf(3, decl("604-02", "4G", "BC"), b)}, 0},
		{"other technology", []vector.Feature{vf(2, decl("604-01", "4G", "TBC"), a), vf(3, decl("604-01", "3G", "BC"), b)}, 0},
		{"touching along an edge", []vector.Feature{vf(2, decl("604-01", "4G", "TBC"), a), vf(3, decl("604-01", "4G", "BC"), edge)}, 0},
		{"touching at a corner", []vector.Feature{vf(2, decl("604-01", "4G", "TBC"), a), vf(3, decl("604-01", "4G", "BC"), corner)}, 0},
		{"three ways", []vector.Feature{vf(2, decl("604-01", "4G", "TBC"), a), vf(3, decl("604-01", "4G", "BC"), b), vf(4, decl("604-01", "4G", "CL"), sq(0.02, 0.02, 0.1))}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &ingest.Report{}
			out, err := ingest.MapDeclared("f", c.fs, ingest.DeclaredOptions{}, rep)
			if err != nil || len(out) != len(c.fs) {
				t.Fatalf("%d features, %v", len(out), err)
			}
			var ov []ingest.Problem
			for _, p := range rep.Problems {
				if p.Code == "W_OVERLAP" {
					ov = append(ov, p)
				}
			}
			if len(ov) != c.want || len(rep.Problems) != c.want {
				t.Fatalf("got %d overlaps, want %d: %v", len(ov), c.want, rep.Problems)
			}
			if c.name != "same scope" {
				return
			}
			p := ov[0]
			// Independent reference: the overlap's sides by great-circle distance.
			w := haversineKM(orb.Point{-7.55, 33.575}, orb.Point{-7.50, 33.575})
			h := haversineKM(orb.Point{-7.55, 33.55}, orb.Point{-7.55, 33.60})
			km2, err := strconv.ParseFloat(strings.TrimSuffix(p.Value, " km²"), 64)
			if err != nil || math.Abs(km2/(w*h)-1) > 0.05 {
				t.Errorf("overlap %q (%v), want %.2f km² ±5%%", p.Value, err, w*h)
			}
			if p.Line != 3 || p.Severity != ingest.SevWarning || !strings.Contains(p.Message, "feature 3 (level good) overlaps feature 2 (line 2, level very_good) in declared/604-01/4G") ||
				!strings.Contains(p.Message, "equirectangular") || !strings.Contains(p.Message, "better level wins") {
				t.Errorf("problem = %+v", p)
			}
		})
	}
}

func haversineKM(a, b orb.Point) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dLat, dLon := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

func TestMapDeclaredScopes(t *testing.T) {
	fs := []vector.Feature{
		vf(1, decl("604-01", "4G", "TBC"), sq(0, 0, 0.1)),
		vf(2, decl("604-02", "4G", "BC"), sq(0, 0, 0.1)),
		vf(3, decl("604-01", "3G", "CL"), sq(0, 0, 0.1)),
		vf(4, decl("604-01", "4G", "BC"), sq(1, 0, 0.1)),
		vf(5, decl("604-02", "4G", "CL"), sq(1, 0, 0.1)),
	}
	rep := &ingest.Report{}
	out, err := ingest.MapDeclared("f", fs, ingest.DeclaredOptions{}, rep)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range out {
		got = append(got, f.Layer+" "+f.ID)
	}
	want := "declared/604-01/3G 000003, declared/604-01/4G 000001, declared/604-01/4G 000004, declared/604-02/4G 000002, declared/604-02/4G 000005"
	if strings.Join(got, ", ") != want {
		t.Errorf("scopes = %s\nwant %s", strings.Join(got, ", "), want)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("problems: %v", rep.Problems)
	}
}

func TestMapDeclaredNothingUsable(t *testing.T) {
	var fe *ingest.FormatError
	rep := &ingest.Report{}
	_, err := ingest.MapDeclared("f", nil, ingest.DeclaredOptions{}, rep)
	if !errors.As(err, &fe) {
		t.Errorf("no features: %v", err)
	}
	fs := []vector.Feature{vf(1, map[string]any{"level": "TBC", "operator": "604-01", "tech": "4G"}, sq(0, 0, 0.1))}
	_, err = ingest.MapDeclared("f", fs, ingest.DeclaredOptions{}, &ingest.Report{})
	if !errors.As(err, &fe) || fe.Column != "NIVEAU" || !strings.Contains(fe.Message, "found attributes level, operator, tech") {
		t.Errorf("no level attribute: %v", err)
	}
	out, err := ingest.MapDeclared("f", fs, ingest.DeclaredOptions{LevelAttr: "level"}, &ingest.Report{})
	if err != nil || len(out) != 1 {
		t.Errorf("with LevelAttr: %v", err)
	}
	for name, opt := range map[string]ingest.DeclaredOptions{
		"operator": {Operator: "Maroc Telecom"},
		"tech":     {Tech: "6G"},
		"level":    {LevelMap: map[string]string{"A": "excellent"}},
	} {
		if _, err := ingest.MapDeclared("f", fs, opt, &ingest.Report{}); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("bad %s option: %v", name, err)
		}
	}
}

// TestMapDeclaredFixture reads a small GeoJSON with orb (the vector
// readers are tested on their own).
func TestMapDeclaredFixture(t *testing.T) {
	fs := readFixture(t, "testdata/declared/iam_4g.geojson")
	rep := &ingest.Report{}
	out, err := ingest.MapDeclared("iam_4g.geojson", fs, ingest.DeclaredOptions{Operator: "604-01", Tech: "4G"}, rep)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	for _, p := range rep.Problems {
		codes[fmt.Sprintf("%d %s", p.Line, p.Code)]++
	}
	want := map[string]int{"3 W_OVERLAP": 1, "4 W_INVALID_GEOMETRY": 1, "5 E_LEVEL": 1}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("problems %v, want %v: %v", codes, want, rep.Problems)
	}
	if len(out) != 4 || out[0].ID != "casa-1" || out[0].Props["NOM"] != "Casablanca centre" {
		t.Errorf("features: %v", out)
	}
	for _, f := range out {
		checkValid(t, f.Geom)
	}
}

func readFixture(t testing.TB, path string) []vector.Feature {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	fs := make([]vector.Feature, len(fc.Features))
	for i, f := range fc.Features {
		props := map[string]any(f.Properties)
		if f.ID != nil {
			props["@id"] = f.ID
		}
		fs[i] = vector.Feature{Ref: fmt.Sprintf("feature %d", i+1), Line: i + 1, Props: props, Geom: f.Geometry}
	}
	return fs
}

// BenchmarkDeclaredOverlap maps a few thousand generated 32-gon
// polygons, each overlapping its neighbours.
func BenchmarkDeclaredOverlap(b *testing.B) {
	const n = 60 // n × n/2 = 1800 per technology, 3600 in all
	var fs []vector.Feature
	for _, tech := range []string{"3G", "4G"} {
		for i := 0; i < n; i++ {
			for j := 0; j < n/2; j++ {
				c := orb.Point{x0 + float64(i)*0.02, y0 + float64(j)*0.02}
				var r orb.Ring
				for k := 0; k <= 32; k++ {
					a := 2 * math.Pi * float64(k%32) / 32
					r = append(r, orb.Point{c[0] + 0.012*math.Cos(a), c[1] + 0.012*math.Sin(a)})
				}
				lvl := []string{"TBC", "BC", "CL"}[(i+j)%3]
				fs = append(fs, vf(len(fs)+1, decl("604-01", tech, lvl), orb.Polygon{r}))
			}
		}
	}
	b.ReportAllocs()
	var overlaps int64
	for b.Loop() {
		rep := &ingest.Report{}
		if _, err := ingest.MapDeclared("bench", fs, ingest.DeclaredOptions{}, rep); err != nil {
			b.Fatal(err)
		}
		overlaps = rep.Warnings
	}
	b.ReportMetric(float64(len(fs))*float64(b.N)/b.Elapsed().Seconds(), "features/s")
	b.ReportMetric(float64(overlaps), "overlaps")
}

// FuzzMapDeclared builds features from fuzzed attributes and coordinates:
// no panic, the counts add up, and every accepted feature is a valid,
// RFC 7946-wound polygon in its scope.
func FuzzMapDeclared(f *testing.F) {
	f.Add("TBC", "604-01", "4G", []byte{0, 0, 20, 20, 20, 0, 0, 20}, []byte{5, 5, 30, 5, 30, 30})
	f.Add("bc", "60402", "LTE", []byte{0, 0, 30, 0, 30, 30, 10, 30, 10, 10, 20, 10, 20, 20, 0, 20}, []byte{})
	f.Add("XX", "", "", []byte{1, 1, 1, 1, 1, 1}, []byte{0, 0, 0, 10, 10, 0})
	f.Add("CL", "604-01", "5G", []byte{0, 0, 10, 0, 10, 10, 0, 10, 0, 0, 10, 0, 10, 10}, []byte{0, 0, 10, 0, 5, 0, 10, 0})
	f.Fuzz(func(t *testing.T, level, op, tech string, a, b []byte) {
		poly := func(bs []byte, hole bool) orb.Polygon {
			var r orb.Ring
			for i := 0; i+1 < len(bs) && i < 64; i += 2 {
				r = append(r, orb.Point{x0 + float64(int8(bs[i]))*0.001, y0 + float64(int8(bs[i+1]))*0.001})
			}
			if len(r) > 0 && len(bs)%4 == 0 {
				r = append(r, r[0])
			}
			pg := orb.Polygon{r}
			if hole && len(r) > 3 {
				var h orb.Ring
				for k := len(r) - 1; k >= 0; k-- {
					h = append(h, orb.Point{(r[k][0]-x0)*0.5 + x0 + 0.002, (r[k][1]-y0)*0.5 + y0 + 0.002})
				}
				pg = append(pg, h)
			}
			return pg
		}
		var fs []vector.Feature
		fs = append(fs, vf(1, map[string]any{"NIVEAU": level, "operator": op, "tech": tech}, poly(a, false)))
		fs = append(fs, vf(2, map[string]any{"NIVEAU": "TBC", "operator": "604-01", "tech": "4G"}, orb.MultiPolygon{poly(b, true), poly(a, false)}))
		fs = append(fs, vf(3, map[string]any{"NIVEAU": "BC", "operator": "604-01", "tech": "4G"}, poly(append(b, a...), len(a)%2 == 0)))
		rep := &ingest.Report{}
		out, err := ingest.MapDeclared("fuzz", fs, ingest.DeclaredOptions{}, rep)
		if err != nil && len(out) > 0 {
			t.Fatalf("error %v with %d features", err, len(out))
		}
		if rep.Rows != int64(len(fs)) || rep.Accepted+rep.Rejected != rep.Rows || int64(len(out)) != rep.Accepted {
			t.Fatalf("rows %d accepted %d rejected %d, %d features", rep.Rows, rep.Accepted, rep.Rejected, len(out))
		}
		for _, f := range out {
			if !strings.HasPrefix(f.Layer, "declared/604-") {
				t.Fatalf("layer %q", f.Layer)
			}
			switch f.Props["level"] {
			case "very_good", "good", "limited":
			default:
				t.Fatalf("level %v", f.Props["level"])
			}
			checkValid(t, f.Geom)
		}
	})
}
