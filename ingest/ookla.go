package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
)

// Ookla-style speed-test tiles ("Speedtest by Ookla open data", CSV or
// Parquet): one row per zoom-16 web-mercator tile, keyed by its Bing
// quadkey, with the mean download, upload and latency of the tests run
// in it over a quarter and how many tests and devices those were.
//
// The rows are aggregates of many tests, not measurements: they fill the
// feature layer data.LayerSpeedTiles (one feature per tile, ID = the
// quadkey) and are never stored as measurement rows, which would count a
// tile of 500 tests as one sample and a tile of one test the same.
//
// Geometry: the tile of the quadkey (an exterior ring counter-clockwise,
// as GeoJSON wants). A WKT tile column, when the file has one, must be
// that tile to within TileTolerance degrees (E_TILE_MISMATCH); it is
// checked, not stored, so a tile has the same geometry whatever file it
// came from.
//
// Lines: for CSV the physical line (header = 1); for Parquet, which has
// no lines, Line = row number + 1, so the first row is line 2 as it would
// be in the same table written as CSV with its header.
var ooklaColumns = []string{"quadkey", "tile", "tile_x", "tile_y", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms",
	"avg_lat_down_ms", "avg_lat_up_ms", "tests", "devices"}

// Indexes into ooklaColumns.
const (
	okQuadkey = iota
	okTile
	okTileX
	okTileY
	okDL
	okUL
	okLat
	okLatDown
	okLatUp
	okTests
	okDevices
	okColumns
)

var ooklaRequired = []int{okQuadkey, okDL, okUL, okLat, okTests, okDevices}

// Plausibility bounds of the tile means.
const (
	ooklaMaxKbps      = 10_000_000 // 10,000 Mbit/s
	ooklaMaxLatencyMs = 60_000
	ooklaMaxZoom      = 24
	// TileTolerance is how far (in degrees) a WKT tile's corners may be
	// from those of its quadkey's tile.
	TileTolerance = 1e-6
)

func init() {
	RegisterLayer(LayerFormat{Name: "ookla-tiles-csv", Title: "Ookla-style speed-test tiles (CSV)", Layer: data.LayerSpeedTiles, Priority: 31,
		Detect: func(head []byte) bool { _, ok := ooklaDelimiter(head); return ok },
		Read:   readOoklaCSV})
	RegisterLayer(LayerFormat{Name: "ookla-tiles-parquet", Title: "Ookla-style speed-test tiles (Parquet)", Layer: data.LayerSpeedTiles, Priority: 10,
		Detect: func(head []byte) bool { return bytes.HasPrefix(head, []byte("PAR1")) },
		ReadAt: readOoklaParquet})
}

// ooklaDelimiter finds the delimiter (comma, semicolon or tab) that splits
// the first line into a header naming quadkey and avg_d_kbps.
func ooklaDelimiter(head []byte) (rune, bool) {
	first, _, _ := bytes.Cut(bytes.TrimPrefix(head, []byte("\ufeff")), []byte("\n"))
	for _, d := range []string{",", ";", "\t"} {
		var q, dl bool
		for _, f := range strings.Split(string(first), d) {
			switch strings.ToLower(strings.Trim(f, " \r\"'")) {
			case "quadkey":
				q = true
			case "avg_d_kbps":
				dl = true
			}
		}
		if q && dl {
			return rune(d[0]), true
		}
	}
	return ',', false
}

// ooklaCell is one value of a row: text (CSV, Parquet strings) or a number
// (Parquet numeric columns); ok is false when it is empty or null.
type ooklaCell struct {
	s   string
	n   float64
	num bool
	ok  bool
}

func (c ooklaCell) String() string {
	if c.num {
		return strconv.FormatFloat(c.n, 'g', -1, 64)
	}
	return c.s
}

