package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
)

func gz(t *testing.T, write func(w io.Writer)) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	write(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGzipInputIsReadAsItsContent(t *testing.T) {
	csv := "time,lat,lon,mcc_mnc,tech,signal_dbm\n2026-11-03T14:22:05Z,33.5,-7.6,604-01,4G,-90\n2026-11-03T14:22:06Z,33.5,-7.6,604-02,4G,-91\n"
	file := gz(t, func(w io.Writer) { io.WriteString(w, csv) })
	var got []data.Measurement
	var progress []int64
	opt := CSVOptions{Now: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC), BatchSize: 1, Progress: func(n int64) { progress = append(progress, n) }}
	rep, f, err := Read(bytes.NewReader(file), "m.csv.gz", "", opt, func(ms []data.Measurement) error {
		got = append(got, ms...)
		return nil
	})
	if err != nil || f.Name != "canonical-csv" || len(got) != 2 || rep.Accepted != 2 {
		t.Fatalf("Read(gzip) = %d rows, format %q, %v; want 2 canonical rows", len(got), f.Name, err)
	}
	for _, n := range progress {
		if n > int64(len(file)) {
			t.Errorf("progress %d beyond the compressed size %d", n, len(file))
		}
	}
	if _, err := DetectReader(bytes.NewReader(file), "m.csv.gz"); err != nil {
		t.Errorf("DetectReader(gzip) = %v", err)
	}
}

func TestGzipBombIsRefused(t *testing.T) {
	// A valid header, then 200 MB of one repeated row: ratio ≈ 1000.
	row := strings.Repeat("2026-11-03T14:22:05Z,33.5,-7.6,604-01,4G,-90\n", 1)
	file := gz(t, func(w io.Writer) {
		io.WriteString(w, "time,lat,lon,mcc_mnc,tech,signal_dbm\n")
		chunk := []byte(strings.Repeat(row, 1<<14))
		for n := 0; n < 200<<20; n += len(chunk) {
			w.Write(chunk)
		}
	})
	opt := CSVOptions{Now: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)}
	_, _, err := Read(bytes.NewReader(file), "bomb.csv.gz", "", opt, func([]data.Measurement) error { return nil })
	if !errors.Is(err, ErrArchiveLimit) {
		t.Fatalf("Read(bomb) = %v, want ErrArchiveLimit (compressed %d bytes)", err, len(file))
	}
}
