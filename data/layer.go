package data

import (
	"time"

	"github.com/paulmach/orb"
)

// AreaLevel names an administrative level.
type AreaLevel string

// The administrative levels of a reference pack, coarsest first.
const (
	LevelCountry  AreaLevel = "country"
	LevelRegion   AreaLevel = "region"
	LevelProvince AreaLevel = "province"
	LevelCommune  AreaLevel = "commune"
)

// AreaLevels lists the levels, coarsest first.
var AreaLevels = []AreaLevel{LevelCountry, LevelRegion, LevelProvince, LevelCommune}

// Area is one administrative area. Geom may be nil when the pack has a
// census row but no boundary (a commune known only by its table).
type Area struct {
	Level      AreaLevel
	Code       string // HCP code: region "01", province "01.511", commune "01.511.01.01"
	Parent     string // code of the enclosing area one level up
	Region     string // region code
	NameFR     string
	NameAR     string
	NameEN     string
	Type       string // urban / rural for communes, prefecture / province for provinces
	Population int64  // 2024 census
	Geom       orb.MultiPolygon
}

// PlaceLayer names a point layer.
type PlaceLayer string

// Point layers of a reference pack.
const (
	LayerPlaces PlaceLayer = "place"
	LayerHealth PlaceLayer = "health"
)

// Place is a point feature: a populated place or a facility.
type Place struct {
	Layer      PlaceLayer
	ID         string
	Name       string
	NameAR     string
	Kind       string // GeoNames feature code (PPLA…) or facility type (hospital…)
	Population int64
	Point      orb.Point
	Province   string // HCP province code when known
	Region     string // HCP region code when known
}

// LayerInfo says what one load put in a layer.
type LayerInfo struct {
	Name     string    `json:"name"`
	Count    int       `json:"count"`
	Source   string    `json:"source"`
	LoadedAt time.Time `json:"loaded_at"`
}
