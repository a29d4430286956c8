package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// ReplaceAreas replaces every area of one level in one transaction.
// Errors: data.ErrInvalid for an unknown level, an empty or repeated code.
func (s *Store) ReplaceAreas(ctx context.Context, level data.AreaLevel, areas []data.Area) error {
	if !slices.Contains(data.AreaLevels, level) {
		return fmt.Errorf("postgis: replace areas: %w: level %q", data.ErrInvalid, level)
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM areas WHERE level = $1`, level); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i, a := range areas {
			if a.Code == "" {
				return fmt.Errorf("%w: area %d has no code", data.ErrInvalid, i)
			}
			g, err := toEWKB(a.Geom)
			if err != nil {
				return fmt.Errorf("%w: area %s: %v", data.ErrInvalid, a.Code, err)
			}
			b.Queue(`INSERT INTO areas (level, code, parent, region, name_fr, name_ar, name_en, type, population, geom, geom_3857)
				SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, g, ST_Transform(g, 3857) FROM ST_GeomFromEWKB($10::bytea) AS g`,
				level, a.Code, a.Parent, a.Region, a.NameFR, a.NameAR, a.NameEN, a.Type, a.Population, g)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgis: replace areas %s: %w", level, classify(err))
	}
	return nil
}

// Areas returns the areas of one level ordered by code.
func (s *Store) Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, parent, region, name_fr, name_ar, name_en, type, population, ST_AsEWKB(geom)
		FROM areas WHERE level = $1 ORDER BY code COLLATE "C"`, level)
	if err != nil {
		return nil, fmt.Errorf("postgis: areas %s: %w", level, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Area, error) {
		a := data.Area{Level: level}
		var g []byte
		if err := r.Scan(&a.Code, &a.Parent, &a.Region, &a.NameFR, &a.NameAR, &a.NameEN, &a.Type, &a.Population, &g); err != nil {
			return a, err
		}
		geom, err := fromEWKB(g)
		if err != nil {
			return a, fmt.Errorf("area %s geometry: %w", a.Code, err)
		}
		if mp, ok := geom.(orb.MultiPolygon); ok {
			a.Geom = mp
		}
		return a, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: areas %s: %w", level, err)
	}
	return out, nil
}

// ReplacePlaces replaces every point of one layer in one transaction.
// Errors: data.ErrInvalid for an unknown layer, a place of another layer,
// an empty or repeated id.
func (s *Store) ReplacePlaces(ctx context.Context, layer data.PlaceLayer, places []data.Place) error {
	if layer != data.LayerPlaces && layer != data.LayerHealth {
		return fmt.Errorf("postgis: replace places: %w: layer %q", data.ErrInvalid, layer)
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM places WHERE layer = $1`, layer); err != nil {
			return err
		}
		rows := make([][]any, 0, len(places))
		for i, p := range places {
			if p.Layer != "" && p.Layer != layer {
				return fmt.Errorf("%w: place %s has layer %q", data.ErrInvalid, p.ID, p.Layer)
			}
			if p.ID == "" {
				return fmt.Errorf("%w: place %d has no id", data.ErrInvalid, i)
			}
			rows = append(rows, []any{string(layer), p.ID, p.Name, p.NameAR, p.Kind, p.Population, p.Province, p.Region, p.Point[0], p.Point[1]})
		}
		// COPY into a staging table, then one INSERT builds both geometries.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE places_in (layer text, id text, name text, name_ar text, kind text, population bigint,
			province text, region text, lon float8, lat float8) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"places_in"}, []string{"layer", "id", "name", "name_ar", "kind", "population", "province", "region", "lon", "lat"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO places (layer, id, name, name_ar, kind, population, province, region, geom, geom_3857)
			SELECT layer, id, name, name_ar, kind, population, province, region, g, ST_Transform(g, 3857)
			FROM places_in, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g`)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgis: replace places %s: %w", layer, classify(err))
	}
	return nil
}

