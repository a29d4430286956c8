package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner/plan"
	"github.com/taghtia/taghtia/planner/scenario"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

var scenarioClock = time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)

// setup says what startScenarios leaves out.
type setup struct {
	NoSnapshot bool // no zone snapshot stored
	Off        bool // the scenarios API is off
}

// startScenarios serves an embedded store holding a crafted planning
// dataset: a 10 km road east from one PoP with two urban sites on it (at
// 4 and 10 km) and a rural one; a white and a grey programme zone.
func startScenarios(t *testing.T, opt setup) (string, data.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := t.Context()
	const lat = 33.0
	dLon, _ := geo.DegreesFor(1000, lat)
	at := func(km float64) orb.Point { return orb.Point{-6 + km*dLon, lat} }
	commune := "01.001.01.01"
	if err := st.ReplaceAreas(ctx, data.LevelCommune, []data.Area{{Level: data.LevelCommune, Code: commune, NameFR: "A", Parent: "01.001", Region: "01"}}); err != nil {
		t.Fatal(err)
	}
	layers := map[string][]data.Feature{
		data.LayerRoads: {{ID: "r1", Geom: orb.LineString{at(0), at(2), at(4)}, Props: map[string]any{"class": "primary"}},
			{ID: "r2", Geom: orb.LineString{at(4), at(10)}, Props: map[string]any{"class": "primary"}}},
		data.LayerPoP: {{ID: "p1", Geom: at(0)}},
		data.LayerSites: {
			{ID: "s1", Geom: at(4), Props: map[string]any{"name": "Commune A", "kind": "commune_seat", "urban": true, "commune": commune}},
			{ID: "s2", Geom: at(10), Props: map[string]any{"name": "Hôpital A", "kind": "hospital", "urban": true, "commune": commune}},
			{ID: "s3", Geom: at(7), Props: map[string]any{"name": "Commune B", "kind": "commune_seat", "urban": false, "commune": commune}},
		},
	}
	for l, fs := range layers {
		for i := range fs {
			fs[i].Layer = l
		}
		if err := st.ReplaceFeatures(ctx, l, fs); err != nil {
			t.Fatal(err)
		}
	}
	white, _ := geo.CellAt(orb.Point{-5.0, 32.0}, 8)
	grey, _ := geo.CellAt(orb.Point{-4.0, 32.0}, 8)
	var pop []data.CellPop
	for _, c := range geo.Disk(white, 1) {
		pop = append(pop, data.CellPop{Cell: c, Population: 500, Commune: commune})
	}
	pop = append(pop, data.CellPop{Cell: grey, Population: 80, Commune: commune})
	slices.SortFunc(pop, func(a, b data.CellPop) int { return cmpCell(a.Cell, b.Cell) })
	if err := st.ReplacePopulation(ctx, pop); err != nil {
		t.Fatal(err)
	}
	if !opt.NoSnapshot {
		zone := func(id string, kind data.ZoneKind, rank int, programme bool, people int64, op string, cells []geo.Cell) data.Zone {
			g, err := geo.CellsOutline(cells)
			if err != nil {
				t.Fatal(err)
			}
			return data.Zone{ID: id, Kind: kind, Rank: rank, Programme: programme, Population: people, Operator: op, RegionCode: "01",
				Cells: cells, Geom: g, Centroid: geo.CellCenter(cells[0])}
		}
		zones := []data.Zone{
			zone("W-1", data.White, 1, true, 3500, "", geo.Disk(white, 1)),
			zone("G-1", data.Grey, 2, true, 80, "604-01", []geo.Cell{grey}),
		}
		if _, err := st.AddSnapshot(ctx, data.Snapshot{Resolution: 8, ProgrammeSize: 2, RequiredTech: data.Tech4G, RequiredLevel: data.LevelGood}, zones); err != nil {
			t.Fatal(err)
		}
	}
	set, err := tiles.Load(ctx, st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(tokFile, []byte(fmt.Sprintf(`tokens:
  - {token: %q, name: ANRT}
  - {token: %q, operator: "604-01", name: Maroc Telecom}
  - {token: %q, role: region, region: "09", name: Souss-Massa}
`, engineerToken, iamToken, soussToken)), 0o600)
	toks, err := web.LoadTokens(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	wo := web.Options{Store: st, Tiles: set, Tokens: toks, Thresholds: coverage.DefaultThresholds(), Now: func() time.Time { return scenarioClock }}
	if !opt.Off {
		wo.Scenarios = st
	}
	ts := httptest.NewServer(web.New(wo).Handler())
	t.Cleanup(ts.Close)
	return ts.URL, st
}

func cmpCell(a, b geo.Cell) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// apiError decodes {"error": {...}}.
func apiError(t *testing.T, b []byte) (code, msg string, e map[string]any) {
	t.Helper()
	var v struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("error body %s: %v", b, err)
	}
	code, _ = v.Error["code"].(string)
	msg, _ = v.Error["message"].(string)
	return code, msg, v.Error
}

type techTotals struct {
	Items               int     `json:"items"`
	CostMAD             float64 `json:"cost_mad"`
	PopulationCovered   int64   `json:"population_covered"`
	AdminSitesConnected int     `json:"admin_sites_connected"`
	RadioSitesBuilt     int     `json:"radio_sites_built"`
}

type summaryView struct {
	Scenario struct {
		Name string `json:"name"`
	} `json:"scenario"`
	ByTechnology map[string]techTotals `json:"by_technology"`
	Total        techTotals            `json:"total"`
	FibreNetwork *struct {
		NewTrenchKM float64 `json:"new_trench_km"`
	} `json:"fibre_network"`
	Schedule struct {
		Years []struct {
			Year int `json:"year"`
		} `json:"years"`
		Items []json.RawMessage `json:"items"`
	} `json:"schedule"`
}

type created struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	CreatedAt time.Time   `json:"created_at"`
	Snapshot  int64       `json:"snapshot"`
	Summary   summaryView `json:"summary"`
}

