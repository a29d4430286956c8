package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

func TestTokenRoles(t *testing.T) {
	cases := []struct {
		name, line string
		ok         bool
	}{
		{"engineer by default", `{token: "engineer-0123456789", name: ANRT}`, true},
		{"operator by default", `{token: "operator-0123456789", operator: "604-01", name: IAM}`, true},
		{"explicit engineer", `{token: "engineer-0123456789", role: engineer, name: ANRT}`, true},
		{"explicit operator", `{token: "operator-0123456789", role: operator, operator: "604-02", name: inwi}`, true},
		{"region", `{token: "region-0123456789ab", role: region, region: "09", name: Souss}`, true},
		{"region without code", `{token: "region-0123456789ab", role: region, name: Souss}`, false},
		{"region code without role", `{token: "region-0123456789ab", region: "09", name: Souss}`, false},
		{"operator without code", `{token: "operator-0123456789", role: operator, name: IAM}`, false},
		{"engineer with operator", `{token: "engineer-0123456789", role: engineer, operator: "604-01", name: ANRT}`, false},
		{"region with operator", `{token: "region-0123456789ab", role: region, region: "09", operator: "604-01", name: x}`, false},
		{"unknown role", `{token: "admin-0123456789abc", role: admin, name: root}`, false},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "tokens.yaml")
			os.WriteFile(p, []byte("tokens:\n  - "+c.line+"\n"), 0o600)
			_, err := web.LoadTokens(p)
			if (err == nil) != c.ok {
				t.Errorf("LoadTokens = %v, want ok %v", err, c.ok)
			}
		})
	}
}

func TestRegionTokenDoesNotUpload(t *testing.T) {
	base, _ := startUploadsWithRegion(t)
	code, b := do(t, "POST", base+"/api/v1/uploads?name=x.csv", soussToken, "text/csv", strings.NewReader(csvFile))
	if code != 403 || errCode(b) != "forbidden" {
		t.Errorf("region upload: %d %s, want 403 forbidden", code, b)
	}
}

// startUploadsWithRegion serves uploads with a region token among the
// tokens.
func startUploadsWithRegion(t *testing.T) (string, data.Store) {
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
	tokFile := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(tokFile, []byte(fmt.Sprintf("tokens:\n  - {token: %q, role: region, region: \"09\", name: Souss-Massa}\n", soussToken)), 0o600)
	toks, err := web.LoadTokens(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Store: st, Tiles: set, Tokens: toks})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.EnableUploads(ctx, web.UploadOptions{Ingester: fileIngester{st}, Tokens: toks, Dir: filepath.Join(dir, "spool")}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL, st
}
