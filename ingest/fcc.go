package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/taghtia/taghtia/data"
)

// The FCC Broadband Data Collection mobile speed-test JSON ("fcc-bdc-json"):
// one JSON object {"submission_category", "contact", "submissions": [...]},
// each submission carrying device and SIM fields and a "tests" object with
// up to three tests, "download", "upload" and "latency", each with its own
// timestamp, locations[] and cells[].
//
// How a test becomes a row. Every test is one row: the FCC judges (and
// excludes) tests one by one, and a test has its own time and place, so a
// bad upload does not drop a good download and a speed is counted once:
//
//   - time: the test's timestamp (ISO 8601 with an offset; written back as
//     RFC 3339), else the submission's device_timestamp (v2) or timestamp (v1);
//   - lat, lon, accuracy_m: the test's first location (the start of the test)
//     that has both a latitude and a longitude (numbers or numeric strings);
//     horizontal_accuracy in metres;
//   - tech and the radio metrics: the serving cell, the first cell whose
//     cell_connection is 1 (primary serving, Android's numbering), else the
//     first cell with no cell_connection (iOS leaves it null), else the first
//     cell. When that cell is 4G and a secondary serving cell
//     (cell_connection 2) is 5G, the test ran on 5G NSA (EN-DC): the row is
//     5G with the NR cell's metrics. The technology is the cell's
//     network_generation, else its network_subtype (LTE, NR, NRNSA, WCDMA,
//     GSM…);
//   - signal_dbm: RSRP for 4G (rsrp, else signal_strength, which Android
//     fills with RSRP) and 5G (rsrp, else csi_rsrp, else signal_strength);
//     RSCP for 3G (signal_strength); RSSI for 2G (rssi, else
//     signal_strength). rsrq_db and sinr_db: rsrq/csi_rsrq and sinr/csi_sinr
//     for 4G and 5G. Android's "unavailable" 2147483647 counts as null, so
//     the next field is tried;
//   - dl_mbps (download test) or ul_mbps (upload test): bytes_sec × 8 / 10⁶
//     (bytes_sec is BYTES per second), else bytes_transferred × 8 / duration
//     (duration in microseconds, so bits per µs = Mbit/s);
//   - latency_ms (latency test): round_trip_time / 1000. The unit of
//     round_trip_time is assumed to be microseconds like every other FCC
//     duration; a value under 100 (0.1 ms) is rejected as probably
//     milliseconds (E_FCC_RTT_UNIT);
//   - mcc_mnc: net_mobile_country_code and net_mobile_network_code (the
//     network that carried the test), else the sim_ pair, else the upload's
//     operator (CSVOptions.Operator, --operator): iOS may leave them null or
//     send 65535. A one-digit MNC gets a leading zero ("1" → "01"): the
//     604 (Morocco) plan uses two-digit MNCs; two and three digits are kept
//     as sent, leading zeros included;
//   - env: environment_code 0 outdoor, 1 vehicle, 2 indoor; without it,
//     in_vehicle_flag true means vehicle, else outdoor;
//   - source: crowd; device: device_id, else device_imei (hashed, as every
//     device identifier).
//
// A test is rejected before validation (a *RowError) when it ran over
// Wi-Fi (connection_type other than "cell"), has success_flag false, has
// no location with coordinates, no cell or an unknown radio, no speed or
// latency value, or fields of the wrong JSON type; a submission is when it
// is not an object or has no test.
//
// Lines. A row's line is the line of the file on which its test's key
// ("download", "upload", "latency") stands; a submission problem gives the
// line of the submission's opening brace; broken JSON gives the line where
// decoding stopped. Column names the JSON path of the field a problem is
// about, such as tests.download.cells[0].rsrp or
// tests.upload.locations[1].latitude, for the row last returned by Next.
//
// The file is read as a stream: the decoder walks the tokens to
// "submissions" and decodes one submission's fields and tests at a time, so
// memory is bounded by the largest test, not by the file.

// FCCFormat is the name of the FCC speed-test format.
const FCCFormat = "fcc-bdc-json"

