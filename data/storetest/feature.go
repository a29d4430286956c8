package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

func testFeatures(t *testing.T, open func(t *testing.T) data.Store) {
	sites := []data.Feature{
		{Layer: data.LayerSites, ID: "s2", Props: map[string]any{"name": "Commune de Tiznit", "kind": "commune_seat", "urban": true, "staff": 42.0}, Geom: orb.Point{-9.73, 29.7}},
		{Layer: data.LayerSites, ID: "s1", Props: map[string]any{"name": "مستشفى", "note": nil}, Geom: orb.Point{-6.84, 34.02}},
	}
	roads := []data.Feature{
		{Layer: data.LayerRoads, ID: "r1", Props: map[string]any{"class": "primary"}, Geom: orb.LineString{{-7, 33}, {-7.1, 33.2}, {-7.3, 33.25}}},
		{Layer: data.LayerRoads, ID: "r2", Geom: orb.MultiLineString{{{-6, 34}, {-6.1, 34.1}}, {{-6.2, 34}, {-6.3, 34.2}}}},
	}
	declared := []data.Feature{
		{Layer: data.LayerDeclared, ID: "d1", Props: map[string]any{"NIVEAU": "TBC", "mcc_mnc": "604-01", "tech": "4G"}, Geom: orb.Polygon{square(-8, 31, 0.5), hole(-7.9, 31.1, 0.2)}},
		{Layer: data.LayerDeclared, ID: "d2", Geom: multi(-5, 35)},
	}
	check := func(t *testing.T, got, want []data.Feature) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("Features = %d features, want %d", len(got), len(want))
		}
		for i := range want {
			w := want[i]
			if len(w.Props) == 0 {
				w.Props = nil
			}
			g := got[i]
			if len(g.Props) == 0 {
				g.Props = nil
			}
			if g.Layer != w.Layer || g.ID != w.ID || !reflect.DeepEqual(g.Props, w.Props) {
				t.Errorf("Features[%d] = %s/%s %v, want %s/%s %v", i, g.Layer, g.ID, g.Props, w.Layer, w.ID, w.Props)
			}
			if !orb.Equal(g.Geom, w.Geom) {
				t.Errorf("Features[%d] %s geometry = %v, want %v", i, w.ID, g.Geom, w.Geom)
			}
		}
	}

	t.Run("RoundTripOrderedByID", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for _, l := range [][]data.Feature{sites, roads, declared} {
			if err := s.ReplaceFeatures(ctx, l[0].Layer, l); err != nil {
				t.Fatalf("ReplaceFeatures %s: %v", l[0].Layer, err)
			}
		}
		got, err := s.Features(ctx, data.LayerSites)
		if err != nil {
			t.Fatalf("Features: %v", err)
		}
		check(t, got, []data.Feature{sites[1], sites[0]})
		got, err = s.Features(ctx, data.LayerRoads)
		if err != nil {
			t.Fatalf("Features roads: %v", err)
		}
		check(t, got, roads)
		got, err = s.Features(ctx, data.LayerDeclared)
		if err != nil {
			t.Fatalf("Features declared: %v", err)
		}
		check(t, got, declared)
		if got, err = s.Features(ctx, data.LayerPoP); err != nil || len(got) != 0 {
			t.Errorf("Features of a layer never loaded = %d, %v; want 0, nil", len(got), err)
		}
	})

	t.Run("ReplaceKeepsOtherLayers", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplaceFeatures(ctx, data.LayerSites, sites); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplaceFeatures(ctx, data.LayerRoads, roads); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplaceFeatures(ctx, data.LayerSites, sites[:1]); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Features(ctx, data.LayerSites)
		check(t, got, sites[:1])
		got, _ = s.Features(ctx, data.LayerRoads)
		check(t, got, roads)
	})

	t.Run("RefusesBadInputAndKeepsOld", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplaceFeatures(ctx, data.LayerSites, sites); err != nil {
			t.Fatal(err)
		}
		bad := map[string][]data.Feature{
			"repeated id": {sites[0], sites[0]},
			"empty id":    {{Layer: data.LayerSites, Geom: orb.Point{1, 2}}},
			"no geometry": {{Layer: data.LayerSites, ID: "x"}},
		}
		for name, fs := range bad {
			if err := s.ReplaceFeatures(ctx, data.LayerSites, fs); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("ReplaceFeatures(%s) = %v, want ErrInvalid", name, err)
			}
		}
		if err := s.ReplaceFeatures(ctx, "", sites); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("ReplaceFeatures(empty layer) = %v, want ErrInvalid", err)
		}
		got, _ := s.Features(ctx, data.LayerSites)
		check(t, got, []data.Feature{sites[1], sites[0]})
	})
}