func postScenario(t *testing.T, base, token, ctype, doc string) (int, []byte) {
	t.Helper()
	return do(t, "POST", base+"/api/v1/scenarios", token, ctype, strings.NewReader(doc))
}

// cheap lets 4 km of urban trench go to fibre (the default threshold
// sends the urban sites to satellite).
const cheapScenario = `name: cheap
satellite:
  fibre_cost_threshold_mad: 5000000
`

func TestScenariosAuth(t *testing.T) {
	base, _ := startScenarios(t, setup{})
	cases := []struct {
		name, token string
		status      int
		code        string
	}{
		{"NoToken", "", http.StatusUnauthorized, "unauthenticated"},
		{"UnknownToken", "not-a-token", http.StatusUnauthorized, "unauthenticated"},
		{"Operator", iamToken, http.StatusForbidden, "forbidden"},
		{"Region", soussToken, http.StatusForbidden, "forbidden"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, b := postScenario(t, base, c.token, "application/yaml", cheapScenario)
			if code, _, _ := apiError(t, b); st != c.status || code != c.code {
				t.Errorf("POST = %d %s, want %d %s", st, b, c.status, c.code)
			}
		})
	}
	if st, b := do(t, "GET", base+"/api/v1/scenarios", "", "", nil); st != 200 || !bytes.Contains(b, []byte(`"scenarios":[]`)) {
		t.Errorf("after refused posts, GET /scenarios = %d %s, want an empty list", st, b)
	}
}

