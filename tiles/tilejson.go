package tiles

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/paulmach/orb"
)

// Attribution is shown with every layer built on the reference pack.
const Attribution = `© OpenStreetMap contributors (ODbL); census: Haut-Commissariat au Plan, RGPH 2024; places: GeoNames (CC BY 4.0); measurements: simulated unless uploaded`

// VectorLayer describes one MVT layer of a tileset.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	Fields      map[string]string `json:"fields"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
}

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

var catalog = map[string]struct {
	desc   string
	layers []VectorLayer
}{
	"boundaries": {"Regions, provinces and communes of the reference pack", []VectorLayer{
		{ID: "region", Fields: map[string]string{"code": "String", "name_fr": "String", "name_ar": "String", "population": "Number"}, MinZoom: 0, MaxZoom: MaxZoom},
		{ID: "province", Fields: map[string]string{"code": "String", "name_fr": "String", "name_ar": "String", "population": "Number"}, MinZoom: 5, MaxZoom: MaxZoom},
		{ID: "commune", Fields: map[string]string{"code": "String", "name_fr": "String", "name_ar": "String", "population": "Number"}, MinZoom: 8, MaxZoom: MaxZoom},
	}},
	"places": {"Populated places and health facilities", []VectorLayer{
		{ID: "place", Fields: map[string]string{"name": "String", "name_ar": "String", "kind": "String", "population": "Number"}, MinZoom: 5, MaxZoom: MaxZoom},
		{ID: "health", Fields: map[string]string{"name": "String", "kind": "String"}, MinZoom: 9, MaxZoom: MaxZoom},
	}},
	"coverage": {"Coverage level per H3 cell for one operator and technology; coarser parents at low zoom carry the most frequent level", []VectorLayer{
		{ID: "coverage", Fields: map[string]string{"level": "String", "samples": "Number", "signal_p50": "Number", "dl_p10": "Number", "cells": "Number"}, MinZoom: 0, MaxZoom: MaxZoom},
	}},
	"zones": {"White and grey zones of the latest snapshot; below the polygon zoom, H3 parents with agg=1", []VectorLayer{
		{ID: "zones", Fields: map[string]string{"id": "String", "kind": "String", "rank": "Number", "population": "Number", "area_km2": "Number",
			"region": "String", "province": "String", "communes": "String", "operator": "String", "programme": "Boolean", "agg": "Number", "zones": "Number"}, MinZoom: 0, MaxZoom: MaxZoom},
	}},
	"disputes": {"Disputed coverage of the latest run: groups of cells where an operator declares good or better coverage and fresh measurements show limited or none; mcc_mnc and tech narrow them", []VectorLayer{
		{ID: "disputes", Fields: map[string]string{"id": "String", "mcc_mnc": "String", "tech": "String", "declared": "String", "measured": "String",
			"samples": "Number", "devices": "Number", "population": "Number", "confidence": "Number", "region": "String"}, MinZoom: FeatureLayersMinZoom, MaxZoom: MaxZoom},
	}},
	"plan": {"One stored planning scenario run (scenario=ID): fibre routes, administrative sites by technology, new 4G sites, and zones by the work planned (site4g or roaming)", []VectorLayer{
		{ID: "routes", Fields: map[string]string{"site": "String", "new_km": "Number", "shared_km": "Number", "cost_mad": "Number"}, MinZoom: PlanMinZoom, MaxZoom: MaxZoom},
		{ID: "sites", Fields: map[string]string{"site": "String", "kind": "String", "tech": "String", "name": "String", "zone": "String", "region": "String",
			"population": "Number", "new_km": "Number", "cost_mad": "Number"}, MinZoom: PlanMinZoom, MaxZoom: MaxZoom},
		{ID: "zones", Fields: map[string]string{"zone": "String", "kind": "String", "tech": "String", "host": "String", "region": "String",
			"population": "Number", "covered": "Number", "new_sites": "Number", "cost_mad": "Number"}, MinZoom: PlanMinZoom, MaxZoom: MaxZoom},
	}},
	"declared": {"Coverage one operator declares for one technology: polygons with their level (very_good, good or limited)", []VectorLayer{
		{ID: "declared", Fields: map[string]string{"level": "String", "source_ref": "String"}, MinZoom: FeatureLayersMinZoom, MaxZoom: MaxZoom},
	}},
}

// Layers lists the tilesets a Set serves.
func Layers() []string {
	return []string{"boundaries", "coverage", "declared", "disputes", "places", "plan", "zones"}
}

// TileJSON describes a tileset; base is the absolute URL prefix of the
// server ("http://host:port") and query the selection (coverage, declared,
// disputes) carried into tiles[].
func (s *Set) TileJSON(layer, base string, q Query) (TileJSON, error) {
	return NewTileJSON(layer, base, q, s.version, s.bounds)
}

// NewTileJSON is the TileJSON document of a tileset served by a renderer
// of the given version and bounds (see Renderer.TileJSON). Errors:
// ErrUnknownLayer.
func NewTileJSON(layer, base string, q Query, version string, b orb.Bound) (TileJSON, error) {
	c, ok := catalog[layer]
	if !ok {
		return TileJSON{}, errUnknown(layer)
	}
	u := fmt.Sprintf("%s/tiles/%s/{z}/{x}/{y}.mvt", base, layer)
	if layer == "coverage" || layer == "declared" || layer == "disputes" {
		v := url.Values{}
		if q.MCCMNC != "" {
			v.Set("mcc_mnc", q.MCCMNC)
		}
		if q.Tech != 0 {
			v.Set("tech", q.Tech.String())
		}
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
	}
	if layer == "plan" {
		u += "?scenario=" + strconv.FormatInt(q.Scenario, 10)
	}
	minZ := MaxZoom
	for _, l := range c.layers {
		minZ = min(minZ, l.MinZoom)
	}
	return TileJSON{
		TileJSON: "3.0.0", Name: layer, Description: c.desc, Version: "1.0.0+" + version, Attribution: Attribution, Scheme: "xyz",
		Tiles: []string{u}, MinZoom: minZ, MaxZoom: MaxZoom,
		Bounds:       [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Center:       [3]float64{(b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2, 5},
		VectorLayers: c.layers,
	}, nil
}
