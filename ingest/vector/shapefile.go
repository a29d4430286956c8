package vector

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	shp "github.com/jonas-p/go-shp"
	"github.com/paulmach/orb"
)

// shapefileReader reads an extracted Shapefile: geometry from the .shp
// through go-shp (after scanSHP has checked it), attributes from the
// .dbf. Records marked deleted in the .dbf are skipped.
type shapefileReader struct {
	shp     *shp.Reader
	dbf     *dbfReader // nil without a .dbf
	name    string
	records int
	n       int
}

// openShapefile opens the .shp at shpPath with its .dbf, .prj and .cpg
// from files (same base name, any case). A .prj that is not geographic
// WGS 84 is an E_CRS error; without a .prj, degrees are assumed and the
// coordinate checks catch metres.
func openShapefile(shpPath string, files []string, name string, opt Options) (Reader, error) {
	sib := map[string]string{}
	base := strings.TrimSuffix(shpPath, filepath.Ext(shpPath))
	for _, f := range files {
		ext := filepath.Ext(f)
		if strings.EqualFold(strings.TrimSuffix(f, ext), base) {
			sib[strings.ToLower(ext)] = f
		}
	}
	if p := sib[".prj"]; p != "" {
		wkt, err := readSmall(p, 64<<10)
		if err != nil {
			return nil, err
		}
		if e := checkPRJ(wkt); e != nil {
			e.File = name
			return nil, e
		}
	}
	cpg := ""
	if p := sib[".cpg"]; p != "" {
		s, err := readSmall(p, 1<<10)
		if err != nil {
			return nil, err
		}
		cpg = strings.ToUpper(strings.TrimSpace(s))
	}
	// go-shp opens path[:len-3]+"shp": give it a lower-case extension.
	if filepath.Ext(shpPath) != ".shp" {
		p := base + ".shp"
		if err := os.Rename(shpPath, p); err != nil {
			return nil, err
		}
		shpPath = p
	}
	records, err := scanSHP(shpPath, name)
	if err != nil {
		return nil, err
	}
	s := &shapefileReader{name: name, records: records}
	if p := sib[".dbf"]; p != "" {
		if s.dbf, err = openDBF(p, name, cpg); err != nil {
			return nil, err
		}
	}
	if s.shp, err = shp.Open(shpPath); err != nil {
		if s.dbf != nil {
			s.dbf.Close()
		}
		return nil, err
	}
	return s, nil
}

func readSmall(path string, max int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max))
	return string(b), err
}

var wktName = regexp.MustCompile(`(?i)(PROJCS|PROJCRS|GEOGCS|GEOGCRS|GEODCRS)\s*\[\s*"([^"]*)"`)

// checkPRJ accepts an empty .prj or geographic WGS 84 (a GEOGCS naming
// WGS_1984 or WGS 84, and no PROJCS).
func checkPRJ(wkt string) *Error {
	u := strings.ToUpper(wkt)
	if strings.TrimSpace(u) == "" {
		return nil
	}
	projected := strings.Contains(u, "PROJCS") || strings.Contains(u, "PROJCRS")
	wgs84 := strings.Contains(u, "WGS_1984") || strings.Contains(u, "WGS 84") || strings.Contains(u, "WGS84") || strings.Contains(u, "WGS 1984")
	if !projected && wgs84 {
		return nil
	}
	found := "an unknown coordinate system"
	if m := wktName.FindStringSubmatch(wkt); m != nil {
		found = m[2]
		if projected {
			found = "the projected system " + found
		} else {
			found = "the geographic system " + found
		}
	}
	return &Error{Field: ".prj", Value: shorten(strings.TrimSpace(wkt), 200), Code: CodeCRS,
		Message: fmt.Sprintf("expected longitude/latitude in WGS 84 (EPSG:4326), found %s in the .prj: reproject the layer, e.g. ogr2ogr -t_srs EPSG:4326", found)}
}

func (s *shapefileReader) Kind() Kind { return KindShapefileZip }

func (s *shapefileReader) Close() error {
	err := s.shp.Close()
	if s.dbf != nil {
		if derr := s.dbf.Close(); err == nil {
			err = derr
		}
	}
	return err
}

