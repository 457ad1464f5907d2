#!/usr/bin/env bash
# Stop the chDB stand-in started by chdb_start.sh and remove its state directory.
#
#   tests/server/chdb_stop.sh [STATE_DIR]     # default: $CHC_CHDB_SERVER_DIR
#
# SIGTERM, up to 10 s, then SIGKILL. The directory is kept if CHC_KEEP_SERVER_DIR=1.
# Stopping a stand-in that is already gone is not an error.
set -euo pipefail
log() { echo "[chc-chdb] $*" >&2; }

STATE="${1:-${CHC_CHDB_SERVER_DIR:-}}"
[ -n "$STATE" ] || { log "usage: $0 STATE_DIR (or set CHC_CHDB_SERVER_DIR)"; exit 2; }
[ -d "$STATE" ] || { log "no state directory $STATE; nothing to stop"; exit 0; }
[ -f "$STATE/.chc-chdb-state" ] || { log "$STATE was not made by chdb_start.sh; refusing to touch it"; exit 2; }

is_ours() {
    [ -r "/proc/$1/cmdline" ] || { kill -0 "$1" 2>/dev/null; return; }
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$STATE/data"
}

if [ -f "$STATE/server.pid" ]; then
    pid="$(cat "$STATE/server.pid")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && is_ours "$pid"; then
        log "stopping chDB stand-in pid $pid"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do is_ours "$pid" || break; sleep 0.1; done
        if is_ours "$pid"; then
            log "still running after 10 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
fi
if [ "${CHC_KEEP_SERVER_DIR:-0}" = 1 ]; then
    log "state directory kept: $STATE"
else
    rm -rf "$STATE"
fi
