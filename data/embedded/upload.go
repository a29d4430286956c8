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

// commitEvery is how many row chunks (4096 rows each) one write
// transaction of an upload holds before it commits and the next begins:
// it bounds the memory bbolt keeps for a transaction, whatever the size
// of the file.
const commitEvery = 32

// AddUpload stores an upload and its rows atomically: the rows are
// written under the upload's id in a series of write transactions (so a
// file of any size needs bounded memory), invisible to readers, and a last
// transaction stores the upload record and its sha256, which makes them
// visible. Rows of an upload without a record — a failed fill, a crash —
// are never read and are removed (at once, or when the store next opens).
// Other writers wait while a batch is written, not for the whole file.
// emit copies each batch, so fill may reuse its slices; emit returns ctx's
// error once ctx is cancelled.
//
// The stored upload is the one fill returns, with ID assigned, SHA256 set
// to up.SHA256, and File, Format, Operator, Bytes and ReceivedAt taken from
// up where fill left them zero; ReceivedAt defaults to now. An upload with
// an empty SHA256 is stored but never detected as a duplicate.
//
// Errors: *data.DuplicateError (matching data.ErrConflict) when up.SHA256
// is already stored, without calling fill (or, when the same bytes were
// stored meanwhile, after it, keeping nothing); data.ErrInvalid for a nil
// fill, a fill result with another SHA256 or a measurement time outside
// 1678..2262; fill's error or ctx's error, with nothing stored.
func (s *Store) AddUpload(ctx context.Context, up data.Upload, fill data.Fill) (data.Upload, error) {
	if fill == nil {
		return data.Upload{}, fmt.Errorf("embedded: add upload %s: %w: nil fill", up.File, data.ErrInvalid)
	}
	var id int64
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := duplicate(tx, up.SHA256); err != nil {
			return err
		}
		// The id is taken first because row chunks are keyed by it.
		seq, err := tx.Bucket(bUploads).NextSequence()
		id = int64(seq)
		return err
	})
	if err != nil {
		return data.Upload{}, fmt.Errorf("embedded: add upload %s: %w", up.File, err)
	}
	stored, err := s.fillUpload(ctx, id, up, fill)
	if err != nil {
		if derr := s.dropRows(id); derr != nil {
			err = fmt.Errorf("%w (and removing its rows: %v; they are removed when the store next opens)", err, derr)
		}
		return data.Upload{}, fmt.Errorf("embedded: add upload %s: %w", up.File, err)
	}
	return stored, nil
}

func (s *Store) fillUpload(ctx context.Context, id int64, up data.Upload, fill data.Fill) (data.Upload, error) {
	e := &emitter{ctx: ctx, db: s.db, id: id}
	final, err := fill(e.emit)
	e.close()
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = e.flush()
	}
	if cerr := e.finish(err == nil); err == nil {
		err = cerr
	}
	if err != nil {
		return data.Upload{}, err
	}
	if final.SHA256 != "" && final.SHA256 != up.SHA256 {
		return data.Upload{}, fmt.Errorf("%w: fill returned sha256 %s for an upload of %s", data.ErrInvalid, final.SHA256, up.SHA256)
	}
	defer s.fp.stale()
	final = data.Complete(final, up)
	final.ID = id
	v, err := json.Marshal(final)
	if err != nil {
		return data.Upload{}, err
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		if err := duplicate(tx, final.SHA256); err != nil {
			return err
		}
		if err := tx.Bucket(bUploads).Put(idKey(id), v); err != nil {
			return err
		}
		if final.SHA256 != "" {
			return tx.Bucket(bUploadSHA).Put([]byte(final.SHA256), idKey(id))
		}
		return nil
	})
	return final, err
}

// duplicate returns a *data.DuplicateError when sha is already stored.
func duplicate(tx *bolt.Tx, sha string) error {
	if sha == "" {
		return nil
	}
	id := tx.Bucket(bUploadSHA).Get([]byte(sha))
	if id == nil {
		return nil
	}
	existing, err := getUpload(tx.Bucket(bUploads), id)
	if err != nil {
		return err
	}
	return &data.DuplicateError{Existing: existing}
}

