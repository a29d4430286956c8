// Package scenario holds the parameters of a rollout scenario and turns
// planned work into a schedule, a summary and a comparison of two
// scenarios. It is pure: no storage, no HTTP, no clock.
//
// A scenario file (YAML or JSON) gives every planning parameter: unit costs
// of fibre, satellite, new 4G sites and roaming, the thresholds that choose
// satellite over fibre, the budget per year, the programmes' deadlines and
// the priority that orders the work. Every key has a documented default
// (default.yaml, see DefaultYAML); a file gives only what it changes. Load
// and Parse refuse unknown keys, negative costs and thresholds, and shares
// outside [0, 1], naming the key path and line.
//
// Schedule ranks work items (sites to connect, zones to cover) by the
// scenario's priority and funds them year by year within the budget
// ("skip and continue": an item that does not fit waits, smaller ones
// after it may go ahead); Summarize totals the result per technology for
// the API; Compare sets two results side by side.
package scenario
