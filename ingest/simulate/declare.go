package simulate

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// DeclaredResolution is the H3 resolution of the declared-coverage grid.
const DeclaredResolution = 8

// floodSlackKm widens the reach of the flood fill by more than the
// circumradius of a resolution-8 cell (~0.53 km), so that every cell
// within reach is connected to a site's cell through cells within reach.
const floodSlackKm = 1.0

// Bins are the lower bounds, in dBm, of the three signal levels above
// none: RSRP for 4G, RSCP for 3G, RSSI for 2G.
type Bins struct {
	VeryGood, Good, Limited float64
}

// DeclareOptions say what Declare computes.
type DeclareOptions struct {
	// Signal gives the bins of each technology to declare; a technology
	// without bins (and 5G, which is not simulated) is not declared.
	Signal map[data.Tech]Bins
	// Overstate maps an operator's MCC-MNC to the dB its declaration adds
	// to the predicted signal; an operator not listed declares honestly.
	Overstate map[string]float64
}

// Declaration is what one operator declares for one technology, beside
// what the model predicts there.
type Declaration struct {
	MCCMNC      string
	Tech        data.Tech
	OverstateDB float64 // added to the signal before classifying Declared
	// Cells are the resolution-8 cells where Declared or Modelled is above
	// none, in cell order.
	Cells []DeclaredCell
}

// DeclaredCell is the declared and the honestly modelled level of a cell.
type DeclaredCell struct {
	Cell               geo.Cell
	Declared, Modelled data.Level
}

// Declare returns, for every operator and every technology of
// opt.Signal (operator then technology order), the coverage the operator
// would declare from the model: the level of the predicted signal at each
// cell centre, outdoors, from the nearest site of that operator and
// technology within 35 km, with the median path loss of the cell's
// clutter (no shadowing, no fast fading), and no service below the
// sensitivity. Cells are visited by a flood fill from the sites' cells,
// so the work follows the network, not the country. Declare draws no
// random number: the measurements Write produces are the same with or
// without it. Errors: ErrInvalid for bad options, ctx.Err() when cancelled.
func (m *Model) Declare(ctx context.Context, opt DeclareOptions) ([]Declaration, error) {
	bins, offsets, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	var (
		res  [len(operators)][len(techs)][]DeclaredCell
		errs [len(operators)]error
		wg   sync.WaitGroup
	)
	for o := range operators {
		wg.Go(func() { res[o], errs[o] = m.declareOperator(ctx, o, offsets[o], bins) })
	}
	wg.Wait()
	var out []Declaration
	for o, op := range operators {
		if errs[o] != nil {
			return nil, errs[o]
		}
		for t, tp := range techs {
			if bins[t] != nil {
				out = append(out, Declaration{MCCMNC: op.code, Tech: tp.tech, OverstateDB: offsets[o], Cells: res[o][t]})
			}
		}
	}
	return out, nil
}

// Validate checks the options as Declare does, without a model: bins in
// order (very_good >= good >= limited, finite) and simulated operators
// with finite margins. Errors wrap ErrInvalid.
func (opt DeclareOptions) Validate() error {
	_, _, err := opt.resolve()
	return err
}

// resolve returns the bins by technology index and the margins by
// operator index.
func (opt DeclareOptions) resolve() (bins [len(techs)]*Bins, offsets [len(operators)]float64, err error) {
	for tech, b := range opt.Signal {
		t := slices.IndexFunc(techs[:], func(tp techParams) bool { return tp.tech == tech })
		if t < 0 {
			continue
		}
		if !(b.VeryGood >= b.Good && b.Good >= b.Limited) || math.IsInf(b.Limited, 0) || math.IsInf(b.VeryGood, 0) {
			return bins, offsets, fmt.Errorf("%w: %s bins need very_good >= good >= limited, finite, got %g, %g, %g", ErrInvalid, tech, b.VeryGood, b.Good, b.Limited)
		}
		bins[t] = &b
	}
	for code, db := range opt.Overstate {
		o := slices.IndexFunc(operators[:], func(op operator) bool { return op.code == code })
		if o < 0 {
			return bins, offsets, fmt.Errorf("%w: overstated operator %q is not simulated (%s)", ErrInvalid, code, operatorCodes())
		}
		if math.IsNaN(db) || math.IsInf(db, 0) {
			return bins, offsets, fmt.Errorf("%w: overstatement of %s is %g dB", ErrInvalid, code, db)
		}
		offsets[o] = db
	}
	return bins, offsets, nil
}

