package coverage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// MeasurementSource gives every stored measurement.
type MeasurementSource interface {
	ScanMeasurements(ctx context.Context, fn func([]data.Measurement) error) error
}

// FeatureSource gives the generic vector layers (declared coverage).
type FeatureSource interface {
	LayerInfos(ctx context.Context) ([]data.LayerInfo, error)
	Features(ctx context.Context, layer string) ([]data.Feature, error)
}

// EvidenceStore is what Evidence reads.
type EvidenceStore interface {
	MeasurementSource
	FeatureSource
}

type opTech struct {
	op   string
	tech data.Tech
}

// declaredLevels are the levels an operator may declare, best first.
var declaredLevels = []data.Level{data.LevelVeryGood, data.LevelGood, data.LevelLimited, data.LevelNone}

// Declarations answer which level each operator declares where, from
// the declared/<operator>/<tech> feature layers: the best level among
// the declared polygons holding a point.
type Declarations struct {
	ix map[opTech][]*geo.PolygonIndex // parallel to declaredLevels
	n  int
}

// NewDeclarations returns an empty set.
func NewDeclarations() *Declarations {
	return &Declarations{ix: map[opTech][]*geo.PolygonIndex{}}
}

// LoadDeclarations indexes every declared-coverage layer of st.
func LoadDeclarations(ctx context.Context, st FeatureSource) (*Declarations, error) {
	d := NewDeclarations()
	infos, err := st.LayerInfos(ctx)
	if err != nil {
		return d, fmt.Errorf("list layers: %w", err)
	}
	for _, li := range infos {
		parts := strings.Split(li.Name, "/")
		if len(parts) != 3 || parts[0] != data.LayerDeclared {
			continue
		}
		tech, err := data.ParseTech(parts[2])
		if err != nil {
			continue
		}
		fs, err := st.Features(ctx, li.Name)
		if err != nil {
			return d, fmt.Errorf("read %s: %w", li.Name, err)
		}
		d.Add(parts[1], tech, fs)
		if err := ctx.Err(); err != nil {
			return d, err
		}
	}
	return d, nil
}

// Add indexes one operator's declared features for one technology,
// replacing what was indexed for them; each feature carries its level
// name in the "level" property (as ingest stores declared coverage).
// Features without a known level are skipped.
func (d *Declarations) Add(op string, tech data.Tech, fs []data.Feature) {
	var geoms [4][]orb.Geometry
	for _, f := range fs {
		s, _ := f.Props["level"].(string)
		lv, err := data.ParseLevel(s)
		if err != nil {
			continue
		}
		if i := slices.Index(declaredLevels, lv); i >= 0 {
			geoms[i] = append(geoms[i], f.Geom)
			d.n++
		}
	}
	ixs := make([]*geo.PolygonIndex, len(declaredLevels))
	for i := range declaredLevels {
		ixs[i] = geo.NewPolygonIndex(geoms[i])
	}
	d.ix[opTech{op, tech}] = ixs
}

// Len is the number of declared features indexed.
func (d *Declarations) Len() int { return d.n }

// Level is the best level op declares for tech at p; Unmeasured where it
// declares nothing.
func (d *Declarations) Level(op string, tech data.Tech, p orb.Point) data.Level {
	for i, ix := range d.ix[opTech{op, tech}] {
		if ix.Len() > 0 && ix.Contains(p) {
			return declaredLevels[i]
		}
	}
	return data.Unmeasured
}

// smallSet is a sorted set of up to 255 values: enough to tell "at least
// min_devices" for any sensible rule, and bounded per cell.
type smallSet []uint64

func (s *smallSet) add(v uint64) {
	if len(*s) >= 255 {
		return
	}
	if i, ok := slices.BinarySearch(*s, v); !ok {
		*s = slices.Insert(*s, i, v)
	}
}

// freshAcc is the fresh evidence of one key from one source (or, for
// disputes, from every source's outdoor and in-vehicle samples).
type freshAcc struct {
	weight  float64 // samples counted at their environment's weight
	devices smallSet
	days    smallSet
}

type key struct {
	cell geo.Cell
	op   string
	tech data.Tech
}

// EvidenceOptions tune Evidence.
type EvidenceOptions struct {
	Now      time.Time         // the freshness window ends here; default time.Now()
	Progress func(rows int64)  // told the measurements read so far
	Declared *Declarations     // default: LoadDeclarations(st)
	Stage    func(name string) // told each step
}

// DisputedCell is one cell × operator × technology where measurements
// contradict the declaration (see DisputeRule).
type DisputedCell struct {
	Cell       geo.Cell
	MCCMNC     string
	Tech       data.Tech
	Declared   data.Level
	Measured   data.Level
	Samples    int32
	Devices    int
	Days       int
	Confidence float32
}

