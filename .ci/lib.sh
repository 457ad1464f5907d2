# Shared by .ci/quickstart.sh and .ci/test.sh: install what is missing, build, install, server.
# Everything a fresh Debian 12 machine lacks is installed here (apt-get, pip, cargo fetch, go).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${CHC_BUILD_DIR:-$ROOT/build}"
PREFIX="$BUILD/install"
JOBS="$(nproc)"

log() { printf '\n=== %s ===\n' "$*" >&2; }

install_system_packages() {
  local pkgs=(build-essential cmake ninja-build pkg-config dpkg-dev openssl ca-certificates curl
              libmbedtls-dev libzstd-dev liblz4-dev zlib1g-dev libcmocka-dev swig libclang-dev
              clickhouse-server clickhouse-client)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # The clickhouse-server package would start a system service; our tests run their own server.
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    $sudo rm -f /usr/sbin/policy-rc.d
  fi
}

python_env() {
  # A private virtualenv keeps the machine's Python untouched.
  mkdir -p "$BUILD"
  if [ ! -x "$BUILD/venv/bin/python" ]; then
    log "python venv"
    python3 -m venv "$BUILD/venv"
  fi
  "$BUILD/venv/bin/python" -m pip install -q --upgrade pip >&2
  if (($#)); then "$BUILD/venv/bin/python" -m pip install -q "$@" >&2; fi
}

build_and_install() {
  log "build libchconnect ($BUILD)"
  local py=()
  [ -x "$BUILD/venv/bin/python" ] && py=(-DPython3_EXECUTABLE="$BUILD/venv/bin/python")
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$PREFIX" "${py[@]}" >&2
  cmake --build "$BUILD" -j "$JOBS" >&2
  cmake --install "$BUILD" >&2
  export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export LD_LIBRARY_PATH="$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

SERVER_STARTED=""
start_server() {
  log "start ClickHouse"
  local env
  env="$("$ROOT/tests/server/start.sh")"
  eval "$env"
  SERVER_STARTED="$CHC_SERVER_DIR"
  trap stop_server EXIT
}

stop_server() {
  if [ -n "$SERVER_STARTED" ]; then
    "$ROOT/tests/server/stop.sh" "$SERVER_STARTED" || true
    SERVER_STARTED=""
  fi
  if [ -n "$STANDIN_STARTED" ]; then
    "$ROOT/tests/server/chdb_stop.sh" "$STANDIN_STARTED" || true
    STANDIN_STARTED=""
  fi
}

# The chDB stand-in for a current server (needs chdb-core, lz4, zstandard, clickhouse-cityhash in
# the venv); exports CHC_CHDB_URL for the binding suites.
STANDIN_STARTED=""
start_standin() {
  log "start the chDB HTTP stand-in"
  local env
  env="$(CHC_PYTHON="$BUILD/venv/bin/python" "$ROOT/tests/server/chdb_start.sh")"
  eval "$env"
  STANDIN_STARTED="$CHC_CHDB_SERVER_DIR"
}
