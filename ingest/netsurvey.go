package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// Network Survey (craxiom, open-source Android app) logs one CSV file per
// technology (craxiom-lte-….csv, craxiom-nr-…, -umts-, -gsm-), written by
// Apache Commons CSV: '#' comment lines ("# Created by Network Survey …",
// "# CSV Version=…") before the header, comma-separated, CRLF, empty
// fields for missing values. The technology is the file's: LTE files have
// eci/earfcn/rsrp, NR files nci/narfcn/ssRsrp, UMTS uarfcn/psc/rscp, GSM
// arfcn/bsic/signalStrength. mcc and mnc are written as integers, so an
// MNC's leading zero is lost ("1" for 01): one-digit MNCs are padded to
// two, which is right for Morocco's two-digit MNCs; a three-digit MNC that
// lost its zeros cannot be recovered. Rows with servingCell=false describe
// neighbour cells, not the phone's own link: they are skipped and counted
// in one warning.

func init() {
	Register(Format{Name: "network-survey-csv", Title: "Network Survey (craxiom) cellular CSV log", Priority: 21,
		Detect: detectNetSurvey,
		Open: func(r io.Reader, name string, opt CSVOptions, rep *Report) (RowSource, error) {
			return openNetSurvey(r, name, rep)
		}})
}

// detectNetSurvey: after any '#' comment or blank lines, a comma-separated
// header naming deviceTime, latitude and longitude.
func detectNetSurvey(head []byte) bool {
	for len(head) > 0 {
		var line []byte
		line, head, _ = bytes.Cut(head, []byte("\n"))
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		cols := headerSet(string(line), ',')
		return cols["devicetime"] && cols["latitude"] && cols["longitude"]
	}
	return false
}

// netSurveyTech is one technology's Network Survey columns.
type netSurveyTech struct {
	tech               string
	marks              []string // any of these columns makes a file this technology's
	signal, rsrq, sinr []string // by preference
}

var netSurveyTechs = []netSurveyTech{
	{tech: "5G", marks: []string{"nci", "narfcn", "ssRsrp"}, signal: []string{"ssRsrp", "csiRsrp"}, rsrq: []string{"ssRsrq", "csiRsrq"}, sinr: []string{"ssSinr", "csiSinr"}},
	{tech: "4G", marks: []string{"eci", "earfcn", "rsrp"}, signal: []string{"rsrp"}, rsrq: []string{"rsrq"}, sinr: []string{"snr"}},
	{tech: "3G", marks: []string{"uarfcn", "psc", "rscp"}, signal: []string{"rscp"}},
	{tech: "2G", marks: []string{"bsic", "arfcn"}, signal: []string{"signalStrength"}},
}

type netSurveySource struct {
	lr     *lineReader
	name   string
	header string // skipped when repeated
	rep    *Report
	hdr    headerIndex
	cols   columnNames
	tech   string

	ts, lat, lon, acc, mcc, mnc, serving, device int
	signal, rsrq, sinr                           []int

	neighbours int64
	firstNb    int
}

