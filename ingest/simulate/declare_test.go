package simulate_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/ingest/simulate"
	"github.com/taghtia/taghtia/ingest/vector"
)

// bins are the signal bins of coverage.DefaultThresholds (this package may
// not import coverage; cmd/taghtia passes the configured ones).
var bins = map[data.Tech]simulate.Bins{
	data.Tech2G: {VeryGood: -75, Good: -85, Limited: -100},
	data.Tech3G: {VeryGood: -85, Good: -95, Limited: -105},
	data.Tech4G: {VeryGood: -90, Good: -105, Limited: -115},
}

var niveauLevel = map[string]data.Level{"TBC": data.LevelVeryGood, "BC": data.LevelGood, "CL": data.LevelLimited}

func model(t testing.TB, seed int64) *simulate.Model {
	t.Helper()
	m, err := simulate.New(options(t, seed, 0.01))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func declare(t testing.TB, m *simulate.Model, over map[string]float64) []simulate.Declaration {
	t.Helper()
	ds, err := m.Declare(context.Background(), simulate.DeclareOptions{Signal: bins, Overstate: over})
	if err != nil {
		t.Fatalf("Declare: %v", err)
	}
	if len(ds) != 9 {
		t.Fatalf("%d declarations, want 3 operators × 3 technologies", len(ds))
	}
	return ds
}

func geojson(t testing.TB, d simulate.Declaration) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := d.WriteGeoJSON(&buf); err != nil {
		t.Fatalf("%s: %v", d.FileName(), err)
	}
	return buf.Bytes()
}

// readBack writes a declaration's file and reads it as Taghtia's vector
// reader does.
func readBack(t *testing.T, d simulate.Declaration) (string, []vector.Feature) {
	t.Helper()
	path := filepath.Join(t.TempDir(), d.FileName())
	if err := os.WriteFile(path, geojson(t, d), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := vector.Open(path, vector.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open %s: %v", d.FileName(), err)
	}
	defer r.Close()
	var fs []vector.Feature
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", d.FileName(), err)
		}
		fs = append(fs, f)
	}
	return path, fs
}

// fileLevels gives the level of every cell whose centre a feature of the
// file covers, failing when two features cover one cell.
func fileLevels(t *testing.T, name string, fs []vector.Feature) map[geo.Cell]data.Level {
	t.Helper()
	out := map[geo.Cell]data.Level{}
	for _, f := range fs {
		lv, ok := niveauLevel[f.Props["NIVEAU"].(string)]
		if !ok {
			t.Fatalf("%s: NIVEAU %v", name, f.Props["NIVEAU"])
		}
		cells, err := geo.CellsInPolygon(f.Geom, simulate.DeclaredResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			if prev, dup := out[c]; dup {
				t.Fatalf("%s: cell %s is both %s and %s", name, c, prev, lv)
			}
			out[c] = lv
		}
	}
	return out
}

