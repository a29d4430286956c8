package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// CanonicalColumns are the columns of Taghtia's own measurement CSV, in the
// order Taghtia writes them. Readers accept them in any order.
var CanonicalColumns = []string{
	"time", "lat", "lon", "mcc_mnc", "tech", "signal_dbm", "rsrq_db", "sinr_db",
	"dl_mbps", "ul_mbps", "latency_ms", "env", "accuracy_m", "source", "device",
}

// FormatError is a problem with a whole file (a missing column, an
// unreadable header) that stops it from being read at all.
type FormatError struct {
	File    string
	Line    int
	Column  string
	Message string
}

func (e *FormatError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(": line %d", e.Line)
	}
	if e.Column != "" {
		s += ", column " + e.Column
	}
	return s + ": " + e.Message
}

// ErrNoRows is returned when a file has no acceptable row.
var ErrNoRows = errors.New("ingest: no acceptable row")

// CSVOptions tune validation of measurement files.
type CSVOptions struct {
	Now          time.Time             // reference for "in the future"; zero: time.Now()
	MaxSkew      time.Duration         // tolerated clock skew into the future; default 5 min
	MaxAge       time.Duration         // rows older than this are rejected; 0: no limit
	MaxAccuracyM float64               // GPS accuracy bound; default 100 m
	Operators    map[string]bool       // accepted mcc_mnc codes; nil: any 604-xx
	Operator     string                // when set, every row must be this operator
	Inside       func(orb.Point) bool  // country test; nil: no test
	BatchSize    int                   // rows per emitted batch; default 4096
	Progress     func(bytesRead int64) // optional, called every batch
	DeviceSalt   string                // keys the device hash
	Context      context.Context       // optional cancellation
	Format       string                // format name (see FormatNames); "": detect from the content
	Name         string                // the file's name as sent, stored with the upload; "": the path's base
	// Known, when set, says which rows earlier uploads already stored
	// (data.Store.KnownRows): those are rejected as E_ALREADY_STORED, so a
	// file re-sent with new rows appended adds only the new ones.
	Known func(fps []uint64) (map[uint64]int64, error)
}

var mccMNC = regexp.MustCompile(`^[0-9]{3}-[0-9]{2,3}$`)

// androidUnavailable is Android's CellInfo.UNAVAILABLE, sent for "no value".
const androidUnavailable = 2147483647

// ReadCanonical reads Taghtia's canonical measurement CSV, validates every
// row and emits the accepted ones in batches; see ReadRows.
func ReadCanonical(r io.Reader, name string, opt CSVOptions, emit func([]data.Measurement) error) (*Report, error) {
	rep := &Report{File: name}
	src, err := openCanonical(r, name, rep)
	if err != nil {
		return rep, err
	}
	return rep, ReadRows(src, name, opt, rep, emit)
}

// csvSource reads the canonical CSV: any column order, BOM stripped,
// unknown columns warned about once.
type csvSource struct {
	cr   *countingReader
	rd   *csv.Reader
	pos  []int // canonical index -> record index, -1 when absent
	name string
}

func openCanonical(r io.Reader, name string, rep *Report) (RowSource, error) {
	cr := &countingReader{r: r}
	rd := csv.NewReader(cr)
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	header, err := rd.Read()
	if err == io.EOF {
		return nil, &FormatError{File: name, Message: "the file is empty; expected a header row naming the columns " + strings.Join(CanonicalColumns, ",")}
	}
	if err != nil {
		return nil, &FormatError{File: name, Line: 1, Message: "cannot read the header: " + err.Error()}
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := idx[h]; dup {
			return nil, &FormatError{File: name, Line: 1, Column: h, Message: fmt.Sprintf("column %q appears twice in the header", h)}
		}
		idx[h] = i
		if canonicalIndex(h) < 0 {
			rep.add(Problem{File: name, Line: 1, Column: h, Value: h, Code: "W_UNKNOWN_COLUMN", Severity: SevWarning,
				Message: fmt.Sprintf("unknown column %q is ignored; known columns are %s", h, strings.Join(CanonicalColumns, ", "))})
		}
	}
	for _, req := range []string{"time", "lat", "lon", "mcc_mnc", "tech"} {
		if _, ok := idx[req]; !ok {
			return nil, &FormatError{File: name, Line: 1, Column: req, Message: fmt.Sprintf("required column %q is missing from the header %q", req, strings.Join(header, ","))}
		}
	}
	_, hasSig := idx["signal_dbm"]
	_, hasDL := idx["dl_mbps"]
	if !hasSig && !hasDL {
		return nil, &FormatError{File: name, Line: 1, Column: "signal_dbm", Message: "the header needs signal_dbm or dl_mbps (or both)"}
	}
	s := &csvSource{cr: cr, rd: rd, name: name, pos: make([]int, len(CanonicalColumns))}
	for i, c := range CanonicalColumns {
		s.pos[i] = -1
		if j, ok := idx[c]; ok {
			s.pos[i] = j
		}
	}
	return s, nil
}

