package main_test

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/data/postgis"
	"github.com/taghtia/taghtia/data/postgis/pgtest"
	"github.com/taghtia/taghtia/tiles"
)

// freshDB is an empty PostGIS database for t (see pgtest).
func freshDB(t *testing.T) string { return pgtest.FreshDB(t) }

// twoStores builds the binary, loads the reference pack into an embedded
// store and a fresh PostGIS database, and simulates a file at scale: it
// returns the binary, the temp dir, the database URL, the file and the
// flags that select each store.
func twoStores(t *testing.T, scale, seed string) (bin, dir, db, sim string, emb, pg []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	pack := packDir(t)
	db = freshDB(t)
	bin = build(t)
	dir = t.TempDir()
	emb = []string{"--data", filepath.Join(dir, "data"), "--layers", pack}
	pg = []string{"--db", db, "--data", filepath.Join(dir, "files"), "--layers", pack}
	sim = filepath.Join(dir, "sim.csv")
	for _, c := range [][]string{emb, pg} {
		run(t, bin, append(c, "layers", "load")...)
	}
	run(t, bin, append(emb, "simulate", "--scale", scale, "--seed", seed, "--now", "2026-11-30T12:00:00Z", "--out", sim)...)
	return bin, dir, db, sim, emb, pg
}

// TestStoresAgree runs the same journey (real reference pack, a simulated
// national sample) on the embedded store and on PostGIS and checks that
// the stats, zones, snapshot figures and tiles are the same.
func TestStoresAgree(t *testing.T) {
	bin, dir, db, sim, emb, pg := twoStores(t, "0.03", "7")
	// Declared coverage from the simulator, one operator overstating, so
	// that both stores find disputes.
	decl := filepath.Join(dir, "declared")
	run(t, bin, append(emb, "simulate", "--scale", "0.03", "--seed", "7", "--now", "2026-11-30T12:00:00Z", "--out", filepath.Join(dir, "again.csv"),
		"--declared-dir", decl, "--overstate", "604-02:12")...)
	files, err := filepath.Glob(filepath.Join(decl, "declared_*.geojson"))
	if err != nil || len(files) != 3 {
		t.Fatalf("declared files: %v, %v", files, err)
	}
	for _, c := range [][]string{emb, pg} {
		run(t, bin, append(c, "ingest", sim)...)
		for _, f := range files {
			run(t, bin, append(c, "ingest", f, "--layer", "declared")...)
		}
		run(t, bin, append(c, "zones")...)
	}
	// The same plan stored in both (scenario run 1), for the plan tiles.
	for i, c := range [][]string{emb, pg} {
		run(t, bin, append(c, "plan", "--out", filepath.Join(dir, fmt.Sprintf("plan-%d", i)))...)
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

	ed, err := es.Features(ctx, data.LayerDisputes)
	if err != nil {
		t.Fatal(err)
	}
	pd, err := ps.Features(ctx, data.LayerDisputes)
	if err != nil {
		t.Fatal(err)
	}
	if len(ed) == 0 || len(ed) != len(pd) {
		t.Fatalf("disputes: embedded %d, PostGIS %d", len(ed), len(pd))
	}
	for i := range ed {
		a, errA := data.DisputeOf(ed[i])
		b, errB := data.DisputeOf(pd[i])
		if errA != nil || errB != nil || a.ID != b.ID || !reflect.DeepEqual(a.Cells, b.Cells) || a.Population != b.Population || a.Samples != b.Samples {
			t.Fatalf("dispute %d: embedded %+v (%v), PostGIS %+v (%v)", i, a, errA, b, errB)
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
	// PostGIS's own renderer (ST_AsMVT) gives the same features with the
	// same properties; geometry is compared by data/postgis's tests.
	sqlTiles, err := postgis.NewTileRenderer(ctx, ps, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, nonEmpty := 0, map[string]int{}
	for _, z := range ez[:min(len(ez), 15)] {
		for _, zoom := range []maptile.Zoom{5, 8, 10, 12, 14} {
			tile := maptile.At(z.Centroid, zoom)
			for _, layer := range tiles.Layers() {
				q := tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G, Scenario: 1}
				a, err := et.Render(ctx, layer, tile, q)
				if err != nil {
					t.Fatal(err)
				}
				b, err := pt.Render(ctx, layer, tile, q)
				if err != nil {
					t.Fatal(err)
				}
				if d := diffTiles(a.Raw, b.Raw, true); d != "" {
					t.Errorf("%s tile %v: %s", layer, tile, d)
				}
				c, err := sqlTiles.Render(ctx, layer, tile, q)
				if err != nil {
					t.Fatal(err)
				}
				if d := diffTiles(a.Raw, c.Raw, false); d != "" {
					t.Errorf("%s tile %v, ST_AsMVT renderer: %s", layer, tile, d)
				}
				if a.Raw != nil {
					n++
					nonEmpty[layer]++
				}
			}
		}
	}
	if n == 0 || nonEmpty["plan"] == 0 {
		t.Errorf("tiles with features: %d, by layer %v; want some of every layer, the plan's too", n, nonEmpty)
	}
}

func sameStat(a, b data.CellStat) bool {
	eq := func(x, y float32) bool { return x == y || x != x && y != y }
	return a.Cell == b.Cell && a.MCCMNC == b.MCCMNC && a.Tech == b.Tech && a.Samples == b.Samples &&
		a.Last.Equal(b.Last) && a.Level == b.Level &&
		eq(a.SignalP10, b.SignalP10) && eq(a.SignalP50, b.SignalP50) && eq(a.SignalP90, b.SignalP90) &&
		eq(a.DLP10, b.DLP10) && eq(a.DLP50, b.DLP50) && eq(a.DLP90, b.DLP90) &&
		a.Declared == b.Declared && a.Sources == b.Sources && a.Result == b.Result && a.Disputed == b.Disputed &&
		math.Abs(float64(a.Confidence-b.Confidence)) < 1e-6
}

// diffTiles decodes two tiles and says how they differ, feature by
// feature (features sorted by id; geometry too when geom), or "". Layers
// left with no feature are ignored.
func diffTiles(a, b []byte, geom bool) string {
	la, err := decodeTile(a)
	if err != nil {
		return "embedded: " + err.Error()
	}
	lb, err := decodeTile(b)
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
			slices.SortFunc(fs, func(x, y *geojson.Feature) int {
				return cmp.Or(cmp.Compare(fmt.Sprint(x.ID), fmt.Sprint(y.ID)), cmp.Compare(fmt.Sprint(x.Properties), fmt.Sprint(y.Properties)))
			})
		}
		byID(fa)
		byID(fb)
		for j := range fa {
			if !reflect.DeepEqual(fa[j].ID, fb[j].ID) || !reflect.DeepEqual(fa[j].Properties, fb[j].Properties) || geom && !orb.Equal(fa[j].Geometry, fb[j].Geometry) {
				return fmt.Sprintf("layer %s feature %v: embedded %v, PostGIS %v %v", la[i].Name, fa[j].ID, fa[j].Properties, fb[j].ID, fb[j].Properties)
			}
		}
	}
	return ""
}

// decodeTile decodes a tile, dropping empty layers; nil is no layer.
func decodeTile(raw []byte) (mvt.Layers, error) {
	if raw == nil {
		return nil, nil
	}
	ls, err := mvt.Unmarshal(raw)
	if err != nil {
		return nil, err
	}
	// Only what is drawn inside the tile counts: the renderers clip to the
	// 64-unit buffer differently, so a sliver there may stay in one only.
	inside := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{4096, 4096}}
	out := ls[:0]
	for _, l := range ls {
		fs := l.Features[:0]
		for _, f := range l.Features {
			b := f.Geometry.Bound()
			if b.Max[0] > inside.Min[0] && b.Min[0] < inside.Max[0] && b.Max[1] > inside.Min[1] && b.Min[1] < inside.Max[1] ||
				b.Min == b.Max && inside.Contains(b.Min) {
				fs = append(fs, f)
			}
		}
		if l.Features = fs; len(fs) > 0 {
			out = append(out, l)
		}
	}
	return out, nil
}

