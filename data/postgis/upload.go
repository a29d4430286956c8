package postgis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

var errEmitAfterFill = errors.New("emit called after fill returned")

// Measurement times the store accepts: what both stores can keep.
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

var measurementColumns = []string{"upload_id", "seq", "t", "lon", "lat", "cell", "mcc_mnc", "tech",
	"signal", "rsrq", "sinr", "dl", "ul", "latency", "accuracy", "env", "source", "device", "sig_bin", "dl_bin"}

// AddUpload stores an upload and its rows in one transaction: each batch
// fill emits goes to the measurements table by COPY, the month partitions
// it needs are created in the same transaction, and the upload's per-cell
// aggregates, folded as the rows pass, are stored before commit. A failure
// or crash at any point
// leaves nothing of the upload. Times are kept to the microsecond.
//
// The stored upload follows the contract of embedded.Store.AddUpload: the
// one fill returns, with ID assigned and the identifying fields of up.
//
// Errors: *data.DuplicateError when up.SHA256 is already stored, without
// calling fill; data.ErrInvalid for a nil fill, a fill result with another
// SHA256, a measurement time outside 1678..2262; fill's or ctx's error.
func (s *Store) AddUpload(ctx context.Context, up data.Upload, fill data.Fill) (data.Upload, error) {
	if fill == nil {
		return data.Upload{}, fmt.Errorf("postgis: add upload %s: %w: nil fill", up.File, data.ErrInvalid)
	}
	if dup, err := s.duplicate(ctx, up.SHA256); err != nil || dup != nil {
		if dup != nil {
			return data.Upload{}, fmt.Errorf("postgis: add upload %s: %w", up.File, dup)
		}
		return data.Upload{}, fmt.Errorf("postgis: add upload %s: %w", up.File, err)
	}
	var stored data.Upload
	start := time.Now()
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO uploads (sha256, file, format, bytes, rows, accepted, rejected, received_at)
			VALUES (NULLIF($1, ''), $2, '', 0, 0, 0, 0, now()) RETURNING id`, up.SHA256, up.File).Scan(&id); err != nil {
			return err
		}
		e := newCopier(ctx, tx, s, id)
		final, err := fill(e.emit)
		if cerr := e.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if final.SHA256 != "" && final.SHA256 != up.SHA256 {
			return fmt.Errorf("%w: fill returned sha256 %s for an upload of %s", data.ErrInvalid, final.SHA256, up.SHA256)
		}
		final = data.Complete(final, up)
		final.ReceivedAt = final.ReceivedAt.Truncate(time.Microsecond) // what PostgreSQL keeps
		final.ID = id
		if _, err := tx.Exec(ctx, `UPDATE uploads SET file = $2, format = $3, operator = $4, bytes = $5, rows = $6,
			accepted = $7, rejected = $8, received_at = $9 WHERE id = $1`,
			id, final.File, final.Format, final.Operator, final.Bytes, final.Rows, final.Accepted, final.Rejected, final.ReceivedAt); err != nil {
			return err
		}
		copied := time.Since(start)
		if err := writeAggregates(ctx, tx, id, e.agg.Hists()); err != nil {
			return fmt.Errorf("per-cell aggregates: %w", err)
		}
		s.log.Debug("upload copied", "upload", id, "rows", e.n, "copy", copied, "fold", time.Since(start)-copied)
		stored = final
		return nil
	})
	if err != nil {
		var dup *data.DuplicateError
		if isUniqueViolation(err) && up.SHA256 != "" {
			// Another process stored the same bytes meanwhile.
			if d, derr := s.duplicate(ctx, up.SHA256); derr == nil && d != nil {
				dup = d
			}
		}
		if dup != nil {
			return data.Upload{}, fmt.Errorf("postgis: add upload %s: %w", up.File, dup)
		}
		return data.Upload{}, fmt.Errorf("postgis: add upload %s: %w", up.File, classify(err))
	}
	return stored, nil
}

func (s *Store) duplicate(ctx context.Context, sha string) (*data.DuplicateError, error) {
	if sha == "" {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, uploadSelect+` WHERE sha256 = $1`, sha)
	if err != nil {
		return nil, err
	}
	ups, err := pgx.CollectRows(rows, scanUpload)
	if err != nil || len(ups) == 0 {
		return nil, err
	}
	return &data.DuplicateError{Existing: ups[0]}, nil
}

// writeAggregates stores the aggregate of one upload's rows, built in Go
// as they were copied: the rows pass through the client anyway, and
// folding them there costs far less than a GROUP BY that rereads them
// (BenchmarkFold compares the two).
func writeAggregates(ctx context.Context, tx pgx.Tx, id int64, hs []data.CellHist) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"cell_agg"}, aggColumns, pgx.CopyFromSlice(len(hs), func(i int) ([]any, error) {
		h := &hs[i]
		sv, sn := unzipBins(h.Signal)
		dv, dn := unzipBins(h.DL)
		return []any{cellID(h.Cell), h.MCCMNC, int16(h.Tech), id, h.Samples, h.Last, sv, sn, dv, dn}, nil
	}))
	return err
}

var aggColumns = []string{"cell", "mcc_mnc", "tech", "upload_id", "samples", "last", "sig_v", "sig_n", "dl_v", "dl_n"}

func unzipBins(bs []data.Bin) (v, n []int32) {
	v, n = make([]int32, len(bs)), make([]int32, len(bs))
	for i, b := range bs {
		v[i], n[i] = b.V, b.N
	}
	return v, n
}

// RebuildAggregates recomputes every per-cell aggregate from the raw rows
// in one transaction, entirely in SQL: one GROUP BY per bin level and one
// per cell x operator x technology x upload, without joins. For rows that
// reached the measurements table by other means, or after a fix to the
// binning. Rows of detached partitions drop out of the aggregates.
func (s *Store) RebuildAggregates(ctx context.Context) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE cell_agg IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `TRUNCATE cell_agg`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `WITH b AS (
				SELECT cell, mcc_mnc, tech, upload_id, 0 AS metric, 0 AS bin, count(*)::integer AS n, max(t) AS last
				FROM measurements WHERE cell IS NOT NULL GROUP BY cell, mcc_mnc, tech, upload_id
				UNION ALL
				SELECT cell, mcc_mnc, tech, upload_id, 1, sig_bin, count(*)::integer, NULL
				FROM measurements WHERE cell IS NOT NULL AND sig_bin IS NOT NULL GROUP BY cell, mcc_mnc, tech, upload_id, sig_bin
				UNION ALL
				SELECT cell, mcc_mnc, tech, upload_id, 2, dl_bin, count(*)::integer, NULL
				FROM measurements WHERE cell IS NOT NULL AND dl_bin IS NOT NULL GROUP BY cell, mcc_mnc, tech, upload_id, dl_bin
			)
			INSERT INTO cell_agg (cell, mcc_mnc, tech, upload_id, samples, last, sig_v, sig_n, dl_v, dl_n)
			SELECT cell, mcc_mnc, tech, upload_id, sum(n) FILTER (WHERE metric = 0), max(last),
				coalesce(array_agg(bin ORDER BY bin) FILTER (WHERE metric = 1), '{}'),
				coalesce(array_agg(n ORDER BY bin) FILTER (WHERE metric = 1), '{}'),
				coalesce(array_agg(bin ORDER BY bin) FILTER (WHERE metric = 2), '{}'),
				coalesce(array_agg(n ORDER BY bin) FILTER (WHERE metric = 2), '{}')
			FROM b GROUP BY cell, mcc_mnc, tech, upload_id`)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgis: rebuild aggregates: %w", err)
	}
	return n, nil
}

func isUniqueViolation(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && pe.SQLState() == "23505"
}

// copier COPYs an upload's batches inside its transaction. Preparing a
// batch (H3 cell, bins, aggregates, row values) runs in the caller of emit
// while the previous batch is copied by a worker goroutine, so the client's
// work overlaps the server's. The worker alone uses the transaction until
// close returns.
type copier struct {
	ctx    context.Context
	tx     pgx.Tx
	s      *Store
	id     int64
	mu     sync.Mutex // fill may call emit from another goroutine
	seq    int32
	done   bool
	months map[time.Time]bool // partitions ensured in this transaction
	agg    *data.HistBuilder  // this upload's per-cell aggregates

	work     chan copyBatch
	finished chan struct{}
	errMu    sync.Mutex
	err      error // the worker's first error
	n        int64 // rows copied, by the worker
}

type copyBatch struct {
	rows   [][]any
	fps    []int64
	months []time.Time
}

func newCopier(ctx context.Context, tx pgx.Tx, s *Store, id int64) *copier {
	c := &copier{ctx: ctx, tx: tx, s: s, id: id, months: map[time.Time]bool{}, agg: data.NewHistBuilder(s.aggRes),
		work: make(chan copyBatch, 2), finished: make(chan struct{})}
	go c.worker()
	return c
}

func (c *copier) worker() {
	defer close(c.finished)
	for b := range c.work {
		if c.failed() != nil {
			continue // drain: emit sees the error and stops
		}
		if err := c.copy(b); err != nil {
			c.errMu.Lock()
			c.err = err
			c.errMu.Unlock()
		}
	}
}

func (c *copier) copy(b copyBatch) error {
	for _, month := range b.months {
		if err := c.s.parts.ensure(c.ctx, c.tx, month, c.months); err != nil {
			return fmt.Errorf("partition for %s: %w", month.Format("2006-01"), err)
		}
	}
	n, err := c.tx.CopyFrom(c.ctx, pgx.Identifier{"measurements"}, measurementColumns, pgx.CopyFromRows(b.rows))
	c.n += n
	if err != nil {
		return err
	}
	_, err = c.tx.CopyFrom(c.ctx, pgx.Identifier{"row_fingerprints"}, []string{"fp", "upload_id"},
		pgx.CopyFromSlice(len(b.fps), func(i int) ([]any, error) { return []any{b.fps[i], c.id}, nil }))
	return err
}

func (c *copier) failed() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

// close stops emit, waits for the last batch and returns the worker's
// error.
func (c *copier) close() error {
	c.mu.Lock()
	if !c.done {
		c.done = true
		close(c.work)
	}
	c.mu.Unlock()
	<-c.finished
	return c.failed()
}

func nullable(v float32) any {
	if data.Has(v) {
		return v
	}
	return nil
}

func (c *copier) emit(ms []data.Measurement) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	if err := c.failed(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return errEmitAfterFill
	}
	if len(ms) == 0 {
		return nil
	}
	months := map[time.Time]bool{}
	rows := make([][]any, 0, len(ms))
	fps := make([]int64, 0, len(ms))
	for i := range ms {
		m := &ms[i]
		if m.Time.Before(minTime) || m.Time.After(maxTime) {
			return fmt.Errorf("%w: row %d of batch: time %v outside 1678..2262", data.ErrInvalid, i, m.Time)
		}
		t := m.Time.UTC()
		months[time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)] = true
		var cell, sigBin, dlBin any
		if cl, err := geo.CellAt(orb.Point{m.Lon, m.Lat}, c.s.aggRes); err == nil {
			cell = cellID(cl)
			c.agg.AddAt(cl, m)
		}
		if data.Has(m.SignalDBm) {
			sigBin = data.SignalBin(m.SignalDBm)
		}
		if data.Has(m.DLMbps) {
			dlBin = data.DLBin(m.DLMbps)
		}
		rows = append(rows, []any{c.id, c.seq, t, m.Lon, m.Lat, cell, m.MCCMNC, int16(m.Tech),
			nullable(m.SignalDBm), nullable(m.RSRQDB), nullable(m.SINRDB), nullable(m.DLMbps), nullable(m.ULMbps),
			nullable(m.LatencyMs), nullable(m.AccuracyM), int16(m.Env), int16(m.Source), int64(m.Device), sigBin, dlBin})
		fps = append(fps, int64(m.Fingerprint()))
		c.seq++
	}
	b := copyBatch{rows: rows, fps: fps}
	for month := range months {
		b.months = append(b.months, month)
	}
	select {
	case c.work <- b:
		return nil
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
}

// KnownRows returns, for each of fps held by a stored upload, the id of the
// first upload holding it; rows of an upload still in its transaction are
// not visible.
func (s *Store) KnownRows(ctx context.Context, fps []uint64) (map[uint64]int64, error) {
	out := map[uint64]int64{}
	if len(fps) == 0 {
		return out, nil
	}
	keys := make([]int64, len(fps))
	for i, fp := range fps {
		keys[i] = int64(fp)
	}
	rows, err := s.pool.Query(ctx, `SELECT fp, min(upload_id) FROM row_fingerprints WHERE fp = ANY($1) GROUP BY fp`, keys)
	if err != nil {
		return nil, fmt.Errorf("postgis: known rows: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var fp, id int64
		if err := rows.Scan(&fp, &id); err != nil {
			return nil, fmt.Errorf("postgis: known rows: %w", err)
		}
		out[uint64(fp)] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: known rows: %w", classify(err))
	}
	return out, nil
}

const uploadSelect = `SELECT id, coalesce(sha256, ''), file, format, operator, bytes, rows, accepted, rejected, received_at FROM uploads`

func scanUpload(r pgx.CollectableRow) (data.Upload, error) {
	var u data.Upload
	err := r.Scan(&u.ID, &u.SHA256, &u.File, &u.Format, &u.Operator, &u.Bytes, &u.Rows, &u.Accepted, &u.Rejected, &u.ReceivedAt)
	u.ReceivedAt = u.ReceivedAt.UTC()
	return u, err
}

// Uploads lists uploads by id.
func (s *Store) Uploads(ctx context.Context) ([]data.Upload, error) {
	rows, err := s.pool.Query(ctx, uploadSelect+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgis: uploads: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanUpload)
	if err != nil {
		return nil, fmt.Errorf("postgis: uploads: %w", err)
	}
	return out, nil
}

// Upload returns one upload. Errors: data.ErrNotFound naming the id.
func (s *Store) Upload(ctx context.Context, id int64) (data.Upload, error) {
	rows, err := s.pool.Query(ctx, uploadSelect+` WHERE id = $1`, id)
	if err != nil {
		return data.Upload{}, fmt.Errorf("postgis: upload: %w", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUpload)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Upload{}, fmt.Errorf("postgis: upload: upload %d: %w", id, data.ErrNotFound)
	}
	if err != nil {
		return data.Upload{}, fmt.Errorf("postgis: upload: %w", err)
	}
	return u, nil
}

// scanBatch is the number of measurements per ScanMeasurements call.
const scanBatch = 4096

// ScanMeasurements calls fn with every stored measurement, by upload id
// then row order, up to 4096 rows per call; each batch is a fresh slice.
// Each upload is read in its own query; fn runs while it streams, so fn
// must not hold the whole pool.
func (s *Store) ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error {
	ups, err := s.Uploads(ctx)
	if err != nil {
		return err
	}
	for _, u := range ups {
		if err := s.scanUpload(ctx, u.ID, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) scanUpload(ctx context.Context, id int64, fn func([]data.Measurement) error) error {
	rows, err := s.pool.Query(ctx, `SELECT t, lon, lat, mcc_mnc, tech, signal, rsrq, sinr, dl, ul, latency, accuracy, env, source, device
		FROM measurements WHERE upload_id = $1 ORDER BY seq`, id)
	if err != nil {
		return fmt.Errorf("postgis: scan measurements: %w", err)
	}
	defer rows.Close()
	batch := make([]data.Measurement, 0, scanBatch)
	var f [7]*float32
	for rows.Next() {
		var m data.Measurement
		var tech, env, source int16
		var device int64
		if err := rows.Scan(&m.Time, &m.Lon, &m.Lat, &m.MCCMNC, &tech, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &env, &source, &device); err != nil {
			return fmt.Errorf("postgis: scan measurements of upload %d: %w", id, err)
		}
		m.Time = m.Time.UTC()
		m.Tech, m.Env, m.Source, m.Device = data.Tech(tech), data.Env(env), data.Source(source), uint64(device)
		dst := [7]*float32{&m.SignalDBm, &m.RSRQDB, &m.SINRDB, &m.DLMbps, &m.ULMbps, &m.LatencyMs, &m.AccuracyM}
		for i, p := range f {
			if p == nil {
				*dst[i] = data.Absent
			} else {
				*dst[i] = *p
			}
			f[i] = nil
		}
		batch = append(batch, m)
		if len(batch) == scanBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]data.Measurement, 0, scanBatch)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgis: scan measurements of upload %d: %w", id, err)
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// CellHistograms returns the per-cell aggregates at res. At the store's
// aggregate resolution they come from cell_agg, kept at
// ingest, without reading raw rows; at another resolution the raw rows
// are scanned and aggregated in Go.
func (s *Store) CellHistograms(ctx context.Context, res int, fn func([]data.CellHist) error) error {
	if res != s.aggRes {
		b := data.NewHistBuilder(res)
		if err := s.ScanMeasurements(ctx, func(ms []data.Measurement) error { b.Add(ms); return nil }); err != nil {
			return err
		}
		return data.EachBatch(b.Hists(), scanBatch, fn)
	}
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// In key order, so the rows of one cell (one per upload) come
		// together and merge as they stream.
		rows, err := tx.Query(ctx, `SELECT cell, mcc_mnc, tech, samples, last, sig_v, sig_n, dl_v, dl_n
			FROM cell_agg ORDER BY cell, mcc_mnc, tech`)
		if err != nil {
			return fmt.Errorf("postgis: cell aggregates: %w", err)
		}
		defer rows.Close()
		batch := make([]data.CellHist, 0, scanBatch)
		var sv, sn, dv, dn []int32
		for rows.Next() {
			var h data.CellHist
			var cell int64
			var tech int16
			if err := rows.Scan(&cell, &h.MCCMNC, &tech, &h.Samples, &h.Last, &sv, &sn, &dv, &dn); err != nil {
				return fmt.Errorf("postgis: cell aggregates: %w", err)
			}
			h.Cell, h.Tech, h.Last = geo.Cell(cell), data.Tech(tech), h.Last.UTC()
			h.Signal, h.DL = zipBins(sv, sn), zipBins(dv, dn)
			if n := len(batch); n > 0 && batch[n-1].Cell == h.Cell && batch[n-1].MCCMNC == h.MCCMNC && batch[n-1].Tech == h.Tech {
				p := &batch[n-1]
				p.Samples += h.Samples
				if h.Last.After(p.Last) {
					p.Last = h.Last
				}
				p.Signal, p.DL = data.MergeBins(p.Signal, h.Signal), data.MergeBins(p.DL, h.DL)
				continue
			}
			if len(batch) == scanBatch {
				// The last one may still merge with the next row: keep it.
				last := batch[len(batch)-1]
				if err := fn(batch[:len(batch)-1]); err != nil {
					return err
				}
				batch = append(make([]data.CellHist, 0, scanBatch), last)
			}
			batch = append(batch, h)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgis: cell aggregates: %w", err)
		}
		if len(batch) > 0 {
			return fn(batch)
		}
		return nil
	})
}

func zipBins(v, n []int32) []data.Bin {
	if len(v) == 0 {
		return nil
	}
	out := make([]data.Bin, len(v))
	for i := range v {
		out[i] = data.Bin{V: v[i], N: n[i]}
	}
	return out
}
