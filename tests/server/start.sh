#!/usr/bin/env bash
# Start a throw-away ClickHouse server (Debian's clickhouse-server 18.16) in user space for tests.
#
#   eval "$(tests/server/start.sh)"     # exports CLICKHOUSE_URL, CHC_TEST_* ... (see README.md)
#   ... run tests ...
#   tests/server/stop.sh                # stops it and removes $CHC_SERVER_DIR
#
# Only `export NAME=value` lines go to stdout (they are also written to $STATE/env.sh);
# everything else goes to stderr. Nothing under /etc/clickhouse-server or /var/lib/clickhouse is
# used: config, data, logs and TLS material all live in one state directory.
#
# Optional environment:
#   CHC_SERVER_DIR                 state directory to use (default: a new mktemp -d /tmp/chc-server.XXXXXX)
#   CHC_SERVER_START_TIMEOUT       seconds to wait for the server to answer (default 60)
#   CHC_SERVER_KEEP_ALIVE_TIMEOUT  server's HTTP keep_alive_timeout in seconds (default 10)
#   CHC_SERVER_TLS_VERIFY_CLIENT   none (default) | relaxed | strict: the HTTPS port's
#                                  verificationMode; relaxed/strict check client certificates
#                                  against ca.pem (strict requires one). For mTLS tests.
#   CHC_KEEP_SERVER_DIR=1          keep the state directory when start fails (for debugging)
set -euo pipefail

readonly TEST_USER=default
readonly TEST_PASSWORD=chc_test_pw
readonly LIMITED_USER=limited
readonly LIMITED_PASSWORD=limited_pw
readonly START_TIMEOUT="${CHC_SERVER_START_TIMEOUT:-60}"
readonly KEEP_ALIVE_TIMEOUT="${CHC_SERVER_KEEP_ALIVE_TIMEOUT:-10}"
readonly VERIFY_CLIENT="${CHC_SERVER_TLS_VERIFY_CLIENT:-none}"
readonly MAX_ATTEMPTS=3   # port-collision retries (ports are picked, then bound later by the server)

START_MS=$(( $(date +%s%N) / 1000000 ))

log() { echo "[chc-server] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$VERIFY_CLIENT" in none|relaxed|strict) ;; *) die "CHC_SERVER_TLS_VERIFY_CLIENT must be none, relaxed or strict";; esac

# /usr/sbin may be missing from a non-root PATH.
export PATH="$PATH:/usr/sbin:/sbin"

# ---------------------------------------------------------------------------------------------
# 1. Make sure the server, curl and openssl are installed.
# ---------------------------------------------------------------------------------------------
ensure_packages() {
    local need=()
    command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server clickhouse-client)
    command -v openssl >/dev/null 2>&1 || need+=(openssl)
    command -v curl >/dev/null 2>&1 || need+=(curl)
    [ "${#need[@]}" -eq 0 ] && return 0

    [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root"
    log "installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive

    # The package's postinst runs `invoke-rc.d clickhouse-server start`, which would start a system
    # server as user clickhouse on 8123/9000 (and fail the install where it cannot start). Forbid
    # service starts for the duration of the install unless a policy-rc.d is already in place.
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    # Wait for the dpkg lock rather than fail when another start.sh installs at the same time.
    local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
    local rc=0
    { "${apt[@]}" install "${need[@]}" >&2 \
        || { log "apt-get install failed; running apt-get update and retrying"
             "${apt[@]}" update >&2 && "${apt[@]}" install "${need[@]}" >&2; }; } || rc=$?
    if [ "$made_policy" -eq 1 ]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
    [ "$rc" -eq 0 ] || die "apt-get install ${need[*]} failed"
    command -v clickhouse-server >/dev/null 2>&1 || die "clickhouse-server still not found after install"
}