func init() {
	Register(Format{Name: FCCFormat, Title: "FCC Broadband Data Collection mobile speed tests (JSON)", Priority: 20,
		Detect: detectFCC,
		Open: func(r io.Reader, name string, opt CSVOptions, rep *Report) (RowSource, error) {
			return openFCC(r, name, opt)
		}})
}

var utf8BOM = []byte("\ufeff")

// detectFCC recognises a JSON object whose top level has a "submissions"
// array within the first bytes of the file.
func detectFCC(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return false
		}
		if k == "submissions" {
			tok, err := dec.Token()
			return err == nil && tok == json.Delim('[')
		}
		if skipValue(dec) != nil {
			return false
		}
	}
	return false
}

// skipValue skips the next value token by token: memory stays bounded
// whatever the value's size.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// lineCounter turns decoder offsets into line numbers: it keeps the bytes
// read but not yet counted, and queries come in increasing order, so it
// holds no more than the decoder's read-ahead.
type lineCounter struct {
	r       io.Reader
	n       int64  // bytes read
	base    int64  // offset of pending[0]
	line    int    // line at offset base, from 1
	pending []byte // bytes read from base on
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.pending = append(c.pending, p[:n]...)
	c.n += int64(n)
	return n, err
}

// lineAt is the line of offset off; offsets before the last query give the
// last query's line.
func (c *lineCounter) lineAt(off int64) int {
	if k := min(off-c.base, int64(len(c.pending))); k > 0 {
		c.line += bytes.Count(c.pending[:k], []byte{'\n'})
		c.pending = append(c.pending[:0], c.pending[k:]...)
		c.base += k
	}
	return c.line
}

// Tolerant JSON scalars: apps send numbers as strings (CellWatch writes
// latitude as "33.589886") and iOS sends null for what it cannot read.

// fccNum is a number, a numeric string or null; raw is its text.
type fccNum struct {
	raw string
	set bool
}

func (n *fccNum) UnmarshalJSON(b []byte) error {
	*n = fccNum{}
	s, ok, err := jsonScalar(b)
	if err != nil || !ok {
		return err
	}
	*n = fccNum{raw: s, set: true}
	return nil
}

// float parses the number.
func (n fccNum) float() (float64, bool) {
	if !n.set {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// present is a value other than null and Android's 2147483647.
func (n fccNum) present() bool {
	if !n.set {
		return false
	}
	f, ok := n.float()
	return !ok || f != androidUnavailable
}

// fccStr is a string (or a number, kept as its text) or null.
type fccStr struct {
	s   string
	set bool
}

func (v *fccStr) UnmarshalJSON(b []byte) error {
	*v = fccStr{}
	s, ok, err := jsonScalar(b)
	if err != nil || !ok {
		return err
	}
	*v = fccStr{s: s, set: true}
	return nil
}

// fccBool is true, false, "true", "false", 1, 0 or null (unset).
type fccBool struct {
	v, set bool
}

func (v *fccBool) UnmarshalJSON(b []byte) error {
	*v = fccBool{}
	s, ok, err := jsonScalar(b)
	if err != nil || !ok {
		return err
	}
	switch strings.ToLower(s) {
	case "true", "1":
		*v = fccBool{v: true, set: true}
	case "false", "0":
		*v = fccBool{set: true}
	}
	return nil
}

// jsonScalar is the text of a JSON value: a string's content (trimmed), a
// number's or literal's text, an object's or array's raw JSON; ok is false
// for null and the empty string.
func jsonScalar(b []byte) (string, bool, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return "", false, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", false, err
		}
		s = strings.TrimSpace(s)
		return s, s != "", nil
	}
	return string(b), true, nil
}

type fccLocation struct {
	Timestamp          fccStr `json:"timestamp"`
	Latitude           fccNum `json:"latitude"`
	Longitude          fccNum `json:"longitude"`
	HorizontalAccuracy fccNum `json:"horizontal_accuracy"`
}

type fccCell struct {
	CellConnection    fccNum `json:"cell_connection"`
	NetworkGeneration fccStr `json:"network_generation"`
	NetworkSubtype    fccStr `json:"network_subtype"`
	SignalStrength    fccNum `json:"signal_strength"`
	RSSI              fccNum `json:"rssi"`
	RSRP              fccNum `json:"rsrp"`
	RSRQ              fccNum `json:"rsrq"`
	SINR              fccNum `json:"sinr"`
	CSIRSRP           fccNum `json:"csi_rsrp"`
	CSIRSRQ           fccNum `json:"csi_rsrq"`
	CSISINR           fccNum `json:"csi_sinr"`
}

