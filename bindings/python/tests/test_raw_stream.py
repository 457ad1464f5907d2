"""Client.raw_stream: the server's answer as a binary stream read from the network as consumed."""

import io
import threading
import time

import pytest

import chconnect

PAD = 'x' * 80


def _vm(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
    raise AssertionError(field)


@pytest.mark.parametrize('fmt', ['CSV', 'TabSeparated', 'JSONEachRow', 'Native', 'RowBinary'])
def test_equals_raw_query(client, fmt):
    sql = 'SELECT number, toString(number * 7) AS s, [number, 1] AS a FROM numbers(20000)'
    expected = client.raw_query(sql, fmt=fmt)
    with client.raw_stream(sql, fmt=fmt) as stream:
        pieces = []
        while True:
            chunk = stream.read(1000)
            if not chunk:
                break
            pieces.append(chunk)
        assert stream.read() == b''  # after the end
    assert b''.join(pieces) == expected
    assert len(expected) > 100000


def test_file_object_api(client):
    sql = 'SELECT number, toString(number) FROM numbers(1000)'
    stream = client.raw_stream(sql, fmt='CSV')
    assert isinstance(stream, io.BufferedReader)
    assert stream.readable() and not stream.writable()
    assert isinstance(stream.raw, io.RawIOBase)
    assert stream.raw.query_id
    assert stream.readline() == b'0,"0"\n'
    buf = bytearray(6)
    assert stream.readinto(buf) == 6 and bytes(buf) == b'1,"1"\n'
    lines = list(stream)
    assert lines[0] == b'2,"2"\n' and lines[-1] == b'999,"999"\n' and len(lines) == 998
    stream.close()
    assert stream.closed
    with pytest.raises(ValueError):
        stream.read()
    stream.close()  # twice is fine
    # default format TabSeparated; parameters and settings are applied
    with client.raw_stream("SELECT %(n)s + 1, (SELECT value FROM system.settings WHERE name = 'max_block_size')",
                           parameters={'n': 41}, settings={'max_block_size': 1234}) as stream:
        assert stream.read() == b'42\t1234\n'
    # a raw readinto straight into a numpy-style buffer
    with client.raw_stream('SELECT 1', fmt='TSV') as stream:
        assert stream.raw.readinto(memoryview(bytearray(100))[10:20]) == 2


def test_error_before_body(client):
    with pytest.raises(chconnect.DatabaseError) as info:
        client.raw_stream('SELECT * FROM chc_no_such_table_raw', fmt='CSV')
    assert info.value.code == 60
    assert not isinstance(info.value, chconnect.StreamFailureError)
    assert client.raw_query('SELECT 2') == b'2\n'


def test_gil_released_while_waiting(client):
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.01)

    t = threading.Thread(target=tick)
    t.start()
    try:
        with client.raw_stream('SELECT sleep(1)', fmt='TSV') as stream:
            assert stream.read() == b'0\n'
    finally:
        done.set()
        t.join()
    # ~100 ticks of 10 ms when the GIL is free during the 1 s wait (fewer when a loaded machine
    # wakes the thread late); 1 or 2 when the wait holds it.
    assert len(ticks) > 10


@pytest.mark.real_server_only('200 MB result: the stand-in buffers whole results in memory')
def test_bounded_memory_200mb(client):
    rows = 2_000_000
    sql = f"SELECT number, toString(number * 3), '{PAD}' FROM numbers({rows})"
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # resets VmHWM to the current RSS
    except OSError:
        pytest.skip('cannot reset the peak RSS (/proc/self/clear_refs)')
    before = _vm('VmRSS')
    total = lines = 0
    buf = bytearray(1 << 20)
    t0 = time.perf_counter()
    with client.raw_stream(sql, fmt='CSV') as stream:
        while True:
            n = stream.readinto(buf)
            if not n:
                break
            total += n
            lines += buf[:n].count(b'\n')
    elapsed = time.perf_counter() - t0
    growth = _vm('VmHWM') - before
    assert total > 200_000_000 and lines == rows
    assert growth < 32 << 20, f'peak RSS grew by {growth >> 20} MB streaming {total >> 20} MB ({elapsed:.1f} s)'


@pytest.mark.real_server_only('an endless result: the stand-in buffers whole results in memory')
def test_early_close_aborts(client):
    t0 = time.perf_counter()
    with client.raw_stream('SELECT number, toString(number) FROM system.numbers', fmt='CSV') as stream:
        assert stream.readline() == b'0,"0"\n'
        assert len(stream.read(3_000_000)) == 3_000_000
    assert stream.closed
    stream = client.raw_stream('SELECT number FROM system.numbers', fmt='TSV')
    stream.read(10)
    del stream  # garbage collection closes it too
    assert time.perf_counter() - t0 < 30
    assert client.raw_query('SELECT 3') == b'3\n'


@pytest.mark.real_server_only('an error after the body started: the stand-in buffers the result and fails first')
@pytest.mark.parametrize('fmt', ['CSV', 'RowBinary'])
def test_mid_stream_error(client, fmt):
    sql = f"SELECT throwIf(number = 100000), number, '{PAD}' FROM numbers(200000)"
    got = bytearray()
    with pytest.raises(chconnect.StreamFailureError) as info:
        with client.raw_stream(sql, fmt=fmt, settings={'max_block_size': 1000}) as stream:
            while True:
                chunk = stream.read1(65536)  # read(n) would drop the part of n gathered before the error
                if not chunk:
                    break
                got += chunk
    assert info.value.code == 395
    assert info.value.http_status == 200
    assert info.value.query_id
    assert len(got) > 1_000_000 and b'Code: ' not in got  # rows came; the exception text never
    if fmt == 'CSV':
        assert got.endswith(b'\n') and got.count(b'\n') <= 100000
    assert client.raw_query('SELECT 4') == b'4\n'


def test_session_held_while_open(server):
    c = chconnect.get_client(**server.client_args(autogenerate_session_id=True))
    try:
        stream = c.raw_stream('SELECT number FROM numbers(100000)', fmt='TSV')
        with pytest.raises(chconnect.ProgrammingError):
            c.raw_query('SELECT 1')  # the session runs one request at a time
        assert stream.readline() == b'0\n'
        stream.close()  # before the end: the session is free again (SESSION_IS_LOCKED retried)
        assert c.raw_query('SELECT 5') == b'5\n'
        with c.raw_stream('SELECT 6', fmt='TSV') as stream:
            assert stream.read() == b'6\n'
        assert c.raw_query('SELECT 7') == b'7\n'
    finally:
        c.close()


def test_error_mode_applies(server):
    c = chconnect.get_client(**server.client_args(show_clickhouse_errors=False))
    try:
        with pytest.raises(chconnect.DatabaseError) as info:
            c.raw_stream('SELECT * FROM chc_no_such_table_raw2')
        assert info.value.code == 60 and 'chc_no_such_table_raw2' not in str(info.value)
    finally:
        c.close()
