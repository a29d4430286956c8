package postgis

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/tiles"
)

// BenchmarkNationalTiles renders, uncached, the tiles of every layer over
// the 300 most populous places at z8, z12 and z14 from the in-process
// renderer on an embedded store and from the SQL renderer on a PostGIS
// store holding the same data, and reports the p50 and p99 latency of a
// tile. The PostGIS renderer runs twice: as configured, and with
// max_parallel_workers_per_gather=0 (no parallel plans for small tiles).
//
// It needs the two stores filled by scripts/bench.sh:
//
//	TAGHTIA_BENCH_DATA=DIR TAGHTIA_BENCH_DB=URL go test ./data/postgis -run '^$' -bench NationalTiles -benchtime 1x
func BenchmarkNationalTiles(b *testing.B) {
	dir, url := os.Getenv("TAGHTIA_BENCH_DATA"), os.Getenv("TAGHTIA_BENCH_DB")
	if dir == "" || url == "" {
		b.Skip("set TAGHTIA_BENCH_DATA (embedded data dir) and TAGHTIA_BENCH_DB (PostGIS URL) with the same data; scripts/bench.sh does")
	}
	ctx := context.Background()
	es, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer es.Close()
	places, err := es.Places(ctx, data.LayerPlaces)
	if err != nil {
		b.Fatal(err)
	}
	slices.SortFunc(places, func(x, y data.Place) int { return int(y.Population - x.Population) })
	places = places[:min(300, len(places))]

	set, err := tiles.Load(ctx, es, tiles.Options{CacheTiles: 1})
	if err != nil {
		b.Fatal(err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	renderers := []struct {
		name string
		open func() (tiles.Renderer, func())
	}{
		{"embedded", func() (tiles.Renderer, func()) { return set, func() {} }},
		{"postgis", func() (tiles.Renderer, func()) { return openRenderer(b, url) }},
		{"postgis-noparallel", func() (tiles.Renderer, func()) {
			return openRenderer(b, url+sep+"max_parallel_workers_per_gather=0")
		}},
	}
	q := tiles.Query{MCCMNC: "604-01", Tech: data.Tech4G}
	for _, z := range []maptile.Zoom{8, 12, 14} {
		seen := map[maptile.Tile]bool{}
		var list []maptile.Tile
		for _, p := range places {
			t := maptile.At(p.Point, z)
			if !seen[t] {
				seen[t] = true
				list = append(list, t)
			}
		}
		for _, rd := range renderers {
			b.Run(fmt.Sprintf("z%d/%s", z, rd.name), func(b *testing.B) {
				r, done := rd.open()
				defer done()
				var lat []time.Duration
				var bytes int
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					for _, t := range list {
						for _, layer := range tiles.Layers() {
							start := time.Now()
							tile, err := r.Render(ctx, layer, t, q)
							if err != nil {
								b.Fatal(err)
							}
							lat = append(lat, time.Since(start))
							bytes += len(tile.Raw)
						}
					}
				}
				slices.Sort(lat)
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
				b.ReportMetric(float64(bytes)/float64(len(lat)), "B/tile")
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func openRenderer(b *testing.B, url string) (tiles.Renderer, func()) {
	s, err := Open(context.Background(), url, Options{NoMigrate: true, Log: testLog()})
	if err != nil {
		b.Fatal(err)
	}
	r, err := NewTileRenderer(context.Background(), s, tiles.Options{CacheTiles: 1})
	if err != nil {
		s.Close()
		b.Fatal(err)
	}
	return r, func() { s.Close() }
}
