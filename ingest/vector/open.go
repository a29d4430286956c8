package vector

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Limits bound what a file may cost to read. Zero fields take defaults.
type Limits struct {
	MaxEntries      int     // entries in an archive; default 1000
	MaxUncompressed int64   // bytes out of an archive or gzip stream, in all; default 2 GiB
	MaxRatio        float64 // uncompressed/compressed, per entry and in all; default 100
	MaxFeatures     int     // features (good or bad) in a file; default 5,000,000
}

// Default limits.
const (
	DefaultMaxEntries      = 1000
	DefaultMaxUncompressed = 2 << 30
	DefaultMaxRatio        = 100
	DefaultMaxFeatures     = 5_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxUncompressed <= 0 {
		l.MaxUncompressed = DefaultMaxUncompressed
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxFeatures <= 0 {
		l.MaxFeatures = DefaultMaxFeatures
	}
	return l
}

// Options say how to read a file.
type Options struct {
	// Table is the GeoPackage feature table to read; "" reads the only one
	// (a GeoPackage with several is an E_NO_TABLE error listing them).
	Table string
	// LonColumn and LatColumn, or WKTColumn, name the CSV geometry columns;
	// "" finds them by name, case-insensitively: lon, lng, long, longitude
	// or x with lat, latitude or y; else wkt, geometry or geom.
	LonColumn, LatColumn, WKTColumn string
	Limits                          Limits
	// TempDir is where archives and gzipped GeoPackages are unpacked;
	// "" is os.TempDir().
	TempDir string
}

// Reader streams the features of one file.
type Reader interface {
	// Next returns the next feature, or io.EOF after the last. A *Error
	// whose Fatal() is false is about one feature: call Next again for the
	// next one. Any other error is fatal and Next returns it again.
	Next() (Feature, error)
	// Kind is the format read: for an archive or gzip file, the format of
	// the file inside.
	Kind() Kind
	// Close releases the file and removes anything unpacked for it.
	Close() error
}

// Open opens the vector file at path, recognised by its content (see
// Sniff): GeoJSON, GeoPackage, a zipped Shapefile, CSV with coordinate or
// WKT columns, a zip holding one file of these kinds, or a gzipped
// GeoJSON, CSV or GeoPackage. A file that cannot be read as its kind is a
// fatal *Error; a file that cannot be opened is the os error.
func Open(path string, opt Options) (Reader, error) {
	opt.Limits = opt.Limits.withDefaults()
	if opt.TempDir == "" {
		opt.TempDir = os.TempDir()
	}
	name := filepath.Base(path)
	r, err := openFile(path, name, opt, true)
	if err != nil {
		return nil, err
	}
	return &guard{r: r, file: name, max: opt.Limits.MaxFeatures}, nil
}

// openFile opens path by its kind; name is how messages call it. Archives
// are only unpacked when outer is true: no archive in an archive.
func openFile(path, name string, opt Options, outer bool) (Reader, error) {
	head, err := readHead(path)
	if err != nil {
		return nil, err
	}
	kind := Sniff(head)
	switch kind {
	case KindGeoJSON, KindCSV:
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		r, err := openText(f, kind, name, opt)
		if err != nil {
			f.Close()
			return nil, err
		}
		return r, nil
	case KindGPKG:
		return openGPKG(path, name, opt)
	case KindZip, KindShapefileZip, KindGzip:
		if !outer {
			return nil, fileError(name, CodeFormat, "expected GeoJSON, GeoPackage or CSV inside the archive, found another archive (%s)", kind)
		}
		if kind == KindGzip {
			return openGzip(path, name, opt)
		}
		return openZip(path, name, opt)
	case KindParquet:
		return nil, fileError(name, CodeFormat, "expected GeoJSON, GeoPackage, a zipped Shapefile or CSV, found Parquet, which is not read yet")
	}
	return nil, fileError(name, CodeFormat, "expected GeoJSON, GeoPackage, a zipped Shapefile or CSV; the file's first bytes match none of them")
}

// openText opens a stream of GeoJSON or CSV; r is closed with the reader.
func openText(r io.ReadCloser, kind Kind, name string, opt Options) (Reader, error) {
	if kind == KindGeoJSON {
		return newGeoJSON(r, name), nil
	}
	return newCSV(r, name, opt)
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, SniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return head[:n], nil
}

// guard applies MaxFeatures and makes fatal errors and io.EOF sticky.
type guard struct {
	r    Reader
	file string
	max  int
	n    int
	end  error
}

func (g *guard) Next() (Feature, error) {
	if g.end != nil {
		return Feature{}, g.end
	}
	f, err := g.r.Next()
	if err != nil && !perFeature(err) {
		g.end = err
		return Feature{}, err
	}
	g.n++
	if g.n > g.max {
		g.end = fileError(g.file, CodeTooManyFeatures, "expected at most %d features, found more", g.max)
		return Feature{}, g.end
	}
	return f, err
}

func (g *guard) Kind() Kind   { return g.r.Kind() }
func (g *guard) Close() error { return g.r.Close() }

// cleanup is a Reader that also removes a directory when closed.
type cleanup struct {
	Reader
	dir string
}

func (c *cleanup) Close() error {
	err := c.Reader.Close()
	if rerr := os.RemoveAll(c.dir); err == nil {
		err = rerr
	}
	return err
}
