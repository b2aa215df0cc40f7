#!/usr/bin/env bash
# Starts, stops or reports a throwaway ClickHouse server for development,
# tests and CI, listening on 127.0.0.1 only, with its data under ./var.
#
#   scripts/clickhouse.sh start    install if missing (apt-get), start, wait until it answers
#   scripts/clickhouse.sh stop     stop the server this script started
#   scripts/clickhouse.sh status   print the version of the server on the port, or fail
#
# Ports: CH_TCP_PORT (default 9000) and CH_HTTP_PORT (default 8123).
# A server that already answers on those ports is reused, not restarted.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CH_DIR:-$ROOT/var/clickhouse}
TCP_PORT=${CH_TCP_PORT:-9000}
HTTP_PORT=${CH_HTTP_PORT:-8123}
PIDFILE=$DIR/server.pid

log() { echo "clickhouse.sh: $*" >&2; }

answers() { curl -sf --max-time 2 "http://127.0.0.1:$HTTP_PORT/ping" >/dev/null 2>&1; }

version() { curl -sf --max-time 5 "http://127.0.0.1:$HTTP_PORT/" --data-binary 'SELECT version()'; }

install() {
  command -v clickhouse-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "clickhouse-server is missing; installing Debian's package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq clickhouse-server clickhouse-client curl >/dev/null
    return 0
  fi
  log "clickhouse-server is not installed and this machine cannot install it here (need root and apt-get)."
  log "Start one yourself and point humas at it, for example:"
  log "  docker compose up -d clickhouse        (then HUMAS_CLICKHOUSE_ADDR=127.0.0.1:9000)"
  log "  sudo apt-get install clickhouse-server (Debian/Ubuntu)"
  exit 1
}

write_config() {
  mkdir -p "$DIR/log" "$DIR/data" "$DIR/tmp" "$DIR/user_files"
  cat > "$DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$DIR/log/server.log</log><errorlog>$DIR/log/server.err.log</errorlog></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$TCP_PORT</tcp_port>
    <http_port>$HTTP_PORT</http_port>
    <path>$DIR/data/</path>
    <tmp_path>$DIR/tmp/</tmp_path>
    <user_files_path>$DIR/user_files/</user_files_path>
    <users_config>$DIR/users.xml</users_config>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <timezone>UTC</timezone>
</yandex>
XML
  cat > "$DIR/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
        <profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

start() {
  if answers; then
    log "reusing the ClickHouse already answering on 127.0.0.1:$TCP_PORT (version $(version))"
    return 0
  fi
  install
  command -v curl >/dev/null 2>&1 || { log "curl is needed to check the server; install it"; exit 1; }
  if (exec 3<>"/dev/tcp/127.0.0.1/$TCP_PORT") 2>/dev/null; then
    log "port $TCP_PORT is taken by something that is not an answering ClickHouse; set CH_TCP_PORT/CH_HTTP_PORT"
    exit 1
  fi
  write_config
  # setsid: the server outlives this script and the shell that ran it.
  setsid clickhouse-server --config-file="$DIR/config.xml" >"$DIR/log/stdout.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$PIDFILE"
  local i=0
  until answers; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
      log "ClickHouse did not start; its error log says:"
      tail -n 30 "$DIR/log/server.err.log" "$DIR/log/stdout.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
  log "ClickHouse $(version) is up on 127.0.0.1:$TCP_PORT (pid $pid, data in $DIR)"
}

stop() {
  if [ ! -f "$PIDFILE" ]; then
    log "no server started by this script (no $PIDFILE)"
    return 0
  fi
  local pid
  pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  log "stopped"
}

status() {
  if answers; then echo "ClickHouse $(version) on 127.0.0.1:$TCP_PORT"; else echo "no ClickHouse on 127.0.0.1:$HTTP_PORT" >&2; exit 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
