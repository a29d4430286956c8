package data

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
)

// Bin is one histogram bin: N samples of binned value V.
type Bin struct {
	V int32
	N int32
}

// SignalBin bins a signal strength to whole dBm, the reporting step of
// 3GPP RSRP/RSCP/RSSI (TS 36.133 §9.1.4): nothing finer is measured.
func SignalBin(dbm float32) int32 { return int32(math.Round(float64(dbm))) }

// SignalOf is the value a signal bin stands for.
func SignalOf(bin int32) float32 { return float32(bin) }

// DLBin bins a downlink speed to 0.1 Mbit/s.
func DLBin(mbps float32) int32 { return int32(math.Round(float64(mbps) * 10)) }

// DLOf is the value a downlink bin stands for.
func DLOf(bin int32) float32 { return float32(bin) / 10 }

// CellHist is the aggregate of every stored measurement of one H3 cell ×
// operator × technology: sample count, newest time, and the binned signal
// and downlink distributions (bins ascending by V). Stores may keep it
// incrementally, so a recompute never rereads raw rows.
type CellHist struct {
	Cell    geo.Cell
	MCCMNC  string
	Tech    Tech
	Samples int32
	Last    time.Time
	Signal  []Bin
	DL      []Bin
}

type histKey struct {
	cell geo.Cell
	op   string
	tech Tech
}

// histAcc accumulates one key. Bins are kept as sorted slices: a cell has
// tens of distinct values, where a map would cost several times the
// memory (a national upload folds ~230k keys).
type histAcc struct {
	samples int32
	last    int64
	sig     []Bin
	dl      []Bin
}

// addBin counts v in the sorted bins.
func addBin(bs *[]Bin, v int32) {
	b := *bs
	i, found := slices.BinarySearchFunc(b, v, func(x Bin, v int32) int { return cmp.Compare(x.V, v) })
	if found {
		b[i].N++
		return
	}
	*bs = slices.Insert(b, i, Bin{V: v, N: 1})
}

// HistBuilder folds measurements into CellHists at one resolution. It is
// how a store without incremental aggregates answers CellHistograms, and
// the reference the incremental ones are tested against.
type HistBuilder struct {
	res     int
	m       map[histKey]*histAcc
	rows    int64
	skipped int64
}

// NewHistBuilder returns an empty builder at H3 resolution res.
func NewHistBuilder(res int) *HistBuilder {
	return &HistBuilder{res: res, m: map[histKey]*histAcc{}}
}

// Add folds a batch in. Rows that cannot be placed on the grid are counted
// as skipped.
func (b *HistBuilder) Add(ms []Measurement) {
	for i := range ms {
		m := &ms[i]
		cell, err := geo.CellAt(orb.Point{m.Lon, m.Lat}, b.res)
		if err != nil {
			b.skipped++
			continue
		}
		b.AddAt(cell, m)
	}
}

// AddAt folds one measurement in at a known cell.
func (b *HistBuilder) AddAt(cell geo.Cell, m *Measurement) {
	k := histKey{cell, m.MCCMNC, m.Tech}
	a := b.m[k]
	if a == nil {
		a = &histAcc{}
		b.m[k] = a
	}
	a.samples++
	if t := m.Time.UnixNano(); t > a.last || a.samples == 1 {
		a.last = t
	}
	if Has(m.SignalDBm) {
		addBin(&a.sig, SignalBin(m.SignalDBm))
	}
	if Has(m.DLMbps) {
		addBin(&a.dl, DLBin(m.DLMbps))
	}
	b.rows++
}

// Rows is the number of measurements folded in; Skipped those that could
// not be placed.
func (b *HistBuilder) Rows() int64    { return b.rows }
func (b *HistBuilder) Skipped() int64 { return b.skipped }

// Hists returns the aggregates ordered by operator, technology and cell;
// their bins are the builder's own, so call it once, after the last Add.
func (b *HistBuilder) Hists() []CellHist {
	out := make([]CellHist, 0, len(b.m))
	for k, a := range b.m {
		out = append(out, CellHist{
			Cell: k.cell, MCCMNC: k.op, Tech: k.tech, Samples: a.samples,
			Last: time.Unix(0, a.last).UTC(), Signal: slices.Clip(a.sig), DL: slices.Clip(a.dl),
		})
	}
	SortHists(out)
	return out
}

// SortHists orders aggregates by operator, technology and cell.
func SortHists(hs []CellHist) {
	slices.SortFunc(hs, func(x, y CellHist) int { return CompareKeys(x.MCCMNC, x.Tech, x.Cell, y.MCCMNC, y.Tech, y.Cell) })
}

// CompareKeys orders cell × operator × technology keys by operator,
// technology and cell: the order of stored cell stats.
func CompareKeys(opA string, techA Tech, cellA geo.Cell, opB string, techB Tech, cellB geo.Cell) int {
	return cmp.Or(strings.Compare(opA, opB), cmp.Compare(techA, techB), cmp.Compare(cellA, cellB))
}

// Percentile returns the nearest-rank p-quantile (0 < p ≤ 1) of a binned
// distribution as a bin value, and false when it holds no sample.
func Percentile(bs []Bin, p float64) (int32, bool) {
	var n int64
	for _, b := range bs {
		n += int64(b.N)
	}
	if n == 0 {
		return 0, false
	}
	r := int64(math.Ceil(float64(n)*p - 1e-9))
	if r < 1 {
		r = 1
	}
	var c int64
	for _, b := range bs {
		c += int64(b.N)
		if c >= r {
			return b.V, true
		}
	}
	return bs[len(bs)-1].V, true
}

// MergeBins adds two distributions ascending by V into a new one.
func MergeBins(a, b []Bin) []Bin {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]Bin, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].V < b[j].V:
			out = append(out, a[i])
			i++
		case a[i].V > b[j].V:
			out = append(out, b[j])
			j++
		default:
			out = append(out, Bin{a[i].V, a[i].N + b[j].N})
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// EachBatch calls fn with hs in batches of at most n, stopping at fn's
// first error: how a store hands out aggregates it built in memory.
func EachBatch(hs []CellHist, n int, fn func([]CellHist) error) error {
	for len(hs) > 0 {
		k := min(len(hs), n)
		if err := fn(hs[:k]); err != nil {
			return err
		}
		hs = hs[k:]
	}
	return nil
}
