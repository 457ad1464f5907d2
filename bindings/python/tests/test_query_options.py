"""Query options (formats, encoding, use_none, time zones, query_limit), contexts, progress
callbacks and cancellation, against the real 18.16 server (and the stand-in where 18.16 lacks a
type)."""

import os
import threading
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from ipaddress import IPv4Address
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

import chconnect
from chconnect.context import InsertContext, QueryContext

UUID_TEXT = '61f0c404-5cb3-11e7-907b-a6006ad3dba0'


# -- formats ----------------------------------------------------------------------------------

def test_query_formats_by_type_pattern(client):
    sql = (f"SELECT toUUID('{UUID_TEXT}') AS u, toDate('2020-01-02') AS d, "
           "toDateTime('2020-01-02 03:04:05', 'UTC') AS dt, toUInt64(18446744073709551615) AS big, "
           "toInt16(-5) AS small")
    native = client.query(sql).first_row
    assert native == (UUID(UUID_TEXT), date(2020, 1, 2), datetime(2020, 1, 2, 3, 4, 5), 18446744073709551615, -5)
    row = client.query(sql, query_formats={'UUID': 'string', 'Date': 'int', "DateTime*": 'int', 'UInt64': 'signed',
                                           'int*': 'string'}).first_row
    assert row == (UUID_TEXT, 18263, 1577934245, -1, '-5')


def test_ip_and_datetime64_formats(standin_client):
    # 18.16 has neither IPv4 nor DateTime64: the current engine (stand-in) does
    sql = ("SELECT toIPv4('1.2.3.4') AS ip, toIPv6('::1') AS ip6, "
           "toDateTime64('2020-01-02 03:04:05.123456789', 9, 'UTC') AS d9")
    native = standin_client.query(sql).first_row
    assert native[0] == IPv4Address('1.2.3.4') and native[2] == datetime(2020, 1, 2, 3, 4, 5, 123456)
    row = standin_client.query(sql, query_formats={'IPv*': 'string', 'DateTime64*': 'int'}).first_row
    assert row == ('1.2.3.4', '::1', 1577934245123456000)  # ticks beyond microseconds are floored
    assert standin_client.query(sql, column_formats={'ip': 'int'}).first_row[0] == 0x01020304


def test_column_formats_override_query_formats(standin_client):
    client = standin_client
    sql = "SELECT toIPv4('10.0.0.1') AS a, toIPv4('10.0.0.2') AS b, [toIPv4('10.0.0.3')] AS c"
    row = client.query(sql, query_formats={'IPv4': 'int'},
                       column_formats={'a': 'string', 'c': {'IPv4': 'string'}}).first_row
    assert row == ('10.0.0.1', 0x0A000002, ['10.0.0.3'])


def test_formats_in_containers_and_nulls(client):
    sql = ("SELECT [toDate('1970-01-03'), toDate('1970-01-01')] AS a, "
           "CAST(NULL AS Nullable(Date)) AS n, CAST(toDate('1970-01-05') AS Nullable(Date)) AS m, "
           "toFixedString('ab', 4) AS f, CAST('b' AS Enum8('a' = -1, 'b' = 7)) AS e")
    row = client.query(sql, query_formats={'Date': 'int', 'FixedString*': 'string', 'Enum8*': 'int'}).first_row
    assert row == ([2, 0], None, 4, 'ab', 7)
    # native: FixedString is bytes (NUL padding kept), Enum is its label
    assert client.query(sql).first_row[3:] == (b'ab\x00\x00', 'b')


def test_string_bytes_format_and_encoding(client):
    sql = "SELECT 'h\\xE9llo' AS latin, 'héllo' AS utf"
    assert client.query(sql).first_row == (b'h\xe9llo', 'héllo')  # invalid UTF-8 stays bytes
    assert client.query(sql, query_formats={'String': 'bytes'}).first_row == (b'h\xe9llo', 'héllo'.encode())
    assert client.query(sql, encoding='latin-1').first_row == ('héllo', 'hÃ©llo')


