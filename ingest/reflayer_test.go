package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/ingest/vector"
	"golang.org/x/text/unicode/norm"
)

// packDir is the Morocco reference pack, outside the repository.
var packDir = filepath.Join("..", "..", "shared", "data", "morocco")

func packFile(t *testing.T, name string) []vector.Feature {
	t.Helper()
	p := filepath.Join(packDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference pack file %s not available: %v", p, err)
	}
	return readFixture(t, p)
}

func TestMapAreasPack(t *testing.T) {
	cases := []struct {
		file  string
		kind  ingest.RefKind
		count int
		code  string
		want  data.Area
	}{
		{ingest.PackCommunes, ingest.RefCommunes, 1502, "01.051.01.05", data.Area{Level: data.LevelCommune, Code: "01.051.01.05", Parent: "01.051", Region: "01",
			NameFR: "Imzouren", NameAR: "امزورن", Type: "urban", Population: 34848}},
		{ingest.PackProvinces, ingest.RefProvinces, 75, "01.151", data.Area{Level: data.LevelProvince, Code: "01.151", Parent: "01", Region: "01",
			NameFR: "Chefchaouen", NameAR: "شفشاون", Type: "province", Population: 412713}},
		{ingest.PackRegions, ingest.RefRegions, 12, "01", data.Area{Level: data.LevelRegion, Code: "01", Parent: "MA", Region: "01",
			NameFR: "Tanger-Tétouan-Al Hoceima", NameAR: "طنجة-تطوان-الحسيمة", NameEN: "Tanger-Tétouan-Al Hoceïma", Population: 4030222}},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			fs := packFile(t, c.file)
			rep := &ingest.Report{}
			areas, err := ingest.MapAreas(c.file, fs, ingest.RefOptions{Kind: c.kind}, rep)
			if err != nil {
				t.Fatal(err)
			}
			if len(areas) != c.count || rep.Accepted != int64(c.count) || rep.Rejected != 0 {
				t.Fatalf("%d areas, accepted %d rejected %d; problems %v", len(areas), rep.Accepted, rep.Rejected, rep.Problems)
			}
			for _, p := range rep.Problems {
				t.Errorf("problem on the pack: %v", p)
			}
			var pop int64
			for _, a := range areas {
				pop += a.Population
				if len(a.Geom) == 0 || a.Parent == "" || a.Region == "" {
					t.Errorf("area %s: parent %q region %q, %d polygons", a.Code, a.Parent, a.Region, len(a.Geom))
				}
				if c.code == a.Code {
					got := a
					got.Geom = nil
					if !reflect.DeepEqual(got, c.want) {
						t.Errorf("area %s = %+v\nwant %+v", a.Code, got, c.want)
					}
				}
			}
			if c.kind == ingest.RefCommunes && pop != 36803627 {
				t.Errorf("commune population sums to %d, want 36,803,627 (the pack README)", pop)
			}
		})
	}
}

func TestMapPlacesPack(t *testing.T) {
	fs := packFile(t, "ma_places_geonames.geojson")
	rep := &ingest.Report{}
	places, err := ingest.MapPlaces("places.geojson", fs, ingest.RefOptions{Kind: ingest.RefPlaces}, rep)
	if err != nil {
		t.Fatal(err)
	}
	// 252 of the pack's 515 places have no GeoNames id: refused, by rule.
	if len(places) != 263 || rep.Rejected != 252 {
		t.Fatalf("%d places, %d rejected", len(places), rep.Rejected)
	}
	casa := places[0]
	if casa.ID != "2553604" || casa.Name != "Casablanca" || casa.Kind != "PPLA" || casa.Population != 3144909 || casa.Province != "06.141" || casa.Region != "06" || casa.Layer != data.LayerPlaces {
		t.Errorf("Casablanca = %+v", casa)
	}
}

