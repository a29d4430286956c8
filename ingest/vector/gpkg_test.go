package vector_test

import (
	"database/sql"
	"encoding/binary"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"

	"github.com/taghtia/taghtia/ingest/vector"
)

type gpkgTable struct {
	name string
	srs  int
	rows []gpkgRow
}

type gpkgRow struct {
	fid  int
	geom []byte
	name any
	pop  any
	ok   any
}

// writeGPKG builds a minimal GeoPackage with the given feature tables.
func writeGPKG(t *testing.T, path string, tables ...gpkgTable) string {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
		organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`)
	exec(`INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', NULL),
		('Merchich / Nord Maroc', 26191, 'EPSG', 26191, 'PROJCS["Merchich / Nord Maroc"]', NULL)`)
	exec(`CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, srs_id INTEGER)`)
	exec(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
		srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)`)
	exec(`CREATE TABLE attrs (id INTEGER PRIMARY KEY, v TEXT)`)
	exec(`INSERT INTO gpkg_contents VALUES ('attrs', 'attributes', 'attrs', NULL)`)
	for _, tb := range tables {
		exec(`CREATE TABLE "` + tb.name + `" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON, name TEXT, pop INTEGER,
			density REAL, ok BOOLEAN, created DATE, photo BLOB)`)
		exec(`INSERT INTO gpkg_contents VALUES (?, 'features', ?, ?)`, tb.name, tb.name, tb.srs)
		exec(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'GEOMETRY', ?, 0, 0)`, tb.name, tb.srs)
		for _, r := range tb.rows {
			exec(`INSERT INTO "`+tb.name+`" VALUES (?, ?, ?, ?, 12.5, ?, '2024-05-03', x'00ff')`, r.fid, r.geom, r.name, r.pop, r.ok)
		}
	}
	return path
}

var square = orb.Polygon{{{-7, 33}, {-6, 33}, {-6, 34}, {-7, 34}, {-7, 33}}}

func TestGPKGRead(t *testing.T) {
	path := writeGPKG(t, filepath.Join(t.TempDir(), "communes.gpkg"), gpkgTable{name: "communes", srs: 4326, rows: []gpkgRow{
		{fid: 3, geom: gpkgBlob(t, orb.MultiPolygon{square}, 4326), name: "Fès", pop: 1112072, ok: 1},
		{fid: 5, geom: nil, name: nil, pop: nil, ok: 0},
		{fid: 8, geom: []byte("GP\x00\x11\xe6\x10\x00\x00"), name: "empty", pop: 1, ok: nil},
		{fid: 9, geom: pointZ(-5.5, 34.2, 400), name: "z", pop: 2, ok: 1},
		{fid: 11, geom: []byte("GPbroken"), name: "bad", pop: 3, ok: 1},
		{fid: 12, geom: gpkgBlob(t, orb.Point{500000, 380000}, 4326), name: "metres", pop: 4, ok: 1},
		{fid: 13, geom: gpkgBlob(t, orb.Point{-6.8, 34}, 4326), name: "Rabat", pop: 5, ok: 1},
	}})
	kind, res, err := openAll(t, path, vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kind != vector.KindGPKG {
		t.Errorf("Kind = %s", kind)
	}
	props := func(name, pop, ok any) map[string]any {
		return map[string]any{"name": name, "pop": pop, "density": 12.5, "ok": ok, "created": "2024-05-03"}
	}
	want := []vector.Feature{
		{Ref: "row 3 of table communes", Line: 3, Geom: orb.MultiPolygon{square}, Props: props("Fès", 1112072.0, true)},
		{Ref: "row 5 of table communes", Line: 5, Props: props(nil, nil, false)},
		{Ref: "row 8 of table communes", Line: 8, Props: props("empty", 1.0, nil)},
		{Ref: "row 9 of table communes", Line: 9, Geom: orb.Point{-5.5, 34.2}, Props: props("z", 2.0, true)},
		{Ref: "row 13 of table communes", Line: 13, Geom: orb.Point{-6.8, 34}, Props: props("Rabat", 5.0, true)},
	}
	if !reflect.DeepEqual(res.features, want) {
		t.Errorf("got  %#v\nwant %#v", res.features, want)
	}
	if len(res.problems) != 2 || res.problems[0].Code != "E_GEOMETRY" || res.problems[0].Ref != "row 11 of table communes" ||
		res.problems[0].Field != "geom" || res.problems[1].Code != "E_COORDINATE" || res.problems[1].Line != 12 {
		t.Errorf("problems = %v", res.problems)
	}
}

// pointZ is a GeoPackage POINT Z, big-endian header, no envelope, ISO WKB.
func pointZ(x, y, z float64) []byte {
	b := []byte{'G', 'P', 0, 0x00}
	b = binary.BigEndian.AppendUint32(b, 4326)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, 1001)
	for _, v := range []float64{x, y, z} {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func TestGPKGTables(t *testing.T) {
	path := writeGPKG(t, filepath.Join(t.TempDir(), "two.gpkg"),
		gpkgTable{name: "roads", srs: 4326, rows: []gpkgRow{{fid: 1, geom: gpkgBlob(t, orb.LineString{{0, 0}, {1, 1}}, 4326), name: "N1"}}},
		gpkgTable{name: "communes", srs: 4326, rows: []gpkgRow{{fid: 1, geom: gpkgBlob(t, square, 4326), name: "Fès"}}},
	)
	_, _, err := openAll(t, path, vector.Options{})
	e := wantCode(t, err, "E_NO_TABLE")
	if want := "the GeoPackage holds 2 feature tables (communes, roads); name one with --table"; e.Message != want {
		t.Errorf("message = %q, want %q", e.Message, want)
	}
	_, res, err := openAll(t, path, vector.Options{Table: "roads"})
	if err != nil || len(res.features) != 1 || res.features[0].Props["name"] != "N1" {
		t.Errorf("Table roads: %v, %v", res.features, err)
	}
	_, _, err = openAll(t, path, vector.Options{Table: "rivers"})
	wantCode(t, err, "E_NO_TABLE")
}

func TestGPKGProjectedRefused(t *testing.T) {
	path := writeGPKG(t, filepath.Join(t.TempDir(), "lambert.gpkg"),
		gpkgTable{name: "communes", srs: 26191, rows: []gpkgRow{{fid: 1, geom: gpkgBlob(t, orb.Point{500000, 380000}, 26191)}}})
	_, _, err := openAll(t, path, vector.Options{})
	e := wantCode(t, err, "E_CRS")
	if !strings.Contains(e.Message, "26191") || !strings.Contains(e.Message, "Merchich / Nord Maroc") {
		t.Errorf("message %q should name the SRS", e.Message)
	}
}

func TestGPKGNotAGeoPackage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain.sqlite")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (a)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, _, err = openAll(t, path, vector.Options{})
	wantCode(t, err, "E_FORMAT")
}

func TestGPKGGzip(t *testing.T) {
	dir := t.TempDir()
	path := writeGPKG(t, filepath.Join(dir, "c.gpkg"), gpkgTable{name: "c", srs: 4326, rows: []gpkgRow{{fid: 1, geom: gpkgBlob(t, square, 4326)}}})
	data := readFile(t, path)
	kind, res, err := openAll(t, writeFile(t, dir, "c.gpkg.gz", gzipBytes(t, data)), vector.Options{TempDir: dir})
	if err != nil || kind != vector.KindGPKG || len(res.features) != 1 {
		t.Fatalf("kind %s, %v, %v", kind, res.features, err)
	}
	assertOnlyFiles(t, dir, "c.gpkg", "c.gpkg.gz")
}
