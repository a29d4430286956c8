package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
)

// Tracker is what zone and site tracking reads and writes: the
// append-only event log, and the measurements and population that verify
// a zone.
type Tracker interface {
	AppendEvent(ctx context.Context, ev data.Event) error
	Events(ctx context.Context, f data.EventFilter) ([]data.Event, error)
	EventEvidence(ctx context.Context, kind data.SubjectKind, subject string, seq int) (data.Event, error)
	planner.VerifySource
}

// DefaultMaxEvidence is the largest evidence file accepted by default.
const DefaultMaxEvidence = 20 << 20

// maxFields caps a transition's JSON body or one non-file form field.
const maxFields = 1 << 20

// tracking serves the lifecycle of zones and sites (planner.Transition)
// over HTTP: the handlers below are shared, a subjectKind says what
// differs (see zoneKind here, siteKind in sites.go).
type tracking struct {
	st          Tracker
	th          coverage.Thresholds
	maxEvidence int64
	now         func() time.Time
}

func newTracking(opt Options) *tracking {
	if opt.Tracker == nil {
		return nil
	}
	t := &tracking{st: opt.Tracker, th: opt.Thresholds, maxEvidence: opt.MaxEvidence, now: opt.Now}
	if t.th.Version == "" {
		t.th = coverage.DefaultThresholds()
	}
	if t.maxEvidence <= 0 {
		t.maxEvidence = DefaultMaxEvidence
	}
	if t.now == nil {
		t.now = time.Now
	}
	return t
}

func (s *Server) tracking() (*tracking, error) {
	if s.track == nil {
		return nil, notFound("tracking of zones and sites is not enabled on this server")
	}
	return s.track, nil
}

// subject is a tracked zone or site as its kind's find returns it.
type subject struct {
	// listedIn is where it was found: a zone's snapshot, a site's
	// scenario run (0: in none, known only by its history).
	listedIn int64
	region   string    // region code
	zone     data.Zone // a zone: what Verify checks
	// info is what its history shows of it besides its state.
	info map[string]any
}

// subjectKind is what the shared lifecycle handlers need of one kind of
// subject.
type subjectKind struct {
	kind data.SubjectKind // also how messages name it: zone, site
	// find looks a subject up, given its history; a subject neither
	// listed nor with history is an error (404 not_found).
	find func(ctx context.Context, id string, hist []data.Event) (subject, error)
}

// apiPath is the path segment of a subject kind's API: zones, sites.
func apiPath(kind data.SubjectKind) string { return string(kind) + "s" }

// zoneKind is the zones' lifecycle: found in the latest snapshot, else in
// the one its last event recorded (see findZone).
func (s *Server) zoneKind() subjectKind {
	return subjectKind{kind: data.SubjectZone, find: func(ctx context.Context, id string, hist []data.Event) (subject, error) {
		z, snapID, latest, err := s.findZone(ctx, id, hist)
		if err != nil {
			return subject{}, err
		}
		if snapID == 0 && len(hist) == 0 {
			return subject{}, notFound("no zone " + strconv.Quote(id) + " in the latest snapshot, and no history")
		}
		sub := subject{listedIn: snapID, region: z.RegionCode, zone: z,
			info: map[string]any{"zone": id, "snapshot": snapID, "in_latest_snapshot": latest, "programme": z.Programme}}
		return sub, nil
	}}
}

// now is the server's clock.
func (s *Server) now() time.Time {
	if s.track != nil {
		return s.track.now()
	}
	return time.Now()
}

// statuses replays the history of every tracked subject of kind: by id,
// the status and the events. Without tracking there is none.
func (s *Server) statuses(ctx context.Context, kind data.SubjectKind) (map[string]planner.Status, map[string][]data.Event, error) {
	st, ev := map[string]planner.Status{}, map[string][]data.Event{}
	if s.track == nil {
		return st, ev, nil
	}
	all, err := s.track.st.Events(ctx, data.EventFilter{Kind: kind})
	if err != nil {
		return nil, nil, err
	}
	for _, e := range all {
		ev[e.Subject] = append(ev[e.Subject], e)
	}
	for id, h := range ev {
		st[id] = planner.Replay(kind, h)
	}
	return st, ev, nil
}

