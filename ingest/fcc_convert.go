package ingest

// Converting one FCC test into a canonical row.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/taghtia/taghtia/data"
)

// convert turns one test into a row, or a *RowError.
func (s *fccSource) convert(h *fccHeader, ta fccTestAt) fccItem {
	kind := ta.kind
	p := "tests." + kind
	fail := func(col, val, code, msg string) fccItem {
		return fccItem{err: &RowError{Line: ta.line, Column: col, Value: val, Code: code, Message: msg}}
	}
	if ta.err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(ta.err, &te) {
			return fail(p, "", "E_FCC_TYPE", fmt.Sprintf("cannot read the %s test: %v", kind, ta.err))
		}
		col := p
		if te.Field != "" {
			col += "." + te.Field
		}
		return fail(col, "", "E_FCC_TYPE", fmt.Sprintf("%s is a JSON %s; expected %s", col, te.Value, jsonKind(te.Type)))
	}
	t := ta.test
	w := fccWhere{kind: kind, loc: -1, cell: -1, timeField: p + ".timestamp"}

	if ct := strings.ToLower(t.ConnectionType.s); t.ConnectionType.set && ct != "cell" && ct != "cellular" && ct != "mobile" {
		return fail(p+".connection_type", t.ConnectionType.s, "E_FCC_NOT_CELLULAR",
			fmt.Sprintf("the %s test ran over %q; expected \"cell\": only tests over the mobile network measure its coverage", kind, t.ConnectionType.s))
	}
	if t.SuccessFlag.set && !t.SuccessFlag.v {
		return fail(p+".success_flag", "false", "E_FCC_FAILED_TEST",
			fmt.Sprintf("the %s test has success_flag false: it did not complete or the connection changed during it; the FCC excludes such tests", kind))
	}

	for i := range t.Locations {
		if t.Locations[i].Latitude.set && t.Locations[i].Longitude.set {
			w.loc = i
			break
		}
	}
	if w.loc < 0 {
		return fail(p+".locations", "", "E_FCC_NO_LOCATION",
			fmt.Sprintf("the %s test has no location with both latitude and longitude (%d in locations); a test without a position cannot be mapped", kind, len(t.Locations)))
	}
	loc := t.Locations[w.loc]

	if len(t.Cells) == 0 {
		return fail(p+".cells", "", "E_FCC_NO_CELL",
			fmt.Sprintf("the %s test has no cells; expected at least the serving cell, which gives the technology", kind))
	}
	ci, tech, ok := servingCell(t.Cells)
	w.cell = ci
	if !ok {
		c := t.Cells[ci]
		return fail(fmt.Sprintf("%s.cells[%d].network_generation", p, ci), c.NetworkGeneration.s+"/"+c.NetworkSubtype.s, "E_FCC_RADIO",
			fmt.Sprintf("the serving cell's network_generation %q and network_subtype %q name no known radio; expected 2G, 3G, 4G or 5G (or GSM, WCDMA, LTE, NR…)", c.NetworkGeneration.s, c.NetworkSubtype.s))
	}
	cell := &t.Cells[ci]

	row := NewRow(ta.line)

	ts := t.Timestamp
	if !ts.set {
		switch {
		case h.DeviceTimestamp.set:
			ts, w.timeField = h.DeviceTimestamp, "device_timestamp"
		case h.Timestamp.set:
			ts, w.timeField = h.Timestamp, "timestamp"
		}
	}
	row.Set("time", fccTime(ts.s))

	row.Set("lat", loc.Latitude.raw)
	row.Set("lon", loc.Longitude.raw)
	if loc.HorizontalAccuracy.present() {
		row.Set("accuracy_m", loc.HorizontalAccuracy.raw)
	}

	row.Set("tech", tech.String())
	var sig, rsrq, sinr []string
	switch tech {
	case data.Tech4G:
		sig, rsrq, sinr = []string{"rsrp", "signal_strength"}, []string{"rsrq"}, []string{"sinr"}
	case data.Tech5G:
		sig, rsrq, sinr = []string{"rsrp", "csi_rsrp", "signal_strength"}, []string{"rsrq", "csi_rsrq"}, []string{"sinr", "csi_sinr"}
	case data.Tech3G:
		sig = []string{"signal_strength"}
	default:
		sig = []string{"rssi", "signal_strength"}
	}
	pick := func(canon string, names []string, dst *string) {
		for _, n := range names {
			if v := cell.field(n); v.present() {
				row.Set(canon, v.raw)
				*dst = n
				return
			}
		}
	}
	pick("signal_dbm", sig, &w.signal)
	pick("rsrq_db", rsrq, &w.rsrq)
	pick("sinr_db", sinr, &w.sinr)

	switch kind {
	case "download", "upload":
		canon := "dl_mbps"
		if kind == "upload" {
			canon = "ul_mbps"
		}
		var mbps float64
		switch {
		case t.BytesSec.set:
			w.speed = "bytes_sec"
			bps, ok := t.BytesSec.float()
			if !ok {
				return fail(p+".bytes_sec", t.BytesSec.raw, "E_FCC_NUMBER", fmt.Sprintf("bytes_sec %q is not a number; expected bytes per second", t.BytesSec.raw))
			}
			mbps = bps * 8 / 1e6
		case t.BytesTransferred.set && t.Duration.set:
			w.speed = "bytes_transferred"
			b, ok1 := t.BytesTransferred.float()
			d, ok2 := t.Duration.float()
			if !ok1 || !ok2 || d <= 0 {
				return fail(p+".duration", t.BytesTransferred.raw+"/"+t.Duration.raw, "E_FCC_NUMBER",
					fmt.Sprintf("bytes_transferred %q over duration %q µs gives no speed; expected a byte count and a positive duration in microseconds", t.BytesTransferred.raw, t.Duration.raw))
			}
			mbps = b * 8 / d
		default:
			return fail(p+".bytes_sec", "", "E_FCC_NO_SPEED",
				fmt.Sprintf("the %s test has neither bytes_sec nor bytes_transferred with duration; expected its speed", kind))
		}
		row.Set(canon, formatDecimal(mbps))
	case "latency":
		w.speed = "round_trip_time"
		if !t.RoundTripTime.set {
			return fail(p+".round_trip_time", "", "E_FCC_NO_LATENCY", "the latency test has no round_trip_time; expected the round-trip time in microseconds")
		}
		us, ok := t.RoundTripTime.float()
		if !ok {
			return fail(p+".round_trip_time", t.RoundTripTime.raw, "E_FCC_NUMBER", fmt.Sprintf("round_trip_time %q is not a number; expected microseconds", t.RoundTripTime.raw))
		}
		if us > 0 && us < 100 {
			return fail(p+".round_trip_time", t.RoundTripTime.raw, "E_FCC_RTT_UNIT",
				fmt.Sprintf("round_trip_time %s read as microseconds is %s ms, below the 0.1 ms a mobile network can do; it looks like milliseconds, expected microseconds (%s ms = %s)",
					t.RoundTripTime.raw, formatDecimal(us/1000), t.RoundTripTime.raw, formatDecimal(us*1000)))
		}
		row.Set("latency_ms", formatDecimal(us/1000))
	}

	mcc, mnc := h.NetMCC, h.NetMNC
	w.operator = "net"
	if !validMCC(mcc) {
		mcc, mnc, w.operator = h.SimMCC, h.SimMNC, "sim"
	}
	switch {
	case validMCC(mcc) && mnc.set:
		m := mnc.s
		if len(m) == 1 && m[0] >= '0' && m[0] <= '9' {
			m = "0" + m
		}
		row.Set("mcc_mnc", mcc.s+"-"+m)
	case s.opt.Operator != "":
		row.Set("mcc_mnc", s.opt.Operator)
		w.operator = "--operator"
	default:
		return fail("net_mobile_country_code", h.NetMCC.s, "E_FCC_NO_OPERATOR",
			"the submission has no usable net_mobile_country_code/net_mobile_network_code nor sim_ pair (iOS may send null or 65535); give the upload's operator with --operator, such as 604-01")
	}

	env := "outdoor"
	if h.InVehicle.v {
		env = "vehicle"
	}
	if h.EnvironmentCode.set {
		switch code, _ := h.EnvironmentCode.float(); h.EnvironmentCode.raw {
		case "0", "1", "2":
			env = []string{"outdoor", "vehicle", "indoor"}[int(code)]
		default:
			return fail("environment_code", h.EnvironmentCode.raw, "E_FCC_ENV",
				fmt.Sprintf("environment_code %s is not one of 0 (outdoor stationary), 1 (in vehicle), 2 (indoor)", h.EnvironmentCode.raw))
		}
	}
	row.Set("env", env)
	row.Set("source", "crowd")
	switch {
	case h.DeviceID.set:
		row.Set("device", h.DeviceID.s)
	case h.DeviceIMEI.set:
		row.Set("device", h.DeviceIMEI.s)
	}
	return fccItem{row: row, where: w}
}

