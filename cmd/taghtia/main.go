// Command taghtia is the one Taghtia binary: it loads reference layers,
// simulates and ingests measurements, computes coverage and zones, and
// serves the map, tiles and API. It wires stores into stages; the work
// itself lives in the packages.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
)

// Config is the typed configuration shared by every subcommand, filled
// from flags and TAGHTIA_* environment variables.
type Config struct {
	Data        string        `help:"Data directory of the embedded store (used when --db is not given)." default:"taghtia-data" env:"TAGHTIA_DATA" type:"path"`
	DB          string        `help:"PostgreSQL + PostGIS URL (postgres://user:pass@host:5432/db); selects the PostGIS store instead of the embedded one." env:"TAGHTIA_DATABASE_URL"`
	DBRead      string        `name:"db-read" help:"Read-only replica URL for tile and list queries (PostGIS store only)." env:"TAGHTIA_DATABASE_READ_URL"`
	Layers      string        `help:"Reference pack directory (boundaries, census, places)." default:"../shared/data/morocco" env:"TAGHTIA_LAYERS" type:"path"`
	Thresholds  string        `help:"Coverage thresholds file (YAML); default: the built-in versioned set." env:"TAGHTIA_THRESHOLDS" type:"path"`
	LogLevel    string        `help:"Log level: debug, info, warn, error." default:"info" env:"TAGHTIA_LOG_LEVEL" enum:"debug,info,warn,error"`
	MaxAge      time.Duration `help:"Ingest: reject measurements older than this (e.g. 8760h for a year); 0 accepts any age." env:"TAGHTIA_MAX_AGE"`
	MaxAccuracy float64       `help:"Ingest: reject measurements whose GPS accuracy is worse than this many metres." default:"100" env:"TAGHTIA_MAX_ACCURACY"`
}

type cli struct {
	Config

	Demo     demoCmd     `cmd:"" help:"Load the reference pack, simulate and ingest a national measurement set, compute zones, and serve the map."`
	Layers   layersCmd   `cmd:"" help:"Reference layers."`
	Simulate simulateCmd `cmd:"" help:"Write a simulated national measurement set as canonical CSV."`
	Ingest   ingestCmd   `cmd:"" help:"Validate and store measurement files (canonical CSV)."`
	Zones    zonesCmd    `cmd:"" help:"Recompute coverage, levels and zones from what is stored."`
	Disputes disputesCmd `cmd:"" help:"Where measurements contradict declared coverage: list, export, score against a truth file."`
	Plan     planCmd     `cmd:"" help:"Plan a scenario: fibre or satellite for administrative sites, new 4G sites and roaming for programme zones, costs and schedule."`
	Serve    serveCmd    `cmd:"" help:"Serve the map, tiles and API."`
	Migrate  migrateCmd  `cmd:"" help:"Apply the PostGIS schema migrations (serve and every command also do on start)."`
	DB       dbCmd       `cmd:"" name:"db" help:"PostGIS maintenance: partitions."`
}

func main() {
	var c cli
	kctx := kong.Parse(&c, kong.Name("taghtia"),
		kong.Description("Taghtia (تغطية): mobile coverage, white and grey zones, and the plan to fix them."),
		kong.UsageOnError())
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &env{cfg: c.Config, log: log, ctx: ctx}
	if err := kctx.Run(env); err != nil {
		fmt.Fprintln(os.Stderr, "taghtia:", err)
		os.Exit(1)
	}
}
