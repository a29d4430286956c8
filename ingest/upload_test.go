package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data/embedded"
)

// A file re-sent with new rows appended adds only the new rows; the
// others are reported as already stored, naming the first upload.
func TestFileRowsAlreadyStored(t *testing.T) {
	st, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	write := func(name string, from, to int) string {
		var b strings.Builder
		b.WriteString("time,lat,lon,mcc_mnc,tech,signal_dbm,device\n")
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "2026-11-03T14:%02d:05Z,33.5%d,-7.6,604-01,4G,-90,phone-%d\n", i, i, i)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opt := CSVOptions{Now: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC), DeviceSalt: "s"}
	first, _, err := File(t.Context(), st, write("a.csv", 0, 3), opt)
	if err != nil {
		t.Fatal(err)
	}
	second, rep, err := File(t.Context(), st, write("b.csv", 1, 5), opt)
	if err != nil {
		t.Fatal(err)
	}
	if second.Accepted != 2 || second.Rejected != 2 || rep.Accepted != 2 {
		t.Errorf("second upload accepted %d, rejected %d (report %d); want 2, 2", second.Accepted, second.Rejected, rep.Accepted)
	}
	var lines []int
	for _, p := range rep.Problems {
		if p.Code != "E_ALREADY_STORED" || p.Value != fmt.Sprint(first.ID) || p.Column != "time" {
			t.Errorf("problem %v, want E_ALREADY_STORED naming upload %d", p, first.ID)
		}
		lines = append(lines, p.Line)
	}
	if fmt.Sprint(lines) != "[2 3]" {
		t.Errorf("already-stored lines = %v, want [2 3]", lines)
	}
	// Every row already stored: nothing to add, the upload is refused.
	if _, _, err := File(t.Context(), st, write("c.csv", 0, 2), opt); err == nil || !strings.Contains(err.Error(), "no acceptable row") {
		t.Errorf("a file of stored rows only: err = %v, want no rows accepted", err)
	}
}