// Evidence fills the evidence of stats (ordered as Aggregate returns
// them): the declared level at each cell's centre, each source's fresh
// samples, devices, days and level, the combined result and confidence
// (Combine), and the dispute flag. It reads every stored measurement
// once: distinct devices and days do not fold into the stores'
// incremental aggregates. It returns the disputed cells.
func Evidence(ctx context.Context, st EvidenceStore, stats []data.CellStat, t Thresholds, opt EvidenceOptions) ([]DisputedCell, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	say := func(s string) {
		if opt.Stage != nil {
			opt.Stage(s)
		}
	}
	decl := opt.Declared
	if decl == nil {
		say("declared coverage")
		d, err := LoadDeclarations(ctx, st)
		if err != nil {
			return nil, err
		}
		decl = d
	}
	say("fresh evidence")
	since := opt.Now.Add(-time.Duration(t.Evidence.FreshDays) * 24 * time.Hour)
	var per [data.NumSources]*data.HistBuilder
	for i := range per {
		per[i] = data.NewHistBuilder(t.Resolution)
	}
	outdoor := data.NewHistBuilder(t.Resolution)
	accs := map[key]*[data.NumSources + 1]freshAcc{}
	var rows int64
	err := st.ScanMeasurements(ctx, func(ms []data.Measurement) error {
		for i := range ms {
			m := &ms[i]
			rows++
			if m.Time.Before(since) || m.Time.After(opt.Now) || int(m.Source) >= data.NumSources {
				continue
			}
			cell, err := geo.CellAt(orb.Point{m.Lon, m.Lat}, t.Resolution)
			if err != nil {
				continue
			}
			k := key{cell, m.MCCMNC, m.Tech}
			a := accs[k]
			if a == nil {
				a = new([data.NumSources + 1]freshAcc)
				accs[k] = a
			}
			day := uint64(m.Time.Unix() / 86400)
			per[m.Source].AddAt(cell, m)
			sa := &a[m.Source]
			sa.weight += t.Evidence.EnvWeights[m.Env]
			if m.Device != 0 {
				sa.devices.add(m.Device)
			}
			sa.days.add(day)
			if m.Env != data.EnvIndoor {
				outdoor.AddAt(cell, m)
				oa := &a[data.NumSources]
				oa.weight++
				if m.Device != 0 {
					oa.devices.add(m.Device)
				}
				oa.days.add(day)
			}
		}
		if opt.Progress != nil {
			opt.Progress(rows)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read measurements: %w", err)
	}
	say("combine")
	levels := func(b *data.HistBuilder) map[key]data.CellStat {
		hs := b.Hists()
		out := make(map[key]data.CellStat, len(hs))
		for _, h := range hs {
			s := Stat(h)
			s.Level = t.Classify(s)
			out[key{h.Cell, h.MCCMNC, h.Tech}] = s
		}
		return out
	}
	var src [data.NumSources]map[key]data.CellStat
	for i := range per {
		src[i] = levels(per[i])
	}
	out := levels(outdoor)
	var disputed []DisputedCell
	for i := range stats {
		s := &stats[i]
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		k := key{s.Cell, s.MCCMNC, s.Tech}
		s.Declared = decl.Level(s.MCCMNC, s.Tech, geo.CellCenter(s.Cell))
		a := accs[k]
		var weights [data.NumSources]float64
		for j := range data.NumSources {
			s.Sources[j] = data.SourceStat{}
			if a == nil {
				continue
			}
			fs := src[j][k]
			s.Sources[j] = data.SourceStat{Samples: fs.Samples, Devices: uint8(len(a[j].devices)), Days: uint8(len(a[j].days)), Level: fs.Level}
			weights[j] = a[j].weight
		}
		s.Result, s.Confidence = Combine(s.Declared, s.Sources, weights, t.Evidence)
		s.Disputed = false
		if a == nil || s.Declared < t.Disputes.DeclaredMin {
			continue
		}
		o, oa := out[k], a[data.NumSources]
		if o.Level == data.Unmeasured || o.Level > t.Disputes.MeasuredMax || int(o.Samples) < t.Disputes.MinSamples ||
			len(oa.devices) < t.Disputes.MinDevices || len(oa.days) < t.Disputes.MinDays {
			continue
		}
		s.Disputed = true
		disputed = append(disputed, DisputedCell{Cell: s.Cell, MCCMNC: s.MCCMNC, Tech: s.Tech, Declared: s.Declared, Measured: o.Level,
			Samples: o.Samples, Devices: len(oa.devices), Days: len(oa.days), Confidence: s.Confidence})
	}
	return disputed, nil
}

// Combine gives the resulting level of one cell × operator × technology
// and its confidence. Every source with a level votes with weight
// SourceWeights[source] × weights[source] (its fresh samples at their
// environments' weights); the declaration, when there is one, votes with
// DeclaredWeight. The result is the weighted median level, ties going to
// the lower level. Confidence is the share of the weight voting for the
// result times min(1, all weight / FullWeight): a lone declaration or a
// handful of samples is never certain. No vote: Unmeasured, 0.
func Combine(declared data.Level, sources [data.NumSources]data.SourceStat, weights [data.NumSources]float64, r EvidenceRule) (data.Level, float32) {
	var vote [data.LevelVeryGood + 1]float64
	var total float64
	for i, s := range sources {
		if s.Level == data.Unmeasured || s.Level > data.LevelVeryGood {
			continue
		}
		w := r.SourceWeights[data.Source(i)] * weights[i]
		vote[s.Level] += w
		total += w
	}
	if declared != data.Unmeasured && declared <= data.LevelVeryGood {
		vote[declared] += r.DeclaredWeight
		total += r.DeclaredWeight
	}
	if total <= 0 {
		return data.Unmeasured, 0
	}
	var cum float64
	result := data.Unmeasured
	for lv := data.LevelNone; lv <= data.LevelVeryGood; lv++ {
		cum += vote[lv]
		if cum >= total/2-1e-9 && vote[lv] > 0 {
			result = lv
			break
		}
	}
	conf := vote[result] / total * min(1, total/r.FullWeight)
	return result, float32(conf)
}

// GroupOptions give GroupDisputes what names a dispute's place.
type GroupOptions struct {
	Population []data.CellPop // the grid: population and commune per cell
	Communes   *geo.AreaIndex // locates cells off the grid (may be nil)
	Gazetteer  Gazetteer      // commune code -> region
}

// GroupDisputes merges adjacent disputed cells of one operator and
// technology into disputes, most populated first within each operator
// and technology. A dispute's id is "D-", operator, technology and its
// smallest cell, so the same cells give the same id on every run.
func GroupDisputes(cells []DisputedCell, opt GroupOptions) ([]data.Dispute, error) {
	pop := make(map[geo.Cell]data.CellPop, len(opt.Population))
	for _, p := range opt.Population {
		pop[p.Cell] = p
	}
	by := map[opTech]map[geo.Cell]*DisputedCell{}
	for i := range cells {
		c := &cells[i]
		k := opTech{c.MCCMNC, c.Tech}
		if by[k] == nil {
			by[k] = map[geo.Cell]*DisputedCell{}
		}
		by[k][c.Cell] = c
	}
	keys := make([]opTech, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].op < keys[j].op || keys[i].op == keys[j].op && keys[i].tech < keys[j].tech
	})
	var out []data.Dispute
	for _, k := range keys {
		m := by[k]
		seeds := make([]geo.Cell, 0, len(m))
		for c := range m {
			seeds = append(seeds, c)
		}
		slices.Sort(seeds)
		done := map[geo.Cell]bool{}
		var group []data.Dispute
		for _, s := range seeds {
			if done[s] {
				continue
			}
			comp := []geo.Cell{s}
			done[s] = true
			for q := 0; q < len(comp); q++ {
				for _, nb := range geo.Neighbors(comp[q]) {
					if !done[nb] && m[nb] != nil {
						done[nb] = true
						comp = append(comp, nb)
					}
				}
			}
			d, err := buildDispute(k, comp, m, pop, opt)
			if err != nil {
				return nil, err
			}
			group = append(group, d)
		}
		sort.SliceStable(group, func(i, j int) bool { return group[i].Population > group[j].Population })
		out = append(out, group...)
	}
	return out, nil
}

