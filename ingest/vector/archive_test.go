package vector_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/taghtia/taghtia/ingest/vector"
)

const point = `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-7.6,33.5]}}`

func TestExtractRefusesPaths(t *testing.T) {
	tests := []struct {
		name  string
		entry zipEntry
	}{
		{"parent", zipEntry{name: "../evil.geojson", data: []byte(point)}},
		{"nested parent", zipEntry{name: "data/../../evil.geojson", data: []byte(point)}},
		{"backslash parent", zipEntry{name: `..\evil.geojson`, data: []byte(point)}},
		{"absolute", zipEntry{name: "/tmp/evil.geojson", data: []byte(point)}},
		{"drive", zipEntry{name: `C:\evil.geojson`, data: []byte(point)}},
		{"symlink", zipEntry{name: "link.geojson", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			zipPath := writeZip(t, filepath.Join(dir, "evil.zip"), tt.entry)
			out := t.TempDir()
			_, err := vector.Extract(zipPath, out, vector.Limits{})
			e := wantCode(t, err, "E_ARCHIVE_PATH")
			if e.File != "evil.zip" || e.Value != tt.entry.name {
				t.Errorf("File %q Value %q", e.File, e.Value)
			}
			assertOnlyFiles(t, out)
			_, _, err = openAll(t, zipPath, vector.Options{TempDir: out})
			wantCode(t, err, "E_ARCHIVE_PATH")
			assertOnlyFiles(t, out)
		})
	}
}

func TestExtractDuplicate(t *testing.T) {
	zipPath := writeZip(t, filepath.Join(t.TempDir(), "dup.zip"), zipEntry{name: "a.csv", data: []byte("x")}, zipEntry{name: "A.csv", data: []byte("y")})
	_, err := vector.Extract(zipPath, t.TempDir(), vector.Limits{})
	wantCode(t, err, "E_ARCHIVE_PATH")
}

func TestExtractTooManyEntries(t *testing.T) {
	var entries []zipEntry
	for i := range 6 {
		entries = append(entries, zipEntry{name: string(rune('a'+i)) + ".txt", data: []byte("x")})
	}
	zipPath := writeZip(t, filepath.Join(t.TempDir(), "many.zip"), entries...)
	_, err := vector.Extract(zipPath, t.TempDir(), vector.Limits{MaxEntries: 5})
	wantCode(t, err, "E_ARCHIVE_LIMIT")
	if _, err := vector.Extract(zipPath, t.TempDir(), vector.Limits{MaxEntries: 6}); err != nil {
		t.Errorf("6 entries with MaxEntries 6: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

const bombSize = 200 << 20

// writeBomb zips bombSize zero bytes with a streaming writer.
func writeBomb(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bomb.csv", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, zeros{}, bombSize); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func TestZipBomb(t *testing.T) {
	zipPath := writeBomb(t, filepath.Join(t.TempDir(), "bomb.zip"))
	tests := []struct {
		name string
		lim  vector.Limits
		code string
	}{
		{"size", vector.Limits{MaxUncompressed: 10 << 20, MaxRatio: 1e9}, "E_ARCHIVE_LIMIT"},
		{"ratio", vector.Limits{}, "E_ARCHIVE_RATIO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			start := time.Now()
			_, err := vector.Extract(zipPath, out, tt.lim)
			wantCode(t, err, tt.code)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %v", d)
			}
			if n := dirSize(t, out); n > 10<<20 {
				t.Errorf("wrote %d bytes", n)
			}
		})
	}
}

// TestZipBombLyingHeader declares 1 MiB for an entry of 200 MB: the
// bytes must be counted, not the header trusted.
func TestZipBombLyingHeader(t *testing.T) {
	var packed bytes.Buffer
	fw, _ := flate.NewWriter(&packed, flate.BestCompression)
	io.CopyN(fw, zeros{}, bombSize)
	fw.Close()
	path := filepath.Join(t.TempDir(), "liar.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "liar.csv", Method: zip.Deflate,
		CompressedSize64: uint64(packed.Len()), UncompressedSize64: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(packed.Bytes())
	zw.Close()
	f.Close()
	out := t.TempDir()
	const limit = 2 << 20
	_, err = vector.Extract(path, out, vector.Limits{MaxUncompressed: limit})
	if err == nil {
		t.Fatal("Extract accepted a lying header")
	}
	t.Log(err)
	if n := dirSize(t, out); n > limit {
		t.Errorf("wrote %d bytes past the %d limit", n, limit)
	}
}

func TestGzipBomb(t *testing.T) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte("lon,lat\n"))
	io.CopyN(zw, zeros{}, bombSize)
	zw.Close()
	path := writeFile(t, t.TempDir(), "bomb.csv.gz", b.Bytes())
	for _, tt := range []struct {
		name string
		lim  vector.Limits
		code string
	}{
		{"ratio", vector.Limits{}, "E_ARCHIVE_RATIO"},
		{"size", vector.Limits{MaxUncompressed: 8 << 20, MaxRatio: 1e9}, "E_ARCHIVE_LIMIT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, _, err := openAll(t, path, vector.Options{Limits: tt.lim})
			wantCode(t, err, tt.code)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}

func TestZipSingleFile(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	csv := "site,lon,lat\na,-7.6,33.5\nb,x,1\n"
	zipPath := writeZip(t, filepath.Join(dir, "sites.zip"),
		zipEntry{name: "export/", data: nil},
		zipEntry{name: "export/sites.csv", data: []byte(csv)},
		zipEntry{name: "__MACOSX/export/._sites.csv", data: []byte("junk")},
	)
	kind, res, err := openAll(t, zipPath, vector.Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	if kind != vector.KindCSV || len(res.features) != 1 || len(res.problems) != 1 {
		t.Fatalf("kind %s, %v, %v", kind, res.features, res.problems)
	}
	if p := res.problems[0]; p.File != "sites.zip/export/sites.csv" || p.Line != 3 {
		t.Errorf("problem at %s line %d", p.File, p.Line)
	}
	assertOnlyFiles(t, tmp)

	two := writeZip(t, filepath.Join(dir, "two.zip"), zipEntry{name: "a.geojson", data: []byte(point)}, zipEntry{name: "b.geojson", data: []byte(point)})
	_, _, err = openAll(t, two, vector.Options{TempDir: tmp})
	wantCode(t, err, "E_FORMAT")
	assertOnlyFiles(t, tmp)

	nested := writeZip(t, filepath.Join(dir, "nested.zip"), zipEntry{name: "inner.zip", data: readFile(t, two)})
	_, _, err = openAll(t, nested, vector.Options{TempDir: tmp})
	wantCode(t, err, "E_FORMAT")
	assertOnlyFiles(t, tmp)
}

func TestOpenUnknown(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"x.parquet": "PAR1....", "x.bin": "\x00\x01\x02\x03", "x.json": `{"a":1}`} {
		_, _, err := openAll(t, writeFile(t, dir, name, []byte(data)), vector.Options{})
		wantCode(t, err, "E_FORMAT")
	}
	if _, err := vector.Open(filepath.Join(dir, "missing"), vector.Options{}); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}
