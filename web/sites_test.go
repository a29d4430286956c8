package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

type siteEnv struct {
	base  string
	st    data.Store
	clock *clock
}

// plannedSite is one row of a stored run's body, as web.NewScenarioRun
// writes it.
type plannedSite struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Region string `json:"region"`
	Urban  bool   `json:"urban"`
	Tech   string `json:"tech"`
}

// The sites of the runs startSites stores: run 1 holds all of them,
// run 2 (added by addRun) all but S-OLD.
var plannedSites = []plannedSite{
	{"S-1", "Commune Tiznit", "commune_seat", "09", true, "fibre"},
	{"S-2", "Hôpital Tiznit", "hospital", "09", true, "fibre"},
	{"S-3", "Commune Figuig", "commune_seat", "02", false, "satellite"},
	{"S-4", "Lycée Oujda", "school", "02", true, "satellite"},
	{"S-5", "Commune Tafraout", "commune_seat", "09", false, "satellite"},
	{"S-OLD", "Poste Aglou", "post_office", "09", true, "fibre"},
}

// addRun stores a scenario run of sites in the embedded store.
func (e *siteEnv) addRun(t *testing.T, name string, sites []plannedSite) int64 {
	t.Helper()
	body, err := json.Marshal(map[string]any{"inputs": map[string]any{}, "summary": map[string]any{}, "sites": sites, "zones": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.st.AddScenarioRun(t.Context(), data.ScenarioRun{Name: name, CreatedAt: e.clock.now(), Snapshot: 1, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return run.ID
}

// startSites serves an embedded store that tracks events, with one zone
// snapshot and, unless empty, scenario run 1 holding plannedSites.
func startSites(t *testing.T, empty bool) *siteEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := t.Context()
	e := &siteEnv{st: st, clock: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	cells := zoneCells(t, orb.Point{-9.73, 29.70}, 1)
	g, err := geo.CellsOutline(cells)
	if err != nil {
		t.Fatal(err)
	}
	zone := data.Zone{ID: "Z-A", Kind: data.White, Rank: 1, Programme: true, Population: 100, RegionCode: "09", Region: "Souss-Massa",
		Cells: cells, Geom: g, Centroid: geo.CellCenter(cells[0])}
	if _, err := st.AddSnapshot(ctx, data.Snapshot{Resolution: 8, ProgrammeSize: 1, RequiredTech: data.Tech4G, RequiredLevel: data.LevelGood}, []data.Zone{zone}); err != nil {
		t.Fatal(err)
	}
	if !empty {
		e.addRun(t, "first", plannedSites)
	}
	set, err := tiles.Load(ctx, st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	toks := trackTokens(t, dir)
	srv := web.New(web.Options{Store: st, Tiles: set, Tracker: st, Tokens: toks, Thresholds: coverage.DefaultThresholds(),
		MaxEvidence: maxEvidence, Now: e.clock.now, Scenarios: st})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e.base = ts.URL
	return e
}

func (e *siteEnv) post(t *testing.T, site, token string, body map[string]string) (int, []byte) {
	t.Helper()
	return postJSON(t, e.base+"/api/v1/sites/"+site+"/transitions", token, body)
}

// postForm sends a multipart transition with an evidence file.
func (e *siteEnv) postForm(t *testing.T, site, token string, fields map[string]string, name string, content []byte) (int, []byte) {
	t.Helper()
	return postMultipart(t, e.base+"/api/v1/sites/"+site+"/transitions", token, fields, name, "application/pdf", content)
}

type siteOut struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Region    string     `json:"region"`
	Urban     bool       `json:"urban"`
	Tech      string     `json:"tech"`
	State     string     `json:"state"`
	Connected bool       `json:"connected"`
	Operator  string     `json:"operator"`
	Deadline  *time.Time `json:"deadline"`
	Since     *time.Time `json:"since"`
	Overdue   bool       `json:"overdue"`
	Scenario  int64      `json:"scenario"`
	Next      []string   `json:"next"`
	Seq       int        `json:"seq"`
}

type siteList struct {
	Scenario int64     `json:"scenario"`
	Total    int       `json:"total"`
	Sites    []siteOut `json:"sites"`
}

func (e *siteEnv) list(t *testing.T, query string) siteList {
	t.Helper()
	var l siteList
	getJSON(t, e.base+"/api/v1/sites"+query, &l)
	return l
}

func (e *siteEnv) site(t *testing.T, id string) siteOut {
	t.Helper()
	var s siteOut
	getJSON(t, e.base+"/api/v1/sites/"+id, &s)
	return s
}

type siteHistory struct {
	Site     string     `json:"site"`
	Scenario int64      `json:"scenario"`
	Latest   bool       `json:"in_latest_scenario"`
	Region   string     `json:"region_code"`
	Tech     string     `json:"tech"`
	State    string     `json:"state"`
	Operator string     `json:"operator"`
	Next     []string   `json:"next"`
	Seq      int        `json:"seq"`
	Events   []eventOut `json:"events"`
}

func (e *siteEnv) history(t *testing.T, id string) siteHistory {
	t.Helper()
	var h siteHistory
	getJSON(t, e.base+"/api/v1/sites/"+id+"/history", &h)
	return h
}

func ids(sites []siteOut) []string {
	out := make([]string, len(sites))
	for i, s := range sites {
		out[i] = s.ID
	}
	return out
}

func TestSitesList(t *testing.T) {
	e := startSites(t, false)
	l := e.list(t, "")
	if l.Scenario != 1 || l.Total != 6 || len(l.Sites) != 6 || l.Sites[0].ID != "S-1" || l.Sites[0].State != "planned" || l.Sites[0].Since != nil || l.Sites[0].Connected {
		t.Fatalf("GET /sites = %+v", l)
	}
	run2 := e.addRun(t, "second", plannedSites[:5])
	cases := []struct {
		query string
		want  []string
		total int
	}{
		{"", []string{"S-1", "S-2", "S-3", "S-4", "S-5"}, 5},
		{"?scenario=1", []string{"S-1", "S-2", "S-3", "S-4", "S-5", "S-OLD"}, 6},
		{"?region=09", []string{"S-1", "S-2", "S-5"}, 3},
		{"?tech=fibre", []string{"S-1", "S-2"}, 2},
		{"?tech=satellite&urban=false", []string{"S-3", "S-5"}, 2},
		{"?urban=true", []string{"S-1", "S-2", "S-4"}, 3},
		{"?state=planned&region=02", []string{"S-3", "S-4"}, 2},
		{"?state=assigned", []string{}, 0},
		{"?limit=2&offset=1", []string{"S-2", "S-3"}, 5},
		{"?limit=2&offset=4", []string{"S-5"}, 5},
		{"?offset=9", []string{}, 5},
		{"?limit=0", []string{}, 5},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			l := e.list(t, c.query)
			if got := ids(l.Sites); !slices.Equal(got, c.want) || l.Total != c.total {
				t.Errorf("sites %v total %d, want %v total %d", got, l.Total, c.want, c.total)
			}
			if wantRun := map[bool]int64{true: 1, false: run2}[strings.Contains(c.query, "scenario=1")]; l.Scenario != wantRun {
				t.Errorf("scenario %d, want %d", l.Scenario, wantRun)
			}
		})
	}
	// The state filter follows the events.
	if code, b := e.post(t, "S-4", engineerToken, map[string]string{"to": "assigned", "operator": "604-02"}); code != 201 {
		t.Fatalf("assign S-4: %d %s", code, b)
	}
	if l := e.list(t, "?state=assigned"); !slices.Equal(ids(l.Sites), []string{"S-4"}) || l.Sites[0].Operator != "604-02" || l.Sites[0].Since == nil {
		t.Errorf("assigned sites = %+v", l.Sites)
	}
	if l := e.list(t, "?operator=604-02"); l.Total != 1 {
		t.Errorf("operator 604-02: %+v", l)
	}
	for _, q := range []string{"?tech=copper", "?urban=yes", "?state=identified", "?state=built", "?limit=-1", "?limit=x", "?scenario=x", "?scenario=0"} {
		if code, b := do(t, "GET", e.base+"/api/v1/sites"+q, "", "", nil); code != 400 || errCode(b) != "invalid_argument" {
			t.Errorf("GET /sites%s: %d %s, want 400 invalid_argument", q, code, b)
		}
	}
	if code, b := do(t, "GET", e.base+"/api/v1/sites?scenario=99", "", "", nil); code != 404 || errCode(b) != "not_found" {
		t.Errorf("unknown scenario: %d %s, want 404 not_found", code, b)
	}
}

func TestSitesWithoutRun(t *testing.T) {
	e := startSites(t, true)
	code, b := do(t, "GET", e.base+"/api/v1/sites", "", "", nil)
	if code != 404 || errCode(b) != "not_found" || !strings.Contains(string(b), "scenario") {
		t.Errorf("GET /sites without a run: %d %s, want 404 not_found", code, b)
	}
	for _, path := range []string{"/api/v1/sites/S-1", "/api/v1/sites/S-1/history"} {
		if code, b := do(t, "GET", e.base+path, "", "", nil); code != 404 || errCode(b) != "not_found" {
			t.Errorf("GET %s without a run: %d %s", path, code, b)
		}
	}
	if code, b := e.post(t, "S-1", engineerToken, map[string]string{"to": "assigned", "operator": "604-01"}); code != 404 || errCode(b) != "not_found" {
		t.Errorf("transition without a run: %d %s", code, b)
	}
	p := e.progress(t, "")
	if p.Sites.Scenario != 0 || p.Sites.Total != 0 || p.Sites.UrbanTarget != 6300 || len(p.Sites.ByTech) != 2 || p.Zones != 1 {
		t.Errorf("progress without a run: %+v", p)
	}
}

func TestSiteLifecycleHTTP(t *testing.T) {
	e := startSites(t, false)
	want := func(step string, code int, b []byte, wantCode int, wantErr string) {
		t.Helper()
		if code != wantCode || wantErr != "" && errCode(b) != wantErr {
			t.Fatalf("%s: %d %s, want %d %s", step, code, b, wantCode, wantErr)
		}
	}
	assign := map[string]string{"to": "assigned", "operator": "604-01", "deadline": "2026-12-31", "comment": "fibre contract"}
	code, b := e.post(t, "S-1", "", assign)
	want("no token", code, b, 401, "unauthenticated")
	code, b = e.post(t, "S-1", iamToken, assign)
	want("operator assigns", code, b, 403, "forbidden")
	code, b = e.post(t, "S-1", soussToken, assign)
	want("region assigns", code, b, 403, "forbidden")
	if msg := string(b); !strings.Contains(msg, "site") || strings.Contains(msg, "zone") {
		t.Errorf("region's refusal should speak of a site: %s", msg)
	}
	code, b = e.post(t, "S-NOPE", engineerToken, assign)
	want("unknown site", code, b, 404, "not_found")
	code, b = e.post(t, "S-1", engineerToken, map[string]string{"to": "assigned"})
	want("assign without contractor", code, b, 400, "invalid_argument")
	code, b = e.post(t, "S-1", engineerToken, map[string]string{"to": "works_started"})
	want("skip a step", code, b, 409, "illegal_transition")
	code, b = e.post(t, "S-1", engineerToken, map[string]string{"to": "identified"})
	want("a site is never identified", code, b, 409, "illegal_transition")
	code, b = e.post(t, "S-1", engineerToken, map[string]string{"to": "planned"})
	want("already planned", code, b, 409, "illegal_transition")

	code, b = e.post(t, "S-1", engineerToken, assign)
	want("assign", code, b, 201, "")
	ev := decodeEvent(t, b)
	if ev.Kind != data.SubjectSite || ev.Subject != "S-1" || ev.Seq != 1 || ev.From != "planned" || ev.To != "assigned" || ev.Operator != "604-01" ||
		ev.Deadline == nil || ev.Region != "09" || ev.Snapshot != 1 {
		t.Errorf("assign event = %+v", ev)
	}
	code, b = e.post(t, "S-1", inwiToken, map[string]string{"to": "works_started"})
	want("another operator starts works", code, b, 403, "forbidden")
	e.clock.add(24 * time.Hour)
	code, b = e.post(t, "S-1", iamToken, map[string]string{"to": "works_started", "comment": "trench open"})
	want("contractor starts works", code, b, 201, "")
	code, b = e.post(t, "S-1", iamToken, map[string]string{"to": "in_service"})
	want("connected without evidence", code, b, 400, "invalid_argument")
	e.clock.add(24 * time.Hour)
	code, b = e.postForm(t, "S-1", iamToken, map[string]string{"to": "in_service"}, "splice-report.pdf", []byte("%PDF splice"))
	want("contractor connects with evidence", code, b, 201, "")

	if s := e.site(t, "S-1"); s.State != "in_service" || !s.Connected || s.Operator != "604-01" || s.Since == nil || !s.Since.Equal(e.clock.now()) ||
		s.Scenario != 1 || s.Tech != "fibre" || !slices.Equal(s.Next, []string{"verified", "dropped", "comment"}) || s.Seq != 3 {
		t.Errorf("GET /sites/S-1 when connected = %+v", s)
	}
	code, b = e.postForm(t, "S-1", iamToken, map[string]string{"to": "verified"}, "acceptance.pdf", []byte("%PDF accepted"))
	want("operator verifies", code, b, 403, "forbidden")
	code, b = e.post(t, "S-1", engineerToken, map[string]string{"to": "verified"})
	want("verified without the acceptance report", code, b, 400, "invalid_argument")
	if !strings.Contains(string(b), "acceptance report") {
		t.Errorf("refusal names no acceptance report: %s", b)
	}
	report := []byte("%PDF-1.4 procès-verbal de réception")
	e.clock.add(24 * time.Hour)
	code, b = e.postForm(t, "S-1", engineerToken, map[string]string{"to": "verified", "comment": "accepted"}, "pv-reception.pdf", report)
	want("engineer verifies with the report", code, b, 201, "")
	ev = decodeEvent(t, b)
	if ev.To != "verified" || ev.Check != "" || ev.Evidence == nil || ev.Evidence.Name != "pv-reception.pdf" || ev.EvidenceURL != "/api/v1/sites/S-1/events/4/evidence" {
		t.Fatalf("verified event = %+v", ev)
	}
	code, b = do(t, "GET", e.base+ev.EvidenceURL, "", "", nil)
	want("evidence for the public", code, b, 401, "unauthenticated")
	code, b = do(t, "GET", e.base+ev.EvidenceURL, soussToken, "", nil)
	if code != 200 || !bytes.Equal(b, report) {
		t.Errorf("GET site evidence: %d %q", code, b)
	}
	code, b = do(t, "GET", e.base+"/api/v1/sites/S-1/events/1/evidence", engineerToken, "", nil)
	want("evidence of an event without", code, b, 404, "not_found")
	code, b = do(t, "GET", e.base+"/api/v1/sites/S-1/events/0/evidence", engineerToken, "", nil)
	want("evidence of a bad seq", code, b, 400, "invalid_argument")
	code, b = do(t, "GET", e.base+"/api/v1/zones/S-1/events/4/evidence", engineerToken, "", nil)
	want("a site's evidence is not a zone's", code, b, 404, "not_found")
	code, b = e.post(t, "S-1", engineerToken, map[string]string{"to": "dropped", "reason": "too late"})
	want("drop a verified site", code, b, 409, "illegal_transition")

	h := e.history(t, "S-1")
	if h.Site != "S-1" || h.Scenario != 1 || !h.Latest || h.Region != "09" || h.Tech != "fibre" || h.State != "verified" || h.Operator != "604-01" ||
		!slices.Equal(h.Next, []string{"comment"}) || len(h.Events) != 4 {
		t.Errorf("history = %+v", h)
	}
	wantPath := []string{"assigned", "works_started", "in_service", "verified"}
	for i, ev := range h.Events {
		if ev.Seq != i+1 || string(ev.To) != wantPath[i] || ev.Kind != data.SubjectSite {
			t.Errorf("event %d = %+v, want seq %d to %s", i, ev, i+1, wantPath[i])
		}
	}
	if code, b := do(t, "GET", e.base+"/api/v1/sites/S-NOPE/history", "", "", nil); code != 404 || errCode(b) != "not_found" {
		t.Errorf("history of an unknown site: %d %s", code, b)
	}
	if code, b := do(t, "GET", e.base+"/api/v1/sites/S-NOPE", "", "", nil); code != 404 || errCode(b) != "not_found" {
		t.Errorf("GET an unknown site: %d %s", code, b)
	}
	// A zone's lifecycle is apart: S-1 is no zone, Z-A has no site history.
	if code, b := do(t, "GET", e.base+"/api/v1/zones/S-1/history", "", "", nil); code != 404 {
		t.Errorf("zone history of a site: %d %s", code, b)
	}
	if code, b := do(t, "GET", e.base+"/api/v1/zones/Z-A/history", "", "", nil); code != 200 || !strings.Contains(string(b), `"state":"identified"`) {
		t.Errorf("zone history: %d %s", code, b)
	}

	// Dropping needs a reason; a dropped site is reinstated as planned.
	code, b = e.post(t, "S-2", engineerToken, map[string]string{"to": "dropped"})
	want("drop without reason", code, b, 400, "invalid_argument")
	code, b = e.post(t, "S-2", engineerToken, map[string]string{"to": "dropped", "reason": "site moved"})
	want("drop", code, b, 201, "")
	code, b = e.post(t, "S-2", engineerToken, map[string]string{"to": "identified"})
	want("reinstate as identified", code, b, 409, "illegal_transition")
	code, b = e.post(t, "S-2", engineerToken, map[string]string{"to": "planned", "comment": "new building found"})
	want("reinstate", code, b, 201, "")
	if s := e.site(t, "S-2"); s.State != "planned" || s.Operator != "" || s.Seq != 2 {
		t.Errorf("reinstated site = %+v", s)
	}
}

func TestSiteRegionScope(t *testing.T) {
	e := startSites(t, false)
	code, b := e.post(t, "S-1", soussToken, map[string]string{"comment": "the commune asks for a date"})
	if code != 201 {
		t.Fatalf("region comments on a site of its region: %d %s", code, b)
	}
	if ev := decodeEvent(t, b); ev.From != "planned" || ev.To != "planned" || ev.Role != "region" || ev.Region != "09" {
		t.Errorf("comment = %+v", ev)
	}
	code, b = e.post(t, "S-3", soussToken, map[string]string{"comment": "not ours"})
	if code != 403 || errCode(b) != "forbidden" || !strings.Contains(string(b), `\"02\"`) {
		t.Errorf("region comments on a site of region 02: %d %s, want 403 forbidden naming the region", code, b)
	}
	code, b = e.post(t, "S-1", soussToken, map[string]string{"to": "dropped", "reason": "x"})
	if code != 403 || errCode(b) != "forbidden" {
		t.Errorf("region drops: %d %s", code, b)
	}
	code, b = e.post(t, "S-1", iamToken, map[string]string{"comment": "we are ready"})
	if code != 403 || errCode(b) != "forbidden" {
		t.Errorf("operator comments on an unassigned site: %d %s", code, b)
	}
	if h := e.history(t, "S-1"); len(h.Events) != 1 || h.State != "planned" {
		t.Errorf("history after refusals = %+v", h)
	}
}

// A site a newer plan leaves out keeps its history and row: it is found
// in the run its events recorded.
func TestSiteLeftNewestRun(t *testing.T) {
	e := startSites(t, false)
	if code, b := e.post(t, "S-OLD", engineerToken, map[string]string{"to": "assigned", "operator": "604-01"}); code != 201 {
		t.Fatalf("assign S-OLD: %d %s", code, b)
	}
	run2 := e.addRun(t, "second", plannedSites[:5])
	h := e.history(t, "S-OLD")
	if h.Scenario != 1 || h.Latest || h.Region != "09" || h.State != "assigned" || len(h.Events) != 1 {
		t.Errorf("history of a site out of the newest run: %+v", h)
	}
	if s := e.site(t, "S-OLD"); s.Scenario != 1 || s.State != "assigned" || s.Name != "Poste Aglou" {
		t.Errorf("GET /sites/S-OLD = %+v", s)
	}
	if code, b := do(t, "GET", e.base+fmt.Sprintf("/api/v1/sites/S-OLD?scenario=%d", run2), "", "", nil); code != 404 || errCode(b) != "not_found" {
		t.Errorf("S-OLD in run %d: %d %s", run2, code, b)
	}
	if code, b := e.post(t, "S-OLD", iamToken, map[string]string{"to": "works_started"}); code != 201 {
		t.Errorf("works on a site out of the newest run: %d %s", code, b)
	}
	// A site in no run and without history is unknown.
	if code, b := e.post(t, "S-NEVER", engineerToken, map[string]string{"comment": "x"}); code != 404 || errCode(b) != "not_found" {
		t.Errorf("unknown site: %d %s", code, b)
	}
}

type siteProgressOut struct {
	Scenario  int64          `json:"scenario"`
	Total     int            `json:"total"`
	States    map[string]int `json:"states"`
	Connected int            `json:"connected"`
	Overdue   int            `json:"overdue"`
	ByTech    map[string]struct {
		Sites     int            `json:"sites"`
		States    map[string]int `json:"states"`
		Connected int            `json:"connected"`
	} `json:"by_tech"`
	Urban               int     `json:"urban"`
	UrbanConnected      int     `json:"urban_connected"`
	UrbanFibre          int     `json:"urban_fibre"`
	UrbanFibreConnected int     `json:"urban_fibre_connected"`
	UrbanTarget         int     `json:"urban_target"`
	Share               float64 `json:"urban_fibre_share"`
	History             []struct {
		Date   string         `json:"date"`
		States map[string]int `json:"states"`
	} `json:"history"`
}

func (e *siteEnv) progress(t *testing.T, query string) struct {
	progressOut
	Sites siteProgressOut `json:"sites"`
} {
	t.Helper()
	code, b := do(t, "GET", e.base+"/api/v1/progress"+query, "", "", nil)
	if code != 200 {
		t.Fatalf("GET /progress%s: %d %s", query, code, b)
	}
	var p struct {
		progressOut
		Sites siteProgressOut `json:"sites"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSiteProgressHTTP(t *testing.T) {
	e := startSites(t, false)
	e.addRun(t, "second", plannedSites[:5])
	p := e.progress(t, "")
	if p.Sites.Scenario != 2 || p.Sites.Total != 5 || p.Sites.States["planned"] != 5 || len(p.Sites.States) != 6 || p.Sites.Urban != 3 ||
		p.Sites.UrbanConnected != 0 || p.Sites.UrbanTarget != 6300 || p.Sites.ByTech["fibre"].Sites != 2 || p.Sites.ByTech["satellite"].Sites != 3 {
		t.Fatalf("before any event: %+v", p.Sites)
	}
	// The zone fields are unchanged.
	if p.Zones != 1 || p.States["identified"] != 1 || p.Target != 1800 || p.Deadline != "2026-12-31" {
		t.Errorf("zone progress: %+v", p.progressOut)
	}
	steps := []struct {
		site  string
		token string
		body  map[string]string
		file  bool
	}{
		{"S-1", engineerToken, map[string]string{"to": "assigned", "operator": "604-01"}, false},
		{"S-1", engineerToken, map[string]string{"to": "works_started"}, false},
		{"S-1", iamToken, map[string]string{"to": "in_service"}, true},
		{"S-1", engineerToken, map[string]string{"to": "verified"}, true},
		{"S-4", engineerToken, map[string]string{"to": "assigned", "operator": "604-02"}, false},
		{"S-4", engineerToken, map[string]string{"to": "works_started"}, false},
		{"S-4", engineerToken, map[string]string{"to": "in_service"}, false},
		{"S-3", engineerToken, map[string]string{"to": "assigned", "operator": "604-02", "deadline": "2026-03-31"}, false},
		{"S-5", engineerToken, map[string]string{"to": "dropped", "reason": "merged with S-3"}, false},
	}
	for _, s := range steps {
		var code int
		var b []byte
		if s.file {
			code, b = e.postForm(t, s.site, s.token, s.body, "report.pdf", []byte("%PDF report"))
		} else {
			code, b = e.post(t, s.site, s.token, s.body)
		}
		if code != 201 {
			t.Fatalf("%s %v: %d %s", s.site, s.body, code, b)
		}
	}
	e.clock.set(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) // S-3's deadline passed
	p = e.progress(t, "")
	sp := p.Sites
	wantStates := map[string]int{"planned": 1, "assigned": 1, "works_started": 0, "in_service": 1, "verified": 1, "dropped": 1}
	for st, n := range wantStates {
		if sp.States[st] != n {
			t.Errorf("states[%s] = %d, want %d (%v)", st, sp.States[st], n, sp.States)
		}
	}
	// S-1 (urban, fibre) verified and S-4 (urban, satellite) in service:
	// two urban sites connected, one towards the fibre target.
	if sp.Total != 5 || sp.Connected != 2 || sp.Overdue != 1 || sp.Urban != 3 || sp.UrbanConnected != 2 || sp.UrbanFibre != 2 ||
		sp.UrbanFibreConnected != 1 || sp.Share != 1.0/6300 {
		t.Errorf("site totals: %+v", sp)
	}
	if n := len(sp.History); n != 1 || sp.History[0].States["verified"] != 1 || sp.History[0].States["planned"] != 1 {
		t.Errorf("site history: %+v, want one day ending as now", sp.History)
	}
	f, s := sp.ByTech["fibre"], sp.ByTech["satellite"]
	if f.Sites != 2 || f.States["verified"] != 1 || f.States["planned"] != 1 || f.Connected != 1 ||
		s.Sites != 3 || s.States["in_service"] != 1 || s.States["assigned"] != 1 || s.States["dropped"] != 1 || s.Connected != 1 {
		t.Errorf("by tech: %+v", sp.ByTech)
	}
	if p := e.progress(t, "?region=02").Sites; p.Total != 2 || p.Connected != 1 || p.UrbanConnected != 1 || p.UrbanFibreConnected != 0 {
		t.Errorf("region 02: %+v", p)
	}
	if p := e.progress(t, "?operator=604-02").Sites; p.Total != 2 || p.States["assigned"] != 1 || p.States["in_service"] != 1 {
		t.Errorf("operator 604-02: %+v", p)
	}
	if p := e.progress(t, "?scenario=1").Sites; p.Scenario != 1 || p.Total != 6 || p.Urban != 4 {
		t.Errorf("scenario 1: %+v", p)
	}
	if code, b := do(t, "GET", e.base+"/api/v1/progress?scenario=7", "", "", nil); code != 404 || errCode(b) != "not_found" {
		t.Errorf("progress of an unknown scenario: %d %s", code, b)
	}
}

// The sites of a run planned through the API are listed and tracked.
func TestSitesOfPlannedScenario(t *testing.T) {
	base, st := startScenarios(t, setup{})
	if code, b := postScenario(t, base, engineerToken, "application/yaml", cheapScenario); code != 201 {
		t.Fatalf("plan: %d %s", code, b)
	}
	runs, err := st.ScenarioRuns(t.Context())
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	set, err := tiles.Load(t.Context(), st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Store: st, Tiles: set, Tracker: st, Scenarios: st, Now: func() time.Time { return scenarioClock }})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	code, b := do(t, "GET", ts.URL+"/api/v1/sites?urban=true", "", "", nil)
	var l siteList
	json.Unmarshal(b, &l)
	if code != 200 || l.Scenario != runs[0].ID || l.Total != 2 || !slices.Equal(ids(l.Sites), []string{"s1", "s2"}) {
		t.Fatalf("urban sites of the planned run: %d %s", code, b)
	}
	for _, s := range l.Sites {
		if s.State != "planned" || s.Region != "01" || s.Tech != "fibre" || s.Name == "" {
			t.Errorf("planned site = %+v", s)
		}
	}
	code, b = do(t, "GET", ts.URL+"/api/v1/sites/s3", "", "", nil)
	if code != 200 || !strings.Contains(string(b), `"state":"planned"`) || !strings.Contains(string(b), `"urban":false`) {
		t.Errorf("GET /sites/s3: %d %s", code, b)
	}
}
