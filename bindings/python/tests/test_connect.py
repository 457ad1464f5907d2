"""Connecting: HTTP, HTTPS and TLS verification, credentials, DSN, port inference, lifetime."""

import uuid

import pytest

import chconnect
from conftest import STANDIN
from chconnect import driver


def test_http_connect(server):
    with chconnect.get_client(**server.client_args()) as c:
        assert c.server_version == c.command('SELECT version()')
        assert c.server_version.startswith('26.' if STANDIN else '18.')
        assert c.command('SELECT 1') == 1
        assert c.ping() is True


def test_create_client_alias_and_user_alias(server):
    assert chconnect.create_client is chconnect.get_client
    args = server.client_args()
    args['user'] = args.pop('username')
    with chconnect.get_client(**args) as c:
        assert c.command('SELECT 1') == 1
    # The alias really is the user name: an unknown user is refused.
    args['user'] = 'chc_py_no_such_user'
    with pytest.raises(chconnect.OperationalError) as info:
        chconnect.get_client(**args)
    assert info.value.code in (192, 193, 516)
    args['user_name'] = args.pop('user')
    with pytest.raises(chconnect.OperationalError):
        chconnect.get_client(**args)


def test_database_argument(server, client):
    with chconnect.get_client(**server.client_args(database='system')) as c:
        assert c.command('SELECT currentDatabase()') == 'system'
        assert c.database == 'system'


@pytest.mark.real_server_only(reason='TLS: the stand-in serves plain HTTP')
def test_https_with_ca_cert(server):
    with chconnect.get_client(**server.https_args(ca_cert=server.ca)) as c:
        assert c.command('SELECT 2') == 2


@pytest.mark.real_server_only(reason='TLS: the stand-in serves plain HTTP')
def test_https_inferred_from_interface(server):
    args = server.https_args(ca_cert=server.ca)
    del args['secure']
    with chconnect.get_client(interface='https', **args) as c:
        assert c.command('SELECT 3') == 3


@pytest.mark.real_server_only(reason='TLS: the stand-in serves plain HTTP')
def test_https_wrong_ca_fails(server):
    with pytest.raises(chconnect.OperationalError) as info:
        chconnect.get_client(**server.https_args(ca_cert=server.other_ca))
    assert info.value.status == chconnect.exceptions.CHC_E_TLS


@pytest.mark.real_server_only(reason='TLS: the stand-in serves plain HTTP')
def test_https_verify_false(server):
    with chconnect.get_client(**server.https_args(ca_cert=server.other_ca, verify=False)) as c:
        assert c.command('SELECT 4') == 4


@pytest.mark.real_server_only(reason='TLS: the stand-in serves plain HTTP')
def test_plain_http_to_https_port_fails(server):
    with pytest.raises(chconnect.OperationalError):
        chconnect.get_client(**server.https_args(secure=False, interface='http', connect_timeout=5,
                                                 send_receive_timeout=5))


def test_wrong_password(server):
    secret = 'wrong_pw_9f8e7d'
    with pytest.raises(chconnect.DatabaseError) as info:
        chconnect.get_client(**server.client_args(password=secret))
    exc = info.value
    assert exc.code in (192, 193, 194, 516)
    assert exc.status == chconnect.exceptions.CHC_E_AUTH
    assert isinstance(exc, chconnect.OperationalError)
    for text in (str(exc), repr(exc), exc.message, str(exc.args)):
        assert secret not in text
        assert server.password not in text


def test_unreachable_server():
    with pytest.raises(chconnect.OperationalError) as info:
        chconnect.get_client(host='127.0.0.1', port=1, connect_timeout=2)
    assert info.value.status == chconnect.exceptions.CHC_E_IO
    assert info.value.code is None


def test_dsn(server):
    with chconnect.get_client(dsn=server.url) as c:
        assert c.command('SELECT currentDatabase()') == server.database
    # The DSN's credentials are the ones used.
    bad = server.url.replace(':' + server.password + '@', ':not_the_pw@')
    assert bad != server.url
    with pytest.raises(chconnect.OperationalError) as info:
        chconnect.get_client(dsn=bad)
    assert 'not_the_pw' not in str(info.value)


