package postgis

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// AddSnapshot stores a new snapshot and its zones in one transaction and
// returns it with its id and ComputedAt in UTC (to the microsecond); older
// snapshots are never changed.
//
// Errors: data.ErrInvalid for a zone with an empty or repeated id; ctx's
// error.
func (s *Store) AddSnapshot(ctx context.Context, snap data.Snapshot, zones []data.Zone) (data.Snapshot, error) {
	w, err := snapshotWriter(ctx, &snap, zones)
	if err == nil {
		err = s.tx(ctx, w)
	}
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("postgis: add snapshot: %w", classify(err))
	}
	return snap, nil
}

// snapshotWriter checks the zones and returns what writes snap and them,
// with their tile hexagons, in a transaction, setting snap's id and time.
func snapshotWriter(ctx context.Context, snap *data.Snapshot, zones []data.Zone) (func(pgx.Tx) error, error) {
	snap.ComputedAt = snap.ComputedAt.UTC()
	snap.Uploads = slices.Clone(snap.Uploads)
	if snap.Uploads == nil {
		snap.Uploads = []int64{}
	}
	seen := make(map[string]bool, len(zones))
	for i, z := range zones {
		if z.ID == "" {
			return nil, fmt.Errorf("%w: zone %d has no id", data.ErrInvalid, i)
		}
		if seen[z.ID] {
			return nil, fmt.Errorf("%w: zone id %s repeated", data.ErrInvalid, z.ID)
		}
		seen[z.ID] = true
	}
	return func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO snapshots (computed_at, resolution, config_version, required_tech, required_level,
			programme_size, white, grey, white_pop, grey_pop, unmeasured_pop, uploads, layers_version, matched_to, disputes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id, computed_at`,
			snap.ComputedAt, snap.Resolution, snap.ConfigVersion, int16(snap.RequiredTech), int16(snap.RequiredLevel),
			snap.ProgrammeSize, snap.White, snap.Grey, snap.WhitePop, snap.GreyPop, snap.UnmeasuredPop, snap.Uploads,
			snap.LayersVersion, snap.MatchedTo, snap.Disputes,
		).Scan(&snap.ID, &snap.ComputedAt); err != nil {
			return err
		}
		snap.ComputedAt = snap.ComputedAt.UTC()
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE zones_in (LIKE zones INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return err
		}
		cols := []string{"snapshot_id", "id", "fid", "kind", "rank", "ord", "programme", "population", "area_km2",
			"region_code", "region", "region_ar", "province_code", "province", "province_ar",
			"communes", "communes_ar", "commune_codes", "operator", "cells", "centroid", "geom"}
		// zones_in has geometry columns; COPY them as EWKB through bytea
		// staging columns.
		if _, err := tx.Exec(ctx, `ALTER TABLE zones_in DROP COLUMN centroid, DROP COLUMN geom, DROP COLUMN geom_3857,
			ADD COLUMN centroid bytea, ADD COLUMN geom bytea`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"zones_in"}, cols, pgx.CopyFromSlice(len(zones), func(i int) ([]any, error) {
			z := &zones[i]
			var centroid []byte
			if z.Centroid != (orb.Point{}) {
				var err error
				if centroid, err = toEWKB(z.Centroid); err != nil {
					return nil, err
				}
			}
			g, err := toEWKB(z.Geom)
			if err != nil {
				return nil, fmt.Errorf("%w: zone %s: %v", data.ErrInvalid, z.ID, err)
			}
			cells := make([]int64, len(z.Cells))
			for j, c := range z.Cells {
				cells[j] = cellID(c)
			}
			return []any{snap.ID, z.ID, int64(z.FID), string(z.Kind), z.Rank, i, z.Programme, z.Population, z.AreaKm2,
				z.RegionCode, z.Region, z.RegionAR, z.ProvinceCode, z.Province, z.ProvinceAR,
				strs(z.Communes), strs(z.CommunesAR), strs(z.CommuneCodes), z.Operator, cells, centroid, g}, nil
		})); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO zones (snapshot_id, id, fid, kind, rank, ord, programme, population, area_km2,
			region_code, region, region_ar, province_code, province, province_ar, communes, communes_ar, commune_codes,
			operator, cells, centroid, geom, geom_3857)
			SELECT snapshot_id, id, fid, kind, rank, ord, programme, population, area_km2,
			region_code, region, region_ar, province_code, province, province_ar, communes, communes_ar, commune_codes,
			operator, cells, ST_GeomFromEWKB(centroid), g, ST_Transform(g, 3857)
			FROM zones_in LEFT JOIN LATERAL ST_GeomFromEWKB(geom) AS g ON true`); err != nil {
			return err
		}
		return writeZonePyramid(ctx, tx, snap.ID, zones)
	}, nil
}

