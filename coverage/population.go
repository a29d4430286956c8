package coverage

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// SpreadOptions tune how census population is spread onto cells.
type SpreadOptions struct {
	Resolution int
	// Dispersed is the share of a commune's population spread evenly over
	// its cells; the rest follows settlement evidence (places and
	// facilities). Defaults: 0.3 rural, 0.1 urban.
	DispersedRural float64
	DispersedUrban float64
	Progress       func(done, total int)
}

// Spread distributes the population of areas (communes, or provinces when
// a pack has no communes) onto H3 cells and returns one CellPop per
// populated cell, ordered by cell. The integer populations of an area's
// cells are rounded so that the grid sums exactly to the census total of
// the placed areas (largest-remainder rounding).
//
// Method: the cells of an area are those whose centre lies in its polygon
// (the cell under a representative point when none does). A share of the
// population (Dispersed) is spread evenly; the rest is spread in
// proportion to a settlement weight: each point of points (populated
// places weighted by their population in thousands, facilities by one)
// adds 1.25 times its weight to its cell, 0.75 to each of the six
// neighbours and 0.25 to each cell of the next ring. An area with no settlement evidence is spread evenly. An area
// without geometry is spread over the cells of the areas with the same
// Parent, in proportion to their weights; with no such area it is left out
// and reported in the returned count.
func Spread(ctx context.Context, areas []data.Area, points []data.Place, opt SpreadOptions) ([]data.CellPop, int64, error) {
	if opt.DispersedRural == 0 {
		opt.DispersedRural = 0.3
	}
	if opt.DispersedUrban == 0 {
		opt.DispersedUrban = 0.1
	}
	res := opt.Resolution
	settle := map[geo.Cell]float64{}
	for _, p := range points {
		w := 1.0
		if p.Population > 0 {
			w = float64(p.Population) / 1000
		}
		c, err := geo.CellAt(p.Point, res)
		if err != nil {
			continue
		}
		settle[c] += w
		for _, n := range geo.Neighbors(c) {
			settle[n] += w / 2
		}
		ring2 := geo.Disk(c, 2)
		for _, n := range ring2 {
			settle[n] += w / 4
		}
	}

	type areaCells struct {
		area  *data.Area
		cells []geo.Cell
	}
	owner := map[geo.Cell]int{} // cell -> index in placed
	var placed []areaCells
	var orphans []*data.Area
	for i := range areas {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		a := &areas[i]
		if opt.Progress != nil && i%50 == 0 {
			opt.Progress(i, len(areas))
		}
		if len(a.Geom) == 0 {
			orphans = append(orphans, a)
			continue
		}
		cells, err := geo.CellsInPolygon(a.Geom, res)
		if err != nil {
			return nil, 0, fmt.Errorf("cells of %s %s: %w", a.Level, a.Code, err)
		}
		kept := cells[:0]
		for _, c := range cells {
			if _, taken := owner[c]; !taken {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			c, err := geo.CellAt(representative(a.Geom), res)
			if err != nil {
				return nil, 0, fmt.Errorf("cell of %s %s: %w", a.Level, a.Code, err)
			}
			kept = append(kept, c)
		}
		idx := len(placed)
		for _, c := range kept {
			owner[c] = idx
		}
		placed = append(placed, areaCells{area: a, cells: kept})
	}

	pop := map[geo.Cell]float64{}
	commune := map[geo.Cell]string{}
	var result []data.CellPop
	distribute := func(code string, total int64, cells []geo.Cell, weights []float64) {
		sum := 0.0
		for _, w := range weights {
			sum += w
		}
		shares := make([]float64, len(cells))
		for i := range cells {
			if sum > 0 {
				shares[i] = float64(total) * weights[i] / sum
			} else {
				shares[i] = float64(total) / float64(len(cells))
			}
		}
		for i, c := range cells {
			pop[c] += shares[i]
			if _, ok := commune[c]; !ok {
				commune[c] = code
			}
		}
	}
	weightsOf := func(a *data.Area, cells []geo.Cell) []float64 {
		disp := opt.DispersedRural
		if a.Type == "urban" {
			disp = opt.DispersedUrban
		}
		sw := make([]float64, len(cells))
		tot := 0.0
		for i, c := range cells {
			sw[i] = settle[c]
			tot += sw[i]
		}
		w := make([]float64, len(cells))
		for i := range cells {
			if tot == 0 {
				w[i] = 1
				continue
			}
			w[i] = disp/float64(len(cells)) + (1-disp)*sw[i]/tot
		}
		return w
	}
	byParent := map[string][]int{}
	for i, pa := range placed {
		distribute(pa.area.Code, pa.area.Population, pa.cells, weightsOf(pa.area, pa.cells))
		byParent[pa.area.Parent] = append(byParent[pa.area.Parent], i)
	}
	var unplaced int64
	for _, a := range orphans {
		var cells []geo.Cell
		for _, i := range byParent[a.Parent] {
			cells = append(cells, placed[i].cells...)
		}
		if a.Parent == "" || len(cells) == 0 {
			unplaced += a.Population
			continue
		}
		w := make([]float64, len(cells))
		for i, c := range cells {
			w[i] = pop[c]
		}
		distribute(a.Code, a.Population, cells, w)
	}

	// Integer rounding that keeps the total: floor every cell, then give the
	// remaining people to the cells with the largest remainders.
	cells := make([]geo.Cell, 0, len(pop))
	for c := range pop {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	var want float64
	for _, c := range cells {
		want += pop[c]
	}
	type rem struct {
		i int
		r float64
	}
	ints := make([]int64, len(cells))
	rems := make([]rem, len(cells))
	var got int64
	for i, c := range cells {
		f := math.Floor(pop[c])
		ints[i] = int64(f)
		got += ints[i]
		rems[i] = rem{i, pop[c] - f}
	}
	short := int64(math.Round(want)) - got
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := int64(0); k < short && int(k) < len(rems); k++ {
		ints[rems[k].i]++
	}
	result = make([]data.CellPop, 0, len(cells))
	for i, c := range cells {
		if ints[i] == 0 {
			continue
		}
		result = append(result, data.CellPop{Cell: c, Population: int32(ints[i]), Commune: commune[c]})
	}
	return result, unplaced, nil
}

// representative returns a point inside (or on) the largest polygon of mp.
func representative(mp orb.MultiPolygon) orb.Point {
	best, bestArea := 0, -1.0
	for i, p := range mp {
		if a := math.Abs(planar.Area(p)); a > bestArea {
			best, bestArea = i, a
		}
	}
	c, _ := planar.CentroidArea(mp[best])
	if planar.PolygonContains(mp[best], c) {
		return c
	}
	return mp[best][0][0]
}
