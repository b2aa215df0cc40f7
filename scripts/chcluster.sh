#!/usr/bin/env bash
# Starts, stops or reports a throwaway replicated ClickHouse for the
# replica-outage tests and CI: Debian's ZooKeeper (the coordination service
# ClickHouse 18.16 speaks) and two clickhouse-server instances, replicas 1
# and 2 of shard 1 of cluster "humas", each with its own ports and folder
# under ./var/chcluster. Listens on 127.0.0.1 only.
#
#   scripts/chcluster.sh start    install if missing (apt-get), start all three, wait until they answer
#   scripts/chcluster.sh stop     stop what this script started
#   scripts/chcluster.sh status   print the replicas' versions, or fail
#   scripts/chcluster.sh env      print the HUMAS_TEST_CH_CLUSTER_* variables the tests read
#   scripts/chcluster.sh stop-replica N / start-replica N   (by hand: take one replica down and up)
#
# Ports: CHC_ZK_PORT (default 22181); replica N listens on CHC_BASE+N for the
# native protocol (default 19101, 19102), CHC_BASE+100+N for HTTP and
# CHC_BASE+200+N for replication (interserver HTTP).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CHC_DIR:-$ROOT/var/chcluster}
ZK_PORT=${CHC_ZK_PORT:-22181}
BASE=${CHC_BASE:-19100}
CLUSTER=humas

log() { echo "chcluster.sh: $*" >&2; }

tcp_port() { echo $((BASE + $1)); }
http_port() { echo $((BASE + 100 + $1)); }
inter_port() { echo $((BASE + 200 + $1)); }

answers() { curl -sf --max-time 2 "http://127.0.0.1:$(http_port "$1")/ping" >/dev/null 2>&1; }
version() { curl -sf --max-time 5 "http://127.0.0.1:$(http_port "$1")/" --data-binary 'SELECT version()'; }
zk_answers() {
  local r
  r=$( (exec 3<>"/dev/tcp/127.0.0.1/$ZK_PORT" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null) || return 1
  [ "$r" = imok ]
}

install() {
  local need=()
  command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server clickhouse-client)
  [ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
    return 0
  fi
  log "missing ${need[*]} and this machine cannot install them here (need root and apt-get)"
  exit 1
}

start_zk() {
  if zk_answers; then
    log "reusing the ZooKeeper answering on 127.0.0.1:$ZK_PORT"
    return 0
  fi
  mkdir -p "$DIR/zk/data" "$DIR/zk/log"
  cat > "$DIR/zk/zoo.cfg" <<CFG
tickTime=500
initLimit=10
syncLimit=5
dataDir=$DIR/zk/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,stat
CFG
  cat > "$DIR/zk/log4j.properties" <<'CFG'
log4j.rootLogger=WARN, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p %c: %m%n
CFG
  setsid java -Xmx256m -Dzookeeper.4lw.commands.whitelist=ruok,stat -Dlog4j.configuration="file:$DIR/zk/log4j.properties" \
    -cp "$DIR/zk:/usr/share/java/zookeeper.jar" org.apache.zookeeper.server.quorum.QuorumPeerMain "$DIR/zk/zoo.cfg" \
    >"$DIR/zk/log/zookeeper.log" 2>&1 </dev/null &
  echo $! > "$DIR/zk/pid"
  local i=0
  until zk_answers; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$DIR/zk/pid")" 2>/dev/null; then
      log "ZooKeeper did not start; its log says:"
      tail -n 30 "$DIR/zk/log/zookeeper.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "ZooKeeper is up on 127.0.0.1:$ZK_PORT (pid $(cat "$DIR/zk/pid"))"
}

write_replica_config() {
  local n=$1 d="$DIR/r$1"
  mkdir -p "$d/log" "$d/data" "$d/tmp" "$d/user_files"
  cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/server.err.log</errorlog></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$(tcp_port "$n")</tcp_port>
    <http_port>$(http_port "$n")</http_port>
    <interserver_http_port>$(inter_port "$n")</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <users_config>$DIR/users.xml</users_config>
    <mark_cache_size>134217728</mark_cache_size>
    <uncompressed_cache_size>134217728</uncompressed_cache_size>
    <timezone>UTC</timezone>
    <remote_servers>
        <$CLUSTER>
            <shard>
                <internal_replication>true</internal_replication>
                <replica><host>127.0.0.1</host><port>$(tcp_port 1)</port></replica>
                <replica><host>127.0.0.1</host><port>$(tcp_port 2)</port></replica>
            </shard>
        </$CLUSTER>
    </remote_servers>
    <zookeeper>
        <node><host>127.0.0.1</host><port>$ZK_PORT</port></node>
        <session_timeout_ms>10000</session_timeout_ms>
    </zookeeper>
    <macros><shard>01</shard><replica>r$n</replica></macros>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
}

write_users() {
  mkdir -p "$DIR"
  cat > "$DIR/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
        <profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

start_replica() {
  local n=$1 d="$DIR/r$1"
  if answers "$n"; then
    return 0
  fi
  # A server that is still shutting down keeps its port for a while (on a
  # loaded machine, more than the 10 s stop_pidfile gives it): wait.
  local w=0
  while (exec 3<>"/dev/tcp/127.0.0.1/$(tcp_port "$n")") 2>/dev/null; do
    w=$((w + 1))
    if [ $w -gt 300 ]; then
      log "port $(tcp_port "$n") is taken by something that is not an answering ClickHouse; set CHC_BASE"
      exit 1
    fi
    if answers "$n"; then
      return 0
    fi
    sleep 0.1
  done
  write_users
  write_replica_config "$n"
  setsid clickhouse-server --config-file="$d/config.xml" >"$d/log/stdout.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" > "$d/pid"
  local i=0
  until answers "$n"; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
      log "replica $n did not start; its error log says:"
      tail -n 30 "$d/log/server.err.log" "$d/log/stdout.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
  log "replica $n: ClickHouse $(version "$n") on 127.0.0.1:$(tcp_port "$n") (pid $pid, data in $d)"
}

stop_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    # A server killed by -9 still holds its ports until it is gone.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$f"
}

start() {
  install
  start_zk
  start_replica 1
  start_replica 2
}

stop() {
  stop_pidfile "$DIR/r1/pid"
  stop_pidfile "$DIR/r2/pid"
  stop_pidfile "$DIR/zk/pid"
  log "stopped"
}

status() {
  local ok=0
  zk_answers && echo "ZooKeeper on 127.0.0.1:$ZK_PORT" || { echo "no ZooKeeper on 127.0.0.1:$ZK_PORT" >&2; ok=1; }
  for n in 1 2; do
    if answers "$n"; then echo "replica $n: ClickHouse $(version "$n") on 127.0.0.1:$(tcp_port "$n")"; else echo "replica $n: down" >&2; ok=1; fi
  done
  return $ok
}

env_vars() {
  echo "export HUMAS_TEST_CH_CLUSTER=$CLUSTER"
  echo "export HUMAS_TEST_CH_CLUSTER_ADDRS=127.0.0.1:$(tcp_port 1),127.0.0.1:$(tcp_port 2)"
  echo "export HUMAS_TEST_CH_CLUSTER_SCRIPT=$ROOT/scripts/chcluster.sh"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_vars ;;
  stop-replica) stop_pidfile "$DIR/r${2:?replica number}/pid"; log "replica $2 stopped" ;;
  start-replica) start_replica "${2:?replica number}" ;;
  *) echo "usage: $0 start|stop|status|env|stop-replica N|start-replica N" >&2; exit 2 ;;
esac
