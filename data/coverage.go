package data

import (
	"fmt"
	"strings"
	"time"

	"github.com/taghtia/taghtia/geo"
)

// Level is a coverage level. The zero value is Unmeasured: no evidence.
type Level int8

// Coverage levels, worst to best after Unmeasured.
const (
	Unmeasured Level = iota
	LevelNone
	LevelLimited
	LevelGood
	LevelVeryGood
)

var levelNames = []string{"unmeasured", "none", "limited", "good", "very_good"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int8(l))
}

// ParseLevel reads a level name as String writes it ("very good" accepted).
func ParseLevel(s string) (Level, error) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("%w: level %q is not one of %s", ErrInvalid, s, strings.Join(levelNames, ", "))
}

// MarshalText writes the level name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	*l = v
	return err
}

// CellStat aggregates the measurements of one cell × operator × technology.
// Percentiles are NaN (Absent) when no sample carried the metric.
type CellStat struct {
	Cell      geo.Cell
	MCCMNC    string
	Tech      Tech
	Samples   int32
	SignalP10 float32
	SignalP50 float32
	SignalP90 float32
	DLP10     float32
	DLP50     float32
	DLP90     float32
	Last      time.Time
	Level     Level // from every sample, by the thresholds: what zones use

	// Evidence (see coverage.Evidence): the level the operator declares
	// here, what each source measured in the freshness window, and the
	// resulting level with its confidence in [0, 1].
	Declared   Level
	Sources    [NumSources]SourceStat // indexed by Source
	Result     Level
	Confidence float32
	Disputed   bool // declared good or better, enough fresh evidence says limited or none
}

// NumSources is the number of measurement sources (crowd, drive, regulator).
const NumSources = 3

// SourceStat is the fresh evidence of one source in one cell × operator ×
// technology: samples in the freshness window, distinct devices and
// distinct days among them (both counted up to 255), and the level those
// samples give (Unmeasured below min_samples).
type SourceStat struct {
	Samples int32
	Devices uint8
	Days    uint8
	Level   Level
}

// CellPop is the census population spread onto one cell.
type CellPop struct {
	Cell       geo.Cell
	Population int32
	Commune    string // code of the commune the cell was counted in
}

// CoverageRun describes the computation that produced the stored cell stats.
type CoverageRun struct {
	Resolution    int       `json:"resolution"`
	ConfigVersion string    `json:"config_version"`
	Measurements  int64     `json:"measurements"`
	Cells         int       `json:"cells"`
	ComputedAt    time.Time `json:"computed_at"`
}

// CellStatFilter selects cell stats; empty fields match all.
type CellStatFilter struct {
	MCCMNC string
	Tech   Tech
}

// Computation is what one recompute writes (Store.CommitComputation): the
// coverage run and its cell stats, the disputes layer (LayerDisputes)
// with its layer info, and the new zone snapshot.
type Computation struct {
	Run          CoverageRun
	Stats        []CellStat
	Disputes     []Feature
	DisputesInfo LayerInfo
	Snapshot     Snapshot
	Zones        []Zone
}
