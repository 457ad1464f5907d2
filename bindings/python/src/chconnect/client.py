"""The HTTP client: command, query, insert, ping (clickhouse-connect's sync Client surface)."""

import io
import re
import threading

from ._capi import capi
from .binding import bind_query, finalize_query, quote_identifier
from .datatypes import append_column, decode_column, type_from_capi
from .exceptions import (CHC_E_PROTOCOL, CHC_E_SERVER, DatabaseError, ProgrammingError,
                         StreamFailureError)
from .npconv import arrow_to_pandas, block_columns, combine
from .query import SUMMARY_FIELDS, QueryResult, QuerySummary
from .streams import ArrowStream, BlockReader, StreamContext, require

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
        reader = BlockReader(result)
        del result
        columns = None
        names = ()
        types = ()
        blocks = []
        try:
            while True:
                block = reader.next_block()
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
                # The Native block is kept (about the wire size) so the result can still be
                # exported to Arrow (QueryResult.__arrow_c_stream__).
                blocks.append(block)
                del handles, block
        finally:
            reader.close()  # frees the result (aborting the transfer if it was not read to the end)
        summary = reader.summary or {'query_id': reader.query_id}
        return QueryResult(columns or [], names, types, query_id=reader.query_id, summary=summary,
                           column_oriented=column_oriented, blocks=blocks)

    # -- streaming and columnar queries -------------------------------------------------------

    def _open_result(self, query, parameters, settings, query_id=None, extra_settings=None):
        if query is None:
            raise ProgrammingError('a query is needed')
        sql, server_params = bind_query(query, parameters)
        merged = self._merged_settings(settings)
        if extra_settings:
            merged = dict(merged or {}, **extra_settings)
        q = self._make_query(sql, merged, server_params, query_id)
        return BlockReader(capi.chc_client_query(self._h, q))

    @staticmethod
    def _block_gen(reader):
        try:
            while True:
                block = reader.next_block()
                if block is None:
                    return
                yield block
        finally:
            reader.close()

    def _stream(self, reader, convert):
        def gen():
            for block in self._block_gen(reader):
                yield convert(block)
        return StreamContext(reader, gen())

    @staticmethod
    def _block_values(block):
        ncols = capi.chc_block_column_count(block)
        handles = [capi.chc_block_column(block, i) for i in range(ncols)]
        return [decode_column(h, type_from_capi(capi.chc_column_type(h))) for h in handles]

    def query_column_block_stream(self, query=None, parameters=None, settings=None, query_id=None):
        """StreamContext yielding, per Native block, a list of columns (lists of values)."""
        return self._stream(self._open_result(query, parameters, settings, query_id), self._block_values)

    def query_row_block_stream(self, query=None, parameters=None, settings=None, query_id=None):
        """StreamContext yielding, per Native block, a list of row tuples."""
        values = self._block_values
        return self._stream(self._open_result(query, parameters, settings, query_id),
                            lambda b: list(zip(*values(b))))

    def query_rows_stream(self, query=None, parameters=None, settings=None, query_id=None):
        """StreamContext yielding row tuples one by one (decoded a block at a time)."""
        reader = self._open_result(query, parameters, settings, query_id)
        values = self._block_values

        def gen():
            for block in self._block_gen(reader):
                yield from zip(*values(block))
        return StreamContext(reader, gen())

    def query_arrow_stream(self, query=None, parameters=None, settings=None, use_strings=True, query_id=None,
                           external_data=None):
        """An ArrowStream: iterate it inside ``with`` for pyarrow.RecordBatch objects (one per
        Native block), or hand it to any Arrow consumer through ``__arrow_c_stream__``
        (``pyarrow.table(s)``, ``polars.DataFrame(s)``). Decoded by the client from Native (any
        server version). String columns are large_string (use_strings=False: large_binary)."""
        if external_data is not None:
            raise ProgrammingError('external_data is not supported by chconnect yet')
        return ArrowStream(self._open_result(query, parameters, settings, query_id), use_strings)

    def query_arrow(self, query=None, parameters=None, settings=None, use_strings=True, query_id=None,
                    external_data=None):
        """The whole result as a pyarrow.Table (one chunk per Native block, zero-copy where the
        layouts agree). See README for the type mapping."""
        require('pyarrow', 'query_arrow')
        return self.query_arrow_stream(query, parameters, settings, use_strings, query_id,
                                       external_data).read_all()

    def query_np(self, query=None, parameters=None, settings=None, query_id=None, max_str_len=None, **kwargs):
        """numpy array: 2-D (rows x columns) when all columns share a dtype, else a structured
        array (as clickhouse-connect)."""
        np = require('numpy', 'query_np')
        reader = self._open_result(query, parameters, settings, query_id)
        names, types, parts = (), (), []
        for block in self._block_gen(reader):
            names, types, cols = block_columns(block)
            parts.append(cols)
        if not parts:
            return np.empty((0, 0))
        columns = [p[0] if len(parts) == 1 else np.concatenate(p) for p in zip(*parts)]
        return combine(names, types, columns)

    def query_np_stream(self, query=None, parameters=None, settings=None, query_id=None, **kwargs):
        """StreamContext yielding one numpy array (shaped as query_np) per Native block."""
        require('numpy', 'query_np_stream')
        return self._stream(self._open_result(query, parameters, settings, query_id),
                            lambda b: combine(*block_columns(b)))

    def query_df(self, query=None, parameters=None, settings=None, query_id=None, use_strings=True,
                 use_extended_dtypes=True, **kwargs):
        """pandas DataFrame, built from the Arrow export (numbers are not copied when they have
        no NULLs). dtypes: see README (clickhouse-connect's defaults where sensible)."""
        require('pandas', 'query_df')
        table = self.query_arrow(query, parameters, settings, use_strings, query_id)
        return arrow_to_pandas(table, use_extended_dtypes)

    def query_df_stream(self, query=None, parameters=None, settings=None, query_id=None, use_strings=True,
                        use_extended_dtypes=True, **kwargs):
        """StreamContext yielding one pandas DataFrame per Native block."""
        require('pandas', 'query_df_stream')
        stream = self.query_arrow_stream(query, parameters, settings, use_strings, query_id)

        def gen():
            with stream:
                for batch in stream:
                    yield arrow_to_pandas(batch, use_extended_dtypes)
        return StreamContext(stream, gen())

    def query_df_arrow(self, query=None, parameters=None, settings=None, query_id=None, use_strings=True,
                       dataframe_library='pandas'):
        """A DataFrame whose columns are Arrow-backed: pandas with pd.ArrowDtype columns, or a
        polars DataFrame (dataframe_library='polars', built from the Arrow stream directly)."""
        if dataframe_library == 'polars':
            pl = require('polars', 'query_df_arrow(dataframe_library="polars")')
            stream = self.query_arrow_stream(query, parameters, settings, use_strings, query_id)
            with stream:
                try:
                    return pl.DataFrame(stream)
                except Exception as exc:  # polars wraps the stream's error text
                    if isinstance(exc, DatabaseError):
                        raise
                    raise StreamFailureError(str(exc)) from exc
        if dataframe_library != 'pandas':
            raise ProgrammingError(f'dataframe_library must be "pandas" or "polars", not {dataframe_library!r}')
        pd = require('pandas', 'query_df_arrow')
        table = self.query_arrow(query, parameters, settings, use_strings, query_id)
        return table.to_pandas(types_mapper=pd.ArrowDtype)

    def query_df_arrow_stream(self, query=None, parameters=None, settings=None, query_id=None, use_strings=True,
                              dataframe_library='pandas'):
        """StreamContext yielding one Arrow-backed DataFrame (pandas or polars) per Native block."""
        if dataframe_library == 'polars':
            pl = require('polars', 'query_df_arrow_stream')
            convert = pl.from_arrow
        elif dataframe_library == 'pandas':
            pd = require('pandas', 'query_df_arrow_stream')
            def convert(batch):
                return batch.to_pandas(types_mapper=pd.ArrowDtype)
        else:
            raise ProgrammingError(f'dataframe_library must be "pandas" or "polars", not {dataframe_library!r}')
        stream = self.query_arrow_stream(query, parameters, settings, use_strings, query_id)

        def gen():
            with stream:
                for batch in stream:
                    yield convert(batch)
        return StreamContext(stream, gen())

    def raw_stream(self, query, parameters=None, settings=None, fmt=None):
        """A binary file-like object with the server's answer in format `fmt`. The C ABI has no
        streaming raw body yet: the answer is read whole, then served from memory."""
        return io.BytesIO(self.raw_query(query, parameters, settings, fmt))

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

    def _full_table(self, table, database):
        if not isinstance(table, str) or not table:
            raise ProgrammingError('a table name is needed')
        return f'{database}.{table}' if database else table

    def insert_arrow(self, table, arrow_table, database=None, settings=None):
        """Inserts any Arrow data with ``__arrow_c_stream__`` (pyarrow Table / RecordBatch /
        RecordBatchReader, polars DataFrame, ...) without pyarrow on chconnect's side: the
        stream's columns are matched to the table's by name and converted by the C library
        (one Native insert). All or nothing."""
        export = getattr(arrow_table, '__arrow_c_stream__', None)
        if export is None:
            raise ProgrammingError('insert_arrow needs an object with __arrow_c_stream__ (pyarrow Table, '
                                   f'RecordBatchReader, polars DataFrame, ...), not {type(arrow_table).__name__}')
        if type(arrow_table).__module__.split('.')[0] == 'polars' and hasattr(arrow_table, 'to_arrow'):
            # polars exports strings as string_view ("vu"), which the C import does not take
            # yet: ask polars for the classic layout (large_string) instead (needs pyarrow).
            pl = require('polars', 'insert_arrow')
            require('pyarrow', 'insert_arrow of a polars DataFrame')
            arrow_table = arrow_table.to_arrow(compat_level=pl.CompatLevel.oldest())
            export = arrow_table.__arrow_c_stream__
        capsule = export()
        names = capi.chc_py_arrow_stream_names(capsule)
        options = None
        merged = self._merged_settings(settings)
        if merged:
            options = self._make_query('', merged)
        insert = capi.chc_client_insert_begin(self._h, self._full_table(table, database), names, options)
        try:
            capi.chc_py_insert_append_arrow(insert, capsule)
            resp = capi.chc_insert_finish(insert)
            return QuerySummary(self._response_summary(resp))
        finally:
            del insert

    def insert_df_arrow(self, table, df, database=None, settings=None):
        """Inserts a polars DataFrame or an Arrow-backed pandas DataFrame through Arrow."""
        if hasattr(df, '__arrow_c_stream__'):  # polars (and other Arrow-native frames)
            return self.insert_arrow(table, df, database, settings)
        pa = require('pyarrow', 'insert_df_arrow')
        return self.insert_arrow(table, pa.Table.from_pandas(df, preserve_index=False), database, settings)

    def insert_df(self, table, df, database=None, settings=None, column_names=None, column_types=None,
                  column_type_names=None):
        """Inserts a pandas DataFrame: through Arrow (pyarrow.Table.from_pandas, zero-copy for
        numpy numbers) when pyarrow can convert every column, else value by value like insert()."""
        if column_types is not None or column_type_names is not None:
            raise ProgrammingError('column_types / column_type_names are not supported by chconnect yet; '
                                   'types come from the server')
        require('pandas', 'insert_df')
        if column_names is not None:
            df = df.copy(deep=False)
            df.columns = list(column_names)
        try:
            pa = require('pyarrow', 'insert_df')
            try:
                data = pa.Table.from_pandas(df, preserve_index=False)
            except (pa.ArrowException, TypeError, ValueError):
                data = None
            if data is not None:
                return self.insert_arrow(table, data, database, settings)
        except ImportError:
            pass
        columns = []
        for name in df.columns:
            series = df[name]
            values = series.astype(object).where(series.notna(), None).tolist()
            columns.append(values)
        return self.insert(table, columns, column_names=[str(c) for c in df.columns], database=database,
                           settings=settings, column_oriented=True)

    def raw_insert(self, table, column_names=None, insert_block=None, settings=None, fmt=None, compression=None):
        """Sends `insert_block` (str, bytes, a buffer, a file-like object or an iterable of
        str/bytes chunks) as the body of ``INSERT INTO table [(columns)] FORMAT fmt`` (default
        Native). The body is compressed per the client's `compress` setting."""
        if compression is not None:
            raise ProgrammingError('raw_insert(compression=...) is not supported by chconnect: '
                                   'the client compresses bodies per its compress option')
        if not isinstance(table, str) or not table:
            raise ProgrammingError('raw_insert needs a table name')
        if '`' in table or '"' in table:
            target = table
        else:
            target = '.'.join(quote_identifier(part) for part in table.split('.', 1))
        if column_names:
            if isinstance(column_names, str):
                column_names = [column_names]
            target += ' (' + ', '.join(quote_identifier(c) for c in column_names) + ')'
        sql = f'INSERT INTO {target} FORMAT {fmt or "Native"}'
        if insert_block is None:
            body = b''
        elif isinstance(insert_block, str):
            body = insert_block.encode()
        elif isinstance(insert_block, (bytes, bytearray, memoryview)):
            body = insert_block
        elif hasattr(insert_block, 'read'):
            body = insert_block.read()
            if isinstance(body, str):
                body = body.encode()
        else:
            body = b''.join(c.encode() if isinstance(c, str) else bytes(c) for c in insert_block)
        q = self._make_query(sql, self._merged_settings(settings))
        resp = capi.chc_client_insert_raw(self._h, q, body)
        return QuerySummary(self._response_summary(resp))

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
