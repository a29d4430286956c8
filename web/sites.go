package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
	"github.com/taghtia/taghtia/planner/fibre"
)

// The administrative sites of a stored scenario run, tracked through the
// site lifecycle (planner: planned → assigned → works_started →
// in_service, shown as connected → verified; dropped). Rows come from the
// run's body (scenarioBody.Sites), states from the event log (kind site);
// history, transitions and evidence share the zones' handlers
// (lifecycle.go) through siteKind.

// siteKind is the sites' lifecycle: a site is found in the newest stored
// scenario run, else in the run its last event recorded.
func (s *Server) siteKind() subjectKind {
	return subjectKind{kind: data.SubjectSite, find: s.findSite}
}

// siteCache holds the decoded site rows of the last few runs read: runs
// are never changed once stored, and reading one also reads its routes.
type siteCache struct {
	mu   sync.Mutex
	runs map[int64]*runSites
}

// maxCachedRuns bounds siteCache: the newest run and a few older ones
// that sites left out of it still name.
const maxCachedRuns = 4

type runSites struct {
	rows  []siteRow
	index map[string]int // site id -> rows index
}

// siteRows returns the site rows of run id and their index by site id,
// shared between requests: read only. Errors: 404 for a run not stored.
func (sc *scenarios) siteRows(ctx context.Context, id int64) ([]siteRow, map[string]int, error) {
	c := &sc.rows
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs, ok := c.runs[id]; ok {
		return rs.rows, rs.index, nil
	}
	run, err := sc.st.ScenarioRun(ctx, id)
	if errors.Is(err, data.ErrNotFound) {
		return nil, nil, notFound("no scenario " + strconv.FormatInt(id, 10))
	}
	if err != nil {
		return nil, nil, err
	}
	var b struct {
		Sites []siteRow `json:"sites"`
	}
	if err := json.Unmarshal(run.Body, &b); err != nil {
		return nil, nil, fmt.Errorf("scenario %d: decode stored sites: %w", id, err)
	}
	rs := &runSites{rows: b.Sites, index: make(map[string]int, len(b.Sites))}
	for i, r := range b.Sites {
		rs.index[r.ID] = i
	}
	if c.runs == nil {
		c.runs = map[int64]*runSites{}
	}
	if len(c.runs) >= maxCachedRuns {
		var oldest int64 = -1
		for k := range c.runs {
			if oldest < 0 || k < oldest {
				oldest = k
			}
		}
		delete(c.runs, oldest)
	}
	c.runs[id] = rs
	return rs.rows, rs.index, nil
}

// newestRun returns the id of the newest stored scenario run, 0 when
// none is stored.
func (sc *scenarios) newestRun(ctx context.Context) (int64, error) {
	runs, err := sc.st.ScenarioRuns(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	for _, r := range runs {
		id = max(id, r.ID)
	}
	return id, nil
}

// errNoRun is the 404 of the sites API before any plan is stored.
func errNoRun() error {
	return notFound("no scenario run is stored yet, so there are no planned sites: plan one (POST /api/v1/scenarios or taghtia plan)")
}

// siteRun is the run a sites request reads: ?scenario=ID, else the
// newest. Errors: 400 for a bad id; 404 when that run, or any, is not
// stored, or the scenarios API is off.
func (s *Server) siteRun(r *http.Request) (int64, []siteRow, map[string]int, error) {
	sc, err := s.scenarioAPI()
	if err != nil {
		return 0, nil, nil, err
	}
	id, err := scenarioQuery(r)
	if err != nil {
		return 0, nil, nil, err
	}
	if id == 0 {
		if id, err = sc.newestRun(r.Context()); err != nil {
			return 0, nil, nil, err
		}
		if id == 0 {
			return 0, nil, nil, errNoRun()
		}
	}
	rows, index, err := sc.siteRows(r.Context(), id)
	return id, rows, index, err
}

// scenarioQuery reads ?scenario=ID (0 when absent).
func scenarioQuery(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("scenario")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, invalid("scenario must be a stored scenario's id (a positive whole number), got " + strconv.Quote(v))
	}
	return id, nil
}

