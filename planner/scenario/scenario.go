package scenario

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strconv"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the built-in scenario file, which documents every key.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }

// Scenario holds every planning parameter. The defaults, with their
// sources, are in default.yaml (see DefaultYAML). Money is in MAD,
// distances in km.
type Scenario struct {
	// Name identifies the scenario in summaries and comparisons; not empty.
	// Default "default".
	Name string `yaml:"name" json:"name"`
	// Description is free text.
	Description string `yaml:"description" json:"description"`

	Fibre     Fibre     `yaml:"fibre" json:"fibre"`
	Satellite Satellite `yaml:"satellite" json:"satellite"`
	Radio     Radio     `yaml:"radio" json:"radio"`
	Roaming   Roaming   `yaml:"roaming" json:"roaming"`
	Budget    Budget    `yaml:"budget" json:"budget"`
	Deadlines Deadlines `yaml:"deadlines" json:"deadlines"`

	// Priority orders the work within the budget. Default
	// population_per_mad.
	Priority Priority `yaml:"priority" json:"priority"`
}

// ByArea is a value for urban and for rural areas.
type ByArea struct {
	Urban float64 `yaml:"urban" json:"urban"`
	Rural float64 `yaml:"rural" json:"rural"`
}

// Fibre are the costs of connecting administrative sites by fibre.
type Fibre struct {
	// CivilWorksMADPerKM is the cost of a new trench per km of route.
	// Defaults (assumptions): urban 220,000, rural 90,000.
	CivilWorksMADPerKM ByArea `yaml:"civil_works_mad_per_km" json:"civil_works_mad_per_km"`
	// EquipmentMADPerSite is the termination and CPE at each site. Default
	// (assumption) 40,000.
	EquipmentMADPerSite float64 `yaml:"equipment_mad_per_site" json:"equipment_mad_per_site"`
	// SpurMADPerSite is the fixed cost of the spur from a site's graph node
	// to its building. Default (assumption) 15,000.
	SpurMADPerSite float64 `yaml:"spur_mad_per_site" json:"spur_mad_per_site"`
	// ProxyDetourFactor multiplies straight-line lengths on the proxy road
	// network; at least 1. Default 1.3 (circuity literature; assumption).
	ProxyDetourFactor float64 `yaml:"proxy_detour_factor" json:"proxy_detour_factor"`
}

// Satellite are the costs of VSAT links and the rules that choose them.
type Satellite struct {
	// VSATCapexMAD is one terminal, installed. Default (assumption) 45,000.
	VSATCapexMAD float64 `yaml:"vsat_capex_mad" json:"vsat_capex_mad"`
	// VSATOpexMADPerYear is bandwidth and maintenance. Default (assumption)
	// 18,000.
	VSATOpexMADPerYear float64 `yaml:"vsat_opex_mad_per_year" json:"vsat_opex_mad_per_year"`
	// FibreCostThresholdMAD: a site whose fibre cost is more than this gets
	// VSAT. Default (assumption) 750,000.
	FibreCostThresholdMAD float64 `yaml:"fibre_cost_threshold_mad" json:"fibre_cost_threshold_mad"`
	// DistanceThresholdKM: a site whose new fibre route is longer than this
	// gets VSAT. Default (assumption) 10.
	DistanceThresholdKM float64 `yaml:"distance_threshold_km" json:"distance_threshold_km"`
	// RuralBySatellite gives VSAT to every rural site. Default true (Maroc
	// Digital 2030).
	RuralBySatellite bool `yaml:"rural_by_satellite" json:"rural_by_satellite"`
}

