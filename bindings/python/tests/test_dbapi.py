"""chconnect.dbapi (PEP 249) against a real server: globals, constructors and type objects,
connect, every Cursor method, description, rowcount, parameter binding (incl. injection
attempts stored as plain values), the executemany INSERT fast path (proved to be one insert
by a spy on the client and by the server's part block numbers), error classes, closed objects."""

import threading
import time
from datetime import date, datetime
from decimal import Decimal

import pytest

import chconnect
from chconnect import dbapi

INJECTION = "x'); DROP TABLE {t}; --\\' \" `"


@pytest.fixture
def conn(server):
    c = dbapi.connect(**server.client_args())
    yield c
    c.close()


@pytest.fixture
def cur(conn):
    with conn.cursor() as c:
        yield c


class SpyClient:
    """A real chconnect.Client that counts the requests made through it."""

    def __init__(self, client):
        self._client = client
        self.calls = []

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name in ('query', 'command', 'insert', 'raw_query', 'raw_insert', 'insert_arrow'):
            def spy(*args, **kwargs):
                self.calls.append(name)
                return attr(*args, **kwargs)
            return spy
        return attr

    def count(self, name):
        return self.calls.count(name)


@pytest.fixture
def spy_conn(server):
    spy = SpyClient(chconnect.get_client(**server.client_args()))
    c = dbapi.Connection(spy)
    yield c, spy
    c.close()


def make_table(client, name, columns='k UInt32, s String, n Nullable(Int32) DEFAULT 7'):
    client.command(f'CREATE TABLE {name} ({columns}) ENGINE MergeTree ORDER BY k')


def insert_count(client, table):
    """How many INSERTs the server took into a MergeTree table: every insert gets the next block
    number, so the highest one counts them (merges keep it)."""
    return client.command("SELECT max(max_block_number) FROM system.parts "
                          f"WHERE database = currentDatabase() AND table = '{table}'")


def rows_of(client, table, columns='k, s, n'):
    return client.query(f'SELECT {columns} FROM {table} ORDER BY k').result_rows


# -- module -----------------------------------------------------------------------------------

def test_module_globals():
    assert dbapi.apilevel == '2.0'
    assert dbapi.threadsafety == 2
    assert dbapi.paramstyle == 'pyformat'
    assert chconnect.dbapi is dbapi


def test_exceptions_are_chconnects_and_pep249_hierarchy():
    for name in ('Warning', 'Error', 'InterfaceError', 'DatabaseError', 'DataError', 'OperationalError',
                 'IntegrityError', 'InternalError', 'ProgrammingError', 'NotSupportedError'):
        assert getattr(dbapi, name) is getattr(chconnect, name)
        assert getattr(dbapi.Connection, name) is getattr(chconnect, name)
    assert issubclass(dbapi.Warning, Exception)
    assert issubclass(dbapi.Error, Exception)
    assert issubclass(dbapi.InterfaceError, dbapi.Error)
    assert issubclass(dbapi.DatabaseError, dbapi.Error)
    for name in ('DataError', 'OperationalError', 'IntegrityError', 'InternalError', 'ProgrammingError',
                 'NotSupportedError'):
        assert issubclass(getattr(dbapi, name), dbapi.DatabaseError)


def test_constructors():
    assert dbapi.Date(2024, 2, 29) == date(2024, 2, 29)
    assert dbapi.Timestamp(2024, 2, 29, 1, 2, 3) == datetime(2024, 2, 29, 1, 2, 3)
    assert dbapi.Time(1, 2, 3).isoformat() == '01:02:03'
    assert dbapi.Binary(b'\x00\xff') == b'\x00\xff'
    ticks = time.mktime((2021, 5, 6, 7, 8, 9, 0, 0, -1))
    assert dbapi.DateFromTicks(ticks) == date(2021, 5, 6)
    assert dbapi.TimestampFromTicks(ticks) == datetime(2021, 5, 6, 7, 8, 9)
    assert dbapi.TimeFromTicks(ticks).isoformat() == '07:08:09'


