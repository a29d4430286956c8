package simulate_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/ingest/simulate"
)

var (
	now    = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	city   = orb.Point{-6.8326, 34.0133} // Rabat
	desert = orb.Point{-8.0, 29.5}       // far from the city
)

// population builds a dense city (217 cells, 1,000-15,000 people each)
// and a sparse far area (1,951 cells of 2 people).
func population(t testing.TB) []data.CellPop {
	t.Helper()
	var out []data.CellPop
	add := func(centre orb.Point, k int, pop func(dKm float64) int32) {
		c, err := geo.CellAt(centre, 8)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range geo.Disk(c, k) {
			out = append(out, data.CellPop{Cell: d, Population: pop(geo.DistanceM(centre, geo.CellCenter(d)) / 1000)})
		}
	}
	add(city, 8, func(d float64) int32 { return int32(1000 + 14000*math.Exp(-d/3)) })
	add(desert, 25, func(float64) int32 { return 2 })
	return out
}

func places() []data.Place {
	pt := func(id string, p orb.Point, km, deg float64) data.Place {
		return data.Place{Layer: data.LayerPlaces, ID: id, Kind: "PPL", Point: geo.Offset(p, km*1000, deg)}
	}
	return []data.Place{
		pt("1", city, 0, 0), pt("2", city, 8, 45), pt("3", city, 9, 200),
		pt("4", desert, 0, 0), pt("5", desert, 15, 90), pt("6", desert, 14, 250),
	}
}

func options(t testing.TB, seed int64, scale float64) simulate.Options {
	return simulate.Options{Seed: seed, Population: population(t), Places: places(), Now: now, Scale: scale}
}

func write(t testing.TB, opt simulate.Options) ([]byte, simulate.Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := simulate.Write(context.Background(), &buf, opt)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes(), sum
}

func TestDeterministic(t *testing.T) {
	a, _ := write(t, options(t, 7, 0.01))
	b, _ := write(t, options(t, 7, 0.01))
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different bytes")
	}
	opt := options(t, 7, 0.01)
	for i, j := 0, len(opt.Population)-1; i < j; i, j = i+1, j-1 { // input order must not matter
		opt.Population[i], opt.Population[j] = opt.Population[j], opt.Population[i]
	}
	if c, _ := write(t, opt); !bytes.Equal(a, c) {
		t.Error("reordered population gave different bytes")
	}
	if d, _ := write(t, options(t, 8, 0.01)); bytes.Equal(a, d) {
		t.Error("different seeds gave the same bytes")
	}
}

// row is one parsed output row.
type row struct {
	at                   time.Time
	lat, lon             float64
	op, tech, env, src   string
	signal, dl           float64
	rsrq, sinr, ul, late string
	device               string
}

