package pgimport

// The streaming read: one SELECT that checks, repairs and reprojects geometry in SQL, rows turned into areas, places or features.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/taghtia/taghtia/data"
)

// query builds the streaming SELECT: mapped fields as text, every other
// column as jsonb (features' properties), then the geometry checks and the
// repaired, reprojected geometry as 2D WKB.
func (r *reader) query(g column, fields []field) (string, []string) {
	var sel []string
	for _, f := range fields {
		sel = append(sel, "s."+pgx.Identifier{f.col}.Sanitize()+"::text")
	}
	var props []string
	if isFeature(r.spec.Kind) {
		for _, c := range r.cols {
			if isGeom(c) || c.name == fields[0].col {
				continue // other geometry columns are not properties
			}
			props = append(props, c.name)
			sel = append(sel, "to_jsonb(s."+pgx.Identifier{c.name}.Sanitize()+")")
		}
	}
	var repair, shape string
	switch {
	case isArea(r.spec.Kind):
		repair = "ST_MakeValid(g0.g)"
		shape = "ST_Multi(ST_CollectionExtract(f.g, 3))"
	case isPlace(r.spec.Kind):
		repair = "ST_MakeValid(g0.g)"
		shape = "CASE WHEN GeometryType(f.g) = 'POINT' OR ST_IsEmpty(f.g) THEN f.g ELSE ST_PointOnSurface(f.g) END"
	default:
		repair = "CASE WHEN ST_Dimension(g0.g) = 2 THEN ST_CollectionExtract(ST_MakeValid(g0.g), 3) ELSE ST_MakeValid(g0.g) END"
		shape = "f.g"
	}
	srid0 := "NULL::geometry"
	if r.spec.SRID != 0 {
		srid0 = fmt.Sprintf("ST_Transform(ST_SetSRID(p.g, %d), 4326)", r.spec.SRID)
	}
	q := `SELECT ` + strings.Join(sel, ", ") + `,
	g0.g IS NULL, COALESCE(ST_IsEmpty(g0.g), false), COALESCE(ST_SRID(g0.g), 0), COALESCE(GeometryType(g0.g), ''),
	COALESCE(v.ok, true), CASE WHEN NOT v.ok THEN ST_IsValidReason(g0.g) END,
	COALESCE(ST_IsEmpty(t.g), true), ST_AsBinary(ST_Force2D(t.g))
FROM ` + r.from + `
CROSS JOIN LATERAL (SELECT s.` + pgx.Identifier{g.name}.Sanitize() + `::geometry AS g) g0
CROSS JOIN LATERAL (SELECT CASE WHEN ST_IsEmpty(g0.g) THEN true ELSE ST_IsValid(g0.g) END AS ok) v
CROSS JOIN LATERAL (SELECT CASE WHEN v.ok THEN g0.g ELSE ` + repair + ` END AS g) f
CROSS JOIN LATERAL (SELECT ` + shape + ` AS g) p
CROSS JOIN LATERAL (SELECT CASE WHEN ST_SRID(p.g) = 0 THEN ` + srid0 + `
	WHEN ST_SRID(p.g) = 4326 THEN p.g ELSE ST_Transform(p.g, 4326) END AS g) t`
	return q, props
}

