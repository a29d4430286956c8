package ingest

import (
	"fmt"
	"strings"
)

// Operator is one mobile network code of the pack's operator table.
type Operator struct {
	MCCMNC string
	Brand  string
	Name   string
	Status string
}

// LoadOperators reads an operator table (mcc, mnc, brand, operator, status),
// keeping MCC and MNC as strings.
func LoadOperators(path string) ([]Operator, error) {
	t, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	var out []Operator
	for _, r := range t.records {
		mcc, mnc := t.get(r, "mcc"), t.get(r, "mnc")
		if len(mcc) != 3 || len(mnc) < 2 {
			return nil, fmt.Errorf("%s: line %d: mcc %q, mnc %q: expected 3 and 2-3 digits", path, r.line, mcc, mnc)
		}
		out = append(out, Operator{MCCMNC: mcc + "-" + mnc, Brand: nfc(t.get(r, "brand")), Name: nfc(t.get(r, "operator")), Status: strings.TrimSpace(t.get(r, "status"))})
	}
	return out, nil
}
