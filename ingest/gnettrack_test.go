package ingest_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

// readFile reads a fixture through ingest.Read, detecting its format
// unless format is given.
func readFile(t *testing.T, path, format string) ([]data.Measurement, *ingest.Report, ingest.Format, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readString(t, f, path, format)
}

func readString(t *testing.T, r interface{ Read([]byte) (int, error) }, name, format string) ([]data.Measurement, *ingest.Report, ingest.Format, error) {
	t.Helper()
	var got []data.Measurement
	rep, fm, err := ingest.Read(r, name, format, ingest.CSVOptions{Now: now, BatchSize: 2, Inside: inMorocco}, func(b []data.Measurement) error {
		got = append(got, b...)
		return nil
	})
	return got, rep, fm, err
}

// A is data.Absent, for the tables.
var A = data.Absent

func same(a, b float32) bool { return a == b || (a != a && b != b) }

func diffMeasurement(got, want data.Measurement) string {
	var d []string
	if !got.Time.Equal(want.Time) {
		d = append(d, fmt.Sprintf("time %s, want %s", got.Time.Format(time.RFC3339Nano), want.Time.Format(time.RFC3339Nano)))
	}
	if math.Abs(got.Lat-want.Lat) > 1e-9 || math.Abs(got.Lon-want.Lon) > 1e-9 {
		d = append(d, fmt.Sprintf("lat/lon %v,%v, want %v,%v", got.Lat, got.Lon, want.Lat, want.Lon))
	}
	if got.MCCMNC != want.MCCMNC || got.Tech != want.Tech {
		d = append(d, fmt.Sprintf("%s %s, want %s %s", got.MCCMNC, got.Tech, want.MCCMNC, want.Tech))
	}
	for _, f := range []struct {
		name      string
		got, want float32
	}{{"signal", got.SignalDBm, want.SignalDBm}, {"rsrq", got.RSRQDB, want.RSRQDB}, {"sinr", got.SINRDB, want.SINRDB},
		{"dl", got.DLMbps, want.DLMbps}, {"ul", got.ULMbps, want.ULMbps}, {"latency", got.LatencyMs, want.LatencyMs},
		{"accuracy", got.AccuracyM, want.AccuracyM}} {
		if !same(f.got, f.want) {
			d = append(d, fmt.Sprintf("%s %v, want %v", f.name, f.got, f.want))
		}
	}
	if got.Env != want.Env || got.Source != want.Source || got.Device != want.Device {
		d = append(d, fmt.Sprintf("env/source/device %s/%s/%x, want %s/%s/%x", got.Env, got.Source, got.Device, want.Env, want.Source, want.Device))
	}
	return strings.Join(d, "; ")
}

func checkGolden(t *testing.T, got, want []data.Measurement) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d measurements, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if d := diffMeasurement(got[i], want[i]); d != "" {
			t.Errorf("measurement %d: %s", i+1, d)
		}
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func drive(m data.Measurement) data.Measurement {
	m.Env, m.Source = data.EnvVehicle, data.SourceDrive
	return m
}