func TestMapAreas(t *testing.T) {
	decomposed := "\u0627\u0654\u0632\u0631\u0648" // alef + combining hamza above: NFC is U+0623
	bowtie := orb.Polygon{ring(0.01, 0, 0, 2, 2, 2, 0, 0, 2, 0, 0)}
	fs := []vector.Feature{
		vf(1, map[string]any{"CODE_COM": "01.051.01.05", "NOM": " Imzouren ", "NOM_AR": decomposed, "POP2024": 34848.0, "MILIEU": "urban"}, sq(0, 0, 0.1)),
		vf(2, map[string]any{"CODE_COM": "", "NOM": "Sans code"}, sq(1, 0, 0.1)),
		vf(3, map[string]any{"CODE_COM": "01.051.01.05", "NOM": "Doublon"}, sq(2, 0, 0.1)),
		vf(4, map[string]any{"CODE_COM": "01.051.01.07", "NOM": "Point"}, orb.Point{-7.6, 33.5}),
		vf(5, map[string]any{"CODE_COM": "01.051.01.09", "NOM": "Pop", "POP2024": "n/a"}, sq(3, 0, 0.1)),
		vf(6, map[string]any{"CODE_COM": "01.051.01.11", "NOM": ""}, sq(4, 0, 0.1)),
		vf(7, map[string]any{"CODE_COM": "01.051.01.13", "NOM": "Bow-tie", "POP2024": "1200"}, bowtie),
		vf(8, map[string]any{"CODE_COM": "01.051.01.15", "NOM": "Pop décimale", "POP2024": 12.5}, sq(5, 0, 0.1)),
	}
	opt := ingest.RefOptions{Kind: ingest.RefCommunes, Columns: map[string]string{"code": "code_com", "population": "pop2024"}}
	rep := &ingest.Report{}
	areas, err := ingest.MapAreas("communes.geojson", fs, opt, rep)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct{ code, col, msg string }{
		2: {"E_REQUIRED", "CODE_COM", "code of feature 2 is empty or missing"},
		3: {"E_DUPLICATE_ROW", "CODE_COM", "code 01.051.01.05 is already used by the feature at line 1"},
		4: {"E_GEOMETRY_TYPE", "geometry", "communes need polygons; feature 4 is a Point"},
		5: {"E_NUMBER", "POP2024", `population "n/a" is not a whole non-negative number`},
		6: {"W_EMPTY_NAME", "NOM", "name_fr of feature 6 is empty"},
		7: {"W_INVALID_GEOMETRY", "geometry", "polygon ring not simple (at or near -7.59,33.51)"},
		8: {"E_NUMBER", "POP2024", `population "12.5"`},
	}
	got := byLine(rep)
	for line, w := range want {
		p, ok := findProblem(got[line], w.code)
		if !ok || p.Column != w.col || !strings.Contains(p.Message, w.msg) {
			t.Errorf("line %d: %v; want %s in column %s with %q", line, got[line], w.code, w.col, w.msg)
		}
	}
	if len(rep.Problems) != len(want) {
		t.Errorf("problems: %v", rep.Problems)
	}
	if len(areas) != 3 || rep.Rows != 8 || rep.Accepted != 3 || rep.Rejected != 5 {
		t.Fatalf("%d areas, rows %d accepted %d rejected %d", len(areas), rep.Rows, rep.Accepted, rep.Rejected)
	}
	a := areas[0]
	if a.NameFR != "Imzouren" || a.NameAR != norm.NFC.String(decomposed) || !strings.HasPrefix(a.NameAR, "\u0623") || a.Population != 34848 ||
		a.Type != "urban" || a.Parent != "01.051" || a.Region != "01" || a.Level != data.LevelCommune {
		t.Errorf("area = %+v", a)
	}
	if len(areas[2].Geom) != 2 || areas[2].Population != 1200 {
		t.Errorf("repaired bow-tie = %+v", areas[2])
	}
	checkValid(t, areas[2].Geom)
}

