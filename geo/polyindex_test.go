package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/geo"
)

// star returns a closed ring of n vertices around c with radii varying
// between r/2 and r: a ring whose bound is a poor guide to its inside.
func star(c orb.Point, r float64, n int, rng *rand.Rand) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		d := r * (0.5 + 0.5*rng.Float64())
		ring = append(ring, orb.Point{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)})
	}
	return append(ring, ring[0])
}

func TestPolygonIndexMatchesPlanar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var mp orb.MultiPolygon
	for k := range 4 {
		c := orb.Point{float64(k) * 3, float64(k%2) * 2}
		p := orb.Polygon{star(c, 2, 2000, rng)}
		for h := range 30 {
			a := 2 * math.Pi * float64(h) / 30
			p = append(p, star(orb.Point{c[0] + 0.6*math.Cos(a), c[1] + 0.6*math.Sin(a)}, 0.12, 40, rng))
		}
		mp = append(mp, p)
	}
	ix := geo.NewPolygonIndex([]orb.Geometry{mp, orb.LineString{{0, 0}, {1, 1}}})
	if ix.Len() != 4 {
		t.Fatalf("Len = %d, want 4", ix.Len())
	}
	in := 0
	for range 20000 {
		p := orb.Point{-2.5 + 14*rng.Float64(), -2.5 + 7*rng.Float64()}
		want := planar.MultiPolygonContains(mp, p)
		if got := ix.Contains(p); got != want {
			t.Fatalf("Contains(%v) = %v, planar says %v", p, got, want)
		}
		if want {
			in++
		}
	}
	if in < 2000 || in > 18000 {
		t.Fatalf("fixture: %d of 20000 points inside", in)
	}
}

func BenchmarkPolygonIndex(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := orb.Polygon{star(orb.Point{0, 0}, 5, 100000, rng)}
	for h := range 2000 {
		a := 2 * math.Pi * float64(h) / 2000
		p = append(p, star(orb.Point{2 * math.Cos(a), 2 * math.Sin(a)}, 0.004, 12, rng))
	}
	pts := make([]orb.Point, 1024)
	for i := range pts {
		pts[i] = orb.Point{-5 + 10*rng.Float64(), -5 + 10*rng.Float64()}
	}
	b.Run("planar", func(b *testing.B) {
		i := 0
		for b.Loop() {
			planar.PolygonContains(p, pts[i%len(pts)])
			i++
		}
	})
	ix := geo.NewPolygonIndex([]orb.Geometry{p})
	b.Run("index", func(b *testing.B) {
		i := 0
		for b.Loop() {
			ix.Contains(pts[i%len(pts)])
			i++
		}
	})
}
