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

// The harness of the tracking tests (zones, sites, progress): a server
// over an embedded store or a fake tracker, a settable clock, the token
// file and transition requests.

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
