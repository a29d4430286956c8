package data

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"
)

// Tech is a radio access technology generation.
type Tech uint8

// The technologies Taghtia classifies.
const (
	Tech2G Tech = 2
	Tech3G Tech = 3
	Tech4G Tech = 4
	Tech5G Tech = 5
)

// Techs lists every technology, oldest first.
var Techs = []Tech{Tech2G, Tech3G, Tech4G, Tech5G}

func (t Tech) String() string {
	if t >= Tech2G && t <= Tech5G {
		return fmt.Sprintf("%dG", t)
	}
	return fmt.Sprintf("Tech(%d)", uint8(t))
}

// ParseTech reads "2G".."5G" (case-insensitive; LTE and NR accepted).
func ParseTech(s string) (Tech, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "2G", "GSM":
		return Tech2G, nil
	case "3G", "UMTS", "WCDMA":
		return Tech3G, nil
	case "4G", "LTE":
		return Tech4G, nil
	case "5G", "NR":
		return Tech5G, nil
	}
	return 0, fmt.Errorf("%w: technology %q is not one of 2G, 3G, 4G, 5G", ErrInvalid, s)
}

// MarshalText writes the technology as "4G"; the zero Tech (none
// chosen) as "".
func (t Tech) MarshalText() ([]byte, error) {
	if t == 0 {
		return nil, nil
	}
	return []byte(t.String()), nil
}

// UnmarshalText reads "4G"; "" is the zero Tech.
func (t *Tech) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*t = 0
		return nil
	}
	v, err := ParseTech(string(b))
	*t = v
	return err
}

// Env is where a measurement was taken.
type Env uint8

// Measurement environments.
const (
	EnvOutdoor Env = iota
	EnvVehicle
	EnvIndoor
)

var envNames = []string{"outdoor", "vehicle", "indoor"}

func (e Env) String() string {
	if int(e) < len(envNames) {
		return envNames[e]
	}
	return fmt.Sprintf("Env(%d)", uint8(e))
}

// ParseEnv reads outdoor, vehicle or indoor; empty means outdoor.
func ParseEnv(s string) (Env, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return EnvOutdoor, nil
	}
	for i, n := range envNames {
		if s == n {
			return Env(i), nil
		}
	}
	return 0, fmt.Errorf("%w: env %q is not one of outdoor, vehicle, indoor", ErrInvalid, s)
}

// Source is who took a measurement.
type Source uint8

// Measurement sources.
const (
	SourceCrowd Source = iota
	SourceDrive
	SourceRegulator
)

var sourceNames = []string{"crowd", "drive", "regulator"}

func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return fmt.Sprintf("Source(%d)", uint8(s))
}

// ParseSource reads crowd, drive or regulator; empty means crowd.
func ParseSource(s string) (Source, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return SourceCrowd, nil
	}
	for i, n := range sourceNames {
		if s == n {
			return Source(i), nil
		}
	}
	return 0, fmt.Errorf("%w: source %q is not one of crowd, drive, regulator", ErrInvalid, s)
}

// Measurement is one observation. Optional numeric fields hold NaN when
// absent (see Has). Device is a keyed hash of the device identifier, never
// the identifier itself.
type Measurement struct {
	Time      time.Time
	Lon, Lat  float64
	MCCMNC    string // "604-01": kept as a string, leading zeros matter
	Tech      Tech
	SignalDBm float32 // RSRP (4G/5G), RSCP (3G), RSSI (2G)
	RSRQDB    float32
	SINRDB    float32
	DLMbps    float32
	ULMbps    float32
	LatencyMs float32
	AccuracyM float32
	Env       Env
	Source    Source
	Device    uint64
}

// Absent is the value of an optional numeric field that was not given.
var Absent = float32(math.NaN())

// Has reports whether an optional numeric field was given.
func Has(v float32) bool { return v == v }

// Fingerprint is a 64-bit digest of what makes a measurement the same
// observation: time, place, operator, technology, device and the measured
// values (not the environment, source or accuracy, which a re-export may
// relabel). Ingest uses it to find a row repeated within a file or already
// stored from an earlier upload.
func (m *Measurement) Fingerprint() uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v uint64) { binary.LittleEndian.PutUint64(b[:], v); h.Write(b[:]) }
	put(uint64(m.Time.UnixNano()))
	put(math.Float64bits(m.Lat))
	put(math.Float64bits(m.Lon))
	h.Write([]byte(m.MCCMNC))
	put(uint64(m.Tech))
	put(m.Device)
	for _, f := range []float32{m.SignalDBm, m.RSRQDB, m.SINRDB, m.DLMbps, m.ULMbps, m.LatencyMs} {
		put(uint64(math.Float32bits(f)))
	}
	return h.Sum64()
}

// MarshalText writes the environment name.
func (e Env) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads an environment name.
func (e *Env) UnmarshalText(b []byte) error {
	v, err := ParseEnv(string(b))
	*e = v
	return err
}

// MarshalText writes the source name.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a source name.
func (s *Source) UnmarshalText(b []byte) error {
	v, err := ParseSource(string(b))
	*s = v
	return err
}
