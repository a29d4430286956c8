package simulate

import (
	"math"
	"math/rand/v2"
)

// site is one synthetic cell site (a mast) of one operator.
type site struct {
	lon, lat float64
	op       uint8
	techs    uint8 // bit t set: carries techs[t]
}

// network holds the sites and one index per operator × technology.
type network struct {
	sites []site
	index [len(operators)][3]*pointIndex
	ids   [len(operators)][3][]int32 // index id -> site number
}

// placeSites draws the sites of every operator around the population
// (cells in grid order) and along the links.
func placeSites(rng *rand.Rand, g *popGrid, links []link) *network {
	n := &network{}
	for i := range g.cells {
		pop := float64(g.pop[i])
		if pop <= 0 {
			continue
		}
		cl := g.clutter[i]
		for o, op := range operators {
			lambda := pop / op.peoplePerSite * clutterSiteFactor[cl]
			if cl >= suburban {
				lambda *= op.ruralSites
			}
			count := int(lambda)
			if rng.Float64() < lambda-float64(count) {
				count++
			}
			count = min(count, maxSitesPerCell) // city centres: capacity by sectors and carriers, not masts
			for range count {
				lon, lat := jitter(rng, g.lon[i], g.lat[i], siteRadiusM)
				n.sites = append(n.sites, site{lon: lon, lat: lat, op: uint8(o), techs: drawTechs(rng, cl, op)})
			}
		}
	}
	for _, l := range links {
		steps := int(l.km / linkSiteEveryKm)
		for s := 1; s < steps; s++ {
			f := float64(s) / float64(steps)
			lon := l.a[0] + f*(l.b[0]-l.a[0])
			lat := l.a[1] + f*(l.b[1]-l.a[1])
			for o, op := range operators {
				if rng.Float64() >= op.linkSite {
					continue
				}
				x, y := jitter(rng, lon, lat, linkSiteOffsetM)
				n.sites = append(n.sites, site{lon: x, lat: y, op: uint8(o), techs: drawTechs(rng, rural, op)})
			}
		}
	}
	for o := range operators {
		for t := range techs {
			var lon, lat []float64
			var ids []int32
			for i, s := range n.sites {
				if int(s.op) == o && s.techs&(1<<t) != 0 {
					lon, lat = append(lon, s.lon), append(lat, s.lat)
					ids = append(ids, int32(i))
				}
			}
			n.index[o][t] = newPointIndex(lon, lat)
			n.ids[o][t] = ids
		}
	}
	return n
}

func drawTechs(rng *rand.Rand, cl clutter, op operator) uint8 {
	t := uint8(1 << t2G)
	if rng.Float64() < clutterP3G[cl] {
		t |= 1 << t3G
	}
	if rng.Float64() < clutterP4G[cl]*op.p4G {
		t |= 1 << t4G
	}
	return t
}

// jitter returns a point uniformly within r metres of (lon, lat).
func jitter(rng *rand.Rand, lon, lat, r float64) (float64, float64) {
	d := r * math.Sqrt(rng.Float64())
	th := 2 * math.Pi * rng.Float64()
	dLat := d * math.Cos(th) / (kmPerDeg * 1000)
	dLon := d * math.Sin(th) / (kmPerDeg * 1000 * math.Max(0.01, math.Cos(lat*math.Pi/180)))
	return lon + dLon, lat + dLat
}
