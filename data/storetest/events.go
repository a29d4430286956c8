package storetest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
)

// event returns event seq of (kind, subject) with every field set, times
// outside UTC, and evidence (with content) when withEvidence.
func event(kind data.SubjectKind, subject string, seq int, withEvidence bool) data.Event {
	deadline := base.AddDate(0, 6, seq).In(time.FixedZone("-03", -3*3600))
	ev := data.Event{
		Kind: kind, Subject: subject, Seq: seq,
		At:       base.Add(time.Duration(seq) * time.Hour),
		Actor:    "ANRT " + subject,
		Role:     "regulator",
		From:     data.States[(seq-1)%len(data.States)],
		To:       data.States[seq%len(data.States)],
		Comment:  fmt.Sprintf("étape %d — مرحلة", seq),
		Operator: "604-01",
		Deadline: &deadline,
		Reason:   []string{"", "hors programme"}[seq%2],
		Snapshot: int64(10 + seq),
		Region:   "04",
		Check:    fmt.Sprintf(`{"samples":%d,"level":"good"}`, seq*7),
	}
	if withEvidence {
		content := make([]byte, 3000+seq)
		for i := range content {
			content[i] = byte(i*31 + seq) // every byte value, NUL included
		}
		ev.Evidence = &data.EvidenceFile{Name: fmt.Sprintf("rapport-%d.pdf", seq), Type: "application/pdf",
			Size: int64(len(content)), SHA256: fmt.Sprintf("%064x", seq), Content: content}
	}
	return ev
}

// bare is an event with only what the contract requires.
func bare(kind data.SubjectKind, subject string, seq int) data.Event {
	return data.Event{Kind: kind, Subject: subject, Seq: seq, At: base, To: data.StatePlanned}
}

// listed is ev as Events returns it: no evidence content.
func listed(ev data.Event) data.Event {
	if ev.Evidence != nil {
		e := *ev.Evidence
		e.Content = nil
		ev.Evidence = &e
	}
	return ev
}

// diffEvent describes how got differs from want, or "". Times must be the
// same instants, in UTC.
func diffEvent(got, want data.Event) string {
	if !eqTime(got.At, want.At) || got.At.Location() != time.UTC {
		return fmt.Sprintf("At = %v, want %v in UTC", got.At, want.At)
	}
	switch {
	case (got.Deadline == nil) != (want.Deadline == nil):
		return fmt.Sprintf("Deadline = %v, want %v", got.Deadline, want.Deadline)
	case got.Deadline != nil && (!eqTime(*got.Deadline, *want.Deadline) || got.Deadline.Location() != time.UTC):
		return fmt.Sprintf("Deadline = %v, want %v in UTC", *got.Deadline, *want.Deadline)
	case (got.Evidence == nil) != (want.Evidence == nil):
		return fmt.Sprintf("Evidence = %+v, want %+v", got.Evidence, want.Evidence)
	}
	if got.Evidence != nil {
		g, w := *got.Evidence, *want.Evidence
		if !bytes.Equal(g.Content, w.Content) || (g.Content == nil) != (w.Content == nil) {
			return fmt.Sprintf("Evidence.Content = %d bytes (nil %v), want %d bytes (nil %v)", len(g.Content), g.Content == nil, len(w.Content), w.Content == nil)
		}
		if g.Name != w.Name || g.Type != w.Type || g.Size != w.Size || g.SHA256 != w.SHA256 {
			return fmt.Sprintf("Evidence = %+v, want %+v", g, w)
		}
	}
	g, w := got, want
	g.At, w.At, g.Deadline, w.Deadline, g.Evidence, w.Evidence = time.Time{}, time.Time{}, nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("event = %+v, want %+v", g, w)
	}
	return ""
}

func checkEvents(t *testing.T, what string, got, want []data.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %d events %v, want %d %v", what, len(got), eventKeys(got), len(want), eventKeys(want))
	}
	for i := range want {
		if d := diffEvent(got[i], listed(want[i])); d != "" {
			t.Fatalf("%s[%d] (%s %s %d): %s", what, i, want[i].Kind, want[i].Subject, want[i].Seq, d)
		}
	}
}

func eventKeys(evs []data.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%s/%s/%d", ev.Kind, ev.Subject, ev.Seq)
	}
	return out
}

