#!/usr/bin/env bash
# Runs bench/python/bench_clients.py in the four configurations of bench/README.md, one after the
# other (never concurrently: the machine has 2 cores), writing logs and JSON to $OUT.
#
#   CLICKHOUSE_URL=... CHC_CHDB_URL=... bench/run.sh [rows]      (servers already running)
#
# Env: PY (default build/venv/bin/python), OUT (default /tmp/chc-bench-<date>),
#      PEER_1816_VERSION (clickhouse-connect release that still connects to 18.16; default 1.6.0 —
#      1.7.0 and later fail on 18.16 with "Unknown identifier: readonly"), installed with
#      `pip install --no-deps --target` into $PEER_1816_DIR (default /tmp/chc-bench-cc-<version>).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-${CHC_BENCH_ROWS:-10000000}}"
PY="${PY:-build/venv/bin/python}"
OUT="${OUT:-/tmp/chc-bench-$(date +%Y%m%d-%H%M%S)}"
PEER_1816_VERSION="${PEER_1816_VERSION:-1.6.0}"
PEER_1816_DIR="${PEER_1816_DIR:-/tmp/chc-bench-cc-$PEER_1816_VERSION}"
mkdir -p "$OUT"
echo "output in $OUT" >&2

if [ ! -d "$PEER_1816_DIR/clickhouse_connect" ]; then
    "$PY" -m pip install -q --no-deps --target "$PEER_1816_DIR" "clickhouse-connect==$PEER_1816_VERSION"
fi

run() {  # label, args...
    local label="$1"; shift
    echo "=== $label" >&2
    "$PY" bench/python/bench_clients.py --rows "$ROWS" --label "$label" --json-out "$OUT/$label.json" "$@" \
        2>&1 | tee "$OUT/$label.log"
}

if [ -n "${CLICKHOUSE_URL:-}" ]; then
    # 18.16: current clickhouse-connect cannot connect; the newest release that can is the peer.
    run real-18.16 --url "$CLICKHOUSE_URL" --peer-path "$PEER_1816_DIR"
fi
if [ -n "${CHC_CHDB_URL:-}" ]; then
    run standin-26.9 --url "$CHC_CHDB_URL"
    run replay-standin-bytes --url "$CHC_CHDB_URL" --replay
    if [ -n "${CLICKHOUSE_URL:-}" ]; then
        # Native bytes captured from 18.16; init queries, DESCRIBE and Arrow go to the stand-in.
        run replay-1816-bytes --url "$CLICKHOUSE_URL" --proxy-url "$CHC_CHDB_URL" --replay
    fi
fi
