package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Africa/Casablanca without the system's zoneinfo
)

// G-NetTrack Pro/Lite (Gyokov Solutions, Android) writes a tab-separated
// log: one header line, then one line per sample, CRLF line ends, "-" for
// a missing value. The column set and order changed between app versions
// (Latitude before Longitude in recent ones, after in older ones), so
// columns are bound by header name, case-insensitively.
//
// Timestamp is the phone's local wall-clock time without a zone
// ("2017.11.22_10.07.03"). It is read in gnettrackZone, Morocco's legal
// time (Africa/Casablanca, UTC+1 with UTC+0 during Ramadan): the drive
// tests Taghtia receives are made in Morocco with phones on network time.
// In the hour the clocks go back (the start of Ramadan) a local time is
// ambiguous; Go picks one of the two instants.

// gnettrackZone is the zone G-NetTrack's local timestamps are read in.
var gnettrackZone = mustZone("Africa/Casablanca")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("ingest: time zone " + name + ": " + err.Error())
	}
	return loc
}

// gnettrackTimeLayout is G-NetTrack's "yyyy.MM.dd_HH.mm.ss".
const gnettrackTimeLayout = "2006.01.02_15.04.05"

func init() {
	Register(Format{Name: "gnettrack-tsv", Title: "G-NetTrack Pro/Lite tab-separated log", Priority: 20,
		Detect: detectGNetTrack,
		Open: func(r io.Reader, name string, opt CSVOptions, rep *Report) (RowSource, error) {
			return openGNetTrack(r, name, gnettrackZone)
		}})
}

// detectGNetTrack: the first line is a tab-separated header naming
// Timestamp, Latitude, Longitude and a radio column.
func detectGNetTrack(head []byte) bool {
	first, _, _ := bytes.Cut(head, []byte("\n"))
	if !bytes.Contains(first, []byte("\t")) {
		return false
	}
	cols := headerSet(string(first), '\t')
	return cols["timestamp"] && cols["latitude"] && cols["longitude"] &&
		(cols["level"] || cols["networktech"] || cols["networkmode"])
}

// headerSet is the lower-cased, trimmed column names of a header line.
func headerSet(line string, sep byte) map[string]bool {
	set := map[string]bool{}
	for _, c := range strings.Split(strings.TrimSuffix(line, "\r"), string(sep)) {
		set[normHeader(c)] = true
	}
	return set
}

func normHeader(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	if len(h) >= 2 && h[0] == '"' && h[len(h)-1] == '"' {
		h = h[1 : len(h)-1]
	}
	return strings.ToLower(strings.TrimSpace(h))
}

// gnettrackSource reads a G-NetTrack log.
type gnettrackSource struct {
	lr     *lineReader
	name   string
	loc    *time.Location
	header string // the header line, skipped when a log repeats it
	hdr    headerIndex
	cols   columnNames

	ts, lat, lon, op, cgi, tech, mode   int
	level, qual, snr, dl, ul, ping, acc int
	imei                                int
}

