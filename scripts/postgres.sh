#!/usr/bin/env bash
# Starts, stops or reports a throwaway PostgreSQL cluster for development,
# tests and CI: Debian's postgresql (15), a cluster made with initdb in a
# folder of its own, listening on 127.0.0.1 only, trust authentication
# (loopback only; it holds nothing but test data).
#
#   scripts/postgres.sh start    install if missing (apt-get), initdb once, start, wait until it answers
#   scripts/postgres.sh stop     stop the cluster this script started
#   scripts/postgres.sh status   print the server version, or fail
#   scripts/postgres.sh env      print the export lines the tests read (HUMAS_TEST_POSTGRES_DSN)
#
# PG_PORT (default 55432) and PG_DIR (default /tmp/humas-postgres-$PG_PORT:
# the server refuses to run as root, so when this script runs as root the
# cluster belongs to the postgres user, who must be able to reach the
# folder; /tmp always is).
set -euo pipefail

PORT=${PG_PORT:-55432}
DIR=${PG_DIR:-/tmp/humas-postgres-$PORT}
DATA=$DIR/data

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

install() {
  bindir >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "postgresql is missing; installing Debian's package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    return 0
  fi
  log "postgresql is not installed and this machine cannot install it here (need root and apt-get)"
  exit 1
}

# as runs a command as the cluster's owner: postgres when we are root
# (initdb and postgres refuse root), ourselves otherwise.
as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

dsn() { echo "postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"; }

answers() { "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }

start() {
  install
  local bin
  bin=$(bindir)
  if answers; then
    log "reusing the PostgreSQL already answering on 127.0.0.1:$PORT"
    return 0
  fi
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    # C collation: text sorts by byte, as SQLite's does (times are stored
    # as fixed-width text and compared as such).
    as "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  as "$bin/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -n 30 "$DIR/server.log" >&2; exit 1; }
  log "PostgreSQL on 127.0.0.1:$PORT (data in $DATA)"
}

stop() {
  [ -f "$DATA/postmaster.pid" ] || return 0
  as "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  log "stopped"
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) answers && "$(bindir)/psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'SELECT version()' postgres ;;
env) echo "export HUMAS_TEST_POSTGRES_DSN='$(dsn)'" ;;
*) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