func TestScenariosRefused(t *testing.T) {
	base, _ := startScenarios(t, setup{})
	cases := []struct {
		name, ctype, doc string
		want             []string // in the message
		path             string
		line             int
	}{
		{"NegativeCostYAML", "application/yaml", "name: x\nfibre:\n  civil_works_mad_per_km:\n    urban: -5\n",
			[]string{"line 4", "fibre.civil_works_mad_per_km.urban"}, "fibre.civil_works_mad_per_km.urban", 4},
		{"UnknownKeyYAML", "", "name: x\nradio:\n  cost_per_site: 3\n", []string{"line 3", "radio.cost_per_site"}, "radio.cost_per_site", 3},
		{"UnknownKeyJSON", "application/json", "{\n  \"name\": \"x\",\n  \"roaming\": {\n    \"cost\": 1\n  }\n}\n",
			[]string{"line 4", "roaming.cost"}, "roaming.cost", 4},
		{"ShareOutOfRangeJSON", "", `{"radio": {"coverage_target_share": 1.5}}`, []string{"line 1", "radio.coverage_target_share"}, "radio.coverage_target_share", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, b := postScenario(t, base, engineerToken, c.ctype, c.doc)
			code, msg, e := apiError(t, b)
			if st != http.StatusBadRequest || code != "invalid_argument" {
				t.Fatalf("POST = %d %s, want 400 invalid_argument", st, b)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not name %q", msg, w)
				}
			}
			ps, _ := e["problems"].([]any)
			if len(ps) == 0 {
				t.Fatalf("no problems in %s", b)
			}
			p, _ := ps[0].(map[string]any)
			if p["path"] != c.path || p["line"] != float64(c.line) {
				t.Errorf("problems[0] = %v, want path %s line %d", p, c.path, c.line)
			}
		})
	}
	t.Run("TooLarge", func(t *testing.T) {
		doc := "name: x\ndescription: " + strings.Repeat("a", web.MaxScenarioBytes) + "\n"
		if st, b := postScenario(t, base, engineerToken, "", doc); st != http.StatusRequestEntityTooLarge {
			t.Errorf("POST of %d bytes = %d %s, want 413", len(doc), st, b)
		}
	})
}

func TestScenariosOff(t *testing.T) {
	base, _ := startScenarios(t, setup{Off: true})
	for _, p := range []string{"/api/v1/scenarios", "/api/v1/scenarios/1"} {
		if st, b := do(t, "GET", base+p, "", "", nil); st != 404 {
			t.Errorf("GET %s on a server without scenarios = %d %s, want 404", p, st, b)
		}
	}
	if st, b := postScenario(t, base, engineerToken, "", ""); st != 404 {
		t.Errorf("POST on a server without scenarios = %d %s, want 404", st, b)
	}
}

func TestScenariosNoSnapshot(t *testing.T) {
	base, _ := startScenarios(t, setup{NoSnapshot: true})
	st, b := postScenario(t, base, engineerToken, "", "")
	if code, msg, _ := apiError(t, b); st != http.StatusConflict || code != "conflict" || !strings.Contains(msg, "zones") {
		t.Errorf("POST without a snapshot = %d %s, want 409 conflict saying to compute the zones", st, b)
	}
}

// TestScenariosConcurrent posts plans at once: they run one at a time,
// each is stored whole under its own id.
func TestScenariosConcurrent(t *testing.T) {
	base, _ := startScenarios(t, setup{})
	const n = 4
	ids := make(chan int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st, b := postScenario(t, base, engineerToken, "", fmt.Sprintf("name: run-%d\n", i))
			var c created
			if err := json.Unmarshal(b, &c); st != http.StatusCreated || err != nil {
				t.Errorf("POST %d = %d %s", i, st, b)
			}
			ids <- c.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if id < 1 || seen[id] {
			t.Errorf("id %d given twice or not at all", id)
		}
		seen[id] = true
	}
	st, b := do(t, "GET", base+"/api/v1/scenarios", "", "", nil)
	if st != 200 || strings.Count(string(b), `"name":"run-`) != n {
		t.Errorf("list = %d %s, want %d runs", st, b, n)
	}
}

