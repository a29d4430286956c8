package postgis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/tiles"
)

// TileRenderer serves the tile layers of a PostGIS store rendered in SQL:
// every tile is one query of ST_AsMVT over the GiST-indexed 3857 geometry
// (areas, places, zones, the features of disputes and declared coverage)
// and the precomputed hexagon pyramids (schema 2),
// run on the read pool with the request's context. It serves the same
// layers, zoom rules, feature ids and properties as tiles.Set (the rules
// and property definitions are tiles.Plan, tiles.AreaProps…, the
// pyramids tiles.CoverageHexes and tiles.ZoneHexes, the feature layers
// tiles.DisputeProps, tiles.DeclaredProps and their ids).
//
// Like tiles.Set it describes one state of the store: the latest snapshot
// and the coverage grid resolution are read when it is made, and encoded
// tiles are cached. Make a new one when the data changes (Current tells).
// It is safe for concurrent use.
type TileRenderer struct {
	st       *Store
	db       *pgxpool.Pool
	base     int
	zoneMinZ maptile.Zoom
	snapshot int64 // latest snapshot when made; 0 when there is none
	gen      int64 // coverage pyramid generation when made
	bounds   orb.Bound
	version  string
	cache    *lru.Cache[string, tiles.Tile]
}

var _ tiles.Renderer = (*TileRenderer)(nil)

// NewTileRenderer reads the state of st that tiles depend on (latest
// snapshot, coverage run, layer infos, extent of the boundaries).
// opt.CacheTiles and opt.ZonePolygonsZ default as for tiles.Load.
func NewTileRenderer(ctx context.Context, st *Store, opt tiles.Options) (*TileRenderer, error) {
	if opt.CacheTiles == 0 {
		opt.CacheTiles = 4096
	}
	if opt.ZonePolygonsZ == 0 {
		opt.ZonePolygonsZ = 8
	}
	cache, err := lru.New[string, tiles.Tile](opt.CacheTiles)
	if err != nil {
		return nil, fmt.Errorf("postgis: tile cache: %w", err)
	}
	r := &TileRenderer{st: st, db: st.ReadPool(), base: 8, zoneMinZ: opt.ZonePolygonsZ, cache: cache}
	state, err := r.state(ctx)
	if err != nil {
		return nil, err
	}
	r.base, r.snapshot, r.gen, r.version = state.base, state.snapshot, state.gen, state.version
	var xmin, ymin, xmax, ymax *float64
	err = r.db.QueryRow(ctx, `SELECT min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), max(ST_YMax(geom))
		FROM areas WHERE level IN ('region', 'province', 'commune') AND geom IS NOT NULL`).Scan(&xmin, &ymin, &xmax, &ymax)
	if err != nil {
		return nil, fmt.Errorf("postgis: extent of the boundaries: %w", err)
	}
	r.bounds = tiles.DefaultBounds
	if xmin != nil {
		r.bounds = orb.Bound{Min: orb.Point{*xmin, *ymin}, Max: orb.Point{*xmax, *ymax}}
	}
	return r, nil
}

type tileState struct {
	base     int
	snapshot int64
	gen      int64
	version  string
}

