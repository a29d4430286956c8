package sites

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// DefaultUrbanSites is the strategy's target: 6,300 urban public
// administrative sites connected with fibre.
const DefaultUrbanSites = 6300

// Options are the inputs of Demo: the real reference layers (as
// ingest.LoadPack stores them) and how many urban sites to reach.
type Options struct {
	Communes  []data.Area  // with geometry, census population and Type urban/rural
	Provinces []data.Area  // Code matches the communes' Parent
	Regions   []data.Area  // Code matches the communes' Region
	Places    []data.Place // populated places (GeoNames: Kind is the feature code)
	Health    []data.Place // health facilities (Kind hospital, clinic, doctor, pharmacy…)
	// UrbanSites is the number of urban sites the set must hold; synthetic
	// admin offices fill the gap left by the real ones. Default
	// DefaultUrbanSites; negative: no synthetic site.
	UrbanSites int
	Seed       uint64
}

// Set is a demo site set.
type Set struct {
	Sites []Site // ordered by ID
	PoPs  []PoP  // ordered by ID; every one an assumption
	// DroppedFacilities counts the hospitals and clinics that lie in no
	// commune polygon and so are left out.
	DroppedFacilities int
	// NoBoundary lists the communes without a polygon, which get no site.
	NoBoundary []string
}

// Summary counts a site set.
type Summary struct {
	Sites     int
	Urban     int
	Rural     int
	Synthetic int
	ByKind    map[Kind]int
}

// Summarize counts sites by urban/rural, synthetic and kind.
func Summarize(ss []Site) Summary {
	s := Summary{Sites: len(ss), ByKind: map[Kind]int{}}
	for _, x := range ss {
		if x.Urban {
			s.Urban++
		} else {
			s.Rural++
		}
		if x.Synthetic {
			s.Synthetic++
		}
		s.ByKind[x.Kind]++
	}
	return s
}

// commune is one commune with a boundary and what lies in it.
type commune struct {
	area   *data.Area
	urban  bool
	places []*data.Place // sorted by ID
	health []*data.Place // every facility type, sorted by ID
	seat   orb.Point
	seated bool // has a seat (false only for an empty polygon)
}

