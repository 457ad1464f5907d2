#!/usr/bin/env bash
# Builds (if needed) and runs the libFuzzer targets for a fixed time on a copy of the seed corpus.
#
#   tests/fuzz/run.sh [seconds]        default 60 s per target
#
# Environment:
#   CHC_FUZZ_BUILD   build directory (default <repo>/build-fuzz, git-ignored); configured standalone
#                    from tests/fuzz with CC=clang CXX=clang++ (no curl needed)
#   CHC_FUZZ_JOBS    parallel fuzzing processes per target sharing one corpus (default 1)
#   CHC_FUZZ_KEEP=1  keep the temporary working corpus
#   CHC_FUZZ_RUNS=N  stop each process after N executions instead of after the time limit
#
# Prints the number of executions (and exec/s) per target; exits non-zero on a finding (crash,
# sanitizer report, non-chc::Error exception, property violation, timeout, RSS/malloc limit).
# Findings are copied to $CHC_FUZZ_BUILD/findings/ and printed in hex.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECS="${1:-60}"
BUILD="${CHC_FUZZ_BUILD:-$ROOT/build-fuzz}"
JOBS="${CHC_FUZZ_JOBS:-1}"
TARGETS=(native_reader)

log() { echo "[fuzz] $*" >&2; }

# ---- toolchain: clang + libFuzzer runtime ----------------------------------------------------
have_libfuzzer() {
  command -v clang++ >/dev/null 2>&1 &&
    ls "$(clang++ -print-resource-dir 2>/dev/null)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1
}
if ! have_libfuzzer; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing clang and libFuzzer (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev >&2; }
  fi
  have_libfuzzer || { log "ERROR: clang with libFuzzer is required (Debian: clang libclang-rt-14-dev)"; exit 2; }
fi

# ---- build ---------------------------------------------------------------------------------------
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  gen=()
  command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
  log "configuring $BUILD"
  CC=clang CXX=clang++ cmake -S "$HERE" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" >&2

# ---- run -----------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/chc-fuzz.XXXXXX")"
cleanup() { [[ "${CHC_FUZZ_KEEP:-0}" == 1 ]] && log "kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
FINDINGS="$BUILD/findings"
mkdir -p "$FINDINGS"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/fuzz_$t"
  corpus="$WORK/$t/corpus"
  art="$WORK/$t/artifacts"
  mkdir -p "$corpus" "$art"
  cp "$HERE/corpus/$t"/* "$corpus"/
  # Saved findings are replayed once, not fuzzed from: some are slow by nature (the OOM regressions)
  # and would drag the exec rate down if they seeded mutations.
  if compgen -G "$HERE/crashes/*" >/dev/null; then
    log "fuzz_$t: replaying $(ls "$HERE/crashes" | wc -l) saved finding(s)"
    "$bin" -runs=0 -rss_limit_mb=512 -malloc_limit_mb=512 -timeout=25 "$HERE/crashes" >"$WORK/$t/replay.log" 2>&1 ||
      { tail -n 60 "$WORK/$t/replay.log"; echo "FINDING fuzz_$t: a saved finding in tests/fuzz/crashes fails again"; status=1; continue; }
  fi
  log "fuzz_$t: ${SECS}s x $JOBS process(es), seed corpus $(ls "$corpus" | wc -l) files"
  pids=()
  for ((j = 0; j < JOBS; j++)); do
    "$bin" -max_total_time="$SECS" ${CHC_FUZZ_RUNS:+-runs=$CHC_FUZZ_RUNS} -rss_limit_mb=512 -malloc_limit_mb=512 -timeout=25 \
      -print_final_stats=1 -reload=10 -artifact_prefix="$art/" "$corpus" >"$WORK/$t/log.$j" 2>&1 &
    pids+=($!)
  done
  rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  execs=0
  for ((j = 0; j < JOBS; j++)); do
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t/log.$j" | tail -1)
    execs=$((execs + ${n:-0}))
  done
  echo "fuzz_$t: executions: $execs in ${SECS}s x $JOBS process(es) ($((execs / (SECS > 0 ? SECS : 1))) exec/s total)"
  if ((rc != 0)) || compgen -G "$art/*" >/dev/null; then
    status=1
    for ((j = 0; j < JOBS; j++)); do
      if grep -qE "ERROR: |SUMMARY: |property violated|runtime error|deadly signal" "$WORK/$t/log.$j"; then
        echo "---- fuzz_$t process $j log (tail) ----"
        tail -n 60 "$WORK/$t/log.$j"
      fi
    done
    for f in "$art"/*; do
      [[ -e "$f" ]] || continue
      cp "$f" "$FINDINGS/$t-$(basename "$f")"
      echo "FINDING fuzz_$t: $FINDINGS/$t-$(basename "$f") ($(stat -c %s "$f") bytes)"
      od -An -tx1 -v "$f" | head -n 32
      echo "reproduce: $bin $FINDINGS/$t-$(basename "$f")"
    done
  fi
done
exit "$status"
