package main

import (
	"fmt"
	"strings"

	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

type layersCmd struct {
	Load   layersLoadCmd   `cmd:"" help:"Load a reference pack directory into the store and spread its census onto the grid."`
	Import layersImportCmd `cmd:"" help:"Import one reference layer from a PostGIS table or query (reprojected to WGS 84, invalid geometries repaired)."`
}

type layersLoadCmd struct {
	Dir string `arg:"" optional:"" type:"path" help:"Reference pack directory (default: --layers)."`
}

func (c *layersLoadCmd) Run(e *env) error {
	dir := c.Dir
	if dir == "" {
		dir = e.cfg.Layers
	}
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	return loadLayers(e, st, dir)
}

func loadLayers(e *env, st data.Store, dir string) error {
	t, err := e.thresholds()
	if err != nil {
		return err
	}
	fmt.Printf("loading reference layers from %s\n", dir)
	sum, err := ingest.LoadPack(e.ctx, st, dir)
	if err != nil {
		return err
	}
	for _, l := range sum.Layers {
		fmt.Printf("  %-9s %6d  from %s\n", l.Name, l.Count, l.Source)
	}
	if len(sum.Missing) > 0 {
		fmt.Printf("  not in the pack (skipped): %s\n", strings.Join(sum.Missing, ", "))
	}
	ps, err := buildPopulation(e, st, t)
	if err != nil {
		return err
	}
	e.log.Info("layers loaded", "dir", dir, "cells", ps.Cells, "population", ps.Total)
	return nil
}

// buildPopulation spreads the stored census onto the grid of t and says
// what it did.
func buildPopulation(e *env, st data.Store, t coverage.Thresholds) (coverage.PopulationSummary, error) {
	fmt.Printf("spreading census population onto H3 resolution %d cells\n", t.Resolution)
	ps, err := coverage.BuildPopulation(e.ctx, st, t.Resolution)
	if err != nil {
		return ps, err
	}
	fmt.Printf("  %d %s areas -> %d populated cells, %d people (census %d; %d without a boundary or sibling left out)\n",
		ps.Areas, ps.Level, ps.Cells, ps.Total, ps.Census, ps.Unplaced)
	return ps, nil
}
