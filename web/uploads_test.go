package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

type fileIngester struct{ st data.Store }

func (f fileIngester) Ingest(ctx context.Context, path string, fs web.FileSpec, progress func(int64)) (ingest.Outcome, *ingest.Report, error) {
	opt := ingest.CSVOptions{Now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), Operator: fs.Operator, Format: fs.Format, Progress: progress, Name: fs.Name}
	return ingest.Any(ctx, f.st, path, ingest.Spec{CSV: opt, Vector: ingest.VectorOptions{Layer: fs.Layer, Declared: ingest.DeclaredOptions{Tech: fs.Tech}}})
}

const (
	regulatorToken = "regulator-token-0123456789"
	iamToken       = "maroc-telecom-token-0123456789"
	inwiToken      = "inwi-token-0123456789abcdef"
)

func startUploads(t *testing.T, maxBytes int64) (string, data.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := tiles.Load(t.Context(), st, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Store: st, Tiles: set})
	tokFile := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(tokFile, []byte(fmt.Sprintf("tokens:\n  - {token: %q, name: ANRT}\n  - {token: %q, operator: \"604-01\", name: Maroc Telecom}\n  - {token: %q, operator: \"604-02\", name: inwi}\n", regulatorToken, iamToken, inwiToken)), 0o600)
	toks, err := web.LoadTokens(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.EnableUploads(ctx, web.UploadOptions{Ingester: fileIngester{st}, Tokens: toks, Dir: filepath.Join(dir, "spool"), MaxBytes: maxBytes}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL, st
}

type jobJSON struct {
	ID       string            `json:"id"`
	State    string            `json:"state"`
	Format   string            `json:"format"`
	Operator string            `json:"operator"`
	Rows     int64             `json:"rows"`
	Accepted int64             `json:"accepted"`
	Rejected int64             `json:"rejected"`
	UploadID int64             `json:"upload_id"`
	Error    string            `json:"error"`
	Seconds  float64           `json:"seconds"`
	Links    map[string]string `json:"links"`
}

func do(t *testing.T, method, url, token, ctype string, body io.Reader) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func errCode(b []byte) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(b, &e)
	return e.Error.Code
}

