// Package simulate writes a SIMULATED national measurement set in Taghtia's
// canonical measurement CSV (see ingest.CanonicalColumns). Nothing it
// writes was measured: the rows come from synthetic cell sites and a
// textbook radio model. It exists to exercise ingest, coverage, zones and
// planning end to end at national scale when no operator data is at hand;
// its numbers must never be published as coverage of Morocco.
//
// Device ids start with "sim-" so that simulated rows are recognisable.
//
// # Model
//
// Sites. Each operator gets synthetic cell sites placed around people:
// every populated H3 cell draws a number of sites (stochastic rounding of
// population / people-per-site × clutter factor; IAM one site per ~2,500
// people, Orange ~3,200, inwi ~3,800, with fewer rural sites for the
// challengers), at a random point within ~400 m of the cell centre, at
// most two per operator and cell (city centres add capacity with sectors
// and carriers, not masts). A few more sites stand along the links between
// places (one chance every 15 km per operator). Every site carries 2G; 3G and 4G with probabilities that
// rise with the population density around it and differ by operator, so
// that rural areas have holes, some served by one operator only (grey
// zones) and some by none (white zones).
//
// Clutter. The population density of a point's resolution-7 parent cell
// (~5.2 km²) gives its clutter class: dense urban (≥ 8,000 people/km²),
// urban (≥ 2,000), suburban (≥ 300), rural (below, and anywhere off the
// population grid).
//
// Path loss. Okumura-Hata for GSM 900 MHz, COST-231 Hata for LTE 1800 MHz
// and UMTS 2100 MHz, base station 30 m, mobile 1.5 m; medium-city mobile
// correction in urban clutter, +3 dB (COST-231 Cm) in dense urban, Hata's
// suburban correction in suburban clutter and Hata's open-area correction
// plus a 5 dB quasi-open margin in rural clutter. Distances below 50 m are
// taken as 50 m. Shadow fading is lognormal, σ = 7 dB, frozen per site and
// ~100 m square (the same place sees the same shadowing on every visit),
// plus 2 dB of per-measurement fast fading. Indoor points lose a further
// 15 ± 4 dB, vehicle points 3 dB.
//
// Link budget. Reference-signal EIRP per technology: LTE RS per resource
// element 15.2 dBm (46 dBm over 1,200 subcarriers of 20 MHz), UMTS CPICH
// 33 dBm, GSM BCCH 43 dBm; antenna gain 17 dBi, feeder and body losses
// 3 dB. signal_dbm is RSRP (4G), RSCP (3G) or RSSI (2G) from the best
// server among the 6 nearest sites of the operator and technology within
// 35 km (a grid index per operator × technology). The other candidates
// interfere, 3 dB down (off the main lobe of sectored antennas) and
// weighted by a cell load that grows with density. Below the
// sensitivity (RSRP −124, RSCP −112, RSSI −104 dBm) there is no service.
//
// Quality and throughput. 4G SINR is signal over load-weighted
// interference plus thermal noise (−174 dBm/Hz, 7 dB noise figure); RSRQ
// follows from the same powers (−3 dB unloaded to −10.8 dB fully loaded,
// lower with interference). Downlink 4G is an attenuated Shannon mapping
// (3GPP TR 36.942 annex A: 0.6·log2(1+SINR), 4.4 bit/s/Hz at most, nothing
// below −10 dB) over the operator's LTE bandwidth (carrier aggregation:
// IAM 30, Orange 25, inwi 20 MHz; path loss is still taken at 1800 MHz),
// 25 % overhead, a 2×2
// MIMO gain at high SINR and the share of the cell left by its load,
// capped at 80 Mbps; 3G is HSPA over 5 MHz capped at 10 Mbps; 2G is EDGE
// capped at 0.2 Mbps. Uplink is a fraction of downlink; latency depends on
// the technology.
//
// Measurements. Drive routes are straight lines from every place to its two
// nearest places (a proxy for the road network; links over 400 km are left
// out), with a point every 400 m (every 400/Scale m when Scale < 1), env
// vehicle, source drive. A drive point is measured as a scanner would: one
// row per operator and technology (nine rows). A scanner row without
// service carries the technology's reporting floor as signal_dbm (RSRP
// −140, RSCP −120, RSSI −110 dBm) and dl_mbps 0. Crowd rows follow
// people: a draw picks a cell in proportion to its population; 1 to 7
// users of that cell (operator by market share: IAM 40 %, Orange 33 %,
// inwi 27 %) each run a session of 1 to 3 tests a few minutes apart at one
// spot within 400 m of the cell centre, outdoors (75 %) or indoors. Drawing
// several users per cell gives most measured cells samples of more than
// one operator, as a village's residents would. A test reports the best
// available technology of the device's operator (4G, else 3G, else 2G). A crowd point with no service
// at all is recorded, by convention, as tech 4G, signal_dbm −140 and
// dl_mbps 0. Devices are pools of a few thousand ids per operator, reused.
// Times fall in the 90 days before Options.Now, in Morocco's +01:00 offset,
// mostly in waking hours.
//
// Declared coverage. Model.Declare gives what each operator would declare
// from the same network: per H3 resolution-8 cell, the level (by the
// caller's signal bins, none below the sensitivity) of the median
// outdoor signal at the cell centre from the nearest site of the
// operator and technology within 35 km, with the cell's clutter and no
// shadowing or fast fading. The cells are found by a flood fill from the
// sites' cells through the cells within the technology's best-case reach
// (plus 1 km), nearest sites by a k-d tree. Declaration.WriteGeoJSON
// writes one MultiPolygon per level (ARCEP NIVEAU TBC, BC, CL) outlining
// its cells, so the levels never overlap. An overstating operator
// classifies its signal plus a margin in dB; WriteOverstated lists the
// cells it declares good or very_good where the honest model says limited
// or none. Declare draws no random number and Write does not depend on it.
//
// Determinism. One math/rand/v2 PCG source seeded from Options.Seed drives
// every draw, inputs are sorted before use and no map is iterated, so the
// same Options give byte-identical output.
package simulate
