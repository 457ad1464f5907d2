"""Arrow / numpy / pandas / polars methods and the streams, against ClickHouse 18.16 (the
`client` fixture) and the chDB stand-in for a current server (CHC_CHDB_URL from
tests/server/chdb_start.sh). Fails (does not skip) when either server or package is missing."""

import io
import threading
import uuid
from datetime import datetime

import pytest

import chconnect

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402

SQL = ("SELECT number AS u, toString(number) AS s, number / 4 AS f, toDateTime(number) AS d, "
       "if(number % 3 = 0, NULL, toInt32(number)) AS n, toLowCardinality(toString(number % 5)) AS lc "
       "FROM system.numbers LIMIT {n}")


@pytest.fixture(scope='module', params=['18.16', 'chdb'])
def any_client(request, server):
    if request.param == 'chdb':
        yield request.getfixturevalue('standin_client')
        return
    c = chconnect.get_client(**server.client_args())
    yield c
    c.close()


@pytest.fixture
def any_table(any_client):
    name = f'chc_py_{uuid.uuid4().hex[:12]}'
    any_client.command(f'CREATE TABLE {name} (u UInt64, s String, f Float64, d DateTime, n Nullable(Int32), '
                       'lc LowCardinality(String)) ENGINE Memory')
    yield name
    any_client.command(f'DROP TABLE IF EXISTS {name}')


def expected_rows(n):
    return [(i, str(i), i / 4, datetime(1970, 1, 1) + (datetime.fromtimestamp(i) - datetime.fromtimestamp(0)),
             None if i % 3 == 0 else i, str(i % 5)) for i in range(n)]


def check_table(t, n):
    assert isinstance(t, pa.Table)
    assert t.schema.field('u').type == pa.uint64()
    assert t.schema.field('s').type == pa.large_string()
    assert t.schema.field('f').type == pa.float64()
    assert t.schema.field('d').type == pa.timestamp('s')
    assert t.schema.field('n').type == pa.int32() and t.schema.field('n').nullable
    assert not t.schema.field('u').nullable
    assert pa.types.is_dictionary(t.schema.field('lc').type)
    assert t.num_rows == n
    assert [tuple(r.values()) for r in t.to_pylist()] == expected_rows(n)


def test_query_arrow(any_client):
    check_table(any_client.query_arrow(SQL.format(n=1000), settings={'max_block_size': 300}), 1000)


def test_query_arrow_binary_strings(any_client):
    t = any_client.query_arrow("SELECT 'a\\xFFb' AS s, 'ok' AS t", use_strings=False)
    assert t.schema.field('s').type == pa.large_binary()
    assert t.column('s').to_pylist() == [b'a\xffb']
    with pytest.raises(chconnect.StreamFailureError, match='UTF-8'):
        any_client.query_arrow("SELECT 'a\\xFFb' AS s")
    assert any_client.command('SELECT 3') == 3


def test_query_result_arrow_c_stream(any_client):
    r = any_client.query(SQL.format(n=500), settings={'max_block_size': 100})
    assert r.result_rows == expected_rows(500)
    check_table(pa.table(r), 500)
    check_table(pa.table(r), 500)  # repeatable on a materialised result
    df = pl.DataFrame(r)
    assert df.schema['s'] == pl.String and df.schema['u'] == pl.UInt64 and df.height == 500
    assert df['n'].null_count() == 167
    capsule = r.__arrow_c_stream__()
    assert type(capsule).__name__ == 'PyCapsule'
    reader = pa.RecordBatchReader.from_stream(r)
    assert sum(b.num_rows for b in reader) == 500


def test_query_arrow_stream_consumers(any_client):
    stream = any_client.query_arrow_stream(SQL.format(n=300))
    check_table(pa.table(stream), 300)
    with pytest.raises(chconnect.StreamClosedError):
        pa.table(stream)  # a stream can be taken once
    assert pl.DataFrame(any_client.query_arrow_stream(SQL.format(n=300))).height == 300
    reader = pa.RecordBatchReader.from_stream(any_client.query_arrow_stream(SQL.format(n=300)))
    check_table(reader.read_all(), 300)


def test_query_arrow_stream_iter_and_early_close(any_client):
    with any_client.query_arrow_stream(SQL.format(n=100000), settings={'max_block_size': 1000}) as s:
        sizes = [b.num_rows for b in s]
    assert sum(sizes) == 100000 and len(sizes) >= 2
    with any_client.query_arrow_stream('SELECT number FROM system.numbers LIMIT 50000000',
                                       settings={'max_block_size': 10000}) as s:
        first = next(s)
        assert first.num_rows == 10000 and first.column(0).to_pylist()[:3] == [0, 1, 2]
    with pytest.raises(chconnect.ProgrammingError):
        next(any_client.query_arrow_stream('SELECT 1'))  # outside `with`
    assert any_client.command('SELECT 4') == 4


