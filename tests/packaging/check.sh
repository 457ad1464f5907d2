#!/usr/bin/env bash
# Packaging checks on an installed prefix: header, versioned SONAME, pkg-config, CMake package,
# exported symbols (chc_* only), no OpenSSL/libcurl dependency, header valid as C99 and C++.
# Usage: tests/packaging/check.sh <prefix>; prints "N passed, N failed".
set -uo pipefail
prefix="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
check() {
  local name="$1"; shift
  if "$@" >"$work/out" 2>&1; then pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/out" | tail -20; fi
}
lib="$prefix/lib/libchconnect.so.1"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

check "header installed" test -f "$prefix/include/chconnect/chconnect.h"
check "SONAME is libchconnect.so.1" sh -c "readelf -d '$lib' | grep -q 'SONAME.*\[libchconnect.so.1\]'"
check "pkg-config finds chconnect" pkg-config --exists chconnect
check "pkg-config version matches the header" sh -c \
  "[ \"\$(pkg-config --modversion chconnect)\" = \"\$(sed -n 's/#define CHC_VERSION_STRING \"\(.*\)\"/\1/p' '$prefix/include/chconnect/chconnect.h')\" ]"
check "only chc_* symbols exported" sh -c \
  "nm -D --defined-only '$lib' | awk '{print \$3}' | grep -v -e '^chc_' -e '^CHCONNECT_1$' | { ! grep .; }"
check "symbols carry version CHCONNECT_1" sh -c "objdump -T '$lib' | grep -q 'CHCONNECT_1.*chc_client_open'"
check "no libssl/libcrypto/libcurl dependency" sh -c "! ldd '$lib' | grep -E 'libssl|libcrypto|libcurl'"
check "header compiles as C99 -Wpedantic" sh -c \
  "echo '#include <chconnect/chconnect.h>' | cc -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I'$prefix/include' -x c -"
check "header compiles as C++11 -Wpedantic" sh -c \
  "echo '#include <chconnect/chconnect.h>' | c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I'$prefix/include' -x c++ -"
check "link with pkg-config" sh -c \
  "cc '$here/../../capi/examples/quickstart.c' -o '$work/qs' \$(pkg-config --cflags --libs chconnect) && test -x '$work/qs'"
check "find_package(chconnect)" sh -c \
  "cmake -S '$here' -B '$work/cmake' -DCMAKE_PREFIX_PATH='$prefix' >/dev/null && cmake --build '$work/cmake' >/dev/null"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
