"""insert / insert_df / insert contexts with column_types or column_type_names: the types are
taken as given and the server is not asked (no DESCRIBE TABLE: checked in its query log)."""

import pandas as pd
import pytest

import chconnect
from chconnect import ProgrammingError, DataError, DatabaseError

COLUMNS = 'id UInt32, s String, f Nullable(Float64)'
NAMES = ['id', 's', 'f']
TYPE_NAMES = ['UInt32', 'String', 'Nullable(Float64)']


@pytest.fixture
def table(client, table_name):
    client.command(f'CREATE TABLE {table_name} ({COLUMNS}) ENGINE Memory')
    return table_name


def rows(client, table):
    return client.query(f'SELECT id, s, f FROM {table} ORDER BY id').result_rows


def describes(client, table):
    """DESCRIBE TABLE requests for `table` in the server's query log (requests sent with
    log_queries=1; 18.16 keeps the log off by default)."""
    client.command('SYSTEM FLUSH LOGS')
    return client.command(f"SELECT count() FROM system.query_log WHERE type = 1 "
                          f"AND query LIKE 'DESCRIBE TABLE `{table}`%'")


LOGGED = {'log_queries': 1}


@pytest.mark.real_server_only(reason="reads the server's query log, which chDB does not keep")
def test_type_names_skip_describe(client, table):
    client.insert(table, [(1, 'a', None), (2, 'b', 2.5)], column_names=NAMES, column_type_names=TYPE_NAMES,
                  settings=LOGGED)
    assert rows(client, table) == [(1, 'a', None), (2, 'b', 2.5)]
    assert describes(client, table) == 0
    client.insert(table, [(3, 'c', 1.0)], column_names=NAMES, settings=LOGGED)  # the control
    assert describes(client, table) >= 1


def test_column_types_from_a_result(client, table):
    types = client.query('SELECT toUInt32(1), toString(1), toNullable(1.5)').column_types
    client.insert(table, [[5, 'x', 0.5]], column_names=NAMES, column_types=types)
    assert rows(client, table) == [(5, 'x', 0.5)]


def test_column_types_win_over_names_and_order_follows_column_names(client, table):
    types = client.query("SELECT toUInt32(1), 'x', toNullable(1.5)").column_types
    client.insert(table, [(0.25, 9, 'y')], column_names=['f', 'id', 's'],
                  column_types=[types[2], types[0], types[1]], column_type_names=['String', 'String', 'String'])
    assert rows(client, table) == [(9, 'y', 0.25)]


def test_column_oriented_and_context(client, table):
    client.insert(table, [[1, 2], ['a', 'b'], [None, 1.0]], column_names=NAMES, column_type_names=TYPE_NAMES,
                  column_oriented=True)
    ctx = client.create_insert_context(table, column_names=NAMES, column_type_names=TYPE_NAMES,
                                       data=[(3, 'c', None)])
    client.insert(context=ctx)
    assert rows(client, table) == [(1, 'a', None), (2, 'b', 1.0), (3, 'c', None)]


def insert_both_df_paths(client, table, settings=None):
    df = pd.DataFrame({'id': [4, 5], 's': ['p', 'q'], 'f': [None, 1.5]})
    client.insert_df(table, df, column_type_names=TYPE_NAMES, settings=settings)
    # the value-by-value path (a column pyarrow cannot convert) takes the types too
    odd = pd.DataFrame({'id': [6, 7], 's': ['raw', b'bytes'], 'f': [None, 0.5]})  # str and bytes: no Arrow
    client.insert_df(table, odd, column_type_names=TYPE_NAMES, settings=settings)


def test_insert_df_with_types(client, table):
    insert_both_df_paths(client, table)
    assert rows(client, table) == [(4, 'p', None), (5, 'q', 1.5), (6, 'raw', None), (7, 'bytes', 0.5)]


@pytest.mark.real_server_only(reason="reads the server's query log, which chDB does not keep")
def test_insert_df_with_types_skips_describe(client, table):
    insert_both_df_paths(client, table, LOGGED)
    assert describes(client, table) == 0
    client.insert_df(table, pd.DataFrame({'id': [8], 's': ['c'], 'f': [None]}), settings=LOGGED)  # the control
    assert describes(client, table) >= 1


@pytest.mark.parametrize('kwargs, message', [
    ({'column_type_names': ['UInt32']}, 'Column names do not match column types'),
    ({'column_type_names': TYPE_NAMES, 'column_names': '*'}, 'need column_names'),
    ({'column_type_names': ['UInt32', 'Strin g', 'Float64']}, 'Strin g'),
    ({'column_type_names': ['UInt32', 5, 'Float64']}, 'sequence of str'),
    ({'column_types': ['UInt32', 'String', 'Float64']}, 'ClickHouseType'),
])
def test_bad_types_raise_before_sending(client, table, kwargs, message):
    args = {'column_names': NAMES}
    args.update(kwargs)
    with pytest.raises(ProgrammingError, match=message):
        client.insert(table, [(1, 'a', None)], **args)
    assert rows(client, table) == []


def test_value_checked_against_the_given_type(client, table):
    with pytest.raises(DataError):
        client.insert(table, [(1, 'a', None)], column_names=NAMES, column_type_names=['UInt8', 'UInt8', 'Float64'])
    assert rows(client, table) == []


def test_server_checks_the_names(client, table):
    with pytest.raises(DatabaseError, match='nosuch'):
        client.insert(table, [(1, 'a')], column_names=['id', 'nosuch'], column_type_names=['UInt32', 'String'])
    assert rows(client, table) == []
    assert isinstance(client.insert(table, [(1, 'a', None)], column_names=NAMES, column_type_names=TYPE_NAMES),
                      chconnect.QuerySummary)
