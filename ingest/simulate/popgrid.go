package simulate

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// clutterRes is the resolution whose cells give a point's density.
const clutterRes = 7

// popGrid is the population in cell order, with what the simulator needs
// per cell.
type popGrid struct {
	cells   []geo.Cell
	pop     []int32
	lon     []float64
	lat     []float64
	clutter []clutter
	cum     []float64            // cumulative crowd weight
	density map[geo.Cell]float64 // people per km² by resolution-7 cell
	total   int64
}

func newPopGrid(cells []data.CellPop) *popGrid {
	sorted := slices.Clone(cells)
	slices.SortFunc(sorted, func(a, b data.CellPop) int { return cmp.Compare(a.Cell, b.Cell) })
	g := &popGrid{density: map[geo.Cell]float64{}}
	sum := map[geo.Cell]int64{}
	for _, c := range sorted {
		if c.Population <= 0 || !c.Cell.IsValid() {
			continue
		}
		if n := len(g.cells); n > 0 && g.cells[n-1] == c.Cell {
			g.pop[n-1] += c.Population
		} else {
			p := geo.CellCenter(c.Cell)
			g.cells = append(g.cells, c.Cell)
			g.pop = append(g.pop, c.Population)
			g.lon = append(g.lon, p[0])
			g.lat = append(g.lat, p[1])
		}
		g.total += int64(c.Population)
	}
	parents := make([]geo.Cell, len(g.cells))
	for i, c := range g.cells {
		parents[i] = geo.Parent(c, clutterRes)
		sum[parents[i]] += int64(g.pop[i])
	}
	g.clutter = make([]clutter, len(g.cells))
	g.cum = make([]float64, len(g.cells))
	w := 0.0
	for i, p := range parents {
		d, ok := g.density[p]
		if !ok {
			d = float64(sum[p]) / math.Max(geo.CellAreaKm2(p), 0.1)
			g.density[p] = d
		}
		g.clutter[i] = clutterOf(d)
		w += float64(g.pop[i]) // crowd draws follow people
		g.cum[i] = w
	}
	return g
}

// clutterAt returns the clutter class at any point: off the grid, rural.
func (g *popGrid) clutterAt(lon, lat float64) clutter {
	c, err := geo.CellAt(orb.Point{lon, lat}, clutterRes)
	if err != nil {
		return rural
	}
	return clutterOf(g.density[c])
}

// drawCell returns a cell index drawn by crowd weight.
func (g *popGrid) drawCell(u float64) int {
	x := u * g.cum[len(g.cum)-1]
	i, _ := slices.BinarySearch(g.cum, x)
	return min(i, len(g.cum)-1)
}