func (s *shapefileReader) Next() (Feature, error) {
	for {
		if s.n >= s.records {
			return Feature{}, io.EOF
		}
		if !s.shp.Next() {
			if err := s.shp.Err(); err != nil {
				return Feature{}, fileError(s.name, CodeFormat, "expected %d records in the .shp, could not read record %d: %v", s.records, s.n+1, err)
			}
			return Feature{}, io.EOF
		}
		s.n++
		ref := fmt.Sprintf("record %d", s.n)
		f := Feature{Ref: ref, Line: s.n}
		if s.dbf != nil {
			props, deleted, err := s.dbf.next()
			switch {
			case errors.Is(err, io.EOF):
				return Feature{}, fileError(s.name, CodeFormat, "expected a .dbf row for each of the %d shapes, found %d rows", s.records, s.dbf.read)
			case err != nil:
				return Feature{}, readError(s.name, err)
			case deleted:
				continue
			}
			f.Props = props
		} else {
			f.Props = map[string]any{}
		}
		_, shape := s.shp.Shape()
		g, e := shapeGeometry(shape)
		if e == nil {
			e = checkGeometry(g)
		}
		if e != nil {
			e.File, e.Ref, e.Line = s.name, ref, s.n
			return Feature{}, e
		}
		f.Geom = g
		return f, nil
	}
}

// shapeGeometry converts a go-shp shape to 2D orb geometry.
func shapeGeometry(s shp.Shape) (orb.Geometry, *Error) {
	switch s := s.(type) {
	case nil, *shp.Null:
		return nil, nil
	case *shp.Point:
		return orb.Point{s.X, s.Y}, nil
	case *shp.PointZ:
		return orb.Point{s.X, s.Y}, nil
	case *shp.PointM:
		return orb.Point{s.X, s.Y}, nil
	case *shp.MultiPoint:
		return multiPoint(s.Points), nil
	case *shp.MultiPointZ:
		return multiPoint(s.Points), nil
	case *shp.MultiPointM:
		return multiPoint(s.Points), nil
	case *shp.PolyLine:
		return lines(s.Parts, s.Points)
	case *shp.PolyLineZ:
		return lines(s.Parts, s.Points)
	case *shp.PolyLineM:
		return lines(s.Parts, s.Points)
	case *shp.Polygon:
		return polygons(s.Parts, s.Points)
	case *shp.PolygonZ:
		return polygons(s.Parts, s.Points)
	case *shp.PolygonM:
		return polygons(s.Parts, s.Points)
	}
	return nil, geomError("expected a point, line or polygon shape, found %T, which is not read", s)
}

func multiPoint(ps []shp.Point) orb.MultiPoint {
	mp := make(orb.MultiPoint, len(ps))
	for i, p := range ps {
		mp[i] = orb.Point{p.X, p.Y}
	}
	return mp
}

// split cuts points into parts at the part start indexes.
func split(parts []int32, ps []shp.Point) ([][]orb.Point, *Error) {
	if len(parts) == 0 {
		if len(ps) == 0 {
			return nil, nil
		}
		parts = []int32{0}
	}
	out := make([][]orb.Point, len(parts))
	for i, start := range parts {
		end := int32(len(ps))
		if i+1 < len(parts) {
			end = parts[i+1]
		}
		if start < 0 || start > end || end > int32(len(ps)) {
			return nil, geomError("expected part starts in increasing order within %d points, found part %d at %d", len(ps), i+1, start)
		}
		line := make([]orb.Point, end-start)
		for k, p := range ps[start:end] {
			line[k] = orb.Point{p.X, p.Y}
		}
		out[i] = line
	}
	return out, nil
}

func lines(parts []int32, ps []shp.Point) (orb.Geometry, *Error) {
	ls, e := split(parts, ps)
	if e != nil || len(ls) == 0 {
		return nil, e
	}
	if len(ls) == 1 {
		return orb.LineString(ls[0]), nil
	}
	mls := make(orb.MultiLineString, len(ls))
	for i, l := range ls {
		mls[i] = l
	}
	return mls, nil
}

func polygons(parts []int32, ps []shp.Point) (orb.Geometry, *Error) {
	rs, e := split(parts, ps)
	if e != nil || len(rs) == 0 {
		return nil, e
	}
	rings := make([]orb.Ring, len(rs))
	for i, r := range rs {
		rings[i] = r
	}
	return polygonFromRings(rings), nil
}
