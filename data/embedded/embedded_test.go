package embedded_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/data/storetest"
	"github.com/taghtia/taghtia/geo"
)

func open(t testing.TB, dir string, opts embedded.Options) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s := open(t, t.TempDir(), embedded.Options{NoSync: true})
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

func rows(n int) []data.Measurement {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	ops := []string{"604-00", "604-01", "604-02"}
	out := make([]data.Measurement, n)
	for i := range out {
		out[i] = data.Measurement{
			Time: t0.Add(time.Duration(i) * time.Second), Lon: -7 + float64(i%1000)*1e-4, Lat: 33 + float64(i/1000%1000)*1e-4,
			MCCMNC: ops[i%3], Tech: data.Techs[i%4], SignalDBm: -90, RSRQDB: data.Absent, SINRDB: 12, DLMbps: 25,
			ULMbps: data.Absent, LatencyMs: 30, AccuracyM: 5, Device: uint64(i),
		}
	}
	return out
}

func fill(ms []data.Measurement, batch int) data.Fill {
	return func(emit func([]data.Measurement) error) (data.Upload, error) {
		for i := 0; i < len(ms); i += batch {
			if err := emit(ms[i:min(i+batch, len(ms))]); err != nil {
				return data.Upload{}, err
			}
		}
		return data.Upload{Rows: int64(len(ms)), Accepted: int64(len(ms))}, nil
	}
}

