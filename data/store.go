package data

import (
	"context"
)

// Store is the full storage contract. Every method takes ctx first and is
// safe for concurrent use. Writes are atomic: each call lands whole or not
// at all. Slices returned are the caller's own.
type Store interface {
	// ReplaceAreas replaces every area of one level. Errors: ErrInvalid.
	ReplaceAreas(ctx context.Context, level AreaLevel, areas []Area) error
	// Areas returns the areas of one level ordered by code.
	Areas(ctx context.Context, level AreaLevel) ([]Area, error)
	// ReplacePlaces replaces every point of one layer.
	ReplacePlaces(ctx context.Context, layer PlaceLayer, places []Place) error
	// Places returns the points of one layer ordered by id.
	Places(ctx context.Context, layer PlaceLayer) ([]Place, error)
	// PutLayerInfo records what a load put in a layer; LayerInfos lists them.
	PutLayerInfo(ctx context.Context, info LayerInfo) error
	LayerInfos(ctx context.Context) ([]LayerInfo, error)
	// ReplaceFeatures replaces every feature of a generic layer (see
	// LayerSites…); ids must be unique within it. Features returns them
	// ordered by id. Errors: ErrInvalid.
	ReplaceFeatures(ctx context.Context, layer string, fs []Feature) error
	Features(ctx context.Context, layer string) ([]Feature, error)

	// AddUpload stores an upload and its rows in one transaction. When the
	// same sha256 is already stored it returns *DuplicateError (matching
	// ErrConflict) without calling fill. An error from fill aborts the
	// upload and leaves the store as it was.
	AddUpload(ctx context.Context, up Upload, fill Fill) (Upload, error)
	// KnownRows returns, for each of fps (data.Measurement.Fingerprint)
	// that a stored upload holds, the id of the first upload holding it.
	// AddUpload records the fingerprint of every row it stores; the rows
	// of an upload in progress or aborted are not known.
	KnownRows(ctx context.Context, fps []uint64) (map[uint64]int64, error)
	// Uploads lists uploads by id. Upload returns one; ErrNotFound.
	Uploads(ctx context.Context) ([]Upload, error)
	Upload(ctx context.Context, id int64) (Upload, error)
	// ScanMeasurements calls fn with every stored measurement, in batches,
	// until fn returns an error, which ScanMeasurements returns.
	ScanMeasurements(ctx context.Context, fn func([]Measurement) error) error
	// CellHistograms calls fn, in batches and in no particular order, with
	// the aggregate of every stored measurement per cell × operator ×
	// technology at H3 resolution res (see CellHist). A store that keeps
	// them incrementally answers without reading raw rows.
	CellHistograms(ctx context.Context, res int, fn func([]CellHist) error) error

	// ReplacePopulation replaces the population grid. Population returns it
	// ordered by cell.
	ReplacePopulation(ctx context.Context, cells []CellPop) error
	Population(ctx context.Context) ([]CellPop, error)

	// ReplaceCoverage replaces every cell stat with one run's result.
	ReplaceCoverage(ctx context.Context, run CoverageRun, stats []CellStat) error
	// CoverageRun returns the last run; ErrNotFound before the first.
	CoverageRun(ctx context.Context) (CoverageRun, error)
	// CellStats returns the stats matching f ordered by operator, tech, cell.
	CellStats(ctx context.Context, f CellStatFilter) ([]CellStat, error)

	// AddSnapshot stores a new zone snapshot and returns it with its id;
	// older snapshots are kept unchanged.
	AddSnapshot(ctx context.Context, s Snapshot, zones []Zone) (Snapshot, error)
	// CommitComputation stores what one recompute derived, in one
	// transaction: ReplaceCoverage, ReplaceFeatures of the disputes,
	// PutLayerInfo and AddSnapshot, with the same rules, land together
	// or not at all. It returns the new snapshot.
	CommitComputation(ctx context.Context, c Computation) (Snapshot, error)
	// Snapshots lists snapshots by id; LatestSnapshot returns the newest
	// (ErrNotFound before the first).
	Snapshots(ctx context.Context) ([]Snapshot, error)
	LatestSnapshot(ctx context.Context) (Snapshot, error)
	// Zones returns the zones of a snapshot matching f, ordered by rank, and
	// the total count before Limit/Offset. Zone returns one; ErrNotFound.
	Zones(ctx context.Context, snapshot int64, f ZoneFilter) ([]Zone, int, error)
	Zone(ctx context.Context, snapshot int64, id string) (Zone, error)

	// AppendEvent appends ev to the history of (ev.Kind, ev.Subject) as
	// its event number ev.Seq, which must be one more than the last stored
	// (1 for the first): otherwise someone else changed the subject since
	// the caller read it, and ErrConflict is returned with nothing
	// stored. ev.Evidence.Content, when given, is stored with it.
	// Errors: ErrInvalid (no kind, subject or target state, or Seq < 1),
	// ErrConflict.
	AppendEvent(ctx context.Context, ev Event) error
	// Events returns the stored events matching f, without evidence
	// content, ordered by kind, subject and seq.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// EventEvidence returns one event with its evidence content;
	// ErrNotFound when there is no such event or it has no evidence.
	EventEvidence(ctx context.Context, kind SubjectKind, subject string, seq int) (Event, error)

	// AddScenarioRun stores a scenario run and its routes (as the feature
	// layer RoutesLayer of the new id) in one transaction and returns it
	// with its id, the next one, and CreatedAt in UTC. Errors: ErrInvalid
	// (a Body that is not JSON; a route with an empty or repeated id or no
	// geometry).
	AddScenarioRun(ctx context.Context, r ScenarioRun) (ScenarioRun, error)
	// ScenarioRuns lists the stored runs by id, without Body and Routes.
	ScenarioRuns(ctx context.Context) ([]ScenarioRun, error)
	// ScenarioRun returns one run with its Body and its Routes ordered by
	// id; ErrNotFound.
	ScenarioRun(ctx context.Context, id int64) (ScenarioRun, error)

	Close() error
}
