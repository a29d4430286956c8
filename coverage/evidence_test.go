package coverage_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

func TestCombine(t *testing.T) {
	r := coverage.DefaultThresholds().Evidence
	src := func(crowd, drive, reg data.Level) [data.NumSources]data.SourceStat {
		return [data.NumSources]data.SourceStat{{Level: crowd}, {Level: drive}, {Level: reg}}
	}
	u := data.Unmeasured
	cases := []struct {
		name     string
		declared data.Level
		sources  [data.NumSources]data.SourceStat
		weights  [data.NumSources]float64
		want     data.Level
		conf     float64
	}{
		{"nothing", u, src(u, u, u), [3]float64{}, u, 0},
		{"declaration alone", data.LevelGood, src(u, u, u), [3]float64{}, data.LevelGood, 3.0 / 20},
		{"tie goes to the lower level", data.LevelGood, src(data.LevelNone, u, u), [3]float64{3, 0, 0}, data.LevelNone, 3.0 / 6 * 6 / 20},
		{"just under the declaration's weight", data.LevelGood, src(data.LevelNone, u, u), [3]float64{2.9, 0, 0}, data.LevelGood, 3 / 5.9 * 5.9 / 20},
		{"regulator outweighs crowd", u, src(data.LevelNone, u, data.LevelGood), [3]float64{10, 0, 5}, data.LevelGood, 20.0 / 30},
		{"drive counts double", u, src(data.LevelNone, data.LevelVeryGood, u), [3]float64{10, 5, 0}, data.LevelNone, 0.5},
		{"drive counts double, one more sample", u, src(data.LevelNone, data.LevelVeryGood, u), [3]float64{10, 5.5, 0}, data.LevelVeryGood, 11.0 / 21},
		{"median of three", data.LevelVeryGood, src(data.LevelNone, data.LevelLimited, u), [3]float64{1, 1, 0}, data.LevelLimited, 2.0 / 6 * 6 / 20},
		{"full confidence", u, src(data.LevelGood, u, u), [3]float64{25, 0, 0}, data.LevelGood, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, conf := coverage.Combine(c.declared, c.sources, c.weights, r)
			if got != c.want || math.Abs(float64(conf)-c.conf) > 1e-6 {
				t.Errorf("Combine = %s, %.4f; want %s, %.4f", got, conf, c.want, c.conf)
			}
		})
	}
}

// evidenceStore is an in-memory source of measurements and declared
// coverage.
type evidenceStore struct {
	ms       []data.Measurement
	features map[string][]data.Feature
}

func (s *evidenceStore) ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error {
	return fn(append([]data.Measurement(nil), s.ms...))
}

func (s *evidenceStore) CellHistograms(ctx context.Context, res int, fn func([]data.CellHist) error) error {
	b := data.NewHistBuilder(res)
	b.Add(s.ms)
	return fn(b.Hists())
}

func (s *evidenceStore) LayerInfos(ctx context.Context) ([]data.LayerInfo, error) {
	var out []data.LayerInfo
	for name, fs := range s.features {
		out = append(out, data.LayerInfo{Name: name, Count: len(fs)})
	}
	return out, nil
}

func (s *evidenceStore) Features(ctx context.Context, layer string) ([]data.Feature, error) {
	return s.features[layer], nil
}

type sampleSpec struct {
	n, devices, days int
	dbm              float32
	age              time.Duration
	env              data.Env
	src              data.Source
}

func (s *evidenceStore) add(c geo.Cell, op string, now time.Time, sp sampleSpec) {
	p := geo.CellCenter(c)
	for i := range sp.n {
		s.ms = append(s.ms, data.Measurement{
			Time: now.Add(-sp.age - time.Duration(i%max(sp.days, 1))*24*time.Hour - time.Duration(i)*time.Minute),
			Lon:  p[0], Lat: p[1], MCCMNC: op, Tech: data.Tech4G, SignalDBm: sp.dbm,
			RSRQDB: data.Absent, SINRDB: data.Absent, DLMbps: data.Absent, ULMbps: data.Absent, LatencyMs: data.Absent, AccuracyM: 5,
			Env: sp.env, Source: sp.src, Device: uint64(1 + i%max(sp.devices, 1)),
		})
	}
}

