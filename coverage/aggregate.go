package coverage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// HistSource gives the per-cell aggregates of the stored measurements.
type HistSource interface {
	CellHistograms(ctx context.Context, res int, fn func([]data.CellHist) error) error
}

// Stat turns one cell aggregate into a stat with nearest-rank p10, p50
// and p90 of the binned signal and downlink (Absent without samples). The
// level is left Unmeasured; see Thresholds.Classify.
func Stat(h data.CellHist) data.CellStat {
	st := data.CellStat{Cell: h.Cell, MCCMNC: h.MCCMNC, Tech: h.Tech, Samples: h.Samples, Last: h.Last.UTC()}
	st.SignalP10, st.SignalP50, st.SignalP90 = quantiles(h.Signal, data.SignalOf)
	st.DLP10, st.DLP50, st.DLP90 = quantiles(h.DL, data.DLOf)
	return st
}

func quantiles(bs []data.Bin, value func(int32) float32) (p10, p50, p90 float32) {
	out := [3]float32{data.Absent, data.Absent, data.Absent}
	for i, p := range []float64{0.10, 0.50, 0.90} {
		if v, ok := data.Percentile(bs, p); ok {
			out[i] = value(v)
		}
	}
	return out[0], out[1], out[2]
}

func compareStat(x, y data.CellStat) int {
	return data.CompareKeys(x.MCCMNC, x.Tech, x.Cell, y.MCCMNC, y.Tech, y.Cell)
}

// Aggregate reads the store's per-cell aggregates at the thresholds'
// resolution and returns the classified cell stats, ordered by operator,
// technology and cell, and a description of the run. progress is told
// the number of measurements covered so far.
func Aggregate(ctx context.Context, src HistSource, t Thresholds, progress func(rows int64)) ([]data.CellStat, data.CoverageRun, error) {
	var stats []data.CellStat
	var rows int64
	err := src.CellHistograms(ctx, t.Resolution, func(hs []data.CellHist) error {
		for _, h := range hs {
			st := Stat(h)
			st.Level = t.Classify(st)
			stats = append(stats, st)
			rows += int64(h.Samples)
		}
		if progress != nil {
			progress(rows)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, data.CoverageRun{}, fmt.Errorf("aggregate measurements: %w", err)
	}
	slices.SortFunc(stats, compareStat)
	cells := map[geo.Cell]struct{}{}
	for _, s := range stats {
		cells[s.Cell] = struct{}{}
	}
	run := data.CoverageRun{Resolution: t.Resolution, ConfigVersion: t.Version, Measurements: rows, Cells: len(cells), ComputedAt: time.Now().UTC()}
	return stats, run, nil
}
