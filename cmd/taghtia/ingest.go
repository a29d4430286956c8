package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

type ingestCmd struct {
	Files     []string `arg:"" type:"existingfile" help:"Measurement files; the format of each is detected from its content."`
	Format    string   `help:"Read every file in this format instead of detecting it (see the README's format table)."`
	Operator  string   `help:"Every row must be this operator (MCC-MNC, e.g. 604-01)."`
	ReportDir string   `help:"Where error reports go (default: DATA/reports)." type:"path"`
}

func (c *ingestCmd) Run(e *env) error {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	failed := 0
	for _, f := range c.Files {
		if _, err := ingestFile(e, st, f, c.Format, c.Operator, c.ReportDir); err != nil {
			fmt.Fprintln(os.Stderr, "taghtia:", err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files were not ingested", failed, len(c.Files))
	}
	return nil
}

// ingestFile validates and stores one file, prints its summary and writes
// its error report. A file already ingested is reported, not an error.
func ingestFile(e *env, st data.Store, path, format, operator, reportDir string) (data.Upload, error) {
	if lf, ok, err := layerFile(path, format); err != nil {
		return data.Upload{}, err
	} else if ok {
		return data.Upload{}, ingestLayerFile(e, st, path, lf, reportDir)
	}
	if format != "" {
		if _, err := ingest.LookupFormat(format); err != nil {
			return data.Upload{}, err
		}
	}
	opt, err := ingestOptions(e, st, operator)
	if err != nil {
		return data.Upload{}, err
	}
	opt.Format = format
	fi, err := os.Stat(path)
	if err != nil {
		return data.Upload{}, err
	}
	pb := bytesBar(fi.Size(), "ingest "+filepath.Base(path))
	opt.Progress = func(n int64) { pb.Set64(n) }
	up, rep, err := ingest.File(e.ctx, st, path, opt)
	pb.Finish()
	var dup *data.DuplicateError
	if errors.As(err, &dup) {
		fmt.Printf("%s: already ingested as upload %d on %s (%d rows accepted); nothing added\n",
			path, dup.Existing.ID, dup.Existing.ReceivedAt.Format("2006-01-02 15:04"), dup.Existing.Accepted)
		return dup.Existing, nil
	}
	printReport(e, path, rep, reportDir)
	if err != nil {
		return up, err
	}
	fmt.Printf("%s: upload %d (%s): %d rows, %d accepted, %d rejected, %d warnings\n", path, up.ID, up.Format, rep.Rows, rep.Accepted, rep.Rejected, rep.Warnings)
	e.log.Info("upload stored", "file", path, "upload", up.ID, "accepted", rep.Accepted, "rejected", rep.Rejected)
	return up, nil
}

func writeReport(dir, path string, rep *ingest.Report) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, filepath.Base(path)+".errors.csv")
	tmp := p + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	if err := rep.WriteCSV(f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return p, os.Rename(tmp, p)
}

// ingestOptions builds validation options from the stored reference
// layers: the country outline and the operator codes of MCC 604.
func ingestOptions(e *env, st data.Store, operator string) (ingest.CSVOptions, error) {
	opt := ingest.CSVOptions{Operator: operator, DeviceSalt: "taghtia-device-v1", MaxAge: e.cfg.MaxAge, MaxAccuracyM: e.cfg.MaxAccuracy}
	ops, err := ingest.LoadOperators(filepath.Join(e.cfg.Layers, "ma_mcc_mnc_operators.csv"))
	if err == nil && len(ops) > 0 {
		opt.Operators = map[string]bool{}
		for _, o := range ops {
			opt.Operators[o.MCCMNC] = true
		}
	}
	country, err := st.Areas(e.ctx, data.LevelCountry)
	if err != nil {
		return opt, err
	}
	if len(country) > 0 {
		opt.Inside = ingest.CountryTest(country)
	}
	return opt, nil
}

// layerFile says whether path holds features (a cell list…) rather than
// measurements.
func layerFile(path, format string) (ingest.LayerFormat, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return ingest.LayerFormat{}, false, err
	}
	defer f.Close()
	return ingest.IsLayerFile(f, format)
}

// ingestLayerFile replaces a generic layer with the features of a file,
// whole or not at all, and reports its problems like a measurement file.
func ingestLayerFile(e *env, st data.Store, path string, lf ingest.LayerFormat, reportDir string) error {
	opt, err := ingestOptions(e, st, "")
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, fs, err := ingest.ReadLayer(f, filepath.Base(path), lf, opt)
	printReport(e, path, rep, reportDir)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := st.ReplaceFeatures(e.ctx, lf.Layer, fs); err != nil {
		return err
	}
	if err := st.PutLayerInfo(e.ctx, data.LayerInfo{Name: lf.Layer, Count: len(fs), Source: filepath.Base(path) + " (" + lf.Name + ")", LoadedAt: time.Now().UTC()}); err != nil {
		return err
	}
	fmt.Printf("%s: layer %s replaced (%s): %d features, %d rows rejected\n", path, lf.Layer, lf.Name, len(fs), rep.Rejected)
	e.log.Info("layer replaced", "file", path, "layer", lf.Layer, "features", len(fs), "rejected", rep.Rejected)
	return nil
}

// printReport writes a file's problems to its error report (in
// reportDir, default DATA/reports) and prints the first five.
func printReport(e *env, path string, rep *ingest.Report, reportDir string) {
	if rep == nil || len(rep.Problems) == 0 {
		return
	}
	if reportDir == "" {
		reportDir = filepath.Join(e.cfg.Data, "reports")
	}
	p, err := writeReport(reportDir, path, rep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "taghtia: cannot write the error report:", err)
		return
	}
	fmt.Printf("%s: error report with %d problems: %s\n", path, len(rep.Problems), p)
	for i, pr := range rep.Problems {
		if i == 5 {
			fmt.Printf("  … %d more in the report\n", len(rep.Problems)-5)
			break
		}
		fmt.Printf("  %s\n", pr)
	}
}
