package radio

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/ingest/simulate"
)

// Defaults of Options.
const (
	DefaultCoverage = 0.95 // share of the zone's population to cover
	DefaultRing     = 2    // candidate cells around the zone, in H3 steps
)

// Options tune Place.
type Options struct {
	// TargetDBm is the median signal a cell centre must receive to be
	// covered: the threshold's "good" level for Tech (−105 dBm RSRP for 4G
	// in coverage/thresholds.yaml). Required.
	TargetDBm float64
	// Tech of the new sites; default data.Tech4G. The model has 2G-4G.
	Tech data.Tech
	// CostMAD is the cost of one site in MAD (≥ 0).
	CostMAD float64
	// Coverage is the share of the zone's population to cover, in (0, 1];
	// default DefaultCoverage.
	Coverage float64
	// MaxSites caps the sites per zone; 0: no cap.
	MaxSites int
	// Ring is how many H3 steps around the zone's cells candidates reach;
	// 0: DefaultRing; negative: the zone's cells only.
	Ring int
	// Density gives the population density (people/km²) that sets a
	// cell's clutter. Default: Density of the zone's own cells; pass
	// Density of the national grid to match the simulator exactly.
	Density func(geo.Cell) float64
}

// Site is one chosen site.
type Site struct {
	Cell   geo.Cell  // candidate cell; the site stands at its centre
	Point  orb.Point // the cell's centre
	InZone bool      // the cell is one of the zone's
	// NewPopulation is the population this site covers that no earlier
	// site did.
	NewPopulation int64
	Covered       int64   // population covered by this site and the earlier ones
	Share         float64 // Covered over the zone's population
}

// Plan is the result for one zone.
type Plan struct {
	Sites          []Site // in the order chosen
	CostMAD        float64
	Population     int64 // the zone's population
	Covered        int64
	Uncovered      int64
	UncoveredCells []geo.Cell // populated cells left uncovered, sorted
	Share          float64    // Covered over Population
	Reached        bool       // Share reached Options.Coverage
	// RadiusKm is the coverage radius by clutter class (indexed by
	// simulate.Clutter, dense urban first).
	RadiusKm [4]float64
}

// Density returns the population density function of the simulator:
// the people per km² of a cell's resolution-7 parent, summed over cells
// (populated children) and divided by the parent's area. Cells finer than
// resolution 7 are expected; a coarser or unknown cell has density 0.
func Density(cells []data.CellPop) func(geo.Cell) float64 {
	sum := map[geo.Cell]int64{}
	for _, c := range cells {
		if c.Population > 0 && c.Cell.IsValid() && c.Cell.Resolution() >= simulate.ClutterResolution {
			sum[geo.Parent(c.Cell, simulate.ClutterResolution)] += int64(c.Population)
		}
	}
	d := make(map[geo.Cell]float64, len(sum))
	for p, n := range sum {
		d[p] = float64(n) / math.Max(geo.CellAreaKm2(p), 0.1)
	}
	return func(c geo.Cell) float64 {
		if !c.IsValid() || c.Resolution() < simulate.ClutterResolution {
			return 0
		}
		return d[geo.Parent(c, simulate.ClutterResolution)]
	}
}

