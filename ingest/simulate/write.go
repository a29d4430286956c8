package simulate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
)

// ErrInvalid is returned for unusable Options.
var ErrInvalid = errors.New("simulate: invalid options")

// Options say what to simulate.
type Options struct {
	Seed       int64
	Population []data.CellPop // populated H3 cells (resolution 8 expected); required
	Places     []data.Place   // populated places: ends of the drive routes
	Now        time.Time      // measurements fall in the 90 days before Now; required
	Scale      float64        // 1 (the default when 0): the national set, ~1.2 million rows
	Progress   func(done, total int64)
}

// Summary says what Write wrote.
type Summary struct {
	Rows      int64
	DriveRows int64
	CrowdRows int64
	NoService int64          // crowd rows written with the no-service convention
	Sites     map[string]int // synthetic sites per mcc_mnc
	Sites4G   map[string]int // of which carry 4G
	Links     int            // drive routes
	DriveKm   float64        // length of the drive routes
}

// checkEvery is how many rows pass between ctx checks and Progress calls.
const checkEvery = 4096

// Model is the simulated network that Options describe: the population
// grid, the drive routes and the synthetic sites drawn from the seed. Write
// and Declare only read it, so one Model gives the same measurements
// however many times it is written and whatever is declared from it.
type Model struct {
	opt   Options
	g     *popGrid
	links []link
	net   *network
	pcg   rand.PCG // the random state once the sites are placed
}

// New builds the model of opt: what Write and Declare share. Errors:
// ErrInvalid for bad Options.
func New(opt Options) (*Model, error) {
	if opt.Scale == 0 {
		opt.Scale = 1
	}
	switch {
	case opt.Scale < 0 || math.IsNaN(opt.Scale) || math.IsInf(opt.Scale, 0):
		return nil, fmt.Errorf("%w: scale %g must be positive", ErrInvalid, opt.Scale)
	case opt.Now.IsZero():
		return nil, fmt.Errorf("%w: Now is required (it anchors the 90-day window)", ErrInvalid)
	}
	g := newPopGrid(opt.Population)
	if len(g.cells) == 0 {
		return nil, fmt.Errorf("%w: no populated cell in Population", ErrInvalid)
	}
	pcg := rand.NewPCG(uint64(opt.Seed), 0x7461676874696121)
	m := &Model{opt: opt, g: g, links: linksBetween(opt.Places)}
	m.net = placeSites(rand.New(pcg), g, m.links)
	m.pcg = *pcg
	return m, nil
}

// Write simulates a measurement set and writes it to w as a canonical CSV
// with a header row. Errors: ErrInvalid for bad Options, ctx.Err() when
// cancelled, or the writer's error.
func Write(ctx context.Context, w io.Writer, opt Options) (Summary, error) {
	m, err := New(opt)
	if err != nil {
		return Summary{}, err
	}
	return m.Write(ctx, w)
}

// Write writes the model's measurement set to w, as the function Write
// does; the same Model always writes the same bytes.
func (m *Model) Write(ctx context.Context, w io.Writer) (Summary, error) {
	var sum Summary
	opt, g, links, net := m.opt, m.g, m.links, m.net
	pcg := m.pcg
	rng := rand.New(&pcg)
	sum.Sites, sum.Sites4G = map[string]int{}, map[string]int{}
	for _, s := range net.sites {
		sum.Sites[operators[s.op].code]++
		if s.techs&(1<<t4G) != 0 {
			sum.Sites4G[operators[s.op].code]++
		}
	}
	spacing := driveSpacingM / opt.Scale
	var drivePoints int64
	for _, l := range links {
		drivePoints += int64(pointsOn(l, spacing))
		sum.DriveKm += l.km
	}
	sum.Links = len(links)
	crowd := int64(math.Round(crowdPoints * opt.Scale))
	total := drivePoints*int64(len(operators)*len(techs)) + crowd

	s := &sim{
		ctx: ctx, opt: opt, rng: rng, g: g, total: total, sum: &sum,
		radio: radio{net: net, pl: newPathLoss(), salt: mix(uint64(opt.Seed) ^ 0x5348414457)},
		bw:    bufio.NewWriterSize(w, 1<<18),
		zone:  time.FixedZone("+01:00", utcOffsetSeconds),
		from:  opt.Now.Add(-windowDays * 24 * time.Hour),
	}
	s.devices(opt.Scale)
	s.bw.WriteString(strings.Join(ingest.CanonicalColumns, ",") + "\n")
	if err := s.drive(links, spacing); err != nil {
		return sum, err
	}
	if err := s.crowd(crowd); err != nil {
		return sum, err
	}
	if err := s.bw.Flush(); err != nil {
		return sum, fmt.Errorf("simulate: write: %w", err)
	}
	if opt.Progress != nil {
		opt.Progress(sum.Rows, total)
	}
	return sum, nil
}

