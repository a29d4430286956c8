package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
)

// fillWith returns a Fill that emits rows in batches of size and reports
// the counts, and a pointer to how many times it was called.
func fillWith(rows []data.Measurement, size int, rejected int64) (data.Fill, *int) {
	calls := 0
	return func(emit func([]data.Measurement) error) (data.Upload, error) {
		calls++
		for i := 0; i < len(rows); i += size {
			// A copy that is then scribbled on: stores must not keep it.
			batch := slices.Clone(rows[i:min(i+size, len(rows))])
			if err := emit(batch); err != nil {
				return data.Upload{}, err
			}
			clear(batch)
		}
		n := int64(len(rows))
		return data.Upload{Rows: n + rejected, Accepted: n, Rejected: rejected}, nil
	}, &calls
}

func upload(sha string) data.Upload {
	return data.Upload{SHA256: sha, File: sha + ".csv", Format: "csv", Operator: "604-01", Bytes: 12345, ReceivedAt: base}
}

// scanAll returns every stored measurement, sorted by Device.
func scanAll(t *testing.T, s data.Store) []data.Measurement {
	t.Helper()
	var out []data.Measurement
	err := s.ScanMeasurements(t.Context(), func(ms []data.Measurement) error {
		out = append(out, ms...)
		return nil
	})
	if err != nil {
		t.Fatalf("ScanMeasurements: %v", err)
	}
	slices.SortFunc(out, func(a, b data.Measurement) int { return cmpU64(a.Device, b.Device) })
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortedByDevice(ms []data.Measurement) []data.Measurement {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b data.Measurement) int { return cmpU64(a.Device, b.Device) })
	return ms
}

// checkMeasurements compares got, sorted by Device, with want in any order.
func checkMeasurements(t *testing.T, got, want []data.Measurement) {
	t.Helper()
	want = sortedByDevice(want)
	if len(got) != len(want) {
		t.Fatalf("got %d measurements, want %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		if d := diffMeasurement(got[i], want[i]); d != "" {
			t.Errorf("measurement of device %d: %s", want[i].Device, d)
			if bad++; bad == 5 {
				t.Fatalf("too many differences")
			}
		}
	}
}