def test_query_np(any_client):
    a = any_client.query_np(SQL.format(n=100), settings={'max_block_size': 30})
    assert a.dtype.names == ('u', 's', 'f', 'd', 'n', 'lc')
    assert a.dtype['u'] == np.uint64 and a.dtype['f'] == np.float64
    assert a.dtype['d'] == np.dtype('datetime64[s]') and a.dtype['s'] == object
    assert [tuple(x.item() if hasattr(x, 'item') else x for x in row) for row in a.tolist()] == expected_rows(100)
    same = any_client.query_np('SELECT number, number * 2 FROM system.numbers LIMIT 5')
    assert same.shape == (5, 2) and same.dtype == np.uint64
    assert same[:, 1].tolist() == [0, 2, 4, 6, 8]
    nf = any_client.query_np('SELECT if(number = 1, NULL, number / 2) AS x FROM system.numbers LIMIT 3')
    assert nf.dtype == np.float64 and np.isnan(nf[1, 0]) and nf[2, 0] == 1.0


def test_query_np_stream(any_client):
    with any_client.query_np_stream('SELECT number AS a, toString(number) AS b FROM system.numbers LIMIT 1000',
                                    settings={'max_block_size': 256}) as s:
        parts = list(s)
    assert sum(len(p) for p in parts) == 1000 and len(parts) >= 4
    assert np.concatenate([p['a'] for p in parts]).tolist() == list(range(1000))


def test_query_df(any_client):
    df = any_client.query_df(SQL.format(n=200), settings={'max_block_size': 50})
    assert list(df.columns) == ['u', 's', 'f', 'd', 'n', 'lc']
    assert df['u'].dtype == np.uint64 and df['f'].dtype == np.float64
    assert df['d'].dtype == np.dtype('datetime64[s]')
    assert str(df['n'].dtype) == 'Int32' and df['n'].isna().sum() == 67
    assert not isinstance(df['lc'].dtype, pd.CategoricalDtype)
    assert df['s'].tolist() == [str(i) for i in range(200)]
    assert df['lc'].tolist() == [str(i % 5) for i in range(200)]
    assert df['d'].iloc[5] == pd.Timestamp('1970-01-01 00:00:05')


def test_query_df_stream(any_client):
    with any_client.query_df_stream(SQL.format(n=1000), settings={'max_block_size': 300}) as s:
        frames = list(s)
    assert len(frames) >= 2
    assert pd.concat(frames)['u'].tolist() == list(range(1000))


def test_query_df_arrow(any_client):
    df = any_client.query_df_arrow(SQL.format(n=50))
    assert isinstance(df['u'].dtype, pd.ArrowDtype) and df['u'].tolist() == list(range(50))
    pdf = any_client.query_df_arrow(SQL.format(n=50), dataframe_library='polars')
    assert isinstance(pdf, pl.DataFrame) and pdf['s'].to_list() == [str(i) for i in range(50)]
    with any_client.query_df_arrow_stream(SQL.format(n=50), dataframe_library='polars') as s:
        assert sum(f.height for f in s) == 50


def test_row_and_column_streams(any_client):
    sql = 'SELECT number AS a, toString(number) AS b FROM system.numbers LIMIT 1000'
    with any_client.query_column_block_stream(sql, settings={'max_block_size': 100}) as s:
        blocks = list(s)
    assert len(blocks) >= 10 and sum(len(b[0]) for b in blocks) == 1000 and blocks[0][1][:2] == ['0', '1']
    with any_client.query_row_block_stream(sql, settings={'max_block_size': 100}) as s:
        rows = [r for b in s for r in b]
    assert rows == [(i, str(i)) for i in range(1000)]
    with any_client.query_rows_stream(sql) as s:
        assert list(s) == [(i, str(i)) for i in range(1000)]
    # closed early: the transfer is aborted and the client still works
    with any_client.query_rows_stream('SELECT number FROM system.numbers LIMIT 50000000') as s:
        assert next(s) == (0,)
    with pytest.raises(chconnect.StreamClosedError):
        next(s)
    assert any_client.command('SELECT 5') == 5


def test_raw_query_and_stream(any_client):
    assert any_client.raw_query('SELECT 1, 2', fmt='CSV') == b'1,2\n'
    assert any_client.raw_query('SELECT number FROM system.numbers LIMIT 3', fmt='TSV') == b'0\n1\n2\n'
    assert any_client.raw_stream('SELECT 7', fmt='TSV').read() == b'7\n'


def test_insert_arrow_pyarrow_and_polars(any_client, any_table):
    t = any_client.query_arrow(SQL.format(n=300))
    any_client.insert_arrow(any_table, t)
    reader = pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=100))
    any_client.insert_arrow(any_table, reader)
    any_client.insert_arrow(any_table, pl.from_arrow(t))
    got = any_client.query(f'SELECT * FROM {any_table} ORDER BY u').result_rows
    assert got == sorted(expected_rows(300) * 3)
    with pytest.raises(chconnect.ProgrammingError):
        any_client.insert_arrow(any_table, pa.table({'u': [1], 'zz': [2]}))  # a stream field that is no column
    with pytest.raises(chconnect.ProgrammingError):
        any_client.insert_arrow(any_table, [1, 2])


