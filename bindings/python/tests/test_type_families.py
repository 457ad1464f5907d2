"""Every type family the 18.16 test server knows: insert -> query round trips, compared with the
inserted values AND with the server's own toString() of what it stored, through both the C fast
path and the pure-Python conversions."""

import re
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from chconnect import datatypes


def ch_text(value, top=True):
    """What ClickHouse's toString() prints for a stored value (18.16 spelling)."""
    if value is None:
        return None if top else 'NULL'
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, 'f')
    if isinstance(value, (date, UUID, str)):
        text = value if isinstance(value, str) else str(value)
        if isinstance(value, datetime):
            text = value.strftime('%Y-%m-%d %H:%M:%S')
        if top:
            return text
        return "'" + text.replace('\\', '\\\\').replace("'", "\\'") + "'"
    if isinstance(value, bytes):  # FixedString: toString drops the trailing zero bytes
        return ch_text(value.rstrip(b'\x00').decode('latin-1'), top)
    if isinstance(value, list):
        return '[' + ','.join(ch_text(v, False) for v in value) + ']'
    if isinstance(value, tuple):
        return '(' + ','.join(ch_text(v, False) for v in value) + ')'
    raise AssertionError(f'no text form for {value!r}')


def D(text):
    return Decimal(text)


U1 = UUID('00112233-4455-6677-8899-aabbccddeeff')
UMAX = UUID(int=2 ** 128 - 1)
ENUM8 = "Enum8('b' = -2, 'a' = 1, 'c\\'q' = 127)"  # 18.16 prints the elements by value
ENUM16 = "Enum16('x' = -300, 'y' = 1000)"

# (type, values inserted, values expected back (None: the same), decimal scale for toString)
CASES = {
    'Int8': ([-128, 127, 0], None),
    'UInt64': ([0, 2 ** 64 - 1, 12345678901234567890], None),
    'Int64': ([-2 ** 63, 2 ** 63 - 1, -1], None),
    'Float32': ([1.5, -0.25, 0.0], None),
    'Float64': ([0.1, -1e300, 2.0], None),
    'Decimal(9, 2)': ([D('1.50'), D('-9999999.99'), 3], [D('1.50'), D('-9999999.99'), D('3.00')]),
    'Decimal(18, 4)': ([D('12345678901234.5678'), -0.0001, '7'], [D('12345678901234.5678'), D('-0.0001'),
                                                                  D('7.0000')]),
    'Decimal(38, 10)': ([D('1234567890123456789012345678.0123456789'), D('-1E-10'), 0],
                        [D('1234567890123456789012345678.0123456789'), D('-0.0000000001'), D('0E-10')]),
    'String': (['', 'héllo ✓', "q'\\\t"], None),
    'FixedString(3)': ([b'abc', 'a', b''], [b'abc', b'a\x00\x00', b'\x00\x00\x00']),
    # (18.16's toString prints day 0 as 0000-00-00 and wraps DateTime after 2105: not used here.)
    'Date': ([date(1970, 1, 2), date(2105, 12, 31), date(2000, 2, 29)], None),
    'DateTime': ([datetime(1970, 1, 1, 0, 0, 1), datetime(2105, 12, 31, 23, 59, 59), datetime(2020, 2, 29, 12)], None),
    'UUID': ([U1, str(UMAX), UUID(int=1)], [U1, UMAX, UUID(int=1)]),
    ENUM8: (['a', -2, "c'q"], ['a', 'b', "c'q"]),
    ENUM16: (['x', 1000, 'y'], ['x', 'y', 'y']),
    'Nullable(Decimal(9, 2))': ([None, D('1.5'), D('-0.01')], [None, D('1.50'), D('-0.01')]),
    'Nullable(UUID)': ([None, U1, None], None),
    "Nullable(Enum8('a' = 0, 'b' = 2))": (['b', None, 'a'], None),
    'Nullable(FixedString(2))': ([b'xy', None, b'z\x00'], None),
    'Array(Nullable(Decimal(9, 2)))': ([[D('1.00'), None], [], [D('-2.50')]], None),
    'Array(UUID)': ([[U1, UMAX], [], [UUID(int=5)]], None),
    'Array(DateTime)': ([[datetime(2001, 2, 3, 4, 5, 6)], [], [datetime(1970, 1, 2)] * 2], None),
    'Array(Array(String))': ([[['a'], []], [], [['', "x'"]]], None),
    'Tuple(UInt8, String, Array(Date))': ([(1, 'a', [date(2020, 1, 1)]), (2, '', []), (255, 'é', [])], None),
    'LowCardinality(String)': (['x', 'y', 'x'], None),
    'LowCardinality(Nullable(String))': (['x', None, 'x'], None),
    'Array(LowCardinality(String))': ([['a', 'b', 'a'], [], ['b']], None),
}


@pytest.fixture(params=[True, False], ids=['fast', 'python'])
def fast_path(request, monkeypatch):
    monkeypatch.setattr(datatypes, 'USE_FAST_PATH', request.param)
    return request.param


