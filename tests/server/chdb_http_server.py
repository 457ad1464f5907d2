#!/usr/bin/env python3
"""chDB HTTP stand-in: a small HTTP front end over chDB (PyPI `chdb-core`, the ClickHouse 26.x
engine in-process) that STANDS IN for a current ClickHouse server's HTTP interface.

It is NOT ClickHouse's HTTP handler. Only the old 18.16 server is installable here, so this
program lets integration tests exercise a current engine (26.x SQL, types, Native output, error
texts) behind an emulation of the current HTTP protocol, as described in
/work/shared/spec/http-interface.md. Everything the engine does (SQL, formats, settings, error
codes and messages, query parameters) is chDB's own; everything HTTP (status codes, headers,
compression, sessions, auth, error framing) is emulated here. See chdb_README.md for the list of
emulated and not emulated behaviours.

Usage:  python3 chdb_http_server.py --port 0 --data DIR [--port-file F] [--user default]
                                   [--password chc_test_pw] [--keep-alive-timeout 30]
Needs: chdb-core, lz4, zstandard, clickhouse-cityhash.
"""
import argparse
import base64
import bz2
import gzip
import json
import lzma
import os
import re
import secrets
import socket
import string
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The engine's server time zone comes from TZ when chDB loads; a test server runs in UTC.
os.environ["TZ"] = os.environ.get("CHC_CHDB_TZ", "UTC")
import chdb  # noqa: E402
import lz4.block  # noqa: E402
import lz4.frame  # noqa: E402
import zstandard  # noqa: E402
from clickhouse_cityhash.cityhash import CityHash128  # noqa: E402

try:  # optional: `br` is offered only when the brotli package is present
    import brotli  # type: ignore
except ImportError:  # pragma: no cover
    brotli = None

STANDIN_NAME = "chdb-standin"
DISPLAY_NAME = "chconnect-chdb-standin"

# One lock around every chDB call: the embedded engine and its connections are not documented as
# thread-safe, and the HTTP server is threaded.
CHDB_LOCK = threading.Lock()

# ---------------------------------------------------------------------------------------------
# Error codes and HTTP status (spec 9.1)
# ---------------------------------------------------------------------------------------------
STATUS_BY_NAME = {}
for _n in ("BAD_ARGUMENTS SYNTAX_ERROR CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE "
           "CANNOT_PARSE_QUOTED_STRING CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_DATE "
           "CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER CANNOT_PARSE_UUID CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING "
           "CANNOT_PARSE_BOOL CANNOT_PARSE_IPV4 CANNOT_PARSE_IPV6 INCORRECT_DATA TYPE_MISMATCH "
           "DUPLICATE_COLUMN ILLEGAL_COLUMN THERE_IS_NO_COLUMN VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE "
           "TOO_DEEP_AST TOO_BIG_AST CANNOT_COMPILE_REGEXP BAD_QUERY_PARAMETER "
           "UNKNOWN_QUERY_PARAMETER").split():
    STATUS_BY_NAME[_n] = 400
STATUS_BY_NAME["REQUIRED_PASSWORD"] = 401
for _n in "UNKNOWN_USER WRONG_PASSWORD AUTHENTICATION_FAILED ACCESS_DENIED SET_NON_GRANTED_ROLE".split():
    STATUS_BY_NAME[_n] = 403
for _n in ("UNKNOWN_TABLE UNKNOWN_DATABASE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE "
           "UNKNOWN_SETTING UNKNOWN_FORMAT UNKNOWN_STORAGE UNKNOWN_ROLE UNKNOWN_AGGREGATE_FUNCTION "
           "UNKNOWN_ELEMENT_IN_CONFIG UNKNOWN_TABLE_FUNCTION UNKNOWN_DICTIONARY "
           "SESSION_NOT_FOUND").split():
    STATUS_BY_NAME[_n] = 404
STATUS_BY_NAME.update({"TIMEOUT_EXCEEDED": 408, "HTTP_LENGTH_REQUIRED": 411,
                       "QUERY_IS_TOO_LARGE": 413, "UNSUPPORTED_MEDIA_TYPE": 415,
                       "NOT_IMPLEMENTED": 501, "SOCKET_TIMEOUT": 503, "CANNOT_OPEN_FILE": 503,
                       "CANNOT_SCHEDULE_TASK": 503})

