package ingest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

// repeatLines makes a big file from a small one: the lines before body
// (header, comments) once, then the body lines n times.
func repeatLines(t testing.TB, path string, header int, n int) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	var out bytes.Buffer
	for _, l := range lines[:header] {
		out.WriteString(l)
	}
	for i := 0; i < n; i++ {
		for _, l := range lines[header:] {
			out.WriteString(l)
		}
	}
	return out.Bytes()
}

// BenchmarkFormats reads each format's golden file grown to tens of
// thousands of rows and reports rows/s through detection, translation and
// validation (nothing stored). The canonical CSV is the baseline.
func BenchmarkFormats(b *testing.B) {
	fcc, err := os.ReadFile("testdata/fcc/good.json")
	if err != nil {
		b.Fatal(err)
	}
	var doc map[string]json.RawMessage
	json.Unmarshal(fcc, &doc)
	var subs []json.RawMessage
	json.Unmarshal(doc["submissions"], &subs)
	var many []json.RawMessage
	for i := 0; i < 5000; i++ {
		many = append(many, subs...)
	}
	doc["submissions"], _ = json.Marshal(many)
	fccBig, _ := json.MarshalIndent(doc, "", " ")

	var canon bytes.Buffer
	canon.WriteString(strings.Join(ingest.CanonicalColumns, ",") + "\n")
	for i := 0; i < 100000; i++ {
		canon.WriteString("2026-11-03T09:15:02+01:00,33.5731,-7.5898,604-01,4G,-87,-11,12.5,24.5,3.2,38,vehicle,5,drive,d1\n")
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"canonical-csv", canon.Bytes()},
		{"fcc-bdc-json", fccBig},
		{"gnettrack-tsv", repeatLines(b, "testdata/gnettrack/drive_2026.txt", 1, 10000)},
		{"network-survey-csv", repeatLines(b, "testdata/netsurvey/craxiom-lte-20261103-091500.csv", 3, 10000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rows int64
			b.SetBytes(int64(len(c.in)))
			for i := 0; i < b.N; i++ {
				rep, f, err := ingest.Read(bytes.NewReader(c.in), c.name, "", ingest.CSVOptions{Now: now}, func([]data.Measurement) error { return nil })
				if err != nil || f.Name != c.name {
					b.Fatalf("%v (format %s)", err, f.Name)
				}
				rows += rep.Rows
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
