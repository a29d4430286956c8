package vector

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// Kind is a vector file format, as recognised from a file's content.
type Kind string

// Kinds.
const (
	KindGeoJSON      Kind = "geojson"
	KindGPKG         Kind = "gpkg"
	KindShapefileZip Kind = "shapefile-zip"
	KindCSV          Kind = "csv"
	KindZip          Kind = "zip" // a zip archive of something other than a Shapefile
	KindGzip         Kind = "gzip"
	KindParquet      Kind = "parquet"
	KindUnknown      Kind = "unknown"
)

// SniffBytes is how much of a file's head Sniff wants to see.
const SniffBytes = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Sniff tells a file's kind from its first bytes (ideally SniffBytes of
// them), never from its name: the zip, SQLite, gzip and Parquet magic
// numbers; a JSON object with GeoJSON members; else a delimited text
// header. A zip whose first entry is a part of a Shapefile is
// KindShapefileZip; other zips are KindZip (Open looks at all entries).
func Sniff(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if shapefilePart(firstZipName(head)) {
			return KindShapefileZip
		}
		return KindZip
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return KindGPKG
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return KindGzip
	case bytes.HasPrefix(head, []byte("PAR1")):
		return KindParquet
	}
	text := bytes.TrimPrefix(head, utf8BOM)
	if trimmed := bytes.TrimLeft(text, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		if looksGeoJSON(trimmed) {
			return KindGeoJSON
		}
		return KindUnknown
	}
	if looksDelimited(text) {
		return KindCSV
	}
	return KindUnknown
}

// firstZipName returns the name in the zip local file header at the start
// of head.
func firstZipName(head []byte) string {
	if len(head) < 30 {
		return ""
	}
	n := int(binary.LittleEndian.Uint16(head[26:]))
	if len(head) < 30+n {
		return ""
	}
	return string(head[30 : 30+n])
}

func shapefilePart(name string) bool {
	name = strings.ToLower(name)
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

var geojsonMarks = [][]byte{
	[]byte(`"Feature`), []byte(`"features"`), []byte(`"geometry"`),
	[]byte(`"coordinates"`), []byte(`"geometries"`),
}

func looksGeoJSON(obj []byte) bool {
	for _, m := range geojsonMarks {
		if bytes.Contains(obj, m) {
			return true
		}
	}
	return false
}

// looksDelimited says whether head starts with a line of text holding at
// least two fields separated by a comma, semicolon or tab, or a single
// geometry column name.
func looksDelimited(head []byte) bool {
	line, _, complete := bytes.Cut(head, []byte("\n"))
	if !complete && len(head) >= SniffBytes {
		return false // no header line in the head
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return false
	}
	for i := 0; i < utf8.UTFMax && !complete && len(line) > 0 && !utf8.Valid(line); i++ {
		line = line[:len(line)-1] // a character cut at the end of the head
	}
	if !utf8.Valid(line) {
		return false
	}
	for _, c := range line {
		if c < 0x20 && c != '\t' {
			return false
		}
	}
	if sniffDelimiter(line) != 0 {
		return true
	}
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(line)), `"`)) {
	case "wkt", "geometry", "geom":
		return true
	}
	return false
}

// sniffDelimiter returns the most frequent of , ; and tab outside quotes
// in a header line, or 0 if there is none.
func sniffDelimiter(line []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case ',', ';', '\t':
			if !quoted {
				counts[rune(c)]++
			}
		}
	}
	best, n := rune(0), 0
	for _, d := range []rune{',', ';', '\t'} {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best
}