func count(t testing.TB, s *embedded.Store) int {
	t.Helper()
	n := 0
	if err := s.ScanMeasurements(t.Context(), func(ms []data.Measurement) error { n += len(ms); return nil }); err != nil {
		t.Fatalf("ScanMeasurements: %v", err)
	}
	return n
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s := open(t, dir, embedded.Options{})
	up, err := s.AddUpload(ctx, data.Upload{SHA256: "abc", File: "a.csv"}, fill(rows(10000), 3000))
	if err != nil {
		t.Fatalf("AddUpload: %v", err)
	}
	area := data.Area{Level: data.LevelRegion, Code: "01", NameFR: "Tanger", Geom: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}
	if err := s.ReplaceAreas(ctx, data.LevelRegion, []data.Area{area}); err != nil {
		t.Fatalf("ReplaceAreas: %v", err)
	}
	snap, err := s.AddSnapshot(ctx, data.Snapshot{ConfigVersion: "v1"}, []data.Zone{{ID: "z1", Kind: data.White, Cells: []geo.Cell{0x8828308281fffff}}})
	if err != nil {
		t.Fatalf("AddSnapshot: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, dir, embedded.Options{})
	defer s.Close()
	if got, err := s.Upload(ctx, up.ID); err != nil || got != up {
		t.Errorf("Upload after reopen = %+v, %v; want %+v", got, err, up)
	}
	if n := count(t, s); n != 10000 {
		t.Errorf("rows after reopen = %d, want 10000", n)
	}
	if got, err := s.Areas(ctx, data.LevelRegion); err != nil || len(got) != 1 || !orb.Equal(got[0].Geom, area.Geom) {
		t.Errorf("Areas after reopen = %+v, %v", got, err)
	}
	if z, err := s.Zone(ctx, snap.ID, "z1"); err != nil || len(z.Cells) != 1 || z.Cells[0] != 0x8828308281fffff {
		t.Errorf("Zone after reopen = %+v, %v", z, err)
	}
	// Ids keep counting after a reopen.
	next, err := s.AddUpload(ctx, data.Upload{SHA256: "def"}, fill(nil, 1))
	if err != nil || next.ID <= up.ID {
		t.Errorf("next upload after reopen = %d, %v; want id > %d", next.ID, err, up.ID)
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, embedded.Options{})
	defer s.Close()
	start := time.Now()
	_, err := embedded.Open(dir, embedded.Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, data.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory %s", err, dir)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v with a 50ms timeout", d)
	}
}

func TestAbortedUploadLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s := open(t, dir, embedded.Options{})
	boom := errors.New("boom")
	_, err := s.AddUpload(ctx, data.Upload{SHA256: "x"}, func(emit func([]data.Measurement) error) (data.Upload, error) {
		if err := emit(rows(20000)); err != nil {
			return data.Upload{}, err
		}
		return data.Upload{}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("AddUpload = %v, want %v", err, boom)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = open(t, dir, embedded.Options{})
	defer s.Close()
	if ups, err := s.Uploads(ctx); err != nil || len(ups) != 0 {
		t.Errorf("Uploads after reopen = %v, %v; want none", ups, err)
	}
	if n := count(t, s); n != 0 {
		t.Errorf("rows after reopen = %d, want 0", n)
	}
}

func TestTimeEdges(t *testing.T) {
	s := open(t, t.TempDir(), embedded.Options{NoSync: true})
	defer s.Close()
	ctx := t.Context()
	in := []data.Measurement{
		{Time: time.Time{}, MCCMNC: "", SignalDBm: float32(math.Inf(-1))},
		{Time: time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC), MCCMNC: strings.Repeat("9", 300)},
		{Time: time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	if _, err := s.AddUpload(ctx, data.Upload{SHA256: "t"}, fill(in, 10)); err != nil {
		t.Fatalf("AddUpload: %v", err)
	}
	var got []data.Measurement
	if err := s.ScanMeasurements(ctx, func(ms []data.Measurement) error { got = append(got, ms...); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !got[i].Time.Equal(in[i].Time) || got[i].Time.IsZero() != in[i].Time.IsZero() || got[i].MCCMNC != in[i].MCCMNC {
			t.Errorf("row %d = %v %q, want %v %q", i, got[i].Time, got[i].MCCMNC, in[i].Time, in[i].MCCMNC)
		}
	}
	_, err := s.AddUpload(ctx, data.Upload{SHA256: "far"}, fill([]data.Measurement{{Time: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}}, 1))
	if !errors.Is(err, data.ErrInvalid) {
		t.Errorf("AddUpload with a time in 3000 = %v, want ErrInvalid", err)
	}
}

const benchRows = 1_000_000

func BenchmarkAddUpload(b *testing.B) {
	s := open(b, b.TempDir(), embedded.Options{})
	defer s.Close()
	ms := rows(benchRows)
	b.ReportAllocs()
	i := 0
	start := time.Now()
	for b.Loop() {
		i++
		if _, err := s.AddUpload(b.Context(), data.Upload{SHA256: fmt.Sprint(i)}, fill(ms, 4096)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i*benchRows)/time.Since(start).Seconds(), "rows/s")
}

func BenchmarkScanMeasurements(b *testing.B) {
	s := open(b, b.TempDir(), embedded.Options{NoSync: true})
	defer s.Close()
	if _, err := s.AddUpload(b.Context(), data.Upload{SHA256: "s"}, fill(rows(benchRows), 4096)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	start := time.Now()
	for b.Loop() {
		n += count(b, s)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

func BenchmarkCellStats(b *testing.B) {
	s := open(b, b.TempDir(), embedded.Options{NoSync: true})
	defer s.Close()
	const cells = 100_000
	var stats []data.CellStat
	for _, op := range []string{"604-00", "604-01", "604-02"} {
		for _, tech := range data.Techs {
			for c := range cells {
				stats = append(stats, data.CellStat{Cell: geo.Cell(0x882830828000000 + c), MCCMNC: op, Tech: tech, Samples: 10, SignalP50: -90, DLP50: data.Absent, Last: time.Now(), Level: data.LevelGood})
			}
		}
	}
	if err := s.ReplaceCoverage(b.Context(), data.CoverageRun{Cells: cells}, stats); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		f    data.CellStatFilter
	}{
		{"All", data.CellStatFilter{}},
		{"OperatorTech", data.CellStatFilter{MCCMNC: "604-01", Tech: data.Tech4G}},
		{"Tech", data.CellStatFilter{Tech: data.Tech4G}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			start := time.Now()
			for b.Loop() {
				got, err := s.CellStats(b.Context(), bc.f)
				if err != nil {
					b.Fatal(err)
				}
				n += len(got)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "stats/s")
		})
	}
}