def test_type_objects_match_description_type_codes(cur):
    cur.execute("SELECT toUInt8(1) u, toNullable(toInt64(2)) ni, 1.5 f, toDecimal64(1.25, 3) dec, 'x' s, "
                "toFixedString('ab', 2) fs, toLowCardinality(toNullable('lc')) lc, toDate('2020-01-02') d, "
                "toDateTime('2020-01-02 03:04:05') dt, toUUID('00000000-0000-0000-0000-000000000001') id")
    codes = {d[0]: d[1] for d in cur.description}
    for name in ('u', 'ni', 'f', 'dec'):
        assert dbapi.NUMBER == codes[name] and codes[name] == dbapi.NUMBER
        assert dbapi.STRING != codes[name]
    for name in ('s', 'fs', 'lc', 'id'):
        assert dbapi.STRING == codes[name]
        assert dbapi.NUMBER != codes[name]
    assert dbapi.BINARY == codes['s'] and dbapi.BINARY == codes['fs'] and dbapi.BINARY != codes['u']
    for name in ('d', 'dt'):
        assert dbapi.DATETIME == codes[name]
        assert dbapi.STRING != codes[name]
    assert all(dbapi.ROWID != code for code in codes.values())


# -- connect ---------------------------------------------------------------------------------

def test_connect_dsn_and_generic_settings(server):
    with dbapi.connect(dsn=server.url, max_block_size=4321) as conn:
        cur = conn.cursor()
        cur.execute("SELECT value FROM system.settings WHERE name = 'max_block_size'")
        assert cur.fetchone() == ('4321',)
        cur.execute('SELECT currentDatabase()')
        assert cur.fetchall() == [(server.database,)]
        assert isinstance(conn.client, chconnect.Client)
    assert conn.closed


def test_connect_keyword_arguments(server):
    conn = dbapi.connect(host=server.host, port=server.http_port, username=server.user, password=server.password,
                         database='system', settings={'max_block_size': 999})
    try:
        assert conn.command('SELECT currentDatabase()') == 'system'
        assert conn.command("SELECT value FROM system.settings WHERE name = 'max_block_size'") == 999
        assert conn.raw_query('SELECT 1 + 1') == b'2\n'
    finally:
        conn.close()


def test_connect_wrong_password_raises(server):
    with pytest.raises(dbapi.OperationalError) as info:
        dbapi.connect(**server.client_args(password='not_the_pw_1234'))
    assert info.value.code in (192, 193, 194, 516)


# -- execute and fetch -------------------------------------------------------------------------

def test_fetch_methods_and_arraysize(cur):
    assert cur.arraysize == 1
    assert cur.execute('SELECT number FROM system.numbers LIMIT 10') is cur
    assert cur.rownumber == 0
    assert cur.fetchone() == (0,)
    assert cur.fetchmany() == [(1,)]  # arraysize rows
    cur.arraysize = 3
    assert cur.fetchmany() == [(2,), (3,), (4,)]
    assert cur.fetchmany(2) == [(5,), (6,)]
    assert cur.rownumber == 7
    assert cur.fetchall() == [(7,), (8,), (9,)]
    assert cur.fetchone() is None
    assert cur.fetchmany(5) == []
    assert cur.fetchall() == []
    with pytest.raises(dbapi.ProgrammingError):
        cur.fetchmany(-1)


def test_iteration(cur):
    cur.execute('SELECT number, toString(number) FROM system.numbers LIMIT 4')
    assert next(cur) == (0, '0')
    assert list(cur) == [(1, '1'), (2, '2'), (3, '3')]
    with pytest.raises(StopIteration):
        next(cur)


def test_new_execute_replaces_result(cur):
    cur.execute('SELECT 1')
    cur.execute('SELECT 2 UNION ALL SELECT 3')
    assert sorted(cur.fetchall()) == [(2,), (3,)]


def test_description_and_null_ok(cur):
    assert cur.description is None
    cur.execute("SELECT toUInt64(1) AS a, toNullable('x') AS b, toDecimal32(2.5, 2) AS c, "
                "toNullable(toDecimal128(1, 5)) AS d, NULL AS e, [1, 2] AS f")
    assert cur.description == [
        ('a', 'UInt64', None, None, None, None, False),
        ('b', 'Nullable(String)', None, None, None, None, True),
        ('c', 'Decimal(9, 2)', None, None, 9, 2, False),
        ('d', 'Nullable(Decimal(38, 5))', None, None, 38, 5, True),
        ('e', 'Nullable(Nothing)', None, None, None, None, True),
        ('f', 'Array(UInt8)', None, None, None, None, False),
    ]
    assert cur.fetchall() == [(1, 'x', Decimal('2.50'), Decimal('1.00000'), None, [1, 2])]
    assert all(len(d) == 7 for d in cur.description)


