package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/taghtia/taghtia/data"
)

// hists collects CellHistograms, ordered like data.HistBuilder.Hists.
func hists(t *testing.T, s data.Store, res int) []data.CellHist {
	t.Helper()
	var out []data.CellHist
	if err := s.CellHistograms(t.Context(), res, func(hs []data.CellHist) error {
		out = append(out, hs...)
		return nil
	}); err != nil {
		t.Fatalf("CellHistograms(%d): %v", res, err)
	}
	data.SortHists(out)
	return out
}

func diffHists(got, want []data.CellHist) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d aggregates, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Cell != w.Cell || g.MCCMNC != w.MCCMNC || g.Tech != w.Tech || g.Samples != w.Samples || !g.Last.Equal(w.Last) {
			return fmt.Sprintf("[%d] = %v %s %v n=%d last=%v, want %v %s %v n=%d last=%v", i,
				g.Cell, g.MCCMNC, g.Tech, g.Samples, g.Last, w.Cell, w.MCCMNC, w.Tech, w.Samples, w.Last)
		}
		if !reflect.DeepEqual(g.Signal, w.Signal) || !reflect.DeepEqual(g.DL, w.DL) {
			return fmt.Sprintf("[%d] %v %s %v bins = %v / %v, want %v / %v", i, w.Cell, w.MCCMNC, w.Tech, g.Signal, g.DL, w.Signal, w.DL)
		}
	}
	return ""
}

func testHistograms(t *testing.T, open func(t *testing.T) data.Store) {
	// Rows cluster on a few cells so bins accumulate across uploads.
	rows := func(from, n int) []data.Measurement {
		ms := measurements(from, n)
		for i := range ms {
			ms[i].Lon = -7.6 + float64((from+i)%7)*0.01
			ms[i].Lat = 33.5 + float64((from+i)%5)*0.01
		}
		return ms
	}
	first, second := rows(0, 3000), rows(3000, 2000)

	t.Run("IncrementalEqualsRecount", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if got := hists(t, s, 8); len(got) != 0 {
			t.Fatalf("CellHistograms on an empty store = %d aggregates, want 0", len(got))
		}
		fill, _ := fillWith(first, 512, 0)
		if _, err := s.AddUpload(ctx, upload("h1"), fill); err != nil {
			t.Fatal(err)
		}
		ref := data.NewHistBuilder(8)
		ref.Add(first)
		if d := diffHists(hists(t, s, 8), ref.Hists()); d != "" {
			t.Fatalf("after one upload: %s", d)
		}
		// A failed upload adds nothing.
		boom := errors.New("boom")
		if _, err := s.AddUpload(ctx, upload("h2"), func(emit func([]data.Measurement) error) (data.Upload, error) {
			if err := emit(second); err != nil {
				return data.Upload{}, err
			}
			return data.Upload{}, boom
		}); !errors.Is(err, boom) {
			t.Fatalf("failing AddUpload = %v, want boom", err)
		}
		if d := diffHists(hists(t, s, 8), ref.Hists()); d != "" {
			t.Fatalf("after a failed upload: %s", d)
		}
		fill, _ = fillWith(second, 700, 0)
		if _, err := s.AddUpload(ctx, upload("h3"), fill); err != nil {
			t.Fatal(err)
		}
		ref.Add(second)
		want := ref.Hists()
		got := hists(t, s, 8)
		if d := diffHists(got, want); d != "" {
			t.Fatalf("after two uploads: %s", d)
		}
		var n int32
		for _, h := range got {
			n += h.Samples
		}
		if n != int32(len(first)+len(second)) {
			t.Errorf("samples = %d, want %d", n, len(first)+len(second))
		}
	})

	t.Run("OtherResolution", func(t *testing.T) {
		s := open(t)
		fill, _ := fillWith(first, 1000, 0)
		if _, err := s.AddUpload(t.Context(), upload("h4"), fill); err != nil {
			t.Fatal(err)
		}
		for _, res := range []int{6, 9} {
			ref := data.NewHistBuilder(res)
			ref.Add(first)
			if d := diffHists(hists(t, s, res), ref.Hists()); d != "" {
				t.Errorf("resolution %d: %s", res, d)
			}
		}
	})

	t.Run("StopsOnCallbackError", func(t *testing.T) {
		s := open(t)
		fill, _ := fillWith(first, 1000, 0)
		if _, err := s.AddUpload(t.Context(), upload("h5"), fill); err != nil {
			t.Fatal(err)
		}
		stop := errors.New("stop")
		if err := s.CellHistograms(t.Context(), 8, func([]data.CellHist) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("CellHistograms with a failing callback = %v, want stop", err)
		}
	})
}
