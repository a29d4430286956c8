package embedded

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	bolt "go.etcd.io/bbolt"
)

func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(kSchema, binary.BigEndian.AppendUint32(nil, SchemaVersion+1))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("writing a newer schema version: %v", err)
	}
	s, err = Open(dir, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded, want an error")
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("schema version %d", SchemaVersion+1)) || !strings.Contains(msg, dir) {
		t.Errorf("Open error = %q, want it to name the version and %s", msg, dir)
	}
}

// TestOpenUpgradesSchema1 checks that a data directory of schema 1 (cell
// stat chunks without evidence, no event buckets) opens, reads its stats
// with zero evidence, takes events, and is recorded as SchemaVersion so an
// older binary refuses it.
func TestOpenUpgradesSchema1(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	cell := geo.Cell(0x88283082b9fffff)
	last := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	v1 := newChunkVersion(statsV1, statRowV1, 1)
	v1 = le.AppendUint64(v1, uint64(cell))
	v1 = le.AppendUint32(v1, 17)
	for _, f := range []float32{-101, -92.5, -80, data.Absent, data.Absent, data.Absent} {
		v1 = le.AppendUint32(v1, math.Float32bits(f))
	}
	v1 = le.AppendUint64(v1, uint64(last.UnixNano()))
	v1 = append(v1, byte(data.LevelLimited))
	v1 = finishChunk(v1, 1, &dict{})

	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bEvents, bEvidence} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		key := binary.BigEndian.AppendUint32(append([]byte("604-01"), 0, byte(data.Tech4G)), 0)
		if err := tx.Bucket(bCellStats).Put(key, v1); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchema, binary.BigEndian.AppendUint32(nil, 1))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("writing a schema 1 directory: %v", err)
	}

	s, err = Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatalf("Open of a schema 1 directory: %v", err)
	}
	defer s.Close()
	got, err := s.CellStats(ctx, data.CellStatFilter{})
	if err != nil {
		t.Fatalf("CellStats of a schema 1 chunk: %v", err)
	}
	want := data.CellStat{Cell: cell, MCCMNC: "604-01", Tech: data.Tech4G, Samples: 17, SignalP10: -101, SignalP50: -92.5,
		SignalP90: -80, DLP10: data.Absent, DLP50: data.Absent, DLP90: data.Absent, Last: last, Level: data.LevelLimited}
	if len(got) != 1 {
		t.Fatalf("CellStats = %d stats, want 1", len(got))
	}
	g := got[0]
	if !math.IsNaN(float64(g.DLP10)) || !math.IsNaN(float64(g.DLP50)) || !math.IsNaN(float64(g.DLP90)) {
		t.Errorf("CellStats DL percentiles = %v %v %v, want absent", g.DLP10, g.DLP50, g.DLP90)
	}
	g.DLP10, g.DLP50, g.DLP90 = data.Absent, data.Absent, data.Absent
	if g.Cell != want.Cell || g.MCCMNC != want.MCCMNC || g.Tech != want.Tech || g.Samples != want.Samples ||
		g.SignalP10 != want.SignalP10 || g.SignalP50 != want.SignalP50 || g.SignalP90 != want.SignalP90 ||
		!g.Last.Equal(want.Last) || g.Level != want.Level ||
		g.Declared != 0 || g.Sources != [data.NumSources]data.SourceStat{} || g.Result != 0 || g.Confidence != 0 || g.Disputed {
		t.Errorf("CellStats = %+v, want %+v (no evidence)", got[0], want)
	}
	ev := data.Event{Kind: data.SubjectZone, Subject: "Z-1", Seq: 1, At: last, To: data.StatePlanned}
	if err := s.AppendEvent(ctx, ev); err != nil {
		t.Errorf("AppendEvent after the upgrade: %v", err)
	}
	var version uint32
	if err := s.db.View(func(tx *bolt.Tx) error {
		version = binary.BigEndian.Uint32(tx.Bucket(bMeta).Get(kSchema))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion {
		t.Errorf("schema version after the upgrade = %d, want %d", version, SchemaVersion)
	}
}

// TestStatChunkVersion checks that a cell stat chunk of an unknown format
// is reported, not misread.
func TestStatChunkVersion(t *testing.T) {
	v, err := encodeStats([]data.CellStat{{Cell: 1, Samples: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if v[0] != statsV2 || len(v) < chunkHeader+statRow {
		t.Fatalf("encodeStats wrote version %d, %d bytes", v[0], len(v))
	}
	v[0] = statsV2 + 1
	if _, err := decodeStats(nil, v, "604-01", data.Tech4G); err == nil {
		t.Error("decodeStats of an unknown chunk version succeeded")
	}
}
