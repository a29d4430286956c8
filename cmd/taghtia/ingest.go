package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/ingest/vector"
)

type ingestCmd struct {
	Files     []string          `arg:"" type:"existingfile" help:"Measurement, cell-list, speed-tile or vector files; what each is, is detected from its content."`
	Format    string            `help:"Read every file in this format instead of detecting it (see the README's format table)."`
	Operator  string            `help:"Every row must be this operator (MCC-MNC, e.g. 604-01); for declared coverage, the operator of the whole file."`
	Layer     string            `help:"Vector files: the layer they fill: declared, communes, provinces, regions, places, sites, roads or pop (default: declared when the features carry the level attribute)."`
	Tech      string            `help:"Declared coverage: the technology of the whole file (2G..5G); default: each feature's tech attribute."`
	LevelAttr string            `help:"Declared coverage: the attribute holding the level (default NIVEAU)."`
	Level     map[string]string `help:"Declared coverage: a level value of the file and what it means (very_good, good, limited), e.g. --level 3=very_good; default the ARCEP TBC, BC, CL." mapsep:","`
	Map       map[string]string `help:"Reference layers: a field and the file's attribute for it, e.g. --map code=CODE_COM (see the README)." mapsep:","`
	Table     string            `help:"GeoPackage: the feature table to read (default: the only one)."`
	ReportDir string            `help:"Where error reports go (default: DATA/reports)." type:"path"`
}

func (c *ingestCmd) Run(e *env) error {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	failed := 0
	for _, f := range c.Files {
		if _, err := ingestFile(e, st, f, c.spec(), c.ReportDir); err != nil {
			fmt.Fprintln(os.Stderr, "taghtia:", err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files were not ingested", failed, len(c.Files))
	}
	return nil
}

// fileSpec is what a caller says about a file beyond its content.
type fileSpec struct {
	Format, Operator, Layer, Tech, LevelAttr, Table string
	Level, Map                                      map[string]string
}

func (c *ingestCmd) spec() fileSpec {
	return fileSpec{Format: c.Format, Operator: c.Operator, Layer: c.Layer, Tech: c.Tech, LevelAttr: c.LevelAttr,
		Table: c.Table, Level: c.Level, Map: c.Map}
}

// ingestSpec builds the ingest options of a file from the store's
// reference layers and what the caller said.
func ingestSpec(e *env, st data.Store, fs fileSpec) (ingest.Spec, error) {
	opt, err := ingestOptions(e, st, fs.Operator)
	if err != nil {
		return ingest.Spec{}, err
	}
	opt.Format = fs.Format
	return ingest.Spec{CSV: opt, Vector: ingest.VectorOptions{
		Layer:    fs.Layer,
		Declared: ingest.DeclaredOptions{Operator: fs.Operator, Tech: fs.Tech, LevelAttr: fs.LevelAttr, LevelMap: fs.Level, Operators: opt.Operators},
		Columns:  fs.Map,
		Vector:   vector.Options{Table: fs.Table, TempDir: filepath.Join(e.cfg.Data, "tmp")},
	}}, nil
}

// ingestFile validates and stores one file, prints its summary and writes
// its error report. A file already ingested is reported, not an error.
func ingestFile(e *env, st data.Store, path string, fs fileSpec, reportDir string) (data.Upload, error) {
	sp, err := ingestSpec(e, st, fs)
	if err != nil {
		return data.Upload{}, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return data.Upload{}, err
	}
	if err := os.MkdirAll(sp.Vector.Vector.TempDir, 0o750); err != nil {
		return data.Upload{}, err
	}
	pb := bytesBar(fi.Size(), "ingest "+filepath.Base(path))
	sp.CSV.Progress = func(n int64) { pb.Set64(n) }
	out, rep, err := ingest.Any(e.ctx, st, path, sp)
	pb.Finish()
	var dup *data.DuplicateError
	if errors.As(err, &dup) {
		fmt.Printf("%s: already ingested as upload %d on %s (%d rows accepted); nothing added\n",
			path, dup.Existing.ID, dup.Existing.ReceivedAt.Format("2006-01-02 15:04"), dup.Existing.Accepted)
		return dup.Existing, nil
	}
	printReport(e, path, rep, reportDir)
	if err != nil {
		return out.Upload, fmt.Errorf("%s: %w", path, err)
	}
	if l := out.Layer; l != nil {
		for _, info := range l.Layers {
			fmt.Printf("%s: layer %s replaced (%s): %d features\n", path, info.Name, l.Format, info.Count)
		}
		fmt.Printf("%s: %d features read, %d stored, %d rejected, %d warnings\n", path, rep.Rows, l.Features(), rep.Rejected, rep.Warnings)
		e.log.Info("layer replaced", "file", path, "layers", len(l.Layers), "features", l.Features(), "rejected", rep.Rejected)
		return out.Upload, nil
	}
	up := out.Upload
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
