package vector

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// openZip extracts a zip archive into a fresh directory and opens the
// Shapefile in it, or else the one GeoJSON, GeoPackage or CSV file in it.
// The directory is removed when the reader is closed.
func openZip(path, name string, opt Options) (Reader, error) {
	dir, err := os.MkdirTemp(opt.TempDir, "taghtia-vector-*")
	if err != nil {
		return nil, err
	}
	r, err := openExtracted(path, dir, name, opt)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &cleanup{Reader: r, dir: dir}, nil
}

func openExtracted(path, dir, name string, opt Options) (Reader, error) {
	files, err := Extract(path, dir, opt.Limits)
	if err != nil {
		return nil, err
	}
	rel := make([]string, len(files))
	var shps []string
	for i, f := range files {
		rel[i], _ = filepath.Rel(dir, f)
		rel[i] = filepath.ToSlash(rel[i])
		if strings.EqualFold(filepath.Ext(f), ".shp") {
			shps = append(shps, f)
		}
	}
	switch {
	case len(shps) == 1:
		r, _ := filepath.Rel(dir, shps[0])
		return openShapefile(shps[0], files, name+"/"+filepath.ToSlash(r), opt)
	case len(shps) > 1:
		names := make([]string, len(shps))
		for i, s := range shps {
			names[i], _ = filepath.Rel(dir, s)
		}
		slices.Sort(names)
		return nil, fileError(name, CodeFormat, "expected one Shapefile in the archive, found %d (%s); send one per archive",
			len(shps), strings.Join(names, ", "))
	case len(files) != 1:
		found := "none"
		if len(files) > 1 {
			found = fmt.Sprintf("%d files (%s)", len(files), strings.Join(listSome(rel, 10), ", "))
		}
		return nil, fileError(name, CodeFormat, "expected a Shapefile or a single GeoJSON, GeoPackage or CSV file in the archive, found %s", found)
	}
	return openFile(files[0], name+"/"+rel[0], opt, false)
}

func listSome(names []string, n int) []string {
	if len(names) <= n {
		return names
	}
	return append(slices.Clip(names[:n]), fmt.Sprintf("and %d more", len(names)-n))
}

// openGzip streams a gzipped GeoJSON or CSV file, or copies a gzipped
// GeoPackage to a temporary file, within opt.Limits.
func openGzip(path, name string, opt Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	cr := &countReader{r: f}
	gz, err := gzip.NewReader(cr)
	if err != nil {
		f.Close()
		return nil, fileError(name, CodeFormat, "expected a gzip stream, found a damaged one: %v", err)
	}
	m := &meter{r: gz, b: &budget{file: name, lim: opt.Limits}, entry: name, packed: func() int64 { return cr.n }}
	br := bufio.NewReaderSize(m, SniffBytes)
	head, err := br.Peek(SniffBytes)
	if err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, readError(name, err)
	}
	kind := Sniff(head)
	switch kind {
	case KindGeoJSON, KindCSV:
		r, err := openText(&readCloser{Reader: br, Closer: f}, kind, name, opt)
		if err != nil {
			f.Close()
		}
		return r, err
	case KindGPKG:
		defer f.Close()
		return openGzippedGPKG(br, name, opt)
	}
	f.Close()
	return nil, fileError(name, CodeFormat, "expected GeoJSON, CSV or a GeoPackage inside the gzip file, found %s", kind)
}

func openGzippedGPKG(r io.Reader, name string, opt Options) (Reader, error) {
	dir, err := os.MkdirTemp(opt.TempDir, "taghtia-vector-*")
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, "layer.gpkg")
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = io.Copy(out, r)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	var g Reader
	if err == nil {
		g, err = openGPKG(tmp, name, opt)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, readError(name, err)
	}
	return &cleanup{Reader: g, dir: dir}, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// readError turns a failed read into a fatal error: a *Error (a limit
// hit while reading) as it is, anything else as a damaged file.
func readError(file string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return err
	}
	return fileError(file, CodeFormat, "expected a complete file, found a damaged or truncated one: %v", err)
}
