"""The C conversions of the SWIG module (bindings/swig/python_values.i) against the pure-Python
ones, value by value and type by type: result rows and columns built per block in C
(chc_py_rows / chc_py_columns / chc_py_transpose), numpy object columns (chc_py_fill_objects) and
insert appends (chc_py_append_values), on ClickHouse 18.16 and on the chDB stand-in (types 18.16
lacks). datatypes.USE_FAST_PATH = False is the reference: every value converted in Python."""

import gc
import os
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import chconnect
from chconnect import datatypes
from chconnect._capi import capi
from chconnect.npconv import block_columns, combine

COMMON = ("number AS u64, toInt8(number % 256 - 128) AS i8, toInt16(number * 7 % 65536 - 32768) AS i16, "
          "toInt32(number * 100003 % 4294967296 - 2147483648) AS i32, toInt64(number) - 2500 AS i64, "
          "toUInt8(number % 256) AS u8, toUInt16(number * 13 % 65536) AS u16, toUInt32(number * 100003) AS u32, "
          "toFloat32(number / 3) AS f32, number / 7 AS f64, "
          "multiIf(number % 5 = 0, '', number % 5 = 1, 'héllo ✓ ü', number % 5 = 2, 'a\\xFFb\\xC3', "
          "toString(number * 1000003)) AS s, "
          "toFixedString(toString(number % 100), 2) AS fs, toDate(number * 3) AS d, "
          "toDateTime(number * 100003) AS dt, toDateTime(intDiv(number, 3) * 3600, 'UTC') AS dt_utc, "
          "toDateTime(number * 100003, 'Asia/Tokyo') AS dt_tokyo, "
          "if(number % 3 = 0, NULL, toInt32(number) - 2000) AS n_i32, "
          "if(number % 4 = 0, NULL, if(number % 4 = 1, '', concat('ü', toString(number)))) AS n_s, "
          "if(number % 2 = 0, NULL, toDateTime(number)) AS n_dt, if(number % 2 = 0, NULL, number / 2) AS n_f, "
          "if(number % 6 = 0, NULL, toDate(number)) AS n_d, "
          "toLowCardinality(toString(number % 7)) AS lc, "
          "toLowCardinality(if(number % 3 = 0, NULL, concat('é', toString(number % 5)))) AS lc_n, "
          "toUUID(concat('00112233-4455-6677-8899-', substring(toString(1000000000000 + number % 1000), 2))) AS uu, "
          "[number, 1] AS arr, (number, toString(number)) AS tup")
SQL_1816 = f"SELECT {COMMON} FROM system.numbers LIMIT 3000"
SQL_STANDIN = (f"SELECT {COMMON}, number % 2 = 0 AS b, toDate32(number * 50 - 40000) AS d32, "
               "toDateTime64(number * 1000003, 3) AS dt64_3, toDateTime64(number * 1000003, 9) AS dt64_9, "
               "toDateTime64(number, 0, 'UTC') AS dt64_0_utc, toDateTime64(number * 1001, 6, 'Asia/Tokyo') AS dt64_tz, "
               "toIPv4(number * 16777259) AS ip4, if(number % 2 = 0, NULL, toUUID(concat("
               "'00112233-4455-6677-8899-', substring(toString(1000000000000 + number), 2)))) AS n_uu, "
               "toLowCardinality(toFixedString(toString(number % 3), 1)) AS lc_fs, "
               "if(number % 5 = 0, NULL, toBool(number % 2)) AS n_b "
               "FROM system.numbers LIMIT 3000")
BLOCKS = {'max_block_size': 700}
# Native results name no zone (both servers send plain DateTime): zones come from column_tzs.
OPTS = dict(settings=BLOCKS, column_tzs={'dt_tokyo': 'Asia/Tokyo', 'dt64_tz': 'Asia/Tokyo'})


