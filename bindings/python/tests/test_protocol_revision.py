"""Native protocol revision (client_protocol_version) and the top-level DateTime('tz') column.

Neither test server here writes Native at a client revision: 18.16 predates the parameter and the
chDB stand-in refuses it the same way (code 115, tests/server/chdb_README.md), so against both the
client falls back to revision 0, where the server drops a top-level DateTime's time zone. What a
current server sends at 54405 is served by ReplayDoubleAtRevision54405 below: a local HTTP double
(no ClickHouse behind it) answering with Native bytes written by hand from
shared/spec/native-format.md §2.2/§2.3, so the whole path (probe, parameter, reader, conversion)
runs end to end.
"""
import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

import chconnect

TOKYO_SQL = ("SELECT toDateTime('2024-01-01 00:00:00', 'Asia/Tokyo') AS t, "
             "toNullable(toDateTime('2024-01-01 00:00:00', 'Asia/Tokyo')) AS n")
UTC_INSTANT = datetime.datetime(2023, 12, 31, 15, 0, tzinfo=datetime.timezone.utc)


def test_top_level_datetime_at_revision_0(client):
    # 18.16 and the stand-in: the probe gets code 115, so revision 0, as before this option existed.
    result = client.query(TOKYO_SQL)
    assert [t.name for t in result.column_types] == ['DateTime', "Nullable(DateTime('Asia/Tokyo'))"]
    t, n = result.result_rows[0]
    assert t.tzinfo is None and t == UTC_INSTANT.replace(tzinfo=None)  # naive UTC: the zone was dropped
    assert n == UTC_INSTANT and n.utcoffset() == datetime.timedelta(hours=9)


def _s(text):
    b = text.encode()
    return bytes([len(b)]) + b


BLOCK_INFO = bytes.fromhex('0100 02ffffffff 00')
CHECK_BLOCK = b'\x01\x01' + _s('check') + _s('UInt8') + b'\x01'
TOKYO_VALUE = (1704034800).to_bytes(4, 'little')
TOKYO_BLOCK_54405 = (b'\x02\x01' + _s('t') + _s("DateTime('Asia/Tokyo')") + TOKYO_VALUE
                     + _s('n') + _s("Nullable(DateTime('Asia/Tokyo'))") + b'\x00' + TOKYO_VALUE)


class ReplayDoubleAtRevision54405:
    """Answers like a current server: the probe and Native queries with client_protocol_version=54405
    get BlockInfo-framed blocks, version() and timezone() get text. Records (target, body)."""

    def __init__(self):
        self.requests = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                double.requests.append((self.path, body))
                params = dict(parse_qsl(urlsplit(self.path).query))
                revision = params.get('client_protocol_version')
                if b'version()' in body:
                    out, ctype = b'26.9.2.1\n', 'text/tab-separated-values'
                elif b'timezone()' in body:
                    out, ctype = b'UTC\n', 'text/tab-separated-values'
                elif revision == '54405':
                    out = BLOCK_INFO + (CHECK_BLOCK if b'AS check' in body else TOKYO_BLOCK_54405)
                    ctype = 'application/octet-stream'
                else:
                    self.send_response(500)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header('Content-Type', ctype)
                self.send_header('X-ClickHouse-Timezone', 'UTC')
                self.send_header('Content-Length', str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def replay54405():
    double = ReplayDoubleAtRevision54405()
    yield double
    double.close()


def test_top_level_datetime_keeps_zone_at_54405(replay54405):
    client = chconnect.get_client(host='127.0.0.1', port=replay54405.port, compress=False)
    for _ in range(2):
        result = client.query(TOKYO_SQL)
        assert [t.name for t in result.column_types] == ["DateTime('Asia/Tokyo')", "Nullable(DateTime('Asia/Tokyo'))"]
        t, n = result.result_rows[0]
        assert t == UTC_INSTANT and t.utcoffset() == datetime.timedelta(hours=9)
        assert str(t.tzinfo) == 'Asia/Tokyo'
        assert n == t
    probes = [target for target, body in replay54405.requests if b'AS check' in body]
    queries = [target for target, body in replay54405.requests if body.startswith(b"SELECT toDateTime")]
    assert len(probes) == 1 and 'client_protocol_version=54405' in probes[0]  # once per client
    assert len(queries) == 2 and all('client_protocol_version=54405' in q for q in queries)
    client.close()


def test_protocol_revision_option(server, replay54405):
    # get_client(protocol_revision=...): 'auto' (default) probes; 0 never sends the parameter;
    # 54405 always does (18.16 answers 115, with a hint); anything else is refused at once.
    client = chconnect.get_client(host='127.0.0.1', port=replay54405.port, compress=False, protocol_revision=0)
    with pytest.raises(chconnect.DatabaseError):
        client.query(TOKYO_SQL)  # the double answers only requests at 54405
    assert [body for _, body in replay54405.requests if body.startswith(b'SELECT toDateTime')]
    assert not [target for target, _ in replay54405.requests if 'client_protocol_version' in target]
    client.close()
    with chconnect.get_client(**server.client_args(protocol_revision=0)) as zero:
        assert zero.query(TOKYO_SQL).column_types[0].name == 'DateTime'  # revision 0 drops the zone
    with chconnect.get_client(**server.client_args(protocol_revision=54405)) as forced:
        with pytest.raises(chconnect.DatabaseError, match='protocol_revision') as err:
            forced.query('SELECT 1')
        assert err.value.code == 115
        assert forced.command('SELECT 42') == 42  # commands never carry it
    with pytest.raises(chconnect.ProgrammingError, match='protocol_revision'):
        chconnect.get_client(**server.client_args(protocol_revision='sometimes'))