// field is a cell metric by its JSON name.
func (c *fccCell) field(name string) fccNum {
	switch name {
	case "signal_strength":
		return c.SignalStrength
	case "rssi":
		return c.RSSI
	case "rsrp":
		return c.RSRP
	case "rsrq":
		return c.RSRQ
	case "sinr":
		return c.SINR
	case "csi_rsrp":
		return c.CSIRSRP
	case "csi_rsrq":
		return c.CSIRSRQ
	case "csi_sinr":
		return c.CSISINR
	}
	return fccNum{}
}

type fccTest struct {
	Timestamp        fccStr        `json:"timestamp"`
	Duration         fccNum        `json:"duration"`
	BytesTransferred fccNum        `json:"bytes_transferred"`
	BytesSec         fccNum        `json:"bytes_sec"`
	RoundTripTime    fccNum        `json:"round_trip_time"`
	ConnectionType   fccStr        `json:"connection_type"`
	SuccessFlag      fccBool       `json:"success_flag"`
	Locations        []fccLocation `json:"locations"`
	Cells            []fccCell     `json:"cells"`
}

// fccHeader holds the submission fields the rows use.
type fccHeader struct {
	DeviceTimestamp, Timestamp fccStr
	DeviceID, DeviceIMEI       fccStr
	NetMCC, NetMNC             fccStr
	SimMCC, SimMNC             fccStr
	EnvironmentCode            fccNum
	InVehicle                  fccBool
}

func (h *fccHeader) target(key string) any {
	switch key {
	case "device_timestamp":
		return &h.DeviceTimestamp
	case "timestamp":
		return &h.Timestamp
	case "device_id":
		return &h.DeviceID
	case "device_imei":
		return &h.DeviceIMEI
	case "net_mobile_country_code":
		return &h.NetMCC
	case "net_mobile_network_code":
		return &h.NetMNC
	case "sim_mobile_country_code":
		return &h.SimMCC
	case "sim_mobile_network_code":
		return &h.SimMNC
	case "environment_code":
		return &h.EnvironmentCode
	case "in_vehicle_flag":
		return &h.InVehicle
	}
	return nil
}

// fccWhere records which JSON fields a row's values came from, for Column.
type fccWhere struct {
	kind                      string // download, upload, latency
	loc, cell                 int    // indexes in locations[] and cells[], -1 when none
	timeField                 string // JSON path of the time
	signal, rsrq, sinr, speed string // field names within the cell or test
	operator                  string // "net", "sim" or "--operator"
}

type fccItem struct {
	row   Row
	err   error
	where fccWhere
}

type fccSource struct {
	name    string
	opt     CSVOptions
	lc      *lineCounter
	bom     int64
	dec     *json.Decoder
	sub     int // submissions read
	done    bool
	pending []fccItem
	where   fccWhere // of the row last returned
}

func openFCC(r io.Reader, name string, opt CSVOptions) (RowSource, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	s := &fccSource{name: name, opt: opt}
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		br.Discard(3)
		s.bom = 3
	}
	s.lc = &lineCounter{r: br, line: 1}
	s.dec = json.NewDecoder(s.lc)
	s.dec.UseNumber()
	tok, err := s.token()
	if err == io.EOF {
		return nil, &FormatError{File: name, Message: "the file is empty; expected a JSON object with a \"submissions\" array"}
	}
	if err != nil {
		return nil, s.structErr(err, "the top-level object")
	}
	if tok != json.Delim('{') {
		return nil, &FormatError{File: name, Line: s.line(), Message: fmt.Sprintf("the file starts with %s; expected a JSON object with a \"submissions\" array", describeToken(tok))}
	}
	for s.dec.More() {
		k, err := s.token()
		if err != nil {
			return nil, s.structErr(err, "a top-level key")
		}
		if k != "submissions" {
			if err := s.skip(); err != nil {
				return nil, s.structErr(err, fmt.Sprintf("the value of %q", k))
			}
			continue
		}
		line := s.line()
		tok, err := s.token()
		if err != nil {
			return nil, s.structErr(err, "the submissions array")
		}
		if tok != json.Delim('[') {
			return nil, &FormatError{File: name, Line: line, Column: "submissions", Message: fmt.Sprintf("submissions is %s; expected an array of submission objects", describeToken(tok))}
		}
		return s, nil
	}
	if _, err := s.token(); err != nil { // }
		return nil, s.structErr(err, "the end of the top-level object")
	}
	return nil, &FormatError{File: name, Line: s.line(), Column: "submissions", Message: "the top-level object has no \"submissions\" array; expected {\"submissions\": [...]} as in the FCC BDC mobile speed-test specification"}
}

