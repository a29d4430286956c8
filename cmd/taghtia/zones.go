package main

import (
	"fmt"
	"time"

	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
)

type zonesCmd struct{}

func (c *zonesCmd) Run(e *env) error {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = recompute(e, st)
	return err
}

func recompute(e *env, st data.Store) (data.Snapshot, error) {
	t, err := e.thresholds()
	if err != nil {
		return data.Snapshot{}, err
	}
	ups, err := st.Uploads(e.ctx)
	if err != nil {
		return data.Snapshot{}, err
	}
	var total int64
	for _, u := range ups {
		total += u.Accepted
	}
	start := time.Now()
	pb := bar(total, "aggregate measurements")
	stage, stageStart := "", start
	res, err := coverage.Recompute(e.ctx, st, t, coverage.RecomputeOptions{
		Stage: func(s string) {
			if stage != "" {
				e.log.Debug("stage done", "stage", stage, "seconds", time.Since(stageStart).Seconds())
			}
			stage, stageStart = s, time.Now()
			switch s {
			case "aggregate":
			case "fresh evidence":
				pb.Finish()
				pb = bar(total, "read fresh evidence")
			default:
				pb.Finish()
				fmt.Printf("%s…\n", s)
			}
		},
		Progress: func(rows int64) { pb.Set64(rows) },
	})
	snap, run := res.Snapshot, res.Run
	if err != nil {
		return snap, err
	}
	e.log.Debug("stage done", "stage", stage, "seconds", time.Since(stageStart).Seconds())
	fmt.Printf("coverage: %d measurements on %d cells (H3 res %d, thresholds %s)\n", run.Measurements, run.Cells, run.Resolution, run.ConfigVersion)
	fmt.Printf("evidence: %d disputes (declared good or better, measured limited or none)\n", len(res.Disputes))
	fmt.Printf("snapshot %d: %d white zones (%d people), %d grey zones (%d people); %d people in unmeasured cells; programme: top %d; %.1fs\n",
		snap.ID, snap.White, snap.WhitePop, snap.Grey, snap.GreyPop, snap.UnmeasuredPop, snap.ProgrammeSize, time.Since(start).Seconds())
	e.log.Info("zones computed", "snapshot", snap.ID, "white", snap.White, "grey", snap.Grey, "seconds", time.Since(start).Seconds())
	return snap, nil
}
