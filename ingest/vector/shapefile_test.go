package vector_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	shp "github.com/jonas-p/go-shp"
	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/charmap"

	"github.com/taghtia/taghtia/ingest/vector"
)

type shpRecord struct {
	rings [][]shp.Point
	attrs []any // NOM, POP, DENS, OK, CREE
}

// writeShapefile writes a polygon Shapefile with go-shp and returns the
// paths of its .shp, .shx and .dbf.
func writeShapefile(t testing.TB, dir, base string, recs []shpRecord) []string {
	t.Helper()
	shpPath := filepath.Join(dir, base+".shp")
	w, err := shp.Create(shpPath, shp.POLYGON)
	if err != nil {
		t.Fatal(err)
	}
	logical := shp.Field{Fieldtype: 'L', Size: 1}
	copy(logical.Name[:], "OK")
	if err := w.SetFields([]shp.Field{shp.StringField("NOM", 40), shp.NumberField("POP", 10), shp.FloatField("DENS", 12, 3), logical, shp.DateField("CREE")}); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		row := w.Write(shp.NewPolyLine(r.rings))
		for i, v := range r.attrs {
			if err := w.WriteAttribute(int(row), i, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()
	// go-shp v0.1.1 names the table "<base>dbf".
	dbf := filepath.Join(dir, base+".dbf")
	if err := os.Rename(filepath.Join(dir, base+"dbf"), dbf); err != nil {
		t.Fatal(err)
	}
	return []string{shpPath, filepath.Join(dir, base+".shx"), dbf}
}

// zipShapefile zips the files under folder/ plus extra entries.
func zipShapefile(t *testing.T, path string, files []string, folder string, extra ...zipEntry) string {
	t.Helper()
	var entries []zipEntry
	for _, f := range files {
		entries = append(entries, zipEntry{name: folder + filepath.Base(f), data: readFile(t, f)})
	}
	return writeZip(t, path, append(entries, extra...)...)
}

// Rings: outer rings clockwise, holes counter-clockwise.
var (
	outerCW  = []shp.Point{{X: -7, Y: 33}, {X: -7, Y: 34}, {X: -6, Y: 34}, {X: -6, Y: 33}, {X: -7, Y: 33}}
	holeCCW  = []shp.Point{{X: -6.8, Y: 33.2}, {X: -6.2, Y: 33.2}, {X: -6.2, Y: 33.8}, {X: -6.8, Y: 33.8}, {X: -6.8, Y: 33.2}}
	islandCW = []shp.Point{{X: -5, Y: 35}, {X: -5, Y: 35.5}, {X: -4.5, Y: 35.5}, {X: -4.5, Y: 35}, {X: -5, Y: 35}}
)

func ring(ps []shp.Point) orb.Ring {
	r := make(orb.Ring, len(ps))
	for i, p := range ps {
		r[i] = orb.Point{p.X, p.Y}
	}
	return r
}

func TestShapefileRead(t *testing.T) {
	dir := t.TempDir()
	rabat, err := charmap.Windows1256.NewEncoder().String("الرباط")
	if err != nil {
		t.Fatal(err)
	}
	files := writeShapefile(t, dir, "communes", []shpRecord{
		{rings: [][]shp.Point{outerCW, holeCCW}, attrs: []any{rabat, 577827, 1234.5, "T", "20240503"}},
		{rings: [][]shp.Point{islandCW, outerCW, holeCCW}, attrs: []any{"Fès", 1112072, 9.25, "F", ""}},
		{rings: [][]shp.Point{{{X: 400000, Y: 300000}, {X: 400000, Y: 310000}, {X: 410000, Y: 310000}, {X: 400000, Y: 300000}}}, attrs: []any{"metres", 1, 1.0, "?", ""}},
		{rings: [][]shp.Point{outerCW}, attrs: []any{"", "", "", " ", ""}},
	})
	cpg := writeFile(t, dir, "communes.cpg", []byte("1256\n"))
	prj := writeFile(t, dir, "communes.prj", []byte(`GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`))
	zipPath := zipShapefile(t, filepath.Join(dir, "communes.zip"), append(files, cpg, prj), "data/",
		zipEntry{name: "__MACOSX/data/._communes.shp", data: []byte("junk")})
	tmp := t.TempDir()
	kind, res, err := openAll(t, zipPath, vector.Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	if kind != vector.KindShapefileZip {
		t.Errorf("Kind = %s", kind)
	}
	want := []vector.Feature{
		{Ref: "record 1", Line: 1, Geom: orb.Polygon{ring(outerCW), ring(holeCCW)},
			Props: map[string]any{"NOM": "الرباط", "POP": 577827.0, "DENS": 1234.5, "OK": true, "CREE": "2024-05-03"}},
		{Ref: "record 2", Line: 2, Geom: orb.MultiPolygon{{ring(islandCW)}, {ring(outerCW), ring(holeCCW)}},
			Props: map[string]any{"NOM": "Fès", "POP": 1112072.0, "DENS": 9.25, "OK": false, "CREE": nil}},
		{Ref: "record 4", Line: 4, Geom: orb.Polygon{ring(outerCW)},
			Props: map[string]any{"NOM": "", "POP": nil, "DENS": nil, "OK": nil, "CREE": nil}},
	}
	if !reflect.DeepEqual(res.features, want) {
		t.Errorf("got  %#v\nwant %#v", res.features, want)
	}
	if len(res.problems) != 1 || res.problems[0].Code != "E_COORDINATE" || res.problems[0].Ref != "record 3" ||
		res.problems[0].File != "communes.zip/data/communes.shp" {
		t.Errorf("problems = %v", res.problems)
	}
	assertOnlyFiles(t, tmp)
}

func TestShapefileWindows1252(t *testing.T) {
	dir := t.TempDir()
	fes, _ := charmap.Windows1252.NewEncoder().String("Fès")
	files := writeShapefile(t, dir, "c", []shpRecord{{rings: [][]shp.Point{outerCW}, attrs: []any{fes, 1, 1.0, "T", ""}}})
	_, res, err := openAll(t, zipShapefile(t, filepath.Join(dir, "c.zip"), files, ""), vector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.features) != 1 || res.features[0].Props["NOM"] != "Fès" {
		t.Errorf("features = %v", res.features)
	}
}

func TestShapefileProjectedRefused(t *testing.T) {
	dir := t.TempDir()
	files := writeShapefile(t, dir, "lambert", []shpRecord{{rings: [][]shp.Point{outerCW}, attrs: []any{"x", 1, 1.0, "T", ""}}})
	prj := writeFile(t, dir, "lambert.prj", []byte(`PROJCS["Merchich / Nord Maroc",GEOGCS["Merchich",DATUM["Merchich",SPHEROID["Clarke 1880 (IGN)",6378249.2,293.466021293627]]],PROJECTION["Lambert_Conformal_Conic_1SP"],UNIT["metre",1]]`))
	_, _, err := openAll(t, zipShapefile(t, filepath.Join(dir, "lambert.zip"), append(files, prj), ""), vector.Options{})
	e := wantCode(t, err, "E_CRS")
	if !strings.Contains(e.Message, "Merchich / Nord Maroc") {
		t.Errorf("message %q should name the PROJCS", e.Message)
	}
}

func TestShapefileSeveral(t *testing.T) {
	dir := t.TempDir()
	a := writeShapefile(t, dir, "a", []shpRecord{{rings: [][]shp.Point{outerCW}, attrs: []any{"x", 1, 1.0, "T", ""}}})
	b := writeShapefile(t, dir, "b", []shpRecord{{rings: [][]shp.Point{outerCW}, attrs: []any{"x", 1, 1.0, "T", ""}}})
	_, _, err := openAll(t, zipShapefile(t, filepath.Join(dir, "two.zip"), append(a, b...), ""), vector.Options{})
	e := wantCode(t, err, "E_FORMAT")
	if !strings.Contains(e.Message, "a.shp, b.shp") {
		t.Errorf("message %q should list the shapefiles", e.Message)
	}
}

func TestShapefileCorruptCounts(t *testing.T) {
	dir := t.TempDir()
	files := writeShapefile(t, dir, "c", []shpRecord{{rings: [][]shp.Point{outerCW}, attrs: []any{"x", 1, 1.0, "T", ""}}})
	data := readFile(t, files[0])
	// Record 1 starts at 100: header 8, type 4, box 32, then NumParts, NumPoints.
	copy(data[100+8+4+32+4:], []byte{0xff, 0xff, 0xff, 0x7f}) // 2^31-1 points
	if err := os.WriteFile(files[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := openAll(t, zipShapefile(t, filepath.Join(dir, "c.zip"), files, ""), vector.Options{})
	wantCode(t, err, "E_FORMAT")
}