func (s *fccSource) Bytes() int64 { return s.lc.n + s.bom }

func (s *fccSource) line() int { return s.lc.lineAt(s.dec.InputOffset()) }

// token, skip and decode note where the call started, for syntax errors.
func (s *fccSource) token() (json.Token, error) {
	off := s.dec.InputOffset()
	tok, err := s.dec.Token()
	if err != nil {
		return nil, s.locate(err, off)
	}
	return tok, nil
}

func (s *fccSource) skip() error {
	off := s.dec.InputOffset()
	return s.locate(skipValue(s.dec), off)
}

func (s *fccSource) decode(v any) error {
	off := s.dec.InputOffset()
	return s.locate(s.dec.Decode(v), off)
}

// fccSyntax is a syntax error placed in the whole input.
type fccSyntax struct {
	msg string
	off int64
}

func (e *fccSyntax) Error() string { return e.msg }

// locate turns a decoder syntax error into one with an offset in the
// whole input. encoding/json reports an offset into the whole input for
// errors between tokens but into the value being read for errors inside a
// value; the latter is smaller than where the call started.
func (s *fccSource) locate(err error, start int64) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	off := se.Offset
	if off < start {
		off += start
	}
	return &fccSyntax{msg: se.Error(), off: off}
}

// structErr is the error for a broken file: a *FormatError at the line the
// decoder stopped, or the read error itself.
func (s *fccSource) structErr(err error, reading string) error {
	var se *fccSyntax
	switch {
	case errors.As(err, &se):
		return &FormatError{File: s.name, Line: s.lc.lineAt(se.off), Message: fmt.Sprintf("broken JSON while reading %s: %s", reading, se.msg)}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &FormatError{File: s.name, Line: s.lc.lineAt(s.lc.n), Message: fmt.Sprintf("the file ends in the middle of %s; it looks truncated", reading)}
	}
	return fmt.Errorf("read %s: %w", s.name, err)
}

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("the string %q", truncate(v))
	case json.Number:
		return "the number " + v.String()
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// Column names the JSON field a canonical column came from in the row last
// returned by Next.
func (s *fccSource) Column(canon string) string {
	w := s.where
	if w.kind == "" {
		return canon
	}
	t := "tests." + w.kind + "."
	loc := fmt.Sprintf("%slocations[%d].", t, w.loc)
	cell := fmt.Sprintf("%scells[%d].", t, w.cell)
	switch canon {
	case "time":
		return w.timeField
	case "lat":
		return loc + "latitude"
	case "lon":
		return loc + "longitude"
	case "accuracy_m":
		return loc + "horizontal_accuracy"
	case "tech":
		return cell + "network_generation"
	case "signal_dbm":
		return cell + orDefault(w.signal, "rsrp")
	case "rsrq_db":
		return cell + orDefault(w.rsrq, "rsrq")
	case "sinr_db":
		return cell + orDefault(w.sinr, "sinr")
	case "dl_mbps", "ul_mbps", "latency_ms":
		return t + w.speed
	case "mcc_mnc":
		switch w.operator {
		case "sim":
			return "sim_mobile_country_code/sim_mobile_network_code"
		case "--operator":
			return "--operator"
		}
		return "net_mobile_country_code/net_mobile_network_code"
	case "env":
		return "environment_code/in_vehicle_flag"
	case "device":
		return "device_id"
	}
	return canon
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (s *fccSource) Next() (Row, error) {
	for {
		if len(s.pending) > 0 {
			it := s.pending[0]
			s.pending = s.pending[1:]
			s.where = it.where
			return it.row, it.err
		}
		if s.done {
			return Row{}, io.EOF
		}
		if !s.dec.More() {
			s.done = true
			if err := s.finish(); err != nil {
				return Row{}, err
			}
			return Row{}, io.EOF
		}
		if err := s.readSubmission(); err != nil {
			s.done = true
			return Row{}, err
		}
	}
}

// finish reads past the end of the submissions array to the end of the
// file, which must hold nothing but the rest of the top-level object.
func (s *fccSource) finish() error {
	if _, err := s.token(); err != nil { // ]
		return s.structErr(err, "the end of the submissions array")
	}
	for s.dec.More() {
		k, err := s.token()
		if err != nil {
			return s.structErr(err, "a top-level key")
		}
		if k == "submissions" {
			return &FormatError{File: s.name, Line: s.line(), Column: "submissions", Message: "a second \"submissions\" key; expected one submissions array"}
		}
		if err := s.skip(); err != nil {
			return s.structErr(err, fmt.Sprintf("the value of %q", k))
		}
	}
	if _, err := s.token(); err != nil { // }
		return s.structErr(err, "the end of the top-level object")
	}
	if tok, err := s.token(); err != io.EOF {
		if err != nil {
			return s.structErr(err, "the end of the file")
		}
		return &FormatError{File: s.name, Line: s.line(), Message: fmt.Sprintf("%s after the end of the top-level object; expected the end of the file", describeToken(tok))}
	}
	return nil
}

type fccTestAt struct {
	kind string
	line int
	test *fccTest
	err  error
}

// readSubmission reads one submission and queues its rows.
func (s *fccSource) readSubmission() error {
	s.sub++
	what := fmt.Sprintf("submission %d", s.sub)
	tok, err := s.token()
	if err != nil {
		return s.structErr(err, what)
	}
	line := s.line()
	if tok != json.Delim('{') {
		if d, ok := tok.(json.Delim); ok && d == '[' {
			if err := s.skipRest(); err != nil {
				return s.structErr(err, what)
			}
		}
		s.queueErr(line, fmt.Sprintf("submissions[%d]", s.sub-1), "", "E_FCC_SUBMISSION",
			fmt.Sprintf("%s is %s; expected an object with the device fields and tests", what, describeToken(tok)))
		return nil
	}
	var h fccHeader
	var tests []fccTestAt
	var testsProblem string
	for s.dec.More() {
		k, err := s.token()
		if err != nil {
			return s.structErr(err, what)
		}
		key, _ := k.(string)
		if key != "tests" {
			if t := h.target(key); t != nil {
				err = s.decode(t)
			} else {
				err = s.skip()
			}
			if err != nil {
				return s.structErr(err, fmt.Sprintf("%s, field %q", what, key))
			}
			continue
		}
		tok, err := s.token()
		if err != nil {
			return s.structErr(err, what+", tests")
		}
		if tok == nil {
			continue // "tests": null
		}
		if tok != json.Delim('{') {
			if d, ok := tok.(json.Delim); ok && d == '[' {
				if err := s.skipRest(); err != nil {
					return s.structErr(err, what+", tests")
				}
			}
			testsProblem = fmt.Sprintf("tests is %s; expected an object with download, upload and latency tests", describeToken(tok))
			continue
		}
		for s.dec.More() {
			k, err := s.token()
			if err != nil {
				return s.structErr(err, what+", tests")
			}
			kind, _ := k.(string)
			tline := s.line()
			if kind != "download" && kind != "upload" && kind != "latency" {
				if err := s.skip(); err != nil {
					return s.structErr(err, what+", tests")
				}
				continue
			}
			var t *fccTest
			err = s.decode(&t)
			var se *fccSyntax
			if errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return s.structErr(err, fmt.Sprintf("%s, tests.%s", what, kind))
			}
			var te *json.UnmarshalTypeError
			if err != nil && !errors.As(err, &te) {
				return s.structErr(err, what)
			}
			if t != nil || err != nil {
				tests = append(tests, fccTestAt{kind: kind, line: tline, test: t, err: err})
			}
		}
		if _, err := s.token(); err != nil { // }
			return s.structErr(err, what+", tests")
		}
	}
	if _, err := s.token(); err != nil { // }
		return s.structErr(err, what)
	}
	switch {
	case testsProblem != "":
		s.queueErr(line, "tests", "", "E_FCC_TESTS", fmt.Sprintf("%s: %s", what, testsProblem))
	case len(tests) == 0:
		s.queueErr(line, "tests", "", "E_FCC_NO_TEST", fmt.Sprintf("%s has no download, upload or latency test", what))
	}
	for _, t := range tests {
		s.pending = append(s.pending, s.convert(&h, t))
	}
	return nil
}

