package postgis

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/taghtia/taghtia/data/postgis/pgtest"
)

// freshStore opens a store on a fresh database, closed at cleanup.
func freshStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.FreshDB(t), Options{Log: testLog()})
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
