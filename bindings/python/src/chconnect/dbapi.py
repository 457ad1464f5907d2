"""PEP 249 (DB-API 2.0) interface over chconnect.Client.

    import chconnect.dbapi

    conn = chconnect.dbapi.connect(host='localhost', username='default', password='secret')
    cur = conn.cursor()
    cur.execute('SELECT number, toString(number) FROM system.numbers LIMIT %(n)s', {'n': 3})
    cur.fetchall()         # [(0, '0'), (1, '1'), (2, '2')]
    cur.executemany('INSERT INTO t (k, s) VALUES (%s, %s)', [(1, 'a'), (2, 'b')])   # one Native insert

ClickHouse has no transactions: commit() and rollback() do nothing. Parameters use the
``pyformat`` style (``%s`` with a sequence, ``%(name)s`` with a mapping), bound client-side as
SQL literals exactly as ``Client.query(parameters=...)`` does; a mapping whose keys all have
``{name:Type}`` placeholders in the SQL is sent server-side instead (ClickHouse >= 19.11).

``executemany`` recognises ``INSERT INTO table [(columns)] VALUES (placeholders)`` and sends every
parameter row through a single ``Client.insert`` (Native format, one request, all or nothing);
other statements run once per row.
"""

import datetime as _dt
import inspect
import re
import time as _time
from collections.abc import Mapping

from .binding import finalize_query
from .driver import create_client
from .exceptions import (DatabaseError, DataError, Error, IntegrityError, InterfaceError, InternalError,
                         NotSupportedError, OperationalError, ProgrammingError, Warning)

__all__ = [
    'apilevel', 'threadsafety', 'paramstyle', 'connect', 'Connection', 'Cursor',
    'Warning', 'Error', 'InterfaceError', 'DatabaseError', 'DataError', 'OperationalError', 'IntegrityError',
    'InternalError', 'ProgrammingError', 'NotSupportedError',
    'Date', 'Time', 'Timestamp', 'DateFromTicks', 'TimeFromTicks', 'TimestampFromTicks', 'Binary',
    'STRING', 'BINARY', 'NUMBER', 'DATETIME', 'ROWID',
]

apilevel = '2.0'
# Threads may share the module and connections (the Client is thread-safe: every request takes
# its own pooled HTTP connection), but not cursors, which hold per-statement state.
threadsafety = 2
paramstyle = 'pyformat'


# -- type constructors and type objects (PEP 249 "Type Objects and Constructors") ----------

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime
Binary = bytes


def DateFromTicks(ticks):  # noqa: N802 (PEP 249 name)
    """The local date of a POSIX timestamp."""
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks):  # noqa: N802
    """The local time of day of a POSIX timestamp."""
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks):  # noqa: N802
    """The local date and time of a POSIX timestamp."""
    return Timestamp(*_time.localtime(ticks)[:6])


def _base_type_name(type_name):
    """The type name without Nullable / LowCardinality wrappers and without parameters:
    "LowCardinality(Nullable(FixedString(3)))" -> "FixedString"."""
    name = str(type_name).strip()
    while True:
        for wrapper in ('Nullable(', 'LowCardinality('):
            if name.startswith(wrapper) and name.endswith(')'):
                name = name[len(wrapper):-1].strip()
                break
        else:
            break
    return name.split('(', 1)[0].strip()


class DBAPITypeObject:
    """A PEP 249 type object: compares equal to every ClickHouse type name (the type_code of
    Cursor.description) of its group, e.g. ``NUMBER == 'Nullable(UInt8)'``."""

    def __init__(self, name, base_names):
        self.name = name
        self.base_names = frozenset(base_names)

    def __eq__(self, other):
        if isinstance(other, DBAPITypeObject):
            return self is other
        if isinstance(other, str):
            return _base_type_name(other) in self.base_names
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DBAPITypeObject {self.name}>'


STRING = DBAPITypeObject('STRING', ('String', 'FixedString', 'Enum8', 'Enum16', 'Enum', 'UUID', 'IPv4', 'IPv6',
                                    'JSON', 'Object'))
