package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data/postgis/pgtest"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
)

// packDir finds the Morocco reference pack beside the repository, as CI
// lays it out, or where TAGHTIA_LAYERS says.
func packDir(t *testing.T) string {
	if d := os.Getenv("TAGHTIA_LAYERS"); d != "" {
		return d
	}
	d, _ := filepath.Abs("../../../shared/data/morocco")
	if _, err := os.Stat(filepath.Join(d, "ma_communes_1502.geojson")); err != nil {
		t.Skipf("reference pack not found at %s (set TAGHTIA_LAYERS); the README's test command runs with it", d)
	}
	return d
}

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "taghtia")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("taghtia %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// smallFile writes measurements around Settat: 604-01 and 604-02 with no
// usable 4G in a ring of cells, 604-00 good in the centre only.
func smallFile(t *testing.T, dir string) string {
	centre, _ := geo.CellAt(orb.Point{-7.6167, 33.0011}, 8)
	var b strings.Builder
	b.WriteString("time,lat,lon,mcc_mnc,tech,signal_dbm,dl_mbps,env,source,device\n")
	for i, c := range geo.Disk(centre, 3) {
		p := geo.CellCenter(c)
		for k := 0; k < 3; k++ {
			ts := time.Date(2026, 11, 1, 10, i%60, k, 0, time.UTC).Format(time.RFC3339)
			fmt.Fprintf(&b, "%s,%.6f,%.6f,604-01,4G,-121,0.2,outdoor,crowd,d%d\n", ts, p[1], p[0], k)
			fmt.Fprintf(&b, "%s,%.6f,%.6f,604-02,4G,-118,0.5,outdoor,crowd,e%d\n", ts, p[1], p[0], k)
			if c == centre {
				fmt.Fprintf(&b, "%s,%.6f,%.6f,604-00,4G,-80,40,outdoor,crowd,f%d\n", ts, p[1], p[0], k)
			}
		}
	}
	b.WriteString("2026-11-01T10:00:00Z,151.2,-7.6,604-01,4G,-90,,outdoor,crowd,x\n") // rejected: lat out of range
	path := filepath.Join(dir, "small.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs the binary")
	}
	pack := packDir(t)
	dir := t.TempDir()
	endToEnd(t, build(t), dir, []string{"--data", filepath.Join(dir, "data"), "--layers", pack})
}

// TestEndToEndPostGIS is the same journey on the PostGIS store.
func TestEndToEndPostGIS(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs the binary")
	}
	pack := packDir(t)
	db := freshDB(t)
	dir := t.TempDir()
	bin := build(t)
	common := []string{"--db", db, "--data", filepath.Join(dir, "files"), "--layers", pack}
	base := endToEnd(t, bin, dir, common)
	// Another process recomputes while the server runs: the server follows.
	var before struct {
		DataVersion string `json:"data_version"`
	}
	getJSON(t, base+"/healthz", &before)
	run(t, bin, append(common, "zones")...)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var now struct {
			DataVersion string `json:"data_version"`
		}
		getJSON(t, base+"/healthz", &now)
		if now.DataVersion != before.DataVersion {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server still at data version %s 20 s after a recompute by another process", now.DataVersion)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var list struct {
		Total int `json:"total"`
	}
	getJSON(t, base+"/api/v1/zones?limit=1", &list)
	if list.Total == 0 {
		t.Error("no zones after the recompute")
	}

	// The GIS team's road layer, in a projected SRID with one broken row,
	// imported from a table of the same database.
	if err := pgtest.Exec(t.Context(), db, `CREATE SCHEMA gis;
		CREATE TABLE gis.routes (gid text PRIMARY KEY, classe text, geom geometry(LineString, 26191));
		INSERT INTO gis.routes VALUES
			('N1-a', 'nationale', ST_Transform(ST_GeomFromText('LINESTRING(-7.62 33.58, -7.40 33.60, -6.84 34.02)', 4326), 26191)),
			('R3-b', 'regionale', ST_Transform(ST_GeomFromText('LINESTRING(-7.60 33.00, -7.55 33.10)', 4326), 26191)),
			('X-0', 'piste', NULL);
		CREATE TABLE gis.notes (id int, txt text);`); err != nil {
		t.Fatal(err)
	}
	out := run(t, bin, append(common, "layers", "import", "--table", "gis.routes", "--kind", "roads", "--map", "id=gid")...)
	if !regexp.MustCompile(`roads\s+2\s`).MatchString(out) {
		t.Errorf("layers import output:\n%s", out)
	}
	cmd := exec.Command(bin, append(common, "layers", "import", "--table", "gis.notes", "--kind", "sites")...)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "geometry") {
		t.Errorf("import of a table without geometry: %v\n%s", err, b)
	}
}

