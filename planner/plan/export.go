package plan

import (
	"strconv"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner/scenario"
)

// ZoneColumns is the header of a plan's zones.csv: the work planned in
// each programme zone (taghtia plan and GET /api/v1/scenarios/{id}/zones.csv).
var ZoneColumns = []string{"zone", "kind", "work", "host", "new_sites", "cost_mad", "population", "covered", "region"}

// ZoneRecord is one row of zones.csv, in ZoneColumns order.
func ZoneRecord(id string, kind data.ZoneKind, work scenario.Kind, host string, newSites int, costMAD float64, population, covered int64, region string) []string {
	return []string{id, string(kind), string(work), host, strconv.Itoa(newSites), strconv.FormatFloat(costMAD, 'f', 0, 64),
		strconv.FormatInt(population, 10), strconv.FormatInt(covered, 10), region}
}