func TestMapFeatures(t *testing.T) {
	line := orb.LineString{{-7.6, 33.5}, {-7.5, 33.6}}
	cases := []struct {
		name  string
		opt   ingest.RefOptions
		fs    []vector.Feature
		want  map[int]string // line -> problem code
		props map[string]any // of the first feature
	}{
		{"sites", ingest.RefOptions{Kind: ingest.RefSites}, []vector.Feature{
			vf(1, map[string]any{"ID": "S1", "NOM": "École Tit Mellil", "TYPE": "school", "code_commune": "06.141.01.01", "milieu": "rural", "synthetic": 0.0}, orb.Point{-7.5, 33.55}),
			vf(2, map[string]any{"id": "S2", "name": "Dispensaire", "urban": "1"}, orb.MultiPoint{{-7.4, 33.5}}),
			vf(3, map[string]any{"id": "S3", "name": "Mairie", "urban": "maybe"}, orb.Point{-7.4, 33.5}),
			vf(4, map[string]any{"id": "S4", "name": "Mosquée"}, sq(0, 0, 0.1)),
			vf(5, map[string]any{"id": "S2", "name": "Doublon"}, orb.Point{-7.4, 33.5}),
			vf(6, map[string]any{"name": "Sans id"}, orb.Point{-7.4, 33.5}),
			vf(7, map[string]any{"id": "S7"}, orb.Point{33.5, -7.4 - 100}),
		}, map[int]string{3: "E_BOOL", 4: "E_GEOMETRY_TYPE", 5: "E_DUPLICATE_ROW", 6: "E_REQUIRED", 7: "W_EMPTY_NAME E_COORDINATES"},
			map[string]any{"name": "École Tit Mellil", "kind": "school", "commune": "06.141.01.01", "urban": false, "synthetic": false, "source_ref": "feature 1", "NOM": "École Tit Mellil"}},
		{"roads", ingest.RefOptions{Kind: ingest.RefRoads, Columns: map[string]string{"class": "ROUTE_CLS"}}, []vector.Feature{
			vf(1, map[string]any{"osm_id": 4242.0, "route_cls": "primary", "nom": "N1"}, line),
			vf(2, map[string]any{"osm_id": 4243.0, "route_cls": "track"}, orb.MultiLineString{line, {{-7.5, 33.6}, {-7.5, 33.6}, {-7.4, 33.7}}}),
			vf(3, map[string]any{"osm_id": 4244.0}, orb.LineString{{-7.5, 33.6}, {-7.5, 33.6}}),
			vf(4, map[string]any{"osm_id": 4245.0}, orb.Point{-7.5, 33.6}),
		}, map[int]string{3: "E_INVALID_GEOMETRY", 4: "E_GEOMETRY_TYPE"},
			map[string]any{"class": "primary", "name": "N1", "source_ref": "feature 1"}},
		{"points of presence", ingest.RefOptions{Kind: ingest.RefPoP}, []vector.Feature{
			vf(1, map[string]any{"code": "POP-CASA-1", "nom": "NRO Casa Anfa", "operateur": "IAM"}, orb.Point{-7.63, 33.59}),
			vf(2, map[string]any{"code": "POP-RBA-1", "nom": ""}, orb.Point{-6.83, 34.01}),
			vf(3, map[string]any{"code": "POP-X"}, line),
		}, map[int]string{2: "W_EMPTY_NAME", 3: "E_GEOMETRY_TYPE W_EMPTY_NAME"},
			map[string]any{"name": "NRO Casa Anfa", "operator": "IAM"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &ingest.Report{}
			out, err := ingest.MapFeatures("f.geojson", c.fs, c.opt, rep)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int][]string{}
			for _, p := range rep.Problems {
				got[p.Line] = append(got[p.Line], p.Code)
			}
			for l, codes := range c.want {
				for _, code := range strings.Fields(codes) {
					if !strings.Contains(strings.Join(got[l], " "), code) {
						t.Errorf("line %d: problems %v, want %s", l, got[l], code)
					}
				}
			}
			for l, codes := range got {
				if _, ok := c.want[l]; !ok {
					t.Errorf("unexpected problems at line %d: %v", l, codes)
				}
			}
			if len(out) == 0 {
				t.Fatal("no features")
			}
			f := out[0]
			for k, v := range c.props {
				if f.Props[k] != v {
					t.Errorf("props[%s] = %#v, want %#v (all: %v)", k, f.Props[k], v, f.Props)
				}
			}
			if rep.Accepted != int64(len(out)) || rep.Rows != int64(len(c.fs)) || rep.Accepted+rep.Rejected != rep.Rows {
				t.Errorf("rows %d accepted %d rejected %d", rep.Rows, rep.Accepted, rep.Rejected)
			}
		})
	}
	t.Run("message", func(t *testing.T) {
		rep := &ingest.Report{}
		ingest.MapFeatures("roads.gpkg", []vector.Feature{vf(4, map[string]any{"id": "R4"}, orb.Point{-7.5, 33.6}), vf(5, map[string]any{"id": "R5"}, line)}, ingest.RefOptions{Kind: ingest.RefRoads}, rep)
		if len(rep.Problems) != 1 || rep.Problems[0].Message != "roads need lines; feature 4 is a Point" || rep.Problems[0].Value != "Point" {
			t.Errorf("problems = %v", rep.Problems)
		}
	})
	t.Run("site urban and multiline output", func(t *testing.T) {
		rep := &ingest.Report{}
		out, _ := ingest.MapFeatures("s", []vector.Feature{vf(1, map[string]any{"id": "S", "name": "n", "urban": true}, orb.MultiPoint{{-7.4, 33.5}})}, ingest.RefOptions{Kind: ingest.RefSites}, rep)
		if len(out) != 1 || out[0].Props["urban"] != true || out[0].Geom != (orb.Point{-7.4, 33.5}) || out[0].Layer != data.LayerSites {
			t.Errorf("site = %+v", out)
		}
	})
}

