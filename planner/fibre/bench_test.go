package fibre_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/planner/fibre"
	"github.com/taghtia/taghtia/planner/roads"
)

// benchInstance: 6,300 sites (80 % urban) and 30 PoPs on a proxy graph over
// 30,000 random points in a Morocco-sized box.
func benchInstance(b *testing.B) instance {
	b.Helper()
	r := rand.New(rand.NewPCG(21, 22))
	box := func() orb.Point { return orb.Point{-13 + 12*r.Float64(), 21 + 15*r.Float64()} }
	pts := make([]orb.Point, 30000)
	for i := range pts {
		pts[i] = box()
	}
	g, err := roads.NewProxy(pts, roads.ProxyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	in := instance{g: g, sites: make([]fibre.Site, 6300), pops: make([]fibre.PoP, 30)}
	for i := range in.sites {
		in.sites[i] = fibre.Site{Point: box(), Urban: r.Float64() < 0.8}
	}
	for i := range in.pops {
		in.pops[i] = fibre.PoP{Point: box()}
	}
	return in
}

// BenchmarkPlan plans the benchmark instance (the graph is built outside
// the timing) and reports the plan's trench, its own separate baseline and
// its lower bound as metrics.
func BenchmarkPlan(b *testing.B) {
	in := benchInstance(b)
	p := fibre.Params{CivilUrbanMADPerKm: 250000, CivilRuralMADPerKm: 120000, EquipmentMAD: 40000}
	var res *fibre.Result
	var err error
	b.ReportAllocs()
	for b.Loop() {
		if res, err = fibre.Plan(context.Background(), in.g, in.sites, in.pops, p); err != nil {
			b.Fatal(err)
		}
	}
	t := res.Totals
	if t.Fibre != len(in.sites) || t.LowerBoundKm > t.NewTrenchKm || t.NewTrenchKm > t.SeparateKm {
		b.Fatalf("totals %+v", t)
	}
	b.ReportMetric(t.NewTrenchKm, "trench-km")
	b.ReportMetric(t.SeparateKm, "separate-km")
	b.ReportMetric(t.SavingRatio, "saving")
	b.ReportMetric(t.LowerBoundKm, "bound-km")
	b.ReportMetric(t.GapRatio, "gap")
}

// BenchmarkSeparate is the baseline alone on the same instance: snap
// everything, one multi-source search from the PoPs, each site on its own
// shortest route.
func BenchmarkSeparate(b *testing.B) {
	in := benchInstance(b)
	s := roads.NewSearch(in.g)
	km := 0.0
	b.ReportAllocs()
	for b.Loop() {
		s.Reset()
		for _, p := range in.pops {
			sn, _ := in.g.Snap(p.Point)
			s.Add(sn.Node, sn.DistM)
		}
		s.Run()
		km = 0
		for _, site := range in.sites {
			sn, _ := in.g.Snap(site.Point)
			km += (sn.DistM + s.Dist(sn.Node)) / 1000
		}
	}
	b.ReportMetric(km, "separate-km")
}