// endToEnd runs the journey and returns the URL of the server it leaves
// running until t ends.
func endToEnd(t *testing.T, bin, dir string, common []string) string {
	out := run(t, bin, append(common, "layers", "load")...)
	if !regexp.MustCompile(`commune\s+1503`).MatchString(out) || !strings.Contains(out, "populated cells") {
		t.Fatalf("layers load output:\n%s", out)
	}
	file := smallFile(t, dir)
	out = run(t, bin, append(common, "ingest", file)...)
	if !strings.Contains(out, "1 rejected") || !strings.Contains(out, "lat and lon look swapped") {
		t.Fatalf("ingest output:\n%s", out)
	}
	out = run(t, bin, append(common, "ingest", file)...)
	if !strings.Contains(out, "already ingested") {
		t.Fatalf("second ingest output:\n%s", out)
	}
	// Operators' own formats are detected from their content.
	for file, format := range map[string]string{
		"../../ingest/testdata/gnettrack/drive_2026.txt":                  "gnettrack-tsv",
		"../../ingest/testdata/netsurvey/craxiom-lte-20261103-091500.csv": "network-survey-csv",
		"../../ingest/testdata/fcc/good.json":                             "fcc-bdc-json",
	} {
		out = run(t, bin, append(common, "ingest", file)...)
		if !strings.Contains(out, "("+format+")") {
			t.Errorf("ingest %s: want it read as %s:\n%s", file, format, out)
		}
	}
	out = run(t, bin, append(common, "ingest", "../../ingest/testdata/opencellid/604.csv")...)
	if !strings.Contains(out, "layer cells replaced (opencellid-csv): 4 features") {
		t.Errorf("ingest of a cell list:\n%s", out)
	}
	out = run(t, bin, append(common, "ingest", "../../ingest/testdata/ookla/tiles.csv")...)
	if !strings.Contains(out, "layer speedtiles replaced (ookla-tiles-csv): 4 features") {
		t.Errorf("ingest of speed tiles:\n%s", out)
	}
	// Declared coverage (ARCEP NIVEAU) is recognised by its level
	// attribute; the operator and technology scope the layer it replaces.
	out = run(t, bin, append(common, "ingest", "--operator", "604-01", "--tech", "4G", "../../ingest/testdata/declared/iam_4g.geojson")...)
	if !strings.Contains(out, "layer declared/604-01/4G replaced (geojson)") {
		t.Errorf("ingest of declared coverage:\n%s", out)
	}
	// A vector file of another kind needs its layer named.
	if out, err := exec.Command(bin, append(common, "ingest", "../../ingest/testdata/reflayer/sites.geojson")...).CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "--layer") {
		t.Errorf("ingest of a vector file without --layer: %v\n%s", err, out)
	}
	out = run(t, bin, append(common, "ingest", "--layer", "sites", "../../ingest/testdata/reflayer/sites.geojson")...)
	if !strings.Contains(out, "layer sites replaced (geojson)") {
		t.Errorf("ingest of administrative sites:\n%s", out)
	}
	out = run(t, bin, append(common, "zones")...)
	if !strings.Contains(out, "snapshot 1:") || !strings.Contains(out, "disputes") {
		t.Fatalf("zones output:\n%s", out)
	}
	// Stricter thresholds make a new snapshot; the old one stays, and
	// zones that overlap keep their ids.
	yml, err := os.ReadFile("../../coverage/thresholds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	strict := strings.Replace(strings.Replace(string(yml), "signal: {very_good: -90, good: -105, limited: -115}", "signal: {very_good: -85, good: -95, limited: -115}", 1),
		`version: "`, `version: "strict-`, 1)
	strictFile := filepath.Join(dir, "strict.yaml")
	os.WriteFile(strictFile, []byte(strict), 0o644)
	out = run(t, bin, append(common, "--thresholds", strictFile, "zones")...)
	if !strings.Contains(out, "snapshot 2:") || !strings.Contains(out, "thresholds strict-") {
		t.Fatalf("zones with stricter thresholds:\n%s", out)
	}
	// A planning scenario on the demo inputs (sites, PoPs and roads built
	// from the reference layers); a bad scenario is refused by key.
	bad := filepath.Join(dir, "bad.yaml")
	for body, want := range map[string]string{
		"fibre:\n  civil_works_mad_per_km: {urban: -5}\n": "bad.yaml:2: fibre.civil_works_mad_per_km.urban: -5 is negative",
		"name: x\ncolour: red\n":                          "bad.yaml:2: colour: unknown key",
	} {
		os.WriteFile(bad, []byte(body), 0o644)
		if out, err := exec.Command(bin, append(common, "plan", "--scenario", bad)...).CombinedOutput(); err == nil || !strings.Contains(string(out), want) {
			t.Errorf("plan with a bad scenario: %v\n%s\nwant %q", err, out, want)
		}
	}
	planDir := filepath.Join(dir, "plan")
	out = run(t, bin, append(common, "plan", "--out", planDir)...)
	if !regexp.MustCompile(`fibre: \d+ sites, \d+ km new trench`).MatchString(out) || !strings.Contains(out, "PROXY") || !strings.Contains(out, "3 sites (layer") {
		t.Errorf("plan output:\n%s", out)
	}
	for _, f := range []string{"summary.json", "sites.csv", "routes.geojson", "zones.csv"} {
		if fi, err := os.Stat(filepath.Join(planDir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("plan export %s: %v", f, err)
		}
	}
	tokens := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(tokens, []byte("tokens:\n  - {token: e2e-regulator-token-0123, name: ANRT}\n  - {token: e2e-iam-token-0123456789, operator: \"604-01\", name: IAM}\n"), 0o600)
	base := startServer(t, bin, append(common, "serve", "--refresh", "1s", "--tokens", tokens))
	var snaps struct {
		Snapshots []struct {
			ID            int64  `json:"id"`
			ConfigVersion string `json:"config_version"`
			MatchedTo     int64  `json:"matched_to"`
			LayersVersion string `json:"layers_version"`
		} `json:"snapshots"`
	}
	getJSON(t, base+"/api/v1/snapshots", &snaps)
	if len(snaps.Snapshots) != 2 || snaps.Snapshots[0].MatchedTo != 1 || !strings.HasPrefix(snaps.Snapshots[0].ConfigVersion, "strict-") ||
		strings.HasPrefix(snaps.Snapshots[1].ConfigVersion, "strict-") || snaps.Snapshots[0].LayersVersion != snaps.Snapshots[1].LayersVersion {
		t.Fatalf("snapshots: %+v", snaps)
	}
	var scen struct {
		Scenarios []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"scenarios"`
	}
	getJSON(t, base+"/api/v1/scenarios", &scen)
	if len(scen.Scenarios) != 1 || scen.Scenarios[0].Name != "default" {
		t.Errorf("stored plans: %+v", scen)
	} else {
		var body struct {
			Summary struct {
				ByTechnology map[string]struct {
					Items int `json:"items"`
				} `json:"by_technology"`
			} `json:"summary"`
		}
		getJSON(t, fmt.Sprintf("%s/api/v1/scenarios/%d", base, scen.Scenarios[0].ID), &body)
		if body.Summary.ByTechnology["fibre"].Items+body.Summary.ByTechnology["satellite"].Items != 3 {
			t.Errorf("stored plan: %+v", body)
		}
		// Its map: the plan tileset over the country holds its 3 sites.
		var tj tiles.TileJSON
		getJSON(t, fmt.Sprintf("%s/tiles/plan.json?scenario=%d", base, scen.Scenarios[0].ID), &tj)
		if len(tj.Tiles) != 1 || !strings.HasSuffix(tj.Tiles[0], fmt.Sprintf("?scenario=%d", scen.Scenarios[0].ID)) {
			t.Errorf("plan TileJSON: %+v", tj)
		}
		sites := 0
		for _, tl := range []maptile.Tile{maptile.New(3, 3, 3), maptile.New(3, 4, 3)} {
			resp := get(t, fmt.Sprintf("%s/tiles/plan/%d/%d/%d.mvt?scenario=%d", base, tl.Z, tl.X, tl.Y, scen.Scenarios[0].ID), nil)
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			layers, err := mvt.Unmarshal(raw)
			if err != nil {
				t.Fatalf("plan tile %v: %d %v", tl, resp.StatusCode, err)
			}
			for _, l := range layers {
				for _, f := range l.Features {
					if l.Name == "sites" && f.Properties["kind"] == "admin" {
						sites++
					}
				}
			}
		}
		if sites != 3 {
			t.Errorf("plan tiles at z3 hold %d administrative sites, want 3", sites)
		}
	}
	var diff struct {
		Diff struct {
			Added, Removed, Grown, Shrunk, Changed []struct{ ID string }
			Unchanged                              int
		} `json:"diff"`
	}
	getJSON(t, base+"/api/v1/snapshots/1/diff/2", &diff)
	kept := diff.Diff.Unchanged + len(diff.Diff.Grown) + len(diff.Diff.Shrunk) + len(diff.Diff.Changed)
	if kept == 0 {
		t.Errorf("diff of the stricter snapshot: %d kept, %d grown, %d added, %d removed", kept, len(diff.Diff.Grown), len(diff.Diff.Added), len(diff.Diff.Removed))
	}

	// A file sent over HTTP is queued, validated and stored like ingest's.
	body, _ := os.ReadFile(file)
	body = append(body, []byte("2026-11-01T11:00:00Z,33.0011,-7.6167,604-02,4G,-99,1.5,outdoor,crowd,http\n")...)
	req, _ := http.NewRequest("POST", base+"/api/v1/uploads?name=sent.csv", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer e2e-regulator-token-0123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		ID, State string
		Accepted  int64
		UploadID  int64 `json:"upload_id"`
	}
	json.NewDecoder(resp.Body).Decode(&job)
	resp.Body.Close()
	if resp.StatusCode != 202 || job.ID == "" {
		t.Fatalf("POST /api/v1/uploads: %d %+v", resp.StatusCode, job)
	}
	for deadline := time.Now().Add(30 * time.Second); job.State != "stored"; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest("GET", base+"/api/v1/uploads/"+job.ID, nil)
		req.Header.Set("Authorization", "Bearer e2e-regulator-token-0123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&job)
		resp.Body.Close()
		if job.State == "failed" || time.Now().After(deadline) {
			t.Fatalf("upload over HTTP: %+v", job)
		}
	}
	if job.UploadID != 5 || job.Accepted == 0 {
		t.Errorf("upload over HTTP stored as %+v, want upload 5", job)
	}
	// Declared coverage over HTTP: the layer is replaced, no upload made.
	decl, _ := os.ReadFile("../../ingest/testdata/declared/iam_4g.geojson")
	if got := postAndWait(t, base, "?name=inwi_4g.geojson&operator=604-02&tech=4G", decl); got.State != "stored" ||
		len(got.Layers) != 1 || got.Layers[0] != "declared/604-02/4G" || got.Features == 0 {
		t.Errorf("declared coverage over HTTP: %+v", got)
	}

	var list struct {
		Total int `json:"total"`
		Zones []struct {
			ID       string     `json:"id"`
			Kind     string     `json:"kind"`
			Centroid [2]float64 `json:"centroid"`
		} `json:"zones"`
	}
	getJSON(t, base+"/api/v1/zones?limit=5", &list)
	if list.Total == 0 || len(list.Zones) == 0 {
		t.Fatalf("no zones: %+v", list)
	}
	z := list.Zones[0]
	tile := maptile.At(orb.Point(z.Centroid), 10)
	url := fmt.Sprintf("%s/tiles/zones/%d/%d/%d.mvt", base, tile.Z, tile.X, tile.Y)
	resp = get(t, url, nil)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("zones tile: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("decode zones tile: %v", err)
	}
	found := false
	for _, l := range layers {
		for _, f := range l.Features {
			if f.Properties["id"] == z.ID {
				found = true
			}
			if p, ok := f.Geometry.(orb.Polygon); ok && tiles.SignedArea(p[0]) <= 0 {
				t.Errorf("feature %v: exterior ring has non-positive area", f.ID)
			}
		}
	}
	if !found {
		t.Errorf("zone %s not in its tile %v", z.ID, tile)
	}
	etag := resp.Header.Get("ETag")
	if r := get(t, url, map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", r.StatusCode)
	}
	if r := get(t, url, map[string]string{"Accept-Encoding": "gzip"}); r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("no gzip when accepted")
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	r := get(t, base+"/tiles/zones/99/0/0.mvt", nil)
	json.NewDecoder(r.Body).Decode(&e)
	if r.StatusCode != 400 || e.Error.Code != "invalid_argument" {
		t.Errorf("bad zoom: %d %q, want 400 invalid_argument", r.StatusCode, e.Error.Code)
	}
	if r := get(t, base+"/tiles/zones/10/0/0.mvt", nil); r.StatusCode != http.StatusNoContent {
		t.Errorf("empty tile: status %d, want 204", r.StatusCode)
	}
	var tj struct {
		TileJSON string   `json:"tilejson"`
		Tiles    []string `json:"tiles"`
	}
	getJSON(t, base+"/tiles/zones.json", &tj)
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || !strings.HasPrefix(tj.Tiles[0], base) {
		t.Errorf("TileJSON: %+v", tj)
	}
	var zone map[string]any
	getJSON(t, base+"/api/v1/zones/"+z.ID, &zone)
	if g, ok := zone["geometry"].(map[string]any); !ok || g["type"] != "MultiPolygon" {
		t.Errorf("zone detail geometry: %v", zone["geometry"])
	}
	if zone["state"] != "identified" {
		t.Errorf("zone state %v, want identified", zone["state"])
	}

	// The zone's lifecycle: the regulator plans and assigns it, a skipped
	// step is refused, the operator starts works, verification needs
	// fresh evidence.
	transition := func(token, body string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/api/v1/zones/"+z.ID+"/transitions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const reg, iam = "e2e-regulator-token-0123", "e2e-iam-token-0123456789"
	for _, step := range []struct {
		token, body string
		status      int
		code        string
	}{
		{reg, `{"to":"assigned","operator":"604-01"}`, 409, "illegal_transition"},
		{reg, `{"to":"planned","comment":"lot 1"}`, 201, ""},
		{iam, `{"to":"assigned","operator":"604-01"}`, 403, "forbidden"},
		{reg, `{"to":"assigned","operator":"604-01"}`, 201, ""},
		{iam, `{"to":"works_started"}`, 201, ""},
		{reg, `{"to":"in_service"}`, 201, ""},
		{reg, `{"to":"verified"}`, 409, "not_verified"},
	} {
		status, b := transition(step.token, step.body)
		if status != step.status || !strings.Contains(b, step.code) {
			t.Errorf("POST %s: %d %s, want %d %s", step.body, status, b, step.status, step.code)
		}
	}
	var hist struct {
		State    string `json:"state"`
		Operator string `json:"operator"`
		Deadline string `json:"deadline"`
		Events   []struct {
			Seq   int    `json:"seq"`
			To    string `json:"to"`
			Actor string `json:"actor"`
		} `json:"events"`
	}
	getJSON(t, base+"/api/v1/zones/"+z.ID+"/history", &hist)
	if hist.State != "in_service" || hist.Operator != "604-01" || hist.Deadline == "" || len(hist.Events) != 4 || hist.Events[2].Actor != "IAM" {
		t.Errorf("history: %+v", hist)
	}
	var prog struct {
		Target int            `json:"target"`
		States map[string]int `json:"states"`
	}
	getJSON(t, base+"/api/v1/progress", &prog)
	if prog.Target != 1800 || prog.States["in_service"] != 1 || prog.States["identified"] == 0 {
		t.Errorf("progress: %+v", prog)
	}
	var disputes struct {
		Total int `json:"total"`
	}
	getJSON(t, base+"/api/v1/disputes", &disputes)
	return base
}

// startServer runs taghtia serve on a free port until the test ends and
// returns its base URL.
type jobView struct {
	ID, State, Format, Error string
	Accepted                 int64
	UploadID                 int64 `json:"upload_id"`
	Layers                   []string
	Features                 int
}

// postAndWait sends a file as the regulator and waits for its job to end.
func postAndWait(t *testing.T, base, query string, body []byte) jobView {
	t.Helper()
	do := func(method, url string, body io.Reader) (int, jobView) {
		req, _ := http.NewRequest(method, url, body)
		req.Header.Set("Authorization", "Bearer e2e-regulator-token-0123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var j jobView
		json.NewDecoder(resp.Body).Decode(&j)
		return resp.StatusCode, j
	}
	code, j := do("POST", base+"/api/v1/uploads"+query, bytes.NewReader(body))
	if code != 202 {
		t.Fatalf("POST %s: %d %+v", query, code, j)
	}
	for deadline := time.Now().Add(30 * time.Second); j.State == "queued" || j.State == "processing"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", j.ID, j.State)
		}
		_, j = do("GET", base+"/api/v1/uploads/"+j.ID, nil)
	}
	return j
}

func startServer(t *testing.T, bin string, args []string) string {
	t.Helper()
	srv := exec.Command(bin, append(args, "--addr", "127.0.0.1:0")...)
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	base := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := regexp.MustCompile(`http://[0-9.:]+`).FindString(sc.Text()); m != "" {
			base = m
			break
		}
	}
	if base == "" {
		t.Fatal("server did not print its address")
	}
	go io.Copy(io.Discard, stdout)
	return base
}

func get(t *testing.T, url string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp := get(t, url, nil)
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