func TestGNetTrackGolden(t *testing.T) {
	got, rep, f, err := readFile(t, "testdata/gnettrack/drive_2026.txt", "")
	if err != nil {
		t.Fatalf("%v; problems %v", err, rep.Problems)
	}
	if f.Name != "gnettrack-tsv" {
		t.Fatalf("detected as %q", f.Name)
	}
	if rep.Rows != 5 || rep.Accepted != 5 || len(rep.Problems) != 0 {
		t.Errorf("report %+v", rep)
	}
	checkGolden(t, got, []data.Measurement{
		// 09:15:02 in Casablanca, UTC+1 in November
		drive(data.Measurement{Time: utc("2026-11-03T08:15:02Z"), Lat: 33.5731, Lon: -7.5898, MCCMNC: "604-01", Tech: data.Tech4G,
			SignalDBm: -87, RSRQDB: -11, SINRDB: 12.5, DLMbps: 24.5, ULMbps: 3.2, LatencyMs: 38, AccuracyM: 5}),
		drive(data.Measurement{Time: utc("2026-11-03T08:40:17Z"), Lat: 34.0021, Lon: -6.8319, MCCMNC: "604-02", Tech: data.Tech5G,
			SignalDBm: -95, RSRQDB: -13, SINRDB: 7, DLMbps: 150, ULMbps: 12, LatencyMs: A, AccuracyM: 3}),
		// 3G: Qual is Ec/No, not RSRQ; DL/UL 0 is an idle phone
		drive(data.Measurement{Time: utc("2026-11-03T09:02:44Z"), Lat: 34.261, Lon: -6.5802, MCCMNC: "604-00", Tech: data.Tech3G,
			SignalDBm: -79, RSRQDB: A, SINRDB: A, DLMbps: A, ULMbps: A, LatencyMs: A, AccuracyM: 5}),
		// Operator "-": 604-01 from the CGI; technology from NetworkMode EDGE
		drive(data.Measurement{Time: utc("2026-11-03T09:30:09Z"), Lat: 34.681, Lon: -1.908, MCCMNC: "604-01", Tech: data.Tech2G,
			SignalDBm: -71, RSRQDB: A, SINRDB: A, DLMbps: 0.18, ULMbps: A, LatencyMs: A, AccuracyM: 12}),
		// Ramadan 2026: Morocco on UTC+0
		drive(data.Measurement{Time: utc("2026-03-01T21:05:00Z"), Lat: 31.6295, Lon: -7.9811, MCCMNC: "604-01", Tech: data.Tech4G,
			SignalDBm: -101, RSRQDB: -15, SINRDB: -2, DLMbps: 8.2505, ULMbps: A, LatencyMs: A, AccuracyM: 5}),
	})
}

func TestGNetTrackOldLayout(t *testing.T) {
	got, rep, f, err := readFile(t, "testdata/gnettrack/drive_2017_old_layout.txt", "")
	if err != nil || f.Name != "gnettrack-tsv" {
		t.Fatalf("format %q, err %v, problems %v", f.Name, err, rep.Problems)
	}
	dev := ingest.HashDevice("", "356938035643809")
	checkGolden(t, got, []data.Measurement{
		// Longitude before Latitude in this layout; Morocco was on UTC+0 in November 2017
		drive(data.Measurement{Time: utc("2017-11-22T10:07:03Z"), Lat: 35.7695, Lon: -5.8072, MCCMNC: "604-01", Tech: data.Tech4G,
			SignalDBm: -92, RSRQDB: -9, SINRDB: 6, DLMbps: 5.178, ULMbps: 0.194, LatencyMs: 45, AccuracyM: 4, Device: dev}),
		// and on UTC+1 in July 2017
		drive(data.Measurement{Time: utc("2017-07-14T17:30:00Z"), Lat: 35.5785, Lon: -5.3685, MCCMNC: "604-01", Tech: data.Tech3G,
			SignalDBm: -85, RSRQDB: A, SINRDB: A, DLMbps: 2.1, ULMbps: A, LatencyMs: A, AccuracyM: 4, Device: dev}),
	})
}

func TestGNetTrackColumns(t *testing.T) {
	f, err := ingest.LookupFormat("gnettrack-tsv")
	if err != nil {
		t.Fatal(err)
	}
	src, err := f.Open(strings.NewReader("Timestamp\tLongitude\tLatitude\tOperator\tNetworkTech\tLevel\tQual\tSNR\tDL_bitrate\tUL_bitrate\tPINGAVG\tAccuracy\r\n"), "x.txt", ingest.CSVOptions{}, &ingest.Report{})
	if err != nil {
		t.Fatal(err)
	}
	for canon, want := range map[string]string{"time": "Timestamp", "lat": "Latitude", "lon": "Longitude", "mcc_mnc": "Operator", "tech": "NetworkTech",
		"signal_dbm": "Level", "rsrq_db": "Qual", "sinr_db": "SNR", "dl_mbps": "DL_bitrate", "ul_mbps": "UL_bitrate", "latency_ms": "PINGAVG",
		"accuracy_m": "Accuracy", "env": "env"} {
		if got := src.Column(canon); got != want {
			t.Errorf("Column(%s) = %q, want %q", canon, got, want)
		}
	}
}

// wantProblem is a problem a bad-rows fixture must produce.
type wantProblem struct {
	line   int
	code   string
	column string
	word   string // the message must contain it
}

