package vector

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// csvReader reads a delimited text file with a header row and either
// longitude/latitude columns or a WKT column. The delimiter (comma,
// semicolon or tab) is the most frequent one in the header; with a
// semicolon or tab, a decimal comma is accepted in coordinates. Cells
// other than the geometry columns become string properties.
type csvReader struct {
	cr           *csv.Reader
	closer       io.Closer
	name         string
	header       []string
	lon, lat     int // column indexes, -1 if unused
	wkt          int
	decimalComma bool
}

var (
	lonNames = []string{"lon", "lng", "long", "longitude", "x"}
	latNames = []string{"lat", "latitude", "y"}
	wktNames = []string{"wkt", "geometry", "geom"}
)

func newCSV(r io.ReadCloser, name string, opt Options) (*csvReader, error) {
	br := bufio.NewReaderSize(r, SniffBytes)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	head, _ := br.Peek(SniffBytes)
	line, _, _ := bytes.Cut(head, []byte("\n"))
	delim := sniffDelimiter(line)
	if delim == 0 {
		delim = ','
	}
	c := &csvReader{cr: csv.NewReader(br), closer: r, name: name, lon: -1, lat: -1, wkt: -1, decimalComma: delim != ','}
	c.cr.Comma = delim
	c.cr.FieldsPerRecord = -1
	c.cr.ReuseRecord = true
	rec, err := c.cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fileError(name, CodeFormat, "expected a header row, found an empty file")
		}
		return nil, readError(name, fmt.Errorf("header row: %w", err))
	}
	c.header = uniqueNames(rec)
	if err := c.findColumns(opt); err != nil {
		return nil, err
	}
	return c, nil
}

// uniqueNames trims the header's names and suffixes repeats: x, x_2.
func uniqueNames(rec []string) []string {
	out := make([]string, len(rec))
	seen := map[string]bool{}
	for i, h := range rec {
		h = strings.ToValidUTF8(strings.TrimSpace(h), "\uFFFD")
		if h == "" {
			h = fmt.Sprintf("column %d", i+1)
		}
		name := h
		for n := 2; seen[name]; n++ {
			name = fmt.Sprintf("%s_%d", h, n)
		}
		seen[name] = true
		out[i] = name
	}
	return out
}

func (c *csvReader) findColumns(opt Options) error {
	find := func(want string) (int, error) {
		if i := c.column(want); i >= 0 {
			return i, nil
		}
		return -1, fileError(c.name, CodeFormat, "expected a column %q, found the columns %s", want, c.columns())
	}
	var err error
	switch {
	case opt.WKTColumn != "":
		c.wkt, err = find(opt.WKTColumn)
		return err
	case opt.LonColumn != "" || opt.LatColumn != "":
		if opt.LonColumn == "" || opt.LatColumn == "" {
			return fileError(c.name, CodeFormat, "expected both a longitude and a latitude column to be named, found only one (%q)", opt.LonColumn+opt.LatColumn)
		}
		if c.lon, err = find(opt.LonColumn); err != nil {
			return err
		}
		c.lat, err = find(opt.LatColumn)
		return err
	}
	c.lon, c.lat = c.columnOf(lonNames), c.columnOf(latNames)
	if c.lon >= 0 && c.lat >= 0 {
		return nil
	}
	c.lon, c.lat = -1, -1
	if c.wkt = c.columnOf(wktNames); c.wkt >= 0 {
		return nil
	}
	return fileError(c.name, CodeFormat, "expected longitude and latitude columns (lon, lng, long, longitude or x; lat, latitude or y) "+
		"or a WKT column (wkt, geometry or geom), found the columns %s", c.columns())
}

func (c *csvReader) column(name string) int {
	return slices.IndexFunc(c.header, func(h string) bool { return strings.EqualFold(h, strings.TrimSpace(name)) })
}

func (c *csvReader) columnOf(names []string) int {
	for _, n := range names {
		if i := c.column(n); i >= 0 {
			return i
		}
	}
	return -1
}

func (c *csvReader) columns() string {
	return strings.Join(listSome(c.header, 20), ", ")
}

func (c *csvReader) Kind() Kind   { return KindCSV }
func (c *csvReader) Close() error { return c.closer.Close() }