@pytest.mark.real_server_only(reason='TLS: the stand-in serves plain HTTP')
def test_dsn_https_and_query_settings(server):
    with chconnect.get_client(dsn=server.https_url + '?max_block_size=1234', ca_cert=server.ca) as c:
        assert c.command("SELECT value FROM system.settings WHERE name = 'max_block_size'") == 1234


def test_dsn_explicit_args_win(server):
    with chconnect.get_client(dsn=server.url, database='system') as c:
        assert c.command('SELECT currentDatabase()') == 'system'


def test_bad_dsn_does_not_echo_password():
    with pytest.raises(chconnect.ProgrammingError) as info:
        chconnect.get_client(dsn='http://u:s3cret_pw@host:notaport/db')
    assert 's3cret_pw' not in str(info.value)


def test_client_settings(server):
    with chconnect.get_client(settings={'max_block_size': 777}, **server.client_args()) as c:
        assert c.command("SELECT value FROM system.settings WHERE name = 'max_block_size'") == 777
        # Per-call settings win over client settings.
        assert c.command("SELECT value FROM system.settings WHERE name = 'max_block_size'",
                         settings={'max_block_size': 555}) == 555


def test_unsupported_kwarg_raises():
    with pytest.raises(chconnect.ProgrammingError):
        chconnect.get_client(host='127.0.0.1', port=1, no_such_option=True)


def test_port_inference():
    resolve = driver.resolve_endpoint
    assert resolve(None, None, None) == ('http', 8123)
    assert resolve(None, None, True) == ('https', 8443)
    assert resolve('https', None, None) == ('https', 8443)
    assert resolve(None, 8443, None) == ('https', 8443)
    assert resolve(None, 443, None) == ('https', 443)
    assert resolve(None, 9000, None) == ('http', 9000)
    assert resolve('http', 8443, None) == ('http', 8443)
    with pytest.raises(chconnect.ProgrammingError):
        resolve('native', None, None)


def test_close_and_context_manager(server):
    c = chconnect.get_client(**server.client_args())
    result = c.query('SELECT 1')
    c.close()
    with pytest.raises(chconnect.ProgrammingError):
        c.command('SELECT 1')
    assert result.result_rows == [(1,)]
    c.close()  # twice is fine
    assert c.ping() is False


def test_library_version():
    assert chconnect.library_version().count('.') == 2


@pytest.mark.parametrize('compress', [True, False, 'lz4', 'zstd', 'gzip', 'deflate'])
def test_compression_modes(server, table_name, compress):
    with chconnect.get_client(compress=compress, **server.client_args()) as c:
        c.command(f'CREATE TABLE {table_name} (k UInt32, s String) ENGINE Memory')
        rows = [(i, 'text ' * (i % 7)) for i in range(5000)]
        c.insert(table_name, rows)
        result = c.query(f'SELECT k, s FROM {table_name} ORDER BY k')
        assert result.result_rows == rows


@pytest.mark.real_server_only(reason='system.processes shows the HTTP request (not in the stand-in)')
def test_client_name_prefixes_the_user_agent(server):
    qid = f'chc-ua-{uuid.uuid4().hex}'
    sql = f"SELECT http_user_agent FROM system.processes WHERE query_id = '{qid}'"
    with chconnect.get_client(**server.client_args(client_name='my-app/1.2')) as c:
        assert c.command(sql, query_id=qid) == f'my-app/1.2 chconnect/{chconnect.library_version()}'
    with chconnect.get_client(dsn=server.url + '?client_name=from-dsn') as c:
        assert c.command(sql, query_id=qid).startswith('from-dsn chconnect/')
    with chconnect.get_client(**server.client_args()) as c:
        assert c.command(sql, query_id=qid) == f'chconnect/{chconnect.library_version()}'
