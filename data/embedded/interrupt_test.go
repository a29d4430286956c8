package embedded

import (
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

// TestInterruptedUpload leaves the committed row chunks of an upload that
// never got its record, as a crash mid-file does: they are not read, and
// the next Open removes them.
func TestInterruptedUpload(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	// A real upload first, so the orphan sits among visible rows.
	good := testRows(1000)
	if _, err := s.AddUpload(ctx, data.Upload{SHA256: "good"}, func(emit func([]data.Measurement) error) (data.Upload, error) {
		return data.Upload{}, emit(good)
	}); err != nil {
		t.Fatal(err)
	}
	e := &emitter{ctx: ctx, db: s.db, id: 99}
	if err := e.emit(testRows(3 * commitEvery * 4096)); err != nil { // several committed transactions
		t.Fatal(err)
	}
	if err := e.flush(); err != nil {
		t.Fatal(err)
	}
	if err := e.finish(true); err != nil {
		t.Fatal(err)
	}
	count := func(s *Store) (rows int, chunks int) {
		s.ScanMeasurements(ctx, func(ms []data.Measurement) error { rows += len(ms); return nil })
		s.db.View(func(tx *bolt.Tx) error { chunks = tx.Bucket(bRows).Stats().KeyN; return nil })
		return
	}
	if rows, chunks := count(s); rows != len(good) || chunks < 3*commitEvery {
		t.Fatalf("before reopen: scan %d rows (want %d), %d chunks stored", rows, len(good), chunks)
	}
	s.Close()
	s, err = Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rows, chunks := count(s); rows != len(good) || chunks != 1 {
		t.Errorf("after reopen: scan %d rows, %d chunks; want %d rows in 1 chunk", rows, chunks, len(good))
	}
}

func testRows(n int) []data.Measurement {
	out := make([]data.Measurement, n)
	for i := range out {
		out[i] = data.Measurement{Time: time.Date(2026, 11, 1, 0, 0, i%60, 0, time.UTC), Lon: -7.6, Lat: 33.5, MCCMNC: "604-01", Tech: data.Tech4G,
			SignalDBm: -90, RSRQDB: data.Absent, SINRDB: data.Absent, DLMbps: data.Absent, ULMbps: data.Absent, LatencyMs: data.Absent, AccuracyM: data.Absent}
	}
	return out
}
