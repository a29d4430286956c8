// Package embedded is Taghtia's default store: durable, in-process, in one
// bbolt file (taghtia.db) inside a data directory. It implements data.Store.
//
// Every write method is one bbolt transaction, so it lands whole or not at
// all. bbolt serialises writers; readers run concurrently with each other
// and with the writer.
package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/data"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout version this package writes. Open refuses a
// data directory written by a newer version and upgrades an older one in
// place (what changed is readable as it was):
//
//	1  the first layout
//	2  cell stat chunks of format statsV2 (the evidence fields; statsV1
//	   chunks still read, with zero evidence); the events and
//	   evidence buckets
const SchemaVersion = 2

// FileName is the name of the database file inside the data directory.
const FileName = "taghtia.db"

// DefaultTimeout is how long Open waits for the file lock by default.
const DefaultTimeout = time.Second

// Bucket names. Keys and values are described where each bucket is written.
var (
	bMeta       = []byte("meta")       // schema, coverage_run
	bAreas      = []byte("areas")      // level -> bucket code -> area
	bPlaces     = []byte("places")     // layer -> bucket id -> place
	bLayers     = []byte("layers")     // name -> LayerInfo JSON
	bUploads    = []byte("uploads")    // id (8 BE) -> Upload JSON
	bUploadSHA  = []byte("upload_sha") // sha256 -> id (8 BE)
	bRows       = []byte("rows")       // id (8 BE) + seq (4 BE) -> measurement chunk
	bRowFP      = []byte("row_fp")     // same key as rows -> the chunk's fingerprints (8 LE each)
	bPopulation = []byte("population") // seq (4 BE) -> population chunk
	bCellStats  = []byte("cellstats")  // mccmnc 0x00 tech seq (4 BE) -> stat chunk
	bSnapshots  = []byte("snapshots")  // id (8 BE) -> Snapshot JSON
	bZones      = []byte("zones")      // snapshot id -> bucket rank key -> zone
	bZoneIDs    = []byte("zone_ids")   // snapshot id -> bucket zone id -> rank key
	bFeatures   = []byte("features")   // layer -> bucket id -> feature record
	bEvents     = []byte("events")     // event key (eventKey) -> Event JSON, without content
	bEvidence   = []byte("evidence")   // event key -> evidence content

	// Scenario runs (scenario.go); older binaries ignore these buckets.
	bScenarios      = []byte("scenarios")       // id (8 BE) -> scenario run header JSON
	bScenarioBodies = []byte("scenario_bodies") // id (8 BE) -> scenario run body

	kSchema      = []byte("schema")
	kCoverageRun = []byte("coverage_run")
)

var allBuckets = [][]byte{bMeta, bAreas, bPlaces, bLayers, bUploads, bUploadSHA, bRows, bRowFP,
	bPopulation, bCellStats, bSnapshots, bZones, bZoneIDs, bFeatures, bEvents, bEvidence,
	bScenarios, bScenarioBodies}

// Options tune Open. The zero value is the production setting.
type Options struct {
	// Timeout is how long to wait for the file lock held by another
	// process; zero means DefaultTimeout.
	Timeout time.Duration
	// NoSync skips fsync on commit: faster, but a crash may lose or corrupt
	// data. For tests only.
	NoSync bool
}

// Store is the embedded store. It is safe for concurrent use.
type Store struct {
	db  *bolt.DB
	dir string
	fp  fpIndex
}

var _ data.Store = (*Store)(nil)

// Open opens (creating if needed) the store in dir.
//
// Errors: data.ErrLocked (wrapped, naming dir) when another process holds
// the directory; an error when the file was written by a newer schema
// version; I/O errors.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{
		Timeout:      opts.Timeout,
		NoSync:       opts.NoSync,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("embedded: open %s: %w (no lock after %s)", dir, data.ErrLocked, opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	if err := db.Update(initSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	st := &Store{db: db, dir: dir}
	if err := st.dropOrphanRows(); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded: open %s: remove rows of interrupted uploads: %w", dir, err)
	}
	return st, nil
}

func initSchema(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bMeta)
	if v := meta.Get(kSchema); v != nil {
		if len(v) != 4 {
			return fmt.Errorf("schema version record is %d bytes, want 4", len(v))
		}
		got := binary.BigEndian.Uint32(v)
		if got > SchemaVersion {
			return fmt.Errorf("data written by schema version %d, this binary reads up to %d: upgrade taghtia", got, SchemaVersion)
		}
		if got == SchemaVersion {
			return nil
		}
		// Older layouts read as they are; the buckets added since were
		// created above. Record the version, so an older binary refuses
		// the directory once this one may have written the new layout.
	}
	return meta.Put(kSchema, binary.BigEndian.AppendUint32(nil, SchemaVersion))
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// Close releases the file and its lock. Errors: I/O errors.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close: %w", err)
	}
	return nil
}

// update runs fn in one write transaction after checking ctx.
func (s *Store) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}

// view runs fn in one read transaction after checking ctx.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

func idKey(id int64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(id)) }

// parent is a *bolt.Tx or a *bolt.Bucket.
type parent interface {
	Bucket(name []byte) *bolt.Bucket
	CreateBucket(name []byte) (*bolt.Bucket, error)
	DeleteBucket(name []byte) error
}

// replaceBucket empties the bucket name of parent and returns it fresh.
func replaceBucket(parent parent, name []byte) (*bolt.Bucket, error) {
	if parent.Bucket(name) != nil {
		if err := parent.DeleteBucket(name); err != nil {
			return nil, err
		}
	}
	return parent.CreateBucket(name)
}