def test_description_of_empty_results(cur, client, table_name):
    # 18.16 sends no header block for an empty result: the cursor asks for the columns.
    cur.execute("SELECT toInt8(1) AS a, toNullable('s') AS b WHERE 0")
    assert cur.description == [('a', 'Int8', None, None, None, None, False),
                               ('b', 'Nullable(String)', None, None, None, None, True)]
    assert cur.rowcount == 0
    assert cur.fetchall() == []
    make_table(client, table_name)
    cur.execute(f'SELECT k, n FROM {table_name} WHERE k > %(k)s', {'k': 5})
    assert [d[:2] for d in cur.description] == [('k', 'UInt32'), ('n', 'Nullable(Int32)')]
    cur.execute("SHOW TABLES FROM system LIKE 'no_such_table_%%'")
    assert [d[:2] for d in cur.description] == [('name', 'String')]
    assert cur.fetchall() == []


def test_description_none_and_fetch_error_after_ddl(cur, table_name):
    cur.execute(f'CREATE TABLE {table_name} (k UInt8) ENGINE Memory')
    assert cur.description is None
    assert cur.rowcount == -1
    with pytest.raises(dbapi.ProgrammingError):
        cur.fetchone()
    with pytest.raises(dbapi.ProgrammingError):
        cur.fetchall()


def test_fetch_before_execute_raises(cur):
    for call in (cur.fetchone, cur.fetchall, cur.fetchmany):
        with pytest.raises(dbapi.ProgrammingError):
            call()


def test_rowcount(cur, client, table_name):
    assert cur.rowcount == -1
    cur.execute('SELECT number FROM system.numbers LIMIT 5')
    assert cur.rowcount == 5
    make_table(client, table_name)
    cur.execute(f"INSERT INTO {table_name} (k, s) VALUES (1, 'a'), (2, 'b')")
    # written_rows comes from the server's X-ClickHouse-Summary, which 18.16 does not send.
    summary = cur.summary[-1]
    assert cur.rowcount == (int(summary['written_rows']) if 'written_rows' in summary else -1)
    assert cur.description is None
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%s, %s)', [(3, 'c'), (4, 'd'), (5, 'e')])
    assert cur.rowcount == 3
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%s, %s)', [])
    assert cur.rowcount == 0
    assert client.command(f'SELECT count() FROM {table_name}') == 5


def test_parameters_positional_and_named(cur):
    cur.execute('SELECT %s, %s, %s, toDate(%s)', (1, 'two', None, date(2020, 3, 4)))
    assert cur.fetchall() == [(1, 'two', None, date(2020, 3, 4))]
    cur.execute('SELECT %(a)s + %(a)s, %(b)s', {'a': 20, 'b': [1, 2]})
    assert cur.fetchall() == [(40, [1, 2])]


def test_percent_escapes(cur):
    cur.execute("SELECT 'a%%b'")
    assert cur.fetchone() == ('a%b',)
    cur.execute("SELECT 'a%%b'", pyformat_encoded=False)
    assert cur.fetchone() == ('a%%b',)
    cur.execute("SELECT 'a%%b', %s", ('c',))
    assert cur.fetchone() == ('a%b', 'c')


def test_execute_settings(cur):
    cur.execute("SELECT value FROM system.settings WHERE name = 'max_block_size'", settings={'max_block_size': 77})
    assert cur.fetchone() == ('77',)


def test_injection_attempts_are_plain_values(cur, client, table_name):
    make_table(client, table_name)
    evil = INJECTION.format(t=table_name)
    cur.execute(f'INSERT INTO {table_name} (k, s) VALUES (%s, %s)', (1, evil))
    cur.execute(f'INSERT INTO {table_name} (k, s) VALUES (%(k)s, %(s)s)', {'k': 2, 's': evil})
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%s, %s)', [(3, evil)])            # fast path
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%s, concat(%s, \'\'))', [(4, evil)])  # loop
    cur.execute(f'SELECT k, s FROM {table_name} WHERE s = %s ORDER BY k', (evil,))
    assert cur.fetchall() == [(1, evil), (2, evil), (3, evil), (4, evil)]
    cur.execute('SELECT %(v)s', {'v': evil})
    assert cur.fetchone() == (evil,)
    assert client.command(f"EXISTS TABLE {table_name}") == 1


