package embedded

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// fpIndex is the in-memory index of the fingerprints of every stored row,
// built from the row_fp bucket on the first KnownRows after a change (the
// store has one process, so it cannot go stale behind its back): 16 bytes
// per stored row, sorted for binary search.
type fpIndex struct {
	mu    sync.Mutex
	valid bool
	keys  []fpEntry
}

type fpEntry struct {
	fp     uint64
	upload int64
}

func (x *fpIndex) stale() {
	x.mu.Lock()
	x.valid, x.keys = false, nil
	x.mu.Unlock()
}

// KnownRows returns, for each of fps held by a stored upload, the id of the
// first upload holding it. Rows of uploads without a record (in progress,
// aborted) are not counted.
func (s *Store) KnownRows(ctx context.Context, fps []uint64) (map[uint64]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.fp.mu.Lock()
	defer s.fp.mu.Unlock()
	if !s.fp.valid {
		keys, err := s.loadFingerprints()
		if err != nil {
			return nil, fmt.Errorf("embedded: known rows: %w", err)
		}
		s.fp.keys, s.fp.valid = keys, true
	}
	keys := s.fp.keys
	out := map[uint64]int64{}
	for _, fp := range fps {
		i, ok := slices.BinarySearchFunc(keys, fp, func(e fpEntry, t uint64) int {
			switch {
			case e.fp < t:
				return -1
			case e.fp > t:
				return 1
			}
			return 0
		})
		if ok {
			out[fp] = keys[i].upload
		}
	}
	return out, nil
}

// loadFingerprints reads the fingerprints of every upload that has a
// record, sorted by fingerprint then upload.
func (s *Store) loadFingerprints() ([]fpEntry, error) {
	var keys []fpEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		ups := tx.Bucket(bUploads)
		c := tx.Bucket(bRowFP).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 12 || len(v)%8 != 0 {
				return fmt.Errorf("row fingerprint chunk %x is malformed", k)
			}
			if ups.Get(k[:8]) == nil {
				continue
			}
			id := int64(binary.BigEndian.Uint64(k[:8]))
			for o := 0; o < len(v); o += 8 {
				keys = append(keys, fpEntry{binary.LittleEndian.Uint64(v[o:]), id})
			}
		}
		return nil
	})
	slices.SortFunc(keys, func(a, b fpEntry) int {
		if a.fp != b.fp {
			if a.fp < b.fp {
				return -1
			}
			return 1
		}
		return int(a.upload - b.upload)
	})
	return keys, err
}
