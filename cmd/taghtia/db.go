package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/taghtia/taghtia/data/postgis"
)

// migrateCmd applies the embedded schema migrations to the PostGIS
// database; the server also applies them on start.
type migrateCmd struct{}

func (c *migrateCmd) Run(e *env) error {
	if e.cfg.DB == "" {
		return errors.New("migrate: give the database with --db URL (or TAGHTIA_DATABASE_URL); the embedded store needs no migration")
	}
	steps, err := postgis.Migrate(e.ctx, e.cfg.DB)
	if err != nil {
		return err
	}
	for _, s := range steps {
		fmt.Printf("applied %d %s\n", s.Version, s.Name)
	}
	fmt.Printf("schema at version %d (%s)\n", postgis.SchemaVersion(), e.where())
	return nil
}

// dbCmd groups PostGIS maintenance.
type dbCmd struct {
	Partitions  partitionsCmd  `cmd:"" help:"List the monthly partitions of the measurements table."`
	Detach      detachCmd      `cmd:"" help:"Detach the monthly partitions before a month (archive raw rows; coverage keeps their evidence)."`
	Reaggregate reaggregateCmd `cmd:"" help:"Rebuild the per-cell aggregates from the raw measurement rows (one SQL GROUP BY)."`
}

type reaggregateCmd struct{}

func (c *reaggregateCmd) Run(e *env) error {
	st, err := e.postgis()
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	n, err := st.RebuildAggregates(e.ctx)
	if err != nil {
		return err
	}
	fmt.Printf("rebuilt %d per-cell aggregates from the raw rows in %.1fs; run taghtia zones to reclassify\n", n, time.Since(start).Seconds())
	return nil
}

func (e *env) postgis() (*postgis.Store, error) {
	if e.cfg.DB == "" {
		return nil, errors.New("this command needs the PostGIS store: give --db URL (or TAGHTIA_DATABASE_URL)")
	}
	return postgis.Open(e.ctx, e.cfg.DB, postgis.Options{Log: e.log})
}

type partitionsCmd struct{}

func (c *partitionsCmd) Run(e *env) error {
	st, err := e.postgis()
	if err != nil {
		return err
	}
	defer st.Close()
	parts, err := st.Partitions(e.ctx)
	if err != nil {
		return err
	}
	for _, p := range parts {
		fmt.Printf("%s\t%s\t~%d rows\n", p.Name, p.Month.Format("2006-01"), p.Rows)
	}
	fmt.Printf("%d partitions\n", len(parts))
	return nil
}

type detachCmd struct {
	Before string `required:"" help:"First month to keep, YYYY-MM: every partition wholly before it is detached."`
}

func (c *detachCmd) Run(e *env) error {
	t, err := time.Parse("2006-01", c.Before)
	if err != nil {
		return fmt.Errorf("--before %q: want YYYY-MM, e.g. 2025-01", c.Before)
	}
	st, err := e.postgis()
	if err != nil {
		return err
	}
	defer st.Close()
	done, err := st.DetachBefore(e.ctx, t)
	for _, d := range done {
		fmt.Printf("detached %s\n", d)
	}
	if err != nil {
		return err
	}
	fmt.Printf("%d partitions detached\n", len(done))
	return nil
}
