package scenario

import (
	"cmp"
	"fmt"
	"slices"
)

// Timeline is a schedule: which items each budget year pays for, what is
// done by each deadline, and what does not fit. Slices are never nil, so
// that JSON gives [] rather than null.
type Timeline struct {
	Priority         Priority `json:"priority"`
	CarryOverUnspent bool     `json:"carry_over_unspent"`
	StartDate        Date     `json:"start_date"`
	// Years are the budget years in order.
	Years []YearResult `json:"years"`
	// Deadlines are the programmes' deadlines: sites, then zones.
	Deadlines []DeadlineResult `json:"deadlines"`
	// Items are every item in priority order, with its funding year.
	Items []Entry `json:"items"`
	// Unfunded are the items no budget year paid for, in priority order.
	Unfunded []Unfunded `json:"unfunded"`
	// Planned, Funded and NotFunded total every item, the funded ones and
	// the others.
	Planned   Totals `json:"planned"`
	Funded    Totals `json:"funded"`
	NotFunded Totals `json:"not_funded"`
	// ByRegion totals the items per region code, in code order.
	ByRegion []RegionTotals `json:"by_region"`
}

// Totals add up a set of items. CostMAD is capital cost.
type Totals struct {
	Items               int     `json:"items"`
	CostMAD             float64 `json:"cost_mad"`
	PopulationCovered   int64   `json:"population_covered"`
	AdminSitesConnected int     `json:"admin_sites_connected"` // fibre and satellite items' sites
	RadioSitesBuilt     int     `json:"radio_sites_built"`     // site4g items' sites
	ZonesCovered        int     `json:"zones_covered"`         // site4g and roaming items
}

// YearResult is one budget year.
type YearResult struct {
	Year         int     `json:"year"`
	BudgetMAD    float64 `json:"budget_mad"`     // the year's own budget
	CarriedInMAD float64 `json:"carried_in_mad"` // unspent budget of earlier years (carry_over_unspent)
	SpentMAD     float64 `json:"spent_mad"`
	UnspentMAD   float64 `json:"unspent_mad"` // budget + carried in - spent
	// Done are the ids of the items funded this year, in priority order;
	// each counts as done on 31 December.
	Done       []string `json:"done"`
	Totals     Totals   `json:"totals"`     // of this year's items
	Cumulative Totals   `json:"cumulative"` // of this and earlier years' items
}

// DeadlineResult is what one programme has done by its deadline.
type DeadlineResult struct {
	Programme Programme `json:"programme"`
	Date      Date      `json:"date"`
	Kinds     []Kind    `json:"kinds"`
	Planned   Totals    `json:"planned"` // every item of the programme
	Done      Totals    `json:"done"`    // funded in a year whose 31 December is on or before Date
	// Late are funded in a later year; NotFunded are not funded at all.
	// Both in priority order.
	Late      []string `json:"late"`
	NotFunded []string `json:"not_funded"`
}

// Entry is one item with its place in the schedule.
type Entry struct {
	Rank       int       `json:"rank"` // 1 is the best under the priority
	ID         string    `json:"id"`
	Kind       Kind      `json:"kind"`
	Region     string    `json:"region,omitempty"`
	CostMAD    float64   `json:"cost_mad"`
	Population int64     `json:"population"`
	Sites      int       `json:"sites"`
	Year       int       `json:"year,omitempty"`     // funding year; absent when not funded
	DoneDate   Date      `json:"done_date,omitzero"` // 31 December of Year
	Programme  Programme `json:"programme"`
}

// Funded reports whether a budget year pays for the entry.
func (e Entry) Funded() bool { return e.Year != 0 }

// Reason says why an item is not funded.
type Reason string

// Reasons an item is not funded.
const (
	// ReasonExceedsBudget: the item costs more than any one year's budget
	// open to it (without carry-over), or than the whole budget (with it):
	// it could not be funded even alone.
	ReasonExceedsBudget Reason = "exceeds_budget"
	// ReasonBudgetExhausted: it would fit alone, but each year open to it
	// had less left than its cost when its turn came.
	ReasonBudgetExhausted Reason = "budget_exhausted"
	// ReasonStartsTooLate: its earliest start is after the last budget year.
	ReasonStartsTooLate Reason = "starts_after_last_year"
)

