package planner

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/taghtia/taghtia/data"
)

// The lifecycle of a tracked subject: a programme zone (MISSION flow step
// 6) or an administrative site (the national target: connect the urban
// ones to fibre by 2026). Each change is one data.Event appended to the
// subject's history; the current state is the last event's To (Start
// before the first event). Zones and sites share one code path (Permit,
// Validate, Transition, Replay); a Lifecycle holds what differs.
//
// A zone starts identified:
//
//	from            to                 needs                                   who
//	identified      planned                                                    engineer
//	planned         assigned           operator (deadline optional)            engineer
//	assigned        works_started      deadline defaults to 15 months after    engineer, the assigned operator
//	                                   the event (or the one set at
//	                                   assignment); only an engineer sets one
//	works_started   in_service         evidence when the operator moves it     engineer, the assigned operator
//	in_service      verified           fresh measurements proving coverage     engineer
//	                                   (see Verify)
//	any but         dropped            reason                                  engineer
//	verified
//	dropped         identified         (reinstated: operator and deadline      engineer
//	                                   are cleared)
//	any             comment (From==To) comment                                 engineer; the assigned operator;
//	                                                                           a region's authority in its region
//
// A site starts planned (it is in a stored scenario run) and is never
// identified; in_service is shown as "connected":
//
//	planned         assigned           operator (the contractor, an MCC-MNC;   engineer
//	                                   deadline optional)
//	assigned        works_started      as a zone                               engineer, the assigned operator
//	works_started   in_service         evidence when the operator moves it     engineer, the assigned operator
//	in_service      verified           an evidence file (the acceptance        engineer
//	                                   report), no measurement check
//	any but         dropped            reason                                  engineer
//	verified
//	dropped         planned            (reinstated: operator and deadline      engineer
//	                                   are cleared)
//	any             comment            as a zone
//
// Verified is final. A subject is overdue when its deadline has passed and
// it is not in service, verified or dropped.

// Comment is the action of a request that only comments: its event has
// From == To.
const Comment data.State = "comment"

// WorksDuration is the default time from works start to in-service
// deadline: 15 months, as Morocco's coverage programme sets.
const WorksDuration = 15 // months

// Lifecycle is what differs between the kinds of tracked subjects.
type Lifecycle struct {
	Kind data.SubjectKind
	Noun string // how messages name a subject of this kind: "zone", "site"
	// Start is the state before any event, and the one a dropped subject
	// is reinstated to.
	Start data.State
	// EvidenceVerifies: the move to verified needs an evidence file (a
	// site's acceptance report) instead of a passed measurement Check (a
	// zone's).
	EvidenceVerifies bool
	next             map[data.State][]data.State // the states each state may move to
}

var lifecycles = map[data.SubjectKind]*Lifecycle{
	data.SubjectZone: {Kind: data.SubjectZone, Noun: "zone", Start: data.StateIdentified, next: map[data.State][]data.State{
		data.StateIdentified:   {data.StatePlanned, data.StateDropped},
		data.StatePlanned:      {data.StateAssigned, data.StateDropped},
		data.StateAssigned:     {data.StateWorksStarted, data.StateDropped},
		data.StateWorksStarted: {data.StateInService, data.StateDropped},
		data.StateInService:    {data.StateVerified, data.StateDropped},
		data.StateVerified:     nil,
		data.StateDropped:      {data.StateIdentified},
	}},
	data.SubjectSite: {Kind: data.SubjectSite, Noun: "site", Start: data.StatePlanned, EvidenceVerifies: true, next: map[data.State][]data.State{
		data.StatePlanned:      {data.StateAssigned, data.StateDropped},
		data.StateAssigned:     {data.StateWorksStarted, data.StateDropped},
		data.StateWorksStarted: {data.StateInService, data.StateDropped},
		data.StateInService:    {data.StateVerified, data.StateDropped},
		data.StateVerified:     nil,
		data.StateDropped:      {data.StatePlanned},
	}},
}

// LifecycleOf returns the rules of kind ("" is a zone). Errors:
// data.ErrInvalid for a kind that is not tracked.
func LifecycleOf(kind data.SubjectKind) (Lifecycle, error) {
	l, err := lifecycleOf(kind)
	if err != nil {
		return Lifecycle{}, err
	}
	return *l, nil
}

