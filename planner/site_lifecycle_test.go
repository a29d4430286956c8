package planner_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
)

var report = &data.EvidenceFile{Name: "reception.pdf", Type: "application/pdf", Size: 3, Content: []byte("pdf")}

// siteFields returns a request to move site S-1 to `to` with what that
// step needs.
func siteFields(to data.State) planner.Request {
	req := fields(to)
	req.Kind, req.Subject, req.Check = data.SubjectSite, "S-1", nil
	if to == data.StateVerified {
		req.Evidence = report
	}
	return req
}

// sitePath is the history steps to reach each state from planned.
var sitePath = map[data.State][]data.State{
	data.StatePlanned:      nil,
	data.StateAssigned:     {data.StateAssigned},
	data.StateWorksStarted: {data.StateAssigned, data.StateWorksStarted},
	data.StateInService:    {data.StateAssigned, data.StateWorksStarted, data.StateInService},
	data.StateVerified:     {data.StateAssigned, data.StateWorksStarted, data.StateInService, data.StateVerified},
	data.StateDropped:      {data.StateAssigned, data.StateDropped},
}

func siteHistoryTo(t *testing.T, s data.State) []data.Event {
	t.Helper()
	var h []data.Event
	for i, to := range sitePath[s] {
		ev, err := planner.Transition(h, siteFields(to), t0.AddDate(0, 0, i), engineer)
		if err != nil {
			t.Fatalf("building site history to %s: step %s: %v", s, to, err)
		}
		h = append(h, ev)
	}
	return h
}

func TestSiteStartsPlanned(t *testing.T) {
	if st := planner.Replay(data.SubjectSite, nil); st.State != data.StatePlanned || st.Seq != 0 {
		t.Errorf("empty site history: %+v, want planned", st)
	}
	if st := planner.Replay(data.SubjectZone, nil); st.State != data.StateIdentified {
		t.Errorf("empty zone history: %+v, want identified", st)
	}
	l, err := planner.LifecycleOf(data.SubjectSite)
	if err != nil {
		t.Fatal(err)
	}
	want := []data.State{data.StatePlanned, data.StateAssigned, data.StateWorksStarted, data.StateInService, data.StateVerified, data.StateDropped}
	if got := l.States(); !slices.Equal(got, want) || l.Noun != "site" || l.Start != data.StatePlanned {
		t.Errorf("site lifecycle: states %v noun %q start %s, want %v site planned", got, l.Noun, l.Start, want)
	}
	if _, err := planner.LifecycleOf("tower"); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("LifecycleOf(tower) = %v, want ErrInvalid", err)
	}
	req := siteFields(data.StateAssigned)
	req.Kind = "tower"
	if _, err := planner.Transition(nil, req, t0, engineer); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("transition of an untracked kind = %v, want ErrInvalid", err)
	}
}

func TestSiteTransitionTable(t *testing.T) {
	legal := map[data.State][]data.State{
		data.StatePlanned:      {data.StateAssigned, data.StateDropped},
		data.StateAssigned:     {data.StateWorksStarted, data.StateDropped},
		data.StateWorksStarted: {data.StateInService, data.StateDropped},
		data.StateInService:    {data.StateVerified, data.StateDropped},
		data.StateVerified:     {},
		data.StateDropped:      {data.StatePlanned},
	}
	for from := range sitePath {
		for _, to := range append(slices.Clone(data.States), planner.Comment) {
			want := to == planner.Comment || slices.Contains(legal[from], to)
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				h := siteHistoryTo(t, from)
				if got := planner.Replay(data.SubjectSite, h).State; got != from {
					t.Fatalf("history state = %s, want %s", got, from)
				}
				if got := planner.Next(data.SubjectSite, from); !slices.Equal(got, legal[from]) && len(got)+len(legal[from]) > 0 {
					t.Errorf("Next(site, %s) = %v, want %v", from, got, legal[from])
				}
				ev, err := planner.Transition(h, siteFields(to), t0.AddDate(0, 1, 0), engineer)
				if !want {
					var te *planner.TransitionError
					if !errors.As(err, &te) || te.From != from || te.To != to {
						t.Fatalf("err = %v, want *TransitionError from %s to %s", err, from, to)
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
				if ev.Kind != data.SubjectSite || ev.Subject != "S-1" || ev.From != from || ev.To != wantTo || ev.Seq != len(h)+1 {
					t.Errorf("event = %+v, want site S-1 %s -> %s seq %d", ev, from, wantTo, len(h)+1)
				}
			})
		}
	}
}