// CommitComputation stores a recompute's coverage, disputes, their layer
// info and snapshot in one transaction (see data.Store).
func (s *Store) CommitComputation(ctx context.Context, c data.Computation) (data.Snapshot, error) {
	cw, err := coverageWriter(ctx, c.Run, c.Stats)
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("postgis: commit computation: coverage: %w", err)
	}
	snap := c.Snapshot
	sw, err := snapshotWriter(ctx, &snap, c.Zones)
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("postgis: commit computation: snapshot: %w", err)
	}
	c.DisputesInfo.Name = data.LayerDisputes
	writers := []func(pgx.Tx) error{cw, featuresWriter(ctx, data.LayerDisputes, c.Disputes), layerInfoWriter(ctx, c.DisputesInfo), sw}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		for _, w := range writers {
			if err := w(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("postgis: commit computation: %w", classify(err))
	}
	return snap, nil
}

func strs(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

const snapshotSelect = `SELECT id, computed_at, resolution, config_version, required_tech, required_level, programme_size,
	white, grey, white_pop, grey_pop, unmeasured_pop, uploads, layers_version, matched_to, disputes FROM snapshots`

func scanSnapshot(r pgx.CollectableRow) (data.Snapshot, error) {
	var sn data.Snapshot
	var tech, level int16
	err := r.Scan(&sn.ID, &sn.ComputedAt, &sn.Resolution, &sn.ConfigVersion, &tech, &level, &sn.ProgrammeSize,
		&sn.White, &sn.Grey, &sn.WhitePop, &sn.GreyPop, &sn.UnmeasuredPop, &sn.Uploads, &sn.LayersVersion, &sn.MatchedTo, &sn.Disputes)
	sn.RequiredTech, sn.RequiredLevel, sn.ComputedAt = data.Tech(tech), data.Level(level), sn.ComputedAt.UTC()
	if len(sn.Uploads) == 0 {
		sn.Uploads = nil
	}
	return sn, err
}

// Snapshots lists snapshots by id.
func (s *Store) Snapshots(ctx context.Context) ([]data.Snapshot, error) {
	rows, err := s.read.Query(ctx, snapshotSelect+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgis: snapshots: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanSnapshot)
	if err != nil {
		return nil, fmt.Errorf("postgis: snapshots: %w", err)
	}
	return out, nil
}

// LatestSnapshot returns the newest snapshot; data.ErrNotFound before the
// first.
func (s *Store) LatestSnapshot(ctx context.Context) (data.Snapshot, error) {
	rows, err := s.read.Query(ctx, snapshotSelect+` ORDER BY id DESC LIMIT 1`)
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("postgis: latest snapshot: %w", err)
	}
	sn, err := pgx.CollectExactlyOneRow(rows, scanSnapshot)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Snapshot{}, fmt.Errorf("postgis: latest snapshot: %w", data.ErrNotFound)
	}
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("postgis: latest snapshot: %w", err)
	}
	return sn, nil
}

const zoneSelect = `SELECT id, fid, kind, rank, programme, population, area_km2, region_code, region, region_ar,
	province_code, province, province_ar, communes, communes_ar, commune_codes, operator, cells,
	ST_AsEWKB(centroid), ST_AsEWKB(geom) FROM zones`