func lifecycleOf(kind data.SubjectKind) (*Lifecycle, error) {
	if kind == "" {
		kind = data.SubjectZone
	}
	l, ok := lifecycles[kind]
	if !ok {
		return nil, invalidf("subject kind %q is not tracked (zone or site)", kind)
	}
	return l, nil
}

// mustLifecycle is lifecycleOf for the kinds code names: an unknown one
// is a programmer error.
func mustLifecycle(kind data.SubjectKind) *Lifecycle {
	l, err := lifecycleOf(kind)
	if err != nil {
		panic(err)
	}
	return l
}

// Next returns the states a subject in state s may move to (a comment is
// always allowed and not listed).
func (l Lifecycle) Next(s data.State) []data.State { return slices.Clone(l.next[s]) }

// States lists the states a subject of this kind can be in, in
// data.States order.
func (l Lifecycle) States() []data.State {
	var out []data.State
	for _, s := range data.States {
		if _, ok := l.next[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Next returns the states a subject of kind in state s may move to (a
// comment is always allowed and not listed). It panics on a kind that is
// not tracked.
func Next(kind data.SubjectKind, s data.State) []data.State { return mustLifecycle(kind).Next(s) }

// Role is what a caller may do (see Permit).
type Role string

// Roles (MISSION "Users and what each may do").
const (
	RoleEngineer Role = "engineer" // the regulator's rollout engineers
	RoleOperator Role = "operator" // one mobile operator
	RoleRegion   Role = "region"   // one regional authority
)

// Actor is who asks for a change.
type Actor struct {
	Name     string
	Role     Role
	Operator string // RoleOperator: its MCC-MNC
	Region   string // RoleRegion: its region code
}

// Request is one asked-for change of a subject.
type Request struct {
	Kind     data.SubjectKind // default data.SubjectZone
	Subject  string
	To       data.State // a state, or Comment ("" with a comment is a comment)
	Comment  string
	Operator string             // assigned: the operator
	Deadline *time.Time         // assigned, works_started: the in-service deadline
	Reason   string             // dropped: why
	Evidence *data.EvidenceFile // in_service by an operator, and a site's verified, need one
	// Snapshot and Region describe the subject as listed now: where it was
	// found (a zone: its snapshot; a site: its scenario run) and its
	// region code (what a region's token may touch).
	Snapshot int64
	Region   string
	// Check is the verification result of a zone (see Verify); its move
	// to verified needs one that passed. Sites take none.
	Check *Check
}

// Status is where a subject stands after its history.
type Status struct {
	State    data.State `json:"state"`
	Operator string     `json:"operator,omitempty"`
	Deadline *time.Time `json:"deadline,omitempty"`
	Seq      int        `json:"seq"`              // events so far
	Since    time.Time  `json:"since,omitzero"`   // time of the last change of state
	Region   string     `json:"region,omitempty"` // as of the last event
}

// Replay returns the status of a subject of kind after history (ordered
// by seq; empty: the kind's Start state). The operator and deadline are
// carried from the events that set them; reinstating a dropped subject
// clears them. It panics on a kind that is not tracked.
func Replay(kind data.SubjectKind, history []data.Event) Status {
	return mustLifecycle(kind).replay(history)
}

func (l *Lifecycle) replay(history []data.Event) Status {
	st := Status{State: l.Start}
	for _, ev := range history {
		if ev.To == l.Start {
			st.Operator, st.Deadline = "", nil
		}
		if ev.To != st.State {
			st.Since = ev.At
		}
		if ev.To != "" {
			st.State = ev.To
		}
		if ev.Operator != "" {
			st.Operator = ev.Operator
		}
		if ev.Deadline != nil {
			d := *ev.Deadline
			st.Deadline = &d
		}
		if ev.Region != "" {
			st.Region = ev.Region
		}
		st.Seq = ev.Seq
	}
	if n := len(history); n > st.Seq {
		st.Seq = n
	}
	return st
}

// Overdue reports whether the deadline has passed before the subject
// reached service (or was dropped).
func (s Status) Overdue(now time.Time) bool {
	switch s.State {
	case data.StateInService, data.StateVerified, data.StateDropped:
		return false
	}
	return s.Deadline != nil && now.After(*s.Deadline)
}

// ErrForbidden is returned (wrapped, naming why) when the actor's role
// does not allow the change.
var ErrForbidden = errors.New("planner: forbidden")

// TransitionError is returned for a step the lifecycle does not allow.
type TransitionError struct {
	Subject string
	From    data.State
	To      data.State
	Allowed []data.State // the states From may move to
}

func (e *TransitionError) Error() string {
	allowed := "none: it is final"
	if len(e.Allowed) > 0 {
		names := make([]string, len(e.Allowed))
		for i, s := range e.Allowed {
			names[i] = string(s)
		}
		allowed = strings.Join(names, ", ")
	}
	return fmt.Sprintf("planner: %s is %s and cannot move to %s (allowed: %s; a comment is always allowed)", e.Subject, e.From, e.To, allowed)
}

// NotVerifiedError is returned for a move to verified that fresh
// measurements do not support; Check says what is missing.
type NotVerifiedError struct {
	Subject string
	Check   *Check // nil when no check was made
}

func (e *NotVerifiedError) Error() string {
	if e.Check == nil {
		return "planner: " + e.Subject + " cannot be verified without a measurement check"
	}
	return fmt.Sprintf("planner: %s is not verified: %s", e.Subject, e.Check.Summary.Message)
}

// mccMNC is an operator code: mobile country code, network code.
var mccMNC = regexp.MustCompile(`^[0-9]{3}-[0-9]{2,3}$`)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{data.ErrInvalid}, args...)...)
}

func forbiddenf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrForbidden}, args...)...)
}

