package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// Kind is the technology of a work item.
type Kind string

// Kinds of work.
const (
	KindFibre     Kind = "fibre"     // an administrative site connected by fibre
	KindSatellite Kind = "satellite" // an administrative site connected by VSAT
	KindSite4G    Kind = "site4g"    // new 4G sites covering one white zone
	KindRoaming   Kind = "roaming"   // 4G national roaming opened in one grey zone
)

// Kinds lists the kinds in the order summaries give them.
var Kinds = []Kind{KindFibre, KindSatellite, KindSite4G, KindRoaming}

// Programme is a strategy target with its own deadline.
type Programme string

// Programmes.
const (
	ProgrammeSites Programme = "sites" // administrative sites: fibre and satellite
	ProgrammeZones Programme = "zones" // white and grey zones: new 4G sites and roaming
)

// Programmes lists the programmes in report order.
var Programmes = []Programme{ProgrammeSites, ProgrammeZones}

// Programme returns the programme k belongs to.
func (k Kind) Programme() Programme {
	if k == KindFibre || k == KindSatellite {
		return ProgrammeSites
	}
	return ProgrammeZones
}

// Kinds returns the kinds of programme p.
func (p Programme) Kinds() []Kind {
	if p == ProgrammeSites {
		return []Kind{KindFibre, KindSatellite}
	}
	return []Kind{KindSite4G, KindRoaming}
}

// Item is one unit of work to schedule: an administrative site to connect
// or a zone to cover.
type Item struct {
	ID   string `json:"id"` // unique among the items
	Kind Kind   `json:"kind"`
	// CostMAD is the capital cost, paid in the year the item is funded.
	CostMAD float64 `json:"cost_mad"`
	// Population is the population the item newly covers or serves; it is
	// what population_per_mad ranks by, so site items that carry none rank
	// after every zone and among themselves by id.
	Population int64 `json:"population"`
	// Sites: administrative sites connected (fibre, satellite; usually 1),
	// or new radio sites built (site4g). Must be 0 for roaming.
	Sites  int    `json:"sites"`
	Region string `json:"region,omitempty"` // region code, for per-region totals
	// EarliestStart, when set, keeps the item out of budget years before
	// its year.
	EarliestStart Date `json:"earliest_start,omitzero"`
}

// work is an item being scheduled.
type work struct {
	Item
	cents    int64 // cost in whole centimes
	earliest int   // first year it may be funded; 0 for any
	year     int   // funding year; 0 while not funded
}

// maxItemMAD bounds one item's cost (about 7 times Morocco's GDP) so that
// sums in centimes cannot overflow.
const maxItemMAD = 1e13

// toCents rounds MAD to whole centimes: sums and budget checks are exact,
// so an item costing exactly what is left fits whatever the rounding of
// the floating-point costs it was computed from.
func toCents(mad float64) int64 { return int64(math.Round(mad * 100)) }

func toMAD(cents int64) float64 { return float64(cents) / 100 }

// prepare checks the items and converts them.
func prepare(items []Item) ([]work, error) {
	var errs []error
	bad := func(i int, it Item, format string, args ...any) {
		errs = append(errs, &ItemError{Index: i, ID: it.ID, Msg: fmt.Sprintf(format, args...)})
	}
	seen := make(map[string]int, len(items))
	ws := make([]work, 0, len(items))
	var total int64
	for i, it := range items {
		n := len(errs)
		if strings.TrimSpace(it.ID) == "" {
			bad(i, it, "id is empty")
		} else if first, dup := seen[it.ID]; dup {
			bad(i, it, "id is also item %d's", first)
		} else {
			seen[it.ID] = i
		}
		if !slices.Contains(Kinds, it.Kind) {
			bad(i, it, "kind %q is not one of %s", it.Kind, list(Kinds))
		}
		if c := it.CostMAD; !(c >= 0 && c <= maxItemMAD) {
			bad(i, it, "cost_mad %s must be in [0, %s]", num(c), num(maxItemMAD))
		}
		if it.Population < 0 {
			bad(i, it, "population %d is negative", it.Population)
		}
		if it.Sites < 0 {
			bad(i, it, "sites %d is negative", it.Sites)
		}
		if it.Kind == KindRoaming && it.Sites != 0 {
			bad(i, it, "sites %d must be 0 for roaming, which builds no site", it.Sites)
		}
		if len(errs) > n {
			continue
		}
		w := work{Item: it, cents: toCents(it.CostMAD)}
		if !it.EarliestStart.IsZero() {
			w.earliest = it.EarliestStart.Year()
		}
		total += w.cents // each adds at most 10^15: an overflow shows as a negative sum
		if total < 0 {
			return nil, fmt.Errorf("%w: the items' total cost is too large", ErrInvalid)
		}
		ws = append(ws, w)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ws, nil
}

// ItemError is a problem with one work item.
type ItemError struct {
	Index int    // position in the slice given to Schedule
	ID    string // may be empty
	Msg   string
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("scenario: item %d (%q): %s", e.Index, e.ID, e.Msg)
}

// Unwrap returns ErrInvalid.
func (e *ItemError) Unwrap() error { return ErrInvalid }

// order returns the comparison that ranks items best first under p; ties
// go by id, so the order is total and the schedule deterministic.
func order(p Priority) func(a, b work) int {
	var key func(a, b *work) int
	switch p {
	case PriorityPopulation:
		key = func(a, b *work) int { return cmp.Compare(b.Population, a.Population) }
	case PriorityCost:
		key = func(a, b *work) int { return cmp.Compare(a.cents, b.cents) }
	default: // PriorityPopulationPerMAD
		key = perMAD
	}
	return func(a, b work) int {
		if c := key(&a, &b); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
}

// perMAD ranks by population per MAD, highest first, exactly (128-bit
// cross products, no division). A free item that covers people ranks
// first; a free item that covers nobody counts as 0 per MAD.
func perMAD(a, b *work) int {
	freeA, freeB := a.cents == 0 && a.Population > 0, b.cents == 0 && b.Population > 0
	switch {
	case freeA && freeB:
		return 0
	case freeA:
		return -1
	case freeB:
		return 1
	}
	ca, cb := max(a.cents, 1), max(b.cents, 1) // cost 0 here means population 0
	ahi, alo := bits.Mul64(uint64(a.Population), uint64(cb))
	bhi, blo := bits.Mul64(uint64(b.Population), uint64(ca))
	if c := cmp.Compare(bhi, ahi); c != 0 {
		return c
	}
	return cmp.Compare(blo, alo)
}
