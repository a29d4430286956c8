package scenario_test

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/planner/scenario"
	"go.yaml.in/yaml/v3"
)

func TestDefault(t *testing.T) {
	s := scenario.Default()
	if err := s.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	parsed, err := scenario.Parse("default.yaml", scenario.DefaultYAML())
	if err != nil {
		t.Fatalf("Parse(DefaultYAML()) = %v", err)
	}
	if !reflect.DeepEqual(parsed, s) {
		t.Errorf("Parse(DefaultYAML()) = %+v, want Default() %+v", parsed, s)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", s.Name, "default"},
		{"fibre urban MAD/km", s.Fibre.CivilWorksMADPerKM.Urban, 220000.0},
		{"fibre rural MAD/km", s.Fibre.CivilWorksMADPerKM.Rural, 90000.0},
		{"detour", s.Fibre.ProxyDetourFactor, 1.3},
		{"vsat capex", s.Satellite.VSATCapexMAD, 45000.0},
		{"rural by satellite", s.Satellite.RuralBySatellite, true},
		{"4G site", s.Radio.CostMADPerSite, 2200000.0},
		{"host rule", s.Roaming.HostOperatorRule, scenario.HostSingleOperator},
		{"budget years", s.Budget.Years(), []scenario.Year{2025, 2026}},
		{"budget 2026", s.Budget.PerYearMAD[2026], 2e9},
		{"start", s.Budget.StartDate, scenario.NewDate(2025, time.January, 1)},
		{"sites deadline", s.Deadlines.Sites, scenario.NewDate(2026, time.December, 31)},
		{"zones deadline", s.Deadlines.Zones, scenario.NewDate(2026, time.December, 31)},
		{"priority", s.Priority, scenario.PriorityPopulationPerMAD},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// keyPaths lists the key paths of a decoded document, maps of years
// excepted (their keys are data, not parameters).
func keyPaths(prefix string, v any) []string {
	m, ok := v.(map[string]any)
	if !ok || strings.HasSuffix(prefix, "per_year_mad") {
		return []string{prefix}
	}
	var out []string
	for k, x := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out = append(out, keyPaths(p, x)...)
	}
	slices.Sort(out)
	return out
}

// TestDefaultYAMLIsComplete: default.yaml gives every parameter of the
// Scenario type, and each has a comment in the file.
func TestDefaultYAMLIsComplete(t *testing.T) {
	b, err := json.Marshal(scenario.Default())
	if err != nil {
		t.Fatal(err)
	}
	var fromType, fromFile map[string]any
	if err := json.Unmarshal(b, &fromType); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(scenario.DefaultYAML(), &fromFile); err != nil {
		t.Fatal(err)
	}
	got, want := keyPaths("", fromFile), keyPaths("", fromType)
	if !slices.Equal(got, want) {
		t.Errorf("default.yaml keys:\n%v\nScenario's keys:\n%v", got, want)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(scenario.DefaultYAML(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node, path string, commented bool)
	walk = func(n *yaml.Node, path string, commented bool) {
		if n.Kind != yaml.MappingNode {
			if !commented && path != "name" && path != "description" {
				t.Errorf("default.yaml: %s has no comment", path)
			}
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := strings.TrimPrefix(path+"."+k.Value, ".")
			c := commented || k.HeadComment != "" || k.LineComment != "" || v.LineComment != ""
			if strings.HasSuffix(p, "per_year_mad") {
				c = c || k.HeadComment != ""
				if !c {
					t.Errorf("default.yaml: %s has no comment", p)
				}
				continue
			}
			walk(v, p, c)
		}
	}
	walk(doc.Content[0], "", false)
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		doc      string
		wantPath string
		wantLine int
		wantMsg  string
	}{
		{"unknown top-level key", "s.yaml", "name: x\nbudgett: {}\n", "budgett", 2, "unknown key (a scenario has name, description, fibre,"},
		{"unknown nested key", "s.yaml", "fibre:\n  civil_works_mad_per_km:\n    urbain: 100\n", "fibre.civil_works_mad_per_km.urbain", 3, "unknown key (fibre.civil_works_mad_per_km has urban, rural)"},
		{"negative cost", "s.yaml", "fibre:\n  civil_works_mad_per_km:\n    urban: -5\n", "fibre.civil_works_mad_per_km.urban", 3, "-5 is negative"},
		{"negative threshold", "s.yaml", "satellite:\n  distance_threshold_km: -0.5\n", "satellite.distance_threshold_km", 2, "-0.5 is negative"},
		{"negative budget", "s.yaml", "budget:\n  per_year_mad:\n    2025: 10\n    2026: -1\n", "budget.per_year_mad.2026", 4, "-1 is negative"},
		{"share above 1", "s.yaml", "radio: {coverage_target_share: 1.2}\n", "radio.coverage_target_share", 1, "1.2 is outside [0, 1]"},
		{"share below 0", "s.yaml", "radio:\n  coverage_target_share: -0.1\n", "radio.coverage_target_share", 2, "-0.1 is outside [0, 1]"},
		{"not finite", "s.yaml", "roaming:\n  cost_mad_per_zone: .inf\n", "roaming.cost_mad_per_zone", 2, "+Inf is not finite"},
		{"detour below 1", "s.yaml", "fibre:\n  proxy_detour_factor: 0.9\n", "fibre.proxy_detour_factor", 2, "at least 1"},
		{"zero sites per zone", "s.yaml", "radio:\n  max_sites_per_zone: 0\n", "radio.max_sites_per_zone", 2, "0 must be at least 1"},
		{"ring too wide", "s.yaml", "radio:\n  candidate_ring_k: 11\n", "radio.candidate_ring_k", 2, "11 is outside [0, 10]"},
		{"string for number", "s.yaml", "fibre:\n  spur_mad_per_site: \"15000\"\n", "fibre.spur_mad_per_site", 2, `expected a number, found "15000"`},
		{"fraction for int", "s.yaml", "radio:\n  max_sites_per_zone: 2.5\n", "radio.max_sites_per_zone", 2, "expected a whole number, found 2.5"},
		{"yes for bool", "s.yaml", "satellite:\n  rural_by_satellite: yes\n", "satellite.rural_by_satellite", 2, `expected true or false, found "yes"`},
		{"no value", "s.yaml", "fibre:\n  equipment_mad_per_site:\n", "fibre.equipment_mad_per_site", 2, "has no value"},
		{"empty section", "s.yaml", "fibre:\n", "fibre", 1, "has no value"},
		{"list for section", "s.yaml", "fibre: [1, 2]\n", "fibre", 1, "expected a mapping of civil_works_mad_per_km,"},
		{"key twice", "s.yaml", "name: a\nname: b\n", "name", 2, "is given twice (first on line 1)"},
		{"bad year", "s.yaml", "budget:\n  per_year_mad:\n    twenty: 5\n", "budget.per_year_mad.twenty", 3, `"twenty" is not a year`},
		{"year before start", "s.yaml", "budget:\n  start_date: 2026-01-01\n  per_year_mad: {2025: 5, 2026: 5}\n", "budget.per_year_mad.2025", 3, "year 2025 is before budget.start_date 2026-01-01"},
		{"no budget year", "s.yaml", "budget:\n  per_year_mad: {}\n", "budget.per_year_mad", 2, "has no year"},
		{"bad date", "s.yaml", "deadlines:\n  sites: 2026-13-01\n", "deadlines.sites", 2, `"2026-13-01" is not a date YYYY-MM-DD`},
		{"deadline before start", "s.yaml", "deadlines:\n  zones: 2024-12-31\n", "deadlines.zones", 2, "2024-12-31 is before budget.start_date 2025-01-01"},
		{"bad priority", "s.yaml", "priority: fastest\n", "priority", 1, `"fastest" is not a priority (population_per_mad, population, cost)`},
		{"bad host rule", "s.yaml", "roaming:\n  host_operator_rule: biggest\n", "roaming.host_operator_rule", 2, `"biggest" is not a host rule (single_operator_present, none)`},
		{"empty name", "s.yaml", "name: \"\"\n", "name", 1, "is empty"},
		{"two documents", "s.yaml", "name: a\n---\nname: b\n", "", 2, "one YAML document"},
		{"not a mapping", "s.yaml", "- a\n- b\n", "", 1, "must be a mapping of keys, found a list"},
		{"YAML syntax", "s.yaml", "fibre:\n  a: b\n c: d\n", "", 2, "invalid YAML"},
		{"JSON unknown key", "s.json", "{\n  \"fibre\": {\n    \"spur_cost\": 1\n  }\n}", "fibre.spur_cost", 3, "unknown key"},
		{"JSON negative cost", "s.json", "{\"radio\": {\n\"cost_mad_per_site\": -2e6}}", "radio.cost_mad_per_site", 2, "-2000000 is negative"},
		{"JSON key twice", "s.json", "{\"name\": \"a\",\n \"name\": \"b\"}", "name", 2, "is given twice"},
		{"JSON null", "s.json", "{\"budget\": {\"carry_over_unspent\": null}}", "budget.carry_over_unspent", 1, "has no value"},
		{"JSON syntax", "s.json", "{\n\"name\": \"a\",\n}", "", 3, "invalid JSON"},
		{"JSON trailing data", "s.json", "{} {}", "", 1, "data after the document"},
		{"JSON huge number", "s.json", "{\"fibre\": {\"spur_mad_per_site\": 1e400}}", "", 1, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.Parse(tt.file, []byte(tt.doc))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if !errors.Is(err, scenario.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			fs := scenario.Fields(err)
			if len(fs) == 0 {
				t.Fatalf("Fields(%v) is empty", err)
			}
			f := fs[0]
			if f.Path != tt.wantPath || f.Line != tt.wantLine || f.File != tt.file || !strings.Contains(f.Msg, tt.wantMsg) {
				t.Errorf("got %s:%d path %q msg %q\nwant %s:%d path %q msg containing %q", f.File, f.Line, f.Path, f.Msg, tt.file, tt.wantLine, tt.wantPath, tt.wantMsg)
			}
		})
	}
}

func TestNegativeCostMessage(t *testing.T) {
	doc := "name: trial\nfibre:\n  civil_works_mad_per_km:\n    urban: -5\n"
	_, err := scenario.Parse("trial.yaml", []byte(doc))
	want := "trial.yaml:4: fibre.civil_works_mad_per_km.urban: -5 is negative"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
	// Validate alone knows no line.
	s := scenario.Default()
	s.Fibre.CivilWorksMADPerKM.Urban = -5
	if err := s.Validate(); err == nil || err.Error() != "fibre.civil_works_mad_per_km.urban: -5 is negative" {
		t.Errorf("Validate() = %v", err)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	doc := "fibre:\n  spur_mad_per_site: -1\n  equipment_mad_per_site: -2\nradio:\n  coverage_target_share: 2\n"
	_, err := scenario.Parse("s.yaml", []byte(doc))
	var got []string
	for _, f := range scenario.Fields(err) {
		got = append(got, f.Path)
	}
	want := []string{"fibre.equipment_mad_per_site", "fibre.spur_mad_per_site", "radio.coverage_target_share"}
	if !slices.Equal(got, want) {
		t.Errorf("paths = %v, want %v (error %v)", got, want, err)
	}
}

func TestJSONAndYAMLAgree(t *testing.T) {
	yamlDoc := `
name: fast-fibre
description: more money in 2025
fibre:
  civil_works_mad_per_km: {urban: 180000}
  proxy_detour_factor: 1.25
satellite:
  rural_by_satellite: false
radio:
  max_sites_per_zone: 2
budget:
  start_date: 2025-03-01
  per_year_mad:
    2025: 2.5e9
    2026: 1000000000
  carry_over_unspent: true
deadlines:
  zones: "2026-06-30"
priority: cost
`
	jsonDoc := `{
	"name": "fast-fibre",
	"description": "more money in 2025",
	"fibre": {"civil_works_mad_per_km": {"urban": 180000}, "proxy_detour_factor": 1.25},
	"satellite": {"rural_by_satellite": false},
	"radio": {"max_sites_per_zone": 2},
	"budget": {"start_date": "2025-03-01", "per_year_mad": {"2025": 2.5e9, "2026": 1000000000}, "carry_over_unspent": true},
	"deadlines": {"zones": "2026-06-30"},
	"priority": "cost"
}`
	fromYAML, err := scenario.Parse("s.yaml", []byte(yamlDoc))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := scenario.Parse("s.json", []byte(jsonDoc))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromYAML, fromJSON) {
		t.Errorf("YAML gives %+v\nJSON gives %+v", fromYAML, fromJSON)
	}
	if got := fromJSON.Budget.PerYearMAD; !maps.Equal(got, map[scenario.Year]float64{2025: 2.5e9, 2026: 1e9}) {
		t.Errorf("per_year_mad = %v", got)
	}
}

// TestJSONRoundTrip: a scenario encoded as JSON (as the API returns it)
// reads back the same, with the escapes other encoders write.
func TestJSONRoundTrip(t *testing.T) {
	s := scenario.Default()
	s.Name = "a/b — é"
	s.Description = "line one\nline two"
	b, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got, err := scenario.Parse("s.json", b)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", b, err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip = %+v, want %+v", got, s)
	}
	// PHP-style escapes: \/ and a surrogate pair, which YAML parsers refuse.
	got, err = scenario.Parse("s.json", []byte(`{"name": "a\/b \ud83d\udce1"}`))
	if err != nil || got.Name != "a/b 📡" {
		t.Errorf("escaped name = %q, %v", got.Name, err)
	}
}