// sim is one run of Write.
type sim struct {
	ctx   context.Context
	opt   Options
	rng   *rand.Rand
	g     *popGrid
	radio radio
	bw    *bufio.Writer
	row   []byte
	zone  *time.Location
	from  time.Time
	total int64
	sum   *Summary
	pool  [len(operators)][]string
	kits  [driveKits][len(operators)]string
}

func (s *sim) devices(scale float64) {
	id := func(kind, a, b uint64) string {
		h := mix(mix(uint64(s.opt.Seed)^kind) ^ a<<20 ^ b)
		return "sim-" + strconv.FormatUint(h>>16, 16)
	}
	for o, op := range operators {
		n := max(5, int(math.Round(float64(op.devices)*math.Min(1, math.Sqrt(scale)))))
		s.pool[o] = make([]string, n)
		for i := range n {
			s.pool[o][i] = id(1, uint64(o), uint64(i))
		}
		for k := range driveKits {
			s.kits[k][o] = id(2, uint64(o), uint64(k))
		}
	}
}

func pointsOn(l link, spacingM float64) int {
	return max(1, int(math.Round(l.km*1000/spacingM)))
}

// drive writes nine rows (operator × technology) per drive point.
func (s *sim) drive(links []link, spacingM float64) error {
	days := s.opt.Now.Sub(s.from).Hours() / 24
	for _, l := range links {
		n := pointsOn(l, spacingM)
		kit := s.rng.IntN(driveKits)
		speed := (60 + 30*s.rng.Float64()) / 3.6 // m/s
		step := time.Duration(l.km * 1000 / float64(n) / speed * float64(time.Second))
		day := 1 + s.rng.IntN(int(days)-1)
		start := s.localDay(day).Add(time.Duration((7 + 9*s.rng.Float64()) * float64(time.Hour)))
		for i := range n {
			f := (float64(i) + 0.5) / float64(n)
			lon := l.a[0] + f*(l.b[0]-l.a[0])
			lat := l.a[1] + f*(l.b[1]-l.a[1])
			cl := s.g.clutterAt(lon, lat)
			at := start.Add(time.Duration(i) * step)
			acc := 3 + 5*s.rng.Float64()
			for o := range operators {
				for t := range techs {
					rd := s.radio.measure(s.rng, o, t, lon, lat, cl, vehicleLossDB)
					if err := s.emit(at, lon, lat, o, t, rd, data.EnvVehicle, data.SourceDrive, acc, s.kits[kit][o]); err != nil {
						return err
					}
					s.sum.DriveRows++
				}
			}
		}
	}
	return nil
}

// crowd writes n crowd rows. A draw picks a cell; several users of the
// cell (their operators by market share) each run a short session of tests
// at one spot, a few minutes apart.
func (s *sim) crowd(n int64) error {
	for n > 0 {
		i := s.g.drawCell(s.rng.Float64())
		cl := s.g.clutter[i]
		for users := 1 + s.rng.IntN(2*crowdUsers-1); users > 0 && n > 0; users-- {
			tests := min(n, int64(1+s.rng.IntN(2*crowdSession-1)))
			if err := s.session(i, cl, tests); err != nil {
				return err
			}
			n -= tests
		}
	}
	return nil
}

