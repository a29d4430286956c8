package roads_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/postgis/pgtest"
	"github.com/taghtia/taghtia/planner/roads"
)

// TestDijkstraMatchesPgRouting loads each graph's edges into a fresh PostGIS
// database and checks that roads' Dijkstra distances equal pgRouting's
// pgr_dijkstra agg_cost on the same undirected graph (cost = reverse_cost =
// length in metres): many-to-many over node pairs, unreachable pairs absent
// from pgRouting's answer and +Inf here, and the multi-source distance equal
// to the least agg_cost of pgr_dijkstra's many-to-one form. pgRouting ids are
// the graph's ids + 1 (node and edge 0 become 1).
func TestDijkstraMatchesPgRouting(t *testing.T) {
	url := pgtest.FreshDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var available bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting')`).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available {
		msg := "pgRouting is not installed on the test server: apt-get install postgresql-15-pgrouting (scripts/pg.sh does)"
		if os.Getenv("TAGHTIA_REQUIRE_POSTGIS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE`); err != nil {
		t.Fatal(err)
	}

	r := rand.New(rand.NewPCG(6, 7))
	morocco := orb.Bound{Min: orb.Point{-13, 21}, Max: orb.Point{-1, 36}}
	proxy, err := roads.NewProxy(randomPoints(r, 300, morocco), roads.ProxyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hand, _, err := roads.FromFeatures(pgRoutingFeatures(), roads.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := hand.Components(); c.Count != 2 {
		t.Fatalf("hand-built graph has %d components, want 2 (so that some pairs are unreachable)", c.Count)
	}

	t.Run("proxy", func(t *testing.T) {
		loadEdges(ctx, t, conn, "proxy_edges", proxy)
		nodes := r.Perm(proxy.NumNodes())
		srcs, dsts := nodes[:10], nodes[10:40]
		st := comparePairs(ctx, t, conn, "proxy_edges", proxy, srcs, dsts)
		for _, dst := range nodes[40:45] {
			compareMany(ctx, t, conn, "proxy_edges", proxy, nodes[:8], dst, &st)
		}
		st.log(t)
		if st.unreachable != 0 {
			t.Errorf("%d unreachable pairs on the proxy graph, which is connected", st.unreachable)
		}
	})
	t.Run("hand-built", func(t *testing.T) {
		loadEdges(ctx, t, conn, "hand_edges", hand)
		all := make([]int, hand.NumNodes())
		for i := range all {
			all[i] = i
		}
		st := comparePairs(ctx, t, conn, "hand_edges", hand, all, all)
		comp := hand.Components()
		// One source in each component: every other node is reached.
		var srcs []int
		for id := range comp.Count {
			srcs = append(srcs, slices.Index(comp.Of, id))
		}
		for n := range hand.NumNodes() {
			if !slices.Contains(srcs, n) {
				compareMany(ctx, t, conn, "hand_edges", hand, srcs, n, &st)
			}
		}
		st.log(t)
		if st.unreachable == 0 {
			t.Error("no unreachable pair compared on a graph of two components")
		}
	})
}

// pgRoutingFeatures is a small road network: a main road and a crossing
// road meeting at a junction, two links closing loops (so routes have
// alternatives), and an island of two roads that nothing reaches.
func pgRoutingFeatures() []data.Feature {
	return []data.Feature{
		road("primary", orb.LineString{{-7.60, 33.58}, {-7.57, 33.585}, {-7.55, 33.59}, {-7.50, 33.60}, {-7.45, 33.60}}),
		road("secondary", orb.LineString{{-7.55, 33.55}, {-7.55, 33.59}, {-7.551, 33.62}, {-7.55, 33.65}}),
		road("tertiary", orb.LineString{{-7.50, 33.60}, {-7.52, 33.63}, {-7.55, 33.65}}),
		road("track", orb.LineString{{-7.45, 33.60}, {-7.42, 33.56}, {-7.48, 33.54}, {-7.55, 33.55}}),
		road("residential", orb.LineString{{-7.57, 33.585}, {-7.58, 33.60}}),
		road("primary", orb.LineString{{-5.00, 35.00}, {-4.95, 35.03}, {-4.90, 35.05}}),
		road("secondary", orb.LineString{{-4.90, 35.05}, {-4.85, 35.02}, {-4.80, 35.00}}),
	}
}

// loadEdges creates table name (id, source, target, cost, reverse_cost) with
// g's edges, both costs the length in metres.
func loadEdges(ctx context.Context, t *testing.T, conn *pgx.Conn, name string, g *roads.Graph) {
	t.Helper()
	if _, err := conn.Exec(ctx, `CREATE TABLE `+name+` (id bigint PRIMARY KEY, source bigint NOT NULL, target bigint NOT NULL, cost float8 NOT NULL, reverse_cost float8 NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, g.NumEdges())
	for e := range rows {
		ed := g.Edge(e)
		rows[e] = []any{int64(e + 1), int64(ed.A + 1), int64(ed.B + 1), ed.LengthM, ed.LengthM}
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{name}, []string{"id", "source", "target", "cost", "reverse_cost"}, pgx.CopyFromRows(rows))
	if err != nil || n != int64(len(rows)) {
		t.Fatalf("copy %d edges into %s: %d copied, %v", len(rows), name, n, err)
	}
	t.Logf("%s: %d nodes, %d edges", name, g.NumNodes(), g.NumEdges())
}

type pgStats struct {
	pairs, unreachable, multi int
	maxAbs, maxRel            float64
}

func (st *pgStats) log(t *testing.T) {
	t.Logf("compared %d pairs (%d unreachable) and %d multi-source distances with pgr_dijkstra; max difference %.3g m (%.3g relative)",
		st.pairs, st.unreachable, st.multi, st.maxAbs, st.maxRel)
}

// check compares a distance of ours with pgRouting's.
func (st *pgStats) check(t *testing.T, what string, got, want float64) {
	t.Helper()
	d := math.Abs(got - want)
	rel := d / math.Max(math.Abs(want), 1)
	st.maxAbs, st.maxRel = max(st.maxAbs, d), max(st.maxRel, rel)
	if !(rel <= 1e-6) {
		t.Errorf("%s: roads %.6f m, pgr_dijkstra %.6f m", what, got, want)
	}
}

// comparePairs checks roads' distance for every pair (s, d), s ≠ d, against
// pgr_dijkstra's many-to-many form, which gives no row for an unreachable
// pair.
func comparePairs(ctx context.Context, t *testing.T, conn *pgx.Conn, table string, g *roads.Graph, srcs, dsts []int) pgStats {
	t.Helper()
	ids := func(ns []int) []int64 {
		out := make([]int64, len(ns))
		for i, n := range ns {
			out[i] = int64(n + 1)
		}
		return out
	}
	rows, err := conn.Query(ctx, `SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstra(
		'SELECT id, source, target, cost, reverse_cost FROM `+table+`', $1::bigint[], $2::bigint[], directed => false)
		WHERE edge = -1`, ids(srcs), ids(dsts))
	if err != nil {
		t.Fatal(err)
	}
	pg := make(map[[2]int]float64)
	var s, d int64
	var c float64
	if _, err := pgx.ForEachRow(rows, []any{&s, &d, &c}, func() error {
		pg[[2]int{int(s - 1), int(d - 1)}] = c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var st pgStats
	search := roads.NewSearch(g)
	for _, src := range srcs {
		search.From(src)
		for _, dst := range dsts {
			if dst == src {
				continue
			}
			st.pairs++
			what := fmt.Sprintf("%s %d → %d", table, src, dst)
			want, ok := pg[[2]int{src, dst}]
			got := search.Dist(dst)
			if !ok {
				st.unreachable++
				if !math.IsInf(got, 1) {
					t.Errorf("%s: roads %.6f m, pgr_dijkstra finds no path", what, got)
				}
				continue
			}
			st.check(t, what, got, want)
			if p, ok := search.Path(dst); !ok {
				t.Errorf("%s: no path, pgr_dijkstra %.6f m", what, want)
			} else {
				st.check(t, what+" (path length)", p.LengthM, want)
			}
		}
	}
	if len(pg) != st.pairs-st.unreachable {
		t.Errorf("%s: pgr_dijkstra gave %d paths, roads %d", table, len(pg), st.pairs-st.unreachable)
	}
	return st
}

// compareMany checks the multi-source distance to dst (the nearest of srcs,
// dst not among them) and the source it comes from against the least
// agg_cost of pgr_dijkstra's many-to-one form.
func compareMany(ctx context.Context, t *testing.T, conn *pgx.Conn, table string, g *roads.Graph, srcs []int, dst int, st *pgStats) {
	t.Helper()
	ids := make([]int64, len(srcs))
	for i, n := range srcs {
		ids[i] = int64(n + 1)
	}
	var root int64
	var want float64
	err := conn.QueryRow(ctx, `SELECT start_vid, agg_cost FROM pgr_dijkstra(
		'SELECT id, source, target, cost, reverse_cost FROM `+table+`', $1::bigint[], $2::bigint, directed => false)
		WHERE edge = -1 ORDER BY agg_cost, start_vid LIMIT 1`, ids, int64(dst+1)).Scan(&root, &want)
	if err != nil {
		t.Fatalf("%s: many-to-one to %d: %v", table, dst, err)
	}
	search := roads.NewSearch(g)
	search.FromMany(srcs)
	st.multi++
	st.check(t, fmt.Sprintf("%s %v → %d", table, srcs, dst), search.Dist(dst), want)
	if got := search.Root(dst); got != int(root-1) {
		t.Errorf("%s %v → %d: nearest source %d, pgr_dijkstra %d", table, srcs, dst, got, root-1)
	}
}
