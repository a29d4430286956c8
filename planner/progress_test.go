package planner_test

import (
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
)

func TestSummarize(t *testing.T) {
	zones := []data.Zone{
		{ID: "A", RegionCode: "09", Region: "Souss-Massa"},
		{ID: "B", RegionCode: "09", Region: "Souss-Massa"},
		{ID: "C", RegionCode: "02", Region: "Oriental"},
	}
	day1 := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	day2 := day1.AddDate(0, 0, 1)
	late := day1.AddDate(0, 0, -1)
	ev := func(subject string, seq int, at time.Time, from, to data.State) data.Event {
		return data.Event{Kind: data.SubjectZone, Subject: subject, Seq: seq, At: at, From: from, To: to}
	}
	a := []data.Event{ev("A", 1, day1, data.StateIdentified, data.StatePlanned), ev("A", 2, day1.Add(time.Hour), data.StatePlanned, data.StateAssigned)}
	a[1].Operator, a[1].Deadline = "604-01", &late
	b := []data.Event{ev("B", 1, day2, data.StateIdentified, data.StateDropped)}
	p := planner.Summarize(zones, map[string][]data.Event{"A": a, "B": b, "X": {ev("X", 1, day1, "", data.StatePlanned)}}, day2.Add(time.Hour))
	if p.Zones != 3 || p.States[data.StateIdentified] != 1 || p.States[data.StateAssigned] != 1 || p.States[data.StateDropped] != 1 || p.Overdue != 1 {
		t.Errorf("totals = %+v", p)
	}
	if len(p.States) != len(data.States) {
		t.Errorf("states %v: want every state listed", p.States)
	}
	if len(p.ByRegion) != 2 || p.ByRegion[0].Key != "02" || p.ByRegion[1].Zones != 2 || p.ByRegion[1].Overdue != 1 || p.ByRegion[1].Name != "Souss-Massa" {
		t.Errorf("by region = %+v", p.ByRegion)
	}
	if len(p.ByOperator) != 1 || p.ByOperator[0].Key != "604-01" || p.ByOperator[0].States[data.StateAssigned] != 1 {
		t.Errorf("by operator = %+v", p.ByOperator)
	}
	if len(p.History) != 2 {
		t.Fatalf("history = %+v, want 2 days", p.History)
	}
	h1, h2 := p.History[0], p.History[1]
	if h1.Date != "2026-02-01" || h1.States[data.StateAssigned] != 1 || h1.States[data.StatePlanned] != 0 || h1.States[data.StateIdentified] != 2 {
		t.Errorf("day 1 = %+v", h1)
	}
	if h2.Date != "2026-02-02" || h2.States[data.StateDropped] != 1 || h2.States[data.StateIdentified] != 1 || h2.States[data.StateAssigned] != 1 {
		t.Errorf("day 2 = %+v", h2)
	}
}