// zoneState is a zone's lifecycle state as listZones and getZone add it.
type zoneState struct {
	State            data.State `json:"state"`
	Overdue          bool       `json:"overdue"`
	AssignedOperator string     `json:"assigned_operator,omitempty"`
	Deadline         *time.Time `json:"deadline,omitempty"`
}

func stateOf(st planner.Status, ok bool, now time.Time) zoneState {
	if !ok {
		return zoneState{State: data.StateIdentified}
	}
	return zoneState{State: st.State, Overdue: st.Overdue(now), AssignedOperator: st.Operator, Deadline: st.Deadline}
}

// zoneWithState is a listed zone with its lifecycle state.
type zoneWithState struct {
	data.Zone
	zoneState
}

// withStates adds each zone's lifecycle state.
func (s *Server) withStates(ctx context.Context, zones []data.Zone) ([]zoneWithState, error) {
	sts, _, err := s.statuses(ctx, data.SubjectZone)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]zoneWithState, len(zones))
	for i, z := range zones {
		st, ok := sts[z.ID]
		out[i] = zoneWithState{Zone: z, zoneState: stateOf(st, ok, now)}
	}
	return out, nil
}

// stateOfZone returns one zone's lifecycle state.
func (s *Server) stateOfZone(ctx context.Context, id string) (zoneState, error) {
	if s.track == nil {
		return zoneState{State: data.StateIdentified}, nil
	}
	h, err := s.track.st.Events(ctx, data.EventFilter{Kind: data.SubjectZone, Subject: id})
	if err != nil {
		return zoneState{}, err
	}
	return stateOf(planner.Replay(data.SubjectZone, h), len(h) > 0, s.now()), nil
}

// findZone looks a zone up in the latest snapshot, else in the snapshot
// its last event recorded (a zone covered after its works may leave the
// latest snapshot). It returns the zone and the snapshot it was found in,
// 0 when neither lists it.
func (s *Server) findZone(ctx context.Context, id string, hist []data.Event) (data.Zone, int64, bool, error) {
	snap, err := s.store.LatestSnapshot(ctx)
	switch {
	case err == nil:
		z, err := s.store.Zone(ctx, snap.ID, id)
		if err == nil {
			return z, snap.ID, true, nil
		}
		if !errors.Is(err, data.ErrNotFound) {
			return z, 0, false, err
		}
	case !errors.Is(err, data.ErrNotFound):
		return data.Zone{}, 0, false, err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if sid := hist[i].Snapshot; sid != 0 && sid != snap.ID {
			z, err := s.store.Zone(ctx, sid, id)
			if err == nil {
				return z, sid, false, nil
			}
			if !errors.Is(err, data.ErrNotFound) {
				return z, 0, false, err
			}
			break
		}
	}
	return data.Zone{}, 0, false, nil
}

// eventJSON is an event with the link to its evidence.
type eventJSON struct {
	data.Event
	EvidenceURL string `json:"evidence_url,omitempty"`
}

func eventView(ev data.Event) eventJSON {
	if ev.Evidence != nil {
		ev.Evidence.Content = nil
	}
	out := eventJSON{Event: ev}
	if ev.Evidence != nil {
		out.EvidenceURL = fmt.Sprintf("/api/v1/%s/%s/events/%d/evidence", apiPath(ev.Kind), url.PathEscape(ev.Subject), ev.Seq)
	}
	return out
}

// subjectAndHistory reads a subject's history and finds it (see
// subjectKind.find).
func (k subjectKind) subjectAndHistory(ctx context.Context, tr *tracking, id string) ([]data.Event, subject, error) {
	hist, err := tr.st.Events(ctx, data.EventFilter{Kind: k.kind, Subject: id})
	if err != nil {
		return nil, subject{}, err
	}
	sub, err := k.find(ctx, id, hist)
	if err != nil {
		return nil, subject{}, err
	}
	if sub.listedIn == 0 {
		sub.region = planner.Replay(k.kind, hist).Region
	}
	return hist, sub, nil
}

