package ingest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

var fccNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// readFCC reads src as an FCC file (format detected from the content).
func readFCC(t *testing.T, src []byte, opt ingest.CSVOptions) ([]data.Measurement, *ingest.Report, error) {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = fccNow
	}
	opt.BatchSize = 2
	var got []data.Measurement
	rep, f, err := ingest.Read(bytes.NewReader(src), "f.json", "", opt, func(b []data.Measurement) error {
		got = append(got, b...)
		return nil
	})
	if f.Name != "" && f.Name != "fcc-bdc-json" {
		t.Fatalf("detected format %q, want fcc-bdc-json", f.Name)
	}
	return got, rep, err
}

func mustReadF(f *testing.F, path string) []byte {
	f.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fmtM prints what a golden row asserts; absent values print as "-".
func fmtM(m data.Measurement) string {
	f := func(v float32) string {
		if !data.Has(v) {
			return "-"
		}
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%s %g,%g %s %s sig=%s rsrq=%s sinr=%s dl=%s ul=%s lat=%s acc=%s %s %s",
		m.Time.Format(time.RFC3339Nano), m.Lat, m.Lon, m.MCCMNC, m.Tech, f(m.SignalDBm), f(m.RSRQDB), f(m.SINRDB),
		f(m.DLMbps), f(m.ULMbps), f(m.LatencyMs), f(m.AccuracyM), m.Env, m.Source)
}

func TestFCCGolden(t *testing.T) {
	got, rep, err := readFCC(t, mustRead(t, "testdata/fcc/good.json"), ingest.CSVOptions{Inside: inMorocco})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		// Android, Maroc Telecom LTE, Rabat: bytes_sec 3025761 B/s = 24.206088 Mbit/s (24.206087 as float32)
		"2026-11-03T13:22:10Z 34.020882,-6.84165 604-01 4G sig=-95 rsrq=-11 sinr=12 dl=24.206087 ul=- lat=- acc=4.5 outdoor crowd",
		// rsrp and rsrq are 2147483647 (unavailable): signal from signal_strength, no rsrq
		"2026-11-03T13:22:22Z 34.020901,-6.841672 604-01 4G sig=-97 rsrq=- sinr=10 dl=- ul=10 lat=- acc=3.8 outdoor crowd",
		// round_trip_time 38500 µs
		"2026-11-03T13:22:06Z 34.020879,-6.841644 604-01 4G sig=-94 rsrq=-10 sinr=13 dl=- ul=- lat=38.5 acc=5 outdoor crowd",
		// Orange, in vehicle, Casablanca: 5G NSA (LTE anchor + NR secondary): the NR cell's metrics;
		// no bytes_sec: 187500000 B over 5000000 µs = 300 Mbit/s
		"2026-11-10T08:40:03.5Z 33.57311,-7.589843 604-00 5G sig=-92 rsrq=-12 sinr=18 dl=300 ul=- lat=- acc=8 vehicle crowd",
		// NR SA with rsrp null: CSI-RS metrics
		"2026-11-10T08:40:10Z 33.57395,-7.58893 604-00 5G sig=-93 rsrq=-12 sinr=16 dl=- ul=40 lat=- acc=7 vehicle crowd",
		// iOS, inwi, Marrakech: coordinates as strings, MNC as the number 2, every cell metric null
		"2026-11-20T18:05:01.25Z 31.6295,-7.9811 604-02 5G sig=- rsrq=- sinr=- dl=87.5 ul=- lat=- acc=12 outdoor crowd",
		// v1 "timestamp" fields with +0100 offsets, MNC "1", WCDMA by subtype only, first location null, indoor
		"2026-11-25T08:15:00Z 34.033125,-5.000312 604-01 3G sig=-85 rsrq=- sinr=- dl=4 ul=- lat=- acc=15 indoor crowd",
	}
	if len(got) != len(want) {
		t.Errorf("got %d measurements, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if s := fmtM(got[i]); s != want[i] {
			t.Errorf("measurement %d:\n got  %s\n want %s", i, s, want[i])
		}
	}
	devices := []string{"android-7f3e9b2c", "android-7f3e9b2c", "android-7f3e9b2c", "android-1d44c0aa", "android-1d44c0aa", "ios-5e0c77d2", "353918057712345"}
	for i := range min(len(got), len(devices)) {
		if got[i].Device != ingest.HashDevice("", devices[i]) {
			t.Errorf("measurement %d: device is not the hash of %q", i, devices[i])
		}
	}
	// the iOS upload has no signal and is not a download: the canonical
	// rule "signal_dbm or dl_mbps" rejects it
	if rep.Rows != 8 || rep.Accepted != 7 || rep.Rejected != 1 || len(rep.Problems) != 1 {
		t.Fatalf("rows %d accepted %d rejected %d problems %v; want 8, 7, 1 and one problem", rep.Rows, rep.Accepted, rep.Rejected, rep.Problems)
	}
	p := rep.Problems[0]
	if p.Line != 201 || p.Code != "E_REQUIRED" || p.Column != "tests.upload.cells[0].rsrp" {
		t.Errorf("iOS upload: got %s, want line 201, column tests.upload.cells[0].rsrp, E_REQUIRED", p)
	}
}