// state reads what the tiles of the store depend on and digests it.
func (r *TileRenderer) state(ctx context.Context) (tileState, error) {
	s := tileState{base: 8}
	var ver []string
	run, err := r.st.CoverageRun(ctx)
	switch {
	case err == nil:
		s.base = run.Resolution
		ver = append(ver, fmt.Sprintf("run %d %s %d %d", run.Resolution, run.ComputedAt.UTC().Format("2006-01-02T15:04:05.999999Z"), run.Cells, run.Measurements))
	case !errors.Is(err, data.ErrNotFound):
		return s, fmt.Errorf("postgis: tiles: coverage run: %w", err)
	}
	snap, err := r.st.LatestSnapshot(ctx)
	switch {
	case err == nil:
		s.snapshot = snap.ID
	case !errors.Is(err, data.ErrNotFound):
		return s, fmt.Errorf("postgis: tiles: latest snapshot: %w", err)
	}
	ver = append(ver, fmt.Sprintf("snapshot %d", s.snapshot))
	if err := r.db.QueryRow(ctx, `SELECT coalesce((SELECT (value #>> '{}')::bigint FROM meta WHERE key = 'coverage_gen'), 0)`).Scan(&s.gen); err != nil {
		return s, fmt.Errorf("postgis: tiles: coverage generation: %w", err)
	}
	ver = append(ver, fmt.Sprintf("coverage %d", s.gen))
	infos, err := r.st.LayerInfos(ctx)
	if err != nil {
		return s, fmt.Errorf("postgis: tiles: layer infos: %w", err)
	}
	for _, li := range infos {
		ver = append(ver, fmt.Sprintf("layer %s %d %s", li.Name, li.Count, li.LoadedAt.UTC().Format("2006-01-02T15:04:05.999999Z")))
	}
	var counts string
	if err := r.db.QueryRow(ctx, `SELECT
		coalesce((SELECT string_agg(level || ' ' || n, ',' ORDER BY level) FROM (SELECT level, count(*) n FROM areas GROUP BY level) a), '') || ';' ||
		coalesce((SELECT string_agg(layer || ' ' || n, ',' ORDER BY layer) FROM (SELECT layer, count(*) n FROM places GROUP BY layer) p), '') || ';' ||
		(SELECT count(*) FROM features WHERE layer = $1)`, data.LayerDisputes).Scan(&counts); err != nil {
		return s, fmt.Errorf("postgis: tiles: layer counts: %w", err)
	}
	ver = append(ver, counts)
	h := sha256.Sum256([]byte(strings.Join(ver, "|")))
	s.version = hex.EncodeToString(h[:6])
	return s, nil
}

// Current reports whether the store is still in the state the renderer
// was made from (same version); when not, make a new renderer.
func (r *TileRenderer) Current(ctx context.Context) (bool, error) {
	s, err := r.state(ctx)
	if err != nil {
		return false, err
	}
	return s.version == r.version, nil
}

// Version identifies the state of the store behind the tiles.
func (r *TileRenderer) Version() string { return r.version }

// Bounds is the extent of the boundaries (tiles.DefaultBounds without).
func (r *TileRenderer) Bounds() orb.Bound { return r.bounds }

// Resolution is the H3 resolution of the coverage grid.
func (r *TileRenderer) Resolution() int { return r.base }

// TileJSON describes a tileset, as tiles.Set does.
func (r *TileRenderer) TileJSON(layer, base string, q tiles.Query) (tiles.TileJSON, error) {
	return tiles.NewTileJSON(layer, base, q, r.version, r.bounds)
}

// Render returns the encoded tile of a layer, from the cache when it has
// it, else from one SQL query. Errors: tiles.ErrUnknownLayer; the query's
// error (a cancelled ctx cancels the query).
func (r *TileRenderer) Render(ctx context.Context, layer string, t maptile.Tile, q tiles.Query) (tiles.Tile, error) {
	if err := tiles.CheckQuery(layer, q); err != nil {
		return tiles.Tile{}, err
	}
	key := fmt.Sprintf("%s/%d/%d/%d?%s&%s&%d", layer, t.Z, t.X, t.Y, q.MCCMNC, q.Tech, q.Scenario)
	if tile, ok := r.cache.Get(key); ok {
		return tile, nil
	}
	sql, args, err := r.tileQuery(layer, t, q)
	if err != nil {
		return tiles.Tile{}, err
	}
	var raw []byte
	if sql != "" { // else no sublayer at this zoom
		if err := r.db.QueryRow(ctx, sql, args...).Scan(&raw); err != nil {
			return tiles.Tile{}, fmt.Errorf("postgis: tile %s %d/%d/%d: %w", layer, t.Z, t.X, t.Y, err)
		}
	}
	var tile tiles.Tile
	if len(raw) > 0 {
		h := sha256.Sum256(raw)
		tile = tiles.Tile{Raw: raw, Gzip: tiles.Gzip(raw), ETag: `"` + hex.EncodeToString(h[:12]) + `"`}
	}
	if layer != "plan" || tile.Raw != nil { // a run may be stored after an empty plan tile
		r.cache.Add(key, tile)
	}
	return tile, nil
}

