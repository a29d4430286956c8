#!/usr/bin/env bash
# Runs every Taghtia test: Go unit, both stores' conformance suite, end-to-end
# (real binary, on the embedded store and on PostGIS) and the browser test in
# headless Chromium. Installs what it needs on a fresh Debian machine (you
# are root there): PostgreSQL 15 + PostGIS 3 and Chromium from Debian, npm
# packages; starts a throwaway PostGIS cluster and removes it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export TAGHTIA_LAYERS="${TAGHTIA_LAYERS:-$(cd .. && pwd)/shared/data/morocco}"

step() { printf '\n== %s\n' "$*"; }

step "tools"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version
go version
node --version

step "PostGIS (throwaway cluster)"
source scripts/pg.sh
pg_start
export TAGHTIA_REQUIRE_POSTGIS=1 # the PostGIS tests must run, never skip

step "npm ci (MapLibre GL JS, playwright-core)"
npm ci --prefix web --no-audit --no-fund --loglevel=error

step "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted"; exit 1; fi
go vet ./...

step "go test"
go test -count=1 ./...
go test -count=1 -race ./tiles/... ./web/... ./data/...

step "browser test (the demo on the embedded store, then on PostGIS)"
go build -o bin/taghtia ./cmd/taghtia
work=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; fi; pg_stop' EXIT

# browser_test NAME STORE-FLAGS…: runs the demo on a free port with the
# given store, then the browser test against it, screenshots in $work/NAME.
browser_test() {
  local name=$1; shift
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  bin/taghtia "$@" --layers "$TAGHTIA_LAYERS" demo --scale 0.15 --addr "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 $pid 2>/dev/null; then cat "$work/$name.log"; echo "demo ($name) exited"; exit 1; fi
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/$name.log"; exit 1; }
  (cd web && TAGHTIA_URL="http://127.0.0.1:$port" TAGHTIA_SCREENSHOTS="${TAGHTIA_SCREENSHOTS:-$work}/$name" node --test e2e/)
  kill $pid; wait $pid 2>/dev/null || true; pid=
  echo "screenshots ($name) in ${TAGHTIA_SCREENSHOTS:-$work}/$name"
}

browser_test embedded --data "$work/data"
"$PG_BIN/psql" "$TAGHTIA_TEST_DATABASE_URL" -qc "CREATE DATABASE taghtia_ui"
browser_test postgis --db "${TAGHTIA_TEST_DATABASE_URL/taghtia_test/taghtia_ui}" --data "$work/pgfiles"
