package simulate

import (
	"math"

	"github.com/taghtia/taghtia/data"
)

// operator is one simulated network. Shares and densities are model
// choices, informed by ANRT's market observatory (mobile subscriber shares
// of roughly 40 / 33 / 27 % for IAM / Orange / inwi); site densities are
// tuned so that the national site counts are in the range the operators
// report (about 10,000-15,000 sites each).
type operator struct {
	code          string  // MCC-MNC
	share         float64 // market share of crowd measurements
	peoplePerSite float64 // population served per site in urban clutter
	ruralSites    float64 // multiplier on the site count in suburban/rural clutter
	p4G           float64 // multiplier on the probability that a site has 4G
	linkSite      float64 // chance of a site every linkSiteEveryKm along a link
	lteMHz        float64 // LTE bandwidth in use (carrier aggregation of 800/1800/2600 MHz)
	devices       int     // crowd devices at Scale 1
}

// operators, ordered by MCC-MNC.
var operators = [...]operator{
	{code: "604-00", share: 0.33, peoplePerSite: 3200, ruralSites: 0.75, p4G: 0.93, linkSite: 0.30, lteMHz: 25, devices: 4000}, // Orange Maroc
	{code: "604-01", share: 0.40, peoplePerSite: 2500, ruralSites: 1.00, p4G: 1.00, linkSite: 0.45, lteMHz: 30, devices: 5000}, // Maroc Telecom (IAM)
	{code: "604-02", share: 0.27, peoplePerSite: 3800, ruralSites: 0.60, p4G: 0.88, linkSite: 0.22, lteMHz: 20, devices: 3300}, // inwi
}

// clutter is the land-use class that selects the path-loss correction.
type clutter uint8

const (
	denseUrban clutter = iota
	urban
	suburban
	rural
	nClutter
)

// Per clutter class, densest first.
var (
	// Lower bound of the class, people per km² of the resolution-7 parent.
	clutterMinDensity = [nClutter]float64{8000, 2000, 300, 0}
	// Multiplier on the number of sites per person: cities are capacity
	// driven (fewer sites per person), the countryside coverage driven.
	clutterSiteFactor = [nClutter]float64{0.8, 1.0, 1.3, 1.5}
	// Probability that a site carries 3G and 4G (before operator factors).
	clutterP3G = [nClutter]float64{1, 1, 0.95, 0.8}
	clutterP4G = [nClutter]float64{0.99, 0.97, 0.85, 0.5}
	// Mean cell load (share of resources in use).
	clutterLoad = [nClutter]float64{0.7, 0.55, 0.4, 0.25}
)

// Radio model constants.
const (
	// Hata geometry (valid for hb 30-200 m, hm 1-10 m).
	baseHeightM   = 30.0
	mobileHeightM = 1.5
	minDistKm     = 0.05
	quasiOpenDB   = 5.0 // margin over Hata's open-area correction in rural clutter
	denseUrbanDB  = 3.0 // COST-231 Cm for metropolitan centres

	// Best server search.
	maxServerKm  = 35.0
	nearestSites = 6

	// Antenna system, common to all technologies.
	antennaGainDBi = 17.0
	feederLossDB   = 3.0
	noiseFigureDB  = 7.0
	thermalDBmHz   = -174.0

	// Fading and penetration.
	shadowSigmaDB  = 7.0
	shadowGridDeg  = 0.001 // shadowing is frozen over squares of ~100 m
	fastSigmaDB    = 2.0
	indoorLossDB   = 15.0
	indoorSigmaDB  = 4.0
	vehicleLossDB  = 3.0
	loadSigma      = 0.15
	loadShareDrop  = 0.7  // a fully loaded cell leaves 30 % to a new user (scheduler fairness)
	lteOverhead    = 0.75 // control channels, reference signals, cyclic prefix
	lteShannonA    = 0.6  // 3GPP TR 36.942 A.2: attenuation of Shannon
	lteMaxSE       = 4.4  // bit/s/Hz
	lteMinSINR     = -10.0
	mimoGain       = 0.6 // extra spectral efficiency of 2×2 MIMO at high SINR
	hspaMHz        = 5.0
	hspaMaxSE      = 2.0
	edgeMbps       = 0.236 // MCS-9 on four time slots
	ulShareLTE     = 0.25
	ulShareUMTS    = 0.2
	ulShareGSM     = 0.5
	umtsDataOffset = 10.0 // total cell power over CPICH, dB
	isolationDB    = 3.0  // interferers seen off the main lobe of sectored antennas

	// Measurement campaign.
	crowdPoints      = 800_000 // at Scale 1
	crowdRadiusM     = 400.0
	crowdUsers       = 4    // mean users per crowd draw of a cell (uniform 1..7)
	crowdSession     = 2    // mean tests per user session (uniform 1..3)
	sessionRadiusM   = 60.0 // a session's tests stay this close to its spot
	maxSitesPerCell  = 2    // per operator and resolution-8 cell (~0.74 km²)
	indoorShare      = 0.25
	driveSpacingM    = 400.0
	maxRouteKm       = 400.0
	linkSiteEveryKm  = 15.0
	linkSiteOffsetM  = 1000.0
	siteRadiusM      = 400.0
	driveKits        = 24
	windowDays       = 90
	utcOffsetSeconds = 3600 // Morocco keeps UTC+1 outside Ramadan
)

