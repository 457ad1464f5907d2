"""The types 18.16 does not know, against the current engine: chDB (in-process ClickHouse 26.x)
behind the small HTTP front end in chdb_native.py. Reads decode the engine's own Native bytes;
inserts go through the library's builders and are checked with the engine's toString()."""

import ipaddress
import os
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import chconnect
from chconnect import datatypes

sys.path.insert(0, os.path.dirname(__file__))
from chdb_native import ChdbNativeServer  # noqa: E402


@pytest.fixture(scope='module')
def chdb_client():
    server = ChdbNativeServer()  # fails (not skips) when chdb is missing
    client = chconnect.get_client(host='127.0.0.1', port=server.port, compress=False)
    yield client
    client.close()
    server.close()


@pytest.fixture(params=[True, False], ids=['fast', 'python'])
def fast_path(request, monkeypatch):
    monkeypatch.setattr(datatypes, 'USE_FAST_PATH', request.param)


@pytest.fixture
def chdb_table(chdb_client):
    name = f'chc_py_{uuid.uuid4().hex[:12]}'
    yield name
    chdb_client.command(f'DROP TABLE IF EXISTS {name}')


def test_engine_is_current(chdb_client):
    assert int(chdb_client.server_version.split('.')[0]) >= 24


READS = [
    ('toInt128(-5)', 'Int128', -5),
    ("toUInt256('115792089237316195423570985008687907853269984665640564039457584007913129639935')", 'UInt256',
     2 ** 256 - 1),
    ("toInt256('-57896044618658097711785492504343953926634992332820282019728792003956564819968')", 'Int256',
     -2 ** 255),
    ('toBFloat16(1.5)', 'BFloat16', 1.5),
    ('true', 'Bool', True),
    ("toDecimal256('-1234567890123456789012345678901234567890.123456789', 9)", 'Decimal(76, 9)',
     Decimal('-1234567890123456789012345678901234567890.123456789')),
    ("toDate32('1900-01-02')", 'Date32', date(1900, 1, 2)),
    ("toDateTime64('2020-01-02 03:04:05.123456', 6, 'Asia/Tokyo')", "DateTime64(6, 'Asia/Tokyo')",
     datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=ZoneInfo('Asia/Tokyo'))),
    ("toDateTime64('1960-01-01 00:00:00.5', 3, 'UTC')", "DateTime64(3, 'UTC')", datetime(1960, 1, 1, 0, 0, 0, 500000)),
    ("toDateTime64('2021-07-01 12:00:00', 0, 'Europe/Berlin')", "DateTime64(0, 'Europe/Berlin')",
     datetime(2021, 7, 1, 10, tzinfo=timezone.utc).astimezone(ZoneInfo('Europe/Berlin'))),
    # Native at protocol revision 0 (what HTTP gives without client_protocol_version) carries no
    # zone in a DateTime type (the server strips it, 18.16 and 26.x alike): naive UTC.
    ("toDateTime('2021-07-01 12:00:00', 'Europe/Berlin')", 'DateTime', datetime(2021, 7, 1, 10)),
    ("toTime('12:34:56')", 'Time', timedelta(hours=12, minutes=34, seconds=56)),
    ("toTime64('1:02:03.25', 3)", 'Time64(3)', timedelta(seconds=3723.25)),
    ("toIPv4('1.2.3.4')", 'IPv4', ipaddress.IPv4Address('1.2.3.4')),
    ("toIPv6('::ffff:1.2.3.4')", 'IPv6', ipaddress.IPv6Address('::ffff:1.2.3.4')),
    ("map('a', 1, 'b', 2)", 'Map(String, UInt8)', {'a': 1, 'b': 2}),
    ("(1, 'x')::Tuple(a UInt8, b String)", 'Tuple(a UInt8, b String)', {'a': 1, 'b': 'x'}),
    ('(3.0, 4.0)::Point', 'Point', (3.0, 4.0)),
    ('[[(1.0, 2.0), (3.0, 4.0)]]::Polygon', 'Polygon', [[(1.0, 2.0), (3.0, 4.0)]]),
    ("[(1, 'a')]::Nested(x UInt8, y String)", 'Nested(x UInt8, y String)', [{'x': 1, 'y': 'a'}]),
    ('toIntervalSecond(1099511627776)', 'IntervalSecond', 2 ** 40),
    ("toLowCardinality(toNullable('x'))", 'LowCardinality(Nullable(String))', 'x'),
    ('42::Variant(String, UInt64)', 'Variant(String, UInt64)', 42),
    ("'{\"a\": {\"b\": 1}, \"c\": [1, 2]}'::JSON", 'JSON', {'a': {'b': 1}, 'c': [1, 2]}),
]


