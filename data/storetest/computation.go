package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// testComputation checks CommitComputation: coverage, disputes, their
// layer info and the snapshot land together; a computation refused at
// any of its parts (a repeated dispute id, a repeated zone id, a bad
// operator code) leaves the previous one whole.
func testComputation(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	dispute := func(id string, lon float64) data.Feature {
		return data.Feature{Layer: data.LayerDisputes, ID: id, Props: map[string]any{"mcc_mnc": "604-01", "tech": "4G"},
			Geom: orb.Polygon{{{lon, 34}, {lon + 0.01, 34}, {lon + 0.01, 34.01}, {lon, 34}}}}
	}
	first := data.Computation{
		Run:          data.CoverageRun{Resolution: 8, ConfigVersion: "c1", Measurements: 30, Cells: 30, ComputedAt: base},
		Stats:        statsFor(t, 10),
		Disputes:     []data.Feature{dispute("D-1", -6.8), dispute("D-2", -6.7)},
		DisputesInfo: data.LayerInfo{Count: 2, Source: "recompute c1", LoadedAt: base},
		Snapshot:     data.Snapshot{ComputedAt: base, Resolution: 8, ConfigVersion: "c1", ProgrammeSize: 3, Disputes: 2},
		Zones:        zonesFor(t, "c", 8),
	}
	snap, err := s.CommitComputation(ctx, first)
	if err != nil {
		t.Fatalf("CommitComputation: %v", err)
	}
	if snap.ID < 1 || snap.ConfigVersion != "c1" || snap.Disputes != 2 || !eqTime(snap.ComputedAt, base) || snap.ComputedAt.Location() != time.UTC {
		t.Errorf("CommitComputation = %+v, want a new snapshot c1 with 2 disputes at %v in UTC", snap, base)
	}
	// state reads what a computation left: coverage run, stats, disputes,
	// their layer info, the latest snapshot and its zone count.
	type state struct {
		run      string
		stats    int
		disputes []string
		info     string
		snapshot int64
		zones    int
	}
	read := func(t *testing.T) state {
		t.Helper()
		var st state
		r, err := s.CoverageRun(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.run = r.ConfigVersion
		stats, err := s.CellStats(ctx, data.CellStatFilter{})
		if err != nil {
			t.Fatal(err)
		}
		st.stats = len(stats)
		fs, err := s.Features(ctx, data.LayerDisputes)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			st.disputes = append(st.disputes, f.ID)
		}
		infos, err := s.LayerInfos(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, li := range infos {
			if li.Name == data.LayerDisputes {
				st.info = li.Source
			}
		}
		sn, err := s.LatestSnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.snapshot = sn.ID
		_, st.zones, err = s.Zones(ctx, sn.ID, data.ZoneFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	want := state{run: "c1", stats: len(first.Stats), disputes: []string{"D-1", "D-2"}, info: "recompute c1", snapshot: snap.ID, zones: 8}
	if got := read(t); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the first computation: %+v, want %+v", got, want)
	}

	second := first
	second.Run.ConfigVersion, second.Snapshot.ConfigVersion, second.DisputesInfo.Source = "c2", "c2", "recompute c2"
	second.Stats = statsFor(t, 4)
	second.Disputes = []data.Feature{dispute("D-3", -6.6)}
	second.Zones = zonesFor(t, "d", 5)
	bad := map[string]func(c *data.Computation){
		"repeated dispute": func(c *data.Computation) { c.Disputes = append(c.Disputes, dispute("D-3", -6.5)) },
		"repeated zone":    func(c *data.Computation) { c.Zones = append(c.Zones, c.Zones[0]) },
		"zone without id":  func(c *data.Computation) { c.Zones[1].ID = "" },
		"operator NUL":     func(c *data.Computation) { c.Stats[0].MCCMNC = "604\x0001" },
	}
	for name, spoil := range bad {
		t.Run(name, func(t *testing.T) {
			c := second
			c.Stats, c.Disputes, c.Zones = append([]data.CellStat(nil), second.Stats...), append([]data.Feature(nil), second.Disputes...), append([]data.Zone(nil), second.Zones...)
			spoil(&c)
			if _, err := s.CommitComputation(ctx, c); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("CommitComputation: %v, want ErrInvalid", err)
			}
			if got := read(t); !reflect.DeepEqual(got, want) {
				t.Errorf("after a refused computation: %+v, want the first whole %+v", got, want)
			}
		})
	}

	snap2, err := s.CommitComputation(ctx, second)
	if err != nil {
		t.Fatalf("CommitComputation second: %v", err)
	}
	want = state{run: "c2", stats: len(second.Stats), disputes: []string{"D-3"}, info: "recompute c2", snapshot: snap2.ID, zones: 5}
	if got := read(t); snap2.ID <= snap.ID || !reflect.DeepEqual(got, want) {
		t.Errorf("after the second computation: %+v (snapshot %d after %d), want %+v", got, snap2.ID, snap.ID, want)
	}
	if _, n, err := s.Zones(ctx, snap.ID, data.ZoneFilter{}); err != nil || n != 8 {
		t.Errorf("the first snapshot's zones: %d, %v; want 8 kept", n, err)
	}
}