// findSite looks a site up in the newest run, else in the run its last
// event recorded (a later plan may leave it out).
func (s *Server) findSite(ctx context.Context, id string, hist []data.Event) (subject, error) {
	sc, err := s.scenarioAPI()
	if err != nil {
		return subject{}, err
	}
	newest, err := sc.newestRun(ctx)
	if err != nil {
		return subject{}, err
	}
	look := func(run int64) (subject, bool, error) {
		rows, index, err := sc.siteRows(ctx, run)
		if err != nil {
			return subject{}, false, err
		}
		i, ok := index[id]
		if !ok {
			return subject{}, false, nil
		}
		row := rows[i]
		return subject{listedIn: run, region: row.Region, info: map[string]any{
			"site": id, "scenario": run, "in_latest_scenario": run == newest,
			"name": row.Name, "kind": row.Kind, "tech": row.Tech, "urban": row.Urban,
		}}, true, nil
	}
	if newest != 0 {
		if sub, ok, err := look(newest); err != nil || ok {
			return sub, err
		}
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if run := hist[i].Snapshot; run != 0 && run != newest {
			sub, ok, err := look(run)
			if err != nil && classify(err).Status != http.StatusNotFound {
				return subject{}, err
			}
			if ok {
				return sub, nil
			}
			break
		}
	}
	if len(hist) == 0 {
		if newest == 0 {
			return subject{}, errNoRun()
		}
		return subject{}, notFound(fmt.Sprintf("no site %s in scenario %d, and no history", strconv.Quote(id), newest))
	}
	return subject{info: map[string]any{"site": id, "scenario": 0, "in_latest_scenario": false}}, nil
}

// siteState is a site's lifecycle state as the sites API adds it to its
// row.
type siteState struct {
	State     data.State `json:"state"`
	Connected bool       `json:"connected"` // in service or verified
	Operator  string     `json:"operator,omitempty"`
	Deadline  *time.Time `json:"deadline,omitempty"`
	Since     *time.Time `json:"since,omitempty"` // the last change of state; none while planned from the start
	Overdue   bool       `json:"overdue"`
}

func siteStateOf(st planner.Status, now time.Time) siteState {
	return siteState{State: st.State, Connected: planner.Connected(st.State), Operator: st.Operator, Deadline: st.Deadline,
		Since: sinceOf(st), Overdue: st.Overdue(now)}
}

// siteJSON is a listed site: its plan row and its state.
type siteJSON struct {
	siteRow
	siteState
}

// siteFilter is what GET /sites filters on; empty fields match all.
type siteFilter struct {
	state    data.State
	region   string
	tech     string
	urban    *bool
	operator string
}

func parseSiteFilter(r *http.Request) (siteFilter, error) {
	q := r.URL.Query()
	f := siteFilter{region: q.Get("region"), operator: q.Get("operator")}
	if v := q.Get("state"); v != "" {
		l, _ := planner.LifecycleOf(data.SubjectSite)
		if !slices.Contains(l.States(), data.State(v)) {
			return f, invalid(fmt.Sprintf("state must be a site's state, one of %v, got %q", l.States(), v))
		}
		f.state = data.State(v)
	}
	switch v := q.Get("tech"); v {
	case "", string(fibre.Fibre), string(fibre.Satellite):
		f.tech = v
	default:
		return f, invalid("tech must be fibre or satellite, got " + strconv.Quote(v))
	}
	switch v := q.Get("urban"); v {
	case "":
	case "true", "false":
		u := v == "true"
		f.urban = &u
	default:
		return f, invalid("urban must be true or false, got " + strconv.Quote(v))
	}
	return f, nil
}

func (f siteFilter) match(row siteRow, st planner.Status) bool {
	return (f.state == "" || st.State == f.state) && (f.region == "" || row.Region == f.region) &&
		(f.tech == "" || row.Tech == f.tech) && (f.urban == nil || row.Urban == *f.urban) &&
		(f.operator == "" || st.Operator == f.operator)
}