// A site is never identified: not as a step, not as a reinstatement.
func TestSiteNeverIdentified(t *testing.T) {
	for _, from := range []data.State{data.StatePlanned, data.StateDropped} {
		_, err := planner.Transition(siteHistoryTo(t, from), siteFields(data.StateIdentified), t0, engineer)
		var te *planner.TransitionError
		if !errors.As(err, &te) {
			t.Errorf("%s -> identified: err = %v, want *TransitionError", from, err)
		}
	}
}

func TestSiteVerified(t *testing.T) {
	h := siteHistoryTo(t, data.StateInService)
	t.Run("without evidence", func(t *testing.T) {
		req := siteFields(data.StateVerified)
		req.Evidence = nil
		_, err := planner.Transition(h, req, t0, engineer)
		if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "site S-1") || !strings.Contains(err.Error(), "acceptance report") {
			t.Errorf("err = %v, want ErrInvalid naming site S-1 and the acceptance report", err)
		}
	})
	t.Run("a measurement check is not for sites", func(t *testing.T) {
		req := siteFields(data.StateVerified)
		req.Check = passed
		if _, err := planner.Transition(h, req, t0, engineer); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
	})
	t.Run("operator", func(t *testing.T) {
		if _, err := planner.Transition(h, siteFields(data.StateVerified), t0, iam); !errors.Is(err, planner.ErrForbidden) {
			t.Errorf("err = %v, want ErrForbidden", err)
		}
	})
	t.Run("region", func(t *testing.T) {
		if _, err := planner.Transition(h, siteFields(data.StateVerified), t0, souss); !errors.Is(err, planner.ErrForbidden) {
			t.Errorf("err = %v, want ErrForbidden", err)
		}
	})
	t.Run("engineer with the report", func(t *testing.T) {
		ev, err := planner.Transition(h, siteFields(data.StateVerified), t0, engineer)
		if err != nil || ev.To != data.StateVerified || ev.Evidence != report || ev.Check != "" {
			t.Errorf("verified = %+v, %v; want the report kept and no check", ev, err)
		}
	})
	// A zone still needs its check, evidence or not.
	zreq := fields(data.StateVerified)
	zreq.Check, zreq.Evidence = nil, report
	var nv *planner.NotVerifiedError
	if _, err := planner.Transition(historyTo(t, data.StateInService), zreq, t0, engineer); !errors.As(err, &nv) {
		t.Errorf("zone verified with evidence and no check: %v, want *NotVerifiedError", err)
	}
}

func TestSiteRequiredFields(t *testing.T) {
	site := func(to data.State, edit func(*planner.Request)) planner.Request {
		r := planner.Request{Kind: data.SubjectSite, Subject: "S-1", To: to, Region: "09"}
		if edit != nil {
			edit(&r)
		}
		return r
	}
	cases := []struct {
		name  string
		state data.State
		req   planner.Request
		actor planner.Actor
	}{
		{"assigned needs the contractor", data.StatePlanned, site(data.StateAssigned, nil), engineer},
		{"contractor as an MCC-MNC", data.StatePlanned, site(data.StateAssigned, func(r *planner.Request) { r.Operator = "Maroc Telecom" }), engineer},
		{"dropped needs a reason", data.StateAssigned, site(data.StateDropped, nil), engineer},
		{"operator connects with evidence", data.StateWorksStarted, site(data.StateInService, nil), iam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planner.Transition(siteHistoryTo(t, c.state), c.req, t0, c.actor)
			if !errors.Is(err, data.ErrInvalid) {
				t.Errorf("err = %v, want data.ErrInvalid", err)
			}
		})
	}
}

