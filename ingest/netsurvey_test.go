package ingest_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

func TestNetSurveyLTEGolden(t *testing.T) {
	got, rep, f, err := readFile(t, "testdata/netsurvey/craxiom-lte-20261103-091500.csv", "")
	if err != nil {
		t.Fatalf("%v; problems %v", err, rep.Problems)
	}
	if f.Name != "network-survey-csv" {
		t.Fatalf("detected as %q", f.Name)
	}
	dev := ingest.HashDevice("", "R58N12ABCDE")
	checkGolden(t, got, []data.Measurement{
		// mnc written as the integer 1: 604-01
		drive(data.Measurement{Time: utc("2026-11-03T08:15:02.123456Z"), Lat: 34.0208, Lon: -6.8416, MCCMNC: "604-01", Tech: data.Tech4G,
			SignalDBm: -92, RSRQDB: -10, SINRDB: 9, DLMbps: A, ULMbps: A, LatencyMs: A, AccuracyM: 4, Device: dev}),
		// offset without a colon; snr 2147483647 is Android's "unavailable"
		drive(data.Measurement{Time: utc("2026-11-03T08:15:07.5Z"), Lat: 34.0212, Lon: -6.842, MCCMNC: "604-00", Tech: data.Tech4G,
			SignalDBm: -101.5, RSRQDB: -12.5, SINRDB: A, DLMbps: A, ULMbps: A, LatencyMs: A, AccuracyM: 6.5, Device: dev}),
	})
	// the neighbour cell on line 5 is skipped, with one warning
	if rep.Rows != 2 || rep.Warnings != 1 || len(rep.Problems) != 1 {
		t.Fatalf("report %+v", rep)
	}
	p := rep.Problems[0]
	if p.Code != "W_NEIGHBOUR_CELL" || p.Line != 5 || p.Column != "servingCell" || !strings.Contains(p.Message, "1 neighbour-cell rows") {
		t.Errorf("warning %s", p)
	}
}

func TestNetSurveyNRAndUMTSGolden(t *testing.T) {
	got, _, f, err := readFile(t, "testdata/netsurvey/craxiom-nr-20261103-120000.csv", "")
	if err != nil || f.Name != "network-survey-csv" {
		t.Fatalf("format %q, err %v", f.Name, err)
	}
	dev := ingest.HashDevice("", "RFCT71XYZ")
	checkGolden(t, got, []data.Measurement{
		drive(data.Measurement{Time: utc("2026-11-03T11:00:01.000001Z"), Lat: 33.5883, Lon: -7.6114, MCCMNC: "604-02", Tech: data.Tech5G,
			SignalDBm: -84, RSRQDB: -11, SINRDB: 18.5, DLMbps: A, ULMbps: A, LatencyMs: A, AccuracyM: 3, Device: dev}),
		// no SS-RSRP: the CSI measurements are used
		drive(data.Measurement{Time: utc("2026-11-03T12:00:02Z"), Lat: 33.589, Lon: -7.612, MCCMNC: "604-02", Tech: data.Tech5G,
			SignalDBm: -99, RSRQDB: -14, SINRDB: 3, DLMbps: A, ULMbps: A, LatencyMs: A, AccuracyM: 3, Device: dev}),
	})

	got, _, _, err = readFile(t, "testdata/netsurvey/craxiom-umts-20261103-130000.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	// UMTS: RSCP is the signal; Ec/No is not RSRQ and is not imported
	checkGolden(t, got, []data.Measurement{
		drive(data.Measurement{Time: utc("2026-11-03T12:00:00.25Z"), Lat: 30.4278, Lon: -9.5981, MCCMNC: "604-01", Tech: data.Tech3G,
			SignalDBm: -83, RSRQDB: A, SINRDB: A, DLMbps: A, ULMbps: A, LatencyMs: A, AccuracyM: 7, Device: ingest.HashDevice("", "R58N12ABCDE")}),
	})
}

func TestNetSurveyColumns(t *testing.T) {
	f, _ := ingest.LookupFormat("network-survey-csv")
	src, err := f.Open(strings.NewReader("# c\r\ndeviceTime,latitude,longitude,accuracy,mcc,mnc,ssRsrp,ssRsrq,ssSinr,deviceId\r\n"), "n.csv", ingest.CSVOptions{}, &ingest.Report{})
	if err != nil {
		t.Fatal(err)
	}
	for canon, want := range map[string]string{"time": "deviceTime", "lat": "latitude", "lon": "longitude", "accuracy_m": "accuracy",
		"mcc_mnc": "mcc", "signal_dbm": "ssRsrp", "rsrq_db": "ssRsrq", "sinr_db": "ssSinr", "device": "deviceId", "tech": "tech"} {
		if got := src.Column(canon); got != want {
			t.Errorf("Column(%s) = %q, want %q", canon, got, want)
		}
	}
}

func TestNetSurveyBadRows(t *testing.T) {
	got, rep, f, err := readFile(t, "testdata/netsurvey/bad_rows.csv", "")
	if err != nil || f.Name != "network-survey-csv" {
		t.Fatalf("format %q, err %v", f.Name, err)
	}
	// 3 comment lines, the header on line 4; line 13 is a comment, line 16 a neighbour cell
	if rep.Rows != 12 || rep.Accepted != 1 || rep.Rejected != 11 {
		t.Errorf("rows %d accepted %d rejected %d; want 12, 1, 11", rep.Rows, rep.Accepted, rep.Rejected)
	}
	checkProblems(t, rep, []wantProblem{
		{5, "E_OUTSIDE_COUNTRY", "latitude", "swapped"},
		{6, "E_NULL_ISLAND", "latitude", "GPS"},
		{7, "E_SIGNAL_RANGE", "rsrp", "RSRP"},
		{8, "E_REQUIRED", "rsrp", "neither"}, // 2147483647
		{9, "E_TIME_FUTURE", "deviceTime", "future"},
		{10, "E_UNKNOWN_OPERATOR", "mcc", "208-10"},
		{11, "E_MCC_MNC", "mnc", `"604-"`},
		{12, "E_TIME", "deviceTime", "offset"},
		{14, "E_RANGE", "rsrq", "-50"},
		{15, "E_CSV_SYNTAX", "", "quote"},
		{16, "W_NEIGHBOUR_CELL", "servingCell", "1 neighbour-cell rows"},
		{17, "E_FIELD_COUNT", "", "decimal comma"},
	})
	if len(got) != 1 || !got[0].Time.Equal(utc("2026-11-03T08:15:14Z")) {
		t.Errorf("accepted %+v", got)
	}
}

func TestNetSurveyFileErrors(t *testing.T) {
	cases := map[string]struct{ src, want string }{
		"no mcc":      {"# CSV Version=0.4.0\r\ndeviceTime,latitude,longitude,mnc,rsrp\r\n", "the Network Survey 4G header lacks mcc; expected deviceTime, latitude, longitude, mcc, mnc and rsrp; found deviceTime, latitude, longitude, mnc, rsrp"},
		"nr no rsrp":  {"deviceTime,latitude,longitude,mcc,mnc,nci\r\n", "lacks ssRsrp or csiRsrp"},
		"wifi":        {"# CSV Version=0.4.0\r\ndeviceTime,latitude,longitude,bssid,ssid,signalStrength\r\n", "no cellular column"},
		"cdma":        {"deviceTime,latitude,longitude,sid,nid,bsid,ecio\r\n", "CDMA"},
		"comments":    {"# Created by Network Survey\r\n# nothing else\r\n", "no header"},
		"duplicate":   {"deviceTime,latitude,longitude,mcc,mnc,rsrp,rsrp\r\n", `"rsrp" appears twice`},
		"bad header":  {"deviceTime,\"latitude,longitude,mcc,mnc,rsrp\r\n", "cannot read the header"},
		"empty input": {"", "no header"},
	}
	for name, c := range cases {
		_, _, _, err := readString(t, strings.NewReader(c.src), "n.csv", "network-survey-csv")
		var fe *ingest.FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a *FormatError containing %q", name, err, c.want)
		}
	}
}

