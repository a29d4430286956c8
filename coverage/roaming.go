package coverage

import (
	"cmp"
	"slices"
	"strings"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// RoamingGain is the population an operator's subscribers gain in one
// commune when national roaming opens in designated grey zones: people in
// cells where their own network does not reach the required level and
// the host's does.
type RoamingGain struct {
	MCCMNC     string `json:"mcc_mnc"`
	Commune    string `json:"commune"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	Host       string `json:"host"` // the host network with most of the gained population
	Population int64  `json:"population"`
	Cells      int    `json:"cells"`
}

// RoamingSummary is one operator's national total.
type RoamingSummary struct {
	MCCMNC     string `json:"mcc_mnc"`
	Own        int64  `json:"own"`    // population its own network serves
	Gained     int64  `json:"gained"` // population added by roaming
	Cells      int    `json:"cells"`
	Zones      int    `json:"zones"`
	Population int64  `json:"population"` // own + gained
}

// Roaming computes, for each operator of stats, what it gains from
// roaming in the designated grey zones (designate nil: the programme's
// grey zones). A cell's host is the one operator reaching rule.Level on
// rule.Tech there. Gains are per commune, largest first.
func Roaming(stats []data.CellStat, zones []data.Zone, pop []data.CellPop, rule ZoneRule, gz Gazetteer, designate func(data.Zone) bool) ([]RoamingSummary, []RoamingGain) {
	if designate == nil {
		designate = func(z data.Zone) bool { return z.Kind == data.Grey && z.Programme }
	}
	served := map[geo.Cell][]string{}
	ops := map[string]bool{}
	for _, s := range stats {
		ops[s.MCCMNC] = true
		if s.Tech == rule.Tech && s.Level >= rule.Level && !slices.Contains(served[s.Cell], s.MCCMNC) {
			served[s.Cell] = append(served[s.Cell], s.MCCMNC)
		}
	}
	grid := make(map[geo.Cell]data.CellPop, len(pop))
	sums := map[string]*RoamingSummary{}
	for op := range ops {
		sums[op] = &RoamingSummary{MCCMNC: op}
	}
	for _, p := range pop {
		grid[p.Cell] = p
		if int(p.Population) < rule.MinPopulation {
			continue
		}
		for _, op := range served[p.Cell] {
			sums[op].Own += int64(p.Population)
		}
	}
	type gk struct{ op, commune string }
	gains := map[gk]*RoamingGain{}
	hostPop := map[gk]map[string]int64{}
	for _, z := range zones {
		if !designate(z) {
			continue
		}
		inZone := map[string]bool{}
		for _, c := range z.Cells {
			p, ok := grid[c]
			sv := served[c]
			if !ok || int(p.Population) < rule.MinPopulation || len(sv) != 1 {
				continue
			}
			host := sv[0]
			for op := range ops {
				if op == host {
					continue
				}
				k := gk{op, p.Commune}
				g := gains[k]
				if g == nil {
					a := gz.Communes[p.Commune]
					region := a.Region
					if region == "" {
						region = gz.Provinces[a.Parent].Region
					}
					g = &RoamingGain{MCCMNC: op, Commune: p.Commune, Name: a.NameFR, RegionCode: region}
					gains[k] = g
					hostPop[k] = map[string]int64{}
				}
				g.Population += int64(p.Population)
				g.Cells++
				hostPop[k][host] += int64(p.Population)
				s := sums[op]
				s.Gained += int64(p.Population)
				s.Cells++
				if !inZone[op] {
					inZone[op] = true
					s.Zones++
				}
			}
		}
	}
	var out []RoamingGain
	for k, g := range gains {
		for h, n := range hostPop[k] {
			if g.Host == "" || n > hostPop[k][g.Host] || n == hostPop[k][g.Host] && h < g.Host {
				g.Host = h
			}
		}
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b RoamingGain) int {
		return cmp.Or(strings.Compare(a.MCCMNC, b.MCCMNC), cmp.Compare(b.Population, a.Population), strings.Compare(a.Commune, b.Commune))
	})
	var sum []RoamingSummary
	for _, s := range sums {
		s.Population = s.Own + s.Gained
		sum = append(sum, *s)
	}
	slices.SortFunc(sum, func(a, b RoamingSummary) int { return strings.Compare(a.MCCMNC, b.MCCMNC) })
	return sum, out
}
