package postgis

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// testURL is the server the PostGIS tests use; scripts/test.sh starts one.
func testURL(t testing.TB) string {
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

var dbSeq atomic.Int64

// freshDB creates an empty database on the test server for t and drops it
// at cleanup; it returns its URL.
func freshDB(t testing.TB) string {
	t.Helper()
	base := testURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("taghtia_t%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg, err := pgconn.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(base, "/"+cfg.Database, "/"+name, 1)
}

// freshStore opens a store on a fresh database, closed at cleanup.
func freshStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), freshDB(t), Options{Log: testLog()})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testLog discards, or with TAGHTIA_TEST_LOG=debug writes debug logs.
func testLog() *slog.Logger {
	if os.Getenv("TAGHTIA_TEST_LOG") == "debug" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}
