package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
	"github.com/taghtia/taghtia/planner/plan"
	"github.com/taghtia/taghtia/planner/scenario"
)

// ScenarioStore is what the scenarios API reads and writes: the plan's
// inputs and the stored scenario runs.
type ScenarioStore interface {
	plan.Store
	AddScenarioRun(ctx context.Context, r data.ScenarioRun) (data.ScenarioRun, error)
	ScenarioRuns(ctx context.Context) ([]data.ScenarioRun, error)
	ScenarioRun(ctx context.Context, id int64) (data.ScenarioRun, error)
}

// MaxScenarioBytes caps the scenario document of POST /api/v1/scenarios.
const MaxScenarioBytes = 1 << 20

// scenarioSeed is the seed of the demo site set, as taghtia plan's
// default, so the API and the command plan the same sites.
const scenarioSeed = 1

// scenarios serves /api/v1/scenarios. Plans run one at a time (each
// takes seconds and a few hundred MB nationally); a request waits its
// turn or until its client goes away.
type scenarios struct {
	st   ScenarioStore
	th   coverage.Thresholds
	now  func() time.Time
	log  *slog.Logger
	turn chan struct{}
	rows siteCache // the site rows of the run last read (sites.go)
}

func newScenarios(opt Options) *scenarios {
	if opt.Scenarios == nil {
		return nil
	}
	sc := &scenarios{st: opt.Scenarios, th: opt.Thresholds, now: opt.Now, log: opt.Log, turn: make(chan struct{}, 1)}
	if sc.now == nil {
		sc.now = time.Now
	}
	return sc
}

func (s *Server) scenarioAPI() (*scenarios, error) {
	if s.scen == nil {
		return nil, notFound("the scenarios API is not enabled on this server")
	}
	return s.scen, nil
}

// scenarioHeader is a stored run as listed.
type scenarioHeader struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Snapshot  int64     `json:"snapshot"`
}

func headerOf(r data.ScenarioRun) scenarioHeader {
	return scenarioHeader{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), Snapshot: r.Snapshot}
}

// scenarioBody is the stored body of a run (data.ScenarioRun.Body).
type scenarioBody struct {
	Inputs  plan.Inputs      `json:"inputs"`
	Summary scenario.Summary `json:"summary"`
	Sites   []siteRow        `json:"sites"`
	Zones   []zoneRow        `json:"zones"`
}

// siteRow and zoneRow are the rows of a stored run's body.
type (
	siteRow = plan.SiteRow
	zoneRow = plan.ZoneRow
)