@pytest.fixture(scope='module', params=['18.16', 'chdb'])
def target(request, server):
    if request.param == '18.16':
        c = chconnect.get_client(**server.client_args())
        sql = SQL_1816
    else:
        url = os.environ.get('CHC_CHDB_URL')
        if not url:
            pytest.fail('CHC_CHDB_URL missing: start the stand-in with tests/server/chdb_start.sh', pytrace=False)
        c = chconnect.get_client(dsn=url, compress=False)
        sql = SQL_STANDIN
    yield c, sql
    c.close()


@pytest.fixture
def python_path(monkeypatch):
    """Call to switch every conversion to the pure-Python reference."""
    def switch(on=True):
        monkeypatch.setattr(datatypes, 'USE_FAST_PATH', not on)
    return switch


def same_values(got, want):
    """Equal and of the same Python type, value by value (NaN-aware)."""
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        assert type(a) is type(b), (i, a, b)
        if isinstance(a, tuple) and not isinstance(b, (str, bytes)):
            same_values(a, b)
        elif isinstance(a, float) and a != a:
            assert b != b, (i, a, b)
        else:
            assert a == b, (i, a, b)
        if isinstance(a, datetime):
            assert a.tzinfo == b.tzinfo, (i, a, b)


def test_rows_and_columns_match_python(target, python_path):
    client, sql = target
    fast = client.query(sql, **OPTS)
    fast_rows = fast.result_rows
    fast_cols = fast.result_columns  # the transposition of the rows
    fresh_cols = client.query(sql, **OPTS).result_columns  # built from the blocks in C
    python_path()
    slow = client.query(sql, **OPTS)
    slow_rows, slow_cols = slow.result_rows, slow.result_columns
    assert len(fast_rows) == 3000 and fast.row_count == 3000
    for got, want in zip(fast_rows, slow_rows):
        same_values(got, want)
    assert len(fast_cols) == len(slow_cols) == len(fresh_cols) == len(fast.column_names)
    for name, a, b, c in zip(fast.column_names, fast_cols, fresh_cols, slow_cols):
        same_values(a, c)
        same_values(b, c)
    # Spot checks of the interesting values themselves.
    names = fast.column_names
    row = dict(zip(names, fast_rows[2]))
    assert row['s'] == b'a\xffb\xc3' and fast_rows[1][names.index('s')] == 'héllo ✓ ü'
    assert fast_rows[0][names.index('s')] == '' and fast_rows[0][names.index('n_i32')] is None
    assert row['dt_tokyo'].tzinfo is not None and row['dt'].tzinfo is None and row['dt_utc'].tzinfo is None
    assert fast_rows[0][names.index('lc_n')] is None and fast_rows[1][names.index('lc_n')] == 'é1'


def test_row_count_without_materialising(target):
    client, sql = target
    r = client.query(sql, **OPTS)
    assert r.row_count == 3000 and r._rows is None and r._columns is None
    assert r.first_row == r.result_rows[0]
    empty = client.query(sql.replace('LIMIT 3000', 'LIMIT 0'))
    assert empty.result_rows == [] and empty.row_count == 0


def test_streams_match_python(target, python_path):
    client, sql = target

    def read():
        with client.query_row_block_stream(sql, **OPTS) as s:
            blocks = list(s)
        with client.query_rows_stream(sql, **OPTS) as s:
            rows = list(s)
        with client.query_column_block_stream(sql, **OPTS) as s:
            cols = list(s)
        return blocks, rows, cols

    fast = read()
    python_path()
    slow = read()
    assert len(fast[0]) >= 4 and [len(b) for b in fast[0]] == [len(b) for b in slow[0]]
    for fb, sb in zip(fast[0], slow[0]):
        for a, b in zip(fb, sb):
            same_values(a, b)
    for a, b in zip(fast[1], slow[1]):
        same_values(a, b)
    for fb, sb in zip(fast[2], slow[2]):
        for a, b in zip(fb, sb):
            same_values(a, b)