func scanZone(r pgx.CollectableRow) (data.Zone, error) {
	var z data.Zone
	var fid int64
	var kind string
	var cells []int64
	var centroid, g []byte
	if err := r.Scan(&z.ID, &fid, &kind, &z.Rank, &z.Programme, &z.Population, &z.AreaKm2, &z.RegionCode, &z.Region, &z.RegionAR,
		&z.ProvinceCode, &z.Province, &z.ProvinceAR, &z.Communes, &z.CommunesAR, &z.CommuneCodes, &z.Operator, &cells,
		&centroid, &g); err != nil {
		return z, err
	}
	z.FID, z.Kind = uint64(fid), data.ZoneKind(kind)
	if len(cells) > 0 {
		z.Cells = make([]geo.Cell, len(cells))
		for i, c := range cells {
			z.Cells[i] = geo.Cell(c)
		}
	}
	for _, p := range []*[]string{&z.Communes, &z.CommunesAR, &z.CommuneCodes} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	if c, err := fromEWKB(centroid); err != nil {
		return z, fmt.Errorf("zone %s centroid: %w", z.ID, err)
	} else if p, ok := c.(orb.Point); ok {
		z.Centroid = p
	}
	geom, err := fromEWKB(g)
	if err != nil {
		return z, fmt.Errorf("zone %s geometry: %w", z.ID, err)
	}
	if mp, ok := geom.(orb.MultiPolygon); ok {
		z.Geom = mp
	}
	return z, nil
}

func (s *Store) snapshotExists(ctx context.Context, id int64) error {
	var ok bool
	if err := s.read.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM snapshots WHERE id = $1)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("snapshot %d: %w", id, data.ErrNotFound)
	}
	return nil
}

// Zones returns the zones of a snapshot matching f, ordered by rank (then
// by their order in AddSnapshot), and the count matching f before
// Limit/Offset. Errors: data.ErrNotFound naming an unknown snapshot.
func (s *Store) Zones(ctx context.Context, snapshot int64, f data.ZoneFilter) ([]data.Zone, int, error) {
	if err := s.snapshotExists(ctx, snapshot); err != nil {
		return nil, 0, fmt.Errorf("postgis: zones: %w", err)
	}
	where := ` WHERE snapshot_id = $1 AND ($2 = '' OR kind = $2) AND ($3 = '' OR region_code = $3)`
	var total int
	if err := s.read.QueryRow(ctx, `SELECT count(*) FROM zones`+where, snapshot, string(f.Kind), f.Region).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgis: zones: %w", err)
	}
	q := zoneSelect + where + ` ORDER BY rank, ord OFFSET $4`
	args := []any{snapshot, string(f.Kind), f.Region, max(f.Offset, 0)}
	if f.Limit > 0 {
		q += ` LIMIT $5`
		args = append(args, f.Limit)
	}
	rows, err := s.read.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgis: zones: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanZone)
	if err != nil {
		return nil, 0, fmt.Errorf("postgis: zones: %w", err)
	}
	return out, total, nil
}

// Zone returns one zone of a snapshot. Errors: data.ErrNotFound naming
// the snapshot or the zone id.
func (s *Store) Zone(ctx context.Context, snapshot int64, id string) (data.Zone, error) {
	if err := s.snapshotExists(ctx, snapshot); err != nil {
		return data.Zone{}, fmt.Errorf("postgis: zone: %w", err)
	}
	rows, err := s.read.Query(ctx, zoneSelect+` WHERE snapshot_id = $1 AND id = $2`, snapshot, id)
	if err != nil {
		return data.Zone{}, fmt.Errorf("postgis: zone: %w", err)
	}
	z, err := pgx.CollectExactlyOneRow(rows, scanZone)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Zone{}, fmt.Errorf("postgis: zone: zone %q of snapshot %d: %w", id, snapshot, data.ErrNotFound)
	}
	if err != nil {
		return data.Zone{}, fmt.Errorf("postgis: zone: %w", err)
	}
	return z, nil
}
