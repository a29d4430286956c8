package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

const (
	engineerToken = "engineer-token-0123456789"
	soussToken    = "souss-massa-token-0123456789"
	maxEvidence   = 4 << 10
)

// fakeTracker keeps events in memory; measurements and population come
// from the embedded store. before, when set, runs before each append
// (outside the lock): a concurrent writer.
type fakeTracker struct {
	mu     sync.Mutex
	events map[string][]data.Event
	before func(ev data.Event)
	src    data.Store
}

func (f *fakeTracker) AppendEvent(ctx context.Context, ev data.Event) error {
	if f.before != nil {
		f.before(ev)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := string(ev.Kind) + "/" + ev.Subject
	if ev.Seq != len(f.events[k])+1 {
		return fmt.Errorf("fake: %w: seq %d, have %d", data.ErrConflict, ev.Seq, len(f.events[k]))
	}
	if ev.Evidence != nil {
		e := *ev.Evidence
		e.Content = bytes.Clone(e.Content)
		ev.Evidence = &e
	}
	f.events[k] = append(f.events[k], ev)
	return nil
}

func (f *fakeTracker) Events(ctx context.Context, flt data.EventFilter) ([]data.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []data.Event
	for _, h := range f.events {
		for _, ev := range h {
			if (flt.Kind == "" || ev.Kind == flt.Kind) && (flt.Subject == "" || ev.Subject == flt.Subject) {
				if ev.Evidence != nil {
					e := *ev.Evidence
					e.Content = nil
					ev.Evidence = &e
				}
				out = append(out, ev)
			}
		}
	}
	slices.SortFunc(out, func(a, b data.Event) int {
		if c := strings.Compare(a.Subject, b.Subject); c != 0 {
			return c
		}
		return a.Seq - b.Seq
	})
	return out, nil
}

func (f *fakeTracker) EventEvidence(ctx context.Context, kind data.SubjectKind, subject string, seq int) (data.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.events[string(kind)+"/"+subject]
	if seq < 1 || seq > len(h) || h[seq-1].Evidence == nil {
		return data.Event{}, fmt.Errorf("fake: event %d: %w", seq, data.ErrNotFound)
	}
	ev := h[seq-1]
	e := *ev.Evidence
	e.Content = bytes.Clone(e.Content)
	ev.Evidence = &e
	return ev, nil
}

func (f *fakeTracker) ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error {
	return f.src.ScanMeasurements(ctx, fn)
}

func (f *fakeTracker) Population(ctx context.Context) ([]data.CellPop, error) {
	return f.src.Population(ctx)
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type trackEnv struct {
	base  string
	st    data.Store
	fake  *fakeTracker // nil on the embedded tracker
	clock *clock
	cells map[string][]geo.Cell // zone id -> cells
}

// zoneCells returns n adjacent cells around p.
func zoneCells(t *testing.T, p orb.Point, n int) []geo.Cell {
	t.Helper()
	c, err := geo.CellAt(p, 8)
	if err != nil {
		t.Fatal(err)
	}
	out := []geo.Cell{c}
	for _, nb := range geo.Neighbors(c) {
		if len(out) < n && nb != c {
			out = append(out, nb)
		}
	}
	return out
}

// startTracking serves a store holding one snapshot of four zones (A, B,
// C in the programme; D not) on either tracker.
func startTracking(t *testing.T, tracker string) *trackEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := t.Context()
	env := &trackEnv{st: st, clock: &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}, cells: map[string][]geo.Cell{}}
	env.cells["Z-A"] = zoneCells(t, orb.Point{-9.73, 29.70}, 2)
	env.cells["Z-B"] = zoneCells(t, orb.Point{-9.20, 29.90}, 1)
	env.cells["Z-C"] = zoneCells(t, orb.Point{-2.50, 33.80}, 1)
	env.cells["Z-D"] = zoneCells(t, orb.Point{-2.70, 34.10}, 1)
	regions := map[string][2]string{"Z-A": {"09", "Souss-Massa"}, "Z-B": {"09", "Souss-Massa"}, "Z-C": {"02", "Oriental"}, "Z-D": {"02", "Oriental"}}
	var zones []data.Zone
	var pop []data.CellPop
	for i, id := range []string{"Z-A", "Z-B", "Z-C", "Z-D"} {
		cells := env.cells[id]
		g, err := geo.CellsOutline(cells)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, data.Zone{ID: id, Kind: data.White, Rank: i + 1, Programme: i < 3, Population: int64(100 * (4 - i)),
			RegionCode: regions[id][0], Region: regions[id][1], Cells: cells, Geom: g, Centroid: geo.CellCenter(cells[0])})
		for _, c := range cells {
			pop = append(pop, data.CellPop{Cell: c, Population: 50, Commune: "c"})
		}
	}
	slices.SortFunc(pop, func(a, b data.CellPop) int {
		switch {
		case a.Cell < b.Cell:
			return -1
		case a.Cell > b.Cell:
			return 1
		}
		return 0
	})
	if err := st.ReplacePopulation(ctx, pop); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSnapshot(ctx, data.Snapshot{Resolution: 8, ProgrammeSize: 3, RequiredTech: data.Tech4G, RequiredLevel: data.LevelGood}, zones); err != nil {
		t.Fatal(err)
	}
	set, err := tiles.Load(ctx, st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	toks := trackTokens(t, dir)
	var tr web.Tracker = st
	if tracker == "fake" {
		env.fake = &fakeTracker{events: map[string][]data.Event{}, src: st}
		tr = env.fake
	}
	srv := web.New(web.Options{Store: st, Tiles: set, Tracker: tr, Tokens: toks, Thresholds: coverage.DefaultThresholds(),
		MaxEvidence: maxEvidence, Now: env.clock.now})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	env.base = ts.URL
	return env
}