# ClickHouse String and FixedString hold arbitrary bytes.
BINARY = DBAPITypeObject('BINARY', ('String', 'FixedString'))
NUMBER = DBAPITypeObject('NUMBER', ('Int8', 'Int16', 'Int32', 'Int64', 'Int128', 'Int256',
                                    'UInt8', 'UInt16', 'UInt32', 'UInt64', 'UInt128', 'UInt256',
                                    'Float32', 'Float64', 'BFloat16', 'Bool', 'Decimal', 'Decimal32',
                                    'Decimal64', 'Decimal128', 'Decimal256'))
DATETIME = DBAPITypeObject('DATETIME', ('Date', 'Date32', 'DateTime', 'DateTime32', 'DateTime64', 'Time',
                                        'Time64'))
# ClickHouse has no row ids: nothing compares equal to ROWID.
ROWID = DBAPITypeObject('ROWID', ())


# -- description ----------------------------------------------------------------------------

_DECIMAL_PS = re.compile(r'^Decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$')
_DECIMAL_N = {'Decimal32': 9, 'Decimal64': 18, 'Decimal128': 38, 'Decimal256': 76}
_DECIMAL_NS = re.compile(r'^(Decimal(?:32|64|128|256))\(\s*(\d+)\s*\)$')


def _null_ok(type_name):
    name = str(type_name).strip()
    if name.startswith('LowCardinality(') and name.endswith(')'):
        name = name[len('LowCardinality('):-1].strip()
    return name.startswith(('Nullable(', 'Variant(', 'Dynamic')) or name == 'Nothing'


def _unwrap_nullable(type_name):
    name = str(type_name).strip()
    if name.startswith('Nullable(') and name.endswith(')'):
        return name[len('Nullable('):-1].strip()
    return name


def describe_column(name, type_name):
    """The PEP 249 7-tuple of a result column: (name, type_code, display_size, internal_size,
    precision, scale, null_ok). type_code is the ClickHouse type name (compare it with the type
    objects STRING, NUMBER, ...); precision and scale are set for Decimal columns."""
    precision = scale = None
    base = _unwrap_nullable(type_name)
    m = _DECIMAL_PS.match(base)
    if m:
        precision, scale = int(m.group(1)), int(m.group(2))
    else:
        m = _DECIMAL_NS.match(base)
        if m:
            precision, scale = _DECIMAL_N[m.group(1)], int(m.group(2))
    return (name, type_name, None, None, precision, scale, _null_ok(type_name))


# -- statement shapes -----------------------------------------------------------------------

_COMMENTS = r'(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*'
_IDENT = r'(?:`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_$]*)'
_INSERT_RE = re.compile(
    r'^' + _COMMENTS + r'INSERT\s+INTO\s+(?:TABLE\s+)?'
    r'(?P<table>' + _IDENT + r'(?:\s*\.\s*' + _IDENT + r')?)\s*'
    r'(?:\((?P<columns>(?:[^()`"]|`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*")*)\)\s*)?'
    r'VALUES\s*(?P<values>.*?)\s*$',
    re.IGNORECASE | re.DOTALL)
_IDENT_RE = re.compile(_IDENT)
_ANY_INSERT_RE = re.compile(r'^' + _COMMENTS + r'INSERT\b', re.IGNORECASE | re.DOTALL)
_PLACEHOLDER_RE = re.compile(r'\s*(?:%s|%\((?P<name>[^)]+)\)s)\s*')
# Statements that produce a result set (possibly empty).
_ROWS_RE = re.compile(r'^' + _COMMENTS + r'(\(|SELECT\b|WITH\b|SHOW\b|DESC\b|DESCRIBE\b|EXISTS\b|EXPLAIN\b)',
                      re.IGNORECASE | re.DOTALL)
_SELECT_RE = re.compile(r'^' + _COMMENTS + r'(\(|SELECT\b|WITH\b)', re.IGNORECASE | re.DOTALL)
_TSV_ESCAPES = {'t': '\t', 'n': '\n', 'r': '\r', '0': '\0', 'b': '\b', 'f': '\f', '\\': '\\', "'": "'", '"': '"'}
_TSV_ESCAPE_RE = re.compile(r'\\(.)', re.DOTALL)