func TestFCCBadTests(t *testing.T) {
	got, rep, err := readFCC(t, mustRead(t, "testdata/fcc/bad.json"), ingest.CSVOptions{Inside: inMorocco})
	if err != nil {
		t.Fatal(err)
	}
	// line -> code, column, a word the message must hold
	want := map[int][3]string{
		3:  {"E_OUTSIDE_COUNTRY", "tests.download.locations[0].latitude", "swapped"},
		4:  {"E_LAT_RANGE", "tests.download.locations[0].latitude", "[-90, 90]"},
		5:  {"E_NULL_ISLAND", "tests.download.locations[0].latitude", "GPS"},
		6:  {"E_TIME_FUTURE", "tests.download.timestamp", "future"},
		7:  {"E_TIME", "tests.download.timestamp", "offset"},
		8:  {"E_TIME", "tests.download.timestamp", "milliseconds"},
		9:  {"E_RANGE", "tests.download.bytes_sec", "17179.869176 Mbps"},
		10: {"E_RANGE", "tests.download.bytes_sec", "12000 Mbps"},
		11: {"E_RANGE", "tests.download.bytes_sec", "-0.00004"},
		12: {"E_REQUIRED", "tests.upload.cells[0].rsrp", "signal_dbm"},
		13: {"E_SIGNAL_RANGE", "tests.download.cells[0].rsrp", "RSRP"},
		14: {"E_UNKNOWN_OPERATOR", "net_mobile_country_code/net_mobile_network_code", "604"},
		15: {"E_MCC_MNC", "net_mobile_country_code/net_mobile_network_code", "604-1a"},
		16: {"E_FCC_NO_OPERATOR", "net_mobile_country_code", "--operator"},
		17: {"E_FCC_NO_LOCATION", "tests.download.locations", "0 in locations"},
		18: {"E_FCC_NO_LOCATION", "tests.download.locations", "1 in locations"},
		19: {"E_FCC_TYPE", "tests.download.locations", "expected an array"},
		20: {"E_NUMBER", "tests.download.locations[0].latitude", "decimal separator"},
		21: {"E_ACCURACY", "tests.download.locations[0].horizontal_accuracy", "250"},
		22: {"E_FCC_NO_CELL", "tests.download.cells", "serving cell"},
		23: {"E_FCC_RADIO", "tests.download.cells[0].network_generation", `"6G"`},
		24: {"E_FCC_NOT_CELLULAR", "tests.download.connection_type", `"wifi"`},
		25: {"E_FCC_FAILED_TEST", "tests.download.success_flag", "success_flag false"},
		26: {"E_FCC_NO_SPEED", "tests.download.bytes_sec", "bytes_sec"},
		27: {"E_FCC_RTT_UNIT", "tests.latency.round_trip_time", "milliseconds"},
		28: {"E_FCC_NO_LATENCY", "tests.latency.round_trip_time", "microseconds"},
		29: {"E_FCC_ENV", "environment_code", "0 (outdoor"},
		30: {"E_FCC_NO_TEST", "tests", "submission 29"},
		31: {"E_FCC_SUBMISSION", "submissions[29]", `the string "not-a-submission"`},
	}
	found := map[int]ingest.Problem{}
	for _, p := range rep.Problems {
		if _, dup := found[p.Line]; dup {
			t.Errorf("line %d: a second problem %s", p.Line, p)
		}
		found[p.Line] = p
	}
	for line, w := range want {
		p, ok := found[line]
		switch {
		case !ok:
			t.Errorf("line %d: no problem, want %s", line, w[0])
		case p.Code != w[0] || p.Column != w[1] || !strings.Contains(p.Message, w[2]):
			t.Errorf("line %d: got %s (column %q), want %s in column %s mentioning %q", line, p, p.Column, w[0], w[1], w[2])
		}
	}
	if len(found) != len(want) {
		t.Errorf("%d lines with problems, want %d: %v", len(found), len(want), rep.Problems)
	}
	if len(got) != 1 || got[0].MCCMNC != "604-01" || got[0].Lat != 34.020882 || rep.Accepted != 1 || rep.Rows != 30 {
		t.Errorf("accepted %v (report %d rows, %d accepted); want only the first submission", got, rep.Rows, rep.Accepted)
	}
}

