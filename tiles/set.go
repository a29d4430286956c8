package tiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// Reader is what tiles read from a store.
type Reader interface {
	Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error)
	Places(ctx context.Context, layer data.PlaceLayer) ([]data.Place, error)
	CellStats(ctx context.Context, f data.CellStatFilter) ([]data.CellStat, error)
	CoverageRun(ctx context.Context) (data.CoverageRun, error)
	LatestSnapshot(ctx context.Context) (data.Snapshot, error)
	Zones(ctx context.Context, snapshot int64, f data.ZoneFilter) ([]data.Zone, int, error)
}

// ErrUnknownLayer is returned for a tile layer that does not exist.
var ErrUnknownLayer = errors.New("tiles: unknown layer")

// Query selects what a coverage tile shows.
type Query struct {
	MCCMNC string
	Tech   data.Tech
}

// Tile is one encoded tile, ready to serve.
type Tile struct {
	Raw  []byte // nil for an empty tile
	Gzip []byte
	ETag string
}

// Set holds every tile layer of one state of the store in memory. It is
// safe for concurrent use.
type Set struct {
	reader     Reader
	base       int
	zoneMinZ   maptile.Zoom
	bounds     orb.Bound
	version    string
	areas      map[data.AreaLevel]*featureIndex
	places     map[data.PlaceLayer]*featureIndex
	zones      *featureIndex
	zoneHex    map[int]*hexGrid
	mu         sync.Mutex
	coverage   map[Query]*coveragePyramid
	cache      *lru.Cache[string, Tile]
	snapshotID int64
}

type coveragePyramid struct {
	once  sync.Once
	grids map[int]*hexGrid
	err   error
}

// Options tune a Set.
type Options struct {
	CacheTiles    int          // encoded tiles kept; default 4096
	ZonePolygonsZ maptile.Zoom // from this zoom zones draw as polygons; default 8
}

// Load reads the layers, the latest snapshot's zones and the coverage run
// from r and indexes them.
func Load(ctx context.Context, r Reader, opt Options) (*Set, error) {
	if opt.CacheTiles == 0 {
		opt.CacheTiles = 4096
	}
	if opt.ZonePolygonsZ == 0 {
		opt.ZonePolygonsZ = 8
	}
	cache, _ := lru.New[string, Tile](opt.CacheTiles)
	s := &Set{reader: r, base: 8, zoneMinZ: opt.ZonePolygonsZ, areas: map[data.AreaLevel]*featureIndex{},
		places: map[data.PlaceLayer]*featureIndex{}, coverage: map[Query]*coveragePyramid{}, cache: cache, zoneHex: map[int]*hexGrid{}}
	var ver []string
	s.bounds = orb.Bound{Min: orb.Point{180, 90}, Max: orb.Point{-180, -90}}
	for _, lv := range []data.AreaLevel{data.LevelRegion, data.LevelProvince, data.LevelCommune} {
		areas, err := r.Areas(ctx, lv)
		if err != nil {
			return nil, fmt.Errorf("tiles: load %s areas: %w", lv, err)
		}
		ix := &featureIndex{}
		for _, a := range areas {
			if len(a.Geom) == 0 {
				continue
			}
			f := geojson.NewFeature(a.Geom)
			f.ID = codeID(a.Code)
			f.Properties = geojson.Properties{"code": a.Code, "name_fr": a.NameFR, "name_ar": a.NameAR, "population": a.Population}
			ix.add(f)
			s.bounds = s.bounds.Union(a.Geom.Bound())
		}
		s.areas[lv] = ix
		ver = append(ver, fmt.Sprintf("%s%d", lv, len(areas)))
	}
	if s.bounds.Min[0] > s.bounds.Max[0] {
		s.bounds = orb.Bound{Min: orb.Point{-17.2, 20.7}, Max: orb.Point{-0.9, 36.0}}
	}
	for _, pl := range []data.PlaceLayer{data.LayerPlaces, data.LayerHealth} {
		places, err := r.Places(ctx, pl)
		if err != nil {
			return nil, fmt.Errorf("tiles: load %s: %w", pl, err)
		}
		ix := &featureIndex{}
		for _, p := range places {
			f := geojson.NewFeature(p.Point)
			id, _ := strconv.ParseUint(p.ID, 10, 64)
			f.ID = id
			f.Properties = geojson.Properties{"name": p.Name, "kind": p.Kind}
			if pl == data.LayerPlaces {
				f.Properties["name_ar"] = p.NameAR
				f.Properties["population"] = p.Population
			}
			ix.add(f)
		}
		s.places[pl] = ix
	}
	if run, err := r.CoverageRun(ctx); err == nil {
		s.base = run.Resolution
		ver = append(ver, run.ComputedAt.String())
	} else if !errors.Is(err, data.ErrNotFound) {
		return nil, fmt.Errorf("tiles: coverage run: %w", err)
	}
	if err := s.loadZones(ctx); err != nil {
		return nil, err
	}
	ver = append(ver, strconv.FormatInt(s.snapshotID, 10))
	h := sha256.Sum256([]byte(strings.Join(ver, "|")))
	s.version = hex.EncodeToString(h[:6])
	return s, nil
}

