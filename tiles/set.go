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
)

// Reader is what tiles read from a store.
type Reader interface {
	Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error)
	Places(ctx context.Context, layer data.PlaceLayer) ([]data.Place, error)
	CellStats(ctx context.Context, f data.CellStatFilter) ([]data.CellStat, error)
	CoverageRun(ctx context.Context) (data.CoverageRun, error)
	LatestSnapshot(ctx context.Context) (data.Snapshot, error)
	Zones(ctx context.Context, snapshot int64, f data.ZoneFilter) ([]data.Zone, int, error)
	// Features returns the features of a generic layer (disputes, declared
	// coverage); LayerInfos what each load put in a layer.
	Features(ctx context.Context, layer string) ([]data.Feature, error)
	LayerInfos(ctx context.Context) ([]data.LayerInfo, error)
}

// ErrUnknownLayer is returned for a tile layer that does not exist.
var ErrUnknownLayer = errors.New("tiles: unknown layer")

// Query selects what a coverage or declared tile shows (one operator and
// one technology), or narrows the disputes shown (either, both or none),
// or names the scenario run of a plan tile.
type Query struct {
	MCCMNC string
	Tech   data.Tech
	// Scenario is the stored scenario run a plan tile shows.
	Scenario int64
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
	disputes   *featureIndex
	mu         sync.Mutex
	coverage   map[Query]*coveragePyramid
	declared   map[Query]*declaredLayer
	plans      map[int64]*planLayers
	cache      *lru.Cache[string, Tile]
	snapshotID int64
}

type coveragePyramid struct {
	once  sync.Once
	grids map[int]*hexGrid
	err   error
}

// planLayers are the routes, site points and zone polygons of one
// scenario run.
type planLayers struct {
	once                 sync.Once
	routes, sites, zones *featureIndex
	// routes and sites with PlanBriefProps
	briefRoutes, briefSites *featureIndex
	n                       int
	err                     error
}

type declaredLayer struct {
	once sync.Once
	ix   *featureIndex
	err  error
}

// DefaultBounds is the extent served when the store has no boundaries:
// Morocco.
var DefaultBounds = orb.Bound{Min: orb.Point{-17.2, 20.7}, Max: orb.Point{-0.9, 36.0}}

// Options tune a Set.
type Options struct {
	CacheTiles    int          // encoded tiles kept; default 4096
	ZonePolygonsZ maptile.Zoom // from this zoom zones draw as polygons; default 8
}

