package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// zonesFor returns n zones in scrambled rank order: ranks 1..n, kinds
// alternating, regions "01", "04", "06" in turn, each with cells and a
// geometry.
func zonesFor(t *testing.T, prefix string, n int) []data.Zone {
	cs := cells(t, n*3)
	out := make([]data.Zone, n)
	for i := range out {
		rank := (i*7)%n + 1 // a permutation of 1..n when gcd(7, n) == 1
		z := data.Zone{
			ID:           fmt.Sprintf("%s-%03d", prefix, rank),
			FID:          uint64(1000 + rank),
			Kind:         []data.ZoneKind{data.White, data.Grey}[rank%2],
			Rank:         rank,
			Programme:    rank <= 3,
			Population:   int64(10000 - rank),
			AreaKm2:      float64(rank) * 1.25,
			RegionCode:   []string{"01", "04", "06"}[rank%3],
			Region:       []string{"Tanger", "Rabat", "Casablanca"}[rank%3],
			ProvinceCode: "04.421",
			Province:     "Rabat",
			Communes:     []string{"Rabat", "Salé"},
			CommuneCodes: []string{"04.421.01.05", "04.441.01.01"},
			Centroid:     orb.Point{-6.8 + float64(rank)*0.01, 34},
			Cells:        cs[i*3 : i*3+3],
			Geom:         multi(-6.8+float64(rank), 34),
		}
		if z.Kind == data.Grey {
			z.Operator = "604-01"
		}
		out[i] = z
	}
	return out
}

func byRank(zs []data.Zone) []data.Zone {
	zs = slices.Clone(zs)
	slices.SortStableFunc(zs, func(a, b data.Zone) int { return a.Rank - b.Rank })
	return zs
}

func checkZone(t *testing.T, what string, got, want data.Zone) {
	t.Helper()
	gg, wg := got.Geom, want.Geom
	got.Geom, want.Geom = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
	if !orb.Equal(gg, wg) {
		t.Errorf("%s Geom = %v, want %v", what, gg, wg)
	}
}

func zoneIDs(zs []data.Zone) []string {
	var out []string
	for _, z := range zs {
		out = append(out, z.ID)
	}
	return out
}