func (s *Set) loadZones(ctx context.Context) error {
	s.zones = &featureIndex{}
	snap, err := s.reader.LatestSnapshot(ctx)
	if errors.Is(err, data.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tiles: latest snapshot: %w", err)
	}
	s.snapshotID = snap.ID
	zones, _, err := s.reader.Zones(ctx, snap.ID, data.ZoneFilter{})
	if err != nil {
		return fmt.Errorf("tiles: zones of snapshot %d: %w", snap.ID, err)
	}
	type agg struct {
		pop   map[data.ZoneKind]float64
		zones map[string]bool
	}
	byRes := map[int]map[geo.Cell]*agg{}
	for _, z := range zones {
		if len(z.Geom) == 0 {
			continue
		}
		f := geojson.NewFeature(z.Geom)
		f.ID = z.FID
		f.Properties = zoneProps(z)
		s.zones.add(f)
		share := float64(z.Population) / float64(max(1, len(z.Cells)))
		for _, c := range z.Cells {
			for r := 3; r < c.Resolution(); r++ {
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
	for r, m := range byRes {
		props := make(map[geo.Cell]geojson.Properties, len(m))
		for c, a := range m {
			kind := data.White
			if a.pop[data.Grey] > a.pop[data.White] {
				kind = data.Grey
			}
			props[c] = geojson.Properties{"agg": 1, "kind": string(kind), "population": int64(a.pop[data.White] + a.pop[data.Grey] + 0.5), "zones": len(a.zones)}
		}
		s.zoneHex[r] = newHexGrid(r, props)
	}
	return nil
}

func zoneProps(z data.Zone) geojson.Properties {
	p := geojson.Properties{
		"id": z.ID, "kind": string(z.Kind), "rank": z.Rank, "population": z.Population, "area_km2": z.AreaKm2,
		"region": z.Region, "province": z.Province, "communes": strings.Join(z.Communes, ", "), "programme": z.Programme,
	}
	if z.Operator != "" {
		p["operator"] = z.Operator
	}
	return p
}

// codeID turns an HCP code ("01.511.01.01") into a stable integer id.
func codeID(code string) uint64 {
	var n uint64
	for _, r := range code {
		if r >= '0' && r <= '9' {
			n = n*10 + uint64(r-'0')
		}
	}
	return n
}

// Version identifies the data behind the set; it changes when the store's
// layers, coverage run or snapshot change.
func (s *Set) Version() string { return s.version }

// Bounds is the extent of the reference layers.
func (s *Set) Bounds() orb.Bound { return s.bounds }

// Resolution is the H3 resolution of the coverage grid.
func (s *Set) Resolution() int { return s.base }

// Render returns the encoded tile of a layer, from the cache when it has
// it. Errors: ErrUnknownLayer; a store error for coverage.
func (s *Set) Render(ctx context.Context, layer string, t maptile.Tile, q Query) (Tile, error) {
	key := fmt.Sprintf("%s/%d/%d/%d?%s&%s", layer, t.Z, t.X, t.Y, q.MCCMNC, q.Tech)
	if tile, ok := s.cache.Get(key); ok {
		return tile, nil
	}
	layers, err := s.layers(ctx, layer, t, q)
	if err != nil {
		return Tile{}, err
	}
	raw, err := Encode(t, layers)
	if err != nil {
		return Tile{}, err
	}
	tile := Tile{Raw: raw}
	if raw != nil {
		tile.Gzip = Gzip(raw)
		h := sha256.Sum256(raw)
		tile.ETag = `"` + hex.EncodeToString(h[:12]) + `"`
	}
	s.cache.Add(key, tile)
	return tile, nil
}

func (s *Set) layers(ctx context.Context, layer string, t maptile.Tile, q Query) (map[string]*geojson.FeatureCollection, error) {
	b := padded(t.Bound())
	out := map[string]*geojson.FeatureCollection{}
	put := func(name string, fs []*geojson.Feature) {
		if len(fs) > 0 {
			out[name] = &geojson.FeatureCollection{Type: "FeatureCollection", Features: fs}
		}
	}
	switch layer {
	case "boundaries":
		put("region", s.areas[data.LevelRegion].search(b))
		if t.Z >= 5 {
			put("province", s.areas[data.LevelProvince].search(b))
		}
		if t.Z >= 8 {
			put("commune", s.areas[data.LevelCommune].search(b))
		}
	case "places":
		if t.Z >= 5 {
			put("place", s.places[data.LayerPlaces].search(b))
		}
		if t.Z >= 9 {
			put("health", s.places[data.LayerHealth].search(b))
		}
	case "zones":
		if t.Z >= s.zoneMinZ {
			put("zones", s.zones.search(b))
		} else if g := s.zoneHex[HexResolution(t.Z, s.base-1)]; g != nil {
			put("zones", g.features(t.Bound()))
		}
	case "coverage":
		p, err := s.pyramid(ctx, q)
		if err != nil {
			return nil, err
		}
		if g := p.grids[HexResolution(t.Z, s.base)]; g != nil {
			put("coverage", g.features(t.Bound()))
		}
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownLayer, layer)
	}
	return out, nil
}

// pyramid builds, once per operator and technology, the coverage hexagons
// at every resolution: the grid's own stats, and for coarser parents the
// most frequent level among their measured children.
func (s *Set) pyramid(ctx context.Context, q Query) (*coveragePyramid, error) {
	s.mu.Lock()
	p := s.coverage[q]
	if p == nil {
		p = &coveragePyramid{}
		s.coverage[q] = p
	}
	s.mu.Unlock()
	p.once.Do(func() {
		stats, err := s.reader.CellStats(ctx, data.CellStatFilter{MCCMNC: q.MCCMNC, Tech: q.Tech})
		if err != nil {
			p.err = err
			return
		}
		p.grids = map[int]*hexGrid{}
		base := map[geo.Cell]geojson.Properties{}
		type agg struct {
			levels  [5]int32
			samples int64
		}
		parents := map[int]map[geo.Cell]*agg{}
		for _, st := range stats {
			if st.Level == data.Unmeasured {
				continue
			}
			props := geojson.Properties{"level": st.Level.String(), "samples": st.Samples}
			if data.Has(st.SignalP50) {
				props["signal_p50"] = st.SignalP50
			}
			if data.Has(st.DLP10) {
				props["dl_p10"] = st.DLP10
			}
			base[st.Cell] = props
			for r := 3; r < st.Cell.Resolution(); r++ {
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
		p.grids[s.base] = newHexGrid(s.base, base)
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
				props[c] = geojson.Properties{"level": best.String(), "samples": a.samples, "cells": cells}
			}
			p.grids[r] = newHexGrid(r, props)
		}
	})
	if p.err != nil {
		s.mu.Lock()
		delete(s.coverage, q)
		s.mu.Unlock()
		return nil, fmt.Errorf("tiles: coverage %s %s: %w", q.MCCMNC, q.Tech, p.err)
	}
	return p, nil
}
