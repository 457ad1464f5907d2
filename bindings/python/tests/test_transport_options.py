"""Transport options of get_client and the query/insert methods: query_retries, headers and
transport_settings, roles, proxies (http_proxy / https_proxy / environment) and external data.

What a real server cannot show or do on demand (the raw request line and headers, a 503 answer,
acting as a proxy) is checked through RelayDoubleRecordingRequests: a loopback HTTP server that
records every request and then answers it from a script (an HTTP status) or relays it unchanged to
the real test server. Everything else runs against the real server."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

import chconnect
from chconnect import DatabaseError, ExternalData, NotSupportedError, ProgrammingError


class RelayDoubleRecordingRequests:
    """Records each request (method, target as sent, headers, body); answers the next scripted
    statuses itself, relays every other request to the real server (also proxy-style requests
    with an absolute URL)."""

    def __init__(self, server):
        self.upstream = (server.host, server.http_port)
        self.requests = []
        self.script = []  # statuses to answer, one per request, before relaying again
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                with double.lock:
                    double.requests.append((self.command, self.path, dict(self.headers.items()), body))
                    status = double.script.pop(0) if double.script else None
                if status is not None:
                    text = b'scripted answer\n'
                    self.send_response(status)
                    self.send_header('Content-Length', str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                    return
                target = self.path
                if target.startswith('http://'):  # absolute-form: we were used as a proxy
                    parts = urlsplit(target)
                    target = parts.path + ('?' + parts.query if parts.query else '')
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ('host', 'connection', 'proxy-connection', 'keep-alive')}
                conn = http.client.HTTPConnection(*double.upstream, timeout=60)
                conn.request(self.command, target, body=body if self.command == 'POST' else None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ('transfer-encoding', 'connection', 'keep-alive', 'content-length'):
                        self.send_header(k, v)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = _handle
            do_POST = _handle

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def params(self, i):
        return parse_qsl(urlsplit(self.requests[i][1]).query, keep_blank_values=True)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def relay(server):
    double = RelayDoubleRecordingRequests(server)
    yield double
    double.close()


# The chDB stand-in (CHC_TEST_TARGET=standin) parses no multipart/form-data bodies.
external_data_test = pytest.mark.real_server_only(reason='the chDB stand-in takes no multipart external data')


def via(server, relay, **kwargs):
    """A client of the real server whose requests go through the relay double (as its endpoint)."""
    args = server.client_args(port=relay.port, compress=False)
    args.update(kwargs)
    return chconnect.get_client(**args)


# ---- query_retries ------------------------------------------------------------------------------

def test_query_retries_retry_503(server, relay):
    client = via(server, relay)  # default query_retries = 2
    assert client.query_retries == 2
    relay.script = [503, 504]
    assert client.query('SELECT sum(number) FROM numbers(10)').result_rows == [(45,)]
    # get_client's SELECT version(), then the first query's client_protocol_version probe, retried
    # like queries (503, 504, then the server's answer), then the query itself.
    assert len(relay.requests) == 1 + 3 + 1
    assert all('client_protocol_version=54405' in r[1] for r in relay.requests[1:4])
    assert 'client_protocol_version' not in relay.requests[4][1]
    relay.script = [503, 504]
    assert client.query('SELECT sum(number) FROM numbers(10)').result_rows == [(45,)]
    assert len(relay.requests) == 5 + 3  # probed once per client: now the query's 3 attempts
    # raw_query is retried as well (clickhouse-connect retries it too); command is not.
    relay.script = [429]
    assert client.raw_query('SELECT 3') == b'3\n'
    relay.script = [503]
    with pytest.raises(DatabaseError) as info:
        client.command('SELECT 4')
    assert info.value.http_status == 503
    assert client.command('SELECT 4') == 4
    client.close()


def test_query_retries_zero(server, relay):
    client = via(server, relay, query_retries=0)
    assert client.query_retries == 0
    relay.script = [503]
    with pytest.raises(DatabaseError) as info:
        client.query('SELECT 1')
    assert info.value.http_status == 503
    assert client.query('SELECT 1').result_rows == [(1,)]
    client.close()
    with pytest.raises(ProgrammingError):
        via(server, relay, query_retries=-1)
    # None means "not given", as for every other get_client argument.
    client = via(server, relay, http_proxy=None, https_proxy=None, role=None, roles=None, headers=None)
    assert client.command('SELECT 2') == 2
    client.close()


# ---- headers and transport_settings --------------------------------------------------------------

def test_headers_on_every_request(server, relay):
    client = via(server, relay, headers={'X-Chc-Py': 'client'})
    assert client.command('SELECT 1') == 1
    assert client.ping()
    assert len(relay.requests) == 3  # version, command, ping
    assert all(r[2].get('X-Chc-Py') == 'client' for r in relay.requests)
    client.close()


def test_transport_settings_per_request(server, relay, table_name):
    client = via(server, relay, headers={'X-Chc-Py': 'client'})
    client.command(f'CREATE TABLE {table_name} (x UInt32, s String) ENGINE = Memory')
    start = len(relay.requests)
    ts = {'X-Chc-Req': 'one', 'X-Chc-Py': 'request'}
    assert client.query('SELECT 2', transport_settings=ts).result_rows == [(2,)]
    assert client.command('SELECT 3', transport_settings=ts) == 3
    assert client.raw_query('SELECT 4', transport_settings=ts) == b'4\n'
    client.insert(table_name, [(1, 'a'), (2, 'b')], transport_settings=ts)
    client.raw_insert(table_name, ['x', 's'], '3\tc\n', fmt='TabSeparated', transport_settings=ts)
    with client.query_row_block_stream('SELECT 5', transport_settings=ts) as stream:
        assert [row for block in stream for row in block] == [(5,)]
    sent = relay.requests[start:]
    # the first query's client_protocol_version probe (with the query's headers), query, command,
    # raw_query, DESCRIBE + insert, raw_insert, stream
    assert len(sent) == 8
    assert 'client_protocol_version=54405' in sent[0][1]
    assert not any('client_protocol_version' in r[1] for r in sent[1:])
    for method, target, headers, body in sent:
        assert headers.get('X-Chc-Req') == 'one', target
        assert headers.get('X-Chc-Py') == 'request'
    # The next request has the client's headers only.
    assert client.query(f'SELECT count() FROM {table_name}').result_rows == [(3,)]
    assert 'X-Chc-Req' not in relay.requests[-1][2]
    assert relay.requests[-1][2].get('X-Chc-Py') == 'client'
    # A context carries them too.
    ctx = client.create_query_context('SELECT 6', transport_settings={'X-Chc-Ctx': 'c'})
    assert client.query(context=ctx).result_rows == [(6,)]
    assert relay.requests[-1][2].get('X-Chc-Ctx') == 'c'
    client.close()


@pytest.mark.parametrize('bad', [{'X-Bad': 'a\r\nX-Evil: 1'}, {'X-Bad': 'a\nb'}, {'X Bad': 'v'},
                                 {'Content-Length': '5'}, {'Transfer-Encoding': 'chunked'}])
def test_header_injection_rejected(server, client, bad):
    with pytest.raises(ProgrammingError):
        chconnect.get_client(**server.client_args(headers=bad))
    with pytest.raises(ProgrammingError):
        client.query('SELECT 1', transport_settings=bad)
    with pytest.raises(ProgrammingError):
        client.command('SELECT 1', transport_settings=bad)


@pytest.mark.real_server_only(reason='the chDB stand-in checks no credentials')
def test_headers_authenticate_at_real_server(server):
    """X-ClickHouse-User / X-ClickHouse-Key as headers replace the (wrong) Basic credentials."""
    with pytest.raises(chconnect.OperationalError):
        chconnect.get_client(**server.client_args(password='wrong'))
    client = chconnect.get_client(**server.client_args(
        password='wrong', headers={'X-ClickHouse-User': server.user, 'X-ClickHouse-Key': server.password}))
    assert client.command('SELECT 7') == 7
    client.close()


# ---- roles --------------------------------------------------------------------------------------

def test_role_request_shapes(server, relay):
    # 18.16 refuses role= (an unknown setting), so the double answers these requests itself (200)
    # and the test reads the role parameters it received.
    relay.script = [200] * 10
    client = via(server, relay, roles=['r1', 'r2 '])
    assert [v for k, v in relay.params(0) if k == 'role'] == ['r1', 'r2']
    client.command('SELECT 1', settings={'role': ['q1', 'q2']})  # replaces the client's roles
    assert [v for k, v in relay.params(1) if k == 'role'] == ['q1', 'q2']
    client.command('SELECT 1', settings={'role': 'q3'})
    assert [v for k, v in relay.params(2) if k == 'role'] == ['q3']
    client.close()
    client = via(server, relay, dsn=f'http://127.0.0.1:{relay.port}/?role=d1')
    assert [v for k, v in relay.params(3) if k == 'role'] == ['d1']
    client.close()
    client = via(server, relay, role='a, b')
    assert [v for k, v in relay.params(4) if k == 'role'] == ['a', 'b']
    client.close()


@pytest.mark.real_server_only(reason='the chDB stand-in ignores role=')
def test_role_reaches_real_server(server):
    """The parameter arrives under its name: 18.16 refuses it as an unknown setting."""
    with pytest.raises(DatabaseError) as info:
        chconnect.get_client(**server.client_args(role='chc_no_such_role'))
    assert info.value.code in (115, 511)  # 18.16: UNKNOWN_SETTING role; newer: UNKNOWN_ROLE


# ---- proxies ------------------------------------------------------------------------------------

def test_http_proxy_argument(server, relay):
    proxy = f'http://127.0.0.1:{relay.port}'
    client = chconnect.get_client(**server.client_args(http_proxy=proxy, compress=False))
    assert client.command('SELECT 8') == 8
    assert len(relay.requests) == 2
    assert relay.requests[0][1].startswith(f'http://{server.host}:{server.http_port}/?')  # proxy form
    client.close()
    # https_proxy is for https; an http client given only that one uses it all the same.
    client = chconnect.get_client(**server.client_args(https_proxy=proxy, compress=False))
    assert client.command('SELECT 9') == 9
    assert len(relay.requests) == 4
    client.close()


def test_proxy_from_environment(server, relay, monkeypatch):
    for name in ('http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY',
                 'no_proxy', 'NO_PROXY'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('http_proxy', f'http://127.0.0.1:{relay.port}')
    client = chconnect.get_client(**server.client_args(compress=False))
    assert client.command('SELECT 10') == 10
    assert len(relay.requests) == 2
    client.close()
    monkeypatch.setenv('no_proxy', server.host)
    client = chconnect.get_client(**server.client_args(compress=False))
    assert client.command('SELECT 11') == 11
    assert len(relay.requests) == 2  # direct
    client.close()


# ---- external data ------------------------------------------------------------------------------

@external_data_test
def test_external_data_query_and_command(client):
    data = ExternalData(file_name='ids', data=b'1\tone\n2\ttwo\n3\tthree\n', structure='id UInt32, name String')
    result = client.query('SELECT id, name FROM ids WHERE id >= 2 ORDER BY id', external_data=data)
    assert result.result_rows == [(2, 'two'), (3, 'three')]
    assert client.command('SELECT sum(id) FROM ids', external_data=data) == 6
    assert client.raw_query('SELECT name FROM ids ORDER BY id', fmt='CSV', external_data=data) == \
        b'"one"\n"two"\n"three"\n'
    with client.query_column_block_stream('SELECT id FROM ids ORDER BY id', external_data=data) as stream:
        assert [v for block in stream for v in block[0]] == [1, 2, 3]
    ctx = client.create_query_context('SELECT count() FROM ids', external_data=data)
    assert client.query(context=ctx).result_rows == [(3,)]


@external_data_test
def test_external_data_types_files_and_formats(client, tmp_path):
    path = tmp_path / 'scores.csv'
    path.write_bytes(b'1,0.5\n2,1.5\n')
    data = ExternalData(file_path=str(path), fmt='CSV', types=['UInt8', 'Float64'])
    assert data.files[0].name == 'scores'
    data.add_file(file_name='words.tsv', data='x\ny\n', structure=['w String'])  # str data is UTF-8
    data.add_file(file_name='js', data=b'{"k":5}\n{"k":6}\n', fmt='JSONEachRow', structure='k UInt8')
    rows = client.query('SELECT (SELECT sum(_2) FROM scores), (SELECT groupArray(w) FROM words), '
                        '(SELECT sum(k) FROM js)', external_data=data).result_rows
    assert rows == [(2.0, ['x', 'y'], 11)]


@external_data_test
def test_external_data_join_with_table(client, table_name):
    client.command(f'CREATE TABLE {table_name} (id UInt32, name String) ENGINE = Memory')
    client.insert(table_name, [(1, 'a'), (2, 'b'), (3, 'c')])
    data = ExternalData(file_name='keep', data=b'3\t30\n1\t10\n', structure='id UInt32, v UInt16')
    rows = client.query(f'SELECT id, name, v FROM {table_name} ALL INNER JOIN keep USING id ORDER BY id',
                        external_data=data).result_rows
    assert rows == [(1, 'a', 10), (3, 'c', 30)]


@external_data_test
def test_external_data_binary(client):
    native = client.raw_query("SELECT toUInt16(number) AS n, concat('\\0\\r\\n', toString(number)) AS s "
                              'FROM numbers(500) FORMAT Native')
    assert b'\0' in native
    data = ExternalData(file_name='nat', data=native, fmt='Native', structure='n UInt16, s String')
    assert client.query("SELECT count(), sum(n), countIf(s = concat('\\0\\r\\n', toString(n))) FROM nat",
                        external_data=data).result_rows == [(500, 124750, 500)]


@external_data_test
def test_external_data_errors(client):
    with pytest.raises(ProgrammingError):
        ExternalData(file_name='x', data=b'1\n')  # neither types nor structure
    with pytest.raises(ProgrammingError):
        ExternalData(file_name='x', data=b'1\n', types='UInt8', structure='a UInt8')
    with pytest.raises(ProgrammingError):
        ExternalData(data=b'1\n', types='UInt8')  # no name
    with pytest.raises(ProgrammingError):
        ExternalData(file_path='/nonexistent/file.tsv', types='UInt8')
    with pytest.raises(ProgrammingError):
        client.query('SELECT 1', external_data=ExternalData())  # no file
    bad = ExternalData(file_name='bad', data=b'1\n', structure='a NoSuchType')
    with pytest.raises(DatabaseError) as info:
        client.query('SELECT * FROM bad', external_data=bad)
    assert 'NoSuchType' in str(info.value)
    with pytest.raises(DatabaseError):
        client.command('SELECT * FROM bad', external_data=bad)
    unparsable = ExternalData(file_name='nums', data=b'abc\n', structure='a UInt32')
    with pytest.raises(DatabaseError):
        client.query('SELECT * FROM nums', external_data=unparsable)
    good = ExternalData(file_name='g', data=b'1\n', structure='a UInt8')
    with pytest.raises(ProgrammingError):
        client.command('INSERT INTO t VALUES', data=b'(1)', external_data=good)
    with pytest.raises(NotSupportedError):  # the server would take it for a table option
        client.query('SELECT * FROM g', external_data=good, settings={'date_time_input_format': 'best_effort'})
    assert client.query('SELECT a FROM g', external_data=good).result_rows == [(1,)]


@external_data_test
def test_external_data_request_shape(server, relay):
    client = via(server, relay)
    data = ExternalData(file_name='ids.tsv', data=b'1\n2\n', fmt='TabSeparated', structure='id UInt8')
    assert client.query('SELECT sum(id) FROM ids', external_data=data).result_rows == [(3,)]
    method, target, headers, body = relay.requests[-1]
    params = dict(relay.params(len(relay.requests) - 1))
    assert method == 'POST'
    assert params['query'] == 'SELECT sum(id) FROM ids'
    assert params['ids_structure'] == 'id UInt8'
    assert params['ids_format'] == 'TabSeparated'
    assert headers['Content-Type'].startswith('multipart/form-data; boundary=')
    assert b'name="ids"; filename="ids"' in body
    client.close()

