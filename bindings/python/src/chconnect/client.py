"""The HTTP client: command, query, insert, ping (clickhouse-connect's sync Client surface)."""

import re
import threading

from ._capi import capi
from .binding import bind_query, finalize_query
from .datatypes import append_column, decode_column, type_from_capi
from .exceptions import (CHC_E_PROTOCOL, CHC_E_SERVER, DatabaseError, ProgrammingError,
                         StreamFailureError)
from .query import SUMMARY_FIELDS, QueryResult, QuerySummary

# Statements that return no result set: query() sends them as commands (as clickhouse-connect).
_COMMAND_RE = re.compile(
    r'\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*'
    r'(CREATE|ALTER|SYSTEM|GRANT|REVOKE|CHECK|DETACH|ATTACH|DROP|DELETE|KILL|OPTIMIZE|SET|RENAME|'
    r'TRUNCATE|USE|UPDATE|INSERT)\b',
    re.IGNORECASE | re.DOTALL)
_INT_RE = re.compile(r'-?[0-9]+')


def _setting_text(value):
    if isinstance(value, bool):
        return '1' if value else '0'
    return str(value)


class Client:
    """A ClickHouse client over HTTP(S). Thread-safe: one client may run queries from several
    threads at once (each request takes a pooled connection). Create with chconnect.get_client."""

    def __init__(self, handle, database=None, settings=None):
        self._handle = handle
        self.database = database
        self._settings = dict(settings or {})
        self._lock = threading.Lock()
        self._server_version = None
        # Ask the server once now (as clickhouse-connect's init does), so bad credentials, TLS
        # problems or an unreachable server fail in get_client.
        self._server_version = capi.chc_client_server_version(self._h)

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def _h(self):
        h = self._handle
        if h is None:
            raise ProgrammingError('the client is closed')
        return h

    def _make_query(self, sql, settings=None, server_params=None, query_id=None, database=None):
        q = capi.chc_query_new(sql)
        if settings:
            for key, value in settings.items():
                if value is None:
                    continue
                capi.chc_query_set(q, 'setting.' + key, _setting_text(value))
        if server_params:
            for key, value in server_params.items():
                capi.chc_query_set(q, 'param.' + key, value)
        if query_id:
            capi.chc_query_set(q, 'query_id', str(query_id))
        if database:
            capi.chc_query_set(q, 'database', database)
        return q

    @staticmethod
    def _response_summary(resp):
        summary = {}
        for field in SUMMARY_FIELDS:
            value = capi.chc_response_summary(resp, field)
            if value is not None:
                summary[field] = value
        summary['query_id'] = capi.chc_response_query_id(resp)
        return summary

    # -- attributes ---------------------------------------------------------------------------

    @property
    def server_version(self):
        if self._server_version is None:
            self._server_version = capi.chc_client_server_version(self._h)
        return self._server_version

    def min_version(self, version_str):
        """True when the server version is at least version_str (e.g. "19.11")."""
        def parts(v):
            out = []
            for p in v.split('.'):
                m = re.match(r'\d+', p)
                out.append(int(m.group()) if m else 0)
            return out
        have, want = parts(self.server_version), parts(version_str)
        width = max(len(have), len(want))
        return have + [0] * (width - len(have)) >= want + [0] * (width - len(want))

    def set_client_setting(self, key, value):
        """A ClickHouse setting sent with every later request of this client."""
        self._settings[key] = value

    def get_client_setting(self, key):
        value = self._settings.get(key)
        return None if value is None else _setting_text(value)

    def _merged_settings(self, settings):
        if not self._settings:
            return settings
        merged = dict(self._settings)
        if settings:
            merged.update(settings)
        return merged

    # -- requests -----------------------------------------------------------------------------

    def ping(self):
        """True when the server answers GET /ping; never raises."""
        try:
            capi.chc_client_ping(self._h)
            return True
        except Exception:
            return False

    def command(self, cmd, parameters=None, data=None, settings=None, use_database=True,
                external_data=None):
        """Runs a statement and returns its TabSeparated answer: int when the single value is an
        integer, str otherwise, a list of str for several tab-separated values, and a
        QuerySummary when the statement returned nothing (DDL, INSERT)."""
        if external_data is not None:
            raise ProgrammingError('external_data is not supported by chconnect yet')
        sql, server_params = bind_query(cmd, parameters)
        if data is not None:
            # The statement and its data travel together in the request body.
            if isinstance(data, (bytes, bytearray, memoryview)):
                sql = sql.encode() + b'\n' + bytes(data)
            else:
                sql = sql + '\n' + str(data)
        q = self._make_query(sql, self._merged_settings(settings), server_params)
        resp = capi.chc_client_command(self._h, q)
        body = capi.chc_response_body(resp)
        if not body:
            return QuerySummary(self._response_summary(resp))
        text = body.decode('utf-8', errors='replace')
        if text.endswith('\n'):
            text = text[:-1]
        values = text.split('\t')
        if len(values) == 1:
            value = values[0]
            return int(value) if _INT_RE.fullmatch(value) else value
        return values

    def raw_query(self, query, parameters=None, settings=None, fmt=None):
        """The server's answer as bytes, in format `fmt` (default TabSeparated)."""
        sql, server_params = bind_query(query, parameters)
        if fmt:
            sql = f'{sql}\nFORMAT {fmt}'
        q = self._make_query(sql, self._merged_settings(settings), server_params)
        return capi.chc_response_body(capi.chc_client_command(self._h, q))

    def query(self, query=None, parameters=None, settings=None, column_oriented=False, query_id=None,
              **kwargs):
        """Runs a SELECT and returns the whole result as a QueryResult."""
        unsupported = sorted(kw for kw, v in kwargs.items() if v is not None)
        if unsupported:
            raise ProgrammingError(f'query() options not supported by chconnect yet: {", ".join(unsupported)}')
        if query is None:
            raise ProgrammingError('query() needs a query')
        sql, server_params = bind_query(query, parameters)
        if _COMMAND_RE.match(sql):
            result = self.command(sql, settings=settings)
            summary = result.summary if isinstance(result, QuerySummary) else {}
            return QueryResult([], (), (), query_id=summary.get('query_id', ''), summary=summary)
        q = self._make_query(sql, self._merged_settings(settings), server_params, query_id)
        return self._read_result(capi.chc_client_query(self._h, q), column_oriented)

    def _read_result(self, result, column_oriented):
        columns = None
        names = ()
        types = ()
        try:
            while True:
                try:
                    block = capi.chc_result_next(result)
                except DatabaseError as exc:
                    # The response had started (chc_client_query succeeded): a server error or
                    # malformed data now is a mid-stream failure.
                    if exc.status in (CHC_E_SERVER, CHC_E_PROTOCOL) and not isinstance(exc, StreamFailureError):
                        raise exc._copy_into(StreamFailureError) from exc
                    raise
                if block is None:
                    break
                ncols = capi.chc_block_column_count(block)
                handles = [capi.chc_block_column(block, i) for i in range(ncols)]
                if columns is None:
                    names = tuple(capi.chc_column_name(c) for c in handles)
                    types = tuple(type_from_capi(capi.chc_column_type(c)) for c in handles)
                    columns = [decode_column(c, t) for c, t in zip(handles, types)]
                else:
                    for values, c, t in zip(columns, handles, types):
                        values.extend(decode_column(c, t))
                del handles, block  # bound memory to one block
            summary = {}
            for field in SUMMARY_FIELDS:
                value = capi.chc_result_summary(result, field)
                if value is not None:
                    summary[field] = value
            query_id = capi.chc_result_query_id(result)
            summary['query_id'] = query_id
        finally:
            del result  # frees the result (aborting the transfer if it was not read to the end)
        return QueryResult(columns or [], names, types, query_id=query_id, summary=summary,
                           column_oriented=column_oriented)

    def insert(self, table, data, column_names='*', database=None, column_types=None,
               column_type_names=None, column_oriented=False, settings=None):
        """Inserts rows (or columns with column_oriented=True) into `table` with the Native format.

        The column types come from the server (DESCRIBE TABLE); values are converted by type
        (the Python types a query returns, plus the alternatives listed in the README: e.g. int
        epoch seconds for DateTime, str for UUID/IP/Decimal, a label or int for Enum). A value
        that does not fit raises DataError and nothing is sent."""
        if column_types is not None or column_type_names is not None:
            raise ProgrammingError('column_types / column_type_names are not supported by chconnect yet; '
                                   'types come from the server')
        if not isinstance(table, str) or not table:
            raise ProgrammingError('insert() needs a table name')
        if column_names is None or column_names == '*':
            names_arg = None
        elif isinstance(column_names, str):
            names_arg = [column_names]
        else:
            names_arg = list(column_names)
            if not all(isinstance(n, str) for n in names_arg):
                raise ProgrammingError('column_names must be "*", a str or a sequence of str')
        data = list(data) if not isinstance(data, list) else data
        full_table = f'{database}.{table}' if database else table
        if not data:
            return QuerySummary()
        options = None
        merged = self._merged_settings(settings)
        if merged:
            options = self._make_query('', merged)
        insert = capi.chc_client_insert_begin(self._h, full_table, names_arg, options)
        try:
            ncols = capi.chc_insert_column_count(insert)
            names = [capi.chc_insert_column_name(insert, i) for i in range(ncols)]
            types = [type_from_capi(capi.chc_insert_column_type(insert, i)) for i in range(ncols)]
            if column_oriented:
                columns = data
                if len(columns) != ncols:
                    raise ProgrammingError(f'insert into {table}: {len(columns)} columns given, {ncols} expected')
                lengths = {len(c) for c in columns}
                if len(lengths) > 1:
                    raise ProgrammingError(f'insert into {table}: columns have different lengths {sorted(lengths)}')
            else:
                for i, row in enumerate(data):
                    if len(row) != ncols:
                        raise ProgrammingError(
                            f'insert into {table}: row {i} has {len(row)} values, {ncols} columns expected ({", ".join(names)})')
                columns = list(zip(*data))
            for i in range(ncols):
                append_column(capi.chc_insert_builder(insert, i), types[i], names[i], columns[i])
            resp = capi.chc_insert_finish(insert)
            return QuerySummary(self._response_summary(resp))
        finally:
            del insert  # an unfinished insert is abandoned: nothing is sent

    # -- lifetime -----------------------------------------------------------------------------

    def close(self):
        """Releases the client; results already returned stay valid."""
        with self._lock:
            handle, self._handle = self._handle, None
        del handle  # the SWIG proxy frees it (its own reference count keeps results valid)

    def close_connections(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = 'closed' if self._handle is None else f'server {self._server_version}'
        return f'<chconnect.Client {state}>'
