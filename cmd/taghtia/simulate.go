package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/simulate"
)

type simulateCmd struct {
	Seed  int64   `help:"Seed: the same seed and --now give the same file." default:"1"`
	Out   string  `help:"Output CSV file." default:"simulated.csv" type:"path"`
	Scale float64 `help:"Size (1 = national, about a million rows)." default:"1"`
	Now   string  `help:"End of the simulated 90-day window, RFC 3339 (default: today 00:00 UTC)."`

	DeclaredDir   string   `help:"Also write each operator's declared coverage from the model (declared_<mcc-mnc>_<tech>.geojson, NIVEAU TBC/BC/CL by the --thresholds signal bins) and overstated.csv into this directory. The measurements are the same with or without it." type:"path" placeholder:"DIR"`
	DeclaredTechs []string `help:"Technologies to declare with --declared-dir: 2G, 3G, 4G (2G and 3G reach far: they cost several seconds each nationally)." default:"4G" sep:","`
	Overstate     []string `help:"Make an operator's declaration overstate: 604-02:12 declares as if its signal were 12 dB stronger (repeatable; needs --declared-dir)." placeholder:"MCC-MNC:DB" sep:","`
}

type simOptions struct {
	Seed  int64
	Scale float64
	Now   time.Time
	// DeclaredDir, when set, receives the declared coverage that
	// Declare computes with these options.
	DeclaredDir string
	Declare     simulate.DeclareOptions
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
	if len(c.Overstate) > 0 && c.DeclaredDir == "" {
		return fmt.Errorf("--overstate needs --declared-dir: it changes only the declared coverage")
	}
	if c.DeclaredDir != "" {
		t, err := e.thresholds()
		if err != nil {
			return err
		}
		opt.DeclaredDir = c.DeclaredDir
		if opt.Declare, err = declareOptions(t, c.DeclaredTechs, c.Overstate); err != nil {
			return err
		}
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
	m, err := simulate.New(simulate.Options{
		Seed: opt.Seed, Population: pop, Places: places, Now: opt.Now, Scale: opt.Scale,
		Progress: func(done, total int64) {
			pb.ChangeMax64(total)
			pb.Set64(done)
		},
	})
	if err != nil {
		f.Close()
		return err
	}
	declared := make(chan error, 1)
	if opt.DeclaredDir != "" { // beside the measurements, on another core
		go func() { declared <- writeDeclared(e, m, opt) }()
	} else {
		declared <- nil
	}
	sum, err := m.Write(e.ctx, w)
	pb.Finish()
	if derr := <-declared; err == nil {
		err = derr
	}
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

// declareOptions takes the signal bins of the technologies named from t
// and parses --overstate values such as 604-02:12.
func declareOptions(t coverage.Thresholds, techs, overstate []string) (simulate.DeclareOptions, error) {
	opt := simulate.DeclareOptions{Signal: map[data.Tech]simulate.Bins{}}
	for _, name := range techs {
		tech, err := data.ParseTech(strings.TrimSpace(name))
		if err != nil || tech == data.Tech5G {
			return opt, fmt.Errorf("--declared-techs %q: expected 2G, 3G or 4G (the simulator has no 5G)", name)
		}
		b := t.Techs[tech].Signal
		if b == nil {
			return opt, fmt.Errorf("--declared-techs %s: the thresholds (version %s) have no signal bins for %s", name, t.Version, tech)
		}
		opt.Signal[tech] = simulate.Bins{VeryGood: b.VeryGood, Good: b.Good, Limited: b.Limited}
	}
	for _, v := range overstate {
		code, db, ok := strings.Cut(v, ":")
		x, err := strconv.ParseFloat(db, 64)
		if !ok || err != nil {
			return opt, fmt.Errorf("--overstate %q: expected MCC-MNC:DB such as 604-02:12", v)
		}
		if opt.Overstate == nil {
			opt.Overstate = map[string]float64{}
		}
		opt.Overstate[strings.TrimSpace(code)] = x
	}
	if err := opt.Validate(); err != nil {
		return opt, fmt.Errorf("--declared-dir: %w", err)
	}
	return opt, nil
}

// writeDeclared writes the model's declarations and the overstated cells
// into opt.DeclaredDir, each file whole (written beside, then renamed).
func writeDeclared(e *env, m *simulate.Model, opt simOptions) error {
	start := time.Now()
	ds, err := m.Declare(e.ctx, opt.Declare)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opt.DeclaredDir, 0o755); err != nil {
		return err
	}
	// The outlines are the costly part: one file per core at a time.
	errs := make([]error, len(ds))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = writeFileWhole(filepath.Join(opt.DeclaredDir, d.FileName()), d.WriteGeoJSON)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var n int
	err = writeFileWhole(filepath.Join(opt.DeclaredDir, "overstated.csv"), func(w io.Writer) (err error) {
		n, err = simulate.WriteOverstated(w, ds)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("declared coverage (SIMULATED): %d files and %d overstated cells in overstated.csv, to %s in %.1fs\n", len(ds), n, opt.DeclaredDir, time.Since(start).Seconds())
	return nil
}

// writeFileWhole writes path whole: into path.tmp, then renamed.
func writeFileWhole(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
