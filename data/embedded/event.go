package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

// Events are keyed kind, 0x00, subject, 0x00, seq (8 BE), so keys sort by
// kind, subject and seq as strings.Compare and the number do, and one
// subject's history is one key range. The value is the event as JSON
// (data.EvidenceFile.Content is not part of it); the evidence content,
// when the event has evidence, is in bEvidence under the same key, so
// listing events never reads it.

// eventPrefix is the key prefix of a kind, and of one of its subjects
// when subject is not empty.
func eventPrefix(kind data.SubjectKind, subject string) []byte {
	b := append([]byte(kind), 0)
	if subject != "" {
		b = append(append(b, subject...), 0)
	}
	return b
}

func eventKey(kind data.SubjectKind, subject string, seq int) []byte {
	return binary.BigEndian.AppendUint64(eventPrefix(kind, subject), uint64(seq))
}

// checkEvent reports what makes ev unstorable: the contract's ErrInvalid
// cases, a NUL byte in the key, or text JSON would not keep as given.
func checkEvent(ev *data.Event) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	switch {
	case strings.IndexByte(string(ev.Kind), 0) >= 0 || strings.IndexByte(ev.Subject, 0) >= 0:
		return fmt.Errorf("%w: event kind %q or subject %q holds a NUL byte", data.ErrInvalid, ev.Kind, ev.Subject)
	}
	texts := []string{string(ev.Kind), ev.Subject, ev.Actor, ev.Role, string(ev.From), string(ev.To), ev.Comment,
		ev.Operator, ev.Reason, ev.Region, ev.Check}
	if e := ev.Evidence; e != nil {
		texts = append(texts, e.Name, e.Type, e.SHA256)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%w: event %d of %s %s holds text that is not UTF-8: %q", data.ErrInvalid, ev.Seq, ev.Kind, ev.Subject, s)
		}
	}
	return nil
}

// lastSeq returns the seq of the last event of (kind, subject), 0 when
// there is none.
func lastSeq(events *bolt.Bucket, kind data.SubjectKind, subject string) int {
	prefix := eventPrefix(kind, subject)
	c := events.Cursor()
	k, _ := c.Seek(eventKey(kind, subject, math.MaxInt64))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(k[len(prefix):]))
}

// AppendEvent appends ev to its subject's history in one write
// transaction (bbolt serialises writers, so of two appends with the same
// seq exactly one lands). Times are kept in UTC; an evidence content of
// zero length is returned as nil.
//
// Errors: data.ErrInvalid for no kind, subject or target state, a seq
// below 1, a NUL byte in kind or subject, text that is not UTF-8;
// data.ErrConflict (naming the subject and the seq expected) when ev.Seq
// is not the last stored plus one; ctx's error.
func (s *Store) AppendEvent(ctx context.Context, ev data.Event) error {
	if err := checkEvent(&ev); err != nil {
		return fmt.Errorf("embedded: append event: %w", err)
	}
	ev.At = ev.At.UTC()
	if ev.Deadline != nil {
		d := ev.Deadline.UTC()
		ev.Deadline = &d
	}
	var content []byte
	if ev.Evidence != nil {
		e := *ev.Evidence
		content, e.Content = e.Content, nil
		ev.Evidence = &e
	}
	v, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("embedded: append event: %w", err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		events := tx.Bucket(bEvents)
		if last := lastSeq(events, ev.Kind, ev.Subject); ev.Seq != last+1 {
			return fmt.Errorf("%w: %s %s has %d events, so the next is seq %d, not %d",
				data.ErrConflict, ev.Kind, ev.Subject, last, last+1, ev.Seq)
		}
		key := eventKey(ev.Kind, ev.Subject, ev.Seq)
		if err := events.Put(key, v); err != nil {
			return err
		}
		if ev.Evidence == nil {
			return nil
		}
		return tx.Bucket(bEvidence).Put(key, content)
	})
	if err != nil {
		return fmt.Errorf("embedded: append event: %w", err)
	}
	return nil
}

// Events returns the events matching f, without evidence content, ordered
// by kind, subject and seq. Errors: ctx's error; a corrupt record.
func (s *Store) Events(ctx context.Context, f data.EventFilter) ([]data.Event, error) {
	var out []data.Event
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var prefix []byte
		if f.Kind != "" {
			prefix = eventPrefix(f.Kind, f.Subject)
		}
		c := tx.Bucket(bEvents).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if f.Kind == "" && f.Subject != "" {
				// Only a subject: skip other subjects by their key.
				i := bytes.IndexByte(k, 0)
				if i < 0 || len(k) < i+1+1+8 {
					return fmt.Errorf("event key %q: %w", k, errCorrupt)
				}
				if string(k[i+1:len(k)-9]) != f.Subject {
					continue
				}
			}
			var ev data.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("event %q: %w", k, err)
			}
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: events: %w", err)
	}
	return out, nil
}

// EventEvidence returns one event with its evidence content.
//
// Errors: data.ErrNotFound (naming the event) when there is no such event
// or it has no evidence; ctx's error; a corrupt record.
func (s *Store) EventEvidence(ctx context.Context, kind data.SubjectKind, subject string, seq int) (data.Event, error) {
	var ev data.Event
	notFound := fmt.Errorf("event %d of %s %s: %w", seq, kind, subject, data.ErrNotFound)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if kind == "" || subject == "" || seq < 1 {
			return notFound
		}
		key := eventKey(kind, subject, seq)
		v := tx.Bucket(bEvents).Get(key)
		if v == nil {
			return notFound
		}
		if err := json.Unmarshal(v, &ev); err != nil {
			return fmt.Errorf("event %q: %w", key, err)
		}
		// A subject holding a NUL byte could alias another key.
		if ev.Kind != kind || ev.Subject != subject || ev.Seq != seq {
			return notFound
		}
		if ev.Evidence == nil {
			return fmt.Errorf("event %d of %s %s has no evidence: %w", seq, kind, subject, data.ErrNotFound)
		}
		if content := tx.Bucket(bEvidence).Get(key); len(content) > 0 {
			ev.Evidence.Content = bytes.Clone(content)
		}
		return nil
	})
	if err != nil {
		return data.Event{}, fmt.Errorf("embedded: event evidence: %w", err)
	}
	return ev, nil
}