func TestPartialFileKeepsDefaults(t *testing.T) {
	doc := "fibre:\n  civil_works_mad_per_km:\n    urban: 300000\nbudget:\n  per_year_mad:\n    2026: 5e8\n"
	got, err := scenario.Parse("s.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := scenario.Default()
	want.Fibre.CivilWorksMADPerKM.Urban = 300000
	want.Budget.PerYearMAD = map[scenario.Year]float64{2026: 5e8} // a map given replaces the default
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, empty := range []string{"", "\n# only a comment\n", "---\n", "null\n", "{}"} {
		got, err := scenario.Parse("s", []byte(empty))
		if err != nil || !reflect.DeepEqual(got, scenario.Default()) {
			t.Errorf("Parse(%q) = %+v, %v; want the defaults", empty, got, err)
		}
	}
}

func TestFormatDetection(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"scenario", `{"name": "json-by-content"}`, "json-by-content"},
		{"scenario.txt", "name: yaml-by-content\n", "yaml-by-content"},
		{"scenario", "{name: yaml-flow}", "yaml-flow"}, // not valid JSON: read as YAML
		{"S.YML", "name: yml\n", "yml"},
		{"bom.json", "\xef\xbb\xbf{\"name\": \"bom\"}", "bom"},
	}
	for _, tt := range tests {
		got, err := scenario.Parse(tt.name, []byte(tt.doc))
		if err != nil || got.Name != tt.want {
			t.Errorf("Parse(%q, %q) = %q, %v; want %q", tt.name, tt.doc, got.Name, err, tt.want)
		}
	}
	if _, err := scenario.Parse("s.json", []byte("name: yaml\n")); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("YAML in a .json file: %v, want invalid JSON", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rural.yaml")
	if err := os.WriteFile(path, []byte("name: rural\nsatellite:\n  vsat_capex_mad: -1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := scenario.Load(path)
	if want := path + ":3: satellite.vsat_capex_mad: -1 is negative"; err == nil || err.Error() != want {
		t.Errorf("Load = %v, want %q", err, want)
	}
	if _, err := scenario.Load(filepath.Join(dir, "missing.yaml")); err == nil || errors.Is(err, scenario.ErrInvalid) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want a not-exist error", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("s.yaml", string(scenario.DefaultYAML()))
	f.Add("s.yaml", "fibre:\n  civil_works_mad_per_km: {urban: -5}\n")
	f.Add("s.json", `{"budget": {"per_year_mad": {"2025": 1}}, "priority": "cost"}`)
	f.Add("s", `{"name": "a\/b"}`)
	f.Fuzz(func(t *testing.T, name, doc string) {
		s, err := scenario.Parse(name, []byte(doc))
		if err != nil {
			if len(scenario.Fields(err)) == 0 {
				t.Fatalf("error %v has no FieldError", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted scenario is invalid: %v", err)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := scenario.Parse("s.json", b)
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("JSON round trip: %+v, %v; want %+v", back, err, s)
		}
	})
}

// The example scenarios shipped with the planner load and say what they
// change.
func TestExamples(t *testing.T) {
	sc, err := scenario.Load("examples/all-urban-fibre.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def := scenario.Default()
	if sc.Name != "all-urban-fibre" || sc.Satellite.FibreCostThresholdMAD != 0 || sc.Satellite.DistanceThresholdKM != 0 ||
		!sc.Satellite.RuralBySatellite || sc.Fibre != def.Fibre {
		t.Errorf("all-urban-fibre = %+v", sc)
	}
}
