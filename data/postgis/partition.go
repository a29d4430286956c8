package postgis

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// partitions remembers the month partitions of measurements known to
// exist, so a batch checks the catalog only for a month it has not seen.
type partitions struct {
	mu    sync.Mutex
	known map[time.Time]bool
}

// partitionName is the table of one month: measurements_y2025m03.
func partitionName(month time.Time) string {
	return fmt.Sprintf("measurements_y%04dm%02d", month.Year(), int(month.Month()))
}

// ensure creates the partition of month inside tx when it does not exist.
// Creation is serialised by an advisory lock held to the end of tx, so two
// uploads needing the same new month do not collide; a rollback removes
// the partition with the rest of the upload.
//
// local holds the months this transaction already ensured: a partition it
// created is visible to it but must not be remembered before commit.
func (p *partitions) ensure(ctx context.Context, tx pgx.Tx, month time.Time, local map[time.Time]bool) error {
	if local[month] {
		return nil
	}
	local[month] = true
	p.mu.Lock()
	ok := p.known[month]
	p.mu.Unlock()
	if ok {
		return nil
	}
	name := partitionName(month)
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		p.mu.Lock()
		if p.known == nil {
			p.known = map[time.Time]bool{}
		}
		p.known[month] = true
		p.mu.Unlock()
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('taghtia.measurements.partition'))`); err != nil {
		return err
	}
	next := month.AddDate(0, 1, 0)
	_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF measurements FOR VALUES FROM ('%s') TO ('%s')`,
		pgx.Identifier{name}.Sanitize(), month.Format(time.RFC3339), next.Format(time.RFC3339)))
	return err
}

// Partition is one month partition of the measurements table.
type Partition struct {
	Name  string    `json:"name"`
	Month time.Time `json:"month"`
	Rows  int64     `json:"rows"` // planner estimate
}

// Partitions lists the attached month partitions, oldest first.
func (s *Store) Partitions(ctx context.Context) ([]Partition, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'measurements'::regclass ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("postgis: partitions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Partition, error) {
		var p Partition
		if err := r.Scan(&p.Name, &p.Rows); err != nil {
			return p, err
		}
		var y, m int
		if _, err := fmt.Sscanf(p.Name, "measurements_y%04dm%02d", &y, &m); err == nil {
			p.Month = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		}
		return p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: partitions: %w", err)
	}
	return out, nil
}

// DetachBefore detaches the month partitions wholly before t and renames
// them *_detached: their rows leave the measurements table (archive or
// drop them at will) while the per-cell aggregates, and so coverage, keep
// their evidence. It returns the tables detached.
func (s *Store) DetachBefore(ctx context.Context, t time.Time) ([]string, error) {
	parts, err := s.Partitions(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range parts {
		if p.Month.IsZero() || p.Month.AddDate(0, 1, 0).After(t) {
			continue
		}
		err := s.tx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `ALTER TABLE measurements DETACH PARTITION `+pgx.Identifier{p.Name}.Sanitize()); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `ALTER TABLE `+pgx.Identifier{p.Name}.Sanitize()+` RENAME TO `+pgx.Identifier{p.Name + "_detached"}.Sanitize())
			return err
		})
		if err != nil {
			return out, fmt.Errorf("postgis: detach %s: %w", p.Name, err)
		}
		s.parts.mu.Lock()
		delete(s.parts.known, p.Month)
		s.parts.mu.Unlock()
		out = append(out, p.Name+"_detached")
	}
	return out, nil
}
