"""Client.insert: shapes, column selection, and bad values (DataError, nothing sent)."""

from datetime import date

import pytest

import chconnect


def make_table(client, name, columns='k UInt32, s String, f Float64'):
    client.command(f'CREATE TABLE {name} ({columns}) ENGINE MergeTree ORDER BY k')


def count(client, table):
    return client.command(f'SELECT count() FROM {table}')


def test_seed_example(client, table_name):
    client.command(f'CREATE TABLE {table_name} (key UInt32, value String, metric Float64) ENGINE MergeTree ORDER BY key')
    client.insert(table_name, [[1000, 'String Value 1000', 5.233], [2000, 'String Value 2000', -107.04]],
                  column_names=['key', 'value', 'metric'])
    result = client.query(f'SELECT max(key), avg(metric) FROM {table_name}')
    assert result.result_rows == [(2000, -50.9035)]


def test_insert_all_columns_default(client, table_name):
    make_table(client, table_name)
    summary = client.insert(table_name, [(1, 'a', 0.5), (2, 'b', 1.5)])
    assert isinstance(summary, chconnect.QuerySummary)
    assert client.query(f'SELECT * FROM {table_name} ORDER BY k').result_rows == [(1, 'a', 0.5), (2, 'b', 1.5)]


def test_insert_column_subset_uses_defaults(client, table_name):
    make_table(client, table_name)
    client.insert(table_name, [(3, 'x')], column_names=['k', 's'])
    assert client.query(f'SELECT k, s, f FROM {table_name}').result_rows == [(3, 'x', 0.0)]


def test_insert_column_oriented(client, table_name):
    make_table(client, table_name)
    client.insert(table_name, [[1, 2, 3], ['a', 'b', 'c'], [0.1, 0.2, 0.3]], column_oriented=True)
    assert client.query(f'SELECT k, s FROM {table_name} ORDER BY k').result_columns == [[1, 2, 3], ['a', 'b', 'c']]


def test_insert_with_database_argument(client, table_name, server):
    make_table(client, table_name)
    client.insert(table_name, [(1, 'db', 1.0)], database=server.database)
    assert count(client, table_name) == 1


def test_insert_generator_and_empty(client, table_name):
    make_table(client, table_name)
    client.insert(table_name, ((i, str(i), float(i)) for i in range(5)))
    assert count(client, table_name) == 5
    summary = client.insert(table_name, [])
    assert isinstance(summary, chconnect.QuerySummary)
    assert count(client, table_name) == 5


@pytest.mark.parametrize('row', [
    ('not an int', 's', 1.0),   # str into UInt32
    (1, 2, 1.0),                # int into String
    (1, 's', 'x'),              # str into Float64
    (-1, 's', 1.0),             # negative into UInt32
    (2**32, 's', 1.0),          # too big for UInt32 (range checked by the library)
    (1.5, 's', 1.0),            # float into UInt32
    (None, 's', 1.0),           # NULL into a non-Nullable column
])
def test_wrong_value_type_sends_nothing(client, table_name, row):
    make_table(client, table_name)
    with pytest.raises(chconnect.DataError) as info:
        client.insert(table_name, [(1, 'ok', 1.0), row])
    assert 'row 1' in str(info.value)
    assert count(client, table_name) == 0
    # The client is still fine.
    client.insert(table_name, [(1, 'ok', 1.0)])
    assert count(client, table_name) == 1


def test_wrong_values_in_nested_types(client, table_name):
    make_table(client, table_name, 'k UInt32, a Array(UInt8), d Date')
    for bad in [(1, [1, 300], date(2020, 1, 1)), (1, 'abc', date(2020, 1, 1)), (1, [1], 'not a date'),
                (1, [None], date(2020, 1, 1))]:
        with pytest.raises(chconnect.DataError):
            client.insert(table_name, [bad])
    assert count(client, table_name) == 0


def test_wrong_row_length(client, table_name):
    make_table(client, table_name)
    with pytest.raises(chconnect.ProgrammingError):
        client.insert(table_name, [(1, 'a')])
    with pytest.raises(chconnect.ProgrammingError):
        client.insert(table_name, [[1], ['a', 'b'], [1.0]], column_oriented=True)
    assert count(client, table_name) == 0


def test_unknown_column_and_table(client, table_name):
    make_table(client, table_name)
    with pytest.raises(chconnect.ProgrammingError):
        client.insert(table_name, [(1,)], column_names=['no_such_column'])
    with pytest.raises(chconnect.DatabaseError) as info:
        client.insert(table_name + '_missing', [(1,)])
    assert info.value.code == 60


def test_server_rejects_insert(client, table_name):
    # A readonly setting makes the server refuse the INSERT itself.
    make_table(client, table_name)
    with pytest.raises(chconnect.DatabaseError) as info:
        client.insert(table_name, [(1, 'a', 1.0)], settings={'readonly': 1})
    assert info.value.code is not None
    assert count(client, table_name) == 0


def test_bad_column_names_argument(client, table_name):
    make_table(client, table_name)
    with pytest.raises(chconnect.ProgrammingError):
        client.insert(table_name, [(1,)], column_names=[1])
    client.insert(table_name, [(4,)], column_names='k')
    assert client.query(f'SELECT k, s FROM {table_name}').result_rows == [(4, '')]


def test_integer_like_and_float_like_values(client, table_name):
    from decimal import Decimal
    from enum import IntEnum

    class Level(IntEnum):
        HIGH = 7

    make_table(client, table_name)
    client.insert(table_name, [(True, 's', Decimal('2.5')), (Level.HIGH, 't', 3)])
    assert client.query(f'SELECT k, f FROM {table_name} ORDER BY k').result_rows == [(1, 2.5), (7, 3.0)]
    with pytest.raises(chconnect.DataError):
        client.insert(table_name, [(1, 's', '2.5')])