// validMCC is a set MCC other than iOS's 65535 placeholder.
func validMCC(v fccStr) bool { return v.set && v.s != "65535" && v.s != "--" }

// servingCell picks the cell that served the test (see the format's doc)
// and its technology; ok is false when that cell's radio is unknown.
func servingCell(cells []fccCell) (i int, tech data.Tech, ok bool) {
	conn := func(c *fccCell) int {
		if f, ok := c.CellConnection.float(); ok && c.CellConnection.present() {
			return int(f)
		}
		return -1
	}
	i = -1
	for j := range cells {
		if conn(&cells[j]) == 1 {
			i = j
			break
		}
	}
	if i < 0 {
		for j := range cells {
			if conn(&cells[j]) == -1 {
				i = j
				break
			}
		}
	}
	if i < 0 {
		i = 0
	}
	tech, ok = cellTech(&cells[i])
	if ok && tech == data.Tech4G {
		for j := range cells {
			if t, ok := cellTech(&cells[j]); ok && t == data.Tech5G && conn(&cells[j]) == 2 {
				return j, data.Tech5G, true
			}
		}
	}
	return i, tech, ok
}

func cellTech(c *fccCell) (data.Tech, bool) {
	for _, v := range []fccStr{c.NetworkGeneration, c.NetworkSubtype} {
		if !v.set {
			continue
		}
		s := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToUpper(v.s))
		switch s {
		case "2G", "GSM", "GPRS", "EDGE", "CDMA", "1XRTT", "IDEN":
			return data.Tech2G, true
		case "3G", "UMTS", "WCDMA", "HSDPA", "HSUPA", "HSPA", "HSPA+", "HSPAP", "TDSCDMA", "EVDO", "EVDO0", "EVDOA", "EVDOB", "EHRPD":
			return data.Tech3G, true
		case "4G", "LTE", "LTECA", "LTEA", "4G+":
			return data.Tech4G, true
		case "5G", "NR", "NRNSA", "NRSA", "5GNSA", "5GSA", "5GNR":
			return data.Tech5G, true
		}
	}
	return 0, false
}

// fccTime rewrites an ISO 8601 time with an offset as RFC 3339; anything
// else is passed on for the validator to explain.
func fccTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.RFC3339Nano)
		}
	}
	return s
}

// formatDecimal writes a value rounded to 6 decimals, without float noise.
func formatDecimal(f float64) string {
	if r := math.Round(f*1e6) / 1e6; !math.IsInf(r, 0) && !math.IsNaN(r) {
		f = r
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}