// NewScenarioRun turns a plan into the run to store: its body, one route
// per fibre site and the assignments the plan tiles draw:
//   - "site:ID", each administrative site's point: kind "admin", tech
//     (fibre or satellite), site, name, region, cost_mad, new_km;
//   - "zone:ID", each planned zone's polygon: kind (white or grey), tech
//     (the work: site4g or roaming), zone, host, region, population,
//     covered, new_sites, cost_mad;
//   - "radio:ZONE:N", each new 4G site's point: kind "radio", tech site4g,
//     zone, region, population (newly covered by it), cost_mad (the
//     zone's cost shared by its sites).
func NewScenarioRun(res *plan.Result, at time.Time) (data.ScenarioRun, error) {
	b := scenarioBody{Inputs: res.Inputs, Summary: res.Summary, Sites: res.SiteRows(), Zones: res.ZoneRows()}
	var routes, assigned []data.Feature
	for i, s := range res.Sites {
		r := res.Fibre.Sites[i]
		if len(r.Route) >= 2 {
			routes = append(routes, data.Feature{ID: r.ID, Geom: r.Route,
				Props: map[string]any{"site": r.ID, "new_km": r.NewKm, "shared_km": r.SharedKm, "cost_mad": r.CostMAD}})
		}
		assigned = append(assigned, data.Feature{ID: "site:" + s.ID, Geom: s.Point, Props: map[string]any{"kind": "admin", "tech": string(r.Tech),
			"site": s.ID, "name": s.Name, "region": res.Regions[s.ID], "cost_mad": r.CostMAD, "new_km": r.NewKm}})
	}
	for _, z := range res.Zones {
		if len(z.Geom) > 0 {
			props := map[string]any{"kind": string(z.Kind), "tech": string(z.Work), "zone": z.ID, "region": z.RegionCode,
				"population": z.Population, "covered": z.Covered, "new_sites": len(z.Sites), "cost_mad": z.CostMAD}
			if z.Host != "" {
				props["host"] = z.Host
			}
			assigned = append(assigned, data.Feature{ID: "zone:" + z.ID, Geom: z.Geom, Props: props})
		}
		for j, rs := range z.Sites {
			assigned = append(assigned, data.Feature{ID: fmt.Sprintf("radio:%s:%d", z.ID, j+1), Geom: rs.Point, Props: map[string]any{
				"kind": "radio", "tech": string(scenario.KindSite4G), "zone": z.ID, "region": z.RegionCode,
				"population": rs.NewPopulation, "cost_mad": z.CostMAD / float64(len(z.Sites))}})
		}
	}
	body, err := json.Marshal(b)
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("encode scenario run: %w", err)
	}
	return data.ScenarioRun{Name: res.Summary.Scenario.Name, CreatedAt: at, Snapshot: res.Inputs.Snapshot, Body: body, Routes: routes,
		Assignments: assigned}, nil
}

// postScenario serves POST /api/v1/scenarios: the body is a scenario
// document (YAML or JSON; empty: the defaults), an engineer's token is
// needed; the plan runs now and is stored: 201 {id, name, created_at,
// snapshot, summary}. A scenario refused is 400 invalid_argument naming
// each key path and line (details: problems); no zone snapshot is 409.
func (s *Server) postScenario(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scenarioAPI()
	if err != nil {
		return err
	}
	tok, ok, err := s.callerToken(r)
	if err != nil {
		return err
	}
	if !ok {
		return unauthenticated("planning a scenario needs an engineer's token: send it as Authorization: Bearer TOKEN")
	}
	if tok.role() != planner.RoleEngineer {
		return forbidden("only an engineer may plan a scenario")
	}
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxScenarioBytes))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
				Message: fmt.Sprintf("the scenario document is larger than the %d bytes this server accepts", MaxScenarioBytes)}
		}
		return invalid("the scenario document cannot be read: " + err.Error())
	}
	parsed, err := scenario.Parse(scenarioName(r), doc)
	if err != nil {
		return scenarioInvalid(err)
	}
	ctx, start := r.Context(), time.Now()
	res, err := sc.plan(ctx, parsed)
	switch {
	case errors.Is(err, plan.ErrNoSnapshot):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: "no zone snapshot to plan over: compute the zones first (taghtia zones)"}
	case errors.Is(err, scenario.ErrInvalid):
		return scenarioInvalid(err)
	case err != nil:
		return fmt.Errorf("plan scenario %q: %w", parsed.Name, err)
	}
	run, err := NewScenarioRun(res, sc.now())
	if err != nil {
		return err
	}
	if run, err = sc.st.AddScenarioRun(ctx, run); err != nil {
		return fmt.Errorf("store scenario %q: %w", parsed.Name, err)
	}
	sc.log.LogAttrs(ctx, slog.LevelInfo, "scenario planned", slog.Int64("id", run.ID), slog.String("scenario", run.Name),
		slog.String("by", tok.Name), slog.Float64("seconds", time.Since(start).Seconds()))
	w.Header().Set("Location", "/api/v1/scenarios/"+strconv.FormatInt(run.ID, 10))
	writeJSON(w, http.StatusCreated, struct {
		scenarioHeader
		Summary scenario.Summary `json:"summary"`
	}{headerOf(run), res.Summary})
	return nil
}