def test_unknown_or_inapplicable_format_raises(client):
    with pytest.raises(chconnect.ProgrammingError, match='unknown format'):
        client.query('SELECT 1 AS x', query_formats={'UInt8': 'hex'})
    with pytest.raises(chconnect.ProgrammingError, match='does not apply'):
        client.query("SELECT 'a' AS x", column_formats={'x': 'signed'})


def test_use_none_false_gives_zero_values(client):
    sql = ("SELECT CAST(NULL AS Nullable(Int32)) AS i, CAST(NULL AS Nullable(String)) AS s, "
           "CAST(NULL AS Nullable(Date)) AS d, CAST(3 AS Nullable(Int32)) AS j, "
           "[CAST(NULL AS Nullable(Float64))] AS a")
    assert client.query(sql).first_row == (None, None, None, 3, [None])
    assert client.query(sql, use_none=False).first_row == (0, '', date(1970, 1, 1), 3, [0.0])


def test_formats_apply_to_streams(standin_client):
    client = standin_client
    sql = "SELECT toIPv4('1.2.3.4') AS ip FROM system.numbers LIMIT 3"
    with client.query_rows_stream(sql, query_formats={'IPv4': 'string'}) as stream:
        assert list(stream) == [('1.2.3.4',)] * 3
    with client.query_column_block_stream(sql, column_formats={'ip': 'int'}) as stream:
        assert [v for block in stream for v in block[0]] == [0x01020304] * 3


# -- time zones -------------------------------------------------------------------------------

DT_SQL = ("SELECT toDateTime('2020-06-01 12:00:00', 'UTC') AS bare_utc, "
          "toDateTime('2020-06-01 12:00:00', 'Asia/Tokyo') AS tokyo")


def test_server_tz_is_the_servers(client):
    name = client.command('SELECT timezone()')
    tz = client.server_tz
    assert tz is not None
    assert getattr(tz, 'key', 'UTC') == name or (name == 'UTC' and tz is timezone.utc)


def test_query_tz_applies_to_bare_datetime_only(client):
    # 18.16 sends a top-level DateTime('tz') as bare DateTime, so use an Array to keep the tz.
    sql = ("SELECT toDateTime('2020-06-01 12:00:00', 'UTC') AS bare, "
           "[toDateTime('2020-06-01 12:00:00', 'Asia/Tokyo')] AS zoned")
    default = client.query(sql).first_row
    assert default[0] == datetime(2020, 6, 1, 12, 0, 0)  # naive UTC (server zone UTC)
    ny = ZoneInfo('America/New_York')
    bare, zoned = client.query(sql, query_tz='America/New_York').first_row
    assert bare == datetime(2020, 6, 1, 8, 0, 0, tzinfo=ny) and bare.tzinfo is ny
    assert zoned[0].tzinfo == ZoneInfo('Asia/Tokyo')  # the type's zone wins over query_tz
    assert zoned[0] == datetime(2020, 6, 1, 3, 0, 0, tzinfo=timezone.utc)  # 12:00 in Tokyo


def test_column_tzs_win_over_the_type_zone(client):
    sql = "SELECT [toDateTime('2020-06-01 12:00:00', 'Asia/Tokyo')] AS zoned"
    (zoned,) = client.query(sql, column_tzs={'zoned': 'Europe/Berlin'}).first_row
    assert zoned[0].tzinfo == ZoneInfo('Europe/Berlin') and zoned[0].hour == 5  # 12:00 Tokyo = 05:00 Berlin