@pytest.mark.parametrize('ch_type', list(CASES))
def test_round_trip_and_server_text(client, table_name, fast_path, ch_type):
    values, expected = CASES[ch_type]
    expected = values if expected is None else expected
    client.command(f'CREATE TABLE {table_name} (id UInt32, v {ch_type}) ENGINE MergeTree ORDER BY id')
    client.insert(table_name, [(i, v) for i, v in enumerate(values)])
    # Servers since 21.9 drop a Decimal's trailing zeros in text unless asked to keep them (18.16
    # always keeps them); the expected texts are in 18.16's form.
    text_settings = {'output_format_decimal_trailing_zeros': 1} if client.min_version('21.9') else None
    result = client.query(f'SELECT v, toString(v) FROM {table_name} ORDER BY id', settings=text_settings)
    got = [row[0] for row in result.result_rows]
    assert result.column_types[0].name == ch_type.replace("\\'", "\\'")
    if ch_type.startswith('Float'):
        assert got == pytest.approx(expected)
        assert [float(row[1]) for row in result.result_rows] == pytest.approx(expected)
        return
    assert got == expected
    # Python types: exactly the mapped ones, not just equal values.
    assert [type(v) for v in got] == [type(v) for v in expected]
    texts = [row[1] for row in result.result_rows]
    if ch_type == 'Decimal(38, 10)':
        # 18.16's toString(Decimal128) garbles wide values ('1\\0\\0...'); its TSV output is right.
        texts = client.raw_query(f'SELECT v FROM {table_name} ORDER BY id', settings=text_settings).decode().splitlines()
    want = [ch_text(v) for v in expected]
    if 'Decimal' in ch_type and client.min_version('21.9'):
        # newer servers' toString() drops a Decimal's trailing zeros whatever the settings say:
        # compare the server's text as numbers there
        def numeric(text):
            if text is None:
                return None
            return re.sub(r'(\d+)\.(\d*?)0*(?!\d)', lambda m: m[1] + ('.' + m[2] if m[2] else ''), text)
        texts = [numeric(t) for t in texts]
        want = [numeric(t) for t in want]
    assert texts == want


def test_nested_columns(client, table_name, fast_path):
    # 18.16 stores Nested as one Array per element (n.a, n.b); inserting the arrays round-trips.
    client.command(f'CREATE TABLE {table_name} (id UInt32, n Nested(a UInt8, b String)) ENGINE MergeTree ORDER BY id')
    client.insert(table_name, [(0, [1, 2], ['x', 'y']), (1, [], [])], column_names=['id', 'n.a', 'n.b'])
    result = client.query(f'SELECT n.a, n.b, toString(n.b) FROM {table_name} ORDER BY id')
    assert result.result_rows == [([1, 2], ['x', 'y'], "['x','y']"), ([], [], '[]')]
    assert [t.name for t in result.column_types] == ['Array(UInt8)', 'Array(String)', 'String']


def test_interval_nothing_and_literals(client, fast_path):
    row = client.query('SELECT toIntervalDay(5), toIntervalSecond(-3), NULL, [NULL], '
                       "CAST('b' AS Enum8('a' = 1, 'b' = 2)), toDecimal32('-1.25', 2), "
                       "toUUID('00112233-4455-6677-8899-aabbccddeeff'), (1, 'a')").first_row
    assert row == (5, -3, None, [None], 'b', D('-1.25'), U1, (1, 'a'))
    assert type(row[0]) is int


def test_nullable_enum_without_zero_element(client, table_name):
    # Values only: 18.16's toString() fails on the NULL rows of such a column (its own placeholder
    # 0 is not an element), so the CASES entry uses an enum with a 0 element.
    client.command(f"CREATE TABLE {table_name} (id UInt32, e Nullable(Enum8('a' = 1, 'b' = 2))) "
                   "ENGINE MergeTree ORDER BY id")
    client.insert(table_name, [(0, None), (1, 'b')])
    assert client.query(f'SELECT e FROM {table_name} ORDER BY id').result_columns == [[None, 'b']]


def test_array_of_tuples_from_query(client, fast_path):
    # 18.16 stores an Array(Tuple) column as Nested-style arrays; a query still returns one.
    result = client.query("SELECT [(1, 'a'), (-1, NULL)], toString([(1, 'a')])")
    assert result.column_types[0].name == 'Array(Tuple(Int16, Nullable(String)))'
    assert result.first_row == ([(1, 'a'), (-1, None)], "[(1,'a')]")


def test_interval_is_int64(client, fast_path):
    # clickhouse-connect reads Interval as Int32 (a quirk); the wire value is Int64.
    big = 2 ** 40 + 3
    assert client.query(f'SELECT toIntervalSecond({big}), toIntervalSecond(-{big})').first_row == (big, -big)


