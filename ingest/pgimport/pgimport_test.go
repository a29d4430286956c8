package pgimport

import (
	"context"
	"fmt"
	"github.com/taghtia/taghtia/data/postgis/pgtest"
	"math"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// The fixture: polygons built from lon/lat in 4326 and stored projected,
// so a correct import gives back the lon/lat.
const fixture = `
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA gis;
CREATE SEQUENCE gis.seq;

-- Communes in Merchich / Nord Maroc (EPSG:26191), as the GIS team keeps them.
CREATE TABLE gis.communes (
	id_commune text, nom text, nom_ar text, pop2024 integer, code_prov text, code_reg text,
	milieu text, geom geometry(Geometry, 26191));
INSERT INTO gis.communes VALUES
	('01.511.01.01', 'Tanger', 'طنجة', 1000, '01.511', '01', 'urbain',
	 ST_Transform(ST_GeomFromText('POLYGON((-5.9 35.7, -5.7 35.7, -5.7 35.8, -5.9 35.8, -5.9 35.7))', 4326), 26191)),
	-- a bow-tie: the ring crosses itself at (-5.5, 35.75)
	('01.511.01.02', 'Noeud', NULL, 500, '01.511', '01', 'rural',
	 ST_Transform(ST_GeomFromText('POLYGON((-5.6 35.7, -5.4 35.8, -5.4 35.7, -5.6 35.8, -5.6 35.7))', 4326), 26191)),
	('01.511.01.03', 'Sans contour', NULL, 300, '01.511', '01', 'rural', NULL),
	('01.511.01.04', 'Vide', NULL, 200, '01.511', '01', 'rural', 'SRID=26191;POLYGON EMPTY'::geometry);

-- The census alone: no geometry column.
CREATE TABLE gis.census (code text, pop integer);
INSERT INTO gis.census VALUES ('01.511.01.01', 1000);

-- Health facilities in WGS 84.
CREATE TABLE gis.health (osm_id bigint, name text, amenity text, geom geometry(Point, 4326));
INSERT INTO gis.health VALUES
	(20000000001, 'Hôpital Mohammed V', 'hospital', ST_SetSRID(ST_MakePoint(-5.81, 35.76), 4326)),
	(20000000002, 'Centre de santé', 'clinic', ST_SetSRID(ST_MakePoint(-5.80, 35.75), 4326));

-- Roads in web mercator.
CREATE TABLE gis.roads (id integer, ref text, lanes integer, paved boolean, note text, geom geometry(LineString, 3857));
INSERT INTO gis.roads VALUES
	(1, 'N1', 2, true, NULL, ST_Transform(ST_GeomFromText('LINESTRING(-5.9 35.7, -5.8 35.75)', 4326), 3857)),
	(2, 'R417', 1, false, 'piste', ST_Transform(ST_GeomFromText('LINESTRING(-5.8 35.75, -5.7 35.8)', 4326), 3857));

-- No SRID at all.
CREATE TABLE gis.nosrid (code text, geom geometry);
INSERT INTO gis.nosrid VALUES ('01',
	ST_SetSRID(ST_Transform(ST_GeomFromText('POLYGON((-5.9 35.7, -5.7 35.7, -5.7 35.8, -5.9 35.8, -5.9 35.7))', 4326), 26191), 0));

-- A commune with no code.
CREATE TABLE gis.nocode (code text, name_fr text, geom geometry(Polygon, 4326));
INSERT INTO gis.nocode VALUES
	('01.511.01.01', 'A', 'SRID=4326;POLYGON((0 0, 1 0, 1 1, 0 0))'),
	(NULL, 'Orpheline', 'SRID=4326;POLYGON((0 0, 1 0, 1 1, 0 0))');
`

var (
	dbOnce sync.Once
	dbURL  string
	dbErr  error
)

// testDB creates a fresh database with the fixture on the server of
// TAGHTIA_TEST_DATABASE_URL, once per test binary, and returns its URL.
func testDB(t *testing.T) string {
	t.Helper()
	base := pgtest.ServerURL(t)
	dbOnce.Do(func() {
		ctx := context.Background()
		name := fmt.Sprintf("pgimport_test_%d", os.Getpid())
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			dbErr = err
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			dbErr = err
			return
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			dbErr = err
			return
		}
		u, err := url.Parse(base)
		if err != nil {
			dbErr = err
			return
		}
		u.Path = "/" + name
		dbURL = u.String()
		c2, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			dbErr = err
			return
		}
		defer c2.Close(ctx)
		if _, err := c2.Exec(ctx, fixture); err != nil {
			dbErr = fmt.Errorf("fixture: %w", err)
			return
		}
		// Decomposed names, written from Go so the bytes are exactly these:
		// "Aït" as A + i + U+0308, "آسفي" as alef + U+0653 (madda above).
		if _, err := c2.Exec(ctx, `INSERT INTO gis.communes VALUES ($1, $2, $3, 10, '01.511', '01', 'U',
			ST_Transform(ST_GeomFromText('POLYGON((-6 35.7, -5.95 35.7, -5.95 35.75, -6 35.7))', 4326), 26191))`,
			"01.511.01.05", "A\u0069\u0308t Ourir", "\u0627\u0653\u0633\u0641\u064a"); err != nil {
			dbErr = err
		}
	})
	if dbErr != nil {
		t.Fatalf("test database: %v", dbErr)
	}
	return dbURL
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dbURL != "" {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, os.Getenv("TAGHTIA_TEST_DATABASE_URL")); err == nil {
			u, _ := url.Parse(dbURL)
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)")
			conn.Close(ctx)
		}
	}
	os.Exit(code)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