def test_time_zone_rules_in_dataframes(client):
    # query_df and friends show DateTime columns in the zones query() uses (the rows' values are
    # the same instants); Nullable keeps the type's zone on 18.16 too.
    pytest.importorskip('pandas')
    pytest.importorskip('pyarrow')
    sql = ("SELECT toDateTime('2020-06-01 12:00:00') AS bare, "
           "toNullable(toDateTime('2020-06-01 12:00:00', 'Asia/Tokyo')) AS zoned")
    df = client.query_df(sql)
    assert str(df.dtypes['bare']) == 'datetime64[s]' and str(df['bare'][0]) == '2020-06-01 12:00:00'
    assert str(df.dtypes['zoned']) == 'datetime64[s, Asia/Tokyo]'
    df = client.query_df(sql, query_tz='America/New_York')
    assert str(df.dtypes['bare']) == 'datetime64[s, America/New_York]'
    assert df['bare'][0].isoformat() == '2020-06-01 08:00:00-04:00'.replace(' ', 'T')
    assert str(df.dtypes['zoned']) == 'datetime64[s, Asia/Tokyo]'  # the type's zone wins over query_tz
    df = client.query_df(sql, column_tzs={'zoned': 'UTC'}, tz_mode='aware')
    assert str(df.dtypes['bare']) == 'datetime64[s, UTC]' and str(df.dtypes['zoned']) == 'datetime64[s, UTC]'
    df = client.query_df(sql, column_tzs={'zoned': 'UTC'})
    assert str(df.dtypes['zoned']) == 'datetime64[s]' and str(df['zoned'][0]) == '2020-06-01 03:00:00'
    with client.query_df_stream(sql, query_tz='Asia/Tokyo') as stream:
        (block,) = list(stream)
    assert block['bare'][0].isoformat() == '2020-06-01T21:00:00+09:00'
    adf = client.query_df_arrow(sql, query_tz='Asia/Tokyo')
    assert str(adf.dtypes['bare']) == 'timestamp[s, tz=Asia/Tokyo][pyarrow]'
    rows = client.query(sql, query_tz='America/New_York').first_row
    assert rows[0].isoformat() == '2020-06-01T08:00:00-04:00'


def test_response_time_zone_wins_over_the_servers(standin_client):
    # Current servers send X-ClickHouse-Timezone: the query's session_timezone. A bare DateTime
    # is then shown in that zone (clickhouse-connect's rule); 18.16 does not send the header.
    pytest.importorskip('pandas')
    sql = "SELECT toDateTime('2024-01-01 00:00:00') AS t"
    tokyo = ZoneInfo('Asia/Tokyo')
    (t,) = standin_client.query(sql, settings={'session_timezone': 'Asia/Tokyo'}).first_row
    assert t == datetime(2024, 1, 1, tzinfo=tokyo) and t.tzinfo == tokyo
    df = standin_client.query_df(sql, settings={'session_timezone': 'Asia/Tokyo'})
    assert str(df.dtypes['t']) == 'datetime64[s, Asia/Tokyo]'
    with standin_client.query_rows_stream(sql, settings={'session_timezone': 'Asia/Tokyo'}) as stream:
        assert [r[0].isoformat() for r in stream] == ['2024-01-01T00:00:00+09:00']
    # query_tz still wins over the response's zone; without session_timezone: naive UTC
    (t,) = standin_client.query(sql, settings={'session_timezone': 'Asia/Tokyo'}, query_tz='UTC').first_row
    assert t == datetime(2023, 12, 31, 15, 0) and t.tzinfo is None
    assert standin_client.query(sql).first_row == (datetime(2024, 1, 1),)
    # tz_source='local' ignores the server's zones: this machine's zone
    with chconnect.get_client(dsn=os.environ['CHC_CHDB_URL'], compress=False, tz_source='local') as local:
        (t,) = local.query(sql, settings={'session_timezone': 'Asia/Tokyo'}).first_row
        instant = datetime(2023, 12, 31, 15, 0, tzinfo=timezone.utc)
        assert (t.utcoffset() if t.tzinfo else timedelta(0)) == instant.astimezone().utcoffset()
        assert (t if t.tzinfo else t.replace(tzinfo=timezone.utc)) == instant


