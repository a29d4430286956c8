package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/taghtia/taghtia/data"
)

// AddScenarioRun stores r in scenario_runs, its routes as the features of
// layer data.RoutesLayer(id) and its assignments as those of
// data.AssignmentsLayer(id), in one transaction, and returns r with its
// id, CreatedAt in UTC (to the microsecond) and each feature's Layer set.
//
// Errors: data.ErrInvalid for a body that is not JSON, a route or
// assignment with an empty or repeated id (within its layer), no geometry
// or properties that are not JSON values; ctx's error.
func (s *Store) AddScenarioRun(ctx context.Context, r data.ScenarioRun) (data.ScenarioRun, error) {
	if !json.Valid(r.Body) {
		return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: the body is not a JSON document", data.ErrInvalid)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.Body = append([]byte(nil), r.Body...)
	r.Routes = slices.Clone(r.Routes)
	r.Assignments = slices.Clone(r.Assignments)
	routes, err := runLayerRows("route", r.Routes)
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w", err)
	}
	assigned, err := runLayerRows("assignment", r.Assignments)
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w", err)
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO scenario_runs (name, created_at, snapshot_id, body) VALUES ($1, $2, $3, $4::json)
			RETURNING id, created_at`, r.Name, r.CreatedAt, r.Snapshot, string(r.Body)).Scan(&r.ID, &r.CreatedAt); err != nil {
			return err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		b := &pgx.Batch{}
		queueRunLayer(b, data.RoutesLayer(r.ID), r.Routes, routes)
		queueRunLayer(b, data.AssignmentsLayer(r.ID), r.Assignments, assigned)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w", classify(err))
	}
	return r, nil
}

// ScenarioRuns lists the stored runs by id, without Body and Routes.
// Errors: ctx's error.
func (s *Store) ScenarioRuns(ctx context.Context) ([]data.ScenarioRun, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, created_at, snapshot_id FROM scenario_runs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgis: scenario runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.ScenarioRun, error) {
		var sr data.ScenarioRun
		err := r.Scan(&sr.ID, &sr.Name, &sr.CreatedAt, &sr.Snapshot)
		sr.CreatedAt = sr.CreatedAt.UTC()
		return sr, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: scenario runs: %w", err)
	}
	return out, nil
}

// ScenarioRun returns run id with its body and its routes ordered by id,
// read in one snapshot of the database.
// Errors: data.ErrNotFound (naming the id); ctx's error.
func (s *Store) ScenarioRun(ctx context.Context, id int64) (data.ScenarioRun, error) {
	var r data.ScenarioRun
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var body string
		err := tx.QueryRow(ctx, `SELECT id, name, created_at, snapshot_id, body::text FROM scenario_runs WHERE id = $1`, id).
			Scan(&r.ID, &r.Name, &r.CreatedAt, &r.Snapshot, &body)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("scenario run %d: %w", id, data.ErrNotFound)
		}
		if err != nil {
			return err
		}
		r.CreatedAt, r.Body = r.CreatedAt.UTC(), []byte(body)
		layer := data.RoutesLayer(id)
		rows, err := tx.Query(ctx, `SELECT id, props::text, ST_AsEWKB(geom) FROM features WHERE layer = $1 ORDER BY id COLLATE "C"`, layer)
		if err != nil {
			return err
		}
		r.Routes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (data.Feature, error) {
			f := data.Feature{Layer: layer}
			var props string
			var g []byte
			if err := row.Scan(&f.ID, &props, &g); err != nil {
				return f, err
			}
			if err := json.Unmarshal([]byte(props), &f.Props); err != nil {
				return f, fmt.Errorf("route %s properties: %w", f.ID, err)
			}
			var err error
			f.Geom, err = fromEWKB(g)
			return f, err
		})
		return err
	})
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("postgis: scenario run: %w", err)
	}
	if len(r.Routes) == 0 {
		r.Routes = nil
	}
	return r, nil
}

// runRow is a feature of a run's layer as inserted.
type runRow struct {
	props string
	ewkb  []byte
}

// runLayerRows checks and encodes the features of a run's layer; what
// names a feature in errors.
func runLayerRows(what string, fs []data.Feature) ([]runRow, error) {
	rows := make([]runRow, len(fs))
	seen := make(map[string]bool, len(fs))
	for i, f := range fs {
		switch {
		case f.ID == "":
			return nil, fmt.Errorf("%w: %s %d has no id", data.ErrInvalid, what, i)
		case f.Geom == nil:
			return nil, fmt.Errorf("%w: %s %s has no geometry", data.ErrInvalid, what, f.ID)
		case seen[f.ID]:
			return nil, fmt.Errorf("%w: %s id %s repeated", data.ErrInvalid, what, f.ID)
		}
		seen[f.ID] = true
		g, err := toEWKB(f.Geom)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %s geometry: %v", data.ErrInvalid, what, f.ID, err)
		}
		props, err := json.Marshal(f.Props)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %s properties: %v", data.ErrInvalid, what, f.ID, err)
		}
		rows[i] = runRow{string(props), g}
	}
	return rows, nil
}

// queueRunLayer queues the statements that replace layer (a layer of that
// name loaded by hand before goes) by fs, and sets each one's Layer.
func queueRunLayer(b *pgx.Batch, layer string, fs []data.Feature, rows []runRow) {
	b.Queue(`DELETE FROM features WHERE layer = $1`, layer)
	for i := range fs {
		fs[i].Layer = layer
		b.Queue(`INSERT INTO features (layer, id, props, geom, geom_3857)
			SELECT $1, $2, $3::jsonb, g, ST_Transform(g, 3857) FROM ST_GeomFromEWKB($4::bytea) AS g`,
			layer, fs[i].ID, rows[i].props, rows[i].ewkb)
	}
}
