package coverage

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"

	"github.com/taghtia/taghtia/data"
	"go.yaml.in/yaml/v3"
)

//go:embed thresholds.yaml
var defaultThresholds []byte

// Bins are the lower bounds of the three levels above none.
type Bins struct {
	VeryGood float64 `yaml:"very_good"`
	Good     float64 `yaml:"good"`
	Limited  float64 `yaml:"limited"`
}

// TechThresholds classify one technology. Downlink may be nil.
type TechThresholds struct {
	Signal   *Bins `yaml:"signal"`
	Downlink *Bins `yaml:"downlink"`
}

// ZoneRule says when a cell is served and which cells count.
type ZoneRule struct {
	Tech          data.Tech  `yaml:"tech"`
	Level         data.Level `yaml:"level"`
	MinPopulation int        `yaml:"min_population"`
	ProgrammeSize int        `yaml:"programme_size"`
}

// Thresholds is the versioned classification configuration.
type Thresholds struct {
	Version    string                       `yaml:"version"`
	Resolution int                          `yaml:"resolution"`
	MinSamples int                          `yaml:"min_samples"`
	Zones      ZoneRule                     `yaml:"zones"`
	Techs      map[data.Tech]TechThresholds `yaml:"techs"`
}

// DefaultThresholds returns the built-in configuration (thresholds.yaml).
func DefaultThresholds() Thresholds {
	t, err := ParseThresholds(defaultThresholds)
	if err != nil {
		panic("coverage: built-in thresholds.yaml: " + err.Error())
	}
	return t
}

// LoadThresholds reads a configuration file in the thresholds.yaml format.
func LoadThresholds(path string) (Thresholds, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Thresholds{}, err
	}
	t, err := ParseThresholds(b)
	if err != nil {
		return Thresholds{}, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseThresholds parses and validates a configuration; unknown keys are
// refused.
func ParseThresholds(b []byte) (Thresholds, error) {
	var t Thresholds
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return t, fmt.Errorf("thresholds: %w", err)
	}
	return t, t.Validate()
}

// Validate checks that the configuration can classify.
func (t Thresholds) Validate() error {
	var errs []error
	if t.Version == "" {
		errs = append(errs, errors.New("version is empty"))
	}
	if t.Resolution < 4 || t.Resolution > 11 {
		errs = append(errs, fmt.Errorf("resolution %d is outside [4, 11]", t.Resolution))
	}
	if t.MinSamples < 1 {
		errs = append(errs, fmt.Errorf("min_samples %d must be at least 1", t.MinSamples))
	}
	if t.Zones.Level < data.LevelLimited {
		errs = append(errs, fmt.Errorf("zones.level %s must be limited, good or very_good", t.Zones.Level))
	}
	if _, ok := t.Techs[t.Zones.Tech]; !ok {
		errs = append(errs, fmt.Errorf("zones.tech %s has no thresholds under techs", t.Zones.Tech))
	}
	if t.Zones.ProgrammeSize < 0 {
		errs = append(errs, errors.New("zones.programme_size is negative"))
	}
	for tech, tt := range t.Techs {
		if tt.Signal == nil && tt.Downlink == nil {
			errs = append(errs, fmt.Errorf("techs.%s needs signal or downlink bins", tech))
		}
		for name, b := range map[string]*Bins{"signal": tt.Signal, "downlink": tt.Downlink} {
			if b != nil && !(b.VeryGood >= b.Good && b.Good >= b.Limited) {
				errs = append(errs, fmt.Errorf("techs.%s.%s: need very_good >= good >= limited, got %g, %g, %g", tech, name, b.VeryGood, b.Good, b.Limited))
			}
		}
	}
	return errors.Join(errs...)
}

// binLevel places v in bins.
func binLevel(v float64, b *Bins) data.Level {
	switch {
	case v >= b.VeryGood:
		return data.LevelVeryGood
	case v >= b.Good:
		return data.LevelGood
	case v >= b.Limited:
		return data.LevelLimited
	}
	return data.LevelNone
}

// Classify gives the level of one cell stat.
func (t Thresholds) Classify(s data.CellStat) data.Level {
	if int(s.Samples) < t.MinSamples {
		return data.Unmeasured
	}
	tt, ok := t.Techs[s.Tech]
	if !ok {
		return data.Unmeasured
	}
	level := data.Unmeasured
	if tt.Signal != nil && data.Has(s.SignalP50) {
		level = binLevel(float64(s.SignalP50), tt.Signal)
	}
	if tt.Downlink != nil && data.Has(s.DLP10) {
		dl := binLevel(float64(s.DLP10), tt.Downlink)
		if level == data.Unmeasured || dl < level {
			level = dl
		}
	}
	return level
}