var communeMap = map[string]string{"code": "id_commune", "name_fr": "nom", "name_ar": "nom_ar",
	"population": "pop2024", "parent": "code_prov", "region": "code_reg", "type": "milieu"}

func near(a, b orb.Point) bool { return math.Abs(a[0]-b[0]) < 1e-6 && math.Abs(a[1]-b[1]) < 1e-6 }

func area(t *testing.T, as []data.Area, code string) data.Area {
	t.Helper()
	for _, a := range as {
		if a.Code == code {
			return a
		}
	}
	t.Fatalf("no area %s in %d areas", code, len(as))
	return data.Area{}
}

func warning(ws []Problem, code, id string) *Problem {
	for i := range ws {
		if ws[i].Code == code && ws[i].ID == id {
			return &ws[i]
		}
	}
	return nil
}

func TestCommunesMerchich(t *testing.T) {
	u := testDB(t)
	var calls, last int
	res, err := Import(ctx(t), Spec{URL: u, Table: "gis.communes", Kind: KindCommune, Columns: communeMap},
		func(n int) { calls++; last = n })
	if err != nil {
		t.Fatal(err)
	}
	if res.SRID != 26191 || res.Geometry != "geom" {
		t.Errorf("SRID %d, geometry %q; want 26191, geom", res.SRID, res.Geometry)
	}
	if res.Rows != 5 || last != 5 || calls == 0 {
		t.Errorf("rows %d, progress last %d after %d calls; want 5", res.Rows, last, calls)
	}
	if len(res.Areas) != 3 || res.Skipped != 2 {
		t.Fatalf("%d areas, %d skipped; want 3 and 2: %+v", len(res.Areas), res.Skipped, res.Warnings)
	}
	if strings.Contains(res.Source, "@") || !strings.Contains(res.Source, "table gis.communes") {
		t.Errorf("source %q: want the table and no credentials", res.Source)
	}

	tanger := area(t, res.Areas, "01.511.01.01")
	want := data.Area{Level: data.LevelCommune, Code: "01.511.01.01", Parent: "01.511", Region: "01",
		NameFR: "Tanger", NameAR: "طنجة", Type: "urban", Population: 1000}
	got := tanger
	got.Geom = nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(tanger.Geom) != 1 || len(tanger.Geom[0]) != 1 || len(tanger.Geom[0][0]) != 5 {
		t.Fatalf("Tanger geometry %v: want one 5-point ring", tanger.Geom)
	}
	for i, p := range []orb.Point{{-5.9, 35.7}, {-5.7, 35.7}, {-5.7, 35.8}, {-5.9, 35.8}, {-5.9, 35.7}} {
		if q := tanger.Geom[0][0][i]; !near(p, q) {
			t.Errorf("Tanger point %d: %v, want lon/lat %v (not reprojected from EPSG:26191?)", i, q, p)
		}
	}

	// The bow-tie is repaired into its two triangles, with a warning.
	bow := area(t, res.Areas, "01.511.01.02")
	if len(bow.Geom) != 2 {
		t.Errorf("repaired bow-tie has %d polygons, want 2: %v", len(bow.Geom), bow.Geom)
	}
	b := bow.Geom.Bound()
	if !near(b.Min, orb.Point{-5.6, 35.7}) || !near(b.Max, orb.Point{-5.4, 35.8}) {
		t.Errorf("repaired bow-tie bound %v", b)
	}
	w := warning(res.Warnings, WRepaired, "01.511.01.02")
	if w == nil {
		t.Fatalf("no repair warning for 01.511.01.02: %+v", res.Warnings)
	}
	if !strings.Contains(w.Message, "Self-intersection") || w.Row == 0 {
		t.Errorf("repair warning %+v: want ST_IsValidReason and the row", w)
	}
	if warning(res.Warnings, WRepaired, "01.511.01.01") != nil {
		t.Error("the valid commune was reported as repaired")
	}
	if warning(res.Warnings, WNull, "01.511.01.03") == nil || warning(res.Warnings, WEmpty, "01.511.01.04") == nil {
		t.Errorf("want null and empty geometry warnings: %+v", res.Warnings)
	}

	// Names given decomposed come out NFC; "U" means urban.
	ait := area(t, res.Areas, "01.511.01.05")
	if ait.NameFR != "A\u00eft Ourir" || ait.NameAR != "\u0622\u0633\u0641\u064a" {
		t.Errorf("names %+q, %+q: want NFC %+q, %+q", ait.NameFR, ait.NameAR, "A\u00eft Ourir", "\u0622\u0633\u0641\u064a")
	}
	if ait.Type != "urban" {
		t.Errorf("type %q, want urban", ait.Type)
	}
}

