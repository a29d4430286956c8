package postgis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

// The tile pyramids (schema 2) are computed in Go with the in-process
// renderer's own builders, tiles.CoverageHexes and tiles.ZoneHexes, and
// stored as typed rows; the hexagon of every cell they use is stored once
// in hex_cells. TileRenderer draws them with ST_AsMVT.

// coverageKey is one coverage selection a tile can ask for: one operator
// and one technology (tiles.CheckQuery).
type coverageKey struct {
	mccMNC string
	tech   data.Tech
}

// writeCoveragePyramid stores the coverage pyramid of a run's stats, for
// every operator × technology, as a new generation, made current in meta;
// generations before the previous one are deleted. The grid's own
// resolution is not copied: tiles draw it from cell_stats, with the
// hexagons of its cells in hex_cells.
func writeCoveragePyramid(ctx context.Context, tx pgx.Tx, run data.CoverageRun, stats []data.CellStat) error {
	var prev, gen int64
	if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT (value #>> '{}')::bigint FROM meta WHERE key = 'coverage_gen'), 0)`).Scan(&prev); err != nil {
		return fmt.Errorf("postgis: coverage generation: %w", err)
	}
	gen = prev + 1
	if _, err := tx.Exec(ctx, `DELETE FROM coverage_hex WHERE gen < $1`, prev); err != nil {
		return fmt.Errorf("postgis: drop old coverage pyramids: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('coverage_gen', to_jsonb($1::bigint))
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, gen); err != nil {
		return fmt.Errorf("postgis: coverage generation: %w", err)
	}
	base := run.Resolution
	if base == 0 && len(stats) > 0 {
		base = stats[0].Cell.Resolution()
	}
	// The in-process renderer reads stats ordered by operator, tech, cell
	// (Store.CellStats); where a selection has several stats per cell the
	// last one wins at the base resolution, so group them in that order.
	sorted := slices.Clone(stats)
	slices.SortStableFunc(sorted, func(a, b data.CellStat) int {
		return cmp.Or(cmp.Compare(a.MCCMNC, b.MCCMNC), cmp.Compare(a.Tech, b.Tech), cmp.Compare(a.Cell, b.Cell))
	})
	groups := map[coverageKey][]data.CellStat{}
	for _, st := range sorted {
		k := coverageKey{st.MCCMNC, st.Tech}
		groups[k] = append(groups[k], st)
	}
	keys := make([]coverageKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b coverageKey) int {
		return cmp.Or(cmp.Compare(a.mccMNC, b.mccMNC), cmp.Compare(a.tech, b.tech))
	})
	var rows [][]any
	cells := map[geo.Cell]struct{}{}
	for _, k := range keys {
		for res, props := range tiles.CoverageHexes(groups[k], base) {
			for c, p := range props {
				cells[c] = struct{}{}
				if res == base {
					continue // drawn from cell_stats itself (TileRenderer)
				}
				rows = append(rows, []any{gen, k.mccMNC, int16(k.tech), int16(res), cellID(c), p["level"],
					propInt(p["samples"]), propInt32(p["cells"]), p["signal_p50"], p["dl_p10"]})
			}
		}
	}
	if err := ensureHexCells(ctx, tx, cells); err != nil {
		return err
	}
	// In key order, so the primary key index is appended to, not split at
	// random.
	slices.SortFunc(rows, func(a, b []any) int {
		return cmp.Or(strings.Compare(a[1].(string), b[1].(string)), cmp.Compare(a[2].(int16), b[2].(int16)),
			cmp.Compare(a[3].(int16), b[3].(int16)), cmp.Compare(a[4].(int64), b[4].(int64)))
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"coverage_hex"},
		[]string{"gen", "mcc_mnc", "tech", "res", "cell", "level", "samples", "cells", "signal_p50", "dl_p10"},
		pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgis: write coverage pyramid: %w", err)
	}
	return analyze(ctx, tx, "coverage_hex")
}

