package ingest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

func init() {
	// -update rewrites golden files; defined here unless another test
	// file of the package already did.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func ooklaUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ooklaInMorocco is a rough box around Morocco, for the country test.
func ooklaInMorocco(p orb.Point) bool { return p[0] > -17.5 && p[0] < -1 && p[1] > 20.5 && p[1] < 36 }

// ooklaQuadkey returns the quadkey of a tile: a digit per zoom level.
func ooklaQuadkey(t maptile.Tile) string {
	k := strconv.FormatUint(t.Quadkey(), 4)
	return strings.Repeat("0", int(t.Z)-len(k)) + k
}

// ooklaWKT writes a tile's outline as Ookla does: clockwise from the
// north-west corner, 15 significant digits.
func ooklaWKT(t maptile.Tile) string {
	b := t.Bound()
	g := func(f float64) string { return strconv.FormatFloat(f, 'g', 15, 64) }
	nw, ne, se, sw := g(b.Min[0])+" "+g(b.Max[1]), g(b.Max[0])+" "+g(b.Max[1]), g(b.Max[0])+" "+g(b.Min[1]), g(b.Min[0])+" "+g(b.Min[1])
	return "POLYGON((" + nw + ", " + ne + ", " + se + ", " + sw + ", " + nw + "))"
}

func TestOoklaQuadkeysOfFixture(t *testing.T) {
	// the fixture's quadkeys are those of these places at zoom 16
	for _, c := range []struct {
		name string
		pt   orb.Point
		want string
	}{
		{"Casablanca centre", orb.Point{-7.6186, 33.5951}, "0331123030032301"},
		{"Casablanca Maarif", orb.Point{-7.6322, 33.5792}, "0331123030032232"},
		{"Rabat Agdal", orb.Point{-6.8498, 34.0031}, "0331123102100021"},
		{"Rabat Hassan", orb.Point{-6.8226, 34.0240}, "0331123100322321"},
		{"Madrid", orb.Point{-3.7038, 40.4168}, "0331110121011323"},
	} {
		if got := ooklaQuadkey(maptile.At(c.pt, 16)); got != c.want {
			t.Errorf("%s: quadkey %s, want %s", c.name, got, c.want)
		}
	}
}

// ooklaGolden renders features for a golden file: GeoJSON geometry,
// props with sorted keys.
func ooklaGolden(t *testing.T, rep *ingest.Report, fs []data.Feature) []byte {
	t.Helper()
	type feature struct {
		Layer string            `json:"layer"`
		ID    string            `json:"id"`
		Props map[string]any    `json:"props"`
		Geom  *geojson.Geometry `json:"geometry"`
	}
	out := struct {
		Rows, Accepted, Rejected int64
		Features                 []feature
	}{rep.Rows, rep.Accepted, rep.Rejected, nil}
	for _, f := range fs {
		out.Features = append(out.Features, feature{f.Layer, f.ID, f.Props, geojson.NewGeometry(f.Geom)})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func checkOoklaGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if ooklaUpdate() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("features differ from %s (run with -update to accept):\n%s", path, got)
	}
}

func TestOoklaCSV(t *testing.T) {
	lf, ok := ingest.LookupLayerFormat("ookla-tiles-csv")
	if !ok || lf.Layer != data.LayerSpeedTiles {
		t.Fatalf("format = %+v, %v", lf, ok)
	}
	rep, fs, err := ingest.ReadLayerFile("testdata/ookla/tiles.csv", lf, ingest.CSVOptions{Inside: ooklaInMorocco, Operator: "604-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("problems: %v", rep.Problems)
	}
	checkOoklaGolden(t, "testdata/ookla/tiles.golden.json", ooklaGolden(t, rep, fs))
	// spot checks, so the golden file is not all that is asserted
	if len(fs) != 4 || rep.Rows != 4 || rep.Accepted != 4 {
		t.Fatalf("%d features, report %+v", len(fs), rep)
	}
	f := fs[0]
	want := map[string]any{"dl_mbps": 48.213, "ul_mbps": 11.002, "latency_ms": 31.0, "latency_down_ms": 212.0, "latency_up_ms": 178.0,
		"tests": 154.0, "devices": 37.0, "zoom": 16.0, "operator": "604-01", "tile_x": -7.6163, "tile_y": 33.594}
	if f.ID != "0331123030032301" || f.Layer != data.LayerSpeedTiles || fmt.Sprint(f.Props) != fmt.Sprint(want) {
		t.Errorf("first tile = %s %s %v, want props %v", f.Layer, f.ID, f.Props, want)
	}
	if p, ok := f.Geom.(orb.Polygon); !ok || !orb.Equal(p, maptile.New(31381, 26268, 16).Bound().ToPolygon()) {
		t.Errorf("first tile geometry = %v", f.Geom)
	}
	if _, ok := fs[1].Props["latency_down_ms"]; ok {
		t.Errorf("empty avg_lat_down_ms gave a prop: %v", fs[1].Props)
	}
}

func TestOoklaCSVBadRows(t *testing.T) {
	lf, _ := ingest.LookupLayerFormat("ookla-tiles-csv")
	rep, fs, err := ingest.ReadLayerFile("testdata/ookla/bad.csv", lf, ingest.CSVOptions{Inside: ooklaInMorocco})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || rep.Rows != 19 || rep.Accepted != 1 || rep.Rejected != 18 || rep.Warnings != 1 {
		t.Errorf("%d features, report rows %d accepted %d rejected %d warnings %d", len(fs), rep.Rows, rep.Accepted, rep.Rejected, rep.Warnings)
	}
	type problem struct{ code, column, value, msg string }
	want := map[int][]problem{
		1:  {{"W_UNKNOWN_COLUMN", "year", "year", "is ignored"}},
		3:  {{"E_QUADKEY", "quadkey", "0331123030032309", "digits 0-3"}},
		4:  {{"E_NUMBER", "avg_d_kbps", "fast", "not a number"}},
		5:  {{"E_RANGE", "avg_u_kbps", "-5", "[0, 1e+07] kbps"}},
		6:  {{"E_RANGE", "avg_d_kbps", "12000000", "[0, 1e+07] kbps"}},
		7:  {{"E_RANGE", "avg_lat_ms", "-1", "[0, 60000] ms"}},
		8:  {{"E_RANGE", "avg_lat_ms", "70000", "[0, 60000] ms"}},
		9:  {{"E_RANGE", "tests", "0", "at least 1"}},
		10: {{"E_RANGE", "devices", "0", "at least 1"}},
		11: {{"E_DEVICES", "devices", "40", "more than tests 12"}},
		12: {{"E_DUPLICATE_ROW", "quadkey", "0331123030032301", "already given at line 2"}},
		13: {{"E_TILE_MISMATCH", "tile", "POLYGON((-7.635498046875", "not the tile of quadkey 0331123102100021"}},
		14: {{"E_OUTSIDE_COUNTRY", "quadkey", "0331110121011323", "outside the country"}},
		15: {{"E_WKT", "tile", "POINT(-6.8472 34.0049)", "a WKT Point, not a POLYGON"}},
		16: {{"E_REQUIRED", "quadkey", "", "quadkey is empty"}},
		17: {{"E_REQUIRED", "tests", "", "tests is empty"}},
		18: {{"E_CSV_SYNTAX", "", "", "bare \""}},
		19: {{"E_RANGE", "avg_lat_down_ms", "99999", "[0, 60000] ms"}},
		// a quadkey that lost its leading zero: the wrong tile, off the country
		20: {{"E_TILE_MISMATCH", "tile", "POLYGON((-7.635498046875", "with a leading 0"},
			{"E_OUTSIDE_COUNTRY", "quadkey", "331123030032232", "with a leading 0"}},
	}
	got := map[int]int{}
	for _, p := range rep.Problems {
		i := got[p.Line]
		got[p.Line]++
		if i >= len(want[p.Line]) {
			t.Errorf("unexpected problem %s (column %q, value %q)", p, p.Column, p.Value)
			continue
		}
		if w := want[p.Line][i]; p.Code != w.code || p.Column != w.column || !strings.HasPrefix(p.Value, w.value) || !strings.Contains(p.Message, w.msg) || p.File != "bad.csv" {
			t.Errorf("line %d: got %s (column %q, value %q), want %s column %q value %q message with %q", p.Line, p, p.Column, p.Value, w.code, w.column, w.value, w.msg)
		}
	}
	for line, w := range want {
		if got[line] < len(w) {
			t.Errorf("line %d: %d problems, want %v", line, got[line], w)
		}
	}
}

func TestOoklaCSVHeaders(t *testing.T) {
	lf, _ := ingest.LookupLayerFormat("ookla-tiles-csv")
	const row = "0331123030032301;48213;11002;31;154;37\n"
	for _, c := range []struct {
		name, src string
		column    string // of the *FormatError; "" when the file reads
	}{
		{"semicolons, upper case, no tile", "QUADKEY;AVG_D_KBPS;AVG_U_KBPS;AVG_LAT_MS;TESTS;DEVICES\n" + row, ""},
		{"tabs, quoted, BOM", "\ufeff\"quadkey\"\t\"avg_d_kbps\"\t\"avg_u_kbps\"\t\"avg_lat_ms\"\t\"tests\"\t\"devices\"\n" + strings.ReplaceAll(row, ";", "\t"), ""},
		{"no devices", "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests\n0331123030032301,48213,11002,31,154\n", "devices"},
		{"no avg_lat_ms", "quadkey,avg_d_kbps,avg_u_kbps,tests,devices\n0331123030032301,48213,11002,154,37\n", "avg_lat_ms"},
		{"twice", "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices,Tests\n", "Tests"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, fs, err := ingest.ReadLayer(strings.NewReader(c.src), "t.csv", lf, ingest.CSVOptions{})
			var fe *ingest.FormatError
			if c.column != "" {
				if !errors.As(err, &fe) || fe.Column != c.column || fe.Line != 1 {
					t.Fatalf("err = %v, want a FormatError on column %s", err, c.column)
				}
				return
			}
			if err != nil || len(fs) != 1 || len(rep.Problems) != 0 {
				t.Fatalf("%d features, %v, problems %v", len(fs), err, rep.Problems)
			}
			if p := fs[0].Geom.(orb.Polygon); !orb.Equal(p, maptile.New(31381, 26268, 16).Bound().ToPolygon()) {
				t.Errorf("tile from quadkey = %v", p)
			}
		})
	}
}

// ooklaParquetRow is a row of Ookla's Parquet files (2023 on): int64
// speeds and counts, nullable latency down/up.
type ooklaParquetRow struct {
	Quadkey    string  `parquet:"quadkey"`
	Tile       string  `parquet:"tile"`
	TileX      float64 `parquet:"tile_x"`
	TileY      float64 `parquet:"tile_y"`
	AvgDKbps   int64   `parquet:"avg_d_kbps"`
	AvgUKbps   int64   `parquet:"avg_u_kbps"`
	AvgLatMs   int64   `parquet:"avg_lat_ms"`
	AvgLatDown *int64  `parquet:"avg_lat_down_ms,optional"`
	AvgLatUp   *int64  `parquet:"avg_lat_up_ms,optional"`
	Tests      int64   `parquet:"tests"`
	Devices    int64   `parquet:"devices"`
	Year       string  `parquet:"year,optional"`
}

// writeOoklaParquet writes rows to a file in dir, rowGroup rows per row group.
func writeOoklaParquet[T any](t testing.TB, dir string, rows []T, rowGroup int) string {
	t.Helper()
	path := filepath.Join(dir, "tiles.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	for len(rows) > 0 {
		n := min(rowGroup, len(rows))
		if _, err := w.Write(rows[:n]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rows = rows[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// ooklaCSVRows reads an Ookla CSV fixture into Parquet rows.
func ooklaCSVRows(t *testing.T, path string) []ooklaParquetRow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	opt := func(s string) *int64 {
		if s == "" {
			return nil
		}
		n := int64(num(s))
		return &n
	}
	var rows []ooklaParquetRow
	for _, r := range recs[1:] {
		rows = append(rows, ooklaParquetRow{Quadkey: r[0], Tile: r[1], TileX: num(r[2]), TileY: num(r[3]), AvgDKbps: int64(num(r[4])), AvgUKbps: int64(num(r[5])),
			AvgLatMs: int64(num(r[6])), AvgLatDown: opt(r[7]), AvgLatUp: opt(r[8]), Tests: int64(num(r[9])), Devices: int64(num(r[10]))})
	}
	return rows
}

func TestOoklaParquet(t *testing.T) {
	// The same tiles as tiles.csv, as Ookla's Parquet, in row groups of
	// 3, with an extra column "year": the features are the CSV's golden
	// ones, with a warning about "year".
	path := writeOoklaParquet(t, t.TempDir(), ooklaCSVRows(t, "testdata/ookla/tiles.csv"), 3)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	lf, ok, err := ingest.IsLayerFile(f, "")
	f.Close()
	if err != nil || !ok || lf.Name != "ookla-tiles-parquet" || lf.Layer != data.LayerSpeedTiles {
		t.Fatalf("IsLayerFile = %+v, %v, %v", lf, ok, err)
	}
	rep, fs, err := ingest.ReadLayerFile(path, lf, ingest.CSVOptions{Inside: ooklaInMorocco, Operator: "604-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Code != "W_UNKNOWN_COLUMN" || rep.Problems[0].Column != "year" {
		t.Errorf("problems: %v", rep.Problems)
	}
	checkOoklaGolden(t, "testdata/ookla/tiles.golden.json", ooklaGolden(t, rep, fs))
	if rep.File != "tiles.parquet" {
		t.Errorf("report names %q", rep.File)
	}
}

func TestOoklaParquetOld(t *testing.T) {
	// Older files: no tile_x/tile_y/latency down/up; here also int32 and
	// double columns, no tile (the polygon comes from the quadkey), columns
	// in another order, a bad row.
	type old struct {
		Devices  int32   `parquet:"devices"`
		Tests    int32   `parquet:"tests"`
		Quadkey  string  `parquet:"quadkey"`
		AvgDKbps float64 `parquet:"avg_d_kbps"`
		AvgUKbps int32   `parquet:"avg_u_kbps"`
		AvgLatMs int32   `parquet:"avg_lat_ms"`
	}
	path := writeOoklaParquet(t, t.TempDir(), []old{
		{3, 9, "0331123100322321", 27301.5, 6650, 44},
		{5, 0, "0331123102100021", 61544, 15407, 27},
		{37, 154, "0331123030032301", 48213, 11002, 31},
	}, 2)
	lf, _ := ingest.LookupLayerFormat("ookla-tiles-parquet")
	rep, fs, err := ingest.ReadLayerFile(path, lf, ingest.CSVOptions{Name: "q1.parquet"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || rep.Rows != 3 || rep.Rejected != 1 {
		t.Fatalf("%d features, report %+v", len(fs), rep)
	}
	if p := rep.Problems[0]; len(rep.Problems) != 1 || p.Line != 3 || p.Code != "E_RANGE" || p.Column != "tests" || p.Value != "0" || p.File != "q1.parquet" {
		t.Errorf("problems %v, want E_RANGE on tests at line 3 (row 2)", rep.Problems)
	}
	if f := fs[0]; f.ID != "0331123100322321" || f.Props["dl_mbps"] != 27.3015 || f.Props["devices"] != 3.0 || len(f.Props) != 6 ||
		!orb.Equal(f.Geom, maptile.At(orb.Point{-6.8226, 34.0240}, 16).Bound().ToPolygon()) {
		t.Errorf("first tile = %+v", f)
	}
}

func TestOoklaParquetBadSchema(t *testing.T) {
	type noDevices struct {
		Quadkey  string `parquet:"quadkey"`
		AvgDKbps int64  `parquet:"avg_d_kbps"`
		AvgUKbps int64  `parquet:"avg_u_kbps"`
		AvgLatMs int64  `parquet:"avg_lat_ms"`
		Tests    int64  `parquet:"tests"`
	}
	type numericQuadkey struct {
		Quadkey  int64 `parquet:"quadkey"`
		AvgDKbps int64 `parquet:"avg_d_kbps"`
		AvgUKbps int64 `parquet:"avg_u_kbps"`
		AvgLatMs int64 `parquet:"avg_lat_ms"`
		Tests    int64 `parquet:"tests"`
		Devices  int64 `parquet:"devices"`
	}
	lf, _ := ingest.LookupLayerFormat("ookla-tiles-parquet")
	for _, c := range []struct {
		name, column, msg string
		path              string
	}{
		{"missing devices", "devices", `required column "devices" is missing`,
			writeOoklaParquet(t, t.TempDir(), []noDevices{{"0331123030032301", 1, 1, 1, 1}}, 10)},
		{"quadkey as a number", "quadkey", "lost its leading zeros",
			writeOoklaParquet(t, t.TempDir(), []numericQuadkey{{331123030032301, 1, 1, 1, 1, 1}}, 10)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ingest.ReadLayerFile(c.path, lf, ingest.CSVOptions{})
			var fe *ingest.FormatError
			if !errors.As(err, &fe) || fe.Column != c.column || !strings.Contains(fe.Message, c.msg) {
				t.Fatalf("err = %v, want a FormatError on %s saying %q", err, c.column, c.msg)
			}
		})
	}
	t.Run("not parquet", func(t *testing.T) {
		_, _, err := ingest.ReadLayer(strings.NewReader("PAR1 but not really"), "x.parquet", lf, ingest.CSVOptions{})
		var fe *ingest.FormatError
		if !errors.As(err, &fe) || !strings.Contains(fe.Message, "Parquet") {
			t.Fatalf("err = %v, want a FormatError", err)
		}
	})
}

func TestOoklaDetect(t *testing.T) {
	pq, err := os.ReadFile(writeOoklaParquet(t, t.TempDir(), ooklaCSVRows(t, "testdata/ookla/tiles.csv"), 100))
	if err != nil {
		t.Fatal(err)
	}
	csvFile, _ := os.ReadFile("testdata/ookla/tiles.csv")
	ocid, _ := os.ReadFile("testdata/opencellid/604.csv")
	for _, c := range []struct {
		name string
		src  []byte
		want string // "" when no layer format is detected
	}{
		{"ookla csv", csvFile, "ookla-tiles-csv"},
		{"ookla semicolons", []byte("Quadkey;Tile;Avg_D_Kbps;avg_u_kbps\r\n"), "ookla-tiles-csv"},
		{"ookla tabs", []byte("quadkey\tavg_d_kbps\tavg_u_kbps\n"), "ookla-tiles-csv"},
		{"ookla parquet", pq, "ookla-tiles-parquet"},
		{"canonical measurements", []byte(strings.Join(ingest.CanonicalColumns, ",") + "\n2026-11-03T09:15:02+01:00,33.5731,-7.5898,604-01,4G,-87,,,24.5,,,,,,\n"), ""},
		{"quadkey without speeds", []byte("quadkey,tests\n0331,3\n"), ""},
		{"opencellid", ocid, "opencellid-csv"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lf, ok, err := ingest.IsLayerFile(bytes.NewReader(c.src), "")
			if err != nil || ok != (c.want != "") || lf.Name != c.want {
				t.Errorf("IsLayerFile = %q, %v, %v; want %q", lf.Name, ok, err, c.want)
			}
		})
	}
}

func FuzzOoklaCSV(f *testing.F) {
	for _, p := range []string{"testdata/ookla/tiles.csv", "testdata/ookla/bad.csv"} {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Add("quadkey;avg_d_kbps;avg_u_kbps;avg_lat_ms;tests;devices\n0331123030032301;48213;11002;31;154;37\n")
	f.Add("quadkey,tile,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0,\"POLYGON((-180 85.0511287798066, 0 85.0511287798066, 0 0, -180 0, -180 85.0511287798066))\",1,1,1,1,1\n")
	lf, _ := ingest.LookupLayerFormat("ookla-tiles-csv")
	f.Fuzz(func(t *testing.T, src string) {
		rep, fs, err := ingest.ReadLayer(strings.NewReader(src), "fuzz.csv", lf, ingest.CSVOptions{})
		if err != nil {
			return
		}
		if int64(len(fs)) != rep.Accepted || rep.Accepted+rep.Rejected != rep.Rows {
			t.Fatalf("%d features, report rows %d accepted %d rejected %d", len(fs), rep.Rows, rep.Accepted, rep.Rejected)
		}
		seen := map[string]bool{}
		for _, x := range fs {
			if x.ID == "" || len(x.ID) > 24 || strings.Trim(x.ID, "0123") != "" || seen[x.ID] {
				t.Fatalf("bad quadkey %q", x.ID)
			}
			seen[x.ID] = true
			k, _ := strconv.ParseUint(x.ID, 4, 64)
			tile := maptile.FromQuadkey(k, maptile.Zoom(len(x.ID)))
			p, ok := x.Geom.(orb.Polygon)
			if !ok || len(p) != 1 || len(p[0]) != 5 || !orb.Equal(p, tile.Bound().ToPolygon()) {
				t.Fatalf("tile %s: geometry %v is not the tile %v", x.ID, x.Geom, tile.Bound())
			}
			dl, tests, devices := x.Props["dl_mbps"].(float64), x.Props["tests"].(float64), x.Props["devices"].(float64)
			if dl < 0 || dl > 10000 || tests < 1 || devices < 1 || devices > tests || x.Props["zoom"] != float64(len(x.ID)) {
				t.Fatalf("tile %s: props %v", x.ID, x.Props)
			}
		}
	})
}

// ooklaBenchTiles returns n distinct zoom-16 tiles over northern Morocco.
func ooklaBenchTiles(n int) []maptile.Tile {
	origin := maptile.At(orb.Point{-9, 35.5}, 16)
	out := make([]maptile.Tile, 0, n)
	for i := 0; len(out) < n; i++ {
		out = append(out, maptile.New(origin.X+uint32(i%400), origin.Y+uint32(i/400), 16))
	}
	return out
}

// BenchmarkOokla reads 100,000 Ookla tiles (with WKT) as CSV and as
// Parquet (row groups of 10,000) and reports rows/s, nothing stored.
func BenchmarkOokla(b *testing.B) {
	const n = 100_000
	tiles := ooklaBenchTiles(n)
	var csvBuf bytes.Buffer
	csvBuf.WriteString("quadkey,tile,tile_x,tile_y,avg_d_kbps,avg_u_kbps,avg_lat_ms,avg_lat_down_ms,avg_lat_up_ms,tests,devices\n")
	rows := make([]ooklaParquetRow, 0, n)
	for i, t := range tiles {
		c := t.Bound().Center()
		down, up := int64(150+i%100), int64(120+i%90)
		r := ooklaParquetRow{Quadkey: ooklaQuadkey(t), Tile: ooklaWKT(t), TileX: c[0], TileY: c[1], AvgDKbps: int64(5000 + i%90000), AvgUKbps: int64(1000 + i%20000),
			AvgLatMs: int64(20 + i%80), AvgLatDown: &down, AvgLatUp: &up, Tests: int64(2 + i%300), Devices: int64(1 + i%2)}
		rows = append(rows, r)
		fmt.Fprintf(&csvBuf, "%s,\"%s\",%g,%g,%d,%d,%d,%d,%d,%d,%d\n", r.Quadkey, r.Tile, r.TileX, r.TileY, r.AvgDKbps, r.AvgUKbps, r.AvgLatMs, down, up, r.Tests, r.Devices)
	}
	pq, err := os.ReadFile(writeOoklaParquet(b, b.TempDir(), rows, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		format string
		src    []byte
	}{{"ookla-tiles-csv", csvBuf.Bytes()}, {"ookla-tiles-parquet", pq}} {
		b.Run(c.format, func(b *testing.B) {
			lf, _ := ingest.LookupLayerFormat(c.format)
			b.ReportAllocs()
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				rep, fs, err := ingest.ReadLayer(bytes.NewReader(c.src), "bench", lf, ingest.CSVOptions{Inside: ooklaInMorocco})
				if err != nil || len(fs) != n {
					b.Fatalf("%d features, %v, %v", len(fs), err, rep.Problems)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