func openGNetTrack(r io.Reader, name string, loc *time.Location) (RowSource, error) {
	lr := newLineReader(r)
	line, _, tooLong, err := lr.next()
	if err == io.EOF {
		return nil, &FormatError{File: name, Message: "the file is empty; expected a G-NetTrack header line (Timestamp, Longitude, Latitude, … separated by tabs)"}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if tooLong {
		return nil, &FormatError{File: name, Line: 1, Message: fmt.Sprintf("the header line is longer than %d bytes; expected a G-NetTrack header", maxLineBytes)}
	}
	if strings.Contains(line, "+AF8-") {
		return nil, &FormatError{File: name, Line: 1, Message: "the header holds \"+AF8-\", the UTF-7 spelling of \"_\" (a spreadsheet re-saved the file as UTF-7); export the log again from G-NetTrack, or save it as UTF-8"}
	}
	fields, err := splitFields(line, '\t')
	if err != nil {
		return nil, &FormatError{File: name, Line: 1, Message: "cannot read the header: " + err.Error()}
	}
	hdr, err := newHeaderIndex(fields)
	if err != nil {
		return nil, &FormatError{File: name, Line: 1, Column: hdr.dup, Message: err.Error()}
	}
	s := &gnettrackSource{lr: lr, name: name, loc: loc, hdr: hdr, header: line,
		ts: hdr.find("Timestamp"), lat: hdr.find("Latitude"), lon: hdr.find("Longitude"),
		op: hdr.find("Operator"), cgi: hdr.find("CGI"),
		tech: hdr.find("NetworkTech"), mode: hdr.find("NetworkMode"),
		level: hdr.find("Level"), qual: hdr.find("Qual"), snr: hdr.find("SNR"),
		dl: hdr.find("DL_bitrate"), ul: hdr.find("UL_bitrate"),
		ping: hdr.find("PINGAVG"), acc: hdr.find("Accuracy"), imei: hdr.find("IMEI"),
	}
	var missing []string
	need := func(what string, idx ...int) {
		for _, i := range idx {
			if i >= 0 {
				return
			}
		}
		missing = append(missing, what)
	}
	need("Timestamp", s.ts)
	need("Latitude", s.lat)
	need("Longitude", s.lon)
	need("Operator or CGI", s.op, s.cgi)
	need("NetworkTech or NetworkMode", s.tech, s.mode)
	need("Level or DL_bitrate", s.level, s.dl)
	if len(missing) > 0 {
		return nil, &FormatError{File: name, Line: 1, Column: missing[0], Message: fmt.Sprintf(
			"the G-NetTrack header lacks %s; expected Timestamp, Latitude, Longitude, Operator or CGI, NetworkTech or NetworkMode, and Level or DL_bitrate; found %s",
			strings.Join(missing, ", "), hdr.list())}
	}
	s.cols = columnNames{base: map[string]string{
		"time": hdr.name(s.ts), "lat": hdr.name(s.lat), "lon": hdr.name(s.lon),
		"mcc_mnc": hdr.name(firstCol(s.op, s.cgi)), "tech": hdr.name(firstCol(s.tech, s.mode)),
		"signal_dbm": hdr.name(s.level), "rsrq_db": hdr.name(s.qual), "sinr_db": hdr.name(s.snr),
		"dl_mbps": hdr.name(s.dl), "ul_mbps": hdr.name(s.ul), "latency_ms": hdr.name(s.ping),
		"accuracy_m": hdr.name(s.acc), "device": hdr.name(s.imei),
	}}
	return s, nil
}

func (s *gnettrackSource) Column(canon string) string { return s.cols.get(canon) }
func (s *gnettrackSource) Bytes() int64               { return s.lr.n }

func (s *gnettrackSource) Next() (Row, error) {
	for {
		line, n, tooLong, err := s.lr.next()
		if err != nil {
			if err == io.EOF {
				return Row{}, io.EOF
			}
			return Row{}, fmt.Errorf("read %s: %w", s.name, err)
		}
		if tooLong {
			return Row{}, &RowError{Line: n, Code: "E_LINE_TOO_LONG", Message: fmt.Sprintf("the line is longer than %d bytes; expected one G-NetTrack sample per line", maxLineBytes)}
		}
		if strings.TrimSpace(line) == "" || line == s.header {
			continue // blank, or the header again in logs joined end to end
		}
		rec, err := splitFields(line, '\t')
		if err != nil {
			return Row{}, &RowError{Line: n, Code: "E_TSV_SYNTAX", Message: "cannot split the line into tab-separated fields: " + err.Error()}
		}
		if len(rec) > len(s.hdr.names) {
			// Fewer is a sample cut short (the app stopped): what is there is read.
			return Row{}, &RowError{Line: n, Code: "E_FIELD_COUNT", Message: fmt.Sprintf(
				"the line has %d tab-separated fields but the header %d; expected one value per header column", len(rec), len(s.hdr.names))}
		}
		s.cols.reset()
		get := func(i int) string { return fieldAt(rec, i, "-") }
		row := NewRow(n)

		if ts := get(s.ts); ts != "" {
			t, err := time.ParseInLocation(gnettrackTimeLayout, ts, s.loc)
			if err != nil {
				return Row{}, &RowError{Line: n, Column: s.hdr.name(s.ts), Value: ts, Code: "E_TIME",
					Message: fmt.Sprintf("%q is not a G-NetTrack timestamp; expected yyyy.MM.dd_HH.mm.ss local time, such as 2026.11.03_14.22.05", ts)}
			}
			row.Set("time", t.Format(time.RFC3339))
		}
		row.Set("lat", get(s.lat))
		row.Set("lon", get(s.lon))

		op, cgi := get(s.op), get(s.cgi)
		mcc, mccCol := plmnFromOperator(op), s.op
		switch {
		case mcc != "":
		case plmnFromCGI(cgi) != "":
			mcc, mccCol = plmnFromCGI(cgi), s.cgi
		case op != "":
			mcc = op // not a code: the validator says so, under Operator
		case cgi != "":
			mcc, mccCol = cgi, s.cgi
		}
		row.Set("mcc_mnc", mcc)
		s.cols.use("mcc_mnc", s.hdr.name(mccCol))

		techS, techCol := get(s.tech), s.tech
		if techS == "" {
			techS, techCol = get(s.mode), s.mode
		}
		tech := normTech(techS)
		row.Set("tech", tech)
		s.cols.use("tech", s.hdr.name(techCol))

		row.Set("signal_dbm", get(s.level))
		if tech == "4G" || tech == "5G" {
			// Qual is RxQual on 2G and Ec/No on 3G: only LTE/NR's is RSRQ.
			row.Set("rsrq_db", get(s.qual))
			row.Set("sinr_db", get(s.snr))
		}
		row.Set("dl_mbps", kbitToMbit(get(s.dl)))
		row.Set("ul_mbps", kbitToMbit(get(s.ul)))
		row.Set("latency_ms", get(s.ping))
		row.Set("accuracy_m", get(s.acc))
		row.Set("env", "vehicle")
		row.Set("source", "drive")
		row.Set("device", get(s.imei))
		return row, nil
	}
}

func firstCol(idx ...int) int {
	for _, i := range idx {
		if i >= 0 {
			return i
		}
	}
	return -1
}

// fieldAt is rec[i] trimmed, "" when the column is absent, the row is
// short, the value is the format's missing marker or Android's
// "unavailable" (Integer.MAX_VALUE).
func fieldAt(rec []string, i int, missing string) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	v := strings.TrimSpace(rec[i])
	if v == missing || v == "2147483647" {
		return ""
	}
	return v
}