_CODE_RE = re.compile(r"Code: (\d+)\. DB::Exception: ")
_NAME_RE = re.compile(r"\(([A-Z][A-Z0-9_]+)\)\s*$")


class CHError(Exception):
    """An error in ClickHouse's form: code, symbolic name, message (without `Code: N.` prefix)."""

    def __init__(self, code, name, text):
        super().__init__(text)
        self.code, self.name, self.text = code, name, text


def error_from_chdb(exc):
    """Normalise a chDB exception text to (code, name, 'DB::Exception: ... (NAME)').

    chDB sometimes wraps: 'Streaming query failed: Code: N. ...' or, for SETTINGS errors,
    'Code: 115. DB::Exception: Code: 115. DB::Exception: X (version 26..). (UNKNOWN_SETTING)'.
    The innermost 'Code: N. DB::Exception:' is used and any '(version ...)' suffix removed."""
    msg = str(exc).strip()
    starts = [m for m in _CODE_RE.finditer(msg)]
    if not starts:
        return CHError(1001, "STD_EXCEPTION", "DB::Exception: %s. (STD_EXCEPTION)" % msg)
    m = starts[-1]
    code = int(m.group(1))
    rest = msg[m.start():]
    vi = rest.find(" (version ")
    if vi >= 0:
        rest = rest[:vi]
    nm = _NAME_RE.search(rest)
    name = nm.group(1) if nm else "UNKNOWN_EXCEPTION"
    if not nm:
        rest += " (%s)" % name
    text = rest[len(m.group(0)) - len("DB::Exception: "):]
    return CHError(code, name, text)


def ch_error(code, name, message):
    return CHError(code, name, "DB::Exception: %s. (%s)" % (message, name))


# ---------------------------------------------------------------------------------------------
# ClickHouse compressed frames (spec 7.2)
# ---------------------------------------------------------------------------------------------
MAX_COMPRESSED = 1 << 30
METHOD_NONE, METHOD_LZ4, METHOD_ZSTD = 0x02, 0x82, 0x90


def cityhash128_bytes(data):
    v = CityHash128(data)  # clickhouse-cityhash returns (low64 << 64) | high64
    return struct.pack("<QQ", v >> 64, v & 0xFFFFFFFFFFFFFFFF)


def ch_compress(data, method=METHOD_LZ4, frame_size=1 << 20):
    out = []
    for off in range(0, max(len(data), 1), frame_size):
        piece = data[off:off + frame_size]
        if not piece and off:
            break
        if method == METHOD_LZ4:
            payload = lz4.block.compress(piece, store_size=False)
        elif method == METHOD_ZSTD:
            payload = zstandard.ZstdCompressor(level=1).compress(piece)
        else:
            payload = piece
        hdr = struct.pack("<BII", method, len(payload) + 9, len(piece))
        out.append(cityhash128_bytes(hdr + payload) + hdr + payload)
    return b"".join(out)


