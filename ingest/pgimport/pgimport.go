// Package pgimport reads reference layers (administrative areas, places,
// generic vector layers) from a table or a SQL query of an existing
// PostGIS database, such as the regulator's GIS team keeps.
//
// PostGIS does the geometry work: it reports invalid geometries
// (ST_IsValid, ST_IsValidReason), repairs them (ST_MakeValid, keeping only
// the polygonal part of areas), and reprojects every SRID to EPSG:4326
// (ST_Transform). Rows are streamed and turned into data.Area, data.Place
// or data.Feature values one by one; every repair or skipped row is a
// warning naming its feature id.
package pgimport

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/taghtia/taghtia/data"
)

// Kinds of layer Import reads.
const (
	KindCommune  = "commune"
	KindProvince = "province"
	KindRegion   = "region"
	KindPlace    = "place"
	KindHealth   = "health"
	KindSites    = data.LayerSites
	KindRoads    = data.LayerRoads
	KindPoP      = data.LayerPoP
	KindDeclared = data.LayerDeclared
)

// Kinds lists every kind Import accepts.
var Kinds = []string{KindCommune, KindProvince, KindRegion, KindPlace, KindHealth, KindSites, KindRoads, KindPoP, KindDeclared}

// Spec says what to read and how its columns map onto Taghtia's fields.
type Spec struct {
	// URL is a PostgreSQL connection URL (postgres://user:pass@host/db).
	URL string
	// Table is "schema.table" or "table" (search_path); Query is a SELECT
	// used instead. Exactly one of them is set.
	Table string
	Query string
	// Kind is one of Kinds.
	Kind string
	// Geometry is the geometry column; empty: the only geometry (or
	// geography) column of the source.
	Geometry string
	// SRID is the EPSG code of geometries stored with SRID 0 (unknown);
	// geometries with an SRID keep theirs.
	SRID int
	// Columns maps a target field onto a source column, e.g. code →
	// id_commune. A target field left out reads the source column of the
	// same name when there is one. Targets per kind: see Fields.
	Columns map[string]string
}

// Fields lists the target fields of each kind; the first is required.
// Features (sites, roads, pop, declared) keep every other column as a
// property.
func Fields(kind string) []string {
	switch {
	case isArea(kind):
		return []string{"code", "parent", "region", "name_fr", "name_ar", "name_en", "type", "population"}
	case isPlace(kind):
		return []string{"id", "name", "name_ar", "kind", "population", "province", "region"}
	case isFeature(kind):
		return []string{"id"}
	}
	return nil
}

// Problem is one warning about a row: it was repaired, or skipped.
type Problem struct {
	Row     int    `json:"row"` // 1-based row of the result set
	ID      string `json:"id"`  // feature id (code for areas); empty when unknown
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	id := p.ID
	if id == "" {
		id = "(no id)"
	}
	return fmt.Sprintf("row %d, feature %s: %s [%s]", p.Row, id, p.Message, p.Code)
}

// Warning codes.
const (
	WRepaired  = "W_GEOM_REPAIRED"   // invalid geometry repaired with ST_MakeValid
	WNull      = "W_GEOM_NULL"       // no geometry: row skipped
	WEmpty     = "W_GEOM_EMPTY"      // empty geometry: row skipped
	WWrongType = "W_GEOM_TYPE"       // no polygon in an area, or not a point for a place
	WNoPolygon = "W_GEOM_NO_POLYGON" // repair or extraction left nothing: row skipped
	WType      = "W_TYPE_VALUE"      // commune type neither urban nor rural
)

// Result is what Import read: one of Areas, Places or Features is filled,
// by Kind.
type Result struct {
	Kind       string
	Level      data.AreaLevel  // areas
	PlaceLayer data.PlaceLayer // places
	Layer      string          // the store's layer name: level, place layer or feature layer
	Areas      []data.Area     // ordered by code
	Places     []data.Place    // ordered by id
	Features   []data.Feature  // ordered by id
	Warnings   []Problem
	Rows       int    // rows read
	Skipped    int    // rows left out (see Warnings)
	Source     string // e.g. "postgis://host:5432/gis table public.communes" (no password)
	Geometry   string // the geometry column used
	SRID       int    // SRID of the source geometries (the first row's when mixed)
}

// Count is the number of areas, places or features read.
func (r Result) Count() int { return len(r.Areas) + len(r.Places) + len(r.Features) }

func isArea(k string) bool  { return k == KindCommune || k == KindProvince || k == KindRegion }
func isPlace(k string) bool { return k == KindPlace || k == KindHealth }
func isFeature(k string) bool {
	return k == KindSites || k == KindRoads || k == KindPoP || k == KindDeclared
}

// column is one column of the source.
type column struct {
	name string
	oid  uint32
	typ  string
}