// dropRows removes the row chunks of an upload, a bounded number per
// transaction.
func (s *Store) dropRows(id int64) error {
	for _, bucket := range [][]byte{bRows, bRowFP} {
		if err := s.dropChunks(bucket, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) dropChunks(bucket []byte, id int64) error {
	prefix := idKey(id)
	for {
		more := false
		err := s.db.Update(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			for n := 0; ; n++ {
				k, _ := c.Seek(prefix)
				if k == nil || !bytes.HasPrefix(k, prefix) {
					return nil
				}
				if n == 256 {
					more = true
					return nil
				}
				if err := c.Delete(); err != nil {
					return err
				}
			}
		})
		if err != nil || !more {
			return err
		}
	}
}

// dropOrphanRows removes the row chunks of uploads that have no record:
// what a crash during an upload leaves. Open calls it.
func (s *Store) dropOrphanRows() error {
	var orphans []int64
	err := s.db.View(func(tx *bolt.Tx) error {
		ups := tx.Bucket(bUploads)
		c := tx.Bucket(bRows).Cursor()
		for k, _ := c.First(); k != nil; {
			id := k[:8]
			if ups.Get(id) == nil {
				orphans = append(orphans, int64(binary.BigEndian.Uint64(id)))
			}
			// Next upload: seek past this id's chunks.
			next := binary.BigEndian.AppendUint64(nil, binary.BigEndian.Uint64(id)+1)
			k, _ = c.Seek(next)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range orphans {
		if err := s.dropRows(id); err != nil {
			return err
		}
	}
	return nil
}

// emitter writes an upload's rows as chunks keyed id (8 BE) + seq (4 BE),
// committing every commitEvery chunks.
type emitter struct {
	ctx context.Context
	db  *bolt.DB
	id  int64

	mu      sync.Mutex // fill may call emit from another goroutine
	w       measWriter
	seq     uint32
	fps     []byte // fingerprints of the rows of the chunk being filled
	done    bool
	tx      *bolt.Tx // open write transaction, nil between batches of chunks
	pending int      // chunks in tx
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
		e.fps = binary.LittleEndian.AppendUint64(e.fps, ms[i].Fingerprint())
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

// finish commits the open transaction, or rolls it back when !ok.
func (e *emitter) finish(ok bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tx == nil {
		return nil
	}
	tx := e.tx
	e.tx, e.pending = nil, 0
	if !ok {
		return tx.Rollback()
	}
	return tx.Commit()
}

func (e *emitter) putLocked() error {
	v := e.w.take()
	if v == nil {
		return nil
	}
	if e.tx == nil {
		tx, err := e.db.Begin(true)
		if err != nil {
			return err
		}
		e.tx = tx
	}
	rows := e.tx.Bucket(bRows)
	rows.FillPercent = 1.0
	key := binary.BigEndian.AppendUint32(idKey(e.id), e.seq)
	e.seq++
	if err := rows.Put(key, v); err != nil {
		return err
	}
	fps := e.tx.Bucket(bRowFP)
	fps.FillPercent = 1.0
	if err := fps.Put(key, e.fps); err != nil {
		return err
	}
	e.fps = nil
	if e.pending++; e.pending >= commitEvery {
		tx := e.tx
		e.tx, e.pending = nil, 0
		return tx.Commit()
	}
	return nil
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
	// Whether each upload met is visible (has its record), decided at its
	// first chunk, so one that commits during the scan is read whole or
	// not at all.
	visible := map[uint64]bool{}
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
			for k != nil {
				id := binary.BigEndian.Uint64(k[:8])
				vis, seen := visible[id]
				if !seen {
					vis = tx.Bucket(bUploads).Get(k[:8]) != nil
					visible[id] = vis
				}
				if vis {
					break
				}
				k, v = c.Seek(binary.BigEndian.AppendUint64(nil, id+1))
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

// CellHistograms aggregates every stored measurement at resolution res.
// The embedded store keeps no incremental aggregates: a scan runs at
// about 15M rows/s, far above what the product needs.
func (s *Store) CellHistograms(ctx context.Context, res int, fn func([]data.CellHist) error) error {
	b := data.NewHistBuilder(res)
	if err := s.ScanMeasurements(ctx, func(ms []data.Measurement) error {
		b.Add(ms)
		return nil
	}); err != nil {
		return err
	}
	return data.EachBatch(b.Hists(), 4096, fn)
}