func checkSnapshot(t *testing.T, what string, got, want data.Snapshot) {
	t.Helper()
	g, w := got, want
	g.ComputedAt, w.ComputedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) || !eqTime(got.ComputedAt, want.ComputedAt) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func testSnapshots(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	if _, err := s.LatestSnapshot(ctx); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("LatestSnapshot before the first = %v, want ErrNotFound", err)
	}
	if got, err := s.Snapshots(ctx); err != nil || len(got) != 0 {
		t.Errorf("Snapshots before the first = %d, %v; want 0, nil", len(got), err)
	}

	zones1 := zonesFor(t, "a", 30)
	snap1 := data.Snapshot{ComputedAt: base, Resolution: 8, ConfigVersion: "v1", RequiredTech: data.Tech4G, RequiredLevel: data.LevelGood,
		ProgrammeSize: 3, White: 15, Grey: 15, WhitePop: 1e5, GreyPop: 2e5, UnmeasuredPop: 3e5, Uploads: []int64{1, 2},
		LayersVersion: "sha256:5f1c…e9 communes=1538 regions=12", Disputes: 42}
	s1, err := s.AddSnapshot(ctx, snap1, zones1)
	if err != nil {
		t.Fatalf("AddSnapshot: %v", err)
	}
	if s1.ID <= 0 {
		t.Errorf("AddSnapshot ID = %d, want > 0", s1.ID)
	}
	snap1.ID = s1.ID
	checkSnapshot(t, "AddSnapshot", s1, snap1)

	zones2 := zonesFor(t, "b", 11)
	snap2 := data.Snapshot{ComputedAt: base.Add(time.Hour), Resolution: 8, ConfigVersion: "v2", RequiredTech: data.Tech5G, RequiredLevel: data.LevelVeryGood, Uploads: []int64{3},
		LayersVersion: "v2-layers", MatchedTo: s1.ID, Disputes: 7}
	s2, err := s.AddSnapshot(ctx, snap2, zones2)
	if err != nil {
		t.Fatalf("AddSnapshot second: %v", err)
	}
	snap2.ID = s2.ID
	if s2.ID <= s1.ID {
		t.Errorf("second snapshot ID = %d, want > %d", s2.ID, s1.ID)
	}
	checkSnapshot(t, "AddSnapshot second", s2, snap2)
	if s2.LayersVersion != "v2-layers" || s2.MatchedTo != s1.ID || s2.Disputes != 7 {
		t.Errorf("AddSnapshot second = %+v, want LayersVersion, MatchedTo, Disputes v2-layers, %d, 7", s2, s1.ID)
	}

	t.Run("List", func(t *testing.T) {
		list, err := s.Snapshots(ctx)
		if err != nil {
			t.Fatalf("Snapshots: %v", err)
		}
		if len(list) != 2 {
			t.Fatalf("Snapshots = %d, want 2", len(list))
		}
		checkSnapshot(t, "Snapshots[0]", list[0], snap1)
		checkSnapshot(t, "Snapshots[1]", list[1], snap2)
		latest, err := s.LatestSnapshot(ctx)
		if err != nil {
			t.Fatalf("LatestSnapshot: %v", err)
		}
		checkSnapshot(t, "LatestSnapshot", latest, snap2)
	})

	t.Run("ZonesByRank", func(t *testing.T) {
		for _, c := range []struct {
			id   int64
			want []data.Zone
		}{{s1.ID, byRank(zones1)}, {s2.ID, byRank(zones2)}} {
			got, total, err := s.Zones(ctx, c.id, data.ZoneFilter{})
			if err != nil {
				t.Fatalf("Zones(%d): %v", c.id, err)
			}
			if total != len(c.want) || len(got) != len(c.want) {
				t.Fatalf("Zones(%d) = %d zones, total %d; want %d, %d", c.id, len(got), total, len(c.want), len(c.want))
			}
			for i := range got {
				checkZone(t, fmt.Sprintf("Zones(%d)[%d]", c.id, i), got[i], c.want[i])
			}
		}
	})

	t.Run("Filter", func(t *testing.T) {
		all := byRank(zones1)
		for _, tc := range []struct {
			name string
			f    data.ZoneFilter
		}{
			{"Kind", data.ZoneFilter{Kind: data.Grey}},
			{"Region", data.ZoneFilter{Region: "04"}},
			{"KindAndRegion", data.ZoneFilter{Kind: data.White, Region: "06"}},
			{"NoMatch", data.ZoneFilter{Region: "99"}},
			{"Limit", data.ZoneFilter{Limit: 4}},
			{"Offset", data.ZoneFilter{Offset: 25}},
			{"Page", data.ZoneFilter{Kind: data.White, Limit: 3, Offset: 2}},
			{"PastTheEnd", data.ZoneFilter{Kind: data.White, Limit: 3, Offset: 100}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var match []data.Zone
				for _, z := range all {
					if (tc.f.Kind == "" || z.Kind == tc.f.Kind) && (tc.f.Region == "" || z.RegionCode == tc.f.Region) {
						match = append(match, z)
					}
				}
				page := match[min(tc.f.Offset, len(match)):]
				if tc.f.Limit > 0 && len(page) > tc.f.Limit {
					page = page[:tc.f.Limit]
				}
				got, total, err := s.Zones(ctx, s1.ID, tc.f)
				if err != nil {
					t.Fatalf("Zones(%+v): %v", tc.f, err)
				}
				if total != len(match) {
					t.Errorf("Zones(%+v) total = %d, want %d", tc.f, total, len(match))
				}
				if g, w := zoneIDs(got), zoneIDs(page); !slices.Equal(g, w) {
					t.Errorf("Zones(%+v) = %v, want %v", tc.f, g, w)
				}
			})
		}
	})

	t.Run("Zone", func(t *testing.T) {
		want := zones1[5]
		got, err := s.Zone(ctx, s1.ID, want.ID)
		if err != nil {
			t.Fatalf("Zone(%d, %s): %v", s1.ID, want.ID, err)
		}
		checkZone(t, "Zone", got, want)
		got.Cells[0] = 0
		got.Geom[0][0][0] = orb.Point{0, 0}
		again, err := s.Zone(ctx, s1.ID, want.ID)
		if err != nil {
			t.Fatalf("Zone again: %v", err)
		}
		checkZone(t, "Zone after changing a returned copy", again, want)
	})

	t.Run("NotFound", func(t *testing.T) {
		if _, err := s.Zone(ctx, s1.ID, "nope"); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Zone(unknown id) = %v, want ErrNotFound", err)
		}
		if _, err := s.Zone(ctx, s2.ID, zones1[0].ID); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Zone(id of another snapshot) = %v, want ErrNotFound", err)
		}
		if _, err := s.Zone(ctx, s2.ID+100, zones1[0].ID); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Zone(unknown snapshot) = %v, want ErrNotFound", err)
		}
		if _, _, err := s.Zones(ctx, s2.ID+100, data.ZoneFilter{}); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Zones(unknown snapshot) = %v, want ErrNotFound", err)
		}
	})

	t.Run("EmptySnapshot", func(t *testing.T) {
		e, err := s.AddSnapshot(ctx, data.Snapshot{ComputedAt: base}, nil)
		if err != nil {
			t.Fatalf("AddSnapshot without zones: %v", err)
		}
		got, total, err := s.Zones(ctx, e.ID, data.ZoneFilter{})
		if err != nil || len(got) != 0 || total != 0 {
			t.Errorf("Zones of an empty snapshot = %d, %d, %v; want 0, 0, nil", len(got), total, err)
		}
		// Older snapshots are unchanged.
		got, total, err = s.Zones(ctx, s1.ID, data.ZoneFilter{})
		if err != nil || total != len(zones1) {
			t.Errorf("Zones(first) after more snapshots = %d, total %d, %v; want %d", len(got), total, err, len(zones1))
		}
	})
}
