package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/vector"
)

// VectorLayers are the layers a vector file (GeoJSON, GeoPackage, zipped
// Shapefile, CSV with coordinates) can fill: declared coverage or one of
// the reference kinds.
var VectorLayers = []string{"declared", string(RefCommunes), string(RefProvinces), string(RefRegions),
	string(RefPlaces), string(RefSites), string(RefRoads), string(RefPoP)}

// VectorOptions say how a vector file maps to a layer.
type VectorOptions struct {
	// Layer is "declared" or a RefKind; "" means declared when the features
	// carry the level attribute, and an error naming the choices otherwise.
	Layer    string
	Declared DeclaredOptions
	Columns  map[string]string // reference layers: target field → file attribute
	Vector   vector.Options
	Name     string // the file's name as sent; "": the path's base
}

// FeatureStore receives what a vector or layer file holds.
type FeatureStore interface {
	LayerStore
	ReplaceFeatures(ctx context.Context, layer string, fs []data.Feature) error
}

// isVectorFile says, from its first bytes, whether a file is a vector
// file: GeoJSON, GeoPackage, a zip (Shapefile or one vector file) or
// gzipped GeoJSON. A CSV (or gzipped CSV) is one only when a layer is
// named; otherwise it is measurements.
func isVectorFile(path string, head []byte, layer string) bool {
	switch vector.Sniff(head) {
	case vector.KindGeoJSON, vector.KindGPKG, vector.KindShapefileZip, vector.KindZip:
		return true
	case vector.KindGzip:
		return layer != "" || gzippedGeoJSON(path)
	case vector.KindCSV:
		return layer != ""
	}
	return false
}

func gzippedGeoJSON(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	r, _, _, err := gunzipInput(f, path)
	if err != nil {
		return false
	}
	head := make([]byte, 4096)
	n, _ := io.ReadFull(r, head)
	return vector.Sniff(head[:n]) == vector.KindGeoJSON
}

// LayerResult says what a layer file replaced.
type LayerResult struct {
	Format string           // the reader: "geojson", "gpkg"… or a LayerFormat name
	Layers []data.LayerInfo // one per replaced layer (declared: per operator × technology)
}

// Features counts the features stored over every layer.
func (r LayerResult) Features() int {
	n := 0
	for _, l := range r.Layers {
		n += l.Count
	}
	return n
}

