package coverage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// Gazetteer names the areas a zone lies in.
type Gazetteer struct {
	Communes  map[string]data.Area
	Provinces map[string]data.Area
	Regions   map[string]data.Area
}

// NewGazetteer indexes areas by code.
func NewGazetteer(communes, provinces, regions []data.Area) Gazetteer {
	g := Gazetteer{Communes: map[string]data.Area{}, Provinces: map[string]data.Area{}, Regions: map[string]data.Area{}}
	for _, a := range communes {
		a.Geom = nil
		g.Communes[a.Code] = a
	}
	for _, a := range provinces {
		a.Geom = nil
		g.Provinces[a.Code] = a
	}
	for _, a := range regions {
		a.Geom = nil
		g.Regions[a.Code] = a
	}
	return g
}

// CellClass is the outcome for one populated cell.
type CellClass struct {
	Cell       geo.Cell
	Population int32
	Commune    string
	Measured   bool   // some operator has samples here
	Served     int    // operators reaching the required level
	Operator   string // the operator, when exactly one
}

// Classes classifies every populated cell against the zone rule.
func Classes(pop []data.CellPop, stats []data.CellStat, rule ZoneRule) []CellClass {
	type seen struct {
		measured bool
		served   []string
	}
	byCell := make(map[geo.Cell]*seen, len(stats)/4)
	for _, s := range stats {
		if s.Level == data.Unmeasured {
			continue
		}
		v := byCell[s.Cell]
		if v == nil {
			v = &seen{}
			byCell[s.Cell] = v
		}
		v.measured = true
		if s.Tech == rule.Tech && s.Level >= rule.Level && !slices.Contains(v.served, s.MCCMNC) {
			v.served = append(v.served, s.MCCMNC)
		}
	}
	out := make([]CellClass, 0, len(pop))
	for _, p := range pop {
		if int(p.Population) < rule.MinPopulation {
			continue
		}
		c := CellClass{Cell: p.Cell, Population: p.Population, Commune: p.Commune}
		if v := byCell[p.Cell]; v != nil {
			c.Measured = true
			c.Served = len(v.served)
			if c.Served == 1 {
				c.Operator = v.served[0]
			}
		}
		out = append(out, c)
	}
	return out
}

// FindZones merges adjacent white cells (measured, no operator serves) and
// adjacent grey cells (exactly one operator serves) into zones, ranks them
// by population and marks the first rule.ProgrammeSize as the programme.
// A zone's id is its kind's letter and its smallest cell ("W-88…"), so the
// same cells give the same id on every run. Populated cells without any
// measurement are not zones: they are counted in the snapshot's
// UnmeasuredPop.
func FindZones(ctx context.Context, classes []CellClass, gz Gazetteer, rule ZoneRule) ([]data.Zone, data.Snapshot, error) {
	kindOf := map[geo.Cell]data.ZoneKind{}
	byCell := map[geo.Cell]*CellClass{}
	snap := data.Snapshot{RequiredTech: rule.Tech, RequiredLevel: rule.Level, ProgrammeSize: rule.ProgrammeSize, ComputedAt: time.Now().UTC()}
	for i := range classes {
		c := &classes[i]
		switch {
		case !c.Measured:
			snap.UnmeasuredPop += int64(c.Population)
			continue
		case c.Served == 0:
			kindOf[c.Cell] = data.White
		case c.Served == 1:
			kindOf[c.Cell] = data.Grey
		default:
			continue
		}
		byCell[c.Cell] = c
	}
	seeds := make([]geo.Cell, 0, len(kindOf))
	for c := range kindOf {
		seeds = append(seeds, c)
	}
	slices.Sort(seeds)
	done := make(map[geo.Cell]bool, len(seeds))
	var zones []data.Zone
	for n, s := range seeds {
		if done[s] {
			continue
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, snap, err
			}
		}
		kind := kindOf[s]
		comp := []geo.Cell{s}
		done[s] = true
		for q := 0; q < len(comp); q++ {
			for _, nb := range geo.Neighbors(comp[q]) {
				if !done[nb] && kindOf[nb] == kind {
					done[nb] = true
					comp = append(comp, nb)
				}
			}
		}
		z, err := buildZone(kind, comp, byCell, gz)
		if err != nil {
			return nil, snap, err
		}
		zones = append(zones, z)
	}
	sort.Slice(zones, func(i, j int) bool {
		if zones[i].Population != zones[j].Population {
			return zones[i].Population > zones[j].Population
		}
		return zones[i].ID < zones[j].ID
	})
	for i := range zones {
		zones[i].Rank = i + 1
		zones[i].Programme = i < rule.ProgrammeSize
		if zones[i].Kind == data.White {
			snap.White++
			snap.WhitePop += zones[i].Population
		} else {
			snap.Grey++
			snap.GreyPop += zones[i].Population
		}
	}
	return zones, snap, nil
}