// Place chooses new sites for one zone, given its populated cells (cells
// listed twice are summed; cells without population are ignored). It
// returns an error wrapping data.ErrInvalid for invalid options.
func Place(zone []data.CellPop, opt Options) (Plan, error) {
	if err := opt.fill(); err != nil {
		return Plan{}, err
	}
	var plan Plan
	for c := simulate.ClutterDenseUrban; c <= simulate.ClutterRural; c++ {
		plan.RadiusKm[c] = simulate.CoverageRadiusKm(opt.Tech, c, opt.TargetDBm)
	}
	cells, pops := merge(zone)
	for _, p := range pops {
		plan.Population += p
	}
	if plan.Population == 0 {
		plan.Reached = true
		return plan, nil
	}
	density := opt.Density
	if density == nil {
		density = Density(zone)
	}
	radiusM := make([]float64, len(cells))
	centres := make([]orb.Point, len(cells))
	inZone := make(map[geo.Cell]bool, len(cells))
	for i, c := range cells {
		radiusM[i] = 1000 * plan.RadiusKm[simulate.ClutterOf(density(c))]
		centres[i] = geo.CellCenter(c)
		inZone[c] = true
	}
	cands := candidates(cells, opt.Ring)
	cover := coverLists(cands, cells, centres, radiusM)

	cost := opt.CostMAD
	if cost == 0 {
		cost = 1 // free sites: rank by population alone
	}
	covered := make([]bool, len(cells))
	gain := func(j int) int64 {
		var g int64
		for _, i := range cover[j] {
			if !covered[i] {
				g += pops[i]
			}
		}
		return g
	}
	h := &gainHeap{}
	for j := range cands {
		if g := gain(j); g > 0 {
			h.items = append(h.items, gainItem{key: float64(g) / cost, cand: j})
		}
	}
	heap.Init(h)
	goal := int64(math.Ceil(opt.Coverage*float64(plan.Population) - 1e-9))
	for plan.Covered < goal && h.Len() > 0 && (opt.MaxSites == 0 || len(plan.Sites) < opt.MaxSites) {
		top := heap.Pop(h).(gainItem)
		g := gain(top.cand)
		if g == 0 {
			continue // gains only fall: useless from now on
		}
		fresh := gainItem{key: float64(g) / cost, cand: top.cand}
		if h.Len() > 0 && h.less(h.items[0], fresh) {
			heap.Push(h, fresh) // no longer the best: re-queue with its true gain
			continue
		}
		for _, i := range cover[top.cand] {
			covered[i] = true
		}
		plan.Covered += g
		c := cands[top.cand]
		plan.Sites = append(plan.Sites, Site{Cell: c, Point: geo.CellCenter(c), InZone: inZone[c], NewPopulation: g,
			Covered: plan.Covered, Share: float64(plan.Covered) / float64(plan.Population)})
	}
	for i, c := range cells {
		if !covered[i] {
			plan.UncoveredCells = append(plan.UncoveredCells, c)
		}
	}
	plan.Uncovered = plan.Population - plan.Covered
	plan.Share = float64(plan.Covered) / float64(plan.Population)
	plan.Reached = plan.Covered >= goal
	plan.CostMAD = float64(len(plan.Sites)) * opt.CostMAD
	return plan, nil
}

func (o *Options) fill() error {
	if o.TargetDBm == 0 || math.IsNaN(o.TargetDBm) || math.IsInf(o.TargetDBm, 0) {
		return fmt.Errorf("radio: %w: target signal %v dBm; expected the threshold's good level for the technology (e.g. -105 for 4G)", data.ErrInvalid, o.TargetDBm)
	}
	if o.Tech == 0 {
		o.Tech = data.Tech4G
	}
	if simulate.CoverageRadiusKm(o.Tech, simulate.ClutterRural, o.TargetDBm) == 0 {
		return fmt.Errorf("radio: %w: the radio model gives %s no reach at %v dBm", data.ErrInvalid, o.Tech, o.TargetDBm)
	}
	if o.CostMAD < 0 || math.IsNaN(o.CostMAD) || math.IsInf(o.CostMAD, 0) {
		return fmt.Errorf("radio: %w: site cost %v MAD; expected a non-negative amount", data.ErrInvalid, o.CostMAD)
	}
	if o.Coverage == 0 {
		o.Coverage = DefaultCoverage
	}
	if !(o.Coverage > 0 && o.Coverage <= 1) {
		return fmt.Errorf("radio: %w: coverage target %v; expected a share in (0, 1]", data.ErrInvalid, o.Coverage)
	}
	if o.MaxSites < 0 {
		return fmt.Errorf("radio: %w: max sites %d; expected 0 (no cap) or more", data.ErrInvalid, o.MaxSites)
	}
	if o.Ring == 0 {
		o.Ring = DefaultRing
	} else if o.Ring < 0 {
		o.Ring = 0
	}
	return nil
}

