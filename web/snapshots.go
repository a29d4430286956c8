package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
)

// listSnapshots serves GET /api/v1/snapshots: every zone computation,
// newest first, with the inputs it recorded.
func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request) error {
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		return err
	}
	out := make([]data.Snapshot, 0, len(snaps))
	for i := len(snaps) - 1; i >= 0; i-- {
		out = append(out, snaps[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"snapshots": out})
	return nil
}

// snapshotParam finds the snapshot named by a path parameter ("latest"
// allowed).
func (s *Server) snapshotParam(r *http.Request, name string) (data.Snapshot, error) {
	v := chi.URLParam(r, name)
	if v == "latest" {
		return s.snapshot(r)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return data.Snapshot{}, invalid("snapshot id must be a positive whole number or latest, got " + strconv.Quote(v))
	}
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		return data.Snapshot{}, err
	}
	for _, sn := range snaps {
		if sn.ID == id {
			return sn, nil
		}
	}
	return data.Snapshot{}, notFound("no snapshot " + v)
}

func (s *Server) getSnapshot(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshotParam(r, "id")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, snap)
	return nil
}

// diffSnapshots serves GET /api/v1/snapshots/{a}/diff/{b}: zones added,
// removed, grown, shrunk or changed from a to b, totals, and per-commune
// population in zones.
func (s *Server) diffSnapshots(w http.ResponseWriter, r *http.Request) error {
	a, err := s.snapshotParam(r, "a")
	if err != nil {
		return err
	}
	b, err := s.snapshotParam(r, "b")
	if err != nil {
		return err
	}
	ctx := r.Context()
	za, _, err := s.store.Zones(ctx, a.ID, data.ZoneFilter{})
	if err != nil {
		return err
	}
	zb, _, err := s.store.Zones(ctx, b.ID, data.ZoneFilter{})
	if err != nil {
		return err
	}
	pop, err := s.store.Population(ctx)
	if err != nil {
		return err
	}
	gz, err := s.gazetteer(r)
	if err != nil {
		return err
	}
	d := coverage.DiffZones(a.ID, b.ID, za, zb, pop, gz)
	writeJSON(w, http.StatusOK, map[string]any{"from": a, "to": b, "diff": d})
	return nil
}

func (s *Server) gazetteer(r *http.Request) (coverage.Gazetteer, error) {
	var lv [3][]data.Area
	for i, l := range []data.AreaLevel{data.LevelCommune, data.LevelProvince, data.LevelRegion} {
		a, err := s.store.Areas(r.Context(), l)
		if err != nil {
			return coverage.Gazetteer{}, err
		}
		lv[i] = a
	}
	return coverage.NewGazetteer(lv[0], lv[1], lv[2]), nil
}

// roaming serves GET /api/v1/roaming?mcc_mnc=&region=: per operator, the
// population its own network serves and what national roaming in the
// programme's grey zones adds, per commune.
func (s *Server) roaming(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	zones, _, err := s.store.Zones(ctx, snap.ID, data.ZoneFilter{Kind: data.Grey})
	if err != nil {
		return err
	}
	stats, err := s.store.CellStats(ctx, data.CellStatFilter{Tech: snap.RequiredTech})
	if err != nil {
		return err
	}
	pop, err := s.store.Population(ctx)
	if err != nil {
		return err
	}
	gz, err := s.gazetteer(r)
	if err != nil {
		return err
	}
	rule := coverage.ZoneRule{Tech: snap.RequiredTech, Level: snap.RequiredLevel, MinPopulation: 1, ProgrammeSize: snap.ProgrammeSize}
	sums, gains := coverage.Roaming(stats, zones, pop, rule, gz, nil)
	q := r.URL.Query()
	op, region := q.Get("mcc_mnc"), q.Get("region")
	var outSum []coverage.RoamingSummary
	for _, x := range sums {
		if op == "" || x.MCCMNC == op {
			outSum = append(outSum, x)
		}
	}
	outGains := []coverage.RoamingGain{}
	for _, g := range gains {
		if (op == "" || g.MCCMNC == op) && (region == "" || g.RegionCode == region) {
			outGains = append(outGains, g)
		}
	}
	if outSum == nil {
		outSum = []coverage.RoamingSummary{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"snapshot": snap.ID, "tech": snap.RequiredTech, "level": snap.RequiredLevel,
		"designated": "programme grey zones", "operators": outSum, "communes": outGains})
	return nil
}