// techParams is the link budget of one technology.
type techParams struct {
	tech      data.Tech
	name      string
	freqMHz   float64
	refDBm    float64 // transmit power of the reference signal
	noiseDBm  float64 // thermal noise in the reference bandwidth
	sens      float64 // below: no service
	floor     float64 // reporting floor, written when there is no service
	top       float64 // reporting ceiling
	ceilMbps  float64
	latencyMs float64 // median-ish base latency
	latencyJ  float64 // mean of the exponential jitter
}

// Technologies in output order. Sources: LTE RS power per RE from 46 dBm
// over 1,200 subcarriers; CPICH at 10 % of a 20 W carrier; GSM BCCH at
// 20 W. Sensitivities are typical UE figures (3GPP TS 36.101 REFSENS is
// about −124 dBm RSRP; TS 25.101 −117 dBm DPCH for UMTS; GSM −102 dBm).
// Floors and ceilings are the reporting ranges of TS 36.133 (RSRP −140 to
// −44), TS 25.133 (RSCP −120 to −25) and TS 45.008 (RXLEV −110 to −48).
var techs = [3]techParams{
	{tech: data.Tech2G, name: "2G", freqMHz: 900, refDBm: 43, noiseDBm: thermalDBmHz + 53.0 + noiseFigureDB,
		sens: -104, floor: -110, top: -48, ceilMbps: 0.2, latencyMs: 350, latencyJ: 200},
	{tech: data.Tech3G, name: "3G", freqMHz: 2100, refDBm: 33, noiseDBm: thermalDBmHz + 65.84 + noiseFigureDB,
		sens: -112, floor: -120, top: -25, ceilMbps: 10, latencyMs: 55, latencyJ: 35},
	{tech: data.Tech4G, name: "4G", freqMHz: 1800, refDBm: 15.2, noiseDBm: thermalDBmHz + 41.76 + noiseFigureDB,
		sens: -124, floor: -140, top: -44, ceilMbps: 80, latencyMs: 22, latencyJ: 12},
}

const (
	t2G = 0
	t3G = 1
	t4G = 2
)

// pathLoss holds, per technology and clutter, the Hata loss at 1 km (A)
// and the slope per decade of distance (B): L = A + B·log10(d km).
type pathLoss struct {
	a [3][nClutter]float64
	b float64
}

func newPathLoss() pathLoss {
	var pl pathLoss
	lhb := math.Log10(baseHeightM)
	pl.b = 44.9 - 6.55*lhb
	for t, tp := range techs {
		lf := math.Log10(tp.freqMHz)
		ahm := (1.1*lf-0.7)*mobileHeightM - (1.56*lf - 0.8) // medium city
		var base float64
		if tp.freqMHz <= 1500 { // Okumura-Hata
			base = 69.55 + 26.16*lf - 13.82*lhb - ahm
		} else { // COST-231 Hata
			base = 46.3 + 33.9*lf - 13.82*lhb - ahm
		}
		pl.a[t][denseUrban] = base + denseUrbanDB
		pl.a[t][urban] = base
		l := math.Log10(tp.freqMHz / 28)
		pl.a[t][suburban] = base - 2*l*l - 5.4
		pl.a[t][rural] = base - 4.78*lf*lf + 18.33*lf - 40.94 + quasiOpenDB
	}
	return pl
}

// loss returns the path loss in dB at d km.
func (pl *pathLoss) loss(t int, c clutter, dKm float64) float64 {
	if dKm < minDistKm {
		dKm = minDistKm
	}
	return pl.a[t][c] + pl.b*math.Log10(dKm)
}

func clutterOf(density float64) clutter {
	for c := denseUrban; c < rural; c++ {
		if density >= clutterMinDensity[c] {
			return c
		}
	}
	return rural
}
