package embedded

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	bolt "go.etcd.io/bbolt"
)

// Population rows, 16 bytes: cell, population (int32), commune index.
const (
	popRow   = 16
	popChunk = 65536
)

// Cell stat chunks carry their row format in the chunk's version byte, so
// a data directory written before the evidence fields still reads (with
// zero evidence). ReplaceCoverage always writes statsV2.
//
//	statsV1, 45 bytes: 0 cell, 8 samples, 12..36 six float32 percentiles
//	  (signal p10 p50 p90, dl p10 p50 p90), 36 last ns, 44 level
//	statsV2, 73 bytes: statsV1, then 45 declared, 46 + 7*i source i
//	  (samples uint32, devices, days, level), 67 result, 68 confidence
//	  (float32), 72 flags (bit 0: disputed)
const (
	statsV1     = 1
	statsV2     = 2
	statRowV1   = 45
	statRow     = statRowV1 + 1 + data.NumSources*sourceRow + 1 + 4 + 1
	sourceRow   = 7
	statChunk   = 8192
	flagDispute = 1
)

// ReplacePopulation replaces the population grid in one transaction.
// Errors: ctx's error.
func (s *Store) ReplacePopulation(ctx context.Context, cells []data.CellPop) error {
	sorted := slices.Clone(cells)
	slices.SortStableFunc(sorted, func(a, b data.CellPop) int { return cmp.Compare(a.Cell, b.Cell) })
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b, err := replaceBucket(tx, bPopulation)
		if err != nil {
			return err
		}
		b.FillPercent = 1.0
		var d dict
		for seq, i := uint32(0), 0; i < len(sorted); seq, i = seq+1, i+popChunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			part := sorted[i:min(i+popChunk, len(sorted))]
			v := newChunk(popRow, len(part))
			for _, c := range part {
				v = le.AppendUint64(v, uint64(c.Cell))
				v = le.AppendUint32(v, uint32(c.Population))
				v = le.AppendUint32(v, d.id(c.Commune))
			}
			v = finishChunk(v, len(part), &d)
			d.reset()
			if err := b.Put(binary.BigEndian.AppendUint32(nil, seq), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: replace population: %w", err)
	}
	return nil
}

