package coverage_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// zonesOf finds the zones of a row of cells where levels[i] is the 4G
// level of both operators in cell i: a cell is served by two or white.
func zonesOf(t *testing.T, cells []geo.Cell, levels []data.Level, rule coverage.ZoneRule) []data.Zone {
	t.Helper()
	var pop []data.CellPop
	var stats []data.CellStat
	for i, c := range cells {
		pop = append(pop, data.CellPop{Cell: c, Population: int32(10 * (i + 1)), Commune: "01.001.01.01"})
		stats = append(stats, stat(c, "604-01", levels[i]), stat(c, "604-02", levels[i]))
	}
	zones, _, err := coverage.FindZones(context.Background(), coverage.Classes(pop, stats, rule), coverage.Gazetteer{}, rule)
	if err != nil {
		t.Fatal(err)
	}
	return zones
}

func ids(zs []data.Zone) map[string][]geo.Cell {
	m := map[string][]geo.Cell{}
	for _, z := range zs {
		m[z.ID] = z.Cells
	}
	return m
}

func TestMatchIDsAcrossThresholds(t *testing.T) {
	cells := row(t, orb.Point{-7.0, 31.0}, 9)
	G, L, N := data.LevelGood, data.LevelLimited, data.LevelNone
	// required good: cells 1-3 white (one zone), 5-7 white (another)
	levels := []data.Level{G, L, N, N, G, N, L, N, G}
	rule := coverage.DefaultThresholds().Zones
	first := zonesOf(t, cells, levels, rule)
	if len(first) != 2 {
		t.Fatalf("first run: %d zones, want 2", len(first))
	}
	coverage.MatchIDs(nil, first)
	before := ids(first)

	// Required level lowered to limited: cells 1 and 6 are now served,
	// the zones shrink to 2-3 and 5 + 7 (a split).
	rule2 := rule
	rule2.Level = data.LevelLimited
	second := zonesOf(t, cells, levels, rule2)
	coverage.MatchIDs(first, second)
	after := ids(second)
	if len(second) != 3 {
		t.Fatalf("second run: %d zones, want 3: %v", len(second), after)
	}
	for id, cs := range before {
		if _, ok := after[id]; !ok {
			t.Errorf("zone %s (%d cells) lost its id: %v", id, len(cs), after)
		}
	}
	seen := map[string]bool{}
	for _, z := range second {
		if seen[z.ID] {
			t.Errorf("id %s given twice", z.ID)
		}
		seen[z.ID] = true
	}
	// The zone that split kept its id on the part sharing most cells,
	// here the tie between {5} and {7} (one cell each) goes to the better
	// ranked new zone (7 has more people); the other part is new.
	var z57 string
	for id, cs := range before {
		if len(cs) == 3 && (cs[0] == cells[5] || cs[1] == cells[5] || cs[2] == cells[5]) {
			z57 = id
		}
	}
	if got := after[z57]; len(got) != 1 || got[0] != cells[7] {
		t.Errorf("split zone %s kept cells %v, want [%s]", z57, got, cells[7])
	}

	// Back to the first rule: the ids come back to the same cells, and
	// the zone that was split off and merged back goes away.
	third := zonesOf(t, cells, levels, rule)
	coverage.MatchIDs(second, third)
	if got := ids(third); len(got) != 2 {
		t.Fatalf("third run: %v", got)
	} else {
		for id := range before {
			if len(got[id]) != len(before[id]) {
				t.Errorf("zone %s: %d cells after the rerun, want %d", id, len(got[id]), len(before[id]))
			}
		}
	}
}

func TestMatchIDsGrowingZoneKeepsID(t *testing.T) {
	cells := row(t, orb.Point{-8.0, 30.0}, 6)
	G, N := data.LevelGood, data.LevelNone
	rule := coverage.DefaultThresholds().Zones
	a := zonesOf(t, cells, []data.Level{G, G, G, N, N, G}, rule)
	b := zonesOf(t, cells, []data.Level{N, N, N, N, N, G}, rule)
	if b[0].ID == a[0].ID && min(cells[0], cells[1], cells[2]) < min(cells[3], cells[4]) {
		t.Fatal("fixture: the grown zone should get a new smallest cell without matching")
	}
	coverage.MatchIDs(a, b)
	if b[0].ID != a[0].ID || len(b[0].Cells) != 5 {
		t.Errorf("grown zone id %s (%d cells), want %s", b[0].ID, len(b[0].Cells), a[0].ID)
	}
	if want := a[0].FID; b[0].FID != want {
		t.Errorf("grown zone FID %d, want %d", b[0].FID, want)
	}
}

