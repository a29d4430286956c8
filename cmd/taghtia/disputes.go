package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/paulmach/orb/geojson"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

type disputesCmd struct {
	List   disputesListCmd   `cmd:"" default:"withargs" help:"Disputes of the last computation per operator and technology."`
	Export disputesExportCmd `cmd:"" help:"Write the disputes as CSV or GeoJSON."`
	Score  disputesScoreCmd  `cmd:"" help:"Compare the disputed cells with a truth file (the simulator's overstated.csv): recall and precision."`
}

type disputesListCmd struct{}

func storedDisputes(e *env, st data.Store) ([]data.Dispute, error) {
	fs, err := st.Features(e.ctx, data.LayerDisputes)
	if err != nil {
		return nil, err
	}
	out := make([]data.Dispute, 0, len(fs))
	for _, f := range fs {
		d, err := data.DisputeOf(f)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (c *disputesListCmd) Run(e *env) error {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	ds, err := storedDisputes(e, st)
	if err != nil {
		return err
	}
	type agg struct {
		n, cells int
		pop      int64
	}
	by := map[string]*agg{}
	for _, d := range ds {
		k := d.MCCMNC + " " + d.Tech.String()
		if by[k] == nil {
			by[k] = &agg{}
		}
		by[k].n++
		by[k].cells += len(d.Cells)
		by[k].pop += d.Population
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("%d disputes\n", len(ds))
	for _, k := range keys {
		fmt.Printf("  %-10s %5d disputes, %6d cells, %9d people\n", k, by[k].n, by[k].cells, by[k].pop)
	}
	return nil
}

type disputesExportCmd struct {
	Format string `help:"csv or geojson." default:"geojson" enum:"csv,geojson"`
	Out    string `help:"Output file; - for standard output." default:"-"`
}

func (c *disputesExportCmd) Run(e *env) (err error) {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	ds, err := storedDisputes(e, st)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if c.Out != "-" {
		f, err := os.Create(c.Out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	if c.Format == "geojson" {
		fc := geojson.NewFeatureCollection()
		for _, d := range ds {
			fc.Append(d.GeoJSON())
		}
		return json.NewEncoder(w).Encode(fc)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "mcc_mnc", "tech", "declared", "measured", "cells", "samples", "devices", "population", "confidence", "region", "communes"})
	for _, d := range ds {
		cw.Write([]string{d.ID, d.MCCMNC, d.Tech.String(), d.Declared.String(), d.Measured.String(), fmt.Sprint(len(d.Cells)),
			fmt.Sprint(d.Samples), fmt.Sprint(d.Devices), fmt.Sprint(d.Population), fmt.Sprintf("%.3f", d.Confidence), d.RegionCode,
			strings.Join(d.CommuneCodes, " ")})
	}
	cw.Flush()
	return cw.Error()
}

type disputesScoreCmd struct {
	Truth string `arg:"" help:"CSV with header cell,mcc_mnc,tech,… listing the cells that overstate (simulate --overstate writes overstated.csv)." type:"existingfile"`
}

type cellKey struct {
	cell geo.Cell
	op   string
	tech data.Tech
}

// readTruth reads the cell,mcc_mnc,tech columns of a truth file.
func readTruth(path string) (map[cellKey]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"cell", "mcc_mnc", "tech"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: line 1: no %s column (have %s)", path, need, strings.Join(head, ","))
		}
	}
	out := map[cellKey]bool{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		c, err := geo.ParseCell(rec[col["cell"]])
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: cell: %w", path, line, err)
		}
		t, err := data.ParseTech(rec[col["tech"]])
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: tech: %w", path, line, err)
		}
		out[cellKey{c, rec[col["mcc_mnc"]], t}] = true
	}
}

func (c *disputesScoreCmd) Run(e *env) error {
	truth, err := readTruth(c.Truth)
	if err != nil {
		return err
	}
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := st.CellStats(e.ctx, data.CellStatFilter{})
	if err != nil {
		return err
	}
	t, err := e.thresholds()
	if err != nil {
		return err
	}
	var disputed, hit, measurable, measurableHit, enough, enoughHit int
	fresh, enoughEv := map[cellKey]bool{}, map[cellKey]bool{}
	for _, s := range stats {
		k := cellKey{s.Cell, s.MCCMNC, s.Tech}
		var n int32
		var dev, days uint8
		for _, src := range s.Sources {
			n += src.Samples
			dev, days = max(dev, src.Devices), max(days, src.Days)
		}
		if n > 0 {
			fresh[k] = true
		}
		// Evidence the dispute rule could act on (devices and days of the
		// best source: a lower bound of the union).
		if int(n) >= t.Disputes.MinSamples && int(dev) >= t.Disputes.MinDevices && int(days) >= t.Disputes.MinDays {
			enoughEv[k] = true
		}
		if s.Disputed {
			disputed++
			if truth[k] {
				hit++
			}
		}
	}
	for k := range truth {
		if fresh[k] {
			measurable++
		}
		if enoughEv[k] {
			enough++
		}
	}
	for _, s := range stats {
		k := cellKey{s.Cell, s.MCCMNC, s.Tech}
		if s.Disputed && truth[k] && fresh[k] {
			measurableHit++
		}
		if s.Disputed && truth[k] && enoughEv[k] {
			enoughHit++
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	fmt.Printf("overstated cells (truth): %d, of which with fresh measurements: %d\n", len(truth), measurable)
	fmt.Printf("disputed cells: %d, of which overstated: %d\n", disputed, hit)
	fmt.Printf("overstated cells with the evidence the rule asks for (%d fresh samples, %d devices, %d days): %d\n",
		t.Disputes.MinSamples, t.Disputes.MinDevices, t.Disputes.MinDays, enough)
	fmt.Printf("recall: %.3f of all overstated cells, %.3f of those measured, %.3f of those with enough evidence\n",
		ratio(hit, len(truth)), ratio(measurableHit, measurable), ratio(enoughHit, enough))
	fmt.Printf("precision: %.3f (%d disputed cells not overstated)\n", ratio(hit, disputed), disputed-hit)
	return nil
}
