#!/usr/bin/env bash
# Stop a server started by start.sh and remove its state directory.
#
#   tests/server/stop.sh [STATE_DIR]      # default: $CHC_SERVER_DIR
#
# SIGTERM, up to 15 s for a clean shutdown, then SIGKILL. The state directory is removed unless
# CHC_KEEP_SERVER_DIR=1. Stopping a server that is already gone is not an error.
set -euo pipefail

log() { echo "[chc-server] $*" >&2; }

STATE="${1:-${CHC_SERVER_DIR:-}}"
[ -n "$STATE" ] || { log "usage: $0 STATE_DIR (or set CHC_SERVER_DIR)"; exit 2; }
if [ ! -d "$STATE" ]; then
    log "no state directory $STATE; nothing to stop"
    exit 0
fi
# Guard the rm -rf below against a wrong argument.
[ -f "$STATE/.chc-server-state" ] || { log "$STATE was not made by start.sh; refusing to touch it"; exit 2; }

# True if $1 is alive and is the server of this state directory (not a recycled pid).
is_our_server() {
    [ -r "/proc/$1/cmdline" ] || { kill -0 "$1" 2>/dev/null; return; }
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$STATE/config.xml"
}

if [ -f "$STATE/server.pid" ]; then
    pid="$(cat "$STATE/server.pid")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && is_our_server "$pid"; then
        log "stopping clickhouse-server pid $pid"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 150); do               # 15 s
            is_our_server "$pid" || break
            sleep 0.1
        done
        if is_our_server "$pid"; then
            log "still running after 15 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 50); do is_our_server "$pid" || break; sleep 0.1; done
        fi
        is_our_server "$pid" && { log "ERROR: pid $pid did not exit"; exit 1; }
    else
        log "server (pid $pid) is not running"
    fi
    rm -f "$STATE/server.pid"
fi

if [ "${CHC_KEEP_SERVER_DIR:-0}" = 1 ]; then
    log "state directory kept: $STATE"
else
    rm -rf "$STATE"
fi