def ch_decompress(data):
    out, pos, first_method = [], 0, None
    while pos < len(data):
        if len(data) - pos < 25:
            raise ch_error(33, "CANNOT_READ_ALL_DATA", "Cannot read all data of a compressed frame header")
        checksum = data[pos:pos + 16]
        method, csize, usize = struct.unpack_from("<BII", data, pos + 16)
        if csize < 9 or csize > MAX_COMPRESSED:
            raise ch_error(271, "CANNOT_DECOMPRESS", "Too large size_compressed_without_checksum: %d" % csize)
        if pos + 16 + csize > len(data):
            raise ch_error(33, "CANNOT_READ_ALL_DATA", "Cannot read all data of a compressed frame")
        frame = data[pos + 16:pos + 16 + csize]
        if cityhash128_bytes(frame) != checksum:
            raise ch_error(40, "CHECKSUM_DOESNT_MATCH",
                           "Checksum doesn't match: corrupted data. Size of compressed block: %d" % csize)
        if first_method is None:
            first_method = method
        elif method != first_method:
            raise ch_error(271, "CANNOT_DECOMPRESS", "Data compressed with different methods")
        payload = frame[9:]
        try:
            if method == METHOD_LZ4:
                piece = lz4.block.decompress(payload, uncompressed_size=usize)
            elif method == METHOD_ZSTD:
                piece = zstandard.ZstdDecompressor().decompress(payload, max_output_size=usize)
            elif method == METHOD_NONE:
                piece = payload
            else:
                raise ch_error(89, "UNKNOWN_COMPRESSION_METHOD", "Unknown compression method: %d" % method)
        except CHError:
            raise
        except Exception as e:
            raise ch_error(271, "CANNOT_DECOMPRESS", "Cannot decompress: %s" % e)
        if len(piece) != usize:
            raise ch_error(271, "CANNOT_DECOMPRESS", "Cannot decompress: wrong uncompressed size")
        out.append(piece)
        pos += 16 + csize
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# HTTP content encodings (spec 7.1)
# ---------------------------------------------------------------------------------------------
SERVER_ENCODING_ORDER = ["zstd", "br", "lz4", "snappy", "gzip", "deflate", "xz", "bz2"]


def encode_body(enc, data):
    if enc == "gzip":
        return gzip.compress(data, compresslevel=3)
    if enc == "deflate":
        return zlib.compress(data, 3)
    if enc == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(data)
    if enc == "lz4":
        return lz4.frame.compress(data)
    if enc == "xz":
        return lzma.compress(data)
    if enc == "bz2":
        return bz2.compress(data)
    if enc == "br" and brotli is not None:
        return brotli.compress(data)
    raise ValueError(enc)


def decode_body(enc, data):
    enc = enc.strip().lower()
    try:
        if enc in ("", "identity"):
            return data
        if enc in ("gzip", "x-gzip"):
            return gzip.decompress(data)
        if enc == "deflate":
            return zlib.decompress(data)
        if enc == "zstd":
            return zstandard.ZstdDecompressor().decompressobj().decompress(data)
        if enc == "lz4":
            return lz4.frame.decompress(data)
        if enc == "xz":
            return lzma.decompress(data)
        if enc == "bz2":
            return bz2.decompress(data)
        if enc == "br" and brotli is not None:
            return brotli.decompress(data)
    except Exception as e:
        raise ch_error(271, "CANNOT_DECOMPRESS", "Cannot decompress request body (%s): %s" % (enc, e))
    raise ch_error(1, "UNSUPPORTED_METHOD", "Unknown Content-Encoding of HTTP request: %s" % enc)


def supported_encodings():
    return [e for e in SERVER_ENCODING_ORDER if e != "snappy" and (e != "br" or brotli is not None)]


def pick_encoding(accept):
    accept = (accept or "").lower()
    for e in supported_encodings():
        if e in accept:
            return e
    return None


# ---------------------------------------------------------------------------------------------
# SQL helpers
# ---------------------------------------------------------------------------------------------
RESERVED = {"query", "compress", "decompress", "user", "password", "quota_key", "query_id",
            "stacktrace", "role", "buffer_size", "wait_end_of_query", "session_id",
            "session_timeout", "session_check", "close_session", "client_protocol_version",
            "database", "default_format"}

_INSERT_RE = re.compile(rb"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*INSERT\s", re.I | re.S)
_FORMAT_RE = re.compile(rb"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)", re.I)
_TRAILING_FORMAT_RE = re.compile(r"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$", re.I)
# Formats whose outputs can be concatenated chunk by chunk (see execute()).
_CONCATENABLE_FORMATS = tuple(f.lower() for f in (
    "Native", "TabSeparated", "TSV", "CSV", "JSONEachRow", "JSONCompactEachRow", "JSONStringsEachRow",
    "JSONCompactStringsEachRow", "JSONLines", "NDJSON", "RowBinary", "Values", "LineAsString", "RawBLOB",
    "CustomSeparated", "Null"))

