package vector

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the GeoPackage driver (cgo)
)

// gpkgReader reads one feature table of a GeoPackage, opened read-only
// and immutable, row by row in primary-key order.
type gpkgReader struct {
	db      *sql.DB
	rows    *sql.Rows
	name    string
	table   string
	geomCol string
	cols    []gpkgColumn
	fidIdx  int // index of the fid in the scanned row, -1 if none
	vals    []any
	ptrs    []any
	n       int
}

type gpkgColumn struct {
	name, decl string
	skip       bool // the fid or the geometry
}

type featureTable struct {
	table, geomCol string
	srsID          int64
}

func openGPKG(path, name string, opt Options) (Reader, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&immutable=1"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	g := &gpkgReader{db: db, name: name, fidIdx: -1}
	if err := g.open(opt.Table); err != nil {
		db.Close()
		return nil, err
	}
	return g, nil
}

func (g *gpkgReader) open(want string) error {
	tables, err := g.featureTables()
	if err != nil {
		return err
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.table
	}
	var ft featureTable
	switch {
	case want != "":
		i := slices.IndexFunc(tables, func(t featureTable) bool { return strings.EqualFold(t.table, want) })
		if i < 0 {
			return fileError(g.name, CodeNoTable, "expected a feature table %q in the GeoPackage, found %s", want, tableList(names))
		}
		ft = tables[i]
	case len(tables) == 0:
		return fileError(g.name, CodeNoTable, "expected a feature table in the GeoPackage, found none")
	case len(tables) > 1:
		return fileError(g.name, CodeNoTable, "the GeoPackage holds %d feature tables (%s); name one with --table",
			len(tables), strings.Join(listSome(names, 20), ", "))
	default:
		ft = tables[0]
	}
	g.table, g.geomCol = ft.table, ft.geomCol
	if err := g.checkSRS(ft); err != nil {
		return err
	}
	return g.query()
}

func tableList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(listSome(names, 20), ", ")
}