func TestFCCOperatorFallback(t *testing.T) {
	src := `{"submissions": [{"device_type": "iOS", "net_mobile_country_code": null, "net_mobile_network_code": null,
	  "sim_mobile_country_code": "65535", "tests": {"download": {"timestamp": "2026-11-03T14:22:10+01:00", "bytes_sec": 1000000,
	  "locations": [{"latitude": 34.02, "longitude": -6.84}], "cells": [{"network_generation": "4G"}]}}},
	  {"sim_mobile_country_code": "604", "sim_mobile_network_code": "05", "tests": {"download": {"timestamp": "2026-11-03T14:22:10+01:00", "bytes_sec": 2000000,
	  "locations": [{"latitude": 34.02, "longitude": -6.84}], "cells": [{"network_generation": "LTE"}]}}}]}`
	got, rep, err := readFCC(t, []byte(src), ingest.CSVOptions{})
	if err != nil || len(got) != 1 || got[0].MCCMNC != "604-05" {
		t.Fatalf("without --operator: %v, %+v; want only the sim_ row, as 604-05", err, got)
	}
	if p := rep.Problems[0]; p.Code != "E_FCC_NO_OPERATOR" || p.Line != 2 {
		t.Errorf("without --operator: %s", p)
	}
	got, _, err = readFCC(t, []byte(src), ingest.CSVOptions{Operator: "604-05"})
	if err != nil || len(got) != 2 || got[0].MCCMNC != "604-05" || got[0].DLMbps != 8 {
		t.Errorf("with --operator 604-05: %v, %+v; want both rows", err, got)
	}
}

func TestFCCStructureErrors(t *testing.T) {
	_, _, err := readFCC(t, mustRead(t, "testdata/fcc/broken.json"), ingest.CSVOptions{})
	var fe *ingest.FormatError
	if !errors.As(err, &fe) || fe.Line != 19 || !strings.Contains(fe.Message, "submission 2") {
		t.Errorf("broken.json: %v, want a FormatError at line 19 (after the missing comma) in submission 2", err)
	}
	cases := []struct {
		name, src string
		line      int
		word      string
	}{
		{"top-level array", `[{"submissions": []}]`, 1, "starts with an array"},
		{"no submissions", "{\"contact\": {\"name\": \"x\"},\n \"other\": [1, 2]\n}", 3, `no "submissions" array`},
		{"submissions object", "{\n\"submissions\": {}}", 2, "expected an array"},
		{"truncated", "{\"submissions\": [\n{\"tests\": {\"download\": {\"bytes_sec\": 12", 2, "truncated"},
		{"bad token", "{\"submissions\": [\n{\"tests\": {\"download\": {\"bytes_sec\": 12x}}}]}", 2, "invalid character 'x'"},
		{"bad key", "{\"submissions\": [\n\n{tests: 1}]}", 3, "invalid character 't'"},
		{"trailing", "{\"submissions\": []}\n{\"submissions\": []}", 2, "after the end"},
		{"twice", "{\"submissions\": [],\n \"submissions\": []}", 2, "second"},
		{"empty", "", 0, "empty"},
	}
	for _, c := range cases {
		_, _, err := ingest.Read(strings.NewReader(c.src), "f.json", "fcc-bdc-json", ingest.CSVOptions{Now: fccNow}, func([]data.Measurement) error { return nil })
		if !errors.As(err, &fe) || fe.Line != c.line || !strings.Contains(fe.Message, c.word) {
			t.Errorf("%s: %v, want a FormatError at line %d mentioning %q", c.name, err, c.line, c.word)
		}
	}
	// an empty submissions array is a readable file without rows
	_, _, err = ingest.Read(strings.NewReader(`{"submissions": []}`), "f.json", "", ingest.CSVOptions{Now: fccNow}, func([]data.Measurement) error { return nil })
	if !errors.Is(err, ingest.ErrNoRows) {
		t.Errorf("empty submissions: %v, want ErrNoRows", err)
	}
}

