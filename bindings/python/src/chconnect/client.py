"""The HTTP client: command, query, insert, ping (clickhouse-connect's sync Client surface)."""

import contextlib
import re
import threading
import uuid
import weakref

from ._capi import capi
from .binding import bind_query, quote_identifier
from .blockconv import column_item
from .context import InsertContext, QueryContext, resolve
from .datatypes import append_column, type_from_capi
from .exceptions import (CHC_E_CANCELLED, ClickHouseError, DatabaseError, NotSupportedError, ProgrammingError,
                         apply_error_mode, check_error_mode)
from .formats import ReadOptions, check_tz_mode, check_tz_source, local_tz, to_tzinfo
from .npconv import arrow_to_pandas, arrow_zones, block_columns, combine, np_result
from .query import SUMMARY_FIELDS, QueryResult, QuerySummary
from .rawstream import open_raw_stream
from .streams import ArrowStream, BlockReader, StreamContext, _arrow_error, require

# Statements that return no result set: query() sends them as commands (as clickhouse-connect).
_COMMAND_RE = re.compile(
    r'\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*'
    r'(CREATE|ALTER|SYSTEM|GRANT|REVOKE|CHECK|DETACH|ATTACH|DROP|DELETE|KILL|OPTIMIZE|SET|RENAME|'
    r'TRUNCATE|USE|UPDATE|INSERT)\b',
    re.IGNORECASE | re.DOTALL)
_INT_RE = re.compile(r'-?[0-9]+')
_SELECT_RE = re.compile(r'\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(SELECT|WITH)\b', re.IGNORECASE | re.DOTALL)
_LIMIT_RE = re.compile(r'\bLIMIT\b', re.IGNORECASE)
_CONCURRENT_SESSION = ('Attempt to execute concurrent queries within the same session. '
                       'Please use a separate client instance per thread/process.')


class _SessionClaim:
    """A request's hold on its client's server session; release() is idempotent (a stream
    releases it when closed, or when it is garbage-collected unclosed)."""

    __slots__ = ('_client',)

    def __init__(self, client):
        self._client = client

    def release(self):
        client, self._client = self._client, None
        if client is not None:
            with client._lock:
                client._session_busy = False


def _given_types(names, column_types, column_type_names):
    """The type names an insert was given (column_types wins over column_type_names, as in
    clickhouse-connect), one per name in `names` (None: every column, which needs DESCRIBE);
    None when neither was given."""
    if column_types is not None:
        if isinstance(column_types, (str, bytes)) or not hasattr(column_types, '__iter__'):
            raise ProgrammingError('column_types must be a sequence of ClickHouseType')
        types = []
        for t in column_types:
            name = getattr(t, 'name', None)
            if not isinstance(name, str):
                raise ProgrammingError(f'column_types must hold ClickHouseType objects (with .name), not {t!r}')
            types.append(name)
    elif column_type_names is not None:
        types = [column_type_names] if isinstance(column_type_names, str) else list(column_type_names)
        if not all(isinstance(t, str) for t in types):
            raise ProgrammingError('column_type_names must be a sequence of str')
    else:
        return None
    if names is None:
        raise ProgrammingError('column_types / column_type_names need column_names: one type per named column')
    if len(types) != len(names):
        raise ProgrammingError('Column names do not match column types')
    return types


class _ProgressRelay:
    """Calls the user's progress callback from the C library (GIL held, on the thread that drives
    the request). An exception in the callback cancels the request and is re-raised from the
    call that was running (see _reraise_progress_error)."""

    __slots__ = ('callback', 'error')

    def __init__(self, callback):
        if not callable(callback):
            raise ProgrammingError('progress_callback must be callable')
        self.callback = callback
        self.error = None

    def __call__(self, fields):
        try:
            self.callback(fields)
            return False
        except BaseException as exc:  # noqa: BLE001 - kept and re-raised by the caller
            self.error = exc
            return True


def _known_zone(name):
    """tzinfo of a zone name the server sent, None when empty or unknown on this machine."""
    if not name:
        return None
    try:
        return to_tzinfo(name)
    except ProgrammingError:
        return None


def _reraise_progress_error(relay, exc):
    """The callback's own exception instead of the CHC_E_CANCELLED it caused."""
    if relay is not None and relay.error is not None and getattr(exc, 'status', None) == CHC_E_CANCELLED:
        raise relay.error from exc
    raise exc


def _setting_text(value):
    if isinstance(value, bool):
        return '1' if value else '0'
    return str(value)