func operatorCodes() string {
	s := ""
	for i, op := range operators {
		if i > 0 {
			s += ", "
		}
		s += op.code
	}
	return s
}

// declareOperator flood-fills the cells of operator o from its sites'
// cells, through the cells within reach of some technology.
func (m *Model) declareOperator(ctx context.Context, o int, overDB float64, bins [len(techs)]*Bins) ([len(techs)][]DeclaredCell, error) {
	var out [len(techs)][]DeclaredCell
	pl := newPathLoss()
	var eirp, floor, reach [len(techs)]float64
	var trees [len(techs)]*kdTree
	for t, tp := range techs {
		if bins[t] == nil {
			continue
		}
		ids := m.net.ids[o][t]
		lon, lat := make([]float64, len(ids)), make([]float64, len(ids))
		for i, id := range ids {
			lon[i], lat[i] = m.net.sites[id].lon, m.net.sites[id].lat
		}
		trees[t] = newKDTree(lon, lat)
		eirp[t] = tp.refDBm + antennaGainDBi - feederLossDB
		floor[t] = max(bins[t].Limited, tp.sens)
		best := pl.a[t][0] // the smallest loss at 1 km of any clutter
		for _, a := range pl.a[t] {
			best = min(best, a)
		}
		reach[t] = min(math.Pow(10, (eirp[t]+max(overDB, 0)-floor[t]-best)/pl.b), maxServerKm) + floodSlackKm
	}
	seen := map[geo.Cell]struct{}{}
	var queue []geo.Cell
	push := func(c geo.Cell) {
		if _, ok := seen[c]; !ok {
			seen[c] = struct{}{}
			queue = append(queue, c)
		}
	}
	for _, s := range m.net.sites {
		if int(s.op) != o {
			continue
		}
		if c, err := geo.CellAt(orb.Point{s.lon, s.lat}, DeclaredResolution); err == nil {
			push(c)
		}
	}
	for i := 0; i < len(queue); i++ {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		c := queue[i]
		p := geo.CellCenter(c)
		cl := clutterOf(m.g.density[geo.Parent(c, clutterRes)]) // as clutterAt(p): a child's centre lies in its parent
		expand := false
		for t := range techs {
			if bins[t] == nil {
				continue
			}
			d, ok := trees[t].nearest(p[0], p[1], maxServerKm)
			if !ok {
				continue
			}
			expand = expand || d <= reach[t]
			s := eirp[t] - pl.loss(t, cl, d)
			mod, dec := level(s, floor[t], bins[t]), level(s+overDB, floor[t], bins[t])
			if mod > data.LevelNone || dec > data.LevelNone {
				out[t] = append(out[t], DeclaredCell{Cell: c, Declared: dec, Modelled: mod})
			}
		}
		if expand {
			for _, n := range geo.Neighbors(c) {
				push(n)
			}
		}
	}
	for t := range out {
		slices.SortFunc(out[t], func(a, b DeclaredCell) int { return cmp.Compare(a.Cell, b.Cell) })
	}
	return out, nil
}

// level classifies a signal: none below floor (the limited bound or the
// sensitivity, whichever is higher).
func level(s, floor float64, b *Bins) data.Level {
	switch {
	case s < floor:
		return data.LevelNone
	case s >= b.VeryGood:
		return data.LevelVeryGood
	case s >= b.Good:
		return data.LevelGood
	}
	return data.LevelLimited
}