// skipRest skips the rest of an array whose '[' was read.
func (s *fccSource) skipRest() error {
	for s.dec.More() {
		if err := s.skip(); err != nil {
			return err
		}
	}
	_, err := s.token()
	return err
}

func (s *fccSource) queueErr(line int, col, val, code, msg string) {
	s.pending = append(s.pending, fccItem{err: &RowError{Line: line, Column: col, Value: val, Code: code, Message: msg}})
}

// convert turns one test into a row, or a *RowError.
func (s *fccSource) convert(h *fccHeader, ta fccTestAt) fccItem {
	kind := ta.kind
	p := "tests." + kind
	fail := func(col, val, code, msg string) fccItem {
		return fccItem{err: &RowError{Line: ta.line, Column: col, Value: val, Code: code, Message: msg}}
	}
	if ta.err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(ta.err, &te) {
			return fail(p, "", "E_FCC_TYPE", fmt.Sprintf("cannot read the %s test: %v", kind, ta.err))
		}
		col := p
		if te.Field != "" {
			col += "." + te.Field
		}
		return fail(col, "", "E_FCC_TYPE", fmt.Sprintf("%s is a JSON %s; expected %s", col, te.Value, jsonKind(te.Type)))
	}
	t := ta.test
	w := fccWhere{kind: kind, loc: -1, cell: -1, timeField: p + ".timestamp"}

	if ct := strings.ToLower(t.ConnectionType.s); t.ConnectionType.set && ct != "cell" && ct != "cellular" && ct != "mobile" {
		return fail(p+".connection_type", t.ConnectionType.s, "E_FCC_NOT_CELLULAR",
			fmt.Sprintf("the %s test ran over %q; expected \"cell\": only tests over the mobile network measure its coverage", kind, t.ConnectionType.s))
	}
	if t.SuccessFlag.set && !t.SuccessFlag.v {
		return fail(p+".success_flag", "false", "E_FCC_FAILED_TEST",
			fmt.Sprintf("the %s test has success_flag false: it did not complete or the connection changed during it; the FCC excludes such tests", kind))
	}

	for i := range t.Locations {
		if t.Locations[i].Latitude.set && t.Locations[i].Longitude.set {
			w.loc = i
			break
		}
	}
	if w.loc < 0 {
		return fail(p+".locations", "", "E_FCC_NO_LOCATION",
			fmt.Sprintf("the %s test has no location with both latitude and longitude (%d in locations); a test without a position cannot be mapped", kind, len(t.Locations)))
	}
	loc := t.Locations[w.loc]

	if len(t.Cells) == 0 {
		return fail(p+".cells", "", "E_FCC_NO_CELL",
			fmt.Sprintf("the %s test has no cells; expected at least the serving cell, which gives the technology", kind))
	}
	ci, tech, ok := servingCell(t.Cells)
	w.cell = ci
	if !ok {
		c := t.Cells[ci]
		return fail(fmt.Sprintf("%s.cells[%d].network_generation", p, ci), c.NetworkGeneration.s+"/"+c.NetworkSubtype.s, "E_FCC_RADIO",
			fmt.Sprintf("the serving cell's network_generation %q and network_subtype %q name no known radio; expected 2G, 3G, 4G or 5G (or GSM, WCDMA, LTE, NR…)", c.NetworkGeneration.s, c.NetworkSubtype.s))
	}
	cell := &t.Cells[ci]

	row := NewRow(ta.line)

	ts := t.Timestamp
	if !ts.set {
		switch {
		case h.DeviceTimestamp.set:
			ts, w.timeField = h.DeviceTimestamp, "device_timestamp"
		case h.Timestamp.set:
			ts, w.timeField = h.Timestamp, "timestamp"
		}
	}
	row.Set("time", fccTime(ts.s))

	row.Set("lat", loc.Latitude.raw)
	row.Set("lon", loc.Longitude.raw)
	if loc.HorizontalAccuracy.present() {
		row.Set("accuracy_m", loc.HorizontalAccuracy.raw)
	}

	row.Set("tech", tech.String())
	var sig, rsrq, sinr []string
	switch tech {
	case data.Tech4G:
		sig, rsrq, sinr = []string{"rsrp", "signal_strength"}, []string{"rsrq"}, []string{"sinr"}
	case data.Tech5G:
		sig, rsrq, sinr = []string{"rsrp", "csi_rsrp", "signal_strength"}, []string{"rsrq", "csi_rsrq"}, []string{"sinr", "csi_sinr"}
	case data.Tech3G:
		sig = []string{"signal_strength"}
	default:
		sig = []string{"rssi", "signal_strength"}
	}
	pick := func(canon string, names []string, dst *string) {
		for _, n := range names {
			if v := cell.field(n); v.present() {
				row.Set(canon, v.raw)
				*dst = n
				return
			}
		}
	}
	pick("signal_dbm", sig, &w.signal)
	pick("rsrq_db", rsrq, &w.rsrq)
	pick("sinr_db", sinr, &w.sinr)

	switch kind {
	case "download", "upload":
		canon := "dl_mbps"
		if kind == "upload" {
			canon = "ul_mbps"
		}
		var mbps float64
		switch {
		case t.BytesSec.set:
			w.speed = "bytes_sec"
			bps, ok := t.BytesSec.float()
			if !ok {
				return fail(p+".bytes_sec", t.BytesSec.raw, "E_FCC_NUMBER", fmt.Sprintf("bytes_sec %q is not a number; expected bytes per second", t.BytesSec.raw))
			}
			mbps = bps * 8 / 1e6
		case t.BytesTransferred.set && t.Duration.set:
			w.speed = "bytes_transferred"
			b, ok1 := t.BytesTransferred.float()
			d, ok2 := t.Duration.float()
			if !ok1 || !ok2 || d <= 0 {
				return fail(p+".duration", t.BytesTransferred.raw+"/"+t.Duration.raw, "E_FCC_NUMBER",
					fmt.Sprintf("bytes_transferred %q over duration %q µs gives no speed; expected a byte count and a positive duration in microseconds", t.BytesTransferred.raw, t.Duration.raw))
			}
			mbps = b * 8 / d
		default:
			return fail(p+".bytes_sec", "", "E_FCC_NO_SPEED",
				fmt.Sprintf("the %s test has neither bytes_sec nor bytes_transferred with duration; expected its speed", kind))
		}
		row.Set(canon, formatDecimal(mbps))
	case "latency":
		w.speed = "round_trip_time"
		if !t.RoundTripTime.set {
			return fail(p+".round_trip_time", "", "E_FCC_NO_LATENCY", "the latency test has no round_trip_time; expected the round-trip time in microseconds")
		}
		us, ok := t.RoundTripTime.float()
		if !ok {
			return fail(p+".round_trip_time", t.RoundTripTime.raw, "E_FCC_NUMBER", fmt.Sprintf("round_trip_time %q is not a number; expected microseconds", t.RoundTripTime.raw))
		}
		if us > 0 && us < 100 {
			return fail(p+".round_trip_time", t.RoundTripTime.raw, "E_FCC_RTT_UNIT",
				fmt.Sprintf("round_trip_time %s read as microseconds is %s ms, below the 0.1 ms a mobile network can do; it looks like milliseconds, expected microseconds (%s ms = %s)",
					t.RoundTripTime.raw, formatDecimal(us/1000), t.RoundTripTime.raw, formatDecimal(us*1000)))
		}
		row.Set("latency_ms", formatDecimal(us/1000))
	}

	mcc, mnc := h.NetMCC, h.NetMNC
	w.operator = "net"
	if !validMCC(mcc) {
		mcc, mnc, w.operator = h.SimMCC, h.SimMNC, "sim"
	}
	switch {
	case validMCC(mcc) && mnc.set:
		m := mnc.s
		if len(m) == 1 && m[0] >= '0' && m[0] <= '9' {
			m = "0" + m
		}
		row.Set("mcc_mnc", mcc.s+"-"+m)
	case s.opt.Operator != "":
		row.Set("mcc_mnc", s.opt.Operator)
		w.operator = "--operator"
	default:
		return fail("net_mobile_country_code", h.NetMCC.s, "E_FCC_NO_OPERATOR",
			"the submission has no usable net_mobile_country_code/net_mobile_network_code nor sim_ pair (iOS may send null or 65535); give the upload's operator with --operator, such as 604-01")
	}

	env := "outdoor"
	if h.InVehicle.v {
		env = "vehicle"
	}
	if h.EnvironmentCode.set {
		switch code, _ := h.EnvironmentCode.float(); h.EnvironmentCode.raw {
		case "0", "1", "2":
			env = []string{"outdoor", "vehicle", "indoor"}[int(code)]
		default:
			return fail("environment_code", h.EnvironmentCode.raw, "E_FCC_ENV",
				fmt.Sprintf("environment_code %s is not one of 0 (outdoor stationary), 1 (in vehicle), 2 (indoor)", h.EnvironmentCode.raw))
		}
	}
	row.Set("env", env)
	row.Set("source", "crowd")
	switch {
	case h.DeviceID.set:
		row.Set("device", h.DeviceID.s)
	case h.DeviceIMEI.set:
		row.Set("device", h.DeviceIMEI.s)
	}
	return fccItem{row: row, where: w}
}

