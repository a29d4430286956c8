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
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO scenario_runs (name, created_at, snapshot_id, body) VALUES ($1, $2, $3, $4::json)
			RETURNING id, created_at`, r.Name, r.CreatedAt, r.Snapshot, string(r.Body)).Scan(&r.ID, &r.CreatedAt); err != nil {
			return err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		for _, l := range r.Layers() {
			if err := featuresWriter(ctx, l.Name, l.Features)(tx); err != nil {
				return fmt.Errorf("%s: %w", l.Name, err)
			}
		}
		return nil
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
		r.Routes, err = layerFeatures(ctx, tx, data.RoutesLayer(id))
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
