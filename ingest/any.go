package ingest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/vector"
)

// Spec says how to read one file of any kind: measurement options, and
// how a vector file maps to its layer.
type Spec struct {
	CSV    CSVOptions    // measurement files and layer formats; CSV.Format forces a format
	Vector VectorOptions // vector files; Vector.Layer forces a layer
}

// Outcome is what a file became: an upload of measurements, or replaced
// layers.
type Outcome struct {
	Upload data.Upload  // measurements (ID 0 for a layer file)
	Layer  *LayerResult // layer files; nil for measurements
}

// AnyStore takes every kind of file.
type AnyStore interface {
	Uploader
	FeatureStore
}

// Kind names what a file is, for messages and job records: the format
// name of a measurement or layer format, or "vector" for a vector file.
func Kind(path, format, layer string) (string, error) {
	if format != "" {
		if lf, ok := LookupLayerFormat(format); ok {
			return lf.Name, nil
		}
		f, err := LookupFormat(format)
		return f.Name, err
	}
	head, err := readHead(path)
	if err != nil {
		return "", err
	}
	if lf, ok, err := IsLayerFile(bytes.NewReader(head), ""); err != nil || ok {
		return lf.Name, err
	}
	if isVectorFile(path, head, layer) {
		return "vector", nil
	}
	m, err := DetectReader(bytes.NewReader(head), filepath.Base(path))
	return m.Name, err
}

// readHead returns the first DetectBytes of a file: what every detection
// looks at, read once.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, DetectBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return head[:n], nil
}

// Any ingests one file of any kind: a layer format (cell list, speed
// tiles) replaces its layer; a vector file replaces the layer it maps to;
// a zip of one measurement file is that file; anything else is a
// measurement upload (File). Each lands whole or not at all.
func Any(ctx context.Context, st AnyStore, path string, sp Spec) (Outcome, *Report, error) {
	if sp.CSV.Format != "" {
		if lf, ok := LookupLayerFormat(sp.CSV.Format); ok {
			res, rep, err := layerFormatFile(ctx, st, path, lf, sp.CSV)
			return Outcome{Layer: &res}, rep, err
		}
		up, rep, err := File(ctx, st, path, sp.CSV)
		return Outcome{Upload: up}, rep, err
	}
	head, err := readHead(path)
	if err != nil {
		return Outcome{}, nil, err
	}
	if lf, ok, err := IsLayerFile(bytes.NewReader(head), ""); err != nil {
		return Outcome{}, nil, err
	} else if ok {
		res, rep, err := layerFormatFile(ctx, st, path, lf, sp.CSV)
		return Outcome{Layer: &res}, rep, err
	}
	if sp.Vector.Layer == "" && isZip(head) {
		inner, cleanup, err := zippedMeasurements(path, sp.Vector.Vector.TempDir)
		if err != nil {
			return Outcome{}, nil, err
		}
		if inner != "" {
			defer cleanup()
			opt := sp.CSV
			opt.Name = cmp.Or(opt.Name, filepath.Base(path)) + "/" + filepath.Base(inner)
			up, rep, err := File(ctx, st, inner, opt)
			return Outcome{Upload: up}, rep, err
		}
	}
	if isVectorFile(path, head, sp.Vector.Layer) {
		v := sp.Vector
		v.Name = cmp.Or(v.Name, sp.CSV.Name)
		v.Declared.Operator = cmp.Or(v.Declared.Operator, sp.CSV.Operator)
		if v.Declared.Operators == nil {
			v.Declared.Operators = sp.CSV.Operators
		}
		res, rep, err := VectorFile(ctx, st, path, v)
		return Outcome{Layer: &res}, rep, err
	}
	up, rep, err := File(ctx, st, path, sp.CSV)
	return Outcome{Upload: up}, rep, err
}

func isZip(head []byte) bool {
	k := vector.Sniff(head)
	return k == vector.KindZip || k == vector.KindShapefileZip
}

// MaxZippedMeasurements bounds what a zipped measurement file may expand
// to (the ratio bound of vector.Limits applies too).
const MaxZippedMeasurements = 64 << 30

// zippedMeasurements extracts the zip at path into a fresh directory under
// tempDir (with the archive safety checks) and returns its one file when
// that is a measurement file; "" otherwise.
func zippedMeasurements(path, tempDir string) (string, func(), error) {
	dir, err := os.MkdirTemp(tempDir, "unzip-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	files, err := vector.Extract(path, dir, vector.Limits{MaxUncompressed: MaxZippedMeasurements})
	if err != nil {
		cleanup()
		return "", nil, vectorFatal(filepath.Base(path), err)
	}
	if len(files) != 1 {
		cleanup()
		return "", nil, nil
	}
	in, err := os.Open(files[0])
	if err != nil {
		cleanup()
		return "", nil, err
	}
	_, derr := DetectReader(in, filepath.Base(files[0]))
	in.Close()
	if derr != nil {
		cleanup()
		return "", nil, nil // not measurements: a vector file, read as one
	}
	return files[0], cleanup, nil
}

// layerFormatFile replaces a layer with the features of a file in a layer
// format. Speed tiles are scoped by operator when one is given.
func layerFormatFile(ctx context.Context, st FeatureStore, path string, lf LayerFormat, opt CSVOptions) (LayerResult, *Report, error) {
	res := LayerResult{Format: lf.Name}
	rep, fs, err := ReadLayerFile(path, lf, opt)
	if err != nil {
		return res, rep, err
	}
	layer := lf.Layer
	if layer == data.LayerSpeedTiles {
		layer = data.LayerKey(layer, opt.Operator)
		for i := range fs {
			fs[i].Layer = layer
		}
	}
	if err := st.ReplaceFeatures(ctx, layer, fs); err != nil {
		return res, rep, err
	}
	info := data.LayerInfo{Name: layer, Count: len(fs), Source: fmt.Sprintf("%s (%s)", rep.File, lf.Name), LoadedAt: time.Now().UTC()}
	res.Layers = append(res.Layers, info)
	return res, rep, st.PutLayerInfo(ctx, info)
}