// ooklaReader validates rows, whatever file they come from.
type ooklaReader struct {
	name string
	opt  CSVOptions
	rep  *Report
	v    rowValidator
	has  [okColumns]bool
	seen map[string]int // accepted quadkey -> line
	out  []data.Feature
}

// header maps the file's column names (any case) to ooklaColumns: pos[i]
// is the file's index of column i, or -1. It warns about unknown columns
// and fails on missing required ones.
func (o *ooklaReader) header(names []string) (pos [okColumns]int, err error) {
	for i := range pos {
		pos[i] = -1
	}
	src := namedColumns{}
	seen := map[string]bool{}
	for j, h := range names {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		l := strings.ToLower(h)
		if seen[l] {
			return pos, &FormatError{File: o.name, Line: 1, Column: h, Message: fmt.Sprintf("column %q appears twice in the header", h)}
		}
		seen[l] = true
		i := ooklaIndex(l)
		if i < 0 {
			o.rep.add(Problem{File: o.name, Line: 1, Column: h, Value: truncate(h), Code: "W_UNKNOWN_COLUMN", Severity: SevWarning,
				Message: fmt.Sprintf("unknown column %q is ignored; known columns are %s", h, strings.Join(ooklaColumns, ", "))})
			continue
		}
		pos[i] = j
		o.has[i] = true
		src[ooklaColumns[i]] = h
	}
	for _, i := range ooklaRequired {
		if pos[i] < 0 {
			return pos, &FormatError{File: o.name, Line: 1, Column: ooklaColumns[i], Message: fmt.Sprintf(
				"required column %q is missing; expected the Ookla tile columns quadkey, avg_d_kbps, avg_u_kbps, avg_lat_ms, tests, devices (tile optional), found %s",
				ooklaColumns[i], strings.Join(names, ","))}
		}
	}
	o.v = rowValidator{file: o.name, opt: o.opt, src: src, rep: o.rep}
	o.seen = map[string]int{}
	return pos, nil
}

func ooklaIndex(col string) int {
	for i, c := range ooklaColumns {
		if c == col {
			return i
		}
	}
	return -1
}