func TestSiteAssignAndReinstate(t *testing.T) {
	deadline := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	req := siteFields(data.StateAssigned)
	req.Deadline = &deadline
	a, err := planner.Transition(nil, req, t0, engineer)
	if err != nil || a.From != data.StatePlanned || a.Operator != "604-01" || !a.Deadline.Equal(deadline) || a.Seq != 1 {
		t.Fatalf("assigned = %+v, %v", a, err)
	}
	h := []data.Event{a}
	w, err := planner.Transition(h, siteFields(data.StateWorksStarted), t0.AddDate(0, 0, 1), iam)
	if err != nil || !w.Deadline.Equal(deadline) || w.Operator != "604-01" {
		t.Fatalf("works started by the contractor = %+v, %v", w, err)
	}
	h = append(h, w)
	d, err := planner.Transition(h, siteFields(data.StateDropped), t0.AddDate(0, 0, 2), engineer)
	if err != nil {
		t.Fatal(err)
	}
	h = append(h, d)
	r, err := planner.Transition(h, siteFields(data.StatePlanned), t0.AddDate(0, 0, 3), engineer)
	if err != nil || r.From != data.StateDropped || r.To != data.StatePlanned || r.Operator != "" || r.Deadline != nil {
		t.Fatalf("reinstated = %+v, %v; want planned without operator or deadline", r, err)
	}
	h = append(h, r)
	if st := planner.Replay(data.SubjectSite, h); st.State != data.StatePlanned || st.Operator != "" || st.Deadline != nil || st.Seq != 4 || !st.Since.Equal(r.At) {
		t.Errorf("after reinstatement: %+v", st)
	}
}

func TestSitePermissionMessages(t *testing.T) {
	cases := []struct {
		name  string
		state data.State
		req   planner.Request
		actor planner.Actor
		word  string
	}{
		{"operator on an unassigned site", data.StatePlanned, siteFields(planner.Comment), iam, "sites assigned"},
		{"operator drops", data.StateAssigned, siteFields(data.StateDropped), iam, "its sites"},
		{"region moves", data.StateAssigned, siteFields(data.StateWorksStarted), souss, "moving a site"},
		{"region elsewhere", data.StateAssigned, siteFields(planner.Comment), oriental, "region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planner.Transition(siteHistoryTo(t, c.state), c.req, t0, c.actor)
			if !errors.Is(err, planner.ErrForbidden) || !strings.Contains(err.Error(), c.word) || strings.Contains(err.Error(), "zone") {
				t.Errorf("err = %v, want ErrForbidden saying %q and not zone", err, c.word)
			}
		})
	}
	// The region comments on sites of its region.
	if _, err := planner.Transition(siteHistoryTo(t, data.StateAssigned), siteFields(planner.Comment), t0, souss); err != nil {
		t.Errorf("region comments in its region: %v", err)
	}
}

