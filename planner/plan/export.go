package plan

import (
	"strconv"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner/scenario"
)

// SiteRow is one administrative site's plan: a row of sites.csv (taghtia
// plan and GET /api/v1/scenarios/{id}/sites.csv) and of a stored run's
// body.
type SiteRow struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind"`
	Commune        string  `json:"commune"`
	Region         string  `json:"region"`
	Urban          bool    `json:"urban"`
	Synthetic      bool    `json:"synthetic"`
	Lon            float64 `json:"lon"`
	Lat            float64 `json:"lat"`
	Tech           string  `json:"tech"`
	Reason         string  `json:"reason,omitempty"`
	Order          int     `json:"order"`
	NewKm          float64 `json:"new_km"`
	SharedKm       float64 `json:"shared_km"`
	SeparateKm     float64 `json:"separate_km"`
	CostMAD        float64 `json:"cost_mad"`
	OpexMADPerYear float64 `json:"opex_mad_per_year"`
}

// SiteColumns is the header of sites.csv, in SiteRow.Record order.
var SiteColumns = []string{"id", "name", "kind", "commune", "region", "urban", "synthetic", "lon", "lat", "tech", "reason", "order",
	"new_km", "shared_km", "separate_km", "cost_mad", "opex_mad_per_year"}

// Record is the row as sites.csv writes it.
func (x SiteRow) Record() []string {
	ff := strconv.FormatFloat
	return []string{x.ID, x.Name, x.Kind, x.Commune, x.Region, strconv.FormatBool(x.Urban), strconv.FormatBool(x.Synthetic),
		ff(x.Lon, 'f', 6, 64), ff(x.Lat, 'f', 6, 64), x.Tech, x.Reason, strconv.Itoa(x.Order),
		ff(x.NewKm, 'f', 3, 64), ff(x.SharedKm, 'f', 3, 64), ff(x.SeparateKm, 'f', 3, 64), ff(x.CostMAD, 'f', 0, 64), ff(x.OpexMADPerYear, 'f', 0, 64)}
}

// SiteRows are the plan's sites in input order.
func (res *Result) SiteRows() []SiteRow {
	out := make([]SiteRow, len(res.Sites))
	for i, s := range res.Sites {
		r := res.Fibre.Sites[i]
		out[i] = SiteRow{ID: s.ID, Name: s.Name, Kind: string(s.Kind), Commune: s.Commune, Region: res.Regions[s.ID], Urban: s.Urban,
			Synthetic: s.Synthetic, Lon: s.Point[0], Lat: s.Point[1], Tech: string(r.Tech), Reason: r.Reason, Order: r.Order,
			NewKm: r.NewKm, SharedKm: r.SharedKm, SeparateKm: r.SeparateKm, CostMAD: r.CostMAD, OpexMADPerYear: r.OpexMADPerYear}
	}
	return out
}

// ZoneRow is one programme zone's plan: a row of zones.csv (taghtia plan
// and GET /api/v1/scenarios/{id}/zones.csv) and of a stored run's body.
type ZoneRow struct {
	ID         string        `json:"id"`
	Kind       data.ZoneKind `json:"kind"`
	Work       scenario.Kind `json:"work"`
	Host       string        `json:"host,omitempty"`
	NewSites   int           `json:"new_sites"`
	CostMAD    float64       `json:"cost_mad"`
	Population int64         `json:"population"`
	Covered    int64         `json:"covered"`
	Region     string        `json:"region"`
}

// ZoneColumns is the header of zones.csv, in ZoneRow.Record order.
var ZoneColumns = []string{"zone", "kind", "work", "host", "new_sites", "cost_mad", "population", "covered", "region"}

// Record is the row as zones.csv writes it.
func (z ZoneRow) Record() []string {
	return []string{z.ID, string(z.Kind), string(z.Work), z.Host, strconv.Itoa(z.NewSites), strconv.FormatFloat(z.CostMAD, 'f', 0, 64),
		strconv.FormatInt(z.Population, 10), strconv.FormatInt(z.Covered, 10), z.Region}
}

// ZoneRows are the plan's programme zones in plan order.
func (res *Result) ZoneRows() []ZoneRow {
	out := make([]ZoneRow, len(res.Zones))
	for i, z := range res.Zones {
		out[i] = ZoneRow{ID: z.ID, Kind: z.Kind, Work: z.Work, Host: z.Host, NewSites: len(z.Sites), CostMAD: z.CostMAD,
			Population: z.Population, Covered: z.Covered, Region: z.RegionCode}
	}
	return out
}