// validMCC is a set MCC other than iOS's 65535 placeholder.
func validMCC(v fccStr) bool { return v.set && v.s != "65535" && v.s != "--" }

// servingCell picks the cell that served the test (see the format's doc)
// and its technology; ok is false when that cell's radio is unknown.
func servingCell(cells []fccCell) (i int, tech data.Tech, ok bool) {
	conn := func(c *fccCell) int {
		if f, ok := c.CellConnection.float(); ok && c.CellConnection.present() {
			return int(f)
		}
		return -1
	}
	i = -1
	for j := range cells {
		if conn(&cells[j]) == 1 {
			i = j
			break
		}
	}
	if i < 0 {
		for j := range cells {
			if conn(&cells[j]) == -1 {
				i = j
				break
			}
		}
	}
	if i < 0 {
		i = 0
	}
	tech, ok = cellTech(&cells[i])
	if ok && tech == data.Tech4G {
		for j := range cells {
			if t, ok := cellTech(&cells[j]); ok && t == data.Tech5G && conn(&cells[j]) == 2 {
				return j, data.Tech5G, true
			}
		}
	}
	return i, tech, ok
}

func cellTech(c *fccCell) (data.Tech, bool) {
	for _, v := range []fccStr{c.NetworkGeneration, c.NetworkSubtype} {
		if !v.set {
			continue
		}
		s := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToUpper(v.s))
		switch s {
		case "2G", "GSM", "GPRS", "EDGE", "CDMA", "1XRTT", "IDEN":
			return data.Tech2G, true
		case "3G", "UMTS", "WCDMA", "HSDPA", "HSUPA", "HSPA", "HSPA+", "HSPAP", "TDSCDMA", "EVDO", "EVDO0", "EVDOA", "EVDOB", "EHRPD":
			return data.Tech3G, true
		case "4G", "LTE", "LTECA", "LTEA", "4G+":
			return data.Tech4G, true
		case "5G", "NR", "NRNSA", "NRSA", "5GNSA", "5GSA", "5GNR":
			return data.Tech5G, true
		}
	}
	return 0, false
}

// fccTime rewrites an ISO 8601 time with an offset as RFC 3339; anything
// else is passed on for the validator to explain.
func fccTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.RFC3339Nano)
		}
	}
	return s
}

// formatDecimal writes a value rounded to 6 decimals, without float noise.
func formatDecimal(f float64) string {
	if r := math.Round(f*1e6) / 1e6; !math.IsInf(r, 0) && !math.IsNaN(r) {
		f = r
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}
