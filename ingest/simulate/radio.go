package simulate

import (
	"math"
	"math/rand/v2"
)

// radio evaluates links against a network.
type radio struct {
	net  *network
	pl   pathLoss
	salt uint64
	buf  []candidate
	rx   [nearestSites]float64
}

// reading is what a receiver sees of one operator and technology.
type reading struct {
	ok     bool    // above sensitivity
	signal float64 // RSRP / RSCP / RSSI, dBm
	sinr   float64 // dB, in the technology's data bandwidth
	rsrq   float64 // dB, 4G only
	load   float64
}

// measure returns the best-server reading of operator o, technology t at
// a point in clutter cl, with extra loss (indoor, vehicle) in dB.
func (r *radio) measure(rng *rand.Rand, o, t int, lon, lat float64, cl clutter, extra float64) reading {
	tp := &techs[t]
	r.buf = r.net.index[o][t].nearest(lon, lat, nearestSites, maxServerKm, r.buf)
	if len(r.buf) == 0 {
		return reading{}
	}
	eirp := tp.refDBm + antennaGainDBi - feederLossDB
	qx := uint64(int64(math.Floor(lon / shadowGridDeg)))
	qy := uint64(int64(math.Floor(lat / shadowGridDeg)))
	best := 0
	for i, c := range r.buf {
		id := uint64(r.net.ids[o][t][c.id])
		r.rx[i] = eirp - r.pl.loss(t, cl, c.dKm) - extra + shadowSigmaDB*r.normal(id, qx, qy)
		if r.rx[i] > r.rx[best] {
			best = i
		}
	}
	s := r.rx[best] + fastSigmaDB*rng.NormFloat64()
	rd := reading{signal: s}
	load := clutterLoad[cl] + loadSigma*rng.NormFloat64()
	rd.load = min(max(load, 0.05), 0.95)
	if s < tp.sens {
		return rd
	}
	rd.ok = true
	noise := dBmToMW(tp.noiseDBm)
	var interf float64
	if t != t2G { // GSM is frequency planned: noise limited here
		for i := range r.buf {
			if i != best {
				interf += dBmToMW(r.rx[i]-isolationDB) * rd.load
			}
		}
	}
	switch t {
	case t4G:
		sl := dBmToMW(s)
		rd.sinr = s - mwToDBm(interf+noise)
		a := (2 + 10*rd.load) / 12 // share of own-cell REs lit in an RSSI symbol
		rd.rsrq = min(max(s-mwToDBm(12*(a*sl+interf+noise)), -19.5), -3)
	case t3G:
		rd.sinr = s + umtsDataOffset - mwToDBm(interf*dBToLin(umtsDataOffset)+noise)
	default:
		rd.sinr = s - tp.noiseDBm
	}
	rd.sinr = min(max(rd.sinr, -20), 40)
	rd.signal = min(s, tp.top)
	return rd
}

// throughput returns down- and uplink Mbps for a reading.
func throughput(rng *rand.Rand, op *operator, t int, rd reading) (dl, ul float64) {
	share := (1 - loadShareDrop*rd.load) * (0.85 + 0.3*rng.Float64())
	snr := dBToLin(rd.sinr)
	switch t {
	case t4G:
		se := 0.0
		if rd.sinr >= lteMinSINR {
			se = min(lteShannonA*math.Log2(1+snr), lteMaxSE)
		}
		mimo := 1 + mimoGain*min(max((rd.sinr-5)/15, 0), 1)
		dl = op.lteMHz * se * lteOverhead * mimo * share
		ul = dl * ulShareLTE * (0.6 + 0.8*rng.Float64())
	case t3G:
		se := min(0.5*math.Log2(1+snr), hspaMaxSE)
		dl = hspaMHz * se * share
		ul = dl * ulShareUMTS * (0.6 + 0.8*rng.Float64())
	default:
		q := min(max((rd.sinr-5)/25, 0.04), 1)
		dl = edgeMbps * q * share
		ul = dl * ulShareGSM
	}
	c := techs[t].ceilMbps
	return min(dl, c), min(ul, c/2)
}

// latency returns a round-trip time in ms.
func latency(rng *rand.Rand, t int, rd reading) float64 {
	tp := &techs[t]
	l := tp.latencyMs + tp.latencyJ*rng.ExpFloat64()
	if rd.sinr < 0 {
		l += -3 * rd.sinr
	}
	return min(l, 9000)
}

// normal is a standard normal value frozen per site and shadow square.
func (r *radio) normal(site, qx, qy uint64) float64 {
	h := mix(r.salt ^ mix(site*0x9e3779b97f4a7c15^qx*0xc2b2ae3d27d4eb4f^qy*0x165667b19e3779f9))
	u1 := (float64(h>>11) + 0.5) / (1 << 53)
	u2 := float64(mix(h)>>11) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func dBmToMW(v float64) float64 { return math.Pow(10, v/10) }
func dBToLin(v float64) float64 { return math.Pow(10, v/10) }
func mwToDBm(v float64) float64 { return 10 * math.Log10(v) }