func checkUpload(t *testing.T, what string, got, want data.Upload) {
	t.Helper()
	g, w := got, want
	g.ReceivedAt, w.ReceivedAt = time.Time{}, time.Time{}
	if g != w || !eqTime(got.ReceivedAt, want.ReceivedAt) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func testUploads(t *testing.T, open func(t *testing.T) data.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		rows := measurements(0, 1000)
		fill, _ := fillWith(rows, 300, 7)
		up, err := s.AddUpload(ctx, upload("aa"), fill)
		if err != nil {
			t.Fatalf("AddUpload: %v", err)
		}
		want := upload("aa")
		want.ID, want.Rows, want.Accepted, want.Rejected = up.ID, 1007, 1000, 7
		if up.ID <= 0 {
			t.Errorf("AddUpload ID = %d, want > 0", up.ID)
		}
		checkUpload(t, "AddUpload", up, want)
		got, err := s.Upload(ctx, up.ID)
		if err != nil {
			t.Fatalf("Upload(%d): %v", up.ID, err)
		}
		checkUpload(t, "Upload", got, want)
		if loc := got.ReceivedAt.Location(); loc != time.UTC {
			t.Errorf("Upload ReceivedAt location = %v, want UTC", loc)
		}
		list, err := s.Uploads(ctx)
		if err != nil {
			t.Fatalf("Uploads: %v", err)
		}
		if len(list) != 1 {
			t.Fatalf("Uploads = %d uploads, want 1", len(list))
		}
		checkUpload(t, "Uploads[0]", list[0], want)
		checkMeasurements(t, scanAll(t, s), rows)
	})

	t.Run("ReceivedAtDefaultsToNow", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		in := upload("bb")
		in.ReceivedAt = time.Time{}
		fill, _ := fillWith(nil, 1, 0)
		before := time.Now()
		up, err := s.AddUpload(ctx, in, fill)
		if err != nil {
			t.Fatalf("AddUpload: %v", err)
		}
		if d := up.ReceivedAt.Sub(before); up.ReceivedAt.IsZero() || d < -time.Second || d > time.Minute {
			t.Errorf("ReceivedAt = %v, want about %v", up.ReceivedAt, before)
		}
		got, err := s.Upload(ctx, up.ID)
		if err != nil {
			t.Fatalf("Upload: %v", err)
		}
		if d := got.ReceivedAt.Sub(up.ReceivedAt).Abs(); d > time.Millisecond {
			t.Errorf("stored ReceivedAt = %v, returned %v", got.ReceivedAt, up.ReceivedAt)
		}
		if got.Accepted != 0 || got.Rows != 0 {
			t.Errorf("empty upload counts = %d rows, %d accepted; want 0, 0", got.Rows, got.Accepted)
		}
	})

	t.Run("IDsAscend", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		var ids []int64
		for i, sha := range []string{"c1", "c2", "c3"} {
			fill, _ := fillWith(measurements(i*10, 10), 4, 0)
			up, err := s.AddUpload(ctx, upload(sha), fill)
			if err != nil {
				t.Fatalf("AddUpload(%s): %v", sha, err)
			}
			ids = append(ids, up.ID)
		}
		if !slices.IsSorted(ids) || ids[0] == ids[1] || ids[1] == ids[2] {
			t.Errorf("ids = %v, want strictly ascending", ids)
		}
		list, err := s.Uploads(ctx)
		if err != nil {
			t.Fatalf("Uploads: %v", err)
		}
		var got []int64
		for _, u := range list {
			got = append(got, u.ID)
		}
		if !slices.Equal(got, ids) {
			t.Errorf("Uploads ids = %v, want %v", got, ids)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.Upload(t.Context(), 424242)
		if !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Upload(424242) = %v, want ErrNotFound", err)
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		fill, _ := fillWith(measurements(0, 50), 20, 0)
		first, err := s.AddUpload(ctx, upload("dd"), fill)
		if err != nil {
			t.Fatalf("AddUpload: %v", err)
		}
		again, calls := fillWith(measurements(100, 50), 20, 0)
		second := upload("dd")
		second.File = "renamed.csv"
		_, err = s.AddUpload(ctx, second, again)
		var dup *data.DuplicateError
		if !errors.As(err, &dup) {
			t.Fatalf("AddUpload(same sha) = %v, want *data.DuplicateError", err)
		}
		if !errors.Is(err, data.ErrConflict) {
			t.Errorf("AddUpload(same sha) = %v, want it to match ErrConflict", err)
		}
		checkUpload(t, "DuplicateError.Existing", dup.Existing, first)
		if *calls != 0 {
			t.Errorf("fill called %d times for a duplicate, want 0", *calls)
		}
		if list, err := s.Uploads(ctx); err != nil || len(list) != 1 {
			t.Errorf("Uploads after duplicate = %d, %v; want 1 upload", len(list), err)
		}
		checkMeasurements(t, scanAll(t, s), measurements(0, 50))
	})

	t.Run("FillErrorStoresNothing", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		boom := errors.New("line 9001: bad column")
		rows := measurements(0, 10000)
		_, err := s.AddUpload(ctx, upload("ee"), func(emit func([]data.Measurement) error) (data.Upload, error) {
			for i := 0; i < len(rows); i += 1000 {
				if err := emit(rows[i : i+1000]); err != nil {
					return data.Upload{}, err
				}
			}
			return data.Upload{}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("AddUpload with failing fill = %v, want %v", err, boom)
		}
		if list, err := s.Uploads(ctx); err != nil || len(list) != 0 {
			t.Errorf("Uploads after failed fill = %d, %v; want none", len(list), err)
		}
		if got := scanAll(t, s); len(got) != 0 {
			t.Errorf("ScanMeasurements after failed fill = %d rows, want 0", len(got))
		}
		fill, calls := fillWith(rows[:10], 10, 0)
		up, err := s.AddUpload(ctx, upload("ee"), fill)
		if err != nil {
			t.Fatalf("AddUpload of the same sha after a failed fill: %v", err)
		}
		if *calls != 1 || up.Accepted != 10 {
			t.Errorf("retry: fill called %d times, accepted %d; want 1, 10", *calls, up.Accepted)
		}
		checkMeasurements(t, scanAll(t, s), rows[:10])
	})

	t.Run("Cancelled", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		rows := measurements(0, 5000)
		_, err := s.AddUpload(ctx, upload("ff"), func(emit func([]data.Measurement) error) (data.Upload, error) {
			if err := emit(rows[:2500]); err != nil {
				return data.Upload{}, err
			}
			cancel()
			if err := emit(rows[2500:]); err != nil {
				return data.Upload{}, err
			}
			return data.Upload{Rows: 5000, Accepted: 5000}, nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("AddUpload cancelled during fill = %v, want context.Canceled", err)
		}
		_, err = s.AddUpload(ctx, upload("fg"), func(emit func([]data.Measurement) error) (data.Upload, error) {
			return data.Upload{}, emit(rows)
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("AddUpload with a cancelled ctx = %v, want context.Canceled", err)
		}
		if list, err := s.Uploads(t.Context()); err != nil || len(list) != 0 {
			t.Errorf("Uploads after cancel = %d, %v; want none", len(list), err)
		}
		if got := scanAll(t, s); len(got) != 0 {
			t.Errorf("ScanMeasurements after cancel = %d rows, want 0", len(got))
		}
		fill, _ := fillWith(rows, 1000, 0)
		if _, err := s.AddUpload(t.Context(), upload("ff"), fill); err != nil {
			t.Errorf("AddUpload of the same sha after a cancel: %v", err)
		}
	})
}

