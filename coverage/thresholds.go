package coverage

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
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

// EvidenceRule says how declared and measured levels combine (see
// Combine).
type EvidenceRule struct {
	FreshDays      int                     `yaml:"fresh_days"`
	SourceWeights  map[data.Source]float64 `yaml:"source_weights"`
	EnvWeights     map[data.Env]float64    `yaml:"env_weights"`
	DeclaredWeight float64                 `yaml:"declared_weight"`
	FullWeight     float64                 `yaml:"full_weight"`
}

// DisputeRule says when measurements contradict a declaration.
type DisputeRule struct {
	DeclaredMin data.Level `yaml:"declared_min"`
	MeasuredMax data.Level `yaml:"measured_max"`
	MinSamples  int        `yaml:"min_samples"`
	MinDevices  int        `yaml:"min_devices"`
	MinDays     int        `yaml:"min_days"`
}

// VerificationRule says what evidence verifies a zone as covered.
type VerificationRule struct {
	WindowDays int `yaml:"window_days"`
	MinSamples int `yaml:"min_samples"`
}

// Thresholds is the versioned classification configuration.
type Thresholds struct {
	Version      string                       `yaml:"version"`
	Resolution   int                          `yaml:"resolution"`
	MinSamples   int                          `yaml:"min_samples"`
	Zones        ZoneRule                     `yaml:"zones"`
	Evidence     EvidenceRule                 `yaml:"evidence"`
	Disputes     DisputeRule                  `yaml:"disputes"`
	Verification VerificationRule             `yaml:"verification"`
	Techs        map[data.Tech]TechThresholds `yaml:"techs"`
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
// The evidence, disputes and verification sections (and each of their
// keys) default to the built-in values when a file leaves them out.
func ParseThresholds(b []byte) (Thresholds, error) {
	var builtin Thresholds
	if err := decodeThresholds(defaultThresholds, &builtin); err != nil {
		panic("coverage: built-in thresholds.yaml: " + err.Error())
	}
	t := Thresholds{Evidence: builtin.Evidence, Disputes: builtin.Disputes, Verification: builtin.Verification}
	t.Evidence.SourceWeights = maps.Clone(builtin.Evidence.SourceWeights)
	t.Evidence.EnvWeights = maps.Clone(builtin.Evidence.EnvWeights)
	if err := decodeThresholds(b, &t); err != nil {
		return t, err
	}
	return t, t.Validate()
}

func decodeThresholds(b []byte, t *Thresholds) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(t); err != nil {
		return fmt.Errorf("thresholds: %w", err)
	}
	return nil
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
	e := t.Evidence
	if e.FreshDays < 1 {
		errs = append(errs, fmt.Errorf("evidence.fresh_days %d must be at least 1", e.FreshDays))
	}
	for _, src := range []data.Source{data.SourceCrowd, data.SourceDrive, data.SourceRegulator} {
		if w, ok := e.SourceWeights[src]; !ok || w < 0 {
			errs = append(errs, fmt.Errorf("evidence.source_weights.%s must be given and not negative", src))
		}
	}
	for _, env := range []data.Env{data.EnvOutdoor, data.EnvVehicle, data.EnvIndoor} {
		if w, ok := e.EnvWeights[env]; !ok || w < 0 || w > 1 {
			errs = append(errs, fmt.Errorf("evidence.env_weights.%s must be given, in [0, 1]", env))
		}
	}
	if e.DeclaredWeight < 0 {
		errs = append(errs, errors.New("evidence.declared_weight is negative"))
	}
	if e.FullWeight <= 0 {
		errs = append(errs, errors.New("evidence.full_weight must be positive"))
	}
	d := t.Disputes
	if d.DeclaredMin < data.LevelLimited || d.MeasuredMax < data.LevelNone || d.MeasuredMax >= d.DeclaredMin {
		errs = append(errs, fmt.Errorf("disputes: need none <= measured_max < declared_min, got measured_max %s, declared_min %s", d.MeasuredMax, d.DeclaredMin))
	}
	if d.MinSamples < t.MinSamples || d.MinDevices < 1 || d.MinDays < 1 {
		errs = append(errs, fmt.Errorf("disputes: min_samples (%d) must be at least min_samples (%d); min_devices (%d) and min_days (%d) at least 1", d.MinSamples, t.MinSamples, d.MinDevices, d.MinDays))
	}
	if v := t.Verification; v.WindowDays < 1 || v.MinSamples < t.MinSamples {
		errs = append(errs, fmt.Errorf("verification: window_days (%d) must be at least 1 and min_samples (%d) at least min_samples (%d)", v.WindowDays, v.MinSamples, t.MinSamples))
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
