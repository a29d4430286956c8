package fibre

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// ErrInvalid reports parameters or inputs that cannot be planned.
var ErrInvalid = errors.New("fibre: invalid input")

// Site is an administrative site to connect.
type Site struct {
	ID    string
	Point orb.Point
	Urban bool // urban sites pay the urban civil-works rate; rural ones may go to satellite
}

// PoP is a fibre point of presence: where the backbone already is.
type PoP struct {
	ID    string
	Point orb.Point
}

// Params are a scenario's fibre and satellite parameters. Amounts are MAD.
type Params struct {
	CivilUrbanMADPerKm float64 // trench and civil works per km, for a new route serving an urban site
	CivilRuralMADPerKm float64 // the same, serving a rural site
	EquipmentMAD       float64 // per site connected by fibre

	// Thresholds for satellite; 0 means none. A site goes to satellite when
	// its marginal fibre cost, or its new route, is strictly greater.
	MaxCostMAD float64
	MaxRouteKm float64
	// RuralBySatellite connects every rural site by satellite.
	RuralBySatellite bool

	SatelliteCapexMAD       float64 // per site (VSAT terminal, installation)
	SatelliteOpexMADPerYear float64 // per site
}

// Validate returns an error wrapping [ErrInvalid] naming the first negative
// or non-finite parameter.
func (p Params) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"civil_urban_mad_per_km", p.CivilUrbanMADPerKm},
		{"civil_rural_mad_per_km", p.CivilRuralMADPerKm},
		{"equipment_mad", p.EquipmentMAD},
		{"max_cost_mad", p.MaxCostMAD},
		{"max_route_km", p.MaxRouteKm},
		{"satellite_capex_mad", p.SatelliteCapexMAD},
		{"satellite_opex_mad_per_year", p.SatelliteOpexMADPerYear},
	} {
		if !(f.v >= 0) || math.IsInf(f.v, 1) {
			return fmt.Errorf("%w: %s is %v, want a finite amount ≥ 0", ErrInvalid, f.name, f.v)
		}
	}
	return nil
}

func (p Params) rate(s Site) float64 {
	if s.Urban {
		return p.CivilUrbanMADPerKm
	}
	return p.CivilRuralMADPerKm
}

func validPoint(p orb.Point) bool {
	return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}