func (s *csvSource) Column(canon string) string { return canon }
func (s *csvSource) Bytes() int64               { return s.cr.n }

func (s *csvSource) Next() (Row, error) {
	for {
		rec, err := s.rd.Read()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		line := 0
		if err == nil {
			line, _ = s.rd.FieldPos(0)
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					return Row{}, &RowError{Line: pe.Line, Code: "E_CSV_SYNTAX", Message: "cannot parse the row: " + pe.Err.Error()}
				}
				return Row{}, &FormatError{File: s.name, Line: pe.Line, Message: err.Error()}
			}
			return Row{}, fmt.Errorf("read %s: %w", s.name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		f := make([]string, len(CanonicalColumns))
		for i, j := range s.pos {
			if j >= 0 && j < len(rec) {
				f[i] = rec[j]
			}
		}
		return Row{Line: line, Fields: f}, nil
	}
}

// ReadRows validates every row of src and emits the accepted ones in
// batches, counting and reporting into rep. Problems name the file's own
// columns (src.Column). It returns ErrNoRows when no row was accepted.
func ReadRows(src RowSource, name string, opt CSVOptions, rep *Report, emit func([]data.Measurement) error) error {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.MaxSkew == 0 {
		opt.MaxSkew = 5 * time.Minute
	}
	if opt.MaxAccuracyM == 0 {
		opt.MaxAccuracyM = 100
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 4096
	}
	batch := make([]data.Measurement, 0, opt.BatchSize)
	lines := make([]int, 0, opt.BatchSize)
	flush := func() error {
		if opt.Known != nil && len(batch) > 0 {
			var err error
			if batch, err = dropKnown(batch, lines, opt.Known, name, src.Column("time"), rep); err != nil {
				return err
			}
		}
		lines = lines[:0]
		if len(batch) == 0 {
			return nil
		}
		if err := emit(batch); err != nil {
			return err
		}
		batch = make([]data.Measurement, 0, opt.BatchSize)
		if opt.Progress != nil {
			opt.Progress(src.Bytes())
		}
		if opt.Context != nil {
			if err := opt.Context.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	v := rowValidator{file: name, opt: opt, src: src, rep: rep}
	var seen dupWindow
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			rep.Rows++
			rep.Rejected++
			rep.add(Problem{File: name, Line: re.Line, Column: re.Column, Value: truncate(re.Value), Code: re.Code, Severity: SevError, Message: re.Message})
			continue
		}
		if err != nil {
			return err
		}
		rep.Rows++
		m, ok := v.row(row.Fields, row.Line)
		if !ok {
			rep.Rejected++
			continue
		}
		if first, dup := seen.check(&m, row.Line); dup {
			rep.Rejected++
			rep.add(Problem{File: name, Line: row.Line, Column: src.Column("time"), Code: "E_DUPLICATE_ROW", Severity: SevError,
				Message: fmt.Sprintf("the same measurement as line %d (time, place, operator, technology, device and values); kept once", first)})
			continue
		}
		rep.Accepted++
		batch = append(batch, m)
		lines = append(lines, row.Line)
		if len(batch) == opt.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if rep.Accepted == 0 {
		return fmt.Errorf("%s: %w (%d rows read, %d rejected)", name, ErrNoRows, rep.Rows, rep.Rejected)
	}
	return nil
}

// dropKnown removes from batch the rows that known says are stored already,
// moving them from accepted to rejected with a problem naming the upload.
func dropKnown(batch []data.Measurement, lines []int, known func([]uint64) (map[uint64]int64, error), file, col string, rep *Report) ([]data.Measurement, error) {
	fps := make([]uint64, len(batch))
	for i := range batch {
		fps[i] = batch[i].Fingerprint()
	}
	seen, err := known(fps)
	if err != nil {
		return nil, fmt.Errorf("check rows against earlier uploads: %w", err)
	}
	if len(seen) == 0 {
		return batch, nil
	}
	kept := batch[:0]
	for i := range batch {
		id, dup := seen[fps[i]]
		if !dup {
			kept = append(kept, batch[i])
			continue
		}
		rep.Accepted--
		rep.Rejected++
		rep.add(Problem{File: file, Line: lines[i], Column: col, Code: "E_ALREADY_STORED", Severity: SevError, Value: strconv.FormatInt(id, 10),
			Message: fmt.Sprintf("the same measurement (time, place, operator, technology, device and values) is already stored from upload %d; kept once", id)})
	}
	return kept, nil
}

type rowValidator struct {
	file string
	opt  CSVOptions
	src  RowSource
	rep  *Report
	bad  bool
	line int
}

// fail rejects the row with a problem on canonical column col, reported
// under the file's own name for it.
func (v *rowValidator) fail(col, val, code, msg string) {
	v.bad = true
	v.rep.add(Problem{File: v.file, Line: v.line, Column: v.src.Column(col), Value: truncate(val), Code: code, Severity: SevError, Message: msg})
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// row validates one record; ok is false when it is rejected.
func (v *rowValidator) row(fields []string, line int) (m data.Measurement, ok bool) {
	v.bad = false
	v.line = line
	get := func(c string) string { return fields[canonicalIndex(c)] }

	m.Time = v.time(get("time"))
	latS, lonS := get("lat"), get("lon")
	lat, latOK := v.number("lat", latS, true)
	lon, lonOK := v.number("lon", lonS, true)
	if latOK && lonOK {
		v.coords(lat, lon, latS, lonS)
	}
	m.Lat, m.Lon = lat, lon

	m.MCCMNC = get("mcc_mnc")
	switch {
	case m.MCCMNC == "":
		v.fail("mcc_mnc", "", "E_REQUIRED", "mcc_mnc is empty; expected a code such as 604-01")
	case !mccMNC.MatchString(m.MCCMNC):
		v.fail("mcc_mnc", m.MCCMNC, "E_MCC_MNC", fmt.Sprintf("%q is not MCC-MNC; expected three digits, a dash and two or three digits, such as 604-01", m.MCCMNC))
	case v.opt.Operators != nil && !v.opt.Operators[m.MCCMNC]:
		v.fail("mcc_mnc", m.MCCMNC, "E_UNKNOWN_OPERATOR", fmt.Sprintf("%s is not an operator of this country; expected one of %s", m.MCCMNC, keys(v.opt.Operators)))
	case v.opt.Operators == nil && !strings.HasPrefix(m.MCCMNC, "604-"):
		v.fail("mcc_mnc", m.MCCMNC, "E_UNKNOWN_OPERATOR", fmt.Sprintf("%s is not under Morocco's mobile country code 604", m.MCCMNC))
	case v.opt.Operator != "" && m.MCCMNC != v.opt.Operator:
		v.fail("mcc_mnc", m.MCCMNC, "E_OTHER_OPERATOR", fmt.Sprintf("row is for %s but this upload is for operator %s", m.MCCMNC, v.opt.Operator))
	}

	techS := get("tech")
	tech, err := data.ParseTech(techS)
	if err != nil {
		if techS == "" {
			v.fail("tech", "", "E_REQUIRED", "tech is empty; expected 2G, 3G, 4G or 5G")
		} else {
			v.fail("tech", techS, "E_TECH", fmt.Sprintf("%q is not a technology; expected 2G, 3G, 4G or 5G", techS))
		}
	}
	m.Tech = tech

	m.SignalDBm = v.signal(get("signal_dbm"), tech)
	m.RSRQDB = v.ranged("rsrq_db", get("rsrq_db"), -43, 20, "dB")
	m.SINRDB = v.ranged("sinr_db", get("sinr_db"), -23, 40, "dB")
	ceiling := speedCeiling(tech)
	m.DLMbps = v.ranged("dl_mbps", get("dl_mbps"), 0, ceiling, "Mbps")
	m.ULMbps = v.ranged("ul_mbps", get("ul_mbps"), 0, ceiling, "Mbps")
	m.LatencyMs = v.ranged("latency_ms", get("latency_ms"), 0.1, 10000, "ms")
	m.AccuracyM = v.ranged("accuracy_m", get("accuracy_m"), 0, 1e6, "m")
	if data.Has(m.AccuracyM) && float64(m.AccuracyM) > v.opt.MaxAccuracyM {
		v.fail("accuracy_m", get("accuracy_m"), "E_ACCURACY", fmt.Sprintf("GPS accuracy %s m is worse than the %g m this import accepts", get("accuracy_m"), v.opt.MaxAccuracyM))
	}
	if !data.Has(m.SignalDBm) && !data.Has(m.DLMbps) && !v.bad {
		v.fail("signal_dbm", "", "E_REQUIRED", "the row has neither signal_dbm nor dl_mbps; one of them is required")
	}
	if env, err := data.ParseEnv(get("env")); err != nil {
		v.fail("env", get("env"), "E_ENV", fmt.Sprintf("%q is not an environment; expected outdoor, vehicle or indoor", get("env")))
	} else {
		m.Env = env
	}
	if src, err := data.ParseSource(get("source")); err != nil {
		v.fail("source", get("source"), "E_SOURCE", fmt.Sprintf("%q is not a source; expected crowd, drive or regulator", get("source")))
	} else {
		m.Source = src
	}
	if d := get("device"); d != "" {
		m.Device = HashDevice(v.opt.DeviceSalt, d)
	}
	return m, !v.bad
}

// HashDevice turns a device identifier into the opaque number Taghtia
// stores: the first 8 bytes of sha256(salt, id). The identifier itself is
// never stored.
func HashDevice(salt, id string) uint64 {
	h := sha256.New()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(id))
	var sum [32]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0]))
}

