package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
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
// name of a measurement or layer format, or the vector reader's kind.
func Kind(path, format, layer string) (string, error) {
	if format != "" {
		if lf, ok := LookupLayerFormat(format); ok {
			return lf.Name, nil
		}
		f, err := LookupFormat(format)
		return f.Name, err
	}
	if lf, ok, err := isLayerPath(path); err != nil || ok {
		return lf.Name, err
	}
	if ok, err := IsVectorFile(path, layer); err != nil || ok {
		return "vector", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	m, err := DetectReader(f, baseName(path))
	return m.Name, err
}

func isLayerPath(path string) (LayerFormat, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return LayerFormat{}, false, err
	}
	defer f.Close()
	return IsLayerFile(f, "")
}

// Any ingests one file of any kind: a layer format (cell list, speed
// tiles) replaces its layer; a vector file replaces the layer it maps to;
// anything else is a measurement upload (File). Each lands whole or not at
// all.
func Any(ctx context.Context, st AnyStore, path string, sp Spec) (Outcome, *Report, error) {
	var lf LayerFormat
	var isLayer bool
	var err error
	if sp.CSV.Format != "" {
		lf, isLayer = LookupLayerFormat(sp.CSV.Format)
		if !isLayer {
			if _, err := LookupFormat(sp.CSV.Format); err != nil {
				return Outcome{}, nil, err
			}
		}
	} else if lf, isLayer, err = isLayerPath(path); err != nil {
		return Outcome{}, nil, err
	}
	if isLayer {
		res, rep, err := layerFormatFile(ctx, st, path, lf, sp.CSV)
		return Outcome{Layer: &res}, rep, err
	}
	if sp.CSV.Format == "" && sp.Vector.Layer == "" {
		inner, cleanup, err := zippedMeasurements(path, sp.Vector.Vector.TempDir)
		if err != nil {
			return Outcome{}, nil, err
		}
		if inner != "" {
			defer cleanup()
			opt := sp.CSV
			opt.Name = cmpOr(opt.Name, baseName(path)) + "/" + baseName(inner)
			up, rep, err := File(ctx, st, inner, opt)
			return Outcome{Upload: up}, rep, err
		}
	}
	if sp.CSV.Format == "" {
		vec, err := IsVectorFile(path, sp.Vector.Layer)
		if err != nil {
			return Outcome{}, nil, err
		}
		if vec {
			if sp.Vector.Name == "" {
				sp.Vector.Name = sp.CSV.Name
			}
			if sp.Vector.Declared.Operator == "" {
				sp.Vector.Declared.Operator = sp.CSV.Operator
			}
			if sp.Vector.Declared.Operators == nil {
				sp.Vector.Declared.Operators = sp.CSV.Operators
			}
			res, rep, err := VectorFile(ctx, st, path, sp.Vector)
			return Outcome{Layer: &res}, rep, err
		}
	}
	up, rep, err := File(ctx, st, path, sp.CSV)
	return Outcome{Upload: up}, rep, err
}

// MaxZippedMeasurements bounds what a zipped measurement file may expand
// to (the ratio bound of vector.Limits applies too).
const MaxZippedMeasurements = 64 << 30

// zippedMeasurements extracts a zip holding exactly one measurement file
// into a fresh directory under tempDir (with the archive safety checks)
// and returns its path; "" when the file is not such a zip.
func zippedMeasurements(path, tempDir string) (string, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if vector.Sniff(head[:n]) != vector.KindZip && vector.Sniff(head[:n]) != vector.KindShapefileZip {
		return "", nil, nil
	}
	dir, err := os.MkdirTemp(tempDir, "unzip-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	files, err := vector.Extract(path, dir, vector.Limits{MaxUncompressed: MaxZippedMeasurements})
	if err != nil {
		cleanup()
		return "", nil, vectorFatal(baseName(path), err)
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
	_, derr := DetectReader(in, baseName(files[0]))
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
	name := opt.Name
	if name == "" {
		name = baseName(path)
	}
	info := data.LayerInfo{Name: layer, Count: len(fs), Source: fmt.Sprintf("%s (%s)", name, lf.Name), LoadedAt: time.Now().UTC()}
	res.Layers = append(res.Layers, info)
	return res, rep, st.PutLayerInfo(ctx, info)
}
