package vector

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. E_GEOMETRY, E_COORDINATE and E_ROW concern one feature: the
// reader has skipped it and the next call to Next reads on. Every other
// code is fatal: the file is rejected, and features already returned from
// it must be dropped too.
const (
	CodeGeometry        = "E_GEOMETRY"          // per feature: malformed or degenerate geometry, or not a feature
	CodeCoordinate      = "E_COORDINATE"        // per feature: non-numeric or out-of-range coordinate
	CodeRow             = "E_ROW"               // per feature: a CSV row that cannot be split into fields
	CodeCRS             = "E_CRS"               // fatal: the file is not in EPSG:4326
	CodeArchivePath     = "E_ARCHIVE_PATH"      // fatal: an archive entry is absolute, climbs out (..), is a link or repeats
	CodeArchiveLimit    = "E_ARCHIVE_LIMIT"     // fatal: too many entries or too many bytes once uncompressed
	CodeArchiveRatio    = "E_ARCHIVE_RATIO"     // fatal: an entry or the archive expands too much (a zip bomb)
	CodeNoTable         = "E_NO_TABLE"          // fatal: no feature table, or several and none named
	CodeFormat          = "E_FORMAT"            // fatal: not readable as its kind
	CodeTooManyFeatures = "E_TOO_MANY_FEATURES" // fatal: more features than Limits.MaxFeatures
)

// Error is a problem with one feature (Fatal() is false: read on) or with
// the whole file (Fatal() is true: stop). Next may also return errors that
// are not *Error (failed reads); those are fatal.
type Error struct {
	File    string // the file's base name; "archive.zip/inner.csv" inside an archive
	Ref     string // where: "feature 12", "line 5", "row 7 of table communes", "entry ../evil"
	Line    int    // the CSV line, or the 1-based feature/record number; 0 for the whole file
	Field   string // the column or attribute at fault, if any
	Value   string // the value found, if any
	Code    string
	Message string // what was expected and what was found
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Ref != "" {
		b.WriteString(": ")
		b.WriteString(e.Ref)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", field %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s [%s]", e.Message, e.Code)
	return b.String()
}

// Fatal says whether the error rejects the whole file rather than one
// feature.
func (e *Error) Fatal() bool {
	switch e.Code {
	case CodeGeometry, CodeCoordinate, CodeRow:
		return false
	}
	return true
}

// perFeature says whether err only skips one feature.
func perFeature(err error) bool {
	var e *Error
	return errors.As(err, &e) && !e.Fatal()
}

// fileError returns a fatal error about the file.
func fileError(file, code, format string, args ...any) *Error {
	return &Error{File: file, Code: code, Message: fmt.Sprintf(format, args...)}
}
