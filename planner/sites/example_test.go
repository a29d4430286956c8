package sites_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/sites"
)

func ExampleSite_Feature() {
	s := sites.Site{ID: "commune_seat-01.051.01.05", Name: "Commune Imzouren", Kind: sites.KindCommuneSeat,
		Commune: "01.051.01.05", Urban: true, Point: orb.Point{-3.85, 35.14}}
	f := s.Feature()
	fmt.Println(f.Layer, f.ID, f.Props["kind"], f.Props["urban"])
	back, _ := sites.FromFeature(f)
	fmt.Println(back == s)
	// Output:
	// sites commune_seat-01.051.01.05 commune_seat true
	// true
}

func ExampleDemo() {
	opt := fixture() // two communes, one urban; 10 urban sites wanted
	set, err := sites.Demo(opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	sum := sites.Summarize(set.Sites)
	fmt.Printf("%d urban (%d synthetic), %d rural\n", sum.Urban, sum.Synthetic, sum.Rural)
	for _, k := range []sites.Kind{sites.KindCommuneSeat, sites.KindHospital, sites.KindClinic, sites.KindProvinceSeat, sites.KindRegionSeat, sites.KindAdminOffice} {
		fmt.Println(k, sum.ByKind[k])
	}
	fmt.Println(len(set.PoPs), "PoP, assumption:", set.PoPs[0].Assumption)
	// Output:
	// 10 urban (6 synthetic), 2 rural
	// commune_seat 2
	// hospital 1
	// clinic 1
	// province_seat 1
	// region_seat 1
	// admin_office 6
	// 1 PoP, assumption: true
}
