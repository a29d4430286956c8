package postgis

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return freshStore(t) })
}

// TestRebuildAggregates checks that the SQL GROUP BY rebuild gives the
// aggregates the uploads kept incrementally, and that a detached month
// leaves the incremental ones alone but drops out of a rebuild.
func TestRebuildAggregates(t *testing.T) {
	s := freshStore(t)
	ctx := t.Context()
	rows := benchRows(20_000) // 2026-09-01 onward, about 16 days
	late := benchRows(5_000)
	for i := range late {
		late[i].Time = late[i].Time.AddDate(0, 2, 0) // November
	}
	for i, rs := range [][]data.Measurement{rows, late} {
		fill := func(emit func([]data.Measurement) error) (data.Upload, error) { return data.Upload{}, emit(rs) }
		if _, err := s.AddUpload(ctx, data.Upload{SHA256: fmt.Sprint("r", i)}, fill); err != nil {
			t.Fatal(err)
		}
	}
	collect := func() []data.CellHist {
		var out []data.CellHist
		if err := s.CellHistograms(ctx, s.AggregateResolution(), func(hs []data.CellHist) error { out = append(out, hs...); return nil }); err != nil {
			t.Fatal(err)
		}
		data.SortHists(out)
		return out
	}
	before := collect()
	if _, err := s.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := collect(); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuilt aggregates differ: %d vs %d", len(before), len(after))
	}
	parts, err := s.Partitions(ctx)
	if err != nil || len(parts) != 2 || parts[0].Name != "measurements_y2026m09" || parts[1].Name != "measurements_y2026m11" {
		t.Fatalf("partitions = %+v, %v; want 2026-09 and 2026-11", parts, err)
	}
	done, err := s.DetachBefore(ctx, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(done) != 1 || done[0] != "measurements_y2026m09_detached" {
		t.Fatalf("DetachBefore = %v, %v", done, err)
	}
	if got := collect(); !reflect.DeepEqual(before, got) {
		t.Errorf("aggregates changed by a detach")
	}
	var n int
	scanErr := s.ScanMeasurements(ctx, func(ms []data.Measurement) error { n += len(ms); return nil })
	if scanErr != nil || n != len(late) {
		t.Errorf("after detach ScanMeasurements = %d rows, %v; want %d", n, scanErr, len(late))
	}
	// A new upload into the detached month recreates its partition.
	fill := func(emit func([]data.Measurement) error) (data.Upload, error) { return data.Upload{}, emit(rows[:10]) }
	if _, err := s.AddUpload(ctx, data.Upload{SHA256: "again"}, fill); err != nil {
		t.Fatalf("upload into a detached month: %v", err)
	}
	if _, err := s.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	var total int32
	for _, h := range collect() {
		total += h.Samples
	}
	if total != int32(len(late)+10) {
		t.Errorf("rebuilt after detach: %d samples, want %d", total, len(late)+10)
	}
}
