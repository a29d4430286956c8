package web

import (
	"net/http"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner"
)

// ProgrammeDeadline is the date by which Maroc Digital 2030 wants the
// programme's zones covered.
const ProgrammeDeadline = "2026-12-31"

// progress serves GET /progress?region=&operator=&scenario=: the
// programme zones of the latest snapshot per state (a zone without events
// is identified), per region and per assigned operator, against the
// target, with the overdue count and the counts after each day with an
// event; and sites, the administrative sites of the scenario run (see
// siteProgress; region and operator filter them too).
func (s *Server) progress(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	region, operator := q.Get("region"), q.Get("operator")
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	f := data.ZoneFilter{Region: region}
	if snap.ProgrammeSize > 0 && region == "" {
		f.Limit = snap.ProgrammeSize // the programme is the first zones by rank
	}
	zones, _, err := s.store.Zones(ctx, snap.ID, f)
	if err != nil {
		return err
	}
	sts, events, err := s.statuses(ctx, data.SubjectZone)
	if err != nil {
		return err
	}
	var prog []data.Zone
	for _, z := range zones {
		if !z.Programme || operator != "" && sts[z.ID].Operator != operator {
			continue
		}
		z.Cells, z.Geom = nil, nil
		prog = append(prog, z)
	}
	p := planner.Summarize(prog, events, s.now())
	target := snap.ProgrammeSize
	if s.track != nil {
		target = s.track.th.Zones.ProgrammeSize
	}
	share := 0.0
	if target > 0 {
		share = float64(p.States[data.StateVerified]) / float64(target)
	}
	sites, err := s.siteProgress(r, region, operator)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"snapshot": snap.ID, "region": region, "operator": operator,
		"target": target, "deadline": ProgrammeDeadline, "verified_share": share,
		"zones": p.Zones, "states": p.States, "overdue": p.Overdue,
		"by_region": p.ByRegion, "by_operator": p.ByOperator, "history": p.History, "sites": sites,
	})
	return nil
}