func TestScenarios(t *testing.T) {
	base, store := startScenarios(t, setup{})
	post := func(ctype, doc string) created {
		t.Helper()
		st, b := postScenario(t, base, engineerToken, ctype, doc)
		if st != http.StatusCreated {
			t.Fatalf("POST = %d %s, want 201", st, b)
		}
		var c created
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("POST body %s: %v", b, err)
		}
		return c
	}
	cheap := post("application/yaml", cheapScenario)
	def := post("", "") // empty: the defaults
	if cheap.ID < 1 || def.ID <= cheap.ID || cheap.Name != "cheap" || def.Name != "default" || !cheap.CreatedAt.Equal(scenarioClock) || cheap.Snapshot != 1 {
		t.Fatalf("created %+v and %+v", cheap, def)
	}
	if f := cheap.Summary.ByTechnology["fibre"]; f.AdminSitesConnected != 2 || f.CostMAD <= 0 {
		t.Errorf("cheap: fibre = %+v, want the 2 urban sites", f)
	}
	if s := cheap.Summary.ByTechnology["satellite"]; s.AdminSitesConnected != 1 {
		t.Errorf("cheap: satellite = %+v, want the rural site", s)
	}
	if f := def.Summary.ByTechnology["fibre"]; f.AdminSitesConnected != 0 {
		t.Errorf("default: fibre = %+v, want none (over the default threshold)", f)
	}
	if r := cheap.Summary.ByTechnology["roaming"]; r.Items != 1 {
		t.Errorf("cheap: roaming = %+v, want the grey zone", r)
	}
	if g := cheap.Summary.ByTechnology["site4g"]; g.Items != 1 || g.RadioSitesBuilt < 1 {
		t.Errorf("cheap: site4g = %+v, want new sites in the white zone", g)
	}
	if cheap.Summary.Scenario.Name != "cheap" || len(cheap.Summary.Schedule.Years) == 0 || len(cheap.Summary.Schedule.Items) != 5 {
		t.Errorf("cheap summary: name %q, %d years, %d items; want cheap, a schedule of 5 items",
			cheap.Summary.Scenario.Name, len(cheap.Summary.Schedule.Years), len(cheap.Summary.Schedule.Items))
	}

	t.Run("List", func(t *testing.T) {
		st, b := do(t, "GET", base+"/api/v1/scenarios", "", "", nil)
		var v struct {
			Scenarios []map[string]any `json:"scenarios"`
		}
		if err := json.Unmarshal(b, &v); st != 200 || err != nil {
			t.Fatalf("GET /scenarios = %d %s %v", st, b, err)
		}
		if len(v.Scenarios) != 2 || v.Scenarios[0]["id"] != float64(def.ID) || v.Scenarios[1]["name"] != "cheap" {
			t.Fatalf("list = %v, want default then cheap (newest first)", v.Scenarios)
		}
		for _, s := range v.Scenarios {
			if len(s) != 4 || s["created_at"] != "2026-06-01T09:30:00Z" || s["snapshot"] != float64(1) {
				t.Errorf("listed %v, want id, name, created_at, snapshot only", s)
			}
		}
	})

	t.Run("Get", func(t *testing.T) {
		st, b := do(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d", base, cheap.ID), "", "", nil)
		if st != 200 {
			t.Fatalf("GET = %d %s", st, b)
		}
		var v struct {
			created
			Inputs struct {
				Sites       int    `json:"sites"`
				SitesSource string `json:"sites_source"`
				Snapshot    int64  `json:"snapshot"`
				WhiteZones  int    `json:"white_zones"`
			} `json:"inputs"`
			Sites []map[string]any `json:"sites"`
			Zones []map[string]any `json:"zones"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if v.ID != cheap.ID || v.Name != "cheap" || v.Inputs.Sites != 3 || v.Inputs.SitesSource != "layer" || v.Inputs.WhiteZones != 1 || v.Inputs.Snapshot != 1 {
			t.Errorf("GET: %+v", v)
		}
		if v.Summary.Total != cheap.Summary.Total || v.Summary.FibreNetwork == nil || v.Summary.FibreNetwork.NewTrenchKM < 9.9 {
			t.Errorf("GET summary total %+v, network %+v; want the POST's %+v and 10 km of trench", v.Summary.Total, v.Summary.FibreNetwork, cheap.Summary.Total)
		}
		if len(v.Sites) != 3 || len(v.Zones) != 2 {
			t.Fatalf("GET: %d sites, %d zones; want 3, 2", len(v.Sites), len(v.Zones))
		}
		tech := map[string]any{}
		for _, s := range v.Sites {
			tech[s["id"].(string)] = s["tech"]
		}
		if tech["s1"] != "fibre" || tech["s2"] != "fibre" || tech["s3"] != "satellite" {
			t.Errorf("site technologies %v", tech)
		}
		if bytes.Contains(b, []byte("LineString")) || bytes.Contains(b, []byte(`"route"`)) {
			t.Error("the scenario body holds route geometry")
		}
		for _, p := range []string{"/api/v1/scenarios/99", "/api/v1/scenarios/99/routes.geojson", "/api/v1/scenarios/99/sites.csv",
			fmt.Sprintf("/api/v1/scenarios/%d/compare/99", cheap.ID)} {
			if st, b := do(t, "GET", base+p, "", "", nil); st != 404 {
				t.Errorf("GET %s = %d %s, want 404", p, st, b)
			}
		}
		for _, p := range []string{"/api/v1/scenarios/abc", "/api/v1/scenarios/0", "/api/v1/scenarios/x/compare/1"} {
			if st, b := do(t, "GET", base+p, "", "", nil); st != 400 {
				t.Errorf("GET %s = %d %s, want 400", p, st, b)
			}
		}
	})

	t.Run("Compare", func(t *testing.T) {
		st, b := do(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d/compare/%d", base, cheap.ID, def.ID), "", "", nil)
		if st != 200 {
			t.Fatalf("compare = %d %s", st, b)
		}
		type diff struct{ A, B, Delta float64 }
		var v struct {
			A, B         string
			ByTechnology map[string]struct {
				Planned map[string]diff `json:"planned"`
			} `json:"by_technology"`
			Deadlines []json.RawMessage `json:"deadlines"`
			Moves     []struct {
				ID string `json:"id"`
				A  struct{ Kind string }
				B  struct{ Kind string }
			} `json:"moves"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if v.A != "cheap" || v.B != "default" || len(v.Deadlines) == 0 {
			t.Errorf("compare: a %q b %q, %d deadlines", v.A, v.B, len(v.Deadlines))
		}
		if d := v.ByTechnology["fibre"].Planned["admin_sites_connected"]; d != (diff{2, 0, -2}) {
			t.Errorf("fibre sites diff = %+v, want 2 -> 0", d)
		}
		if d := v.ByTechnology["satellite"].Planned["admin_sites_connected"]; d != (diff{1, 3, 2}) {
			t.Errorf("satellite sites diff = %+v, want 1 -> 3", d)
		}
		moved := map[string]string{}
		for _, m := range v.Moves {
			moved[m.ID] = m.A.Kind + ">" + m.B.Kind
		}
		if moved["site:s1"] != "fibre>satellite" || moved["site:s2"] != "fibre>satellite" {
			t.Errorf("moves %v, want s1 and s2 from fibre to satellite", moved)
		}
		// The stored summaries compare as the plans' own do.
		var sums []scenario.Summary
		for _, doc := range []string{cheapScenario, ""} {
			sc, err := scenario.Parse("", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			res, err := plan.Run(t.Context(), store, plan.Options{Scenario: sc, Thresholds: coverage.DefaultThresholds(), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			sums = append(sums, res.Summary)
		}
		want, _ := json.Marshal(scenario.Compare(sums[0], sums[1]))
		if got := bytes.TrimSpace(b); !bytes.Equal(got, want) {
			t.Errorf("compare through the store differs from comparing the plans:\n got %s\nwant %s", got, want)
		}
		st, b = do(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d/compare/%d", base, cheap.ID, cheap.ID), "", "", nil)
		if st != 200 || !bytes.Contains(b, []byte(`"moves":[]`)) {
			t.Errorf("a scenario against itself = %d %s, want no moves", st, b)
		}
	})

	t.Run("Routes", func(t *testing.T) {
		resp, err := http.Get(fmt.Sprintf("%s/api/v1/scenarios/%d/routes.geojson", base, cheap.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("routes = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var fc geojson.FeatureCollection
		if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
			t.Fatal(err)
		}
		if len(fc.Features) != 2 {
			t.Fatalf("routes: %d features, want 2 (the fibre sites)", len(fc.Features))
		}
		var km float64
		for i, f := range fc.Features {
			ls, ok := f.Geometry.(orb.LineString)
			want := []string{"s1", "s2"}[i]
			if !ok || len(ls) < 2 || f.ID != want || f.Properties["site"] != want {
				t.Errorf("route %d: id %v site %v %T, want %s LineString", i, f.ID, f.Properties["site"], f.Geometry, want)
			}
			for _, k := range []string{"new_km", "shared_km", "cost_mad"} {
				if _, ok := f.Properties[k].(float64); !ok {
					t.Errorf("route %s has no %s: %v", want, k, f.Properties)
				}
			}
			km += f.Properties["new_km"].(float64)
		}
		if km < 9.9 || km > 10.5 {
			t.Errorf("routes: %.2f km new trench, want about 10", km)
		}
		if st, b := do(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d/routes.geojson", base, def.ID), "", "", nil); st != 200 || !bytes.Contains(b, []byte(`"features":[]`)) {
			t.Errorf("routes of an all-satellite plan = %d %s, want an empty collection", st, b)
		}
	})

	t.Run("Tiles", func(t *testing.T) {
		st, b := do(t, "GET", fmt.Sprintf("%s/tiles/plan.json?scenario=%d", base, cheap.ID), "", "", nil)
		var tj tiles.TileJSON
		if err := json.Unmarshal(b, &tj); st != 200 || err != nil {
			t.Fatalf("plan TileJSON = %d %s %v", st, b, err)
		}
		if want := fmt.Sprintf("%s/tiles/plan/{z}/{x}/{y}.mvt?scenario=%d", base, cheap.ID); len(tj.Tiles) != 1 || tj.Tiles[0] != want || len(tj.VectorLayers) != 3 {
			t.Errorf("plan TileJSON tiles %v layers %d, want %s and 3 layers", tj.Tiles, len(tj.VectorLayers), want)
		}
		if st, b := do(t, "GET", base+"/tiles/plan.json?scenario=99", "", "", nil); st != 404 {
			t.Errorf("TileJSON of no run = %d %s, want 404", st, b)
		}
		for _, q := range []string{"", "?scenario=", "?scenario=0", "?scenario=abc"} {
			st, b := do(t, "GET", base+"/tiles/plan/10/500/400.mvt"+q, "", "", nil)
			if code, _, _ := apiError(t, b); st != 400 || code != "invalid_argument" {
				t.Errorf("plan tile %q = %d %s, want 400 invalid_argument", q, st, b)
			}
		}
		// The road and its two fibre sites, then the white zone's polygon
		// and new site, each in its sublayer.
		layers := func(z maptile.Zoom, p orb.Point, id int64) map[string][]map[string]any {
			tl := maptile.At(p, z)
			st, b := do(t, "GET", fmt.Sprintf("%s/tiles/plan/%d/%d/%d.mvt?scenario=%d", base, tl.Z, tl.X, tl.Y, id), "", "", nil)
			if st != 200 && st != 204 {
				t.Fatalf("plan tile %v = %d %s", tl, st, b)
			}
			out := map[string][]map[string]any{}
			ls, err := mvt.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				for _, f := range l.Features {
					out[l.Name] = append(out[l.Name], f.Properties)
				}
			}
			return out
		}
		road := layers(9, orb.Point{-5.97, 33.0}, cheap.ID)
		if len(road["routes"]) != 2 || len(road["sites"]) != 3 {
			t.Errorf("plan tile over the road: %d routes, %d sites; want 2 and 3", len(road["routes"]), len(road["sites"]))
		}
		techs := map[any]any{}
		for _, p := range road["sites"] {
			techs[p["site"]] = p["tech"]
		}
		if techs["s1"] != "fibre" || techs["s3"] != "satellite" {
			t.Errorf("site technologies in the tile %v", techs)
		}
		if all := layers(9, orb.Point{-5.97, 33.0}, def.ID); len(all["routes"]) != 0 || len(all["sites"]) != 3 {
			t.Errorf("the all-satellite plan's tile: %d routes, %d sites; want 0 and 3", len(all["routes"]), len(all["sites"]))
		}
		zone := layers(9, orb.Point{-5.0, 32.0}, cheap.ID)
		if len(zone["zones"]) != 1 || zone["zones"][0]["tech"] != "site4g" || len(zone["sites"]) < 1 || zone["sites"][0]["kind"] != "radio" {
			t.Errorf("plan tile over the white zone: %v", zone)
		}
		if grey := layers(9, orb.Point{-4.0, 32.0}, cheap.ID); len(grey["zones"]) != 1 || grey["zones"][0]["host"] != "604-01" {
			t.Errorf("plan tile over the grey zone: %v", grey)
		}
	})

	t.Run("ZonesCSV", func(t *testing.T) {
		st, b := do(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d/zones.csv", base, cheap.ID), "", "", nil)
		if st != 200 {
			t.Fatalf("zones.csv = %d %s", st, b)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || strings.Join(rows[0], ",") != "zone,kind,work,host,new_sites,cost_mad,population,covered,region" {
			t.Fatalf("zones.csv = %v", rows)
		}
		work := map[string]string{}
		for _, r := range rows[1:] {
			work[r[0]] = r[2] + "/" + r[3]
		}
		if work["W-1"] != "site4g/" || work["G-1"] != "roaming/604-01" {
			t.Errorf("zones.csv work %v, want W-1 new sites and G-1 roaming on 604-01", work)
		}
		if st, _ := do(t, "GET", base+"/api/v1/scenarios/99/zones.csv", "", "", nil); st != 404 {
			t.Errorf("zones.csv of no run = %d, want 404", st)
		}
	})

	t.Run("AssignmentsGeoJSON", func(t *testing.T) {
		var fc geojson.FeatureCollection
		getJSON(t, fmt.Sprintf("%s/api/v1/scenarios/%d/assignments.geojson", base, cheap.ID), &fc)
		kinds := map[string]int{}
		for _, f := range fc.Features {
			k, _ := f.Properties["kind"].(string)
			kinds[k+":"+f.Geometry.GeoJSONType()]++
		}
		if kinds["admin:Point"] != 3 || kinds["white:Polygon"]+kinds["white:MultiPolygon"] != 1 || kinds["grey:Polygon"]+kinds["grey:MultiPolygon"] != 1 || kinds["radio:Point"] < 1 {
			t.Errorf("assignments by kind and geometry %v, want 3 sites, 2 zones, new 4G sites", kinds)
		}
		if st, _ := do(t, "GET", base+"/api/v1/scenarios/99/assignments.geojson", "", "", nil); st != 404 {
			t.Errorf("assignments of no run = %d, want 404", st)
		}
	})

	t.Run("SitesCSV", func(t *testing.T) {
		st, b := do(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d/sites.csv", base, cheap.ID), "", "", nil)
		if st != 200 {
			t.Fatalf("sites.csv = %d %s", st, b)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[0][0] != "id" || rows[0][9] != "tech" {
			t.Fatalf("sites.csv = %v", rows)
		}
		for _, r := range rows[1:] {
			want := map[string]string{"s1": "fibre", "s2": "fibre", "s3": "satellite"}[r[0]]
			if r[9] != want {
				t.Errorf("sites.csv row %v: tech %s, want %s", r, r[9], want)
			}
		}
	})
}
