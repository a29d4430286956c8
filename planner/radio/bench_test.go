package radio_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/planner/radio"
)

const packDir = "../../../shared/data/morocco"

// layers keeps what ingest.LoadPack stores.
type layers struct {
	areas  map[data.AreaLevel][]data.Area
	places []data.Place
}

func (l *layers) ReplaceAreas(_ context.Context, level data.AreaLevel, areas []data.Area) error {
	l.areas[level] = areas
	return nil
}

func (l *layers) ReplacePlaces(_ context.Context, _ data.PlaceLayer, places []data.Place) error {
	l.places = append(l.places, places...)
	return nil
}

func (l *layers) PutLayerInfo(context.Context, data.LayerInfo) error { return nil }

// syntheticZones spreads the Morocco pack's census onto resolution-8
// cells and cuts n zones out of its rural communes: each a disk of 1 to 6
// steps around a random populated rural cell, its populated cells not yet
// in another zone. It returns the zones and the national grid.
func syntheticZones(b *testing.B, n int) ([][]data.CellPop, []data.CellPop) {
	if _, err := os.Stat(packDir); err != nil {
		b.Skipf("Morocco reference pack not found at %s", packDir)
	}
	ctx := context.Background()
	l := &layers{areas: map[data.AreaLevel][]data.Area{}}
	if _, err := ingest.LoadPack(ctx, l, packDir); err != nil {
		b.Fatal(err)
	}
	grid, _, err := coverage.Spread(ctx, l.areas[data.LevelCommune], l.places, coverage.SpreadOptions{Resolution: 8})
	if err != nil {
		b.Fatal(err)
	}
	ruralCommune := map[string]bool{}
	for _, a := range l.areas[data.LevelCommune] {
		ruralCommune[a.Code] = a.Type == "rural"
	}
	pop := map[geo.Cell]data.CellPop{}
	var rural []data.CellPop
	for _, c := range grid {
		pop[c.Cell] = c
		if ruralCommune[c.Commune] {
			rural = append(rural, c)
		}
	}
	used := map[geo.Cell]bool{}
	rng := rand.New(rand.NewPCG(2026, 1800))
	var zones [][]data.CellPop
	for len(zones) < n {
		seed := rural[rng.IntN(len(rural))]
		if used[seed.Cell] {
			continue
		}
		var z []data.CellPop
		for _, d := range geo.Disk(seed.Cell, 1+rng.IntN(6)) {
			if c, ok := pop[d]; ok && !used[d] && ruralCommune[c.Commune] {
				used[d] = true
				z = append(z, c)
			}
		}
		zones = append(zones, z)
	}
	return zones, grid
}

// BenchmarkPlace1800Zones plans new 4G sites for 1,800 synthetic rural
// zones of the Morocco pack (one op = all 1,800 zones).
func BenchmarkPlace1800Zones(b *testing.B) {
	zones, grid := syntheticZones(b, 1800)
	opt := radio.Options{TargetDBm: -105, CostMAD: 2.5e6, MaxSites: 50, Density: radio.Density(grid)}
	var cells, sites int
	for _, z := range zones {
		cells += len(z)
	}
	b.ReportAllocs()
	for b.Loop() {
		sites = 0
		for _, z := range zones {
			p, err := radio.Place(z, opt)
			if err != nil {
				b.Fatal(err)
			}
			sites += len(p.Sites)
		}
	}
	b.ReportMetric(float64(cells), "cells")
	b.ReportMetric(float64(sites), "sites")
}