// plan runs sc when no other plan runs, or fails when ctx ends first.
func (sc *scenarios) plan(ctx context.Context, s scenario.Scenario) (*plan.Result, error) {
	select {
	case sc.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-sc.turn }()
	return plan.Run(ctx, sc.st, plan.Options{Scenario: s, Thresholds: sc.th, Seed: scenarioSeed})
}

// scenarioName is the name Parse is given: it fixes the format when the
// request says it (Content-Type), else Parse tells JSON from YAML by the
// content.
func scenarioName(r *http.Request) string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		return "scenario.json"
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return "scenario.yaml"
	}
	return ""
}

// scenarioInvalid is the 400 of a refused scenario: the message names
// each problem's line and key path; details list them.
func scenarioInvalid(err error) error {
	fs := scenario.Fields(err)
	if len(fs) == 0 {
		return invalid(err.Error())
	}
	msgs := make([]string, len(fs))
	problems := make([]map[string]any, len(fs))
	for i, f := range fs {
		g := *f
		g.File = "" // the request's body, not a file
		msgs[i] = g.Error()
		problems[i] = map[string]any{"path": f.Path, "line": f.Line, "message": f.Msg}
	}
	return &Error{Status: http.StatusBadRequest, Code: "invalid_argument", Message: "scenario refused: " + strings.Join(msgs, "; "),
		Details: map[string]any{"problems": problems}}
}

// listScenarios serves GET /api/v1/scenarios: the stored runs, newest
// first.
func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scenarioAPI()
	if err != nil {
		return err
	}
	runs, err := sc.st.ScenarioRuns(r.Context())
	if err != nil {
		return err
	}
	out := make([]scenarioHeader, 0, len(runs))
	for i := len(runs) - 1; i >= 0; i-- {
		out = append(out, headerOf(runs[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": out})
	return nil
}

// scenarioParam reads the run named by a path parameter.
func (sc *scenarios) scenarioParam(r *http.Request, name string) (data.ScenarioRun, error) {
	v := chi.URLParam(r, name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return data.ScenarioRun{}, invalid("scenario id must be a positive whole number, got " + strconv.Quote(v))
	}
	run, err := sc.st.ScenarioRun(r.Context(), id)
	if errors.Is(err, data.ErrNotFound) {
		return data.ScenarioRun{}, notFound("no scenario " + v)
	}
	return run, err
}

// scenarioStored is nil when run id is stored, else a 404 (it reads the
// list of runs, never a body).
func (sc *scenarios) scenarioStored(ctx context.Context, id int64) error {
	runs, err := sc.st.ScenarioRuns(ctx)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.ID == id {
			return nil
		}
	}
	return notFound("no scenario " + strconv.FormatInt(id, 10))
}

// scenarioRun is the run of path parameter name and its decoded body.
func (s *Server) scenarioRun(r *http.Request, name string) (data.ScenarioRun, scenarioBody, error) {
	sc, err := s.scenarioAPI()
	if err != nil {
		return data.ScenarioRun{}, scenarioBody{}, err
	}
	run, err := sc.scenarioParam(r, name)
	if err != nil {
		return data.ScenarioRun{}, scenarioBody{}, err
	}
	var b scenarioBody
	if err := json.Unmarshal(run.Body, &b); err != nil {
		return data.ScenarioRun{}, scenarioBody{}, fmt.Errorf("scenario %d: decode stored body: %w", run.ID, err)
	}
	return run, b, nil
}

// getScenario serves GET /api/v1/scenarios/{id}: the run's header and
// its stored body as it was written (inputs, summary, sites, zones).
func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scenarioAPI()
	if err != nil {
		return err
	}
	run, err := sc.scenarioParam(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Inputs  json.RawMessage `json:"inputs"`
		Summary json.RawMessage `json:"summary"`
		Sites   json.RawMessage `json:"sites"`
		Zones   json.RawMessage `json:"zones"`
	}
	if err := json.Unmarshal(run.Body, &b); err != nil {
		return fmt.Errorf("scenario %d: decode stored body: %w", run.ID, err)
	}
	writeJSON(w, http.StatusOK, struct {
		scenarioHeader
		Inputs  json.RawMessage `json:"inputs"`
		Summary json.RawMessage `json:"summary"`
		Sites   json.RawMessage `json:"sites"`
		Zones   json.RawMessage `json:"zones"`
	}{headerOf(run), b.Inputs, b.Summary, b.Sites, b.Zones})
	return nil
}

// compareScenarios serves GET /api/v1/scenarios/{a}/compare/{b}: the
// scenario.Comparison of b against a (every delta b - a).
func (s *Server) compareScenarios(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.scenarioRun(r, "a")
	if err != nil {
		return err
	}
	_, b, err := s.scenarioRun(r, "b")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, scenario.Compare(a.Summary, b.Summary))
	return nil
}

