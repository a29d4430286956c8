package scenario

import "slices"

// Diff is a value in scenario a, in b, and b - a.
type Diff[T int | int64 | float64] struct {
	A     T `json:"a"`
	B     T `json:"b"`
	Delta T `json:"delta"`
}

func diff[T int | int64](a, b T) Diff[T] { return Diff[T]{a, b, b - a} }

// diffMAD rounds the delta to centimes, so that 0.1 + 0.2 shows as 0.3.
func diffMAD(a, b float64) Diff[float64] { return Diff[float64]{a, b, roundCents(b - a)} }

// TotalsDiff compares two Totals field by field.
type TotalsDiff struct {
	Items               Diff[int]     `json:"items"`
	CostMAD             Diff[float64] `json:"cost_mad"`
	PopulationCovered   Diff[int64]   `json:"population_covered"`
	AdminSitesConnected Diff[int]     `json:"admin_sites_connected"`
	RadioSitesBuilt     Diff[int]     `json:"radio_sites_built"`
	ZonesCovered        Diff[int]     `json:"zones_covered"`
}

func diffTotals(a, b Totals) TotalsDiff {
	return TotalsDiff{
		Items:               diff(a.Items, b.Items),
		CostMAD:             diffMAD(a.CostMAD, b.CostMAD),
		PopulationCovered:   diff(a.PopulationCovered, b.PopulationCovered),
		AdminSitesConnected: diff(a.AdminSitesConnected, b.AdminSitesConnected),
		RadioSitesBuilt:     diff(a.RadioSitesBuilt, b.RadioSitesBuilt),
		ZonesCovered:        diff(a.ZonesCovered, b.ZonesCovered),
	}
}

// TechDiff compares two TechTotals.
type TechDiff struct {
	Planned        TotalsDiff    `json:"planned"`
	OpexMADPerYear Diff[float64] `json:"opex_mad_per_year"`
	Funded         TotalsDiff    `json:"funded"`
	DoneByDeadline TotalsDiff    `json:"done_by_deadline"`
}

func diffTech(a, b TechTotals) TechDiff {
	return TechDiff{
		Planned:        diffTotals(a.Totals, b.Totals),
		OpexMADPerYear: diffMAD(a.OpexMADPerYear, b.OpexMADPerYear),
		Funded:         diffTotals(a.Funded, b.Funded),
		DoneByDeadline: diffTotals(a.DoneByDeadline, b.DoneByDeadline),
	}
}

// TechDiffs holds one TechDiff per kind of work.
type TechDiffs struct {
	Fibre     TechDiff `json:"fibre"`
	Satellite TechDiff `json:"satellite"`
	Site4G    TechDiff `json:"site4g"`
	Roaming   TechDiff `json:"roaming"`
}

// DeadlineDiff compares what one programme has done by its deadline.
type DeadlineDiff struct {
	Programme Programme  `json:"programme"`
	DateA     Date       `json:"date_a"`
	DateB     Date       `json:"date_b"`
	Done      TotalsDiff `json:"done"`
	// DoneOnlyInA and DoneOnlyInB are the ids done by the deadline in one
	// scenario and not in the other, sorted.
	DoneOnlyInA []string `json:"done_only_in_a"`
	DoneOnlyInB []string `json:"done_only_in_b"`
}

// YearDiff compares one calendar year; a year that is not a budget year
// of a scenario counts as spending nothing there.
type YearDiff struct {
	Year       int           `json:"year"`
	BudgetMAD  Diff[float64] `json:"budget_mad"`
	SpentMAD   Diff[float64] `json:"spent_mad"`
	Done       TotalsDiff    `json:"done"`
	Cumulative TotalsDiff    `json:"cumulative"`
}

// Placement is where an item stands in one scenario.
type Placement struct {
	Status Status `json:"status"`
	Kind   Kind   `json:"kind,omitempty"`
	Year   int    `json:"year,omitempty"` // funding year, when funded
}

// Status is an item's standing in one scenario.
type Status string

// Statuses.
const (
	StatusFunded   Status = "funded"
	StatusUnfunded Status = "unfunded"
	StatusAbsent   Status = "absent" // not an item of that scenario
)

// Move is an item placed differently in the two scenarios: another year,
// another technology, funded in one only, or in one only.
type Move struct {
	ID string    `json:"id"`
	A  Placement `json:"a"`
	B  Placement `json:"b"`
}

// Comparison is scenario b against scenario a (GET
// /api/v1/scenarios/{a}/compare/{b}); every Delta is b - a.
type Comparison struct {
	A            string         `json:"a"` // scenario names
	B            string         `json:"b"`
	ByTechnology TechDiffs      `json:"by_technology"`
	Total        TechDiff       `json:"total"`
	Deadlines    []DeadlineDiff `json:"deadlines"`
	Years        []YearDiff     `json:"years"`
	NotFunded    TotalsDiff     `json:"not_funded"`
	// Moves are the items placed differently, by id.
	Moves []Move `json:"moves"`
}

