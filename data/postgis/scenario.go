package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/taghtia/taghtia/data"
)

// AddScenarioRun stores r in scenario_runs and its routes as the features
// of layer data.RoutesLayer(id), in one transaction, and returns r with
// its id, CreatedAt in UTC (to the microsecond) and each route's Layer
// set.
//
// Errors: data.ErrInvalid for a body that is not JSON, a route with an
// empty or repeated id, no geometry or properties that are not JSON
// values; ctx's error.
func (s *Store) AddScenarioRun(ctx context.Context, r data.ScenarioRun) (data.ScenarioRun, error) {
	if !json.Valid(r.Body) {
		return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: the body is not a JSON document", data.ErrInvalid)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.Body = append([]byte(nil), r.Body...)
	routes := make([]data.Feature, len(r.Routes))
	copy(routes, r.Routes)
	r.Routes = routes
	type row struct {
		props string
		ewkb  []byte
	}
	rows := make([]row, len(routes))
	seen := make(map[string]bool, len(routes))
	for i, f := range routes {
		switch {
		case f.ID == "":
			return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: route %d has no id", data.ErrInvalid, i)
		case f.Geom == nil:
			return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: route %s has no geometry", data.ErrInvalid, f.ID)
		case seen[f.ID]:
			return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: route id %s repeated", data.ErrInvalid, f.ID)
		}
		seen[f.ID] = true
		g, err := toEWKB(f.Geom)
		if err != nil {
			return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: route %s geometry: %v", data.ErrInvalid, f.ID, err)
		}
		props, err := json.Marshal(f.Props)
		if err != nil {
			return data.ScenarioRun{}, fmt.Errorf("postgis: add scenario run: %w: route %s properties: %v", data.ErrInvalid, f.ID, err)
		}
		rows[i] = row{string(props), g}
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO scenario_runs (name, created_at, snapshot_id, body) VALUES ($1, $2, $3, $4::json)
			RETURNING id, created_at`, r.Name, r.CreatedAt, r.Snapshot, string(r.Body)).Scan(&r.ID, &r.CreatedAt); err != nil {
			return err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		layer := data.RoutesLayer(r.ID)
		// A layer of that name loaded by hand before is replaced.
		if _, err := tx.Exec(ctx, `DELETE FROM features WHERE layer = $1`, layer); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i := range r.Routes {
			r.Routes[i].Layer = layer
			b.Queue(`INSERT INTO features (layer, id, props, geom, geom_3857)
				SELECT $1, $2, $3::jsonb, g, ST_Transform(g, 3857) FROM ST_GeomFromEWKB($4::bytea) AS g`,
				layer, r.Routes[i].ID, rows[i].props, rows[i].ewkb)
		}
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
