package ingest

// The JSON shapes of an FCC BDC file: tolerant scalars and the objects a test is made of.

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Tolerant JSON scalars: apps send numbers as strings (CellWatch writes
// latitude as "33.589886") and iOS sends null for what it cannot read.

// fccNum is a number, a numeric string or null; raw is its text.
type fccNum struct {
	raw string
	set bool
}

func (n *fccNum) UnmarshalJSON(b []byte) error {
	*n = fccNum{}
	s, ok, err := jsonScalar(b)
	if err != nil || !ok {
		return err
	}
	*n = fccNum{raw: s, set: true}
	return nil
}

// float parses the number.
func (n fccNum) float() (float64, bool) {
	if !n.set {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// present is a value other than null and Android's 2147483647.
func (n fccNum) present() bool {
	if !n.set {
		return false
	}
	f, ok := n.float()
	return !ok || f != androidUnavailable
}

// fccStr is a string (or a number, kept as its text) or null.
type fccStr struct {
	s   string
	set bool
}

func (v *fccStr) UnmarshalJSON(b []byte) error {
	*v = fccStr{}
	s, ok, err := jsonScalar(b)
	if err != nil || !ok {
		return err
	}
	*v = fccStr{s: s, set: true}
	return nil
}

// fccBool is true, false, "true", "false", 1, 0 or null (unset).
type fccBool struct {
	v, set bool
}

func (v *fccBool) UnmarshalJSON(b []byte) error {
	*v = fccBool{}
	s, ok, err := jsonScalar(b)
	if err != nil || !ok {
		return err
	}
	switch strings.ToLower(s) {
	case "true", "1":
		*v = fccBool{v: true, set: true}
	case "false", "0":
		*v = fccBool{set: true}
	}
	return nil
}

// jsonScalar is the text of a JSON value: a string's content (trimmed), a
// number's or literal's text, an object's or array's raw JSON; ok is false
// for null and the empty string.
func jsonScalar(b []byte) (string, bool, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return "", false, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", false, err
		}
		s = strings.TrimSpace(s)
		return s, s != "", nil
	}
	return string(b), true, nil
}

type fccLocation struct {
	Timestamp          fccStr `json:"timestamp"`
	Latitude           fccNum `json:"latitude"`
	Longitude          fccNum `json:"longitude"`
	HorizontalAccuracy fccNum `json:"horizontal_accuracy"`
}

type fccCell struct {
	CellConnection    fccNum `json:"cell_connection"`
	NetworkGeneration fccStr `json:"network_generation"`
	NetworkSubtype    fccStr `json:"network_subtype"`
	SignalStrength    fccNum `json:"signal_strength"`
	RSSI              fccNum `json:"rssi"`
	RSRP              fccNum `json:"rsrp"`
	RSRQ              fccNum `json:"rsrq"`
	SINR              fccNum `json:"sinr"`
	CSIRSRP           fccNum `json:"csi_rsrp"`
	CSIRSRQ           fccNum `json:"csi_rsrq"`
	CSISINR           fccNum `json:"csi_sinr"`
}

// field is a cell metric by its JSON name.
func (c *fccCell) field(name string) fccNum {
	switch name {
	case "signal_strength":
		return c.SignalStrength
	case "rssi":
		return c.RSSI
	case "rsrp":
		return c.RSRP
	case "rsrq":
		return c.RSRQ
	case "sinr":
		return c.SINR
	case "csi_rsrp":
		return c.CSIRSRP
	case "csi_rsrq":
		return c.CSIRSRQ
	case "csi_sinr":
		return c.CSISINR
	}
	return fccNum{}
}

type fccTest struct {
	Timestamp        fccStr        `json:"timestamp"`
	Duration         fccNum        `json:"duration"`
	BytesTransferred fccNum        `json:"bytes_transferred"`
	BytesSec         fccNum        `json:"bytes_sec"`
	RoundTripTime    fccNum        `json:"round_trip_time"`
	ConnectionType   fccStr        `json:"connection_type"`
	SuccessFlag      fccBool       `json:"success_flag"`
	Locations        []fccLocation `json:"locations"`
	Cells            []fccCell     `json:"cells"`
}

// fccHeader holds the submission fields the rows use.
type fccHeader struct {
	DeviceTimestamp, Timestamp fccStr
	DeviceID, DeviceIMEI       fccStr
	NetMCC, NetMNC             fccStr
	SimMCC, SimMNC             fccStr
	EnvironmentCode            fccNum
	InVehicle                  fccBool
}

func (h *fccHeader) target(key string) any {
	switch key {
	case "device_timestamp":
		return &h.DeviceTimestamp
	case "timestamp":
		return &h.Timestamp
	case "device_id":
		return &h.DeviceID
	case "device_imei":
		return &h.DeviceIMEI
	case "net_mobile_country_code":
		return &h.NetMCC
	case "net_mobile_network_code":
		return &h.NetMNC
	case "sim_mobile_country_code":
		return &h.SimMCC
	case "sim_mobile_network_code":
		return &h.SimMNC
	case "environment_code":
		return &h.EnvironmentCode
	case "in_vehicle_flag":
		return &h.InVehicle
	}
	return nil
}

// fccWhere records which JSON fields a row's values came from, for Column.
type fccWhere struct {
	kind                      string // download, upload, latency
	loc, cell                 int    // indexes in locations[] and cells[], -1 when none
	timeField                 string // JSON path of the time
	signal, rsrq, sinr, speed string // field names within the cell or test
	operator                  string // "net", "sim" or "--operator"
}
