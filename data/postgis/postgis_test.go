package postgis

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/postgis/pgtest"
	"github.com/taghtia/taghtia/data/storetest"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return freshStore(t) })
}

// TestRebuildAggregates checks that the SQL GROUP BY rebuild gives the
// aggregates the uploads kept incrementally, and that a detached month
// leaves the incremental ones alone but drops out of a rebuild.
func TestRebuildAggregates(t *testing.T) {
	s := freshStore(t)
	ctx := t.Context()
	rows := benchRows(20_000) // 2026-09-01 onward, about 16 days
	late := benchRows(5_000)
	for i := range late {
		late[i].Time = late[i].Time.AddDate(0, 2, 0) // November
	}
	for i, rs := range [][]data.Measurement{rows, late} {
		fill := func(emit func([]data.Measurement) error) (data.Upload, error) { return data.Upload{}, emit(rs) }
		if _, err := s.AddUpload(ctx, data.Upload{SHA256: fmt.Sprint("r", i)}, fill); err != nil {
			t.Fatal(err)
		}
	}
	collect := func() []data.CellHist {
		var out []data.CellHist
		if err := s.CellHistograms(ctx, s.AggregateResolution(), func(hs []data.CellHist) error { out = append(out, hs...); return nil }); err != nil {
			t.Fatal(err)
		}
		data.SortHists(out)
		return out
	}
	before := collect()
	if _, err := s.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := collect(); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuilt aggregates differ: %d vs %d", len(before), len(after))
	}
	parts, err := s.Partitions(ctx)
	if err != nil || len(parts) != 2 || parts[0].Name != "measurements_y2026m09" || parts[1].Name != "measurements_y2026m11" {
		t.Fatalf("partitions = %+v, %v; want 2026-09 and 2026-11", parts, err)
	}
	done, err := s.DetachBefore(ctx, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(done) != 1 || done[0] != "measurements_y2026m09_detached" {
		t.Fatalf("DetachBefore = %v, %v", done, err)
	}
	if got := collect(); !reflect.DeepEqual(before, got) {
		t.Errorf("aggregates changed by a detach")
	}
	var n int
	scanErr := s.ScanMeasurements(ctx, func(ms []data.Measurement) error { n += len(ms); return nil })
	if scanErr != nil || n != len(late) {
		t.Errorf("after detach ScanMeasurements = %d rows, %v; want %d", n, scanErr, len(late))
	}
	// A new upload into the detached month recreates its partition.
	fill := func(emit func([]data.Measurement) error) (data.Upload, error) { return data.Upload{}, emit(rows[:10]) }
	if _, err := s.AddUpload(ctx, data.Upload{SHA256: "again"}, fill); err != nil {
		t.Fatalf("upload into a detached month: %v", err)
	}
	if _, err := s.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	var total int32
	for _, h := range collect() {
		total += h.Samples
	}
	if total != int32(len(late)+10) {
		t.Errorf("rebuilt after detach: %d samples, want %d", total, len(late)+10)
	}
}