// scenarioRoutes serves GET /api/v1/scenarios/{id}/routes.geojson: one
// LineString per fibre site (id: the site; site, new_km, shared_km,
// cost_mad).
func (s *Server) scenarioRoutes(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scenarioAPI()
	if err != nil {
		return err
	}
	run, err := sc.scenarioParam(r, "id")
	if err != nil {
		return err
	}
	return writeFeatures(w, fmt.Sprintf("scenario-%d-routes.geojson", run.ID), run.Routes)
}

// scenarioAssignments serves GET /api/v1/scenarios/{id}/assignments.geojson:
// what the plan puts where (see NewScenarioRun): each administrative
// site's point and technology, each planned zone's polygon and work, each
// new 4G site, as the plan tiles draw them.
func (s *Server) scenarioAssignments(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scenarioAPI()
	if err != nil {
		return err
	}
	run, err := sc.scenarioParam(r, "id")
	if err != nil {
		return err
	}
	fs, err := sc.st.Features(r.Context(), data.AssignmentsLayer(run.ID))
	if err != nil {
		return err
	}
	return writeFeatures(w, fmt.Sprintf("scenario-%d-assignments.geojson", run.ID), fs)
}

// writeFeatures writes stored features as a GeoJSON download.
func writeFeatures(w http.ResponseWriter, name string, fs []data.Feature) error {
	fc := geojson.NewFeatureCollection()
	for _, f := range fs {
		ft := geojson.NewFeature(f.Geom)
		ft.ID = f.ID
		ft.Properties = geojson.Properties(f.Props)
		if ft.Properties == nil {
			ft.Properties = geojson.Properties{}
		}
		fc.Append(ft)
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
	return json.NewEncoder(w).Encode(fc)
}

// scenarioZonesCSV serves GET /api/v1/scenarios/{id}/zones.csv: the work
// planned in each programme zone, as taghtia plan writes zones.csv.
func (s *Server) scenarioZonesCSV(w http.ResponseWriter, r *http.Request) error {
	run, b, err := s.scenarioRun(r, "id")
	if err != nil {
		return err
	}
	return writeCSV(w, fmt.Sprintf("scenario-%d-zones.csv", run.ID), plan.ZoneColumns, b.Zones)
}

// writeCSV writes a header and rows as a CSV download.
func writeCSV[T interface{ Record() []string }](w http.ResponseWriter, name string, header []string, rows []T) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, x := range rows {
		cw.Write(x.Record())
	}
	cw.Flush()
	return cw.Error()
}

// scenarioSitesCSV serves GET /api/v1/scenarios/{id}/sites.csv: each
// administrative site's technology, route km and cost, as taghtia plan
// writes sites.csv.
func (s *Server) scenarioSitesCSV(w http.ResponseWriter, r *http.Request) error {
	run, b, err := s.scenarioRun(r, "id")
	if err != nil {
		return err
	}
	return writeCSV(w, fmt.Sprintf("scenario-%d-sites.csv", run.ID), plan.SiteColumns, b.Sites)
}
