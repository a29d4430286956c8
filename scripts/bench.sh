#!/usr/bin/env bash
# Benchmark command: demo cold start on a fresh data directory, ingest
# rows/s, aggregation + zones time, national tile sizes and times, server
# RSS; the same national set on a throwaway PostGIS (fsync on): ingest and
# recompute against the embedded store, tile p50/p99 of both renderers;
# then the Go benchmarks (COPY path vs raw pgx.CopyFrom among them).
# Figures are printed with the baseline they compare to, measured in the
# same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
LAYERS="${TAGHTIA_LAYERS:-$(cd .. && pwd)/shared/data/morocco}"
SCALE="${SCALE:-1}"
work=$(mktemp -d)
go build -o "$work/taghtia" ./cmd/taghtia
T="$work/taghtia --data $work/data --layers $LAYERS"
now() { date +%s.%N; }
calc() { awk "BEGIN{printf \"%.2f\", $*}"; }

echo "== demo cold start (layers + simulate + ingest + zones), scale $SCALE"
t0=$(now)
$T demo --no-serve --scale "$SCALE" 2>/dev/null | tee "$work/demo.log"
t1=$(now)
echo "cold start: $(calc "$t1 - $t0") s"

echo "== ingest throughput: canonical CSV parse+validate+store vs a plain read of the same file"
csv=$(ls "$work"/data/simulated-seed*.csv)
rows=$(($(wc -l <"$csv") - 1))
t0=$(now); cat "$csv" >/dev/null; t1=$(now)
rm -rf "$work/d2"; $work/taghtia --data "$work/d2" --layers "$LAYERS" layers load >/dev/null
t2=$(now); $work/taghtia --data "$work/d2" --layers "$LAYERS" ingest "$csv" >/dev/null 2>&1; t3=$(now)
echo "rows $rows; ingest $(calc "$t3 - $t2") s = $(calc "$rows / ($t3 - $t2)") rows/s; plain read $(calc "$t1 - $t0") s"
t4=$(now); $work/taghtia --data "$work/d2" --layers "$LAYERS" zones 2>/dev/null | tail -2; t5=$(now)
echo "aggregation + classification + zones: $(calc "$t5 - $t4") s"

echo "== evidence and disputes: recompute stages (aggregate, the incremental baseline, first) and the disputes found"
echo "   against the simulator's overstated cells (the demo's 604-02 declares +12 dB)"
$T --log-level debug zones 2>&1 | grep 'stage done' | sed 's/.*stage=/  /'
$T disputes score "$work/data/declared/overstated.csv"

echo "== tiles"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
$T serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
tile() { curl -s -o /dev/null -w "%{http_code} %{size_download} B %{time_total} s" "http://127.0.0.1:$port/tiles/$1"; }
echo "healthz (baseline): $(curl -s -o /dev/null -w '%{time_total} s' http://127.0.0.1:$port/healthz)"
echo "z5 zones 15/13 first: $(tile zones/5/15/13.mvt)  cached: $(tile zones/5/15/13.mvt)"
echo "z5 zones 14/12 first: $(tile zones/5/14/12.mvt)"
echo "z10 coverage 4G 604-01 (Casablanca) first: $(tile 'coverage/10/490/410.mvt?mcc_mnc=604-01&tech=4G')  cached: $(tile 'coverage/10/490/410.mvt?mcc_mnc=604-01&tech=4G')"
echo "server RSS after those tiles: $(grep VmRSS /proc/$pid/status)"

kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true

echo "== PostGIS: the same national file (throwaway cluster, fsync on)"
source scripts/pg.sh
PG_DURABLE=1 pg_start
trap 'pg_stop' EXIT
"$PG_BIN/psql" "$TAGHTIA_TEST_DATABASE_URL" -qc "CREATE DATABASE taghtia_bench"
BENCH_DB="${TAGHTIA_TEST_DATABASE_URL/taghtia_test/taghtia_bench}"
P="$work/taghtia --db $BENCH_DB --data $work/pgfiles --layers $LAYERS"
$P layers load >/dev/null
t2=$(now); $P ingest "$csv" >/dev/null 2>&1; t3=$(now)
pg_ingest=$(calc "$t3 - $t2")
echo "PostGIS ingest $pg_ingest s = $(calc "$rows / $pg_ingest") rows/s (embedded, above, is the baseline)"
t4=$(now); $P zones 2>/dev/null | tail -2; t5=$(now)
echo "PostGIS aggregation + classification + zones: $(calc "$t5 - $t4") s"
echo "== tile latency, uncached, z8/z12/z14 around the 300 most populous places, every layer"
TAGHTIA_BENCH_DATA="$work/d2" TAGHTIA_BENCH_DB="$BENCH_DB" \
  go test ./data/postgis -run '^$' -bench NationalTiles -benchtime 1x 2>&1 | grep -E '^Benchmark' || true

echo "== Go benchmarks"
go test -run '^$' -bench . -benchtime 3x ./data/... ./ingest/... ./coverage/... ./tiles/... 2>&1 | grep -E '^(Benchmark|ok|PASS)' | grep -v NationalTiles || true