# A system-wide server (the package's service, running as user clickhouse) is not needed and
# only costs memory; stop it. NOT `service clickhouse-server stop`: its init script ends with
# `start-stop-daemon --stop --exec /usr/sbin/clickhouse-server` without --user, which would kill
# every clickhouse-server on the machine, including other test instances started by this script.
stop_system_service() {
    [ "$(id -u)" -eq 0 ] || return 0
    id clickhouse >/dev/null 2>&1 || return 0
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        if systemctl is-active --quiet clickhouse-server 2>/dev/null; then
            log "stopping and disabling the system clickhouse-server service"
            systemctl disable --now clickhouse-server >&2 2>/dev/null || true
        fi
    fi
    command -v pgrep >/dev/null 2>&1 || return 0
    if pgrep -u clickhouse -x clickhouse-serv >/dev/null 2>&1; then   # comm is cut to 15 chars
        log "stopping the system clickhouse-server (user clickhouse)"
        start-stop-daemon --stop --quiet --oknodo --user clickhouse \
            --exec /usr/sbin/clickhouse-server --retry=TERM/15/KILL/5 >&2 || true
    fi
}

ensure_packages
stop_system_service
CLICKHOUSE_SERVER_BIN="$(command -v clickhouse-server)"

# ---------------------------------------------------------------------------------------------
# 2. State directory, with cleanup on failure.
# ---------------------------------------------------------------------------------------------
CREATED_STATE=0
if [ -n "${CHC_SERVER_DIR:-}" ]; then
    STATE="$CHC_SERVER_DIR"
    mkdir -p "$STATE"
else
    STATE="$(mktemp -d "${TMPDIR:-/tmp}/chc-server.XXXXXX")"
    CREATED_STATE=1
fi
STATE="$(cd "$STATE" && pwd -P)"
if [ -f "$STATE/server.pid" ] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null; then
    die "a server is already running from $STATE (pid $(cat "$STATE/server.pid")); run stop.sh first or unset CHC_SERVER_DIR"
fi
# stop.sh refuses to delete a directory without this marker.
: >"$STATE/.chc-server-state"