def test_column_tzs_datetime64(standin_client):
    sql = "SELECT toDateTime64('2020-06-01 12:00:00.25', 2, 'UTC') AS d64"
    (d64,) = standin_client.query(sql, column_tzs={'d64': ZoneInfo('Asia/Tokyo')}).first_row
    assert d64.tzinfo == ZoneInfo('Asia/Tokyo') and d64.microsecond == 250000
    assert d64 == datetime(2020, 6, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)


def test_tz_modes(server):
    sql = "SELECT toDateTime('2020-06-01 12:00:00', 'UTC') AS bare"
    with chconnect.get_client(**server.client_args(tz_mode='aware')) as aware:
        (v,) = aware.query(sql).first_row
        assert v.tzinfo is timezone.utc and v == datetime(2020, 6, 1, 12, tzinfo=timezone.utc)
        # per query
        assert aware.query(sql, tz_mode='naive_utc').first_row[0].tzinfo is None
    with chconnect.get_client(**server.client_args(tz_mode='schema')) as schema:
        # schema: only a zone in the type counts; query_tz is not applied to bare DateTime
        assert schema.query(sql, query_tz='Asia/Tokyo').first_row[0] == datetime(2020, 6, 1, 12)
    with chconnect.get_client(**server.client_args(utc_tz_aware=True)) as legacy:
        assert legacy.query(sql).first_row[0].tzinfo is timezone.utc
    with pytest.raises(chconnect.ProgrammingError, match='tz_mode'):
        chconnect.get_client(**server.client_args(tz_mode='sometimes'))


def test_tz_source_local_uses_the_machine_zone(server):
    old = os.environ.get('TZ')
    os.environ['TZ'] = 'Asia/Tokyo'
    time.tzset()
    try:
        with chconnect.get_client(**server.client_args(tz_source='local')) as c:
            (v,) = c.query("SELECT toDateTime('2020-06-01 12:00:00', 'UTC')").first_row
            assert v.utcoffset() == timedelta(hours=9)
            assert v == datetime(2020, 6, 1, 12, tzinfo=timezone.utc)
    finally:
        if old is None:
            del os.environ['TZ']
        else:
            os.environ['TZ'] = old
        time.tzset()


def test_datetime_string_format_uses_the_active_zone(client):
    sql = "SELECT toDateTime('2020-06-01 12:00:00', 'UTC') AS t"
    assert client.query(sql, query_formats={'DateTime': 'string'}).first_row == ('2020-06-01 12:00:00',)
    assert client.query(sql, query_formats={'DateTime': 'string'},
                        query_tz='Asia/Tokyo').first_row == ('2020-06-01 21:00:00+09:00',)


# -- query_limit --------------------------------------------------------------------------------

def test_query_limit(server):
    with chconnect.get_client(**server.client_args(query_limit=7)) as c:
        assert c.query_limit == 7
        assert c.query('SELECT number FROM system.numbers').row_count == 7
        assert c.query('SELECT number FROM system.numbers LIMIT 3').row_count == 3
        assert c.query('SELECT number FROM numbers(20) ORDER BY number limit 10').row_count == 10
        with c.query_rows_stream('SELECT number FROM system.numbers') as stream:
            assert len(list(stream)) == 7
        assert c.command('SELECT count() FROM numbers(20)') == 20  # commands are not limited


# -- contexts -----------------------------------------------------------------------------------

def test_query_context_reused_with_overrides(client):
    # 18.16 has no server-side {n:Type} parameters: the context binds client-side
    ctx = client.create_query_context(query=f"SELECT %(n)s + 1 AS x, toUUID('{UUID_TEXT}') AS u",
                                      parameters={'n': 1}, column_formats={'u': 'string'})
    assert isinstance(ctx, QueryContext)
    assert client.query(context=ctx).first_row == (2, UUID_TEXT)
    assert client.query(context=ctx, parameters={'n': 41}).first_row == (42, UUID_TEXT)
    assert client.query(context=ctx, column_formats={}).first_row == (2, UUID(UUID_TEXT))
    assert ctx.parameters == {'n': 1}  # the context itself is unchanged
    with client.query_row_block_stream(context=ctx) as stream:
        assert [r for block in stream for r in block] == [(2, UUID_TEXT)]
    with pytest.raises(chconnect.ProgrammingError):
        client.query(context=InsertContext(table='t'))
    with pytest.raises(chconnect.ProgrammingError, match='unknown option'):
        client.create_query_context(query='SELECT 1', colour='red')


