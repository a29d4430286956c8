package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

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
