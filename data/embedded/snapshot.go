package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	bolt "go.etcd.io/bbolt"
)

// AddSnapshot stores a new snapshot and its zones in one transaction and
// returns it with its id (the next one) and ComputedAt in UTC; older
// snapshots are kept unchanged.
//
// Errors: data.ErrInvalid for a zone with an empty or repeated id; ctx's
// error.
func (s *Store) AddSnapshot(ctx context.Context, snap data.Snapshot, zones []data.Zone) (data.Snapshot, error) {
	if err := s.update(ctx, snapshotWriter(ctx, &snap, zones)); err != nil {
		return data.Snapshot{}, fmt.Errorf("embedded: add snapshot: %w", err)
	}
	return snap, nil
}

// snapshotWriter writes a new snapshot and its zones in a transaction,
// setting snap's id and times.
func snapshotWriter(ctx context.Context, snap *data.Snapshot, zones []data.Zone) func(*bolt.Tx) error {
	snap.ComputedAt = snap.ComputedAt.UTC()
	snap.Uploads = slices.Clone(snap.Uploads)
	return func(tx *bolt.Tx) error {
		sb := tx.Bucket(bSnapshots)
		seq, err := sb.NextSequence()
		if err != nil {
			return err
		}
		snap.ID = int64(seq)
		key := idKey(snap.ID)
		byRank, err := tx.Bucket(bZones).CreateBucket(key)
		if err != nil {
			return err
		}
		byID, err := tx.Bucket(bZoneIDs).CreateBucket(key)
		if err != nil {
			return err
		}
		byRank.FillPercent = 1.0
		for i := range zones {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			z := &zones[i]
			if z.ID == "" {
				return fmt.Errorf("%w: zone %d has no id", data.ErrInvalid, i)
			}
			if byID.Get([]byte(z.ID)) != nil {
				return fmt.Errorf("%w: zone id %s repeated", data.ErrInvalid, z.ID)
			}
			v, err := encodeZone(z)
			if err != nil {
				return fmt.Errorf("zone %s: %w", z.ID, err)
			}
			rk := rankKey(z.Rank, i)
			if err := byRank.Put(rk, v); err != nil {
				return err
			}
			if err := byID.Put([]byte(z.ID), rk); err != nil {
				return err
			}
		}
		v, err := json.Marshal(snap)
		if err != nil {
			return err
		}
		return sb.Put(key, v)
	}
}

// CommitComputation stores a recompute's coverage, disputes, their layer
// info and snapshot in one transaction (see data.Store).
func (s *Store) CommitComputation(ctx context.Context, c data.Computation) (data.Snapshot, error) {
	cw, err := coverageWriter(ctx, c.Run, c.Stats)
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("embedded: commit computation: coverage: %w", err)
	}
	c.DisputesInfo.Name = data.LayerDisputes
	lw, err := layerInfoWriter(c.DisputesInfo)
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("embedded: commit computation: %w", err)
	}
	snap := c.Snapshot
	writers := []func(*bolt.Tx) error{cw, featuresWriter(data.LayerDisputes, c.Disputes), lw, snapshotWriter(ctx, &snap, c.Zones)}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		for _, w := range writers {
			if err := w(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("embedded: commit computation: %w", err)
	}
	return snap, nil
}

// rankKey orders zones by rank (signed), then by their place in the call.
func rankKey(rank, i int) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 12), uint64(int64(rank))^(1<<63))
	return binary.BigEndian.AppendUint32(k, uint32(i))
}