func (v *rowValidator) time(s string) time.Time {
	if s == "" {
		v.fail("time", "", "E_REQUIRED", "time is empty; expected RFC 3339 with an offset, such as 2026-11-03T14:22:05+01:00")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		msg := fmt.Sprintf("%q is not an RFC 3339 time with an offset, such as 2026-11-03T14:22:05+01:00", s)
		if n, e := strconv.ParseInt(s, 10, 64); e == nil {
			switch {
			case len(s) == 13:
				msg += fmt.Sprintf("; it looks like Unix milliseconds (%s)", time.UnixMilli(n).UTC().Format(time.RFC3339))
			case len(s) == 10:
				msg += fmt.Sprintf("; it looks like Unix seconds (%s)", time.Unix(n, 0).UTC().Format(time.RFC3339))
			}
		} else if _, e := time.Parse("2006-01-02T15:04:05", s); e == nil {
			msg = fmt.Sprintf("%q has no time zone offset; add one, such as %s+01:00 or %sZ", s, s, s)
		}
		v.fail("time", s, "E_TIME", msg)
		return time.Time{}
	}
	if t.After(v.opt.Now.Add(v.opt.MaxSkew)) {
		v.fail("time", s, "E_TIME_FUTURE", fmt.Sprintf("%s is in the future (now is %s)", s, v.opt.Now.UTC().Format(time.RFC3339)))
	}
	if v.opt.MaxAge > 0 && t.Before(v.opt.Now.Add(-v.opt.MaxAge)) {
		v.fail("time", s, "E_TIME_OLD", fmt.Sprintf("%s is older than the %s this import accepts", s, v.opt.MaxAge))
	}
	return t.UTC()
}