// target normalises the requested action.
func target(req Request) (data.State, error) {
	switch req.To {
	case "", Comment:
		if strings.TrimSpace(req.Comment) == "" {
			return "", invalidf("a comment needs its text (comment)")
		}
		return Comment, nil
	}
	return data.ParseState(string(req.To))
}

// Permit says whether actor may make the change req to a subject in
// status st (req.To already normalised: a state or Comment). It returns
// nil or an error wrapping ErrForbidden.
func Permit(actor Actor, st Status, req Request, to data.State) error {
	l, err := lifecycleOf(req.Kind)
	if err != nil {
		return err
	}
	noun := l.Noun
	switch actor.Role {
	case RoleEngineer:
		return nil
	case RoleOperator:
		if st.Operator != actor.Operator {
			if st.Operator == "" {
				return forbiddenf("%s is not assigned to any operator; %s (%s) may change only %ss assigned to it", req.Subject, actor.Name, actor.Operator, noun)
			}
			return forbiddenf("%s is assigned to %s, not to %s (%s)", req.Subject, st.Operator, actor.Name, actor.Operator)
		}
		switch to {
		case Comment:
			return nil
		case data.StateWorksStarted, data.StateInService:
			if req.Deadline != nil {
				return forbiddenf("only an engineer sets a deadline")
			}
			return nil
		}
		return forbiddenf("an operator moves its %ss to works_started or in_service, or comments; %s needs an engineer", noun, to)
	case RoleRegion:
		if to != Comment {
			return forbiddenf("a region's authority comments; moving a %s to %s needs an engineer", noun, to)
		}
		if req.Region != actor.Region {
			return forbiddenf("%s is in region %q; %s comments on region %q only", req.Subject, req.Region, actor.Name, actor.Region)
		}
		return nil
	}
	return forbiddenf("role %q may not change %ss", actor.Role, noun)
}

