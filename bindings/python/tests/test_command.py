"""Client.command: result shapes, parameters, errors."""

import pytest

import chconnect
from chconnect import QuerySummary


def test_command_int(client):
    assert client.command('SELECT 42') == 42
    assert client.command('SELECT -7') == -7
    assert client.command('SELECT 18446744073709551615') == 18446744073709551615


def test_command_str(client):
    assert client.command("SELECT 'hello'") == 'hello'
    assert client.command('SELECT 1.5') == '1.5'
    assert client.command("SELECT '1_000'") == '1_000'


def test_command_list(client):
    assert client.command("SELECT 1, 'two', 3.5") == ['1', 'two', '3.5']


def test_command_ddl_returns_summary(client, table_name):
    result = client.command(f'CREATE TABLE {table_name} (x UInt8) ENGINE Memory')
    assert isinstance(result, QuerySummary)
    assert isinstance(result.summary, dict)
    assert result.written_rows == 0
    assert isinstance(result.query_id(), str)
    assert client.command(f'EXISTS TABLE {table_name}') == 1


def test_command_insert_values(client, table_name):
    client.command(f'CREATE TABLE {table_name} (x UInt8, s String) ENGINE Memory')
    result = client.command(f"INSERT INTO {table_name} VALUES (1, 'a'), (2, 'b')")
    assert isinstance(result, QuerySummary)
    assert client.command(f'SELECT count() FROM {table_name}') == 2


def test_command_with_data(client, table_name):
    client.command(f'CREATE TABLE {table_name} (x UInt8, s String) ENGINE Memory')
    client.command(f'INSERT INTO {table_name} FORMAT TabSeparated', data='5\tfive\n6\tsix\n')
    assert client.query(f'SELECT x, s FROM {table_name} ORDER BY x').result_rows == [(5, 'five'), (6, 'six')]


def test_command_parameters(client):
    assert client.command('SELECT %(a)s + %(b)s', parameters={'a': 40, 'b': 2}) == 42
    # command() returns the TabSeparated text as is: the server escapes ' \\ and TAB in it.
    assert client.command('SELECT %s', parameters=["it's \\ tab\t"]) == "it\\'s \\\\ tab\\t"
    assert client.command('SELECT length(%s)', parameters=["it's \\ tab\t"]) == len("it's \\ tab\t")


def test_command_settings(client):
    assert client.command("SELECT value FROM system.settings WHERE name = 'max_threads'",
                          settings={'max_threads': 3}) == 3


def test_command_server_error(client):
    with pytest.raises(chconnect.DatabaseError) as info:
        client.command('SELECT * FROM chc_py_no_such_table_x')
    exc = info.value
    assert exc.code == 60
    assert exc.name in (None, 'UNKNOWN_TABLE')  # 18.16 does not send exception names
    assert exc.http_status == 404
    assert exc.status == chconnect.exceptions.CHC_E_SERVER
    assert 'chc_py_no_such_table_x' in str(exc)
    # The client stays usable.
    assert client.command('SELECT 1') == 1


def test_command_syntax_error(client):
    with pytest.raises(chconnect.DatabaseError) as info:
        client.command('SELEC 1')
    assert info.value.code == 62
    assert client.command('SELECT 2') == 2


def test_raw_query(client):
    assert client.raw_query('SELECT 1, 2', fmt='CSV') == b'1,2\n'