func buildDispute(k opTech, cells []geo.Cell, m map[geo.Cell]*DisputedCell, pop map[geo.Cell]data.CellPop, opt GroupOptions) (data.Dispute, error) {
	slices.Sort(cells)
	d := data.Dispute{ID: "D-" + k.op + "-" + k.tech.String() + "-" + cells[0].String(), MCCMNC: k.op, Tech: k.tech, Cells: cells,
		Declared: data.LevelNone, Measured: data.LevelNone, Confidence: 1}
	communePop := map[string]int64{}
	for _, c := range cells {
		dc := m[c]
		d.Declared = max(d.Declared, dc.Declared)
		d.Measured = max(d.Measured, dc.Measured)
		d.Samples += int64(dc.Samples)
		d.Devices += int64(dc.Devices)
		d.Confidence = min(d.Confidence, dc.Confidence)
		commune := ""
		if p, ok := pop[c]; ok {
			d.Population += int64(p.Population)
			commune = p.Commune
			communePop[commune] += int64(p.Population)
		} else if opt.Communes != nil {
			if code, ok := opt.Communes.Locate(geo.CellCenter(c)); ok {
				commune = code
			}
		}
		if _, ok := communePop[commune]; !ok && commune != "" {
			communePop[commune] = 0
		}
	}
	for c := range communePop {
		d.CommuneCodes = append(d.CommuneCodes, c)
	}
	sort.Slice(d.CommuneCodes, func(i, j int) bool {
		a, b := d.CommuneCodes[i], d.CommuneCodes[j]
		return communePop[a] > communePop[b] || communePop[a] == communePop[b] && a < b
	})
	if len(d.CommuneCodes) > 0 {
		top := opt.Gazetteer.Communes[d.CommuneCodes[0]]
		d.RegionCode = top.Region
		if d.RegionCode == "" {
			d.RegionCode = opt.Gazetteer.Provinces[top.Parent].Region
		}
	}
	geom, err := geo.CellsOutline(cells)
	if err != nil {
		return d, fmt.Errorf("dispute %s: %w", d.ID, err)
	}
	d.Geom = geom
	return d, nil
}
