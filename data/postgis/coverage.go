package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// ReplacePopulation replaces the population grid in one transaction, by
// COPY.
func (s *Store) ReplacePopulation(ctx context.Context, cells []data.CellPop) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE population`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"population"}, []string{"cell", "population", "commune"},
			pgx.CopyFromSlice(len(cells), func(i int) ([]any, error) {
				c := cells[i]
				return []any{cellID(c.Cell), c.Population, c.Commune}, nil
			}))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgis: replace population: %w", classify(err))
	}
	return nil
}

// Population returns the grid ordered by cell (as unsigned H3 indexes).
func (s *Store) Population(ctx context.Context) ([]data.CellPop, error) {
	// H3 indexes have the top bit clear, so signed order is cell order.
	rows, err := s.pool.Query(ctx, `SELECT cell, population, commune FROM population ORDER BY cell`)
	if err != nil {
		return nil, fmt.Errorf("postgis: population: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.CellPop, error) {
		var c data.CellPop
		var cell int64
		err := r.Scan(&cell, &c.Population, &c.Commune)
		c.Cell = geo.Cell(cell)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: population: %w", err)
	}
	return out, nil
}

// ReplaceCoverage replaces the run and every cell stat in one transaction,
// by COPY, with the tile hexagons derived from them.
//
// Errors: data.ErrInvalid for an operator code holding a NUL byte; ctx's
// error.
func (s *Store) ReplaceCoverage(ctx context.Context, run data.CoverageRun, stats []data.CellStat) error {
	w, err := coverageWriter(ctx, run, stats)
	if err == nil {
		err = s.tx(ctx, w)
	}
	if err != nil {
		return fmt.Errorf("postgis: replace coverage: %w", classify(err))
	}
	return nil
}

// coverageWriter checks a coverage run and its stats and returns what
// writes them, with their tile hexagons, in a transaction.
func coverageWriter(ctx context.Context, run data.CoverageRun, stats []data.CellStat) (func(pgx.Tx) error, error) {
	for _, st := range stats {
		if strings.IndexByte(st.MCCMNC, 0) >= 0 {
			return nil, fmt.Errorf("%w: operator %q holds a NUL byte", data.ErrInvalid, st.MCCMNC)
		}
		if st.Last.Before(minTime) || st.Last.After(maxTime) {
			return nil, fmt.Errorf("%w: time %v outside 1678..2262", data.ErrInvalid, st.Last)
		}
	}
	run.ComputedAt = run.ComputedAt.UTC()
	doc, err := json.Marshal(run)
	if err != nil {
		return nil, err
	}
	return func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE cell_stats`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cell_stats"}, statColumns,
			pgx.CopyFromSlice(len(stats), func(i int) ([]any, error) {
				st := &stats[i]
				row := make([]any, 0, len(statColumns))
				row = append(row, st.MCCMNC, int16(st.Tech), cellID(st.Cell), st.Samples,
					nullable(st.SignalP10), nullable(st.SignalP50), nullable(st.SignalP90),
					nullable(st.DLP10), nullable(st.DLP50), nullable(st.DLP90), st.Last.UTC(), int16(st.Level),
					int16(st.Declared))
				for _, src := range st.Sources {
					row = append(row, src.Samples, int16(src.Devices), int16(src.Days), int16(src.Level))
				}
				return append(row, int16(st.Result), st.Confidence, st.Disputed), nil
			})); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('coverage_run', $1::jsonb)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(doc)); err != nil {
			return err
		}
		return writeCoveragePyramid(ctx, tx, run, stats)
	}, nil
}

// CoverageRun returns the last run; data.ErrNotFound before the first.
func (s *Store) CoverageRun(ctx context.Context) (data.CoverageRun, error) {
	var doc []byte
	err := s.read.QueryRow(ctx, `SELECT value::text FROM meta WHERE key = 'coverage_run'`).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.CoverageRun{}, fmt.Errorf("postgis: coverage run: %w", data.ErrNotFound)
	}
	if err != nil {
		return data.CoverageRun{}, fmt.Errorf("postgis: coverage run: %w", err)
	}
	var run data.CoverageRun
	if err := json.Unmarshal(doc, &run); err != nil {
		return run, fmt.Errorf("postgis: coverage run: %w", err)
	}
	run.ComputedAt = run.ComputedAt.UTC()
	return run, nil
}

// statColumns are the columns of cell_stats in the order ReplaceCoverage
// copies them and CellStats reads them: the stat, then its evidence (schema
// 5), with four columns per source in data.Source order.
var statColumns = func() []string {
	cols := []string{"mcc_mnc", "tech", "cell", "samples", "signal_p10", "signal_p50", "signal_p90",
		"dl_p10", "dl_p50", "dl_p90", "last", "level", "declared"}
	for _, src := range [data.NumSources]string{"crowd", "drive", "regulator"} {
		cols = append(cols, src+"_samples", src+"_devices", src+"_days", src+"_level")
	}
	return append(cols, "result", "confidence", "disputed")
}()

// CellStats returns the stats matching f ordered by operator, technology
// and cell. Stats written before schema 5 have zero evidence.
func (s *Store) CellStats(ctx context.Context, f data.CellStatFilter) ([]data.CellStat, error) {
	rows, err := s.read.Query(ctx, `SELECT `+strings.Join(statColumns, ", ")+`
		FROM cell_stats WHERE ($1 = '' OR mcc_mnc = $1) AND ($2 = 0 OR tech = $2)
		ORDER BY mcc_mnc COLLATE "C", tech, cell`, f.MCCMNC, int16(f.Tech))
	if err != nil {
		return nil, fmt.Errorf("postgis: cell stats: %w", err)
	}
	var p [6]*float32
	var src [data.NumSources][3]int16 // devices, days, level
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.CellStat, error) {
		var st data.CellStat
		var tech, level, declared, result int16
		var cell int64
		args := make([]any, 0, len(statColumns))
		args = append(args, &st.MCCMNC, &tech, &cell, &st.Samples, &p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &st.Last, &level, &declared)
		for i := range st.Sources {
			args = append(args, &st.Sources[i].Samples, &src[i][0], &src[i][1], &src[i][2])
		}
		args = append(args, &result, &st.Confidence, &st.Disputed)
		if err := r.Scan(args...); err != nil {
			return st, err
		}
		st.Tech, st.Cell, st.Level, st.Last = data.Tech(tech), geo.Cell(cell), data.Level(level), st.Last.UTC()
		st.Declared, st.Result = data.Level(declared), data.Level(result)
		for i, v := range src {
			st.Sources[i].Devices, st.Sources[i].Days, st.Sources[i].Level = uint8(v[0]), uint8(v[1]), data.Level(v[2])
		}
		dst := [6]*float32{&st.SignalP10, &st.SignalP50, &st.SignalP90, &st.DLP10, &st.DLP50, &st.DLP90}
		for i, v := range p {
			*dst[i] = data.Absent
			if v != nil {
				*dst[i] = *v
			}
			p[i] = nil
		}
		return st, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: cell stats: %w", err)
	}
	return out, nil
}
