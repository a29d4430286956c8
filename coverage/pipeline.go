package coverage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/geo"

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
	EvidenceStore
	Areas(ctx context.Context, level data.AreaLevel) ([]data.Area, error)
	Population(ctx context.Context) ([]data.CellPop, error)
	Uploads(ctx context.Context) ([]data.Upload, error)
	LatestSnapshot(ctx context.Context) (data.Snapshot, error)
	Zones(ctx context.Context, snapshot int64, f data.ZoneFilter) ([]data.Zone, int, error)
	CommitComputation(ctx context.Context, c data.Computation) (data.Snapshot, error)
}

// ErrNoPopulation is returned when no population grid is stored.
var ErrNoPopulation = errors.New("coverage: no population grid")

// RecomputeOptions tune Recompute.
type RecomputeOptions struct {
	Stage    func(name string) // told each step as it starts
	Progress func(rows int64)  // told the measurements read so far, per pass
	Now      time.Time         // end of the freshness window; default time.Now()
}

// Result is what Recompute produced.
type Result struct {
	Snapshot data.Snapshot
	Run      data.CoverageRun
	Disputes []data.Dispute
}

// Recompute aggregates every stored measurement, classifies the cells,
// weighs the evidence against the declared coverage, groups the
// disputes, finds the zones, gives them the ids of the latest snapshot's
// zones they continue (MatchIDs), and stores the coverage, the disputes
// and a new snapshot recording its inputs in one transaction
// (CommitComputation). Older snapshots are never changed.
func Recompute(ctx context.Context, st RecomputeStore, t Thresholds, opt RecomputeOptions) (Result, error) {
	var res Result
	say := func(s string) {
		if opt.Stage != nil {
			opt.Stage(s)
		}
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	say("aggregate")
	stats, run, err := Aggregate(ctx, st, t, opt.Progress)
	res.Run = run
	if err != nil {
		return res, err
	}
	disputed, err := Evidence(ctx, st, stats, t, EvidenceOptions{Now: opt.Now, Progress: opt.Progress, Stage: say})
	if err != nil {
		return res, fmt.Errorf("evidence: %w", err)
	}
	pop, err := st.Population(ctx)
	if err != nil {
		return res, fmt.Errorf("read population grid: %w", err)
	}
	if len(pop) == 0 {
		return res, fmt.Errorf("%w: load the reference layers first (taghtia layers load DIR)", ErrNoPopulation)
	}
	if r := pop[0].Cell.Resolution(); r != t.Resolution {
		return res, fmt.Errorf("%w at resolution %d: the stored grid is at %d; reload the layers", ErrNoPopulation, t.Resolution, r)
	}
	var lv [3][]data.Area
	for i, l := range []data.AreaLevel{data.LevelCommune, data.LevelProvince, data.LevelRegion} {
		if lv[i], err = st.Areas(ctx, l); err != nil {
			return res, fmt.Errorf("read %s areas: %w", l, err)
		}
	}
	gz := NewGazetteer(lv[0], lv[1], lv[2])
	say("disputes")
	codes, geoms := make([]string, 0, len(lv[0])), make([]orb.Geometry, 0, len(lv[0]))
	for _, a := range lv[0] {
		if len(a.Geom) > 0 {
			codes, geoms = append(codes, a.Code), append(geoms, a.Geom)
		}
	}
	res.Disputes, err = GroupDisputes(disputed, GroupOptions{Population: pop, Communes: geo.NewAreaIndex(codes, geoms), Gazetteer: gz})
	if err != nil {
		return res, err
	}
	fs := make([]data.Feature, len(res.Disputes))
	for i, d := range res.Disputes {
		fs[i] = d.Feature()
	}
	say("zones")
	zones, snap, err := FindZones(ctx, Classes(pop, stats, t.Zones), gz, t.Zones)
	if err != nil {
		return res, err
	}
	prev, err := st.LatestSnapshot(ctx)
	switch {
	case err == nil && prev.Resolution == t.Resolution:
		old, _, err := st.Zones(ctx, prev.ID, data.ZoneFilter{})
		if err != nil {
			return res, fmt.Errorf("read zones of snapshot %d: %w", prev.ID, err)
		}
		MatchIDs(old, zones)
		snap.MatchedTo = prev.ID
	case err != nil && !errors.Is(err, data.ErrNotFound):
		return res, fmt.Errorf("latest snapshot: %w", err)
	}
	ups, err := st.Uploads(ctx)
	if err != nil {
		return res, fmt.Errorf("list uploads: %w", err)
	}
	for _, u := range ups {
		snap.Uploads = append(snap.Uploads, u.ID)
	}
	infos, err := st.LayerInfos(ctx)
	if err != nil {
		return res, fmt.Errorf("list layers: %w", err)
	}
	snap.Resolution, snap.ConfigVersion, snap.Disputes = t.Resolution, t.Version, len(res.Disputes)
	snap.LayersVersion = LayersVersion(infos)
	// Coverage, disputes and snapshot land together: a crash or an error
	// leaves the previous computation whole.
	say("store")
	res.Snapshot, err = st.CommitComputation(ctx, data.Computation{
		Run: run, Stats: stats, Disputes: fs, Snapshot: snap, Zones: zones,
		DisputesInfo: data.LayerInfo{Name: data.LayerDisputes, Count: len(fs), Source: "taghtia zones (thresholds " + t.Version + ")", LoadedAt: time.Now().UTC()},
	})
	if err != nil {
		return res, fmt.Errorf("store the computation: %w", err)
	}
	return res, nil
}

// LayersVersion digests the reference and declared layers a computation
// read: every layer's name, feature count and source (file or table),
// except the disputes it writes itself. Load times are left out, so two
// stores loaded from the same files agree.
func LayersVersion(infos []data.LayerInfo) string {
	var parts []string
	for _, li := range infos {
		if li.Name == data.LayerDisputes {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d %s", li.Name, li.Count, li.Source))
	}
	slices.Sort(parts)
	h := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(h[:8])
}