def test_column_values_match_decoders(target, python_path):
    """chc_py_column_values (and the per-block items) against the Python decoders, column by column."""
    client, sql = target
    reader = client._open(client._query_ctx(None, query=sql, settings=BLOCKS))
    blocks = list(client._block_gen(reader))
    assert len(blocks) >= 4
    for block in blocks:
        for i in range(capi.chc_block_column_count(block)):
            h = capi.chc_block_column(block, i)
            t = datatypes.type_from_capi(capi.chc_column_type(h))
            fast = capi.chc_py_column_values(h)
            assert (fast is None) == (not capi.chc_py_column_fast(h)), t.name
            datatypes.USE_FAST_PATH = False
            try:
                slow = datatypes.decode_column(h, t)
            finally:
                datatypes.USE_FAST_PATH = True
            if fast is not None:
                same_values(fast, slow)
            same_values(capi.chc_py_columns([[h if fast is not None else slow]])[0], slow)


def test_gc_untracks_only_atomic_rows(target):
    client, sql = target
    rows = client.query('SELECT number, toString(number), toDateTime(number), NULL FROM system.numbers LIMIT 10'
                        ).result_rows
    assert not any(gc.is_tracked(r) for r in rows)
    with_list = client.query('SELECT number, [number] FROM system.numbers LIMIT 5').result_rows
    assert all(gc.is_tracked(r) for r in with_list)
    with_uuid = client.query('SELECT toUUID(\'00112233-4455-6677-8899-aabbccddeeff\') FROM system.numbers LIMIT 3'
                             ).result_rows
    assert all(gc.is_tracked(r) for r in with_uuid)
    # A cycle through a row that holds a list is still collected.
    row = with_list[0]
    row[1].append(row)
    gc.collect()


def test_np_matches_python_and_concat_path(target, python_path):
    client, sql = target
    sql = sql.replace(', [number, 1] AS arr, (number, toString(number)) AS tup', '')
    fast = client.query_np(sql, settings=BLOCKS)
    # The previous assembly: per-block arrays, concatenated, then combined.
    reader = client._open(client._query_ctx(None, query=sql, settings=BLOCKS))
    parts = [block_columns(b) for b in client._block_gen(reader)]
    ref = combine(parts[0][0], parts[0][1], [np.concatenate(p) for p in zip(*[p[2] for p in parts])])
    python_path()
    slow = client.query_np(sql, settings=BLOCKS)
    assert fast.dtype == slow.dtype == ref.dtype and fast.shape == slow.shape == ref.shape == (3000,)
    for name in fast.dtype.names:
        if fast.dtype[name] == object:
            same_values(fast[name].tolist(), slow[name].tolist())
            same_values(fast[name].tolist(), ref[name].tolist())
        else:
            assert np.array_equal(fast[name], ref[name], equal_nan=fast.dtype[name].kind == 'f'), name
    with client.query_np_stream(sql, **OPTS) as s:
        parts = list(s)
    assert sum(len(p) for p in parts) == 3000 and len(parts) >= 4
    # 2-D (one dtype) and object cells that are tuples/lists stay whole.
    two_d = client.query_np('SELECT number, number * 2 FROM system.numbers LIMIT 1500', settings=BLOCKS)
    assert two_d.shape == (1500, 2) and two_d[1499].tolist() == [1499, 2998]
    objs = client.query_np('SELECT [number], (number, \'x\') FROM system.numbers LIMIT 3')
    assert objs.shape == (3, 2) and objs[2, 0] == [2] and objs[2, 1] == (2, 'x')


