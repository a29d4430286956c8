package coverage

import (
	"cmp"
	"slices"
	"strings"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// ZoneChange is one zone in a diff: its cells and population in each
// snapshot (0 where it is absent).
type ZoneChange struct {
	ID             string        `json:"id"`
	Kind           data.ZoneKind `json:"kind"`
	CellsFrom      int           `json:"cells_from"`
	CellsTo        int           `json:"cells_to"`
	PopulationFrom int64         `json:"population_from"`
	PopulationTo   int64         `json:"population_to"`
	RankFrom       int           `json:"rank_from,omitempty"`
	RankTo         int           `json:"rank_to,omitempty"`
	ProgrammeFrom  bool          `json:"programme_from"`
	ProgrammeTo    bool          `json:"programme_to"`
	RegionCode     string        `json:"region_code"`
	Communes       []string      `json:"communes"`
}

// CommuneChange is the population of one commune in white and grey zones
// in each snapshot.
type CommuneChange struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	WhiteFrom int64  `json:"white_from"`
	WhiteTo   int64  `json:"white_to"`
	GreyFrom  int64  `json:"grey_from"`
	GreyTo    int64  `json:"grey_to"`
}

// KindTotals are one kind's zone count and population in each snapshot.
type KindTotals struct {
	ZonesFrom      int   `json:"zones_from"`
	ZonesTo        int   `json:"zones_to"`
	PopulationFrom int64 `json:"population_from"`
	PopulationTo   int64 `json:"population_to"`
}

// Diff compares the zones of two snapshots by zone id (MatchIDs keeps ids
// across snapshots where cells overlap).
type Diff struct {
	From      int64                        `json:"from"`
	To        int64                        `json:"to"`
	Added     []ZoneChange                 `json:"added"`
	Removed   []ZoneChange                 `json:"removed"`
	Grown     []ZoneChange                 `json:"grown"`   // more cells
	Shrunk    []ZoneChange                 `json:"shrunk"`  // fewer cells
	Changed   []ZoneChange                 `json:"changed"` // same size: moved cells, population, rank or programme
	Unchanged int                          `json:"unchanged"`
	Totals    map[data.ZoneKind]KindTotals `json:"totals"`
	Communes  []CommuneChange              `json:"communes"` // communes whose zone population changed, largest change first
}

// DiffZones compares the zones of snapshot from (a) with those of
// snapshot to (b). A zone present in both with the same cells but a
// different population, rank or programme membership is "changed".
// Per-commune figures count each zone cell's population in the commune
// the population grid puts it in (pop, the current grid); cells off the
// grid count nowhere.
func DiffZones(from, to int64, a, b []data.Zone, pop []data.CellPop, gz Gazetteer) Diff {
	d := Diff{From: from, To: to, Totals: map[data.ZoneKind]KindTotals{data.White: {}, data.Grey: {}}}
	grid := make(map[geo.Cell]data.CellPop, len(pop))
	for _, p := range pop {
		grid[p.Cell] = p
	}
	byID := make(map[string]*data.Zone, len(a))
	for i := range a {
		byID[a[i].ID] = &a[i]
	}
	communes := map[string]*CommuneChange{}
	count := func(z *data.Zone, isTo bool) {
		for _, c := range z.Cells {
			p, ok := grid[c]
			if !ok || p.Commune == "" {
				continue
			}
			cc := communes[p.Commune]
			if cc == nil {
				cc = &CommuneChange{Code: p.Commune, Name: gz.Communes[p.Commune].NameFR}
				communes[p.Commune] = cc
			}
			n := int64(p.Population)
			switch {
			case z.Kind == data.White && !isTo:
				cc.WhiteFrom += n
			case z.Kind == data.White:
				cc.WhiteTo += n
			case !isTo:
				cc.GreyFrom += n
			default:
				cc.GreyTo += n
			}
		}
	}
	change := func(x, y *data.Zone) ZoneChange {
		z := y
		if z == nil {
			z = x
		}
		c := ZoneChange{ID: z.ID, Kind: z.Kind, RegionCode: z.RegionCode, Communes: z.CommuneCodes}
		if x != nil {
			c.CellsFrom, c.PopulationFrom, c.RankFrom, c.ProgrammeFrom = len(x.Cells), x.Population, x.Rank, x.Programme
		}
		if y != nil {
			c.CellsTo, c.PopulationTo, c.RankTo, c.ProgrammeTo = len(y.Cells), y.Population, y.Rank, y.Programme
		}
		return c
	}
	seen := map[string]bool{}
	for i := range b {
		y := &b[i]
		t := d.Totals[y.Kind]
		t.ZonesTo++
		t.PopulationTo += y.Population
		d.Totals[y.Kind] = t
		count(y, true)
		x := byID[y.ID]
		if x == nil || x.Kind != y.Kind {
			d.Added = append(d.Added, change(nil, y))
			continue
		}
		seen[y.ID] = true
		switch c := change(x, y); {
		case len(y.Cells) > len(x.Cells):
			d.Grown = append(d.Grown, c)
		case len(y.Cells) < len(x.Cells):
			d.Shrunk = append(d.Shrunk, c)
		case !slices.Equal(sortedCells(x), sortedCells(y)) || y.Population != x.Population || y.Rank != x.Rank || y.Programme != x.Programme:
			d.Changed = append(d.Changed, c)
		default:
			d.Unchanged++
		}
	}
	for i := range a {
		x := &a[i]
		t := d.Totals[x.Kind]
		t.ZonesFrom++
		t.PopulationFrom += x.Population
		d.Totals[x.Kind] = t
		count(x, false)
		if !seen[x.ID] {
			d.Removed = append(d.Removed, change(x, nil))
		}
	}
	for _, cc := range communes {
		if cc.WhiteFrom != cc.WhiteTo || cc.GreyFrom != cc.GreyTo {
			d.Communes = append(d.Communes, *cc)
		}
	}
	delta := func(c CommuneChange) int64 {
		return abs(c.WhiteTo-c.WhiteFrom) + abs(c.GreyTo-c.GreyFrom)
	}
	slices.SortFunc(d.Communes, func(x, y CommuneChange) int {
		return cmp.Or(cmp.Compare(delta(y), delta(x)), strings.Compare(x.Code, y.Code))
	})
	for _, l := range []*[]ZoneChange{&d.Added, &d.Removed, &d.Grown, &d.Shrunk, &d.Changed} {
		slices.SortFunc(*l, func(x, y ZoneChange) int {
			return cmp.Or(cmp.Compare(max(y.PopulationTo, y.PopulationFrom), max(x.PopulationTo, x.PopulationFrom)), strings.Compare(x.ID, y.ID))
		})
		if *l == nil {
			*l = []ZoneChange{}
		}
	}
	if d.Communes == nil {
		d.Communes = []CommuneChange{}
	}
	return d
}

func sortedCells(z *data.Zone) []geo.Cell {
	c := slices.Clone(z.Cells)
	slices.Sort(c)
	return c
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
