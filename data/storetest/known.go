package storetest

import (
	"errors"
	"testing"

	"github.com/taghtia/taghtia/data"
)

func fingerprints(ms []data.Measurement) []uint64 {
	out := make([]uint64, len(ms))
	for i := range ms {
		out[i] = ms[i].Fingerprint()
	}
	return out
}

func testKnownRows(t *testing.T, open func(t *testing.T) data.Store) {
	t.Run("StoredRowsAreKnownByFirstUpload", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if got, err := s.KnownRows(ctx, fingerprints(measurements(0, 10))); err != nil || len(got) != 0 {
			t.Fatalf("KnownRows on an empty store = %v, %v; want none", got, err)
		}
		fill, _ := fillWith(measurements(0, 5000), 700, 0)
		first, err := s.AddUpload(ctx, upload("k1"), fill)
		if err != nil {
			t.Fatal(err)
		}
		// A second upload overlapping the first: rows 4000..5999.
		fill, _ = fillWith(measurements(4000, 2000), 700, 0)
		second, err := s.AddUpload(ctx, upload("k2"), fill)
		if err != nil {
			t.Fatal(err)
		}
		probe := fingerprints(measurements(3990, 2020)) // 3990..6009
		got, err := s.KnownRows(ctx, probe)
		if err != nil {
			t.Fatalf("KnownRows: %v", err)
		}
		for i, fp := range probe {
			n := 3990 + i
			want, known := int64(0), false
			switch {
			case n < 5000:
				want, known = first.ID, true
			case n < 6000:
				want, known = second.ID, true
			}
			id, ok := got[fp]
			if ok != known || id != want {
				t.Errorf("row %d: KnownRows = %d, %v; want %d, %v", n, id, ok, want, known)
				break
			}
		}
		if len(got) != 2010 {
			t.Errorf("KnownRows found %d of the probe, want 2010", len(got))
		}
	})

	t.Run("AbortedUploadIsNotKnown", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		rows := measurements(0, 3000)
		boom := errors.New("bad line")
		_, err := s.AddUpload(ctx, upload("k3"), func(emit func([]data.Measurement) error) (data.Upload, error) {
			if err := emit(rows); err != nil {
				return data.Upload{}, err
			}
			return data.Upload{}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("AddUpload = %v, want %v", err, boom)
		}
		if got, err := s.KnownRows(ctx, fingerprints(rows)); err != nil || len(got) != 0 {
			t.Errorf("KnownRows after an aborted upload = %d known, %v; want none", len(got), err)
		}
	})
}
