#!/usr/bin/env bash
# README command 2: every test suite. Installs what is missing, builds, starts a real ClickHouse
# server, runs ctest (cmocka unit + server tests), the same C tests under ASan+UBSan, pytest,
# go test and cargo test, then stops the server. Exits non-zero if anything failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_system_packages
python_env pytest pytest-timeout clickhouse-cityhash chdb-core lz4 zstandard pyarrow numpy pandas polars
build_and_install
export PATH="$BUILD/venv/bin:$PATH"
start_server
start_standin

failed=()
run_suite() {
  local name="$1"
  shift
  log "$name"
  if "$@"; then echo "suite $name: ok" >&2; else echo "suite $name: FAILED" >&2; failed+=("$name"); fi
}

run_suite "packaging (installed prefix)" "$ROOT/tests/packaging/check.sh" "$PREFIX"
run_suite "ctest (cmocka, real server)" ctest --test-dir "$BUILD" --output-on-failure -j 2

asan_suite() {
  local asan="$BUILD-asan"
  cmake -S "$ROOT" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCHC_SANITIZE=ON \
    -DPython3_EXECUTABLE="$BUILD/venv/bin/python" \
    -DCHC_CURL_SOURCE_DIR="$(ls -d "$BUILD"/_deps/curl-src/curl-*/ | head -1)" >&2 &&
    cmake --build "$asan" -j "$JOBS" >&2 &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$asan" --output-on-failure -j 2
}
run_suite "ctest under ASan+UBSan" asan_suite

# Byte-level conformance of the Native codec with a current ClickHouse engine (chDB 26.x).
run_suite "conformance with chDB (tests/conformance)" env CHC_NATIVE_TOOL="$BUILD/tests/conformance/native_tool" \
  "$BUILD/venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/conformance"

# The HTTP stand-in for a current server (chDB behind ClickHouse's HTTP interface); the suite
# starts and stops its own instance and also drives the Python binding through it.
standin_suite() {
  (unset CHC_CHDB_URL CHC_CHDB_SERVER_DIR
     CHC_PYTHON="$BUILD/venv/bin/python" CHC_E2E_PYTHON="$BUILD/venv/bin/python" \
       "$BUILD/venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/server/test_chdb_http_server.py")
}

python_suite() {
  "$BUILD/venv/bin/python" -m pip install -q "$ROOT/bindings/python" >&2 &&
    (cd "$ROOT/bindings/python" && "$BUILD/venv/bin/python" -m pytest -q -p no:cacheprovider --timeout 300 tests)
}
run_suite "pytest (bindings/python)" python_suite
# The same Python suite against the stand-in for a current server; tests marked real_server_only
# (TLS, concurrency, KILL QUERY, endless streamed results) are deselected and counted.
python_standin_suite() {
  (cd "$ROOT/bindings/python" &&
     CHC_TEST_TARGET=standin "$BUILD/venv/bin/python" -m pytest -q -p no:cacheprovider --timeout 300 tests)
}
run_suite "pytest (bindings/python) against the chDB stand-in" python_standin_suite
run_suite "pytest (chDB HTTP stand-in, tests/server)" standin_suite

go_suite() { (cd "$ROOT/bindings/go" && go vet ./... && go test -count=1 ./...); }
run_suite "go test (bindings/go)" go_suite

rust_suite() { (cd "$ROOT/bindings/rust" && cargo test -q); }
run_suite "cargo test (bindings/rust)" rust_suite
run_suite "go test + cargo test against the chDB stand-in (bindings)" "$ROOT/.ci/binding_suites_standin.sh"

# The libFuzzer target on the Native reader, for a fixed time under ASan+UBSan (clang).
fuzz_suite() { CHC_FUZZ_BUILD="$BUILD-fuzz" "$ROOT/tests/fuzz/run.sh" "${CHC_FUZZ_SECONDS:-60}"; }
run_suite "libFuzzer: Native reader, ${CHC_FUZZ_SECONDS:-60} s" fuzz_suite

stop_server
if ((${#failed[@]})); then
  printf '\nFAILED suites: %s\n' "${failed[*]}" >&2
  exit 1
fi
printf '\nall suites passed\n' >&2
