package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/tiles"
)

type zoneJSON struct {
	data.Zone
	zoneState
	Geometry *geojson.Geometry `json:"geometry,omitempty"`
}

func (s *Server) snapshot(r *http.Request) (data.Snapshot, error) {
	snap, err := s.store.LatestSnapshot(r.Context())
	if errors.Is(err, data.ErrNotFound) {
		return snap, notFound("no zone snapshot yet: run `taghtia zones` first")
	}
	return snap, err
}

func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, invalid(name + " must be a whole number in [0, " + strconv.Itoa(max) + "], got " + strconv.Quote(v))
	}
	return n, nil
}

func (s *Server) listZones(w http.ResponseWriter, r *http.Request) error {
	var f data.ZoneFilter
	if k := r.URL.Query().Get("kind"); k != "" {
		kind, err := data.ParseZoneKind(k)
		if err != nil {
			return invalid(err.Error())
		}
		f.Kind = kind
	}
	f.Region = r.URL.Query().Get("region")
	var err error
	if f.Limit, err = intParam(r, "limit", 50, 10000); err != nil {
		return err
	}
	if f.Offset, err = intParam(r, "offset", 0, 1<<30); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	zones, total, err := s.store.Zones(r.Context(), snap.ID, f)
	if err != nil {
		return err
	}
	listed, err := s.withStates(r.Context(), zones)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"snapshot": snap.ID, "total": total, "zones": listed})
	return nil
}

func (s *Server) getZone(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	z, err := s.store.Zone(r.Context(), snap.ID, id)
	if errors.Is(err, data.ErrNotFound) {
		return notFound("no zone " + strconv.Quote(id) + " in snapshot " + strconv.FormatInt(snap.ID, 10))
	}
	if err != nil {
		return err
	}
	st, err := s.stateOfZone(r.Context(), z.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, zoneJSON{Zone: z, zoneState: st, Geometry: geojson.NewGeometry(z.Geom)})
	return nil
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	out := map[string]any{}
	snap, err := s.store.LatestSnapshot(ctx)
	switch {
	case err == nil:
		out["snapshot"] = snap
		out["zones"] = map[string]int{"white": snap.White, "grey": snap.Grey}
		out["population"] = map[string]int64{"white": snap.WhitePop, "grey": snap.GreyPop, "unmeasured": snap.UnmeasuredPop}
	case !errors.Is(err, data.ErrNotFound):
		return err
	}
	run, err := s.store.CoverageRun(ctx)
	if err == nil {
		out["coverage"] = run
	} else if !errors.Is(err, data.ErrNotFound) {
		return err
	}
	stats, err := s.store.CellStats(ctx, data.CellStatFilter{})
	if err != nil {
		return err
	}
	type group struct {
		MCCMNC string           `json:"mcc_mnc"`
		Tech   data.Tech        `json:"tech"`
		Levels map[string]int64 `json:"levels"`
	}
	var groups []*group
	for _, st := range stats {
		if n := len(groups); n == 0 || groups[n-1].MCCMNC != st.MCCMNC || groups[n-1].Tech != st.Tech {
			groups = append(groups, &group{MCCMNC: st.MCCMNC, Tech: st.Tech, Levels: map[string]int64{}})
		}
		groups[len(groups)-1].Levels[st.Level.String()]++
	}
	if groups == nil {
		groups = []*group{}
	}
	out["cells"] = groups
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) meta(w http.ResponseWriter, r *http.Request) error {
	regions, err := s.store.Areas(r.Context(), data.LevelRegion)
	if err != nil {
		return err
	}
	type region struct {
		Code   string `json:"code"`
		NameFR string `json:"name_fr"`
		NameAR string `json:"name_ar"`
	}
	rs := make([]region, 0, len(regions))
	for _, a := range regions {
		rs = append(rs, region{a.Code, a.NameFR, a.NameAR})
	}
	layers, err := s.store.LayerInfos(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"operators": s.operators, "techs": []string{"2G", "3G", "4G"}, "regions": rs,
		"attribution": tiles.Attribution, "simulated": s.simulated, "layers": layers,
		"resolution": s.tiles.Resolution(), "data_version": s.tiles.Version(),
	})
	return nil
}
