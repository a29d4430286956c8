package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

func testAreas(t *testing.T, open func(t *testing.T) data.Store) {
	regions := []data.Area{
		{Level: data.LevelRegion, Code: "05", Parent: "MA", Region: "05", NameFR: "Béni Mellal-Khénifra", NameAR: "بني ملال خنيفرة", NameEN: "Beni Mellal-Khenifra", Population: 2525801, Geom: multi(-7, 32)},
		{Level: data.LevelRegion, Code: "01", Parent: "MA", Region: "01", NameFR: "Tanger-Tétouan-Al Hoceïma", NameAR: "طنجة تطوان الحسيمة", Population: 4030222, Geom: orb.MultiPolygon{{square(-6, 35, 1)}}},
		{Level: data.LevelRegion, Code: "03", Parent: "MA", Region: "03", NameFR: "Fès-Meknès", Population: 4467911}, // no boundary
	}
	communes := []data.Area{
		{Level: data.LevelCommune, Code: "01.511.01.01", Parent: "01.511", Region: "01", NameFR: "Tanger", Type: "urban", Population: 1275428, Geom: multi(-5.9, 35.7)},
	}

	t.Run("RoundTripOrderedByCode", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplaceAreas(ctx, data.LevelRegion, regions); err != nil {
			t.Fatalf("ReplaceAreas: %v", err)
		}
		if err := s.ReplaceAreas(ctx, data.LevelCommune, communes); err != nil {
			t.Fatalf("ReplaceAreas communes: %v", err)
		}
		got, err := s.Areas(ctx, data.LevelRegion)
		if err != nil {
			t.Fatalf("Areas: %v", err)
		}
		want := []data.Area{regions[1], regions[2], regions[0]}
		checkAreas(t, got, want)
		got, err = s.Areas(ctx, data.LevelCommune)
		if err != nil {
			t.Fatalf("Areas communes: %v", err)
		}
		checkAreas(t, got, communes)
		got, err = s.Areas(ctx, data.LevelProvince)
		if err != nil {
			t.Fatalf("Areas of a level never loaded: %v", err)
		}
		if len(got) != 0 {
			t.Errorf("Areas of a level never loaded = %d areas, want 0", len(got))
		}
	})

	t.Run("ReplaceKeepsOnlyNewAndOtherLevels", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplaceAreas(ctx, data.LevelRegion, regions); err != nil {
			t.Fatalf("ReplaceAreas: %v", err)
		}
		if err := s.ReplaceAreas(ctx, data.LevelCommune, communes); err != nil {
			t.Fatalf("ReplaceAreas communes: %v", err)
		}
		second := []data.Area{{Level: data.LevelRegion, Code: "12", Parent: "MA", Region: "12", NameFR: "Dakhla-Oued Ed-Dahab", Geom: multi(-16, 23)}}
		if err := s.ReplaceAreas(ctx, data.LevelRegion, second); err != nil {
			t.Fatalf("ReplaceAreas again: %v", err)
		}
		got, err := s.Areas(ctx, data.LevelRegion)
		if err != nil {
			t.Fatalf("Areas: %v", err)
		}
		checkAreas(t, got, second)
		got, err = s.Areas(ctx, data.LevelCommune)
		if err != nil {
			t.Fatalf("Areas communes: %v", err)
		}
		checkAreas(t, got, communes)
		if err := s.ReplaceAreas(ctx, data.LevelRegion, nil); err != nil {
			t.Fatalf("ReplaceAreas empty: %v", err)
		}
		if got, err = s.Areas(ctx, data.LevelRegion); err != nil || len(got) != 0 {
			t.Errorf("Areas after empty replace = %d areas, %v; want 0, nil", len(got), err)
		}
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplaceAreas(ctx, data.LevelRegion, regions); err != nil {
			t.Fatalf("ReplaceAreas: %v", err)
		}
		got, err := s.Areas(ctx, data.LevelRegion)
		if err != nil || len(got) == 0 {
			t.Fatalf("Areas = %d, %v", len(got), err)
		}
		got[0].Geom[0][0][0] = orb.Point{99, 99}
		got[0].NameFR = "changed"
		again, err := s.Areas(ctx, data.LevelRegion)
		if err != nil {
			t.Fatalf("Areas: %v", err)
		}
		checkAreas(t, again, []data.Area{regions[1], regions[2], regions[0]})
	})

	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplaceAreas(ctx, data.AreaLevel("planet"), regions); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("ReplaceAreas(unknown level) = %v, want ErrInvalid", err)
		}
		dup := []data.Area{regions[0], regions[0]}
		if err := s.ReplaceAreas(ctx, data.LevelRegion, dup); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("ReplaceAreas(repeated code) = %v, want ErrInvalid", err)
		}
		if got, err := s.Areas(ctx, data.LevelRegion); err != nil || len(got) != 0 {
			t.Errorf("Areas after a failed replace = %d areas, %v; want 0, nil", len(got), err)
		}
	})
}

