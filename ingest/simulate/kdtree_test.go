package simulate

import (
	"math/rand/v2"
	"testing"
)

// TestKDTreeMatchesIndex checks the k-d tree against the bucket grid that
// the measurements use: the same nearest distance everywhere.
func TestKDTreeMatchesIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var lon, lat []float64
	for range 3000 { // a dense cluster and a sparse spread
		if rng.IntN(3) == 0 {
			lon, lat = append(lon, -7.6+0.05*rng.NormFloat64()), append(lat, 33.6+0.05*rng.NormFloat64())
		} else {
			lon, lat = append(lon, -9+4*rng.Float64()), append(lat, 30+5*rng.Float64())
		}
	}
	ix, kd := newPointIndex(lon, lat), newKDTree(lon, lat)
	var buf []candidate
	for i := range 20000 {
		x, y := -10+6*rng.Float64(), 29+7*rng.Float64()
		if i%4 == 0 {
			x, y = -7.6+0.1*rng.NormFloat64(), 33.6+0.1*rng.NormFloat64()
		}
		for _, maxKm := range []float64{2, maxServerKm} {
			buf = ix.nearest(x, y, 1, maxKm, buf)
			d, ok := kd.nearest(x, y, maxKm)
			if ok != (len(buf) == 1) || ok && d != buf[0].dKm {
				t.Fatalf("nearest to (%g, %g) within %g km: k-d tree %g %v, grid %v", x, y, maxKm, d, ok, buf)
			}
		}
	}
	if _, ok := newKDTree(nil, nil).nearest(0, 0, 10); ok {
		t.Error("empty tree found a point")
	}
}
