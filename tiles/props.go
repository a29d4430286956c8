package tiles

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// The definitions below are shared by every Renderer: Set builds its
// features with them, and the PostGIS renderer computes the same hexagons
// and writes the same properties in SQL, so both serve the same tiles.

// Int is an integer property value as MVT carries it: uint64 when n is not
// negative, int64 otherwise. orb's encoder writes Go uint64 as uint_value
// and int64 as sint_value, which is what PostGIS's ST_AsMVT writes for an
// integer column, so the two renderers agree to the wire type.
func Int(n int64) any {
	if n >= 0 {
		return uint64(n)
	}
	return n
}

// CodeID turns an HCP code ("01.511.01.01") into a stable integer feature
// id: its digits read as one number.
func CodeID(code string) uint64 {
	var n uint64
	for _, r := range code {
		if r >= '0' && r <= '9' {
			n = n*10 + uint64(r-'0')
		}
	}
	return n
}

// PlaceID is the feature id of a place: its id read as a decimal number,
// 0 when it is not one.
func PlaceID(id string) uint64 {
	n, _ := strconv.ParseUint(id, 10, 64)
	return n
}

// AreaProps are the properties of an area (region, province, commune).
func AreaProps(a data.Area) geojson.Properties {
	return geojson.Properties{"code": a.Code, "name_fr": a.NameFR, "name_ar": a.NameAR, "population": Int(a.Population)}
}

// PlaceProps are the properties of a point of a place layer; populated
// places also carry their Arabic name and population.
func PlaceProps(p data.Place, layer data.PlaceLayer) geojson.Properties {
	props := geojson.Properties{"name": p.Name, "kind": p.Kind}
	if layer == data.LayerPlaces {
		props["name_ar"] = p.NameAR
		props["population"] = Int(p.Population)
	}
	return props
}

// ZoneProps are the properties of a zone polygon.
func ZoneProps(z data.Zone) geojson.Properties {
	p := geojson.Properties{
		"id": z.ID, "kind": string(z.Kind), "rank": Int(int64(z.Rank)), "population": Int(z.Population), "area_km2": z.AreaKm2,
		"region": z.Region, "province": z.Province, "communes": strings.Join(z.Communes, ", "), "programme": z.Programme,
	}
	if z.Operator != "" {
		p["operator"] = z.Operator
	}
	return p
}

// MinHexResolution is the coarsest resolution of the hexagon pyramids.
const MinHexResolution = 3

// CoverageHexes builds the coverage hexagon pyramid of one selection of
// cell stats (one operator and technology): at resolution base the cells'
// own level, samples and, when known, signal p50 and downlink p10; at each
// coarser resolution down to MinHexResolution the parents, with the most
// frequent level among their measured children (the better level on a
// tie), the children's samples and the number of measured children.
// Unmeasured stats are left out. When several stats share a cell the last
// one wins at base and all count in the parents.
func CoverageHexes(stats []data.CellStat, base int) map[int]map[geo.Cell]geojson.Properties {
	out := map[int]map[geo.Cell]geojson.Properties{}
	baseProps := map[geo.Cell]geojson.Properties{}
	type agg struct {
		levels  [5]int32
		samples int64
	}
	parents := map[int]map[geo.Cell]*agg{}
	for _, st := range stats {
		if st.Level == data.Unmeasured {
			continue
		}
		props := geojson.Properties{"level": st.Level.String(), "samples": Int(int64(st.Samples))}
		if data.Has(st.SignalP50) {
			props["signal_p50"] = st.SignalP50
		}
		if data.Has(st.DLP10) {
			props["dl_p10"] = st.DLP10
		}
		baseProps[st.Cell] = props
		for r, res := MinHexResolution, st.Cell.Resolution(); r < res; r++ {
			m := parents[r]
			if m == nil {
				m = map[geo.Cell]*agg{}
				parents[r] = m
			}
			pc := geo.Parent(st.Cell, r)
			a := m[pc]
			if a == nil {
				a = &agg{}
				m[pc] = a
			}
			a.levels[st.Level]++
			a.samples += int64(st.Samples)
		}
	}
	out[base] = baseProps
	for r, m := range parents {
		props := make(map[geo.Cell]geojson.Properties, len(m))
		for c, a := range m {
			best, cells := data.LevelNone, int32(0)
			for l := data.LevelNone; l <= data.LevelVeryGood; l++ {
				cells += a.levels[l]
				if a.levels[l] >= a.levels[best] {
					best = l
				}
			}
			props[c] = geojson.Properties{"level": best.String(), "samples": Int(a.samples), "cells": Int(int64(cells))}
		}
		out[r] = props
	}
	return out
}

// ZoneHexes builds the low-zoom pyramid of a snapshot's zones: for every
// resolution from MinHexResolution to just above the zones' cells, the
// parents of their cells with agg=1, the kind holding more population
// (white on a tie), the population (each zone's spread evenly on its
// cells, rounded) and the number of zones touching the parent. Zones
// without geometry are left out, as they are from the polygon layer.
func ZoneHexes(zones []data.Zone) map[int]map[geo.Cell]geojson.Properties {
	type agg struct {
		pop   map[data.ZoneKind]float64
		zones map[string]bool
	}
	byRes := map[int]map[geo.Cell]*agg{}
	for _, z := range zones {
		if len(z.Geom) == 0 {
			continue
		}
		share := float64(z.Population) / float64(max(1, len(z.Cells)))
		for _, c := range z.Cells {
			for r, res := MinHexResolution, c.Resolution(); r < res; r++ {
				m := byRes[r]
				if m == nil {
					m = map[geo.Cell]*agg{}
					byRes[r] = m
				}
				p := geo.Parent(c, r)
				a := m[p]
				if a == nil {
					a = &agg{pop: map[data.ZoneKind]float64{}, zones: map[string]bool{}}
					m[p] = a
				}
				a.pop[z.Kind] += share
				a.zones[z.ID] = true
			}
		}
	}
	out := make(map[int]map[geo.Cell]geojson.Properties, len(byRes))
	for r, m := range byRes {
		props := make(map[geo.Cell]geojson.Properties, len(m))
		for c, a := range m {
			kind := data.White
			if a.pop[data.Grey] > a.pop[data.White] {
				kind = data.Grey
			}
			props[c] = geojson.Properties{"agg": Int(1), "kind": string(kind), "population": Int(int64(a.pop[data.White] + a.pop[data.Grey] + 0.5)), "zones": Int(int64(len(a.zones)))}
		}
		out[r] = props
	}
	return out
}

