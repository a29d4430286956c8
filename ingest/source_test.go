package ingest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
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
