package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

// eastRow returns n adjacent resolution-8 cells walking east from p.
func eastRow(t *testing.T, p orb.Point, n int) []geo.Cell {
	t.Helper()
	c, err := geo.CellAt(p, 8)
	if err != nil {
		t.Fatal(err)
	}
	out := []geo.Cell{c}
	for len(out) < n {
		last := out[len(out)-1]
		best, bestX := last, geo.CellCenter(last)[0]
		for _, nb := range geo.Neighbors(last) {
			if x := geo.CellCenter(nb)[0]; x > bestX {
				best, bestX = nb, x
			}
		}
		out = append(out, best)
	}
	return out
}

// samples returns six fresh outdoor samples of op at c from three devices
// over three days.
func samples(c geo.Cell, op string, dbm float32, now time.Time) []data.Measurement {
	p := geo.CellCenter(c)
	var out []data.Measurement
	for i := range 6 {
		out = append(out, data.Measurement{Time: now.Add(-time.Duration(i%3)*24*time.Hour - time.Duration(i+1)*time.Hour), Lon: p[0], Lat: p[1],
			MCCMNC: op, Tech: data.Tech4G, SignalDBm: dbm, RSRQDB: data.Absent, SINRDB: data.Absent, DLMbps: data.Absent,
			ULMbps: data.Absent, LatencyMs: data.Absent, AccuracyM: 5, Device: uint64(1 + i%3)})
	}
	return out
}