func (r *reader) read(ctx context.Context, g column, fields []field, progress func(int)) error {
	q, props := r.query(g, fields)
	rows, err := r.tx.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: %w", r.label(), err)
	}
	defer rows.Close()

	res := r.res
	switch {
	case isArea(r.spec.Kind):
		res.Level = data.AreaLevel(r.spec.Kind)
		res.Layer = r.spec.Kind
	case isPlace(r.spec.Kind):
		res.PlaceLayer = data.PlaceLayer(r.spec.Kind)
		res.Layer = r.spec.Kind
	default:
		res.Layer = r.spec.Kind
	}
	var (
		texts                   = make([]pgtype.Text, len(fields))
		jsons                   = make([]any, len(props))
		isNull, isEmpty         bool
		srid                    int32
		gtype                   string
		valid, outEmpty         bool
		reason                  pgtype.Text
		wkbBytes                []byte
		dest                    []any
		firstRow                = map[string]int{}
		reqCol                  = fields[0].col
		reqField                = fields[0].target
		warn                    = func(row int, id, code, msg string) { res.Warnings = append(res.Warnings, Problem{row, id, code, msg}) }
		idx                     = map[string]int{}
		n                       int
		skip                    bool
		parentMapped, regMapped bool
	)
	for i := range texts {
		dest = append(dest, &texts[i])
		idx[fields[i].target] = i
	}
	_, parentMapped = idx["parent"]
	_, regMapped = idx["region"]
	for i := range jsons {
		dest = append(dest, &jsons[i])
	}
	dest = append(dest, &isNull, &isEmpty, &srid, &gtype, &valid, &reason, &outEmpty, &wkbBytes)
	get := func(t string) string {
		i, ok := idx[t]
		if !ok || !texts[i].Valid {
			return ""
		}
		return strings.TrimSpace(texts[i].String)
	}
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("%s, row %d: %w", r.label(), n, err)
		}
		id := get(reqField)
		if id == "" {
			return fmt.Errorf("%s, row %d: required field %s (column %s) is empty%s", r.label(), n, reqField, reqCol, r.hint(get))
		}
		if prev, dup := firstRow[id]; dup {
			return fmt.Errorf("%s, row %d: %s %q (column %s) already appears in row %d; %ss must be unique", r.label(), n, reqField, id, reqCol, prev, reqField)
		}
		firstRow[id] = n
		if progress != nil {
			progress(n)
		}
		skip = false
		switch {
		case isNull:
			warn(n, id, WNull, fmt.Sprintf("no geometry (%s is null); row skipped", g.name))
			skip = true
		case isEmpty:
			warn(n, id, WEmpty, fmt.Sprintf("empty geometry in %s; row skipped", g.name))
			skip = true
		case srid == 0 && r.spec.SRID == 0:
			return fmt.Errorf("%s, row %d, feature %s: geometry has SRID 0 (unknown) while others have %d; give their EPSG code with --srid", r.label(), n, id, res.SRID)
		}
		if !skip && !valid {
			warn(n, id, WRepaired, fmt.Sprintf("invalid %s geometry (%s; coordinates in SRID %d) repaired with ST_MakeValid", gtype, reason.String, srid))
		}
		if !skip && outEmpty {
			if isArea(r.spec.Kind) {
				warn(n, id, WNoPolygon, fmt.Sprintf("%s geometry has no polygonal part; row skipped", gtype))
			} else {
				warn(n, id, WNoPolygon, fmt.Sprintf("%s geometry is empty after repair; row skipped", gtype))
			}
			skip = true
		}
		if skip {
			res.Skipped++
			continue
		}
		// WKB, not EWKB: PostGIS has already reprojected to 4326 and
		// dropped Z/M (ST_Force2D) before ST_AsBinary, so the SRID an EWKB
		// header would carry is known and plain 2D WKB suffices.
		// orb/encoding/wkb decodes it straight into the orb types
		// data.Area/Place/Feature hold; go-geom's ewkb would need a second
		// walk converting every ring from go-geom to orb, for no gain.
		geom, err := wkb.Unmarshal(wkbBytes)
		if err != nil {
			return fmt.Errorf("%s, row %d, feature %s: decode geometry: %w", r.label(), n, id, err)
		}
		switch {
		case isArea(r.spec.Kind):
			mp, ok := geom.(orb.MultiPolygon)
			if !ok { // ST_Multi always gives one; be defensive
				return fmt.Errorf("%s, row %d, feature %s: got %s, want a multipolygon", r.label(), n, id, geom.GeoJSONType())
			}
			if gtype != "POLYGON" && gtype != "MULTIPOLYGON" && valid {
				warn(n, id, WWrongType, fmt.Sprintf("%s geometry: only its polygons were kept", gtype))
			}
			a := data.Area{Level: res.Level, Code: id, Parent: get("parent"), Region: get("region"),
				NameFR: nfc(get("name_fr")), NameAR: nfc(get("name_ar")), NameEN: nfc(get("name_en")),
				Type: get("type"), Geom: mp}
			if a.Population, err = whole(get("population")); err != nil {
				return fmt.Errorf("%s, row %d, feature %s: population (column %s): %w", r.label(), n, id, fields[idx["population"]].col, err)
			}
			deriveParents(&a, parentMapped, regMapped)
			if a.Level == data.LevelCommune && a.Type != "" {
				t, ok := communeType(a.Type)
				if !ok {
					warn(n, id, WType, fmt.Sprintf("type %q is neither urban nor rural; kept as is", a.Type))
				}
				a.Type = t
			}
			res.Areas = append(res.Areas, a)
		case isPlace(r.spec.Kind):
			pt, ok := geom.(orb.Point)
			if !ok {
				return fmt.Errorf("%s, row %d, feature %s: got %s, want a point", r.label(), n, id, geom.GeoJSONType())
			}
			if gtype != "POINT" {
				warn(n, id, WWrongType, fmt.Sprintf("%s geometry replaced by a point on it (ST_PointOnSurface)", gtype))
			}
			p := data.Place{Layer: res.PlaceLayer, ID: id, Name: nfc(get("name")), NameAR: nfc(get("name_ar")),
				Kind: get("kind"), Point: pt, Province: get("province"), Region: get("region")}
			if p.Population, err = whole(get("population")); err != nil {
				return fmt.Errorf("%s, row %d, feature %s: population (column %s): %w", r.label(), n, id, fields[idx["population"]].col, err)
			}
			res.Places = append(res.Places, p)
		default:
			f := data.Feature{Layer: res.Layer, ID: id, Props: make(map[string]any, len(props)), Geom: geom}
			for i, name := range props {
				f.Props[name] = jsonValue(jsons[i])
			}
			res.Features = append(res.Features, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s, after row %d: %w", r.label(), n, err)
	}
	res.Rows = n
	if progress != nil {
		progress(n)
	}
	sort.Slice(res.Areas, func(i, j int) bool { return res.Areas[i].Code < res.Areas[j].Code })
	sort.Slice(res.Places, func(i, j int) bool { return res.Places[i].ID < res.Places[j].ID })
	sort.Slice(res.Features, func(i, j int) bool { return res.Features[i].ID < res.Features[j].ID })
	return nil
}

// hint names a row whose id is empty by its other fields.
func (r *reader) hint(get func(string) string) string {
	for _, t := range []string{"name_fr", "name", "name_ar"} {
		if v := get(t); v != "" {
			return fmt.Sprintf(" (%s %q)", t, v)
		}
	}
	return ""
}