// TestKilledIngestLeavesNothing kills taghtia ingest with SIGKILL while
// its COPY runs on PostGIS and on the embedded store, then checks that
// the store holds nothing of the upload and takes the same file again.
func TestKilledIngestLeavesNothing(t *testing.T) {
	bin, dir, db, sim, emb, pg := twoStores(t, "0.4", "3")
	ctx := t.Context()
	for _, c := range []struct {
		name string
		args []string
	}{{"postgis", pg}, {"embedded", emb}} {
		// Kill it when its progress bar says it is between 20 % and 80 %
		// through the file: rows are being written, nothing is committed.
		cmd := exec.Command(bin, append(c.args, "ingest", sim)...)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pct := regexp.MustCompile(`(\d+)% \|`)
		buf := make([]byte, 4096)
		killed := false
		for !killed {
			n, err := stderr.Read(buf)
			for _, m := range pct.FindAllStringSubmatch(string(buf[:n]), -1) {
				if v, _ := strconv.Atoi(m[1]); v >= 20 && v <= 80 {
					cmd.Process.Kill()
					t.Logf("%s: killed at %d%% of the file", c.name, v)
					killed = true
					break
				}
			}
			if err != nil {
				break
			}
		}
		go io.Copy(io.Discard, stderr)
		if err := cmd.Wait(); !killed || err == nil {
			t.Fatalf("%s: ingest was not killed mid-file (%v)", c.name, err)
		}
		var st data.Store
		var err error
		if c.name == "postgis" {
			st, err = postgis.Open(ctx, db, postgis.Options{NoMigrate: true})
		} else {
			st, err = embedded.Open(filepath.Join(dir, "data"), embedded.Options{})
		}
		if err != nil {
			t.Fatal(err)
		}
		ups, err := st.Uploads(ctx)
		n := 0
		st.ScanMeasurements(ctx, func(ms []data.Measurement) error { n += len(ms); return nil })
		aggs := 0
		st.CellHistograms(ctx, 8, func(hs []data.CellHist) error { aggs += len(hs); return nil })
		st.Close()
		if err != nil || len(ups) != 0 || n != 0 || aggs != 0 {
			t.Errorf("%s after a killed ingest: %d uploads (%v), %d measurements, %d aggregates; want none", c.name, len(ups), err, n, aggs)
		}
		if c.name == "postgis" {
			s, _ := postgis.Open(ctx, db, postgis.Options{NoMigrate: true})
			var rows int64
			s.Pool().QueryRow(ctx, `SELECT count(*) FROM measurements`).Scan(&rows)
			s.Close()
			if rows != 0 {
				t.Errorf("postgis: %d raw rows left after a killed ingest", rows)
			}
		}
		out := run(t, bin, append(c.args, "ingest", sim)...)
		if !strings.Contains(out, "upload ") || strings.Contains(out, "already ingested") {
			t.Errorf("%s: ingest after the killed one:\n%s", c.name, out)
		}
	}
}