func addRows(t *testing.T, st data.Store, name string, ms []data.Measurement) {
	t.Helper()
	_, err := st.AddUpload(t.Context(), data.Upload{SHA256: name, File: name, Format: "canonical"}, func(emit func([]data.Measurement) error) (data.Upload, error) {
		return data.Upload{Rows: int64(len(ms)), Accepted: int64(len(ms))}, emit(ms)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestEvidenceAPI runs two recomputes on a crafted commune and reads the
// disputes, snapshots, their diff and the roaming figures back.
func TestEvidenceAPI(t *testing.T) {
	ctx := t.Context()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "data"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cells := eastRow(t, orb.Point{-6.5, 32.5}, 6)
	b := orb.MultiPoint{geo.CellCenter(cells[0]), geo.CellCenter(cells[5])}.Bound().Pad(0.03)
	poly := orb.MultiPolygon{b.ToPolygon()}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.ReplaceAreas(ctx, data.LevelRegion, []data.Area{{Level: data.LevelRegion, Code: "04", NameFR: "Oriental", Population: 600, Geom: poly}}))
	must(st.ReplaceAreas(ctx, data.LevelProvince, []data.Area{{Level: data.LevelProvince, Code: "04.113", NameFR: "Jerada", Parent: "04", Region: "04", Population: 600, Geom: poly}}))
	must(st.ReplaceAreas(ctx, data.LevelCommune, []data.Area{{Level: data.LevelCommune, Code: "04.113.01.01", NameFR: "Aïn Bni Mathar", Parent: "04.113", Region: "04", Population: 600, Geom: poly}}))
	var pop []data.CellPop
	for _, c := range cells {
		pop = append(pop, data.CellPop{Cell: c, Population: 100, Commune: "04.113.01.01"})
	}
	must(st.ReplacePopulation(ctx, pop))
	// inwi declares good 4G over the whole commune.
	must(st.ReplaceFeatures(ctx, "declared/604-02/4G", []data.Feature{{Layer: "declared/604-02/4G", ID: "1", Props: map[string]any{"level": "good", "operator": "604-02", "tech": "4G"}, Geom: poly}}))
	must(st.PutLayerInfo(ctx, data.LayerInfo{Name: "declared/604-02/4G", Count: 1, LoadedAt: time.Now()}))

	now := time.Now()
	var ms []data.Measurement
	for i, c := range cells {
		iam, inwi := float32(-125), float32(-125) // cells 0-1: nobody
		if i >= 2 {
			iam = -95 // cells 2-3: Maroc Telecom only (grey)
		}
		if i >= 4 {
			inwi = -95 // cells 4-5: both
		}
		ms = append(ms, samples(c, "604-01", iam, now)...)
		ms = append(ms, samples(c, "604-02", inwi, now)...)
	}
	addRows(t, st, "first", ms)
	th := coverage.DefaultThresholds()
	r1, err := coverage.Recompute(ctx, st, th, coverage.RecomputeOptions{})
	must(err)
	if r1.Snapshot.White != 1 || r1.Snapshot.Grey != 1 || len(r1.Disputes) != 1 || r1.Snapshot.Disputes != 1 {
		t.Fatalf("first computation: %+v, %d disputes", r1.Snapshot, len(r1.Disputes))
	}
	// A second campaign: Maroc Telecom now serves cell 1 too.
	addRows(t, st, "second", append(samples(cells[1], "604-01", -80, now), samples(cells[1], "604-01", -81, now)...))
	r2, err := coverage.Recompute(ctx, st, th, coverage.RecomputeOptions{})
	must(err)
	if r2.Snapshot.MatchedTo != r1.Snapshot.ID || r2.Snapshot.LayersVersion == "" || len(r2.Snapshot.Uploads) != 2 {
		t.Fatalf("second snapshot inputs: %+v", r2.Snapshot)
	}

	set, err := tiles.Load(ctx, st, tiles.Options{})
	must(err)
	srv := httptest.NewServer(web.New(web.Options{Store: st, Tiles: set}).Handler())
	defer srv.Close()

	var list struct {
		Total    int `json:"total"`
		Disputes []struct {
			ID         string `json:"id"`
			MCCMNC     string `json:"mcc_mnc"`
			Cells      int    `json:"cells"`
			Population int64  `json:"population"`
			Declared   string `json:"declared"`
			Measured   string `json:"measured"`
		} `json:"disputes"`
		ByOperator []struct {
			Key      string `json:"key"`
			Disputes int    `json:"disputes"`
		} `json:"by_operator"`
		ByCommune []struct {
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"by_commune"`
	}
	getJSON(t, srv.URL+"/api/v1/disputes", &list)
	if list.Total != 1 || list.Disputes[0].MCCMNC != "604-02" || list.Disputes[0].Cells != 4 || list.Disputes[0].Population != 400 ||
		list.Disputes[0].Declared != "good" || list.Disputes[0].Measured != "none" {
		t.Errorf("disputes = %+v", list)
	}
	if len(list.ByOperator) != 1 || list.ByOperator[0].Key != "604-02 4G" || len(list.ByCommune) != 1 || list.ByCommune[0].Name != "Aïn Bni Mathar" {
		t.Errorf("dispute stats = %+v / %+v", list.ByOperator, list.ByCommune)
	}
	getJSON(t, srv.URL+"/api/v1/disputes?mcc_mnc=604-01", &list)
	if list.Total != 0 {
		t.Errorf("Maroc Telecom has %d disputes, want 0", list.Total)
	}
	getJSON(t, srv.URL+"/api/v1/disputes?region=05", &list)
	if list.Total != 0 {
		t.Errorf("region filter: %d disputes", list.Total)
	}
	resp, err := http.Get(srv.URL + "/api/v1/disputes.csv?mcc_mnc=604-02")
	must(err)
	recs, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	must(err)
	if len(recs) != 2 || recs[0][0] != "id" || recs[1][1] != "604-02" || len(strings.Fields(recs[1][len(recs[1])-1])) != 4 {
		t.Errorf("disputes.csv = %v", recs)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, srv.URL+"/api/v1/disputes.geojson", &fc)
	if len(fc.Features) != 1 || fc.Features[0].Geometry.Type != "MultiPolygon" || fc.Features[0].Properties["mcc_mnc"] != "604-02" {
		t.Errorf("disputes.geojson = %+v", fc)
	}

	var cellEv struct {
		Evidence []struct {
			MCCMNC   string `json:"mcc_mnc"`
			Declared string `json:"declared"`
			Result   string `json:"result"`
			Disputed bool   `json:"disputed"`
			Votes    []struct {
				Source  string `json:"source"`
				Samples int    `json:"samples"`
			} `json:"votes"`
			How string `json:"how"`
		} `json:"evidence"`
	}
	getJSON(t, srv.URL+"/api/v1/cells/"+cells[0].String()+"/evidence?mcc_mnc=604-02", &cellEv)
	if e := cellEv.Evidence; len(e) != 1 || e[0].Declared != "good" || e[0].Result != "none" || !e[0].Disputed || len(e[0].Votes) != 2 ||
		e[0].Votes[0].Source != "crowd" || e[0].Votes[0].Samples != 6 || !strings.Contains(e[0].How, "weighted median") {
		t.Errorf("cell evidence = %+v", cellEv)
	}
	c0 := geo.CellCenter(cells[0])
	var atEv struct {
		Cell     string `json:"cell"`
		Evidence []struct {
			Disputed bool `json:"disputed"`
		} `json:"evidence"`
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/evidence?lon=%f&lat=%f&mcc_mnc=604-02&tech=4G", srv.URL, c0[0], c0[1]), &atEv)
	if atEv.Cell != cells[0].String() || len(atEv.Evidence) != 1 || !atEv.Evidence[0].Disputed {
		t.Errorf("evidence at the cell centre = %+v", atEv)
	}
	if resp, err := http.Get(srv.URL + "/api/v1/cells/nothex/evidence"); err != nil || resp.StatusCode != 400 {
		t.Errorf("bad cell: %v %v", resp, err)
	}

	// An operator's token sees its own disputes only, in the API and tiles.
	scoped := httptest.NewServer(web.New(web.Options{Store: st, Tiles: set, Operators: []web.Operator{{MCCMNC: "604-01"}, {MCCMNC: "604-02"}},
		Tokens: []web.Token{{Token: "iam-token-0123456789", Operator: "604-01", Name: "IAM"}, {Token: "inwi-token-0123456789", Operator: "604-02", Name: "inwi"}}}).Handler())
	defer scoped.Close()
	as := func(token, path string) (int, string) {
		req, _ := http.NewRequest("GET", scoped.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		must(err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := as("iam-token-0123456789", "/api/v1/disputes"); code != 200 || !strings.Contains(b, `"total":0`) {
		t.Errorf("IAM's disputes: %d %s", code, b)
	}
	if code, b := as("iam-token-0123456789", "/api/v1/disputes?mcc_mnc=604-02"); code != 403 || !strings.Contains(b, "forbidden") {
		t.Errorf("IAM asking for inwi's disputes: %d %s", code, b)
	}
	if code, b := as("inwi-token-0123456789", "/api/v1/disputes"); code != 200 || !strings.Contains(b, `"total":1`) {
		t.Errorf("inwi's disputes: %d %s", code, b)
	}
	if code, _ := as("iam-token-0123456789", "/tiles/disputes/8/0/0.mvt?mcc_mnc=604-02"); code != 403 {
		t.Errorf("IAM asking for inwi's dispute tiles: %d", code)
	}
	if code, _ := as("wrong-token", "/api/v1/disputes"); code != 401 {
		t.Errorf("unknown token: %d", code)
	}

	var snaps struct {
		Snapshots []data.Snapshot `json:"snapshots"`
	}
	getJSON(t, srv.URL+"/api/v1/snapshots", &snaps)
	if len(snaps.Snapshots) != 2 || snaps.Snapshots[0].ID != r2.Snapshot.ID || snaps.Snapshots[0].MatchedTo != r1.Snapshot.ID || snaps.Snapshots[1].ConfigVersion != th.Version {
		t.Errorf("snapshots = %+v", snaps)
	}
	var diff struct {
		Diff coverage.Diff `json:"diff"`
	}
	getJSON(t, srv.URL+"/api/v1/snapshots/1/diff/latest", &diff)
	d := diff.Diff
	if len(d.Shrunk) != 1 || d.Shrunk[0].Kind != data.White || d.Shrunk[0].CellsFrom != 2 || d.Shrunk[0].CellsTo != 1 {
		t.Errorf("shrunk = %+v", d.Shrunk)
	}
	if len(d.Grown) != 1 || d.Grown[0].Kind != data.Grey || d.Grown[0].PopulationTo != 300 || len(d.Added)+len(d.Removed) != 0 {
		t.Errorf("grown = %+v, added %v, removed %v", d.Grown, d.Added, d.Removed)
	}
	if len(d.Communes) != 1 || d.Communes[0].WhiteFrom != 200 || d.Communes[0].WhiteTo != 100 || d.Communes[0].GreyTo != 300 {
		t.Errorf("communes = %+v", d.Communes)
	}
	for _, bad := range []string{"/api/v1/snapshots/0/diff/1", "/api/v1/snapshots/1/diff/9"} {
		resp, err := http.Get(srv.URL + bad)
		must(err)
		resp.Body.Close()
		if resp.StatusCode != 400 && resp.StatusCode != 404 {
			t.Errorf("GET %s: %d", bad, resp.StatusCode)
		}
	}

	var roam struct {
		Operators []coverage.RoamingSummary `json:"operators"`
		Communes  []coverage.RoamingGain    `json:"communes"`
	}
	getJSON(t, srv.URL+"/api/v1/roaming?mcc_mnc=604-02", &roam)
	if len(roam.Operators) != 1 || roam.Operators[0].Gained != 300 || roam.Operators[0].Own != 200 ||
		len(roam.Communes) != 1 || roam.Communes[0].Host != "604-01" || roam.Communes[0].Population != 300 {
		t.Errorf("roaming = %+v", roam)
	}
}
