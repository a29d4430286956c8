package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// Limits on compressed input: a gzip stream is read as it is decompressed
// (constant memory), and these bound what a small file may expand to.
const (
	// MaxGzipRatio is the largest decompressed/compressed size ratio
	// accepted once more than gzipRatioFloor bytes came out: measurement
	// CSV compresses 5-15x, a zip bomb 1000x and more.
	MaxGzipRatio = 100
	// MaxGzipBytes bounds the decompressed size of one file.
	MaxGzipBytes   = 64 << 30
	gzipRatioFloor = 16 << 20
)

var gzipMagic = []byte{0x1f, 0x8b}

// ErrArchiveLimit is matched by the error of a compressed file that
// expands beyond MaxGzipBytes or MaxGzipRatio.
var ErrArchiveLimit = errors.New("ingest: compressed input beyond limits")

// gunzipInput returns r decompressed when it starts with the gzip magic
// bytes (type by content, not by name), with a counter of the compressed
// bytes read so progress follows the file on disk; otherwise r itself.
func gunzipInput(r io.Reader, name string) (io.Reader, *countingReader, bool, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, DetectBytes)
	head, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, nil, false, err
	}
	if !bytes.Equal(head, gzipMagic) {
		return br, cr, false, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, false, &FormatError{File: name, Message: "the file starts as gzip but its header cannot be read: " + err.Error()}
	}
	return &boundedGunzip{z: zr, in: cr, name: name}, cr, true, nil
}

// boundedGunzip stops a decompression that exceeds the limits.
type boundedGunzip struct {
	z    *gzip.Reader
	in   *countingReader
	out  int64
	name string
}

func (b *boundedGunzip) Read(p []byte) (int, error) {
	n, err := b.z.Read(p)
	b.out += int64(n)
	if b.out > MaxGzipBytes {
		return n, fmt.Errorf("%s: %w: it expands beyond %d GiB", b.name, ErrArchiveLimit, MaxGzipBytes>>30)
	}
	if b.out > gzipRatioFloor && b.in.n > 0 && float64(b.out)/float64(b.in.n) > MaxGzipRatio {
		return n, fmt.Errorf("%s: %w: %d bytes expanded to %d (ratio over %d: a zip bomb?)", b.name, ErrArchiveLimit, b.in.n, b.out, MaxGzipRatio)
	}
	return n, err
}