// Unfunded is an item no budget year pays for.
type Unfunded struct {
	ID      string  `json:"id"`
	Kind    Kind    `json:"kind"`
	CostMAD float64 `json:"cost_mad"`
	Reason  Reason  `json:"reason"`
	Detail  string  `json:"detail"`
}

// RegionTotals are one region's items.
type RegionTotals struct {
	Region  string `json:"region"` // "" for items without a region
	Planned Totals `json:"planned"`
	Funded  Totals `json:"funded"`
}

// tally accumulates Totals in centimes.
type tally struct {
	items, admin, radio, zones int
	cents, pop                 int64
}

func (t *tally) add(w *work) {
	t.items++
	t.cents += w.cents
	t.pop += w.Population
	switch w.Kind {
	case KindFibre, KindSatellite:
		t.admin += w.Sites
	case KindSite4G:
		t.radio += w.Sites
		t.zones++
	case KindRoaming:
		t.zones++
	}
}

func (t *tally) merge(u tally) {
	t.items += u.items
	t.cents += u.cents
	t.pop += u.pop
	t.admin += u.admin
	t.radio += u.radio
	t.zones += u.zones
}

func (t tally) totals() Totals {
	return Totals{Items: t.items, CostMAD: toMAD(t.cents), PopulationCovered: t.pop,
		AdminSitesConnected: t.admin, RadioSitesBuilt: t.radio, ZonesCovered: t.zones}
}