func sortEvents(evs []data.Event) []data.Event {
	evs = slices.Clone(evs)
	slices.SortFunc(evs, func(a, b data.Event) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Subject, b.Subject), cmp.Compare(a.Seq, b.Seq))
	})
	return evs
}

func appendAll(t *testing.T, s data.Store, evs []data.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := s.AppendEvent(t.Context(), ev); err != nil {
			t.Fatalf("AppendEvent(%s %s %d): %v", ev.Kind, ev.Subject, ev.Seq, err)
		}
	}
}

func listEvents(t *testing.T, s data.Store, f data.EventFilter) []data.Event {
	t.Helper()
	got, err := s.Events(t.Context(), f)
	if err != nil {
		t.Fatalf("Events(%+v): %v", f, err)
	}
	return got
}

func testEvents(t *testing.T, open func(t *testing.T) data.Store) {
	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		if got := listEvents(t, s, data.EventFilter{}); len(got) != 0 {
			t.Errorf("Events on an empty store = %v, want none", eventKeys(got))
		}
		if _, err := s.EventEvidence(t.Context(), data.SubjectZone, "Z-1", 1); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("EventEvidence on an empty store = %v, want ErrNotFound", err)
		}
	})
	t.Run("AppendAndList", func(t *testing.T) { testEventList(t, open(t)) })
	t.Run("Conflict", func(t *testing.T) { testEventConflict(t, open(t)) })
	t.Run("ConcurrentAppend", func(t *testing.T) { testEventRace(t, open(t)) })
	t.Run("Evidence", func(t *testing.T) { testEventEvidence(t, open(t)) })
	t.Run("Invalid", func(t *testing.T) { testEventInvalid(t, open(t)) })
}

func testEventList(t *testing.T, s data.Store) {
	// Subjects where one is a prefix of another, appended interleaved and
	// out of key order; the store must order by kind, subject, seq.
	var all []data.Event
	for seq := 1; seq <= 3; seq++ {
		all = append(all, event(data.SubjectZone, "Z-b", seq, seq == 2), event(data.SubjectZone, "Z-a", seq, false))
		if seq <= 2 {
			all = append(all, event(data.SubjectZone, "Z-ab", seq, seq == 1), event(data.SubjectSite, "Z-a", seq, false))
		}
	}
	all = append(all, bare(data.SubjectSite, "S-9", 1), bare(data.SubjectZone, "Z", 1))
	appendAll(t, s, all)
	want := sortEvents(all)
	checkEvents(t, "Events", listEvents(t, s, data.EventFilter{}), want)
	if got := listEvents(t, s, data.EventFilter{}); got[0].Kind != data.SubjectSite || got[len(got)-1].Subject != "Z-b" || got[len(got)-1].Seq != 3 {
		t.Errorf("Events order = %v", eventKeys(got))
	}

	for _, tc := range []struct {
		name string
		f    data.EventFilter
	}{
		{"Kind", data.EventFilter{Kind: data.SubjectZone}},
		{"OtherKind", data.EventFilter{Kind: data.SubjectSite}},
		{"Subject", data.EventFilter{Subject: "Z-a"}}, // in both kinds
		{"KindAndSubject", data.EventFilter{Kind: data.SubjectZone, Subject: "Z-a"}},
		{"PrefixSubject", data.EventFilter{Kind: data.SubjectZone, Subject: "Z"}},
		{"NoSuchSubject", data.EventFilter{Subject: "Z-c"}},
		{"NoSuchKind", data.EventFilter{Kind: "planet"}},
		{"SubjectOfOtherKind", data.EventFilter{Kind: data.SubjectSite, Subject: "Z-b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var match []data.Event
			for _, ev := range want {
				if (tc.f.Kind == "" || ev.Kind == tc.f.Kind) && (tc.f.Subject == "" || ev.Subject == tc.f.Subject) {
					match = append(match, ev)
				}
			}
			checkEvents(t, fmt.Sprintf("Events(%+v)", tc.f), listEvents(t, s, tc.f), match)
		})
	}

	t.Run("OwnCopy", func(t *testing.T) {
		got := listEvents(t, s, data.EventFilter{Kind: data.SubjectZone, Subject: "Z-b"})
		got[1].Evidence.Name = "changed"
		*got[0].Deadline = time.Time{}
		var zb []data.Event
		for _, ev := range want {
			if ev.Kind == data.SubjectZone && ev.Subject == "Z-b" {
				zb = append(zb, ev)
			}
		}
		checkEvents(t, "Events after changing a returned copy", listEvents(t, s, data.EventFilter{Kind: data.SubjectZone, Subject: "Z-b"}), zb)
	})
}