// plmnFromOperator reads G-NetTrack's Operator column, the numeric PLMN
// "60401" (MCC then a two- or three-digit MNC), or "604-01", "604 01",
// "604.01"; "" when it is none of them (an operator name, say).
func plmnFromOperator(s string) string {
	if len(s) == 5 || len(s) == 6 {
		if allDigits(s) {
			return s[:3] + "-" + s[3:]
		}
	}
	if len(s) >= 6 && len(s) <= 7 && allDigits(s[:3]) && strings.ContainsRune(".- ", rune(s[3])) && allDigits(s[4:]) {
		return s[:3] + "-" + s[4:]
	}
	return ""
}

// plmnFromCGI takes MCC and MNC from a cell global id "604.01.1234.5678"
// (or with dashes); "" when it does not start that way.
func plmnFromCGI(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' })
	if len(parts) >= 2 && len(parts[0]) == 3 && allDigits(parts[0]) && (len(parts[1]) == 2 || len(parts[1]) == 3) && allDigits(parts[1]) {
		return parts[0] + "-" + parts[1]
	}
	return ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normTech maps the radio names apps write to 2G..5G; anything else is
// returned as it is, for the validator to reject by name.
func normTech(s string) string {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch u {
	case "2G", "GSM", "GPRS", "EDGE", "EGPRS":
		return "2G"
	case "3G", "UMTS", "WCDMA", "HSPA", "HSPA+", "HSPAP", "HSDPA", "HSUPA", "DC-HSPA+", "TD-SCDMA", "TDSCDMA":
		return "3G"
	case "4G", "4G+", "LTE", "LTE+", "LTE-A", "LTE_CA", "LTE-CA", "LTE CA":
		return "4G"
	case "5G", "NR", "5G NSA", "5G SA", "NR NSA", "NR SA", "NR_NSA", "NR_SA", "5G-NSA", "5G-SA":
		return "5G"
	}
	return s
}

// kbitToMbit converts G-NetTrack's kbit/s to Mbit/s. 0 means no traffic
// during the sample (the log's rate is the phone's throughput, not a speed
// test), so it is absent, not a measured zero. A value that is not a
// number is passed on for the validator to report.
func kbitToMbit(s string) string {
	if s == "" {
		return ""
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f/1000, 'f', -1, 64)
}

// headerIndex finds a file's columns by case-insensitive name.
type headerIndex struct {
	names []string       // as written, trimmed
	idx   map[string]int // lower-case name -> position
	dup   string
}

func newHeaderIndex(fields []string) (headerIndex, error) {
	h := headerIndex{idx: map[string]int{}}
	for i, f := range fields {
		f = strings.TrimSpace(strings.TrimPrefix(f, "\ufeff"))
		h.names = append(h.names, f)
		k := strings.ToLower(f)
		if k == "" {
			continue
		}
		if _, dup := h.idx[k]; dup {
			h.dup = f
			return h, fmt.Errorf("column %q appears twice in the header", f)
		}
		h.idx[k] = i
	}
	return h, nil
}

// find is the position of the first of names present, -1 if none is.
func (h headerIndex) find(names ...string) int {
	for _, n := range names {
		if i, ok := h.idx[strings.ToLower(n)]; ok {
			return i
		}
	}
	return -1
}

func (h headerIndex) name(i int) string {
	if i < 0 || i >= len(h.names) {
		return ""
	}
	return h.names[i]
}

// list is the header for messages, cut after 40 columns.
func (h headerIndex) list() string {
	n := h.names
	more := ""
	if len(n) > 40 {
		more = fmt.Sprintf(", … (%d columns)", len(n))
		n = n[:40]
	}
	return strings.Join(n, ", ") + more
}

// columnNames answers RowSource.Column: the file's name for a canonical
// column, which for some columns depends on where the row last returned
// by Next took its value (Operator or CGI, say). ReadRows validates each
// row before it asks for the next, so that is the row being reported.
type columnNames struct {
	base map[string]string
	row  map[string]string
}

func (c *columnNames) reset() { clear(c.row) }

func (c *columnNames) use(canon, name string) {
	if name == "" {
		return
	}
	if c.row == nil {
		c.row = map[string]string{}
	}
	c.row[canon] = name
}

func (c *columnNames) get(canon string) string {
	if n := c.row[canon]; n != "" {
		return n
	}
	if n := c.base[canon]; n != "" {
		return n
	}
	return canon
}

// maxLineBytes bounds one line of a line-based format.
const maxLineBytes = 1 << 20

// lineReader yields the lines of a text file without their line ends
// (LF or CRLF), numbered from 1, with the UTF-8 BOM removed and lines
// longer than maxLineBytes skipped (tooLong) rather than buffered.
type lineReader struct {
	br   *bufio.Reader
	line int
	n    int64 // bytes consumed
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

func (l *lineReader) next() (text string, line int, tooLong bool, err error) {
	l.buf = l.buf[:0]
	read := false
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.n += int64(len(chunk))
		read = read || len(chunk) > 0
		if !tooLong {
			if len(l.buf)+len(chunk) > maxLineBytes+2 {
				tooLong = true
				l.buf = l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			if !read {
				return "", l.line, false, io.EOF
			}
			break
		}
		if err != nil {
			return "", l.line, false, err
		}
		break
	}
	l.line++
	b := bytes.TrimSuffix(l.buf, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if l.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
	}
	return string(b), l.line, tooLong, nil
}

// splitFields splits one line on sep. A field that starts with a double
// quote runs to the closing quote ("" inside is a quote) and must end
// there; quotes inside an unquoted field are kept as they are. Quoted
// fields cannot span lines.
func splitFields(line string, sep byte) ([]string, error) {
	if strings.IndexByte(line, '"') < 0 {
		return strings.Split(line, string(sep)), nil
	}
	var out []string
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			var b strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(line[j:], '"')
				if k < 0 {
					return nil, fmt.Errorf("field %d opens a quote at byte %d that is not closed on the line", len(out)+1, i+1)
				}
				b.WriteString(line[j : j+k])
				j += k + 1
				if j < len(line) && line[j] == '"' {
					b.WriteByte('"')
					j++
					continue
				}
				break
			}
			out = append(out, b.String())
			if j == len(line) {
				return out, nil
			}
			if line[j] != sep {
				return nil, fmt.Errorf("field %d has %q after its closing quote; expected the separator", len(out), line[j])
			}
			i = j + 1
			continue
		}
		k := strings.IndexByte(line[i:], sep)
		if k < 0 {
			return append(out, line[i:]), nil
		}
		out = append(out, line[i:i+k])
		i += k + 1
	}
}