// SearchBound is the WGS84 box in which a tile looks for features: the
// tile grown by the clip buffer, so features just outside still draw
// across its edge.
func SearchBound(t maptile.Tile) orb.Bound { return padded(t.Bound()) }

// HexSearchBound is the WGS84 box in which a tile of hexagons of
// resolution res looks for cell centres: the tile grown by about one cell.
func HexSearchBound(t maptile.Tile, res int) orb.Bound {
	b := t.Bound()
	grow := hexRadiusDeg(res)
	return orb.Bound{Min: orb.Point{b.Min[0] - grow, b.Min[1] - grow}, Max: orb.Point{b.Max[0] + grow, b.Max[1] + grow}}
}

func errUnknown(layer string) error { return fmt.Errorf("%w: %q", ErrUnknownLayer, layer) }

// Source says where the features of a sublayer come from.
type Source int

// Sources of sublayers.
const (
	SourceRegions       Source = iota + 1 // areas of data.LevelRegion
	SourceProvinces                       // areas of data.LevelProvince
	SourceCommunes                        // areas of data.LevelCommune
	SourcePlaces                          // points of data.LayerPlaces
	SourceHealth                          // points of data.LayerHealth
	SourceZones                           // zone polygons of the latest snapshot
	SourceZoneHexes                       // ZoneHexes at Res
	SourceCoverageHexes                   // CoverageHexes at Res for the query
	SourceDisputes                        // features of data.LayerDisputes matching the query
	SourceDeclared                        // features of the query's declared-coverage layer
	SourcePlanRoutes                      // lines of the query's scenario routes (data.RoutesLayer)
	SourcePlanSites                       // points of the query's scenario assignments (data.AssignmentsLayer)
	SourcePlanZones                       // polygons of the query's scenario assignments
)

// PlanMinZoom is the zoom from which the plan tileset draws. A national
// plan is a few thousand routes and points and under two thousand zone
// polygons, so it draws from a low zoom.
const PlanMinZoom = 3

// PlanDetailZoom is the zoom from which plan routes and site points
// carry every property (PlanProps); below it they carry PlanBriefProps
// (routes none).
const PlanDetailZoom = 8

// FeatureLayersMinZoom is the zoom from which the disputes and declared
// tilesets draw their polygons. There is no coarser form: below it their
// tiles are empty (the coverage pyramid gives the national picture), so a
// low-zoom tile never carries a country's worth of polygons.
const FeatureLayersMinZoom = 5

// Sublayer is one MVT layer of a tile.
type Sublayer struct {
	Name   string // MVT layer name
	Source Source
	Res    int // H3 resolution of hexagon sources
	// Brief: plan routes and sites carry PlanBriefProps (below
	// PlanDetailZoom).
	Brief bool
}

// Plan lists the MVT layers of a tile of a tileset at zoom z, the zoom
// rules every renderer follows: base is the coverage grid's resolution
// and zonePolygonsZ the zoom from which zones draw as polygons; disputes
// and declared draw their polygons from FeatureLayersMinZoom and nothing
// below it. Errors: ErrUnknownLayer.
func Plan(layer string, z maptile.Zoom, base int, zonePolygonsZ maptile.Zoom) ([]Sublayer, error) {
	var out []Sublayer
	switch layer {
	case "boundaries":
		out = append(out, Sublayer{Name: "region", Source: SourceRegions})
		if z >= 5 {
			out = append(out, Sublayer{Name: "province", Source: SourceProvinces})
		}
		if z >= 8 {
			out = append(out, Sublayer{Name: "commune", Source: SourceCommunes})
		}
	case "places":
		if z >= 5 {
			out = append(out, Sublayer{Name: "place", Source: SourcePlaces})
		}
		if z >= 9 {
			out = append(out, Sublayer{Name: "health", Source: SourceHealth})
		}
	case "zones":
		if z >= zonePolygonsZ {
			out = append(out, Sublayer{Name: "zones", Source: SourceZones})
		} else {
			out = append(out, Sublayer{Name: "zones", Source: SourceZoneHexes, Res: HexResolution(z, base-1)})
		}
	case "coverage":
		out = append(out, Sublayer{Name: "coverage", Source: SourceCoverageHexes, Res: HexResolution(z, base)})
	case "disputes":
		if z >= FeatureLayersMinZoom {
			out = append(out, Sublayer{Name: "disputes", Source: SourceDisputes})
		}
	case "declared":
		if z >= FeatureLayersMinZoom {
			out = append(out, Sublayer{Name: "declared", Source: SourceDeclared})
		}
	case "plan":
		if z >= PlanMinZoom {
			brief := z < PlanDetailZoom
			out = append(out, Sublayer{Name: "routes", Source: SourcePlanRoutes, Brief: brief}, Sublayer{Name: "sites", Source: SourcePlanSites, Brief: brief},
				Sublayer{Name: "zones", Source: SourcePlanZones})
		}
	default:
		return nil, errUnknown(layer)
	}
	return out, nil
}
