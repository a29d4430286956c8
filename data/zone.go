package data

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"
)

// ZoneKind says how many operators reach the required level in a zone.
type ZoneKind string

// Zone kinds.
const (
	White ZoneKind = "white" // no operator
	Grey  ZoneKind = "grey"  // exactly one operator
)

// ParseZoneKind reads white or grey.
func ParseZoneKind(s string) (ZoneKind, error) {
	switch ZoneKind(s) {
	case White, Grey:
		return ZoneKind(s), nil
	}
	return "", fmt.Errorf("%w: zone kind %q is not white or grey", ErrInvalid, s)
}

// Zone is a connected set of white or grey cells.
type Zone struct {
	ID           string           `json:"id"`
	FID          uint64           `json:"-"` // stable integer id for tiles
	Kind         ZoneKind         `json:"kind"`
	Rank         int              `json:"rank"`
	Programme    bool             `json:"programme"`
	Population   int64            `json:"population"`
	AreaKm2      float64          `json:"area_km2"`
	RegionCode   string           `json:"region_code"`
	Region       string           `json:"region"`
	ProvinceCode string           `json:"province_code"`
	Province     string           `json:"province"`
	Communes     []string         `json:"communes"`    // French names, most populated first
	CommunesAR   []string         `json:"communes_ar"` // the same communes in Arabic ("" when unknown)
	RegionAR     string           `json:"region_ar"`
	ProvinceAR   string           `json:"province_ar"`
	CommuneCodes []string         `json:"commune_codes"`
	Centroid     orb.Point        `json:"centroid"`
	Operator     string           `json:"operator,omitempty"` // the one operator of a grey zone
	Cells        []geo.Cell       `json:"-"`
	Geom         orb.MultiPolygon `json:"-"`
}

// Snapshot is one computation of all zones.
type Snapshot struct {
	ID            int64     `json:"id"`
	ComputedAt    time.Time `json:"computed_at"`
	Resolution    int       `json:"resolution"`
	ConfigVersion string    `json:"config_version"`
	RequiredTech  Tech      `json:"required_tech"`
	RequiredLevel Level     `json:"required_level"`
	ProgrammeSize int       `json:"programme_size"`
	White         int       `json:"white"`
	Grey          int       `json:"grey"`
	WhitePop      int64     `json:"white_population"`
	GreyPop       int64     `json:"grey_population"`
	UnmeasuredPop int64     `json:"unmeasured_population"`
	Uploads       []int64   `json:"uploads"`
	// LayersVersion digests the reference and declared layers the zones
	// were found with (coverage.LayersVersion).
	LayersVersion string `json:"layers_version"`
	// MatchedTo is the snapshot whose zone ids this one kept where cells
	// overlap (see coverage.MatchIDs); 0 for the first.
	MatchedTo int64 `json:"matched_to"`
	Disputes  int   `json:"disputes"` // disputes found with this computation
}

// ZoneFilter selects zones of a snapshot; empty fields match all. Zones come
// ordered by rank.
type ZoneFilter struct {
	Kind   ZoneKind
	Region string // region code
	Limit  int    // 0: no limit
	Offset int
}