func (v *rowValidator) number(col, s string, required bool) (float64, bool) {
	if s == "" {
		if required {
			v.fail(col, "", "E_REQUIRED", col+" is empty; a value is required")
		}
		return math.NaN(), false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		hint := ""
		if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
			hint = "; use a dot as the decimal separator"
		}
		v.fail(col, s, "E_NUMBER", fmt.Sprintf("%q is not a number%s", s, hint))
		return math.NaN(), false
	}
	return f, true
}

func (v *rowValidator) coords(lat, lon float64, latS, lonS string) {
	latIn := lat >= -90 && lat <= 90
	lonIn := lon >= -180 && lon <= 180
	switch {
	case math.Abs(lat) > 1000 && math.Abs(lon) > 1000:
		v.fail("lat", latS, "E_PROJECTED", fmt.Sprintf("lat %s and lon %s look like projected metres; expected WGS84 decimal degrees (EPSG:4326)", latS, lonS))
		return
	case !latIn:
		msg := fmt.Sprintf("%s is outside [-90, 90]", latS)
		if lat >= -180 && lat <= 180 && lon >= -90 && lon <= 90 {
			msg += "; lat and lon look swapped"
		}
		v.fail("lat", latS, "E_LAT_RANGE", msg)
		return
	case !lonIn:
		v.fail("lon", lonS, "E_LON_RANGE", fmt.Sprintf("%s is outside [-180, 180]", lonS))
		return
	case lat == 0 && lon == 0:
		v.fail("lat", latS, "E_NULL_ISLAND", "lat 0, lon 0 is a missing GPS fix, not a place")
		return
	}
	if v.opt.Inside != nil && !v.opt.Inside(orb.Point{lon, lat}) {
		msg := fmt.Sprintf("point (lat %s, lon %s) is outside the country", latS, lonS)
		if lon >= -90 && lon <= 90 && v.opt.Inside(orb.Point{lat, lon}) {
			msg += "; lat and lon look swapped"
		}
		v.fail("lat", latS, "E_OUTSIDE_COUNTRY", msg)
	}
}