CONTENT_TYPES = {
    "TabSeparated": "text/tab-separated-values; charset=UTF-8",
    "TSV": "text/tab-separated-values; charset=UTF-8",
    "TabSeparatedWithNames": "text/tab-separated-values; charset=UTF-8",
    "TabSeparatedWithNamesAndTypes": "text/tab-separated-values; charset=UTF-8",
    "CSV": "text/csv; charset=UTF-8; header=absent",
    "CSVWithNames": "text/csv; charset=UTF-8; header=present",
    "JSON": "application/json; charset=UTF-8",
    "JSONEachRow": "application/x-ndjson; charset=UTF-8",
    "JSONCompact": "application/json; charset=UTF-8",
    "Native": "application/octet-stream",
    "RowBinary": "application/octet-stream",
    "RowBinaryWithNamesAndTypes": "application/octet-stream",
    "Parquet": "application/octet-stream",
    "Arrow": "application/octet-stream",
    "ArrowStream": "application/octet-stream",
}


def split_statements_error(sql):
    """Return the position of a second statement (multi-statement), or None.

    chDB itself accepts 'SELECT 1; SELECT 2' (and runs both); a real server rejects it. This is a
    small lexer aware of quotes, back-quotes and comments."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n and sql[j] != c:
                j += 2 if sql[j] == "\\" else 1
            i = j + 1
        elif sql.startswith("--", i) or c == "#":
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ";":
            rest = sql[i + 1:]
            if rest.strip():
                return i + 1
            return None
        else:
            i += 1
    return None


def sql_quote(v):
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def split_insert(text):
    """For `INSERT ... FORMAT X<ws>data`: return (query_without_format, format, data) or None."""
    if not _INSERT_RE.match(text[:4096]):
        return None
    m = _FORMAT_RE.search(text, 0, min(len(text), 262144))
    if not m:
        return None
    query = text[:m.start()].decode("utf-8", "replace")
    fmt = m.group(1).decode()
    pos = m.end()
    # "Data starts after the first newline, if there is one, or after all the whitespace
    # characters, otherwise." (ClickHouse ParserInsertQuery)
    j = pos
    while j < len(text) and text[j:j + 1] in (b" ", b"\t", b"\r", b"\n", b"\f"):
        if text[j:j + 1] == b"\n":
            j += 1
            break
        j += 1
    return query, fmt, text[j:]


def new_tag():
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16))


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------
class Session:
    def __init__(self, conn, timeout):
        self.conn = conn
        self.timeout = timeout
        self.last = time.monotonic()
        self.busy = threading.Lock()


class Engine:
    def __init__(self, path):
        self.path = path
        self.sessions = {}
        self.sessions_lock = threading.Lock()
        self.running_ids = set()
        self.ids_lock = threading.Lock()
        with CHDB_LOCK:
            # chDB shuts its embedded server down when the last connection closes (Memory tables
            # vanish), so one anchor connection stays open for the life of the process.
            self.anchor = chdb.connect(path)
            r = self.anchor.query("SELECT version(), timezone()", "TabSeparated")
            self.version, self.timezone = r.bytes().decode().strip().split("\t")

    def connect(self):
        with CHDB_LOCK:
            return chdb.connect(self.path)

    def close_conn(self, conn):
        with CHDB_LOCK:
            try:
                conn.close()
            except Exception:
                pass

    def expire_sessions(self):
        now = time.monotonic()
        with self.sessions_lock:
            dead = [k for k, s in self.sessions.items()
                    if now - s.last > s.timeout and not s.busy.locked()]
            for k in dead:
                s = self.sessions.pop(k)
                self.close_conn(s.conn)

    def get_session(self, sid, timeout, check):
        self.expire_sessions()
        with self.sessions_lock:
            s = self.sessions.get(sid)
            if s is None:
                if check:
                    raise ch_error(372, "SESSION_NOT_FOUND", "Session %s not found" % sid)
                s = Session(self.connect(), timeout)
                self.sessions[sid] = s
            s.timeout = timeout
            return s

    def drop_session(self, sid):
        with self.sessions_lock:
            s = self.sessions.pop(sid, None)
        if s is not None:
            self.close_conn(s.conn)


# ---------------------------------------------------------------------------------------------
# Request handler
# ---------------------------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chdb-standin"
    sys_version = ""

    # set by main()
    engine = None
    user = "default"
    password = ""
    keep_alive_timeout = 30
    stream_threshold = 1 << 20  # bytes of output after which headers count as sent (see README)

    def log_message(self, fmt, *args):  # quiet unless CHC_CHDB_VERBOSE
        if os.environ.get("CHC_CHDB_VERBOSE"):
            sys.stderr.write("[chdb-standin] " + (fmt % args) + "\n")

    def setup(self):
        super().setup()
        self.request.settimeout(self.keep_alive_timeout)

    # ----- plumbing -----
    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            parts = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("eof in chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(parts)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return None
        return self.rfile.read(int(cl))

    def send_simple(self, status, body, ctype="text/html; charset=UTF-8"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Keep-Alive", "timeout=%d, max=10000" % self.keep_alive_timeout)
        self.send_header("X-ClickHouse-Server-Display-Name", DISPLAY_NAME)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def write_chunked(self, data, finish=True, chunk=1 << 16):
        use_chunked = self.request_version != "HTTP/1.0"
        for off in range(0, len(data), chunk):
            piece = data[off:off + chunk]
            if use_chunked:
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            else:
                self.wfile.write(piece)
        if finish and use_chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # ----- verbs -----
    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        if path.endswith("/ping"):
            self.send_simple(200, b"Ok.\n")
            return
        if path.endswith("/replicas_status"):
            self.send_simple(200, b"Ok.\n")
            return
        params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        params = [(k, v) for k, v in params if k]
        has_query = any(k == "query" for k, _ in params)
        if self.command in ("GET", "HEAD") and not has_query:
            self.send_simple(200, b"Ok.\n")
            return
        self.handle_query(params)

    # ----- query -----
    def authenticate(self, p):
        auth = self.headers.get("Authorization")
        hu, hk = self.headers.get("X-ClickHouse-User"), self.headers.get("X-ClickHouse-Key")
        pu, pp = p.get("user"), p.get("password")
        methods = sum(x for x in (auth is not None, hu is not None or hk is not None,
                                  pu is not None or pp is not None))
        if methods > 1:
            raise ch_error(516, "AUTHENTICATION_FAILED",
                           "Invalid authentication: it is not allowed to use Authorization HTTP "
                           "header and authentication via parameters simultaneously")
        user, pw = "default", ""
        if auth is not None:
            scheme, _, cred = auth.partition(" ")
            if scheme.lower() != "basic":
                raise ch_error(516, "AUTHENTICATION_FAILED",
                               "Invalid authentication: '%s' HTTP Authorization scheme is not supported" % scheme)
            try:
                user, _, pw = base64.b64decode(cred.strip()).decode("utf-8").partition(":")
            except Exception:
                raise ch_error(516, "AUTHENTICATION_FAILED", "Invalid authentication: malformed Basic credentials")
        elif hu is not None or hk is not None:
            user, pw = hu or "default", hk or ""
        elif pu is not None or pp is not None:
            user, pw = pu or "default", pp or ""
        if user != self.user or pw != self.password:
            raise ch_error(516, "AUTHENTICATION_FAILED",
                           "%s: Authentication failed: password is incorrect, or there is no user "
                           "with such name" % user)
        return user

    def handle_query(self, plist):
        t0 = time.monotonic_ns()
        p = {}
        for k, v in plist:
            p[k] = v  # last one wins
        tag = new_tag()
        query_id = p.get("query_id") or self.headers.get("X-ClickHouse-Query-Id") or str(uuid.uuid4())
        default_format = self.headers.get("X-ClickHouse-Format") or p.get("default_format") or "TabSeparated"
        ctx = {"tag": tag, "query_id": query_id, "format": default_format,
               "encoding": None, "compress": p.get("compress") in ("1", "true"),
               "t0": t0}
        if p.get("enable_http_compression") in ("1", "true"):
            ctx["encoding"] = pick_encoding(self.headers.get("Accept-Encoding"))
        session = None
        registered_id = False
        try:
            # body
            body = b""
            if self.command == "POST":
                body = self.read_body()
                if body is None:
                    raise ch_error(
                        381, "HTTP_LENGTH_REQUIRED",
                        "The Transfer-Encoding is not chunked and there is no Content-Length header for POST request")
            self.authenticate(p)
            ce = self.headers.get("Content-Encoding")
            if ce:
                body = decode_body(ce, body)
            if p.get("decompress") in ("1", "true"):
                body = ch_decompress(body)
            if "client_protocol_version" in p:
                # chDB writes Native only at revision 0 (the revision is set on the query context
                # by ClickHouse's HTTP handler, not by any setting), so the stand-in answers like a
                # server that predates the parameter (18.16), instead of ignoring it.
                raise ch_error(115, "UNKNOWN_SETTING", "Unknown setting 'client_protocol_version': "
                               "this stand-in cannot write Native at a client protocol revision")
            q = p.get("query")
            text = ((q + "\n").encode("utf-8") if q is not None else b"") + body
            if not text.strip():
                raise ch_error(62, "SYNTAX_ERROR", "Empty query")

            with self.engine.ids_lock:
                if query_id in self.engine.running_ids and p.get("replace_running_query") not in ("1", "true"):
                    raise ch_error(216, "QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING",
                                   "Query with id = %s is already running" % query_id)
                self.engine.running_ids.add(query_id)
                registered_id = True

            settings = [(k, v) for k, v in plist
                        if k not in RESERVED and not k.startswith("param_")]
            qparams = {k[6:]: v for k, v in plist if k.startswith("param_")}
            # X-ClickHouse-Timezone follows a session_timezone given with the request (a server
            # reports DateLUT's zone, which is the session's when set).
            zones = [v for k, v in settings if k == "session_timezone"]
            if zones and zones[-1]:
                ctx["timezone"] = zones[-1]
            database = self.headers.get("X-ClickHouse-Database") or p.get("database")
            sid = p.get("session_id")
            if sid:
                try:
                    timeout = int(p.get("session_timeout", "60"))
                except ValueError:
                    raise ch_error(69, "ARGUMENT_OUT_OF_BOUND", "Invalid session timeout: '%s'" % p.get("session_timeout"))
                if timeout > 3600:
                    raise ch_error(69, "ARGUMENT_OUT_OF_BOUND",
                                   "Session timeout '%d' is larger than max_session_timeout: 3600. "
                                   "Maximum session timeout could be modified in configuration file." % timeout)
                session = self.engine.get_session(sid, timeout, p.get("session_check") in ("1", "true"))
                # The previous request of the session releases the lock only after its response
                # went out, so a client's next request can arrive a moment earlier: wait briefly
                # before calling it concurrent (a real server releases it as the query ends).
                if not session.busy.acquire(timeout=2.0):
                    session = None
                    raise ch_error(373, "SESSION_IS_LOCKED", "Session %s is locked by a concurrent client" % sid)
            self.run(text, ctx, session, settings, qparams, database, p)
        except CHError as e:
            self.send_error_response(e, ctx)
        except (ConnectionError, socket.timeout, BrokenPipeError):
            self.close_connection = True
        except Exception as e:  # a bug of the stand-in: answer like a server would
            self.send_error_response(ch_error(1001, "STD_EXCEPTION", "chdb-standin: %r" % e), ctx)
        finally:
            if registered_id:
                with self.engine.ids_lock:
                    self.engine.running_ids.discard(query_id)
            if session is not None:
                session.last = time.monotonic()
                session.busy.release()
                if p.get("close_session") in ("1", "true"):
                    self.engine.drop_session(p.get("session_id"))

    def run(self, text, ctx, session, settings, qparams, database, p):
        conn = session.conn if session else self.engine.connect()
        restore = []
        try:
            with CHDB_LOCK:
                # --- per-request context: database, settings, readonly for GET ---
                if database:
                    if session:
                        cur = conn.query("SELECT currentDatabase()", "TabSeparated").bytes().decode().strip()
                        restore.append("USE `%s`" % cur.replace("`", "\\`"))
                    self.chq(conn, "USE `%s`" % database.replace("`", "\\`"))
                if settings and session:
                    names = ",".join(sql_quote(k) for k, _ in settings)
                    rows = conn.query("SELECT name, value, changed FROM system.settings WHERE name IN (%s)" % names,
                                      "TabSeparated").bytes().decode().splitlines()
                    for row in rows:
                        name, value, changed = row.split("\t")
                        if changed == "1":
                            restore.append("SET %s = %s" % (name, sql_quote(value)))
                        else:
                            restore.append("SET %s = DEFAULT" % name)
                for k, v in settings:
                    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k):
                        raise ch_error(115, "UNKNOWN_SETTING", "Unknown setting '%s'" % k)
                    self.chq(conn, "SET %s = %s" % (k, sql_quote(v)))
                if self.command in ("GET", "HEAD") and not session:
                    ro = dict(settings).get("readonly", "0")
                    if ro in ("0", ""):
                        self.chq(conn, "SET readonly = 2")
                result = self.execute(conn, text, ctx, qparams)
        finally:
            if restore:
                with CHDB_LOCK:
                    for stmt in reversed(restore):
                        try:
                            conn.query(stmt, "TabSeparated")
                        except Exception:
                            pass
            if not session:
                self.engine.close_conn(conn)
        self.send_result(ctx, *result)

    @staticmethod
    def chq(conn, sql, fmt="TabSeparated", params=None):
        try:
            return conn.query(sql, fmt, params=params) if params else conn.query(sql, fmt)
        except Exception as e:
            raise error_from_chdb(e)

    def execute(self, conn, text, ctx, qparams):
        """Runs the query (CHDB_LOCK held). Returns (chunks, stats, error_after_output)."""
        stats = {"read_rows": 0, "read_bytes": 0, "written_rows": 0, "written_bytes": 0,
                 "total_rows_to_read": 0, "result_rows": 0, "result_bytes": 0}
        ins = split_insert(text)
        if ins is not None:
            query, fmt, data = ins
            try:
                w = conn.send_insert(query, fmt)
                try:
                    if data:
                        w.append(data)
                    r = w.finish()
                except Exception:
                    try:
                        w.cancel()
                    except Exception:
                        pass
                    raise
            except Exception as e:
                raise error_from_chdb(e)
            stats["written_rows"], stats["written_bytes"] = r.rows_written, r.bytes_written
            return [], stats, None

        try:
            sql = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ch_error(62, "SYNTAX_ERROR", "Query is not valid UTF-8")
        if len(sql.encode()) > 262144:
            raise ch_error(62, "SYNTAX_ERROR",
                           "Syntax error: failed at position 262145: Max query size exceeded")
        pos = split_statements_error(sql)
        if pos is not None:
            raise ch_error(62, "SYNTAX_ERROR",
                           "Syntax error (Multi-statements are not allowed): failed at position %d (end of query)" % (pos + 1))
        m = _TRAILING_FORMAT_RE.search(sql)
        if m and not re.match(r"^\s*INSERT\s", sql, re.I):
            ctx["format"] = m.group(1)
        fmt = ctx["format"]
        chunks, error = [], None
        # chDB's streamed chunks are each a complete document of the format: concatenated, that
        # is only valid for row formats (and Native, whose blocks follow one another). Other
        # formats (Arrow, ArrowStream, Parquet, JSON, ...) are produced in one piece.
        whole = not fmt.lower().startswith(_CONCATENABLE_FORMATS)

        def account(r):
            stats["read_rows"] += r.storage_rows_read()
            stats["read_bytes"] += r.storage_bytes_read()
            stats["result_rows"] += r.rows_read()
            stats["result_bytes"] += r.bytes_read()
            try:
                stats["written_rows"] += r.rows_written()
                stats["written_bytes"] += r.bytes_written()
            except Exception:
                pass

        sr = None
        if not whole:
            try:
                sr = conn.send_query(sql, fmt, params=qparams) if qparams else conn.send_query(sql, fmt)
            except Exception as e:
                if "Streaming query is not supported" not in str(e):
                    raise error_from_chdb(e)
        if sr is None:  # one piece: a one-document format, or a statement chDB cannot stream
            r = self.chq(conn, sql, fmt, qparams)
            account(r)
            chunks.append(r.bytes())
        else:
            try:
                for r in sr:
                    account(r)
                    chunks.append(r.bytes())
            except Exception as e:
                error = error_from_chdb(e)
                try:
                    sr.close()
                except Exception:
                    pass
        stats["total_rows_to_read"] = stats["read_rows"]
        out = sum(len(c) for c in chunks)
        if error is not None and (out < self.stream_threshold
                                  or ctx.get("wait_end") or self.wait_end_of_query()):
            raise error
        return chunks, stats, error

    def wait_end_of_query(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        return (q.get("wait_end_of_query", ["0"])[-1] in ("1", "true")
                or q.get("http_wait_end_of_query", ["0"])[-1] in ("1", "true"))

    # ----- responses -----
    def common_headers(self, ctx):
        self.send_header("X-ClickHouse-Server-Display-Name", DISPLAY_NAME)
        self.send_header("X-ClickHouse-Query-Id", ctx["query_id"])
        self.send_header("X-ClickHouse-Format", ctx["format"])
        self.send_header("X-ClickHouse-Timezone", ctx.get("timezone") or self.engine.timezone)
        self.send_header("X-ClickHouse-Exception-Tag", ctx["tag"])
        self.send_header("Keep-Alive", "timeout=%d, max=10000" % self.keep_alive_timeout)
        if ctx["encoding"]:
            self.send_header("Content-Encoding", ctx["encoding"])
        if self.request_version != "HTTP/1.0":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True

    def wrap(self, ctx, data):
        if ctx["compress"]:
            data = ch_compress(data)
        if ctx["encoding"]:
            data = encode_body(ctx["encoding"], data)
        return data

    def summary(self, ctx, stats):
        s = dict(stats)
        s["elapsed_ns"] = time.monotonic_ns() - ctx["t0"]
        s["memory_usage"] = 0
        return json.dumps({k: str(v) for k, v in s.items()}, separators=(",", ":"))

    def send_result(self, ctx, chunks, stats, error):
        data = b"".join(chunks)
        if error is not None:
            msg = ("Code: %d. %s (version %s (%s))\n" % (error.code, error.text, self.engine.version,
                                                        STANDIN_NAME)).encode()
            msg = msg[:16000]
            t = ctx["tag"].encode()
            data += (b"\r\n__exception__\r\n" + t + b"\r\n" + msg + b"%d " % len(msg) + t
                     + b"\r\n__exception__\r\n")
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES.get(ctx["format"], "text/plain; charset=UTF-8"))
        self.common_headers(ctx)
        self.send_header("X-ClickHouse-Summary", self.summary(ctx, stats))
        self.end_headers()
        if self.command == "HEAD":
            self.wfile.flush()
            return
        body = self.wrap(ctx, data)
        if error is not None:
            # 25.11+ cancels the stream after the exception block: no final chunk, connection closed.
            self.write_chunked(body, finish=False)
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        else:
            self.write_chunked(body)

    def send_error_response(self, e, ctx):
        status = STATUS_BY_NAME.get(e.name, 500)
        msg = ("Code: %d. %s (version %s (%s))\n" % (e.code, e.text, self.engine.version, STANDIN_NAME)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("X-ClickHouse-Exception-Code", str(e.code))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="ClickHouse server HTTP API"')
        self.common_headers(ctx)
        self.end_headers()
        if self.command == "HEAD":
            self.wfile.flush()
            return
        self.write_chunked(self.wrap(ctx, msg))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--data", required=True, help="chDB data directory (persistent)")
    ap.add_argument("--user", default="default")
    ap.add_argument("--password", default="chc_test_pw")
    ap.add_argument("--keep-alive-timeout", type=int, default=30)
    a = ap.parse_args()

    Handler.engine = Engine(a.data)
    Handler.user, Handler.password = a.user, a.password
    Handler.keep_alive_timeout = a.keep_alive_timeout

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    sys.stderr.write("[chdb-standin] chDB %s listening on %s:%d, data %s\n"
                     % (Handler.engine.version, a.host, port, a.data))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