// TestReadPool checks that lists and tiles go to the read pool: the
// "replica" is a copy of the database taken after the first snapshot, so
// a second snapshot written to the primary is not seen by reads, as with
// a lagging replica, while writes and their own reads stay on the primary.
func TestReadPool(t *testing.T) {
	primary := pgtest.FreshDB(t)
	ctx := t.Context()
	s, err := Open(ctx, primary, Options{Log: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.AddSnapshot(ctx, data.Snapshot{ComputedAt: time.Now(), Resolution: 8}, []data.Zone{{ID: "W-1", Kind: data.White, Rank: 1}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	replica := pgtest.FreshDB(t)
	name := replica[strings.LastIndex(replica, "/")+1:]
	name = name[:strings.IndexAny(name+"?", "?")]
	if err := pgtest.Exec(ctx, pgtest.ServerURL(t), "DROP DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	srcName := primary[strings.LastIndex(primary, "/")+1:]
	srcName = srcName[:strings.IndexAny(srcName+"?", "?")]
	if err := pgtest.Exec(ctx, pgtest.ServerURL(t), "CREATE DATABASE "+name+" TEMPLATE "+srcName); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, primary, Options{ReadURL: replica, Log: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	second, err := s.AddSnapshot(ctx, data.Snapshot{ComputedAt: time.Now(), Resolution: 8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := s.LatestSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest.ID != first.ID || second.ID == first.ID {
		t.Errorf("LatestSnapshot through the read pool = %d, want the replica's %d (primary has %d)", latest.ID, first.ID, second.ID)
	}
	if _, err := s.Zone(ctx, first.ID, "W-1"); err != nil {
		t.Errorf("Zone from the replica: %v", err)
	}
	ups, err := s.Uploads(ctx)
	if err != nil || len(ups) != 0 {
		t.Errorf("Uploads = %v, %v", ups, err)
	}
}

// TestCoverageGenerations checks that a tile renderer made before a
// coverage run keeps serving the pyramid of the run it was made on, and a
// new one the new run. (The grid's own level is drawn from cell_stats and
// shows the newest run at once; the server swaps renderers within
// --refresh.)
func TestCoverageGenerations(t *testing.T) {
	s := freshStore(t)
	ctx := t.Context()
	a, _ := geo.CellAt(orb.Point{-7.6, 33.5}, 8)  // Casablanca
	b, _ := geo.CellAt(orb.Point{-15.9, 23.7}, 8) // Dakhla, in another z7 tile
	stat := func(c geo.Cell) data.CellStat {
		return data.CellStat{Cell: c, MCCMNC: "604-01", Tech: data.Tech4G, Samples: 9, SignalP10: -90, SignalP50: -85, SignalP90: -80,
			DLP10: 12, DLP50: 20, DLP90: 30, Last: time.Now(), Level: data.LevelGood}
	}
	run := data.CoverageRun{Resolution: 8, ComputedAt: time.Now()}
	if err := s.ReplaceCoverage(ctx, run, []data.CellStat{stat(a)}); err != nil {
		t.Fatal(err)
	}
	old, err := NewTileRenderer(ctx, s, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceCoverage(ctx, run, []data.CellStat{stat(b)}); err != nil {
		t.Fatal(err)
	}
	cur, err := NewTileRenderer(ctx, s, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := old.Current(ctx); ok {
		t.Error("old renderer says it is current after a coverage run")
	}
	q := tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}
	// features counts the coverage hexagons of r in the z7 tile of c
	// (drawn as resolution-6 parents).
	features := func(r *TileRenderer, c geo.Cell) int {
		tile := maptile.At(geo.CellCenter(c), 7)
		tl, err := r.Render(ctx, "coverage", tile, q)
		if err != nil {
			t.Fatal(err)
		}
		if tl.Raw == nil {
			return 0
		}
		ls, err := mvt.Unmarshal(tl.Raw)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, l := range ls {
			n += len(l.Features)
		}
		return n
	}
	if na, nb := features(old, a), features(old, b); na != 1 || nb != 0 {
		t.Errorf("old renderer: %d hexagons at its run's cell, %d at the new run's; want 1, 0", na, nb)
	}
	if na, nb := features(cur, a), features(cur, b); na != 0 || nb != 1 {
		t.Errorf("new renderer: %d hexagons at the old run's cell, %d at its own; want 0, 1", na, nb)
	}
}

// TestSchemaVersion checks the server's schema check: a fresh database
// with NoMigrate is refused with the command to run, Migrate brings it to
// SchemaVersion, and a database from a newer binary is refused.
func TestSchemaVersion(t *testing.T) {
	url := pgtest.FreshDB(t)
	ctx := t.Context()
	if _, err := Open(ctx, url, Options{NoMigrate: true, Log: testLog()}); err == nil || !strings.Contains(err.Error(), "taghtia migrate") {
		t.Fatalf("Open(NoMigrate) on an empty database = %v, want an error naming taghtia migrate", err)
	}
	steps, err := Migrate(ctx, url)
	if err != nil || len(steps) == 0 || steps[len(steps)-1].Version != SchemaVersion() {
		t.Fatalf("Migrate = %+v, %v; want steps up to %d", steps, err, SchemaVersion())
	}
	if steps, err := Migrate(ctx, url); err != nil || len(steps) != 0 {
		t.Errorf("second Migrate = %+v, %v; want nothing to do", steps, err)
	}
	s, err := Open(ctx, url, Options{NoMigrate: true, Log: testLog()})
	if err != nil {
		t.Fatalf("Open(NoMigrate) after Migrate: %v", err)
	}
	s.Close()
	if err := pgtest.Exec(ctx, url, fmt.Sprintf(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (%d, true)`, SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, url, Options{Log: testLog()}); err == nil || !strings.Contains(err.Error(), "upgrade taghtia") {
		t.Errorf("Open on a newer schema = %v, want an error asking to upgrade", err)
	}
}