func TestDiffZones(t *testing.T) {
	cells := row(t, orb.Point{-9.0, 29.5}, 8)
	G, N := data.LevelGood, data.LevelNone
	rule := coverage.DefaultThresholds().Zones
	a := zonesOf(t, cells, []data.Level{N, N, G, N, G, N, N, G}, rule)
	coverage.MatchIDs(nil, a)
	// zone {0,1} grows to {0,1,2}... no: cell 2 is served in a; make it
	// white in b so {0..3} merge; {5,6} shrinks to {6}; nothing is added.
	b := zonesOf(t, cells, []data.Level{N, N, N, N, G, G, N, G}, rule)
	coverage.MatchIDs(a, b)
	var pop []data.CellPop
	for i, c := range cells {
		pop = append(pop, data.CellPop{Cell: c, Population: int32(10 * (i + 1)), Commune: "01.001.01.01"})
	}
	gz := coverage.NewGazetteer([]data.Area{{Code: "01.001.01.01", NameFR: "Commune A"}}, nil, nil)
	d := coverage.DiffZones(1, 2, a, b, pop, gz)
	if len(d.Grown) != 1 || d.Grown[0].CellsFrom != 2 || d.Grown[0].CellsTo != 4 {
		t.Errorf("grown = %+v", d.Grown)
	}
	if len(d.Shrunk) != 1 || d.Shrunk[0].CellsFrom != 2 || d.Shrunk[0].CellsTo != 1 {
		t.Errorf("shrunk = %+v", d.Shrunk)
	}
	if len(d.Removed) != 1 || d.Removed[0].CellsFrom != 1 {
		t.Errorf("removed = %+v (the zone of cell 3 merged into the grown one)", d.Removed)
	}
	if len(d.Added) != 0 || d.Unchanged != 0 {
		t.Errorf("added %v, unchanged %d", d.Added, d.Unchanged)
	}
	w := d.Totals[data.White]
	// a: {0,1}=30 {3}=40 {5,6}=130 → 200; b: {0..3}=100 {6}=70 → 170
	if w.ZonesFrom != 3 || w.ZonesTo != 2 || w.PopulationFrom != 200 || w.PopulationTo != 170 {
		t.Errorf("white totals %+v", w)
	}
	if len(d.Communes) != 1 || d.Communes[0].WhiteFrom != 200 || d.Communes[0].WhiteTo != 170 || d.Communes[0].Name != "Commune A" {
		t.Errorf("communes %+v", d.Communes)
	}
}

func TestRoaming(t *testing.T) {
	cells := row(t, orb.Point{-5.5, 34.0}, 3)
	pop := []data.CellPop{{Cell: cells[0], Population: 100, Commune: "A"}, {Cell: cells[1], Population: 50, Commune: "A"}, {Cell: cells[2], Population: 7, Commune: "B"}}
	stats := []data.CellStat{
		stat(cells[0], "604-01", data.LevelGood), stat(cells[0], "604-02", data.LevelLimited), // grey: host 01
		stat(cells[1], "604-01", data.LevelGood), stat(cells[1], "604-02", data.LevelGood), // served by both
		stat(cells[2], "604-02", data.LevelVeryGood), // grey: host 02, 01 absent
	}
	zones := []data.Zone{
		{ID: "G-0", Kind: data.Grey, Programme: true, Cells: []geo.Cell{cells[0]}},
		{ID: "G-2", Kind: data.Grey, Programme: false, Cells: []geo.Cell{cells[2]}},
	}
	rule := coverage.DefaultThresholds().Zones
	gz := coverage.NewGazetteer([]data.Area{{Code: "A", NameFR: "Alpha", Region: "01"}}, nil, nil)
	sum, gains := coverage.Roaming(stats, zones, pop, rule, gz, nil)
	if len(gains) != 1 || gains[0].MCCMNC != "604-02" || gains[0].Host != "604-01" || gains[0].Population != 100 || gains[0].Name != "Alpha" || gains[0].RegionCode != "01" {
		t.Errorf("programme grey zones only: gains %+v", gains)
	}
	if len(sum) != 2 || sum[1].MCCMNC != "604-02" || sum[1].Own != 57 || sum[1].Gained != 100 || sum[1].Zones != 1 || sum[0].Gained != 0 {
		t.Errorf("summaries %+v", sum)
	}
	_, gains = coverage.Roaming(stats, zones, pop, rule, gz, func(z data.Zone) bool { return z.Kind == data.Grey })
	if len(gains) != 2 || gains[0].MCCMNC != "604-01" || gains[0].Population != 7 || gains[0].Host != "604-02" {
		t.Errorf("every grey zone: gains %+v", gains)
	}
}