func TestFCCDetect(t *testing.T) {
	for _, path := range []string{"testdata/fcc/good.json", "testdata/fcc/bad.json", "testdata/fcc/broken.json"} {
		head := mustRead(t, path)
		if f, err := ingest.Detect(head, path); err != nil || f.Name != "fcc-bdc-json" {
			t.Errorf("%s: detected %q, %v; want fcc-bdc-json", path, f.Name, err)
		}
	}
	good := mustRead(t, "testdata/fcc/good.json")
	yes := map[string]string{
		"BOM and whitespace": "\ufeff \r\n\t" + string(good),
		"minified":           `{"submissions":[{"tests":{}}]}`,
		"truncated head":     string(good[:2000]),
	}
	for name, src := range yes {
		if f, err := ingest.Detect([]byte(src), name); err != nil || f.Name != "fcc-bdc-json" {
			t.Errorf("%s: detected %q, %v; want fcc-bdc-json", name, f.Name, err)
		}
	}
	no := map[string]string{
		"canonical CSV":         "time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-01T10:00:00Z,33.5,-7.6,604-01,4G,-95\n",
		"GeoJSON":               `{"type": "FeatureCollection", "features": []}`,
		"nested submissions":    `{"data": {"submissions": []}}`,
		"submissions not array": `{"submissions": {"a": 1}}`,
		"string mention":        `{"note": "\"submissions\": [", "x": 1}`,
		"array of submissions":  `[{"submissions": []}]`,
	}
	for name, src := range no {
		if f, err := ingest.Detect([]byte(src), name); err == nil && f.Name == "fcc-bdc-json" {
			t.Errorf("%s: detected as fcc-bdc-json", name)
		}
	}
	// the canonical CSV is not taken for FCC JSON, even when its first line
	// has the words the CSV detection looks for
	tricky := `{"mcc_mnc": "604-01", "lat": 1, "tech": "4G", "submissions": []}`
	if f, err := ingest.Detect([]byte(tricky), "x.json"); err != nil || f.Name != "fcc-bdc-json" {
		t.Errorf("FCC JSON naming canonical columns: detected %q, %v", f.Name, err)
	}
	if f, err := ingest.Detect(good, "good.json"); err == nil && f.Name == "canonical-csv" {
		t.Errorf("good.json detected as canonical-csv")
	}
}

// slowReader returns one byte at a time, as a network upload may.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 1)]) }

