package planner

import (
	"cmp"
	"slices"
	"time"

	"github.com/taghtia/taghtia/data"
)

// Counts are subjects per state, every state present.
type Counts map[data.State]int

func newCounts() Counts {
	c := Counts{}
	for _, s := range data.States {
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
		st := Replay(hist)
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
	p.History = replayDays(len(zones), all)
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
// state of n subjects after that day's events.
func replayDays(n int, events []data.Event) []Day {
	slices.SortStableFunc(events, func(a, b data.Event) int {
		return cmp.Or(cmp.Compare(day(a.At), day(b.At)), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Seq, b.Seq))
	})
	state := map[string]data.State{}
	counts := newCounts()
	counts[data.StateIdentified] = n
	out := []Day{}
	for i, ev := range events {
		from, ok := state[ev.Subject]
		if !ok {
			from = data.StateIdentified
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