// history serves GET /{zones,sites}/{id}/history: the subject's status
// and every event.
func (s *Server) history(k subjectKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		tr, err := s.tracking()
		if err != nil {
			return err
		}
		ctx, id := r.Context(), chi.URLParam(r, "id")
		hist, sub, err := k.subjectAndHistory(ctx, tr, id)
		if err != nil {
			return err
		}
		st := planner.Replay(k.kind, hist)
		events := make([]eventJSON, len(hist))
		for i, ev := range hist {
			events[i] = eventView(ev)
		}
		out := map[string]any{
			"region_code": sub.region, "state": st.State, "operator": st.Operator, "deadline": st.Deadline, "overdue": st.Overdue(tr.now()),
			"since": sinceOf(st), "next": append(planner.Next(k.kind, st.State), planner.Comment), "seq": st.Seq, "events": events,
		}
		for key, v := range sub.info {
			out[key] = v
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// sinceOf is when the status last changed state, nil before any change.
func sinceOf(st planner.Status) *time.Time {
	if st.Since.IsZero() {
		return nil
	}
	t := st.Since.UTC()
	return &t
}

// transitionBody is what POST /{zones,sites}/{id}/transitions reads
// (JSON, or the same names as form fields).
type transitionBody struct {
	To       string `json:"to"`
	Comment  string `json:"comment"`
	Operator string `json:"operator"`
	Deadline string `json:"deadline"` // RFC 3339 date (the end of that day, UTC) or time
	Reason   string `json:"reason"`
}

// parseDeadline reads an RFC 3339 date or time.
func parseDeadline(s string) (*time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return nil, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		d = d.Add(24*time.Hour - time.Second)
		return &d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, invalid("deadline must be an RFC 3339 date (2026-12-31) or time (2026-12-31T18:00:00Z), got " + strconv.Quote(s))
	}
	t = t.UTC()
	return &t, nil
}

// readTransition reads the request's body: JSON, or multipart/form-data
// whose file part "evidence" is attached to the event.
func (tr *tracking) readTransition(w http.ResponseWriter, r *http.Request) (transitionBody, *data.EvidenceFile, error) {
	var b transitionBody
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFields))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil {
			return b, nil, invalid("the body must be JSON {to, comment, operator, deadline, reason} or multipart/form-data with those fields and a file part evidence: " + err.Error())
		}
		return b, nil, nil
	}
	tooLarge := &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: fmt.Sprintf("the evidence file is larger than the %d bytes this server accepts", tr.maxEvidence)}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, tr.maxEvidence+maxFields), params["boundary"])
	var ev *data.EvidenceFile
	fields := map[string]*string{"to": &b.To, "comment": &b.Comment, "operator": &b.Operator, "deadline": &b.Deadline, "reason": &b.Reason}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return b, nil, tooLargeOr(err, tr.maxEvidence, invalid("the multipart form cannot be read: "+err.Error()))
		}
		name := part.FormName()
		switch dst, ok := fields[name]; {
		case name == "evidence":
			content, err := io.ReadAll(io.LimitReader(part, tr.maxEvidence+1))
			if err != nil {
				return b, nil, tooLargeOr(err, tr.maxEvidence, invalid("the evidence part cannot be read: "+err.Error()))
			}
			if int64(len(content)) > tr.maxEvidence {
				return b, nil, tooLarge
			}
			if len(content) == 0 {
				return b, nil, invalid("the evidence file is empty")
			}
			fname := filepath.Base(part.FileName())
			if fname == "." || fname == "/" || fname == "" {
				fname = "evidence"
			}
			ctype := part.Header.Get("Content-Type")
			if ctype == "" || ctype == "application/octet-stream" {
				ctype = http.DetectContentType(content)
			}
			sum := sha256.Sum256(content)
			ev = &data.EvidenceFile{Name: fname, Type: ctype, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Content: content}
		case ok:
			v, err := io.ReadAll(io.LimitReader(part, maxFields+1))
			if err != nil {
				return b, nil, tooLargeOr(err, tr.maxEvidence, invalid("the form field "+name+" cannot be read: "+err.Error()))
			}
			if len(v) > maxFields {
				return b, nil, invalid("the form field " + name + " is too long")
			}
			*dst = string(v)
		default:
			return b, nil, invalid(fmt.Sprintf("unknown form field %q: send to, comment, operator, deadline, reason and a file part evidence", name))
		}
	}
	return b, ev, nil
}

// trackError maps the planner's refusals to API errors.
func trackError(err error) error {
	var te *planner.TransitionError
	switch {
	case errors.As(err, &te):
		return &Error{Status: http.StatusConflict, Code: "illegal_transition", Message: strings.TrimPrefix(te.Error(), "planner: ")}
	case errors.Is(err, planner.ErrForbidden):
		return forbidden(strings.TrimPrefix(err.Error(), planner.ErrForbidden.Error()+": "))
	}
	return err
}