func parse(t *testing.T, b []byte) []row {
	t.Helper()
	rd := csv.NewReader(bytes.NewReader(b))
	header, err := rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(header, ","), strings.Join(ingest.CanonicalColumns, ","); got != want {
		t.Fatalf("header = %q, want %q", got, want)
	}
	ranges := map[string][2]float64{"2G": {-120, -25}, "3G": {-120, -25}, "4G": {-156, -31}}
	ceil := map[string]float64{"2G": 0.2, "3G": 10, "4G": 80}
	var out []row
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("line %d %q: %s", line, strings.Join(rec, ","), fmt.Sprintf(format, args...))
		}
		num := func(i int, lo, hi float64) float64 {
			t.Helper()
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil || v < lo || v > hi {
				fail("column %s = %q, want a number in [%g, %g]", header[i], rec[i], lo, hi)
			}
			return v
		}
		opt := func(i int, lo, hi float64) {
			t.Helper()
			if rec[i] != "" {
				num(i, lo, hi)
			}
		}
		r := row{op: rec[3], tech: rec[4], rsrq: rec[6], sinr: rec[7], ul: rec[9], late: rec[10], env: rec[11], src: rec[13], device: rec[14]}
		if r.at, err = time.Parse(time.RFC3339, rec[0]); err != nil {
			fail("time: %v", err)
		}
		if r.at.After(now) || r.at.Before(now.Add(-90*24*time.Hour)) {
			fail("time %s outside the 90 days before %s", rec[0], now)
		}
		r.lat, r.lon = num(1, 20.5, 36), num(2, -17.5, -0.9)
		if !strings.Contains("604-00 604-01 604-02", r.op) || len(r.op) != 6 {
			fail("mcc_mnc %q", r.op)
		}
		rg, ok := ranges[r.tech]
		if !ok {
			fail("tech %q", r.tech)
		}
		r.signal = num(5, rg[0], rg[1])
		if r.tech == "4G" {
			opt(6, -19.5, -3)
			opt(7, -20, 40)
		} else if r.rsrq != "" || r.sinr != "" {
			fail("rsrq/sinr given for %s", r.tech)
		}
		r.dl = num(8, 0, ceil[r.tech])
		num(9, 0, ceil[r.tech])
		opt(10, 1, 10000)
		num(12, 0, 100)
		switch {
		case r.src == "drive" && r.env == "vehicle":
		case r.src == "crowd" && (r.env == "outdoor" || r.env == "indoor"):
		default:
			fail("source %q with env %q", r.src, r.env)
		}
		if !strings.HasPrefix(r.device, "sim-") {
			fail("device %q", r.device)
		}
		out = append(out, r)
	}
	return out
}

func TestRowsParse(t *testing.T) {
	b, sum := write(t, options(t, 1, 0.02))
	rows := parse(t, b)
	if int64(len(rows)) != sum.Rows || sum.Rows != sum.DriveRows+sum.CrowdRows {
		t.Errorf("parsed %d rows; summary %d = %d drive + %d crowd", len(rows), sum.Rows, sum.DriveRows, sum.CrowdRows)
	}
	if sum.DriveRows == 0 || sum.DriveRows%9 != 0 {
		t.Errorf("drive rows = %d, want a positive multiple of 9", sum.DriveRows)
	}
	if sum.CrowdRows != 16000 {
		t.Errorf("crowd rows = %d, want 16000 (800,000 × 0.02)", sum.CrowdRows)
	}
	for _, op := range []string{"604-00", "604-01", "604-02"} {
		if sum.Sites[op] == 0 || sum.Sites4G[op] > sum.Sites[op] {
			t.Errorf("%s: %d sites, %d with 4G", op, sum.Sites[op], sum.Sites4G[op])
		}
	}
	if sum.Sites["604-01"] <= sum.Sites["604-02"] {
		t.Errorf("IAM has %d sites, inwi %d: want IAM denser", sum.Sites["604-01"], sum.Sites["604-02"])
	}
	if sum.DriveKm <= 0 || sum.Links == 0 {
		t.Errorf("drive: %d links, %.1f km", sum.Links, sum.DriveKm)
	}
	devices := map[string]bool{}
	for _, r := range rows {
		devices[r.device] = true
	}
	if len(devices) < 100 || len(devices) > len(rows)/5 {
		t.Errorf("%d distinct devices for %d rows: want pools of reused ids", len(devices), len(rows))
	}

	// Taghtia's own reader accepts every row.
	rep, err := ingest.ReadCanonical(bytes.NewReader(b), "sim.csv", ingest.CSVOptions{Now: now}, func([]data.Measurement) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected != 0 || rep.Accepted != sum.Rows {
		t.Errorf("ingest accepted %d, rejected %d of %d; first problems: %+v", rep.Accepted, rep.Rejected, sum.Rows, rep.Problems[:min(3, len(rep.Problems))])
	}
}

func TestCoverageFollowsPopulation(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			b, sum := write(t, options(t, seed, 0.05))
			type tally struct{ crowd, good4G, noService, drive4G, driveGood4G int }
			var near, far tally
			for _, r := range parse(t, b) {
				p := orb.Point{r.lon, r.lat}
				var a *tally
				switch {
				case geo.DistanceM(p, city) < 30000:
					a = &near
				case geo.DistanceM(p, desert) < 40000:
					a = &far
				default:
					t.Fatalf("row at %v is in neither area", p)
				}
				if r.src == "crowd" {
					a.crowd++
					if r.tech == "4G" && r.signal >= -105 {
						a.good4G++
					}
					if r.tech == "4G" && r.signal == -140 && r.dl == 0 {
						a.noService++
					}
				} else if r.tech == "4G" {
					a.drive4G++
					if r.signal >= -105 {
						a.driveGood4G++
					}
				}
			}
			t.Logf("summary %+v; city %+v; sparse %+v", sum, near, far)
			if near.crowd == 0 || far.crowd == 0 || far.drive4G == 0 {
				t.Fatalf("want crowd rows in both areas and drive rows in the sparse one: city %+v, sparse %+v", near, far)
			}
			nearGood := float64(near.good4G) / float64(near.crowd)
			farGood := float64(far.good4G) / float64(far.crowd)
			if nearGood < 0.8 || farGood > nearGood-0.3 {
				t.Errorf("good 4G share: city %.2f, sparse %.2f; want city ≥ 0.8 and well above sparse", nearGood, farGood)
			}
			if far.noService == 0 {
				t.Error("no crowd row with the no-service convention (4G, -140 dBm, 0 Mbps) in the sparse area")
			}
			if f := float64(near.noService) / float64(near.crowd); f > 0.01 {
				t.Errorf("%.1f %% of city crowd rows have no service, want < 1 %%", 100*f)
			}
			if d := float64(far.driveGood4G) / float64(far.drive4G); d > 0.5 {
				t.Errorf("%.0f %% of sparse drive 4G rows are good, want a rural area with holes", 100*d)
			}
		})
	}
}

