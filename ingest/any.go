package ingest

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/taghtia/taghtia/data"
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