def _unquote_ident(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '`"':
        return re.sub(r'\\(.)', r'\1', text[1:-1], flags=re.DOTALL)
    return text


def _split_idents(text):
    """Identifiers separated by commas (quoted ones may hold commas); None if text is not that."""
    out, pos = [], 0
    text = text.strip()
    while True:
        m = _IDENT_RE.match(text, pos)
        if not m:
            return None
        out.append(_unquote_ident(m.group()))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return out
        if text[pos] != ',':
            return None
        pos += 1
        while pos < len(text) and text[pos].isspace():
            pos += 1


def _split_table(text):
    """(database, table) of a possibly qualified, possibly quoted table reference."""
    parts = []
    pos = 0
    while True:
        m = _IDENT_RE.match(text, pos)
        parts.append(_unquote_ident(m.group()))
        pos = m.end()
        rest = text[pos:].lstrip()
        if not rest.startswith('.'):
            break
        pos = len(text) - len(rest) + 1
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if len(parts) == 2:
        return parts[0], parts[1]
    return None, parts[0]


class _InsertPlan:
    """A parsed ``INSERT INTO t [(cols)] VALUES [(placeholders)]``."""

    __slots__ = ('database', 'table', 'columns', 'placeholders', 'named')

    def __init__(self, database, table, columns, placeholders, named):
        self.database = database
        self.table = table
        self.columns = columns          # list of names, or None (every column)
        self.placeholders = placeholders  # list of names (named), count (positional), or None (no VALUES tuple)
        self.named = named


def parse_insert(operation):
    """An _InsertPlan when `operation` is an INSERT ... VALUES whose only values are one tuple of
    pyformat placeholders (or nothing), None otherwise."""
    m = _INSERT_RE.match(operation)
    if not m:
        return None
    database, table = _split_table(m.group('table'))
    if '.' in table or (database is not None and '.' in database):
        return None  # the library takes "db.name": a dot inside a name cannot be expressed
    columns = None
    if m.group('columns') is not None:
        columns = _split_idents(m.group('columns'))
        if not columns:
            return None
    values = m.group('values').strip()
    while values.endswith(';'):
        values = values[:-1].rstrip()
    if not values:
        return _InsertPlan(database, table, columns, None, False)
    if not (values.startswith('(') and values.endswith(')')):
        return None
    items = values[1:-1].split(',')
    names = []
    for item in items:
        pm = _PLACEHOLDER_RE.fullmatch(item)
        if not pm:
            return None
        names.append(pm.group('name'))
    named = names[0] is not None
    if any((n is not None) != named for n in names):
        return None
    if columns is not None and len(columns) != len(names):
        return None
    return _InsertPlan(database, table, columns, names if named else len(names), named)


def _plan_rows(plan, seq_of_parameters):
    """(column_names, rows) for Client.insert, or raises ProgrammingError when a parameter row
    does not fit the statement (checked for every row before anything is sent)."""
    rows = []
    columns = plan.columns
    if plan.placeholders is None:
        # "INSERT INTO t [(cols)] VALUES" followed by nothing: rows are the values.
        for i, params in enumerate(seq_of_parameters):
            if isinstance(params, Mapping):
                if columns is None:
                    columns = list(params.keys())
                try:
                    rows.append([params[c] for c in columns])
                except KeyError as exc:
                    raise ProgrammingError(f'executemany: parameter row {i} has no value for column {exc}') from None
                if len(params) != len(columns):
                    raise ProgrammingError(f'executemany: parameter row {i} has other keys than {columns}')
            elif isinstance(params, (str, bytes)) or not hasattr(params, '__len__'):
                raise ProgrammingError(f'executemany: parameter row {i} must be a sequence or a mapping')
            else:
                rows.append(list(params))
        return columns, rows
    if plan.named:
        names = plan.placeholders
        for i, params in enumerate(seq_of_parameters):
            if not isinstance(params, Mapping):
                raise ProgrammingError(f'executemany: parameter row {i} must be a mapping (the statement uses %(name)s)')
            try:
                rows.append([params[n] for n in names])
            except KeyError as exc:
                raise ProgrammingError(f'executemany: parameter row {i} has no value for {exc}') from None
        return columns, rows
    count = plan.placeholders
    for i, params in enumerate(seq_of_parameters):
        if isinstance(params, (Mapping, str, bytes)) or not hasattr(params, '__len__'):
            raise ProgrammingError(f'executemany: parameter row {i} must be a sequence (the statement uses %s)')
        if len(params) != count:
            raise ProgrammingError(f'executemany: parameter row {i} has {len(params)} values, the statement '
                                   f'has {count} placeholders')
        rows.append(list(params))
    return columns, rows


def _unescape_tsv(text):
    return _TSV_ESCAPE_RE.sub(lambda m: _TSV_ESCAPES.get(m.group(1), '\\' + m.group(1)), text)


# -- Connection and Cursor ------------------------------------------------------------------

_CLIENT_ARGS = frozenset(name for name, p in inspect.signature(create_client).parameters.items()
                         if p.kind is inspect.Parameter.KEYWORD_ONLY)


def connect(host=None, database=None, username=None, password=None, port=None, dsn=None, **kwargs):
    """Opens a Connection. Takes the arguments of chconnect.get_client (``dsn``, ``secure``,
    ``settings``, ``compress``, ...); other keyword arguments are generic arguments as in a DSN
    query string: client options when chconnect knows the name, ClickHouse settings otherwise
    (a ``ch_`` prefix forces a setting). Contacts the server once, so connection and
    authentication problems raise here (OperationalError / DatabaseError)."""
    args = {'host': host, 'database': database, 'username': username, 'password': password, 'port': port,
            'dsn': dsn}
    generic = dict(kwargs.pop('generic_args', None) or {})
    for key, value in kwargs.items():
        if key in _CLIENT_ARGS:
            args[key] = value
        else:
            generic[key] = value
    args = {key: value for key, value in args.items() if value is not None}
    if generic:
        args['generic_args'] = generic
    return Connection(create_client(**args))


class Connection:
    """A PEP 249 connection around a chconnect.Client (``.client``). ClickHouse has no
    transactions: commit() and rollback() do nothing. Usable as a context manager (leaving the
    ``with`` block closes it)."""

    # PEP 249 optional extension: the exception classes as connection attributes.
    Warning = Warning
    Error = Error
    InterfaceError = InterfaceError
    DatabaseError = DatabaseError
    DataError = DataError
    OperationalError = OperationalError
    IntegrityError = IntegrityError
    InternalError = InternalError
    ProgrammingError = ProgrammingError
    NotSupportedError = NotSupportedError

    def __init__(self, client):
        """Wraps an open chconnect.Client; close() closes it."""
        self.client = client
        self._closed = False

    @property
    def closed(self):
        """True after close()."""
        return self._closed

    def _check(self):
        if self._closed:
            raise InterfaceError('the connection is closed')

    def close(self):
        """Closes the connection and its client; later calls on it or its cursors raise
        InterfaceError. Closing twice is allowed."""
        if self._closed:
            return
        self._closed = True
        self.client.close()

    def commit(self):
        """Does nothing (ClickHouse has no transactions; every statement applies at once)."""
        self._check()

    def rollback(self):
        """Does nothing: there is no transaction to roll back (statements already applied)."""
        self._check()

    def cursor(self):
        """A new Cursor on this connection."""
        self._check()
        return Cursor(self)

    def command(self, cmd, parameters=None, settings=None):
        """Client.command on this connection's client (extension, as clickhouse-connect)."""
        self._check()
        return self.client.command(cmd, parameters=parameters, settings=settings)

    def raw_query(self, query, parameters=None, settings=None, fmt=None):
        """Client.raw_query on this connection's client (extension, as clickhouse-connect)."""
        self._check()
        return self.client.raw_query(query, parameters=parameters, settings=settings, fmt=fmt)

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f'<chconnect.dbapi.Connection {"closed" if self._closed else "open"}>'


class Cursor:
    """A PEP 249 cursor. Results are read whole by execute(); fetch* then serve them from
    memory. Not to be shared between threads (create one per thread)."""

    def __init__(self, connection):
        """A cursor on `connection` (use Connection.cursor())."""
        self.connection = connection
        self.arraysize = 1
        self._closed = False
        self._reset()

    def _reset(self):
        self._rows = None          # list of tuples when the last statement produced a result set
        self._pos = 0
        self._description = None
        self._rowcount = -1
        self.summary = []          # one summary dict per statement sent by the last execute*
        self.query_id = None

    # -- state ------------------------------------------------------------------------------

    def _check(self):
        if self._closed:
            raise InterfaceError('the cursor is closed')
        if self.connection.closed:
            raise InterfaceError('the connection is closed')

    @property
    def closed(self):
        """True after close() (or once the connection is closed)."""
        return self._closed or self.connection.closed

    @property
    def description(self):
        """One 7-tuple per column of the last result set (name, type_code, display_size,
        internal_size, precision, scale, null_ok); None when the last statement returned no result
        set or nothing was executed yet. type_code is the ClickHouse type name."""
        return self._description

    @property
    def rowcount(self):
        """Rows of the last result set, or rows written by the last INSERT when known; -1 when
        unknown (e.g. an INSERT ... VALUES sent as SQL to a server that reports no summary)."""
        return self._rowcount

    @property
    def rownumber(self):
        """0-based index of the next row fetch* returns, None without a result set."""
        return None if self._rows is None else self._pos

    lastrowid = None  # ClickHouse has no row ids

    # -- execution -------------------------------------------------------------------------

    def execute(self, operation, parameters=None, settings=None, pyformat_encoded=True):
        """Runs one statement. `parameters` is a sequence (``%s`` placeholders) or a mapping
        (``%(name)s``); values are bound as SQL literals (a string can never become SQL).
        Without parameters, ``%%`` stands for ``%`` (pyformat_encoded=False keeps the text as
        is). `settings` are ClickHouse settings for this statement. The whole result is read
        before execute returns. Returns the cursor."""
        self._check()
        self._reset()
        if not isinstance(operation, str):
            if isinstance(operation, bytes):
                operation = operation.decode()
            else:
                raise ProgrammingError('execute() needs the statement as a str')
        if not parameters:
            parameters = None
            if pyformat_encoded:
                operation = operation.replace('%%', '%')
        client = self.connection.client
        result = client.query(operation, parameters=parameters, settings=settings)
        summary = dict(result.summary or {})
        self.summary.append(summary)
        self.query_id = result.query_id or summary.get('query_id') or None
        if result.column_names:
            self._rows = result.result_rows
            self._description = [describe_column(n, t.name) for n, t in zip(result.column_names,
                                                                           result.column_types)]
            self._rowcount = len(self._rows)
        elif _ROWS_RE.match(operation):
            # A result set with no rows: servers before ~19.x send no header block for it, so
            # the column names and types are asked for separately.
            self._rows = []
            self._rowcount = 0
            self._description = self._probe_description(client, operation, parameters, settings)
        elif 'written_rows' in summary and _ANY_INSERT_RE.match(operation):
            # Current servers send written_rows 0 for DDL too: only an INSERT's count is a row count.
            self._rowcount = int(summary['written_rows'])
        return self

    def _probe_description(self, client, operation, parameters, settings):
        sql = finalize_query(operation)
        try:
            if _SELECT_RE.match(sql):
                # DESCRIBE of a subquery computes nothing.
                described = client.query(f'DESCRIBE TABLE ({sql}\n)', parameters=parameters, settings=settings)
                return [describe_column(row[0], row[1]) for row in described.result_rows]
            # SHOW / EXISTS / DESCRIBE with no rows: run it again for its header.
            body = client.raw_query(sql, parameters=parameters, settings=settings,
                                    fmt='TabSeparatedWithNamesAndTypes')
        except DatabaseError:
            return None
        lines = body.decode('utf-8', errors='replace').split('\n')
        if len(lines) < 2:
            return None
        names = [_unescape_tsv(v) for v in lines[0].split('\t')]
        types = [_unescape_tsv(v) for v in lines[1].split('\t')]
        return [describe_column(n, t) for n, t in zip(names, types)]

    def executemany(self, operation, seq_of_parameters, settings=None):
        """Runs `operation` for every parameter row. ``INSERT INTO t [(columns)] VALUES (%s, ...)``
        (or ``%(name)s`` placeholders, or nothing after VALUES) becomes ONE Client.insert of all
        rows in the Native format: one request, all or nothing; every row is checked against the
        statement first (ProgrammingError, nothing sent). Any other statement is run once per row
        (rowcount is then the sum of the statements' row counts, -1 if one is unknown)."""
        self._check()
        if not isinstance(operation, str):
            if isinstance(operation, bytes):
                operation = operation.decode()
            else:
                raise ProgrammingError('executemany() needs the statement as a str')
        if isinstance(seq_of_parameters, (str, bytes, Mapping)):
            raise ProgrammingError('executemany() needs a sequence of parameter rows')
        seq_of_parameters = list(seq_of_parameters)
        plan = parse_insert(operation)
        if plan is not None:
            self._reset()
            columns, rows = _plan_rows(plan, seq_of_parameters)
            if not rows:
                self._rowcount = 0
                return self
            result = self.connection.client.insert(plan.table, rows, column_names=columns or '*',
                                                   database=plan.database, settings=settings)
            summary = dict(getattr(result, 'summary', None) or {})
            self.summary.append(summary)
            self.query_id = summary.get('query_id') or None
            # Servers that report no summary (18.16): the insert is all or nothing, so every row
            # sent was written.
            self._rowcount = int(summary['written_rows']) if 'written_rows' in summary else len(rows)
            return self
        total, summaries = 0, []
        for params in seq_of_parameters:
            self.execute(operation, params, settings=settings)
            summaries.extend(self.summary)
            total = -1 if total < 0 or self._rowcount < 0 else total + self._rowcount
        if seq_of_parameters:
            self.summary = summaries
            self._rowcount = total
        else:
            self._reset()
            self._rowcount = 0
        return self

    def callproc(self, procname, parameters=None):
        """ClickHouse has no stored procedures: raises NotSupportedError."""
        self._check()
        raise NotSupportedError('ClickHouse has no stored procedures')

    def nextset(self):
        """A statement gives at most one result set: returns None (no further set)."""
        self._check()
        return None

    # -- fetching ---------------------------------------------------------------------------

    def _result_rows(self):
        self._check()
        if self._rows is None:
            raise ProgrammingError('no result set: execute a statement that returns rows first')
        return self._rows

    def fetchone(self):
        """The next row as a tuple, None at the end of the result set."""
        rows = self._result_rows()
        if self._pos >= len(rows):
            return None
        row = rows[self._pos]
        self._pos += 1
        return row

    def fetchmany(self, size=None):
        """Up to `size` (default arraysize) next rows as a list of tuples; [] at the end."""
        rows = self._result_rows()
        if size is None:
            size = self.arraysize
        if size < 0:
            raise ProgrammingError('fetchmany() size must not be negative')
        out = rows[self._pos:self._pos + size]
        self._pos += len(out)
        return out

    def fetchall(self):
        """All remaining rows as a list of tuples."""
        rows = self._result_rows()
        out = rows[self._pos:]
        self._pos = len(rows)
        return out

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    # -- no-ops and lifetime ---------------------------------------------------------------

    def setinputsizes(self, sizes):
        """Does nothing (allowed by PEP 249)."""
        self._check()

    def setoutputsize(self, size, column=None):
        """Does nothing (allowed by PEP 249)."""
        self._check()

    def close(self):
        """Releases the result; later calls on the cursor raise InterfaceError."""
        self._closed = True
        self._rows = None
        self._description = None

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f'<chconnect.dbapi.Cursor {"closed" if self.closed else "open"}>'