// signalRange gives the measurement range per technology (3GPP TS 36.133
// RSRP -156..-31 dBm for LTE/NR; TS 25.133 RSCP -120..-25; GSM RSSI).
func signalRange(t data.Tech) (lo, hi float64, metric string) {
	switch t {
	case data.Tech4G, data.Tech5G:
		return -156, -31, "RSRP"
	case data.Tech3G:
		return -120, -25, "RSCP"
	default:
		return -120, -25, "RSSI"
	}
}

func (v *rowValidator) signal(s string, t data.Tech) float32 {
	if s == "" {
		return data.Absent
	}
	f, ok := v.number("signal_dbm", s, false)
	if !ok {
		return data.Absent
	}
	if f == androidUnavailable {
		return data.Absent
	}
	lo, hi, metric := signalRange(t)
	if f < lo || f > hi {
		msg := fmt.Sprintf("%s dBm is outside the %s range [%g, %g] for %s", s, metric, lo, hi, t)
		if f > 0 {
			msg += "; signal levels are negative dBm"
		}
		v.fail("signal_dbm", s, "E_SIGNAL_RANGE", msg)
		return data.Absent
	}
	return float32(f)
}

func (v *rowValidator) ranged(col, s string, lo, hi float64, unit string) float32 {
	if s == "" {
		return data.Absent
	}
	f, ok := v.number(col, s, false)
	if !ok {
		return data.Absent
	}
	if f == androidUnavailable {
		return data.Absent
	}
	if f < lo || f > hi {
		v.fail(col, s, "E_RANGE", fmt.Sprintf("%s %s is outside the plausible range [%g, %g] %s", s, unit, lo, hi, unit))
		return data.Absent
	}
	return float32(f)
}

// speedCeiling is the highest plausible single-device speed per technology.
func speedCeiling(t data.Tech) float64 {
	switch t {
	case data.Tech2G:
		return 1
	case data.Tech3G:
		return 100
	case data.Tech5G:
		return 10000
	default:
		return 2000
	}
}

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// dupWindow finds repeated measurements within a file in bounded memory:
// it remembers the rows of the last two generations of dupGeneration
// accepted rows (repeated rows come from logs joined twice or re-sent
// blocks, so they sit close together). A repeat further away is kept.
type dupWindow struct {
	cur, prev map[uint64]int // row digest -> first line
}

const dupGeneration = 1 << 17

func (w *dupWindow) check(m *data.Measurement, line int) (first int, dup bool) {
	k := m.Fingerprint()
	if l, ok := w.cur[k]; ok {
		return l, true
	}
	if l, ok := w.prev[k]; ok {
		return l, true
	}
	if w.cur == nil || len(w.cur) >= dupGeneration {
		w.prev, w.cur = w.cur, make(map[uint64]int, 1024)
	}
	w.cur[k] = line
	return 0, false
}
