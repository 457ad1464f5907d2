"""Tests of the chDB HTTP stand-in (chdb_http_server.py), with http.client only.

The stand-in is taken from CHC_CHDB_URL (see chdb_start.sh); without it this module starts one
with chdb_start.sh (using this interpreter as CHC_PYTHON) and stops it at the end.

    CHC_PYTHON=/tmp/standin-venv/bin/python
    $CHC_PYTHON -m pytest -q tests/server/test_chdb_http_server.py
"""
import base64
import bz2
import gzip
import http.client
import json
import lzma
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
import zlib

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import chdb_http_server as srv  # noqa: E402  (frame helpers; needs the stand-in's packages)

import lz4.frame  # noqa: E402
import zstandard  # noqa: E402

USER, PASSWORD = "default", "chc_test_pw"


@pytest.fixture(scope="session")
def server():
    url = os.environ.get("CHC_CHDB_URL")
    started = None
    if not url:
        env = dict(os.environ, CHC_PYTHON=sys.executable)
        env.pop("CHC_CHDB_SERVER_DIR", None)   # a fresh state directory, never a running one
        out = subprocess.run([os.path.join(HERE, "chdb_start.sh")], env=env, check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        vals = dict(re.findall(r"^export (\w+)=(.*)$", out, re.M))
        url, started = vals["CHC_CHDB_URL"], vals["CHC_CHDB_SERVER_DIR"]
    u = urllib.parse.urlsplit(url)
    yield (u.hostname, u.port)
    if started:
        subprocess.run([os.path.join(HERE, "chdb_stop.sh"), started], check=False)


def basic(user=USER, pw=PASSWORD):
    return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()


def req(server, method="POST", params=None, body=None, headers=None, auth=True, conn=None):
    h = {}
    if auth:
        h["Authorization"] = basic()
    h.update(headers or {})
    path = "/"
    if params:
        path += "?" + urllib.parse.urlencode(params)
    c = conn or http.client.HTTPConnection(*server, timeout=60)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r, data


def q(server, sql, **params):
    r, data = req(server, params=params, body=sql.encode())
    assert r.status == 200, data
    return data


def native_block(cols, rows):
    """Minimal Native block writer for UInt8/Int32/String columns: cols = [(name, type, values)]."""
    def varint(n):
        out = b""
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                out += bytes([b | 0x80])
            else:
                return out + bytes([b])

    def s(x):
        return varint(len(x)) + x
    out = varint(len(cols)) + varint(rows)
    for name, typ, vals in cols:
        out += s(name.encode()) + s(typ.encode())
        for v in vals:
            if typ == "UInt8":
                out += struct.pack("<B", v)
            elif typ == "Int32":
                out += struct.pack("<i", v)
            elif typ == "String":
                out += s(v.encode())
    return out


# ---------------------------------------------------------------- endpoints, request shape

def test_ping_and_root(server):
    r, d = req(server, "GET", auth=False)
    assert (r.status, d) == (200, b"Ok.\n")
    c = http.client.HTTPConnection(*server)
    c.request("GET", "/ping")
    r = c.getresponse()
    assert (r.status, r.read()) == (200, b"Ok.\n")


def test_query_in_url_body_and_split(server):
    r, d = req(server, "GET", params={"query": "SELECT 1+1"})
    assert (r.status, d) == (200, b"2\n")
    assert q(server, "SELECT 'x'") == b"x\n"
    # query param + "\n" + body
    r, d = req(server, params={"query": "SELECT"}, body=b"3")
    assert (r.status, d) == (200, b"3\n")
    r, d = req(server, params={"query": "SEL"}, body=b"ECT 1")
    assert r.status == 400 and b"Code: 62." in d


def test_multi_statement_rejected(server):
    r, d = req(server, body=b"SELECT 1; SELECT 2")
    assert r.status == 400 and b"Multi-statements are not allowed" in d
    assert q(server, "SELECT ';'; ") == b";\n"


def test_post_without_length_is_411(server):
    s = socket.create_connection(server)
    s.sendall(b"POST /?query=SELECT+1 HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic().encode() + b"\r\n\r\n")
    head = s.recv(65536)
    s.close()
    assert head.startswith(b"HTTP/1.1 411")


def test_get_is_readonly(server):
    r, d = req(server, "GET", params={"query": "CREATE TABLE ro_t (a Int8) ENGINE=Memory"})
    assert r.status == 500 and r.getheader("X-ClickHouse-Exception-Code") == "164"


def test_chunked_request_and_keep_alive(server):
    c = http.client.HTTPConnection(*server)
    h = {"Authorization": basic(), "Transfer-Encoding": "chunked"}
    for i in range(3):
        c.request("POST", "/", body=iter([b"SELECT ", b"%d" % i]), headers=h, encode_chunked=True)
        r = c.getresponse()
        assert r.getheader("Transfer-Encoding") == "chunked"
        assert r.getheader("Keep-Alive").startswith("timeout=")
        assert r.read() == b"%d\n" % i
    c.close()


def test_head_then_reuse_connection(server):
    c = http.client.HTTPConnection(*server)
    r, d = req(server, "HEAD", params={"query": "SELECT 1"}, conn=c)
    assert r.status == 200 and d == b"" and r.getheader("X-ClickHouse-Summary")
    r, d = req(server, "GET", params={"query": "SELECT 2"}, conn=c)
    assert (r.status, d) == (200, b"2\n")
    c.close()


# ---------------------------------------------------------------- headers

def test_headers_query_id_format_timezone(server):
    r, d = req(server, body=b"SELECT 1")
    assert uuid.UUID(r.getheader("X-ClickHouse-Query-Id"))
    assert r.getheader("X-ClickHouse-Format") == "TabSeparated"
    assert r.getheader("Content-Type").startswith("text/tab-separated-values")
    assert r.getheader("X-ClickHouse-Timezone") == "UTC"
    r, d = req(server, params={"session_timezone": "Asia/Tokyo"},
               body=b"SELECT timezone(), toUnixTimestamp(toDateTime('2024-01-01 00:00:00'))")
    assert r.getheader("X-ClickHouse-Timezone") == "Asia/Tokyo"
    assert d == b"Asia/Tokyo\t1704034800\n"  # the engine read the text in that zone
    r, d = req(server, body=b"SELECT 1")
    assert r.getheader("X-ClickHouse-Timezone") == "UTC"  # per request
    assert r.getheader("X-ClickHouse-Server-Display-Name")
    assert re.fullmatch(r"[a-z0-9]{16}", r.getheader("X-ClickHouse-Exception-Tag"))
    r, _ = req(server, params={"query_id": "my-id-1"}, body=b"SELECT 1")
    assert r.getheader("X-ClickHouse-Query-Id") == "my-id-1"
    r, _ = req(server, headers={"X-ClickHouse-Query-Id": "hdr-id"}, body=b"SELECT 1")
    assert r.getheader("X-ClickHouse-Query-Id") == "hdr-id"
    r, _ = req(server, params={"query_id": "err-id"}, body=b"SELECT * FROM nope_t")
    assert r.getheader("X-ClickHouse-Query-Id") == "err-id"


def test_output_formats(server):
    r, d = req(server, body=b"SELECT 1 AS x FORMAT JSON")
    assert r.getheader("X-ClickHouse-Format") == "JSON" and json.loads(d)["data"] == [{"x": 1}]
    r, d = req(server, params={"default_format": "Native"}, body=b"SELECT toUInt8(42) AS a")
    assert r.getheader("X-ClickHouse-Format") == "Native"
    assert r.getheader("Content-Type") == "application/octet-stream"
    assert d == bytes.fromhex("010101610555496E74382A")
    r, d = req(server, headers={"X-ClickHouse-Format": "CSV"}, params={"default_format": "JSON"},
               body=b"SELECT 'a' AS s")
    assert r.getheader("X-ClickHouse-Format") == "CSV" and d == b'"a"\n'


def test_multi_block_document_formats(server):
    # Formats that are one document (Arrow, ArrowStream, JSON) stay valid over many blocks; row
    # formats (CSV) and Native are still streamed.
    pa = pytest.importorskip("pyarrow")
    import pyarrow.ipc  # noqa: F401
    settings = {"max_block_size": "1000"}
    _, d = req(server, params=settings, body=b"SELECT number AS n FROM numbers(5000) FORMAT ArrowStream")
    assert pa.ipc.open_stream(d).read_all().column("n").to_pylist() == list(range(5000))
    _, d = req(server, params=settings, body=b"SELECT number AS n FROM numbers(5000) FORMAT Arrow")
    assert pa.ipc.open_file(d).read_all().num_rows == 5000
    _, d = req(server, params=settings, body=b"SELECT number AS n FROM numbers(5000) FORMAT JSONCompact")
    assert [str(row[0]) for row in json.loads(d)["data"]] == [str(i) for i in range(5000)]
    _, d = req(server, params=settings, body=b"SELECT number AS n FROM numbers(5000) FORMAT CSV")
    assert d.decode().split() == [str(i) for i in range(5000)]


def test_summary_select(server):
    r, _ = req(server, body=b"SELECT number FROM numbers(1000) WHERE number % 10 = 0")
    s = json.loads(r.getheader("X-ClickHouse-Summary"))
    assert all(isinstance(v, str) for v in s.values())
    for k in ("read_rows", "read_bytes", "written_rows", "written_bytes", "total_rows_to_read",
              "result_rows", "result_bytes", "elapsed_ns"):
        assert k in s
    assert s["result_rows"] == "100" and s["read_rows"] == "1000" and s["written_rows"] == "0"


# ---------------------------------------------------------------- inserts

@pytest.fixture(scope="module")
def table(server):
    q(server, "DROP TABLE IF EXISTS ins_t")
    q(server, "CREATE TABLE ins_t (a UInt8, s String) ENGINE = MergeTree ORDER BY a")
    yield "ins_t"


def summary(r):
    return json.loads(r.getheader("X-ClickHouse-Summary"))


def test_insert_native_query_in_url(server, table):
    q(server, "TRUNCATE TABLE ins_t")
    blk = native_block([("a", "UInt8", [1, 2, 3]), ("s", "String", ["x", "y", "z"])], 3)
    r, d = req(server, params={"query": "INSERT INTO ins_t FORMAT Native"}, body=blk + blk)
    assert (r.status, d) == (200, b"")
    assert summary(r)["written_rows"] == "6"
    assert q(server, "SELECT count(), sum(a) FROM ins_t") == b"6\t12\n"


def test_insert_native_in_body_and_values_and_tsv(server, table):
    q(server, "TRUNCATE TABLE ins_t")
    blk = native_block([("a", "UInt8", [7]), ("s", "String", ["n"])], 1)
    r, _ = req(server, body=b"INSERT INTO ins_t FORMAT Native\n" + blk)
    assert r.status == 200 and summary(r)["written_rows"] == "1"
    r, _ = req(server, body=b"INSERT INTO ins_t VALUES (8, 'v'), (9, 'w')")
    assert r.status == 200 and summary(r)["written_rows"] == "2"
    r, _ = req(server, params={"query": "INSERT INTO ins_t (a, s) FORMAT TabSeparated"}, body=b"10\tt\n11\tu\n")
    assert r.status == 200 and summary(r)["written_rows"] == "2"
    assert q(server, "SELECT groupArray(a) FROM (SELECT a FROM ins_t ORDER BY a)") == b"[7,8,9,10,11]\n"


def test_insert_bad_native(server, table):
    r, d = req(server, params={"query": "INSERT INTO ins_t FORMAT Native"}, body=b"\x02\x01\x01a\x05UInt8")
    assert r.status != 200 and re.match(rb"^Code: \d+\. DB::Exception: ", d)
    assert r.getheader("X-ClickHouse-Exception-Code")
    assert q(server, "SELECT 1") == b"1\n"   # still usable


# ---------------------------------------------------------------- errors and auth

@pytest.mark.parametrize("sql,status,code,name", [
    ("SELECT * FROM no_such_table", 404, 60, "UNKNOWN_TABLE"),
    ("SELEC 1", 400, 62, "SYNTAX_ERROR"),
    ("SELECT no_such_function(1)", 404, 46, "UNKNOWN_FUNCTION"),
    ("SELECT throwIf(1)", 500, 395, "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO"),
])
def test_error_status_and_body(server, sql, status, code, name):
    r, d = req(server, body=sql.encode())
    assert r.status == status
    assert r.getheader("X-ClickHouse-Exception-Code") == str(code)
    assert re.match(rb"^Code: %d\. DB::Exception: .*\(%s\) \(version 26\.[^)]*\)*\n$" % (code, name.encode()), d, re.S)


def test_unknown_setting(server):
    r, d = req(server, params={"no_such_setting": "1"}, body=b"SELECT 1")
    assert r.status == 404 and r.getheader("X-ClickHouse-Exception-Code") == "115"
    assert b"(UNKNOWN_SETTING)" in d


def test_client_protocol_version_refused(server):
    # chDB writes Native only at revision 0, so the stand-in refuses the parameter as 18.16 does
    # (code 115 naming it) rather than ignore it and send revision-0 bytes (chdb_README.md).
    for value in ("54405", "0"):
        r, d = req(server, params={"client_protocol_version": value}, body=b"SELECT 1 AS check FORMAT Native")
        assert r.status == 404 and r.getheader("X-ClickHouse-Exception-Code") == "115"
        assert b"client_protocol_version" in d and b"(UNKNOWN_SETTING)" in d


@pytest.mark.parametrize("headers", [
    {"Authorization": basic(USER, "wrong")},
    {"Authorization": basic("nobody", PASSWORD)},
    {"X-ClickHouse-User": USER, "X-ClickHouse-Key": "wrong"},
    {},
    {"Authorization": basic(), "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD},
])
def test_auth_failures(server, headers):
    r, d = req(server, body=b"SELECT 1", headers=headers, auth=False)
    assert r.status == 403 and r.getheader("X-ClickHouse-Exception-Code") == "516"
    assert b"(AUTHENTICATION_FAILED)" in d


def test_auth_methods_ok(server):
    r, d = req(server, body=b"SELECT 1", auth=False,
               headers={"X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD})
    assert (r.status, d) == (200, b"1\n")
    r, d = req(server, params={"user": USER, "password": PASSWORD}, body=b"SELECT 1", auth=False)
    assert (r.status, d) == (200, b"1\n")


# ---------------------------------------------------------------- settings, database, params

def test_settings_as_params_do_not_persist(server):
    # max_block_size, not max_threads: max_threads defaults to the core count, 1 on a 1-core machine.
    assert q(server, "SELECT getSetting('max_block_size')", max_block_size="1234") == b"1234\n"
    assert q(server, "SELECT getSetting('max_block_size')") != b"1234\n"
    assert q(server, "SELECT 1 SETTINGS max_threads = 1") == b"1\n"


def test_database_param_and_header(server):
    q(server, "CREATE DATABASE IF NOT EXISTS standin_db")
    assert q(server, "SELECT currentDatabase()", database="standin_db") == b"standin_db\n"
    r, d = req(server, params={"database": "default"}, headers={"X-ClickHouse-Database": "standin_db"},
               body=b"SELECT currentDatabase()")
    assert d == b"standin_db\n"
    assert q(server, "SELECT currentDatabase()") == b"default\n"
    r, d = req(server, params={"database": "no_such_db"}, body=b"SELECT 1")
    assert r.status == 404 and b"(UNKNOWN_DATABASE)" in d


def test_server_side_parameters(server):
    assert q(server, "SELECT {x:UInt8} + 1, {s:String}, {a:Array(String)}, {n:Nullable(Int8)}",
             param_x="41", param_s="a\\tb", param_a="['x','y\\'z']", param_n="\\N") \
        == b"42\ta\\tb\t['x','y\\'z']\t\\N\n"
    r, d = req(server, body=b"SELECT {x:UInt8}")
    assert r.getheader("X-ClickHouse-Exception-Code") == "456"
    r, d = req(server, params={"param_x": "abc"}, body=b"SELECT {x:UInt8}")
    assert r.status == 400 and r.getheader("X-ClickHouse-Exception-Code") == "457"


def test_sessions(server):
    sid = "s-" + uuid.uuid4().hex
    r, d = req(server, params={"session_id": sid, "session_check": "1"}, body=b"SELECT 1")
    assert r.status == 404 and r.getheader("X-ClickHouse-Exception-Code") == "372"
    q(server, "SET max_threads = 1", session_id=sid)
    q(server, "CREATE TEMPORARY TABLE tmp_x (a Int8)", session_id=sid)
    q(server, "INSERT INTO tmp_x VALUES (5)", session_id=sid)
    assert q(server, "SELECT getSetting('max_threads'), sum(a) FROM tmp_x", session_id=sid) == b"1\t5\n"
    # a URL setting applies to that request only, also in a session
    assert q(server, "SELECT getSetting('max_threads')", session_id=sid, max_threads="3") == b"3\n"
    assert q(server, "SELECT getSetting('max_threads')", session_id=sid, session_check="1") == b"1\n"
    # not visible without the session
    r, d = req(server, body=b"SELECT * FROM tmp_x")
    assert r.status == 404
    q(server, "SELECT 1", session_id=sid, close_session="1")
    r, d = req(server, params={"session_id": sid, "session_check": "1"}, body=b"SELECT 1")
    assert r.getheader("X-ClickHouse-Exception-Code") == "372"


def test_duplicate_running_query_id(server):
    qid = "dup-" + uuid.uuid4().hex
    first = []
    t = threading.Thread(target=lambda: first.append(
        req(server, params={"query_id": qid}, body=b"SELECT sleep(3)")[0].status))
    t.start()
    # The second request must come after the stand-in registered the first and before that one
    # ends: 1 s for the first to arrive (a loaded machine), 2 s of its sleep left for the second.
    time.sleep(1.0)
    r, d = req(server, params={"query_id": qid}, body=b"SELECT 1")
    t.join()
    assert first == [200]
    assert r.getheader("X-ClickHouse-Exception-Code") == "216"


# ---------------------------------------------------------------- HTTP compression

def decode(enc, data):
    return {"gzip": gzip.decompress, "deflate": zlib.decompress,
            "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
            "lz4": lz4.frame.decompress, "xz": lzma.decompress, "bz2": bz2.decompress}[enc](data)


@pytest.mark.parametrize("enc", ["zstd", "lz4", "gzip", "deflate", "xz", "bz2"])
def test_response_encoding(server, enc):
    sql = b"SELECT number FROM numbers(10000)"
    r, d = req(server, params={"enable_http_compression": "1"}, headers={"Accept-Encoding": enc}, body=sql)
    assert r.getheader("Content-Encoding") == enc
    assert decode(enc, d) == b"".join(b"%d\n" % i for i in range(10000))


def test_response_encoding_choice(server):
    r, _ = req(server, params={"enable_http_compression": "1"},
               headers={"Accept-Encoding": "gzip, deflate, lz4, zstd"}, body=b"SELECT 1")
    assert r.getheader("Content-Encoding") == "zstd"     # server order, not the client's
    r, _ = req(server, params={"enable_http_compression": "1"},
               headers={"Accept-Encoding": "deflate, gzip, lz4"}, body=b"SELECT 1")
    assert r.getheader("Content-Encoding") == "lz4"
    r, d = req(server, headers={"Accept-Encoding": "gzip"}, body=b"SELECT 1")
    assert r.getheader("Content-Encoding") is None and d == b"1\n"
    r, d = req(server, params={"enable_http_compression": "1"}, headers={"Accept-Encoding": "gzip"},
               body=b"SELECT * FROM nope_t")
    assert r.status == 404 and gzip.decompress(d).startswith(b"Code: 60.")


@pytest.mark.parametrize("enc", ["gzip", "deflate", "zstd", "lz4", "xz", "bz2"])
def test_request_content_encoding(server, enc):
    enc_fn = {"gzip": gzip.compress, "deflate": zlib.compress,
              "zstd": zstandard.ZstdCompressor().compress, "lz4": lz4.frame.compress,
              "xz": lzma.compress, "bz2": bz2.compress}[enc]
    r, d = req(server, headers={"Content-Encoding": enc}, body=enc_fn(b"SELECT 'enc'"))
    assert (r.status, d) == (200, b"enc\n")


# ---------------------------------------------------------------- ClickHouse frames

def test_cityhash_vectors():
    for n, lo, hi in [(0, 0x3df09dfc64c09a2b, 0x3cb540c392e51e29), (3, 0x10dc1926b0850ac2, 0x80c20dad5cdd0e6f),
                      (1000, 0x44377c873c240f45, 0x9da1d106ca1c225d)]:
        assert srv.cityhash128_bytes(bytes(i % 251 for i in range(n))) == struct.pack("<QQ", lo, hi)


SPEC_NONE = bytes.fromhex("FF2A9B5E74B34836 05758F01F16B9428 02 14000000 0B000000 010101610555496E74382A".replace(" ", ""))
SPEC_LZ4 = bytes.fromhex("207EDBC8A5EFDDA2 93DC2BA870B93A71 82 15000000 0B000000 B00101016105 55496E74382A".replace(" ", ""))


def test_decompress_request_frames(server):
    q(server, "DROP TABLE IF EXISTS frames_t")
    q(server, "CREATE TABLE frames_t (a UInt8) ENGINE = Memory")
    for frame in (SPEC_NONE, SPEC_LZ4, srv.ch_compress(bytes.fromhex("010101610555496E74382A"), srv.METHOD_ZSTD)):
        r, d = req(server, params={"query": "INSERT INTO frames_t FORMAT Native", "decompress": "1"}, body=frame)
        assert r.status == 200, d
        assert summary(r)["written_rows"] == "1"
    assert q(server, "SELECT count(), sum(a) FROM frames_t") == b"3\t126\n"
    bad = bytearray(SPEC_LZ4)
    bad[0] ^= 1
    r, d = req(server, params={"query": "INSERT INTO frames_t FORMAT Native", "decompress": "1"}, body=bytes(bad))
    assert r.getheader("X-ClickHouse-Exception-Code") == "40" and b"CHECKSUM_DOESNT_MATCH" in d


def test_compress_response_frames(server):
    r, d = req(server, params={"compress": "1", "default_format": "Native"}, body=b"SELECT toUInt8(42) AS a")
    assert d[16] == 0x82 and srv.ch_decompress(d) == bytes.fromhex("010101610555496E74382A")
    r, d = req(server, params={"compress": "1"}, body=b"SELECT number FROM numbers(300000)")
    assert srv.ch_decompress(d) == b"".join(b"%d\n" % i for i in range(300000))
    # frames inside HTTP encoding
    r, d = req(server, params={"compress": "1", "enable_http_compression": "1"},
               headers={"Accept-Encoding": "zstd"}, body=b"SELECT 7")
    assert srv.ch_decompress(decode("zstd", d)) == b"7\n"


# ---------------------------------------------------------------- mid-stream exception

def raw_request(server, path, body):
    s = socket.create_connection(server, timeout=60)
    s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n"
              % (path.encode(), basic().encode(), len(body)) + body)
    data = b""
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        data += b
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    # de-chunk; report whether the final 0-chunk arrived
    out, pos, complete = b"", 0, False
    while pos < len(rest):
        eol = rest.find(b"\r\n", pos)
        if eol < 0:
            break
        size = int(rest[pos:eol], 16)
        if size == 0:
            complete = True
            break
        out += rest[eol + 2:eol + 2 + size]
        pos = eol + 2 + size + 2
    return head.decode(), out, complete


def test_mid_stream_exception_tagged(server):
    sql = b"SELECT throwIf(number = 2500000), toString(number) FROM numbers(3000000) FORMAT Native"
    head, body, complete = raw_request(server, "/", sql)
    assert head.startswith("HTTP/1.1 200")
    tag = re.search(r"X-ClickHouse-Exception-Tag: (\w+)", head).group(1)
    assert not complete                      # stream cancelled: no final chunk
    m = re.search(rb"\r\n__exception__\r\n" + tag.encode() + rb"\r\n(.*)\n(\d+) " + tag.encode()
                  + rb"\r\n__exception__\r\n$", body, re.S)
    assert m and int(m.group(2)) == len(m.group(1)) + 1
    assert m.group(1).startswith(b"Code: 395. DB::Exception: ")
    assert len(body) > (1 << 20)


def test_mid_stream_exception_wait_end_of_query(server):
    r, d = req(server, params={"wait_end_of_query": "1"},
               body=b"SELECT throwIf(number = 2500000), toString(number) FROM numbers(3000000) FORMAT Native")
    assert r.status == 500 and r.getheader("X-ClickHouse-Exception-Code") == "395"


def test_small_output_error_is_a_status(server):
    r, d = req(server, body=b"SELECT throwIf(number = 5) FROM numbers(10)")
    assert r.status == 500 and d.startswith(b"Code: 395.")


# ---------------------------------------------------------------- end to end with chconnect

E2E = r'''
import os, sys, datetime, chconnect
url = os.environ["CHC_CHDB_URL"]
for comp in ("lz4", "zstd"):
    c = chconnect.get_client(dsn=url, compress=comp)
    assert c.server_version.startswith("26."), c.server_version
    c.command("DROP TABLE IF EXISTS e2e_t")
    c.command("CREATE TABLE e2e_t (i Int64, u UInt32, f Float64, s String, n Nullable(Int32), "
              "a Array(UInt16), d Date, t DateTime) ENGINE = MergeTree ORDER BY i")
    rows = [[i, i * 3, i / 2, "s%d" % i, None if i % 2 else i, list(range(i % 4)),
             datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
             datetime.datetime(2024, 1, 1, 12, 0, 0) + datetime.timedelta(seconds=i)] for i in range(5000)]
    s = c.insert("e2e_t", rows, column_names=["i", "u", "f", "s", "n", "a", "d", "t"])
    assert s.written_rows == 5000, s.summary
    got = c.query("SELECT * FROM e2e_t ORDER BY i").result_rows
    assert [list(r) for r in got] == rows, (got[:2], rows[:2])
    try:
        c.query("SELECT * FROM e2e_missing")
        raise SystemExit("no error")
    except chconnect.ClickHouseError as e:
        assert e.code == 60 and e.name == "UNKNOWN_TABLE", (e.code, e.name)
    c.close()
print("e2e ok")
'''


def test_end_to_end_chconnect(server):
    py = os.environ.get("CHC_E2E_PYTHON", os.path.join(HERE, "..", "..", "build", "venv", "bin", "python"))
    if not os.path.exists(py) or subprocess.run([py, "-c", "import chconnect"]).returncode != 0:
        pytest.skip("chconnect Python binding not available (%s)" % py)
    env = dict(os.environ, CHC_CHDB_URL="http://%s:%s@%s:%d/default" % (USER, PASSWORD, *server))
    p = subprocess.run([py, "-c", E2E], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=300)
    assert p.returncode == 0 and "e2e ok" in p.stdout, p.stdout