@pytest.mark.parametrize('expr,type_name,expected', READS, ids=[r[1] for r in READS])
def test_read(chdb_client, fast_path, expr, type_name, expected):
    settings = ' SETTINGS output_format_native_write_json_as_string = 1' if type_name == 'JSON' else ''
    result = chdb_client.query(f'SELECT {expr} AS v{settings}')
    assert result.column_types[0].name == type_name
    got = result.first_row[0]
    assert got == expected
    assert type(got) is type(expected)
    if isinstance(expected, datetime):
        assert (got.tzinfo is None) == (expected.tzinfo is None)
        if got.tzinfo is not None:
            assert got.utcoffset() == expected.utcoffset()


def test_variant_and_dynamic_rows(chdb_client, chdb_table, fast_path):
    chdb_client.command(f'CREATE TABLE {chdb_table} (id UInt32, v Variant(String, UInt64, Array(UInt8)), '
                        f'd Dynamic) ENGINE Memory')
    chdb_client.command(f"INSERT INTO {chdb_table} VALUES (0, 'x', 1::Int64), (1, 7, 'str'), (2, NULL, NULL), "
                        f"(3, [1, 2], [1, 2]::Array(Int64)), (4, 8, 2.5::Float64)")
    rows = chdb_client.query(f'SELECT v, d FROM {chdb_table} ORDER BY id').result_rows
    assert rows == [('x', 1), (7, 'str'), (None, None), ([1, 2], [1, 2]), (8, 2.5)]


INSERTS = [
    ('Int128', [-2 ** 127, 2 ** 127 - 1, 0]),
    ('UInt256', [2 ** 256 - 1, 2 ** 64, 5]),
    ('Bool', [True, False, True]),
    ('BFloat16', [1.5, -2.0, 0.0]),
    ('Decimal(76, 20)', [Decimal('-12345678901234567890123456789012345678901234567890.12345678901234567891'),
                         Decimal('0.00000000000000000001'), Decimal('1')]),
    ('Date32', [date(1900, 1, 1), date(2299, 12, 31), date(1969, 12, 31)]),
    ('DateTime64(3)', [datetime(1960, 1, 1, 0, 0, 0, 500000), datetime(2020, 1, 2, 3, 4, 5, 123000),
                       datetime(1970, 1, 1)]),
    ("DateTime64(6, 'Asia/Tokyo')", [datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=ZoneInfo('Asia/Tokyo'))] * 2),
    ('Time', [timedelta(hours=12, minutes=34, seconds=56), timedelta(seconds=-5), timedelta(0)]),
    ('Time64(3)', [timedelta(seconds=3723.25), timedelta(milliseconds=-1), timedelta(0)]),
    ('IPv4', [ipaddress.IPv4Address('192.168.1.10'), ipaddress.IPv4Address('0.0.0.0'),
              ipaddress.IPv4Address('255.255.255.255')]),
    ('IPv6', [ipaddress.IPv6Address('2001:db8::1'), ipaddress.IPv6Address('::ffff:1.2.3.4'),
              ipaddress.IPv6Address('::')]),
    ('Map(String, Array(UInt8))', [{'k': [1, 2]}, {}, {'a': [], 'b': [3]}]),
    ('Tuple(a UInt8, b Nullable(String))', [{'a': 1, 'b': 'x'}, {'a': 2, 'b': None}, {'a': 0, 'b': ''}]),
    ('Point', [(1.0, 2.0), (0.0, 0.0), (-1.5, 3.25)]),
    ('Ring', [[(1.0, 2.0), (3.0, 4.0)], [], [(0.0, 0.0)]]),
    ('Variant(String, UInt64, Array(UInt8))', ['x', 7, None]),
    ('Variant(Date, Float64, Bool)', [date(2020, 1, 1), 2.5, True]),
    ('Variant(String, Tuple(UInt8, String), Array(UInt8))', ['x', (7, 'y'), None, [1, 2], (0, '')]),
    ('Variant(String, Tuple(a UInt8, b Nullable(String)))', [{'a': 1, 'b': 'x'}, 'y', {'a': 2, 'b': None}]),
    ('LowCardinality(Nullable(String))', ['x', None, 'x']),
    ('Array(Nullable(Int128))', [[1, None], [], [-(2 ** 100)]]),
]