// session writes one user's tests near cell i.
func (s *sim) session(i int, cl clutter, tests int64) error {
	spotLon, spotLat := jitter(s.rng, s.g.lon[i], s.g.lat[i], crowdRadiusM)
	o := s.drawOperator()
	dev := s.pool[o][s.rng.IntN(len(s.pool[o]))]
	indoor := s.rng.Float64() < indoorShare
	at := s.crowdTime()
	for range tests {
		lon, lat := jitter(s.rng, spotLon, spotLat, sessionRadiusM)
		env, extra, acc := data.EnvOutdoor, 0.0, 3+22*s.rng.Float64()
		if indoor {
			env, extra, acc = data.EnvIndoor, indoorLossDB+indoorSigmaDB*s.rng.NormFloat64(), 10+70*s.rng.Float64()
		}
		var rd reading
		t := t4G
		for ; t >= t2G; t-- {
			if rd = s.radio.measure(s.rng, o, t, lon, lat, cl, extra); rd.ok {
				break
			}
		}
		if t < t2G {
			t, rd = t4G, reading{}
			s.sum.NoService++
		}
		if last := s.opt.Now.Add(-time.Second); at.After(last) {
			at = last
		}
		if err := s.emit(at, lon, lat, o, t, rd, env, data.SourceCrowd, acc, dev); err != nil {
			return err
		}
		s.sum.CrowdRows++
		at = at.Add(time.Duration(60+s.rng.IntN(540)) * time.Second)
	}
	return nil
}

func (s *sim) drawOperator() int {
	u := s.rng.Float64()
	for o, op := range operators {
		if u < op.share {
			return o
		}
		u -= op.share
	}
	return len(operators) - 1
}

// diurnal is the relative activity by local hour.
var diurnal = [24]float64{0.3, 0.15, 0.1, 0.08, 0.08, 0.15, 0.35, 0.6, 0.8, 0.9, 0.95, 1, 1, 0.95, 0.9, 0.9, 0.95, 1, 1, 1, 1, 0.95, 0.8, 0.55}

// crowdTime draws a time in the window, weighted by local hour.
func (s *sim) crowdTime() time.Time {
	span := s.opt.Now.Sub(s.from)
	for {
		t := s.from.Add(time.Duration(s.rng.Int64N(int64(span))))
		if s.rng.Float64() < diurnal[t.In(s.zone).Hour()] {
			return t
		}
	}
}

// localDay returns local midnight, day days before Now.
func (s *sim) localDay(day int) time.Time {
	n := s.opt.Now.In(s.zone)
	return time.Date(n.Year(), n.Month(), n.Day()-day, 0, 0, 0, 0, s.zone)
}

// emit formats and writes one row; rd.ok false writes the no-service row.
func (s *sim) emit(at time.Time, lon, lat float64, o, t int, rd reading, env data.Env, src data.Source, acc float64, dev string) error {
	tp := &techs[t]
	b := at.In(s.zone).Truncate(time.Second).AppendFormat(s.row[:0], time.RFC3339)
	b = append(b, ',')
	b = strconv.AppendFloat(b, lat, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, lon, 'f', 6, 64)
	b = append(b, ',')
	b = append(b, operators[o].code...)
	b = append(b, ',')
	b = append(b, tp.name...)
	b = append(b, ',')
	if rd.ok {
		b = strconv.AppendFloat(b, rd.signal, 'f', 1, 64)
		b = append(b, ',')
		if t == t4G {
			b = strconv.AppendFloat(b, rd.rsrq, 'f', 1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, rd.sinr, 'f', 1, 64)
		} else {
			b = append(b, ',')
		}
		dl, ul := throughput(s.rng, &operators[o], t, rd)
		b = append(b, ',')
		b = strconv.AppendFloat(b, dl, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, ul, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, latency(s.rng, t, rd), 'f', 1, 64)
	} else {
		b = strconv.AppendFloat(b, tp.floor, 'f', 1, 64)
		b = append(b, ",,,0,0,"...)
	}
	b = append(b, ',')
	b = append(b, env.String()...)
	b = append(b, ',')
	b = strconv.AppendFloat(b, acc, 'f', 1, 64)
	b = append(b, ',')
	b = append(b, src.String()...)
	b = append(b, ',')
	b = append(b, dev...)
	b = append(b, '\n')
	s.row = b
	if _, err := s.bw.Write(b); err != nil {
		return fmt.Errorf("simulate: write: %w", err)
	}
	s.sum.Rows++
	if s.sum.Rows%checkEvery == 0 {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if s.opt.Progress != nil {
			s.opt.Progress(s.sum.Rows, s.total)
		}
	}
	return nil
}
