package embedded

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb/encoding/wkb"
	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

// featureRecord is a feature as stored: properties as JSON, geometry as
// WKB.
type featureRecord struct {
	ID    string         `json:"id"`
	Props map[string]any `json:"props,omitempty"`
	WKB   []byte         `json:"wkb"`
}

// ReplaceFeatures replaces every feature of a generic layer in one
// transaction. Errors: data.ErrInvalid for an empty layer, an empty or
// repeated id, a missing geometry or a property that is not a JSON value.
func (s *Store) ReplaceFeatures(ctx context.Context, layer string, fs []data.Feature) error {
	if layer == "" {
		return fmt.Errorf("embedded: replace features: %w: empty layer name", data.ErrInvalid)
	}
	if err := s.update(ctx, featuresWriter(layer, fs)); err != nil {
		return fmt.Errorf("embedded: replace features %s: %w", layer, err)
	}
	return nil
}

// featuresWriter writes the features of a layer (not empty) in a
// transaction.
func featuresWriter(layer string, fs []data.Feature) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		b, err := replaceBucket(tx.Bucket(bFeatures), []byte(layer))
		if err != nil {
			return err
		}
		for i, f := range fs {
			if f.ID == "" {
				return fmt.Errorf("%w: feature %d has no id", data.ErrInvalid, i)
			}
			if f.Geom == nil {
				return fmt.Errorf("%w: feature %s has no geometry", data.ErrInvalid, f.ID)
			}
			if b.Get([]byte(f.ID)) != nil {
				return fmt.Errorf("%w: feature id %s repeated", data.ErrInvalid, f.ID)
			}
			g, err := wkb.Marshal(f.Geom)
			if err != nil {
				return fmt.Errorf("%w: feature %s geometry: %v", data.ErrInvalid, f.ID, err)
			}
			v, err := json.Marshal(featureRecord{ID: f.ID, Props: f.Props, WKB: g})
			if err != nil {
				return fmt.Errorf("%w: feature %s properties: %v", data.ErrInvalid, f.ID, err)
			}
			if err := b.Put([]byte(f.ID), v); err != nil {
				return err
			}
		}
		return nil
	}
}

// Features returns the features of a layer ordered by id; none for a
// layer never loaded.
func (s *Store) Features(ctx context.Context, layer string) ([]data.Feature, error) {
	var out []data.Feature
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, err = layerFeatures(tx, layer)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: features %s: %w", layer, err)
	}
	return out, nil
}

// layerFeatures reads the features of a layer in tx, ordered by id.
func layerFeatures(tx *bolt.Tx, layer string) ([]data.Feature, error) {
	b := tx.Bucket(bFeatures).Bucket([]byte(layer))
	if b == nil {
		return nil, nil
	}
	var out []data.Feature
	err := b.ForEach(func(k, v []byte) error {
		var r featureRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("feature %s: %w", k, err)
		}
		g, err := wkb.Unmarshal(r.WKB)
		if err != nil {
			return fmt.Errorf("feature %s geometry: %w", k, err)
		}
		out = append(out, data.Feature{Layer: layer, ID: r.ID, Props: r.Props, Geom: g})
		return nil
	})
	return out, err
}