// row validates one row; accepted tiles are appended to o.out.
func (o *ooklaReader) row(line int, c *[okColumns]ooklaCell) {
	o.rep.Rows++
	v := &o.v
	v.bad, v.line = false, line
	col := func(i int) string { return ooklaColumns[i] }

	qk := strings.TrimSpace(c[okQuadkey].s)
	tile, qkOK := parseQuadkey(qk)
	switch {
	case qk == "":
		v.fail(col(okQuadkey), "", "E_REQUIRED", "quadkey is empty; expected the tile's quadkey, 16 digits 0-3 for Ookla tiles")
	case !qkOK:
		v.fail(col(okQuadkey), qk, "E_QUADKEY", fmt.Sprintf("%q is not a quadkey; expected 1 to %d digits 0-3 (16 for Ookla tiles)", qk, ooklaMaxZoom))
	}
	num := func(i int, required bool) (float64, bool) {
		if !c[i].ok {
			if required {
				v.fail(col(i), "", "E_REQUIRED", col(i)+" is empty; a value is required")
			}
			return 0, false
		}
		if c[i].num {
			if math.IsNaN(c[i].n) || math.IsInf(c[i].n, 0) {
				v.fail(col(i), c[i].String(), "E_NUMBER", fmt.Sprintf("%s is not a number", c[i]))
				return 0, false
			}
			return c[i].n, true
		}
		return v.number(col(i), strings.TrimSpace(c[i].s), required)
	}
	ranged := func(i int, required bool, hi float64, unit string) (float64, bool) {
		f, ok := num(i, required)
		if ok && (f < 0 || f > hi) {
			v.fail(col(i), c[i].String(), "E_RANGE", fmt.Sprintf("%s %s is outside the plausible range [0, %g] %s", col(i), c[i], hi, unit))
			return 0, false
		}
		return f, ok
	}
	count := func(i int) (float64, bool) {
		f, ok := num(i, true)
		if ok && (f < 1 || f != math.Trunc(f) || f > 1e15) {
			v.fail(col(i), c[i].String(), "E_RANGE", fmt.Sprintf("%s %s is not a whole number of at least 1", col(i), c[i]))
			return 0, false
		}
		return f, ok
	}
	dl, _ := ranged(okDL, true, ooklaMaxKbps, "kbps (10,000 Mbit/s)")
	ul, _ := ranged(okUL, true, ooklaMaxKbps, "kbps (10,000 Mbit/s)")
	lat, _ := ranged(okLat, true, ooklaMaxLatencyMs, "ms")
	latDown, hasDown := ranged(okLatDown, false, ooklaMaxLatencyMs, "ms")
	latUp, hasUp := ranged(okLatUp, false, ooklaMaxLatencyMs, "ms")
	tileX, hasX := num(okTileX, false)
	tileY, hasY := num(okTileY, false)
	tests, testsOK := count(okTests)
	devices, devicesOK := count(okDevices)
	if testsOK && devicesOK && devices > tests {
		v.fail(col(okDevices), c[okDevices].String(), "E_DEVICES", fmt.Sprintf("devices %s is more than tests %s; every device counted ran at least one test", c[okDevices], c[okTests]))
	}

	if qkOK {
		b := tile.Bound()
		if s := strings.TrimSpace(c[okTile].s); c[okTile].ok && s != "" {
			o.checkTile(s, qk, b)
		}
		if ctr := b.Center(); o.opt.Inside != nil && !o.opt.Inside(ctr) {
			msg := fmt.Sprintf("the centre of tile %s (lat %.5f, lon %.5f) is outside the country", qk, ctr[1], ctr[0])
			if t0, ok := parseQuadkey("0" + qk); ok && len(qk) == 15 && o.opt.Inside(t0.Bound().Center()) {
				msg += "; with a leading 0 (lost by a spreadsheet?) it would be inside"
			}
			v.fail(col(okQuadkey), qk, "E_OUTSIDE_COUNTRY", msg)
		}
	}
	if v.bad {
		o.rep.Rejected++
		return
	}
	if first, dup := o.seen[qk]; dup {
		o.rep.Rejected++
		o.rep.add(Problem{File: o.name, Line: line, Column: v.src.Column(col(okQuadkey)), Value: qk, Code: "E_DUPLICATE_ROW", Severity: SevError,
			Message: fmt.Sprintf("tile %s was already given at line %d; a tile appears once per file, the first is kept", qk, first)})
		return
	}
	o.seen[qk] = line
	props := map[string]any{"dl_mbps": dl / 1000, "ul_mbps": ul / 1000, "latency_ms": lat,
		"tests": tests, "devices": devices, "zoom": float64(len(qk))}
	if hasDown {
		props["latency_down_ms"] = latDown
	}
	if hasUp {
		props["latency_up_ms"] = latUp
	}
	if hasX {
		props["tile_x"] = tileX
	}
	if hasY {
		props["tile_y"] = tileY
	}
	if o.opt.Operator != "" {
		props["operator"] = o.opt.Operator
	}
	o.out = append(o.out, data.Feature{Layer: data.LayerSpeedTiles, ID: qk, Props: props, Geom: tile.Bound().ToPolygon()})
	o.rep.Accepted++
}