// listSites serves GET /sites?scenario=&state=&region=&tech=&urban=&operator=&limit=&offset=:
// the sites of the run (newest by default) in plan order, each with its
// state; total counts the sites that match the filters.
func (s *Server) listSites(w http.ResponseWriter, r *http.Request) error {
	f, err := parseSiteFilter(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 50, 10000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	run, rows, _, err := s.siteRun(r)
	if err != nil {
		return err
	}
	sts, _, err := s.statuses(r.Context(), data.SubjectSite)
	if err != nil {
		return err
	}
	now := s.now()
	out := []siteJSON{}
	total := 0
	for _, row := range rows {
		st, ok := sts[row.ID]
		if !ok {
			st = planner.Replay(data.SubjectSite, nil)
		}
		if !f.match(row, st) {
			continue
		}
		if total >= offset && len(out) < limit {
			out = append(out, siteJSON{siteRow: row, siteState: siteStateOf(st, now)})
		}
		total++
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenario": run, "total": total, "sites": out})
	return nil
}

// getSite serves GET /sites/{id}?scenario=: the site's row in the run
// (newest by default, else the run its last event recorded), its state,
// the states it may move to and its event count.
func (s *Server) getSite(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), chi.URLParam(r, "id")
	var hist []data.Event
	if s.track != nil {
		var err error
		if hist, err = s.track.st.Events(ctx, data.EventFilter{Kind: data.SubjectSite, Subject: id}); err != nil {
			return err
		}
	}
	var run int64
	var row siteRow
	if q, err := scenarioQuery(r); err != nil {
		return err
	} else if q != 0 {
		_, rows, index, err := s.siteRun(r)
		if err != nil {
			return err
		}
		i, ok := index[id]
		if !ok {
			return notFound(fmt.Sprintf("no site %s in scenario %d", strconv.Quote(id), q))
		}
		run, row = q, rows[i]
	} else {
		sub, err := s.findSite(ctx, id, hist)
		if err != nil {
			return err
		}
		if sub.listedIn == 0 {
			return notFound(fmt.Sprintf("site %s is in no stored scenario run (its history: /api/v1/sites/%s/history)", strconv.Quote(id), id))
		}
		sc, _ := s.scenarioAPI()
		rows, index, err := sc.siteRows(ctx, sub.listedIn)
		if err != nil {
			return err
		}
		run, row = sub.listedIn, rows[index[id]]
	}
	st := planner.Replay(data.SubjectSite, hist)
	writeJSON(w, http.StatusOK, struct {
		siteJSON
		Scenario int64        `json:"scenario"`
		Next     []data.State `json:"next"`
		Seq      int          `json:"seq"`
	}{siteJSON{row, siteStateOf(st, s.now())}, run, append(planner.Next(data.SubjectSite, st.State), planner.Comment), st.Seq})
	return nil
}

// siteProgress is the sites object of GET /progress: the sites of the
// run (?scenario=, else the newest) in region and assigned to operator
// (empty: all) per state and technology, and the urban ones connected
// against planner.UrbanSiteTarget. With no run stored (or the scenarios
// API off) it counts none, with scenario 0.
func (s *Server) siteProgress(r *http.Request, region, operator string) (map[string]any, error) {
	ctx := r.Context()
	run, err := scenarioQuery(r)
	if err != nil {
		return nil, err
	}
	var rows []siteRow
	if s.scen != nil {
		if run == 0 {
			if run, err = s.scen.newestRun(ctx); err != nil {
				return nil, err
			}
		}
		if run != 0 {
			if rows, _, err = s.scen.siteRows(ctx, run); err != nil {
				return nil, err
			}
		}
	}
	sts, events, err := s.statuses(ctx, data.SubjectSite)
	if err != nil {
		return nil, err
	}
	var sites []planner.TrackedSite
	for _, row := range rows {
		if region != "" && row.Region != region || operator != "" && sts[row.ID].Operator != operator {
			continue
		}
		sites = append(sites, planner.TrackedSite{ID: row.ID, Tech: row.Tech, Urban: row.Urban})
	}
	p := planner.SummarizeSites(sites, events, s.now())
	share := 0.0
	if p.UrbanTarget > 0 {
		share = float64(p.UrbanFibreConnected) / float64(p.UrbanTarget)
	}
	return map[string]any{
		"scenario": run, "total": p.Sites, "states": p.States, "connected": p.Connected, "overdue": p.Overdue, "by_tech": p.ByTech,
		"urban": p.Urban, "urban_connected": p.UrbanConnected, "urban_fibre": p.UrbanFibre, "urban_fibre_connected": p.UrbanFibreConnected,
		"urban_target": p.UrbanTarget, "urban_fibre_share": share, "history": p.History,
		"deadline": UrbanSitesDeadline,
	}, nil
}

// UrbanSitesDeadline is the date by which the urban administrative sites
// are to be connected to fibre (planner.UrbanSiteTarget of them).
const UrbanSitesDeadline = "2026-12-31"