// namesNumber reports whether msg holds n as a number of its own.
func namesNumber(msg string, n int) bool {
	return regexp.MustCompile(`(^|\D)` + strconv.Itoa(n) + `(\D|$)`).MatchString(msg)
}

func testEventConflict(t *testing.T, s data.Store) {
	ctx := t.Context()
	subject := "Z-conflict"
	if err := s.AppendEvent(ctx, event(data.SubjectZone, subject, 2, true)); !errors.Is(err, data.ErrConflict) {
		t.Errorf("AppendEvent(seq 2) on a new subject = %v, want ErrConflict", err)
	} else if msg := err.Error(); !strings.Contains(msg, subject) || !namesNumber(msg, 1) {
		t.Errorf("AppendEvent(seq 2) error %q does not name %s and seq 1", msg, subject)
	}
	first := []data.Event{event(data.SubjectZone, subject, 1, true), event(data.SubjectZone, subject, 2, false)}
	appendAll(t, s, first)

	for _, tc := range []struct {
		name string
		ev   data.Event
	}{
		{"Gap", event(data.SubjectZone, subject, 4, true)},
		{"Repeat", event(data.SubjectZone, subject, 2, true)},
		{"RepeatFirst", bare(data.SubjectZone, subject, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Actor = "someone else"
			err := s.AppendEvent(ctx, tc.ev)
			if !errors.Is(err, data.ErrConflict) {
				t.Fatalf("AppendEvent(seq %d after 2) = %v, want ErrConflict", tc.ev.Seq, err)
			}
			if msg := err.Error(); !strings.Contains(msg, subject) || !namesNumber(msg, 3) {
				t.Errorf("AppendEvent(seq %d) error %q does not name %s and the expected seq 3", tc.ev.Seq, msg, subject)
			}
			checkEvents(t, "Events after a conflict", listEvents(t, s, data.EventFilter{}), first)
			// The stored event of that seq is the first one, and a gap's
			// seq stored nothing, evidence included.
			if tc.ev.Seq == 4 {
				if _, err := s.EventEvidence(ctx, data.SubjectZone, subject, 4); !errors.Is(err, data.ErrNotFound) {
					t.Errorf("EventEvidence of the refused seq 4 = %v, want ErrNotFound", err)
				}
			}
			if tc.ev.Seq == 2 {
				if _, err := s.EventEvidence(ctx, data.SubjectZone, subject, 2); !errors.Is(err, data.ErrNotFound) {
					t.Errorf("EventEvidence of seq 2 (stored without evidence) after a refused repeat with evidence = %v, want ErrNotFound", err)
				}
			}
		})
	}
	// The next seq still goes in.
	next := event(data.SubjectZone, subject, 3, false)
	appendAll(t, s, []data.Event{next})
	checkEvents(t, "Events after the conflicts", listEvents(t, s, data.EventFilter{}), append(first, next))
}