func (c *csvReader) Next() (Feature, error) {
	rec, err := c.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Feature{}, &Error{File: c.name, Ref: fmt.Sprintf("line %d", pe.StartLine), Line: pe.StartLine, Code: CodeRow,
				Message: fmt.Sprintf("expected delimited fields, found %v at line %d, column %d", pe.Err, pe.Line, pe.Column)}
		}
		if errors.Is(err, io.EOF) {
			return Feature{}, io.EOF
		}
		return Feature{}, readError(c.name, err)
	}
	line, _ := c.cr.FieldPos(0)
	ref := fmt.Sprintf("line %d", line)
	f := Feature{Ref: ref, Line: line, Props: make(map[string]any, len(rec))}
	for i, v := range rec {
		if i == c.lon || i == c.lat || i == c.wkt {
			continue
		}
		key := fmt.Sprintf("column %d", i+1)
		if i < len(c.header) {
			key = c.header[i]
		}
		f.Props[key] = strings.ToValidUTF8(v, "\uFFFD")
	}
	var e *Error
	if c.wkt >= 0 {
		f.Geom, e = c.wktGeometry(rec)
	} else {
		f.Geom, e = c.point(rec)
	}
	if e != nil {
		e.File, e.Ref, e.Line = c.name, ref, line
		return Feature{}, e
	}
	return f, nil
}

func (c *csvReader) point(rec []string) (orb.Geometry, *Error) {
	var p orb.Point
	for k, col := range []int{c.lon, c.lat} {
		what := [2]string{"longitude", "latitude"}[k]
		v := ""
		if col < len(rec) {
			v = strings.TrimSpace(rec[col])
		}
		if v == "" {
			return nil, &Error{Field: c.header[col], Code: CodeCoordinate,
				Message: fmt.Sprintf("expected a %s in column %s, found an empty cell", what, c.header[col])}
		}
		num := v
		if c.decimalComma && !strings.Contains(num, ".") && strings.Count(num, ",") == 1 {
			num = strings.Replace(num, ",", ".", 1)
		}
		x, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return nil, &Error{Field: c.header[col], Value: v, Code: CodeCoordinate,
				Message: fmt.Sprintf("expected a %s in decimal degrees in column %s, found %q", what, c.header[col], v)}
		}
		p[k] = x
	}
	if e := checkPoint(p); e != nil {
		col := c.lat
		if !(p[0] >= -180 && p[0] <= 180) {
			col = c.lon
		}
		e.Field, e.Value = c.header[col], strings.TrimSpace(rec[col])
		return nil, e
	}
	return p, nil
}

var ewktSRID = regexp.MustCompile(`(?i)^SRID=(\d+);`)

func (c *csvReader) wktGeometry(rec []string) (orb.Geometry, *Error) {
	field := c.header[c.wkt]
	if c.wkt >= len(rec) || strings.TrimSpace(rec[c.wkt]) == "" {
		return nil, nil // no geometry
	}
	s := strings.TrimSpace(rec[c.wkt])
	if m := ewktSRID.FindStringSubmatch(s); m != nil {
		if m[1] != "4326" {
			return nil, &Error{Field: field, Value: "SRID=" + m[1], Code: CodeCRS,
				Message: fmt.Sprintf("expected WKT in EPSG:4326, found SRID=%s: reproject the file", m[1])}
		}
		s = s[len(m[0]):]
	}
	if isEmptyWKT(s) {
		return nil, nil
	}
	g, err := wkt.Unmarshal(s)
	if err != nil {
		return nil, &Error{Field: field, Value: shorten(s, 80), Code: CodeGeometry,
			Message: fmt.Sprintf("expected WKT geometry in column %s, found %q (%v)", field, shorten(s, 80), err)}
	}
	if e := checkGeometry(g); e != nil {
		e.Field = field
		return nil, e
	}
	return g, nil
}

// isEmptyWKT says whether s is an EMPTY geometry, which orb would read as
// a point at 0, 0.
func isEmptyWKT(s string) bool {
	u := strings.ToUpper(s)
	return strings.HasSuffix(u, " EMPTY") && !strings.Contains(u, "(")
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
