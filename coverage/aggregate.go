package coverage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// MeasurementSource streams stored measurements.
type MeasurementSource interface {
	ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error
}

type statKey struct {
	cell geo.Cell
	op   uint16
	tech data.Tech
}

type acc struct {
	n    int32
	sig  []float32
	dl   []float32
	last int64
}

// Aggregator accumulates measurements per cell × operator × technology.
// It is not safe for concurrent use.
type Aggregator struct {
	res   int
	ops   []string
	opIdx map[string]uint16
	m     map[statKey]*acc
	rows  int64
	// Skipped counts rows that could not be placed on the grid.
	Skipped int64
}

// NewAggregator returns an empty aggregator at H3 resolution res.
func NewAggregator(res int) *Aggregator {
	return &Aggregator{res: res, opIdx: map[string]uint16{}, m: map[statKey]*acc{}}
}

// Add accumulates a batch.
func (a *Aggregator) Add(ms []data.Measurement) {
	for i := range ms {
		m := &ms[i]
		cell, err := geo.CellAt(orb.Point{m.Lon, m.Lat}, a.res)
		if err != nil {
			a.Skipped++
			continue
		}
		op, ok := a.opIdx[m.MCCMNC]
		if !ok {
			op = uint16(len(a.ops))
			a.ops = append(a.ops, m.MCCMNC)
			a.opIdx[m.MCCMNC] = op
		}
		k := statKey{cell, op, m.Tech}
		s := a.m[k]
		if s == nil {
			s = &acc{}
			a.m[k] = s
		}
		s.n++
		if data.Has(m.SignalDBm) {
			s.sig = append(s.sig, m.SignalDBm)
		}
		if data.Has(m.DLMbps) {
			s.dl = append(s.dl, m.DLMbps)
		}
		if t := m.Time.UnixNano(); t > s.last {
			s.last = t
		}
		a.rows++
	}
}

// Rows returns the number of measurements placed on the grid.
func (a *Aggregator) Rows() int64 { return a.rows }

// Stats returns one classified stat per cell × operator × technology,
// ordered by operator, technology and cell.
func (a *Aggregator) Stats(t Thresholds) []data.CellStat {
	out := make([]data.CellStat, 0, len(a.m))
	for k, s := range a.m {
		st := data.CellStat{
			Cell: k.cell, MCCMNC: a.ops[k.op], Tech: k.tech, Samples: s.n,
			Last: time.Unix(0, s.last).UTC(),
		}
		st.SignalP10, st.SignalP50, st.SignalP90 = percentiles(s.sig)
		st.DLP10, st.DLP50, st.DLP90 = percentiles(s.dl)
		st.Level = t.Classify(st)
		out = append(out, st)
	}
	slices.SortFunc(out, compareStat)
	return out
}

func compareStat(x, y data.CellStat) int {
	switch {
	case x.MCCMNC != y.MCCMNC:
		if x.MCCMNC < y.MCCMNC {
			return -1
		}
		return 1
	case x.Tech != y.Tech:
		return int(x.Tech) - int(y.Tech)
	case x.Cell < y.Cell:
		return -1
	case x.Cell > y.Cell:
		return 1
	}
	return 0
}

// percentiles returns the nearest-rank p10, p50 and p90 of v (sorted in
// place), or Absent when v is empty.
func percentiles(v []float32) (p10, p50, p90 float32) {
	if len(v) == 0 {
		return data.Absent, data.Absent, data.Absent
	}
	slices.Sort(v)
	return rank(v, 0.10), rank(v, 0.50), rank(v, 0.90)
}

func rank(sorted []float32, p float64) float32 {
	n := len(sorted)
	i := int(float64(n)*p+0.999999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= n {
		i = n - 1
	}
	return sorted[i]
}

// Aggregate reads every stored measurement and returns the classified cell
// stats and a description of the run.
func Aggregate(ctx context.Context, src MeasurementSource, t Thresholds, progress func(rows int64)) ([]data.CellStat, data.CoverageRun, error) {
	a := NewAggregator(t.Resolution)
	err := src.ScanMeasurements(ctx, func(ms []data.Measurement) error {
		a.Add(ms)
		if progress != nil {
			progress(a.rows)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, data.CoverageRun{}, fmt.Errorf("aggregate measurements: %w", err)
	}
	stats := a.Stats(t)
	cells := map[geo.Cell]struct{}{}
	for _, s := range stats {
		cells[s.Cell] = struct{}{}
	}
	run := data.CoverageRun{Resolution: t.Resolution, ConfigVersion: t.Version, Measurements: a.rows, Cells: len(cells), ComputedAt: time.Now().UTC()}
	return stats, run, nil
}