func testEventRace(t *testing.T, s data.Store) {
	ctx := t.Context()
	const racers, rounds = 4, 5
	subject := "Z-race"
	var stored []data.Event
	for seq := 1; seq <= rounds; seq++ {
		start := make(chan struct{})
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for r := range racers {
			wg.Go(func() {
				ev := event(data.SubjectZone, subject, seq, r%2 == 0)
				ev.Actor = "racer " + strconv.Itoa(r)
				<-start
				errs[r] = s.AppendEvent(ctx, ev)
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for r, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("seq %d: racers %d and %d both appended", seq, winner, r)
			case err == nil:
				winner = r
			case !errors.Is(err, data.ErrConflict):
				t.Fatalf("seq %d: racer %d: %v, want nil or ErrConflict", seq, r, err)
			}
		}
		if winner < 0 {
			t.Fatalf("seq %d: every racer got a conflict: %v", seq, errs)
		}
		ev := event(data.SubjectZone, subject, seq, winner%2 == 0)
		ev.Actor = "racer " + strconv.Itoa(winner)
		stored = append(stored, ev)
		checkEvents(t, fmt.Sprintf("Events after round %d", seq), listEvents(t, s, data.EventFilter{Subject: subject}), stored)
	}
}

func testEventEvidence(t *testing.T, s data.Store) {
	ctx := t.Context()
	withContent := event(data.SubjectSite, "S-1", 1, true)
	noEvidence := event(data.SubjectSite, "S-1", 2, false)
	emptyFile := bare(data.SubjectSite, "S-1", 3)
	emptyFile.Evidence = &data.EvidenceFile{Name: "vide.txt", Type: "text/plain", Size: 0,
		SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
	appendAll(t, s, []data.Event{withContent, noEvidence, emptyFile})
	sent := withContent.Evidence.Content
	kept := bytes.Clone(sent)
	sent[0] ^= 0xff // the store must have copied it

	got, err := s.EventEvidence(ctx, data.SubjectSite, "S-1", 1)
	if err != nil {
		t.Fatalf("EventEvidence: %v", err)
	}
	want := withContent
	want.Evidence = &data.EvidenceFile{Name: want.Evidence.Name, Type: want.Evidence.Type, Size: want.Evidence.Size,
		SHA256: want.Evidence.SHA256, Content: kept}
	if d := diffEvent(got, want); d != "" {
		t.Fatalf("EventEvidence: %s", d)
	}
	got.Evidence.Content[1] ^= 0xff
	again, err := s.EventEvidence(ctx, data.SubjectSite, "S-1", 1)
	if err != nil || !bytes.Equal(again.Evidence.Content, kept) {
		t.Errorf("EventEvidence after changing a returned copy = %v; content changed", err)
	}

	list := listEvents(t, s, data.EventFilter{Kind: data.SubjectSite})
	checkEvents(t, "Events", list, []data.Event{want, noEvidence, emptyFile})
	for i, ev := range list {
		if ev.Evidence != nil && ev.Evidence.Content != nil {
			t.Errorf("Events[%d].Evidence.Content = %d bytes, want none (only EventEvidence returns it)", i, len(ev.Evidence.Content))
		}
	}

	if got, err := s.EventEvidence(ctx, data.SubjectSite, "S-1", 3); err != nil {
		t.Errorf("EventEvidence of an empty evidence file: %v", err)
	} else if got.Evidence == nil || len(got.Evidence.Content) != 0 || got.Evidence.Name != "vide.txt" {
		t.Errorf("EventEvidence of an empty evidence file = %+v", got.Evidence)
	}

	for _, tc := range []struct {
		name    string
		kind    data.SubjectKind
		subject string
		seq     int
	}{
		{"NoEvidence", data.SubjectSite, "S-1", 2},
		{"NoSuchSeq", data.SubjectSite, "S-1", 4},
		{"SeqZero", data.SubjectSite, "S-1", 0},
		{"NoSuchSubject", data.SubjectSite, "S-2", 1},
		{"OtherKind", data.SubjectZone, "S-1", 1},
		{"PrefixSubject", data.SubjectSite, "S-", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ev, err := s.EventEvidence(ctx, tc.kind, tc.subject, tc.seq); !errors.Is(err, data.ErrNotFound) {
				t.Errorf("EventEvidence(%s, %s, %d) = %+v, %v; want ErrNotFound", tc.kind, tc.subject, tc.seq, ev, err)
			}
		})
	}
}

func testEventInvalid(t *testing.T, s data.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		change func(*data.Event)
	}{
		{"NoKind", func(ev *data.Event) { ev.Kind = "" }},
		{"NoSubject", func(ev *data.Event) { ev.Subject = "" }},
		{"NoTargetState", func(ev *data.Event) { ev.To = "" }},
		{"SeqZero", func(ev *data.Event) { ev.Seq = 0 }},
		{"SeqNegative", func(ev *data.Event) { ev.Seq = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := event(data.SubjectZone, "Z-1", 1, true)
			tc.change(&ev)
			if err := s.AppendEvent(ctx, ev); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("AppendEvent = %v, want ErrInvalid", err)
			}
			if got := listEvents(t, s, data.EventFilter{}); len(got) != 0 {
				t.Errorf("Events after an invalid append = %v, want none", eventKeys(got))
			}
		})
	}
}
