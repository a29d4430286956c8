package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

var errEmitAfterFill = errors.New("emit called after fill returned")

// AddUpload stores an upload and its rows in one transaction. fill runs
// inside the write transaction (other writers wait for it); emit copies
// each batch, so fill may reuse its slices. emit returns ctx's error once
// ctx is cancelled.
//
// The stored upload is the one fill returns, with ID assigned, SHA256 set
// to up.SHA256, and File, Format, Operator, Bytes and ReceivedAt taken from
// up where fill left them zero; ReceivedAt defaults to now. An upload with
// an empty SHA256 is stored but never detected as a duplicate.
//
// Errors: *data.DuplicateError (matching data.ErrConflict) when up.SHA256
// is already stored, without calling fill; data.ErrInvalid for a nil fill,
// a fill result with another SHA256 or a measurement time outside
// 1678..2262; fill's error or ctx's error, with nothing stored.
func (s *Store) AddUpload(ctx context.Context, up data.Upload, fill data.Fill) (data.Upload, error) {
	if fill == nil {
		return data.Upload{}, fmt.Errorf("embedded: add upload %s: %w: nil fill", up.File, data.ErrInvalid)
	}
	var stored data.Upload
	err := s.update(ctx, func(tx *bolt.Tx) error {
		ups, shas := tx.Bucket(bUploads), tx.Bucket(bUploadSHA)
		if up.SHA256 != "" {
			if id := shas.Get([]byte(up.SHA256)); id != nil {
				existing, err := getUpload(ups, id)
				if err != nil {
					return err
				}
				return &data.DuplicateError{Existing: existing}
			}
		}
		// The id is taken first because chunks are keyed by it; a rollback
		// returns it.
		seq, err := ups.NextSequence()
		if err != nil {
			return err
		}
		id := int64(seq)
		rows := tx.Bucket(bRows)
		rows.FillPercent = 1.0
		e := emitter{ctx: ctx, rows: rows, id: id}
		final, err := fill(e.emit)
		e.close()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.flush(); err != nil {
			return err
		}
		if final.SHA256 != "" && final.SHA256 != up.SHA256 {
			return fmt.Errorf("%w: fill returned sha256 %s for an upload of %s", data.ErrInvalid, final.SHA256, up.SHA256)
		}
		final = data.Complete(final, up)
		final.ID = id
		v, err := json.Marshal(final)
		if err != nil {
			return err
		}
		if err := ups.Put(idKey(id), v); err != nil {
			return err
		}
		if final.SHA256 != "" {
			if err := shas.Put([]byte(final.SHA256), idKey(id)); err != nil {
				return err
			}
		}
		stored = final
		return nil
	})
	if err != nil {
		return data.Upload{}, fmt.Errorf("embedded: add upload %s: %w", up.File, err)
	}
	return stored, nil
}

// emitter writes an upload's rows as chunks keyed id (8 BE) + seq (4 BE).
type emitter struct {
	ctx  context.Context
	rows *bolt.Bucket
	id   int64

	mu   sync.Mutex // fill may call emit from another goroutine
	w    measWriter
	seq  uint32
	done bool
}

func (e *emitter) emit(ms []data.Measurement) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return errEmitAfterFill
	}
	for i := range ms {
		full, err := e.w.add(&ms[i])
		if err != nil {
			return fmt.Errorf("row %d of batch: %w", i, err)
		}
		if full {
			if err := e.putLocked(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *emitter) close() {
	e.mu.Lock()
	e.done = true
	e.mu.Unlock()
}

func (e *emitter) flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.putLocked()
}

func (e *emitter) putLocked() error {
	v := e.w.take()
	if v == nil {
		return nil
	}
	key := binary.BigEndian.AppendUint32(idKey(e.id), e.seq)
	e.seq++
	return e.rows.Put(key, v)
}

func getUpload(ups *bolt.Bucket, key []byte) (data.Upload, error) {
	v := ups.Get(key)
	if v == nil {
		return data.Upload{}, fmt.Errorf("upload %d: %w", int64(binary.BigEndian.Uint64(key)), data.ErrNotFound)
	}
	var u data.Upload
	if err := json.Unmarshal(v, &u); err != nil {
		return u, fmt.Errorf("upload %d: %w", int64(binary.BigEndian.Uint64(key)), err)
	}
	return u, nil
}

// Uploads lists uploads by id. Errors: ctx's error.
func (s *Store) Uploads(ctx context.Context) ([]data.Upload, error) {
	var out []data.Upload
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ups := tx.Bucket(bUploads)
		return ups.ForEach(func(k, _ []byte) error {
			u, err := getUpload(ups, k)
			out = append(out, u)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: uploads: %w", err)
	}
	return out, nil
}

// Upload returns one upload. Errors: data.ErrNotFound (naming the id);
// ctx's error.
func (s *Store) Upload(ctx context.Context, id int64) (data.Upload, error) {
	var u data.Upload
	err := s.view(ctx, func(tx *bolt.Tx) (err error) {
		u, err = getUpload(tx.Bucket(bUploads), idKey(id))
		return err
	})
	if err != nil {
		return data.Upload{}, fmt.Errorf("embedded: upload: %w", err)
	}
	return u, nil
}

// ScanMeasurements calls fn with every stored measurement, by upload id
// then row order, one stored chunk (up to 4096 rows) per call. Each batch
// is a fresh slice that fn may keep.
//
// Each chunk is read in its own short read transaction and fn runs outside
// any transaction, so fn may write to the store; an upload appears whole or
// not at all, and uploads committed during the scan may be included.
//
// Errors: fn's error, as returned; ctx's error; a corrupt chunk.
func (s *Store) ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error {
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("embedded: scan measurements: %w", err)
		}
		var batch []data.Measurement
		end := false
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bRows).Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
			if k == nil {
				end = true
				return nil
			}
			after = append(after[:0], k...)
			var err error
			if batch, err = decodeMeasurements(v); err != nil {
				return fmt.Errorf("chunk %x: %w", k, err)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("embedded: scan measurements: %w", err)
		}
		if end {
			return nil
		}
		if len(batch) == 0 {
			continue
		}
		if err := fn(batch); err != nil {
			return err
		}
	}
}
