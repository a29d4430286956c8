package vector

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// scanSHP walks a .shp file's records before go-shp reads it: go-shp
// allocates whatever part and point counts a record claims, and loops on
// a negative record length. Every record must hold the parts and points
// it declares. It returns the number of records. When a record lacks the
// optional M values, go-shp reads them anyway, from the next record (it
// then seeks back into step) or past the end: zero bytes are appended for
// that (the file is a private extracted copy, and the reader stops after
// the counted records).
func scanSHP(path, name string) (int, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	br := bufio.NewReaderSize(f, 64<<10)
	var h [100]byte
	if _, err := io.ReadFull(br, h[:]); err != nil || binary.BigEndian.Uint32(h[:]) != 9994 {
		return 0, fileError(name, CodeFormat, "expected a Shapefile (.shp starting with file code 9994), found something else")
	}
	off := int64(100)
	records := 0
	end := size // how far go-shp may read
	for off+8 <= size {
		var rh [8]byte
		if _, err := io.ReadFull(br, rh[:]); err != nil {
			return 0, readError(name, err)
		}
		content := int64(int32(binary.BigEndian.Uint32(rh[4:]))) * 2
		records++
		if content < 4 || off+8+content > size {
			return 0, fileError(name, CodeFormat, "expected record %d to fit in the .shp, found a length of %d bytes with %d left", records, content, size-off-8)
		}
		var body [44]byte
		n := min(content, 44)
		if _, err := io.ReadFull(br, body[:n]); err != nil {
			return 0, readError(name, err)
		}
		need, reads, err := shapeSize(body[:n], content)
		if err != nil {
			return 0, fileError(name, CodeFormat, "expected record %d to hold what it declares, found %v", records, err)
		}
		if need > content {
			return 0, fileError(name, CodeFormat, "expected record %d to hold %d bytes for its parts and points, found %d", records, need, content)
		}
		end = max(end, off+8+reads)
		if _, err := br.Discard(int(content - n)); err != nil {
			return 0, readError(name, err)
		}
		off += 8 + content
	}
	if end > size {
		if _, err := f.WriteAt(make([]byte, end-size), size); err != nil {
			return 0, err
		}
	}
	return records, nil
}

// shapeSize returns the bytes a record needs for what it declares (need)
// and the bytes go-shp reads for it (reads, with the optional M values).
func shapeSize(b []byte, content int64) (need, reads int64, err error) {
	typ := int32(binary.LittleEndian.Uint32(b))
	counts := func(at int) (int64, int64, error) {
		if len(b) < at+8 {
			return 0, 0, fmt.Errorf("a record of %d bytes, too short for its counts", content)
		}
		parts := int64(int32(binary.LittleEndian.Uint32(b[at:])))
		points := int64(int32(binary.LittleEndian.Uint32(b[at+4:])))
		if parts < 0 || points < 0 {
			return 0, 0, fmt.Errorf("negative counts (%d parts, %d points)", parts, points)
		}
		return parts, points, nil
	}
	points := func() (int64, error) {
		if len(b) < 40 {
			return 0, fmt.Errorf("a record of %d bytes, too short for its point count", content)
		}
		n := int64(int32(binary.LittleEndian.Uint32(b[36:])))
		if n < 0 {
			return 0, fmt.Errorf("a negative point count (%d)", n)
		}
		return n, nil
	}
	switch typ {
	case 0: // null
		return 4, 4, nil
	case 1:
		return 20, 20, nil
	case 11: // PointZ: x y z [m]
		return 28, 36, nil
	case 21: // PointM
		return 20, 28, nil
	case 3, 5, 13, 15, 23, 25, 31:
		p, n, err := counts(36)
		if err != nil {
			return 0, 0, err
		}
		need = 44 + 4*p + 16*n
		if typ == 31 {
			need += 4 * p // part types
		}
		reads = need
		switch typ {
		case 13, 15, 31:
			need += 16 + 8*n
			reads = need + 16 + 8*n
		case 23, 25:
			reads = need + 16 + 8*n
		}
		return need, reads, nil
	case 8, 18, 28:
		n, err := points()
		if err != nil {
			return 0, 0, err
		}
		need = 40 + 16*n
		reads = need
		switch typ {
		case 18:
			need += 16 + 8*n
			reads = need + 16 + 8*n
		case 28:
			reads = need + 16 + 8*n
		}
		return need, reads, nil
	}
	return 0, 0, fmt.Errorf("shape type %d, which is not a Shapefile shape type", typ)
}
