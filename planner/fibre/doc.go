// Package fibre plans fibre routes from administrative sites to fibre
// points of presence (PoPs) along a road graph ([roads.Graph]), sharing
// trenches, and sends to satellite (VSAT) the sites that fibre serves too
// dearly. It is pure: no storage, no HTTP.
//
// # The heuristic
//
// Connecting sites to PoPs at least trench length is the Steiner tree
// problem in graphs (NP-hard). [Plan] uses the shortest-path heuristic of
// Takahashi and Matsuyama (1980), "add sites in order of marginal cost,
// reusing built edges":
//
//  1. Every site and PoP snaps to its nearest graph node; the straight spur
//     between the point and the node is trench too, costed like civil works.
//  2. The tree starts as the PoPs: one multi-source Dijkstra seeded with
//     every PoP's node at the length of its spur gives each node its
//     distance to the tree. (That first search is also the separate
//     baseline: each site's own shortest route to its nearest PoP.)
//  3. Repeatedly, the unconnected site with the least marginal cost is
//     connected: its spur plus its shortest path to the current tree,
//     whose edges (and the PoPs) cost nothing to reuse. That path's nodes
//     join the tree at distance 0 and the search is re-run from them
//     relaxing only the distances they improve, so each step costs what
//     changes, not a whole search. A site's cost falls as the tree grows
//     towards it; a priority queue with lazy updates keeps the cheapest
//     first.
//
// A site's marginal cost is (spur + path) km × the civil-works rate of the
// site it serves (urban or rural: new trench is costed by the site that
// causes it) + equipment per site. Its "shared km" is the length of the
// already-built tree between where its route meets the tree and its PoP.
// Each step connects a site no dearer than its separate route, so the plan
// never costs more than connecting every site separately.
//
// # Satellite
//
// A site goes to satellite when "rural administrations by satellite" is on
// and it is rural (it is never routed), or when, at the moment it would be
// added, its marginal fibre cost exceeds Params.MaxCostMAD or its new route
// (spur + path to the tree) exceeds Params.MaxRouteKm. Exceeding means
// strictly greater: a site whose cost equals the threshold stays on fibre.
// Such a site's path is not built. Because the tree may still grow towards
// it through other sites, it is not dropped at once: it is re-examined
// whenever its distance to the tree improves, and goes to satellite only if
// it still exceeds a threshold against the final tree. So dropping a site
// never makes a later one dearer than it would be without that site, and
// the satellite sites are exactly those the final fibre tree serves too
// dearly. Sites that cannot reach any PoP by road (another component, or
// no graph) go to satellite with reason [ReasonUnreachable].
//
// # Quality
//
// The plan reports a lower bound on the trench any plan connecting the
// same fibre sites needs, the larger of two:
//
//   - half the weight of a minimum spanning tree of the metric closure of
//     the terminals (the fibre sites, and one super-terminal standing for
//     all the PoPs, which the backbone already joins). The shortest-path
//     heuristic and the MST heuristic are 2-approximations, and the optimal
//     Steiner tree weighs at least MST/2, so NewTrenchKm / LowerBoundKm ≤ 2
//     always. The closure's MST is computed exactly without the closure
//     (one Dijkstra per terminal would be 6,300 searches): by Mehlhorn
//     (1988), an MST of the graph whose edges join the terminals of
//     adjacent shortest-path Voronoi regions (one multi-source Dijkstra
//     from all terminals) is an MST of the closure.
//   - the sites' own spurs plus a dual-ascent bound (Wong 1984) on the
//     directed-cut formulation rooted at the PoPs ([DualAscentBound]): a
//     feasible dual, so a valid bound at every step. It is exact on a tree
//     and close on sparse graphs: on the national proxy network it is
//     within a metre of the plan's 2,369 km, where half the MST says 1,185.
//
// The optimum lies between the bound and the plan.
//
// Routes on a proxy graph ([roads.NewProxy]) are estimates; the result says
// so (Totals.Proxy).
package fibre
