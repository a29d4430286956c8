package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/simulate"
)

type simulateCmd struct {
	Seed  int64   `help:"Seed: the same seed and --now give the same file." default:"1"`
	Out   string  `help:"Output CSV file." default:"simulated.csv" type:"path"`
	Scale float64 `help:"Size (1 = national, about a million rows)." default:"1"`
	Now   string  `help:"End of the simulated 90-day window, RFC 3339 (default: today 00:00 UTC)."`
}

type simOptions struct {
	Seed  int64
	Scale float64
	Now   time.Time
}

func (c *simulateCmd) Run(e *env) error {
	opt := simOptions{Seed: c.Seed, Scale: c.Scale}
	if c.Now != "" {
		t, err := time.Parse(time.RFC3339, c.Now)
		if err != nil {
			return fmt.Errorf("--now %q: expected RFC 3339 such as 2026-12-01T00:00:00Z", c.Now)
		}
		opt.Now = t
	}
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	return simulateTo(e, st, c.Out, opt)
}

// simulateTo writes a simulated set built on the stored population grid
// and places; the file appears whole (written beside, then renamed).
func simulateTo(e *env, st data.Store, out string, opt simOptions) error {
	pop, err := st.Population(e.ctx)
	if err != nil {
		return err
	}
	if len(pop) == 0 {
		return fmt.Errorf("no population grid in %s: load the reference layers first (taghtia layers load)", e.where())
	}
	places, err := st.Places(e.ctx, data.LayerPlaces)
	if err != nil {
		return err
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	w := bufio.NewWriterSize(f, 1<<20)
	pb := bar(-1, "simulate")
	start := time.Now()
	sum, err := simulate.Write(e.ctx, w, simulate.Options{
		Seed: opt.Seed, Population: pop, Places: places, Now: opt.Now, Scale: opt.Scale,
		Progress: func(done, total int64) {
			pb.ChangeMax64(total)
			pb.Set64(done)
		},
	})
	pb.Finish()
	if err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Printf("simulated %d measurement rows (SIMULATED, not real data) to %s in %.1fs\n", sum.Rows, out, time.Since(start).Seconds())
	return nil
}