// Places returns the points of one layer ordered by id.
func (s *Store) Places(ctx context.Context, layer data.PlaceLayer) ([]data.Place, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, name_ar, kind, population, province, region, ST_X(geom), ST_Y(geom)
		FROM places WHERE layer = $1 ORDER BY id COLLATE "C"`, layer)
	if err != nil {
		return nil, fmt.Errorf("postgis: places %s: %w", layer, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Place, error) {
		p := data.Place{Layer: layer}
		err := r.Scan(&p.ID, &p.Name, &p.NameAR, &p.Kind, &p.Population, &p.Province, &p.Region, &p.Point[0], &p.Point[1])
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: places %s: %w", layer, err)
	}
	return out, nil
}

// PutLayerInfo records what a load put in a layer, replacing the record
// of the same name. Errors: data.ErrInvalid for an empty name.
func (s *Store) PutLayerInfo(ctx context.Context, info data.LayerInfo) error {
	if info.Name == "" {
		return fmt.Errorf("postgis: put layer info: %w: empty name", data.ErrInvalid)
	}
	if err := s.tx(ctx, layerInfoWriter(ctx, info)); err != nil {
		return fmt.Errorf("postgis: put layer info %s: %w", info.Name, err)
	}
	return nil
}

// layerInfoWriter writes a layer record (named) in a transaction.
func layerInfoWriter(ctx context.Context, info data.LayerInfo) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO layer_infos (name, count, source, loaded_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET count = excluded.count, source = excluded.source, loaded_at = excluded.loaded_at`,
			info.Name, info.Count, info.Source, info.LoadedAt.UTC())
		return err
	}
}

// LayerInfos lists the layer records ordered by name.
func (s *Store) LayerInfos(ctx context.Context) ([]data.LayerInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, count, source, loaded_at FROM layer_infos ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgis: layer infos: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.LayerInfo, error) {
		var li data.LayerInfo
		err := r.Scan(&li.Name, &li.Count, &li.Source, &li.LoadedAt)
		li.LoadedAt = li.LoadedAt.UTC()
		return li, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: layer infos: %w", err)
	}
	return out, nil
}

// ReplaceFeatures replaces every feature of a generic layer in one
// transaction. Errors: data.ErrInvalid for an empty layer, an empty or
// repeated id, a missing geometry or a property that is not a JSON value.
func (s *Store) ReplaceFeatures(ctx context.Context, layer string, fs []data.Feature) error {
	if layer == "" {
		return fmt.Errorf("postgis: replace features: %w: empty layer name", data.ErrInvalid)
	}
	if err := s.tx(ctx, featuresWriter(ctx, layer, fs)); err != nil {
		return fmt.Errorf("postgis: replace features %s: %w", layer, classify(err))
	}
	return nil
}

// featuresWriter writes the features of a layer (not empty) in a
// transaction.
func featuresWriter(ctx context.Context, layer string, fs []data.Feature) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM features WHERE layer = $1`, layer); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i, f := range fs {
			if f.ID == "" {
				return fmt.Errorf("%w: feature %d has no id", data.ErrInvalid, i)
			}
			if f.Geom == nil {
				return fmt.Errorf("%w: feature %s has no geometry", data.ErrInvalid, f.ID)
			}
			g, err := toEWKB(f.Geom)
			if err != nil {
				return fmt.Errorf("%w: feature %s geometry: %v", data.ErrInvalid, f.ID, err)
			}
			props, err := json.Marshal(f.Props)
			if err != nil {
				return fmt.Errorf("%w: feature %s properties: %v", data.ErrInvalid, f.ID, err)
			}
			b.Queue(`INSERT INTO features (layer, id, props, geom, geom_3857)
				SELECT $1, $2, $3::jsonb, g, ST_Transform(g, 3857) FROM ST_GeomFromEWKB($4::bytea) AS g`, layer, f.ID, string(props), g)
		}
		return tx.SendBatch(ctx, b).Close()
	}
}

// Features returns the features of a layer ordered by id.
func (s *Store) Features(ctx context.Context, layer string) ([]data.Feature, error) {
	out, err := layerFeatures(ctx, s.pool, layer)
	if err != nil {
		return nil, fmt.Errorf("postgis: features %s: %w", layer, err)
	}
	return out, nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// layerFeatures reads the features of a layer ordered by id.
func layerFeatures(ctx context.Context, q querier, layer string) ([]data.Feature, error) {
	rows, err := q.Query(ctx, `SELECT id, props::text, ST_AsEWKB(geom) FROM features WHERE layer = $1 ORDER BY id COLLATE "C"`, layer)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Feature, error) {
		f := data.Feature{Layer: layer}
		var props string
		var g []byte
		if err := r.Scan(&f.ID, &props, &g); err != nil {
			return f, err
		}
		if err := json.Unmarshal([]byte(props), &f.Props); err != nil {
			return f, fmt.Errorf("feature %s properties: %w", f.ID, err)
		}
		var err error
		f.Geom, err = fromEWKB(g)
		return f, err
	})
}
