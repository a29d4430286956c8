package storetest

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// cells returns n distinct resolution-8 cells, in no particular order.
func cells(t *testing.T, n int) []geo.Cell {
	t.Helper()
	out := make([]geo.Cell, 0, n)
	seen := map[geo.Cell]bool{}
	for i := 0; len(out) < n; i++ {
		c := cellAt(t, -8+float64(i%97)*0.013, 31+float64(i/97)*0.011)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func testPopulation(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	if got, err := s.Population(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Population on an empty store = %d cells, %v; want 0, nil", len(got), err)
	}
	cs := cells(t, 3000)
	pop := make([]data.CellPop, len(cs))
	for i, c := range cs {
		pop[i] = data.CellPop{Cell: c, Population: int32(i*37%5000 + 1), Commune: []string{"01.511.01.01", "04.421.01.05", ""}[i%3]}
	}
	if err := s.ReplacePopulation(ctx, pop); err != nil {
		t.Fatalf("ReplacePopulation: %v", err)
	}
	want := slices.Clone(pop)
	slices.SortFunc(want, func(a, b data.CellPop) int { return cmp.Compare(a.Cell, b.Cell) })
	checkPop(t, s, want)

	if err := s.ReplacePopulation(ctx, pop[:10]); err != nil {
		t.Fatalf("ReplacePopulation again: %v", err)
	}
	want = slices.Clone(pop[:10])
	slices.SortFunc(want, func(a, b data.CellPop) int { return cmp.Compare(a.Cell, b.Cell) })
	checkPop(t, s, want)
}

func checkPop(t *testing.T, s data.Store, want []data.CellPop) {
	t.Helper()
	got, err := s.Population(t.Context())
	if err != nil {
		t.Fatalf("Population: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("Population = %d cells, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Population[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func statsFor(t *testing.T, n int) []data.CellStat {
	cs := cells(t, n)
	var out []data.CellStat
	// Operators and techs in scrambled order; the store must sort them.
	for _, op := range []string{"604-02", "604-00", "604-01"} {
		for _, tech := range []data.Tech{data.Tech4G, data.Tech2G, data.Tech5G} {
			for i := len(cs) - 1; i >= 0; i-- {
				st := data.CellStat{
					Cell: cs[i], MCCMNC: op, Tech: tech,
					Samples:   int32(i + 1),
					SignalP10: -110 + float32(i%20), SignalP50: -95, SignalP90: -80.5,
					DLP10: 1.5, DLP50: 12.25, DLP90: 40,
					Last:  base.Add(time.Duration(i) * time.Minute),
					Level: data.Level(i % 5),
				}
				if i%4 == 0 {
					st.DLP10, st.DLP50, st.DLP90 = data.Absent, data.Absent, data.Absent
				}
				if i%6 != 5 { // some stats carry no evidence
					withEvidence(&st, i)
				}
				out = append(out, st)
			}
		}
	}
	return out
}

// withEvidence fills the evidence fields of st, each source different,
// Disputed on every other stat, the counters at their limits for i 1.
func withEvidence(st *data.CellStat, i int) {
	st.Declared = data.Level(4 - i%5)
	for j := range st.Sources {
		st.Sources[j] = data.SourceStat{Samples: int32(i*3 + j*1000 + 1), Devices: uint8(i + j*50 + 1), Days: uint8(i%30 + j + 1),
			Level: data.Level((i + j + 1) % 5)}
	}
	if i == 1 {
		st.Sources[data.SourceRegulator] = data.SourceStat{Samples: math.MaxInt32, Devices: 255, Days: 255, Level: data.LevelVeryGood}
	}
	st.Result = data.Level((i + 2) % 5)
	st.Confidence = float32(i%101)/100 + 0.001
	st.Disputed = i%2 == 0
}

func sortStats(ss []data.CellStat) []data.CellStat {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b data.CellStat) int {
		return cmp.Or(strings.Compare(a.MCCMNC, b.MCCMNC), cmp.Compare(a.Tech, b.Tech), cmp.Compare(a.Cell, b.Cell))
	})
	return ss
}

func filterStats(ss []data.CellStat, f data.CellStatFilter) []data.CellStat {
	var out []data.CellStat
	for _, s := range ss {
		if (f.MCCMNC == "" || s.MCCMNC == f.MCCMNC) && (f.Tech == 0 || s.Tech == f.Tech) {
			out = append(out, s)
		}
	}
	return out
}

func checkStats(t *testing.T, what string, got, want []data.CellStat) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %d stats, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		ok := g.Cell == w.Cell && g.MCCMNC == w.MCCMNC && g.Tech == w.Tech && g.Samples == w.Samples &&
			eqF32(g.SignalP10, w.SignalP10) && eqF32(g.SignalP50, w.SignalP50) && eqF32(g.SignalP90, w.SignalP90) &&
			eqF32(g.DLP10, w.DLP10) && eqF32(g.DLP50, w.DLP50) && eqF32(g.DLP90, w.DLP90) &&
			eqTime(g.Last, w.Last) && g.Level == w.Level &&
			g.Declared == w.Declared && g.Sources == w.Sources && g.Result == w.Result &&
			eqF32(g.Confidence, w.Confidence) && g.Disputed == w.Disputed
		if !ok {
			t.Fatalf("%s[%d] = %+v, want %+v", what, i, g, w)
		}
	}
}

func testCoverage(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	if _, err := s.CoverageRun(ctx); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("CoverageRun before the first = %v, want ErrNotFound", err)
	}
	if got, err := s.CellStats(ctx, data.CellStatFilter{}); err != nil || len(got) != 0 {
		t.Errorf("CellStats before the first run = %d, %v; want 0, nil", len(got), err)
	}
	stats := statsFor(t, 500)
	checkEvidenceFixture(t, stats)
	run := data.CoverageRun{Resolution: 8, ConfigVersion: "v1", Measurements: 123456, Cells: 500, ComputedAt: base}
	if err := s.ReplaceCoverage(ctx, run, stats); err != nil {
		t.Fatalf("ReplaceCoverage: %v", err)
	}
	got, err := s.CoverageRun(ctx)
	if err != nil {
		t.Fatalf("CoverageRun: %v", err)
	}
	if g, w := got, run; g.Resolution != w.Resolution || g.ConfigVersion != w.ConfigVersion || g.Measurements != w.Measurements || g.Cells != w.Cells || !eqTime(g.ComputedAt, w.ComputedAt) {
		t.Errorf("CoverageRun = %+v, want %+v", g, w)
	}

	sorted := sortStats(stats)
	for _, tc := range []struct {
		name string
		f    data.CellStatFilter
	}{
		{"None", data.CellStatFilter{}},
		{"Operator", data.CellStatFilter{MCCMNC: "604-01"}},
		{"Tech", data.CellStatFilter{Tech: data.Tech4G}},
		{"Both", data.CellStatFilter{MCCMNC: "604-00", Tech: data.Tech5G}},
		{"NoSuchOperator", data.CellStatFilter{MCCMNC: "604-0"}},
		{"NoSuchTech", data.CellStatFilter{Tech: data.Tech3G}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CellStats(ctx, tc.f)
			if err != nil {
				t.Fatalf("CellStats(%+v): %v", tc.f, err)
			}
			checkStats(t, "CellStats", got, filterStats(sorted, tc.f))
		})
	}

	t.Run("Replace", func(t *testing.T) {
		next := statsFor(t, 20)[:20] // 604-02 4G only
		run2 := data.CoverageRun{Resolution: 9, ConfigVersion: "v2", Measurements: 9, Cells: 20, ComputedAt: base.Add(time.Hour)}
		if err := s.ReplaceCoverage(ctx, run2, next); err != nil {
			t.Fatalf("ReplaceCoverage: %v", err)
		}
		got, err := s.CellStats(ctx, data.CellStatFilter{})
		if err != nil {
			t.Fatalf("CellStats: %v", err)
		}
		checkStats(t, "CellStats after replace", got, sortStats(next))
		r, err := s.CoverageRun(ctx)
		if err != nil || r.ConfigVersion != "v2" || r.Resolution != 9 {
			t.Errorf("CoverageRun after replace = %+v, %v; want %+v", r, err, run2)
		}
	})
}

// checkEvidenceFixture fails t unless stats exercise every evidence field:
// stats without evidence, every source with samples, Disputed both ways.
func checkEvidenceFixture(t *testing.T, stats []data.CellStat) {
	t.Helper()
	var none, disputed, undisputed bool
	var sources [data.NumSources]bool
	for _, st := range stats {
		none = none || st.Sources == [data.NumSources]data.SourceStat{} && st.Declared == 0 && st.Result == 0
		disputed = disputed || st.Disputed
		undisputed = undisputed || !st.Disputed && st.Declared != 0
		for j, src := range st.Sources {
			sources[j] = sources[j] || src.Samples > 0 && src.Devices > 0 && src.Days > 0 && src.Level != 0
		}
	}
	if !none || !disputed || !undisputed || sources != [data.NumSources]bool{true, true, true} {
		t.Fatalf("fixture: stats without evidence %v, disputed %v, undisputed %v, sources %v; want all true", none, disputed, undisputed, sources)
	}
}