@pytest.mark.parametrize('type_name,values', INSERTS, ids=[i[0] for i in INSERTS])
def test_insert_round_trip(chdb_client, chdb_table, fast_path, type_name, values):
    chdb_client.command(f'CREATE TABLE {chdb_table} (id UInt32, v {type_name}) ENGINE Memory')
    chdb_client.insert(chdb_table, [(i, v) for i, v in enumerate(values)])
    got = chdb_client.query(f'SELECT v FROM {chdb_table} ORDER BY id').result_columns[0]
    assert got == values
    assert [type(v) for v in got] == [type(v) for v in values]


def test_insert_text_seen_by_engine(chdb_client, chdb_table):
    # The engine's own text of what the builders wrote (not just our decoder agreeing with us).
    chdb_client.command(f'CREATE TABLE {chdb_table} (id UInt32, a Int128, b Decimal(38, 10), c UUID, d IPv6, '
                        f'e Date32, f DateTime64(3), g Time64(3), h Map(String, UInt8)) ENGINE Memory')
    u = uuid.UUID('00112233-4455-6677-8899-aabbccddeeff')
    chdb_client.insert(chdb_table, [(0, -2 ** 100, Decimal('-1.0000000001'), u, ipaddress.IPv4Address('1.2.3.4'),
                                     date(1900, 1, 2), datetime(1960, 1, 1, 0, 0, 0, 500000),
                                     timedelta(seconds=-3723.25), {'x': 1})])
    text = chdb_client.raw_query(f'SELECT a, b, c, d, e, f, g, h FROM {chdb_table}').decode().rstrip('\n')
    assert text.split('\t') == [str(-2 ** 100), '-1.0000000001', str(u), '::ffff:1.2.3.4', '1900-01-02',
                                '1960-01-01 00:00:00.500', '-01:02:03.250', "{'x':1}"]


def test_insert_json_and_dynamic(chdb_client, chdb_table):
    chdb_client.command(f'CREATE TABLE {chdb_table} (id UInt32, j JSON, d Dynamic) ENGINE Memory')
    chdb_client.insert(chdb_table, [(0, {'a': {'b': 1}}, 5), (1, '{"c": "x"}', 'text'), (2, {}, None),
                                    (3, {'n': None}, 2.5)])
    result = chdb_client.query(f'SELECT j, d, dynamicType(d) FROM {chdb_table} ORDER BY id '
                               f'SETTINGS output_format_native_write_json_as_string = 1')
    assert result.result_rows == [({'a': {'b': 1}}, 5, 'Int64'), ({'c': 'x'}, 'text', 'String'), ({}, None, 'None'),
                                  ({}, 2.5, 'Float64')]


def test_variant_tuple_alternative_errors(chdb_client, chdb_table, fast_path):
    chdb_client.command(f'CREATE TABLE {chdb_table} (id UInt32, v Variant(String, Tuple(UInt8, String))) '
                        f'ENGINE Memory')
    with pytest.raises(chconnect.DataError):
        chdb_client.insert(chdb_table, [(0, (1, 'x', 2))])  # no alternative of that arity
    with pytest.raises(chconnect.DataError):
        chdb_client.insert(chdb_table, [(0, 'ok'), (1, (300, 'x'))])  # 300 does not fit UInt8
    assert chdb_client.command(f'SELECT count() FROM {chdb_table}') == 0  # nothing was sent
    chdb_client.insert(chdb_table, [(0, (255, 'x')), (1, 'ok')])
    assert chdb_client.query(f'SELECT v, variantType(v) FROM {chdb_table} ORDER BY id').result_rows == [
        ((255, 'x'), 'Tuple(UInt8, String)'), ('ok', 'String')]


def test_variant_rejects_unmatched_value(chdb_client, chdb_table):
    chdb_client.command(f'CREATE TABLE {chdb_table} (id UInt32, v Variant(String, UInt64)) ENGINE Memory')
    with pytest.raises(chconnect.DataError):
        chdb_client.insert(chdb_table, [(0, 2.5)])
    with pytest.raises(chconnect.DataError):
        chdb_client.insert(chdb_table, [(0, -1)])  # no signed alternative