def test_unknown_table_and_syntax_errors(cur):
    with pytest.raises(dbapi.DatabaseError) as info:
        cur.execute('SELECT * FROM chc_dbapi_no_such_table')
    assert info.value.code == 60
    with pytest.raises(dbapi.DatabaseError) as info:
        cur.execute('SELEC 1')
    assert info.value.code == 62
    # The cursor is still usable after an error.
    cur.execute('SELECT 3')
    assert cur.fetchone() == (3,)


def test_binding_errors_are_programming_errors(cur):
    with pytest.raises(dbapi.ProgrammingError):
        cur.execute('SELECT %s, %s', (1,))
    with pytest.raises(dbapi.ProgrammingError):
        cur.execute('SELECT %(a)s', {'b': 1})
    with pytest.raises(dbapi.ProgrammingError):
        cur.execute(12)


def test_callproc_nextset_and_noops(cur):
    with pytest.raises(dbapi.NotSupportedError):
        cur.callproc('p')
    cur.execute('SELECT 1')
    assert cur.nextset() is None
    cur.setinputsizes([10, None])
    cur.setoutputsize(100)
    cur.setoutputsize(100, 0)
    assert cur.fetchall() == [(1,)]
    assert cur.lastrowid is None


def test_commit_and_rollback_do_nothing(conn, client, table_name):
    make_table(client, table_name)
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table_name} (k, s) VALUES (1, 'a')")
    conn.rollback()  # no transactions: the row stays
    conn.commit()
    assert client.command(f'SELECT count() FROM {table_name}') == 1


# -- executemany ------------------------------------------------------------------------------

def test_executemany_fast_path_is_one_insert(spy_conn, client, table_name):
    conn, spy = spy_conn
    make_table(client, table_name)
    rows = [(i, f's{i}', None if i % 3 else -i) for i in range(200)]
    cur = conn.cursor()
    cur.executemany(f'INSERT INTO {table_name} (k, s, n) VALUES (%s, %s, %s)', rows)
    assert spy.calls == ['insert']
    assert cur.rowcount == 200
    assert cur.description is None
    assert insert_count(client, table_name) == 1
    assert rows_of(client, table_name) == rows


def test_executemany_fast_path_named_and_column_subset(spy_conn, client, table_name):
    conn, spy = spy_conn
    make_table(client, table_name)
    cur = conn.cursor()
    rows = [{'key': i, 'text': f't{i}', 'unused': 'x'} for i in range(50)]
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%(key)s, %(text)s)', rows)
    assert spy.calls == ['insert']
    assert insert_count(client, table_name) == 1
    # n takes its DEFAULT.
    assert rows_of(client, table_name) == [(i, f't{i}', 7) for i in range(50)]


def test_executemany_fast_path_variants(spy_conn, client, table_name, server):
    conn, spy = spy_conn
    make_table(client, table_name)
    cur = conn.cursor()
    # No column list: every column, positional rows; lower case, qualified and quoted names, a
    # trailing semicolon.
    cur.executemany(f'insert into `{server.database}`.`{table_name}` values (%s, %s, %s);', [(1, 'a', 1)])
    # Nothing after VALUES: the rows are the values (mappings: by column name).
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES', [(2, 'b'), (3, 'c')])
    cur.executemany(f'INSERT INTO {table_name} VALUES', [{'k': 4, 's': 'd', 'n': 4}])
    cur.executemany(f'/* comment */ INSERT INTO {table_name} (s, k) VALUES', [{'k': 5, 's': 'e'}])
    assert spy.calls == ['insert'] * 4
    assert insert_count(client, table_name) == 4
    assert rows_of(client, table_name) == [(1, 'a', 1), (2, 'b', 7), (3, 'c', 7), (4, 'd', 4), (5, 'e', 7)]


