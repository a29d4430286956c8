package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Severity says whether a problem rejects its row.
type Severity string

// Severities.
const (
	SevError   Severity = "error"   // the row is rejected
	SevWarning Severity = "warning" // the row is kept
)

// Problem is one validation finding.
type Problem struct {
	File     string   `json:"file"`
	Line     int      `json:"line"` // physical line, header = 1; 0 for file-level
	Column   string   `json:"column,omitempty"`
	Value    string   `json:"value,omitempty"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ": line %d", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, ", column %s", p.Column)
	}
	fmt.Fprintf(&b, ": %s [%s]", p.Message, p.Code)
	return b.String()
}

// Report is the outcome of validating one file.
type Report struct {
	File     string
	Rows     int64 // data rows read
	Accepted int64
	Rejected int64
	Warnings int64
	Problems []Problem // the first MaxProblems problems
	Dropped  int64     // problems not kept beyond MaxProblems
}

// MaxProblems bounds the problems a report keeps in memory.
const MaxProblems = 10000

func (r *Report) add(p Problem) {
	if p.Severity == SevWarning {
		r.Warnings++
	}
	if len(r.Problems) >= MaxProblems {
		r.Dropped++
		return
	}
	r.Problems = append(r.Problems, p)
}

// quoteError reports a CSV row with a broken quote as a rejected row,
// saying whether err was one (the reader then goes on to the next row).
func (r *Report) quoteError(file string, err error) bool {
	var pe *csv.ParseError
	if !errors.As(err, &pe) || !(errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)) {
		return false
	}
	r.Rows++
	r.Rejected++
	r.add(Problem{File: file, Line: pe.Line, Code: "E_CSV_SYNTAX", Severity: SevError, Message: "cannot parse the row: " + pe.Err.Error()})
	return true
}

// WriteCSV writes the problems as CSV: line, column, value, code, severity,
// message. Values that a spreadsheet would run as formulas are quoted with
// a leading apostrophe.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"file", "line", "column", "value", "code", "severity", "message"}); err != nil {
		return err
	}
	for _, p := range r.Problems {
		if err := cw.Write([]string{p.File, strconv.Itoa(p.Line), p.Column, safeCell(p.Value), p.Code, string(p.Severity), p.Message}); err != nil {
			return err
		}
	}
	if r.Dropped > 0 {
		if err := cw.Write([]string{r.File, "0", "", "", "E_TOO_MANY_PROBLEMS", string(SevWarning),
			fmt.Sprintf("%d more problems were not listed", r.Dropped)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCell defuses spreadsheet formula injection in free text, leaving
// numbers (such as -95) as they are.
func safeCell(v string) string {
	if v == "" {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + v
	}
	return v
}
