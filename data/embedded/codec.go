package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/taghtia/taghtia/data"
)

var errCorrupt = errors.New("corrupt record")

// chunkVersion is the format byte of measurement and population chunks.
// Cell stat chunks have their own versions (statsV1, statsV2).
const chunkVersion = 1

// Times are stored as int64 Unix nanoseconds (exact, 1678..2262); the zero
// time.Time as zeroTime. Decoded times are in UTC.
const zeroTime = math.MinInt64

var (
	minSec = int64(math.MinInt64)/1e9 + 1
	maxSec = int64(math.MaxInt64)/1e9 - 1
)

func encTime(t time.Time) (int64, error) {
	if t.IsZero() {
		return zeroTime, nil
	}
	sec := t.Unix()
	if sec < minSec || sec > maxSec {
		return 0, fmt.Errorf("%w: time %s outside 1678..2262", data.ErrInvalid, t)
	}
	return sec*1e9 + int64(t.Nanosecond()), nil
}

func decTime(ns int64) time.Time {
	if ns == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

var le = binary.LittleEndian

func f32(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) }
func f64(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }

// dict numbers the distinct strings of one chunk (operators, communes), so
// a row stores an index and decoding allocates each string once per chunk.
type dict struct {
	strs  []string
	index map[string]uint32
	last  uint32
}

func (d *dict) id(s string) uint32 {
	if int(d.last) < len(d.strs) && d.strs[d.last] == s {
		return d.last
	}
	i, ok := d.index[s]
	if !ok {
		if d.index == nil {
			d.index = make(map[string]uint32)
		}
		i = uint32(len(d.strs))
		d.strs = append(d.strs, s)
		d.index[s] = i
	}
	d.last = i
	return i
}

func (d *dict) reset() {
	d.strs = d.strs[:0]
	clear(d.index)
	d.last = 0
}

// appendTo writes the strings, each length-prefixed.
func (d *dict) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(d.strs)))
	for _, s := range d.strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

func readDict(b []byte) ([]string, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, errCorrupt
	}
	b = b[k:]
	out := make([]string, n)
	for i := range out {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, errCorrupt
		}
		out[i] = string(b[k : k+int(l)])
		b = b[k+int(l):]
	}
	return out, nil
}

// A chunk is: version (1 byte), row count (uint32), offset of the string
// dictionary (uint32), fixed-size rows, the dictionary. Little-endian.
const chunkHeader = 9

func newChunk(rowSize, rows int) []byte { return newChunkVersion(chunkVersion, rowSize, rows) }

// newChunkVersion starts a chunk with format byte version.
func newChunkVersion(version byte, rowSize, rows int) []byte {
	b := make([]byte, chunkHeader, chunkHeader+rowSize*rows+64)
	b[0] = version
	return b
}

// finishChunk appends d and fills in the header of a chunk holding n rows.
func finishChunk(b []byte, n int, d *dict) []byte {
	le.PutUint32(b[1:], uint32(n))
	le.PutUint32(b[5:], uint32(len(b)))
	return d.appendTo(b)
}

// openChunk checks a chunk's header and returns its rows and dictionary.
func openChunk(b []byte, rowSize int) (rows []byte, n int, strs []string, err error) {
	return openChunkVersion(b, chunkVersion, rowSize)
}

// openChunkVersion is openChunk for a chunk of format byte version.
func openChunkVersion(b []byte, version byte, rowSize int) (rows []byte, n int, strs []string, err error) {
	if len(b) < chunkHeader || b[0] != version {
		return nil, 0, nil, errCorrupt
	}
	n = int(le.Uint32(b[1:]))
	off := int(le.Uint32(b[5:]))
	if off > len(b) || off != chunkHeader+n*rowSize {
		return nil, 0, nil, errCorrupt
	}
	strs, err = readDict(b[off:])
	return b[chunkHeader:off], n, strs, err
}

// Measurement rows, 65 bytes:
//
//	0 time ns, 8 lon, 16 lat, 24..52 seven float32 (signal, rsrq, sinr,
//	dl, ul, latency, accuracy), 52 device, 60 operator index (uint16),
//	62 tech, 63 env, 64 source
const measRow = 65

// chunkRows is how many rows a chunk (one bbolt value) holds.
const chunkRows = 4096

// maxDict bounds a measurement chunk's operators to its uint16 index.
const maxDict = math.MaxUint16

// measWriter packs measurements into chunks.
type measWriter struct {
	buf  []byte
	n    int
	dict dict
}

// add packs m, reporting whether the chunk is full.
func (w *measWriter) add(m *data.Measurement) (full bool, err error) {
	if w.buf == nil {
		w.buf = newChunk(measRow, chunkRows)
	}
	ns, err := encTime(m.Time)
	if err != nil {
		return false, err
	}
	op := w.dict.id(m.MCCMNC)
	b := w.buf
	o := len(b)
	b = b[:o+measRow]
	r := b[o:]
	le.PutUint64(r, uint64(ns))
	le.PutUint64(r[8:], math.Float64bits(m.Lon))
	le.PutUint64(r[16:], math.Float64bits(m.Lat))
	le.PutUint32(r[24:], math.Float32bits(m.SignalDBm))
	le.PutUint32(r[28:], math.Float32bits(m.RSRQDB))
	le.PutUint32(r[32:], math.Float32bits(m.SINRDB))
	le.PutUint32(r[36:], math.Float32bits(m.DLMbps))
	le.PutUint32(r[40:], math.Float32bits(m.ULMbps))
	le.PutUint32(r[44:], math.Float32bits(m.LatencyMs))
	le.PutUint32(r[48:], math.Float32bits(m.AccuracyM))
	le.PutUint64(r[52:], m.Device)
	le.PutUint16(r[60:], uint16(op))
	r[62], r[63], r[64] = byte(m.Tech), byte(m.Env), byte(m.Source)
	w.buf = b
	w.n++
	return w.n >= chunkRows || len(w.dict.strs) >= maxDict, nil
}

// take returns the finished chunk (nil when empty) and starts a new one.
// The returned slice is not reused: bbolt keeps it until commit.
func (w *measWriter) take() []byte {
	if w.n == 0 {
		return nil
	}
	b := finishChunk(w.buf, w.n, &w.dict)
	w.buf, w.n = nil, 0
	w.dict.reset()
	return b
}

// decodeMeasurements decodes a chunk into a fresh slice.
func decodeMeasurements(b []byte) ([]data.Measurement, error) {
	rows, n, ops, err := openChunk(b, measRow)
	if err != nil {
		return nil, err
	}
	out := make([]data.Measurement, n)
	for i := range out {
		r := rows[i*measRow : (i+1)*measRow]
		op := int(le.Uint16(r[60:]))
		if op >= len(ops) {
			return nil, errCorrupt
		}
		out[i] = data.Measurement{
			Time:      decTime(int64(le.Uint64(r))),
			Lon:       f64(r[8:]),
			Lat:       f64(r[16:]),
			MCCMNC:    ops[op],
			Tech:      data.Tech(r[62]),
			SignalDBm: f32(r[24:]),
			RSRQDB:    f32(r[28:]),
			SINRDB:    f32(r[32:]),
			DLMbps:    f32(r[36:]),
			ULMbps:    f32(r[40:]),
			LatencyMs: f32(r[44:]),
			AccuracyM: f32(r[48:]),
			Env:       data.Env(r[63]),
			Source:    data.Source(r[64]),
			Device:    le.Uint64(r[52:]),
		}
	}
	return out, nil
}
