"""show_clickhouse_errors, server sessions (session_id, autogenerate_session_id) and
chconnect.common. Server error texts differ between 18.16 and current servers (18.16 has no
exception name and no version trailer): the assertions are on structure, not exact text."""

import gc
import re
import threading
import uuid

import pytest

import chconnect
from chconnect import common
from chconnect.exceptions import DatabaseError, NotSupportedError, ProgrammingError, StreamFailureError

_TRAILER = re.compile(r'\(version [^()]*(\([^()]*\))?\)\s*$')
_MID_STREAM = 'SELECT number, throwIf(number = 300000) FROM system.numbers LIMIT 1000000'


def _client(server, **kwargs):
    return chconnect.get_client(**server.client_args(**kwargs))


def _fail_query(c):
    c.query('SELECT throwIf(1)')


def _fail_command(c):
    c.command('SELECT * FROM chc_no_such_table_e1')


def _fail_raw_query(c):
    c.raw_query('SELECT * FROM chc_no_such_table_e1')


def _fail_insert(c):
    c.insert('chc_no_such_table_e1', [[1]])


def _fail_stream(c):
    with c.query_rows_stream(_MID_STREAM, settings={'max_block_size': 1000}) as stream:
        for _ in stream:
            pass


def _fail_arrow(c):
    pytest.importorskip('pyarrow')
    c.query_arrow(_MID_STREAM, settings={'max_block_size': 1000})


# (call, expected server code, a piece of the server's text that must be hidden by False)
_CASES = {
    'query': (_fail_query, 395, 'throwIf'),
    'command': (_fail_command, 60, 'chc_no_such_table_e1'),
    'raw_query': (_fail_raw_query, 60, 'chc_no_such_table_e1'),
    'insert': (_fail_insert, 60, 'chc_no_such_table_e1'),
    'stream': (_fail_stream, 395, 'throwIf'),
    'arrow_stream': (_fail_arrow, 395, 'throwIf'),
}


def _error(server, mode, case):
    call = _CASES[case][0]
    c = _client(server, show_clickhouse_errors=mode)
    try:
        with pytest.raises(DatabaseError) as info:
            call(c)
        assert c.command('SELECT 1') == 1  # the client is still usable
    finally:
        c.close()
    return info.value


@pytest.mark.parametrize('case', sorted(_CASES))
def test_show_clickhouse_errors_modes(server, case):
    _, code, server_text = _CASES[case]
    full = _error(server, True, case)
    scrubbed = _error(server, 'scrub', case)
    generic = _error(server, False, case)

    # True (default): the server's whole text, code from the server.
    assert full.code == code
    assert server_text in str(full) and f'Code: {code}' in str(full)
    # 'scrub': the same text without the server's version trailer (18.16 sends none).
    assert type(scrubbed) is type(full)
    assert str(scrubbed) == _TRAILER.sub('', str(full)).rstrip()
    assert not _TRAILER.search(str(scrubbed))
    assert server_text in str(scrubbed)
    # False: a generic message; the structured attributes stay.
    assert type(generic) is type(full)
    assert server_text not in str(generic) and 'Code:' not in str(generic)
    assert str(generic).startswith('The ClickHouse server returned an error')
    assert (generic.code, generic.name) == (full.code, full.name)
    # The server's text does not come back through the exception chain either.
    assert generic.__cause__ is None or server_text not in str(generic.__cause__)
    if case in ('stream', 'arrow_stream'):
        assert isinstance(full, StreamFailureError)
    # default is True
    c = _client(server)
    try:
        assert c.show_clickhouse_errors is True
    finally:
        c.close()


def test_show_clickhouse_errors_keeps_local_errors(server):
    c = _client(server, show_clickhouse_errors=False)
    try:
        with pytest.raises(ProgrammingError, match='needs a table name'):
            c.insert('', [[1]])
    finally:
        c.close()


def test_show_clickhouse_errors_values(server):
    c = chconnect.get_client(**server.client_args(generic_args={'show_clickhouse_errors': 'scrub'}))
    try:
        assert c.show_clickhouse_errors == 'scrub'
    finally:
        c.close()
    with pytest.raises(ProgrammingError, match='show_clickhouse_errors'):
        _client(server, show_clickhouse_errors='sometimes')


# -- sessions --------------------------------------------------------------------------------


def test_no_session_by_default(server, client):
    assert client.session_id is None
    assert common.get_setting('autogenerate_session_id') is False


def test_autogenerate_session_id_temporary_table(server):
    c = _client(server, autogenerate_session_id=True)
    try:
        assert str(uuid.UUID(c.session_id, version=4)) == c.session_id
        c.command('CREATE TEMPORARY TABLE chc_tmp_e1 (x UInt32)')
        c.command('INSERT INTO chc_tmp_e1 VALUES (7)')
        assert c.query('SELECT x FROM chc_tmp_e1').result_rows == [(7,)]
        c.insert('chc_tmp_e1', [[8]])
        assert c.command('SELECT sum(x) FROM chc_tmp_e1') == 15
    finally:
        c.close()
    other = _client(server, autogenerate_session_id=True)
    try:  # another client, another session
        assert other.session_id != c.session_id
        with pytest.raises(DatabaseError):
            other.query('SELECT x FROM chc_tmp_e1')
    finally:
        other.close()


