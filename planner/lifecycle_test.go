package planner_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
)

var (
	t0       = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	engineer = planner.Actor{Name: "ANRT", Role: planner.RoleEngineer}
	iam      = planner.Actor{Name: "Maroc Telecom", Role: planner.RoleOperator, Operator: "604-01"}
	inwi     = planner.Actor{Name: "inwi", Role: planner.RoleOperator, Operator: "604-02"}
	souss    = planner.Actor{Name: "Souss-Massa", Role: planner.RoleRegion, Region: "09"}
	oriental = planner.Actor{Name: "Oriental", Role: planner.RoleRegion, Region: "02"}
	passed   = &planner.Check{Summary: planner.CheckSummary{OK: true, Message: "all cells covered"}}
)

// fields returns a request to move to `to` with what that step needs.
func fields(to data.State) planner.Request {
	req := planner.Request{Subject: "Z-1", To: to, Region: "09", Snapshot: 1}
	switch to {
	case data.StateAssigned:
		req.Operator = "604-01"
	case data.StateDropped:
		req.Reason = "covered by a neighbouring programme"
	case data.StateInService:
		req.Evidence = &data.EvidenceFile{Name: "report.pdf", Type: "application/pdf", Size: 3, Content: []byte("pdf")}
	case data.StateVerified:
		req.Check = passed
	case planner.Comment:
		req.Comment = "site survey done"
	}
	return req
}

// path is the history steps to reach each state from identified.
var path = map[data.State][]data.State{
	data.StateIdentified:   nil,
	data.StatePlanned:      {data.StatePlanned},
	data.StateAssigned:     {data.StatePlanned, data.StateAssigned},
	data.StateWorksStarted: {data.StatePlanned, data.StateAssigned, data.StateWorksStarted},
	data.StateInService:    {data.StatePlanned, data.StateAssigned, data.StateWorksStarted, data.StateInService},
	data.StateVerified:     {data.StatePlanned, data.StateAssigned, data.StateWorksStarted, data.StateInService, data.StateVerified},
	data.StateDropped:      {data.StatePlanned, data.StateDropped},
}

// historyTo builds a history ending in state s, one day per step.
func historyTo(t *testing.T, s data.State) []data.Event {
	t.Helper()
	var h []data.Event
	for i, to := range path[s] {
		ev, err := planner.Transition(h, fields(to), t0.AddDate(0, 0, i), engineer)
		if err != nil {
			t.Fatalf("building history to %s: step %s: %v", s, to, err)
		}
		h = append(h, ev)
	}
	return h
}

func TestTransitionTable(t *testing.T) {
	legal := map[data.State][]data.State{
		data.StateIdentified:   {data.StatePlanned, data.StateDropped},
		data.StatePlanned:      {data.StateAssigned, data.StateDropped},
		data.StateAssigned:     {data.StateWorksStarted, data.StateDropped},
		data.StateWorksStarted: {data.StateInService, data.StateDropped},
		data.StateInService:    {data.StateVerified, data.StateDropped},
		data.StateVerified:     {},
		data.StateDropped:      {data.StateIdentified},
	}
	for _, from := range data.States {
		for _, to := range append(slices.Clone(data.States), planner.Comment) {
			want := to == planner.Comment || slices.Contains(legal[from], to)
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				h := historyTo(t, from)
				if got := planner.Replay(data.SubjectZone, h).State; got != from {
					t.Fatalf("history state = %s, want %s", got, from)
				}
				ev, err := planner.Transition(h, fields(to), t0.AddDate(0, 1, 0), engineer)
				if !want {
					var te *planner.TransitionError
					if !errors.As(err, &te) {
						t.Fatalf("err = %v, want *TransitionError", err)
					}
					if te.From != from || te.To != to || !slices.Equal(te.Allowed, legal[from]) && len(te.Allowed)+len(legal[from]) > 0 {
						t.Errorf("TransitionError = %+v, want from %s to %s allowed %v", te, from, to, legal[from])
					}
					return
				}
				if err != nil {
					t.Fatalf("err = %v, want a legal step", err)
				}
				wantTo := to
				if to == planner.Comment {
					wantTo = from
				}
				if ev.From != from || ev.To != wantTo || ev.Seq != len(h)+1 || ev.Actor != "ANRT" || ev.Role != "engineer" || ev.Kind != data.SubjectZone {
					t.Errorf("event = %+v, want %s -> %s seq %d by ANRT", ev, from, wantTo, len(h)+1)
				}
				if !slices.Equal(planner.Next(data.SubjectZone, from), legal[from]) && len(legal[from]) > 0 {
					t.Errorf("Next(%s) = %v, want %v", from, planner.Next(data.SubjectZone, from), legal[from])
				}
			})
		}
	}
}

