// Package postgis is Taghtia's production store on PostgreSQL 15 +
// PostGIS 3. It implements data.Store with the same behaviour as the
// embedded store, proven by the shared suite in data/storetest.
//
// Layout: the schema lives in migrations/*.sql, embedded in the binary and
// applied with goose on Open (or `taghtia migrate`). Geometry is kept in
// EPSG:4326 for data and EPSG:3857, GiST-indexed, for tiles. H3 cells are
// computed in Go and stored as bigint. Measurements arrive by COPY, one
// transaction per upload, into a table range-partitioned by month, and
// each upload folds its rows into per-cell aggregates (cell_agg) in the
// same transaction, so a recompute reads aggregates,
// never raw rows.
//
// Every query runs with the caller's context: a cancelled request cancels
// its query. Reads that may lag (lists, tiles) can go to a replica pool.
package postgis

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultAggregateResolution is the H3 resolution of the incremental
// per-cell aggregates: the grid of the shipped thresholds.
const DefaultAggregateResolution = 8

// Options tune Open. The zero value is the production setting.
type Options struct {
	// ReadURL, when set, is a read-only replica for tile and list queries.
	ReadURL string
	// NoMigrate refuses to start on a schema that is not current instead
	// of migrating it.
	NoMigrate bool
	// AggregateResolution of the per-cell aggregates; 0 means
	// DefaultAggregateResolution. It is fixed when the schema is created.
	AggregateResolution int
	// Log receives migration messages; nil means slog.Default().
	Log *slog.Logger
}

// Store is the PostGIS store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	read   *pgxpool.Pool
	aggRes int
	parts  partitions
	log    *slog.Logger
}

var _ data.Store = (*Store)(nil)

// Open connects to url, applies pending migrations (unless
// opt.NoMigrate) and checks the schema version.
//
// Errors: connection errors naming the host; a schema newer than this
// binary knows; with NoMigrate, a schema that needs migrating.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	pool, err := connect(ctx, url, "taghtia")
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, read: pool, log: opt.Log}
	if opt.ReadURL != "" {
		if s.read, err = connect(ctx, opt.ReadURL, "taghtia-read"); err != nil {
			pool.Close()
			return nil, err
		}
	}
	if err := s.migrate(ctx, opt); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.initMeta(ctx, opt.AggregateResolution); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func connect(ctx context.Context, url, app string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgis: database URL: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = app
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// Pool is the read-write connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// ReadPool is the pool for reads that may lag: the replica when one was
// given, else Pool.
func (s *Store) ReadPool() *pgxpool.Pool { return s.read }

// AggregateResolution is the H3 resolution of the incremental aggregates.
func (s *Store) AggregateResolution() int { return s.aggRes }

// Close releases the pools.
func (s *Store) Close() error {
	if s.read != s.pool {
		s.read.Close()
	}
	s.pool.Close()
	return nil
}

// provider returns the goose provider of the embedded migrations.
func provider(db *pgxpool.Pool) (*goose.Provider, func() error, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, err
	}
	sqlDB := stdlib.OpenDBFromPool(db)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, sub,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	return p, sqlDB.Close, nil
}

// SchemaVersion is the newest migration this binary carries.
func SchemaVersion() int64 {
	sub, _ := fs.Sub(migrations, "migrations")
	ents, _ := fs.ReadDir(sub, ".")
	var v int64
	for _, e := range ents {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v
}

// Migration is one applied migration step.
type Migration struct {
	Version int64
	Name    string
}

// Migrate applies every pending migration to the database at url and
// returns the steps applied.
func Migrate(ctx context.Context, url string) ([]Migration, error) {
	pool, err := connect(ctx, url, "taghtia-migrate")
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	return migrateUp(ctx, pool)
}

func migrateUp(ctx context.Context, pool *pgxpool.Pool) ([]Migration, error) {
	p, done, err := provider(pool)
	if err != nil {
		return nil, fmt.Errorf("postgis: migrations: %w", err)
	}
	defer done()
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	var out []Migration
	for _, r := range res {
		out = append(out, Migration{Version: r.Source.Version, Name: r.Source.Path})
	}
	return out, nil
}

// migrate brings the schema to SchemaVersion, or checks it is there.
func (s *Store) migrate(ctx context.Context, opt Options) error {
	p, done, err := provider(s.pool)
	if err != nil {
		return fmt.Errorf("postgis: migrations: %w", err)
	}
	defer done()
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("postgis: read schema version: %w", err)
	}
	want := SchemaVersion()
	switch {
	case cur > want:
		return fmt.Errorf("postgis: the database has schema version %d, this binary knows up to %d: upgrade taghtia", cur, want)
	case cur == want:
		return nil
	case opt.NoMigrate:
		return fmt.Errorf("postgis: the database has schema version %d, this binary needs %d: run taghtia migrate", cur, want)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("postgis: migrate from version %d: %w", cur, err)
	}
	for _, r := range res {
		opt.Log.Info("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// initMeta fixes the aggregate resolution on a new schema and reads it.
func (s *Store) initMeta(ctx context.Context, res int) error {
	if res == 0 {
		res = DefaultAggregateResolution
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('aggregate_resolution', to_jsonb($1::int)) ON CONFLICT (key) DO NOTHING`, res); err != nil {
		return fmt.Errorf("postgis: init meta: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT (value #>> '{}')::int FROM meta WHERE key = 'aggregate_resolution'`).Scan(&s.aggRes); err != nil {
		return fmt.Errorf("postgis: read meta: %w", err)
	}
	return nil
}

// tx runs fn in one read-write transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// classify maps PostgreSQL errors to the data sentinels.
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %s", data.ErrInvalid, pe.Detail)
		case strings.HasPrefix(pe.Code, "22"), strings.HasPrefix(pe.Code, "23"), pe.Code == "XX000" && strings.Contains(pe.Message, "geometry"):
			return fmt.Errorf("%w: %s", data.ErrInvalid, pe.Message)
		}
	}
	return err
}

// cellID is the bigint stored for an H3 index (h3-go's Cell is int64;
// H3 indexes have the top bit clear, so order is kept).
func cellID(c geo.Cell) int64 { return int64(c) }
