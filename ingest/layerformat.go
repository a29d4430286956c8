package ingest

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/taghtia/taghtia/data"
)

// LayerFormat is a file format of features rather than measurements
// (cell lists, declared coverage): it fills a generic layer
// (data.Feature), replaced whole by each file.
type LayerFormat struct {
	Name     string
	Title    string
	Layer    string // the layer it fills, e.g. data.LayerCells
	Priority int
	Detect   func(head []byte) bool
	// Read returns the file's features; problems go to rep, an unreadable
	// file is a *FormatError.
	Read func(r io.Reader, name string, opt CSVOptions, rep *Report) ([]data.Feature, error)
}

var layerFormats []LayerFormat

// RegisterLayer adds a layer format; formats register themselves in init.
func RegisterLayer(f LayerFormat) {
	layerFormats = append(layerFormats, f)
	slices.SortStableFunc(layerFormats, func(a, b LayerFormat) int { return a.Priority - b.Priority })
}

// LookupLayerFormat returns a layer format by name.
func LookupLayerFormat(name string) (LayerFormat, bool) {
	for _, f := range layerFormats {
		if f.Name == name {
			return f, true
		}
	}
	return LayerFormat{}, false
}

// IsLayerFile says whether the file at r is in a layer format (detected
// from its first bytes, or named by format), and which.
func IsLayerFile(r io.Reader, format string) (LayerFormat, bool, error) {
	if format != "" {
		f, ok := LookupLayerFormat(format)
		return f, ok, nil
	}
	_, head, _, err := utf8Input(bufio.NewReaderSize(r, DetectBytes))
	if err != nil {
		return LayerFormat{}, false, err
	}
	for _, f := range layerFormats {
		if f.Detect(head) {
			return f, true, nil
		}
	}
	return LayerFormat{}, false, nil
}

// ReadLayer reads a layer file (after decoding it to UTF-8) in format f.
func ReadLayer(r io.Reader, name string, f LayerFormat, opt CSVOptions) (*Report, []data.Feature, error) {
	rep := &Report{File: name}
	br, _, enc, err := utf8Input(bufio.NewReaderSize(r, DetectBytes))
	if err != nil {
		return rep, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if enc != EncUTF8 {
		rep.add(Problem{File: name, Line: 1, Code: "W_ENCODING", Severity: SevWarning, Value: enc,
			Message: fmt.Sprintf("the file is not UTF-8; it was read as %s (from its first bytes); send UTF-8 to be sure", enc)})
	}
	fs, err := f.Read(br, name, opt, rep)
	if err != nil {
		return rep, nil, err
	}
	if len(fs) == 0 {
		return rep, nil, fmt.Errorf("%s: %w (%d rows read, %d rejected)", name, ErrNoRows, rep.Rows, rep.Rejected)
	}
	return rep, fs, nil
}

// allFormatNames lists measurement and layer formats, for messages.
func allFormatNames() string {
	names := FormatNames()
	for _, f := range layerFormats {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}