// wait polls a job until it leaves queued/processing.
func wait(t *testing.T, base, token, id string) jobJSON {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, b := do(t, "GET", base+"/api/v1/uploads/"+id, token, "", nil)
		if code != 200 {
			t.Fatalf("GET upload %s: %d %s", id, code, b)
		}
		var j jobJSON
		json.Unmarshal(b, &j)
		if j.State != "queued" && j.State != "processing" {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload %s still %s", id, j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const csvFile = "time,lat,lon,mcc_mnc,tech,signal_dbm,dl_mbps\n" +
	"2026-11-01T10:00:00Z,33.5,-7.6,604-01,4G,-95,12\n" +
	"2026-11-01T10:00:01Z,33.5,-7.6,604-02,4G,-97,8\n" +
	"2026-11-01T10:00:02Z,151.2,-7.6,604-01,4G,-90,\n"

func TestUploadLifecycle(t *testing.T) {
	base, st := startUploads(t, 1<<20)

	if code, b := do(t, "POST", base+"/api/v1/uploads", "", "text/csv", strings.NewReader(csvFile)); code != 401 || errCode(b) != "unauthenticated" {
		t.Errorf("no token: %d %s", code, b)
	}
	if code, b := do(t, "POST", base+"/api/v1/uploads", "wrong-token-0123456789", "text/csv", strings.NewReader(csvFile)); code != 401 {
		t.Errorf("unknown token: %d %s", code, b)
	}

	// Maroc Telecom's token: only its rows are accepted.
	code, b := do(t, "POST", base+"/api/v1/uploads?name=iam.csv", iamToken, "text/csv", strings.NewReader(csvFile))
	if code != 202 {
		t.Fatalf("POST: %d %s", code, b)
	}
	var j jobJSON
	json.Unmarshal(b, &j)
	if j.ID == "" || j.State != "queued" || j.Format != "canonical-csv" || j.Operator != "604-01" {
		t.Fatalf("202 body: %s", b)
	}
	done := wait(t, base, iamToken, j.ID)
	if done.State != "stored" || done.Rows != 3 || done.Accepted != 1 || done.Rejected != 2 || done.UploadID == 0 || done.Links["errors"] == "" {
		t.Fatalf("done: %+v", done)
	}
	up, err := st.Upload(t.Context(), done.UploadID)
	if err != nil || up.Accepted != 1 || up.Operator != "604-01" || up.Format != "canonical-csv" || up.File != "iam.csv" {
		t.Errorf("stored upload: %+v, %v", up, err)
	}
	code, b = do(t, "GET", base+done.Links["errors"], iamToken, "", nil)
	if code != 200 || !strings.Contains(string(b), "E_OTHER_OPERATOR") || !strings.Contains(string(b), "E_LAT_RANGE") {
		t.Errorf("errors.csv: %d\n%s", code, b)
	}
	// Another operator cannot see it; the regulator can.
	if code, _ := do(t, "GET", base+"/api/v1/uploads/"+j.ID, inwiToken, "", nil); code != 404 {
		t.Errorf("inwi sees Maroc Telecom's upload: %d", code)
	}
	if code, _ := do(t, "GET", base+"/api/v1/uploads/"+j.ID, regulatorToken, "", nil); code != 200 {
		t.Errorf("regulator cannot see the upload: %d", code)
	}
	// An operator token cannot upload for another operator.
	if code, b := do(t, "POST", base+"/api/v1/uploads?operator=604-02", iamToken, "text/csv", strings.NewReader(csvFile)); code != 403 {
		t.Errorf("other operator: %d %s", code, b)
	}

	// The same bytes again: recognised, nothing added.
	code, b = do(t, "POST", base+"/api/v1/uploads", iamToken, "text/csv", strings.NewReader(csvFile))
	json.Unmarshal(b, &j)
	if again := wait(t, base, iamToken, j.ID); code != 202 || again.State != "duplicate" || again.UploadID != done.UploadID {
		t.Errorf("second upload: %d %+v", code, again)
	}
	if ups, _ := st.Uploads(t.Context()); len(ups) != 1 {
		t.Errorf("%d uploads stored, want 1", len(ups))
	}

	// Multipart, regulator token: every operator's rows. One row differs
	// from the first upload; the other valid one is already stored.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("comment", "campaign 2026-11")
	fw, _ := mw.CreateFormFile("file", "campaign.csv")
	io.WriteString(fw, strings.Replace(csvFile, "10:00:02Z", "10:00:03Z", 1))
	mw.Close()
	code, b = do(t, "POST", base+"/api/v1/uploads", regulatorToken, mw.FormDataContentType(), &mp)
	json.Unmarshal(b, &j)
	if m := wait(t, base, regulatorToken, j.ID); code != 202 || m.State != "stored" || m.Accepted != 1 || m.Rejected != 2 {
		t.Errorf("multipart: %d %+v", code, m)
	}
}

func TestUploadRefusals(t *testing.T) {
	base, st := startUploads(t, 1024)
	big := strings.Repeat("2026-11-01T10:00:00Z,33.5,-7.6,604-01,4G,-95,12\n", 100)
	if code, b := do(t, "POST", base+"/api/v1/uploads", regulatorToken, "text/csv", strings.NewReader("time,lat,lon,mcc_mnc,tech,signal_dbm,dl_mbps\n"+big)); code != 413 || errCode(b) != "too_large" {
		t.Errorf("too large: %d %s", code, b)
	}
	if code, b := do(t, "POST", base+"/api/v1/uploads", regulatorToken, "text/plain", strings.NewReader("hello, world\nnothing to see\n")); code != 415 || errCode(b) != "unsupported_format" {
		t.Errorf("unknown format: %d %s", code, b)
	}
	if code, b := do(t, "POST", base+"/api/v1/uploads?format=nope", regulatorToken, "text/csv", strings.NewReader(csvFile)); code != 400 {
		t.Errorf("unknown format name: %d %s", code, b)
	}
	if code, b := do(t, "POST", base+"/api/v1/uploads", regulatorToken, "text/csv", strings.NewReader("")); code != 400 {
		t.Errorf("empty body: %d %s", code, b)
	}
	// A file with no acceptable row fails as a job, with its report.
	code, b := do(t, "POST", base+"/api/v1/uploads", regulatorToken, "text/csv", strings.NewReader("time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-01T10:00:00Z,0,0,604-01,4G,-95\n"))
	var j jobJSON
	json.Unmarshal(b, &j)
	if f := wait(t, base, regulatorToken, j.ID); code != 202 || f.State != "failed" || !strings.Contains(f.Error, "no acceptable row") {
		t.Errorf("no good row: %d %+v", code, f)
	}
	if code, b := do(t, "GET", base+"/api/v1/uploads/"+j.ID+"/errors.csv", regulatorToken, "", nil); code != 200 || !strings.Contains(string(b), "E_NULL_ISLAND") {
		t.Errorf("errors.csv of a failed upload: %d %s", code, b)
	}
	if ups, _ := st.Uploads(t.Context()); len(ups) != 0 {
		t.Errorf("%d uploads stored, want 0", len(ups))
	}
	if code, _ := do(t, "GET", base+"/api/v1/uploads/ffffffffffffffff", regulatorToken, "", nil); code != 404 {
		t.Errorf("unknown job: %d", code)
	}
}