func openNetSurvey(r io.Reader, name string, rep *Report) (RowSource, error) {
	lr := newLineReader(r)
	var line string
	var n int
	for {
		var tooLong bool
		var err error
		line, n, tooLong, err = lr.next()
		if err == io.EOF {
			return nil, &FormatError{File: name, Message: "the file has no header; expected '#' comment lines, then a header naming deviceTime, latitude, longitude, mcc, mnc, …"}
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if tooLong {
			return nil, &FormatError{File: name, Line: n, Message: fmt.Sprintf("line is longer than %d bytes; expected a Network Survey header", maxLineBytes)}
		}
		if t := strings.TrimSpace(line); t != "" && t[0] != '#' {
			break
		}
	}
	fields, err := splitFields(line, ',')
	if err != nil {
		return nil, &FormatError{File: name, Line: n, Message: "cannot read the header: " + err.Error()}
	}
	hdr, err := newHeaderIndex(fields)
	if err != nil {
		return nil, &FormatError{File: name, Line: n, Column: hdr.dup, Message: err.Error()}
	}
	var tech *netSurveyTech
	for i := range netSurveyTechs {
		if hdr.find(netSurveyTechs[i].marks...) >= 0 {
			tech = &netSurveyTechs[i]
			break
		}
	}
	if tech == nil {
		what := "no cellular column"
		if hdr.find("sid", "nid", "bsid", "ecio") >= 0 {
			what = "the columns of a CDMA log, a technology Taghtia does not classify"
		}
		return nil, &FormatError{File: name, Line: n, Message: fmt.Sprintf(
			"this Network Survey file has %s; expected an LTE (rsrp, eci), NR (ssRsrp, nci), UMTS (rscp, uarfcn) or GSM (signalStrength, arfcn) log; found %s", what, hdr.list())}
	}
	s := &netSurveySource{lr: lr, name: name, header: line, rep: rep, hdr: hdr, tech: tech.tech,
		ts: hdr.find("deviceTime"), lat: hdr.find("latitude"), lon: hdr.find("longitude"), acc: hdr.find("accuracy"),
		mcc: hdr.find("mcc"), mnc: hdr.find("mnc"), serving: hdr.find("servingCell"),
		device: hdr.find("deviceSerialNumber", "deviceId"),
	}
	for _, c := range tech.signal {
		if i := hdr.find(c); i >= 0 {
			s.signal = append(s.signal, i)
		}
	}
	for _, c := range tech.rsrq {
		if i := hdr.find(c); i >= 0 {
			s.rsrq = append(s.rsrq, i)
		}
	}
	for _, c := range tech.sinr {
		if i := hdr.find(c); i >= 0 {
			s.sinr = append(s.sinr, i)
		}
	}
	var missing []string
	for _, c := range []struct {
		name string
		i    int
	}{{"deviceTime", s.ts}, {"latitude", s.lat}, {"longitude", s.lon}, {"mcc", s.mcc}, {"mnc", s.mnc}} {
		if c.i < 0 {
			missing = append(missing, c.name)
		}
	}
	if len(s.signal) == 0 {
		missing = append(missing, strings.Join(tech.signal, " or "))
	}
	if len(missing) > 0 {
		return nil, &FormatError{File: name, Line: n, Column: missing[0], Message: fmt.Sprintf(
			"the Network Survey %s header lacks %s; expected deviceTime, latitude, longitude, mcc, mnc and %s; found %s",
			tech.tech, strings.Join(missing, ", "), strings.Join(tech.signal, " or "), hdr.list())}
	}
	s.cols = columnNames{base: map[string]string{
		"time": hdr.name(s.ts), "lat": hdr.name(s.lat), "lon": hdr.name(s.lon), "accuracy_m": hdr.name(s.acc),
		"mcc_mnc": hdr.name(s.mcc), "signal_dbm": hdr.name(s.signal[0]), "device": hdr.name(s.device),
	}}
	if len(s.rsrq) > 0 {
		s.cols.base["rsrq_db"] = hdr.name(s.rsrq[0])
	}
	if len(s.sinr) > 0 {
		s.cols.base["sinr_db"] = hdr.name(s.sinr[0])
	}
	return s, nil
}

func (s *netSurveySource) Column(canon string) string { return s.cols.get(canon) }
func (s *netSurveySource) Bytes() int64               { return s.lr.n }

func (s *netSurveySource) Next() (Row, error) {
	for {
		line, n, tooLong, err := s.lr.next()
		if err != nil {
			if err == io.EOF {
				s.warnNeighbours()
				return Row{}, io.EOF
			}
			return Row{}, fmt.Errorf("read %s: %w", s.name, err)
		}
		if tooLong {
			return Row{}, &RowError{Line: n, Code: "E_LINE_TOO_LONG", Message: fmt.Sprintf("the line is longer than %d bytes; expected one Network Survey record per line", maxLineBytes)}
		}
		if t := strings.TrimSpace(line); t == "" || t[0] == '#' || line == s.header {
			continue
		}
		rec, err := splitFields(line, ',')
		if err != nil {
			return Row{}, &RowError{Line: n, Code: "E_CSV_SYNTAX", Message: "cannot parse the row: " + err.Error()}
		}
		if len(rec) != len(s.hdr.names) {
			return Row{}, &RowError{Line: n, Code: "E_FIELD_COUNT", Message: fmt.Sprintf(
				"the row has %d fields but the header %d; a value with an unquoted comma (a decimal comma?) shifts the columns", len(rec), len(s.hdr.names))}
		}
		get := func(i int) string { return fieldAt(rec, i, "") }
		if strings.EqualFold(get(s.serving), "false") {
			if s.neighbours == 0 {
				s.firstNb = n
			}
			s.neighbours++
			continue
		}
		s.cols.reset()
		row := NewRow(n)
		row.Set("time", isoTime(get(s.ts)))
		row.Set("lat", get(s.lat))
		row.Set("lon", get(s.lon))
		row.Set("accuracy_m", get(s.acc))

		mcc, mnc := get(s.mcc), get(s.mnc)
		if len(mnc) == 1 && allDigits(mnc) {
			mnc = "0" + mnc // written as an integer: 01 became 1
		}
		if mcc != "" || mnc != "" {
			row.Set("mcc_mnc", mcc+"-"+mnc)
			if mnc == "" || (len(mcc) == 3 && allDigits(mcc) && !allDigits(mnc)) {
				s.cols.use("mcc_mnc", s.hdr.name(s.mnc)) // the MNC is what is wrong
			}
		}
		row.Set("tech", s.tech)
		s.pick(row, rec, "signal_dbm", s.signal)
		s.pick(row, rec, "rsrq_db", s.rsrq)
		s.pick(row, rec, "sinr_db", s.sinr)
		row.Set("env", "vehicle")
		row.Set("source", "drive")
		row.Set("device", get(s.device))
		return row, nil
	}
}

// pick sets canon from the first of the columns cols with a value.
func (s *netSurveySource) pick(row Row, rec []string, canon string, cols []int) {
	for _, i := range cols {
		if v := fieldAt(rec, i, ""); v != "" {
			row.Set(canon, v)
			s.cols.use(canon, s.hdr.name(i))
			return
		}
	}
}

func (s *netSurveySource) warnNeighbours() {
	if s.neighbours == 0 || s.rep == nil {
		return
	}
	s.rep.add(Problem{File: s.name, Line: s.firstNb, Column: s.hdr.name(s.serving), Value: "false", Code: "W_NEIGHBOUR_CELL", Severity: SevWarning,
		Message: fmt.Sprintf("%d neighbour-cell rows (servingCell=false, the first on line %d) were skipped; only the serving cell's measurements are imported", s.neighbours, s.firstNb)})
	s.neighbours = 0
}

// isoTime normalises an ISO 8601 time with an offset written without a
// colon (+0100) to RFC 3339; anything else is passed on as it is for the
// validator to accept or report.
func isoTime(s string) string {
	if s == "" {
		return ""
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return s
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999Z0700", s); err == nil {
		return t.Format(time.RFC3339Nano)
	}
	return s
}
