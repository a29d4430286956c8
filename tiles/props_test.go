package tiles_test

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

func TestCoverageHexes(t *testing.T) {
	c, _ := geo.CellAt(orb.Point{-6.83, 34.01}, 8)
	parent := geo.Parent(c, 7)
	kids, err := parent.Children(8)
	if err != nil || len(kids) != 7 {
		t.Fatalf("children: %v %d", err, len(kids))
	}
	// three good, three limited (a tie: the better level wins), one
	// unmeasured (left out everywhere)
	levels := []data.Level{data.LevelGood, data.LevelLimited, data.LevelGood, data.LevelLimited, data.LevelGood, data.LevelLimited, data.Unmeasured}
	var stats []data.CellStat
	for i, k := range kids {
		st := data.CellStat{Cell: k, MCCMNC: "604-01", Tech: data.Tech4G, Samples: int32(10 + i), Level: levels[i], SignalP50: -90.5, DLP10: data.Absent}
		stats = append(stats, st)
	}
	pyr := tiles.CoverageHexes(stats, 8)
	if len(pyr[8]) != 6 {
		t.Errorf("base: %d cells, want 6 measured", len(pyr[8]))
	}
	p := pyr[8][kids[0]]
	if p["level"] != "good" || p["samples"] != uint64(10) || p["signal_p50"] != float32(-90.5) || p["dl_p10"] != nil {
		t.Errorf("base props = %v", p)
	}
	for r := tiles.MinHexResolution; r < 8; r++ {
		if len(pyr[r]) != 1 {
			t.Fatalf("res %d: %d cells, want 1", r, len(pyr[r]))
		}
	}
	got := pyr[7][parent]
	want := map[string]any{"level": "good", "samples": uint64(10 + 11 + 12 + 13 + 14 + 15), "cells": uint64(6)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("parent %s = %v (%T), want %v", k, got[k], got[k], v)
		}
	}
}

func TestZoneHexes(t *testing.T) {
	c, _ := geo.CellAt(orb.Point{-6.83, 34.01}, 8)
	kids, _ := geo.Parent(c, 7).Children(8)
	geom := orb.MultiPolygon{geo.CellPolygon(kids[0])}
	zones := []data.Zone{
		{ID: "W-1", Kind: data.White, Population: 30, Cells: kids[:3], Geom: geom},
		{ID: "G-1", Kind: data.Grey, Population: 41, Cells: kids[3:5], Geom: geom},
		{ID: "W-2", Kind: data.White, Population: 1000, Cells: kids[5:], Geom: nil}, // no geometry: left out
	}
	pyr := tiles.ZoneHexes(zones)
	if len(pyr[8]) != 0 || len(pyr[7]) != 1 || len(pyr[3]) != 1 {
		t.Fatalf("pyramid sizes: res 8 %d, 7 %d, 3 %d", len(pyr[8]), len(pyr[7]), len(pyr[3]))
	}
	got := pyr[7][geo.Parent(c, 7)]
	want := map[string]any{"agg": uint64(1), "kind": "grey", "population": uint64(71), "zones": uint64(2)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v (%T), want %v", k, got[k], got[k], v)
		}
	}
}