def test_c_builders_reject_bad_input(client):
    with pytest.raises(ValueError):
        capi.chc_py_rows([[[1, 2], [1]]])
    with pytest.raises(ValueError):
        capi.chc_py_rows([[[1]], [[1], [2]]])
    with pytest.raises(TypeError):
        capi.chc_py_rows([[object()]])
    with pytest.raises(ValueError):
        capi.chc_py_fill_objects(np.empty(2, dtype=object), [1, 2, 3])
    with pytest.raises((ValueError, BufferError, TypeError)):
        capi.chc_py_fill_objects(np.empty(3, dtype='i8'), [1, 2, 3])
    assert capi.chc_py_rows([]) == [] and capi.chc_py_columns([]) == []
    assert capi.chc_py_rows([[[1, 2], ('a', None)]]) == [(1, 'a'), (2, None)]
    assert capi.chc_py_transpose([(1, 'a'), (2, None)], 2) == [[1, 2], ['a', None]]
    with pytest.raises(ValueError):
        capi.chc_py_transpose([(1, 'a'), (2,)], 2)
    target = np.zeros(3, dtype=[('a', 'u8'), ('b', 'O')])
    capi.chc_py_fill_objects(target['b'], ['x', None, (1, 2)])
    assert target['b'].tolist() == ['x', None, (1, 2)]


# ------------------------------------------------------------------------------------------
# inserts
# ------------------------------------------------------------------------------------------

class Color(IntEnum):
    RED = 1


class MyStr(str):
    pass


TOKYO = ZoneInfo('Asia/Tokyo')
# column -> (type, values); values mix the exact types the C code takes with alternatives it hands
# back to the Python conversion (numpy scalars, bool, Decimal, IntEnum, str subclasses, ISO text,
# aware datetimes, bytearray, dates for DateTime).
INSERT_COLUMNS = {
    'i8': ('Int8', [-128, 127, np.int8(5), True, Color.RED, 0]),
    'i64': ('Int64', [-2 ** 63, 2 ** 63 - 1, np.int64(-7), 0, False, 3]),
    'u8': ('UInt8', [0, 255, np.uint8(1), 7, True, 9]),
    'u64': ('UInt64', [0, 2 ** 64 - 1, np.uint64(2 ** 63), 5, 6, Color.RED]),
    'f32': ('Float32', [1.5, -0.25, 3, np.float32(2.5), Decimal('0.5'), True]),
    'f64': ('Float64', [0.1, -1e300, 2 ** 70, np.float64(1.25), Decimal('2.5'), float('inf')]),
    's': ('String', ['', 'héllo ✓', b'a\xffb', bytearray(b'xy'), MyStr('sub'), 'x' * 300]),
    'fs': ('FixedString(3)', ['abc', b'a', '', bytearray(b'z'), 'é', b'\x00\x01\x02']),
    'd': ('Date', [date(1970, 1, 2), datetime(2020, 2, 29, 23, 59), 18000, '2001-02-03', date(2105, 12, 31),
                   datetime(2021, 1, 1, 12, tzinfo=TOKYO)]),
    'dt': ('DateTime', [datetime(1970, 1, 1, 0, 0, 1), datetime(2020, 2, 29, 12, 0, 0, 999999), 1600000000,
                        '2001-02-03 04:05:06', date(2000, 1, 1), datetime(2021, 1, 1, 12, tzinfo=TOKYO)]),
    'dt_utc': ('DateTime', [datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(1999, 12, 31, 23, 59, 59),
                            datetime(2020, 1, 1, 9, tzinfo=timezone(timedelta(hours=9))), 0, 1, 2]),
    'n_i32': ('Nullable(Int32)', [None, -2 ** 31, 2 ** 31 - 1, np.int32(3), None, True]),
    'n_s': ('Nullable(String)', [None, '', 'ü', b'\xff', None, MyStr('m')]),
    'n_dt': ('Nullable(DateTime)', [None, datetime(2020, 1, 1), 5, None, date(2001, 1, 1), '2002-03-04 05:06:07']),
    'lc': ('LowCardinality(String)', ['a', 'b', 'a', b'c', MyStr('a'), '']),
    'lc_n': ('LowCardinality(Nullable(String))', [None, 'x', None, 'y', 'x', b'z']),
}
STANDIN_COLUMNS = {
    'b': ('Bool', [True, False, 1, 0, np.bool_(True), False]),
    'd32': ('Date32', [date(1900, 1, 1), date(2299, 12, 31), -100, datetime(1950, 5, 6, 7), date(1970, 1, 1),
                       '1969-07-20']),
    'dt64_3': ('DateTime64(3)', [datetime(2020, 1, 2, 3, 4, 5, 123456), datetime(1969, 12, 31, 23, 59, 59, 999999),
                                 1234567890123, date(1950, 1, 1), '2001-02-03 04:05:06.789',
                                 datetime(2021, 1, 1, tzinfo=TOKYO)]),
    'dt64_9': ('DateTime64(9)', [datetime(2020, 1, 2, 3, 4, 5, 123456), datetime(1969, 12, 31, 23, 59, 59, 1),
                                 -1, date(2200, 1, 1), datetime(2000, 1, 1, tzinfo=timezone.utc), 5]),
    'dt64_0': ('Nullable(DateTime64(0))', [None, datetime(2020, 1, 2, 3, 4, 5, 999999), 7, None,
                                           datetime(1960, 1, 1, 0, 0, 0, 1), date(1999, 1, 1)]),
    'lc_fs': ('LowCardinality(FixedString(2))', ['ab', b'a', 'ab', '', b'zz', 'x']),
}