func TestDriveFormatsDetect(t *testing.T) {
	files := map[string]string{
		"testdata/gnettrack/drive_2026.txt":                   "gnettrack-tsv",
		"testdata/gnettrack/drive_2017_old_layout.txt":        "gnettrack-tsv",
		"testdata/gnettrack/bad_rows.txt":                     "gnettrack-tsv",
		"testdata/netsurvey/craxiom-lte-20261103-091500.csv":  "network-survey-csv",
		"testdata/netsurvey/craxiom-nr-20261103-120000.csv":   "network-survey-csv",
		"testdata/netsurvey/craxiom-umts-20261103-130000.csv": "network-survey-csv",
		"testdata/netsurvey/bad_rows.csv":                     "network-survey-csv",
		"testdata/bad_rows.csv":                               "canonical-csv",
	}
	heads := map[string][]byte{}
	for path, want := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		heads[path] = b
		f, err := ingest.Detect(b, path)
		if err != nil || f.Name != want {
			t.Errorf("%s: detected %q (%v), want %s", path, f.Name, err, want)
		}
	}
	heads["canonical header"] = []byte("time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-01T10:00:00Z,33.5,-7.6,604-01,4G,-95\n")
	heads["canonical, tab-separated"] = []byte("time\tlat\tlon\tmcc_mnc\ttech\tsignal_dbm\n")
	files["canonical header"] = "canonical-csv"
	heads["canonical after a comment"] = []byte("# exported\ntime,lat,lon,mcc_mnc,tech,signal_dbm,device\n")
	files["canonical, tab-separated"], files["canonical after a comment"] = "", "" // not ours
	// Each detector alone: ours claim their own files only (not the
	// canonical CSV, not each other's), and the canonical one claims
	// neither of ours.
	for _, name := range []string{"gnettrack-tsv", "network-survey-csv", "canonical-csv"} {
		f, err := ingest.LookupFormat(name)
		if err != nil {
			t.Fatal(err)
		}
		for path, head := range heads {
			owner := files[path]
			if name == "canonical-csv" && owner == "" {
				continue // not ours to decide
			}
			if claims := f.Detect(head); claims != (owner == name) {
				t.Errorf("%s.Detect(%s) = %v, the file is %q", name, path, claims, owner)
			}
		}
	}
}

func FuzzNetworkSurvey(f *testing.F) {
	for _, p := range []string{"testdata/netsurvey/craxiom-lte-20261103-091500.csv", "testdata/netsurvey/craxiom-nr-20261103-120000.csv",
		"testdata/netsurvey/craxiom-umts-20261103-130000.csv", "testdata/netsurvey/bad_rows.csv"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("#\ndeviceTime,latitude,longitude,mcc,mnc,signalStrength,bsic\n2026-11-03T09:15:02+01:00,34,-6.8,604,1,-70,3\n")
	f.Add("deviceTime,latitude,longitude,mcc,mnc,rsrp\r\n\"2026-11-03T09:15:02+0100\",\"3\"\"4\",-6.8,604,,2147483647\r\n")
	f.Fuzz(func(t *testing.T, src string) { fuzzFormat(t, "network-survey-csv", src) })
}