// Radio are the costs and limits of new 4G sites for white zones.
type Radio struct {
	// CostMADPerSite is one new 4G macro site. Default (assumption)
	// 2,200,000.
	CostMADPerSite float64 `yaml:"cost_mad_per_site" json:"cost_mad_per_site"`
	// OpexMADPerSitePerYear is energy, rent, maintenance, backhaul. Default
	// (assumption) 200,000.
	OpexMADPerSitePerYear float64 `yaml:"opex_mad_per_site_per_year" json:"opex_mad_per_site_per_year"`
	// CoverageTargetShare stops adding sites to a zone once this share of
	// its population is covered; in [0, 1]. Default (assumption) 0.9.
	CoverageTargetShare float64 `yaml:"coverage_target_share" json:"coverage_target_share"`
	// MaxSitesPerZone caps the new sites in one zone; at least 1. Default
	// (assumption) 3.
	MaxSitesPerZone int `yaml:"max_sites_per_zone" json:"max_sites_per_zone"`
	// CandidateRingK is how many H3 rings around a zone hold candidate
	// locations; 0 to 10. Default (assumption) 2.
	CandidateRingK int `yaml:"candidate_ring_k" json:"candidate_ring_k"`
}

// Roaming are the cost and host rule of 4G national roaming for grey zones.
type Roaming struct {
	// CostMADPerZone is the one-off cost per grey zone. Default
	// (assumption) 150,000.
	CostMADPerZone float64 `yaml:"cost_mad_per_zone" json:"cost_mad_per_zone"`
	// HostOperatorRule names the host. Default single_operator_present.
	HostOperatorRule HostRule `yaml:"host_operator_rule" json:"host_operator_rule"`
}

// Budget is the money available per calendar year.
type Budget struct {
	// StartDate is when work may begin; no budget year may be before its
	// year. Default (assumption) 2025-01-01.
	StartDate Date `yaml:"start_date" json:"start_date"`
	// PerYearMAD is the budget of each year; at least one year. A file's
	// map replaces the default whole. Default (assumption) 2025: 1.5
	// billion, 2026: 2 billion.
	PerYearMAD map[Year]float64 `yaml:"per_year_mad" json:"per_year_mad"`
	// CarryOverUnspent adds a year's unspent budget to the next budget
	// year. Default false.
	CarryOverUnspent bool `yaml:"carry_over_unspent" json:"carry_over_unspent"`
}

