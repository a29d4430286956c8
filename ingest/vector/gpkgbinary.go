package vector

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// envelopeSize is the envelope length for each envelope indicator of a
// GeoPackage binary header: none, xy, xyz, xym, xyzm.
var envelopeSize = [...]int{0, 32, 48, 48, 64}

// decodeGPKGGeometry decodes a GeoPackage binary geometry: the header
// ("GP", version 0, flags, srs_id, envelope) then a WKB body, read with
// orb/encoding/wkb after any Z and M ordinates are dropped. An empty
// geometry is nil. Errors are per-feature (File and Ref left empty).
func decodeGPKGGeometry(b []byte) (orb.Geometry, *Error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, geomError("expected a GeoPackage geometry starting with \"GP\", found %s", shortHex(b))
	}
	if b[2] != 0 {
		return nil, geomError("expected GeoPackage binary version 1 (byte 0), found version byte %d", b[2])
	}
	flags := b[3]
	if flags&0x20 != 0 {
		return nil, geomError("expected a standard GeoPackage geometry, found an extended (non-standard) geometry type")
	}
	env := int(flags>>1) & 7
	if env >= len(envelopeSize) {
		return nil, geomError("expected an envelope indicator from 0 to 4, found %d", env)
	}
	start := 8 + envelopeSize[env]
	if len(b) < start {
		return nil, geomError("expected a %d-byte header, found %d bytes", start, len(b))
	}
	if flags&0x10 != 0 {
		return nil, nil // empty geometry
	}
	return decodeWKB(b[start:])
}

// decodeWKB decodes ISO or extended WKB into a 2D orb geometry.
func decodeWKB(body []byte) (orb.Geometry, *Error) {
	if len(body) < 5 {
		return nil, geomError("expected a WKB geometry, found %d bytes", len(body))
	}
	if !plain2D(body) {
		flat, err := flattenWKB(body)
		if err != nil {
			return nil, geomError("expected a WKB geometry, found %v", err)
		}
		body = flat
	}
	g, err := wkb.Unmarshal(body)
	if err != nil {
		return nil, geomError("expected a WKB geometry, found %v", err)
	}
	if p, ok := g.(orb.Point); ok && math.IsNaN(p[0]) && math.IsNaN(p[1]) {
		return nil, nil // POINT EMPTY
	}
	if e := checkGeometry(g); e != nil {
		return nil, e
	}
	return g, nil
}

func geomError(format string, args ...any) *Error {
	return &Error{Code: CodeGeometry, Message: fmt.Sprintf(format, args...)}
}

func shortHex(b []byte) string {
	if len(b) == 0 {
		return "no bytes"
	}
	return fmt.Sprintf("% x", b[:min(len(b), 8)])
}

// plain2D says whether a WKB geometry's type is a 2D type orb reads.
func plain2D(b []byte) bool {
	t, ok := wkbType(b)
	return ok && t >= 1 && t <= 7
}

func wkbType(b []byte) (uint32, bool) {
	switch b[0] {
	case 0:
		return binary.BigEndian.Uint32(b[1:]), true
	case 1:
		return binary.LittleEndian.Uint32(b[1:]), true
	}
	return 0, false
}

// flattenWKB rewrites WKB with Z and/or M (ISO 1000/2000/3000 types or
// EWKB flags) as little-endian 2D WKB. The output is never longer than
// the input, and counts are checked against the bytes left.
func flattenWKB(b []byte) ([]byte, error) {
	f := &flattener{in: b, out: make([]byte, 0, len(b))}
	if err := f.geometry(0); err != nil {
		return nil, err
	}
	return f.out, nil
}

type flattener struct {
	in  []byte
	out []byte
}

func (f *flattener) geometry(depth int) error {
	if depth > 32 {
		return fmt.Errorf("geometry collections nested more than 32 deep")
	}
	if len(f.in) < 5 {
		return fmt.Errorf("a geometry cut short")
	}
	var order binary.ByteOrder
	switch f.in[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return fmt.Errorf("byte order %d (expected 0 or 1)", f.in[0])
	}
	t := order.Uint32(f.in[1:])
	f.in = f.in[5:]
	z, m := t&0x80000000 != 0, t&0x40000000 != 0
	if t&0x20000000 != 0 { // EWKB SRID
		if len(f.in) < 4 {
			return fmt.Errorf("a geometry cut short")
		}
		f.in = f.in[4:]
	}
	t &= 0x0FFFFFFF
	switch t / 1000 {
	case 0:
	case 1:
		z = true
	case 2:
		m = true
	case 3:
		z, m = true, true
	default:
		return fmt.Errorf("geometry type %d", t)
	}
	base := t % 1000
	dims := 2
	if z {
		dims++
	}
	if m {
		dims++
	}
	f.out = append(f.out, 1)
	f.out = binary.LittleEndian.AppendUint32(f.out, base)
	switch base {
	case 1:
		return f.points(order, dims, 1, false)
	case 2:
		return f.points(order, dims, 0, true)
	case 3:
		n, err := f.count(order, 4)
		if err != nil {
			return err
		}
		for range n {
			if err := f.points(order, dims, 0, true); err != nil {
				return err
			}
		}
		return nil
	case 4, 5, 6, 7:
		n, err := f.count(order, 9)
		if err != nil {
			return err
		}
		for range n {
			if err := f.geometry(depth + 1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("geometry type %d, which is not a point, line, polygon or collection (curves are not read)", t)
}

// count reads a count of items of at least minSize bytes each.
func (f *flattener) count(order binary.ByteOrder, minSize int) (int, error) {
	if len(f.in) < 4 {
		return 0, fmt.Errorf("a geometry cut short")
	}
	n := order.Uint32(f.in)
	f.in = f.in[4:]
	if uint64(n)*uint64(minSize) > uint64(len(f.in)) {
		return 0, fmt.Errorf("a count of %d with %d bytes left", n, len(f.in))
	}
	f.out = binary.LittleEndian.AppendUint32(f.out, n)
	return int(n), nil
}

// points copies n points (or a counted run when counted) keeping x and y.
func (f *flattener) points(order binary.ByteOrder, dims, n int, counted bool) error {
	if counted {
		c, err := f.count(order, 8*dims)
		if err != nil {
			return err
		}
		n = c
	}
	if len(f.in) < n*8*dims {
		return fmt.Errorf("a geometry cut short")
	}
	for range n {
		x := math.Float64frombits(order.Uint64(f.in))
		y := math.Float64frombits(order.Uint64(f.in[8:]))
		f.out = binary.LittleEndian.AppendUint64(f.out, math.Float64bits(x))
		f.out = binary.LittleEndian.AppendUint64(f.out, math.Float64bits(y))
		f.in = f.in[8*dims:]
	}
	return nil
}
