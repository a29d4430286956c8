package roads

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
)

// grid buckets points into lon/lat cells for exact radius queries.
type grid struct {
	pts        []orb.Point
	min        orb.Point
	cell       float64 // degrees
	nx, ny     int
	start, idx []int32 // points of cell c: idx[start[c]:start[c+1]]
}

func newGrid(pts []orb.Point) *grid {
	b := orb.MultiPoint(pts).Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	// About two points per cell.
	cell := math.Sqrt(math.Max(w*h, 1e-12) / float64(len(pts)) * 2)
	if cell <= 0 || math.IsNaN(cell) {
		cell = 1e-6
	}
	gr := &grid{pts: pts, min: b.Min, cell: cell}
	gr.nx = min(int(w/cell)+1, 1<<15)
	gr.ny = min(int(h/cell)+1, 1<<15)
	for gr.nx*gr.ny > 4*len(pts)+16 { // a long thin box: coarsen
		gr.cell *= 2
		gr.nx, gr.ny = int(w/gr.cell)+1, int(h/gr.cell)+1
	}
	gr.start = make([]int32, gr.nx*gr.ny+1)
	cells := make([]int32, len(pts))
	for i, p := range pts {
		c := gr.cellOf(p)
		cells[i] = int32(c)
		gr.start[c+1]++
	}
	for i := 1; i < len(gr.start); i++ {
		gr.start[i] += gr.start[i-1]
	}
	gr.idx = make([]int32, len(pts))
	fill := make([]int32, len(gr.start)-1)
	copy(fill, gr.start)
	for i, c := range cells {
		gr.idx[fill[c]] = int32(i)
		fill[c]++
	}
	return gr
}

func (gr *grid) xy(p orb.Point) (int, int) {
	x := int((p[0] - gr.min[0]) / gr.cell)
	y := int((p[1] - gr.min[1]) / gr.cell)
	return min(max(x, 0), gr.nx-1), min(max(y, 0), gr.ny-1)
}

func (gr *grid) cellOf(p orb.Point) int {
	x, y := gr.xy(p)
	return y*gr.nx + x
}

// within calls fn for every point at great-circle distance ≤ r metres from
// p (and possibly some farther: fn checks). The box searched holds the
// whole spherical cap of radius r, so no point within r is missed.
func (gr *grid) within(p orb.Point, r float64, fn func(i int32)) {
	dLat := r / geo.EarthRadiusM * 180 / math.Pi
	dLon := 180.0
	lat := p[1] * math.Pi / 180
	if s := math.Sin(r/geo.EarthRadiusM) / math.Cos(lat); s < 1 && r < geo.EarthRadiusM*math.Pi/2 {
		dLon = math.Asin(s) * 180 / math.Pi
	}
	x0, y0 := gr.xy(orb.Point{p[0] - dLon, p[1] - dLat})
	x1, y1 := gr.xy(orb.Point{p[0] + dLon, p[1] + dLat})
	for y := y0; y <= y1; y++ {
		row := y * gr.nx
		for _, i := range gr.idx[gr.start[row+x0]:gr.start[row+x1+1]] {
			fn(i)
		}
	}
}