func TestSummarizeSites(t *testing.T) {
	sites := []planner.TrackedSite{
		{ID: "a", Tech: "fibre", Urban: true},
		{ID: "b", Tech: "fibre", Urban: true},
		{ID: "c", Tech: "satellite", Urban: false},
		{ID: "d", Tech: "fibre", Urban: false},
	}
	late := t0.AddDate(0, 0, -1)
	ev := func(subject string, seq int, from, to data.State) data.Event {
		return data.Event{Kind: data.SubjectSite, Subject: subject, Seq: seq, At: t0, From: from, To: to}
	}
	events := map[string][]data.Event{
		"a": {ev("a", 1, data.StatePlanned, data.StateAssigned), ev("a", 2, data.StateAssigned, data.StateWorksStarted), ev("a", 3, data.StateWorksStarted, data.StateInService)},
		"c": {ev("c", 1, data.StatePlanned, data.StateAssigned), ev("c", 2, data.StateAssigned, data.StateWorksStarted), ev("c", 3, data.StateWorksStarted, data.StateInService),
			ev("c", 4, data.StateInService, data.StateVerified)},
		"d": {ev("d", 1, data.StatePlanned, data.StateAssigned)},
		"x": {ev("x", 1, data.StatePlanned, data.StateDropped)}, // not in the run
	}
	events["d"][0].Deadline = &late
	p := planner.SummarizeSites(sites, events, t0)
	if p.Sites != 4 || p.States[data.StatePlanned] != 1 || p.States[data.StateInService] != 1 || p.States[data.StateVerified] != 1 ||
		p.States[data.StateAssigned] != 1 || p.States[data.StateDropped] != 0 || p.Connected != 2 || p.Overdue != 1 {
		t.Errorf("totals = %+v", p)
	}
	if _, ok := p.States[data.StateIdentified]; ok || len(p.States) != 6 {
		t.Errorf("states %v: want the six site states", p.States)
	}
	f, s := p.ByTech["fibre"], p.ByTech["satellite"]
	if f.Sites != 3 || f.Connected != 1 || f.States[data.StatePlanned] != 1 || f.States[data.StateAssigned] != 1 || s.Sites != 1 || s.States[data.StateVerified] != 1 {
		t.Errorf("by tech = %+v", p.ByTech)
	}
	if p.Urban != 2 || p.UrbanConnected != 1 || p.UrbanFibre != 2 || p.UrbanFibreConnected != 1 || p.UrbanTarget != 6300 {
		t.Errorf("urban = %d connected %d, on fibre %d connected %d, target %d; want 2, 1, 2, 1, 6300", p.Urban, p.UrbanConnected,
			p.UrbanFibre, p.UrbanFibreConnected, p.UrbanTarget)
	}
	// An urban site on satellite counts as connected, not towards the
	// fibre target.
	sat := append([]planner.TrackedSite{{ID: "e", Tech: "satellite", Urban: true}}, sites...)
	events["e"] = []data.Event{ev("e", 1, data.StatePlanned, data.StateAssigned), ev("e", 2, data.StateAssigned, data.StateWorksStarted),
		ev("e", 3, data.StateWorksStarted, data.StateInService)}
	if q := planner.SummarizeSites(sat, events, t0); q.UrbanConnected != 2 || q.UrbanFibreConnected != 1 || q.UrbanFibre != 2 {
		t.Errorf("with an urban site on satellite: connected %d, on fibre %d of %d; want 2, 1 of 2", q.UrbanConnected, q.UrbanFibreConnected, q.UrbanFibre)
	}
	delete(events, "e")
	// By day: site a's first two steps the day before, then the rest; the
	// site outside the run is not counted.
	events["a"][0].At, events["a"][1].At = late, late
	h := planner.SummarizeSites(sites, events, t0).History
	if len(h) != 2 || h[0].Date != late.Format("2006-01-02") || h[0].States[data.StateWorksStarted] != 1 || h[0].States[data.StatePlanned] != 3 ||
		h[1].States[data.StatePlanned] != 1 || h[1].States[data.StateVerified] != 1 || h[1].States[data.StateDropped] != 0 {
		t.Errorf("history = %+v", h)
	}
	for _, d := range h {
		n := 0
		for _, c := range d.States {
			n += c
		}
		if _, ok := d.States[data.StateIdentified]; ok || n != len(sites) {
			t.Errorf("day %s: %v, want the four sites in site states", d.Date, d.States)
		}
	}
	empty := planner.SummarizeSites(nil, nil, t0)
	if len(empty.ByTech) != 2 || empty.ByTech["satellite"].States == nil {
		t.Errorf("no sites: by tech %v, want fibre and satellite listed", empty.ByTech)
	}
}
