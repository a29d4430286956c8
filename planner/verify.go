package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// VerifySource is what Verify reads: the stored measurements and the
// population grid.
type VerifySource interface {
	ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error
	Population(ctx context.Context) ([]data.CellPop, error)
}

// VerifyQuery says what to verify.
type VerifyQuery struct {
	Zone       data.Zone
	Operator   string // the zone's assigned operator
	Thresholds coverage.Thresholds
	Now        time.Time
}

// What a cell lacks.
const (
	MissingSamples = "samples" // fewer fresh samples than verification.min_samples
	MissingLevel   = "level"   // its fresh samples classify below zones.level
)

// CellCheck is what the fresh measurements of one populated cell show.
type CellCheck struct {
	Cell        string     `json:"cell"` // H3, hexadecimal
	Population  int32      `json:"population"`
	Samples     int        `json:"samples"`
	Level       data.Level `json:"level"`
	Missing     []string   `json:"missing,omitempty"`      // MissingSamples, MissingLevel
	NeedSamples int        `json:"need_samples,omitempty"` // how many more samples
}

// CheckSummary is the outcome of a check, as a verified event keeps it.
type CheckSummary struct {
	OK                bool       `json:"ok"`
	Message           string     `json:"message"`
	Operator          string     `json:"operator"`
	Tech              data.Tech  `json:"tech"`
	RequiredLevel     data.Level `json:"required_level"`
	MinSamples        int        `json:"min_samples"`
	WindowDays        int        `json:"window_days"`
	Since             time.Time  `json:"since"`
	At                time.Time  `json:"at"`
	ThresholdsVersion string     `json:"thresholds_version"`
	Resolution        int        `json:"resolution"`
	Cells             int        `json:"cells"`        // populated cells checked
	Passed            int        `json:"passed_cells"` // cells with enough good samples
	Samples           int        `json:"samples"`      // fresh samples in the zone
}

// Check is the result of Verify: the summary and every populated cell.
type Check struct {
	Summary CheckSummary `json:"summary"`
	Cells   []CellCheck  `json:"cells"`
}

// Missing returns the cells that lack samples or level.
func (c *Check) Missing() []CellCheck {
	out := []CellCheck{}
	for _, cc := range c.Cells {
		if len(cc.Missing) > 0 {
			out = append(out, cc)
		}
	}
	return out
}

// SummaryJSON is the summary as JSON (data.Event.Check).
func (c *Check) SummaryJSON() string {
	b, err := json.Marshal(c.Summary)
	if err != nil {
		panic("planner: check summary: " + err.Error())
	}
	return string(b)
}

// Verify checks whether fresh measurements prove q.Zone covered by
// q.Operator: over every stored measurement newer than Now minus
// verification.window_days, of the operator on zones.tech, every
// populated cell of the zone (population at least zones.min_population;
// all its cells when the grid knows none of them) needs at least
// verification.min_samples samples that classify (Thresholds.Classify)
// at zones.level or better. The zone's cells are taken at their own
// resolution. Errors: the store's, ctx's.
func Verify(ctx context.Context, src VerifySource, q VerifyQuery) (Check, error) {
	t, z := q.Thresholds, q.Zone
	res := t.Resolution
	if len(z.Cells) > 0 {
		res = z.Cells[0].Resolution()
	}
	now := q.Now.UTC()
	since := now.AddDate(0, 0, -t.Verification.WindowDays)
	chk := Check{Summary: CheckSummary{
		Operator: q.Operator, Tech: t.Zones.Tech, RequiredLevel: t.Zones.Level, MinSamples: t.Verification.MinSamples,
		WindowDays: t.Verification.WindowDays, Since: since, At: now, ThresholdsVersion: t.Version, Resolution: res,
	}}
	inZone := make(map[geo.Cell]int32, len(z.Cells))
	for _, c := range z.Cells {
		inZone[c] = -1
	}
	pop, err := src.Population(ctx)
	if err != nil {
		return chk, fmt.Errorf("verify %s: population: %w", z.ID, err)
	}
	known := 0
	for _, p := range pop {
		if _, ok := inZone[p.Cell]; ok {
			inZone[p.Cell] = p.Population
			known++
		}
	}
	var cells []geo.Cell
	for _, c := range z.Cells {
		if p := inZone[c]; known == 0 || int(p) >= t.Zones.MinPopulation {
			cells = append(cells, c)
		}
	}
	slices.Sort(cells)
	bound := zoneBound(cells)
	hb := data.NewHistBuilder(res)
	if q.Operator != "" && len(cells) > 0 {
		err = src.ScanMeasurements(ctx, func(ms []data.Measurement) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			for i := range ms {
				m := &ms[i]
				if m.MCCMNC != q.Operator || m.Tech != t.Zones.Tech || !m.Time.After(since) || m.Time.After(now) {
					continue
				}
				p := orb.Point{m.Lon, m.Lat}
				if !bound.Contains(p) {
					continue
				}
				c, err := geo.CellAt(p, res)
				if err != nil {
					continue
				}
				if _, ok := inZone[c]; ok {
					hb.AddAt(c, m)
				}
			}
			return nil
		})
		if err != nil {
			return chk, fmt.Errorf("verify %s: measurements: %w", z.ID, err)
		}
	}
	hists := map[geo.Cell]data.CellHist{}
	for _, h := range hb.Hists() {
		hists[h.Cell] = h
	}
	for _, c := range cells {
		cc := CellCheck{Cell: c.String(), Population: max(inZone[c], 0)}
		if h, ok := hists[c]; ok {
			cc.Samples = int(h.Samples)
			cc.Level = t.Classify(coverage.Stat(h))
		}
		if cc.Samples < t.Verification.MinSamples {
			cc.Missing = append(cc.Missing, MissingSamples)
			cc.NeedSamples = t.Verification.MinSamples - cc.Samples
		}
		if cc.Level < t.Zones.Level {
			cc.Missing = append(cc.Missing, MissingLevel)
		}
		if len(cc.Missing) == 0 {
			chk.Summary.Passed++
		}
		chk.Summary.Samples += cc.Samples
		chk.Cells = append(chk.Cells, cc)
	}
	if chk.Cells == nil {
		chk.Cells = []CellCheck{}
	}
	s := &chk.Summary
	s.Cells = len(cells)
	switch {
	case q.Operator == "":
		s.Message = "the zone has no assigned operator whose measurements could verify it"
	case len(cells) == 0:
		s.Message = "the zone has no populated cell to verify"
	case s.Passed == s.Cells:
		s.OK = true
		s.Message = fmt.Sprintf("all %d populated cells have at least %d samples of %s on %s since %s at %s or better",
			s.Cells, s.MinSamples, s.Operator, s.Tech, since.Format(time.DateOnly), s.RequiredLevel)
	default:
		s.Message = fmt.Sprintf("%d of %d populated cells lack at least %d samples of %s on %s since %s at %s or better",
			s.Cells-s.Passed, s.Cells, s.MinSamples, s.Operator, s.Tech, since.Format(time.DateOnly), s.RequiredLevel)
	}
	return chk, nil
}

// zoneBound is a box around the cells, padded so that no point of a cell
// falls outside (cell edges are not straight in degrees).
func zoneBound(cells []geo.Cell) orb.Bound {
	var b orb.Bound
	first := true
	for _, c := range cells {
		cb := geo.CellPolygon(c).Bound()
		if first {
			b, first = cb, false
			continue
		}
		b = b.Union(cb)
	}
	return b.Pad(0.01)
}
