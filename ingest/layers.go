package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/data"
	"golang.org/x/text/unicode/norm"
)

// LayerStore receives reference layers.
type LayerStore interface {
	ReplaceAreas(ctx context.Context, level data.AreaLevel, areas []data.Area) error
	ReplacePlaces(ctx context.Context, layer data.PlaceLayer, places []data.Place) error
	PutLayerInfo(ctx context.Context, info data.LayerInfo) error
}

// The files of a reference pack that LoadPack reads, by what they hold.
const (
	PackCountry   = "ma_country_outline.geojson"
	PackRegions   = "ma_regions_12.geojson"
	PackProvinces = "ma_provinces_75.geojson"
	PackCommunes  = "ma_communes_1502.geojson"
	PackCensus    = "ma_communes_rgph2024.csv"
	PackPlaces    = "ma_places_geonames.csv"
	PackHealth    = "ma_health_facilities_osm.geojson"
)

// ErrNoPack is matched by *PackError: the directory holds no usable layer.
var ErrNoPack = errors.New("ingest: no reference pack")

// PackError says where a reference pack was looked for and what it needs.
type PackError struct {
	Dir    string
	Reason string
}

func (e *PackError) Error() string {
	return fmt.Sprintf("reference pack %s: %s; it needs at least %s or %s (and ideally %s, %s, %s, %s, %s)",
		e.Dir, e.Reason, PackCommunes, PackProvinces, PackCountry, PackRegions, PackCensus, PackPlaces, PackHealth)
}

// Is makes a PackError match ErrNoPack.
func (e *PackError) Is(target error) bool { return target == ErrNoPack }

// PackSummary lists what a load used.
type PackSummary struct {
	Dir     string
	Layers  []data.LayerInfo
	Missing []string
}