def test_insert_context(client, table_name):
    client.command(f'CREATE TABLE {table_name} (a UInt32, b String) ENGINE = Memory')
    ctx = client.create_insert_context(table_name, column_names=['a', 'b'], data=[[1, 'x']])
    assert client.insert(context=ctx).written_rows in (0, 1)  # 18.16 sends no summary
    client.insert(context=ctx, data=[[2, 'y'], [3, 'z']])
    client.insert(context=ctx.updated_copy(column_oriented=True), data=[[4, 5], ['u', 'v']])
    assert client.query(f'SELECT a, b FROM {table_name} ORDER BY a').result_rows == [
        (1, 'x'), (2, 'y'), (3, 'z'), (4, 'u'), (5, 'v')]
    with pytest.raises(chconnect.ProgrammingError, match='needs data'):
        client.insert(context=client.create_insert_context(table_name))


# -- progress and cancellation ------------------------------------------------------------------

def test_progress_callback_on_query(client):
    seen = []
    result = client.query('SELECT number, toString(number) FROM numbers(300000)',
                          progress_callback=lambda p: seen.append(dict(p)))
    assert result.row_count == 300000
    assert seen, 'the callback was never called'
    received = [p['received_bytes'] for p in seen]
    assert received == sorted(received) and received[-1] > 300_000  # >= 1 byte a row even compressed
    assert all('sent_bytes' in p for p in seen)


def test_progress_callback_on_insert_and_command(client, table_name):
    client.command(f'CREATE TABLE {table_name} (a UInt64, s String) ENGINE = Memory')
    seen = []
    client.insert(table_name, [[i, 'x' * 20] for i in range(50000)], progress_callback=seen.append)
    sent = [p['sent_bytes'] for p in seen]
    assert sent == sorted(sent) and sent[-1] > 150_000  # LZ4-compressed body of ~1.4 MB
    seen.clear()
    assert client.command(f'SELECT count() FROM {table_name}', progress_callback=seen.append) == 50000
    assert seen


@pytest.mark.real_server_only(reason='an endless result streamed while the query runs')
def test_progress_callback_exception_cancels_and_propagates(client):
    class Stop(Exception):
        pass

    def stop(progress):
        if progress['received_bytes'] > 100_000:
            raise Stop('enough')

    t0 = time.monotonic()
    with pytest.raises(Stop, match='enough'):
        client.query('SELECT number FROM system.numbers LIMIT 100000000', progress_callback=stop)
    assert time.monotonic() - t0 < 20
    with pytest.raises(Stop):
        with client.query_rows_stream('SELECT number FROM system.numbers', progress_callback=stop) as stream:
            for _ in stream:
                pass
    assert client.query('SELECT 1').result_rows == [(1,)]  # the client stays usable