func TestEvidenceDisputes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	th := coverage.DefaultThresholds()
	cells := row(t, orb.Point{-6.0, 33.0}, 10)
	far, _ := geo.CellAt(orb.Point{-4.0, 33.0}, 8)
	const op = "604-02"
	// The operator declares good over the whole row, not at far.
	b := orb.MultiPoint{geo.CellCenter(cells[0]), geo.CellCenter(cells[9])}.Bound().Pad(0.02)
	st := &evidenceStore{features: map[string][]data.Feature{
		data.LayerKey(data.LayerDeclared, op, "4G"): {{ID: "1", Props: map[string]any{"level": "good"}, Geom: b.ToPolygon()}},
	}}
	bad := sampleSpec{n: 6, devices: 3, days: 3, dbm: -120}
	st.add(cells[0], op, now, bad) // disputed
	st.add(cells[1], op, now, bad) // disputed, adjacent: same dispute
	thin := bad
	thin.devices = 1
	st.add(cells[3], op, now, thin) // one device
	oneDay := bad
	oneDay.days = 1
	st.add(cells[4], op, now, oneDay) // one day
	few := bad
	few.n = 4
	st.add(cells[5], op, now, few) // four samples
	stale := bad
	stale.age = 400 * 24 * time.Hour
	st.add(cells[6], op, now, stale) // older than a year
	good := bad
	good.dbm = -100
	st.add(cells[7], op, now, good) // measured good: agrees
	indoor := bad
	indoor.env = data.EnvIndoor
	st.add(cells[8], op, now, indoor) // indoor cannot contradict an outdoor map
	st.add(far, op, now, bad)         // nothing declared there
	lone := bad
	lone.src = data.SourceRegulator
	st.add(cells[9], op, now, lone) // a regulator campaign: disputed, separate

	stats, _, err := coverage.Aggregate(ctx, st, th, nil)
	if err != nil {
		t.Fatal(err)
	}
	disputed, err := coverage.Evidence(ctx, st, stats, th, coverage.EvidenceOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	got := map[geo.Cell]coverage.DisputedCell{}
	for _, d := range disputed {
		got[d.Cell] = d
	}
	for i, want := range []bool{true, true, false, false, false, false, false, false, false, true} {
		if i == 2 {
			continue
		}
		if _, ok := got[cells[i]]; ok != want {
			t.Errorf("cell %d disputed = %v, want %v", i, ok, want)
		}
	}
	if _, ok := got[far]; ok {
		t.Error("a cell without a declaration was disputed")
	}
	if d := got[cells[0]]; d.Declared != data.LevelGood || d.Measured != data.LevelNone || d.Samples != 6 || d.Devices != 3 || d.Days != 3 {
		t.Errorf("cell 0 dispute = %+v", d)
	}
	byCell := map[geo.Cell]data.CellStat{}
	for _, s := range stats {
		byCell[s.Cell] = s
	}
	if s := byCell[cells[0]]; s.Declared != data.LevelGood || s.Sources[data.SourceCrowd].Samples != 6 || s.Sources[data.SourceCrowd].Devices != 3 ||
		s.Sources[data.SourceCrowd].Days != 3 || s.Sources[data.SourceCrowd].Level != data.LevelNone || s.Result != data.LevelNone || !s.Disputed {
		t.Errorf("cell 0 evidence = %+v", s)
	}
	if s := byCell[cells[6]]; s.Samples != 6 || s.Sources[data.SourceCrowd].Samples != 0 || s.Result != data.LevelGood || s.Disputed {
		t.Errorf("stale cell: want all-time samples but no fresh evidence, result from the declaration; got %+v", s)
	}
	if s := byCell[far]; s.Declared != data.Unmeasured || s.Result != data.LevelNone {
		t.Errorf("undeclared cell evidence = %+v", s)
	}

	ds, err := coverage.GroupDisputes(disputed, coverage.GroupOptions{Population: []data.CellPop{{Cell: cells[1], Population: 40, Commune: "01.001.01.01"}},
		Gazetteer: coverage.NewGazetteer([]data.Area{{Code: "01.001.01.01", Parent: "01.001", Region: "01"}}, nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("got %d disputes, want 2 (cells 0-1 together, cell 9 alone): %+v", len(ds), ds)
	}
	first := ds[0]
	if len(first.Cells) != 2 || first.Population != 40 || first.RegionCode != "01" || first.Samples != 12 || len(first.Geom) != 1 {
		t.Errorf("first dispute = %+v", first)
	}
	lo := min(cells[0], cells[1])
	if first.ID != "D-604-02-4G-"+lo.String() {
		t.Errorf("dispute id %s, want D-604-02-4G-%s", first.ID, lo)
	}
	back, err := data.DisputeOf(first.Feature())
	if err != nil || back.ID != first.ID || len(back.Cells) != 2 || back.Population != 40 || back.Measured != data.LevelNone || back.Tech != data.Tech4G {
		t.Errorf("feature round trip: %+v, %v", back, err)
	}
}

// BenchmarkEvidence weighs the evidence of 20k cells × 3 operators (6
// samples each) against Aggregate over the same store, the baseline.
func BenchmarkEvidence(b *testing.B) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	th := coverage.DefaultThresholds()
	start, _ := geo.CellAt(orb.Point{-6.0, 33.0}, 8)
	cells := geo.Disk(start, 82)[:20000]
	st := &evidenceStore{features: map[string][]data.Feature{}}
	for _, op := range []string{"604-00", "604-01", "604-02"} {
		bd := orb.MultiPoint{geo.CellCenter(cells[0]), geo.CellCenter(cells[len(cells)-1])}.Bound().Pad(0.5)
		st.features[data.LayerKey(data.LayerDeclared, op, "4G")] = []data.Feature{{ID: "1", Props: map[string]any{"level": "good"}, Geom: bd.ToPolygon()}}
		for i, c := range cells {
			st.add(c, op, now, sampleSpec{n: 6, devices: 3, days: 3, dbm: float32(-80 - i%50)})
		}
	}
	ctx := context.Background()
	b.Run("aggregate", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := coverage.Aggregate(ctx, st, th, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("evidence", func(b *testing.B) {
		stats, _, _ := coverage.Aggregate(ctx, st, th, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := coverage.Evidence(ctx, st, stats, th, coverage.EvidenceOptions{Now: now}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