func TestDefaultsAndCarry(t *testing.T) {
	h := historyTo(t, data.StateAssigned)
	if st := planner.Replay(data.SubjectZone, h); st.Operator != "604-01" || st.Deadline != nil {
		t.Fatalf("after assignment: %+v, want operator 604-01, no deadline", st)
	}
	start := time.Date(2026, 3, 15, 8, 30, 0, 0, time.UTC)
	ev, err := planner.Transition(h, fields(data.StateWorksStarted), start, iam)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 6, 15, 8, 30, 0, 0, time.UTC)
	if ev.Deadline == nil || !ev.Deadline.Equal(want) || ev.Operator != "604-01" {
		t.Errorf("works started: deadline %v operator %q, want %v (15 months) and 604-01", ev.Deadline, ev.Operator, want)
	}
	// An engineer's explicit deadline wins.
	given := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	req := fields(data.StateWorksStarted)
	req.Deadline = &given
	if ev, err := planner.Transition(h, req, start, engineer); err != nil || !ev.Deadline.Equal(given) {
		t.Errorf("given deadline: %v, %v; want %v", ev.Deadline, err, given)
	}
	// One set at assignment is kept.
	areq := fields(data.StateAssigned)
	areq.Deadline = &given
	h2 := historyTo(t, data.StatePlanned)
	a, err := planner.Transition(h2, areq, t0, engineer)
	if err != nil {
		t.Fatal(err)
	}
	h2 = append(h2, a)
	if ev, err := planner.Transition(h2, fields(data.StateWorksStarted), start, engineer); err != nil || !ev.Deadline.Equal(given) {
		t.Errorf("deadline from assignment: %v, %v; want %v", ev.Deadline, err, given)
	}
	// Carried through in service and comments; cleared on reinstatement.
	h = append(h, ev)
	c, err := planner.Transition(h, planner.Request{Subject: "Z-1", Comment: "crane on site", Region: "09"}, start.AddDate(0, 1, 0), iam)
	if err != nil || c.From != data.StateWorksStarted || c.To != data.StateWorksStarted || c.Operator != "604-01" || !c.Deadline.Equal(want) {
		t.Errorf("comment = %+v, %v", c, err)
	}
	h = append(h, c)
	d, _ := planner.Transition(h, fields(data.StateDropped), start.AddDate(0, 2, 0), engineer)
	h = append(h, d)
	r, err := planner.Transition(h, fields(data.StateIdentified), start.AddDate(0, 3, 0), engineer)
	if err != nil || r.Operator != "" || r.Deadline != nil {
		t.Errorf("reinstated = %+v, %v; want no operator or deadline", r, err)
	}
	h = append(h, r)
	if st := planner.Replay(data.SubjectZone, h); st.State != data.StateIdentified || st.Operator != "" || st.Deadline != nil || st.Seq != 6 {
		t.Errorf("after reinstatement: %+v", st)
	}
}

func TestRequiredFields(t *testing.T) {
	deadline := t0.AddDate(1, 0, 0)
	cases := []struct {
		name  string
		state data.State
		req   planner.Request
		actor planner.Actor
	}{
		{"dropped needs a reason", data.StatePlanned, planner.Request{Subject: "Z-1", To: data.StateDropped}, engineer},
		{"dropped reason blank", data.StatePlanned, planner.Request{Subject: "Z-1", To: data.StateDropped, Reason: "  "}, engineer},
		{"comment needs text", data.StatePlanned, planner.Request{Subject: "Z-1", To: planner.Comment}, engineer},
		{"empty request", data.StatePlanned, planner.Request{Subject: "Z-1"}, engineer},
		{"assigned needs operator", data.StatePlanned, planner.Request{Subject: "Z-1", To: data.StateAssigned}, engineer},
		{"unknown state", data.StatePlanned, planner.Request{Subject: "Z-1", To: "built"}, engineer},
		{"operator only on assignment", data.StateIdentified, planner.Request{Subject: "Z-1", To: data.StatePlanned, Operator: "604-01"}, engineer},
		{"deadline not on planned", data.StateIdentified, planner.Request{Subject: "Z-1", To: data.StatePlanned, Deadline: &deadline}, engineer},
		{"reason only on dropped", data.StateIdentified, planner.Request{Subject: "Z-1", To: data.StatePlanned, Reason: "x"}, engineer},
		{"operator in service needs evidence", data.StateWorksStarted, planner.Request{Subject: "Z-1", To: data.StateInService}, iam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planner.Transition(historyTo(t, c.state), c.req, t0, c.actor)
			if !errors.Is(err, data.ErrInvalid) {
				t.Errorf("err = %v, want data.ErrInvalid", err)
			}
		})
	}
	// An engineer may put a zone in service without evidence.
	if _, err := planner.Transition(historyTo(t, data.StateWorksStarted), planner.Request{Subject: "Z-1", To: data.StateInService}, t0, engineer); err != nil {
		t.Errorf("engineer in service without evidence: %v", err)
	}
}

