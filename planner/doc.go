// Package planner will hold rollout scenarios: fibre routes for
// administrative sites, satellite links, new 4G sites for white zones and
// national roaming for grey zones, with their costs and schedules.
package planner