// TestFCCStreaming reads a file of many submissions through a reader that
// gives one byte at a time; lines stay exact and memory bounded.
func TestFCCStreaming(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"submissions\": [\n")
	const n = 3000
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"device_id": "d%d", "net_mobile_country_code": "604", "net_mobile_network_code": "01", "padding": %q,
 "tests": {"download": {"timestamp": "2026-11-03T14:22:10+01:00", "bytes_sec": %d, "locations": [{"latitude": 34.02, "longitude": -6.84}], "cells": [{"network_generation": "4G", "rsrp": -95}]}}}`,
			i, strings.Repeat("x", 1000), 125000*(i%100+1))
	}
	b.WriteString("\n]}\n")
	src := b.String()
	var last data.Measurement
	count := 0
	rep, _, err := ingest.Read(slowReader{strings.NewReader(src)}, "big.json", "", ingest.CSVOptions{Now: fccNow, BatchSize: 100}, func(ms []data.Measurement) error {
		count += len(ms)
		last = ms[len(ms)-1]
		return nil
	})
	if err != nil || count != n || rep.Accepted != n {
		t.Fatalf("read %d of %d rows: %v", count, n, err)
	}
	if math.Abs(float64(last.DLMbps)-100) > 1e-6 {
		t.Errorf("last row dl %g, want 100", last.DLMbps)
	}
	// a bad row at the end is reported at its line: submission i's tests are on line 2i+3
	bad := strings.Replace(src, `"latitude": 34.02, "longitude": -6.84}], "cells": [{"network_generation": "4G", "rsrp": -95}]}}}`+"\n]}",
		`"latitude": 95, "longitude": -6.84}], "cells": [{"network_generation": "4G", "rsrp": -95}]}}}`+"\n]}", 1)
	rep, _, err = ingest.Read(strings.NewReader(bad), "big.json", "", ingest.CSVOptions{Now: fccNow}, func([]data.Measurement) error { return nil })
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Line != 2*(n-1)+3 || rep.Problems[0].Code != "E_LAT_RANGE" {
		t.Errorf("bad last row: %v, %v; want E_LAT_RANGE at line %d", err, rep.Problems, 2*(n-1)+3)
	}
}

// genReader writes an FCC file of n submissions as it is read, so the
// test itself holds no copy of it.
type genReader struct {
	n, i int
	buf  []byte
	end  bool
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.end:
			return 0, io.EOF
		case g.i == 0:
			g.buf = []byte("{\"submissions\": [\n")
		case g.i > g.n:
			g.buf, g.end = []byte("\n]}\n"), true
		default:
			sep := ",\n"
			if g.i == 1 {
				sep = ""
			}
			g.buf = fmt.Appendf(nil, `%s{"device_id": "d%d", "net_mobile_country_code": "604", "net_mobile_network_code": "01", "padding": "%s", "tests": {"download": {"timestamp": "2026-11-03T14:22:10+01:00", "bytes_sec": 125000, "locations": [{"latitude": 34.02, "longitude": -6.84}], "cells": [{"network_generation": "4G", "rsrp": -95}]}}}`,
				sep, g.i, strings.Repeat("x", 4000))
		}
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// TestFCCBoundedMemory reads a 40 MB file and checks the heap never holds
// anything near it.
func TestFCCBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("40 MB read")
	}
	const n = 10000
	var peak uint64
	var ms runtime.MemStats
	count := 0
	_, _, err := ingest.Read(&genReader{n: n}, "big.json", "", ingest.CSVOptions{Now: fccNow, BatchSize: 500}, func(b []data.Measurement) error {
		count += len(b)
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("read %d of %d rows: %v", count, n, err)
	}
	t.Logf("peak heap %.1f MB", float64(peak)/(1<<20))
	if peak > 16<<20 {
		t.Errorf("heap reached %d MB reading a 40 MB file; the reader should stream", peak>>20)
	}
}

// fccSeedKeys are the fields the reader uses; seeds keep only those.
var fccSeedKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`device_timestamp timestamp device_id device_imei net_mobile_country_code
		net_mobile_network_code sim_mobile_country_code sim_mobile_network_code environment_code in_vehicle_flag
		tests download upload latency duration bytes_transferred bytes_sec round_trip_time connection_type success_flag
		locations cells latitude longitude horizontal_accuracy cell_connection network_generation network_subtype
		signal_strength rssi rsrp rsrq sinr csi_rsrp csi_rsrq csi_sinr`) {
		fccSeedKeys[k] = true
	}
}

func fccStrip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if !fccSeedKeys[k] {
				delete(v, k)
			} else {
				v[k] = fccStrip(e)
			}
		}
	case []any:
		for i, e := range v {
			v[i] = fccStrip(e)
		}
	}
	return v
}

// FuzzFCC seeds with each test of the test files as its own document of
// one submission, with only the fields the reader uses: small seeds keep
// the fuzzer's minimisation of new inputs short.
func FuzzFCC(f *testing.F) {
	for _, p := range []string{"testdata/fcc/good.json", "testdata/fcc/bad.json"} {
		var doc struct{ Submissions []any }
		if err := json.Unmarshal(mustReadF(f, p), &doc); err != nil {
			f.Fatal(err)
		}
		for _, s := range doc.Submissions {
			sub, ok := fccStrip(s).(map[string]any)
			tests, _ := sub["tests"].(map[string]any)
			if !ok || len(tests) == 0 {
				b, _ := json.Marshal(map[string]any{"submissions": []any{s}})
				f.Add(b)
				continue
			}
			for kind, test := range tests {
				sub["tests"] = map[string]any{kind: test}
				b, _ := json.Marshal(map[string]any{"submissions": []any{sub}})
				f.Add(b)
			}
		}
	}
	f.Add([]byte("{\"submissions\": [\n{\"tests\": {\"download\": {\"bytes_sec\": 12x}}}]}"))
	f.Add([]byte("\ufeff{\"submissions\": [1, [2], {\"tests\": []}], \"x\": {\"submissions\": 1}}"))
	f.Add([]byte(`{"submissions":[{"tests":{"latency":{"round_trip_time":"1e400","locations":[{"latitude":"NaN","longitude":1}],"cells":[{"network_subtype":"nr"}]}}}]}`))
	f.Add([]byte(`{"submissions":[{"net_mobile_country_code":604,"net_mobile_network_code":1,"tests":{"upload":{"bytes_transferred":1,"duration":0,"locations":[{"latitude":[1],"longitude":{}}],"cells":[{"cell_connection":2,"network_generation":"5G"}]}}}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		var n int64
		rep, _, err := ingest.Read(bytes.NewReader(src), "fuzz.json", "fcc-bdc-json", ingest.CSVOptions{Now: fccNow}, func(b []data.Measurement) error {
			for _, m := range b {
				if !(m.Lat >= -90 && m.Lat <= 90 && m.Lon >= -180 && m.Lon <= 180) || !(m.Lat != 0 || m.Lon != 0) {
					t.Fatalf("accepted bad coordinates: %+v", m)
				}
				if m.Tech < data.Tech2G || m.Tech > data.Tech5G {
					t.Fatalf("accepted unknown technology: %+v", m)
				}
				if m.Time.IsZero() || m.Time.After(fccNow.Add(5*time.Minute)) {
					t.Fatalf("accepted bad time: %+v", m)
				}
				if !strings.HasPrefix(m.MCCMNC, "604-") || (!data.Has(m.SignalDBm) && !data.Has(m.DLMbps)) {
					t.Fatalf("accepted a row without operator or metric: %+v", m)
				}
				for _, v := range []float32{m.DLMbps, m.ULMbps} {
					if data.Has(v) && (v < 0 || v > 10000) {
						t.Fatalf("accepted impossible speed: %+v", m)
					}
				}
			}
			n += int64(len(b))
			return nil
		})
		var fe *ingest.FormatError
		if err != nil && !errors.As(err, &fe) && !errors.Is(err, ingest.ErrNoRows) {
			t.Fatalf("error is neither a FormatError nor ErrNoRows: %v", err)
		}
		if (err == nil || errors.Is(err, ingest.ErrNoRows)) && rep.Accepted != n {
			t.Fatalf("report says %d accepted, %d emitted (err %v)", rep.Accepted, n, err)
		}
		if err == nil {
			// what was read must also detect as FCC, except files whose
			// "submissions" key comes after the first 64 KiB
			if f, derr := ingest.Detect(src, "fuzz.json"); derr != nil || f.Name != "fcc-bdc-json" {
				if len(src) <= ingest.DetectBytes {
					t.Fatalf("readable as fcc-bdc-json but detected as %q (%v)", f.Name, derr)
				}
			}
		}
	})
}