func TestMapPlaces(t *testing.T) {
	fs := []vector.Feature{
		vf(1, map[string]any{"id": "P1", "nom": "Tit Mellil", "type": "PPL", "POP": "25000", "region_iso": "MA-06"}, orb.Point{-7.48, 33.55}),
		vf(2, map[string]any{"id": "P2", "nom": "Ligne"}, orb.LineString{{-7.5, 33.6}, {-7.4, 33.6}}),
		vf(3, map[string]any{"id": "P1", "nom": "Doublon"}, orb.Point{-7.48, 33.55}),
		vf(4, map[string]any{"id": "P4", "nom": "Pop", "POP": "beaucoup"}, orb.Point{-7.48, 33.55}),
	}
	rep := &ingest.Report{}
	places, err := ingest.MapPlaces("p", fs, ingest.RefOptions{Kind: ingest.RefPlaces}, rep)
	if err != nil {
		t.Fatal(err)
	}
	got := byLine(rep)
	for l, code := range map[int]string{2: "E_GEOMETRY_TYPE", 3: "E_DUPLICATE_ROW", 4: "E_NUMBER"} {
		if _, ok := findProblem(got[l], code); !ok {
			t.Errorf("line %d: %v, want %s", l, got[l], code)
		}
	}
	if len(places) != 1 || places[0] != (data.Place{Layer: data.LayerPlaces, ID: "P1", Name: "Tit Mellil", Kind: "PPL", Population: 25000, Region: "06", Point: orb.Point{-7.48, 33.55}}) {
		t.Errorf("places = %+v", places)
	}
}

func TestMapRefErrors(t *testing.T) {
	var fe *ingest.FormatError
	fs := []vector.Feature{vf(1, map[string]any{"identifiant": "X"}, sq(0, 0, 0.1))}
	_, err := ingest.MapAreas("f", fs, ingest.RefOptions{Kind: ingest.RefCommunes}, &ingest.Report{})
	if !errors.As(err, &fe) || fe.Column != "code" || !strings.Contains(fe.Message, "found attributes identifiant; map the column") {
		t.Errorf("no code attribute: %v", err)
	}
	out, err := ingest.MapAreas("f", fs, ingest.RefOptions{Kind: ingest.RefCommunes, Columns: map[string]string{"code": "identifiant"}}, &ingest.Report{})
	if err != nil || len(out) != 1 || out[0].Code != "X" {
		t.Errorf("with a column mapping: %v, %v", out, err)
	}
	if _, err := ingest.MapAreas("f", nil, ingest.RefOptions{Kind: ingest.RefRegions}, &ingest.Report{}); !errors.As(err, &fe) {
		t.Errorf("no features: %v", err)
	}
	for name, call := range map[string]func() error{
		"areas of kind roads": func() error {
			_, err := ingest.MapAreas("f", fs, ingest.RefOptions{Kind: ingest.RefRoads}, &ingest.Report{})
			return err
		},
		"places of kind sites": func() error {
			_, err := ingest.MapPlaces("f", fs, ingest.RefOptions{Kind: ingest.RefSites}, &ingest.Report{})
			return err
		},
		"features of kind communes": func() error {
			_, err := ingest.MapFeatures("f", fs, ingest.RefOptions{Kind: ingest.RefCommunes}, &ingest.Report{})
			return err
		},
		"unknown target field": func() error {
			_, err := ingest.MapFeatures("f", fs, ingest.RefOptions{Kind: ingest.RefRoads, Columns: map[string]string{"speed": "maxspeed"}}, &ingest.Report{})
			return err
		},
	} {
		if err := call(); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := strings.Join(ingest.RefFields(ingest.RefRoads), ","); got != "class,id,name" {
		t.Errorf("RefFields(roads) = %s", got)
	}
}
