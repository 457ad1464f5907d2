#!/usr/bin/env bash
# The Go and Rust binding suites against the chDB HTTP stand-in for a current server
# (tests/server/chdb_http_server.py), as a second target next to the real ClickHouse 18.16.
#
#   env="$(CHC_PYTHON=build/venv/bin/python tests/server/chdb_start.sh)" && eval "$env"
#   .ci/binding_suites_standin.sh          # needs CHC_CHDB_URL; the caller starts/stops the stand-in
#
# The library must be built and installed (PKG_CONFIG_PATH / LD_LIBRARY_PATH point at it, or
# CHC_BUILD_DIR/install is used). Tests read CHC_TEST_SERVER_KIND=chdb-standin and branch on it
# where the expectation differs between 18.16 and a current server. Tests that cannot apply to
# the stand-in at all are excluded here by the runners' own filters (go test -skip,
# cargo test -- --skip), listed below with the reason, so they are never counted as passes.
# Exits non-zero if either suite fails.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${CHC_BUILD_DIR:-$ROOT/build}/install"

if [ -z "${CHC_CHDB_URL:-}" ]; then
  echo "CHC_CHDB_URL is not set: start the stand-in first:" >&2
  echo '  env="$(CHC_PYTHON=build/venv/bin/python tests/server/chdb_start.sh)" && eval "$env"' >&2
  exit 2
fi

# Exclusions, each with its reason. Go: one -skip regexp; Rust: exact names (--skip with --exact):
# all four tests of tests/tls.rs and two of tests/raw.rs. The script checks afterwards that exactly
# these were left out.
readonly TLS_REASON="the stand-in has no TLS/HTTPS listener (tests/server/chdb_README.md, 'Not emulated'); HTTPS runs against 18.16 only"
readonly STREAM_REASON="an endless or stalling streamed answer: the stand-in computes whole results before sending (chdb_README.md, 'Not emulated'), so it would never answer"
readonly GO_SKIP='^(TestHTTPS|TestQueryRawEarlyClose|TestQueryRawCancelDuringRead)$'
readonly GO_EXCLUDED=(TestHTTPS TestQueryRawEarlyClose TestQueryRawCancelDuringRead)
readonly RUST_EXCLUDED=(
  https_with_the_servers_ca_verifies
  https_with_another_ca_is_a_tls_error
  https_without_verification_connects
  https_from_config_keys
  raw_early_drop_aborts_an_endless_answer
  raw_cancel_from_another_thread_aborts_a_blocked_read
)
# The reason of each exclusion above.
declare -A REASON=(
  [TestHTTPS]="$TLS_REASON"
  [TestQueryRawEarlyClose]="$STREAM_REASON"
  [TestQueryRawCancelDuringRead]="$STREAM_REASON"
  [https_with_the_servers_ca_verifies]="$TLS_REASON"
  [https_with_another_ca_is_a_tls_error]="$TLS_REASON"
  [https_without_verification_connects]="$TLS_REASON"
  [https_from_config_keys]="$TLS_REASON"
  [raw_early_drop_aborts_an_endless_answer]="$STREAM_REASON"
  [raw_cancel_from_another_thread_aborts_a_blocked_read]="$STREAM_REASON"
)

# CHC_CHDB_URL = http://USER:PASSWORD@HOST:PORT/DB
url_re='^http://([^:@/]+):([^@/]*)@([^:/]+):([0-9]+)(/.*)?$'
if [[ ! "$CHC_CHDB_URL" =~ $url_re ]]; then
  echo "CHC_CHDB_URL=$CHC_CHDB_URL is not http://user:password@host:port/db" >&2
  exit 2