func checkAreas(t *testing.T, got, want []data.Area) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d areas, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		gg, wg := g.Geom, w.Geom
		g.Geom, w.Geom = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Errorf("area %d = %+v, want %+v", i, g, w)
		}
		if (gg == nil) != (wg == nil) {
			t.Errorf("area %s Geom nil = %v, want %v", w.Code, gg == nil, wg == nil)
		} else if !orb.Equal(gg, wg) {
			t.Errorf("area %s Geom = %v, want %v", w.Code, gg, wg)
		}
	}
}

func testPlaces(t *testing.T, open func(t *testing.T) data.Store) {
	places := []data.Place{
		{Layer: data.LayerPlaces, ID: "2548885", Name: "Rabat", NameAR: "الرباط", Kind: "PPLC", Population: 572717, Point: orb.Point{-6.83255, 34.01325}, Province: "04.421", Region: "04"},
		{Layer: data.LayerPlaces, ID: "2538475", Name: "Salé", Kind: "PPLA2", Population: 903485, Point: orb.Point{-6.79846, 34.0531}},
		{Layer: data.LayerPlaces, ID: "2553604", Name: "Casablanca", Kind: "PPLA", Population: 3144909, Point: orb.Point{-7.61138, 33.58831}, Region: "06"},
	}
	health := []data.Place{{Layer: data.LayerHealth, ID: "h1", Name: "CHU Ibn Sina", Kind: "hospital", Point: orb.Point{-6.8498, 34.0}}}

	t.Run("RoundTripOrderedByID", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplacePlaces(ctx, data.LayerPlaces, places); err != nil {
			t.Fatalf("ReplacePlaces: %v", err)
		}
		if err := s.ReplacePlaces(ctx, data.LayerHealth, health); err != nil {
			t.Fatalf("ReplacePlaces health: %v", err)
		}
		checkPlaces(t, s, data.LayerPlaces, []data.Place{places[1], places[0], places[2]})
		checkPlaces(t, s, data.LayerHealth, health)
	})

	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if err := s.ReplacePlaces(ctx, data.LayerPlaces, places); err != nil {
			t.Fatalf("ReplacePlaces: %v", err)
		}
		if err := s.ReplacePlaces(ctx, data.LayerHealth, health); err != nil {
			t.Fatalf("ReplacePlaces health: %v", err)
		}
		if err := s.ReplacePlaces(ctx, data.LayerPlaces, places[2:]); err != nil {
			t.Fatalf("ReplacePlaces again: %v", err)
		}
		checkPlaces(t, s, data.LayerPlaces, places[2:])
		checkPlaces(t, s, data.LayerHealth, health)
	})
}

func checkPlaces(t *testing.T, s data.Store, layer data.PlaceLayer, want []data.Place) {
	t.Helper()
	got, err := s.Places(t.Context(), layer)
	if err != nil {
		t.Fatalf("Places(%s): %v", layer, err)
	}
	if len(got) != len(want) {
		t.Fatalf("Places(%s) = %d places, want %d", layer, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Places(%s)[%d] = %+v, want %+v", layer, i, got[i], want[i])
		}
	}
}

func testLayerInfos(t *testing.T, open func(t *testing.T) data.Store) {
	s := open(t)
	ctx := t.Context()
	if got, err := s.LayerInfos(ctx); err != nil || len(got) != 0 {
		t.Fatalf("LayerInfos on an empty store = %v, %v; want none", got, err)
	}
	at := base.Add(time.Hour)
	infos := []data.LayerInfo{
		{Name: "regions", Count: 12, Source: "hcp-2024.zip", LoadedAt: base},
		{Name: "communes", Count: 1503, Source: "hcp-2024.zip", LoadedAt: base},
		{Name: "regions", Count: 12, Source: "hcp-2024b.zip", LoadedAt: at}, // replaces the first
	}
	for _, li := range infos {
		if err := s.PutLayerInfo(ctx, li); err != nil {
			t.Fatalf("PutLayerInfo(%s): %v", li.Name, err)
		}
	}
	got, err := s.LayerInfos(ctx)
	if err != nil {
		t.Fatalf("LayerInfos: %v", err)
	}
	want := []data.LayerInfo{infos[1], infos[2]}
	if len(got) != len(want) {
		t.Fatalf("LayerInfos = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Count != w.Count || g.Source != w.Source || !eqTime(g.LoadedAt, w.LoadedAt) {
			t.Errorf("LayerInfos[%d] = %+v, want %+v", i, g, w)
		}
	}
}