// SQL fragments. $1, $2, $3 are z, x, y. Features are prefiltered with &&
// on the GiST index by a 3857 box computed in Go (planning a tile query
// costs more than running it: the fewer expressions the planner folds, the
// better): the tile grown by the clip buffer, within the WGS84 search box
// of the in-process renderer (tiles.SearchBound); hexagons also by their
// centres (tiles.HexSearchBound). ST_AsMVTGeom then clips.
const (
	tileMVTGeom = `ST_AsMVTGeom(%s, ST_TileEnvelope($1, $2, $3), 4096, 64, true)`
	inBox       = `%s && ST_MakeEnvelope(%s, %s, %s, %s, 3857)`
	// tile_fid is the feature id column; ST_AsMVT leaves it out of the
	// properties. Features are ordered by id so that the same data gives
	// the same bytes (and ETag) whatever plan the query takes.
	layerMVT = `coalesce((SELECT ST_AsMVT(q, '%s', 4096, 'geom', 'tile_fid' ORDER BY q.tile_fid) FROM (%s) q WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)), ''::bytea)`
	// tiles.CodeID: the digits of the code as one number.
	codeIDSQL = `coalesce(nullif(left(regexp_replace(code, '[^0-9]', '', 'g'), 18), '')::bigint, 0)`
	// tiles.PlaceID: a decimal id, else 0.
	placeIDSQL = `CASE WHEN id ~ '^[0-9]{1,19}$' THEN CASE WHEN id::numeric <= 9223372036854775807 THEN id::numeric::bigint ELSE 0 END ELSE 0 END`
	// hexagons of one resolution whose centres are in tiles.HexSearchBound
	hexWhere = `h.res = %[1]s AND h.lon BETWEEN %[2]s AND %[3]s AND h.lat BETWEEN %[4]s AND %[5]s AND `
	// tiles.FeatureID: a decimal id of 1 to 18 digits, else 60 bits of its
	// MD5 with bit 60 set.
	featureIDSQL = `CASE WHEN id ~ '^[0-9]{1,18}$' THEN id::int8 ELSE ('x' || left(md5(id), 15))::bit(60)::int8 | (1::int8 << 60) END`
	// tiles.DisputeID: the hexadecimal H3 index after the last '-', of at
	// most 63 bits, else tiles.FeatureID.
	disputeIDSQL = `CASE WHEN substring(id from '[^-]*$') ~* '^([0-9a-f]{1,15}|[0-7][0-9a-f]{15})$'
		THEN ('x' || lpad(substring(id from '[^-]*$'), 16, '0'))::bit(64)::int8 ELSE ` + featureIDSQL + ` END`
	// the feature layers draw polygons only (tiles.Polygonal); the plan
	// also lines (tiles.Lineal) and points (tiles.Punctual)
	polygonal = `GeometryType(geom_3857) IN ('POLYGON', 'MULTIPOLYGON')`
	lineal    = `GeometryType(geom_3857) IN ('LINESTRING', 'MULTILINESTRING')`
	punctual  = `GeometryType(geom_3857) = 'POINT'`
)

// JSON properties of a feature as tiles.DisputeProps and
// tiles.DeclaredProps read them: a property of another JSON type, or a
// number out of range, is NULL, which ST_AsMVT leaves out. CASE keeps the
// casts from running on values they would fail on.
func jsonText(k string) string {
	return fmt.Sprintf(`CASE WHEN jsonb_typeof(props->'%[1]s') = 'string' THEN props->>'%[1]s' END AS %[1]s`, k)
}

