package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/pgimport"
)

// layersImportCmd reads one reference layer from a PostGIS table or query
// (the regulator's GIS database) and replaces that layer in the store.
type layersImportCmd struct {
	FromDB string   `name:"from-db" env:"TAGHTIA_LAYERS_DB" placeholder:"URL" help:"PostgreSQL URL of the GIS database to read (postgres://user:pass@host:5432/db)."`
	Table  string   `xor:"source" placeholder:"SCHEMA.TABLE" help:"Source table."`
	Query  string   `xor:"source" placeholder:"SQL" help:"Source SELECT query, instead of --table."`
	Kind   string   `required:"" enum:"commune,province,region,place,health,sites,roads,pop,declared" help:"What the rows are: ${enum}."`
	Geom   string   `placeholder:"COLUMN" help:"Geometry column (default: the only geometry column)."`
	Map    []string `sep:"none" placeholder:"TARGET=SOURCE" help:"Read a field from a column, e.g. --map code=id_commune --map name_fr=nom (repeatable). Unmapped fields read the column of the same name. Areas: code (required), parent, region, name_fr, name_ar, name_en, type, population; places: id (required), name, name_ar, kind, population, province, region; sites/roads/pop/declared: id (required), every other column is a property."`
	SRID   int      `name:"srid" help:"EPSG code of geometries stored with SRID 0 (unknown)."`
	DryRun bool     `help:"Read and check the layer, store nothing."`
}

func (c *layersImportCmd) Run(e *env) error {
	spec, err := c.spec(e)
	if err != nil {
		return err
	}
	var st data.Store
	if !c.DryRun { // open the store first: a locked store fails before a long read
		if st, err = e.store(); err != nil {
			return err
		}
		defer st.Close()
	}

	src := "table " + c.Table
	if c.Table == "" {
		src = "query"
	}
	pb := bar(-1, fmt.Sprintf("import %s from %s", c.Kind, src))
	res, err := pgimport.Import(e.ctx, spec, func(n int) { _ = pb.Set(n) })
	_ = pb.Finish()
	if err != nil {
		return fmt.Errorf("layers import: %w", err)
	}
	printImport(e, res)
	if res.Count() == 0 {
		return fmt.Errorf("layers import: %s gave no usable %s rows (%d read, %d skipped); the stored layer is left as it was",
			res.Source, c.Kind, res.Rows, res.Skipped)
	}
	if c.DryRun {
		fmt.Println("dry run: nothing stored")
		return nil
	}

	switch {
	case len(res.Areas) > 0:
		err = st.ReplaceAreas(e.ctx, res.Level, res.Areas)
	case len(res.Places) > 0:
		err = st.ReplacePlaces(e.ctx, res.PlaceLayer, res.Places)
	default:
		err = st.ReplaceFeatures(e.ctx, res.Layer, res.Features)
	}
	if err != nil {
		return fmt.Errorf("store %s layer: %w", res.Layer, err)
	}
	info := data.LayerInfo{Name: res.Layer, Count: res.Count(), Source: res.Source, LoadedAt: time.Now().UTC()}
	if err := st.PutLayerInfo(e.ctx, info); err != nil {
		return err
	}
	fmt.Printf("  %-9s %6d  from %s\n", info.Name, info.Count, info.Source)
	e.log.Info("layer imported", "layer", info.Name, "count", info.Count, "source", info.Source, "warnings", len(res.Warnings))

	if len(res.Areas) > 0 { // boundaries or census changed: rebuild the population grid as layers load does
		t, err := e.thresholds()
		if err != nil {
			return err
		}
		ps, err := buildPopulation(e, st, t)
		if err != nil {
			return err
		}
		e.log.Info("population grid rebuilt", "cells", ps.Cells, "population", ps.Total)
	}
	return nil
}

func (c *layersImportCmd) spec(e *env) (pgimport.Spec, error) {
	spec := pgimport.Spec{URL: c.FromDB, Table: c.Table, Query: c.Query, Kind: c.Kind, Geometry: c.Geom, SRID: c.SRID}
	if spec.URL == "" {
		spec.URL = e.cfg.DB // the GIS tables may live in Taghtia's own database
	}
	if spec.URL == "" {
		return spec, errors.New("layers import: give the GIS database with --from-db URL (or TAGHTIA_LAYERS_DB, or --db)")
	}
	if c.Table == "" && c.Query == "" {
		return spec, errors.New("layers import: give --table SCHEMA.TABLE or --query SQL")
	}
	if len(c.Map) > 0 {
		spec.Columns = map[string]string{}
	}
	for _, m := range c.Map {
		t, s, ok := strings.Cut(m, "=")
		t, s = strings.TrimSpace(t), strings.TrimSpace(s)
		if !ok || t == "" || s == "" {
			return spec, fmt.Errorf("--map %q: want TARGET=SOURCE, e.g. --map code=id_commune; targets for %s: %s",
				m, c.Kind, strings.Join(pgimport.Fields(c.Kind), ", "))
		}
		if prev, dup := spec.Columns[t]; dup {
			return spec, fmt.Errorf("--map %s: field %s is already mapped to %s", m, t, prev)
		}
		spec.Columns[t] = s
	}
	return spec, nil
}

// printImport logs every warning and prints a summary by warning code,
// with the first few warnings.
func printImport(e *env, res pgimport.Result) {
	fmt.Printf("read %d rows from %s (geometry %s, SRID %d -> 4326): %d %s kept, %d skipped\n",
		res.Rows, res.Source, res.Geometry, res.SRID, res.Count(), res.Layer, res.Skipped)
	if len(res.Warnings) == 0 {
		return
	}
	byCode := map[string]int{}
	for _, w := range res.Warnings {
		byCode[w.Code]++
		e.log.Warn("layer import", "layer", res.Layer, "row", w.Row, "id", w.ID, "code", w.Code, "msg", w.Message)
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d %s", byCode[c], c))
	}
	fmt.Printf("  %d warnings: %s\n", len(res.Warnings), strings.Join(parts, ", "))
	for i, w := range res.Warnings {
		if i == 5 {
			fmt.Printf("  … %d more (see the log)\n", len(res.Warnings)-5)
			break
		}
		fmt.Printf("  %s\n", w)
	}
}