def _insert_table(client, columns):
    name = f'chc_py_{uuid.uuid4().hex[:12]}'
    cols = ', '.join(f'{c} {t}' for c, (t, _) in columns.items())
    client.command(f'CREATE TABLE {name} (id UInt32, {cols}) ENGINE Memory')
    return name


def _rows(columns, n_repeat):
    values = list(zip(*[v for _, v in columns.values()]))
    rows = []
    for k in range(n_repeat):
        for i, r in enumerate(values):
            rows.append((k * len(values) + i,) + r)
    return rows


def test_insert_matches_python(target, python_path, monkeypatch):
    client, _ = target
    columns = dict(INSERT_COLUMNS)
    if client.server_version.split('.')[0] != '18':
        columns.update(STANDIN_COLUMNS)
    fast_t = _insert_table(client, columns)
    slow_t = _insert_table(client, columns)
    try:
        rows = _rows(columns, 500)  # 3000 rows
        calls = []
        c_append = capi.chc_py_append_values

        def counting(*args):
            calls.append(args[3])
            return c_append(*args)
        monkeypatch.setattr(capi, 'chc_py_append_values', counting)
        client.insert(fast_t, rows)
        cols = [list(c) for c in zip(*rows)]
        client.insert(fast_t, [[v + 3000 for v in c] if i == 0 else c for i, c in enumerate(cols)],
                      column_oriented=True)
        assert len(calls) > 2 * (len(columns) + 1)  # the C path ran, and handed values back
        python_path()
        calls.clear()
        client.insert(slow_t, rows)
        client.insert(slow_t, [[v + 3000 for v in c] if i == 0 else c for i, c in enumerate(cols)],
                      column_oriented=True)
        assert not calls
        python_path(False)
        got = client.query(f'SELECT * FROM {fast_t} ORDER BY id').result_rows
        want = client.query(f'SELECT * FROM {slow_t} ORDER BY id').result_rows
        assert len(got) == 6000
        for a, b in zip(got, want):
            same_values(a, b)
        text = ', '.join(f'toString({c})' for c in columns)
        assert (client.query(f'SELECT {text} FROM {fast_t} ORDER BY id').result_rows
                == client.query(f'SELECT {text} FROM {slow_t} ORDER BY id').result_rows)
    finally:
        client.command(f'DROP TABLE IF EXISTS {fast_t}')
        client.command(f'DROP TABLE IF EXISTS {slow_t}')


BAD_VALUES = [
    ('i64', 'Int64', 'x'),            # another Python type: the Python conversion raises
    ('i64', 'Int64', 2 ** 63),        # out of range for int64
    ('u8', 'UInt8', 300),             # the library refuses it
    ('u64', 'UInt64', -1),
    ('f64', 'Float64', '1.5'),
    ('f64', 'Float64', 10 ** 400),
    ('s', 'String', 5),
    ('s', 'String', '\ud800'),        # not encodable as UTF-8
    ('fs', 'FixedString(2)', 'abc'),  # too long
    ('d', 'Date', 1.5),
    ('dt', 'DateTime', 2 ** 40),
    ('dt', 'DateTime', 'not a date'),
    ('i64', 'Int64', None),           # NULL into a non-Nullable column
    ('lc', 'LowCardinality(String)', None),
    ('n', 'Nullable(Int32)', 2 ** 31),
]


