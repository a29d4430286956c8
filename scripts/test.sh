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

step "browser test"
go build -o bin/taghtia ./cmd/taghtia
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
bin/taghtia --data "$work/data" --layers "$TAGHTIA_LAYERS" demo --scale 0.15 --addr "127.0.0.1:$port" >"$work/demo.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; pg_stop' EXIT
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $pid 2>/dev/null; then cat "$work/demo.log"; echo "demo exited"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/demo.log"; exit 1; }
export TAGHTIA_URL="http://127.0.0.1:$port"
export TAGHTIA_SCREENSHOTS="${TAGHTIA_SCREENSHOTS:-$work/screens}"
(cd web && node --test e2e/)
echo "screenshots in $TAGHTIA_SCREENSHOTS"
