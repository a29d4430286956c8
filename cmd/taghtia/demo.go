package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/ingest"
)

type demoCmd struct {
	Addr    string  `help:"Address to listen on." default:"127.0.0.1:8080" env:"TAGHTIA_ADDR"`
	Seed    int64   `help:"Simulator seed." default:"1"`
	Scale   float64 `help:"Size of the simulated set (1 = national, about a million rows)." default:"1"`
	Reload  bool    `help:"Reload the reference layers even when the data directory has them."`
	NoServe bool    `help:"Prepare the data directory and exit without serving."`
	// The demo's declared coverage is simulated too: each operator's
	// honest map from the radio model, one operator overstating, so
	// that disputes have something to find.
	Overstate []string `help:"Operators whose simulated declared coverage overstates, as MCC-MNC:DB; none to declare honestly." default:"604-02:12" placeholder:"MCC-MNC:DB" sep:","`
	uploadFlags
}

// Run chains the steps a user can also run alone: layers load, simulate,
// ingest, zones, serve. Each step that already happened in this data
// directory is skipped, so a second run starts at once.
func (c *demoCmd) Run(e *env) error {
	if _, err := os.Stat(e.cfg.Layers); err != nil {
		return &ingest.PackError{Dir: e.cfg.Layers, Reason: "the directory does not exist (point --layers or TAGHTIA_LAYERS at a reference pack such as shared/data/morocco)"}
	}
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	infos, err := st.LayerInfos(e.ctx)
	if err != nil {
		return err
	}
	pop, err := st.Population(e.ctx)
	if err != nil {
		return err
	}
	if c.Reload || len(infos) == 0 || len(pop) == 0 {
		if err := loadLayers(e, st, e.cfg.Layers); err != nil {
			return err
		}
	} else {
		fmt.Printf("reference layers already loaded in %s (%d layers); --reload to load again\n", e.where(), len(infos))
	}
	ups, err := st.Uploads(e.ctx)
	if err != nil {
		return err
	}
	if len(ups) == 0 {
		out := filepath.Join(e.cfg.Data, fmt.Sprintf("simulated-seed%d.csv", c.Seed))
		t, err := e.thresholds()
		if err != nil {
			return err
		}
		opt := simOptions{Seed: c.Seed, Scale: c.Scale, DeclaredDir: filepath.Join(e.cfg.Data, "declared")}
		overstate := c.Overstate
		if len(overstate) == 1 && overstate[0] == "none" {
			overstate = nil
		}
		if opt.Declare, err = declareOptions(t, []string{"4G"}, overstate); err != nil {
			return err
		}
		if err := simulateTo(e, st, out, opt); err != nil {
			return err
		}
		if _, err := ingestFile(e, st, out, fileSpec{Format: "canonical-csv"}, ""); err != nil {
			return err
		}
		files, err := filepath.Glob(filepath.Join(opt.DeclaredDir, "declared_*.geojson"))
		if err != nil {
			return err
		}
		for _, f := range files {
			if _, err := ingestFile(e, st, f, fileSpec{Layer: "declared"}, ""); err != nil {
				return err
			}
		}
	} else {
		fmt.Printf("%d uploads already stored\n", len(ups))
	}
	snaps, err := st.Snapshots(e.ctx)
	if err != nil {
		return err
	}
	cur, err := st.Uploads(e.ctx)
	if err != nil {
		return err
	}
	if len(snaps) == 0 || len(snaps[len(snaps)-1].Uploads) != len(cur) {
		if _, err := recompute(e, st); err != nil {
			return err
		}
	} else {
		fmt.Printf("zones snapshot %d is current\n", snaps[len(snaps)-1].ID)
	}
	runs, err := st.ScenarioRuns(e.ctx)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		// The default planning scenario on the demo inputs (synthetic
		// sites, assumed PoPs, proxy roads), so the planning view has one.
		if err := (&planCmd{Out: filepath.Join(e.cfg.Data, "plan"), Seed: 1}).runOn(e, st); err != nil {
			return err
		}
	}
	if c.NoServe {
		return nil
	}
	return serve(e, st, c.Addr, 10*time.Second, c.uploadFlags)
}