@pytest.mark.parametrize('column,ch_type,bad', BAD_VALUES, ids=[f'{c}-{b!r:.12}' for c, _, b in BAD_VALUES])
def test_insert_errors_name_column_and_row_and_send_nothing(client, table_name, python_path, column, ch_type, bad):
    good = {'i64': 1, 'u8': 1, 'u64': 1, 'f64': 1.0, 's': 'a', 'fs': 'ab', 'd': date(2000, 1, 1),
            'dt': datetime(2000, 1, 1), 'lc': 'a', 'n': None}
    client.command(f'CREATE TABLE {table_name} (id UInt32, {column} {ch_type}) ENGINE Memory')
    rows = [(i, good[column]) for i in range(5000)]
    rows[3217] = (3217, bad)
    messages = []
    for python in (False, True):
        python_path(python)
        for oriented in (False, True):
            data = [list(c) for c in zip(*rows)] if oriented else rows
            with pytest.raises(chconnect.DataError) as info:
                client.insert(table_name, data, column_oriented=oriented)
            messages.append(str(info.value))
            assert f"column '{column}' ({ch_type}), row 3217" in messages[-1]
    assert len(set(messages)) == 1, messages  # same error through the C and the Python path
    assert client.command(f'SELECT count() FROM {table_name}') == 0


def test_insert_first_bad_column_is_reported(client, table_name):
    # Two bad values: the first column's is reported (columns are appended in order), as before.
    client.command(f'CREATE TABLE {table_name} (a Int64, b String) ENGINE Memory')
    rows = [(1, 'x')] * 100
    rows[10] = (1, 5)
    rows[50] = ('bad', 'x')
    with pytest.raises(chconnect.DataError) as info:
        client.insert(table_name, rows)
    assert "column 'a' (Int64), row 50" in str(info.value)


def test_insert_rows_of_other_shapes(client, table_name):
    client.command(f'CREATE TABLE {table_name} (a Int64, b String) ENGINE Memory')
    client.insert(table_name, [[1, 'x'], (2, 'y')])
    client.insert(table_name, [np.array([3, 4])[i:i + 1].tolist() + ['z'] for i in range(1)])
    client.insert(table_name, (r for r in [(5, 'g')]))  # any iterable of rows
    assert client.query(f'SELECT * FROM {table_name} ORDER BY a').result_rows == [
        (1, 'x'), (2, 'y'), (3, 'z'), (5, 'g')]
    with pytest.raises(chconnect.ProgrammingError, match='row 1 has 1 values'):
        client.insert(table_name, [(1, 'x'), (2,)])


@pytest.mark.parametrize('prefix', [0, 7, 31, 32, 33, 64, 95])
def test_arrow_utf8_check_around_ascii_runs(target, prefix):
    """The String -> utf8 check skips ASCII 32 bytes at a time: bad and good bytes right at and
    around those boundaries (and at the end of the data)."""
    import pyarrow as pa  # noqa: F401
    client, _ = target
    a = 'a' * prefix
    good = client.query_arrow(f"SELECT '{a}é' AS s UNION ALL SELECT '{a}' AS s")
    assert sorted(good.column('s').to_pylist()) == sorted([a + 'é', a])
    for bad in ('\\xFF', '\\xC3', '\\xE2\\x82', '\\xED\\xA0\\x80'):
        with pytest.raises(chconnect.StreamFailureError, match='UTF-8'):
            client.query_arrow(f"SELECT '{a}{bad}' AS s")
        with pytest.raises(chconnect.StreamFailureError, match='UTF-8'):
            client.query_arrow(f"SELECT '{a}{bad}{a}' AS s")