func checkProblems(t *testing.T, rep *ingest.Report, want []wantProblem) {
	t.Helper()
	lines := map[int]bool{}
	for _, w := range want {
		lines[w.line] = true
		found := false
		for _, p := range rep.Problems {
			if p.Line == w.line && p.Code == w.code && p.Column == w.column && strings.Contains(p.Message, w.word) {
				found = true
			}
		}
		if !found {
			var at []string
			for _, p := range rep.Problems {
				if p.Line == w.line {
					at = append(at, p.String())
				}
			}
			t.Errorf("line %d: want %s in column %q mentioning %q; got %q", w.line, w.code, w.column, w.word, at)
		}
	}
	for _, p := range rep.Problems {
		if !lines[p.Line] {
			t.Errorf("unexpected problem %s", p)
		}
	}
}

func TestGNetTrackBadRows(t *testing.T) {
	got, rep, _, err := readFile(t, "testdata/gnettrack/bad_rows.txt", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 15 || rep.Accepted != 1 || rep.Rejected != 14 {
		t.Errorf("rows %d accepted %d rejected %d; want 15, 1, 14", rep.Rows, rep.Accepted, rep.Rejected)
	}
	checkProblems(t, rep, []wantProblem{
		{2, "E_OUTSIDE_COUNTRY", "Latitude", "swapped"},
		{3, "E_NULL_ISLAND", "Latitude", "GPS"},
		{4, "E_SIGNAL_RANGE", "Level", "RSRP"},
		{5, "E_REQUIRED", "Level", "neither"}, // 2147483647 is Android's "unavailable"
		{6, "E_RANGE", "DL_bitrate", "5000 Mbps"},
		{7, "E_TIME_FUTURE", "Timestamp", "future"},
		{8, "E_UNKNOWN_OPERATOR", "Operator", "208-01"},
		{9, "E_REQUIRED", "Latitude", "empty"}, // "-"
		{9, "E_REQUIRED", "Longitude", "empty"},
		{10, "E_TIME", "Timestamp", "yyyy.MM.dd_HH.mm.ss"},
		{11, "E_TECH", "NetworkMode", "WiMAX"},
		{12, "E_UNKNOWN_OPERATOR", "CGI", "208-10"},
		{13, "E_MCC_MNC", "Operator", `"IAM"`},
		{14, "E_RANGE", "Qual", "-50"},
		{15, "E_TSV_SYNTAX", "", "quote"},
	})
	if len(got) != 1 || !got[0].Time.Equal(utc("2026-11-03T08:15:16Z")) || got[0].SignalDBm != -80 {
		t.Errorf("accepted %+v", got)
	}
}

func TestGNetTrackFileErrors(t *testing.T) {
	cases := map[string]struct{ src, want string }{
		"no metric":  {"Timestamp\tLatitude\tLongitude\tOperator\tNetworkTech\tSpeed\r\n", "lacks Level or DL_bitrate; expected Timestamp, Latitude, Longitude, Operator or CGI, NetworkTech or NetworkMode, and Level or DL_bitrate; found Timestamp, Latitude, Longitude, Operator, NetworkTech, Speed"},
		"no place":   {"Timestamp\tLevel\tNetworkTech\tOperator\r\n", "lacks Latitude, Longitude;"},
		"no plmn":    {"Timestamp\tLatitude\tLongitude\tLevel\tNetworkTech\r\n", "lacks Operator or CGI;"},
		"utf-7":      {"Timestamp\tLatitude\tLongitude\tLevel\tNetworkTech\tOperator\tDL+AF8-bitrate\r\n", "UTF-7"},
		"duplicate":  {"Timestamp\tLatitude\tLongitude\tLevel\tNetworkTech\tOperator\tLevel\r\n", `"Level" appears twice`},
		"empty file": {"", "empty"},
	}
	for name, c := range cases {
		_, _, _, err := readString(t, strings.NewReader(c.src), "g.txt", "gnettrack-tsv")
		var fe *ingest.FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a *FormatError containing %q", name, err, c.want)
		}
	}
}

