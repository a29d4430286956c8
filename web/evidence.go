package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// vote is one level voting in a cell's evidence.
type vote struct {
	Source  string     `json:"source"` // crowd, drive, regulator or declared
	Level   data.Level `json:"level"`
	Samples int32      `json:"samples,omitempty"`
	Devices uint8      `json:"devices,omitempty"`
	Days    uint8      `json:"days,omitempty"`
	Weight  float64    `json:"weight"` // per sample for a source (before environment weights), the declaration's own
}

// cellEvidenceJSON explains one cell × operator × technology.
type cellEvidenceJSON struct {
	MCCMNC     string     `json:"mcc_mnc"`
	Tech       data.Tech  `json:"tech"`
	Samples    int32      `json:"samples"` // every sample, any age
	Level      data.Level `json:"level"`   // from every sample: what zones use
	Declared   data.Level `json:"declared"`
	Votes      []vote     `json:"votes"`
	Result     data.Level `json:"result"`
	Confidence float32    `json:"confidence"`
	Disputed   bool       `json:"disputed"`
	How        string     `json:"how"`
}

// cellEvidence serves GET /api/v1/cells/{cell}/evidence?mcc_mnc=&tech=:
// the evidence of one H3 cell per operator and technology, and how the
// result was reached under the thresholds the server runs with.
func (s *Server) cellEvidence(w http.ResponseWriter, r *http.Request) error {
	cell, err := geo.ParseCell(chi.URLParam(r, "cell"))
	if err != nil {
		return invalid(err.Error())
	}
	return s.writeEvidence(w, r, cell)
}

// evidenceAt serves GET /api/v1/evidence?lon=&lat=&mcc_mnc=&tech=: the
// same for the grid cell holding a point (what a click on the map gives:
// browsers cannot hold a 64-bit H3 id as a number).
func (s *Server) evidenceAt(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lon, errLon := strconv.ParseFloat(q.Get("lon"), 64)
	lat, errLat := strconv.ParseFloat(q.Get("lat"), 64)
	if errLon != nil || errLat != nil {
		return invalid("lon and lat must be decimal degrees, got " + strconv.Quote(q.Get("lon")) + ", " + strconv.Quote(q.Get("lat")))
	}
	cell, err := geo.CellAt(orb.Point{lon, lat}, s.tiles.Resolution())
	if err != nil {
		return invalid(err.Error())
	}
	return s.writeEvidence(w, r, cell)
}

func (s *Server) writeEvidence(w http.ResponseWriter, r *http.Request, cell geo.Cell) error {
	var err error
	q := r.URL.Query()
	f := data.CellStatFilter{MCCMNC: q.Get("mcc_mnc")}
	if t := q.Get("tech"); t != "" {
		if f.Tech, err = data.ParseTech(t); err != nil {
			return invalid(err.Error())
		}
	}
	if op, bound, err := s.operatorScope(r); err != nil {
		return err
	} else if bound {
		f.MCCMNC = op
	}
	stats, err := s.store.CellStats(r.Context(), f)
	if err != nil {
		return err
	}
	ev := s.th.Evidence
	out := []cellEvidenceJSON{}
	for _, st := range stats {
		if st.Cell != cell {
			continue
		}
		e := cellEvidenceJSON{MCCMNC: st.MCCMNC, Tech: st.Tech, Samples: st.Samples, Level: st.Level, Declared: st.Declared,
			Result: st.Result, Confidence: st.Confidence, Disputed: st.Disputed, Votes: []vote{}}
		var parts []string
		for i, src := range st.Sources {
			if src.Level == data.Unmeasured {
				continue
			}
			name := data.Source(i).String()
			e.Votes = append(e.Votes, vote{Source: name, Level: src.Level, Samples: src.Samples, Devices: src.Devices, Days: src.Days, Weight: ev.SourceWeights[data.Source(i)]})
			parts = append(parts, fmt.Sprintf("%s %s (%d fresh samples × %g)", name, src.Level, src.Samples, ev.SourceWeights[data.Source(i)]))
		}
		if st.Declared != data.Unmeasured {
			e.Votes = append(e.Votes, vote{Source: "declared", Level: st.Declared, Weight: ev.DeclaredWeight})
			parts = append(parts, fmt.Sprintf("declared %s (%g)", st.Declared, ev.DeclaredWeight))
		}
		if len(parts) == 0 {
			e.How = fmt.Sprintf("no fresh evidence (last %d days) and nothing declared: unmeasured", ev.FreshDays)
		} else {
			e.How = fmt.Sprintf("weighted median of %s, samples counted at their environment's weight (thresholds %s): %s, confidence %.2f",
				strings.Join(parts, ", "), s.th.Version, st.Result, st.Confidence)
		}
		if st.Disputed {
			e.How += fmt.Sprintf("; disputed: declared %s, fresh outdoor samples say %s or worse", st.Declared, s.th.Disputes.MeasuredMax)
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"cell": cell.String(), "thresholds": s.th.Version, "evidence": out})
	return nil
}
