package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/taghtia/taghtia/data"
)

// Lifecycle events (schema 5) are rows of events, keyed (kind, subject,
// seq); an event's evidence content is a row of event_evidence with the
// same key, read only by EventEvidence.

// conflict is the ErrConflict of an append of seq to a subject holding
// last events.
func conflict(ev *data.Event, last int64) error {
	return fmt.Errorf("%w: %s %s has %d events, so the next is seq %d, not %d",
		data.ErrConflict, ev.Kind, ev.Subject, last, last+1, ev.Seq)
}

// AppendEvent appends ev to its subject's history in one transaction: the
// last seq is checked, then the row inserted; of two appends of the same
// seq the primary key lets one commit and fails the other, which is
// returned as a conflict. Times are kept in UTC to the microsecond; an
// evidence content of zero length is returned as nil.
//
// Errors: data.ErrInvalid for no kind, subject or target state, a seq
// below 1, text PostgreSQL refuses (a NUL byte, not UTF-8);
// data.ErrConflict (naming the subject and the seq expected) when ev.Seq
// is not the last stored plus one; ctx's error.
func (s *Store) AppendEvent(ctx context.Context, ev data.Event) error {
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("postgis: append event: %w", err)
	}
	var deadline *time.Time
	if ev.Deadline != nil {
		d := ev.Deadline.UTC()
		deadline = &d
	}
	var name, typ, sha *string
	var size *int64
	if e := ev.Evidence; e != nil {
		name, typ, size, sha = &e.Name, &e.Type, &e.Size, &e.SHA256
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var last int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events WHERE kind = $1 AND subject = $2`,
			string(ev.Kind), ev.Subject).Scan(&last); err != nil {
			return err
		}
		if int64(ev.Seq) != last+1 {
			return conflict(&ev, last)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO events (kind, subject, seq, at, actor, role, from_state, to_state,
			comment, operator, deadline, reason, snapshot_id, region, check_result,
			evidence_name, evidence_type, evidence_size, evidence_sha256)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			string(ev.Kind), ev.Subject, ev.Seq, ev.At.UTC(), ev.Actor, ev.Role, string(ev.From), string(ev.To),
			ev.Comment, ev.Operator, deadline, ev.Reason, ev.Snapshot, ev.Region, ev.Check,
			name, typ, size, sha); err != nil {
			return err
		}
		if ev.Evidence == nil {
			return nil
		}
		content := ev.Evidence.Content
		if content == nil {
			content = []byte{}
		}
		_, err := tx.Exec(ctx, `INSERT INTO event_evidence (kind, subject, seq, content) VALUES ($1, $2, $3, $4)`,
			string(ev.Kind), ev.Subject, ev.Seq, content)
		return err
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "events_pkey" {
		// Another append of this seq committed first.
		var last int64
		if qerr := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events WHERE kind = $1 AND subject = $2`,
			string(ev.Kind), ev.Subject).Scan(&last); qerr != nil {
			last = int64(ev.Seq)
		}
		err = conflict(&ev, last)
	}
	if err != nil {
		return fmt.Errorf("postgis: append event: %w", classify(err))
	}
	return nil
}

const eventSelect = `SELECT kind, subject, seq, at, actor, role, from_state, to_state, comment, operator, deadline,
	reason, snapshot_id, region, check_result, evidence_name, evidence_type, evidence_size, evidence_sha256`

// scanEvent reads an eventSelect row, then the columns in more.
func scanEvent(r pgx.Row, more ...any) (data.Event, error) {
	var ev data.Event
	var kind, from, to string
	var name, typ, sha *string
	var size *int64
	dst := append([]any{&kind, &ev.Subject, &ev.Seq, &ev.At, &ev.Actor, &ev.Role, &from, &to, &ev.Comment, &ev.Operator,
		&ev.Deadline, &ev.Reason, &ev.Snapshot, &ev.Region, &ev.Check, &name, &typ, &size, &sha}, more...)
	if err := r.Scan(dst...); err != nil {
		return ev, err
	}
	ev.Kind, ev.From, ev.To, ev.At = data.SubjectKind(kind), data.State(from), data.State(to), ev.At.UTC()
	if ev.Deadline != nil {
		d := ev.Deadline.UTC()
		ev.Deadline = &d
	}
	if name != nil && typ != nil && size != nil && sha != nil {
		ev.Evidence = &data.EvidenceFile{Name: *name, Type: *typ, Size: *size, SHA256: *sha}
	}
	return ev, nil
}

// Events returns the events matching f, without evidence content, ordered
// by kind, subject and seq (as Go compares strings). It reads the primary,
// not the read pool: a caller appends the seq after the last it read, and
// a lagging replica would make that a conflict.
func (s *Store) Events(ctx context.Context, f data.EventFilter) ([]data.Event, error) {
	rows, err := s.pool.Query(ctx, eventSelect+` FROM events
		WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR subject = $2) ORDER BY kind, subject, seq`,
		string(f.Kind), f.Subject)
	if err != nil {
		return nil, fmt.Errorf("postgis: events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Event, error) { return scanEvent(r) })
	if err != nil {
		return nil, fmt.Errorf("postgis: events: %w", classify(err))
	}
	return out, nil
}

// EventEvidence returns one event with its evidence content. It reads the
// primary: a caller that just appended the event finds it.
//
// Errors: data.ErrNotFound (naming the event) when there is no such event
// or it has no evidence.
func (s *Store) EventEvidence(ctx context.Context, kind data.SubjectKind, subject string, seq int) (data.Event, error) {
	var content []byte
	ev, err := scanEvent(s.pool.QueryRow(ctx, eventSelect+`, v.content FROM events e
		LEFT JOIN event_evidence v USING (kind, subject, seq)
		WHERE kind = $1 AND subject = $2 AND seq = $3`, string(kind), subject, seq), &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Event{}, fmt.Errorf("postgis: event evidence: event %d of %s %s: %w", seq, kind, subject, data.ErrNotFound)
	}
	if err != nil {
		return data.Event{}, fmt.Errorf("postgis: event evidence: %w", classify(err))
	}
	if ev.Evidence == nil {
		return data.Event{}, fmt.Errorf("postgis: event evidence: event %d of %s %s has no evidence: %w", seq, kind, subject, data.ErrNotFound)
	}
	if len(content) > 0 {
		ev.Evidence.Content = content
	}
	return ev, nil
}