// merge sums the population of repeated cells and drops empty ones,
// sorted by cell.
func merge(zone []data.CellPop) ([]geo.Cell, []int64) {
	sorted := slices.Clone(zone)
	slices.SortFunc(sorted, func(a, b data.CellPop) int { return cmp.Compare(a.Cell, b.Cell) })
	var cells []geo.Cell
	var pops []int64
	for _, c := range sorted {
		if c.Population <= 0 || !c.Cell.IsValid() {
			continue
		}
		if n := len(cells); n > 0 && cells[n-1] == c.Cell {
			pops[n-1] += int64(c.Population)
			continue
		}
		cells = append(cells, c.Cell)
		pops = append(pops, int64(c.Population))
	}
	return cells, pops
}

// candidates returns the zone's cells and the cells within ring steps of
// them, sorted.
func candidates(cells []geo.Cell, ring int) []geo.Cell {
	seen := make(map[geo.Cell]bool, len(cells)*3)
	var out []geo.Cell
	for _, c := range cells {
		for _, d := range geo.Disk(c, ring) {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// coverLists returns, per candidate, the indices of the zone cells whose
// centre lies within their radius of the candidate's centre (ascending).
// Candidates are bucketed on a local equirectangular grid of the largest
// radius (widened by 10 % for the projection), and every pair found in
// neighbouring buckets is checked with the great-circle distance.
func coverLists(cands, cells []geo.Cell, centres []orb.Point, radiusM []float64) [][]int32 {
	maxR := slices.Max(radiusM)
	cover := make([][]int32, len(cands))
	if maxR <= 0 {
		return cover
	}
	lat0 := 0.0
	for _, p := range centres {
		lat0 += p[1]
	}
	lat0 /= float64(len(centres))
	kx := 111320 * math.Cos(lat0*math.Pi/180)
	const ky = 110574.0
	size := maxR * 1.1
	key := func(p orb.Point) [2]int {
		return [2]int{int(math.Floor(p[0] * kx / size)), int(math.Floor(p[1] * ky / size))}
	}
	cpts := make([]orb.Point, len(cands))
	buckets := map[[2]int][]int32{}
	for j, c := range cands {
		cpts[j] = geo.CellCenter(c)
		k := key(cpts[j])
		buckets[k] = append(buckets[k], int32(j))
	}
	for i, p := range centres {
		if radiusM[i] <= 0 {
			continue
		}
		k := key(p)
		near := 1.1 * radiusM[i] // projected pre-filter, before the exact distance
		near *= near
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, j := range buckets[[2]int{k[0] + dx, k[1] + dy}] {
					ex, ey := (cpts[j][0]-p[0])*kx, (cpts[j][1]-p[1])*ky
					if ex*ex+ey*ey <= near && geo.DistanceM(p, cpts[j]) <= radiusM[i] {
						cover[j] = append(cover[j], int32(i))
					}
				}
			}
		}
	}
	return cover
}

// gainItem is a candidate with an upper bound of its gain per MAD.
type gainItem struct {
	key  float64
	cand int // index in the sorted candidates: ties go to the smaller
}

// gainHeap is a max-heap of candidates by key, then smaller index.
type gainHeap struct{ items []gainItem }

func (h *gainHeap) less(a, b gainItem) bool {
	return a.key > b.key || a.key == b.key && a.cand < b.cand
}
func (h *gainHeap) Len() int           { return len(h.items) }
func (h *gainHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *gainHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *gainHeap) Push(x any)         { h.items = append(h.items, x.(gainItem)) }
func (h *gainHeap) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	h.items = h.items[:n]
	return x
}
