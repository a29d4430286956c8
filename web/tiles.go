package web

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/tiles"
)

func (s *Server) coverageQuery(r *http.Request) (tiles.Query, error) {
	q := tiles.Query{MCCMNC: r.URL.Query().Get("mcc_mnc"), Tech: data.Tech4G}
	if q.MCCMNC == "" && len(s.operators) > 0 {
		q.MCCMNC = s.operators[0].MCCMNC
	}
	if t := r.URL.Query().Get("tech"); t != "" {
		tech, err := data.ParseTech(t)
		if err != nil {
			return q, invalid(err.Error())
		}
		q.Tech = tech
	}
	if q.MCCMNC != "" && !s.knownOperator(q.MCCMNC) {
		return q, invalid("mcc_mnc " + q.MCCMNC + " is not a known operator")
	}
	return q, nil
}

// tileQuery is the selection of a tile or TileJSON request of a layer:
// plan tiles need scenario (a run's id; a run not stored gives empty
// tiles); disputes take mcc_mnc and tech only when given (none shows every
// operator's and technology's); every other layer the coverage selection,
// which coverage and declared tiles need whole.
func (s *Server) tileQuery(r *http.Request, layer string) (tiles.Query, error) {
	if layer == "plan" {
		id, err := scenarioQuery(r)
		if err == nil && id == 0 {
			err = invalid("plan tiles need scenario=ID, a stored scenario run's id")
		}
		return tiles.Query{Scenario: id}, err
	}
	if layer != "disputes" {
		return s.coverageQuery(r)
	}
	var q tiles.Query
	if t := r.URL.Query().Get("tech"); t != "" {
		tech, err := data.ParseTech(t)
		if err != nil {
			return q, invalid(err.Error())
		}
		q.Tech = tech
	}
	if q.MCCMNC = r.URL.Query().Get("mcc_mnc"); q.MCCMNC != "" && !s.knownOperator(q.MCCMNC) {
		return q, invalid("mcc_mnc " + q.MCCMNC + " is not a known operator")
	}
	// A caller bound to one operator sees its own disputes only, as in
	// the API.
	if op, bound, err := s.operatorScope(r); err != nil {
		return q, err
	} else if bound {
		if q.MCCMNC != "" && q.MCCMNC != op {
			return q, forbidden("this token sees the disputes of " + op + " only, not " + q.MCCMNC)
		}
		q.MCCMNC = op
	}
	return q, nil
}

func (s *Server) knownOperator(code string) bool {
	for _, o := range s.operators {
		if o.MCCMNC == code {
			return true
		}
	}
	return false
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) tileJSON(w http.ResponseWriter, r *http.Request) error {
	layer := chi.URLParam(r, "layer")
	q, err := s.tileQuery(r, layer)
	if err != nil {
		return err
	}
	if layer == "plan" { // the TileJSON of a run that is not stored is 404
		sc, err := s.scenarioAPI()
		if err != nil {
			return err
		}
		if err := sc.scenarioStored(r.Context(), q.Scenario); err != nil {
			return err
		}
	}
	tj, err := s.tiles.TileJSON(layer, baseURL(r), q)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, http.StatusOK, tj)
	return nil
}

func (s *Server) tile(w http.ResponseWriter, r *http.Request) error {
	t, err := tiles.ParseTile(chi.URLParam(r, "z"), chi.URLParam(r, "x"), chi.URLParam(r, "y"))
	if err != nil {
		return err
	}
	layer := chi.URLParam(r, "layer")
	q, err := s.tileQuery(r, layer)
	if err != nil {
		return err
	}
	tile, err := s.tiles.Render(r.Context(), layer, t, q)
	if err != nil {
		return err
	}
	h := w.Header()
	if r.Header.Get("Authorization") != "" { // a scoped tile: no shared cache
		h.Set("Cache-Control", "private, max-age=300")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("Vary", "Accept-Encoding, Authorization")
	h.Set("Access-Control-Allow-Origin", "*")
	if tile.Raw == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h.Set("ETag", tile.ETag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, tile.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
	body := tile.Raw
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = tile.Gzip
	}
	w.Write(body)
	return nil
}
