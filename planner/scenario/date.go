package scenario

import (
	"fmt"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Date is a calendar day, written YYYY-MM-DD in files and JSON. The zero
// Date means "not set".
type Date struct{ t time.Time }

const dateLayout = "2006-01-02"

// NewDate returns the day y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year returns d's year.
func (d Date) Year() int { return d.t.Year() }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return d.t }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalYAML reads YYYY-MM-DD, quoted or not.
func (d *Date) UnmarshalYAML(n *yaml.Node) error { return d.UnmarshalText([]byte(n.Value)) }

// MarshalYAML writes YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// endOfYear is 31 December of year y, the day an item funded in y counts
// as done.
func endOfYear(y int) Date { return NewDate(y, time.December, 31) }

// Year is a calendar year, a key of budget.per_year_mad (2025, or "2025"
// in JSON).
type Year int

func parseYear(s string) (Year, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1900 || v > 2200 {
		return 0, fmt.Errorf("%q is not a year (1900-2200)", s)
	}
	return Year(v), nil
}

// MarshalText writes the year in decimal.
func (y Year) MarshalText() ([]byte, error) { return []byte(strconv.Itoa(int(y))), nil }

// UnmarshalText reads a year in decimal.
func (y *Year) UnmarshalText(b []byte) error {
	v, err := parseYear(string(b))
	if err != nil {
		return err
	}
	*y = v
	return nil
}

// UnmarshalYAML reads a year, quoted or not.
func (y *Year) UnmarshalYAML(n *yaml.Node) error { return y.UnmarshalText([]byte(n.Value)) }

// MarshalYAML writes the year as a plain integer key.
func (y Year) MarshalYAML() (any, error) { return int(y), nil }
