// Package radio plans new 4G sites for white zones: where to put them so
// that a zone's population is covered at the required signal for the
// least cost. It is pure: no storage, no HTTP.
//
// # Coverage
//
// A site covers a populated cell when the cell's centre lies within the
// site's coverage radius, the distance at which the median outdoor signal
// of the simulator's radio model falls to the target (Options.TargetDBm,
// the "good" threshold of coverage/thresholds.yaml, −105 dBm RSRP for 4G;
// see simulate.CoverageRadiusKm). The radius depends on the clutter class
// of the covered cell, from the population density of its resolution-7
// parent as the simulator computes it (Density); for 4G at −105 dBm it is
// about 0.7 km dense urban, 0.9 km urban, 1.9 km suburban, 5.1 km rural.
//
// # Candidates
//
// Candidate sites stand at the centres of the zone's cells and of every
// cell within Options.Ring steps of them (default 2, about 1.6 km at
// resolution 8), so a site may stand just outside the zone where it
// serves two parts of it. Only the zone's own population counts.
//
// # Greedy maximum coverage
//
// Sites are chosen one at a time, each the candidate with the most
// population newly covered per MAD (ties: the smaller H3 index), until the
// covered share reaches Options.Coverage (default 0.95), Options.MaxSites
// are chosen, or no candidate adds population. Maximum coverage is
// NP-hard; the greedy choice covers at least 1 − 1/e (63 %) of the best
// possible population for the same number of sites (Nemhauser, Wolsey and
// Fisher, 1978).
//
// Lazy greedy (Minoux's accelerated greedy, "CELF"): a candidate's gain
// can only fall as sites are added (coverage is submodular), so gains are
// kept in a max-heap as upper bounds; the top is re-evaluated, and taken
// if it still beats the next bound, else pushed back with its new gain.
// It picks exactly the sites the plain greedy picks (same tie rule) while
// re-evaluating only a few candidates per step instead of all of them.
package radio
