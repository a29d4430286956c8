package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
)

// OpenCelliD / Mozilla Location Service cell list (cell_towers.csv, the
// per-country 604.csv): one cell per line, lon before lat, the MNC as an
// integer (its leading zero lost), times in Unix seconds. Cells of
// Morocco (MCC 604) become features of the cells layer; other countries'
// rows (the world file) and CDMA rows are counted and skipped with one
// warning each. Key: radio, mcc, net, area, cell.
var openCellIDColumns = []string{"radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples", "changeable", "created", "updated", "averageSignal"}

func init() {
	RegisterLayer(LayerFormat{Name: "opencellid-csv", Title: "OpenCelliD / MLS cell list (CSV)", Layer: data.LayerCells, Priority: 30,
		Detect: func(head []byte) bool {
			first, _, _ := bytes.Cut(bytes.TrimPrefix(head, []byte("\ufeff")), []byte("\n"))
			return strings.HasPrefix(strings.ToLower(strings.TrimSpace(string(first))), "radio,mcc,net,area,cell")
		},
		Read: readOpenCellID})
}

func readOpenCellID(r io.Reader, name string, opt CSVOptions, rep *Report) ([]data.Feature, error) {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	header, err := rd.Read()
	if err != nil {
		return nil, &FormatError{File: name, Line: 1, Message: "cannot read the header: " + errString(err)}
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range []string{"radio", "mcc", "net", "area", "cell", "lon", "lat"} {
		if _, ok := idx[c]; !ok {
			return nil, &FormatError{File: name, Line: 1, Column: c, Message: fmt.Sprintf("required column %q is missing; expected the OpenCelliD header %s, found %s",
				c, strings.Join(openCellIDColumns, ","), strings.Join(header, ","))}
		}
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	v := rowValidator{file: name, opt: opt, src: namedColumns{"signal_dbm": "averageSignal"}, rep: rep}
	var foreign, cdma, foreignLine, cdmaLine int
	byID := map[string]int{} // feature id -> index in out
	var out []data.Feature
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		line := 0
		if err == nil {
			line, _ = rd.FieldPos(0)
		}
		if err != nil {
			if rep.quoteError(name, err) {
				continue
			}
			var pe *csv.ParseError
			errors.As(err, &pe)
			if pe != nil {
				line = pe.Line
			}
			return nil, &FormatError{File: name, Line: line, Message: errString(err)}
		}
		get := func(c string) string {
			if i, ok := idx[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if get("mcc") != "604" {
			if foreign == 0 {
				foreignLine = line
			}
			foreign++
			continue
		}
		rep.Rows++
		v.bad, v.line = false, line
		radio := strings.ToUpper(get("radio"))
		var tech data.Tech
		switch radio {
		case "GSM":
			tech = data.Tech2G
		case "UMTS":
			tech = data.Tech3G
		case "LTE":
			tech = data.Tech4G
		case "NR":
			tech = data.Tech5G
		case "CDMA":
			if cdma == 0 {
				cdmaLine = line
			}
			cdma++
			rep.Rows--
			continue
		default:
			v.fail("radio", get("radio"), "E_RADIO", fmt.Sprintf("%q is not a radio; expected GSM, UMTS, LTE or NR", get("radio")))
		}
		net, err := strconv.Atoi(get("net"))
		if err != nil || net < 0 || net > 999 {
			v.fail("net", get("net"), "E_MCC_MNC", fmt.Sprintf("net %q is not a mobile network code (0-999)", get("net")))
		}
		mccMNC := fmt.Sprintf("604-%02d", net) // leading zeros were lost; Morocco's MNCs have two digits
		if opt.Operators != nil && !opt.Operators[mccMNC] && !v.bad {
			v.fail("net", get("net"), "E_UNKNOWN_OPERATOR", fmt.Sprintf("%s is not an operator of this country; expected one of %s", mccMNC, keys(opt.Operators)))
		}
		area, aerr := strconv.ParseInt(get("area"), 10, 64)
		cell, cerr := strconv.ParseInt(get("cell"), 10, 64)
		if aerr != nil || area < 0 {
			v.fail("area", get("area"), "E_NUMBER", fmt.Sprintf("area (LAC/TAC) %q is not a non-negative integer", get("area")))
		}
		if cerr != nil || cell < 0 {
			v.fail("cell", get("cell"), "E_NUMBER", fmt.Sprintf("cell id %q is not a non-negative integer", get("cell")))
		}
		lonS, latS := get("lon"), get("lat")
		lon, lonOK := v.number("lon", lonS, true)
		lat, latOK := v.number("lat", latS, true)
		if lonOK && latOK {
			v.coords(lat, lon, latS, lonS)
		}
		props := map[string]any{"radio": radio, "tech": tech.String(), "mcc_mnc": mccMNC, "area": float64(area), "cell": get("cell")}
		intProp := func(col, key string, lo, hi float64, unit string) {
			s := get(col)
			if s == "" {
				return
			}
			f, ok := v.number(col, s, false)
			if !ok {
				return
			}
			if f < lo || f > hi {
				v.fail(col, s, "E_RANGE", fmt.Sprintf("%s %s is outside the plausible range [%g, %g] %s", col, s, lo, hi, unit))
				return
			}
			props[key] = f
		}
		intProp("unit", "unit", 0, 1007, "(PSC/PCI)")
		intProp("range", "range_m", 0, 100000, "m")
		intProp("samples", "samples", 0, 1e9, "")
		if s := get("changeable"); s != "" {
			props["changeable"] = s == "1"
		}
		var updated int64
		for _, c := range []string{"created", "updated"} {
			s := get(c)
			if s == "" {
				continue
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 946684800 || time.Unix(n, 0).After(v.opt.Now.Add(24*time.Hour)) {
				v.fail(c, s, "E_TIME", fmt.Sprintf("%s %q is not a Unix time in seconds between 2000 and now", c, s))
				continue
			}
			props[c] = time.Unix(n, 0).UTC().Format(time.RFC3339)
			if c == "updated" {
				updated = n
			}
		}
		if s := get("averageSignal"); s != "" && s != "0" {
			if sig := v.signal(s, tech); data.Has(sig) {
				props["avg_signal_dbm"] = float64(sig)
			}
		}
		if v.bad {
			rep.Rejected++
			continue
		}
		props["updated_unix"] = float64(updated)
		id := fmt.Sprintf("%s-%s-%d-%d", radio, mccMNC, area, cell)
		f := data.Feature{Layer: data.LayerCells, ID: id, Props: props, Geom: orb.Point{lon, lat}}
		if i, dup := byID[id]; dup {
			rep.Rejected++
			rep.add(Problem{File: name, Line: line, Column: "cell", Value: id, Code: "W_DUPLICATE_CELL", Severity: SevWarning,
				Message: fmt.Sprintf("cell %s is listed twice; the row updated last is kept", id)})
			if out[i].Props["updated_unix"].(float64) <= float64(updated) {
				out[i] = f
			}
			continue
		}
		byID[id] = len(out)
		out = append(out, f)
		rep.Accepted++
	}
	for i := range out {
		delete(out[i].Props, "updated_unix")
	}
	if foreign > 0 {
		rep.add(Problem{File: name, Line: foreignLine, Column: "mcc", Code: "W_OTHER_COUNTRY", Severity: SevWarning,
			Message: fmt.Sprintf("%d rows of other countries (MCC other than 604) skipped, the first at line %d", foreign, foreignLine)})
	}
	if cdma > 0 {
		rep.add(Problem{File: name, Line: cdmaLine, Column: "radio", Code: "W_CDMA", Severity: SevWarning,
			Message: fmt.Sprintf("%d CDMA rows skipped (no CDMA network in Morocco), the first at line %d", cdma, cdmaLine)})
	}
	return out, nil
}

// namedColumns lets a layer reader use the row checks: problems on a
// canonical column are reported under the file's name for it (the map),
// or the name as given.
type namedColumns map[string]string

func (namedColumns) Next() (Row, error) { return Row{}, io.EOF }
func (n namedColumns) Column(name string) string {
	if c, ok := n[name]; ok {
		return c
	}
	return name
}
func (namedColumns) Bytes() int64 { return 0 }

func errString(err error) string {
	if err == io.EOF {
		return "the file is empty"
	}
	return err.Error()
}