// sfGeoms parses the file's geometries with simplefeatures, which
// validates them, by NIVEAU.
func sfGeoms(t *testing.T, name string, b []byte) map[string]sf.Geometry {
	t.Helper()
	var fc struct {
		Type     string
		Features []struct {
			Properties map[string]any
			Geometry   json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("%s: not a GeoJSON FeatureCollection: %v", name, err)
	}
	out := map[string]sf.Geometry{}
	for _, f := range fc.Features {
		n, _ := f.Properties["NIVEAU"].(string)
		g, err := sf.UnmarshalGeoJSON(f.Geometry)
		if err != nil {
			t.Fatalf("%s: %s geometry invalid: %v", name, n, err)
		}
		if g.Type() != sf.TypeMultiPolygon {
			t.Errorf("%s: %s is a %s, want a MultiPolygon", name, n, g.Type())
		}
		if _, dup := out[n]; dup {
			t.Errorf("%s: two %s features", name, n)
		}
		out[n] = g
	}
	return out
}

func TestDeclaredFiles(t *testing.T) {
	m := model(t, 1)
	ds := declare(t, m, nil)
	for _, d := range ds {
		t.Run(d.MCCMNC+"_"+d.Tech.String(), func(t *testing.T) {
			b := geojson(t, d)
			gs := sfGeoms(t, d.FileName(), b)
			if len(gs) == 0 {
				t.Fatal("no feature")
			}
			names := slices.Sorted(maps.Keys(gs))
			for i, a := range names {
				for _, c := range names[i+1:] {
					inter, err := sf.Intersection(gs[a], gs[c])
					if err != nil {
						t.Fatalf("%s ∩ %s: %v", a, c, err)
					}
					if area := inter.Area(); area > 1e-12 {
						t.Errorf("%s and %s overlap by %g deg²", a, c, area)
					}
				}
			}

			// Taghtia reads it as `taghtia ingest FILE --layer declared
			// --operator OP --tech T` does, without a warning.
			path, fs := readBack(t, d)
			var rep ingest.Report
			feats, err := ingest.MapDeclared(path, fs, ingest.DeclaredOptions{Operator: d.MCCMNC, Tech: d.Tech.String()}, &rep)
			if err != nil || rep.Rejected != 0 || rep.Warnings != 0 || len(feats) != len(gs) {
				t.Fatalf("MapDeclared: %d features, err %v, report %+v", len(feats), err, rep)
			}
			for _, f := range feats {
				if f.Layer != data.LayerKey(data.LayerDeclared, d.MCCMNC, d.Tech.String()) {
					t.Errorf("layer %q", f.Layer)
				}
			}

			// The polygons hold exactly the declared cells, each at its level.
			got := fileLevels(t, d.FileName(), fs)
			want := map[geo.Cell]data.Level{}
			for _, c := range d.Cells {
				if c.Declared != c.Modelled {
					t.Errorf("cell %s: honest declaration %s, model %s", c.Cell, c.Declared, c.Modelled)
				}
				if c.Declared > data.LevelNone {
					want[c.Cell] = c.Declared
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("polygons cover %d cells, the declaration has %d above none", len(got), len(want))
			}
		})
	}
	// A city of ~700,000 people is covered well by every network.
	centre, _ := geo.CellAt(city, simulate.DeclaredResolution)
	for _, d := range ds {
		i, ok := slices.BinarySearchFunc(d.Cells, centre, func(c simulate.DeclaredCell, x geo.Cell) int {
			return cmp.Compare(c.Cell, x)
		})
		if !ok || d.Cells[i].Declared < data.LevelGood {
			t.Errorf("%s %s: city centre not declared good or very_good", d.MCCMNC, d.Tech)
		}
	}
}

func TestOverstated(t *testing.T) {
	m := model(t, 1)
	honest := declare(t, m, nil)
	over := declare(t, m, map[string]float64{"604-02": 12})
	var truth bytes.Buffer
	n, err := simulate.WriteOverstated(&truth, over)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&truth).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "cell,mcc_mnc,tech,declared,modelled" || len(rows)-1 != n {
		t.Fatalf("truth file header %q with %d rows, WriteOverstated said %d", rows[0], len(rows)-1, n)
	}
	listed := map[string][]string{} // cell,mcc_mnc,tech -> declared, modelled
	for _, r := range rows[1:] {
		k := strings.Join(r[:3], ",")
		if _, dup := listed[k]; dup {
			t.Errorf("truth file lists %s twice", k)
		}
		listed[k] = r[3:]
	}

	var wantRows int
	for i, d := range over {
		h := honest[i]
		if d.MCCMNC != h.MCCMNC || d.Tech != h.Tech {
			t.Fatalf("declaration %d: %s %s vs %s %s", i, d.MCCMNC, d.Tech, h.MCCMNC, h.Tech)
		}
		if d.MCCMNC != "604-02" {
			if !bytes.Equal(geojson(t, d), geojson(t, h)) {
				t.Errorf("%s %s: declaration changed by another operator's overstatement", d.MCCMNC, d.Tech)
			}
			continue
		}
		t.Run(d.FileName(), func(t *testing.T) {
			if d.OverstateDB != 12 {
				t.Errorf("OverstateDB = %g", d.OverstateDB)
			}
			_, hfs := readBack(t, h)
			_, dfs := readBack(t, d)
			hl, dl := fileLevels(t, "honest", hfs), fileLevels(t, "overstated", dfs)

			// The good area (good or very_good) strictly grows.
			var grown int
			for c, l := range hl {
				if l >= data.LevelGood && dl[c] < data.LevelGood {
					t.Fatalf("cell %s is %s honestly but declared %s when overstating", c, l, dl[c])
				}
			}
			for c, l := range dl {
				if l >= data.LevelGood && hl[c] < data.LevelGood {
					grown++
				}
			}
			if grown == 0 {
				t.Fatal("overstating by 12 dB declared no more good cells")
			}
			t.Logf("%d cells declared honestly; %d more good or very_good when overstating", len(hl), grown)
			goodArea := func(b []byte) sf.Geometry {
				gs := sfGeoms(t, "file", b)
				u, err := sf.Union(gs["TBC"], gs["BC"])
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			hg, dg := goodArea(geojson(t, h)), goodArea(geojson(t, d))
			lost, err := sf.Difference(hg, dg)
			if err != nil {
				t.Fatal(err)
			}
			gained, err := sf.Difference(dg, hg)
			if err != nil {
				t.Fatal(err)
			}
			if lost.Area() > 1e-12 || gained.Area() <= 0 {
				t.Errorf("honest good area outside the overstated one: %g deg²; gained %g deg²", lost.Area(), gained.Area())
			}

			// The truth file lists exactly the cells declared >= good that
			// the honest model puts at limited or none.
			for c, l := range dl {
				mod := max(hl[c], data.LevelNone)
				k := c.String() + ",604-02," + d.Tech.String()
				got, ok := listed[k]
				if want := l >= data.LevelGood && mod <= data.LevelLimited; want != ok {
					t.Fatalf("cell %s declared %s, modelled %s: listed %v, want %v", c, l, mod, ok, want)
				}
				if ok {
					wantRows++
					if got[0] != l.String() || got[1] != mod.String() {
						t.Errorf("%s: truth file says declared %s, modelled %s; want %s, %s", k, got[0], got[1], l, mod)
					}
				}
			}
			// The model is the same: only the declaration moved.
			hm := map[geo.Cell]data.Level{}
			for _, c := range h.Cells {
				hm[c.Cell] = c.Modelled
			}
			for _, c := range d.Cells {
				if want := max(hm[c.Cell], data.LevelNone); c.Modelled != want {
					t.Fatalf("cell %s: modelled %s when overstating, %s honestly", c.Cell, c.Modelled, want)
				}
			}
		})
	}
	if wantRows != n || n == 0 {
		t.Errorf("truth file has %d rows, want %d (> 0)", n, wantRows)
	}
}

func TestDeclareLeavesMeasurements(t *testing.T) {
	opt := options(t, 3, 0.01)
	plain, _ := write(t, opt)
	m, err := simulate.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	a := declare(t, m, map[string]float64{"604-02": 12, "604-00": 6})
	var got bytes.Buffer
	if _, err := m.Write(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), plain) {
		t.Error("measurements differ once declarations were computed")
	}
	got.Reset()
	if _, err := m.Write(context.Background(), &got); err != nil || !bytes.Equal(got.Bytes(), plain) {
		t.Errorf("a Model written twice gave different bytes (err %v)", err)
	}

	// Declarations are deterministic too, whatever the input order.
	rev := options(t, 3, 0.01)
	slices.Reverse(rev.Population)
	slices.Reverse(rev.Places)
	m2, err := simulate.New(rev)
	if err != nil {
		t.Fatal(err)
	}
	b := declare(t, m2, map[string]float64{"604-02": 12, "604-00": 6})
	for i := range a {
		if !bytes.Equal(geojson(t, a[i]), geojson(t, b[i])) {
			t.Errorf("%s: two runs gave different files", a[i].FileName())
		}
	}
	var ta, tb bytes.Buffer
	simulate.WriteOverstated(&ta, a)
	simulate.WriteOverstated(&tb, b)
	if !bytes.Equal(ta.Bytes(), tb.Bytes()) {
		t.Error("two runs gave different truth files")
	}
}

func TestDeclareRefuses(t *testing.T) {
	m := model(t, 1)
	for name, opt := range map[string]simulate.DeclareOptions{
		"unknown operator": {Signal: bins, Overstate: map[string]float64{"604-05": 12}},
		"unordered bins":   {Signal: map[data.Tech]simulate.Bins{data.Tech4G: {VeryGood: -110, Good: -105, Limited: -115}}},
	} {
		if _, err := m.Declare(context.Background(), opt); !errors.Is(err, simulate.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
		if err := opt.Validate(); !errors.Is(err, simulate.ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
	}
	if err := (simulate.DeclareOptions{Signal: bins, Overstate: map[string]float64{"604-02": 12}}).Validate(); err != nil {
		t.Errorf("Validate of good options: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Declare(ctx, simulate.DeclareOptions{Signal: bins}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}
