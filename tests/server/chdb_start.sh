#!/usr/bin/env bash
# Start the chDB HTTP stand-in (chdb_http_server.py: a ClickHouse 26.x engine, chDB, behind an
# emulation of the current ClickHouse HTTP interface) on a free loopback port, in the background.
#
#   eval "$(tests/server/chdb_start.sh)"   # exports CHC_CHDB_URL, CHC_CHDB_SERVER_DIR
#   ... run tests ...
#   tests/server/chdb_stop.sh              # stops it and removes $CHC_CHDB_SERVER_DIR
#
# Only `export NAME=value` lines go to stdout (also written to $STATE/env.sh); logs go to stderr.
# Optional environment:
#   CHC_PYTHON                     python with chdb-core, lz4, zstandard, clickhouse-cityhash
#                                  (default python3)
#   CHC_CHDB_SERVER_DIR            state directory (default: new mktemp -d /tmp/chc-chdb.XXXXXX)
#   CHC_CHDB_START_TIMEOUT         seconds to wait for /ping (default 60)
#   CHC_CHDB_KEEP_ALIVE_TIMEOUT    HTTP keep-alive timeout in seconds (default 30)
set -euo pipefail

readonly TEST_USER=default
readonly TEST_PASSWORD=chc_test_pw
readonly PY="${CHC_PYTHON:-python3}"
readonly START_TIMEOUT="${CHC_CHDB_START_TIMEOUT:-60}"
readonly KEEP_ALIVE="${CHC_CHDB_KEEP_ALIVE_TIMEOUT:-30}"
readonly HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

log() { echo "[chc-chdb] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

"$PY" -c 'import chdb, lz4.block, lz4.frame, zstandard, clickhouse_cityhash.cityhash' 2>/dev/null \
    || die "$PY lacks the stand-in's packages; e.g.: python3 -m venv /tmp/standin-venv && /tmp/standin-venv/bin/pip install chdb-core lz4 zstandard clickhouse-cityhash pytest; then CHC_PYTHON=/tmp/standin-venv/bin/python"
command -v curl >/dev/null 2>&1 || die "curl is needed"

if [ -n "${CHC_CHDB_SERVER_DIR:-}" ]; then
    STATE="$CHC_CHDB_SERVER_DIR"; mkdir -p "$STATE"
else
    STATE="$(mktemp -d "${TMPDIR:-/tmp}/chc-chdb.XXXXXX")"
fi
STATE="$(cd "$STATE" && pwd -P)"
if [ -f "$STATE/server.pid" ] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null; then
    die "a stand-in is already running from $STATE (pid $(cat "$STATE/server.pid")); run chdb_stop.sh first"
fi
: >"$STATE/.chc-chdb-state"
rm -f "$STATE/port"
mkdir -p "$STATE/data"

# setsid: own process group, so the caller's job control / Ctrl-C does not reach it.
setsid "$PY" "$HERE/chdb_http_server.py" --host 127.0.0.1 --port 0 --port-file "$STATE/port" \
    --data "$STATE/data" --user "$TEST_USER" --password "$TEST_PASSWORD" \
    --keep-alive-timeout "$KEEP_ALIVE" </dev/null >>"$STATE/server.log" 2>&1 &
echo $! >"$STATE/server.pid"
pid=$!

deadline=$(( $(date +%s) + START_TIMEOUT ))
port=""
while :; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$STATE/server.log" >&2; die "stand-in exited during start-up (log: $STATE/server.log)"; }
    if [ -z "$port" ] && [ -s "$STATE/port" ]; then port="$(cat "$STATE/port")"; fi
    if [ -n "$port" ] && [ "$(curl -s --max-time 2 "http://127.0.0.1:$port/ping" || true)" = "Ok." ]; then
        break
    fi
    [ "$(date +%s)" -lt "$deadline" ] || { kill "$pid" 2>/dev/null || true; die "stand-in did not answer /ping within ${START_TIMEOUT}s (log: $STATE/server.log)"; }
    sleep 0.1
done
log "chDB stand-in pid $pid on 127.0.0.1:$port (state $STATE)"

{
    echo "export CHC_CHDB_URL=http://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$port/default"
    echo "export CHC_CHDB_SERVER_DIR=$STATE"
} | tee "$STATE/env.sh"