// Demo builds the demo site set and PoPs from real layers (see the package
// documentation for the rules). It fails when no commune has a boundary.
func Demo(opt Options) (*Set, error) {
	target := opt.UrbanSites
	if target == 0 {
		target = DefaultUrbanSites
	}
	set := &Set{}
	areas := slices.Clone(opt.Communes)
	slices.SortFunc(areas, func(a, b data.Area) int { return cmp.Compare(a.Code, b.Code) })
	var cs []*commune
	var codes []string
	var geoms []orb.Geometry
	for i := range areas {
		a := &areas[i]
		if len(a.Geom) == 0 {
			set.NoBoundary = append(set.NoBoundary, a.Code)
			continue
		}
		cs = append(cs, &commune{area: a, urban: a.Type == "urban"})
		codes = append(codes, a.Code)
		geoms = append(geoms, a.Geom)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("sites: demo: %w: no commune has a boundary", data.ErrInvalid)
	}
	byCode := make(map[string]*commune, len(cs))
	for _, c := range cs {
		byCode[c.area.Code] = c
	}
	ix := geo.NewAreaIndex(codes, geoms)
	locate := func(p orb.Point) *commune {
		code, ok := ix.Locate(p)
		if !ok {
			return nil
		}
		return byCode[code]
	}
	placeOf := map[*data.Place]*commune{}
	for _, p := range sortedPlaces(opt.Places) {
		if c := locate(p.Point); c != nil {
			c.places = append(c.places, p)
			placeOf[p] = c
		}
	}
	var sites []Site
	ids := map[string]int{}
	add := func(s Site) {
		if n := ids[s.ID]; n > 0 {
			ids[s.ID] = n + 1
			s.ID = fmt.Sprintf("%s-%d", s.ID, n+1)
		} else {
			ids[s.ID] = 1
		}
		sites = append(sites, s)
	}
	for _, f := range sortedPlaces(opt.Health) {
		c := locate(f.Point)
		facility := f.Kind == string(KindHospital) || f.Kind == string(KindClinic)
		if c == nil {
			if facility {
				set.DroppedFacilities++
			}
			continue
		}
		c.health = append(c.health, f)
		if facility {
			name := f.Name
			if name == "" {
				name = f.Kind + " " + f.ID
			}
			add(Site{ID: f.Kind + "-" + f.ID, Name: name, Kind: Kind(f.Kind), Commune: c.area.Code, Urban: c.urban, Point: f.Point})
		}
	}

	// Commune seats.
	for _, c := range cs {
		if p := mostPopulous(c.places, nil); p != nil {
			c.seat = p.Point
		} else if pt, ok := InteriorPoint(c.area.Geom); ok {
			c.seat = pt
		} else {
			set.NoBoundary = append(set.NoBoundary, c.area.Code)
			continue
		}
		c.seated = true
		add(Site{ID: string(KindCommuneSeat) + "-" + c.area.Code, Name: "Commune " + c.area.NameFR, Kind: KindCommuneSeat,
			Commune: c.area.Code, Urban: c.urban, Point: c.seat})
	}
	// Province and region seats, and their PoPs.
	var pops []PoP
	popAt := map[orb.Point]bool{}
	addSeat := func(kind Kind, a data.Area, c *commune, label string) {
		id := string(kind) + "-" + a.Code
		add(Site{ID: id, Name: label + " " + a.NameFR, Kind: kind, Commune: c.area.Code, Urban: c.urban, Point: c.seat})
		if popAt[c.seat] {
			return
		}
		popAt[c.seat] = true
		pops = append(pops, PoP{ID: "pop-" + id, Name: "PoP " + label + " " + a.NameFR + " (assumption)", Point: c.seat, Site: id, Assumption: true})
	}
	provSeat := map[string]*commune{} // province code -> capital commune
	for _, a := range sortedAreas(opt.Provinces) {
		var in, urbanIn []*commune
		for _, c := range cs {
			if c.seated && c.area.Parent == a.Code {
				in = append(in, c)
				if c.urban {
					urbanIn = append(urbanIn, c)
				}
			}
		}
		fallback := urbanIn
		if len(fallback) == 0 {
			fallback = in
		}
		c := capitalCommune(in, [][]string{{"PPLC", "PPLA", "PPLA2"}, nil}, fallback, placeOf)
		if c == nil {
			continue
		}
		provSeat[a.Code] = c
		addSeat(KindProvinceSeat, a, c, "Province")
	}
	for _, a := range sortedAreas(opt.Regions) {
		var in, fallback []*commune
		for _, c := range cs {
			if c.seated && c.area.Region == a.Code {
				in = append(in, c)
			}
		}
		for _, pc := range sortedKeys(provSeat) {
			if c := provSeat[pc]; c.area.Region == a.Code {
				fallback = append(fallback, c)
			}
		}
		if len(fallback) == 0 {
			fallback = in
		}
		c := capitalCommune(in, [][]string{{"PPLC"}, {"PPLA"}}, fallback, placeOf)
		if c == nil {
			continue
		}
		addSeat(KindRegionSeat, a, c, "Région")
	}

	// Synthetic urban offices up to the target.
	urbanNow := 0
	for _, s := range sites {
		if s.Urban {
			urbanNow++
		}
	}
	if missing := target - urbanNow; target > 0 && missing > 0 {
		var urbanCs []*commune
		var weights []float64
		for _, c := range cs {
			if c.urban && c.seated && c.area.Population > 0 {
				urbanCs = append(urbanCs, c)
				weights = append(weights, float64(c.area.Population))
			}
		}
		if len(urbanCs) == 0 {
			return nil, fmt.Errorf("sites: demo: %w: %d urban sites are missing but no urban commune has a boundary and population", data.ErrInvalid, missing)
		}
		for i, q := range LargestRemainder(missing, weights) {
			c := urbanCs[i]
			rng := rand.New(rand.NewPCG(opt.Seed, hashCode(c.area.Code)))
			for n := 1; n <= q; n++ {
				add(Site{ID: fmt.Sprintf("%s-%s-%d", KindAdminOffice, c.area.Code, n),
					Name: fmt.Sprintf("Admin office %d, %s (synthetic)", n, c.area.NameFR), Kind: KindAdminOffice,
					Commune: c.area.Code, Urban: true, Point: c.draw(rng), Synthetic: true})
			}
		}
	}
	slices.SortFunc(sites, func(a, b Site) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(pops, func(a, b PoP) int { return cmp.Compare(a.ID, b.ID) })
	set.Sites, set.PoPs = sites, pops
	slices.Sort(set.NoBoundary)
	return set, nil
}

// capitalCommune returns the commune holding the most populous place of
// the communes in, trying the feature-code groups in order (a nil group
// takes any code); without such a place, the most populous commune of
// fallback (nil when it is empty).
func capitalCommune(in []*commune, groups [][]string, fallback []*commune, placeOf map[*data.Place]*commune) *commune {
	var ps []*data.Place
	for _, c := range in {
		ps = append(ps, c.places...)
	}
	slices.SortFunc(ps, func(a, b *data.Place) int { return cmp.Compare(a.ID, b.ID) })
	for _, g := range groups {
		if p := mostPopulous(ps, g); p != nil {
			return placeOf[p]
		}
	}
	return mostPopulousCommune(fallback)
}

// codeRank orders GeoNames feature codes, seats first.
func codeRank(code string) int {
	switch code {
	case "PPLC":
		return 5
	case "PPLA":
		return 4
	case "PPLA2":
		return 3
	case "PPLA3":
		return 2
	case "":
		return 0
	}
	return 1
}

// mostPopulous returns the most populous place (ties: higher code rank,
// then smaller ID) among ps, only those whose Kind is in kinds when kinds
// is not empty; nil when none qualifies.
func mostPopulous(ps []*data.Place, kinds []string) *data.Place {
	var best *data.Place
	for _, p := range ps {
		if len(kinds) > 0 && !slices.Contains(kinds, p.Kind) {
			continue
		}
		if best == nil || p.Population > best.Population ||
			p.Population == best.Population && (codeRank(p.Kind) > codeRank(best.Kind) ||
				codeRank(p.Kind) == codeRank(best.Kind) && p.ID < best.ID) {
			best = p
		}
	}
	return best
}

func mostPopulousCommune(cs []*commune) *commune {
	var best *commune
	for _, c := range cs {
		if best == nil || c.area.Population > best.area.Population ||
			c.area.Population == best.area.Population && c.area.Code < best.area.Code {
			best = c
		}
	}
	return best
}

// draw returns a point inside the commune near its settlement evidence.
func (c *commune) draw(rng *rand.Rand) orb.Point {
	type anchor struct {
		p orb.Point
		w float64
	}
	anchors := []anchor{{c.seat, 1}}
	for _, p := range c.places {
		anchors = append(anchors, anchor{p.Point, max(float64(p.Population)/1000, 1)})
	}
	for _, h := range c.health {
		anchors = append(anchors, anchor{h.Point, 1})
	}
	total := 0.0
	for _, a := range anchors {
		total += a.w
	}
	sigmaM := 1000 * min(max(math.Sqrt(areaKm2(c.area.Geom))/6, 0.2), 1.5)
	pick := func() orb.Point {
		x := rng.Float64() * total
		for _, a := range anchors {
			if x < a.w {
				return a.p
			}
			x -= a.w
		}
		return anchors[len(anchors)-1].p
	}
	for range 64 {
		a := pick()
		r := sigmaM * math.Sqrt(-2*math.Log(1-rng.Float64()))
		p := geo.Offset(a, r, 360*rng.Float64())
		if planar.MultiPolygonContains(c.area.Geom, p) {
			return p
		}
	}
	b := c.area.Geom.Bound()
	for range 1024 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(c.area.Geom, p) {
			return p
		}
	}
	return c.seat
}

// LargestRemainder shares n whole units in proportion to weights: each
// gets the floor of its exact share, and the units left go to the largest
// remainders (ties to the earlier index). The result sums to n when some
// weight is positive; negative weights count as zero.
func LargestRemainder(n int, weights []float64) []int {
	out := make([]int, len(weights))
	total := 0.0
	for _, w := range weights {
		total += max(w, 0)
	}
	if n <= 0 || total <= 0 {
		return out
	}
	rem := make([]float64, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(n) * max(w, 0) / total
		out[i] = int(math.Floor(exact))
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for i := 0; given < n; i = (i + 1) % len(order) {
		if weights[order[i]] > 0 {
			out[order[i]]++
			given++
		}
	}
	return out
}

func hashCode(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func sortedPlaces(ps []data.Place) []*data.Place {
	out := make([]*data.Place, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	slices.SortStableFunc(out, func(a, b *data.Place) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func sortedAreas(as []data.Area) []data.Area {
	out := slices.Clone(as)
	slices.SortFunc(out, func(a, b data.Area) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