SERVER_PID=""
SUCCESS=0
cleanup() {
    [ "$SUCCESS" -eq 1 ] && return 0
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$CREATED_STATE" -eq 1 ] && [ "${CHC_KEEP_SERVER_DIR:-0}" != 1 ]; then
        rm -rf "$STATE"
    else
        log "state directory kept: $STATE"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$STATE"/{data,tmp,user_files,format_schemas,log,tls}
log "state directory: $STATE"

# ---------------------------------------------------------------------------------------------
# 3. TLS material: test CA, server cert (localhost + 127.0.0.1), client cert, unrelated CA.
# ---------------------------------------------------------------------------------------------
make_certs() {
    local t="$STATE/tls"
    # Own openssl config, so the system openssl.cnf cannot add or clash with extensions.
    cat >"$t/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    local ossl=(openssl)
    local cnf=(-config "$t/openssl.cnf")
    # CAs (self-signed).
    "${ossl[@]}" req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 30 "${cnf[@]}" -extensions v3_ca \
        -subj "/O=chconnect tests/CN=chconnect test CA" -keyout "$t/ca.key" -out "$STATE/ca.pem" 2>/dev/null
    "${ossl[@]}" req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 30 "${cnf[@]}" -extensions v3_ca \
        -subj "/O=chconnect tests/CN=unrelated test CA" -keyout "$t/other-ca.key" -out "$STATE/other-ca.pem" 2>/dev/null
    # Leaf certificates signed by the test CA. The client cert's CN is the test user's name, which
    # is what newer servers' certificate authentication matches on.
    local name cn ext
    for name in server client; do
        if [ "$name" = server ]; then cn=localhost; ext=v3_server; else cn="$TEST_USER"; ext=v3_client; fi
        "${ossl[@]}" req -new -nodes -newkey rsa:2048 -sha256 "${cnf[@]}" -subj "/O=chconnect tests/CN=$cn" \
            -keyout "$STATE/$name.key" -out "$t/$name.csr" 2>/dev/null
        "${ossl[@]}" x509 -req -sha256 -days 30 -in "$t/$name.csr" -CA "$STATE/ca.pem" -CAkey "$t/ca.key" \
            -set_serial "0x$(openssl rand -hex 16)" -extfile "$t/openssl.cnf" -extensions "$ext" \
            -out "$STATE/$name.pem" 2>/dev/null
    done
    chmod 600 "$t"/*.key "$STATE"/*.key
    openssl verify -CAfile "$STATE/ca.pem" "$STATE/server.pem" "$STATE/client.pem" >/dev/null \
        || die "generated certificates do not verify"
}
make_certs

# ---------------------------------------------------------------------------------------------
# 4. Config files.
# ---------------------------------------------------------------------------------------------
write_users_xml() {
    cat >"$STATE/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <!-- lets tests create LowCardinality columns on 18.16 -->
            <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>
    <users>
        <$TEST_USER>
            <password>$TEST_PASSWORD</password>
            <networks><ip>::/0</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </$TEST_USER>
        <$LIMITED_USER>
            <password>$LIMITED_PASSWORD</password>
            <networks><ip>::/0</ip></networks>
            <profile>readonly</profile>
            <quota>default</quota>
        </$LIMITED_USER>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

write_config_xml() {   # args: http_port https_port tcp_port
    local ca_config=""
    [ "$VERIFY_CLIENT" = none ] || ca_config="<caConfig>$STATE/ca.pem</caConfig>"
    cat >"$STATE/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>$STATE/log/clickhouse-server.log</log>
        <errorlog>$STATE/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>

    <listen_host>127.0.0.1</listen_host>
    <http_port>$1</http_port>
    <https_port>$2</https_port>
    <tcp_port>$3</tcp_port>
    <!-- no interserver_http_port: no replication, so nothing else listens -->

    <!-- Read by Poco's SSLManager. No dhParamsFile: 18.16 starts without one; only the DHE-*
         suites are then unavailable (ECDHE-* and TLS 1.3 work). -->
    <openSSL>
        <server>
            <certificateFile>$STATE/server.pem</certificateFile>
            <privateKeyFile>$STATE/server.key</privateKeyFile>
            <verificationMode>$VERIFY_CLIENT</verificationMode>
            $ca_config
            <loadDefaultCAFile>false</loadDefaultCAFile>
            <cacheSessions>true</cacheSessions>
            <disableProtocols>sslv2,sslv3</disableProtocols>
            <preferServerCiphers>true</preferServerCiphers>
        </server>
    </openSSL>

    <keep_alive_timeout>$KEEP_ALIVE_TIMEOUT</keep_alive_timeout>
    <max_connections>1024</max_connections>
    <max_concurrent_queries>100</max_concurrent_queries>
    <!-- caches are allocated on demand; keep them small on shared test machines -->
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>

    <path>$STATE/data/</path>
    <tmp_path>$STATE/tmp/</tmp_path>
    <user_files_path>$STATE/user_files/</user_files_path>
    <format_schema_path>$STATE/format_schemas/</format_schema_path>
    <users_config>$STATE/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
EOF
}

# ---------------------------------------------------------------------------------------------
# 5. Pick ports, start, wait until HTTP and HTTPS answer.
# ---------------------------------------------------------------------------------------------
# Prints three distinct free loopback ports. The sockets are closed before the server binds them,
# so another process can grab one in between: start_server detects that and retries.
pick_ports() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - <<'EOF'
import socket
socks = []
for _ in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
    else
        # No python3: random ports below the ephemeral range that nothing answers on.
        local ports=() p
        while [ "${#ports[@]}" -lt 3 ]; do
            p=$((20000 + RANDOM % 12000))
            [[ " ${ports[*]} " == *" $p "* ]] && continue
            (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
            ports+=("$p")
        done
        echo "${ports[*]}"
    fi
}

curl_q() { curl --noproxy '*' -sS --max-time 5 "$@"; }

# Returns 0 when up, 1 on a port collision (retry), exits on any other failure. The HTTPS probe
# offers the client certificate, which the server only asks for when CHC_SERVER_TLS_VERIFY_CLIENT
# is relaxed or strict.
start_server() {
    local http=$1 https=$2 tcp=$3 deadline
    write_config_xml "$http" "$https" "$tcp"
    # Fresh logs per attempt, so a failed attempt's messages are not read as this one's.
    local f
    for f in "$STATE"/log/*.log; do if [ -e "$f" ]; then mv -f "$f" "$f.prev"; fi; done
    # stdin/stdout/stderr must not be the caller's: `eval "$(start.sh)"` would otherwise wait for
    # the server to exit. Bash execs the simple command directly, so $! is the server's pid.
    "$CLICKHOUSE_SERVER_BIN" --config-file="$STATE/config.xml" \
        </dev/null >>"$STATE/log/stdout.log" 2>&1 &
    SERVER_PID=$!
    echo "$SERVER_PID" >"$STATE/server.pid"
    log "started clickhouse-server pid $SERVER_PID (http $http, https $https, tcp $tcp)"

    deadline=$((SECONDS + START_TIMEOUT))
    while :; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            if grep -qi 'address already in use' "$STATE"/log/*.log 2>/dev/null; then
                log "a port was taken meanwhile; retrying with new ports"
                return 1
            fi
            show_logs
            die "clickhouse-server exited during startup"
        fi
        if [ "$(curl_q "http://127.0.0.1:$http/ping" 2>/dev/null)" = "Ok." ] \
            && [ "$(curl_q --cacert "$STATE/ca.pem" --cert "$STATE/client.pem" --key "$STATE/client.key" \
                    "https://localhost:$https/ping" 2>/dev/null)" = "Ok." ]; then
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            show_logs
            die "server did not answer /ping on HTTP and HTTPS within ${START_TIMEOUT}s"
        fi
        sleep 0.2
    done
}

show_logs() {
    log "---- tail of $STATE/log/clickhouse-server.err.log ----"
    tail -n 40 "$STATE/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    log "---- tail of $STATE/log/stdout.log ----"
    tail -n 20 "$STATE/log/stdout.log" >&2 2>/dev/null || true
}

write_users_xml
started=0
for _ in $(seq "$MAX_ATTEMPTS"); do
    picked="$(pick_ports)" || die "could not pick free ports"
    read -r HTTP_PORT HTTPS_PORT TCP_PORT <<<"$picked"
    if start_server "$HTTP_PORT" "$HTTPS_PORT" "$TCP_PORT"; then started=1; break; fi
done
[ "$started" -eq 1 ] || die "could not start the server after $MAX_ATTEMPTS attempts"

# Users are loaded by then; check that the test credentials work.
version="$(curl_q -u "$TEST_USER:$TEST_PASSWORD" "http://127.0.0.1:$HTTP_PORT/?query=SELECT%20version()")" \
    || { show_logs; die "authenticated query failed: $version"; }
log "ClickHouse $version is up ($(( $(date +%s%N) / 1000000 - START_MS )) ms after start.sh began)"

# ---------------------------------------------------------------------------------------------
# 6. Environment for the tests.
# ---------------------------------------------------------------------------------------------
{
    emit() { printf 'export %s=%q\n' "$1" "$2"; }
    emit CLICKHOUSE_URL "http://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$HTTP_PORT/default"
    emit CLICKHOUSE_HTTPS_URL "https://$TEST_USER:$TEST_PASSWORD@localhost:$HTTPS_PORT/default"
    emit CHC_TEST_URL "http://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$HTTP_PORT/default"
    emit CHC_TEST_HTTPS_URL "https://$TEST_USER:$TEST_PASSWORD@localhost:$HTTPS_PORT/default"
    emit CHC_TEST_CA "$STATE/ca.pem"
    emit CHC_TEST_OTHER_CA "$STATE/other-ca.pem"
    emit CHC_TEST_CLIENT_CERT "$STATE/client.pem"
    emit CHC_TEST_CLIENT_KEY "$STATE/client.key"
    emit CHC_TEST_HOST 127.0.0.1
    emit CHC_TEST_HTTP_PORT "$HTTP_PORT"
    emit CHC_TEST_HTTPS_PORT "$HTTPS_PORT"
    emit CHC_TEST_TCP_PORT "$TCP_PORT"
    emit CHC_TEST_USER "$TEST_USER"
    emit CHC_TEST_PASSWORD "$TEST_PASSWORD"
    emit CHC_TEST_LIMITED_USER "$LIMITED_USER"
    emit CHC_TEST_LIMITED_PASSWORD "$LIMITED_PASSWORD"
    emit CHC_TEST_SERVER_VERSION "$version"
    emit CHC_SERVER_DIR "$STATE"
} >"$STATE/env.sh"

SUCCESS=1
cat "$STATE/env.sh"
