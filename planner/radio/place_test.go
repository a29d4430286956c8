package radio_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/ingest/simulate"
	"github.com/taghtia/taghtia/planner/radio"
)

const good4G = -105.0 // coverage/thresholds.yaml: 4G signal good

var origin = orb.Point{-6.0, 32.0} // somewhere rural in the Middle Atlas

func cellAt(t *testing.T, p orb.Point) geo.Cell {
	t.Helper()
	c, err := geo.CellAt(p, 8)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cluster returns the cells within k steps of the cell at p, each with
// pop people.
func cluster(t *testing.T, p orb.Point, k int, pop int32) []data.CellPop {
	t.Helper()
	var out []data.CellPop
	for _, c := range geo.Disk(cellAt(t, p), k) {
		out = append(out, data.CellPop{Cell: c, Population: pop})
	}
	return out
}

func sum(cs []data.CellPop) int64 {
	var n int64
	for _, c := range cs {
		n += int64(c.Population)
	}
	return n
}

func rural(geo.Cell) float64    { return 10 }
func suburban(geo.Cell) float64 { return 1000 }

// Two rural clusters 20 km apart, farther than two radii (5.1 km): one
// site each, the more populous cluster first.
func TestPlaceTwoClusters(t *testing.T) {
	a := cluster(t, origin, 1, 100)
	b := cluster(t, geo.Offset(origin, 20000, 90), 1, 150)
	zone := append(slices.Clone(a), b...)
	plan, err := radio.Place(zone, radio.Options{TargetDBm: good4G, CostMAD: 2e6})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Sites) != 2 {
		t.Fatalf("%d sites, want 2: %+v", len(plan.Sites), plan.Sites)
	}
	if s := plan.Sites[0]; s.NewPopulation != sum(b) || geo.DistanceM(s.Point, geo.Offset(origin, 20000, 90)) > 5000 {
		t.Errorf("first site %+v, want the 150-people cluster (%d) covered by a site next to it", s, sum(b))
	}
	if s := plan.Sites[1]; s.NewPopulation != sum(a) || s.Covered != sum(a)+sum(b) || s.Share != 1 {
		t.Errorf("second site %+v, want the other cluster and everything covered", s)
	}
	if plan.CostMAD != 4e6 || plan.Covered != plan.Population || plan.Uncovered != 0 || !plan.Reached || len(plan.UncoveredCells) != 0 {
		t.Errorf("plan cost %v covered %d of %d, uncovered %d %v, reached %v; want 4e6, all, none, true",
			plan.CostMAD, plan.Covered, plan.Population, plan.Uncovered, plan.UncoveredCells, plan.Reached)
	}
}

// One compact suburban cluster (radius 1.9 km) of one ring (cells about
// 0.95 km apart): a site at the centre covers every cell, so one site.
func TestPlaceOneDenseCluster(t *testing.T) {
	zone := cluster(t, origin, 1, 2000)
	plan, err := radio.Place(zone, radio.Options{TargetDBm: good4G, CostMAD: 1, Density: suburban})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Sites) != 1 || !plan.Sites[0].InZone || plan.Share != 1 || geo.DistanceM(plan.Sites[0].Point, geo.CellCenter(cellAt(t, origin))) > 1000 {
		t.Errorf("sites %+v share %v, want one site in the cluster covering all", plan.Sites, plan.Share)
	}
}

// Two rural clusters 7 km apart: no cell of one covers the other, but a
// site between them covers both — when the candidate ring reaches it.
func TestPlaceRingFindsSiteBetween(t *testing.T) {
	a := cluster(t, origin, 1, 100)
	b := cluster(t, geo.Offset(origin, 7000, 90), 1, 100)
	zone := append(a, b...)
	near, err := radio.Place(zone, radio.Options{TargetDBm: good4G, Ring: -1, Density: rural})
	if err != nil {
		t.Fatal(err)
	}
	if len(near.Sites) != 2 {
		t.Errorf("zone cells only: %d sites, want 2", len(near.Sites))
	}
	wide, err := radio.Place(zone, radio.Options{TargetDBm: good4G, Ring: 6, Density: rural})
	if err != nil {
		t.Fatal(err)
	}
	if len(wide.Sites) != 1 || wide.Sites[0].InZone || wide.Share != 1 {
		t.Errorf("ring 6: sites %+v share %v, want one site outside the zone covering all", wide.Sites, wide.Share)
	}
}

// isolated returns single rural cells 20 km apart with the given
// populations: each needs its own site.
func isolated(t *testing.T, pops ...int32) []data.CellPop {
	var out []data.CellPop
	for i, p := range pops {
		out = append(out, data.CellPop{Cell: cellAt(t, geo.Offset(origin, float64(i)*20000, 0)), Population: p})
	}
	return out
}

