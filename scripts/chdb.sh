#!/usr/bin/env bash
# Fetches chDB's library (the ClickHouse engine as libchdb.so) for the
# differential test (chdiff) and prints its path. The library comes from the
# npm registry (@chdb/lib-linux-x64-gnu) and is kept outside the clone, so
# the next run reuses it:
#
#   scripts/chdb.sh fetch    download if missing, print the path
#   scripts/chdb.sh path     print the path (whether or not it is there)
#
# Cache: $HUMAS_CHDB_LIB if set, else ${HUMAS_CACHE_DIR:-$HOME/.cache/humas}/chdb/<version>/libchdb.so.
# Keep CHDB_VERSION in step with Version in chdiff/chdb/chdb.go.
set -euo pipefail

CHDB_VERSION=26.7.3-stable.1
CHDB_PACKAGE=@chdb/lib-linux-x64-gnu
CACHE=${HUMAS_CACHE_DIR:-${HOME:-/root}/.cache/humas}
LIB=${HUMAS_CHDB_LIB:-$CACHE/chdb/$CHDB_VERSION/libchdb.so}

log() { echo "chdb.sh: $*" >&2; }

fetch() {
  if [ -s "$LIB" ]; then
    log "using cached $LIB"
    echo "$LIB"
    return 0
  fi
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) ;;
    *) log "no chDB build for $(uname -s)/$(uname -m) is fetched by this script"; exit 1 ;;
  esac
  command -v npm >/dev/null 2>&1 || { log "npm is needed to fetch $CHDB_PACKAGE (apt-get install npm)"; exit 1; }
  local dir tmp start
  dir=$(dirname "$LIB")
  mkdir -p "$dir"
  tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' RETURN
  start=$(date +%s)
  log "fetching $CHDB_PACKAGE@$CHDB_VERSION from the npm registry (about 180 MB, 566 MB unpacked)"
  (cd "$tmp" && npm pack --silent "$CHDB_PACKAGE@$CHDB_VERSION" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/libchdb.so
  # Rename last, so an interrupted fetch never leaves a partial library.
  mv "$tmp/package/libchdb.so" "$LIB"
  log "cached $LIB in $(( $(date +%s) - start )) s"
  echo "$LIB"
}

case "${1:-}" in
  fetch) fetch ;;
  path) echo "$LIB" ;;
  *) echo "usage: $0 fetch|path" >&2; exit 2 ;;
esac
