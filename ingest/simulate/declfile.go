package simulate

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// niveau is the ARCEP level attribute value of each declared level, best
// first: what `taghtia ingest --layer declared` reads back.
var niveau = [...]struct {
	level data.Level
	code  string
}{{data.LevelVeryGood, "TBC"}, {data.LevelGood, "BC"}, {data.LevelLimited, "CL"}}

// FileName is the name of the declaration's GeoJSON file:
// declared_604-01_4G.geojson.
func (d Declaration) FileName() string {
	return "declared_" + d.MCCMNC + "_" + d.Tech.String() + ".geojson"
}

// WriteGeoJSON writes the declaration as a GeoJSON FeatureCollection in
// the ARCEP convention: one feature per declared level present (TBC, BC,
// CL, best first), a MultiPolygon outlining the level's cells, with the
// properties NIVEAU, operator, tech and simulated. Each cell has one
// level, so the features do not overlap. Coordinates are lon/lat with 6
// decimals (~0.1 m); exterior rings are counter-clockwise, holes
// clockwise. Errors: the outline's or the writer's.
func (d Declaration) WriteGeoJSON(w io.Writer) error {
	var byLevel [len(niveau)][]geo.Cell
	for _, c := range d.Cells {
		for i, n := range niveau {
			if c.Declared == n.level {
				byLevel[i] = append(byLevel[i], c.Cell)
			}
		}
	}
	bw := bufio.NewWriterSize(w, 1<<18)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	first := true
	var b []byte
	for i, n := range niveau {
		if len(byLevel[i]) == 0 {
			continue
		}
		mp, err := geo.CellsOutline(byLevel[i])
		if err != nil {
			return fmt.Errorf("simulate: declared %s %s %s: %w", d.MCCMNC, d.Tech, n.code, err)
		}
		if !first {
			bw.WriteString(",")
		}
		first = false
		b = fmt.Appendf(b[:0], "\n"+`{"type":"Feature","id":%q,"properties":{"NIVEAU":%q,"operator":%q,"tech":%q,"simulated":true},"geometry":{"type":"MultiPolygon","coordinates":`,
			n.code, n.code, d.MCCMNC, d.Tech.String())
		b = appendMultiPolygon(b, mp)
		b = append(b, "}}"...)
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("simulate: write %s: %w", d.FileName(), err)
	}
	return nil
}

func appendMultiPolygon(b []byte, mp orb.MultiPolygon) []byte {
	b = append(b, '[')
	for i, p := range mp {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, r := range p {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for k, pt := range r {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = strconv.AppendFloat(b, pt[0], 'f', 6, 64)
				b = append(b, ',')
				b = strconv.AppendFloat(b, pt[1], 'f', 6, 64)
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// OverstatedColumns is the header of the file WriteOverstated writes.
var OverstatedColumns = []string{"cell", "mcc_mnc", "tech", "declared", "modelled"}

// Overstated reports whether a cell's declaration claims what the model
// contradicts: declared good or very_good, modelled limited or none. These
// are the cells an evidence pipeline should dispute.
func (c DeclaredCell) Overstated() bool {
	return c.Declared >= data.LevelGood && c.Modelled <= data.LevelLimited
}

// WriteOverstated writes the truth file of the declarations: a CSV with
// the header OverstatedColumns and one row per overstated cell (see
// DeclaredCell.Overstated), declarations in order, cells in cell order;
// levels are written none, limited, good or very_good. It returns the
// number of rows. Errors: the writer's.
func WriteOverstated(w io.Writer, ds []Declaration) (int, error) {
	bw := bufio.NewWriter(w)
	n := 0
	for i, col := range OverstatedColumns {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(col)
	}
	bw.WriteByte('\n')
	for _, d := range ds {
		for _, c := range d.Cells {
			if !c.Overstated() {
				continue
			}
			fmt.Fprintf(bw, "%s,%s,%s,%s,%s\n", c.Cell, d.MCCMNC, d.Tech, c.Declared, c.Modelled)
			n++
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("simulate: write overstated cells: %w", err)
	}
	return n, nil
}
