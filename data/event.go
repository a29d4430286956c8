package data

import (
	"fmt"
	"time"
)

// SubjectKind says what a lifecycle event is about.
type SubjectKind string

// Tracked subjects: programme zones (stable zone ids, see
// coverage.MatchIDs) and administrative sites.
const (
	SubjectZone SubjectKind = "zone"
	SubjectSite SubjectKind = "site"
)

// State is a step of a zone's or site's lifecycle. The empty state is the
// one before any event: identified.
type State string

// Lifecycle states (planner.Transition says which steps are allowed).
const (
	StateIdentified   State = "identified"
	StatePlanned      State = "planned"
	StateAssigned     State = "assigned"
	StateWorksStarted State = "works_started"
	StateInService    State = "in_service" // a site: connected
	StateVerified     State = "verified"
	StateDropped      State = "dropped"
)

// States lists the lifecycle states in order (dropped last).
var States = []State{StateIdentified, StatePlanned, StateAssigned, StateWorksStarted, StateInService, StateVerified, StateDropped}

// ParseState reads a state name.
func ParseState(s string) (State, error) {
	for _, st := range States {
		if State(s) == st {
			return st, nil
		}
	}
	return "", fmt.Errorf("%w: state %q is not one of identified, planned, assigned, works_started, in_service, verified, dropped", ErrInvalid, s)
}

// EvidenceFile is a file attached to an event (a report, photos, a
// measurement log). Content is returned only by EventEvidence.
type EvidenceFile struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // media type
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Content []byte `json:"-"`
}

// Event is one state change of a zone or site, as appended to its history.
// Events are never changed or removed.
type Event struct {
	Kind     SubjectKind   `json:"kind"`
	Subject  string        `json:"subject"` // zone or site id
	Seq      int           `json:"seq"`     // 1, 2, … per subject
	At       time.Time     `json:"at"`
	Actor    string        `json:"actor"` // who made the change (token name)
	Role     string        `json:"role"`
	From     State         `json:"from"`
	To       State         `json:"to"`
	Comment  string        `json:"comment,omitempty"`
	Operator string        `json:"operator,omitempty"` // assigned operator (assigned and later)
	Deadline *time.Time    `json:"deadline,omitempty"` // in-service deadline (works started and later)
	Reason   string        `json:"reason,omitempty"`   // why dropped
	Evidence *EvidenceFile `json:"evidence,omitempty"`
	// Snapshot and Region record the subject as it was when the event was
	// made: where it was listed (a zone: its zone snapshot; a site: the
	// scenario run its row came from) and its region code.
	Snapshot int64  `json:"snapshot,omitempty"`
	Region   string `json:"region,omitempty"`
	// Check holds what a verification found (JSON), when the event is one.
	Check string `json:"check,omitempty"`
}

// EventFilter selects events; empty fields match all. Events come ordered
// by kind, subject and seq.
type EventFilter struct {
	Kind    SubjectKind
	Subject string
}

// Validate reports the contract's ErrInvalid cases for an event to append:
// no kind, subject or target state, or a sequence number below 1.
func (ev *Event) Validate() error {
	switch {
	case ev.Kind == "":
		return fmt.Errorf("%w: event has no subject kind", ErrInvalid)
	case ev.Subject == "":
		return fmt.Errorf("%w: %s event has no subject", ErrInvalid, ev.Kind)
	case ev.To == "":
		return fmt.Errorf("%w: event %d of %s %s has no target state", ErrInvalid, ev.Seq, ev.Kind, ev.Subject)
	case ev.Seq < 1:
		return fmt.Errorf("%w: event of %s %s has seq %d, want 1 or more", ErrInvalid, ev.Kind, ev.Subject, ev.Seq)
	}
	return nil
}