def test_insert_df_and_df_arrow(any_client, any_table):
    df = any_client.query_df(SQL.format(n=100))
    any_client.insert_df(any_table, df)
    any_client.insert_df_arrow(any_table, any_client.query_df_arrow(SQL.format(n=100)))
    any_client.insert_df_arrow(any_table, any_client.query_df_arrow(SQL.format(n=100), dataframe_library='polars'))
    got = any_client.query(f'SELECT * FROM {any_table} ORDER BY u').result_rows
    assert got == sorted(expected_rows(100) * 3)


def test_insert_df_object_fallback(any_client, any_table):
    df = pd.DataFrame({'u': [1, 2], 's': ['a', b'b'], 'f': [0.5, 1.5], 'd': [datetime(2020, 1, 1), datetime(2021, 1, 1)],
                       'n': [None, 3], 'lc': ['x', 'y']})  # mixed str/bytes: pyarrow cannot convert
    any_client.insert_df(any_table, df)
    assert any_client.query(f'SELECT * FROM {any_table} ORDER BY u').result_rows == [
        (1, 'a', 0.5, datetime(2020, 1, 1), None, 'x'), (2, 'b', 1.5, datetime(2021, 1, 1), 3, 'y')]


def test_raw_insert(any_client, any_table):
    any_client.raw_insert(any_table, ['u', 's', 'f', 'd', 'n', 'lc'], '1\ta\t0.5\t2020-01-01 00:00:00\t\\N\tx\n',
                          fmt='TabSeparated')
    native = any_client.raw_query(f'SELECT * FROM {any_table}', fmt='Native')
    any_client.raw_insert(any_table, insert_block=native)  # default fmt Native
    any_client.raw_insert(any_table, insert_block=io.BytesIO(native))
    any_client.raw_insert(any_table, insert_block=iter([b'2\tb\t1\t2020-01-01 00:00:00\t7\ty\n']), fmt='TSV')
    rows = any_client.query(f'SELECT u, s, n FROM {any_table} ORDER BY u, n').result_rows
    assert rows == [(1, 'a', None)] * 3 + [(2, 'b', 7)]


def test_concurrent_arrow_and_np(any_client):
    errors, results = [], {}

    def work(i):
        try:
            n = 20000 + i
            t = any_client.query_arrow(SQL.format(n=n), settings={'max_block_size': 4096})
            a = any_client.query_np(f'SELECT number FROM system.numbers LIMIT {n}')
            df = any_client.query_df(SQL.format(n=n))
            with any_client.query_arrow_stream('SELECT number FROM system.numbers LIMIT 10000000') as s:
                next(s)  # closed early
            results[i] = (t.num_rows, len(a), len(df), t.column('u').to_pylist()[-1])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert results == {i: (20000 + i,) * 3 + (20000 + i - 1,) for i in range(4)}


def test_mid_stream_error_arrow(client):
    with pytest.raises(chconnect.StreamFailureError):
        client.query_arrow('SELECT number, throwIf(number = 3000000) FROM system.numbers LIMIT 4000000',
                           settings={'max_block_size': 65536})
    assert client.command('SELECT 6') == 6


def test_empty_result_arrow(any_client):
    t = any_client.query_arrow('SELECT number FROM system.numbers LIMIT 0')
    assert t.num_rows == 0
    assert pa.table(any_client.query('SELECT number FROM system.numbers LIMIT 0')).num_rows == 0


def test_qbit_to_arrow(standin_client):
    # QBit(T, N) is an Array of N elements of T on every path, Arrow included (large_list).
    import pyarrow as pa
    sql = ("SELECT CAST([1.5, -2, 3] AS QBit(Float32, 3)) AS q, CAST([1, 2] AS QBit(Float64, 2)) AS d "
           "UNION ALL SELECT CAST([0, 0, 1] AS QBit(Float32, 3)), CAST([-1, 0.25] AS QBit(Float64, 2))")
    settings = {'allow_experimental_qbit_type': 1}
    table = standin_client.query_arrow(sql, settings=settings)
    assert table.schema.field('q').type == pa.large_list(pa.field('item', pa.float32(), nullable=False))
    assert table.schema.field('d').type == pa.large_list(pa.field('item', pa.float64(), nullable=False))
    rows = sorted(table.to_pylist(), key=lambda r: r['q'])
    assert rows == sorted([{'q': [1.5, -2.0, 3.0], 'd': [1.0, 2.0]}, {'q': [0.0, 0.0, 1.0], 'd': [-1.0, 0.25]}],
                          key=lambda r: r['q'])
    assert sorted(standin_client.query(sql, settings=settings).result_rows) == sorted(
        [([1.5, -2.0, 3.0], [1.0, 2.0]), ([0.0, 0.0, 1.0], [-1.0, 0.25])])
