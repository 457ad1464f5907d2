"""The SWIG module itself: typemaps, ownership and free order, error conversion."""

import gc
import uuid

import pytest

import chconnect
from chconnect._capi import capi
from chconnect import exceptions as exc_mod


def open_client(server):
    config = capi.chc_config_new()
    capi.chc_config_set_url(config, server.url)
    return capi.chc_client_open(config)


def test_version_functions():
    assert capi.chc_version() == chconnect.library_version()
    assert capi.chc_abi_version() == 1
    assert capi.chc_status_name(exc_mod.CHC_E_SERVER) == 'CHC_E_SERVER'


def test_config_errors_raise_with_status():
    config = capi.chc_config_new()
    with pytest.raises(chconnect.ProgrammingError) as info:
        capi.chc_config_set(config, 'no_such_key', '1')
    assert info.value.status == exc_mod.CHC_E_NOT_FOUND
    with pytest.raises(chconnect.ProgrammingError) as info:
        capi.chc_config_set(config, 'port', 'not-a-port')
    assert info.value.status == exc_mod.CHC_E_INVALID_ARGUMENT
    assert info.value.code is None and info.value.http_status is None


def test_null_handle_is_invalid_argument():
    with pytest.raises(chconnect.ProgrammingError) as info:
        capi.chc_client_ping(None)
    assert info.value.status == exc_mod.CHC_E_INVALID_ARGUMENT


def test_type_parse():
    t = capi.chc_type_parse('Array(Nullable(FixedString(3)))')
    assert capi.chc_type_get_kind(t) == 16
    inner = capi.chc_type_child(capi.chc_type_child(t, 0), 0)
    assert capi.chc_type_fixed_size(inner) == 3
    assert capi.chc_type_child(t, 5) is None
    with pytest.raises(chconnect.ProgrammingError):
        capi.chc_type_parse('Array(')
    with pytest.raises(chconnect.NotSupportedError):
        capi.chc_type_parse("Object('json')")


def test_column_buffers_outlive_everything(server):
    client = open_client(server)
    query = capi.chc_query_new("SELECT toUInt16(number) AS n, toString(number) AS s, "
                               "if(number = 1, NULL, number) AS x FROM system.numbers LIMIT 3")
    result = capi.chc_client_query(client, query)
    block = capi.chc_result_next(result)
    cols = [capi.chc_block_column(block, i) for i in range(3)]
    data = capi.chc_column_data(cols[0])
    offsets = capi.chc_column_offsets(cols[1])
    strings = capi.chc_column_data(cols[1])
    null_map = capi.chc_column_null_map(cols[2])
    names = [capi.chc_column_name(c) for c in cols]
    # Drop every handle, parents first: the memoryviews keep their columns (and those their
    # blocks) alive.
    del query, client, result, block, cols
    gc.collect()
    assert names == ['n', 's', 'x']
    assert data.readonly and data.format == 'B'
    assert data.cast('H').tolist() == [0, 1, 2]
    assert offsets.format == 'q' and offsets.tolist() == [0, 1, 2, 3]
    assert strings.tobytes() == b'012'
    assert null_map.tolist() == [0, 1, 0]
    with pytest.raises(TypeError):
        data[0] = 1


def test_result_end_and_exhaustion(server):
    client = open_client(server)
    result = capi.chc_client_query(client, capi.chc_query_new('SELECT 1'))
    block = capi.chc_result_next(result)
    assert capi.chc_block_row_count(block) == 1
    column = capi.chc_block_column(block, 0)
    assert capi.chc_column_get_uint64(column, 0) == 1
    assert capi.chc_column_get_int64(column, 0) == 1
    assert capi.chc_column_get_double(column, 0) == 1.0
    with pytest.raises(chconnect.DataError):
        capi.chc_column_get_string(column, 0)
    with pytest.raises(chconnect.ProgrammingError):
        capi.chc_column_get_int64(column, 5)
    with pytest.raises(chconnect.ProgrammingError):
        capi.chc_block_column(block, 9)
    assert capi.chc_result_next(result) is None
    assert capi.chc_result_summary(result, 'no_such_field') is None


def test_string_accessors_return_bytes(server):
    client = open_client(server)
    result = capi.chc_client_query(client, capi.chc_query_new(b"SELECT unhex('FF00')"))
    column = capi.chc_block_column(capi.chc_result_next(result), 0)
    assert capi.chc_column_get_string(column, 0) == b'\xff\x00'