def _fixed_strings(np, columns, max_str_len):
    """String (object) columns as fixed-width '<U{max_str_len}' arrays, when asked for."""
    if not max_str_len:
        return columns
    width = int(max_str_len)
    return [c.astype(f'<U{width}') if c.dtype == object and all(isinstance(v, str) for v in c[:64]) else c
            for c in columns]


class Client:
    """A ClickHouse client over HTTP(S). Thread-safe: one client may run queries from several
    threads at once (each request takes a pooled connection), unless it has a server session
    (session_id, autogenerate_session_id=True): a session runs one request at a time, so a second
    one while the first is in flight (or a stream of it open) raises ProgrammingError, as in
    clickhouse-connect. Create with chconnect.get_client."""

    # get_client's query_retries (set there): retries on HTTP 429/503/504 for queries (done by the C
    # library) and raw_query / raw_stream (asked per request here, as clickhouse-connect retries them).
    query_retries = 2

    def __init__(self, handle, database=None, settings=None, query_limit=0, tz_source='auto', tz_mode='naive_utc',
                 session_id=None, show_clickhouse_errors=True):
        self._handle = handle
        self.database = database
        self._settings = dict(settings or {})
        self._lock = threading.Lock()
        # The server session every request carries (set in the C library's config), None if none.
        self.session_id = str(session_id) if session_id else None
        # After a result of the session is closed before its end, the server holds the session
        # until that query notices: the C library retries SESSION_IS_LOCKED meanwhile (up to 5 s).
        self._session_busy = False
        # True: the server's full error text; 'scrub': without its version trailer; False: a
        # generic message (code and name stay). See exceptions.apply_error_mode.
        self.show_clickhouse_errors = check_error_mode(show_clickhouse_errors)
        self._server_version = None
        self._server_tz = None
        self._running = {}  # query_id -> WeakSet of this client's open BlockReaders (for cancel)
        self._waiting = {}  # query_id -> set of chc_cancel switches of queries not answered yet
        try:
            self.query_limit = int(query_limit or 0)
        except (TypeError, ValueError):
            raise ProgrammingError(f'query_limit must be an int, not {query_limit!r}') from None
        self.tz_source = check_tz_source(tz_source or 'auto')
        self.tz_mode = check_tz_mode(tz_mode or 'naive_utc')
        # Ask the server once now (as clickhouse-connect's init does), so bad credentials, TLS
        # problems or an unreachable server fail in get_client.
        with self._request():
            self._server_version = capi.chc_client_server_version(self._h)
        if self.session_id:
            # The server's zone now: looked up later it would be a second request on the session
            # while a query's result is being read (the look-up's reason), which the session refuses.
            self.server_tz  # noqa: B018

    @contextlib.contextmanager
    def _request(self, keep_session=False):
        """Around every request: claims the client's session (when it has one; ProgrammingError
        if a request of it is still in flight) and applies show_clickhouse_errors to the errors
        raised. Yields the claim (None without a session); keep_session=True leaves a successful
        request's claim held, for a stream to release when it closes."""
        claim = None
        if self.session_id is not None:
            with self._lock:
                if self._session_busy:
                    raise ProgrammingError(_CONCURRENT_SESSION)
                self._session_busy = True
            claim = _SessionClaim(self)
        try:
            yield claim
        except BaseException as exc:
            if claim is not None:
                claim.release()
            if isinstance(exc, ClickHouseError):
                apply_error_mode(exc, self.show_clickhouse_errors)
            raise
        if claim is not None and not keep_session:
            claim.release()

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def _h(self):
        h = self._handle
        if h is None:
            raise ProgrammingError('the client is closed')
        return h

    def _make_query(self, sql, settings=None, server_params=None, query_id=None, database=None, relay=None,
                    transport_settings=None, external_data=None):
        q = capi.chc_query_new(sql)
        if settings:
            for key, value in settings.items():
                if value is None:
                    continue
                if key == 'role':  # a URL parameter of its own, repeated per role (str or list)
                    capi.chc_query_set(q, 'role', value if isinstance(value, str) else ','.join(value))
                    continue
                capi.chc_query_set(q, 'setting.' + key, _setting_text(value))
        if transport_settings:  # extra HTTP headers for this request, as clickhouse-connect
            for key, value in transport_settings.items():
                capi.chc_query_set(q, 'header.' + key, '' if value is None else str(value))
        if external_data is not None:
            external_data.add_to(q)
        if server_params:
            for key, value in server_params.items():
                capi.chc_query_set(q, 'param.' + key, value)
        if query_id:
            capi.chc_query_set(q, 'query_id', str(query_id))
        if database:
            capi.chc_query_set(q, 'database', database)
        if relay is not None:
            capi.chc_py_query_set_progress(q, relay)
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
                external_data=None, transport_settings=None, query_id=None, progress_callback=None):
        """Runs a statement and returns its TabSeparated answer: int when the single value is an
        integer, str otherwise, a list of str for several tab-separated values, and a
        QuerySummary when the statement returned nothing (DDL, INSERT). progress_callback(dict)
        is called as the request moves (see README "Progress and cancellation")."""
        sql, server_params = bind_query(cmd, parameters)
        if data is not None and external_data is not None:
            raise ProgrammingError('command(): data and external_data cannot be sent together')
        if data is not None:
            # The statement and its data travel together in the request body.
            if isinstance(data, (bytes, bytearray, memoryview)):
                sql = sql.encode() + b'\n' + bytes(data)
            else:
                sql = sql + '\n' + str(data)
        relay = _ProgressRelay(progress_callback) if progress_callback is not None else None
        q = self._make_query(sql, self._merged_settings(settings), server_params, query_id, relay=relay,
                             transport_settings=transport_settings, external_data=external_data)
        with self._request():
            try:
                resp = capi.chc_client_command(self._h, q)
            except DatabaseError as exc:
                _reraise_progress_error(relay, exc)
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

    def _raw_query_handle(self, query, parameters, settings, fmt, external_data, transport_settings):
        """The chc_query of raw_query / raw_stream: bound SQL with ``FORMAT fmt``, retried as a query."""
        sql, server_params = bind_query(query, parameters)
        if fmt:
            sql = f'{sql}\nFORMAT {fmt}'
        q = self._make_query(sql, self._merged_settings(settings), server_params,
                             transport_settings=transport_settings, external_data=external_data)
        capi.chc_query_set(q, 'query_retries', str(int(self.query_retries)))
        return q

    def raw_query(self, query, parameters=None, settings=None, fmt=None, use_database=True, external_data=None,
                  transport_settings=None):
        """The server's answer as bytes, in format `fmt` (default TabSeparated)."""
        q = self._raw_query_handle(query, parameters, settings, fmt, external_data, transport_settings)
        with self._request():
            return capi.chc_response_body(capi.chc_client_command(self._h, q))

    # -- queries ------------------------------------------------------------------------------
    #
    # Every query method takes the query options of clickhouse-connect's QueryContext as keyword
    # arguments (query_formats, column_formats, encoding, use_none, query_tz, column_tzs, tz_mode,
    # max_str_len, use_extended_dtypes, external_data, transport_settings, query_id,
    # progress_callback, context); see create_query_context and README ("Query options").

    def create_query_context(self, query=None, parameters=None, settings=None, **options):
        """A reusable QueryContext: pass it as ``context=`` to any query method; arguments given
        to that method as well override the context's for the call. Unknown options raise."""
        utc_tz_aware = options.pop('utc_tz_aware', None)
        if utc_tz_aware is not None and options.get('tz_mode') is None:
            options['tz_mode'] = 'aware' if utc_tz_aware else 'naive_utc'
        return QueryContext(query=query, parameters=parameters, settings=settings,
                            **{n: v for n, v in options.items() if v is not None})

    def _query_ctx(self, context, **call_options):
        utc_tz_aware = call_options.pop('utc_tz_aware', None)
        if utc_tz_aware is not None and call_options.get('tz_mode') is None:
            call_options['tz_mode'] = 'aware' if utc_tz_aware else 'naive_utc'
        if call_options.pop('use_na_values', None) is not None and call_options.get('use_extended_dtypes') is None:
            pass  # an alias clickhouse-connect keeps for use_extended_dtypes; extension dtypes are always used
        if call_options.pop('use_numpy', None):
            raise NotSupportedError('use_numpy=True: use query_np / query_df for numpy and pandas results')
        ctx = resolve(context, QueryContext, **call_options)
        if ctx.query is None:
            raise ProgrammingError('a query is needed')
        self._read_options(ctx)  # bad read options raise here, before a request is sent
        return ctx

    @property
    def server_tz(self):
        """The server's time zone (SELECT timezone(), asked once), as a tzinfo; None when this
        machine does not know the zone."""
        if self._server_tz is None:
            name = self.command('SELECT timezone()')
            try:
                self._server_tz = (to_tzinfo(str(name)),)
            except ProgrammingError:
                self._server_tz = (None,)
        return self._server_tz[0]

    def _read_options(self, ctx, reader=None):
        """ReadOptions of a query; the fallback zone of bare DateTime values per tz_source:
        'server' the server's zone, 'local' this machine's, 'auto' the server's when this machine
        knows it (any IANA name), else the local one. With 'server' and 'auto' the response's
        X-ClickHouse-Timezone (the query's session_timezone) wins over the server's zone, as in
        clickhouse-connect (`reader`: the query's BlockReader or ArrowStream)."""
        tz_mode = ctx.tz_mode or self.tz_mode
        fallback = None
        if tz_mode != 'schema' and ctx.query_tz is None:
            response_tz = _known_zone(getattr(reader, 'timezone', ''))
            if self.tz_source == 'local':
                fallback = local_tz()
            elif response_tz is not None:
                fallback = response_tz
            else:
                def fallback():
                    tz = self.server_tz
                    return local_tz() if tz is None and self.tz_source == 'auto' else tz
        return ReadOptions(ctx.query_formats, ctx.column_formats, ctx.encoding, ctx.use_none, ctx.query_tz,
                           ctx.column_tzs, tz_mode, fallback)

    def _sql(self, ctx):
        sql, server_params = bind_query(ctx.query, ctx.parameters)
        if self.query_limit > 0 and _SELECT_RE.match(sql) and not _LIMIT_RE.search(sql):
            sql = f'{sql}\n LIMIT {self.query_limit}'
        return sql, server_params

    def query(self, query=None, parameters=None, settings=None, context=None, **options):
        """Runs a SELECT and returns the whole result as a QueryResult. Statements without a
        result set (DDL, INSERT, SET, ...) are sent as commands, as clickhouse-connect does."""
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        sql, server_params = self._sql(ctx)
        if _COMMAND_RE.match(sql):
            result = self.command(sql, settings=ctx.settings, external_data=ctx.external_data,
                                  transport_settings=ctx.transport_settings)
            summary = result.summary if isinstance(result, QuerySummary) else {}
            return QueryResult([], (), (), query_id=summary.get('query_id', ''), summary=summary)
        reader = self._open(ctx, sql, server_params)
        return self._read_result(reader, ctx)

    def _read_result(self, reader, ctx):
        options = self._read_options(ctx, reader)
        parts = None
        names = ()
        types = ()
        converters = ()
        blocks = []
        try:
            while True:
                block = reader.next_block()
                if block is None:
                    break
                ncols = capi.chc_block_column_count(block)
                handles = [capi.chc_block_column(block, i) for i in range(ncols)]
                if parts is None:
                    names = tuple(capi.chc_column_name(c) for c in handles)
                    types = tuple(type_from_capi(capi.chc_column_type(c)) for c in handles)
                    converters = options.converters(names, types)
                    parts = []
                # Values of the common types with default options are made in C when the rows or
                # columns are first asked for (from the block, kept for that and for
                # QueryResult.__arrow_c_stream__); the rest are converted now (blockconv.py).
                parts.append([column_item(c, t, conv) for c, t, conv in zip(handles, types, converters)])
                blocks.append(block)
                del handles, block
        finally:
            reader.close()  # frees the result (aborting the transfer if it was not read to the end)
        summary = reader.summary or {'query_id': reader.query_id}
        return QueryResult(None if parts is not None else [], names, types, query_id=reader.query_id,
                           summary=summary, column_oriented=bool(ctx.column_oriented), blocks=blocks, parts=parts)

    # -- streaming and columnar queries -------------------------------------------------------

    def _open(self, ctx, sql=None, server_params=None, extra_settings=None):
        """Starts a query and returns its BlockReader (registered for cancel until closed)."""
        if sql is None:
            sql, server_params = self._sql(ctx)
        merged = self._merged_settings(ctx.settings)
        if extra_settings:
            merged = dict(merged or {}, **extra_settings)
        # Every request gets a query id (as clickhouse-connect's autogenerate_query_id), so a
        # running query can always be cancelled by id.
        query_id = str(ctx.query_id) if ctx.query_id else str(uuid.uuid4())
        relay = _ProgressRelay(ctx.progress_callback) if ctx.progress_callback is not None else None
        q = self._make_query(sql, merged, server_params, query_id, relay=relay,
                             transport_settings=ctx.transport_settings, external_data=ctx.external_data)
        # cancel() reaches the request while it still waits for the answer through this switch.
        switch = capi.chc_cancel_new()
        capi.chc_query_set_cancel(q, switch)
        with self._lock:
            self._waiting.setdefault(query_id, set()).add(switch)
        try:
            with self._request(keep_session=True) as claim:
                try:
                    result = capi.chc_client_query(self._h, q)
                except DatabaseError as exc:
                    _reraise_progress_error(relay, exc)
        finally:
            with self._lock:
                switches = self._waiting.get(query_id)
                switches.discard(switch)
                if not switches:
                    del self._waiting[query_id]

        def on_close(reader):
            # The session (if any) stays taken while the result is read: released when the
            # reader is closed (read to the end, a stream left), or collected unclosed.
            if claim is not None:
                claim.release()
            self._unregister(reader)
        reader = BlockReader(result, relay, on_close=on_close, error_mode=self.show_clickhouse_errors)
        if claim is not None:
            weakref.finalize(reader, claim.release)
        reader.registered_id = reader.query_id or query_id
        with self._lock:
            self._running.setdefault(reader.registered_id, weakref.WeakSet()).add(reader)
        return reader

    def _unregister(self, reader):
        with self._lock:
            readers = self._running.get(reader.registered_id)
            if readers is not None:
                readers.discard(reader)
                if not readers:
                    del self._running[reader.registered_id]

    def cancel(self, query_id):
        """Cancels a running query from any thread: aborts this client's transfer of that query,
        also while it still waits for the server's answer (the calling thread gets
        OperationalError, CHC_E_CANCELLED, or StreamFailureError mid-stream), and asks the server
        to stop it (KILL QUERY ... ASYNC). Use the query_id you
        passed to the query method, or the one its result/stream reports. Killing an id that is
        not running is not an error."""
        if not query_id:
            raise ProgrammingError('cancel() needs a query_id')
        query_id = str(query_id)
        with self._lock:
            readers = list(self._running.get(query_id, ()))
            for switch in self._waiting.get(query_id, ()):
                capi.chc_cancel_trigger(switch)  # a query still waiting for its answer
        for reader in readers:
            reader.cancel()
        try:
            capi.chc_client_kill_query(self._h, query_id)  # sent without the session
        except DatabaseError as exc:
            raise apply_error_mode(exc, self.show_clickhouse_errors)

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

    def _block_converter(self, ctx, reader, rows=False):
        """block -> list of value lists (one per column), or of row tuples (rows=True), with the
        query's read options (built in C, see blockconv.py)."""
        options = self._read_options(ctx, reader)
        state = {}

        def values(block):
            ncols = capi.chc_block_column_count(block)
            handles = [capi.chc_block_column(block, i) for i in range(ncols)]
            types = [type_from_capi(capi.chc_column_type(h)) for h in handles]
            if 'converters' not in state:
                names = [capi.chc_column_name(h) for h in handles]
                state['converters'] = options.converters(names, types)
            items = [column_item(h, t, conv) for h, t, conv in zip(handles, types, state['converters'])]
            return capi.chc_py_rows([items]) if rows else capi.chc_py_columns([items])
        return values

    def query_column_block_stream(self, query=None, parameters=None, settings=None, context=None, **options):
        """StreamContext yielding, per Native block, a list of columns (lists of values)."""
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        reader = self._open(ctx)
        return self._stream(reader, self._block_converter(ctx, reader))

    def query_row_block_stream(self, query=None, parameters=None, settings=None, context=None, **options):
        """StreamContext yielding, per Native block, a list of row tuples."""
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        reader = self._open(ctx)
        return self._stream(reader, self._block_converter(ctx, reader, rows=True))

    def query_rows_stream(self, query=None, parameters=None, settings=None, context=None, **options):
        """StreamContext yielding row tuples one by one (decoded a block at a time)."""
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        reader = self._open(ctx)
        values = self._block_converter(ctx, reader, rows=True)

        def gen():
            for block in self._block_gen(reader):
                yield from values(block)
        return StreamContext(reader, gen())

    def query_arrow_stream(self, query=None, parameters=None, settings=None, use_strings=True, context=None,
                           **options):
        """An ArrowStream: iterate it inside ``with`` for pyarrow.RecordBatch objects (one per
        Native block), or hand it to any Arrow consumer through ``__arrow_c_stream__``
        (``pyarrow.table(s)``, ``polars.DataFrame(s)``). Decoded by the client from Native (any
        server version). String columns are large_string (use_strings=False: large_binary).
        Read formats and time-zone options do not apply to Arrow results."""
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        return ArrowStream(self._open(ctx), use_strings)

    def query_arrow(self, query=None, parameters=None, settings=None, use_strings=True, context=None, **options):
        """The whole result as a pyarrow.Table (one chunk per Native block, zero-copy where the
        layouts agree). See README for the type mapping."""
        require('pyarrow', 'query_arrow')
        return self.query_arrow_stream(query, parameters, settings, use_strings, context, **options).read_all()

    def query_np(self, query=None, parameters=None, settings=None, context=None, **options):
        """numpy array: 2-D (rows x columns) when all columns share a dtype, else a structured
        array (as clickhouse-connect). max_str_len=N gives strings as fixed '<UN' instead of
        objects."""
        np = require('numpy', 'query_np')
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        reader = self._open(ctx)
        if not ctx.max_str_len:
            return np_result(self._block_gen(reader))
        names, types, parts = (), (), []
        for block in self._block_gen(reader):
            names, types, cols = block_columns(block)
            parts.append(cols)
        if not parts:
            return np.empty((0, 0))
        columns = [p[0] if len(parts) == 1 else np.concatenate(p) for p in zip(*parts)]
        return combine(names, types, _fixed_strings(np, columns, ctx.max_str_len))

    def query_np_stream(self, query=None, parameters=None, settings=None, context=None, **options):
        """StreamContext yielding one numpy array (shaped as query_np) per Native block."""
        np = require('numpy', 'query_np_stream')
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)

        def convert(block):
            if not ctx.max_str_len:
                return np_result([block])
            names, types, cols = block_columns(block)
            return combine(names, types, _fixed_strings(np, cols, ctx.max_str_len))
        return self._stream(self._open(ctx), convert)

    def query_df(self, query=None, parameters=None, settings=None, context=None, use_strings=True, **options):
        """pandas DataFrame, built from the Arrow export (numbers are not copied when they have
        no NULLs). dtypes: see README (clickhouse-connect's defaults where sensible)."""
        require('pandas', 'query_df')
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        stream = ArrowStream(self._open(ctx), use_strings)
        table = stream.read_all()
        return arrow_to_pandas(arrow_zones(table, self._read_options(ctx, stream)), ctx.use_extended_dtypes is not False)

    def query_df_stream(self, query=None, parameters=None, settings=None, context=None, use_strings=True,
                        **options):
        """StreamContext yielding one pandas DataFrame per Native block."""
        require('pandas', 'query_df_stream')
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        stream = ArrowStream(self._open(ctx), use_strings)
        extended = ctx.use_extended_dtypes is not False
        read_options = self._read_options(ctx, stream)

        def gen():
            with stream:
                for batch in stream:
                    yield arrow_to_pandas(arrow_zones(batch, read_options), extended)
        return StreamContext(stream, gen())

    def query_df_arrow(self, query=None, parameters=None, settings=None, context=None, use_strings=True,
                       dataframe_library='pandas', **options):
        """A DataFrame whose columns are Arrow-backed: pandas with pd.ArrowDtype columns, or a
        polars DataFrame (dataframe_library='polars', built from the Arrow stream directly)."""
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        if dataframe_library == 'polars':
            pl = require('polars', 'query_df_arrow(dataframe_library="polars")')
            stream = ArrowStream(self._open(ctx), use_strings)
            with stream:
                try:
                    return pl.DataFrame(stream)
                except Exception as exc:  # polars wraps the stream's error text
                    if isinstance(exc, DatabaseError):
                        raise
                    raise _arrow_error(exc, self.show_clickhouse_errors) from (
                        exc if self.show_clickhouse_errors is True else None)
        if dataframe_library != 'pandas':
            raise ProgrammingError(f'dataframe_library must be "pandas" or "polars", not {dataframe_library!r}')
        pd = require('pandas', 'query_df_arrow')
        require('pyarrow', 'query_df_arrow')
        stream = ArrowStream(self._open(ctx), use_strings)
        table = stream.read_all()
        return arrow_zones(table, self._read_options(ctx, stream)).to_pandas(types_mapper=pd.ArrowDtype)

    def query_df_arrow_stream(self, query=None, parameters=None, settings=None, context=None, use_strings=True,
                              dataframe_library='pandas', **options):
        """StreamContext yielding one Arrow-backed DataFrame (pandas or polars) per Native block."""
        if dataframe_library == 'polars':
            pl = require('polars', 'query_df_arrow_stream')
            convert = pl.from_arrow
        elif dataframe_library == 'pandas':
            pd = require('pandas', 'query_df_arrow_stream')

            def convert(batch):
                return arrow_zones(batch, read_options).to_pandas(types_mapper=pd.ArrowDtype)
        else:
            raise ProgrammingError(f'dataframe_library must be "pandas" or "polars", not {dataframe_library!r}')
        ctx = self._query_ctx(context, query=query, parameters=parameters, settings=settings, **options)
        stream = ArrowStream(self._open(ctx), use_strings)
        read_options = self._read_options(ctx, stream)

        def gen():
            with stream:
                for batch in stream:
                    yield convert(batch)
        return StreamContext(stream, gen())

    def raw_stream(self, query, parameters=None, settings=None, fmt=None, use_database=True, external_data=None,
                   transport_settings=None):
        """The server's answer in format `fmt` (default TabSeparated) as a binary file-like object
        (io.BufferedReader: read, readinto, readline, iteration by lines, ``with``), read from the
        network as it is consumed, so memory stays bounded whatever the answer's size. Errors
        before the answer starts raise here; a server error after it started raises
        StreamFailureError from read (the server's exception text is never returned as data).
        close() (or leaving ``with``) before the end stops the transfer."""
        q = self._raw_query_handle(query, parameters, settings, fmt, external_data, transport_settings)
        with self._request(keep_session=True) as claim:
            raw = capi.chc_client_query_raw(self._h, q)
        # A session stays taken while the stream is open: released when it is closed, also when it
        # is collected unclosed (io closes it then).
        on_close = None if claim is None else claim.release
        return open_raw_stream(raw, on_close, self.show_clickhouse_errors)

    def create_insert_context(self, table, column_names=None, database=None, column_types=None,
                              column_type_names=None, column_oriented=False, settings=None, data=None,
                              transport_settings=None):
        """A reusable InsertContext: ``insert(context=ctx)`` (data from the context or given to
        insert) inserts with its options; arguments given to insert as well override them."""
        return InsertContext(table=table, column_names=column_names, database=database, column_types=column_types,
                             column_type_names=column_type_names, column_oriented=column_oriented,
                             settings=settings, data=data, transport_settings=transport_settings)

    def insert(self, table=None, data=None, column_names='*', database=None, column_types=None,
               column_type_names=None, column_oriented=False, settings=None, context=None,
               transport_settings=None, progress_callback=None):
        """Inserts rows (or columns with column_oriented=True) into `table` with the Native format.

        The column types come from the server (DESCRIBE TABLE), or from ``column_types``
        (ClickHouseType objects, e.g. a result's ``column_types``) or ``column_type_names`` (type
        names), one per name in ``column_names``, without asking the server. Values are converted
        by type (the Python types a query returns, plus the alternatives listed in the README: e.g.
        int epoch seconds for DateTime, str for UUID/IP/Decimal, a label or int for Enum). A value
        that does not fit raises DataError and nothing is sent. With ``context=`` (an
        InsertContext) the context's options apply where an argument is not given."""
        if context is not None:
            ctx = resolve(context, InsertContext, table=table, data=data,
                          column_names=None if column_names == '*' else column_names, database=database,
                          column_types=column_types, column_type_names=column_type_names,
                          column_oriented=column_oriented or None, settings=settings,
                          transport_settings=transport_settings, progress_callback=progress_callback)
            table, data, database = ctx.table, ctx.data, ctx.database
            column_names = ctx.column_names if ctx.column_names is not None else '*'
            column_types, column_type_names = ctx.column_types, ctx.column_type_names
            column_oriented, settings = bool(ctx.column_oriented), ctx.settings
            transport_settings, progress_callback = ctx.transport_settings, ctx.progress_callback
        if data is None:
            raise ProgrammingError('insert() needs data (rows, or columns with column_oriented=True)')
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
        types_arg = _given_types(names_arg, column_types, column_type_names)
        data = list(data) if not isinstance(data, list) else data
        full_table = f'{database}.{table}' if database else table
        if not data:
            return QuerySummary()
        relay = _ProgressRelay(progress_callback) if progress_callback is not None else None
        options = self._insert_options(settings, relay, transport_settings)
        with self._request():
            return self._insert_rows(full_table, table, names_arg, types_arg, options, data, column_oriented, relay)

    def _insert_begin(self, full_table, names, types, options):
        """A chc_insert for `names` (None: every column): types from DESCRIBE TABLE, or `types`
        (type names, one per name) without asking the server."""
        if types is not None:
            return capi.chc_client_insert_begin_typed(self._h, full_table, names, types, options)
        return capi.chc_client_insert_begin(self._h, full_table, names, options)

    def _insert_rows(self, full_table, table, names_arg, types_arg, options, data, column_oriented, relay):
        insert = self._insert_begin(full_table, names_arg, types_arg, options)
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
            elif capi.chc_py_rows_check(data, ncols) < 0:
                columns = None  # tuples/lists of ncols values: each column is read from the rows in C
            else:
                for i, row in enumerate(data):
                    if len(row) != ncols:
                        raise ProgrammingError(
                            f'insert into {table}: row {i} has {len(row)} values, {ncols} columns expected ({", ".join(names)})')
                columns = list(zip(*data))
            for i in range(ncols):
                if columns is None:
                    append_column(capi.chc_insert_builder(insert, i), types[i], names[i], data, column=i)
                else:
                    append_column(capi.chc_insert_builder(insert, i), types[i], names[i], columns[i])
            return self._finish_insert(insert, relay)
        finally:
            del insert  # an unfinished insert is abandoned: nothing is sent

    def _insert_options(self, settings, relay, transport_settings=None):
        """The chc_query carrying an insert's settings, headers and progress callback (None if
        none of them)."""
        merged = self._merged_settings(settings)
        if not merged and relay is None and not transport_settings:
            return None
        return self._make_query('', merged, relay=relay, transport_settings=transport_settings)

    def _finish_insert(self, insert, relay):
        try:
            resp = capi.chc_insert_finish(insert)
        except DatabaseError as exc:
            _reraise_progress_error(relay, exc)
        return QuerySummary(self._response_summary(resp))

    def _full_table(self, table, database):
        if not isinstance(table, str) or not table:
            raise ProgrammingError('a table name is needed')
        return f'{database}.{table}' if database else table

    def insert_arrow(self, table, arrow_table, database=None, settings=None, transport_settings=None,
                     progress_callback=None):
        """Inserts any Arrow data with ``__arrow_c_stream__`` (pyarrow Table / RecordBatch /
        RecordBatchReader, polars DataFrame, ...) without pyarrow on chconnect's side: the
        stream's columns are matched to the table's by name and converted by the C library
        (one Native insert). All or nothing."""
        return self._insert_arrow(table, arrow_table, database, settings, transport_settings, progress_callback)

    def _insert_arrow(self, table, arrow_table, database, settings, transport_settings, progress_callback,
                      types=None):
        """insert_arrow; `types`: type names, one per stream column, instead of DESCRIBE TABLE."""
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
        if types is not None and len(types) != len(names):
            raise ProgrammingError('Column names do not match column types')
        relay = _ProgressRelay(progress_callback) if progress_callback is not None else None
        options = self._insert_options(settings, relay, transport_settings)
        with self._request():
            insert = self._insert_begin(self._full_table(table, database), names, types, options)
            try:
                capi.chc_py_insert_append_arrow(insert, capsule)
                return self._finish_insert(insert, relay)
            finally:
                del insert

    def insert_df_arrow(self, table, df, database=None, settings=None, transport_settings=None):
        """Inserts a polars DataFrame or an Arrow-backed pandas DataFrame through Arrow."""
        if hasattr(df, '__arrow_c_stream__'):  # polars (and other Arrow-native frames)
            return self.insert_arrow(table, df, database, settings, transport_settings)
        pa = require('pyarrow', 'insert_df_arrow')
        return self.insert_arrow(table, pa.Table.from_pandas(df, preserve_index=False), database, settings,
                                 transport_settings)

    def insert_df(self, table=None, df=None, database=None, settings=None, column_names=None, column_types=None,
                  column_type_names=None, context=None, transport_settings=None, progress_callback=None):
        """Inserts a pandas DataFrame: through Arrow (pyarrow.Table.from_pandas, zero-copy for
        numpy numbers) when pyarrow can convert every column, else value by value like insert().
        ``column_types`` / ``column_type_names``: one per DataFrame column (as for insert())."""
        if context is not None:
            ctx = resolve(context, InsertContext, table=table, data=df, column_names=column_names,
                          database=database, column_types=column_types, column_type_names=column_type_names,
                          settings=settings, transport_settings=transport_settings,
                          progress_callback=progress_callback)
            table, df, database, settings = ctx.table, ctx.data, ctx.database, ctx.settings
            column_names, progress_callback = ctx.column_names, ctx.progress_callback
            transport_settings = ctx.transport_settings
            column_types, column_type_names = ctx.column_types, ctx.column_type_names
        if df is None:
            raise ProgrammingError('insert_df() needs a DataFrame')
        require('pandas', 'insert_df')
        if column_names is not None:
            df = df.copy(deep=False)
            df.columns = list(column_names)
        types = _given_types([str(c) for c in df.columns], column_types, column_type_names)
        try:
            pa = require('pyarrow', 'insert_df')
            try:
                data = pa.Table.from_pandas(df, preserve_index=False)
            except (pa.ArrowException, TypeError, ValueError):
                data = None
            if data is not None:
                return self._insert_arrow(table, data, database, settings, transport_settings, progress_callback,
                                          types)
        except ImportError:
            pass
        columns = []
        for name in df.columns:
            series = df[name]
            values = series.astype(object).where(series.notna(), None).tolist()
            columns.append(values)
        return self.insert(table, columns, column_names=[str(c) for c in df.columns], database=database,
                           column_type_names=types, settings=settings, column_oriented=True,
                           transport_settings=transport_settings, progress_callback=progress_callback)

    def raw_insert(self, table, column_names=None, insert_block=None, settings=None, fmt=None, compression=None,
                   transport_settings=None):
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
        q = self._make_query(sql, self._merged_settings(settings), transport_settings=transport_settings)
        with self._request():
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