func (g *gpkgReader) featureTables() ([]featureTable, error) {
	rows, err := g.db.Query(`SELECT c.table_name, gc.column_name, gc.srs_id
		FROM gpkg_contents c JOIN gpkg_geometry_columns gc ON gc.table_name = c.table_name
		WHERE lower(c.data_type) = 'features' ORDER BY c.table_name`)
	if err != nil {
		return nil, g.dbError("list the feature tables", err)
	}
	defer rows.Close()
	var out []featureTable
	for rows.Next() {
		var t featureTable
		if err := rows.Scan(&t.table, &t.geomCol, &t.srsID); err != nil {
			return nil, g.dbError("list the feature tables", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, g.dbError("list the feature tables", err)
	}
	return out, nil
}

// checkSRS accepts only EPSG:4326: Taghtia does not reproject.
func (g *gpkgReader) checkSRS(ft featureTable) error {
	var srsName, org sql.NullString
	var code sql.NullInt64
	err := g.db.QueryRow(`SELECT srs_name, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?`,
		ft.srsID).Scan(&srsName, &org, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{File: g.name, Field: ft.table, Value: fmt.Sprint(ft.srsID), Code: CodeCRS,
			Message: fmt.Sprintf("expected table %s in EPSG:4326, found srs_id %d, which gpkg_spatial_ref_sys does not define", ft.table, ft.srsID)}
	}
	if err != nil {
		return g.dbError("read the spatial reference systems", err)
	}
	if strings.EqualFold(org.String, "EPSG") && code.Int64 == 4326 {
		return nil
	}
	found := fmt.Sprintf("SRS %d (%s, %s:%d)", ft.srsID, srsName.String, org.String, code.Int64)
	return &Error{File: g.name, Field: ft.table, Value: fmt.Sprint(ft.srsID), Code: CodeCRS,
		Message: fmt.Sprintf("expected table %s in EPSG:4326 (WGS 84 longitude/latitude), found %s: reproject it, e.g. ogr2ogr -t_srs EPSG:4326", ft.table, found)}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// query starts reading the table. Attribute columns are selected as
// +"col" so that the driver sees no declared type and converts nothing
// (it would turn DATE text into time.Time, or the zero time when it
// cannot parse it); the declared types are applied in props.
func (g *gpkgReader) query() error {
	info, err := g.db.Query(`SELECT name, type, pk FROM pragma_table_info(?)`, g.table)
	if err != nil {
		return g.dbError("read the columns of "+g.table, err)
	}
	defer info.Close()
	pk := ""
	pks := 0
	var cols []gpkgColumn
	for info.Next() {
		var c gpkgColumn
		var isPK int
		if err := info.Scan(&c.name, &c.decl, &isPK); err != nil {
			return g.dbError("read the columns of "+g.table, err)
		}
		if isPK > 0 {
			pks++
			if strings.EqualFold(c.decl, "INTEGER") {
				pk = c.name
			}
		}
		cols = append(cols, c)
	}
	if err := info.Err(); err != nil {
		return g.dbError("read the columns of "+g.table, err)
	}
	if len(cols) == 0 {
		return fileError(g.name, CodeNoTable, "expected table %s to exist with columns, found none", g.table)
	}
	if pks != 1 {
		pk = ""
	}
	if !slices.ContainsFunc(cols, func(c gpkgColumn) bool { return strings.EqualFold(c.name, g.geomCol) }) {
		return fileError(g.name, CodeFormat, "expected table %s to have the geometry column %s named in gpkg_geometry_columns, found no such column", g.table, g.geomCol)
	}
	var sel []string
	if pk != "" {
		g.fidIdx = 0
		sel = append(sel, quoteIdent(pk))
		g.cols = append(g.cols, gpkgColumn{name: pk, skip: true})
	}
	for _, c := range cols {
		if strings.EqualFold(c.name, pk) {
			continue
		}
		if strings.EqualFold(c.name, g.geomCol) {
			sel = append(sel, quoteIdent(c.name))
		} else {
			sel = append(sel, "+"+quoteIdent(c.name))
		}
		g.cols = append(g.cols, c)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quoteIdent(g.table)
	if pk != "" {
		q += " ORDER BY " + quoteIdent(pk)
	}
	g.rows, err = g.db.Query(q)
	if err != nil {
		return g.dbError("read table "+g.table, err)
	}
	g.vals = make([]any, len(g.cols))
	g.ptrs = make([]any, len(g.cols))
	for i := range g.vals {
		g.ptrs[i] = &g.vals[i]
	}
	return nil
}

func (g *gpkgReader) dbError(op string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no such table: gpkg_"):
		return fileError(g.name, CodeFormat, "expected a GeoPackage (gpkg_contents, gpkg_geometry_columns, gpkg_spatial_ref_sys), found an SQLite database without them")
	case strings.Contains(msg, "not a database"), strings.Contains(msg, "malformed"), strings.Contains(msg, "corrupt"):
		return fileError(g.name, CodeFormat, "expected a GeoPackage, found a damaged SQLite file (%s)", msg)
	}
	return fileError(g.name, CodeFormat, "could not %s: %s", op, msg)
}

func (g *gpkgReader) Kind() Kind { return KindGPKG }

func (g *gpkgReader) Close() error {
	if g.rows != nil {
		g.rows.Close()
	}
	return g.db.Close()
}

func (g *gpkgReader) Next() (Feature, error) {
	if !g.rows.Next() {
		if err := g.rows.Err(); err != nil {
			return Feature{}, g.dbError("read table "+g.table, err)
		}
		return Feature{}, io.EOF
	}
	if err := g.rows.Scan(g.ptrs...); err != nil {
		return Feature{}, g.dbError("read table "+g.table, err)
	}
	g.n++
	id := g.n
	if g.fidIdx >= 0 {
		if v, ok := g.vals[g.fidIdx].(int64); ok {
			id = int(v)
		}
	}
	ref := fmt.Sprintf("row %d of table %s", id, g.table)
	f := Feature{Ref: ref, Line: id, Props: make(map[string]any, len(g.cols))}
	for i, c := range g.cols {
		if c.skip {
			continue
		}
		if strings.EqualFold(c.name, g.geomCol) {
			e := g.geometry(g.vals[i], &f)
			if e != nil {
				e.File, e.Ref, e.Line, e.Field = g.name, ref, id, c.name
				return Feature{}, e
			}
			continue
		}
		if v, ok := sqlValue(g.vals[i], c.decl); ok {
			f.Props[c.name] = v
		}
	}
	return f, nil
}

func (g *gpkgReader) geometry(v any, f *Feature) *Error {
	switch b := v.(type) {
	case nil:
		return nil
	case []byte:
		geom, e := decodeGPKGGeometry(b)
		f.Geom = geom
		return e
	}
	return geomError("expected a GeoPackage geometry blob, found a %T value", v)
}

// sqlValue maps an SQLite value to a property: integers and reals to
// float64 (integers of a BOOLEAN column to bool), text to string, NULL to
// nil; blobs are left out (ok is false).
func sqlValue(v any, decl string) (any, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case int64:
		if strings.EqualFold(decl, "BOOLEAN") {
			return v != 0, true
		}
		return float64(v), true
	case float64:
		return v, true
	case string:
		return strings.ToValidUTF8(v, "\uFFFD"), true
	case bool:
		return v, true
	}
	return nil, false
}