// Population returns the grid ordered by cell. Errors: ctx's error; a
// corrupt chunk.
func (s *Store) Population(ctx context.Context) ([]data.CellPop, error) {
	var out []data.CellPop
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bPopulation)
		n := 0
		if err := b.ForEach(func(k, v []byte) error {
			if len(v) < chunkHeader {
				return fmt.Errorf("chunk %x: %w", k, errCorrupt)
			}
			n += int(le.Uint32(v[1:]))
			return nil
		}); err != nil {
			return err
		}
		out = make([]data.CellPop, 0, n)
		return b.ForEach(func(k, v []byte) error {
			rows, n, communes, err := openChunk(v, popRow)
			if err != nil {
				return fmt.Errorf("chunk %x: %w", k, err)
			}
			for i := range n {
				r := rows[i*popRow:]
				c := int(le.Uint32(r[12:]))
				if c >= len(communes) {
					return fmt.Errorf("chunk %x: %w", k, errCorrupt)
				}
				out = append(out, data.CellPop{
					Cell:       geo.Cell(le.Uint64(r)),
					Population: int32(le.Uint32(r[8:])),
					Commune:    communes[c],
				})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: population: %w", err)
	}
	return out, nil
}

// Cell stats are keyed operator, 0x00, tech, chunk seq (4 BE), so keys sort
// by operator then tech and a filter reads only its keys.
const statKeyTail = 1 + 1 + 4

// statPrefix is the key prefix of an operator, and of one of its
// technologies when tech is not zero.
func statPrefix(op string, tech data.Tech) []byte {
	b := append([]byte(op), 0)
	if tech != 0 {
		b = append(b, byte(tech))
	}
	return b
}

// ReplaceCoverage replaces the run and every cell stat in one
// transaction. Times are kept in UTC.
//
// Errors: data.ErrInvalid for an operator code holding a NUL byte or a
// time outside 1678..2262; ctx's error.
func (s *Store) ReplaceCoverage(ctx context.Context, run data.CoverageRun, stats []data.CellStat) error {
	w, err := coverageWriter(ctx, run, stats)
	if err == nil {
		err = s.update(ctx, w)
	}
	if err != nil {
		return fmt.Errorf("embedded: replace coverage: %w", err)
	}
	return nil
}

// coverageWriter checks and prepares a coverage run and its stats and
// returns what writes them in a transaction.
func coverageWriter(ctx context.Context, run data.CoverageRun, stats []data.CellStat) (func(*bolt.Tx) error, error) {
	sorted := slices.Clone(stats)
	for _, st := range sorted {
		if strings.IndexByte(st.MCCMNC, 0) >= 0 {
			return nil, fmt.Errorf("%w: operator %q holds a NUL byte", data.ErrInvalid, st.MCCMNC)
		}
	}
	slices.SortStableFunc(sorted, func(a, b data.CellStat) int {
		return cmp.Or(strings.Compare(a.MCCMNC, b.MCCMNC), cmp.Compare(a.Tech, b.Tech), cmp.Compare(a.Cell, b.Cell))
	})
	run.ComputedAt = run.ComputedAt.UTC()
	rv, err := json.Marshal(run)
	if err != nil {
		return nil, err
	}
	return func(tx *bolt.Tx) error {
		b, err := replaceBucket(tx, bCellStats)
		if err != nil {
			return err
		}
		b.FillPercent = 1.0
		for i := 0; i < len(sorted); {
			if err := ctx.Err(); err != nil {
				return err
			}
			op, tech := sorted[i].MCCMNC, sorted[i].Tech
			j := i
			for j < len(sorted) && sorted[j].MCCMNC == op && sorted[j].Tech == tech {
				j++
			}
			for seq, k := uint32(0), i; k < j; seq, k = seq+1, k+statChunk {
				v, err := encodeStats(sorted[k:min(k+statChunk, j)])
				if err != nil {
					return err
				}
				key := binary.BigEndian.AppendUint32(append([]byte(op), 0, byte(tech)), seq)
				if err := b.Put(key, v); err != nil {
					return err
				}
			}
			i = j
		}
		return tx.Bucket(bMeta).Put(kCoverageRun, rv)
	}, nil
}

func encodeStats(ss []data.CellStat) ([]byte, error) {
	v := newChunkVersion(statsV2, statRow, len(ss))
	for i := range ss {
		st := &ss[i]
		last, err := encTime(st.Last)
		if err != nil {
			return nil, fmt.Errorf("cell %s: %w", st.Cell, err)
		}
		v = le.AppendUint64(v, uint64(st.Cell))
		v = le.AppendUint32(v, uint32(st.Samples))
		for _, f := range [...]float32{st.SignalP10, st.SignalP50, st.SignalP90, st.DLP10, st.DLP50, st.DLP90} {
			v = le.AppendUint32(v, math.Float32bits(f))
		}
		v = le.AppendUint64(v, uint64(last))
		v = append(v, byte(st.Level), byte(st.Declared))
		for _, src := range st.Sources {
			v = le.AppendUint32(v, uint32(src.Samples))
			v = append(v, src.Devices, src.Days, byte(src.Level))
		}
		v = append(v, byte(st.Result))
		v = le.AppendUint32(v, math.Float32bits(st.Confidence))
		var flags byte
		if st.Disputed {
			flags |= flagDispute
		}
		v = append(v, flags)
	}
	return finishChunk(v, len(ss), &dict{}), nil
}

func decodeStats(out []data.CellStat, v []byte, op string, tech data.Tech) ([]data.CellStat, error) {
	if len(v) == 0 {
		return out, errCorrupt
	}
	var size int
	switch v[0] {
	case statsV1:
		size = statRowV1
	case statsV2:
		size = statRow
	default:
		return out, fmt.Errorf("cell stat chunk version %d: %w", v[0], errCorrupt)
	}
	rows, n, _, err := openChunkVersion(v, v[0], size)
	if err != nil {
		return out, err
	}
	out = slices.Grow(out, n)
	for i := range n {
		r := rows[i*size:]
		st := data.CellStat{
			Cell:      geo.Cell(le.Uint64(r)),
			MCCMNC:    op,
			Tech:      tech,
			Samples:   int32(le.Uint32(r[8:])),
			SignalP10: f32(r[12:]),
			SignalP50: f32(r[16:]),
			SignalP90: f32(r[20:]),
			DLP10:     f32(r[24:]),
			DLP50:     f32(r[28:]),
			DLP90:     f32(r[32:]),
			Last:      decTime(int64(le.Uint64(r[36:]))),
			Level:     data.Level(int8(r[44])),
		}
		if size == statRow {
			st.Declared = data.Level(int8(r[45]))
			for j := range st.Sources {
				s := r[46+sourceRow*j:]
				st.Sources[j] = data.SourceStat{Samples: int32(le.Uint32(s)), Devices: s[4], Days: s[5], Level: data.Level(int8(s[6]))}
			}
			e := r[46+sourceRow*data.NumSources:]
			st.Result = data.Level(int8(e[0]))
			st.Confidence = f32(e[1:])
			st.Disputed = e[5]&flagDispute != 0
		}
		out = append(out, st)
	}
	return out, nil
}

// CoverageRun returns the last run. Errors: data.ErrNotFound before the
// first; ctx's error.
func (s *Store) CoverageRun(ctx context.Context) (data.CoverageRun, error) {
	var run data.CoverageRun
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bMeta).Get(kCoverageRun)
		if v == nil {
			return data.ErrNotFound
		}
		return json.Unmarshal(v, &run)
	})
	if err != nil {
		return data.CoverageRun{}, fmt.Errorf("embedded: coverage run: %w", err)
	}
	return run, nil
}

// CellStats returns the stats matching f ordered by operator, tech, cell.
// Errors: ctx's error; a corrupt chunk.
func (s *Store) CellStats(ctx context.Context, f data.CellStatFilter) ([]data.CellStat, error) {
	var out []data.CellStat
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bCellStats).Cursor()
		var prefix []byte
		if f.MCCMNC != "" {
			prefix = statPrefix(f.MCCMNC, f.Tech)
		}
		// each calls fn with the matching keys; a first pass sizes out.
		each := func(fn func(k, v []byte, tech data.Tech) error) error {
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if len(k) < statKeyTail || k[len(k)-statKeyTail] != 0 {
					return fmt.Errorf("key %x: %w", k, errCorrupt)
				}
				tech := data.Tech(k[len(k)-statKeyTail+1])
				if f.Tech != 0 && tech != f.Tech {
					continue
				}
				if err := fn(k, v, tech); err != nil {
					return fmt.Errorf("key %x: %w", k, err)
				}
			}
			return nil
		}
		n := 0
		if err := each(func(_, v []byte, _ data.Tech) error {
			if len(v) < chunkHeader {
				return errCorrupt
			}
			n += int(le.Uint32(v[1:]))
			return nil
		}); err != nil {
			return err
		}
		out = make([]data.CellStat, 0, n)
		var op string
		return each(func(k, v []byte, tech data.Tech) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if name := k[:len(k)-statKeyTail]; op != string(name) {
				op = string(name)
			}
			var err error
			out, err = decodeStats(out, v, op, tech)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: cell stats: %w", err)
	}
	return out, nil
}
