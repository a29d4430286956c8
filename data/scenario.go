package data

import (
	"strconv"
	"time"
)

// LayerRoutes is the base of the feature layers that hold the fibre
// routes of a stored scenario run: RoutesLayer(id).
const LayerRoutes = "routes"

// RoutesLayer is the feature layer of the routes of scenario run id,
// LayerKey(LayerRoutes, "12") = "routes/12".
func RoutesLayer(id int64) string { return LayerKey(LayerRoutes, strconv.FormatInt(id, 10)) }

// LayerAssignments is the base of the feature layers that hold what a
// stored scenario run assigns where: AssignmentsLayer(id).
const LayerAssignments = "assignments"

// AssignmentsLayer is the feature layer of the assignments of scenario
// run id, "assignments/12".
func AssignmentsLayer(id int64) string {
	return LayerKey(LayerAssignments, strconv.FormatInt(id, 10))
}

// ScenarioRun is one planning scenario as run and stored: what the API
// returns for it (Body) and the fibre routes of its sites.
type ScenarioRun struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	Snapshot  int64 // the zone snapshot the plan covered
	// Body is the JSON document of the run (inputs, summary, per-site and
	// per-zone rows, no route geometry), stored and returned as given.
	Body []byte
	// Routes are the fibre routes, one LineString per fibre site (id: the
	// site; props: site, new_km, shared_km, cost_mad), stored as the
	// feature layer RoutesLayer(ID).
	Routes []Feature
	// Assignments are what the plan puts where, for the map: each
	// administrative site (a point: its technology), each new radio site
	// (a point) and each planned zone (its polygon: new sites or
	// roaming); see web.NewScenarioRun for ids and properties. They are
	// stored as the feature layer AssignmentsLayer(ID) with the same rules
	// as Routes; ScenarioRun does not return them (read the layer).
	Assignments []Feature
}

// RunLayer is one feature layer of a stored scenario run.
type RunLayer struct {
	Name     string
	Features []Feature
}

// Layers are r's routes and assignments under their layer names (r.ID
// set), each feature's Layer set: what a store writes for the run.
func (r *ScenarioRun) Layers() []RunLayer {
	ls := []RunLayer{{RoutesLayer(r.ID), r.Routes}, {AssignmentsLayer(r.ID), r.Assignments}}
	for _, l := range ls {
		for i := range l.Features {
			l.Features[i].Layer = l.Name
		}
	}
	return ls
}