def test_invalid_utf8_values_stay_bytes(client, table_name, fast_path):
    client.command(f'CREATE TABLE {table_name} (id UInt32, s String, n Nullable(String), '
                   f'l LowCardinality(String)) ENGINE MergeTree ORDER BY id')
    client.insert(table_name, [(0, b'\xff\xfe', b'ok', b'\xc3'), (1, 'fine', None, 'é')])
    rows = client.query(f'SELECT s, n, l FROM {table_name} ORDER BY id').result_rows
    assert rows == [(b'\xff\xfe', 'ok', b'\xc3'), ('fine', None, 'é')]


def test_decimal_exact_and_out_of_range(client, table_name):
    import chconnect
    client.command(f'CREATE TABLE {table_name} (id UInt32, d Decimal(38, 20)) ENGINE MergeTree ORDER BY id')
    exact = D('123456789012345678.12345678901234567891')  # 38 digits: more than a double carries
    client.insert(table_name, [(0, exact)])
    assert client.query(f'SELECT d FROM {table_name}').first_item == {'d': exact}
    assert client.command(f'SELECT toString(d) FROM {table_name}') == '123456789012345678.12345678901234567891'
    with pytest.raises(chconnect.DataError):
        client.insert(table_name, [(1, D('1E+18'))])  # 19 integer digits > 38 - 20
    with pytest.raises(chconnect.DataError):
        client.insert(table_name, [(1, D('0.123456789012345678901'))])  # 21 fractional digits


def test_enum_rejects_unknown(client, table_name):
    import chconnect
    client.command(f"CREATE TABLE {table_name} (id UInt32, e Enum8('a' = 1)) ENGINE MergeTree ORDER BY id")
    with pytest.raises(chconnect.DataError):
        client.insert(table_name, [(0, 'zz')])
    with pytest.raises(chconnect.DataError):
        client.insert(table_name, [(0, 2)])
    assert client.command(f'SELECT count() FROM {table_name}') == 0


def test_uuid_inputs_and_byte_order(client, table_name):
    client.command(f'CREATE TABLE {table_name} (id UInt32, u UUID) ENGINE MergeTree ORDER BY id')
    client.insert(table_name, [(0, U1), (1, U1.int), (2, U1.bytes), (3, str(U1).upper())])
    rows = client.query(f'SELECT u, toString(u), UUIDNumToString(UUIDStringToNum(toString(u))) '
                        f'FROM {table_name} ORDER BY id').result_rows
    assert rows == [(U1, str(U1), str(U1))] * 4


def test_bulk_numeric_insert_matches_per_value(client, table_name):
    # Plain numeric columns go in as one packed buffer (chc_builder_append_fixed).
    import chconnect
    client.command(f'CREATE TABLE {table_name} (id UInt32, a UInt8, b Int64, c Float32, d Float64) '
                   f'ENGINE MergeTree ORDER BY id')
    n = 1000
    data = [list(range(n)), [i % 256 for i in range(n)], [-i * 10 ** 12 for i in range(n)],
            [i / 4 for i in range(n)], [i * 1.5 for i in range(n)]]
    client.insert(table_name, data, column_oriented=True)
    assert client.query(f'SELECT * FROM {table_name} ORDER BY id', column_oriented=True).result_columns == data
    with pytest.raises(chconnect.DataError) as info:
        client.insert(table_name, [[1, 2], [1, 256], [0, 0], [0.0, 0.0], [0.0, 0.0]], column_oriented=True)
    assert 'row 1' in str(info.value)
    assert client.command(f'SELECT count() FROM {table_name}') == n


def test_fast_and_python_paths_agree(client):
    sql = ("SELECT number, toInt8(number - 100), toFloat32(number / 3), toString(number), "
           "toFixedString(toString(number % 10), 2), toDate(number * 100), toDateTime(number * 100000), "
           "if(number % 3 = 0, NULL, toInt32(number)), toLowCardinality(toString(number % 7)), "
           "toUUID('00112233-4455-6677-8899-aabbccddeeff'), [number, 1], "
           "if(number % 2 = 0, NULL, toString(number)) FROM system.numbers LIMIT 3000")
    old = datatypes.USE_FAST_PATH
    try:
        datatypes.USE_FAST_PATH = True
        fast = client.query(sql).result_rows
        datatypes.USE_FAST_PATH = False
        slow = client.query(sql).result_rows
    finally:
        datatypes.USE_FAST_PATH = old
    assert fast == slow
    assert [type(v) for v in fast[1]] == [type(v) for v in slow[1]]
    assert len(fast) == 3000


def test_fast_path_returns_none_for_other_kinds(client):
    from chconnect._capi import capi
    assert hasattr(capi, 'chc_py_column_values')
    q = capi.chc_query_new("SELECT toDecimal32(1, 2), [1], toInt16(-7)")
    res = capi.chc_client_query(client._h, q)
    block = capi.chc_result_next(res)
    assert capi.chc_py_column_values(capi.chc_block_column(block, 0)) is None
    assert capi.chc_py_column_values(capi.chc_block_column(block, 1)) is None
    assert capi.chc_py_column_values(capi.chc_block_column(block, 2)) == [-7]