func TestPlaceStopsAtTarget(t *testing.T) {
	zone := isolated(t, 50, 500, 100, 300, 50) // 1,000 people
	cases := []struct {
		name     string
		opt      radio.Options
		want     []int64 // new population per site
		reached  bool
		leftCell int
	}{
		{"80 %", radio.Options{Coverage: 0.8}, []int64{500, 300}, true, 3},
		{"default 95 %", radio.Options{}, []int64{500, 300, 100, 50}, true, 1},
		{"all", radio.Options{Coverage: 1}, []int64{500, 300, 100, 50, 50}, true, 0},
		{"capped", radio.Options{Coverage: 1, MaxSites: 2}, []int64{500, 300}, false, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.TargetDBm, c.opt.CostMAD = good4G, 3e6
			plan, err := radio.Place(zone, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			var cum int64
			for _, s := range plan.Sites {
				got = append(got, s.NewPopulation)
				cum += s.NewPopulation
				if s.Covered != cum || s.Share != float64(cum)/1000 {
					t.Errorf("site %+v: cumulative %d/%v, want %d/%v", s, s.Covered, s.Share, cum, float64(cum)/1000)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("new population per site = %v, want %v", got, c.want)
			}
			if plan.Reached != c.reached || len(plan.UncoveredCells) != c.leftCell || plan.Uncovered != 1000-cum ||
				plan.CostMAD != float64(len(c.want))*3e6 {
				t.Errorf("reached %v, %d uncovered cells (%d people), cost %v; want %v, %d, %d, %v",
					plan.Reached, len(plan.UncoveredCells), plan.Uncovered, plan.CostMAD, c.reached, c.leftCell, 1000-cum, float64(len(c.want))*3e6)
			}
		})
	}
}

func TestPlaceDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var zone []data.CellPop
	for i := range 40 {
		p := geo.Offset(origin, rng.Float64()*15000, rng.Float64()*360)
		zone = append(zone, cluster(t, p, i%3, int32(1+rng.IntN(500)))...)
	}
	opt := radio.Options{TargetDBm: good4G, CostMAD: 1}
	a, err := radio.Place(zone, opt)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(zone)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b, err := radio.Place(shuffled, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("the same zone in another order gave another plan")
	}
	if len(a.Sites) == 0 || !a.Reached {
		t.Errorf("plan %+v, want sites reaching the target", a)
	}
}

// The lazy greedy picks what the plain greedy picks: recompute every
// candidate's gain at each step, best first (ties: smaller cell).
func TestPlaceMatchesPlainGreedy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var zone []data.CellPop
	for range 25 {
		p := geo.Offset(origin, rng.Float64()*12000, rng.Float64()*360)
		zone = append(zone, cluster(t, p, rng.IntN(3), int32(1+rng.IntN(300)))...)
	}
	plan, err := radio.Place(zone, radio.Options{TargetDBm: good4G, Coverage: 1, Ring: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Plain greedy over the same candidates and radius.
	pop := map[geo.Cell]int64{}
	for _, c := range zone {
		pop[c.Cell] += int64(c.Population)
	}
	density := radio.Density(zone)
	cand := map[geo.Cell]bool{}
	for c := range pop {
		for _, d := range geo.Disk(c, 1) {
			cand[d] = true
		}
	}
	cands := slices.Sorted(func(yield func(geo.Cell) bool) {
		for c := range cand {
			if !yield(c) {
				return
			}
		}
	})
	covered := map[geo.Cell]bool{}
	var want []geo.Cell
	for {
		best, bestGain := geo.Cell(0), int64(0)
		for _, s := range cands {
			var g int64
			for c, p := range pop {
				r := simulate.CoverageRadiusKm(data.Tech4G, simulate.ClutterOf(density(c)), good4G)
				if !covered[c] && geo.DistanceM(geo.CellCenter(s), geo.CellCenter(c)) <= 1000*r {
					g += p
				}
			}
			if g > bestGain {
				best, bestGain = s, g
			}
		}
		if bestGain == 0 {
			break
		}
		want = append(want, best)
		for c := range pop {
			r := simulate.CoverageRadiusKm(data.Tech4G, simulate.ClutterOf(density(c)), good4G)
			if geo.DistanceM(geo.CellCenter(best), geo.CellCenter(c)) <= 1000*r {
				covered[c] = true
			}
		}
	}
	var got []geo.Cell
	for _, s := range plan.Sites {
		got = append(got, s.Cell)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lazy greedy chose %v, plain greedy %v", got, want)
	}
}

func TestPlaceEmptyZone(t *testing.T) {
	plan, err := radio.Place([]data.CellPop{{Cell: cellAt(t, origin)}}, radio.Options{TargetDBm: good4G})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Sites) != 0 || plan.Population != 0 || !plan.Reached {
		t.Errorf("empty zone plan %+v, want no site", plan)
	}
}

func TestPlaceRejectsOptions(t *testing.T) {
	zone := isolated(t, 10)
	cases := []struct {
		name string
		opt  radio.Options
	}{
		{"no target", radio.Options{}},
		{"NaN target", radio.Options{TargetDBm: math.NaN()}},
		{"negative cost", radio.Options{TargetDBm: good4G, CostMAD: -1}},
		{"coverage above 1", radio.Options{TargetDBm: good4G, Coverage: 1.5}},
		{"negative coverage", radio.Options{TargetDBm: good4G, Coverage: -0.1}},
		{"negative cap", radio.Options{TargetDBm: good4G, MaxSites: -1}},
		{"5G not modelled", radio.Options{TargetDBm: good4G, Tech: data.Tech5G}},
		{"out of reach", radio.Options{TargetDBm: 40}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := radio.Place(zone, c.opt); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("Place with %+v = %v, want data.ErrInvalid", c.opt, err)
			}
		})
	}
}

func TestDensityMatchesClutter(t *testing.T) {
	c := cellAt(t, origin)
	parent := geo.Parent(c, simulate.ClutterResolution)
	d := radio.Density([]data.CellPop{{Cell: c, Population: 20000}})
	want := 20000 / geo.CellAreaKm2(parent)
	if got := d(c); math.Abs(got-want) > 1e-9 {
		t.Errorf("density = %v, want %v", got, want)
	}
	if got := simulate.ClutterOf(d(c)); got != simulate.ClutterUrban {
		t.Errorf("clutter of %v people/km² = %v, want urban", d(c), got)
	}
	if got := d(cellAt(t, geo.Offset(origin, 50000, 0))); got != 0 {
		t.Errorf("density off the grid = %v, want 0", got)
	}
}