// writeZonePyramid stores the low-zoom zone hexagons of a new snapshot.
func writeZonePyramid(ctx context.Context, tx pgx.Tx, snapshotID int64, zones []data.Zone) error {
	var rows [][]any
	cells := map[geo.Cell]struct{}{}
	for res, props := range tiles.ZoneHexes(zones) {
		for c, p := range props {
			cells[c] = struct{}{}
			rows = append(rows, []any{snapshotID, int16(res), cellID(c), p["kind"], propInt(p["population"]), propInt32(p["zones"])})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := ensureHexCells(ctx, tx, cells); err != nil {
		return err
	}
	slices.SortFunc(rows, func(a, b []any) int {
		return cmp.Or(cmp.Compare(a[1].(int16), b[1].(int16)), cmp.Compare(a[2].(int64), b[2].(int64)))
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"zone_hex"},
		[]string{"snapshot_id", "res", "cell", "kind", "population", "zones"},
		pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgis: write zone pyramid of snapshot %d: %w", snapshotID, err)
	}
	return analyze(ctx, tx, "zone_hex")
}

// analyze refreshes the planner's statistics of a pyramid and of
// hex_cells: without them a tile query on freshly written tables joins by
// scanning the whole pyramid level instead of looking cells up.
func analyze(ctx context.Context, tx pgx.Tx, table string) error {
	if _, err := tx.Exec(ctx, `ANALYZE `+table+`, hex_cells`); err != nil {
		return fmt.Errorf("postgis: analyze %s: %w", table, err)
	}
	return nil
}

// ensureHexCells adds the hexagons of the cells hex_cells does not hold
// yet: boundaries from h3 as EWKB (4326), copied into a staging table and
// transformed to 3857 by PostGIS.
func ensureHexCells(ctx context.Context, tx pgx.Tx, cells map[geo.Cell]struct{}) error {
	if len(cells) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(cells))
	for c := range cells {
		ids = append(ids, cellID(c))
	}
	have, err := tx.Query(ctx, `SELECT cell FROM hex_cells WHERE cell = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("postgis: read hex cells: %w", err)
	}
	known := map[int64]bool{}
	var id int64
	_, err = pgx.ForEachRow(have, []any{&id}, func() error { known[id] = true; return nil })
	if err != nil {
		return fmt.Errorf("postgis: read hex cells: %w", err)
	}
	var rows [][]any
	for c := range cells {
		if known[cellID(c)] {
			continue
		}
		wkb, err := toEWKB(geo.CellPolygon(c))
		if err != nil {
			return fmt.Errorf("postgis: hexagon of %s: %w", c, err)
		}
		ctr := geo.CellCenter(c)
		rows = append(rows, []any{cellID(c), int16(c.Resolution()), ctr[0], ctr[1], wkb})
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE hex_cells_new (cell bigint, res smallint, lon float8, lat float8, wkb bytea) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("postgis: stage hex cells: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"hex_cells_new"}, []string{"cell", "res", "lon", "lat", "wkb"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgis: stage hex cells: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO hex_cells (cell, res, lon, lat, geom_3857)
		SELECT cell, res, lon, lat, ST_Transform(ST_GeomFromEWKB(wkb), 3857) FROM hex_cells_new
		ON CONFLICT (cell) DO NOTHING`); err != nil {
		return fmt.Errorf("postgis: write hex cells: %w", err)
	}
	if _, err := tx.Exec(ctx, `DROP TABLE hex_cells_new`); err != nil {
		return fmt.Errorf("postgis: stage hex cells: %w", err)
	}
	return nil
}

// propInt reads an integer property written by tiles.Int as int64.
func propInt(v any) any {
	switch n := v.(type) {
	case uint64:
		return int64(n)
	case int64:
		return n
	}
	return nil
}

// propInt32 is propInt for integer columns; nil (NULL) when absent.
func propInt32(v any) any {
	if n, ok := propInt(v).(int64); ok {
		return int32(n)
	}
	return nil
}