func TestWriteRefuses(t *testing.T) {
	ok := options(t, 1, 0.001)
	for name, opt := range map[string]simulate.Options{
		"no population": {Now: now},
		"no now":        {Population: ok.Population},
		"negative":      {Population: ok.Population, Now: now, Scale: -1},
	} {
		if _, err := simulate.Write(context.Background(), io.Discard, opt); !errors.Is(err, simulate.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestCancelAndProgress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opt := options(t, 1, 0.05)
	var calls int
	opt.Progress = func(done, total int64) {
		calls++
		if done > total {
			t.Errorf("progress %d > total %d", done, total)
		}
		cancel()
	}
	_, err := simulate.Write(ctx, io.Discard, opt)
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("err = %v after %d progress calls, want context.Canceled after 1", err, calls)
	}
}

func BenchmarkWrite(b *testing.B) {
	opt := options(b, 1, 0.1) // ~80,000 crowd rows plus drive rows
	b.ReportAllocs()
	var rows int64
	for b.Loop() {
		sum, err := simulate.Write(context.Background(), io.Discard, opt)
		if err != nil {
			b.Fatal(err)
		}
		rows = sum.Rows
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func ExampleWrite() {
	c, _ := geo.CellAt(orb.Point{-7.6114, 33.5883}, 8) // Casablanca
	var pop []data.CellPop
	for _, d := range geo.Disk(c, 3) {
		pop = append(pop, data.CellPop{Cell: d, Population: 10000})
	}
	var buf bytes.Buffer
	sum, err := simulate.Write(context.Background(), &buf, simulate.Options{
		Seed: 1, Population: pop, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Scale: 0.0001,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	header, _, _ := strings.Cut(buf.String(), "\n")
	fmt.Println(header)
	fmt.Println(sum.Rows, "rows")
	// Output:
	// time,lat,lon,mcc_mnc,tech,signal_dbm,rsrq_db,sinr_db,dl_mbps,ul_mbps,latency_ms,env,accuracy_m,source,device
	// 80 rows
}
