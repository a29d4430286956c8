package ingest_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// inMorocco is a box test standing in for the country outline.
func inMorocco(p orb.Point) bool { return p[0] > -17.2 && p[0] < -1 && p[1] > 20.7 && p[1] < 36 }

func read(t *testing.T, src string) ([]data.Measurement, *ingest.Report, error) {
	t.Helper()
	var got []data.Measurement
	rep, err := ingest.ReadCanonical(strings.NewReader(src), "f.csv", ingest.CSVOptions{Now: now, BatchSize: 2, Inside: inMorocco}, func(b []data.Measurement) error {
		got = append(got, b...)
		return nil
	})
	return got, rep, err
}

func TestReadCanonicalBadRows(t *testing.T) {
	src, err := os.ReadFile("testdata/bad_rows.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, rep, err := read(t, string(src))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 15 || rep.Accepted != 2 || rep.Rejected != 13 {
		t.Errorf("rows %d accepted %d rejected %d; want 15, 2, 13", rep.Rows, rep.Accepted, rep.Rejected)
	}
	want := map[int]string{ // line -> code and a word the message must hold
		1:  "W_UNKNOWN_COLUMN colour",
		3:  "E_LAT_RANGE swapped",
		4:  "E_OUTSIDE_COUNTRY swapped",
		5:  "E_TIME offset",
		6:  "E_TIME milliseconds",
		7:  "E_MCC_MNC 604-01",
		8:  "E_TECH 2G",
		9:  "E_SIGNAL_RANGE RSRP",
		10: "E_REQUIRED signal_dbm",
		11: "E_NULL_ISLAND GPS",
		12: "E_ENV vehicle",
		13: "E_UNKNOWN_OPERATOR 604",
		14: "E_NUMBER decimal",
		15: "E_TIME_FUTURE future",
	}
	found := map[int]string{}
	for _, p := range rep.Problems {
		found[p.Line] = p.Code + " " + p.Message
	}
	for line, w := range want {
		code, word, _ := strings.Cut(w, " ")
		f := found[line]
		if !strings.HasPrefix(f, code) || !strings.Contains(f, word) {
			t.Errorf("line %d: got %q, want code %s mentioning %q", line, f, code, word)
		}
	}
	if len(got) != 2 {
		t.Fatalf("got %d measurements", len(got))
	}
	m := got[0]
	if m.MCCMNC != "604-01" || m.Tech != data.Tech4G || m.SignalDBm != -95.5 || m.DLMbps != 12.3 || m.Env != data.EnvOutdoor || m.Source != data.SourceCrowd {
		t.Errorf("first row parsed as %+v", m)
	}
	if !m.Time.Equal(time.Date(2026, 11, 3, 13, 22, 5, 0, time.UTC)) {
		t.Errorf("time = %v", m.Time)
	}
	if m.Device == 0 || m.Device != ingest.HashDevice("", "dev-1") {
		t.Errorf("device not hashed consistently")
	}
	if data.Has(got[1].DLMbps) || got[1].Device != 0 || got[1].Env != data.EnvVehicle {
		t.Errorf("second row: %+v", got[1])
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "file,line,column,value,code,severity,message\n") || !strings.Contains(buf.String(), "f.csv,3,lat,151.2,E_LAT_RANGE,error,") {
		t.Errorf("report CSV:\n%s", buf.String())
	}
}

func TestReadCanonicalFileErrors(t *testing.T) {
	cases := map[string]string{
		"empty":          "",
		"missing column": "time,lat,mcc_mnc,tech,signal_dbm\n",
		"no metric":      "time,lat,lon,mcc_mnc,tech\n",
		"duplicate":      "time,lat,lon,lat,mcc_mnc,tech,signal_dbm\n",
	}
	for name, src := range cases {
		_, _, err := read(t, src)
		var fe *ingest.FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want *FormatError", name, err)
		}
	}
	_, _, err := read(t, "time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-03T14:22:05Z,95,0,604-01,4G,-90\n")
	if !errors.Is(err, ingest.ErrNoRows) {
		t.Errorf("all rows rejected: err = %v, want ErrNoRows", err)
	}
}

func TestReadCanonicalBOMAndOrder(t *testing.T) {
	src := "\ufeffdevice,tech,mcc_mnc,lon,lat,time,dl_mbps\nx,LTE,604-02,-7.6,33.58,2026-11-30T10:00:00+01:00,25\n"
	got, rep, err := read(t, src)
	if err != nil || len(got) != 1 || rep.Warnings != 0 {
		t.Fatalf("got %v, %+v, %v", got, rep, err)
	}
	if got[0].Lat != 33.58 || got[0].Lon != -7.6 || got[0].Tech != data.Tech4G || data.Has(got[0].SignalDBm) {
		t.Errorf("parsed %+v", got[0])
	}
}

func FuzzReadCanonical(f *testing.F) {
	f.Add("time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-03T14:22:05Z,34,-6,604-01,4G,-90\n")
	f.Add("time,lat,lon,mcc_mnc,tech,dl_mbps\n\"2026\",x,,604-1,9G,NaN\n")
	f.Fuzz(func(t *testing.T, src string) {
		var n int64
		rep, err := ingest.ReadCanonical(strings.NewReader(src), "fuzz.csv", ingest.CSVOptions{Now: now}, func(b []data.Measurement) error {
			for _, m := range b {
				if m.Lat < -90 || m.Lat > 90 || m.Lon < -180 || m.Lon > 180 || m.MCCMNC == "" {
					t.Fatalf("accepted an invalid row: %+v", m)
				}
			}
			n += int64(len(b))
			return nil
		})
		if rep != nil && rep.Accepted != n {
			t.Fatalf("report says %d accepted, %d emitted (err %v)", rep.Accepted, n, err)
		}
	})
}