fi
export CHC_TEST_SERVER_KIND=chdb-standin
export CHC_TEST_URL="$CHC_CHDB_URL" CLICKHOUSE_URL="$CHC_CHDB_URL"
export CHC_TEST_USER="${BASH_REMATCH[1]}" CHC_TEST_PASSWORD="${BASH_REMATCH[2]}"
export CHC_TEST_HOST="${BASH_REMATCH[3]}" CHC_TEST_HTTP_PORT="${BASH_REMATCH[4]}"
# Nothing of the 18.16 server may leak into this run (the caller may have both started).
unset CLICKHOUSE_HTTPS_URL CHC_TEST_HTTPS_URL CHC_TEST_HTTPS_PORT CHC_TEST_CA CHC_TEST_OTHER_CA \
  CHC_TEST_CLIENT_CERT CHC_TEST_CLIENT_KEY CHC_TEST_TCP_PORT CHC_TEST_LIMITED_USER \
  CHC_TEST_LIMITED_PASSWORD CHC_TEST_SERVER_VERSION
if [ -d "$PREFIX/lib" ]; then
  export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export LD_LIBRARY_PATH="$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

echo "binding suites against the chDB stand-in at ${CHC_TEST_HOST}:${CHC_TEST_HTTP_PORT} (CHC_TEST_SERVER_KIND=$CHC_TEST_SERVER_KIND)" >&2
echo "excluded from this run (they run against 18.16 only):" >&2
for t in "${GO_EXCLUDED[@]}"; do printf '  go    %-52s %s\n' "$t" "${REASON[$t]}" >&2; done
for t in "${RUST_EXCLUDED[@]}"; do printf '  rust  %-52s %s\n' "$t" "${REASON[$t]}" >&2; done

failed=()
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

echo "=== go test (bindings/go) against the stand-in: go test -count=1 -skip '$GO_SKIP' ./... ===" >&2
if ! (cd "$ROOT/bindings/go" && go test -count=1 -v -skip "$GO_SKIP" ./...) >"$logs/go" 2>&1; then
  grep -vE '^(=== (RUN|PAUSE|CONT)|    --- PASS|--- PASS)' "$logs/go" >&2
  failed+=("go")
else
  grep -E '^(ok|FAIL|\?) ' "$logs/go" >&2
fi
# A skip is not a pass: t.Skip anywhere in this run fails it.
if grep -E -e '--- SKIP' "$logs/go" >&2; then
  echo "go: tests skipped themselves (above); exclusions belong in GO_SKIP with a reason" >&2
  failed+=("go (skips)")
fi
for t in "${GO_EXCLUDED[@]}"; do
  if grep -qE "^=== RUN   $t\$" "$logs/go"; then echo "go: $t ran although excluded" >&2; failed+=("go (filter)"); fi
done
echo "go: $(grep -cE '^--- PASS' "$logs/go") top-level tests passed, $(grep -cE '^--- FAIL' "$logs/go") failed, ${#GO_EXCLUDED[@]} excluded" >&2

echo "=== cargo test (bindings/rust) against the stand-in: cargo test -- --exact --skip NAME... ===" >&2
skip_args=(--exact)
for t in "${RUST_EXCLUDED[@]}"; do skip_args+=(--skip "$t"); done
if ! (cd "$ROOT/bindings/rust" && cargo test -- "${skip_args[@]}") >"$logs/rust" 2>&1; then
  cat "$logs/rust" >&2
  failed+=("rust")
else
  grep -E '^(     Running|   Doc-tests|test result)' "$logs/rust" >&2
fi
# Exactly the excluded tests were filtered out, and nothing is #[ignore]d.
read -r passed ignored filtered < <(grep -E '^test result' "$logs/rust" | awk '
  { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^ignored/) g += $i; if ($(i+1) ~ /^filtered/) f += $i } }
  END { print p + 0, g + 0, f + 0 }')
if [ "$filtered" != "${#RUST_EXCLUDED[@]}" ] || [ "$ignored" != 0 ]; then
  echo "rust: $filtered tests filtered out (want ${#RUST_EXCLUDED[@]}), $ignored ignored (want 0)" >&2
  failed+=("rust (filter)")
fi
echo "rust: $passed tests passed (unit, integration and doc tests), $filtered excluded, $ignored ignored" >&2

if ((${#failed[@]})); then
  echo "binding suites against the stand-in FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "binding suites against the stand-in: ok" >&2