// trackTokens writes and loads the token file of the tracking tests: the
// regulator's engineer, two operators and Souss-Massa's authority.
func trackTokens(t *testing.T, dir string) []web.Token {
	t.Helper()
	tokFile := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(tokFile, []byte(fmt.Sprintf(`tokens:
  - {token: %q, name: ANRT}
  - {token: %q, operator: "604-01", name: Maroc Telecom}
  - {token: %q, role: operator, operator: "604-02", name: inwi}
  - {token: %q, role: region, region: "09", name: Souss-Massa}
`, engineerToken, iamToken, inwiToken, soussToken)), 0o600)
	toks, err := web.LoadTokens(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

// post sends a JSON transition.
func (e *trackEnv) post(t *testing.T, zone, token string, body map[string]string) (int, []byte) {
	t.Helper()
	return postJSON(t, e.base+"/api/v1/zones/"+zone+"/transitions", token, body)
}

// postForm sends a multipart transition, with an evidence file when
// content is not nil.
func (e *trackEnv) postForm(t *testing.T, zone, token string, fields map[string]string, name, ctype string, content []byte) (int, []byte) {
	t.Helper()
	return postMultipart(t, e.base+"/api/v1/zones/"+zone+"/transitions", token, fields, name, ctype, content)
}

// postJSON sends body as JSON to a transitions URL.
func postJSON(t *testing.T, url, token string, body map[string]string) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	return do(t, "POST", url, token, "application/json", bytes.NewReader(b))
}

// postMultipart sends fields and, when content is not nil, an evidence
// file part as a multipart form to a transitions URL.
func postMultipart(t *testing.T, url, token string, fields map[string]string, name, ctype string, content []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if content != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="evidence"; filename=%q`, name))
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		pw, _ := mw.CreatePart(h)
		pw.Write(content)
	}
	mw.Close()
	return do(t, "POST", url, token, mw.FormDataContentType(), &buf)
}

// addMeasurements stores n measurements of op on 4G at the centre of each
// cell, at time at, with the given signal and downlink.
func (e *trackEnv) addMeasurements(t *testing.T, name string, cells []geo.Cell, n int, at time.Time, op string, dbm, dl float32) {
	t.Helper()
	var ms []data.Measurement
	for _, c := range cells {
		p := geo.CellCenter(c)
		for i := range n {
			ms = append(ms, data.Measurement{Time: at.Add(time.Duration(i) * time.Second), Lon: p[0], Lat: p[1], MCCMNC: op, Tech: data.Tech4G,
				SignalDBm: dbm, RSRQDB: data.Absent, SINRDB: data.Absent, DLMbps: dl, ULMbps: data.Absent, LatencyMs: data.Absent,
				AccuracyM: 5, Device: uint64(i + 1)})
		}
	}
	_, err := e.st.AddUpload(t.Context(), data.Upload{SHA256: fmt.Sprintf("%064x", len(name)*7919+len(ms)) + name, File: name, Format: "canonical-csv"},
		func(emit func([]data.Measurement) error) (data.Upload, error) {
			return data.Upload{Rows: int64(len(ms)), Accepted: int64(len(ms))}, emit(ms)
		})
	if err != nil {
		t.Fatal(err)
	}
}

type eventOut struct {
	data.Event
	EvidenceURL string `json:"evidence_url"`
}

type historyOut struct {
	Zone     string     `json:"zone"`
	Snapshot int64      `json:"snapshot"`
	Latest   bool       `json:"in_latest_snapshot"`
	State    string     `json:"state"`
	Operator string     `json:"operator"`
	Deadline *time.Time `json:"deadline"`
	Overdue  bool       `json:"overdue"`
	Next     []string   `json:"next"`
	Events   []eventOut `json:"events"`
}

func (e *trackEnv) history(t *testing.T, zone string) historyOut {
	t.Helper()
	var h historyOut
	getJSON(t, e.base+"/api/v1/zones/"+zone+"/history", &h)
	return h
}

func decodeEvent(t *testing.T, b []byte) eventOut {
	t.Helper()
	var ev eventOut
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("event %s: %v", b, err)
	}
	return ev
}

func trackers(t *testing.T, fn func(t *testing.T, e *trackEnv)) {
	for _, tr := range []string{"fake", "embedded"} {
		t.Run(tr, func(t *testing.T) { fn(t, startTracking(t, tr)) })
	}
}

func TestZoneLifecycleHTTP(t *testing.T) {
	trackers(t, func(t *testing.T, e *trackEnv) {
		want := func(step string, code int, b []byte, wantCode int, wantErr string) {
			t.Helper()
			if code != wantCode || wantErr != "" && errCode(b) != wantErr {
				t.Fatalf("%s: %d %s, want %d %s", step, code, b, wantCode, wantErr)
			}
		}
		plan := map[string]string{"to": "planned", "comment": "in the 2026 tranche"}
		code, b := e.post(t, "Z-A", "", plan)
		want("no token", code, b, 401, "unauthenticated")
		code, b = e.post(t, "Z-A", "not-a-known-token-at-all", plan)
		want("unknown token", code, b, 401, "unauthenticated")
		code, b = e.post(t, "Z-A", soussToken, plan)
		want("region plans", code, b, 403, "forbidden")
		code, b = e.post(t, "Z-A", iamToken, plan)
		want("operator plans", code, b, 403, "forbidden")
		code, b = e.post(t, "Z-NOPE", engineerToken, plan)
		want("unknown zone", code, b, 404, "not_found")
		code, b = do(t, "POST", e.base+"/api/v1/zones/Z-A/transitions", engineerToken, "application/json", strings.NewReader(`{"to":"planned","color":"red"}`))
		want("unknown field", code, b, 400, "invalid_argument")
		code, b = e.post(t, "Z-A", engineerToken, map[string]string{"to": "built"})
		want("unknown state", code, b, 400, "invalid_argument")

		code, b = e.post(t, "Z-A", engineerToken, plan)
		want("plan", code, b, 201, "")
		if ev := decodeEvent(t, b); ev.Seq != 1 || ev.From != "identified" || ev.To != "planned" || ev.Actor != "ANRT" || ev.Role != "engineer" || ev.Region != "09" || ev.Snapshot != 1 {
			t.Errorf("plan event = %+v", ev)
		}
		code, b = e.post(t, "Z-A", engineerToken, map[string]string{"to": "works_started"})
		want("skip a step", code, b, 409, "illegal_transition")
		if !strings.Contains(string(b), "planned") || !strings.Contains(string(b), "assigned") {
			t.Errorf("illegal transition message names no states: %s", b)
		}
		code, b = e.post(t, "Z-A", engineerToken, map[string]string{"to": "assigned"})
		want("assign without operator", code, b, 400, "invalid_argument")
		code, b = e.post(t, "Z-A", engineerToken, map[string]string{"to": "assigned", "operator": "604-01", "deadline": "nope"})
		want("bad deadline", code, b, 400, "invalid_argument")
		e.clock.add(24 * time.Hour)
		code, b = e.post(t, "Z-A", engineerToken, map[string]string{"to": "assigned", "operator": "604-01"})
		want("assign", code, b, 201, "")

		code, b = e.post(t, "Z-A", inwiToken, map[string]string{"to": "works_started"})
		want("another operator starts works", code, b, 403, "forbidden")
		e.clock.add(24 * time.Hour)
		code, b = e.postForm(t, "Z-A", iamToken, map[string]string{"to": "works_started", "comment": "site acquired"}, "", "", nil)
		want("operator starts works (form)", code, b, 201, "")
		ev := decodeEvent(t, b)
		if wantDL := e.clock.now().AddDate(0, 15, 0); ev.Deadline == nil || !ev.Deadline.Equal(wantDL) || ev.Operator != "604-01" || ev.Role != "operator" {
			t.Errorf("works started = %+v, want deadline %v (15 months)", ev, wantDL)
		}

		code, b = e.post(t, "Z-A", iamToken, map[string]string{"to": "in_service"})
		want("in service without evidence", code, b, 400, "invalid_argument")
		code, b = e.postForm(t, "Z-A", iamToken, map[string]string{"to": "in_service"}, "big.pdf", "application/pdf", bytes.Repeat([]byte("x"), maxEvidence+1))
		want("evidence too large", code, b, 413, "too_large")
		report := []byte("%PDF-1.4 acceptance report")
		e.clock.add(24 * time.Hour)
		code, b = e.postForm(t, "Z-A", iamToken, map[string]string{"to": "in_service", "comment": "on air"}, "acceptance.pdf", "application/pdf", report)
		want("in service with evidence", code, b, 201, "")
		ev = decodeEvent(t, b)
		if ev.Evidence == nil || ev.Evidence.Name != "acceptance.pdf" || ev.Evidence.Size != int64(len(report)) || ev.Evidence.SHA256 == "" || ev.EvidenceURL == "" {
			t.Fatalf("in service event = %+v", ev)
		}
		code, b = do(t, "GET", e.base+ev.EvidenceURL, "", "", nil)
		want("evidence for the public", code, b, 401, "unauthenticated")
		code, b = do(t, "GET", e.base+ev.EvidenceURL, soussToken, "", nil)
		if code != 200 || !bytes.Equal(b, report) {
			t.Errorf("GET evidence: %d %q", code, b)
		}
		code, b = do(t, "GET", e.base+"/api/v1/zones/Z-A/events/1/evidence", iamToken, "", nil)
		want("evidence of an event without", code, b, 404, "not_found")
		code, b = do(t, "GET", e.base+"/api/v1/zones/Z-A/events/x/evidence", iamToken, "", nil)
		want("evidence of a bad seq", code, b, 400, "invalid_argument")

		code, b = e.post(t, "Z-A", soussToken, map[string]string{"comment": "the commune confirms service"})
		want("region comments in its region", code, b, 201, "")
		if ev := decodeEvent(t, b); ev.From != "in_service" || ev.To != "in_service" || ev.Role != "region" {
			t.Errorf("comment = %+v", ev)
		}
		code, b = e.post(t, "Z-C", soussToken, map[string]string{"comment": "not ours"})
		want("region comments elsewhere", code, b, 403, "forbidden")
		code, b = e.post(t, "Z-A", soussToken, map[string]string{"to": "comment"})
		want("comment without text", code, b, 400, "invalid_argument")
		code, b = e.post(t, "Z-A", iamToken, map[string]string{"to": "verified"})
		want("operator verifies", code, b, 403, "forbidden")

		// Verification: nothing, then too few, then stale, then weak, then enough.
		verify := map[string]string{"to": "verified"}
		var refusal struct {
			Error struct {
				Code    string `json:"code"`
				Missing []struct {
					Cell    string   `json:"cell"`
					Samples int      `json:"samples"`
					Missing []string `json:"missing"`
				} `json:"missing"`
			} `json:"error"`
		}
		now := e.clock.now()
		cells := e.cells["Z-A"]
		for _, step := range []struct {
			name string
			add  func()
		}{
			{"no measurements", func() {}},
			{"too few samples", func() { e.addMeasurements(t, "few", cells, 3, now.AddDate(0, 0, -2), "604-01", -95, 12) }},
			{"stale samples", func() { e.addMeasurements(t, "stale", cells, 10, now.AddDate(0, 0, -200), "604-01", -95, 12) }},
			{"weak samples", func() { e.addMeasurements(t, "weak", cells[:1], 10, now.AddDate(0, 0, -1), "604-01", -118, 0.5) }},
			{"another operator", func() { e.addMeasurements(t, "inwi", cells[1:], 10, now.AddDate(0, 0, -1), "604-02", -80, 40) }},
		} {
			step.add()
			code, b = e.post(t, "Z-A", engineerToken, verify)
			want("verify: "+step.name, code, b, 409, "not_verified")
			refusal.Error.Missing = nil
			json.Unmarshal(b, &refusal)
			if len(refusal.Error.Missing) == 0 {
				t.Errorf("verify: %s: no missing cells listed: %s", step.name, b)
			}
		}
		// The weak cell has enough samples, but its level is too low; the other lacks samples.
		for _, m := range refusal.Error.Missing {
			c, _ := geo.ParseCell(m.Cell)
			switch c {
			case cells[0]:
				if !slices.Equal(m.Missing, []string{"level"}) {
					t.Errorf("weak cell missing %v, want level", m.Missing)
				}
			case cells[1]:
				if !slices.Contains(m.Missing, "samples") || m.Samples != 3 {
					t.Errorf("thin cell = %+v, want 3 samples, samples missing", m)
				}
			}
		}
		// Enough good samples outweigh the weak ones in the weak cell's p10.
		e.addMeasurements(t, "good", cells[:1], 100, now.AddDate(0, 0, -1), "604-01", -92, 20)
		e.addMeasurements(t, "good too", cells[1:], 12, now.AddDate(0, 0, -1), "604-01", -92, 20)
		e.clock.add(24 * time.Hour)
		code, b = e.post(t, "Z-A", engineerToken, verify)
		want("verify with fresh good samples", code, b, 201, "")
		if ev := decodeEvent(t, b); ev.To != "verified" || !strings.Contains(ev.Check, `"ok":true`) {
			t.Errorf("verified event = %+v", ev)
		}
		code, b = e.post(t, "Z-A", engineerToken, map[string]string{"to": "dropped", "reason": "too late"})
		want("drop a verified zone", code, b, 409, "illegal_transition")

		h := e.history(t, "Z-A")
		if h.State != "verified" || h.Operator != "604-01" || h.Deadline == nil || h.Overdue || len(h.Events) != 6 || !h.Latest || h.Snapshot != 1 {
			t.Errorf("history = %+v", h)
		}
		for i, ev := range h.Events {
			if ev.Seq != i+1 {
				t.Errorf("event %d has seq %d", i, ev.Seq)
			}
		}
		if code, b := do(t, "GET", e.base+"/api/v1/zones/Z-NOPE/history", "", "", nil); code != 404 {
			t.Errorf("history of an unknown zone: %d %s", code, b)
		}

		// Dropping needs a reason; a dropped zone can be reinstated.
		code, b = e.post(t, "Z-B", engineerToken, map[string]string{"to": "dropped"})
		want("drop without reason", code, b, 400, "invalid_argument")
		code, b = e.post(t, "Z-B", engineerToken, map[string]string{"to": "dropped", "reason": "covered by a new 4G site"})
		want("drop", code, b, 201, "")
		code, b = e.post(t, "Z-B", engineerToken, map[string]string{"to": "identified", "comment": "site cancelled"})
		want("reinstate", code, b, 201, "")

		// Lists carry each zone's state.
		code, b = do(t, "GET", e.base+"/api/v1/zones", "", "", nil)
		var list struct {
			Zones []struct {
				ID               string `json:"id"`
				State            string `json:"state"`
				Overdue          bool   `json:"overdue"`
				AssignedOperator string `json:"assigned_operator"`
			} `json:"zones"`
		}
		json.Unmarshal(b, &list)
		states := map[string]string{}
		for _, z := range list.Zones {
			states[z.ID] = z.State
		}
		if code != 200 || states["Z-A"] != "verified" || states["Z-B"] != "identified" || states["Z-C"] != "identified" || len(states) != 4 {
			t.Errorf("GET /zones: %d states %v", code, states)
		}
		code, b = do(t, "GET", e.base+"/api/v1/zones/Z-A", "", "", nil)
		var one struct {
			State            string `json:"state"`
			AssignedOperator string `json:"assigned_operator"`
		}
		json.Unmarshal(b, &one)
		if code != 200 || one.State != "verified" || one.AssignedOperator != "604-01" {
			t.Errorf("GET /zones/Z-A: %d %s", code, b)
		}
	})
}

func TestTransitionConflict(t *testing.T) {
	e := startTracking(t, "fake")
	// Someone else appends between our read and our write.
	var fired atomic.Bool
	e.fake.before = func(ev data.Event) {
		if fired.CompareAndSwap(false, true) {
			other := data.Event{Kind: data.SubjectZone, Subject: ev.Subject, Seq: ev.Seq, At: ev.At, From: "identified", To: "planned", Actor: "other"}
			if err := e.fake.AppendEvent(context.Background(), other); err != nil {
				t.Error(err)
			}
		}
	}
	code, b := e.post(t, "Z-C", engineerToken, map[string]string{"to": "planned"})
	if code != 409 || errCode(b) != "conflict" || !strings.Contains(string(b), "reload") {
		t.Fatalf("concurrent change: %d %s, want 409 conflict", code, b)
	}
	if h := e.history(t, "Z-C"); len(h.Events) != 1 || h.Events[0].Actor != "other" {
		t.Errorf("history after conflict = %+v", h)
	}
}

func TestConcurrentTransitions(t *testing.T) {
	trackers(t, func(t *testing.T, e *trackEnv) {
		const n = 8
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, b := e.post(t, "Z-C", engineerToken, map[string]string{"comment": fmt.Sprintf("note %d", i)})
				if c != 201 && (c != 409 || errCode(b) != "conflict") {
					t.Errorf("comment %d: %d %s", i, c, b)
				}
				codes[i] = c
			}()
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			if c == 201 {
				created++
			}
		}
		h := e.history(t, "Z-C")
		if created == 0 || len(h.Events) != created {
			t.Errorf("%d comments created, %d stored", created, len(h.Events))
		}
		for i, ev := range h.Events {
			if ev.Seq != i+1 {
				t.Errorf("event %d has seq %d", i, ev.Seq)
			}
		}
	})
}

type progressOut struct {
	Snapshot   int64          `json:"snapshot"`
	Target     int            `json:"target"`
	Deadline   string         `json:"deadline"`
	Zones      int            `json:"zones"`
	States     map[string]int `json:"states"`
	Overdue    int            `json:"overdue"`
	ByRegion   []progressRow  `json:"by_region"`
	ByOperator []progressRow  `json:"by_operator"`
	History    []struct {
		Date   string         `json:"date"`
		States map[string]int `json:"states"`
	} `json:"history"`
}

type progressRow struct {
	Key     string         `json:"key"`
	Name    string         `json:"name"`
	Zones   int            `json:"zones"`
	States  map[string]int `json:"states"`
	Overdue int            `json:"overdue"`
}

func (e *trackEnv) progress(t *testing.T, query string) progressOut {
	t.Helper()
	code, b := do(t, "GET", e.base+"/api/v1/progress"+query, "", "", nil)
	if code != 200 {
		t.Fatalf("GET progress%s: %d %s", query, code, b)
	}
	var p progressOut
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgressHTTP(t *testing.T) {
	trackers(t, func(t *testing.T, e *trackEnv) {
		p := e.progress(t, "")
		if p.Zones != 3 || p.States["identified"] != 3 || p.Target != 1800 || p.Deadline != "2026-12-31" || len(p.History) != 0 || len(p.States) != 7 {
			t.Fatalf("before any event: %+v", p)
		}
		step := func(zone string, body map[string]string) {
			t.Helper()
			if code, b := e.post(t, zone, engineerToken, body); code != 201 {
				t.Fatalf("%s %v: %d %s", zone, body, code, b)
			}
		}
		day1 := e.clock.now()
		step("Z-A", map[string]string{"to": "planned"})
		step("Z-C", map[string]string{"to": "planned"})
		step("Z-D", map[string]string{"to": "planned"}) // not in the programme
		e.clock.set(day1.AddDate(0, 0, 1))
		step("Z-A", map[string]string{"to": "assigned", "operator": "604-01", "deadline": "2026-06-30"})
		step("Z-C", map[string]string{"to": "assigned", "operator": "604-02"})
		step("Z-B", map[string]string{"to": "dropped", "reason": "covered"})
		e.clock.set(day1.AddDate(0, 2, 0)) // Z-A's deadline passed
		step("Z-C", map[string]string{"comment": "works delayed by weather"})

		p = e.progress(t, "")
		if p.Zones != 3 || p.States["assigned"] != 2 || p.States["dropped"] != 1 || p.States["identified"] != 0 || p.Overdue != 1 {
			t.Errorf("totals: %+v", p)
		}
		if len(p.ByRegion) != 2 || p.ByRegion[0].Key != "02" || p.ByRegion[0].Zones != 1 || p.ByRegion[1].Key != "09" || p.ByRegion[1].Zones != 2 || p.ByRegion[1].Overdue != 1 || p.ByRegion[1].Name != "Souss-Massa" {
			t.Errorf("by region: %+v", p.ByRegion)
		}
		if len(p.ByOperator) != 2 || p.ByOperator[0].Key != "604-01" || p.ByOperator[0].States["assigned"] != 1 || p.ByOperator[0].Overdue != 1 {
			t.Errorf("by operator: %+v", p.ByOperator)
		}
		if len(p.History) != 3 {
			t.Fatalf("history: %+v, want 3 days", p.History)
		}
		d1, d2, d3 := p.History[0], p.History[1], p.History[2]
		if d1.Date != day1.Format(time.DateOnly) || d1.States["planned"] != 2 || d1.States["identified"] != 1 {
			t.Errorf("day 1: %+v", d1)
		}
		if d2.States["assigned"] != 2 || d2.States["dropped"] != 1 || d2.States["planned"] != 0 {
			t.Errorf("day 2: %+v", d2)
		}
		if d3.Date != day1.AddDate(0, 2, 0).Format(time.DateOnly) || d3.States["assigned"] != 2 {
			t.Errorf("day 3 (a comment): %+v", d3)
		}
		p = e.progress(t, "?region=02")
		if p.Zones != 1 || p.States["assigned"] != 1 || len(p.ByRegion) != 1 {
			t.Errorf("region 02: %+v", p)
		}
		p = e.progress(t, "?operator=604-01")
		if p.Zones != 1 || p.States["assigned"] != 1 || p.Overdue != 1 || len(p.History) != 2 {
			t.Errorf("operator 604-01: %+v", p)
		}
	})
}

// A zone that left the latest snapshot (covered after its works) keeps
// its history, and is verified against the snapshot its events name.
func TestZoneLeftSnapshot(t *testing.T) {
	trackers(t, func(t *testing.T, e *trackEnv) {
		for _, body := range []map[string]string{
			{"to": "planned"}, {"to": "assigned", "operator": "604-01"}, {"to": "works_started"}, {"to": "in_service"},
		} {
			if code, b := e.post(t, "Z-A", engineerToken, body); code != 201 {
				t.Fatalf("%v: %d %s", body, code, b)
			}
		}
		g, _ := geo.CellsOutline(e.cells["Z-C"])
		if _, err := e.st.AddSnapshot(t.Context(), data.Snapshot{Resolution: 8, ProgrammeSize: 3},
			[]data.Zone{{ID: "Z-C", Kind: data.White, Rank: 1, Programme: true, RegionCode: "02", Cells: e.cells["Z-C"], Geom: g}}); err != nil {
			t.Fatal(err)
		}
		h := e.history(t, "Z-A")
		if h.Latest || h.Snapshot != 1 || h.State != "in_service" || len(h.Events) != 4 {
			t.Errorf("history of a zone out of the latest snapshot: %+v", h)
		}
		e.addMeasurements(t, "good", e.cells["Z-A"], 6, e.clock.now().Add(-time.Hour), "604-01", -90, 25)
		code, b := e.post(t, "Z-A", engineerToken, map[string]string{"to": "verified"})
		if code != 201 {
			t.Fatalf("verify from the recorded snapshot: %d %s", code, b)
		}
		if p := e.progress(t, ""); p.Zones != 1 || p.Snapshot != 2 {
			t.Errorf("progress on the new snapshot: %+v", p)
		}
	})
}

func TestTokenRoles(t *testing.T) {
	cases := []struct {
		name, line string
		ok         bool
	}{
		{"engineer by default", `{token: "engineer-0123456789", name: ANRT}`, true},
		{"operator by default", `{token: "operator-0123456789", operator: "604-01", name: IAM}`, true},
		{"explicit engineer", `{token: "engineer-0123456789", role: engineer, name: ANRT}`, true},
		{"explicit operator", `{token: "operator-0123456789", role: operator, operator: "604-02", name: inwi}`, true},
		{"region", `{token: "region-0123456789ab", role: region, region: "09", name: Souss}`, true},
		{"region without code", `{token: "region-0123456789ab", role: region, name: Souss}`, false},
		{"region code without role", `{token: "region-0123456789ab", region: "09", name: Souss}`, false},
		{"operator without code", `{token: "operator-0123456789", role: operator, name: IAM}`, false},
		{"engineer with operator", `{token: "engineer-0123456789", role: engineer, operator: "604-01", name: ANRT}`, false},
		{"region with operator", `{token: "region-0123456789ab", role: region, region: "09", operator: "604-01", name: x}`, false},
		{"unknown role", `{token: "admin-0123456789abc", role: admin, name: root}`, false},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "tokens.yaml")
			os.WriteFile(p, []byte("tokens:\n  - "+c.line+"\n"), 0o600)
			_, err := web.LoadTokens(p)
			if (err == nil) != c.ok {
				t.Errorf("LoadTokens = %v, want ok %v", err, c.ok)
			}
		})
	}
}

func TestRegionTokenDoesNotUpload(t *testing.T) {
	base, _ := startUploadsWithRegion(t)
	code, b := do(t, "POST", base+"/api/v1/uploads?name=x.csv", soussToken, "text/csv", strings.NewReader(csvFile))
	if code != 403 || errCode(b) != "forbidden" {
		t.Errorf("region upload: %d %s, want 403 forbidden", code, b)
	}
}

// startUploadsWithRegion serves uploads with a region token among the
// tokens.
func startUploadsWithRegion(t *testing.T) (string, data.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := tiles.Load(t.Context(), st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(tokFile, []byte(fmt.Sprintf("tokens:\n  - {token: %q, role: region, region: \"09\", name: Souss-Massa}\n", soussToken)), 0o600)
	toks, err := web.LoadTokens(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Store: st, Tiles: set, Tokens: toks})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.EnableUploads(ctx, web.UploadOptions{Ingester: fileIngester{st}, Tokens: toks, Dir: filepath.Join(dir, "spool")}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL, st
}