// jsonInt is a number truncated towards zero, as tiles.Int(int64(v)).
func jsonInt(k string) string {
	return fmt.Sprintf(`CASE WHEN jsonb_typeof(props->'%[1]s') = 'number' THEN CASE WHEN abs((props->>'%[1]s')::numeric) < 9e18
		THEN trunc((props->>'%[1]s')::numeric)::int8 END END AS %[1]s`, k)
}

// jsonFloat4 is a number as float4 (an MVT float_value, as Go float32).
func jsonFloat4(k string) string {
	return fmt.Sprintf(`CASE WHEN jsonb_typeof(props->'%[1]s') = 'number' THEN CASE WHEN abs((props->>'%[1]s')::numeric) < 1e38
		THEN (props->>'%[1]s')::float4 END END AS %[1]s`, k)
}

// planColumns are the properties of tiles.PlanProps, or of
// tiles.PlanBriefProps when brief, each followed by a comma.
func planColumns(brief bool) string {
	strs, ints, floats := tiles.PlanStrings, tiles.PlanIntegers, tiles.PlanFloats
	if brief {
		strs, ints, floats = tiles.PlanBriefStrings, tiles.PlanBriefIntegers, nil
	}
	var b strings.Builder
	for _, k := range strs {
		b.WriteString(jsonText(k) + ", ")
	}
	for _, k := range ints {
		b.WriteString(jsonInt(k) + ", ")
	}
	for _, k := range floats {
		b.WriteString(jsonFloat4(k) + ", ")
	}
	return b.String()
}

// webMercatorWidth is the width of the world in EPSG:3857 metres.
const webMercatorWidth = 2 * math.Pi * 6378137

// bufferedEnvelope is ST_TileEnvelope(z, x, y, margin => 64/4096): the
// tile in EPSG:3857 grown by the clip buffer.
func bufferedEnvelope(t maptile.Tile) orb.Bound {
	w := webMercatorWidth / float64(uint64(1)<<t.Z)
	m := w * 64 / tiles.Extent
	x0, y1 := -webMercatorWidth/2+float64(t.X)*w, webMercatorWidth/2-float64(t.Y)*w
	return orb.Bound{Min: orb.Point{x0 - m, y1 - w - m}, Max: orb.Point{x0 + w + m, y1 + m}}
}

// mercatorBound projects a WGS84 box to EPSG:3857 (the projection keeps
// boxes boxes).
func mercatorBound(b orb.Bound) orb.Bound {
	clamp := func(p orb.Point) orb.Point { return orb.Point{p[0], max(-85.06, min(85.06, p[1]))} }
	return orb.Bound{Min: project.WGS84.ToMercator(clamp(b.Min)), Max: project.WGS84.ToMercator(clamp(b.Max))}
}

