package coverage

import (
	"context"
	"errors"
	"fmt"

	"github.com/taghtia/taghtia/data"
)

// PopulationStore is what BuildPopulation reads and writes.
type PopulationStore interface {
	Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error)
	Places(ctx context.Context, layer data.PlaceLayer) ([]data.Place, error)
	ReplacePopulation(ctx context.Context, cells []data.CellPop) error
}

// PopulationSummary says how the grid was built.
type PopulationSummary struct {
	Level    data.AreaLevel
	Areas    int
	Cells    int
	Total    int64 // population on the grid
	Census   int64 // census total of the areas used
	Unplaced int64 // census population of areas with no geometry nor sibling
}

// BuildPopulation spreads the census population of the finest areas with
// boundaries (communes, else provinces) onto the grid and stores it.
func BuildPopulation(ctx context.Context, st PopulationStore, res int) (PopulationSummary, error) {
	var sum PopulationSummary
	var areas []data.Area
	for _, lv := range []data.AreaLevel{data.LevelCommune, data.LevelProvince, data.LevelRegion} {
		a, err := st.Areas(ctx, lv)
		if err != nil {
			return sum, fmt.Errorf("read %s areas: %w", lv, err)
		}
		withGeom := 0
		for _, x := range a {
			if len(x.Geom) > 0 {
				withGeom++
			}
		}
		if withGeom > 0 {
			areas, sum.Level = a, lv
			break
		}
	}
	if areas == nil {
		return sum, fmt.Errorf("%w: no commune, province or region boundaries are stored; load a reference pack first", data.ErrNotFound)
	}
	var points []data.Place
	for _, l := range []data.PlaceLayer{data.LayerPlaces, data.LayerHealth} {
		p, err := st.Places(ctx, l)
		if err != nil {
			return sum, fmt.Errorf("read %s: %w", l, err)
		}
		points = append(points, p...)
	}
	cells, unplaced, err := Spread(ctx, areas, points, SpreadOptions{Resolution: res})
	if err != nil {
		return sum, err
	}
	sum.Areas, sum.Cells, sum.Unplaced = len(areas), len(cells), unplaced
	for _, a := range areas {
		sum.Census += a.Population
	}
	for _, c := range cells {
		sum.Total += int64(c.Population)
	}
	if err := st.ReplacePopulation(ctx, cells); err != nil {
		return sum, fmt.Errorf("store population grid: %w", err)
	}
	return sum, nil
}

// RecomputeStore is what Recompute reads and writes.
type RecomputeStore interface {
	HistSource
	Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error)
	Population(ctx context.Context) ([]data.CellPop, error)
	ReplaceCoverage(ctx context.Context, run data.CoverageRun, stats []data.CellStat) error
	Uploads(ctx context.Context) ([]data.Upload, error)
	AddSnapshot(ctx context.Context, s data.Snapshot, zones []data.Zone) (data.Snapshot, error)
}

// ErrNoPopulation is returned when no population grid is stored.
var ErrNoPopulation = errors.New("coverage: no population grid")

// Recompute aggregates every stored measurement, classifies the cells,
// stores the coverage, finds the zones and stores them as a new snapshot.
// stage, when set, is told each step as it starts.
func Recompute(ctx context.Context, st RecomputeStore, t Thresholds, stage func(name string), progress func(rows int64)) (data.Snapshot, data.CoverageRun, error) {
	say := func(s string) {
		if stage != nil {
			stage(s)
		}
	}
	say("aggregate")
	stats, run, err := Aggregate(ctx, st, t, progress)
	if err != nil {
		return data.Snapshot{}, run, err
	}
	say("store coverage")
	if err := st.ReplaceCoverage(ctx, run, stats); err != nil {
		return data.Snapshot{}, run, fmt.Errorf("store coverage: %w", err)
	}
	say("zones")
	pop, err := st.Population(ctx)
	if err != nil {
		return data.Snapshot{}, run, fmt.Errorf("read population grid: %w", err)
	}
	if len(pop) == 0 {
		return data.Snapshot{}, run, fmt.Errorf("%w: load the reference layers first (taghtia layers load DIR)", ErrNoPopulation)
	}
	if r := pop[0].Cell.Resolution(); r != t.Resolution {
		return data.Snapshot{}, run, fmt.Errorf("%w at resolution %d: the stored grid is at %d; reload the layers", ErrNoPopulation, t.Resolution, r)
	}
	var lv [3][]data.Area
	for i, l := range []data.AreaLevel{data.LevelCommune, data.LevelProvince, data.LevelRegion} {
		if lv[i], err = st.Areas(ctx, l); err != nil {
			return data.Snapshot{}, run, fmt.Errorf("read %s areas: %w", l, err)
		}
	}
	gz := NewGazetteer(lv[0], lv[1], lv[2])
	zones, snap, err := FindZones(ctx, Classes(pop, stats, t.Zones), gz, t.Zones)
	if err != nil {
		return snap, run, err
	}
	ups, err := st.Uploads(ctx)
	if err != nil {
		return snap, run, fmt.Errorf("list uploads: %w", err)
	}
	for _, u := range ups {
		snap.Uploads = append(snap.Uploads, u.ID)
	}
	snap.Resolution, snap.ConfigVersion = t.Resolution, t.Version
	say("store snapshot")
	snap, err = st.AddSnapshot(ctx, snap, zones)
	if err != nil {
		return snap, run, fmt.Errorf("store snapshot: %w", err)
	}
	return snap, run, nil
}