// Compare compares two scenario results: per technology cost and counts,
// population covered, what each programme has done by its deadline, the
// budget years, and every item placed differently. Items are matched by
// id.
func Compare(a, b Summary) Comparison {
	c := Comparison{
		A: a.Scenario.Name, B: b.Scenario.Name,
		ByTechnology: TechDiffs{
			Fibre:     diffTech(a.ByTechnology.Fibre, b.ByTechnology.Fibre),
			Satellite: diffTech(a.ByTechnology.Satellite, b.ByTechnology.Satellite),
			Site4G:    diffTech(a.ByTechnology.Site4G, b.ByTechnology.Site4G),
			Roaming:   diffTech(a.ByTechnology.Roaming, b.ByTechnology.Roaming),
		},
		Total:     diffTech(a.Total, b.Total),
		NotFunded: diffTotals(a.Schedule.NotFunded, b.Schedule.NotFunded),
		Deadlines: []DeadlineDiff{},
		Years:     []YearDiff{},
		Moves:     []Move{},
	}

	for _, p := range Programmes {
		da, db := deadlineOf(a.Schedule, p), deadlineOf(b.Schedule, p)
		doneA, doneB := doneBy(a.Schedule, da), doneBy(b.Schedule, db)
		c.Deadlines = append(c.Deadlines, DeadlineDiff{
			Programme: p, DateA: da.Date, DateB: db.Date,
			Done:        diffTotals(da.Done, db.Done),
			DoneOnlyInA: minus(doneA, doneB),
			DoneOnlyInB: minus(doneB, doneA),
		})
	}

	ya, yb := yearsByNumber(a.Schedule), yearsByNumber(b.Schedule)
	var all []int
	for y := range ya {
		all = append(all, y)
	}
	for y := range yb {
		if _, ok := ya[y]; !ok {
			all = append(all, y)
		}
	}
	slices.Sort(all)
	var cumA, cumB Totals // carried through years one scenario lacks
	for _, y := range all {
		ra, rb := ya[y], yb[y]
		if ra != nil {
			cumA = ra.Cumulative
		}
		if rb != nil {
			cumB = rb.Cumulative
		}
		c.Years = append(c.Years, YearDiff{
			Year:       y,
			BudgetMAD:  diffMAD(field(ra, func(r *YearResult) float64 { return r.BudgetMAD }), field(rb, func(r *YearResult) float64 { return r.BudgetMAD })),
			SpentMAD:   diffMAD(field(ra, func(r *YearResult) float64 { return r.SpentMAD }), field(rb, func(r *YearResult) float64 { return r.SpentMAD })),
			Done:       diffTotals(field(ra, func(r *YearResult) Totals { return r.Totals }), field(rb, func(r *YearResult) Totals { return r.Totals })),
			Cumulative: diffTotals(cumA, cumB),
		})
	}

	pa, pb := placements(a.Schedule), placements(b.Schedule)
	ids := make([]string, 0, len(pa)+len(pb))
	for id := range pa {
		ids = append(ids, id)
	}
	for id := range pb {
		if _, ok := pa[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	absent := Placement{Status: StatusAbsent}
	for _, id := range ids {
		x, ok := pa[id]
		if !ok {
			x = absent
		}
		y, ok := pb[id]
		if !ok {
			y = absent
		}
		if x != y {
			c.Moves = append(c.Moves, Move{ID: id, A: x, B: y})
		}
	}
	return c
}

func field[T any](r *YearResult, f func(*YearResult) T) T {
	if r == nil {
		var zero T
		return zero
	}
	return f(r)
}

func deadlineOf(tl Timeline, p Programme) DeadlineResult {
	for _, d := range tl.Deadlines {
		if d.Programme == p {
			return d
		}
	}
	return DeadlineResult{Programme: p}
}

// doneBy is the set of ids of d's programme done by d's date.
func doneBy(tl Timeline, d DeadlineResult) map[string]bool {
	done := map[string]bool{}
	for _, e := range tl.Items {
		if e.Kind.Programme() == d.Programme && e.Funded() && !d.Date.Before(endOfYear(e.Year)) {
			done[e.ID] = true
		}
	}
	return done
}

// minus returns the ids in x and not in y, sorted.
func minus(x, y map[string]bool) []string {
	out := []string{}
	for id := range x {
		if !y[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func yearsByNumber(tl Timeline) map[int]*YearResult {
	m := make(map[int]*YearResult, len(tl.Years))
	for i := range tl.Years {
		m[tl.Years[i].Year] = &tl.Years[i]
	}
	return m
}

func placements(tl Timeline) map[string]Placement {
	m := make(map[string]Placement, len(tl.Items))
	for _, e := range tl.Items {
		p := Placement{Status: StatusUnfunded, Kind: e.Kind}
		if e.Funded() {
			p.Status, p.Year = StatusFunded, e.Year
		}
		m[e.ID] = p
	}
	return m
}
