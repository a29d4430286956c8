package radio_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/ingest/simulate"
	"github.com/taghtia/taghtia/planner/radio"
)

func ExamplePlace() {
	// A white zone of two villages 20 km apart, each a cell and its six
	// neighbours.
	var zone []data.CellPop
	for i, pop := range []int32{120, 80} {
		c, _ := geo.CellAt(geo.Offset(orb.Point{-6.0, 32.0}, float64(i)*20000, 90), 8)
		for _, d := range geo.Disk(c, 1) {
			zone = append(zone, data.CellPop{Cell: d, Population: pop})
		}
	}
	plan, err := radio.Place(zone, radio.Options{
		TargetDBm: -105,  // 4G "good" in coverage/thresholds.yaml
		CostMAD:   2.5e6, // one new 4G site
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range plan.Sites {
		fmt.Printf("site: +%d people, %.0f %% covered\n", s.NewPopulation, 100*s.Share)
	}
	fmt.Printf("%d sites, %.1f M MAD, %d of %d people, rural radius %.1f km\n",
		len(plan.Sites), plan.CostMAD/1e6, plan.Covered, plan.Population, plan.RadiusKm[simulate.ClutterRural])
	// Output:
	// site: +840 people, 60 % covered
	// site: +560 people, 100 % covered
	// 2 sites, 5.0 M MAD, 1400 of 1400 people, rural radius 5.1 km
}

func ExampleDensity() {
	c, _ := geo.CellAt(orb.Point{-7.6, 33.59}, 8) // Casablanca
	grid := []data.CellPop{{Cell: c, Population: 60000}}
	d := radio.Density(grid)(c)
	fmt.Println(simulate.ClutterOf(d), simulate.CoverageRadiusKm(data.Tech4G, simulate.ClutterOf(d), -105) < 1)
	// Output: dense_urban true
}
