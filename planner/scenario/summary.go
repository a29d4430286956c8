package scenario

// Summary is a scenario's result as the API returns it (GET
// /api/v1/scenarios/{id}): its parameters, cost and reach per technology,
// and its schedule. Field names are snake_case with units (_mad, _km,
// _mad_per_year); populations are people; every cost_mad is capital cost.
type Summary struct {
	Scenario     Scenario     `json:"scenario"`
	ByTechnology ByTechnology `json:"by_technology"`
	Total        TechTotals   `json:"total"`
	// FibreNetwork describes the planned trenches; the fibre planner fills
	// it (Summarize leaves it nil, and JSON leaves it out).
	FibreNetwork *FibreNetwork `json:"fibre_network,omitempty"`
	Schedule     Timeline      `json:"schedule"`
}

// ByTechnology holds one TechTotals per kind of work.
type ByTechnology struct {
	Fibre     TechTotals `json:"fibre"`
	Satellite TechTotals `json:"satellite"`
	Site4G    TechTotals `json:"site4g"`
	Roaming   TechTotals `json:"roaming"`
}

// Of returns the totals of kind k.
func (b *ByTechnology) Of(k Kind) *TechTotals {
	switch k {
	case KindFibre:
		return &b.Fibre
	case KindSatellite:
		return &b.Satellite
	case KindSite4G:
		return &b.Site4G
	}
	return &b.Roaming
}

// TechTotals are one technology's planned items (the embedded Totals,
// flattened in JSON), their running cost, and how much of them the budget
// funds and the deadline sees done.
type TechTotals struct {
	Totals
	// OpexMADPerYear is the yearly running cost of the planned items once
	// built: VSAT terminals (satellite admin sites x
	// satellite.vsat_opex_mad_per_year) and new 4G sites (radio sites x
	// radio.opex_mad_per_site_per_year); the scenario has no opex for
	// fibre or roaming.
	OpexMADPerYear float64 `json:"opex_mad_per_year"`
	Funded         Totals  `json:"funded"`           // funded in some budget year
	DoneByDeadline Totals  `json:"done_by_deadline"` // done by its programme's deadline
}

// FibreNetwork describes the trenches of a fibre plan, and how good the
// shared-trench heuristic is.
type FibreNetwork struct {
	NewTrenchKM    float64 `json:"new_trench_km"`    // trench dug, each shared km counted once
	SharedTrenchKM float64 `json:"shared_trench_km"` // sum over sites of the km their route to the PoP runs in earlier sites' trench (what sharing saved)
	// SeparateRoutesKM and SeparateRoutesCostMAD connect every site on
	// its own, the comparison for the saving.
	SeparateRoutesKM      float64 `json:"separate_routes_km"`
	SeparateRoutesCostMAD float64 `json:"separate_routes_cost_mad"`
	SavingMAD             float64 `json:"saving_mad"`     // separate routes' cost - the plan's fibre cost
	LowerBoundKM          float64 `json:"lower_bound_km"` // no network connecting the sites is shorter: the larger of
	HalfMSTKM             float64 `json:"half_mst_km"`    // half the MST of the metric closure and
	DualAscentKM          float64 `json:"dual_ascent_km"` // a dual-ascent bound (planner/fibre)
	// ProxyRoads is true when routes follow the proxy network over
	// settlements, not a real road layer.
	ProxyRoads bool `json:"proxy_roads"`
}

// Summarize builds the summary of a schedule tl made by Schedule(s, …).
func Summarize(s Scenario, tl Timeline) Summary {
	sum := Summary{Scenario: s, Schedule: tl}
	acc := map[Kind]*[3]tally{} // planned, funded, done by deadline
	for _, k := range Kinds {
		acc[k] = &[3]tally{}
	}
	for _, e := range tl.Items {
		w := &work{Item: Item{ID: e.ID, Kind: e.Kind, Population: e.Population, Sites: e.Sites}, cents: toCents(e.CostMAD)}
		a, ok := acc[e.Kind]
		if !ok {
			continue
		}
		a[0].add(w)
		if e.Funded() {
			a[1].add(w)
			if !s.Deadlines.Of(e.Kind.Programme()).Before(endOfYear(e.Year)) {
				a[2].add(w)
			}
		}
	}
	var total [3]tally
	for _, k := range Kinds {
		a := acc[k]
		t := sum.ByTechnology.Of(k)
		t.Totals, t.Funded, t.DoneByDeadline = a[0].totals(), a[1].totals(), a[2].totals()
		switch k {
		case KindSatellite:
			t.OpexMADPerYear = roundCents(float64(t.AdminSitesConnected) * s.Satellite.VSATOpexMADPerYear)
		case KindSite4G:
			t.OpexMADPerYear = roundCents(float64(t.RadioSitesBuilt) * s.Radio.OpexMADPerSitePerYear)
		}
		for i := range total {
			total[i].merge(a[i])
		}
		sum.Total.OpexMADPerYear += t.OpexMADPerYear
	}
	sum.Total.Totals, sum.Total.Funded, sum.Total.DoneByDeadline = total[0].totals(), total[1].totals(), total[2].totals()
	sum.Total.OpexMADPerYear = roundCents(sum.Total.OpexMADPerYear)
	return sum
}

func roundCents(mad float64) float64 { return toMAD(toCents(mad)) }
