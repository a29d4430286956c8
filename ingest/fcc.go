package ingest

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
		return cell + cmp.Or(w.signal, "rsrp")
	case "rsrq_db":
		return cell + cmp.Or(w.rsrq, "rsrq")
	case "sinr_db":
		return cell + cmp.Or(w.sinr, "sinr")
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
