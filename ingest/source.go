package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/taghtia/taghtia/data"
)

// Row is one record of a measurement file, in canonical terms.
type Row struct {
	Line   int      // line, record or feature number in the file, for messages
	Fields []string // values by CanonicalColumns position; "" = absent
}

// RowSource yields the rows of one measurement file, already translated
// to the canonical columns and units (times RFC 3339 with offset, speeds
// Mbit/s, signal dBm…). ReadRows validates them all the same way.
type RowSource interface {
	// Next returns the next row; io.EOF at the end. A *RowError is a row
	// the source could not read at all: it is reported and reading goes
	// on. Any other error stops the file.
	Next() (Row, error)
	// Column is the file's own name for a canonical column, used in the
	// problems reported (e.g. "Level" for signal_dbm in G-NetTrack).
	Column(canon string) string
	// Bytes is how much of the input has been consumed (progress).
	Bytes() int64
}

// RowError is one row a source could not read.
type RowError struct {
	Line    int
	Column  string
	Value   string
	Code    string
	Message string
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s [%s]", e.Line, e.Message, e.Code) }

var canonicalPos = func() map[string]int {
	m := map[string]int{}
	for i, c := range CanonicalColumns {
		m[c] = i
	}
	return m
}()

// canonicalIndex is the position of a canonical column, -1 if unknown.
func canonicalIndex(c string) int {
	if i, ok := canonicalPos[c]; ok {
		return i
	}
	return -1
}

// NewRow returns an empty row of line with every canonical field absent;
// Set fills it.
func NewRow(line int) Row { return Row{Line: line, Fields: make([]string, len(CanonicalColumns))} }

// Set sets a canonical field; it panics on a name that is not one.
func (r Row) Set(canon, value string) {
	i := canonicalIndex(canon)
	if i < 0 {
		panic("ingest: no canonical column " + canon)
	}
	r.Fields[i] = value
}

// Format is one file format Taghtia reads measurements from.
type Format struct {
	Name  string // stored with the upload: canonical-csv, fcc-bdc-json…
	Title string // for humans
	// Priority orders detection: lower first; the canonical CSV is 100.
	Priority int
	// Detect says, from the first bytes of a file (up to DetectBytes,
	// UTF-8, BOM removed), whether it is in this format.
	Detect func(head []byte) bool
	// Open reads the file's header and returns its rows; header warnings
	// go to rep; an unreadable header is a *FormatError.
	Open func(r io.Reader, name string, opt CSVOptions, rep *Report) (RowSource, error)
}

// DetectBytes is how much of a file detection looks at.
const DetectBytes = 64 << 10

var formats []Format

// Register adds a format; formats register themselves in init.
func Register(f Format) {
	formats = append(formats, f)
	slices.SortStableFunc(formats, func(a, b Format) int { return a.Priority - b.Priority })
}

func init() {
	Register(Format{Name: "canonical-csv", Title: "Taghtia canonical CSV", Priority: 100,
		Detect: func(head []byte) bool {
			first, _, _ := bytes.Cut(head, []byte("\n"))
			h := strings.ToLower(string(first))
			return strings.Contains(h, "mcc_mnc") && strings.Contains(h, "lat") && strings.Contains(h, "tech")
		},
		Open: func(r io.Reader, name string, opt CSVOptions, rep *Report) (RowSource, error) {
			return openCanonical(r, name, rep)
		}})
}

// FormatNames lists the format names, for messages and flags.
func FormatNames() []string {
	var out []string
	for _, f := range formats {
		out = append(out, f.Name)
	}
	return out
}

// LookupFormat returns a format by name.
func LookupFormat(name string) (Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("%w: format %q is not one of %s", data.ErrInvalid, name, allFormatNames())
}

// Detect finds the format of a file from its first bytes.
func Detect(head []byte, name string) (Format, error) {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	for _, f := range formats {
		if f.Detect(head) {
			return f, nil
		}
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	if len(first) > 120 {
		first = first[:120]
	}
	return Format{}, &FormatError{File: name, Line: 1, Message: fmt.Sprintf("cannot tell the format from the content (it starts %q); known formats: %s; give one with --format",
		strings.TrimSpace(string(first)), allFormatNames())}
}

// Read detects the encoding (UTF-8, UTF-16, Windows-1256/1252: others are
// transcoded to UTF-8, with a warning saying so) and the format of r (or
// uses format, when not empty), then validates and emits its rows as
// ReadRows does. It returns the format used with the report.
func Read(r io.Reader, name, format string, opt CSVOptions, emit func([]data.Measurement) error) (*Report, Format, error) {
	rep := &Report{File: name}
	r, raw, gz, err := gunzipInput(r, name)
	if err != nil {
		return rep, Format{}, err
	}
	if gz && opt.Progress != nil {
		progress := opt.Progress
		opt.Progress = func(int64) { progress(raw.n) }
	}
	br, head, enc, err := utf8Input(bufio.NewReaderSize(r, DetectBytes))
	if err != nil {
		return rep, Format{}, fmt.Errorf("read %s: %w", name, err)
	}
	if enc != EncUTF8 {
		rep.add(Problem{File: name, Line: 1, Code: "W_ENCODING", Severity: SevWarning, Value: enc,
			Message: fmt.Sprintf("the file is not UTF-8; it was read as %s (from its first bytes); send UTF-8 to be sure", enc)})
	}
	var f Format
	if format != "" {
		f, err = LookupFormat(format)
	} else {
		if len(head) == 0 {
			return rep, f, &FormatError{File: name, Message: "the file is empty"}
		}
		f, err = Detect(head, name)
	}
	if err != nil {
		return rep, f, err
	}
	src, err := f.Open(br, name, opt, rep)
	if err != nil {
		return rep, f, err
	}
	return rep, f, ReadRows(src, name, opt, rep, emit)
}

// DetectReader reads the first bytes of r (after decoding them to UTF-8)
// and returns the format they are in: what an upload endpoint checks
// before accepting a file.
func DetectReader(r io.Reader, name string) (Format, error) {
	r, _, _, err := gunzipInput(r, name)
	if err != nil {
		return Format{}, err
	}
	_, head, _, err := utf8Input(bufio.NewReaderSize(r, DetectBytes))
	if err != nil {
		return Format{}, fmt.Errorf("read %s: %w", name, err)
	}
	if len(head) == 0 {
		return Format{}, &FormatError{File: name, Message: "the file is empty"}
	}
	return Detect(head, name)
}