// checkTile fails the row unless the WKT s is the polygon of tile bound b.
func (o *ooklaReader) checkTile(s, qk string, b orb.Bound) {
	v := &o.v
	g, err := wkt.Unmarshal(s)
	p, isPoly := g.(orb.Polygon)
	if err != nil || !isPoly || len(p) == 0 {
		what := "not a WKT POLYGON"
		if err == nil && !isPoly {
			what = "a WKT " + g.GeoJSONType() + ", not a POLYGON"
		} else if err == nil {
			what = "an empty POLYGON"
		}
		v.fail("tile", s, "E_WKT", fmt.Sprintf("tile is %s; expected the tile's outline, such as POLYGON((lon lat, lon lat, ...))", what))
		return
	}
	if tileMatches(p, b) {
		return
	}
	got := p.Bound()
	msg := fmt.Sprintf("tile polygon (lon %.7f..%.7f, lat %.7f..%.7f, %d rings, %d points) is not the tile of quadkey %s: expected the rectangle lon %.7f..%.7f, lat %.7f..%.7f (to %g degrees)",
		got.Min[0], got.Max[0], got.Min[1], got.Max[1], len(p), len(p[0]), qk, b.Min[0], b.Max[0], b.Min[1], b.Max[1], TileTolerance)
	if t0, ok := parseQuadkey("0" + qk); ok && len(qk) == 15 && tileMatches(p, t0.Bound()) {
		msg += "; the quadkey with a leading 0 (lost by a spreadsheet?) matches"
	}
	v.fail("tile", s, "E_TILE_MISMATCH", msg)
}

// tileMatches says whether p is the rectangle b: one ring of its four
// corners (closed or not, any start and direction), to TileTolerance.
func tileMatches(p orb.Polygon, b orb.Bound) bool {
	if len(p) != 1 {
		return false
	}
	r := p[0]
	near := func(a, b orb.Point) bool {
		return math.Abs(a[0]-b[0]) <= TileTolerance && math.Abs(a[1]-b[1]) <= TileTolerance
	}
	if len(r) == 5 && near(r[0], r[4]) {
		r = r[:4]
	}
	if len(r) != 4 {
		return false
	}
	corners := [4]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}}
	var found [4]bool
	for _, pt := range r {
		matched := false
		for i, c := range corners {
			if !found[i] && near(pt, c) {
				found[i], matched = true, true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

// parseQuadkey returns the tile of a Bing quadkey (digits 0-3, one per
// zoom level, the first the coarsest).
func parseQuadkey(s string) (maptile.Tile, bool) {
	if len(s) == 0 || len(s) > ooklaMaxZoom {
		return maptile.Tile{}, false
	}
	var k uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 3 {
			return maptile.Tile{}, false
		}
		k = k<<2 | uint64(d)
	}
	return maptile.FromQuadkey(k, maptile.Zoom(len(s))), true
}

func readOoklaCSV(r io.Reader, name string, opt CSVOptions, rep *Report) ([]data.Feature, error) {
	br := bufio.NewReaderSize(r, DetectBytes)
	head, _ := br.Peek(DetectBytes)
	delim, _ := ooklaDelimiter(head)
	if bytes.HasPrefix(head, []byte("\ufeff")) {
		br.Discard(3) // before a quoted first name, the BOM is a bare quote
	}
	rd := csv.NewReader(br)
	rd.Comma = delim
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	header, err := rd.Read()
	if err != nil {
		return nil, &FormatError{File: name, Line: 1, Message: "cannot read the header: " + errString(err)}
	}
	o := &ooklaReader{name: name, opt: opt, rep: rep}
	pos, err := o.header(header)
	if err != nil {
		return nil, err
	}
	var cells [okColumns]ooklaCell
	for n := 0; ; n++ {
		if n%4096 == 0 && opt.Context != nil {
			if err := opt.Context.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if rep.quoteError(name, err) {
				continue
			}
			var pe *csv.ParseError
			errors.As(err, &pe)
			line := 0
			if pe != nil {
				line = pe.Line
			}
			return nil, &FormatError{File: name, Line: line, Message: errString(err)}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of blanks
		}
		line, _ := rd.FieldPos(0)
		for i, j := range pos {
			cells[i] = ooklaCell{}
			if j >= 0 && j < len(rec) {
				cells[i] = ooklaCell{s: rec[j], ok: strings.TrimSpace(rec[j]) != ""}
			}
		}
		o.row(line, &cells)
	}
	return o.out, nil
}