// tileQuery builds the one query of a tile: every sublayer of tiles.Plan
// encoded by ST_AsMVT, concatenated in name order as tiles.Encode writes
// them (an MVT tile is the concatenation of its layers).
func (r *TileRenderer) tileQuery(layer string, t maptile.Tile, q tiles.Query) (string, []any, error) {
	plan, err := tiles.Plan(layer, t.Z, r.base, r.zoneMinZ)
	if err != nil {
		return "", nil, err
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].Name < plan[j].Name })
	args := []any{int32(t.Z), int32(t.X), int32(t.Y)}
	// typed parameters: a parameter's type must be known where it is used
	arg := func(v any, typ string) string {
		args = append(args, v)
		return fmt.Sprintf("$%d::%s", len(args), typ)
	}
	f8 := func(v float64) string { return arg(v, "float8") }
	i2 := func(v int) string { return arg(int16(v), "int2") }
	env, search := bufferedEnvelope(t), mercatorBound(tiles.SearchBound(t))
	if env.Intersects(search) {
		env = orb.Bound{Min: orb.Point{max(env.Min[0], search.Min[0]), max(env.Min[1], search.Min[1])},
			Max: orb.Point{min(env.Max[0], search.Max[0]), min(env.Max[1], search.Max[1])}}
	}
	inBuffer := func() string {
		return fmt.Sprintf(inBox, "geom_3857", f8(env.Min[0]), f8(env.Min[1]), f8(env.Max[0]), f8(env.Max[1]))
	}
	// orb's projection floors tile coordinates where ST_AsMVTGeom rounds
	// them: moving the geometry half a unit left and up first makes the
	// rounding a floor, so both renderers put every vertex on the same
	// unit of the tile grid.
	half := webMercatorWidth / float64(uint64(1)<<t.Z) / tiles.Extent / 2
	var shift string
	toTile := func(col string) string {
		if shift == "" {
			shift = f8(half)
		}
		return fmt.Sprintf(tileMVTGeom, fmt.Sprintf("ST_Translate(%s, -%s, %s)", col, shift, shift))
	}
	// Polygons are then simplified by one tile unit, as tiles.Encode does
	// after projecting and clipping.
	polygon := func() string {
		return "ST_Simplify(" + toTile("geom_3857") + ", 1.0) AS geom"
	}
	point := toTile("geom_3857") + " AS geom"
	hexes := func(sl tiles.Sublayer) string {
		b := tiles.HexSearchBound(t, sl.Res)
		hb := bufferedEnvelope(t)
		return fmt.Sprintf(hexWhere, i2(sl.Res), f8(b.Min[0]), f8(b.Max[0]), f8(b.Min[1]), f8(b.Max[1])) +
			fmt.Sprintf(inBox, "h.geom_3857", f8(hb.Min[0]), f8(hb.Min[1]), f8(hb.Max[0]), f8(hb.Max[1]))
	}
	parts := make([]string, 0, len(plan))
	for _, sl := range plan {
		var sub string
		switch sl.Source {
		case tiles.SourceRegions, tiles.SourceProvinces, tiles.SourceCommunes:
			level := map[tiles.Source]data.AreaLevel{tiles.SourceRegions: data.LevelRegion, tiles.SourceProvinces: data.LevelProvince, tiles.SourceCommunes: data.LevelCommune}[sl.Source]
			sub = `SELECT ` + codeIDSQL + ` AS tile_fid, code, name_fr, name_ar, population, ` + polygon() +
				` FROM areas WHERE level = '` + string(level) + `' AND ` + inBuffer()
		case tiles.SourcePlaces:
			sub = `SELECT ` + placeIDSQL + ` AS tile_fid, name, kind, name_ar, population, ` + point +
				` FROM places WHERE layer = '` + string(data.LayerPlaces) + `' AND ` + inBuffer()
		case tiles.SourceHealth:
			sub = `SELECT ` + placeIDSQL + ` AS tile_fid, name, kind, ` + point +
				` FROM places WHERE layer = '` + string(data.LayerHealth) + `' AND ` + inBuffer()
		case tiles.SourceZones:
			sub = `SELECT fid AS tile_fid, id, kind, rank, population, area_km2, region, province,
				array_to_string(communes, ', ') AS communes, programme, nullif(operator, '') AS operator, ` + polygon() +
				` FROM zones WHERE snapshot_id = ` + arg(r.snapshot, "int8") + ` AND ` + inBuffer()
		case tiles.SourceZoneHexes:
			sub = `SELECT h.cell AS tile_fid, 1 AS agg, z.kind, z.population, z.zones, ` + toTile("h.geom_3857") + " AS geom" +
				` FROM hex_cells h JOIN zone_hex z ON z.snapshot_id = ` + arg(r.snapshot, "int8") + ` AND z.res = h.res AND z.cell = h.cell WHERE ` + hexes(sl)
		case tiles.SourceCoverageHexes:
			if sl.Res == r.base { // the grid itself: the stats of the run
				sub = `SELECT h.cell AS tile_fid, (ARRAY['unmeasured','none','limited','good','very_good'])[c.level + 1] AS level,
					c.samples::int8 AS samples, c.signal_p50, c.dl_p10, ` + toTile("h.geom_3857") + " AS geom" +
					` FROM hex_cells h JOIN cell_stats c ON c.mcc_mnc = ` + arg(q.MCCMNC, "text") + ` AND c.tech = ` + i2(int(q.Tech)) +
					` AND c.cell = h.cell AND c.level > 0 WHERE ` + hexes(sl)
				break
			}
			sub = `SELECT h.cell AS tile_fid, c.level, c.samples, c.cells, c.signal_p50, c.dl_p10, ` + toTile("h.geom_3857") + " AS geom" +
				` FROM hex_cells h JOIN coverage_hex c ON c.gen = ` + arg(r.gen, "int8") + ` AND c.mcc_mnc = ` + arg(q.MCCMNC, "text") + ` AND c.tech = ` + i2(int(q.Tech)) +
				` AND c.res = h.res AND c.cell = h.cell WHERE ` + hexes(sl)
		case tiles.SourceDisputes:
			sub = `SELECT ` + disputeIDSQL + ` AS tile_fid, id, ` + jsonText("mcc_mnc") + `, ` + jsonText("tech") + `, ` +
				jsonText("declared") + `, ` + jsonText("measured") + `, ` + jsonText("region") + `, ` + jsonInt("samples") + `, ` +
				jsonInt("devices") + `, ` + jsonInt("population") + `, ` + jsonFloat4("confidence") + `, ` + polygon() +
				` FROM features WHERE layer = ` + arg(data.LayerDisputes, "text") + ` AND `
			if q.MCCMNC != "" {
				sub += `props->'mcc_mnc' = to_jsonb(` + arg(q.MCCMNC, "text") + `) AND `
			}
			if q.Tech != 0 {
				sub += `props->'tech' = to_jsonb(` + arg(q.Tech.String(), "text") + `) AND `
			}
			sub += polygonal + ` AND ` + inBuffer()
		case tiles.SourceDeclared:
			sub = `SELECT ` + featureIDSQL + ` AS tile_fid, ` + jsonText("level") + `, ` + jsonText("source_ref") + `, ` + polygon() +
				` FROM features WHERE layer = ` + arg(tiles.DeclaredLayer(q), "text") + ` AND ` + polygonal + ` AND ` + inBuffer()
		case tiles.SourcePlanRoutes, tiles.SourcePlanSites, tiles.SourcePlanZones:
			fl, kind, geom := data.AssignmentsLayer(q.Scenario), punctual, point
			switch sl.Source {
			case tiles.SourcePlanRoutes:
				// Lines are not simplified again: ST_Simplify drops a line
				// shorter than its tolerance, which tiles.Encode keeps.
				fl, kind, geom = data.RoutesLayer(q.Scenario), lineal, point
			case tiles.SourcePlanZones:
				kind, geom = polygonal, polygon()
			}
			sub = `SELECT ` + featureIDSQL + ` AS tile_fid, ` + planColumns(sl.Brief) + geom + ` FROM features WHERE layer = ` + arg(fl, "text") +
				` AND ` + kind + ` AND ` + inBuffer()
		default:
			return "", nil, fmt.Errorf("postgis: tile source %d of %s is not rendered", sl.Source, layer)
		}
		parts = append(parts, fmt.Sprintf(layerMVT, sl.Name, sub))
	}
	if len(parts) == 0 {
		return "", nil, nil
	}
	return `SELECT ` + strings.Join(parts, " || "), args, nil
}