def test_explicit_session_id(server):
    session = f'chc-test-{uuid.uuid4()}'
    c = _client(server, session_id=session, autogenerate_session_id=False)
    try:
        assert c.session_id == session
        c.command('CREATE TEMPORARY TABLE chc_tmp_e2 (x UInt8)')
        c.command('INSERT INTO chc_tmp_e2 VALUES (1)')
        assert c.command('SELECT count() FROM chc_tmp_e2') == 1
        with c.query_rows_stream('SELECT number FROM system.numbers LIMIT 10', settings={'max_block_size': 1}):
            with pytest.raises(ProgrammingError, match='concurrent queries within the same session'):
                c.command('SELECT 1')
    finally:
        c.close()


def _held_stream_blocks(c, call):
    """Runs `call(c)` while another thread holds a stream of `c` open; returns its exception."""
    opened, done = threading.Event(), threading.Event()
    errors = []

    def reader():
        try:
            with c.query_rows_stream('SELECT number FROM system.numbers LIMIT 100000',
                                     settings={'max_block_size': 100}) as stream:
                next(stream)
                opened.set()
                done.wait(30)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            opened.set()

    t = threading.Thread(target=reader)
    t.start()
    try:
        assert opened.wait(30)
        assert not errors, errors
        try:
            call(c)
        except Exception as exc:  # noqa: BLE001
            return exc
        return None
    finally:
        done.set()
        t.join(30)


@pytest.mark.parametrize('call', ['query', 'command', 'insert', 'stream'])
def test_session_refuses_concurrent_use(server, table_name, call):
    c = _client(server, autogenerate_session_id=True)
    try:
        c.command(f'CREATE TABLE {table_name} (x UInt8) ENGINE = Memory')
        calls = {
            'query': lambda cl: cl.query('SELECT 1'),
            'command': lambda cl: cl.command('SELECT 1'),
            'insert': lambda cl: cl.insert(table_name, [[1]]),
            'stream': lambda cl: cl.query_rows_stream('SELECT 1').close(),
        }
        exc = _held_stream_blocks(c, calls[call])
        assert isinstance(exc, ProgrammingError), exc
        assert str(exc).startswith('Attempt to execute concurrent queries within the same session')
        # the session is free again once the stream is closed
        assert c.query('SELECT 2').result_rows == [(2,)]
        c.insert(table_name, [[3]])
        assert c.command(f'SELECT sum(x) FROM {table_name}') == 3
    finally:
        c.close()


def test_session_released_by_errors_and_unclosed_streams(server):
    c = _client(server, autogenerate_session_id=True)
    try:
        with pytest.raises(DatabaseError):
            c.query('SELECT throwIf(1)')
        with pytest.raises(DatabaseError):
            c.insert('chc_no_such_table_e1', [[1]])
        with pytest.raises(StreamFailureError):
            _fail_stream(c)
        # a stream dropped without being closed (or iterated outside `with`)
        stream = c.query_rows_stream('SELECT number FROM system.numbers LIMIT 10')
        with pytest.raises(ProgrammingError, match='within a context'):
            next(stream)
        del stream
        gc.collect()
        assert c.command('SELECT 3') == 3
        with c.query_rows_stream('SELECT number FROM system.numbers LIMIT 5') as stream:
            assert [r[0] for r in stream] == [0, 1, 2, 3, 4]
        assert c.command('SELECT 4') == 4  # exhausted and closed: released
    finally:
        c.close()


def test_common_autogenerate_session_id(server):
    common.set_setting('autogenerate_session_id', True)
    try:
        assert common.get_setting('autogenerate_session_id') is True
        c = _client(server)
        d = _client(server, autogenerate_session_id=False)
        try:
            assert c.session_id and d.session_id is None
        finally:
            c.close()
            d.close()
    finally:
        common.set_setting('autogenerate_session_id', False)


@pytest.mark.real_server_only(reason='concurrent queries (the stand-in runs one chDB query at a time)')
def test_sessionless_client_runs_concurrent_requests(server, client):
    assert _held_stream_blocks(client, lambda c: c.query('SELECT 1')) is None


@pytest.mark.real_server_only(reason='KILL QUERY / a query running while another request is sent')
def test_cancel_with_session(server):
    c = _client(server, autogenerate_session_id=True)
    try:
        qid = f'chc-cancel-{uuid.uuid4()}'
        with c.query_rows_stream('SELECT number FROM system.numbers', query_id=qid,
                                 settings={'max_block_size': 100}) as stream:
            next(stream)
            c.cancel(qid)  # its KILL QUERY needs the session the query holds: aborted locally
            with pytest.raises((chconnect.OperationalError, StreamFailureError)):
                for _ in stream:
                    pass
        # The server frees the session once its query notices the closed connection; until then
        # it answers SESSION_IS_LOCKED, which the client retries after an abandoned result.
        assert c.command('SELECT 5') == 5
    finally:
        c.close()


def test_common_settings():
    assert common.get_setting('autogenerate_query_id') is True
    with pytest.raises(NotSupportedError):
        common.set_setting('dict_parameter_format', 'map')
    with pytest.raises(ProgrammingError):
        common.get_setting('no_such_setting')
    with pytest.raises(ProgrammingError):
        common.set_setting('autogenerate_session_id', 'maybe')


def test_autogenerate_query_id_false_is_accepted(server):
    # Accepted for compatibility; the C library still sends a UUID4 query id (see README).
    c = _client(server, autogenerate_query_id=False)
    try:
        assert c.query('SELECT 1').result_rows == [(1,)]
        assert c.query('SELECT 1', query_id='chc-own-id-e1').query_id == 'chc-own-id-e1'
    finally:
        c.close()
