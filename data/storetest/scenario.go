package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

func testScenarioRuns(t *testing.T, open func(t *testing.T) data.Store) {
	run := func(name string, snapshot int64) data.ScenarioRun {
		return data.ScenarioRun{
			Name: name, CreatedAt: base, Snapshot: snapshot,
			Body: []byte(`{"inputs":{"sites":2},"summary":{"scenario":{"name":"` + name + `"}},"sites":[{"id":"s2","name":"مستشفى"}],"zones":[]}`),
			Routes: []data.Feature{
				{ID: "s2", Props: map[string]any{"site": "s2", "new_km": 12.5, "shared_km": 0.0, "cost_mad": 1.5e6}, Geom: orb.LineString{{-7, 33}, {-7.1, 33.2}, {-7.3, 33.25}}},
				{ID: "s1", Props: map[string]any{"site": "s1", "new_km": 3.25, "shared_km": 1.0, "cost_mad": 250000.0}, Geom: orb.LineString{{-6, 34}, {-6.1, 34.1}}},
			},
			Assignments: []data.Feature{
				{ID: "site:s1", Props: map[string]any{"kind": "admin", "tech": "fibre"}, Geom: orb.Point{-6.1, 34.1}},
				{ID: "zone:Z-1", Props: map[string]any{"kind": "zone", "tech": "roaming", "host": "604-01"},
					Geom: orb.Polygon{{{-7, 33}, {-6.9, 33}, {-6.9, 33.1}, {-7, 33}}}},
			},
		}
	}

	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		in := run("base", 3)
		got, err := s.AddScenarioRun(ctx, in)
		if err != nil {
			t.Fatalf("AddScenarioRun: %v", err)
		}
		if got.ID < 1 || got.Name != "base" || got.Snapshot != 3 || !eqTime(got.CreatedAt, base) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("AddScenarioRun = id %d %q snapshot %d at %v, want an id, base, 3, %v in UTC", got.ID, got.Name, got.Snapshot, got.CreatedAt, base)
		}
		back, err := s.ScenarioRun(ctx, got.ID)
		if err != nil {
			t.Fatalf("ScenarioRun(%d): %v", got.ID, err)
		}
		if back.ID != got.ID || back.Name != "base" || back.Snapshot != 3 || !eqTime(back.CreatedAt, base) || back.CreatedAt.Location() != time.UTC {
			t.Errorf("ScenarioRun = id %d %q snapshot %d at %v, want %d base 3 %v in UTC", back.ID, back.Name, back.Snapshot, back.CreatedAt, got.ID, base)
		}
		if !bytes.Equal(back.Body, in.Body) {
			t.Errorf("Body = %s, want %s", back.Body, in.Body)
		}
		want := []data.Feature{in.Routes[1], in.Routes[0]} // by id
		if len(back.Routes) != len(want) {
			t.Fatalf("Routes = %d features, want %d", len(back.Routes), len(want))
		}
		layer := data.RoutesLayer(got.ID)
		for i, w := range want {
			g := back.Routes[i]
			if g.Layer != layer || g.ID != w.ID || !reflect.DeepEqual(g.Props, w.Props) || !orb.Equal(g.Geom, w.Geom) {
				t.Errorf("Routes[%d] = %s/%s %v %v, want %s/%s %v %v", i, g.Layer, g.ID, g.Props, g.Geom, layer, w.ID, w.Props, w.Geom)
			}
		}
		// The routes are the feature layer of the run.
		fs, err := s.Features(ctx, layer)
		if err != nil || len(fs) != 2 || fs[0].ID != "s1" || fs[1].ID != "s2" {
			t.Errorf("Features(%s) = %d features, %v; want s1, s2", layer, len(fs), err)
		}
		// The assignments are the run's other feature layer.
		as, err := s.Features(ctx, data.AssignmentsLayer(got.ID))
		if err != nil || len(as) != 2 {
			t.Fatalf("Features(%s) = %d features, %v; want 2", data.AssignmentsLayer(got.ID), len(as), err)
		}
		for i, w := range in.Assignments {
			g := as[i]
			if g.ID != w.ID || !reflect.DeepEqual(g.Props, w.Props) || !orb.Equal(g.Geom, w.Geom) {
				t.Errorf("assignment %d = %s %v %v, want %s %v %v", i, g.ID, g.Props, g.Geom, w.ID, w.Props, w.Geom)
			}
		}
		if got.Assignments[0].Layer != data.AssignmentsLayer(got.ID) {
			t.Errorf("returned assignment layer %q, want %q", got.Assignments[0].Layer, data.AssignmentsLayer(got.ID))
		}
		// The returned values are the caller's own.
		back.Body[0] = 'X'
		again, err := s.ScenarioRun(ctx, got.ID)
		if err != nil || !bytes.Equal(again.Body, in.Body) {
			t.Errorf("after changing a returned body, ScenarioRun body = %s, %v; want it unchanged", again.Body, err)
		}
	})

	t.Run("IDsIncreaseAndListHasNoBodies", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if rs, err := s.ScenarioRuns(ctx); err != nil || len(rs) != 0 {
			t.Fatalf("ScenarioRuns of an empty store = %v, %v; want none", rs, err)
		}
		var ids []int64
		for i, name := range []string{"a", "b", "c"} {
			r := run(name, int64(i+1))
			if i == 1 {
				r.Routes = nil // all satellite: no route
			}
			got, err := s.AddScenarioRun(ctx, r)
			if err != nil {
				t.Fatalf("AddScenarioRun %s: %v", name, err)
			}
			if n := len(ids); n > 0 && got.ID <= ids[n-1] {
				t.Errorf("run %s got id %d after %d, want increasing ids", name, got.ID, ids[n-1])
			}
			ids = append(ids, got.ID)
		}
		rs, err := s.ScenarioRuns(ctx)
		if err != nil {
			t.Fatalf("ScenarioRuns: %v", err)
		}
		if len(rs) != 3 {
			t.Fatalf("ScenarioRuns = %d runs, want 3", len(rs))
		}
		for i, r := range rs {
			if r.ID != ids[i] || r.Name != []string{"a", "b", "c"}[i] || r.Snapshot != int64(i+1) || !eqTime(r.CreatedAt, base) {
				t.Errorf("ScenarioRuns[%d] = id %d %q snapshot %d at %v, want %d", i, r.ID, r.Name, r.Snapshot, r.CreatedAt, ids[i])
			}
			if r.Body != nil || r.Routes != nil {
				t.Errorf("ScenarioRuns[%d] has a body (%d bytes) or routes (%d), want neither", i, len(r.Body), len(r.Routes))
			}
		}
		b, err := s.ScenarioRun(ctx, ids[1])
		if err != nil || len(b.Routes) != 0 || b.Name != "b" {
			t.Errorf("ScenarioRun(%d) = %q with %d routes, %v; want b without routes", ids[1], b.Name, len(b.Routes), err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if _, err := s.ScenarioRun(ctx, 1); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("ScenarioRun(1) of an empty store: %v, want ErrNotFound", err)
		}
		got, err := s.AddScenarioRun(ctx, run("a", 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{got.ID + 1, 0, -1} {
			if _, err := s.ScenarioRun(ctx, id); !errors.Is(err, data.ErrNotFound) {
				t.Errorf("ScenarioRun(%d): %v, want ErrNotFound", id, err)
			}
		}
	})

	t.Run("InvalidLeavesNothing", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		cases := map[string]func(r *data.ScenarioRun){
			"BodyNotJSON":        func(r *data.ScenarioRun) { r.Body = []byte("{not json") },
			"EmptyBody":          func(r *data.ScenarioRun) { r.Body = nil },
			"RouteNoID":          func(r *data.ScenarioRun) { r.Routes[1].ID = "" },
			"RouteRepeated":      func(r *data.ScenarioRun) { r.Routes[1].ID = r.Routes[0].ID },
			"RouteNoGeom":        func(r *data.ScenarioRun) { r.Routes[1].Geom = nil },
			"AssignmentRepeated": func(r *data.ScenarioRun) { r.Assignments[1].ID = r.Assignments[0].ID },
			"AssignmentNoGeom":   func(r *data.ScenarioRun) { r.Assignments[0].Geom = nil },
		}
		for name, spoil := range cases {
			r := run(name, 1)
			spoil(&r)
			if _, err := s.AddScenarioRun(ctx, r); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("%s: AddScenarioRun: %v, want ErrInvalid", name, err)
			}
		}
		if rs, err := s.ScenarioRuns(ctx); err != nil || len(rs) != 0 {
			t.Errorf("after refused runs, ScenarioRuns = %d runs, %v; want none", len(rs), err)
		}
		got, err := s.AddScenarioRun(ctx, run("ok", 1))
		if err != nil {
			t.Fatal(err)
		}
		back, err := s.ScenarioRun(ctx, got.ID)
		if err != nil || len(back.Routes) != 2 {
			t.Errorf("ScenarioRun(%d) = %d routes, %v; want 2 (none left from the refused runs)", got.ID, len(back.Routes), err)
		}
		if fs, err := s.Features(ctx, data.AssignmentsLayer(got.ID)); err != nil || len(fs) != 2 {
			t.Errorf("Features(%s) = %d, %v; want 2 (none left from the refused runs)", data.AssignmentsLayer(got.ID), len(fs), err)
		}
	})
}
