package web_test

import (
	"encoding/json"
	"testing"
	"time"
)

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
