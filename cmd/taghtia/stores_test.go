package main_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/data/postgis"
	"github.com/taghtia/taghtia/tiles"
)

var dbSeq atomic.Int64

// freshDB creates an empty database on TAGHTIA_TEST_DATABASE_URL's server,
// dropped when the test ends, and returns its URL; it skips without one.
func freshDB(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TAGHTIA_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("PostGIS tests skipped: set TAGHTIA_TEST_DATABASE_URL, e.g. `source scripts/pg.sh && pg_start` (bash scripts/test.sh does)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("taghtia_cmd%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
	})
	cfg, _ := pgconn.ParseConfig(base)
	return strings.Replace(base, "/"+cfg.Database, "/"+name, 1)
}

// TestStoresAgree runs the same journey (real reference pack, a simulated
// national sample) on the embedded store and on PostGIS and checks that
// the stats, zones, snapshot figures and tiles are the same.
func TestStoresAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	pack := packDir(t)
	db := freshDB(t)
	bin := build(t)
	dir := t.TempDir()
	emb := []string{"--data", filepath.Join(dir, "data"), "--layers", pack}
	pg := []string{"--db", db, "--data", filepath.Join(dir, "files"), "--layers", pack}
	sim := filepath.Join(dir, "sim.csv")
	for _, c := range [][]string{emb, pg} {
		run(t, bin, append(c, "layers", "load")...)
	}
	run(t, bin, append(emb, "simulate", "--scale", "0.03", "--seed", "7", "--now", "2026-11-30T12:00:00Z", "--out", sim)...)
	for _, c := range [][]string{emb, pg} {
		run(t, bin, append(c, "ingest", sim)...)
		run(t, bin, append(c, "zones")...)
	}

	ctx := t.Context()
	es, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	ps, err := postgis.Open(ctx, db, postgis.Options{NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()

	est, err := es.CellStats(ctx, data.CellStatFilter{})
	if err != nil {
		t.Fatal(err)
	}
	pst, err := ps.CellStats(ctx, data.CellStatFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(est) == 0 || len(est) != len(pst) {
		t.Fatalf("cell stats: embedded %d, PostGIS %d", len(est), len(pst))
	}
	for i := range est {
		if !sameStat(est[i], pst[i]) {
			t.Fatalf("cell stat %d: embedded %+v, PostGIS %+v", i, est[i], pst[i])
		}
	}

	esn, err := es.LatestSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	psn, err := ps.LatestSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	esn.ComputedAt, psn.ComputedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(esn, psn) {
		t.Errorf("snapshots differ:\n embedded %+v\n PostGIS  %+v", esn, psn)
	}
	ez, en, err := es.Zones(ctx, esn.ID, data.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	pz, pn, err := ps.Zones(ctx, psn.ID, data.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if en == 0 || en != pn || len(ez) != len(pz) {
		t.Fatalf("zones: embedded %d (%d), PostGIS %d (%d)", en, len(ez), pn, len(pz))
	}
	for i := range ez {
		if !reflect.DeepEqual(ez[i], pz[i]) {
			t.Fatalf("zone %d differs:\n embedded %+v\n PostGIS  %+v", i, ez[i], pz[i])
		}
	}
	for _, f := range []data.ZoneFilter{{Kind: data.Grey, Limit: 20, Offset: 5}, {Region: ez[0].RegionCode, Kind: data.White}} {
		a, an, _ := es.Zones(ctx, esn.ID, f)
		b, bn, _ := ps.Zones(ctx, psn.ID, f)
		if an != bn || !reflect.DeepEqual(a, b) {
			t.Errorf("zones %+v: embedded %d (%d), PostGIS %d (%d) or content differs", f, len(a), an, len(b), bn)
		}
	}

	// The in-process renderer gives the same tiles from both stores.
	et, err := tiles.Load(ctx, es, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := tiles.Load(ctx, ps, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, z := range ez[:min(len(ez), 15)] {
		for _, zoom := range []maptile.Zoom{5, 8, 10, 12, 14} {
			tile := maptile.At(z.Centroid, zoom)
			for _, layer := range tiles.Layers() {
				a, err := et.Render(ctx, layer, tile, tiles.Query{Tech: data.Tech4G})
				if err != nil {
					t.Fatal(err)
				}
				b, err := pt.Render(ctx, layer, tile, tiles.Query{Tech: data.Tech4G})
				if err != nil {
					t.Fatal(err)
				}
				if d := diffTiles(a.Raw, b.Raw); d != "" {
					t.Errorf("%s tile %v: %s", layer, tile, d)
				}
				if a.Raw != nil {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Error("no tile had features")
	}
}

func sameStat(a, b data.CellStat) bool {
	eq := func(x, y float32) bool { return x == y || x != x && y != y }
	return a.Cell == b.Cell && a.MCCMNC == b.MCCMNC && a.Tech == b.Tech && a.Samples == b.Samples &&
		a.Last.Equal(b.Last) && a.Level == b.Level &&
		eq(a.SignalP10, b.SignalP10) && eq(a.SignalP50, b.SignalP50) && eq(a.SignalP90, b.SignalP90) &&
		eq(a.DLP10, b.DLP10) && eq(a.DLP50, b.DLP50) && eq(a.DLP90, b.DLP90)
}

// diffTiles decodes two tiles and says how they differ, feature by
// feature (features sorted by id), or "".
func diffTiles(a, b []byte) string {
	if (a == nil) != (b == nil) {
		return fmt.Sprintf("embedded %d bytes, PostGIS %d", len(a), len(b))
	}
	la, err := mvt.Unmarshal(a)
	if err != nil {
		return "embedded: " + err.Error()
	}
	lb, err := mvt.Unmarshal(b)
	if err != nil {
		return "PostGIS: " + err.Error()
	}
	if len(la) != len(lb) {
		return fmt.Sprintf("%d layers vs %d", len(la), len(lb))
	}
	for i := range la {
		fa, fb := la[i].Features, lb[i].Features
		if la[i].Name != lb[i].Name || len(fa) != len(fb) {
			return fmt.Sprintf("layer %s: %d features, PostGIS %s: %d", la[i].Name, len(fa), lb[i].Name, len(fb))
		}
		byID := func(fs []*geojson.Feature) {
			slices.SortFunc(fs, func(x, y *geojson.Feature) int { return cmp.Compare(fmt.Sprint(x.ID), fmt.Sprint(y.ID)) })
		}
		byID(fa)
		byID(fb)
		for j := range fa {
			if !reflect.DeepEqual(fa[j].ID, fb[j].ID) || !reflect.DeepEqual(fa[j].Properties, fb[j].Properties) || !orb.Equal(fa[j].Geometry, fb[j].Geometry) {
				return fmt.Sprintf("layer %s feature %v: embedded %v, PostGIS %v %v", la[i].Name, fa[j].ID, fa[j].Properties, fb[j].ID, fb[j].Properties)
			}
		}
	}
	return ""
}
