// Package ingest reads and validates what parties send Taghtia: operator
// measurement files (the canonical CSV for now) and reference layers (a
// pack of boundaries, census tables and places). Validation problems are
// data: each names the file, line, column and value, says what was
// expected, and is written to an error report.
package ingest
