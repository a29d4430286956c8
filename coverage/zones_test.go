package coverage_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// a row of cells walking east from a point
func row(t *testing.T, start orb.Point, n int) []geo.Cell {
	t.Helper()
	c, err := geo.CellAt(start, 8)
	if err != nil {
		t.Fatal(err)
	}
	out := []geo.Cell{c}
	for len(out) < n {
		last := out[len(out)-1]
		p := geo.CellCenter(last)
		best, bestX := last, p[0]
		for _, nb := range geo.Neighbors(last) {
			if q := geo.CellCenter(nb); q[0] > bestX {
				best, bestX = nb, q[0]
			}
		}
		out = append(out, best)
	}
	return out
}

func stat(c geo.Cell, op string, lvl data.Level) data.CellStat {
	return data.CellStat{Cell: c, MCCMNC: op, Tech: data.Tech4G, Samples: 5, Level: lvl, Last: time.Now()}
}

func TestFindZones(t *testing.T) {
	cells := row(t, orb.Point{-5.0, 32.0}, 8)
	// cells 0-2: nobody (white), 3: two operators (served), 4-5: one (grey),
	// 6: white again (separate zone), 7: unmeasured
	var pop []data.CellPop
	for i, c := range cells {
		pop = append(pop, data.CellPop{Cell: c, Population: int32(100 * (i + 1)), Commune: "01.001.01.01"})
	}
	var stats []data.CellStat
	for _, i := range []int{0, 1, 2, 6} {
		stats = append(stats, stat(cells[i], "604-01", data.LevelLimited))
	}
	stats = append(stats, stat(cells[3], "604-01", data.LevelGood), stat(cells[3], "604-02", data.LevelVeryGood))
	stats = append(stats, stat(cells[4], "604-02", data.LevelGood), stat(cells[5], "604-02", data.LevelGood), stat(cells[5], "604-00", data.LevelNone))
	th := coverage.DefaultThresholds()
	gz := coverage.NewGazetteer([]data.Area{{Code: "01.001.01.01", NameFR: "Commune A", NameAR: "جماعة أ", Parent: "01.001", Region: "01"}},
		[]data.Area{{Code: "01.001", NameFR: "Province A", NameAR: "إقليم أ"}}, []data.Area{{Code: "01", NameFR: "Région A"}})
	classes := coverage.Classes(pop, stats, th.Zones)
	zones, snap, err := coverage.FindZones(context.Background(), classes, gz, th.Zones)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 3 {
		t.Fatalf("got %d zones, want 3: %+v", len(zones), zones)
	}
	// populations: white 0-2 = 600, grey 4-5 = 1100, white 6 = 700
	want := []struct {
		kind data.ZoneKind
		pop  int64
		n    int
	}{{data.Grey, 1100, 2}, {data.White, 700, 1}, {data.White, 600, 3}}
	for i, w := range want {
		z := zones[i]
		if z.Kind != w.kind || z.Population != w.pop || len(z.Cells) != w.n || z.Rank != i+1 {
			t.Errorf("zone %d = %s pop %d cells %d rank %d; want %s %d %d %d", i, z.Kind, z.Population, len(z.Cells), z.Rank, w.kind, w.pop, w.n, i+1)
		}
		if len(z.CommunesAR) != 1 || z.CommunesAR[0] != "جماعة أ" || z.ProvinceAR != "إقليم أ" {
			t.Errorf("zone %d Arabic names: %v %q", i, z.CommunesAR, z.ProvinceAR)
		}
		if z.Region != "Région A" || z.Province != "Province A" || len(z.Communes) != 1 || z.Communes[0] != "Commune A" {
			t.Errorf("zone %d names: %q %q %v", i, z.Region, z.Province, z.Communes)
		}
		if len(z.Geom) == 0 || z.AreaKm2 <= 0 {
			t.Errorf("zone %d has no geometry or area", i)
		}
	}
	if zones[0].Operator != "604-02" {
		t.Errorf("grey zone operator = %q, want 604-02", zones[0].Operator)
	}
	if snap.White != 2 || snap.Grey != 1 || snap.WhitePop != 1300 || snap.GreyPop != 1100 || snap.UnmeasuredPop != 800 {
		t.Errorf("snapshot counts: %+v", snap)
	}
	// Same cells, same ids, on a rerun.
	again, _, _ := coverage.FindZones(context.Background(), coverage.Classes(pop, stats, th.Zones), gz, th.Zones)
	for i := range zones {
		if again[i].ID != zones[i].ID || again[i].FID != zones[i].FID {
			t.Errorf("zone %d id changed: %s -> %s", i, zones[i].ID, again[i].ID)
		}
	}
	// A tiny programme marks only the first zone.
	rule := th.Zones
	rule.ProgrammeSize = 1
	small, _, _ := coverage.FindZones(context.Background(), coverage.Classes(pop, stats, rule), gz, rule)
	if !small[0].Programme || small[1].Programme {
		t.Errorf("programme flags: %v %v", small[0].Programme, small[1].Programme)
	}
}

func TestSpreadKeepsTotal(t *testing.T) {
	sq := func(x0, y0, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x0 + d, y0}, {x0 + d, y0 + d}, {x0, y0 + d}, {x0, y0}}}}
	}
	areas := []data.Area{
		{Code: "A", Parent: "P", Type: "rural", Population: 12345, Geom: sq(-6, 33, 0.2)},
		{Code: "B", Parent: "P", Type: "urban", Population: 99999, Geom: sq(-5.8, 33, 0.05)},
		{Code: "C", Parent: "P", Population: 777},                             // no boundary: spread over its siblings
		{Code: "D", Parent: "P", Population: 5, Geom: sq(-5.7, 33.3, 0.0005)}, // smaller than a cell
		{Code: "E", Parent: "Q", Population: 40},                              // no boundary, no sibling
	}
	places := []data.Place{{Point: orb.Point{-5.78, 33.02}, Population: 50000}, {Point: orb.Point{-5.9, 33.1}}}
	cells, unplaced, err := coverage.Spread(context.Background(), areas, places, coverage.SpreadOptions{Resolution: 8})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	byCommune := map[string]int64{}
	for _, c := range cells {
		total += int64(c.Population)
		byCommune[c.Commune] += int64(c.Population)
	}
	if want := int64(12345 + 99999 + 777 + 5); total != want {
		t.Errorf("grid total %d, want %d", total, want)
	}
	if unplaced != 40 {
		t.Errorf("unplaced = %d, want 40", unplaced)
	}
	if byCommune["D"] == 0 {
		t.Error("an area smaller than a cell got no cell")
	}
	// settlement evidence pulls population toward the place
	near, _ := geo.CellAt(orb.Point{-5.78, 33.02}, 8)
	var nearPop, maxB int32
	for _, c := range cells {
		if c.Cell == near {
			nearPop = c.Population
		}
		if c.Commune == "B" && c.Population > maxB {
			maxB = c.Population
		}
	}
	if nearPop == 0 || nearPop < maxB/2 {
		t.Errorf("cell at the place holds %d, commune max %d: settlement weighting not applied", nearPop, maxB)
	}
}