// Import reads the layer spec names. progress, when not nil, is called
// with the number of rows read so far. The source is read in one
// read-only transaction; ctx cancels the read.
func Import(ctx context.Context, spec Spec, progress func(n int)) (Result, error) {
	res := Result{Kind: spec.Kind}
	if err := checkSpec(spec); err != nil {
		return res, err
	}
	cfg, err := pgx.ParseConfig(spec.URL)
	if err != nil {
		return res, fmt.Errorf("database URL: %w", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "taghtia layers import"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return res, fmt.Errorf("connect to %s: %w", redact(spec.URL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// One read-only snapshot for the metadata and the rows; a query that
	// tries to write fails instead of changing the GIS team's database.
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return res, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	r := &reader{spec: spec, tx: tx, res: &res}
	res.Source = redact(spec.URL) + " " + r.label()
	if err := r.run(ctx, progress); err != nil {
		return res, err
	}
	return res, nil
}

func checkSpec(spec Spec) error {
	if spec.URL == "" {
		return errors.New("no database URL")
	}
	if (spec.Table == "") == (strings.TrimSpace(spec.Query) == "") {
		return errors.New("give exactly one of a table (schema.table) or a query")
	}
	if Fields(spec.Kind) == nil {
		return fmt.Errorf("unknown kind %q; kinds: %s", spec.Kind, strings.Join(Kinds, ", "))
	}
	if spec.SRID < 0 {
		return fmt.Errorf("SRID %d: want a positive EPSG code", spec.SRID)
	}
	known := Fields(spec.Kind)
	for t, c := range spec.Columns {
		if !contains(known, t) {
			return fmt.Errorf("unknown target field %q for kind %s; its fields are: %s", t, spec.Kind, strings.Join(known, ", "))
		}
		if c == "" {
			return fmt.Errorf("target field %q is mapped to an empty column name", t)
		}
	}
	return nil
}

type reader struct {
	spec Spec
	tx   pgx.Tx
	res  *Result
	from string // SQL FROM item, aliased s
	cols []column
}

// label names the source in messages: table public.communes, or query "…".
func (r *reader) label() string {
	if r.spec.Table != "" {
		return "table " + r.spec.Table
	}
	q := strings.Join(strings.Fields(r.spec.Query), " ")
	if rs := []rune(q); len(rs) > 80 {
		q = string(rs[:77]) + "..."
	}
	return fmt.Sprintf("query %q", q)
}

func (r *reader) run(ctx context.Context, progress func(int)) error {
	if err := r.resolve(ctx); err != nil {
		return err
	}
	geomCol, err := r.geometryColumn()
	if err != nil {
		return err
	}
	r.res.Geometry = geomCol.name
	srid, err := r.sourceSRID(ctx, geomCol)
	if err != nil {
		return err
	}
	r.res.SRID = srid
	fields, err := r.mapping(geomCol)
	if err != nil {
		return err
	}
	return r.read(ctx, geomCol, fields, progress)
}

// resolve checks the source exists and lists its columns.
func (r *reader) resolve(ctx context.Context) error {
	if t := r.spec.Table; t != "" {
		parts := strings.Split(t, ".")
		if len(parts) > 2 || slicesHasEmpty(parts) {
			return fmt.Errorf("table %q: want schema.table or table", t)
		}
		name := pgx.Identifier(parts).Sanitize()
		var ok bool
		if err := r.tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil {
			return fmt.Errorf("table %s: %w", t, err)
		}
		if !ok {
			return fmt.Errorf("table %s does not exist (or is not visible to this user)%s", t, r.geometryTables(ctx))
		}
		r.from = name + " AS s"
	} else {
		q := strings.TrimSpace(r.spec.Query)
		q = strings.TrimSpace(strings.TrimRight(q, "; \t\n"))
		r.from = "(" + q + "\n) AS s"
	}
	rows, err := r.tx.Query(ctx, "SELECT * FROM "+r.from+" LIMIT 0")
	if err != nil {
		return fmt.Errorf("%s: %w", r.label(), err)
	}
	fds := rows.FieldDescriptions()
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", r.label(), err)
	}
	var oids []int64
	seen := map[string]bool{}
	for _, fd := range fds {
		if seen[fd.Name] {
			return fmt.Errorf("%s: column name %q appears twice; alias one of them", r.label(), fd.Name)
		}
		seen[fd.Name] = true
		r.cols = append(r.cols, column{name: fd.Name, oid: fd.DataTypeOID})
		oids = append(oids, int64(fd.DataTypeOID))
	}
	names := map[uint32]string{}
	trows, err := r.tx.Query(ctx, "SELECT oid::int8, typname::text FROM pg_type WHERE oid::int8 = ANY($1::int8[])", oids)
	if err != nil {
		return err
	}
	for trows.Next() {
		var oid int64
		var n string
		if err := trows.Scan(&oid, &n); err != nil {
			return err
		}
		names[uint32(oid)] = n
	}
	if err := trows.Err(); err != nil {
		return err
	}
	for i := range r.cols {
		r.cols[i].typ = names[r.cols[i].oid]
	}
	return nil
}

// geometryTables lists the geometry tables a user could mean, for an error.
func (r *reader) geometryTables(ctx context.Context) string {
	rows, err := r.tx.Query(ctx, `SELECT f_table_schema || '.' || f_table_name FROM geometry_columns
		GROUP BY 1 ORDER BY 1 LIMIT 30`)
	if err != nil {
		return ""
	}
	ts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ts) == 0 {
		return ""
	}
	return "; tables with a geometry column: " + strings.Join(ts, ", ")
}

func isGeom(c column) bool { return c.typ == "geometry" || c.typ == "geography" }

func (r *reader) describe() string {
	var b strings.Builder
	for i, c := range r.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", c.name, c.typ)
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

func (r *reader) geometryColumn() (column, error) {
	if g := r.spec.Geometry; g != "" {
		for _, c := range r.cols {
			if c.name == g {
				if !isGeom(c) {
					return c, fmt.Errorf("%s: column %s is %s, not a geometry; its columns are: %s", r.label(), g, c.typ, r.describe())
				}
				return c, nil
			}
		}
		return column{}, fmt.Errorf("%s has no column %s; its columns are: %s", r.label(), g, r.describe())
	}
	var gs []column
	for _, c := range r.cols {
		if isGeom(c) {
			gs = append(gs, c)
		}
	}
	switch len(gs) {
	case 0:
		return column{}, fmt.Errorf("%s has no geometry column; its columns are: %s", r.label(), r.describe())
	case 1:
		return gs[0], nil
	}
	var ns []string
	for _, c := range gs {
		ns = append(ns, c.name)
	}
	return column{}, fmt.Errorf("%s has several geometry columns (%s); choose one with --geom", r.label(), strings.Join(ns, ", "))
}

// sourceSRID reads the declared SRID of a table's geometry column
// (geometry_columns, as Find_SRID does), else the first row's ST_SRID. An
// unknown SRID (0) needs Spec.SRID.
func (r *reader) sourceSRID(ctx context.Context, g column) (int, error) {
	srid := 0
	if r.spec.Table != "" && g.typ == "geometry" {
		err := r.tx.QueryRow(ctx, `SELECT gc.srid FROM geometry_columns gc
			JOIN pg_class c ON c.oid = to_regclass($1)
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE gc.f_table_schema = n.nspname AND gc.f_table_name = c.relname AND gc.f_geometry_column = $2`,
			pgx.Identifier(strings.Split(r.spec.Table, ".")).Sanitize(), g.name).Scan(&srid)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("%s: read SRID of %s: %w", r.label(), g.name, err)
		}
	}
	if srid == 0 {
		col := "s." + pgx.Identifier{g.name}.Sanitize() + "::geometry"
		err := r.tx.QueryRow(ctx, "SELECT ST_SRID("+col+") FROM "+r.from+" WHERE "+col+" IS NOT NULL LIMIT 1").Scan(&srid)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("%s: column %s holds no geometry (every row is null)", r.label(), g.name)
		}
		if err != nil {
			return 0, fmt.Errorf("%s: read SRID of %s: %w", r.label(), g.name, err)
		}
	}
	if srid == 0 && r.spec.SRID == 0 {
		return 0, fmt.Errorf("%s: geometries in %s have SRID 0 (unknown); give their EPSG code with --srid (e.g. 26191 for Merchich / Nord Maroc, 4326 for WGS 84)", r.label(), g.name)
	}
	if r.spec.SRID != 0 {
		var ok bool
		if err := r.tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = $1)", r.spec.SRID).Scan(&ok); err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("--srid %d is not in this database's spatial_ref_sys", r.spec.SRID)
		}
	}
	if srid == 0 {
		srid = r.spec.SRID
	}
	return srid, nil
}

// field is one target field read from a source column.
type field struct {
	target, col string
}

// mapping resolves the target fields onto source columns: explicit ones
// must exist; the others read a column of the same name when present.
func (r *reader) mapping(g column) ([]field, error) {
	has := map[string]bool{}
	var avail []string
	for _, c := range r.cols {
		has[c.name] = true
		if !isGeom(c) {
			avail = append(avail, c.name)
		}
	}
	var fs []field
	var bad []string
	for _, t := range Fields(r.spec.Kind) {
		if c, ok := r.spec.Columns[t]; ok {
			if !has[c] || c == g.name {
				bad = append(bad, fmt.Sprintf("%s=%s", t, c))
				continue
			}
			fs = append(fs, field{t, c})
		} else if has[t] {
			fs = append(fs, field{t, t})
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: mapped column not found (%s); available columns: %s", r.label(), strings.Join(bad, ", "), strings.Join(avail, ", "))
	}
	req := Fields(r.spec.Kind)[0]
	if len(fs) == 0 || fs[0].target != req {
		return nil, fmt.Errorf("%s: no column for the required field %s; map one with --map %s=COLUMN (available columns: %s)", r.label(), req, req, strings.Join(avail, ", "))
	}
	return fs, nil
}
