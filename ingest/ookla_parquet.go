package ingest

import (
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/taghtia/taghtia/data"
)

// readOoklaParquet reads the file one row group at a time, a batch of
// rows at a time, so memory is bounded by a row group's pages (and the
// features kept). Columns are found by name; numbers may be INT32, INT64,
// FLOAT, DOUBLE or strings, quadkey and tile must be strings.
func readOoklaParquet(r io.ReaderAt, size int64, name string, opt CSVOptions, rep *Report) (fs []data.Feature, err error) {
	defer func() {
		// parquet-go can panic on a corrupt file rather than fail; a bad
		// upload is the sender's problem, not a crash.
		if p := recover(); p != nil {
			fs, err = nil, &FormatError{File: name, Message: fmt.Sprintf("cannot read the Parquet file: %v", p)}
		}
	}()
	f, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, &FormatError{File: name, Message: "cannot read the Parquet file: " + err.Error()}
	}
	o := &ooklaReader{name: name, opt: opt, rep: rep}
	schema := f.Schema()
	var names []string
	leaf := map[string]parquet.LeafColumn{}
	for _, path := range schema.Columns() {
		col := strings.Join(path, ".")
		names = append(names, col)
		leaf[col], _ = schema.Lookup(path...)
	}
	pos, err := o.header(names)
	if err != nil {
		return nil, err
	}
	for i, j := range pos {
		if j < 0 {
			continue
		}
		lc := leaf[names[j]]
		kind := lc.Node.Type().Kind()
		switch {
		case lc.MaxRepetitionLevel > 0:
			return nil, &FormatError{File: name, Column: names[j], Message: fmt.Sprintf("column %s is a list; expected one value per tile", names[j])}
		case i == okQuadkey && kind != parquet.ByteArray:
			return nil, &FormatError{File: name, Column: names[j], Message: fmt.Sprintf("column %s is %s; expected a string (BYTE_ARRAY): a quadkey stored as a number has lost its leading zeros", names[j], kind)}
		case i == okTile && kind != parquet.ByteArray:
			return nil, &FormatError{File: name, Column: names[j], Message: fmt.Sprintf("column %s is %s; expected a WKT string (BYTE_ARRAY)", names[j], kind)}
		case kind != parquet.Int32 && kind != parquet.Int64 && kind != parquet.Float && kind != parquet.Double && kind != parquet.ByteArray:
			return nil, &FormatError{File: name, Column: names[j], Message: fmt.Sprintf("column %s is %s; expected a number (INT32, INT64, FLOAT or DOUBLE)", names[j], kind)}
		}
	}
	colOf := make([]int, len(names)) // the file's leaf column -> ooklaColumns index, or -1
	for j := range colOf {
		colOf[j] = -1
	}
	for i, j := range pos {
		if j >= 0 {
			colOf[leaf[names[j]].ColumnIndex] = i
		}
	}
	buf := make([]parquet.Row, 512)
	var cells [okColumns]ooklaCell
	var n int64
	for _, rg := range f.RowGroups() {
		if opt.Context != nil {
			if err := opt.Context.Err(); err != nil {
				return nil, err
			}
		}
		rows := rg.Rows()
		for {
			k, err := rows.ReadRows(buf)
			for _, row := range buf[:k] {
				n++
				cells = [okColumns]ooklaCell{}
				for _, val := range row {
					if c := val.Column(); c >= 0 && c < len(colOf) && colOf[c] >= 0 {
						cells[colOf[c]] = parquetCell(val)
					}
				}
				o.row(int(n)+1, &cells)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				rows.Close()
				return nil, &FormatError{File: name, Line: int(n) + 2, Message: "cannot read the Parquet rows: " + err.Error()}
			}
		}
		if err := rows.Close(); err != nil {
			return nil, &FormatError{File: name, Message: "cannot read the Parquet rows: " + err.Error()}
		}
	}
	return o.out, nil
}

func parquetCell(v parquet.Value) ooklaCell {
	if v.IsNull() {
		return ooklaCell{}
	}
	switch v.Kind() {
	case parquet.Int32:
		return ooklaCell{n: float64(v.Int32()), num: true, ok: true}
	case parquet.Int64:
		return ooklaCell{n: float64(v.Int64()), num: true, ok: true}
	case parquet.Float:
		return ooklaCell{n: float64(v.Float()), num: true, ok: true}
	case parquet.Double:
		return ooklaCell{n: v.Double(), num: true, ok: true}
	}
	s := string(v.ByteArray())
	return ooklaCell{s: s, ok: strings.TrimSpace(s) != ""}
}
