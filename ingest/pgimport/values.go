package pgimport

// Turning source column values into the store's fields.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/taghtia/taghtia/data"
	"golang.org/x/text/unicode/norm"
)

// deriveParents fills the parent and region of an area from its HCP code
// ("01.511.01.01" → province "01.511", region "01") when no column gave
// them, as the file loader does.
func deriveParents(a *data.Area, parentMapped, regMapped bool) {
	parts := strings.Split(a.Code, ".")
	switch a.Level {
	case data.LevelRegion:
		if !regMapped {
			a.Region = a.Code
		}
		if !parentMapped {
			a.Parent = "MA"
		}
	case data.LevelProvince:
		if len(parts) >= 2 {
			if !regMapped {
				a.Region = parts[0]
			}
			if !parentMapped {
				a.Parent = parts[0]
			}
		}
	case data.LevelCommune:
		if len(parts) == 4 {
			if !regMapped {
				a.Region = parts[0]
			}
			if !parentMapped {
				a.Parent = parts[0] + "." + parts[1]
			}
		}
	}
}

// communeType maps the usual spellings of the census "milieu" onto the
// values the population model reads (urban, rural).
func communeType(s string) (string, bool) {
	switch strings.ToLower(norm.NFC.String(strings.TrimSpace(s))) {
	case "urban", "urbain", "urbaine", "u", "municipalité", "municipalite", "حضري", "حضرية":
		return "urban", true
	case "rural", "rurale", "r", "قروي", "قروية":
		return "rural", true
	}
	return s, false
}

// whole parses a population: a whole number, or a number with a zero
// fraction ("1234.0"); empty is 0.
func whole(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%d is negative", n)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return int64(f), nil
}

// jsonValue keeps string, float64, bool and nil, as data.Feature wants;
// objects and arrays become their JSON text.
func jsonValue(v any) any {
	switch v := v.(type) {
	case nil, string, float64, bool:
		if s, ok := v.(string); ok {
			return nfc(s)
		}
		return v
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// redact drops the password from a connection URL for messages and
// LayerInfo.Source.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "postgresql database"
	}
	return "postgis://" + u.Host + u.Path
}

func nfc(s string) string { return norm.NFC.String(s) }

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func slicesHasEmpty(xs []string) bool {
	for _, x := range xs {
		if x == "" {
			return true
		}
	}
	return false
}