// Validate checks req against the history of its kind's lifecycle
// without a zone's verification result: the action, the actor's
// permission, the lifecycle step and the fields it needs. It returns the
// normalised target (a state or Comment) and the status before the
// change. Errors: data.ErrInvalid, ErrForbidden, *TransitionError.
func Validate(history []data.Event, req Request, actor Actor) (data.State, Status, error) {
	l, err := lifecycleOf(req.Kind)
	if err != nil {
		return "", Status{}, err
	}
	st := l.replay(history)
	to, err := target(req)
	if err != nil {
		return "", st, err
	}
	if req.Subject == "" {
		return "", st, invalidf("the request names no subject")
	}
	if err := Permit(actor, st, req, to); err != nil {
		return "", st, err
	}
	if to != Comment && !slices.Contains(l.next[st.State], to) {
		return "", st, &TransitionError{Subject: req.Subject, From: st.State, To: to, Allowed: l.Next(st.State)}
	}
	if req.Operator != "" && to != data.StateAssigned {
		return "", st, invalidf("operator is set by the move to assigned, not by %s", to)
	}
	if req.Deadline != nil && to != data.StateAssigned && to != data.StateWorksStarted {
		return "", st, invalidf("a deadline is set by the move to assigned or works_started, not by %s", to)
	}
	if req.Reason != "" && to != data.StateDropped {
		return "", st, invalidf("reason is given with the move to dropped, not with %s", to)
	}
	switch to {
	case data.StateAssigned:
		if op := strings.TrimSpace(req.Operator); !mccMNC.MatchString(op) {
			return "", st, invalidf("assigning %s needs the operator as an MCC-MNC such as 604-01, got %q", req.Subject, op)
		}
	case data.StateDropped:
		if strings.TrimSpace(req.Reason) == "" {
			return "", st, invalidf("dropping %s needs a reason", req.Subject)
		}
	case data.StateInService:
		if actor.Role == RoleOperator && req.Evidence == nil {
			return "", st, invalidf("an operator puts %s %s in service with evidence (a file part named evidence)", l.Noun, req.Subject)
		}
	case data.StateVerified:
		if l.EvidenceVerifies && req.Evidence == nil {
			return "", st, invalidf("verifying %s %s needs its acceptance report (a file part named evidence)", l.Noun, req.Subject)
		}
	}
	if req.Check != nil && l.EvidenceVerifies {
		return "", st, invalidf("%s %s is verified by its acceptance report, not by a measurement check", l.Noun, req.Subject)
	}
	return to, st, nil
}

// Transition checks req against the history (see Validate) and returns
// the event to append: seq len(history)+1, at now, by actor. A zone's move
// to verified needs req.Check, passed (else *NotVerifiedError); the event
// keeps its summary in Check. A site's needs evidence (see Validate).
func Transition(history []data.Event, req Request, now time.Time, actor Actor) (data.Event, error) {
	to, st, err := Validate(history, req, actor)
	if err != nil {
		return data.Event{}, err
	}
	l := mustLifecycle(req.Kind) // Validate accepted the kind
	req.Kind = l.Kind
	now = now.UTC()
	ev := data.Event{
		Kind: req.Kind, Subject: req.Subject, Seq: len(history) + 1, At: now,
		Actor: actor.Name, Role: string(actor.Role), From: st.State, To: to,
		Comment: strings.TrimSpace(req.Comment), Operator: st.Operator, Deadline: st.Deadline,
		Evidence: req.Evidence, Snapshot: req.Snapshot, Region: req.Region,
	}
	if to == l.Start { // reinstated
		ev.Operator, ev.Deadline = "", nil
	}
	switch to {
	case Comment:
		ev.To = st.State
	case data.StateAssigned:
		ev.Operator = strings.TrimSpace(req.Operator)
		ev.Deadline = req.Deadline
	case data.StateWorksStarted:
		switch {
		case req.Deadline != nil:
			ev.Deadline = req.Deadline
		case st.Deadline == nil:
			d := now.AddDate(0, WorksDuration, 0)
			ev.Deadline = &d
		}
	case data.StateDropped:
		ev.Reason = strings.TrimSpace(req.Reason)
	case data.StateVerified:
		if l.EvidenceVerifies {
			break
		}
		if req.Check == nil || !req.Check.Summary.OK {
			return data.Event{}, &NotVerifiedError{Subject: req.Subject, Check: req.Check}
		}
		ev.Check = req.Check.SummaryJSON()
	}
	if ev.Deadline != nil {
		d := ev.Deadline.UTC()
		ev.Deadline = &d
	}
	return ev, nil
}
