// Package pgtest gives tests a real PostGIS server: the one
// TAGHTIA_TEST_DATABASE_URL names (scripts/pg.sh starts a throwaway one and
// sets it; scripts/test.sh does). Without it tests skip with a message,
// unless TAGHTIA_REQUIRE_POSTGIS is set (CI), when they fail.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ServerURL is the test server's URL; it skips (or fails, in CI) t without one.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TAGHTIA_TEST_DATABASE_URL")
	if u == "" {
		msg := "PostGIS tests skipped: set TAGHTIA_TEST_DATABASE_URL, e.g. `source scripts/pg.sh && pg_start` (bash scripts/test.sh does)"
		if os.Getenv("TAGHTIA_REQUIRE_POSTGIS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return u
}

var seq atomic.Int64

// FreshDB creates an empty database on the test server, dropped when t
// ends, and returns its URL.
func FreshDB(t testing.TB) string {
	t.Helper()
	base := ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("taghtia_t%d_%d", os.Getpid(), seq.Add(1))
	if err := Exec(ctx, base, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := Exec(ctx, base, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return WithDatabase(t, base, name)
}

// WithDatabase returns url pointing at database name instead.
func WithDatabase(t testing.TB, url, name string) string {
	t.Helper()
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(url, "/"+cfg.Database, "/"+name, 1)
}

// Exec runs one statement on its own connection to url.
func Exec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
