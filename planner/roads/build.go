package roads

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// BuildOptions tunes [FromFeatures].
type BuildOptions struct {
	// ClassKeys are the feature properties read, in order, for an edge's
	// road class; default "class", "highway", "fclass" (OSM and its
	// shapefile extracts).
	ClassKeys []string
	// Precision is the grid, in degrees, to which vertices are rounded to
	// match junctions; default 1e-7 (about 1 cm).
	Precision float64
}

// BuildReport says what [FromFeatures] read.
type BuildReport struct {
	Lines   int // line strings read (a MultiLineString counts each part)
	Skipped int // features without line geometry, and lines of fewer than two distinct vertices
}

// FromFeatures builds a graph from road line features (orb.LineString or
// orb.MultiLineString geometry). A node sits at each line end and at each
// vertex that two or more lines share, or that one line visits twice
// (junctions), vertices being matched after rounding to opts.Precision; an
// edge joins consecutive nodes along a line, carrying the vertices between
// them as its geometry and its geodesic length. Lines that cross without a
// shared vertex do not meet (a bridge, or a digitising gap): imported data
// must be noded. Loops that return to the node they left are dropped, as
// they are never part of a shortest path. Other geometry is skipped and
// counted. Check [Graph.Components] for islands.
func FromFeatures(fs []data.Feature, opts BuildOptions) (*Graph, BuildReport, error) {
	keys := opts.ClassKeys
	if len(keys) == 0 {
		keys = []string{"class", "highway", "fclass"}
	}
	prec := opts.Precision
	if prec <= 0 {
		prec = 1e-7
	}
	if math.IsNaN(prec) || math.IsInf(prec, 0) {
		return nil, BuildReport{}, fmt.Errorf("%w: precision %v", ErrInvalid, opts.Precision)
	}
	type line struct {
		ls    orb.LineString
		class string
	}
	var rep BuildReport
	var lines []line
	for _, f := range fs {
		class := ""
		for _, k := range keys {
			if v, ok := f.Props[k].(string); ok && v != "" {
				class = v
				break
			}
		}
		switch g := f.Geom.(type) {
		case orb.LineString:
			lines = append(lines, line{g, class})
		case orb.MultiLineString:
			for _, ls := range g {
				lines = append(lines, line{ls, class})
			}
		default:
			rep.Skipped++
		}
	}

	type key [2]int64
	keyOf := func(p orb.Point) key {
		return key{int64(math.Round(p[0] / prec)), int64(math.Round(p[1] / prec))}
	}
	// Each line's vertices as keys, consecutive repeats removed.
	keyed := make([][]key, len(lines))
	seen := make(map[key]int32) // visits across all lines
	for i, l := range lines {
		var ks []key
		for _, p := range l.ls {
			k := keyOf(p)
			if len(ks) > 0 && ks[len(ks)-1] == k {
				continue
			}
			ks = append(ks, k)
		}
		if len(ks) < 2 {
			rep.Skipped++
			continue
		}
		rep.Lines++
		keyed[i] = ks
		for _, k := range ks {
			seen[k]++
		}
	}

	nodeOf := make(map[key]int)
	var nodes []orb.Point
	node := func(k key, p orb.Point) int {
		if n, ok := nodeOf[k]; ok {
			return n
		}
		nodeOf[k] = len(nodes)
		nodes = append(nodes, p)
		return len(nodes) - 1
	}
	var edges []Edge
	for i, l := range lines {
		ks := keyed[i]
		if ks == nil {
			continue
		}
		// Vertices of the line matching ks (first of each repeated run).
		pts := make([]orb.Point, 0, len(ks))
		var last key
		for j, p := range l.ls {
			k := keyOf(p)
			if j > 0 && k == last {
				continue
			}
			last = k
			pts = append(pts, p)
		}
		from := node(ks[0], pts[0])
		geom := orb.LineString{nodes[from]}
		length := 0.0
		for j := 1; j < len(ks); j++ {
			end := j == len(ks)-1 || seen[ks[j]] > 1
			p := pts[j]
			if end {
				p = nodes[node(ks[j], pts[j])]
			}
			length += geo.DistanceM(geom[len(geom)-1], p)
			geom = append(geom, p)
			if !end {
				continue
			}
			to := nodeOf[ks[j]]
			if to != from {
				edges = append(edges, Edge{A: from, B: to, LengthM: length, Class: l.class, Geom: geom})
			}
			from, geom, length = to, orb.LineString{nodes[to]}, 0
		}
	}
	g, err := New(nodes, edges)
	return g, rep, err
}
