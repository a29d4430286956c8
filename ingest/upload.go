package ingest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/data"
)

// Uploader stores one upload atomically.
type Uploader interface {
	AddUpload(ctx context.Context, up data.Upload, fill data.Fill) (data.Upload, error)
}

// FileSHA256 returns the hex sha256 of a file and its size.
func FileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// File validates and stores one measurement file as one upload, in the
// format opt.Format names or the one detected from its content.
// The file lands whole or not at all; the same bytes a second time return
// *data.DuplicateError. The report is returned whenever the file was read,
// also with an error.
func File(ctx context.Context, st Uploader, path string, opt CSVOptions) (data.Upload, *Report, error) {
	sum, size, err := FileSHA256(path)
	if err != nil {
		return data.Upload{}, nil, fmt.Errorf("ingest %s: %w", path, err)
	}
	up := data.Upload{
		SHA256:     sum,
		File:       cmp.Or(opt.Name, filepath.Base(path)),
		Operator:   opt.Operator,
		Bytes:      size,
		ReceivedAt: time.Now().UTC(),
	}
	if opt.Context == nil {
		opt.Context = ctx
	}
	if k, ok := st.(interface {
		KnownRows(context.Context, []uint64) (map[uint64]int64, error)
	}); ok && opt.Known == nil {
		opt.Known = func(fps []uint64) (map[uint64]int64, error) { return k.KnownRows(ctx, fps) }
	}
	var rep *Report
	stored, err := st.AddUpload(ctx, up, func(emit func([]data.Measurement) error) (data.Upload, error) {
		f, err := os.Open(path)
		if err != nil {
			return up, err
		}
		defer f.Close()
		var format Format
		rep, format, err = Read(f, up.File, opt.Format, opt, emit)
		up.Format = format.Name
		if err != nil {
			return up, err
		}
		up.Rows, up.Accepted, up.Rejected = rep.Rows, rep.Accepted, rep.Rejected
		return up, nil
	})
	if err != nil {
		return stored, rep, fmt.Errorf("ingest %s: %w", path, err)
	}
	return stored, rep, nil
}
