package postgis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/taghtia/taghtia/data"
)

// benchRows are measurements on ~8,800 places over Morocco and 3 months:
// about 23 rows per cell, like a national crowd upload.
func benchRows(n int) []data.Measurement {
	ops := []string{"604-00", "604-01", "604-02"}
	base := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	ms := make([]data.Measurement, n)
	for i := range ms {
		ms[i] = data.Measurement{
			Time: base.Add(time.Duration(i) * 7 * time.Second), Lon: -9.5 + float64(i%97)*0.071, Lat: 29.5 + float64(i%91)*0.052,
			MCCMNC: ops[i%3], Tech: data.Tech4G, SignalDBm: -70 - float32(i%60), RSRQDB: -11, SINRDB: data.Absent,
			DLMbps: float32(i%400) * 0.25, ULMbps: data.Absent, LatencyMs: data.Absent, AccuracyM: 5, Device: uint64(i % 5000),
		}
	}
	return ms
}

// BenchmarkIngest compares the store's upload path (COPY into the month
// partitions plus the per-cell aggregates, one transaction) with a
// bare pgx.CopyFrom of the same rows into an unpartitioned table with no
// aggregates: the ratio is what partitioning and incremental aggregates
// cost. Run: go test ./data/postgis -run '^$' -bench Ingest -benchtime 3x
func BenchmarkIngest(b *testing.B) {
	const n = 200_000
	rows := benchRows(n)
	s := freshStore(b)
	ctx := context.Background()
	b.Run("AddUpload", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			fill := func(emit func([]data.Measurement) error) (data.Upload, error) {
				for j := 0; j < n; j += 8192 {
					if err := emit(rows[j:min(j+8192, n)]); err != nil {
						return data.Upload{}, err
					}
				}
				return data.Upload{Rows: n, Accepted: n}, nil
			}
			if _, err := s.AddUpload(ctx, data.Upload{SHA256: fmt.Sprintf("bench-%d-%d", b.N, i), File: "bench"}, fill); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("RawCopyFrom", func(b *testing.B) {
		if _, err := s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS raw_copy (LIKE measurements)`); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_copy"}, measurementColumns, pgx.CopyFromSlice(n, func(j int) ([]any, error) {
					m := &rows[j]
					return []any{int64(i), int32(j), m.Time, m.Lon, m.Lat, nil, m.MCCMNC, int16(m.Tech),
						nullable(m.SignalDBm), nullable(m.RSRQDB), nullable(m.SINRDB), nullable(m.DLMbps), nullable(m.ULMbps),
						nullable(m.LatencyMs), nullable(m.AccuracyM), int16(m.Env), int16(m.Source), int64(m.Device), nil, nil}, nil
				}))
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkFold compares the two ways to aggregate an upload's rows per
// cell: in Go as they are copied (what AddUpload does; measured as the
// extra time of AddUpload over a COPY of the same rows is not separable,
// so here as HistBuilder alone) and in SQL with GROUP BY over the stored
// rows (RebuildAggregates).
func BenchmarkFold(b *testing.B) {
	const n = 200_000
	rows := benchRows(n)
	s := freshStore(b)
	ctx := context.Background()
	fill := func(emit func([]data.Measurement) error) (data.Upload, error) {
		return data.Upload{Rows: n}, emit(rows)
	}
	if _, err := s.AddUpload(ctx, data.Upload{SHA256: "fold", File: "bench"}, fill); err != nil {
		b.Fatal(err)
	}
	b.Run("Go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			h := data.NewHistBuilder(s.aggRes)
			h.Add(rows)
			_ = h.Hists()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("SQLGroupBy", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.RebuildAggregates(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