func TestGNetTrackLFAndBOM(t *testing.T) {
	// LF line ends, a BOM, a blank line, the header repeated, a short last
	// line without a line end.
	src := "\ufeffTimestamp\tLatitude\tLongitude\tOperator\tNetworkTech\tLevel\tDL_bitrate\n" +
		"2026.11.03_09.15.02\t33.5731\t-7.5898\t60401\tLTE\t-87\t1000\n" +
		"\n" +
		"Timestamp\tLatitude\tLongitude\tOperator\tNetworkTech\tLevel\tDL_bitrate\n" + // a second log appended
		"2026.11.03_09.15.03\t33.5731\t-7.5898\t604010\tNR\t-200"
	got, rep, f, err := readString(t, strings.NewReader(src), "g.txt", "")
	if err != nil || f.Name != "gnettrack-tsv" {
		t.Fatalf("format %q, err %v", f.Name, err)
	}
	if len(got) != 1 || got[0].DLMbps != 1 || got[0].Tech != data.Tech4G {
		t.Errorf("got %+v", got)
	}
	checkProblems(t, rep, []wantProblem{{5, "E_SIGNAL_RANGE", "Level", "RSRP"}})
	if rep.Rows != 2 {
		t.Errorf("%d rows, want 2", rep.Rows)
	}
}

var mccMNCRe = regexp.MustCompile(`^604-[0-9]{2,3}$`)

// checkAccepted fails on a measurement the validator should have refused.
func checkAccepted(t *testing.T, m data.Measurement) {
	t.Helper()
	lo, hi := -156.0, -31.0
	if m.Tech == data.Tech2G || m.Tech == data.Tech3G {
		lo, hi = -120, -25
	}
	ok := m.Lat >= -90 && m.Lat <= 90 && m.Lon >= -180 && m.Lon <= 180 && (m.Lat != 0 || m.Lon != 0) &&
		mccMNCRe.MatchString(m.MCCMNC) && m.Tech >= data.Tech2G && m.Tech <= data.Tech5G &&
		(data.Has(m.SignalDBm) || data.Has(m.DLMbps)) &&
		(!data.Has(m.SignalDBm) || (float64(m.SignalDBm) >= lo && float64(m.SignalDBm) <= hi)) &&
		(!data.Has(m.DLMbps) || (m.DLMbps >= 0 && m.DLMbps <= 10000)) &&
		(!data.Has(m.RSRQDB) || (m.RSRQDB >= -43 && m.RSRQDB <= 20)) &&
		!m.Time.IsZero() && !m.Time.After(now.Add(5*time.Minute)) &&
		m.Env == data.EnvVehicle && m.Source == data.SourceDrive
	if !ok {
		t.Fatalf("accepted an invalid row: %+v", m)
	}
}

func fuzzFormat(t *testing.T, format, src string) {
	var n int64
	rep, _, err := ingest.Read(strings.NewReader(src), "fuzz", format, ingest.CSVOptions{Now: now, BatchSize: 3}, func(b []data.Measurement) error {
		for _, m := range b {
			checkAccepted(t, m)
		}
		n += int64(len(b))
		return nil
	})
	if rep.Accepted != n || rep.Rows != rep.Accepted+rep.Rejected {
		t.Fatalf("report says %d rows, %d accepted, %d rejected; %d emitted (err %v)", rep.Rows, rep.Accepted, rep.Rejected, n, err)
	}
	lines := strings.Count(src, "\n") + 1
	for _, p := range rep.Problems {
		if p.Line < 0 || p.Line > lines {
			t.Fatalf("problem on line %d of a %d-line input: %s", p.Line, lines, p)
		}
	}
}

func FuzzGNetTrack(f *testing.F) {
	for _, p := range []string{"testdata/gnettrack/drive_2026.txt", "testdata/gnettrack/drive_2017_old_layout.txt", "testdata/gnettrack/bad_rows.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("Timestamp\tLatitude\tLongitude\tOperator\tNetworkTech\tLevel\r\n2026.11.03_09.15.02\t33.5\t-7.5\t60401\tLTE\t-87\r\n")
	f.Add("Timestamp\tLatitude\tLongitude\tCGI\tNetworkMode\tDL_bitrate\n2026.02.30_25.61.61\t\"33\"\"\t-7.5\t604.1.2\t5G NSA\t1e9\n")
	f.Fuzz(func(t *testing.T, src string) { fuzzFormat(t, "gnettrack-tsv", src) })
}