// Schedule funds the items year by year within the scenario's budget.
//
// Items are ranked by s.Priority, ties by id. Each budget year, in order,
// walks the items not yet funded in rank order and funds every one that
// fits in what is left of the year's budget: an item that does not fit is
// skipped for that year, and the walk continues, so smaller items ranked
// after it may take what is left (a greedy "skip and continue" knapsack).
// A skipped item is first in line again the next year. An item is never
// funded in a year before its earliest start's year. Unspent budget is
// lost at the end of a year, unless s.Budget.CarryOverUnspent adds it to
// the next budget year. Amounts are counted in whole centimes, so an item
// costing exactly what is left fits.
//
// An item funded in year Y counts as done on 31 December Y (an assumption:
// works finish within the year that pays for them); it is done by a
// deadline when that day is on or before the deadline. Items left after
// the last budget year are listed in Unfunded with a reason.
//
// The scenario must be valid and the items well formed (unique non-empty
// ids, known kinds, costs in [0, 10^13] MAD, no negative population or
// sites); otherwise the error wraps ErrInvalid.
func Schedule(s Scenario, items []Item) (Timeline, error) {
	if err := s.Validate(); err != nil {
		return Timeline{}, err
	}
	ws, err := prepare(items)
	if err != nil {
		return Timeline{}, err
	}
	slices.SortFunc(ws, order(s.Priority))

	tl := Timeline{
		Priority: s.Priority, CarryOverUnspent: s.Budget.CarryOverUnspent, StartDate: s.Budget.StartDate,
		Years: []YearResult{}, Deadlines: []DeadlineResult{}, Items: make([]Entry, 0, len(ws)),
		Unfunded: []Unfunded{}, ByRegion: []RegionTotals{},
	}
	years := s.Budget.Years()
	budgets := make([]int64, len(years))
	var carry int64
	var cum tally
	for i, y := range years {
		budgets[i] = toCents(s.Budget.PerYearMAD[y])
		left := budgets[i] + carry
		yr := YearResult{Year: int(y), BudgetMAD: toMAD(budgets[i]), CarriedInMAD: toMAD(carry), Done: []string{}}
		var t tally
		for j := range ws {
			w := &ws[j]
			if w.year != 0 || w.earliest > int(y) || w.cents > left {
				continue
			}
			w.year = int(y)
			left -= w.cents
			t.add(w)
			yr.Done = append(yr.Done, w.ID)
		}
		cum.merge(t)
		yr.SpentMAD = toMAD(t.cents)
		yr.UnspentMAD = toMAD(left)
		yr.Totals, yr.Cumulative = t.totals(), cum.totals()
		tl.Years = append(tl.Years, yr)
		carry = 0
		if s.Budget.CarryOverUnspent {
			carry = left
		}
	}

	var planned, funded, notFunded tally
	regions := map[string]*[2]tally{}
	for i := range ws {
		w := &ws[i]
		e := Entry{Rank: i + 1, ID: w.ID, Kind: w.Kind, Region: w.Region, CostMAD: toMAD(w.cents),
			Population: w.Population, Sites: w.Sites, Year: w.year, Programme: w.Kind.Programme()}
		r := regions[w.Region]
		if r == nil {
			r = &[2]tally{}
			regions[w.Region] = r
		}
		planned.add(w)
		r[0].add(w)
		if w.year != 0 {
			e.DoneDate = endOfYear(w.year)
			funded.add(w)
			r[1].add(w)
		} else {
			notFunded.add(w)
			tl.Unfunded = append(tl.Unfunded, unfunded(w, years, budgets, s.Budget.CarryOverUnspent))
		}
		tl.Items = append(tl.Items, e)
	}
	tl.Planned, tl.Funded, tl.NotFunded = planned.totals(), funded.totals(), notFunded.totals()
	for code, r := range regions {
		tl.ByRegion = append(tl.ByRegion, RegionTotals{Region: code, Planned: r[0].totals(), Funded: r[1].totals()})
	}
	slices.SortFunc(tl.ByRegion, func(a, b RegionTotals) int { return cmp.Compare(a.Region, b.Region) })

	for _, p := range Programmes {
		d := DeadlineResult{Programme: p, Date: s.Deadlines.Of(p), Kinds: p.Kinds(), Late: []string{}, NotFunded: []string{}}
		var pl, done tally
		for i := range ws {
			w := &ws[i]
			if w.Kind.Programme() != p {
				continue
			}
			pl.add(w)
			switch {
			case w.year == 0:
				d.NotFunded = append(d.NotFunded, w.ID)
			case d.Date.Before(endOfYear(w.year)):
				d.Late = append(d.Late, w.ID)
			default:
				done.add(w)
			}
		}
		d.Planned, d.Done = pl.totals(), done.totals()
		tl.Deadlines = append(tl.Deadlines, d)
	}
	return tl, nil
}

// unfunded explains why no year funded w.
func unfunded(w *work, years []Year, budgets []int64, carry bool) Unfunded {
	u := Unfunded{ID: w.ID, Kind: w.Kind, CostMAD: toMAD(w.cents)}
	var open []int // indexes of the years open to w
	for i, y := range years {
		if int(y) >= w.earliest {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		u.Reason = ReasonStartsTooLate
		u.Detail = fmt.Sprintf("its earliest start, %s, is after the last budget year, %d", w.EarliestStart, years[len(years)-1])
		return u
	}
	if carry {
		var total int64
		for _, b := range budgets { // earlier years' unspent budget carries into the open ones
			total += b
		}
		if w.cents > total {
			u.Reason = ReasonExceedsBudget
			u.Detail = fmt.Sprintf("it costs %s MAD, more than the whole budget with carry-over, %s MAD", num(toMAD(w.cents)), num(toMAD(total)))
			return u
		}
	} else {
		best := open[0]
		for _, i := range open {
			if budgets[i] > budgets[best] {
				best = i
			}
		}
		if w.cents > budgets[best] {
			u.Reason = ReasonExceedsBudget
			u.Detail = fmt.Sprintf("it costs %s MAD, more than any budget year open to it (the largest: %s MAD in %d)",
				num(toMAD(w.cents)), num(toMAD(budgets[best])), years[best])
			return u
		}
	}
	u.Reason = ReasonBudgetExhausted
	u.Detail = fmt.Sprintf("it costs %s MAD and would fit alone, but when its turn came no year open to it had that much left", num(toMAD(w.cents)))
	return u
}
