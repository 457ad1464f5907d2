#!/usr/bin/env bash
# README command 1: install what is missing, build and install chconnect, start a local ClickHouse,
# and run the seed example from C, Python, Go and Rust against it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_system_packages
build_and_install
python_env
log "pip install ./bindings/python"
"$BUILD/venv/bin/python" -m pip install -q "$ROOT/bindings/python" >&2
start_server

log "C: capi/examples/quickstart.c"
cc "$ROOT/capi/examples/quickstart.c" -o "$BUILD/quickstart-c" $(pkg-config --cflags --libs chconnect)
"$BUILD/quickstart-c"

log "Python: bindings/python/examples/quickstart.py"
"$BUILD/venv/bin/python" "$ROOT/bindings/python/examples/quickstart.py"

log "Go: go run ./examples/quickstart"
(cd "$ROOT/bindings/go" && go run ./examples/quickstart)

log "Rust: cargo run --example quickstart"
(cd "$ROOT/bindings/rust" && cargo run -q --example quickstart)

log "all four quickstarts ran against ClickHouse $CHC_TEST_SERVER_VERSION at $CHC_TEST_HOST:$CHC_TEST_HTTP_PORT"
