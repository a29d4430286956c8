package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings Taghtia recognises in the files it is sent. Files are read as
// UTF-8 after this step; which encoding was assumed is reported.
const (
	EncUTF8    = "UTF-8"
	EncUTF16LE = "UTF-16LE"
	EncUTF16BE = "UTF-16BE"
	EncCP1256  = "Windows-1256"
	EncCP1252  = "Windows-1252"
)

// sniffEncoding guesses the encoding of a file from its first bytes: a
// UTF-16 byte order mark, or the NUL bytes of UTF-16 text without one;
// else valid UTF-8; else a Windows code page: Arabic (1256) when the
// high bytes come mostly in runs (words), else Western (1252).
func sniffEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncUTF16BE
	}
	if n := min(len(head), 512); n >= 4 {
		var evenNUL, oddNUL int
		for i := 0; i < n; i++ {
			if head[i] == 0 {
				if i%2 == 0 {
					evenNUL++
				} else {
					oddNUL++
				}
			}
		}
		switch {
		case oddNUL > n/4 && evenNUL == 0:
			return EncUTF16LE
		case evenNUL > n/4 && oddNUL == 0:
			return EncUTF16BE
		}
	}
	// A multi-byte character may be cut at the end of the head.
	trimmed := head
	for i := 0; i < utf8.UTFMax && len(trimmed) > 0 && !utf8.Valid(trimmed); i++ {
		trimmed = trimmed[:len(trimmed)-1]
	}
	if utf8.Valid(trimmed) {
		return EncUTF8
	}
	// Arabic words are runs of high bytes in Windows-1256; French accents
	// in Windows-1252 are single high bytes between ASCII letters.
	arabic, latin := 0, 0
	for i := 0; i < len(head); {
		if head[i] < 0x80 {
			i++
			continue
		}
		j := i
		for j < len(head) && head[j] >= 0x80 {
			j++
		}
		if j-i >= 2 {
			arabic += j - i
		} else {
			latin++
		}
		i = j
	}
	if arabic > latin {
		return EncCP1256
	}
	return EncCP1252
}

func decoderOf(enc string) encoding.Encoding {
	switch enc {
	case EncUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	case EncUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)
	case EncCP1256:
		return charmap.Windows1256
	case EncCP1252:
		return charmap.Windows1252
	}
	return nil
}

// utf8Input returns br read as UTF-8 (transcoded when its head shows
// another encoding) with a fresh head for format detection, and the
// encoding assumed.
func utf8Input(br *bufio.Reader) (*bufio.Reader, []byte, string, error) {
	head, err := br.Peek(DetectBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return br, nil, "", err
	}
	enc := sniffEncoding(head)
	dec := decoderOf(enc)
	if dec == nil {
		return br, head, enc, nil
	}
	out := bufio.NewReaderSize(transform.NewReader(br, dec.NewDecoder()), DetectBytes)
	head, err = out.Peek(DetectBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return out, nil, enc, fmt.Errorf("decode %s: %w", enc, err)
	}
	return out, head, enc, nil
}
