package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// Detect says from the first bytes whether a file is in this format:
	// decoded to UTF-8, or as they are for a format with ReadAt (binary).
	Detect func(head []byte) bool
	// Read returns the file's features; problems go to rep, an unreadable
	// file is a *FormatError.
	Read func(r io.Reader, name string, opt CSVOptions, rep *Report) ([]data.Feature, error)
	// ReadAt, for formats that need random access (Parquet), is Read on
	// the size bytes of r; it is used instead of Read when set.
	ReadAt func(r io.ReaderAt, size int64, name string, opt CSVOptions, rep *Report) ([]data.Feature, error)
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
	br := bufio.NewReaderSize(r, DetectBytes)
	raw, err := br.Peek(DetectBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return LayerFormat{}, false, err
	}
	for _, f := range layerFormats {
		if f.ReadAt != nil && f.Detect(raw) {
			return f, true, nil
		}
	}
	_, head, _, err := utf8Input(br)
	if err != nil {
		return LayerFormat{}, false, err
	}
	for _, f := range layerFormats {
		if f.ReadAt == nil && f.Detect(head) {
			return f, true, nil
		}
	}
	return LayerFormat{}, false, nil
}

// ReadLayer reads a layer file (after decoding it to UTF-8) in format f.
// A format with ReadAt reads r in place when r is an io.ReaderAt and
// io.Seeker (an *os.File), else from a copy of r in memory.
func ReadLayer(r io.Reader, name string, f LayerFormat, opt CSVOptions) (*Report, []data.Feature, error) {
	rep := &Report{File: name}
	if f.ReadAt != nil {
		ra, ok := r.(interface {
			io.ReaderAt
			io.Seeker
		})
		if !ok {
			b, err := io.ReadAll(r)
			if err != nil {
				return rep, nil, fmt.Errorf("read %s: %w", name, err)
			}
			ra = bytes.NewReader(b)
		}
		size, err := ra.Seek(0, io.SeekEnd)
		if err != nil {
			return rep, nil, fmt.Errorf("read %s: %w", name, err)
		}
		fs, err := f.ReadAt(ra, size, name, opt, rep)
		return layerResult(rep, fs, err)
	}
	br, _, enc, err := utf8Input(bufio.NewReaderSize(r, DetectBytes))
	if err != nil {
		return rep, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if enc != EncUTF8 {
		rep.add(Problem{File: name, Line: 1, Code: "W_ENCODING", Severity: SevWarning, Value: enc,
			Message: fmt.Sprintf("the file is not UTF-8; it was read as %s (from its first bytes); send UTF-8 to be sure", enc)})
	}
	fs, err := f.Read(br, name, opt, rep)
	return layerResult(rep, fs, err)
}

func layerResult(rep *Report, fs []data.Feature, err error) (*Report, []data.Feature, error) {
	if err != nil {
		return rep, nil, err
	}
	if len(fs) == 0 {
		return rep, nil, fmt.Errorf("%s: %w (%d rows read, %d rejected)", rep.File, ErrNoRows, rep.Rows, rep.Rejected)
	}
	return rep, fs, nil
}

// ReadLayerFile reads the layer file at path in format f, through ReadAt
// when f has it, else like ReadLayer. Problems name the file opt.Name, or
// the path's base when that is empty.
func ReadLayerFile(path string, f LayerFormat, opt CSVOptions) (*Report, []data.Feature, error) {
	name := opt.Name
	if name == "" {
		name = filepath.Base(path)
	}
	file, err := os.Open(path)
	if err != nil {
		return &Report{File: name}, nil, err
	}
	defer file.Close()
	return ReadLayer(file, name, f, opt)
}

// allFormatNames lists measurement and layer formats, for messages.
func allFormatNames() string {
	names := FormatNames()
	for _, f := range layerFormats {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}