// VectorFile reads a vector file, maps it to its layer and replaces that
// layer (each declared scope, each reference layer) in the store. Nothing
// is stored when the file cannot be read whole; per-feature problems are in
// the report, whose counts cover the features read.
func VectorFile(ctx context.Context, st FeatureStore, path string, opt VectorOptions) (LayerResult, *Report, error) {
	name := cmp.Or(opt.Name, filepath.Base(path))
	rep := &Report{File: name}
	res := LayerResult{}
	r, err := vector.Open(path, opt.Vector)
	if err != nil {
		return res, rep, vectorFatal(name, err)
	}
	defer r.Close()
	res.Format = string(r.Kind())
	var fs []vector.Feature
	for {
		if err := ctx.Err(); err != nil {
			return res, rep, err
		}
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		var ve *vector.Error
		if errors.As(err, &ve) && !ve.Fatal() {
			rep.Rows++
			rep.Rejected++
			rep.add(Problem{File: name, Line: ve.Line, Column: ve.Field, Value: truncate(ve.Value), Code: ve.Code, Severity: SevError, Message: ve.Ref + ": " + ve.Message})
			continue
		}
		if err != nil {
			return res, rep, vectorFatal(name, err)
		}
		fs = append(fs, f)
	}
	layer := opt.Layer
	if layer == "" {
		if !hasAttr(fs, cmp.Or(opt.Declared.LevelAttr, "NIVEAU")) {
			return res, rep, &FormatError{File: name, Message: fmt.Sprintf("say which layer this file fills (--layer): one of %s; only declared coverage (with a %s attribute) is recognised by itself",
				strings.Join(VectorLayers, ", "), cmp.Or(opt.Declared.LevelAttr, "NIVEAU"))}
		}
		layer = "declared"
	}
	// The mappers count the features they are given; add the rejected ones.
	rejected := rep.Rejected
	rep.Rows, rep.Rejected = 0, 0
	defer func() { rep.Rows += rejected; rep.Rejected += rejected }()
	source := name + " (" + res.Format + ")"
	put := func(l string, n int) error {
		info := data.LayerInfo{Name: l, Count: n, Source: source, LoadedAt: time.Now().UTC()}
		res.Layers = append(res.Layers, info)
		return st.PutLayerInfo(ctx, info)
	}
	switch layer {
	case "declared":
		out, err := MapDeclared(name, fs, opt.Declared, rep)
		if err != nil {
			return res, rep, err
		}
		scopes := map[string][]data.Feature{}
		for _, f := range out {
			scopes[f.Layer] = append(scopes[f.Layer], f)
		}
		keys := make([]string, 0, len(scopes))
		for k := range scopes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := st.ReplaceFeatures(ctx, k, scopes[k]); err != nil {
				return res, rep, err
			}
			if err := put(k, len(scopes[k])); err != nil {
				return res, rep, err
			}
		}
	case string(RefCommunes), string(RefProvinces), string(RefRegions):
		areas, err := MapAreas(name, fs, RefOptions{Kind: RefKind(layer), Columns: opt.Columns}, rep)
		if err != nil {
			return res, rep, err
		}
		level := map[string]data.AreaLevel{string(RefCommunes): data.LevelCommune, string(RefProvinces): data.LevelProvince, string(RefRegions): data.LevelRegion}[layer]
		if err := st.ReplaceAreas(ctx, level, areas); err != nil {
			return res, rep, err
		}
		if err := put(string(level), len(areas)); err != nil {
			return res, rep, err
		}
	case string(RefPlaces):
		places, err := MapPlaces(name, fs, RefOptions{Kind: RefPlaces, Columns: opt.Columns}, rep)
		if err != nil {
			return res, rep, err
		}
		if err := st.ReplacePlaces(ctx, data.LayerPlaces, places); err != nil {
			return res, rep, err
		}
		if err := put(string(data.LayerPlaces), len(places)); err != nil {
			return res, rep, err
		}
	case string(RefSites), string(RefRoads), string(RefPoP):
		out, err := MapFeatures(name, fs, RefOptions{Kind: RefKind(layer), Columns: opt.Columns}, rep)
		if err != nil {
			return res, rep, err
		}
		target := map[string]string{string(RefSites): data.LayerSites, string(RefRoads): data.LayerRoads, string(RefPoP): data.LayerPoP}[layer]
		if err := st.ReplaceFeatures(ctx, target, out); err != nil {
			return res, rep, err
		}
		if err := put(target, len(out)); err != nil {
			return res, rep, err
		}
	default:
		return res, rep, fmt.Errorf("%w: layer %q is not one of %s", data.ErrInvalid, layer, strings.Join(VectorLayers, ", "))
	}
	return res, rep, nil
}

// vectorFatal turns a fatal reader error into a *FormatError naming the
// file, so callers report every unreadable file alike.
func vectorFatal(name string, err error) error {
	var ve *vector.Error
	if errors.As(err, &ve) {
		msg := ve.Message
		if ve.Ref != "" {
			msg = ve.Ref + ": " + msg
		}
		return &FormatError{File: name, Line: ve.Line, Column: ve.Field, Message: msg + " [" + ve.Code + "]"}
	}
	return fmt.Errorf("read %s: %w", name, err)
}

func hasAttr(fs []vector.Feature, attr string) bool {
	for _, f := range fs[:min(len(fs), 100)] {
		for k := range f.Props {
			if strings.EqualFold(k, attr) {
				return true
			}
		}
	}
	return false
}
