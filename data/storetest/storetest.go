// Package storetest is the conformance suite of the data.Store contract.
// Every store's tests call Run, so the stores behave the same:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) data.Store { return openFresh(t) })
//	}
//
// open must return a new, empty store for each call and release it in
// t.Cleanup. The suite tests only behaviour the contract promises.
package storetest

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// Run runs the whole suite, one subtest per area of the contract, each on
// a fresh store from open.
func Run(t *testing.T, open func(t *testing.T) data.Store) {
	t.Run("Areas", func(t *testing.T) { testAreas(t, open) })
	t.Run("Places", func(t *testing.T) { testPlaces(t, open) })
	t.Run("LayerInfos", func(t *testing.T) { testLayerInfos(t, open) })
	t.Run("Features", func(t *testing.T) { testFeatures(t, open) })
	t.Run("Uploads", func(t *testing.T) { testUploads(t, open) })
	t.Run("KnownRows", func(t *testing.T) { testKnownRows(t, open) })
	t.Run("ScanMeasurements", func(t *testing.T) { testScan(t, open) })
	t.Run("CellHistograms", func(t *testing.T) { testHistograms(t, open) })
	t.Run("Population", func(t *testing.T) { testPopulation(t, open) })
	t.Run("Coverage", func(t *testing.T) { testCoverage(t, open) })
	t.Run("Snapshots", func(t *testing.T) { testSnapshots(t, open) })
	t.Run("Computation", func(t *testing.T) { testComputation(t, open) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open) })
	t.Run("ScenarioRuns", func(t *testing.T) { testScenarioRuns(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
}

// base is a time with millisecond precision outside UTC: stores must keep
// the instant and return it in UTC.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.FixedZone("+01", 3600))

func eqF32(a, b float32) bool { return a == b || a != a && b != b }

func eqTime(a, b time.Time) bool { return a.Equal(b) }

// cellAt returns the resolution-8 cell at lon, lat, failing t if invalid.
func cellAt(t *testing.T, lon, lat float64) geo.Cell {
	t.Helper()
	c, err := geo.CellAt(orb.Point{lon, lat}, 8)
	if err != nil {
		t.Fatalf("cell at %v,%v: %v", lon, lat, err)
	}
	return c
}

// square returns a closed square ring of side d at lon, lat.
func square(lon, lat, d float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
}

// hole is a square ring wound the other way.
func hole(lon, lat, d float64) orb.Ring {
	r := square(lon, lat, d)
	r.Reverse()
	return r
}

// multi is a MultiPolygon of two polygons, the first with a hole.
func multi(lon, lat float64) orb.MultiPolygon {
	return orb.MultiPolygon{
		{square(lon, lat, 1), hole(lon+0.25, lat+0.25, 0.5)},
		{square(lon+2, lat, 0.5)},
	}
}

// measurement i is deterministic, with absent fields, every technology,
// env and source, and a unique Device (i+1) to find it by.
func measurement(i int) data.Measurement {
	ops := []string{"604-00", "604-01", "604-02"}
	m := data.Measurement{
		Time:      base.Add(time.Duration(i) * time.Millisecond),
		Lon:       -9.5 + float64(i%10007)*0.0003117,
		Lat:       29.25 + float64(i%9973)*0.0004513,
		MCCMNC:    ops[i%len(ops)],
		Tech:      data.Techs[i%len(data.Techs)],
		SignalDBm: -70 - float32(i%50) - 0.25,
		RSRQDB:    -10.5,
		SINRDB:    float32(i%30) - 5,
		DLMbps:    float32(i%200) * 0.75,
		ULMbps:    float32(i%50) * 0.5,
		LatencyMs: 20 + float32(i%80),
		AccuracyM: 3.5,
		Env:       data.Env(i % 3),
		Source:    data.Source(i / 3 % 3),
		Device:    uint64(i) + 1,
	}
	if i%7 == 0 {
		m.RSRQDB, m.SINRDB = data.Absent, data.Absent
	}
	if i%5 == 0 {
		m.DLMbps, m.ULMbps, m.LatencyMs = data.Absent, data.Absent, data.Absent
	}
	if i%11 == 0 {
		m.AccuracyM = data.Absent
	}
	if i == 3 {
		m.Device = math.MaxUint64
	}
	return m
}

func measurements(from, n int) []data.Measurement {
	out := make([]data.Measurement, n)
	for i := range out {
		out[i] = measurement(from + i)
	}
	return out
}

// diffMeasurement describes how got differs from want, or "".
func diffMeasurement(got, want data.Measurement) string {
	switch {
	case !eqTime(got.Time, want.Time):
		return fmt.Sprintf("Time = %v, want %v", got.Time, want.Time)
	case got.Time.Location() != time.UTC:
		return fmt.Sprintf("Time location = %v, want UTC", got.Time.Location())
	case got.Lon != want.Lon || got.Lat != want.Lat:
		return fmt.Sprintf("Lon, Lat = %v, %v, want %v, %v", got.Lon, got.Lat, want.Lon, want.Lat)
	case got.MCCMNC != want.MCCMNC:
		return fmt.Sprintf("MCCMNC = %q, want %q", got.MCCMNC, want.MCCMNC)
	case got.Tech != want.Tech || got.Env != want.Env || got.Source != want.Source:
		return fmt.Sprintf("Tech, Env, Source = %v, %v, %v, want %v, %v, %v", got.Tech, got.Env, got.Source, want.Tech, want.Env, want.Source)
	case got.Device != want.Device:
		return fmt.Sprintf("Device = %d, want %d", got.Device, want.Device)
	}
	gf := []float32{got.SignalDBm, got.RSRQDB, got.SINRDB, got.DLMbps, got.ULMbps, got.LatencyMs, got.AccuracyM}
	wf := []float32{want.SignalDBm, want.RSRQDB, want.SINRDB, want.DLMbps, want.ULMbps, want.LatencyMs, want.AccuracyM}
	names := []string{"SignalDBm", "RSRQDB", "SINRDB", "DLMbps", "ULMbps", "LatencyMs", "AccuracyM"}
	for i := range gf {
		if !eqF32(gf[i], wf[i]) {
			return fmt.Sprintf("%s = %v, want %v", names[i], gf[i], wf[i])
		}
	}
	return ""
}
