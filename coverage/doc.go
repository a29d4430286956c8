// Package coverage turns stored measurements into coverage: it aggregates
// them onto H3 cells per operator and technology, classifies each cell into
// a level with the versioned thresholds, spreads census population onto
// the same grid, and finds the white and grey zones.
package coverage
