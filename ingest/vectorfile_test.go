package ingest

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
)

func TestAnyRoutesVectorFilesToTheirLayers(t *testing.T) {
	st, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()

	// Declared coverage is recognised by its NIVEAU attribute.
	out, rep, err := Any(ctx, st, "testdata/declared/iam_4g.geojson", Spec{CSV: CSVOptions{Operator: "604-01"}, Vector: VectorOptions{Declared: DeclaredOptions{Tech: "4G"}}})
	if err != nil {
		t.Fatalf("declared: %v (%+v)", err, rep)
	}
	if out.Layer == nil || len(out.Layer.Layers) != 1 || out.Layer.Layers[0].Name != "declared/604-01/4G" || out.Layer.Format != "geojson" {
		t.Fatalf("declared outcome = %+v", out.Layer)
	}
	fs, err := st.Features(ctx, "declared/604-01/4G")
	if err != nil || len(fs) != out.Layer.Features() || len(fs) == 0 {
		t.Fatalf("declared layer holds %d features (%v), want %d", len(fs), err, out.Layer.Features())
	}
	for _, f := range fs {
		if f.Props["operator"] != "604-01" || f.Props["tech"] != "4G" || f.Props["level"] == nil {
			t.Errorf("declared feature %s props %v", f.ID, f.Props)
		}
	}

	// Another kind needs its layer named, and then replaces it.
	var fe *FormatError
	if _, _, err := Any(ctx, st, "testdata/reflayer/sites.geojson", Spec{}); !errors.As(err, &fe) {
		t.Errorf("sites without a layer: err = %v, want a FormatError asking for --layer", err)
	}
	out, _, err = Any(ctx, st, "testdata/reflayer/sites.geojson", Spec{Vector: VectorOptions{Layer: "sites"}})
	if err != nil || out.Layer.Features() != 3 {
		t.Fatalf("sites: %+v, %v", out.Layer, err)
	}

	// A CSV with lon/lat columns is a vector file when a layer is named.
	csv := filepath.Join(t.TempDir(), "pop.csv")
	os.WriteFile(csv, []byte("id,name,operator,lon,lat\nPOP-1,Casablanca,604-01,-7.61,33.59\nPOP-2,Rabat,604-01,oops,34.02\n"), 0o644)
	out, rep, err = Any(ctx, st, csv, Spec{Vector: VectorOptions{Layer: "pop"}})
	if err != nil || out.Layer.Features() != 1 || rep.Rejected != 1 || rep.Rows != 2 {
		t.Fatalf("pop CSV: %+v, report rows %d rejected %d, %v", out.Layer, rep.Rows, rep.Rejected, err)
	}
	if p := rep.Problems[0]; p.Line != 3 || p.Column != "lon" || p.Value != "oops" {
		t.Errorf("pop CSV problem = %+v, want line 3, column lon, value oops", p)
	}
	pops, _ := st.Features(ctx, data.LayerPoP)
	if len(pops) != 1 || pops[0].ID != "POP-1" {
		t.Errorf("pop layer = %+v", pops)
	}
}

func TestAnyReadsAZippedMeasurementFile(t *testing.T) {
	st, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	write := func(name, entry, body string) string {
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		zw := zip.NewWriter(f)
		w, _ := zw.Create(entry)
		io.WriteString(w, body)
		zw.Close()
		f.Close()
		return p
	}
	csv := "time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-03T14:22:05Z,33.5,-7.6,604-01,4G,-90\n"
	opt := CSVOptions{Now: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)}
	out, rep, err := Any(t.Context(), st, write("m.zip", "drive/m.csv", csv), Spec{CSV: opt})
	if err != nil || out.Layer != nil || out.Upload.Accepted != 1 || out.Upload.File != "m.zip/m.csv" || rep.Accepted != 1 {
		t.Fatalf("zipped CSV: %+v, %v", out, err)
	}
	var fe *FormatError
	if _, _, err := Any(t.Context(), st, write("evil.zip", "../m.csv", csv), Spec{CSV: opt}); !errors.As(err, &fe) || !strings.Contains(err.Error(), "E_ARCHIVE_PATH") {
		t.Errorf("zip with ../: err = %v, want a FormatError with E_ARCHIVE_PATH", err)
	}
}
