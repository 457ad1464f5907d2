"""Insert + query round trips for every supported type, and the Python types that come back."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import chconnect

INT_LIMITS = {
    'Int8': (-128, 127), 'Int16': (-32768, 32767), 'Int32': (-2**31, 2**31 - 1), 'Int64': (-2**63, 2**63 - 1),
    'UInt8': (0, 255), 'UInt16': (0, 65535), 'UInt32': (0, 2**32 - 1), 'UInt64': (0, 2**64 - 1),
}


def round_trip(client, table, columns, rows, order_by='id'):
    """Creates `table` with an `id UInt32` column plus `columns`, inserts rows (without id) and
    returns the rows read back in insert order, plus the QueryResult."""
    ddl = ', '.join(f'{name} {ch_type}' for name, ch_type in columns)
    client.command(f'CREATE TABLE {table} (id UInt32, {ddl}) ENGINE MergeTree ORDER BY id')
    data = [(i,) + tuple(row) for i, row in enumerate(rows)]
    summary = client.insert(table, data, column_names=['id'] + [name for name, _ in columns])
    assert isinstance(summary, chconnect.QuerySummary)
    result = client.query(f'SELECT {", ".join(name for name, _ in columns)} FROM {table} ORDER BY {order_by}')
    return result.result_rows, result


@pytest.mark.parametrize('ch_type', sorted(INT_LIMITS))
def test_integers(client, table_name, ch_type):
    lo, hi = INT_LIMITS[ch_type]
    values = [lo, hi, 0, 1, hi // 2]
    rows, result = round_trip(client, table_name, [('v', ch_type)], [(v,) for v in values])
    assert [r[0] for r in rows] == values
    assert all(type(r[0]) is int for r in rows)
    assert result.column_types[0].name == ch_type


def test_floats(client, table_name):
    rows, result = round_trip(client, table_name, [('f32', 'Float32'), ('f64', 'Float64')],
                              [(1.5, 0.1), (-0.25, -1e300), (3, 2), (float('inf'), float('-inf'))])
    assert rows[:3] == [(1.5, 0.1), (-0.25, -1e300), (3.0, 2.0)]
    assert rows[3] == (float('inf'), float('-inf'))
    assert all(type(v) is float for row in rows for v in row)
    nan_row = client.query('SELECT nan, toFloat32(nan)').first_row
    assert all(v != v for v in nan_row)


def test_strings(client, table_name):
    values = ['', 'plain ascii', 'héllo wörld ✓ 日本語 🎉', "quote ' backslash \\ tab \t newline \n", 'x' * 10000]
    rows, result = round_trip(client, table_name, [('s', 'String')], [(v,) for v in values])
    assert [r[0] for r in rows] == values
    assert result.column_types[0].name == 'String'


def test_string_from_bytes_and_invalid_utf8(client, table_name):
    rows, _ = round_trip(client, table_name, [('s', 'String')], [(b'bytes in',), (b'\xff\xfe bad',), ('ok ✓',)])
    assert rows == [('bytes in',), (b'\xff\xfe bad',), ('ok ✓',)]


def test_fixed_string(client, table_name):
    rows, result = round_trip(client, table_name, [('fs', 'FixedString(4)')], [('ab',), (b'abcd',), ('',), ('é',)])
    assert [r[0] for r in rows] == [b'ab\x00\x00', b'abcd', b'\x00' * 4, 'é'.encode() + b'\x00\x00']
    assert result.column_types[0].name == 'FixedString(4)'


def test_fixed_string_too_long(client, table_name):
    client.command(f'CREATE TABLE {table_name} (fs FixedString(2)) ENGINE Memory')
    with pytest.raises(chconnect.DataError):
        client.insert(table_name, [('abc',)])
    assert client.command(f'SELECT count() FROM {table_name}') == 0


def test_date(client, table_name):
    values = [date(1970, 1, 1), date(2000, 2, 29), date(2038, 1, 19), date(2100, 12, 31)]
    rows, _ = round_trip(client, table_name, [('d', 'Date')], [(v,) for v in values])
    assert [r[0] for r in rows] == values
    assert all(type(r[0]) is date for r in rows)
    # A datetime or an int of days is accepted too.
    client.insert(table_name, [(99, datetime(2001, 2, 3, 4, 5, 6)), (100, 1)], column_names=['id', 'd'])
    assert client.query(f'SELECT d FROM {table_name} WHERE id >= 99 ORDER BY id').result_columns == [
        [date(2001, 2, 3), date(1970, 1, 2)]]


def test_datetime_naive_utc(client, table_name):
    values = [datetime(1970, 1, 1, 0, 0, 1), datetime(2019, 3, 4, 5, 6, 7), datetime(2106, 2, 7, 6, 28, 15)]
    rows, _ = round_trip(client, table_name, [('dt', 'DateTime')], [(v,) for v in values])
    assert [r[0] for r in rows] == values
    assert all(r[0].tzinfo is None for r in rows)
    # The server sees the same instant (its time zone is irrelevant to the stored seconds).
    assert client.command(f'SELECT toUnixTimestamp(dt) FROM {table_name} WHERE id = 1') == int(
        values[1].replace(tzinfo=timezone.utc).timestamp())


def test_datetime_aware_and_int_inserts(client, table_name):
    aware = datetime(2020, 6, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=3)))
    rows, _ = round_trip(client, table_name, [('dt', 'DateTime')], [(aware,), (86400,), (date(2001, 1, 1),)])
    assert [r[0] for r in rows] == [datetime(2020, 6, 1, 9, 0, 0), datetime(1970, 1, 2), datetime(2001, 1, 1)]


def test_datetime_with_time_zone(client, table_name):
    value = datetime(2021, 7, 1, 10, 0, 0)  # naive = UTC
    rows, result = round_trip(client, table_name, [('dt', "DateTime('Europe/Berlin')")], [(value,)])
    got = rows[0][0]
    t = result.column_types[0]
    if t.timezone is None:
        # 18.16 sends plain "DateTime" in Native results even for a zoned column.
        assert got == value
    else:
        assert t.timezone == 'Europe/Berlin'
        assert got == value.replace(tzinfo=timezone.utc)
        assert got.utcoffset() == timedelta(hours=2)
    # The instant is right whatever the representation.
    assert client.command(f'SELECT toUnixTimestamp(dt) FROM {table_name}') == int(
        value.replace(tzinfo=timezone.utc).timestamp())


def test_zoned_datetime_type():
    t = chconnect.get_from_name("DateTime('Europe/Berlin')")
    assert t.timezone == 'Europe/Berlin'
    assert isinstance(t.tzinfo, ZoneInfo)
    assert chconnect.get_from_name("DateTime('UTC')").tzinfo is timezone.utc
    assert chconnect.get_from_name('DateTime').tzinfo is None


def test_nullable(client, table_name):
    columns = [('ni', 'Nullable(Int32)'), ('ns', 'Nullable(String)'), ('nf', 'Nullable(Float64)'),
               ('nd', 'Nullable(Date)'), ('nt', 'Nullable(DateTime)'), ('nu', 'Nullable(UInt64)')]
    rows_in = [
        (1, 'a', 1.5, date(2020, 1, 1), datetime(2020, 1, 1, 1, 1, 1), 2**64 - 1),
        (None, None, None, None, None, None),
        (-5, '', 0.0, date(1970, 1, 1), datetime(1970, 1, 1, 0, 0, 0), 0),
    ]
    rows, result = round_trip(client, table_name, columns, rows_in)
    assert rows == rows_in
    assert result.column_types[0].nullable
    assert result.column_types[1].name == 'Nullable(String)'


def test_nullable_without_nulls(client, table_name):
    rows, _ = round_trip(client, table_name, [('n', 'Nullable(Int8)')], [(1,), (2,)])
    assert rows == [(1,), (2,)]


def test_arrays(client, table_name):
    columns = [('ai', 'Array(Int32)'), ('as_', 'Array(String)'), ('an', 'Array(Nullable(Int64))'),
               ('ad', 'Array(Date)'), ('af', 'Array(Float64)')]
    rows_in = [
        ([1, 2, 3], ['x', 'yé'], [None, 5], [date(2020, 5, 6)], [0.5]),
        ([], [], [], [], []),
        ([-1], [''], [None], [], [1.0, 2.0]),
    ]
    rows, _ = round_trip(client, table_name, columns, rows_in)
    assert rows == [tuple(list(v) for v in row) for row in rows_in]
    assert all(type(v) is list for row in rows for v in row)


def test_nested_arrays_of_nullable_strings(client, table_name):
    rows_in = [
        ([['a', None], [], [None]],),
        ([],),
        ([[''], ['ünï', 'code', None, 'z']],),
    ]
    rows, result = round_trip(client, table_name, [('aa', 'Array(Array(Nullable(String)))')], rows_in)
    assert rows == rows_in
    t = result.column_types[0]
    assert t.name == 'Array(Array(Nullable(String)))'
    assert t.element.element.nullable


def test_tuples_accepted_for_arrays(client, table_name):
    rows, _ = round_trip(client, table_name, [('a', 'Array(UInt8)')], [((1, 2),)])
    assert rows == [([1, 2],)]


def test_query_expression_types(client):
    result = client.query("SELECT toInt8(-1), toUInt64(1), toFloat32(0.5), 'x', toFixedString('ab', 3), "
                          "toDate('2020-01-02'), toDateTime('2020-01-02 03:04:05', 'UTC'), CAST(NULL AS Nullable(Int8)), "
                          "[1, 2], [[NULL, 'a']]")
    row = result.first_row
    assert row[:6] == (-1, 1, 0.5, 'x', b'ab\x00', date(2020, 1, 2))
    # Naive UTC, or aware UTC when the server names the zone in the type (18.16 does not).
    assert row[6].replace(tzinfo=None) == datetime(2020, 1, 2, 3, 4, 5)
    assert row[6].tzinfo in (None, timezone.utc)
    assert row[7:] == (None, [1, 2], [[None, 'a']])
    assert [t.name for t in result.column_types][:3] == ['Int8', 'UInt64', 'Float32']


def test_get_from_name():
    t = chconnect.get_from_name('Array(Nullable(String))')
    assert t.name == 'Array(Nullable(String))'
    assert t.element.base_type == 'String'
    with pytest.raises(chconnect.ProgrammingError):
        chconnect.get_from_name('Array(')
