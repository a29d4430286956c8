package planner_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/planner"
)

// source is an in-memory planner.VerifySource.
type source struct {
	ms  []data.Measurement
	pop []data.CellPop
}

func (s *source) ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error {
	for i := 0; i < len(s.ms); i += 3 {
		if err := fn(slices.Clone(s.ms[i:min(i+3, len(s.ms))])); err != nil {
			return err
		}
	}
	return nil
}

func (s *source) Population(ctx context.Context) ([]data.CellPop, error) {
	return slices.Clone(s.pop), nil
}

// testZone is three cells near Tiznit: two populated, one empty.
func testZone(t *testing.T) (data.Zone, []geo.Cell) {
	t.Helper()
	c1, err := geo.CellAt(orb.Point{-9.73, 29.70}, 8)
	if err != nil {
		t.Fatal(err)
	}
	var c2, c3 geo.Cell
	for _, n := range geo.Neighbors(c1) {
		if n == c1 {
			continue
		}
		if c2 == 0 {
			c2 = n
		} else if c3 == 0 {
			c3 = n
		}
	}
	cells := []geo.Cell{c1, c2, c3}
	return data.Zone{ID: "Z-TIZ", Cells: cells, RegionCode: "09"}, cells
}

// samples returns n measurements at the centre of c.
func samples(c geo.Cell, n int, at time.Time, op string, tech data.Tech, dbm, dl float32) []data.Measurement {
	p := geo.CellCenter(c)
	out := make([]data.Measurement, n)
	for i := range out {
		out[i] = data.Measurement{Time: at.Add(time.Duration(i) * time.Minute), Lon: p[0], Lat: p[1], MCCMNC: op, Tech: tech,
			SignalDBm: dbm, RSRQDB: data.Absent, SINRDB: data.Absent, DLMbps: dl, ULMbps: data.Absent, LatencyMs: data.Absent,
			AccuracyM: 5, Device: uint64(i)}
	}
	return out
}

func TestVerify(t *testing.T) {
	th := coverage.DefaultThresholds()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	fresh, stale := now.AddDate(0, 0, -10), now.AddDate(0, 0, -th.Verification.WindowDays-5)
	z, cells := testZone(t)
	pop := []data.CellPop{{Cell: cells[0], Population: 120}, {Cell: cells[1], Population: 40}, {Cell: cells[2], Population: 0}}
	n := th.Verification.MinSamples
	good := func(c geo.Cell, k int, at time.Time) []data.Measurement {
		return samples(c, k, at, "604-01", data.Tech4G, -95, 12)
	}
	cases := []struct {
		name    string
		ms      []data.Measurement
		ok      bool
		missing map[geo.Cell][]string // cell -> what it lacks
	}{
		{"no evidence", nil, false, map[geo.Cell][]string{cells[0]: {"samples", "level"}, cells[1]: {"samples", "level"}}},
		{"too few samples", slices.Concat(good(cells[0], n-1, fresh), good(cells[1], n, fresh)), false,
			map[geo.Cell][]string{cells[0]: {"samples"}}},
		{"stale samples", slices.Concat(good(cells[0], n+5, stale), good(cells[1], n, fresh)), false,
			map[geo.Cell][]string{cells[0]: {"samples", "level"}}},
		{"level too low", slices.Concat(samples(cells[0], n+2, fresh, "604-01", data.Tech4G, -112, 2), good(cells[1], n, fresh)), false,
			map[geo.Cell][]string{cells[0]: {"level"}}},
		{"another operator", slices.Concat(samples(cells[0], n, fresh, "604-02", data.Tech4G, -95, 12), good(cells[1], n, fresh)), false,
			map[geo.Cell][]string{cells[0]: {"samples", "level"}}},
		{"another technology", slices.Concat(samples(cells[0], n, fresh, "604-01", data.Tech3G, -70, 12), good(cells[1], n, fresh)), false,
			map[geo.Cell][]string{cells[0]: {"samples", "level"}}},
		{"future samples do not count", slices.Concat(good(cells[0], n, now.Add(time.Hour)), good(cells[1], n, fresh)), false,
			map[geo.Cell][]string{cells[0]: {"samples", "level"}}},
		{"enough fresh good samples", slices.Concat(good(cells[0], n, fresh), good(cells[1], n+3, fresh), good(cells[0], 3, stale)), true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &source{ms: c.ms, pop: pop}
			chk, err := planner.Verify(t.Context(), src, planner.VerifyQuery{Zone: z, Operator: "604-01", Thresholds: th, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if chk.Summary.OK != c.ok {
				t.Errorf("OK = %v, want %v (%s)", chk.Summary.OK, c.ok, chk.Summary.Message)
			}
			if chk.Summary.Cells != 2 || len(chk.Cells) != 2 {
				t.Errorf("checked %d cells (%d listed), want the 2 populated ones", chk.Summary.Cells, len(chk.Cells))
			}
			got := map[geo.Cell][]string{}
			for _, cc := range chk.Missing() {
				cell, _ := geo.ParseCell(cc.Cell)
				got[cell] = cc.Missing
			}
			if len(got) != len(c.missing) {
				t.Errorf("missing = %v, want %v", got, c.missing)
			}
			for cell, want := range c.missing {
				if !slices.Equal(got[cell], want) {
					t.Errorf("cell %s missing %v, want %v", cell, got[cell], want)
				}
			}
			var sum planner.CheckSummary
			if err := json.Unmarshal([]byte(chk.SummaryJSON()), &sum); err != nil || sum.OK != c.ok || sum.Operator != "604-01" || sum.Tech != data.Tech4G {
				t.Errorf("summary JSON = %s (%v)", chk.SummaryJSON(), err)
			}
		})
	}
}

func TestVerifyNeedSamples(t *testing.T) {
	th := coverage.DefaultThresholds()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	z, cells := testZone(t)
	src := &source{ms: samples(cells[0], 2, now.AddDate(0, 0, -1), "604-01", data.Tech4G, -95, 12),
		pop: []data.CellPop{{Cell: cells[0], Population: 10}}}
	chk, err := planner.Verify(t.Context(), src, planner.VerifyQuery{Zone: z, Operator: "604-01", Thresholds: th, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(chk.Cells) != 1 || chk.Cells[0].Samples != 2 || chk.Cells[0].NeedSamples != th.Verification.MinSamples-2 || chk.Cells[0].Population != 10 {
		t.Errorf("cells = %+v", chk.Cells)
	}
	// Without an operator nothing can verify the zone.
	chk, _ = planner.Verify(t.Context(), src, planner.VerifyQuery{Zone: z, Thresholds: th, Now: now})
	if chk.Summary.OK {
		t.Error("verified without an operator")
	}
}