// Load reads the layers, the latest snapshot's zones, the disputes and the
// coverage run from r and indexes them. Coverage pyramids and declared
// coverage are read on first use, per operator and technology.
func Load(ctx context.Context, r Reader, opt Options) (*Set, error) {
	if opt.CacheTiles == 0 {
		opt.CacheTiles = 4096
	}
	if opt.ZonePolygonsZ == 0 {
		opt.ZonePolygonsZ = 8
	}
	cache, _ := lru.New[string, Tile](opt.CacheTiles)
	s := &Set{reader: r, base: 8, zoneMinZ: opt.ZonePolygonsZ, areas: map[data.AreaLevel]*featureIndex{},
		places: map[data.PlaceLayer]*featureIndex{}, coverage: map[Query]*coveragePyramid{}, declared: map[Query]*declaredLayer{},
		plans: map[int64]*planLayers{}, cache: cache, zoneHex: map[int]*hexGrid{}}
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
			f.ID = CodeID(a.Code)
			f.Properties = AreaProps(a)
			ix.add(f)
			s.bounds = s.bounds.Union(a.Geom.Bound())
		}
		s.areas[lv] = ix
		ver = append(ver, fmt.Sprintf("%s%d", lv, len(areas)))
	}
	if s.bounds.Min[0] > s.bounds.Max[0] {
		s.bounds = DefaultBounds
	}
	for _, pl := range []data.PlaceLayer{data.LayerPlaces, data.LayerHealth} {
		places, err := r.Places(ctx, pl)
		if err != nil {
			return nil, fmt.Errorf("tiles: load %s: %w", pl, err)
		}
		ix := &featureIndex{}
		for _, p := range places {
			f := geojson.NewFeature(p.Point)
			f.ID = PlaceID(p.ID)
			f.Properties = PlaceProps(p, pl)
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
	n, err := s.loadDisputes(ctx)
	if err != nil {
		return nil, err
	}
	ver = append(ver, fmt.Sprintf("disputes %d", n))
	// Layer infos: a recompute records the disputes it wrote, an ingest
	// each layer it replaced (declared coverage among them).
	infos, err := r.LayerInfos(ctx)
	if err != nil {
		return nil, fmt.Errorf("tiles: layer infos: %w", err)
	}
	for _, li := range infos {
		ver = append(ver, fmt.Sprintf("layer %s %d %s", li.Name, li.Count, li.LoadedAt.UTC().Format("2006-01-02T15:04:05.999999Z")))
	}
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
	for _, z := range zones {
		if len(z.Geom) == 0 {
			continue
		}
		f := geojson.NewFeature(z.Geom)
		f.ID = z.FID
		f.Properties = ZoneProps(z)
		s.zones.add(f)
	}
	for r, props := range ZoneHexes(zones) {
		s.zoneHex[r] = newHexGrid(r, props)
	}
	return nil
}

// polygonIndex indexes the polygonal features of a generic layer with
// their tile id and properties; other geometries are left out.
func polygonIndex(fs []data.Feature, id func(string) uint64, props func(data.Feature) geojson.Properties) *featureIndex {
	return geometryIndex(fs, Polygonal, id, props)
}

// geometryIndex indexes the features of a generic layer whose geometry
// is of the kind keep accepts, with their tile id and properties.
func geometryIndex(fs []data.Feature, keep func(orb.Geometry) bool, id func(string) uint64, props func(data.Feature) geojson.Properties) *featureIndex {
	ix := &featureIndex{}
	for _, df := range fs {
		if !keep(df.Geom) {
			continue
		}
		f := geojson.NewFeature(df.Geom)
		f.ID = id(df.ID)
		f.Properties = props(df)
		ix.add(f)
	}
	return ix
}

// loadDisputes indexes data.LayerDisputes and returns how many features
// it holds.
func (s *Set) loadDisputes(ctx context.Context) (int, error) {
	fs, err := s.reader.Features(ctx, data.LayerDisputes)
	if err != nil {
		return 0, fmt.Errorf("tiles: load disputes: %w", err)
	}
	s.disputes = polygonIndex(fs, DisputeID, DisputeProps)
	return len(fs), nil
}

// disputesOf returns the disputes whose bounds meet b, of the query's
// operator and technology when it names them.
func (s *Set) disputesOf(b orb.Bound, q Query) []*geojson.Feature {
	fs := s.disputes.search(b)
	if q.MCCMNC == "" && q.Tech == 0 {
		return fs
	}
	kept := fs[:0]
	for _, f := range fs {
		if q.MCCMNC != "" && f.Properties["mcc_mnc"] != q.MCCMNC || q.Tech != 0 && f.Properties["tech"] != q.Tech.String() {
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

// declaredOf reads and indexes, once per operator and technology, the
// declared coverage of q (DeclaredLayer).
func (s *Set) declaredOf(ctx context.Context, q Query) (*featureIndex, error) {
	s.mu.Lock()
	d := s.declared[q]
	if d == nil {
		d = &declaredLayer{}
		s.declared[q] = d
	}
	s.mu.Unlock()
	d.once.Do(func() {
		fs, err := s.reader.Features(ctx, DeclaredLayer(q))
		if err != nil {
			d.err = err
			return
		}
		d.ix = polygonIndex(fs, FeatureID, DeclaredProps)
	})
	if d.err != nil {
		s.mu.Lock()
		delete(s.declared, q)
		s.mu.Unlock()
		return nil, fmt.Errorf("tiles: declared coverage %s %s: %w", q.MCCMNC, q.Tech, d.err)
	}
	return d.ix, nil
}

// planOf reads and indexes, once per scenario run, its routes (lines) and
// assignments (points and polygons). A run's layers never change once
// stored; a run with none (not stored yet, or nothing planned) is read
// again on the next tile rather than kept empty.
func (s *Set) planOf(ctx context.Context, id int64) (*planLayers, error) {
	s.mu.Lock()
	p := s.plans[id]
	if p == nil {
		p = &planLayers{}
		s.plans[id] = p
	}
	s.mu.Unlock()
	p.once.Do(func() {
		routes, err := s.reader.Features(ctx, data.RoutesLayer(id))
		if err != nil {
			p.err = err
			return
		}
		assigned, err := s.reader.Features(ctx, data.AssignmentsLayer(id))
		if err != nil {
			p.err = err
			return
		}
		p.routes = geometryIndex(routes, Lineal, FeatureID, PlanProps)
		p.sites = geometryIndex(assigned, Punctual, FeatureID, PlanProps)
		p.briefRoutes = geometryIndex(routes, Lineal, FeatureID, PlanBriefProps)
		p.briefSites = geometryIndex(assigned, Punctual, FeatureID, PlanBriefProps)
		p.zones = geometryIndex(assigned, Polygonal, FeatureID, PlanProps)
		p.n = len(routes) + len(assigned)
	})
	if p.err != nil || p.n == 0 {
		s.mu.Lock()
		delete(s.plans, id)
		s.mu.Unlock()
		if p.err != nil {
			return nil, fmt.Errorf("tiles: plan of scenario run %d: %w", id, p.err)
		}
	}
	return p, nil
}

// index is the plan index a sublayer draws from.
func (p *planLayers) index(sl Sublayer) *featureIndex {
	switch {
	case sl.Source == SourcePlanZones:
		return p.zones
	case sl.Source == SourcePlanRoutes && sl.Brief:
		return p.briefRoutes
	case sl.Source == SourcePlanRoutes:
		return p.routes
	case sl.Brief:
		return p.briefSites
	}
	return p.sites
}

// Version identifies the data behind the set; it changes when the store's
// layers (and their layer infos), coverage run, snapshot or disputes
// change.
func (s *Set) Version() string { return s.version }

// Bounds is the extent of the reference layers.
func (s *Set) Bounds() orb.Bound { return s.bounds }

// Resolution is the H3 resolution of the coverage grid.
func (s *Set) Resolution() int { return s.base }

// Render returns the encoded tile of a layer, from the cache when it has
// it. Errors: ErrUnknownLayer; data.ErrInvalid for a coverage or declared
// query without operator and technology (CheckQuery); a store error for
// coverage or declared.
func (s *Set) Render(ctx context.Context, layer string, t maptile.Tile, q Query) (Tile, error) {
	if err := CheckQuery(layer, q); err != nil {
		return Tile{}, err
	}
	key := fmt.Sprintf("%s/%d/%d/%d?%s&%s&%d", layer, t.Z, t.X, t.Y, q.MCCMNC, q.Tech, q.Scenario)
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
	if layer != "plan" || raw != nil { // a run may be stored after an empty plan tile
		s.cache.Add(key, tile)
	}
	return tile, nil
}

func (s *Set) layers(ctx context.Context, layer string, t maptile.Tile, q Query) (map[string]*geojson.FeatureCollection, error) {
	plan, err := Plan(layer, t.Z, s.base, s.zoneMinZ)
	if err != nil {
		return nil, err
	}
	b := SearchBound(t)
	out := map[string]*geojson.FeatureCollection{}
	for _, sl := range plan {
		var fs []*geojson.Feature
		switch sl.Source {
		case SourceRegions:
			fs = s.areas[data.LevelRegion].search(b)
		case SourceProvinces:
			fs = s.areas[data.LevelProvince].search(b)
		case SourceCommunes:
			fs = s.areas[data.LevelCommune].search(b)
		case SourcePlaces:
			fs = s.places[data.LayerPlaces].search(b)
		case SourceHealth:
			fs = s.places[data.LayerHealth].search(b)
		case SourceZones:
			fs = s.zones.search(b)
		case SourceZoneHexes:
			if g := s.zoneHex[sl.Res]; g != nil {
				fs = g.features(t)
			}
		case SourceCoverageHexes:
			p, err := s.pyramid(ctx, q)
			if err != nil {
				return nil, err
			}
			if g := p.grids[sl.Res]; g != nil {
				fs = g.features(t)
			}
		case SourceDisputes:
			fs = s.disputesOf(b, q)
		case SourceDeclared:
			ix, err := s.declaredOf(ctx, q)
			if err != nil {
				return nil, err
			}
			fs = ix.search(b)
		case SourcePlanRoutes, SourcePlanSites, SourcePlanZones:
			p, err := s.planOf(ctx, q.Scenario)
			if err != nil {
				return nil, err
			}
			fs = p.index(sl).search(b)
		}
		if len(fs) > 0 {
			out[sl.Name] = &geojson.FeatureCollection{Type: "FeatureCollection", Features: fs}
		}
	}
	return out, nil
}

// pyramid builds, once per operator and technology, the coverage hexagons
// at every resolution: the grid's own stats, and for coarser parents the
// most frequent level among their measured children (see CoverageHexes).
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
		for r, props := range CoverageHexes(stats, s.base) {
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
