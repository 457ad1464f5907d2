#!/usr/bin/env bash
# Smoke test of start.sh / stop.sh against the real server: starts two instances at once, checks
# HTTP, HTTPS (right and wrong CA), auth errors, the read-only user and a Native INSERT, then stops
# both and checks that nothing is left. Ends with a plain "N passed, N failed" line.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pass=0 fail=0
ok()    { pass=$((pass + 1)); echo "ok   - $*"; }
notok() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
# status_and_body STATUS SUBSTRING OUTPUT: OUTPUT is a body followed by "\n<http status>".
status_and_body() { [[ "${3##*$'\n'}" = "$1" && "$3" == *"$2"* ]]; }

unset CHC_SERVER_DIR
tmp="$(mktemp -d)"
dir_a="" dir_b=""
cleanup() {   # stop whatever is still running if a check bails out early
    local d
    for d in "$dir_a" "$dir_b"; do
        if [ -n "$d" ] && [ -d "$d" ]; then "$here/stop.sh" "$d"; fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

started_ms=$(( $(date +%s%N) / 1000000 ))
"$here/start.sh" >"$tmp/a.env" & pid_a=$!
"$here/start.sh" >"$tmp/b.env" & pid_b=$!
wait "$pid_a"; rc_a=$?
wait "$pid_b"; rc_b=$?
echo "# two concurrent start.sh runs took $(( $(date +%s%N) / 1000000 - started_ms )) ms"
# shellcheck disable=SC1091  # env files written by start.sh
if [ -s "$tmp/a.env" ]; then . "$tmp/a.env"; dir_a="$CHC_SERVER_DIR" port_a="$CHC_TEST_HTTP_PORT" url_a="$CLICKHOUSE_URL"; fi
# shellcheck disable=SC1091
if [ -s "$tmp/b.env" ]; then . "$tmp/b.env"; dir_b="$CHC_SERVER_DIR"; fi
check "first concurrent start.sh succeeded" [ "$rc_a" -eq 0 ]
check "second concurrent start.sh succeeded" [ "$rc_b" -eq 0 ]
if [ "$rc_a" -ne 0 ] || [ "$rc_b" -ne 0 ]; then echo "$pass passed, $fail failed"; exit 1; fi

# Instance A: check it is separate and answers, then stop it; the rest runs against B
# (whose variables are the ones in the environment now).
check "instances use different dirs and ports" [ "$dir_a" != "$dir_b" -a "$port_a" != "$CHC_TEST_HTTP_PORT" ]
check "instance A answers" [ "$(curl -sS --noproxy '*' "$url_a" --data-binary 'SELECT 1')" = 1 ]
"$here/stop.sh" "$dir_a"

c() { curl -sS --noproxy '*' --max-time 20 "$@"; }
H="http://127.0.0.1:$CHC_TEST_HTTP_PORT/"

check "HTTP SELECT version() = 18.16.1" \
    [ "$(c "$CLICKHOUSE_URL" --data-binary 'SELECT version()')" = 18.16.1 ]
check "server time zone is UTC" [ "$(c "$CLICKHOUSE_URL" --data-binary \
    "SELECT toUnixTimestamp(toDateTime('2020-01-01 00:00:00'))")" = 1577836800 ]
check "HTTPS verified with ca.pem" \
    [ "$(c --cacert "$CHC_TEST_CA" "$CLICKHOUSE_HTTPS_URL" --data-binary 'SELECT version()')" = 18.16.1 ]
c --cacert "$CHC_TEST_OTHER_CA" "$CLICKHOUSE_HTTPS_URL" --data-binary 'SELECT 1' >/dev/null 2>&1
check "HTTPS with other-ca.pem is refused (curl exit 60)" [ $? -eq 60 ]

out="$(c -o /dev/stdout -w '\n%{http_code}' -u "$CHC_TEST_USER:wrong" "$H" --data-binary 'SELECT 1')"
check "wrong password: 401 + Code: 193" status_and_body 401 "Code: 193" "$out"
out="$(c -o /dev/stdout -w '\n%{http_code}' -u "$CHC_TEST_LIMITED_USER:$CHC_TEST_LIMITED_PASSWORD" "$H" \
    --data-binary 'CREATE TABLE t_ro (x UInt8) ENGINE = Memory')"
check "read-only user: CREATE gives 500 + Code: 164" status_and_body 500 "Code: 164" "$out"
check "read-only user can SELECT" \
    [ "$(c -u "$CHC_TEST_LIMITED_USER:$CHC_TEST_LIMITED_PASSWORD" "$H" --data-binary 'SELECT 2')" = 2 ]

c "$CLICKHOUSE_URL" --data-binary 'CREATE TABLE t_native (id UInt64, s String) ENGINE = MergeTree ORDER BY id'
code="$(c "$CLICKHOUSE_URL" --data-binary \
        "SELECT number AS id, toString(number) AS s FROM system.numbers LIMIT 1000 FORMAT Native" \
    | c -o /dev/null -w '%{http_code}' "$H?query=INSERT%20INTO%20t_native%20FORMAT%20Native" \
        -u "$CHC_TEST_USER:$CHC_TEST_PASSWORD" --data-binary @-)"
check "INSERT ... FORMAT Native over POST: 200" [ "$code" = 200 ]
check "Native rows arrived" \
    [ "$(c "$CLICKHOUSE_URL" --data-binary 'SELECT count(), sum(id) FROM t_native')" = $'1000\t499500' ]

pid="$(cat "$CHC_SERVER_DIR/server.pid")"
"$here/stop.sh"
check "stop.sh removed the state dir" [ ! -e "$dir_b" ]
check "server process is gone" bash -c "! grep -qF '$dir_b' /proc/$pid/cmdline 2>/dev/null"
check "instance A's state dir removed" [ ! -e "$dir_a" ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
