package ingest_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"golang.org/x/text/encoding/charmap"
)

func TestDetectAndRead(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := "\ufefftime,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-01T10:00:00Z,33.5,-7.6,604-01,4G,-95\n"
	n := 0
	rep, f, err := ingest.Read(strings.NewReader(src), "a.csv", "", ingest.CSVOptions{Now: now}, func(ms []data.Measurement) error { n += len(ms); return nil })
	if err != nil || f.Name != "canonical-csv" || n != 1 || rep.Accepted != 1 {
		t.Fatalf("Read = %v, format %q, %d rows, report %+v", err, f.Name, n, rep)
	}
	_, _, err = ingest.Read(strings.NewReader("hello,world\n1,2\n"), "b.txt", "", ingest.CSVOptions{Now: now}, func([]data.Measurement) error { return nil })
	var fe *ingest.FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "canonical-csv") || !strings.Contains(err.Error(), "--format") {
		t.Errorf("unknown content: %v, want a FormatError listing the formats and --format", err)
	}
	_, _, err = ingest.Read(strings.NewReader(src), "a.csv", "nope", ingest.CSVOptions{Now: now}, func([]data.Measurement) error { return nil })
	if !errors.Is(err, data.ErrInvalid) {
		t.Errorf("unknown --format: %v, want ErrInvalid", err)
	}
	_, _, err = ingest.Read(strings.NewReader(""), "empty.csv", "", ingest.CSVOptions{Now: now}, func([]data.Measurement) error { return nil })
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

func TestReadEncodings(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := "time,lat,lon,mcc_mnc,tech,signal_dbm,device\n2026-11-01T10:00:00Z,33.5,-7.6,604-01,4G,-95,جهاز-Équipe\n"
	utf16le := func(s string, bom bool) []byte {
		var b []byte
		if bom {
			b = append(b, 0xFF, 0xFE)
		}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	cp1256, _ := charmap.Windows1256.NewEncoder().String(strings.ReplaceAll(src, "Équipe", "x"))
	cp1252, _ := charmap.Windows1252.NewEncoder().String(strings.ReplaceAll(src, "جهاز", "Café"))
	for _, c := range []struct {
		name, enc string
		in        []byte
	}{
		{"utf8", "", []byte(src)},
		{"utf16-bom", "UTF-16LE", utf16le(src, true)},
		{"utf16-nobom", "UTF-16LE", utf16le(src, false)},
		{"cp1256", "Windows-1256", []byte(cp1256)},
		{"cp1252", "Windows-1252", []byte(cp1252)},
	} {
		var got []data.Measurement
		rep, f, err := ingest.Read(bytes.NewReader(c.in), c.name, "", ingest.CSVOptions{Now: now}, func(ms []data.Measurement) error { got = append(got, ms...); return nil })
		if err != nil || f.Name != "canonical-csv" || len(got) != 1 || got[0].SignalDBm != -95 {
			t.Errorf("%s: %v, format %q, %d rows", c.name, err, f.Name, len(got))
			continue
		}
		warned := ""
		for _, p := range rep.Problems {
			if p.Code == "W_ENCODING" {
				warned = p.Value
			}
		}
		if warned != c.enc {
			t.Errorf("%s: encoding warning %q, want %q", c.name, warned, c.enc)
		}
	}
}

func TestAgeAndAccuracyBounds(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := "time,lat,lon,mcc_mnc,tech,signal_dbm,accuracy_m\n" +
		"2026-11-30T10:00:00Z,33.5,-7.6,604-01,4G,-95,5\n" +
		"2026-11-27T10:00:00Z,33.5,-7.6,604-01,4G,-95,5\n" +
		"2026-11-30T10:00:00Z,33.5,-7.6,604-01,4G,-95,25\n"
	rep, _, err := ingest.Read(strings.NewReader(src), "b.csv", "", ingest.CSVOptions{Now: now, MaxAge: 48 * time.Hour, MaxAccuracyM: 20}, func([]data.Measurement) error { return nil })
	if err != nil || rep.Accepted != 1 {
		t.Fatalf("Read: %v, %d accepted", err, rep.Accepted)
	}
	want := map[string]int{"E_TIME_OLD": 3, "E_ACCURACY": 4}
	for _, p := range rep.Problems {
		if line, ok := want[p.Code]; !ok || line != p.Line {
			t.Errorf("problem %s at line %d, want %v", p.Code, p.Line, want)
		}
		delete(want, p.Code)
	}
	if len(want) > 0 {
		t.Errorf("missing problems %v", want)
	}
}

func TestDuplicateRowsInAFile(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	row := "2026-11-30T10:00:00Z,33.5,-7.6,604-01,4G,-95,d1\n"
	src := "time,lat,lon,mcc_mnc,tech,signal_dbm,device\n" + row +
		"2026-11-30T10:00:00Z,33.5,-7.6,604-01,4G,-96,d1\n" + // another value: kept
		row + // line 4: the same as line 2
		"2026-11-30T10:00:00Z,33.5,-7.6,604-01,4G,-95,d2\n" // another device: kept
	rep, _, err := ingest.Read(strings.NewReader(src), "d.csv", "", ingest.CSVOptions{Now: now}, func([]data.Measurement) error { return nil })
	if err != nil || rep.Accepted != 3 || rep.Rejected != 1 {
		t.Fatalf("Read: %v, %d accepted, %d rejected", err, rep.Accepted, rep.Rejected)
	}
	if p := rep.Problems[0]; p.Code != "E_DUPLICATE_ROW" || p.Line != 4 || !strings.Contains(p.Message, "line 2") {
		t.Errorf("problem %s", p)
	}
}