func TestVerifiedNeedsCheck(t *testing.T) {
	h := historyTo(t, data.StateInService)
	failed := &planner.Check{Summary: planner.CheckSummary{Message: "2 of 3 populated cells lack samples"}}
	for name, chk := range map[string]*planner.Check{"none": nil, "failed": failed} {
		req := fields(data.StateVerified)
		req.Check = chk
		_, err := planner.Transition(h, req, t0, engineer)
		var nv *planner.NotVerifiedError
		if !errors.As(err, &nv) || nv.Check != chk {
			t.Errorf("%s: err = %v, want *NotVerifiedError", name, err)
		}
	}
	ev, err := planner.Transition(h, fields(data.StateVerified), t0, engineer)
	if err != nil || ev.Check == "" || ev.To != data.StateVerified {
		t.Errorf("verified = %+v, %v; want the check summary kept", ev, err)
	}
}

func TestPermissions(t *testing.T) {
	inService := fields(data.StateInService)
	comment := fields(planner.Comment)
	cases := []struct {
		name  string
		state data.State
		req   planner.Request
		actor planner.Actor
		ok    bool
	}{
		{"engineer plans", data.StateIdentified, fields(data.StatePlanned), engineer, true},
		{"engineer drops", data.StateAssigned, fields(data.StateDropped), engineer, true},
		{"engineer verifies", data.StateInService, fields(data.StateVerified), engineer, true},
		{"operator starts works on its zone", data.StateAssigned, fields(data.StateWorksStarted), iam, true},
		{"operator in service with evidence", data.StateWorksStarted, inService, iam, true},
		{"operator comments on its zone", data.StateAssigned, comment, iam, true},
		{"operator on another's zone", data.StateAssigned, fields(data.StateWorksStarted), inwi, false},
		{"operator comments on another's zone", data.StateAssigned, comment, inwi, false},
		{"operator on an unassigned zone", data.StatePlanned, comment, iam, false},
		{"operator may not plan", data.StateIdentified, fields(data.StatePlanned), iam, false},
		{"operator may not verify", data.StateInService, fields(data.StateVerified), iam, false},
		{"operator may not drop", data.StateAssigned, fields(data.StateDropped), iam, false},
		{"operator may not set a deadline", data.StateAssigned, func() planner.Request {
			r := fields(data.StateWorksStarted)
			d := t0.AddDate(3, 0, 0)
			r.Deadline = &d
			return r
		}(), iam, false},
		{"region comments in its region", data.StateAssigned, comment, souss, true},
		{"region comments elsewhere", data.StateAssigned, comment, oriental, false},
		{"region may not plan", data.StateIdentified, fields(data.StatePlanned), souss, false},
		{"region may not drop", data.StateIdentified, fields(data.StateDropped), souss, false},
		{"no role", data.StateIdentified, comment, planner.Actor{Name: "anon"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planner.Transition(historyTo(t, c.state), c.req, t0, c.actor)
			switch {
			case c.ok && err != nil:
				t.Errorf("err = %v, want allowed", err)
			case !c.ok && !errors.Is(err, planner.ErrForbidden):
				t.Errorf("err = %v, want ErrForbidden", err)
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	deadline := t0.AddDate(0, 6, 0)
	cases := []struct {
		state data.State
		now   time.Time
		want  bool
	}{
		{data.StateWorksStarted, deadline.Add(-time.Hour), false},
		{data.StateWorksStarted, deadline.Add(time.Hour), true},
		{data.StateAssigned, deadline.Add(time.Hour), true},
		{data.StateInService, deadline.Add(time.Hour), false},
		{data.StateVerified, deadline.Add(time.Hour), false},
		{data.StateDropped, deadline.Add(time.Hour), false},
	}
	for _, c := range cases {
		st := planner.Status{State: c.state, Deadline: &deadline}
		if got := st.Overdue(c.now); got != c.want {
			t.Errorf("%s at %v: overdue = %v, want %v", c.state, c.now, got, c.want)
		}
	}
	if (planner.Status{State: data.StateAssigned}).Overdue(deadline.AddDate(10, 0, 0)) {
		t.Error("a zone without deadline is never overdue")
	}
	// From a history: works started with the 15-month default.
	h := historyTo(t, data.StateWorksStarted)
	st := planner.Replay(data.SubjectZone, h)
	if st.Overdue(h[2].At.AddDate(0, 15, -1)) || !st.Overdue(h[2].At.AddDate(0, 15, 1)) {
		t.Errorf("overdue around the 15-month deadline %v", st.Deadline)
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	_, err := planner.Transition(historyTo(t, data.StateVerified), fields(data.StateDropped), t0, engineer)
	var te *planner.TransitionError
	if !errors.As(err, &te) || te.From != data.StateVerified || len(te.Allowed) != 0 {
		t.Fatalf("err = %v", err)
	}
	if msg := err.Error(); msg != "planner: Z-1 is verified and cannot move to dropped (allowed: none: it is final; a comment is always allowed)" {
		t.Errorf("message = %q", msg)
	}
}