func testScan(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	parts := []struct {
		sha      string
		from, n  int
		batch    int
		rejected int64
	}{
		{"big", 0, 25000, 25000, 3}, // one big batch
		{"small", 25000, 10000, 1000, 0},
		{"one", 35000, 1, 1, 0},
		{"odd", 35001, 9999, 4097, 0},
	}
	var all []data.Measurement
	for _, p := range parts {
		rows := measurements(p.from, p.n)
		all = append(all, rows...)
		fill, _ := fillWith(rows, p.batch, p.rejected)
		if _, err := s.AddUpload(ctx, upload(p.sha), fill); err != nil {
			t.Fatalf("AddUpload(%s): %v", p.sha, err)
		}
	}

	t.Run("All", func(t *testing.T) {
		// Keep every batch as handed out: they must stay intact.
		var batches [][]data.Measurement
		err := s.ScanMeasurements(ctx, func(ms []data.Measurement) error {
			batches = append(batches, ms)
			return nil
		})
		if err != nil {
			t.Fatalf("ScanMeasurements: %v", err)
		}
		var got []data.Measurement
		for _, b := range batches {
			got = append(got, b...)
		}
		checkMeasurements(t, sortedByDevice(got), all)
	})

	t.Run("StopsOnError", func(t *testing.T) {
		stop := errors.New("enough")
		calls, seen := 0, 0
		err := s.ScanMeasurements(ctx, func(ms []data.Measurement) error {
			calls++
			seen += len(ms)
			return stop
		})
		if !errors.Is(err, stop) {
			t.Errorf("ScanMeasurements = %v, want %v", err, stop)
		}
		if calls != 1 || seen == 0 {
			t.Errorf("fn called %d times with %d rows, want once with some", calls, seen)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := s.ScanMeasurements(cctx, func([]data.Measurement) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ScanMeasurements(cancelled) = %v, want context.Canceled", err)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		e := open(t)
		n := 0
		err := e.ScanMeasurements(t.Context(), func(ms []data.Measurement) error {
			n += len(ms)
			return nil
		})
		if err != nil || n != 0 {
			t.Errorf("ScanMeasurements on an empty store = %d rows, %v; want 0, nil", n, err)
		}
	})
}

func testConcurrent(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	const writers, each = 4, 2000
	errs := make(chan error, writers*2)
	for w := range writers {
		go func() {
			fill, _ := fillWith(measurements(w*each, each), 500, 0)
			_, err := s.AddUpload(ctx, upload(fmt.Sprintf("w%d", w)), fill)
			errs <- err
		}()
		go func() {
			_, err := s.Uploads(ctx)
			if err == nil {
				err = s.ScanMeasurements(ctx, func([]data.Measurement) error { return nil })
			}
			errs <- err
		}()
	}
	for range writers * 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent call: %v", err)
		}
	}
	checkMeasurements(t, scanAll(t, s), measurements(0, writers*each))
}