// LoadPack reads the reference layers present in dir and replaces them in
// the store, layer by layer (each replacement is atomic). It uses whatever
// subset is present and reports the rest as missing.
func LoadPack(ctx context.Context, st LayerStore, dir string) (PackSummary, error) {
	sum := PackSummary{Dir: dir}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return sum, &PackError{Dir: dir, Reason: "the directory does not exist"}
	}
	have := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	if !have(PackCommunes) && !have(PackProvinces) && !have(PackRegions) {
		return sum, &PackError{Dir: dir, Reason: "it holds none of the boundary files"}
	}
	for _, n := range []string{PackCountry, PackRegions, PackProvinces, PackCommunes, PackCensus, PackPlaces, PackHealth} {
		if !have(n) {
			sum.Missing = append(sum.Missing, n)
		}
	}
	now := time.Now().UTC()
	record := func(name string, count int, src string) error {
		info := data.LayerInfo{Name: name, Count: count, Source: src, LoadedAt: now}
		sum.Layers = append(sum.Layers, info)
		return st.PutLayerInfo(ctx, info)
	}
	path := func(n string) string { return filepath.Join(dir, n) }

	if have(PackCountry) {
		fc, err := readGeoJSON(path(PackCountry))
		if err != nil {
			return sum, err
		}
		var areas []data.Area
		for _, f := range fc.Features {
			areas = append(areas, data.Area{Level: data.LevelCountry, Code: str(f, "iso_3166_1"),
				NameFR: str(f, "name_fr"), NameAR: str(f, "name_ar"), NameEN: str(f, "name_en"), Geom: multi(f.Geometry)})
		}
		if err := replaceAreas(ctx, st, data.LevelCountry, areas, record, PackCountry); err != nil {
			return sum, err
		}
	}
	if have(PackRegions) {
		fc, err := readGeoJSON(path(PackRegions))
		if err != nil {
			return sum, err
		}
		var areas []data.Area
		for _, f := range fc.Features {
			code := str(f, "hcp_region_code")
			areas = append(areas, data.Area{Level: data.LevelRegion, Code: code, Region: code, Parent: "MA",
				NameFR: str(f, "name_fr"), NameAR: first(str(f, "hcp_name_ar"), str(f, "name_ar")), NameEN: str(f, "name_en"),
				Population: num(f, "population_2024"), Geom: multi(f.Geometry)})
		}
		if err := replaceAreas(ctx, st, data.LevelRegion, areas, record, PackRegions); err != nil {
			return sum, err
		}
	}
	if have(PackProvinces) {
		fc, err := readGeoJSON(path(PackProvinces))
		if err != nil {
			return sum, err
		}
		var areas []data.Area
		for _, f := range fc.Features {
			code := str(f, "hcp_code")
			reg, _, _ := strings.Cut(code, ".")
			areas = append(areas, data.Area{Level: data.LevelProvince, Code: code, Parent: reg, Region: reg,
				NameFR: first(str(f, "hcp_name_fr"), str(f, "name_fr")), NameAR: first(str(f, "hcp_name_ar"), str(f, "name_ar")),
				Type: str(f, "hcp_type"), Population: num(f, "population_2024"), Geom: multi(f.Geometry)})
		}
		if err := replaceAreas(ctx, st, data.LevelProvince, areas, record, PackProvinces); err != nil {
			return sum, err
		}
	}
	if have(PackCommunes) || have(PackCensus) {
		areas, src, err := loadCommunes(dir, have(PackCommunes), have(PackCensus))
		if err != nil {
			return sum, err
		}
		if err := replaceAreas(ctx, st, data.LevelCommune, areas, record, src); err != nil {
			return sum, err
		}
	}
	if have(PackPlaces) {
		places, err := loadPlaces(path(PackPlaces))
		if err != nil {
			return sum, err
		}
		if err := st.ReplacePlaces(ctx, data.LayerPlaces, places); err != nil {
			return sum, fmt.Errorf("store places: %w", err)
		}
		if err := record(string(data.LayerPlaces), len(places), PackPlaces); err != nil {
			return sum, err
		}
	}
	if have(PackHealth) {
		fc, err := readGeoJSON(path(PackHealth))
		if err != nil {
			return sum, err
		}
		var places []data.Place
		for _, f := range fc.Features {
			p, ok := f.Geometry.(orb.Point)
			if !ok {
				continue
			}
			places = append(places, data.Place{Layer: data.LayerHealth, ID: str(f, "osm_id"), Name: str(f, "name_clean"),
				Kind: str(f, "facility_type"), Point: p})
		}
		if err := st.ReplacePlaces(ctx, data.LayerHealth, places); err != nil {
			return sum, fmt.Errorf("store health facilities: %w", err)
		}
		if err := record(string(data.LayerHealth), len(places), PackHealth); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func replaceAreas(ctx context.Context, st LayerStore, level data.AreaLevel, areas []data.Area, record func(string, int, string) error, src string) error {
	sort.Slice(areas, func(i, j int) bool { return areas[i].Code < areas[j].Code })
	if err := st.ReplaceAreas(ctx, level, areas); err != nil {
		return fmt.Errorf("store %s areas: %w", level, err)
	}
	return record(string(level), len(areas), src)
}

// loadCommunes joins commune polygons with the census table by code; a
// census row without a polygon is kept without geometry.
func loadCommunes(dir string, polys, table bool) ([]data.Area, string, error) {
	byCode := map[string]*data.Area{}
	var order []string
	var srcs []string
	if polys {
		srcs = append(srcs, PackCommunes)
		fc, err := readGeoJSON(filepath.Join(dir, PackCommunes))
		if err != nil {
			return nil, "", err
		}
		for i, f := range fc.Features {
			code := str(f, "code")
			if code == "" {
				return nil, "", fmt.Errorf("%s: feature %d: property code is empty", PackCommunes, i)
			}
			a := &data.Area{Level: data.LevelCommune, Code: code, Parent: str(f, "province_code"), Region: str(f, "region_code"),
				NameFR: str(f, "name_fr"), NameAR: str(f, "name_ar"), Type: str(f, "type"), Population: num(f, "population_2024"), Geom: multi(f.Geometry)}
			byCode[code] = a
			order = append(order, code)
		}
	}
	if table {
		srcs = append(srcs, PackCensus)
		rows, err := readCSV(filepath.Join(dir, PackCensus))
		if err != nil {
			return nil, "", err
		}
		for _, r := range rows.records {
			code := rows.get(r, "code")
			pop, err := strconv.ParseInt(rows.get(r, "population_2024"), 10, 64)
			if err != nil {
				return nil, "", fmt.Errorf("%s: line %d, column population_2024: %q is not a whole number", PackCensus, r.line, rows.get(r, "population_2024"))
			}
			a, ok := byCode[code]
			if !ok {
				a = &data.Area{Level: data.LevelCommune, Code: code}
				byCode[code] = a
				order = append(order, code)
			}
			a.Parent = rows.get(r, "province_code")
			a.Region = rows.get(r, "region_code")
			a.NameFR = nfc(rows.get(r, "name_fr"))
			a.NameAR = nfc(rows.get(r, "name_ar"))
			a.Type = rows.get(r, "type")
			a.Population = pop
		}
	}
	out := make([]data.Area, 0, len(order))
	for _, c := range order {
		out = append(out, *byCode[c])
	}
	return out, strings.Join(srcs, " + "), nil
}

func loadPlaces(path string) ([]data.Place, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	var out []data.Place
	for _, r := range rows.records {
		lon, err1 := strconv.ParseFloat(rows.get(r, "lon"), 64)
		lat, err2 := strconv.ParseFloat(rows.get(r, "lat"), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: line %d, column lon/lat: %q, %q are not decimal degrees", name, r.line, rows.get(r, "lon"), rows.get(r, "lat"))
		}
		pop, _ := strconv.ParseInt(rows.get(r, "population"), 10, 64)
		reg := strings.TrimPrefix(rows.get(r, "region_iso"), "MA-")
		id := rows.get(r, "geonameid")
		if id == "" { // a few pack rows have no GeoNames id: name them by line
			id = fmt.Sprintf("%s:%d", name, r.line)
		}
		out = append(out, data.Place{Layer: data.LayerPlaces, ID: id, Name: nfc(rows.get(r, "name")),
			Kind: rows.get(r, "feature_code"), Population: pop, Point: orb.Point{lon, lat},
			Province: rows.get(r, "hcp_province_code"), Region: reg})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func readGeoJSON(path string) (*geojson.FeatureCollection, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("%s: not a GeoJSON FeatureCollection: %w", filepath.Base(path), err)
	}
	return fc, nil
}

type csvRow struct {
	line   int
	fields []string
}

type csvTable struct {
	cols    map[string]int
	records []csvRow
}

func (t *csvTable) get(r csvRow, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

func readCSV(path string) (*csvTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd := csv.NewReader(f)
	rd.FieldsPerRecord = -1
	h, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", filepath.Base(path), err)
	}
	t := &csvTable{cols: map[string]int{}}
	for i, c := range h {
		t.cols[strings.TrimPrefix(strings.TrimSpace(c), "\ufeff")] = i
	}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		line, _ := rd.FieldPos(0)
		t.records = append(t.records, csvRow{line: line, fields: rec})
	}
	return t, nil
}

func str(f *geojson.Feature, k string) string {
	switch v := f.Properties[k].(type) {
	case string:
		return nfc(strings.TrimSpace(v))
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func num(f *geojson.Feature, k string) int64 {
	switch v := f.Properties[k].(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// nfc normalises text (Arabic names in particular) to Unicode NFC.
func nfc(s string) string { return norm.NFC.String(s) }
