#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 (+ pgRouting) cluster for tests and
# benchmarks.
#
# Source it, then call pg_start; it exports TAGHTIA_TEST_DATABASE_URL (a
# superuser URL on a free loopback port) and stops and removes the cluster
# when the shell exits. Run alone it starts a cluster, prints the URL and
# waits until interrupted:
#
#   bash scripts/pg.sh            # prints postgres://… ; Ctrl-C to stop
#
# Installs postgresql-15, postgresql-15-postgis-3 and postgresql-15-pgrouting
# (the road planner's test compares with pgr_dijkstra) from Debian when they
# are missing (you are root on the CI machines). initdb refuses to run as
# root, so the cluster belongs to the postgres user (or, when absent, a
# user created for it). PG_DURABLE=1 keeps fsync on (benchmarks); tests
# turn it off for speed: a test never survives a power cut anyway.

PG_BIN=/usr/lib/postgresql/15/bin

pg_install() {
  if [ -x "$PG_BIN/initdb" ] && [ -f /usr/share/postgresql/15/extension/postgis.control ] &&
    [ -f /usr/share/postgresql/15/extension/pgrouting.control ]; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "pg.sh: PostgreSQL 15 + PostGIS 3 + pgRouting are missing; as root: apt-get install postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting" >&2
    return 1
  fi
  echo "pg.sh: installing postgresql-15, postgresql-15-postgis-3 and postgresql-15-pgrouting from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting >/dev/null
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pg_as USER CMD… runs a command as the cluster owner.
pg_as() {
  local user=$1; shift
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  pg_install || return 1
  PG_USER=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    PG_USER=postgres
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
  fi
  PG_DIR=$(mktemp -d /tmp/taghtia-pg.XXXXXX)
  chown "$PG_USER" "$PG_DIR"
  PG_PORT=$(pg_free_port)
  pg_as "$PG_USER" "$PG_BIN/initdb" -D "$PG_DIR/data" -U taghtia --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; return 1; }
  local opts="-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=100 -c shared_buffers=512MB -c jit=off"
  if [ "${PG_DURABLE:-0}" != 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  pg_as "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o "$opts" start >/dev/null ||
    { cat "$PG_DIR/server.log" >&2; return 1; }
  trap pg_stop EXIT
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U taghtia -d postgres -c 'CREATE DATABASE taghtia_test' >/dev/null
  export TAGHTIA_TEST_DATABASE_URL="postgres://taghtia@127.0.0.1:$PG_PORT/taghtia_test?sslmode=disable"
  export PG_PORT PG_DIR
  echo "pg.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') + PostGIS on port $PG_PORT ($PG_DIR)" >&2
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg_as "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  pg_start
  echo "$TAGHTIA_TEST_DATABASE_URL"
  echo "pg.sh: Ctrl-C stops and removes the cluster" >&2
  while sleep 3600; do :; done
fi
