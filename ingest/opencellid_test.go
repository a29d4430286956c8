package ingest_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

func TestOpenCellID(t *testing.T) {
	f, err := os.Open("testdata/opencellid/604.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lf, ok, err := ingest.IsLayerFile(f, "")
	if err != nil || !ok || lf.Name != "opencellid-csv" || lf.Layer != data.LayerCells {
		t.Fatalf("IsLayerFile = %+v, %v, %v", lf, ok, err)
	}
	f.Seek(0, 0)
	inMorocco := func(p orb.Point) bool { return p[0] > -17.5 && p[0] < -1 && p[1] > 20.5 && p[1] < 36 }
	opt := ingest.CSVOptions{Now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), Inside: inMorocco,
		Operators: map[string]bool{"604-00": true, "604-01": true, "604-02": true}}
	rep, fs, err := ingest.ReadLayer(f, "604.csv", lf, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 4 || rep.Rows != 11 || rep.Accepted != 4 || rep.Rejected != 7 {
		t.Fatalf("%d features, report rows %d accepted %d rejected %d", len(fs), rep.Rows, rep.Accepted, rep.Rejected)
	}
	lte := fs[0]
	if lte.ID != "LTE-604-01-6003-27447553" || lte.Geom != (orb.Point{-7.5899, 33.5732}) || lte.Props["range_m"] != 1100.0 ||
		lte.Props["tech"] != "4G" || lte.Props["avg_signal_dbm"] != -88.0 || lte.Props["updated"] != "2025-11-01T12:26:40Z" || lte.Props["cell"] != "27447553" {
		t.Errorf("LTE cell (the later of two rows) = %+v", lte)
	}
	if gsm := fs[1]; gsm.ID != "GSM-604-00-110-12021" || gsm.Props["avg_signal_dbm"] != nil || gsm.Props["mcc_mnc"] != "604-00" {
		t.Errorf("GSM cell = %+v", gsm)
	}
	if fs[3].Props["tech"] != "5G" {
		t.Errorf("NR cell = %+v", fs[3])
	}
	want := map[int][]string{
		5: {"W_OTHER_COUNTRY", "mcc"}, 6: {"W_CDMA", "radio"}, 8: {"W_DUPLICATE_CELL", "cell"},
		9: {"E_OUTSIDE_COUNTRY", "lat"}, 10: {"E_NULL_ISLAND", "lat"}, 11: {"E_UNKNOWN_OPERATOR", "net"},
		12: {"E_RADIO", "radio"}, 14: {"E_TIME", "updated"},
	}
	got := map[int]int{}
	for _, p := range rep.Problems {
		got[p.Line]++
		if p.Line == 13 {
			if p.Code != "E_RANGE" && p.Code != "E_SIGNAL_RANGE" || p.Code == "E_SIGNAL_RANGE" && p.Column != "averageSignal" {
				t.Errorf("line 13: %s", p)
			}
			continue
		}
		w, ok := want[p.Line]
		if !ok || p.Code != w[0] || p.Column != w[1] {
			t.Errorf("unexpected problem %s (col %s), want %v", p, p.Column, w)
		}
	}
	for line := range want {
		if got[line] == 0 {
			t.Errorf("no problem at line %d, want %v", line, want[line])
		}
	}
	if got[13] != 2 {
		t.Errorf("line 13: %d problems, want range and signal", got[13])
	}
}

func FuzzOpenCellID(f *testing.F) {
	b, _ := os.ReadFile("testdata/opencellid/604.csv")
	f.Add(string(b))
	f.Add("radio,mcc,net,area,cell,unit,lon,lat\nLTE,604,1,1,1,,-7.6,33.5\n")
	lf, _ := ingest.LookupLayerFormat("opencellid-csv")
	f.Fuzz(func(t *testing.T, src string) {
		rep, fs, err := ingest.ReadLayer(strings.NewReader(src), "fuzz.csv", lf, ingest.CSVOptions{Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
		if err == nil && int64(len(fs)) != rep.Accepted {
			t.Fatalf("%d features, %d accepted", len(fs), rep.Accepted)
		}
		for _, x := range fs {
			p, ok := x.Geom.(orb.Point)
			if !ok || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 || p == (orb.Point{}) || x.ID == "" {
				t.Fatalf("bad feature %+v", x)
			}
		}
	})
}
