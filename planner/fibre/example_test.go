package fibre_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/fibre"
	"github.com/taghtia/taghtia/planner/roads"
)

func ExamplePlan() {
	// A road from a PoP through two towns, and a far hamlet on a branch.
	g, err := roads.New(
		[]orb.Point{{-7.60, 33.58}, {-7.50, 33.58}, {-7.40, 33.58}, {-7.40, 33.20}},
		[]roads.Edge{
			{A: 0, B: 1, LengthM: 9300, Class: "primary"},
			{A: 1, B: 2, LengthM: 9300, Class: "primary"},
			{A: 2, B: 3, LengthM: 42000, Class: "track"},
		},
	)
	if err != nil {
		panic(err)
	}
	sites := []fibre.Site{
		{ID: "commune-2", Point: orb.Point{-7.40, 33.58}, Urban: true},
		{ID: "commune-1", Point: orb.Point{-7.50, 33.58}, Urban: true},
		{ID: "hamlet", Point: orb.Point{-7.40, 33.20}},
	}
	pops := []fibre.PoP{{ID: "province-seat", Point: orb.Point{-7.60, 33.58}}}
	p := fibre.Params{
		CivilUrbanMADPerKm: 250000, CivilRuralMADPerKm: 120000, EquipmentMAD: 40000,
		MaxCostMAD: 3e6, SatelliteCapexMAD: 150000, SatelliteOpexMADPerYear: 30000,
	}
	res, err := fibre.Plan(context.Background(), g, sites, pops, p)
	if err != nil {
		panic(err)
	}
	for _, s := range res.Sites {
		fmt.Printf("%-9s %-9s %-4s order %d  new %4.1f km  shared %4.1f km  %8.0f MAD\n", s.ID, s.Tech, s.Reason, s.Order, s.NewKm, s.SharedKm, s.CostMAD)
	}
	t := res.Totals
	fmt.Printf("trench %.1f km vs %.1f km separately (saving %.0f%%), bound %.1f km (half MST %.1f km)\n", t.NewTrenchKm, t.SeparateKm, 100*t.SavingRatio,
		t.LowerBoundKm, t.HalfMSTKm)
	// Output:
	// commune-2 fibre          order 2  new  9.3 km  shared  9.3 km   2365000 MAD
	// commune-1 fibre          order 1  new  9.3 km  shared  0.0 km   2365000 MAD
	// hamlet    satellite cost order 0  new  0.0 km  shared  0.0 km    150000 MAD
	// trench 18.6 km vs 27.9 km separately (saving 33%), bound 18.6 km (half MST 9.3 km)
}
