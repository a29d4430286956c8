package vector

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// dbfReader reads a Shapefile's .dbf attribute table row by row. It is
// read here rather than through go-shp, whose reader trusts the header
// (a header length under 33 panics) and makes a system call per cell.
type dbfReader struct {
	f        *os.File
	r        *bufio.Reader
	name     string
	fields   []dbfField
	records  int
	read     int
	row      []byte
	fallback *charmap.Charmap // for text that is not UTF-8
}

type dbfField struct {
	name      string
	typ       byte
	off, size int
}

// openDBF opens a .dbf; cpg is the content of the .cpg file, if any.
func openDBF(path, name, cpg string) (*dbfReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	d := &dbfReader{f: f, name: name, fallback: charmap.Windows1252}
	if strings.Contains(cpg, "1256") {
		d.fallback = charmap.Windows1256
	}
	if err := d.header(); err != nil {
		f.Close()
		return nil, err
	}
	return d, nil
}

func (d *dbfReader) header() error {
	bad := func(format string, args ...any) error {
		return fileError(d.name, CodeFormat, "expected a dBase attribute table (.dbf), found "+format, args...)
	}
	br := bufio.NewReaderSize(d.f, 64<<10)
	var h [32]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return bad("a file of under 32 bytes")
	}
	d.records = int(binary.LittleEndian.Uint32(h[4:]))
	headerLen := int(binary.LittleEndian.Uint16(h[8:]))
	recLen := int(binary.LittleEndian.Uint16(h[10:]))
	if headerLen < 33 || recLen < 1 {
		return bad("a header of %d bytes and records of %d bytes", headerLen, recLen)
	}
	desc := make([]byte, headerLen-32)
	if _, err := io.ReadFull(br, desc); err != nil {
		return bad("a header cut short")
	}
	off := 1 // the deletion flag
	seen := map[string]bool{}
	for i := 0; i+32 <= len(desc) && desc[i] != 0x0D; i += 32 {
		fd := desc[i : i+32]
		raw, _, _ := bytes.Cut(fd[:11], []byte{0})
		field := dbfField{name: strings.TrimSpace(d.text(raw)), typ: fd[11], off: off, size: int(fd[16])}
		if field.name == "" {
			field.name = fmt.Sprintf("field %d", len(d.fields)+1)
		}
		for base, n := field.name, 2; seen[field.name]; n++ {
			field.name = fmt.Sprintf("%s_%d", base, n)
		}
		seen[field.name] = true
		off += field.size
		d.fields = append(d.fields, field)
	}
	if off > recLen {
		return bad("fields of %d bytes in records of %d", off, recLen)
	}
	d.row = make([]byte, recLen)
	d.r = br
	return nil
}

func (d *dbfReader) Close() error { return d.f.Close() }

// next reads the next row; deleted says it is marked deleted. io.EOF
// comes after the declared number of records or at the end marker.
func (d *dbfReader) next() (props map[string]any, deleted bool, err error) {
	if d.read >= d.records {
		return nil, false, io.EOF
	}
	if _, err := io.ReadFull(d.r, d.row); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, false, io.EOF
		}
		return nil, false, err
	}
	d.read++
	switch d.row[0] {
	case 0x1A:
		return nil, false, io.EOF
	case '*':
		return nil, true, nil
	}
	props = make(map[string]any, len(d.fields))
	for _, f := range d.fields {
		props[f.name] = d.value(f, d.row[f.off:f.off+f.size])
	}
	return props, false, nil
}

// value maps a cell to a property: numbers to float64 (nil when blank or
// overflowed as ****), logicals to bool (nil when unknown), dates
// YYYYMMDD to "YYYY-MM-DD", text trimmed of padding.
func (d *dbfReader) value(f dbfField, b []byte) any {
	switch f.typ {
	case 'N', 'F':
		s := strings.TrimSpace(strings.Trim(string(b), "\x00"))
		if s == "" || strings.Trim(s, "*") == "" {
			return nil
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return finite(v)
		}
		return d.text([]byte(s))
	case 'L':
		switch s := strings.TrimSpace(string(b)); s {
		case "T", "t", "Y", "y":
			return true
		case "F", "f", "N", "n":
			return false
		}
		return nil
	case 'D':
		s := strings.TrimSpace(strings.Trim(string(b), "\x00"))
		if s == "" {
			return nil
		}
		if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
			return s[:4] + "-" + s[4:6] + "-" + s[6:]
		}
		return d.text([]byte(s))
	case 'I', '+':
		if len(b) == 4 {
			return float64(int32(binary.LittleEndian.Uint32(b)))
		}
	case 'O':
		if len(b) == 8 {
			return finite(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	}
	return d.text(bytes.TrimRight(b, " \x00"))
}

// text decodes dBase text: UTF-8 when valid, else the .cpg's Windows-1256
// or else Windows-1252.
func (d *dbfReader) text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := d.fallback.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// finite returns v, or nil for NaN and infinities, which JSON cannot hold.
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