func buildZone(kind data.ZoneKind, cells []geo.Cell, byCell map[geo.Cell]*CellClass, gz Gazetteer) (data.Zone, error) {
	slices.Sort(cells)
	z := data.Zone{ID: zonePrefix(kind) + "-" + cells[0].String(), FID: uint64(cells[0]), Kind: kind, Cells: cells}
	communePop := map[string]int64{}
	opPop := map[string]int64{}
	var wx, wy, w float64
	for _, c := range cells {
		cl := byCell[c]
		z.Population += int64(cl.Population)
		z.AreaKm2 += geo.CellAreaKm2(c)
		communePop[cl.Commune] += int64(cl.Population)
		if cl.Operator != "" {
			opPop[cl.Operator] += int64(cl.Population)
		}
		p := geo.CellCenter(c)
		wt := float64(cl.Population) + 1e-9
		wx += p[0] * wt
		wy += p[1] * wt
		w += wt
	}
	z.Centroid = orb.Point{round6(wx / w), round6(wy / w)}
	z.AreaKm2 = float64(int64(z.AreaKm2*100+0.5)) / 100
	codes := make([]string, 0, len(communePop))
	for c := range communePop {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if communePop[codes[i]] != communePop[codes[j]] {
			return communePop[codes[i]] > communePop[codes[j]]
		}
		return codes[i] < codes[j]
	})
	for _, c := range codes {
		z.CommuneCodes = append(z.CommuneCodes, c)
		name := c
		if a, ok := gz.Communes[c]; ok && a.NameFR != "" {
			name = a.NameFR
		}
		z.Communes = append(z.Communes, name)
		z.CommunesAR = append(z.CommunesAR, gz.Communes[c].NameAR)
	}
	if len(codes) > 0 {
		top := gz.Communes[codes[0]]
		z.ProvinceCode = top.Parent
		z.RegionCode = top.Region
		if z.ProvinceCode == "" && strings.Count(codes[0], ".") >= 1 {
			z.ProvinceCode = codes[0] // province-level grid
		}
		if p, ok := gz.Provinces[z.ProvinceCode]; ok {
			z.Province, z.ProvinceAR = p.NameFR, p.NameAR
			if z.RegionCode == "" {
				z.RegionCode = p.Region
			}
		}
		if r, ok := gz.Regions[z.RegionCode]; ok {
			z.Region, z.RegionAR = r.NameFR, r.NameAR
		}
	}
	best := ""
	for op, p := range opPop {
		if best == "" || p > opPop[best] || p == opPop[best] && op < best {
			best = op
		}
	}
	z.Operator = best
	geom, err := geo.CellsOutline(cells)
	if err != nil {
		return z, fmt.Errorf("zone %s: %w", z.ID, err)
	}
	z.Geom = geom
	return z, nil
}

func round6(v float64) float64 { return float64(int64(v*1e6+0.5*sign(v))) / 1e6 }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
