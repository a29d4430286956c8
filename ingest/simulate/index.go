package simulate

import "math"

const (
	kmPerDeg   = 111.32
	gridCellDg = 0.02 // ~2.2 km buckets: few sites each even in city centres
)

// pointIndex is a bucket grid over lon/lat for k-nearest queries within a
// radius. Buckets are stored compactly (CSR); a query visits rings of
// buckets around the query point until no closer point can remain.
type pointIndex struct {
	lon0, lat0 float64
	nx, ny     int
	start      []int32   // bucket b holds ids[start[b]:start[b+1]]
	ids        []int32   // original point numbers, bucket by bucket
	px, py     []float64 // lon/lat of ids, in the same order (cache friendly)
}

// candidate is one point found by nearest.
type candidate struct {
	id  int32
	dKm float64
}

func newPointIndex(lon, lat []float64) *pointIndex {
	ix := &pointIndex{}
	if len(lon) == 0 {
		return ix
	}
	minX, minY, maxX, maxY := lon[0], lat[0], lon[0], lat[0]
	for i := range lon {
		minX, maxX = math.Min(minX, lon[i]), math.Max(maxX, lon[i])
		minY, maxY = math.Min(minY, lat[i]), math.Max(maxY, lat[i])
	}
	ix.lon0, ix.lat0 = minX, minY
	ix.nx = int((maxX-minX)/gridCellDg) + 1
	ix.ny = int((maxY-minY)/gridCellDg) + 1
	count := make([]int32, ix.nx*ix.ny+1)
	bucket := make([]int32, len(lon))
	for i := range lon {
		b := ix.bucketOf(lon[i], lat[i])
		bucket[i] = int32(b)
		count[b+1]++
	}
	for b := 1; b < len(count); b++ {
		count[b] += count[b-1]
	}
	ix.start = count
	ix.ids = make([]int32, len(lon))
	fill := make([]int32, ix.nx*ix.ny)
	ix.px = make([]float64, len(lon))
	ix.py = make([]float64, len(lon))
	for i, b := range bucket {
		j := ix.start[b] + fill[b]
		ix.ids[j], ix.px[j], ix.py[j] = int32(i), lon[i], lat[i]
		fill[b]++
	}
	return ix
}

func (ix *pointIndex) cellXY(lon, lat float64) (int, int) {
	return int(math.Floor((lon - ix.lon0) / gridCellDg)), int(math.Floor((lat - ix.lat0) / gridCellDg))
}

func (ix *pointIndex) bucketOf(lon, lat float64) int {
	x, y := ix.cellXY(lon, lat)
	x = min(max(x, 0), ix.nx-1)
	y = min(max(y, 0), ix.ny-1)
	return y*ix.nx + x
}

// nearest appends to out[:0] the up to k points nearest to (lon, lat)
// within maxKm, closest first. Distances are equirectangular, exact
// enough below a few hundred kilometres.
func (ix *pointIndex) nearest(lon, lat float64, k int, maxKm float64, out []candidate) []candidate {
	out = out[:0]
	if len(ix.ids) == 0 {
		return out
	}
	cosLat := math.Cos(lat * math.Pi / 180)
	cellKm := gridCellDg * kmPerDeg * math.Min(1, cosLat)
	maxD2 := maxKm * maxKm
	cx, cy := ix.cellXY(lon, lat)
	for r := 0; ; r++ {
		if reach := float64(r-1) * cellKm; r > 0 && (reach > maxKm || len(out) == k && reach > out[k-1].dKm) {
			break
		}
		for y := cy - r; y <= cy+r; y++ {
			if y < 0 || y >= ix.ny {
				continue
			}
			step := 1
			if y != cy-r && y != cy+r {
				step = 2 * r // only the two side buckets of middle rows
			}
			for x := cx - r; x <= cx+r; x += max(step, 1) {
				if x < 0 || x >= ix.nx {
					continue
				}
				b := y*ix.nx + x
				for j := ix.start[b]; j < ix.start[b+1]; j++ {
					dx := (ix.px[j] - lon) * cosLat * kmPerDeg
					dy := (ix.py[j] - lat) * kmPerDeg
					d2 := dx*dx + dy*dy
					if d2 > maxD2 {
						continue
					}
					d := math.Sqrt(d2)
					if len(out) == k && d >= out[k-1].dKm {
						continue
					}
					if len(out) < k {
						out = append(out, candidate{})
					}
					i := len(out) - 1
					for i > 0 && out[i-1].dKm > d {
						out[i] = out[i-1]
						i--
					}
					out[i] = candidate{id: ix.ids[j], dKm: d}
				}
			}
		}
		if cx-r < 0 && cx+r >= ix.nx && cy-r < 0 && cy+r >= ix.ny {
			break // the whole grid has been visited
		}
	}
	return out
}
