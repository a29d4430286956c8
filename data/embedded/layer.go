package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

// ReplaceAreas replaces every area of one level in one transaction; areas
// are stored with Level set to level.
//
// Errors: data.ErrInvalid for an unknown level, an area of another level,
// an empty or repeated code; ctx's error.
func (s *Store) ReplaceAreas(ctx context.Context, level data.AreaLevel, areas []data.Area) error {
	if !slices.Contains(data.AreaLevels, level) {
		return fmt.Errorf("embedded: replace areas: %w: level %q", data.ErrInvalid, level)
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b, err := replaceBucket(tx.Bucket(bAreas), []byte(level))
		if err != nil {
			return err
		}
		for i, a := range areas {
			if a.Level != "" && a.Level != level {
				return fmt.Errorf("%w: area %s has level %q", data.ErrInvalid, a.Code, a.Level)
			}
			if a.Code == "" {
				return fmt.Errorf("%w: area %d has no code", data.ErrInvalid, i)
			}
			if b.Get([]byte(a.Code)) != nil {
				return fmt.Errorf("%w: area code %s repeated", data.ErrInvalid, a.Code)
			}
			a.Level = level
			v, err := encodeGeomRecord(a.Geom, areaAttrs(a))
			if err != nil {
				return fmt.Errorf("area %s: %w", a.Code, err)
			}
			if err := b.Put([]byte(a.Code), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: replace areas %s: %w", level, err)
	}
	return nil
}

// Areas returns the areas of one level ordered by code; none for a level
// never loaded. Errors: ctx's error; a corrupt record.
func (s *Store) Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error) {
	var out []data.Area
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bAreas).Bucket([]byte(level))
		if b == nil {
			return nil
		}
		out = make([]data.Area, 0, b.Stats().KeyN)
		return b.ForEach(func(k, v []byte) error {
			var a data.Area
			g, err := decodeGeomRecord(v, &a)
			if err != nil {
				return fmt.Errorf("area %s: %w", k, err)
			}
			a.Geom = g
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: areas %s: %w", level, err)
	}
	return out, nil
}

// areaAttrs is an Area without its geometry, for JSON.
func areaAttrs(a data.Area) data.Area {
	a.Geom = nil
	return a
}

// A geometry record is: geometry length (uvarint, 0 when nil), its WKB,
// then the attributes as JSON.
func encodeGeomRecord(g orb.MultiPolygon, attrs any) ([]byte, error) {
	var gb []byte
	if g != nil {
		var err error
		if gb, err = wkb.Marshal(g); err != nil {
			return nil, err
		}
	}
	js, err := json.Marshal(attrs)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(gb)+len(js)+binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, uint64(len(gb)))
	b = append(b, gb...)
	return append(b, js...), nil
}

func decodeGeomRecord(v []byte, attrs any) (orb.MultiPolygon, error) {
	l, k := binary.Uvarint(v)
	if k <= 0 || l > uint64(len(v)-k) {
		return nil, errCorrupt
	}
	if err := json.Unmarshal(v[k+int(l):], attrs); err != nil {
		return nil, err
	}
	if l == 0 {
		return nil, nil
	}
	g, err := wkb.Unmarshal(v[k : k+int(l)])
	if err != nil {
		return nil, err
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	}
	return nil, fmt.Errorf("%w: geometry is %s, want MultiPolygon", errCorrupt, g.GeoJSONType())
}

// ReplacePlaces replaces every point of one layer in one transaction;
// places are stored with Layer set to layer.
//
// Errors: data.ErrInvalid for an empty layer, a place of another layer, an
// empty or repeated id; ctx's error.
func (s *Store) ReplacePlaces(ctx context.Context, layer data.PlaceLayer, places []data.Place) error {
	if layer == "" {
		return fmt.Errorf("embedded: replace places: %w: empty layer", data.ErrInvalid)
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b, err := replaceBucket(tx.Bucket(bPlaces), []byte(layer))
		if err != nil {
			return err
		}
		for i, p := range places {
			if p.Layer != "" && p.Layer != layer {
				return fmt.Errorf("%w: place %s has layer %q", data.ErrInvalid, p.ID, p.Layer)
			}
			if p.ID == "" {
				return fmt.Errorf("%w: place %d has no id", data.ErrInvalid, i)
			}
			if b.Get([]byte(p.ID)) != nil {
				return fmt.Errorf("%w: place id %s repeated", data.ErrInvalid, p.ID)
			}
			p.Layer = layer
			v, err := json.Marshal(p)
			if err != nil {
				return fmt.Errorf("place %s: %w", p.ID, err)
			}
			if err := b.Put([]byte(p.ID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: replace places %s: %w", layer, err)
	}
	return nil
}

// Places returns the points of one layer ordered by id; none for a layer
// never loaded. Errors: ctx's error; a corrupt record.
func (s *Store) Places(ctx context.Context, layer data.PlaceLayer) ([]data.Place, error) {
	var out []data.Place
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bPlaces).Bucket([]byte(layer))
		if b == nil {
			return nil
		}
		out = make([]data.Place, 0, b.Stats().KeyN)
		return b.ForEach(func(k, v []byte) error {
			var p data.Place
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("place %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: places %s: %w", layer, err)
	}
	return out, nil
}

// PutLayerInfo records what a load put in a layer, replacing the previous
// record of the same name; LoadedAt is stored in UTC.
//
// Errors: data.ErrInvalid for an empty name; ctx's error.
func (s *Store) PutLayerInfo(ctx context.Context, info data.LayerInfo) error {
	if info.Name == "" {
		return fmt.Errorf("embedded: put layer info: %w: empty name", data.ErrInvalid)
	}
	w, err := layerInfoWriter(info)
	if err == nil {
		err = s.update(ctx, w)
	}
	if err != nil {
		return fmt.Errorf("embedded: put layer info %s: %w", info.Name, err)
	}
	return nil
}

// layerInfoWriter writes a layer record (named) in a transaction.
func layerInfoWriter(info data.LayerInfo) (func(*bolt.Tx) error, error) {
	info.LoadedAt = info.LoadedAt.UTC()
	v, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	return func(tx *bolt.Tx) error { return tx.Bucket(bLayers).Put([]byte(info.Name), v) }, nil
}

// LayerInfos lists the layer records ordered by name. Errors: ctx's
// error; a corrupt record.
func (s *Store) LayerInfos(ctx context.Context) ([]data.LayerInfo, error) {
	var out []data.LayerInfo
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bLayers).ForEach(func(k, v []byte) error {
			var li data.LayerInfo
			if err := json.Unmarshal(v, &li); err != nil {
				return fmt.Errorf("layer %s: %w", k, err)
			}
			out = append(out, li)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: layer infos: %w", err)
	}
	return out, nil
}