// A zone record is: kind and region code (length-prefixed, so a filter
// needs no JSON), FID, cell count and cells (8 bytes each), then a
// geometry record (WKB and the other attributes as JSON).
func encodeZone(z *data.Zone) ([]byte, error) {
	b := make([]byte, 0, 64+8*len(z.Cells))
	b = appendString(b, string(z.Kind))
	b = appendString(b, z.RegionCode)
	b = le.AppendUint64(b, z.FID)
	b = binary.AppendUvarint(b, uint64(len(z.Cells)))
	for _, c := range z.Cells {
		b = le.AppendUint64(b, uint64(c))
	}
	attrs := *z
	attrs.Cells, attrs.Geom = nil, nil
	g, err := encodeGeomRecord(z.Geom, attrs)
	if err != nil {
		return nil, err
	}
	return append(b, g...), nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func readString(b []byte) (s, rest []byte, err error) {
	l, k := binary.Uvarint(b)
	if k <= 0 || l > uint64(len(b)-k) {
		return nil, nil, errCorrupt
	}
	return b[k : k+int(l)], b[k+int(l):], nil
}

// zoneMatches reads only the head of a zone record.
func zoneMatches(v []byte, f data.ZoneFilter) (bool, error) {
	kind, rest, err := readString(v)
	if err != nil {
		return false, err
	}
	region, _, err := readString(rest)
	if err != nil {
		return false, err
	}
	return (f.Kind == "" || string(kind) == string(f.Kind)) && (f.Region == "" || string(region) == f.Region), nil
}

func decodeZone(v []byte) (data.Zone, error) {
	_, rest, err := readString(v)
	if err == nil {
		_, rest, err = readString(rest)
	}
	if err != nil {
		return data.Zone{}, err
	}
	if len(rest) < 8 {
		return data.Zone{}, errCorrupt
	}
	fid := le.Uint64(rest)
	n, k := binary.Uvarint(rest[8:])
	rest = rest[8:]
	if k <= 0 || n > uint64(len(rest)-k)/8 {
		return data.Zone{}, errCorrupt
	}
	rest = rest[k:]
	var cells []geo.Cell
	if n > 0 {
		cells = make([]geo.Cell, n)
		for i := range cells {
			cells[i] = geo.Cell(le.Uint64(rest[8*i:]))
		}
	}
	var z data.Zone
	g, err := decodeGeomRecord(rest[8*n:], &z)
	if err != nil {
		return data.Zone{}, err
	}
	z.FID, z.Cells, z.Geom = fid, cells, g
	return z, nil
}

// Snapshots lists snapshots by id. Errors: ctx's error; a corrupt record.
func (s *Store) Snapshots(ctx context.Context) ([]data.Snapshot, error) {
	var out []data.Snapshot
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bSnapshots).ForEach(func(k, v []byte) error {
			var sn data.Snapshot
			if err := json.Unmarshal(v, &sn); err != nil {
				return fmt.Errorf("snapshot %d: %w", int64(binary.BigEndian.Uint64(k)), err)
			}
			out = append(out, sn)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: snapshots: %w", err)
	}
	return out, nil
}

// LatestSnapshot returns the newest snapshot. Errors: data.ErrNotFound
// before the first; ctx's error.
func (s *Store) LatestSnapshot(ctx context.Context) (data.Snapshot, error) {
	var sn data.Snapshot
	err := s.view(ctx, func(tx *bolt.Tx) error {
		_, v := tx.Bucket(bSnapshots).Cursor().Last()
		if v == nil {
			return data.ErrNotFound
		}
		return json.Unmarshal(v, &sn)
	})
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("embedded: latest snapshot: %w", err)
	}
	return sn, nil
}

// Zones returns the zones of a snapshot matching f, ordered by rank (then
// by their order in AddSnapshot), and the count matching f before
// Limit/Offset. Only the returned page is decoded.
//
// Errors: data.ErrNotFound (naming the snapshot) for an unknown snapshot;
// ctx's error.
func (s *Store) Zones(ctx context.Context, snapshot int64, f data.ZoneFilter) ([]data.Zone, int, error) {
	var out []data.Zone
	total := 0
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bZones).Bucket(idKey(snapshot))
		if b == nil {
			return fmt.Errorf("snapshot %d: %w", snapshot, data.ErrNotFound)
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			ok, err := zoneMatches(v, f)
			if err != nil {
				return fmt.Errorf("zone %x: %w", k, err)
			}
			if !ok {
				continue
			}
			total++
			if total <= f.Offset || f.Limit > 0 && len(out) >= f.Limit {
				continue
			}
			z, err := decodeZone(v)
			if err != nil {
				return fmt.Errorf("zone %x: %w", k, err)
			}
			out = append(out, z)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("embedded: zones: %w", err)
	}
	return out, total, nil
}

// Zone returns one zone of a snapshot. Errors: data.ErrNotFound (naming
// the snapshot or the zone id); ctx's error.
func (s *Store) Zone(ctx context.Context, snapshot int64, id string) (data.Zone, error) {
	var z data.Zone
	err := s.view(ctx, func(tx *bolt.Tx) error {
		key := idKey(snapshot)
		ids := tx.Bucket(bZoneIDs).Bucket(key)
		if ids == nil {
			return fmt.Errorf("snapshot %d: %w", snapshot, data.ErrNotFound)
		}
		rk := ids.Get([]byte(id))
		if rk == nil {
			return fmt.Errorf("zone %q of snapshot %d: %w", id, snapshot, data.ErrNotFound)
		}
		v := tx.Bucket(bZones).Bucket(key).Get(rk)
		if v == nil {
			return fmt.Errorf("zone %q: %w", id, errCorrupt)
		}
		var err error
		z, err = decodeZone(v)
		return err
	})
	if err != nil {
		return data.Zone{}, fmt.Errorf("embedded: zone: %w", err)
	}
	return z, nil
}
