package sites

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// Kind says what an administrative site is. Imported sites keep the kind
// their file names; the demo set uses the constants below.
type Kind string

// Kinds of the demo set.
const (
	KindCommuneSeat  Kind = "commune_seat"  // the commune's town hall
	KindHospital     Kind = "hospital"      // OSM amenity=hospital
	KindClinic       Kind = "clinic"        // OSM amenity=clinic
	KindProvinceSeat Kind = "province_seat" // province or prefecture offices
	KindRegionSeat   Kind = "region_seat"   // region offices
	KindAdminOffice  Kind = "admin_office"  // other public office (synthetic in the demo)
)

// Site is one administrative site to connect.
type Site struct {
	ID        string
	Name      string
	Kind      Kind
	Commune   string // HCP commune code, "" when unknown
	Urban     bool
	Point     orb.Point // lon/lat
	Synthetic bool      // made up by the demo, not a real site
}

// Feature returns the site as a feature of layer data.LayerSites, with the
// props an imported site has: name, kind, commune, urban, synthetic.
func (s Site) Feature() data.Feature {
	props := map[string]any{
		"name":      s.Name,
		"kind":      string(s.Kind),
		"urban":     s.Urban,
		"synthetic": s.Synthetic,
	}
	if s.Commune != "" {
		props["commune"] = s.Commune
	}
	return data.Feature{Layer: data.LayerSites, ID: s.ID, Props: props, Geom: s.Point}
}

// FromFeature reads a site from a feature of layer data.LayerSites, as
// ingest.MapFeatures writes it or Site.Feature does. The geometry must be
// a point (or a one-point multipoint); urban and synthetic may be booleans,
// numbers or text (true/false, 1/0, urban/rural, oui/non), and are false
// when missing. It returns an error wrapping data.ErrInvalid otherwise.
func FromFeature(f data.Feature) (Site, error) {
	s := Site{ID: f.ID}
	if f.Layer != "" && f.Layer != data.LayerSites {
		return s, fmt.Errorf("site %s: %w: layer is %q, expected %q", f.ID, data.ErrInvalid, f.Layer, data.LayerSites)
	}
	if f.ID == "" {
		return s, fmt.Errorf("site: %w: empty id", data.ErrInvalid)
	}
	pt, err := point(f.Geom)
	if err != nil {
		return s, fmt.Errorf("site %s: %w", f.ID, err)
	}
	s.Point = pt
	s.Name = propText(f.Props, "name")
	s.Kind = Kind(propText(f.Props, "kind"))
	s.Commune = propText(f.Props, "commune")
	for _, b := range []struct {
		key string
		dst *bool
	}{{"urban", &s.Urban}, {"synthetic", &s.Synthetic}} {
		v, err := propBool(f.Props, b.key)
		if err != nil {
			return s, fmt.Errorf("site %s: %w", f.ID, err)
		}
		*b.dst = v
	}
	return s, nil
}

// FromFeatures reads every feature as a site, stopping at the first error.
func FromFeatures(fs []data.Feature) ([]Site, error) {
	out := make([]Site, 0, len(fs))
	for _, f := range fs {
		s, err := FromFeature(f)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Features returns the sites as features of layer data.LayerSites.
func Features(ss []Site) []data.Feature {
	out := make([]data.Feature, len(ss))
	for i, s := range ss {
		out[i] = s.Feature()
	}
	return out
}

// PoP is a fibre point of presence: where a route can start.
type PoP struct {
	ID       string
	Name     string
	Operator string // MCC-MNC or name of the network, "" when unknown
	Point    orb.Point
	// Site is the id of the site the PoP stands at ("" when none).
	Site string
	// Assumption marks a PoP that is an assumption, not an operator's
	// network (the demo's PoPs at province and region seats).
	Assumption bool
}

// Feature returns the PoP as a feature of layer data.LayerPoP with props
// name, operator, site and assumption.
func (p PoP) Feature() data.Feature {
	props := map[string]any{"name": p.Name, "assumption": p.Assumption}
	if p.Operator != "" {
		props["operator"] = p.Operator
	}
	if p.Site != "" {
		props["site"] = p.Site
	}
	return data.Feature{Layer: data.LayerPoP, ID: p.ID, Props: props, Geom: p.Point}
}

// PoPFromFeature reads a PoP from a feature of layer data.LayerPoP (an
// imported one has name and operator; assumption is false when missing).
// It returns an error wrapping data.ErrInvalid for a feature that is not
// a point with an id.
func PoPFromFeature(f data.Feature) (PoP, error) {
	p := PoP{ID: f.ID}
	if f.Layer != "" && f.Layer != data.LayerPoP {
		return p, fmt.Errorf("pop %s: %w: layer is %q, expected %q", f.ID, data.ErrInvalid, f.Layer, data.LayerPoP)
	}
	if f.ID == "" {
		return p, fmt.Errorf("pop: %w: empty id", data.ErrInvalid)
	}
	pt, err := point(f.Geom)
	if err != nil {
		return p, fmt.Errorf("pop %s: %w", f.ID, err)
	}
	p.Point = pt
	p.Name = propText(f.Props, "name")
	p.Operator = propText(f.Props, "operator")
	p.Site = propText(f.Props, "site")
	if p.Assumption, err = propBool(f.Props, "assumption"); err != nil {
		return p, fmt.Errorf("pop %s: %w", f.ID, err)
	}
	return p, nil
}

func point(g orb.Geometry) (orb.Point, error) {
	if mp, ok := g.(orb.MultiPoint); ok && len(mp) == 1 {
		g = mp[0]
	}
	pt, ok := g.(orb.Point)
	if !ok {
		return orb.Point{}, fmt.Errorf("%w: geometry is %s, expected a point", data.ErrInvalid, geomName(g))
	}
	return pt, nil
}

func geomName(g orb.Geometry) string {
	if g == nil {
		return "missing"
	}
	return "a " + g.GeoJSONType()
}

// propText reads a prop as text: strings as they are, numbers in their
// shortest form (a commune code read from a numeric column).
func propText(props map[string]any, k string) string {
	switch v := props[k].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func propBool(props map[string]any, k string) (bool, error) {
	switch v := props[k].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case float64:
		return v != 0, nil
	case int:
		return v != 0, nil
	case int64:
		return v != 0, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
			return false, nil
		case "true", "1", "yes", "oui", "urban", "urbain", "urbaine", "u":
			return true, nil
		case "false", "0", "no", "non", "rural", "rurale", "r":
			return false, nil
		}
		return false, fmt.Errorf("%w: %s %q is not a yes/no value; expected true/false, 1/0 or urban/rural", data.ErrInvalid, k, v)
	}
	return false, fmt.Errorf("%w: %s is a %T, expected a boolean", data.ErrInvalid, k, props[k])
}