def _wait_running(client, query_id, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.command(f"SELECT count() FROM system.processes WHERE query_id = '{query_id}'") == 1:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.real_server_only(reason='an endless streamed result, system.processes, KILL QUERY')
def test_cancel_a_streaming_query_from_another_thread(client):
    qid = f'chc-cancel-{time.monotonic_ns()}'
    errors, rows = [], []

    def read():
        try:
            with client.query_rows_stream('SELECT number FROM system.numbers', query_id=qid) as stream:
                for row in stream:
                    rows.append(row)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    assert _wait_running(client, qid)
    deadline = time.monotonic() + 20
    while not rows and time.monotonic() < deadline:  # cancel while rows are flowing
        time.sleep(0.01)
    t0 = time.monotonic()
    client.cancel(qid)
    reader.join(20)
    assert not reader.is_alive(), 'the reading thread did not stop'
    assert time.monotonic() - t0 < 10
    assert len(errors) == 1 and isinstance(errors[0], chconnect.DatabaseError), errors
    assert rows  # it was reading before the cancel
    deadline = time.monotonic() + 10
    while client.command(f"SELECT count() FROM system.processes WHERE query_id = '{qid}'") and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.command(f"SELECT count() FROM system.processes WHERE query_id = '{qid}'") == 0
    assert client.query('SELECT 2').result_rows == [(2,)]


@pytest.mark.real_server_only(reason='system.processes, KILL QUERY')
def test_cancel_a_query_that_has_not_answered_yet(client):
    qid = f'chc-cancel-silent-{time.monotonic_ns()}'
    errors = []

    def run():
        try:
            # counts for minutes before sending anything
            client.query('SELECT count() FROM system.numbers', query_id=qid)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    th = threading.Thread(target=run)
    th.start()
    assert _wait_running(client, qid)
    t0 = time.monotonic()
    client.cancel(qid)
    th.join(30)
    assert not th.is_alive()
    assert time.monotonic() - t0 < 15
    assert len(errors) == 1 and isinstance(errors[0], chconnect.DatabaseError), errors
    client.cancel('no-such-query-id')  # not running: not an error
    with pytest.raises(chconnect.ProgrammingError):
        client.cancel('')


@pytest.mark.real_server_only(reason='KILL QUERY while a query runs (the stand-in runs one at a time)')
def test_cancel_stops_the_wait_for_the_answer_at_once(client):
    # sleep(3) is not interrupted by KILL QUERY: only the local switch returns before 3 s.
    qid = f'chc-cancel-wait-{time.monotonic_ns()}-{os.getpid()}'
    timer = threading.Timer(0.3, client.cancel, (qid,))
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(chconnect.OperationalError) as info:
        client.query('SELECT sleep(3)', query_id=qid)
    took = time.monotonic() - t0
    timer.join()
    assert took < 1.5, took
    assert info.value.code is None  # cancelled here, not a server error
    assert client.query('SELECT 3').result_rows == [(3,)]
    assert not client._waiting  # nothing left registered


def test_every_query_gets_a_query_id(client):
    result = client.query('SELECT 1')
    assert len(result.query_id) >= 32
    qid = f'chc-given-id-{time.monotonic_ns()}-{os.getpid()}'  # unique: suites may share a server
    with client.query_rows_stream('SELECT 1', query_id=qid + '-1') as stream:
        list(stream)
    assert client.query('SELECT 1', query_id=qid + '-2').query_id == qid + '-2'


def test_time_format(standin_client):
    sql = "SELECT CAST(3723 AS Time) AS t, CAST(-5 AS Time) AS neg, CAST('01:02:03.250' AS Time64(3)) AS t64"
    assert standin_client.query(sql).first_row == (timedelta(seconds=3723), timedelta(seconds=-5),
                                                timedelta(seconds=3723, milliseconds=250))
    assert standin_client.query(sql, query_formats={'Time*': 'string'}).first_row == (
        '001:02:03', '-000:00:05', '001:02:03.250000')
    assert standin_client.query(sql, query_formats={'Time*': 'int'}).first_row == (3723, -5, 3723250)
    row = standin_client.query(sql, column_formats={'t': 'time', 't64': 'time'}).first_row
    assert row[0] == dtime(1, 2, 3) and row[2] == dtime(1, 2, 3, 250000)
    with pytest.raises(chconnect.DataError):
        standin_client.query(sql, column_formats={'neg': 'time'})


def test_named_tuple_formats(standin_client):
    sql = "SELECT CAST((1, 'a'), 'Tuple(x UInt8, y String)') AS t"
    assert standin_client.query(sql).first_row == ({'x': 1, 'y': 'a'},)
    assert standin_client.query(sql, query_formats={'Tuple*': 'tuple'}).first_row == ((1, 'a'),)
    assert standin_client.query(sql, query_formats={'Tuple*': 'json'}).first_row == ('{"x": 1, "y": "a"}',)
