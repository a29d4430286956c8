package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// Cell is an H3 cell index.
type Cell = h3.Cell

// MaxResolution is the finest H3 resolution.
const MaxResolution = 15

// ErrInvalidCell is returned for a string or number that is not a valid H3 cell.
var ErrInvalidCell = errors.New("geo: invalid H3 cell")

// CellAt returns the cell of resolution res that contains p.
func CellAt(p orb.Point, res int) (Cell, error) {
	if res < 0 || res > MaxResolution {
		return 0, fmt.Errorf("geo: resolution %d outside [0, %d]", res, MaxResolution)
	}
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[1] < -90 || p[1] > 90 || p[0] < -180 || p[0] > 180 {
		return 0, fmt.Errorf("geo: point %v outside WGS84 range", p)
	}
	c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
	if err != nil {
		return 0, fmt.Errorf("geo: cell at %v: %w", p, err)
	}
	return c, nil
}

// ParseCell parses an H3 cell written in hexadecimal, as H3 prints it.
func ParseCell(s string) (Cell, error) {
	if len(s) == 0 || len(s) > 16 {
		return 0, fmt.Errorf("%w: %q", ErrInvalidCell, s)
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return 0, fmt.Errorf("%w: %q", ErrInvalidCell, s)
		}
	}
	c := h3.CellFromString(s)
	if !c.IsValid() {
		return 0, fmt.Errorf("%w: %q", ErrInvalidCell, s)
	}
	return c, nil
}

// CellCenter returns the centre of c as lon/lat.
func CellCenter(c Cell) orb.Point {
	ll, err := h3.CellToLatLng(c)
	if err != nil {
		panic(fmt.Sprintf("geo: centre of invalid cell %x", uint64(c)))
	}
	return orb.Point{ll.Lng, ll.Lat}
}

// CellPolygon returns the boundary of c as a closed, counter-clockwise ring
// (the GeoJSON right-hand rule).
func CellPolygon(c Cell) orb.Polygon {
	b, err := h3.CellToBoundary(c)
	if err != nil {
		panic(fmt.Sprintf("geo: boundary of invalid cell %x", uint64(c)))
	}
	ring := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, orb.Point{ll.Lng, ll.Lat})
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

// Parent returns the ancestor of c at resolution res (c itself when res is
// its own resolution).
func Parent(c Cell, res int) Cell {
	if res >= c.Resolution() {
		return c
	}
	p, err := c.Parent(res)
	if err != nil {
		panic(fmt.Sprintf("geo: parent of %x at %d: %v", uint64(c), res, err))
	}
	return p
}

// Neighbors returns the cells that share an edge with c.
func Neighbors(c Cell) []Cell {
	disk, err := h3.GridDisk(c, 1)
	if err != nil {
		return nil
	}
	out := disk[:0]
	for _, d := range disk {
		if d != c && d != 0 {
			out = append(out, d)
		}
	}
	return out
}

// Disk returns the cells within k steps of c, c included.
func Disk(c Cell, k int) []Cell {
	disk, err := h3.GridDisk(c, k)
	if err != nil {
		return []Cell{c}
	}
	out := disk[:0]
	for _, d := range disk {
		if d != 0 {
			out = append(out, d)
		}
	}
	return out
}

// CellAreaKm2 returns the exact area of c in square kilometres.
func CellAreaKm2(c Cell) float64 {
	a, err := h3.CellAreaKm2(c)
	if err != nil {
		return 0
	}
	return a
}

// CellsInPolygon returns the cells of resolution res whose centres lie in the
// polygon or multipolygon g. Other geometry types give no cells.
func CellsInPolygon(g orb.Geometry, res int) ([]Cell, error) {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	var out []Cell
	for _, p := range polys {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		gp := h3.GeoPolygon{GeoLoop: loop(p[0])}
		for _, h := range p[1:] {
			gp.Holes = append(gp.Holes, loop(h))
		}
		cells, err := h3.PolygonToCells(gp, res)
		if err != nil {
			return nil, fmt.Errorf("geo: cells in polygon: %w", err)
		}
		out = append(out, cells...)
	}
	return out, nil
}

func loop(r orb.Ring) h3.GeoLoop {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	l := make(h3.GeoLoop, n)
	for i := 0; i < n; i++ {
		l[i] = h3.NewLatLng(r[i][1], r[i][0])
	}
	return l
}

// CellsOutline dissolves a set of cells into their outline: one polygon per
// connected group, with holes, exterior rings counter-clockwise.
func CellsOutline(cells []Cell) (orb.MultiPolygon, error) {
	if len(cells) == 0 {
		return nil, nil
	}
	gps, err := h3.CellsToMultiPolygon(cells)
	if err != nil {
		return nil, fmt.Errorf("geo: outline of %d cells: %w", len(cells), err)
	}
	mp := make(orb.MultiPolygon, 0, len(gps))
	for _, gp := range gps {
		poly := orb.Polygon{ring(gp.GeoLoop)}
		for _, h := range gp.Holes {
			poly = append(poly, ring(h))
		}
		mp = append(mp, poly)
	}
	return mp, nil
}

func ring(l h3.GeoLoop) orb.Ring {
	r := make(orb.Ring, 0, len(l)+1)
	for _, ll := range l {
		r = append(r, orb.Point{ll.Lng, ll.Lat})
	}
	if len(r) > 0 {
		r = append(r, r[0])
	}
	return r
}
