package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

// Scenario runs are kept in two buckets under the same key, the id (8 BE):
// bScenarios holds the header (scenarioRecord JSON), bScenarioBodies the
// body as given, so listing runs never reads a body. Their routes are the
// feature layer data.RoutesLayer(id) in bFeatures, written in the same
// transaction.

type scenarioRecord struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Snapshot  int64     `json:"snapshot"`
}

// AddScenarioRun stores r, its body, its routes and its assignments in
// one write transaction and returns r with its id (the next one),
// CreatedAt in UTC and each route's and assignment's Layer set.
//
// Errors: data.ErrInvalid for a body that is not JSON, a route or
// assignment with an empty or repeated id (within its layer), no geometry
// or properties that are not JSON values; ctx's error.
func (s *Store) AddScenarioRun(ctx context.Context, r data.ScenarioRun) (data.ScenarioRun, error) {
	if !json.Valid(r.Body) {
		return data.ScenarioRun{}, fmt.Errorf("embedded: add scenario run: %w: the body is not a JSON document", data.ErrInvalid)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.Body = bytes.Clone(r.Body)
	r.Routes = slices.Clone(r.Routes)
	r.Assignments = slices.Clone(r.Assignments)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		sb := tx.Bucket(bScenarios)
		seq, err := sb.NextSequence()
		if err != nil {
			return err
		}
		r.ID = int64(seq)
		for _, l := range r.Layers() {
			if err := featuresWriter(l.Name, l.Features)(tx); err != nil {
				return fmt.Errorf("%s: %w", l.Name, err)
			}
		}
		v, err := json.Marshal(scenarioRecord{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, Snapshot: r.Snapshot})
		if err != nil {
			return err
		}
		key := idKey(r.ID)
		if err := sb.Put(key, v); err != nil {
			return err
		}
		return tx.Bucket(bScenarioBodies).Put(key, r.Body)
	})
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("embedded: add scenario run: %w", err)
	}
	return r, nil
}

// ScenarioRuns lists the stored runs by id, without Body and Routes.
// Errors: ctx's error; a corrupt record.
func (s *Store) ScenarioRuns(ctx context.Context) ([]data.ScenarioRun, error) {
	var out []data.ScenarioRun
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bScenarios).ForEach(func(k, v []byte) error {
			r, err := decodeScenario(k, v)
			out = append(out, r)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: scenario runs: %w", err)
	}
	return out, nil
}

// ScenarioRun returns run id with its body and its routes ordered by id.
// Errors: data.ErrNotFound (naming the id); ctx's error; a corrupt record.
func (s *Store) ScenarioRun(ctx context.Context, id int64) (data.ScenarioRun, error) {
	var r data.ScenarioRun
	err := s.view(ctx, func(tx *bolt.Tx) error {
		key := idKey(id)
		v := tx.Bucket(bScenarios).Get(key)
		if v == nil {
			return fmt.Errorf("scenario run %d: %w", id, data.ErrNotFound)
		}
		var err error
		if r, err = decodeScenario(key, v); err != nil {
			return err
		}
		r.Body = bytes.Clone(tx.Bucket(bScenarioBodies).Get(key))
		r.Routes, err = layerFeatures(tx, data.RoutesLayer(id))
		return err
	})
	if err != nil {
		return data.ScenarioRun{}, fmt.Errorf("embedded: scenario run: %w", err)
	}
	return r, nil
}

func decodeScenario(k, v []byte) (data.ScenarioRun, error) {
	var rec scenarioRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return data.ScenarioRun{}, fmt.Errorf("scenario run %x: %w", k, err)
	}
	return data.ScenarioRun{ID: rec.ID, Name: rec.Name, CreatedAt: rec.CreatedAt.UTC(), Snapshot: rec.Snapshot}, nil
}