def test_command_response(server):
    client = open_client(server)
    response = capi.chc_client_command(client, capi.chc_query_new('SELECT 1, 2'))
    assert capi.chc_response_body(response) == b'1\t2\n'
    assert isinstance(capi.chc_response_query_id(response), str)
    assert capi.chc_response_summary(response, 'written_rows') in (None, 0)


def test_server_error_fields(server):
    client = open_client(server)
    query = capi.chc_query_new('SELECT * FROM chc_py_capi_missing')
    qid = f'chc-py-capi-err-{uuid.uuid4().hex}'  # unique: suites may share a server
    capi.chc_query_set(query, 'query_id', qid)
    with pytest.raises(chconnect.DatabaseError) as info:
        capi.chc_client_query(client, query)
    err = info.value
    assert (err.code, err.http_status, err.status) == (60, 404, exc_mod.CHC_E_SERVER)
    assert err.status_name == 'CHC_E_SERVER'
    assert err.query_id == qid


def test_insert_abandoned_sends_nothing(server, client, table_name):
    client.command(f'CREATE TABLE {table_name} (a UInt8, b Array(String)) ENGINE Memory')
    handle = open_client(server)
    insert = capi.chc_client_insert_begin(handle, table_name, ['a', 'b'], None)
    assert capi.chc_insert_column_count(insert) == 2
    assert capi.chc_insert_column_name(insert, 1) == 'b'
    assert capi.chc_insert_builder(insert, 7) is None
    a = capi.chc_insert_builder(insert, 0)
    b = capi.chc_insert_builder(insert, 1)
    capi.chc_builder_append_uint64(a, 7)
    with pytest.raises(chconnect.DataError):
        capi.chc_builder_append_uint64(a, 300)
    with pytest.raises(chconnect.DataError):
        capi.chc_builder_append_null(a)
    with pytest.raises(TypeError):
        capi.chc_builder_append_string(capi.chc_builder_child(b, 0), 12)
    assert capi.chc_builder_row_count(a) == 1
    del a, b, insert  # abandoned
    gc.collect()
    assert client.command(f'SELECT count() FROM {table_name}') == 0
    with pytest.raises(chconnect.ProgrammingError):
        capi.chc_client_insert_begin(handle, table_name, ['a', 'nope'], None)
    with pytest.raises(TypeError):
        capi.chc_client_insert_begin(handle, table_name, ['a', 5], None)


def test_insert_via_builders(server, client, table_name):
    client.command(f'CREATE TABLE {table_name} (a UInt8, b Array(String)) ENGINE Memory')
    handle = open_client(server)
    insert = capi.chc_client_insert_begin(handle, table_name, None, None)
    a, b = capi.chc_insert_builder(insert, 0), capi.chc_insert_builder(insert, 1)
    child = capi.chc_builder_child(b, 0)
    capi.chc_builder_append_uint64(a, 5)
    capi.chc_builder_append_string(child, 'x')
    capi.chc_builder_append_string(child, b'y')
    capi.chc_builder_end_array(b)
    response = capi.chc_insert_finish(insert)
    assert capi.chc_response_body(response) == b''
    with pytest.raises(chconnect.ProgrammingError) as info:
        capi.chc_insert_finish(insert)
    assert info.value.status == exc_mod.CHC_E_INVALID_STATE
    assert client.query(f'SELECT a, b FROM {table_name}').result_rows == [(5, ['x', 'y'])]


def test_insert_raw_accepts_buffers(server, client, table_name):
    client.command(f'CREATE TABLE {table_name} (a UInt8) ENGINE Memory')
    handle = open_client(server)
    capi.chc_client_insert_raw(handle, capi.chc_query_new(f'INSERT INTO {table_name} FORMAT TabSeparated'),
                               memoryview(b'1\n2\n'))
    capi.chc_client_insert_raw(handle, capi.chc_query_new(f'INSERT INTO {table_name} FORMAT TabSeparated'),
                               bytearray(b'3\n'))
    assert client.command(f'SELECT sum(a) FROM {table_name}') == 6


def test_error_factory_can_be_replaced():
    try:
        capi.chc_py_set_error_factory(None)
        with pytest.raises(RuntimeError) as info:
            capi.chc_type_parse('Array(')
        assert 'CHC_E_INVALID_ARGUMENT' in str(info.value)
    finally:
        capi.chc_py_set_error_factory(exc_mod.error_from_status)
    with pytest.raises(chconnect.ProgrammingError):
        capi.chc_type_parse('Array(')
    with pytest.raises(TypeError):
        capi.chc_py_set_error_factory(42)