// transitions serves POST /{zones,sites}/{id}/transitions: checks the
// caller's token, the step and (for a zone's verified) the fresh
// measurements, then appends the event as the next of the history it
// read: 201 with the event, or 409 conflict when someone changed the
// subject meanwhile.
func (s *Server) transitions(k subjectKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		tr, err := s.tracking()
		if err != nil {
			return err
		}
		tok, ok, err := s.callerToken(r)
		if err != nil {
			return err
		}
		if !ok {
			return unauthenticated("changing a " + string(k.kind) + " needs a token: send it as Authorization: Bearer TOKEN")
		}
		actor := tok.actor()
		body, evidence, err := tr.readTransition(w, r)
		if err != nil {
			return err
		}
		deadline, err := parseDeadline(body.Deadline)
		if err != nil {
			return err
		}
		ctx, id := r.Context(), chi.URLParam(r, "id")
		hist, sub, err := k.subjectAndHistory(ctx, tr, id)
		if err != nil {
			return err
		}
		req := planner.Request{
			Kind: k.kind, Subject: id, To: data.State(strings.TrimSpace(body.To)), Comment: body.Comment,
			Operator: strings.TrimSpace(body.Operator), Deadline: deadline, Reason: body.Reason, Evidence: evidence,
			Snapshot: sub.listedIn, Region: sub.region,
		}
		to, st, err := planner.Validate(hist, req, actor)
		if err != nil {
			return trackError(err)
		}
		now := tr.now()
		if to == data.StateVerified && k.kind == data.SubjectZone {
			if sub.listedIn == 0 {
				return &Error{Status: http.StatusConflict, Code: "not_verified", Message: "zone " + id + " is in no stored snapshot, so its cells are unknown"}
			}
			chk, err := planner.Verify(ctx, tr.st, planner.VerifyQuery{Zone: sub.zone, Operator: st.Operator, Thresholds: tr.th, Now: now})
			if err != nil {
				return err
			}
			if !chk.Summary.OK {
				return &Error{Status: http.StatusConflict, Code: "not_verified", Message: chk.Summary.Message,
					Details: map[string]any{"missing": chk.Missing(), "check": chk.Summary}}
			}
			req.Check = &chk
		}
		ev, err := planner.Transition(hist, req, now, actor)
		if err != nil {
			return trackError(err)
		}
		if err := tr.st.AppendEvent(ctx, ev); err != nil {
			if errors.Is(err, data.ErrConflict) {
				return &Error{Status: http.StatusConflict, Code: "conflict",
					Message: fmt.Sprintf("%s %s changed since its history was read (it had %d events): reload and retry", k.kind, id, len(hist))}
			}
			return err
		}
		w.Header().Set("Location", fmt.Sprintf("/api/v1/%s/%s/history", apiPath(k.kind), url.PathEscape(id)))
		writeJSON(w, http.StatusCreated, eventView(ev))
		return nil
	}
}

// eventEvidence serves GET /{zones,sites}/{id}/events/{seq}/evidence:
// the file, as an attachment of its media type.
func (s *Server) eventEvidence(k subjectKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return s.evidence(w, r, k) }
}

func (s *Server) evidence(w http.ResponseWriter, r *http.Request, k subjectKind) error {
	tr, err := s.tracking()
	if err != nil {
		return err
	}
	// Evidence files may hold raw measurement logs: not for the public.
	if _, ok, err := s.callerToken(r); err != nil {
		return err
	} else if !ok {
		return unauthenticated("evidence files are for signed-in users: send a token as Authorization: Bearer TOKEN")
	}
	id := chi.URLParam(r, "id")
	seq, err := strconv.Atoi(chi.URLParam(r, "seq"))
	if err != nil || seq < 1 {
		return invalid("seq must be a whole number from 1, got " + strconv.Quote(chi.URLParam(r, "seq")))
	}
	ev, err := tr.st.EventEvidence(r.Context(), k.kind, id, seq)
	if err != nil {
		return err
	}
	if ev.Evidence == nil {
		return notFound(fmt.Sprintf("event %d of %s %s has no evidence", seq, k.kind, id))
	}
	ctype := ev.Evidence.Type
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(ev.Evidence.Content)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Evidence.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(ev.Evidence.Content)
	return err
}
