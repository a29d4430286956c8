package planner

import (
	"cmp"
	"slices"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/planner/fibre"
)

// Counts are subjects per state, every state present.
type Counts map[data.State]int

func newCounts() Counts { return countsOf(data.States) }

func countsOf(states []data.State) Counts {
	c := Counts{}
	for _, s := range states {
		c[s] = 0
	}
	return c
}

// Group is the progress of a set of zones.
type Group struct {
	Key     string `json:"key"`            // region code or operator
	Name    string `json:"name,omitempty"` // region name
	Zones   int    `json:"zones"`
	States  Counts `json:"states"`
	Overdue int    `json:"overdue"`
}

// Day is the count per state after one day with events (UTC).
type Day struct {
	Date   string `json:"date"` // YYYY-MM-DD
	States Counts `json:"states"`
}

// Progress is how far a set of programme zones has come.
type Progress struct {
	Zones      int     `json:"zones"`
	States     Counts  `json:"states"`
	Overdue    int     `json:"overdue"`
	ByRegion   []Group `json:"by_region"`
	ByOperator []Group `json:"by_operator"` // assigned operators only
	History    []Day   `json:"history"`
}

// Summarize counts zones per state, region and assigned operator, and
// replays their events day by day. events holds each zone's history by
// zone id, ordered by seq; a zone without events is identified.
func Summarize(zones []data.Zone, events map[string][]data.Event, now time.Time) Progress {
	p := Progress{Zones: len(zones), States: newCounts()}
	regions := map[string]*Group{}
	ops := map[string]*Group{}
	var all []data.Event
	for _, z := range zones {
		hist := events[z.ID]
		all = append(all, hist...)
		st := Replay(data.SubjectZone, hist)
		over := st.Overdue(now)
		add := func(groups map[string]*Group, key, name string) {
			g := groups[key]
			if g == nil {
				g = &Group{Key: key, Name: name, States: newCounts()}
				groups[key] = g
			}
			g.Zones++
			g.States[st.State]++
			if over {
				g.Overdue++
			}
		}
		p.States[st.State]++
		if over {
			p.Overdue++
		}
		add(regions, z.RegionCode, z.Region)
		if st.Operator != "" {
			add(ops, st.Operator, "")
		}
	}
	p.ByRegion, p.ByOperator = sortedGroups(regions), sortedGroups(ops)
	p.History = replayDays(mustLifecycle(data.SubjectZone), len(zones), all)
	return p
}

func sortedGroups(m map[string]*Group) []Group {
	out := make([]Group, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// replayDays returns, for each UTC day with an event, the counts per
// state of n subjects of lifecycle l after that day's events.
func replayDays(l *Lifecycle, n int, events []data.Event) []Day {
	slices.SortStableFunc(events, func(a, b data.Event) int {
		return cmp.Or(cmp.Compare(day(a.At), day(b.At)), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Seq, b.Seq))
	})
	state := map[string]data.State{}
	counts := countsOf(l.States())
	counts[l.Start] = n
	out := []Day{}
	for i, ev := range events {
		from, ok := state[ev.Subject]
		if !ok {
			from = l.Start
		}
		if ev.To != "" {
			counts[from]--
			counts[ev.To]++
			state[ev.Subject] = ev.To
		}
		if i == len(events)-1 || day(events[i+1].At) != day(ev.At) {
			c := make(Counts, len(counts))
			for k, v := range counts {
				c[k] = v
			}
			out = append(out, Day{Date: day(ev.At), States: c})
		}
	}
	return out
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// UrbanSiteTarget is the national target for administrative sites: the
// 6,300 urban ones connected to fibre by 2026 (rural ones go to
// satellite).
const UrbanSiteTarget = 6300

// Connected reports whether a site in state s is connected: in service
// or verified.
func Connected(s data.State) bool { return s == data.StateInService || s == data.StateVerified }

// TrackedSite is what site progress reads of a planned administrative
// site.
type TrackedSite struct {
	ID    string
	Tech  string // fibre or satellite, as the plan chose
	Urban bool
}

// TechProgress is the progress of the sites of one technology.
type TechProgress struct {
	Sites     int    `json:"sites"`
	States    Counts `json:"states"`
	Connected int    `json:"connected"`
}

// SiteProgress is how far a set of administrative sites has come.
// Counts list every state a site can be in (not identified).
type SiteProgress struct {
	Sites          int                     `json:"total"`
	States         Counts                  `json:"states"`
	Connected      int                     `json:"connected"` // in service or verified
	Overdue        int                     `json:"overdue"`
	ByTech         map[string]TechProgress `json:"by_tech"` // fibre and satellite always present
	Urban          int                     `json:"urban"`
	UrbanConnected int                     `json:"urban_connected"` // by any technology
	// The target is the urban sites on fibre: UrbanFibre planned on it,
	// UrbanFibreConnected connected, against UrbanTarget.
	UrbanFibre          int   `json:"urban_fibre"`
	UrbanFibreConnected int   `json:"urban_fibre_connected"`
	UrbanTarget         int   `json:"urban_target"` // UrbanSiteTarget
	History             []Day `json:"history"`      // counts per state after each day with an event
}

// SummarizeSites counts sites per state and technology, and the urban
// ones connected to fibre against UrbanSiteTarget (the strategy: 6,300
// urban administrative sites on fibre). events holds each site's
// history by site id, ordered by seq; a site without events is planned.
func SummarizeSites(sites []TrackedSite, events map[string][]data.Event, now time.Time) SiteProgress {
	l := mustLifecycle(data.SubjectSite)
	states := l.States()
	p := SiteProgress{Sites: len(sites), States: countsOf(states), ByTech: map[string]TechProgress{}, UrbanTarget: UrbanSiteTarget}
	for _, tech := range []fibre.Tech{fibre.Fibre, fibre.Satellite} {
		p.ByTech[string(tech)] = TechProgress{States: countsOf(states)}
	}
	var all []data.Event
	for _, s := range sites {
		st := l.replay(events[s.ID])
		conn := Connected(st.State)
		tp, ok := p.ByTech[s.Tech]
		if !ok {
			tp = TechProgress{States: countsOf(states)}
		}
		tp.Sites++
		tp.States[st.State]++
		p.States[st.State]++
		if conn {
			tp.Connected++
			p.Connected++
		}
		p.ByTech[s.Tech] = tp
		if st.Overdue(now) {
			p.Overdue++
		}
		if s.Urban {
			p.Urban++
			if conn {
				p.UrbanConnected++
			}
			if s.Tech == string(fibre.Fibre) {
				p.UrbanFibre++
				if conn {
					p.UrbanFibreConnected++
				}
			}
		}
		all = append(all, events[s.ID]...)
	}
	p.History = replayDays(l, len(sites), all)
	return p
}