// Years returns the budget years in order.
func (b Budget) Years() []Year {
	ys := make([]Year, 0, len(b.PerYearMAD))
	for y := range b.PerYearMAD {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Deadlines are the programmes' target dates.
type Deadlines struct {
	// Sites is the deadline of the administrative-site programme (fibre and
	// satellite). Default 2026-12-31 (Maroc Digital 2030).
	Sites Date `yaml:"sites" json:"sites"`
	// Zones is the deadline of the zone programme (new 4G sites and
	// roaming). Default 2026-12-31 (Maroc Digital 2030, PNHD).
	Zones Date `yaml:"zones" json:"zones"`
}

// Of returns the deadline of programme p.
func (d Deadlines) Of(p Programme) Date {
	if p == ProgrammeSites {
		return d.Sites
	}
	return d.Zones
}

// Priority orders the work within the budget.
type Priority string

// Priorities. Ties are broken by item id.
const (
	PriorityPopulationPerMAD Priority = "population_per_mad" // most population per MAD first
	PriorityPopulation       Priority = "population"         // most population first
	PriorityCost             Priority = "cost"               // cheapest first
)

// Priorities lists the valid priorities.
var Priorities = []Priority{PriorityPopulationPerMAD, PriorityPopulation, PriorityCost}

// HostRule says which operator hosts national roaming in a grey zone.
type HostRule string

// Host rules.
const (
	HostSingleOperator HostRule = "single_operator_present" // the one operator serving the zone
	HostNone           HostRule = "none"                    // no roaming: grey zones get new sites
)

// HostRules lists the valid host rules.
var HostRules = []HostRule{HostSingleOperator, HostNone}

// Default returns the built-in scenario (default.yaml).
func Default() Scenario {
	var s Scenario
	if err := decodeInto(&s, defaultYAML, formatYAML, "default.yaml"); err != nil {
		panic("scenario: built-in default.yaml: " + err.Error())
	}
	return s
}

// Validate checks every parameter. Its errors are *FieldError values
// (joined), naming the key path but no line; Parse adds the lines.
func (s Scenario) Validate() error {
	return joinFields(s.validate())
}

func (s Scenario) validate() []*FieldError {
	var errs []*FieldError
	bad := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	// nonNeg checks a cost, threshold or amount.
	nonNeg := func(path string, v float64) {
		switch {
		case math.IsNaN(v):
			bad(path, "is not a number")
		case math.IsInf(v, 0):
			bad(path, "%s is not finite", num(v))
		case v < 0:
			bad(path, "%s is negative", num(v))
		}
	}
	if s.Name == "" {
		bad("name", "is empty")
	}
	nonNeg("fibre.civil_works_mad_per_km.urban", s.Fibre.CivilWorksMADPerKM.Urban)
	nonNeg("fibre.civil_works_mad_per_km.rural", s.Fibre.CivilWorksMADPerKM.Rural)
	nonNeg("fibre.equipment_mad_per_site", s.Fibre.EquipmentMADPerSite)
	nonNeg("fibre.spur_mad_per_site", s.Fibre.SpurMADPerSite)
	if f := s.Fibre.ProxyDetourFactor; !(f >= 1) || math.IsInf(f, 0) {
		bad("fibre.proxy_detour_factor", "%s must be a finite number, at least 1 (a road is never shorter than the straight line)", num(f))
	}
	nonNeg("satellite.vsat_capex_mad", s.Satellite.VSATCapexMAD)
	nonNeg("satellite.vsat_opex_mad_per_year", s.Satellite.VSATOpexMADPerYear)
	nonNeg("satellite.fibre_cost_threshold_mad", s.Satellite.FibreCostThresholdMAD)
	nonNeg("satellite.distance_threshold_km", s.Satellite.DistanceThresholdKM)
	nonNeg("radio.cost_mad_per_site", s.Radio.CostMADPerSite)
	nonNeg("radio.opex_mad_per_site_per_year", s.Radio.OpexMADPerSitePerYear)
	if v := s.Radio.CoverageTargetShare; !(v >= 0 && v <= 1) {
		bad("radio.coverage_target_share", "%s is outside [0, 1]", num(v))
	}
	if v := s.Radio.MaxSitesPerZone; v < 1 {
		bad("radio.max_sites_per_zone", "%d must be at least 1", v)
	}
	if v := s.Radio.CandidateRingK; v < 0 || v > maxRingK {
		bad("radio.candidate_ring_k", "%d is outside [0, %d]", v, maxRingK)
	}
	nonNeg("roaming.cost_mad_per_zone", s.Roaming.CostMADPerZone)
	if !slices.Contains(HostRules, s.Roaming.HostOperatorRule) {
		bad("roaming.host_operator_rule", "%q is not a host rule (%s)", s.Roaming.HostOperatorRule, list(HostRules))
	}
	b := s.Budget
	if b.StartDate.IsZero() {
		bad("budget.start_date", "is missing")
	}
	if len(b.PerYearMAD) == 0 {
		bad("budget.per_year_mad", "has no year")
	}
	for _, y := range b.Years() {
		path := "budget.per_year_mad." + strconv.Itoa(int(y))
		if !b.StartDate.IsZero() && int(y) < b.StartDate.Year() {
			bad(path, "year %d is before budget.start_date %s", y, b.StartDate)
		}
		nonNeg(path, b.PerYearMAD[y])
		if v := b.PerYearMAD[y]; v > maxMAD {
			bad(path, "%s is more than %s MAD", num(v), num(maxMAD))
		}
	}
	for _, d := range []struct {
		path string
		date Date
	}{{"deadlines.sites", s.Deadlines.Sites}, {"deadlines.zones", s.Deadlines.Zones}} {
		switch {
		case d.date.IsZero():
			bad(d.path, "is missing")
		case !b.StartDate.IsZero() && d.date.Before(b.StartDate):
			bad(d.path, "%s is before budget.start_date %s", d.date, b.StartDate)
		}
	}
	if !slices.Contains(Priorities, s.Priority) {
		bad("priority", "%q is not a priority (%s)", s.Priority, list(Priorities))
	}
	return errs
}

const (
	maxRingK = 10
	// maxMAD bounds a yearly budget (about 7 times Morocco's GDP) so that
	// sums in centimes over every budget year fit an int64.
	maxMAD = 1e13
)

// num formats a number as written in a file: 1500000000, not 1.5e+09.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func list[T ~string](vs []T) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += ", "
		}
		s += string(v)
	}
	return s
}
