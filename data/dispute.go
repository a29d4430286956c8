package data

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/geo"
)

// LayerDisputes is the feature layer holding the disputes of the latest
// coverage run: one polygon per group of adjacent disputed cells of one
// operator and technology. Recompute replaces it whole.
const LayerDisputes = "disputes"

// Dispute is a group of adjacent cells where an operator declares good or
// better coverage and enough fresh measurements show limited or none.
type Dispute struct {
	ID           string           `json:"id"` // "D-604-01-4G-" + smallest cell
	MCCMNC       string           `json:"mcc_mnc"`
	Tech         Tech             `json:"tech"`
	Declared     Level            `json:"declared"` // best declared level among the cells
	Measured     Level            `json:"measured"` // best measured (resulting) level among the cells
	Cells        []geo.Cell       `json:"cells"`
	Samples      int64            `json:"samples"` // fresh samples, every source
	Devices      int64            `json:"devices"` // sum over cells of distinct devices
	Population   int64            `json:"population"`
	CommuneCodes []string         `json:"commune_codes"` // most populated first
	RegionCode   string           `json:"region_code"`
	Confidence   float32          `json:"confidence"` // lowest cell confidence
	Geom         orb.MultiPolygon `json:"-"`
}

// Feature turns a dispute into a feature of LayerDisputes.
func (d Dispute) Feature() Feature {
	cells := make([]string, len(d.Cells))
	for i, c := range d.Cells {
		cells[i] = c.String()
	}
	return Feature{Layer: LayerDisputes, ID: d.ID, Geom: d.Geom, Props: map[string]any{
		"mcc_mnc": d.MCCMNC, "tech": d.Tech.String(), "declared": d.Declared.String(), "measured": d.Measured.String(),
		"cells": strings.Join(cells, ","), "samples": float64(d.Samples), "devices": float64(d.Devices),
		"population": float64(d.Population), "communes": strings.Join(d.CommuneCodes, ","), "region": d.RegionCode,
		"confidence": float64(d.Confidence),
	}}
}

// GeoJSON is the dispute as an open-data feature: its outline, its id and
// its figures, the cells as a list of H3 ids.
func (d Dispute) GeoJSON() *geojson.Feature {
	f := geojson.NewFeature(d.Geom)
	f.ID = d.ID
	cells := make([]string, len(d.Cells))
	for i, x := range d.Cells {
		cells[i] = x.String()
	}
	f.Properties = geojson.Properties{"id": d.ID, "mcc_mnc": d.MCCMNC, "tech": d.Tech.String(), "declared": d.Declared.String(),
		"measured": d.Measured.String(), "cells": cells, "samples": d.Samples, "devices": d.Devices, "population": d.Population,
		"confidence": d.Confidence, "region": d.RegionCode, "communes": d.CommuneCodes}
	return f
}

// DisputeOf reads a dispute back from its feature.
func DisputeOf(f Feature) (Dispute, error) {
	d := Dispute{ID: f.ID}
	str := func(k string) string { s, _ := f.Props[k].(string); return s }
	num := func(k string) float64 { v, _ := f.Props[k].(float64); return v }
	var err error
	d.MCCMNC, d.RegionCode = str("mcc_mnc"), str("region")
	if d.Tech, err = ParseTech(str("tech")); err != nil {
		return d, fmt.Errorf("dispute %s: %w", f.ID, err)
	}
	if d.Declared, err = ParseLevel(str("declared")); err != nil {
		return d, fmt.Errorf("dispute %s: %w", f.ID, err)
	}
	if d.Measured, err = ParseLevel(str("measured")); err != nil {
		return d, fmt.Errorf("dispute %s: %w", f.ID, err)
	}
	for _, s := range strings.Split(str("cells"), ",") {
		if s == "" {
			continue
		}
		c, err := geo.ParseCell(s)
		if err != nil {
			return d, fmt.Errorf("%w: dispute %s: %v", ErrInvalid, f.ID, err)
		}
		d.Cells = append(d.Cells, c)
	}
	if c := str("communes"); c != "" {
		d.CommuneCodes = strings.Split(c, ",")
	}
	d.Samples, d.Devices, d.Population = int64(num("samples")), int64(num("devices")), int64(num("population"))
	d.Confidence = float32(num("confidence"))
	if mp, ok := f.Geom.(orb.MultiPolygon); ok {
		d.Geom = mp
	} else if p, ok := f.Geom.(orb.Polygon); ok {
		d.Geom = orb.MultiPolygon{p}
	}
	return d, nil
}
