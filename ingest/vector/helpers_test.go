package vector_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/taghtia/taghtia/ingest/vector"
)

// result is what reading a file gave: features, and per-feature errors.
type result struct {
	features []vector.Feature
	problems []*vector.Error
}

// readAll reads r to the end; a fatal error is returned.
func readAll(t testing.TB, r vector.Reader) (result, error) {
	t.Helper()
	var res result
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not end")
		}
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		var ve *vector.Error
		if errors.As(err, &ve) && !ve.Fatal() {
			res.problems = append(res.problems, ve)
			continue
		}
		if err != nil {
			if _, again := r.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("after fatal %v, Next returned %v", err, again)
			}
			return res, err
		}
		res.features = append(res.features, f)
	}
}

// openAll opens and reads the file at path.
func openAll(t testing.TB, path string, opt vector.Options) (vector.Kind, result, error) {
	t.Helper()
	r, err := vector.Open(path, opt)
	if err != nil {
		return "", result{}, err
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	res, err := readAll(t, r)
	return r.Kind(), res, err
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type zipEntry struct {
	name string
	data []byte
	mode os.FileMode // 0 = regular file
}

func writeZip(t testing.TB, path string, entries ...zipEntry) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gpkgBlob encodes g as a GeoPackage binary geometry with an xy envelope.
func gpkgBlob(t testing.TB, g orb.Geometry, srs int32) []byte {
	t.Helper()
	body, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte{'G', 'P', 0, 0x03} // little-endian, xy envelope
	b = binary.LittleEndian.AppendUint32(b, uint32(srs))
	bound := g.Bound()
	for _, v := range []float64{bound.Min[0], bound.Max[0], bound.Min[1], bound.Max[1]} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return append(b, body...)
}

// wantCode checks that err is a *vector.Error with the code.
func wantCode(t testing.TB, err error, code string) *vector.Error {
	t.Helper()
	var ve *vector.Error
	if !errors.As(err, &ve) {
		t.Fatalf("got error %v (%T), want a *vector.Error %s", err, err, code)
	}
	if ve.Code != code {
		t.Fatalf("got code %s (%v), want %s", ve.Code, ve, code)
	}
	return ve
}

// validCoords says whether every coordinate of g is a longitude/latitude.
func validCoords(g orb.Geometry) bool {
	ok := true
	var walk func(orb.Geometry)
	pts := func(ps []orb.Point) {
		for _, p := range ps {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				ok = false
			}
		}
	}
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			pts([]orb.Point{g})
		case orb.MultiPoint:
			pts(g)
		case orb.LineString:
			pts(g)
		case orb.Ring:
			pts(g)
		case orb.MultiLineString:
			for _, l := range g {
				pts(l)
			}
		case orb.Polygon:
			for _, r := range g {
				pts(r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				walk(p)
			}
		case orb.Collection:
			for _, c := range g {
				walk(c)
			}
		}
	}
	walk(g)
	return ok
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertOnlyFiles checks that dir holds just these names: temporary
// copies were removed.
func assertOnlyFiles(t testing.TB, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
