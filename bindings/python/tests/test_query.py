"""Client.query: QueryResult shape, many blocks, errors, concurrency."""

import threading
import uuid

import pytest

import chconnect


def test_query_result_shape(client):
    result = client.query('SELECT number AS n, toString(number) AS s FROM system.numbers LIMIT 3')
    assert result.column_names == ('n', 's')
    assert [t.name for t in result.column_types] == ['UInt64', 'String']
    assert result.result_rows == [(0, '0'), (1, '1'), (2, '2')]
    assert result.result_set == result.result_rows
    assert result.result_columns == [[0, 1, 2], ['0', '1', '2']]
    assert result.row_count == 3
    assert result.first_row == (0, '0')
    assert result.first_item == {'n': 0, 's': '0'}
    assert list(result.named_results()) == [{'n': 0, 's': '0'}, {'n': 1, 's': '1'}, {'n': 2, 's': '2'}]
    assert isinstance(result.summary, dict)
    assert isinstance(result.query_id, str)


def test_query_column_oriented(client):
    result = client.query('SELECT 1, 2', column_oriented=True)
    assert result.result_set == [[1], [2]]


def test_empty_result(client):
    result = client.query('SELECT number FROM system.numbers WHERE number > 10 LIMIT 0')
    assert result.result_rows == []
    assert result.row_count == 0
    assert result.first_row is None
    assert result.first_item is None


def test_query_id(client):
    # Unique per run: a second run of the suite on the same server may be running this query now.
    qid = f'chc-py-fixed-id-{uuid.uuid4().hex}'
    result = client.query('SELECT 1', query_id=qid)
    assert result.query_id == qid


def test_many_blocks(client):
    n = 25000
    result = client.query(f'SELECT number, toString(number), [number, number + 1], '
                          f"if(number % 3 = 0, NULL, toString(number)) FROM system.numbers LIMIT {n}",
                          settings={'max_block_size': 1000})
    assert result.row_count == n
    rows = result.result_rows
    assert rows[0] == (0, '0', [0, 1], None)
    assert rows[1] == (1, '1', [1, 2], '1')
    assert rows[-1] == (n - 1, str(n - 1), [n - 1, n], str(n - 1) if (n - 1) % 3 else None)
    assert [r[0] for r in rows] == list(range(n))


def test_result_streams(client):
    # Column 2 has no C conversion (Array), so its values come from the Python decoders.
    sql = 'SELECT number AS n, toString(number) AS s, [number] AS a FROM system.numbers LIMIT 7'
    result = client.query(sql, settings={'max_block_size': 3})
    with result.row_block_stream as stream:
        assert list(stream) == [[(0, '0', [0]), (1, '1', [1]), (2, '2', [2])],
                                [(3, '3', [3]), (4, '4', [4]), (5, '5', [5])], [(6, '6', [6])]]
    with result.column_block_stream as stream:
        assert [block[1] for block in stream] == [['0', '1', '2'], ['3', '4', '5'], ['6']]
    with pytest.raises(chconnect.ProgrammingError):
        next(iter(result.rows_stream))  # outside ``with``
    with result.rows_stream as stream:
        assert list(stream) == result.result_rows
    # After result_rows the blocks' values are one block.
    with result.row_block_stream as stream:
        assert list(stream) == [result.result_rows]
    empty = client.query('SELECT 1 AS x LIMIT 0')
    with empty.rows_stream as stream:
        assert list(stream) == []


def test_many_blocks_inserted(client, table_name):
    client.command(f'CREATE TABLE {table_name} (k UInt32, s String, a Array(Nullable(String))) '
                   'ENGINE MergeTree ORDER BY k')
    rows = [(i, f'välue {i}', [str(i), None] if i % 2 else []) for i in range(20000)]
    client.insert(table_name, rows)
    result = client.query(f'SELECT k, s, a FROM {table_name} ORDER BY k', settings={'max_block_size': 777})
    assert result.result_rows == rows


def test_query_routes_ddl_to_command(client, table_name):
    result = client.query(f'CREATE TABLE {table_name} (x UInt8) ENGINE Memory')
    assert result.result_rows == []
    assert client.command(f'EXISTS TABLE {table_name}') == 1


def test_missing_table_error_and_recovery(client):
    with pytest.raises(chconnect.DatabaseError) as info:
        client.query('SELECT * FROM chc_py_missing_table_q')
    assert info.value.code == 60
    assert not isinstance(info.value, chconnect.StreamFailureError)
    assert client.query('SELECT 5').first_item == {'5': 5}


def test_mid_stream_error(client):
    # Enough data before the failure that the server has already sent 200 and some blocks.
    with pytest.raises(chconnect.StreamFailureError) as info:
        client.query('SELECT number, throwIf(number = 3000000) FROM system.numbers LIMIT 4000000',
                     settings={'max_block_size': 65536})
    assert isinstance(info.value, chconnect.DatabaseError)
    assert info.value.code in (None, 395)
    assert client.command('SELECT 7') == 7


def test_unsupported_type_raises_not_supported(client):
    with pytest.raises(chconnect.NotSupportedError):
        client.query('SELECT uniqState(1)')  # AggregateFunction: not readable
    assert client.command('SELECT 8') == 8


def test_concurrent_queries_one_client(client):
    errors = []
    results = {}

    def worker(t):
        try:
            for i in range(15):
                n = 1000 + t * 100 + i
                r = client.query(f'SELECT number, toString(number) FROM system.numbers LIMIT {n}',
                                 settings={'max_block_size': 300})
                assert r.row_count == n
                assert r.result_rows[-1] == (n - 1, str(n - 1))
                assert client.command(f'SELECT {t * 1000 + i}') == t * 1000 + i
            results[t] = True
        except Exception as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    assert sorted(results) == [0, 1, 2, 3]


def test_unsupported_query_option(client):
    with pytest.raises(chconnect.NotSupportedError):
        client.query('SELECT 1', use_numpy=True)
    with pytest.raises(chconnect.ProgrammingError, match='no_such_option'):
        client.query('SELECT 1', no_such_option=1)