def test_executemany_other_statements_loop(spy_conn, client, table_name):
    conn, spy = spy_conn
    make_table(client, table_name)
    cur = conn.cursor()
    # A value expression is not a plain placeholder: one statement per row.
    cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%s, upper(%s))', [(1, 'a'), (2, 'b'), (3, 'c')])
    assert spy.count('insert') == 0
    assert spy.count('query') == 3
    assert insert_count(client, table_name) == 3
    assert rows_of(client, table_name, 'k, s') == [(1, 'A'), (2, 'B'), (3, 'C')]
    summary = cur.summary
    assert len(summary) == 3
    # A SELECT: the last result set stays.
    cur.executemany('SELECT %s * 10', [(1,), (2,)])
    assert cur.fetchall() == [(20,)]
    assert cur.rowcount == 2


def test_executemany_bad_rows_send_nothing(spy_conn, client, table_name):
    conn, spy = spy_conn
    make_table(client, table_name)
    cur = conn.cursor()
    sql = f'INSERT INTO {table_name} (k, s) VALUES (%s, %s)'
    with pytest.raises(dbapi.ProgrammingError):
        cur.executemany(sql, [(1, 'a'), (2, 'b', 'extra')])
    with pytest.raises(dbapi.ProgrammingError):
        cur.executemany(sql, [(1, 'a'), {'k': 2, 's': 'b'}])
    with pytest.raises(dbapi.ProgrammingError):
        cur.executemany(f'INSERT INTO {table_name} (k, s) VALUES (%(k)s, %(s)s)', [{'k': 1}])
    with pytest.raises(dbapi.ProgrammingError):
        cur.executemany(sql, 'not rows')
    assert spy.calls == []
    # A value that does not fit its column: DataError, and the whole insert is dropped.
    with pytest.raises(dbapi.DataError):
        cur.executemany(sql, [(1, 'a'), ('not a number', 'b')])
    assert client.command(f'SELECT count() FROM {table_name}') == 0
    with pytest.raises(dbapi.ProgrammingError):
        cur.executemany(f'INSERT INTO {table_name} (k, no_such_column) VALUES (%s, %s)', [(1, 'a')])


# -- closing ----------------------------------------------------------------------------------

def test_closed_cursor_raises_interface_error(conn):
    cur = conn.cursor()
    cur.execute('SELECT 1')
    cur.close()
    cur.close()  # twice is fine
    assert cur.closed
    for call in (lambda: cur.execute('SELECT 1'), lambda: cur.executemany('SELECT %s', [(1,)]), cur.fetchone,
                 cur.fetchall, cur.fetchmany, lambda: cur.setinputsizes([]), lambda: next(cur)):
        with pytest.raises(dbapi.InterfaceError):
            call()
    # Other cursors of the connection are unaffected.
    other = conn.cursor()
    other.execute('SELECT 2')
    assert other.fetchone() == (2,)


def test_closed_connection_raises_interface_error(server):
    conn = dbapi.connect(**server.client_args())
    cur = conn.cursor()
    cur.execute('SELECT 1')
    conn.close()
    conn.close()  # twice is fine
    assert conn.closed and cur.closed
    for call in (conn.cursor, conn.commit, conn.rollback, lambda: conn.command('SELECT 1'),
                 lambda: cur.execute('SELECT 1'), cur.fetchall):
        with pytest.raises(dbapi.InterfaceError):
            call()
    # The client is closed too.
    with pytest.raises(dbapi.ProgrammingError):
        conn.client.query('SELECT 1')


def test_context_managers_close(server):
    with dbapi.connect(**server.client_args()) as conn:
        with conn.cursor() as cur:
            cur.execute('SELECT 1')
        assert cur.closed and not conn.closed
    assert conn.closed


# -- threads ----------------------------------------------------------------------------------

@pytest.mark.real_server_only(reason='concurrent queries (the stand-in runs one chDB query at a time)')
def test_threads_share_a_connection(conn):
    """threadsafety = 2: threads share a connection (a cursor each) and run at the same time."""
    results = []

    def work(i):
        with conn.cursor() as cur:
            cur.execute('SELECT sleep(1), %s', (i,))
            results.append(cur.fetchone()[1])

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert sorted(results) == [0, 1, 2]
    # Serialised they take >= 3 s; overlapping ~1 s plus whatever a loaded machine adds.
    assert elapsed < 2.8, f'3 x sleep(1) on one connection took {elapsed:.2f} s: requests were serialised'
