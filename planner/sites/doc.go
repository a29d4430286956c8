// Package sites holds the administrative sites that the fibre programme
// connects (the strategy's 6,300 urban public administrative sites, and
// the rural administrations linked by satellite) and the fibre points of
// presence (PoPs) the routes start from. It is pure: no storage, no HTTP.
//
// A Site converts to and from a data.Feature of layer data.LayerSites, so
// that sites imported with `taghtia ingest --layer sites` (props name,
// kind, commune, urban, synthetic; see ingest.MapFeatures) and the demo
// set built here are the same thing. A PoP likewise converts to and from
// layer data.LayerPoP.
//
// # Demo set
//
// No official list of administrative sites is open data, so Demo builds
// one from the real reference layers (communes with the 2024 census,
// provinces, regions, GeoNames places, OSM health facilities):
//
//   - one commune seat per commune with a boundary: at its most populous
//     place inside the commune polygon (ties: the higher GeoNames feature
//     code PPLC > PPLA > PPLA2 > PPLA3 > other, then the smaller id), else
//     at a point inside the polygon (its centroid when that lies inside,
//     else the middle of the widest span of a horizontal line through the
//     centroid, as PostGIS ST_PointOnSurface does);
//   - every OSM hospital and clinic, in the commune whose polygon holds
//     it (facilities in no commune are dropped and counted);
//   - one province seat per province: the capital place is the most
//     populous place of the province coded PPLC, PPLA or PPLA2 (GeoNames'
//     seat codes), else its most populous place of any code; the capital
//     commune is the commune holding that place (no such place: the
//     province's most populous urban commune, else its most populous
//     commune), and the seat stands at that commune's seat point (the
//     most populous place of the capital commune);
//   - one region seat per region the same way, with the capital place the
//     region's PPLC place, else its most populous PPLA place, else the
//     capital commune is the region's most populous province-seat commune;
//   - synthetic admin offices (Kind admin_office, Synthetic true) until the
//     set holds Options.UrbanSites urban sites (default 6,300): the missing
//     count is shared over the urban communes in proportion to their
//     census population (largest-remainder rounding, ties by commune
//     code), and each office is drawn inside its commune polygon near its
//     settlement evidence: an anchor is picked among the commune's seat,
//     places (weight population/1000, at least 1) and health facilities of
//     every type (pharmacies trace the built-up fabric; weight 1), then
//     the office is offset from it by a Rayleigh distance (σ from the
//     commune's size, 0.2 to 1.5 km) in a uniform bearing, redrawn until
//     it falls inside the polygon.
//
// A site is urban when its commune's census type is urban (data.Area.Type
// "urban"; the census classes communes, so a commune's whole population is
// urban or rural). Rural sites are the real ones in rural communes; none
// is synthetic. A commune with no boundary gets no site (Morocco's pack
// has one: Sidi Mohamed Benmansour).
//
// Demo PoPs are the province and region seats, marked Assumption true: an
// assumption, not an operator's network. A region seat standing at the
// same point as a province seat shares its PoP.
//
// Determinism: inputs are sorted before use, no map is iterated, and each
// commune draws from its own PCG stream seeded from Options.Seed and the
// commune code, so the same inputs and seed give the same set.
package sites
