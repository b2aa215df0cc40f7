#!/usr/bin/env bash
# Starts, stops or reports a throwaway SeaweedFS (a real S3-compatible
# object store) for the media tests and for trying humas's S3 mode, on
# 127.0.0.1 only, with its data under ./var/seaweedfs.
#
#   scripts/seaweedfs.sh build    build the weed binary if missing (go install; minutes on 2 cores, cached in $(go env GOPATH)/bin)
#   scripts/seaweedfs.sh start    build if missing, start `weed mini` with a test bucket, wait until S3 answers
#   scripts/seaweedfs.sh stop     stop the server this script started
#   scripts/seaweedfs.sh env      print the HUMAS_TEST_S3_* settings the tests read (eval "$(scripts/seaweedfs.sh env)")
#
# Ports: SW_S3_PORT (default 18333); the master, volume and filer take
# 19333, 19340 and 18888 (and +10000 for gRPC).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${SW_DIR:-$ROOT/var/seaweedfs}
S3_PORT=${SW_S3_PORT:-18333}
BUCKET=${SW_BUCKET:-humas-test}
ACCESS=${SW_ACCESS_KEY:-humastest}
SECRET=${SW_SECRET_KEY:-humastestsecret0123456789}
# The version the Go module proxy serves (its go.mod has replace
# directives, so `go install pkg@version` refuses it: it is built from
# the module's own folder instead).
VERSION=${SW_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}
PIDFILE=$DIR/weed.pid

log() { echo "seaweedfs.sh: $*" >&2; }

weed_bin() {
  if command -v weed >/dev/null 2>&1; then command -v weed; return; fi
  echo "$(go env GOPATH)/bin/weed"
}

build() {
  local bin
  bin=$(weed_bin)
  [ -x "$bin" ] && return 0
  log "building weed $VERSION (once; cached at $bin)"
  local src
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/seaweedfs/seaweedfs@$VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$src" ] || { log "go mod download of seaweedfs $VERSION failed"; exit 1; }
  local tmp
  tmp=$(mktemp -d)
  cp -r "$src/." "$tmp/"
  chmod -R u+w "$tmp"
  (cd "$tmp" && GOFLAGS=-buildvcs=false go build -o "$bin" ./weed)
  rm -rf "$tmp"
}

answers() { curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" 2>/dev/null | grep -qE '^(200|403)$'; }

start() {
  if answers; then log "S3 already answers on 127.0.0.1:$S3_PORT; reusing it"; return 0; fi
  build
  mkdir -p "$DIR/data"
  cat > "$DIR/s3.json" <<JSON
{"identities": [{"name": "humas", "credentials": [{"accessKey": "$ACCESS", "secretKey": "$SECRET"}],
  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
JSON
  chmod 600 "$DIR/s3.json"
  log "starting weed mini on 127.0.0.1:$S3_PORT (data in $DIR)"
  nohup "$(weed_bin)" mini -dir="$DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=19333 -volume.port=19340 -filer.port=18888 -s3.port="$S3_PORT" -s3.config="$DIR/s3.json" \
    -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false -admin.ui=false -admin.port=19646 -admin.port.legacy=0 \
    -bucket="$BUCKET" >"$DIR/weed.log" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if answers && bucket_ready; then log "S3 ready with bucket $BUCKET"; return 0; fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then log "weed exited:"; tail -30 "$DIR/weed.log" >&2; exit 1; fi
    sleep 1
  done
  log "S3 did not answer within 120 s:"; tail -30 "$DIR/weed.log" >&2; exit 1
}

# bucket_ready: a signed HEAD of the bucket answers 200 (weed mini makes
# the bucket a moment after S3 answers).
bucket_ready() {
  curl -s --max-time 2 -o /dev/null -w '%{http_code}' -I --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS:$SECRET" \
    "http://127.0.0.1:$S3_PORT/$BUCKET" | grep -q '^200$'
}

stop() {
  [ -f "$PIDFILE" ] || { log "not started by this script"; return 0; }
  local pid
  pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$PIDFILE"
  log "stopped"
}

env_vars() {
  echo "export HUMAS_TEST_S3_ENDPOINT=127.0.0.1:$S3_PORT HUMAS_TEST_S3_BUCKET=$BUCKET HUMAS_TEST_S3_ACCESS_KEY=$ACCESS HUMAS_TEST_S3_SECRET_KEY=$SECRET HUMAS_TEST_S3_REGION=us-east-1"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  env) env_vars ;;
  *) echo "usage: $0 build|start|stop|env" >&2; exit 2 ;;
esac
