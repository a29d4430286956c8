package web

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/data"
)

// disputeFilter is what GET /api/v1/disputes selects on.
type disputeFilter struct {
	MCCMNC  string
	Tech    data.Tech
	Region  string
	Commune string
}

func (f disputeFilter) match(d data.Dispute) bool {
	return (f.MCCMNC == "" || d.MCCMNC == f.MCCMNC) && (f.Tech == 0 || d.Tech == f.Tech) &&
		(f.Region == "" || d.RegionCode == f.Region) && (f.Commune == "" || slices.Contains(d.CommuneCodes, f.Commune))
}

// disputes reads the stored disputes matching the request's filters. A
// caller bound to one operator sees only that operator's disputes,
// whatever it asks for.
func (s *Server) disputes(r *http.Request) ([]data.Dispute, disputeFilter, error) {
	q := r.URL.Query()
	f := disputeFilter{MCCMNC: q.Get("mcc_mnc"), Region: q.Get("region"), Commune: q.Get("commune")}
	if t := q.Get("tech"); t != "" {
		tech, err := data.ParseTech(t)
		if err != nil {
			return nil, f, invalid(err.Error())
		}
		f.Tech = tech
	}
	if op, bound, err := s.operatorScope(r); err != nil {
		return nil, f, err
	} else if bound {
		if f.MCCMNC != "" && f.MCCMNC != op {
			return nil, f, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: fmt.Sprintf("this token sees the disputes of %s only, not %s", op, f.MCCMNC)}
		}
		f.MCCMNC = op
	}
	fs, err := s.store.Features(r.Context(), data.LayerDisputes)
	if err != nil {
		return nil, f, err
	}
	var out []data.Dispute
	for _, ft := range fs {
		d, err := data.DisputeOf(ft)
		if err != nil {
			return nil, f, err
		}
		if f.match(d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b data.Dispute) int {
		return cmp.Or(cmp.Compare(b.Population, a.Population), cmp.Compare(len(b.Cells), len(a.Cells)), strings.Compare(a.ID, b.ID))
	})
	return out, f, nil
}

type disputeGroup struct {
	Key        string `json:"key"`
	Name       string `json:"name,omitempty"`
	Disputes   int    `json:"disputes"`
	Cells      int    `json:"cells"`
	Population int64  `json:"population"`
	Samples    int64  `json:"samples"`
}

// disputeStats groups disputes per operator × technology and per commune
// (a dispute counts in every commune it touches; its population in the
// first, most populated, one).
func (s *Server) disputeStats(r *http.Request, ds []data.Dispute) (byOp, byCommune []disputeGroup, err error) {
	ops, communes := map[string]*disputeGroup{}, map[string]*disputeGroup{}
	for _, d := range ds {
		k := d.MCCMNC + " " + d.Tech.String()
		g := ops[k]
		if g == nil {
			g = &disputeGroup{Key: k}
			ops[k] = g
		}
		g.Disputes++
		g.Cells += len(d.Cells)
		g.Population += d.Population
		g.Samples += d.Samples
		for i, c := range d.CommuneCodes {
			g := communes[c]
			if g == nil {
				g = &disputeGroup{Key: c}
				communes[c] = g
			}
			g.Disputes++
			if i == 0 {
				g.Cells += len(d.Cells)
				g.Population += d.Population
				g.Samples += d.Samples
			}
		}
	}
	if len(communes) > 0 {
		areas, err := s.store.Areas(r.Context(), data.LevelCommune)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range areas {
			if g := communes[a.Code]; g != nil {
				g.Name = a.NameFR
			}
		}
	}
	flat := func(m map[string]*disputeGroup) []disputeGroup {
		out := make([]disputeGroup, 0, len(m))
		for _, g := range m {
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b disputeGroup) int {
			return cmp.Or(cmp.Compare(b.Disputes, a.Disputes), cmp.Compare(b.Population, a.Population), strings.Compare(a.Key, b.Key))
		})
		return out
	}
	return flat(ops), flat(communes), nil
}

// listDisputes serves GET /api/v1/disputes: the disputes matching
// mcc_mnc, tech, region and commune, most populated first, with limit and
// offset, and statistics per operator and per commune over all matches.
func (s *Server) listDisputes(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit", 100, 10000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	ds, _, err := s.disputes(r)
	if err != nil {
		return err
	}
	byOp, byCommune, err := s.disputeStats(r, ds)
	if err != nil {
		return err
	}
	total := len(ds)
	page := ds[min(offset, total):min(offset+limit, total)]
	type item struct {
		data.Dispute
		Cells int `json:"cells"`
	}
	items := make([]item, len(page))
	for i, d := range page {
		items[i] = item{Dispute: d, Cells: len(d.Cells)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "disputes": items, "by_operator": byOp, "by_commune": byCommune})
	return nil
}

// disputesCSV serves GET /api/v1/disputes.csv: one row per dispute.
func (s *Server) disputesCSV(w http.ResponseWriter, r *http.Request) error {
	ds, _, err := s.disputes(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="disputes.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "mcc_mnc", "tech", "declared", "measured", "cells", "samples", "devices", "population", "confidence", "region", "communes", "centroid_lon", "centroid_lat", "h3_cells"})
	for _, d := range ds {
		c := d.Geom.Bound().Center()
		cells := make([]string, len(d.Cells))
		for i, x := range d.Cells {
			cells[i] = x.String()
		}
		cw.Write([]string{d.ID, d.MCCMNC, d.Tech.String(), d.Declared.String(), d.Measured.String(), strconv.Itoa(len(d.Cells)),
			strconv.FormatInt(d.Samples, 10), strconv.FormatInt(d.Devices, 10), strconv.FormatInt(d.Population, 10),
			strconv.FormatFloat(float64(d.Confidence), 'f', 3, 32), d.RegionCode, strings.Join(d.CommuneCodes, " "),
			strconv.FormatFloat(c[0], 'f', 6, 64), strconv.FormatFloat(c[1], 'f', 6, 64), strings.Join(cells, " ")})
	}
	cw.Flush()
	return cw.Error()
}

// disputesGeoJSON serves GET /api/v1/disputes.geojson: one feature per
// dispute, its outline as geometry.
func (s *Server) disputesGeoJSON(w http.ResponseWriter, r *http.Request) error {
	ds, _, err := s.disputes(r)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, d := range ds {
		fc.Append(d.GeoJSON())
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Content-Disposition", `attachment; filename="disputes.geojson"`)
	return json.NewEncoder(w).Encode(fc)
}