func TestQuerySource(t *testing.T) {
	u := testDB(t)
	// A query with the target names as aliases needs no mapping; parent
	// and region come from the HCP code.
	res, err := Import(ctx(t), Spec{URL: u, Kind: KindCommune, Query: `
		SELECT id_commune AS code, nom AS name_fr, pop2024 AS population, geom AS the_geom
		FROM gis.communes WHERE id_commune <= '01.511.01.02';`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Areas) != 2 || res.Geometry != "the_geom" || res.SRID != 26191 {
		t.Fatalf("%d areas from %s (SRID %d): %+v", len(res.Areas), res.Geometry, res.SRID, res.Areas)
	}
	a := res.Areas[0]
	if a.Code != "01.511.01.01" || a.Parent != "01.511" || a.Region != "01" || a.Population != 1000 || a.NameFR != "Tanger" {
		t.Errorf("area %+v", a)
	}
	if !near(a.Geom.Bound().Min, orb.Point{-5.9, 35.7}) {
		t.Errorf("bound %v: want lon/lat", a.Geom.Bound())
	}
	if warning(res.Warnings, WRepaired, "01.511.01.02") == nil {
		t.Errorf("no repair warning from the query: %+v", res.Warnings)
	}
}

func TestHealthPoints(t *testing.T) {
	u := testDB(t)
	res, err := Import(ctx(t), Spec{URL: u, Table: "gis.health", Kind: KindHealth,
		Columns: map[string]string{"id": "osm_id", "kind": "amenity"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Places) != 2 || res.PlaceLayer != data.LayerHealth || len(res.Warnings) != 0 {
		t.Fatalf("%+v", res)
	}
	p := res.Places[0]
	if p.ID != "20000000001" || p.Name != "Hôpital Mohammed V" || p.Kind != "hospital" || p.Layer != data.LayerHealth || !near(p.Point, orb.Point{-5.81, 35.76}) {
		t.Errorf("place %+v", p)
	}
}

func TestRoadsFeatures(t *testing.T) {
	u := testDB(t)
	res, err := Import(ctx(t), Spec{URL: u, Table: "gis.roads", Kind: KindRoads}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Features) != 2 || res.SRID != 3857 {
		t.Fatalf("%+v", res)
	}
	f := res.Features[0]
	if f.ID != "1" || f.Layer != data.LayerRoads {
		t.Errorf("feature %+v", f)
	}
	wantProps := map[string]any{"ref": "N1", "lanes": 2.0, "paved": true, "note": nil}
	if fmt.Sprint(f.Props) != fmt.Sprint(wantProps) {
		t.Errorf("props %#v, want %#v", f.Props, wantProps)
	}
	ls, ok := f.Geom.(orb.LineString)
	if !ok || len(ls) != 2 || !near(ls[0], orb.Point{-5.9, 35.7}) || !near(ls[1], orb.Point{-5.8, 35.75}) {
		t.Errorf("geometry %#v: want the line in lon/lat", f.Geom)
	}
}

func TestErrors(t *testing.T) {
	u := testDB(t)
	for _, tc := range []struct {
		name string
		spec Spec
		want []string
	}{
		{"no geometry column", Spec{Table: "gis.census", Kind: KindCommune},
			[]string{"table gis.census has no geometry column", "code (text)", "pop (int4)"}},
		{"query without geometry", Spec{Query: "SELECT 1 AS code", Kind: KindCommune},
			[]string{`query "SELECT 1 AS code" has no geometry column`, "code (int4)"}},
		{"missing table", Spec{Table: "gis.nope", Kind: KindCommune},
			[]string{"table gis.nope does not exist", "gis.communes"}},
		{"unknown source column", Spec{Table: "gis.communes", Kind: KindCommune, Columns: map[string]string{"code": "id_commune", "name_fr": "nom_fr"}},
			[]string{"name_fr=nom_fr", "available columns: id_commune, nom, nom_ar, pop2024"}},
		{"unknown target field", Spec{Table: "gis.communes", Kind: KindCommune, Columns: map[string]string{"code": "id_commune", "nom": "nom"}},
			[]string{`unknown target field "nom" for kind commune`, "name_fr"}},
		{"required field unmapped", Spec{Table: "gis.communes", Kind: KindCommune},
			[]string{"required field code", "--map code=COLUMN", "id_commune"}},
		{"empty required field", Spec{Table: "gis.nocode", Kind: KindCommune},
			[]string{"table gis.nocode, row 2: required field code (column code) is empty", "Orpheline"}},
		{"srid 0", Spec{Table: "gis.nosrid", Kind: KindRegion},
			[]string{"table gis.nosrid", "SRID 0", "--srid"}},
		{"bad geom flag", Spec{Table: "gis.communes", Kind: KindCommune, Geometry: "nom", Columns: communeMap},
			[]string{"column nom is text, not a geometry"}},
		{"unknown kind", Spec{Table: "gis.communes", Kind: "douar"},
			[]string{`unknown kind "douar"`, "commune, province"}},
		{"both sources", Spec{Table: "gis.communes", Query: "SELECT 1", Kind: KindCommune},
			[]string{"exactly one of a table"}},
		{"writing query", Spec{Query: "SELECT id_commune AS code, nextval('gis.seq') AS n, geom FROM gis.communes", Kind: KindCommune},
			[]string{"read-only transaction"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.URL = u
			_, err := Import(ctx(t), tc.spec, nil)
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n  does not say %q", err, w)
				}
			}
		})
	}
}

func TestSRIDFlag(t *testing.T) {
	u := testDB(t)
	res, err := Import(ctx(t), Spec{URL: u, Table: "gis.nosrid", Kind: KindRegion, SRID: 26191}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Areas) != 1 || res.SRID != 26191 {
		t.Fatalf("%+v", res)
	}
	a := res.Areas[0]
	if a.Region != "01" || a.Parent != "MA" || a.Level != data.LevelRegion {
		t.Errorf("region %+v", a)
	}
	if b := a.Geom.Bound(); !near(b.Min, orb.Point{-5.9, 35.7}) || !near(b.Max, orb.Point{-5.7, 35.8}) {
		t.Errorf("bound %v: want lon/lat", b)
	}
	if _, err := Import(ctx(t), Spec{URL: u, Table: "gis.nosrid", Kind: KindRegion, SRID: 999999}, nil); err == nil || !strings.Contains(err.Error(), "999999") {
		t.Errorf("unknown SRID: %v", err)
	}
}

func TestCancel(t *testing.T) {
	u := testDB(t)
	c, cancel := context.WithCancel(context.Background())
	_, err := Import(c, Spec{URL: u, Table: "gis.communes", Kind: KindCommune, Columns: communeMap},
		func(n int) { cancel() })
	if err != context.Canceled {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestValues(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "1234": 1234, "1234.0": 1234, " 7": -1, "1.5": -1, "-3": -1, "abc": -1} {
		got, err := whole(in)
		if want < 0 && err == nil || want >= 0 && (err != nil || got != want) {
			t.Errorf("whole(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"Urbain": "urban", "U": "urban", "حضرية": "urban", "rurale": "rural", "R": "rural"} {
		if got, ok := communeType(in); !ok || got != want {
			t.Errorf("communeType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := communeType("mixte"); ok || got != "mixte" {
		t.Errorf("communeType(mixte) = %q, %v", got, ok)
	}
	for in, want := range map[string]any{"e\u0301": "\u00e9"} {
		if got := jsonValue(in); got != want {
			t.Errorf("jsonValue(%q) = %q", in, got)
		}
	}
	if got := jsonValue([]any{1.0, "a"}); got != `[1,"a"]` {
		t.Errorf("jsonValue(array) = %v", got)
	}
	if got := redact("postgres://gis:secret@db.anrt.ma:5432/sig?sslmode=require"); got != "postgis://db.anrt.ma:5432/sig" {
		t.Errorf("redact = %q", got)
	}
}
