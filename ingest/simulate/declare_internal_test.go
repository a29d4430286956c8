package simulate

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// TestDeclareFloodIsComplete checks the flood fill against a brute-force
// pass over every cell of two wide disks: the same cells at the same
// levels, with the measurements' own nearest-site search and clutter.
func TestDeclareFloodIsComplete(t *testing.T) {
	city, sparse := orb.Point{-6.8326, 34.0133}, orb.Point{-8.0, 29.5}
	var pop []data.CellPop
	add := func(p orb.Point, k int, n int32) []geo.Cell {
		c, err := geo.CellAt(p, DeclaredResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range geo.Disk(c, k) {
			pop = append(pop, data.CellPop{Cell: d, Population: n})
		}
		return geo.Disk(c, k+60) // beyond 35 km + 12 dB of reach
	}
	area := append(add(city, 6, 8000), add(sparse, 20, 3)...)
	m, err := New(Options{Seed: 5, Population: pop, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	bins := map[data.Tech]Bins{data.Tech2G: {-75, -85, -100}, data.Tech3G: {-85, -95, -105}, data.Tech4G: {-90, -105, -115}}
	over := map[string]float64{"604-02": 12}
	ds, err := m.Declare(context.Background(), DeclareOptions{Signal: bins, Overstate: over})
	if err != nil {
		t.Fatal(err)
	}
	pl := newPathLoss()
	var buf []candidate
	for _, d := range ds {
		o, tn := 0, int(d.Tech)-int(data.Tech2G)
		for operators[o].code != d.MCCMNC {
			o++
		}
		if techs[tn].tech != d.Tech {
			t.Fatalf("tech %s at %d", d.Tech, tn)
		}
		b := bins[d.Tech]
		floor := max(b.Limited, techs[tn].sens)
		eirp := techs[tn].refDBm + antennaGainDBi - feederLossDB
		got := map[geo.Cell]DeclaredCell{}
		for _, c := range d.Cells {
			got[c.Cell] = c
		}
		var n int
		for _, c := range area {
			p := geo.CellCenter(c)
			buf = m.net.index[o][tn].nearest(p[0], p[1], 1, maxServerKm, buf)
			want := DeclaredCell{Cell: c, Declared: data.LevelNone, Modelled: data.LevelNone}
			if len(buf) == 1 {
				s := eirp - pl.loss(tn, m.g.clutterAt(p[0], p[1]), buf[0].dKm)
				want.Modelled, want.Declared = level(s, floor, &b), level(s+over[d.MCCMNC], floor, &b)
			}
			g, ok := got[c]
			if !ok {
				g = DeclaredCell{Cell: c, Declared: data.LevelNone, Modelled: data.LevelNone}
			}
			if g != want {
				t.Fatalf("%s %s cell %s: flood %+v, brute force %+v", d.MCCMNC, d.Tech, c, g, want)
			}
			if ok {
				n++
			}
		}
		if n != len(d.Cells) || n == 0 {
			t.Errorf("%s %s: %d of %d declared cells in the brute-force area", d.MCCMNC, d.Tech, n, len(d.Cells))
		}
	}
}
