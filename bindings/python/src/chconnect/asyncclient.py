"""AsyncClient: clickhouse-connect's asyncio client surface on chconnect.

    client = await chconnect.get_async_client(host='localhost', username='default', password='secret')
    result = await client.query('SELECT 1')
    async with await client.query_rows_stream('SELECT number FROM system.numbers LIMIT 10') as stream:
        async for row in stream:
            ...
    await client.close()

Every request runs the synchronous Client call in a thread pool (``loop.run_in_executor``). The
extension releases the GIL for every call that waits on the network (sending a query, reading
the next block, finishing an insert), so the event loop keeps running while requests are in
flight, and several requests of one client run at once (the Client is thread-safe; each request
takes its own pooled HTTP connection). Results are decoded in the pool too: a QueryResult is
complete when ``await client.query(...)`` returns. Streams pull every block or row in the pool.
"""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from .driver import create_client
from .exceptions import ProgrammingError, StreamClosedError

__all__ = ['AsyncClient', 'AsyncStreamContext', 'create_async_client', 'get_async_client']

_END = object()

# Arguments of clickhouse-connect's aiohttp client that have no meaning here (chconnect's pool is
# the C library's; its size is the `max_connections` option).
_ASYNC_IGNORED = ('connector_limit', 'connector_limit_per_host', 'keepalive_timeout')


def _next_or_end(iterator):
    # StopIteration cannot cross a Future: the end is reported as a sentinel.
    try:
        return next(iterator)
    except StopIteration:
        return _END


class _ChunkStream:
    """A file-like object served as an iterator of byte chunks (raw_stream's async form)."""

    def __init__(self, source, chunk_size):
        self._source = source
        self._chunk_size = chunk_size

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        return self

    def __next__(self):
        chunk = self._source.read(self._chunk_size)
        if not chunk:
            raise StopIteration
        return chunk

    def close(self):
        self._source.close()


class AsyncStreamContext:
    """An async stream: use it in ``async with`` and iterate it with ``async for``. Each item
    (a block, a row, a DataFrame, a RecordBatch, a bytes chunk: as the sync stream of the same
    method) is pulled in the client's thread pool, so iterating never blocks the event loop.
    Leaving the ``async with`` block (or ``await close()``) frees the result and aborts the
    transfer if it was not read to the end."""

    def __init__(self, stream, client):
        self._stream = stream
        self._client = client
        self._in_context = False
        self._closed = False
        self._pending = None  # concurrent.futures.Future of the pull in flight

    @property
    def source(self):
        """The synchronous stream this one pulls from."""
        return self._stream

    async def __aenter__(self):
        if self._closed:
            raise StreamClosedError('the stream is closed')
        self._stream.__enter__()
        self._in_context = True
        return self

    async def __aexit__(self, *exc):
        await self.close()

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._closed:
            raise StreamClosedError('the stream is closed')
        if not self._in_context:
            raise ProgrammingError('Stream should be used within a context')
        if self._pending is not None and not self._pending.done():
            raise ProgrammingError('the stream is already being read by another task')
        self._pending = self._client._submit(_next_or_end, self._stream)
        item = await asyncio.wrap_future(self._pending)
        if item is _END:
            raise StopAsyncIteration
        return item

    async def close(self):
        """Frees the result (aborting an unfinished transfer); waits for a pull in flight first
        (it is never interrupted mid-block). Closing twice is allowed."""
        if self._closed:
            return
        self._closed = True
        self._in_context = False
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            try:
                await asyncio.wrap_future(pending)
            except BaseException:  # noqa: BLE001 (its error was or will be seen by its reader)
                pass
        try:
            future = self._client._submit(self._stream.close, force=True)
        except RuntimeError:  # the client's own pool was shut down by AsyncClient.close()
            self._stream.close()
            return
        await asyncio.wrap_future(future)


class AsyncClient:
    """The asyncio twin of chconnect.Client (create with ``await chconnect.get_async_client``).
    Every request method is a coroutine with the arguments of the Client method of the same
    name; the ``*_stream`` methods return an AsyncStreamContext. The synchronous client is
    ``.client``. A ``progress_callback`` given to a request is called on the pool thread that
    runs it, not on the event loop."""

    def __init__(self, client, executor_threads=None, executor=None):
        """Wraps an open chconnect.Client. `executor`: a concurrent.futures.Executor to run the
        calls in (not shut down by close()); otherwise a ThreadPoolExecutor of
        `executor_threads` threads (default: Python's default, min(32, CPUs + 4)) is created and
        shut down by close()."""
        self.client = client
        if executor is not None:
            self._executor = executor
            self._own_executor = False
        else:
            if executor_threads is not None and executor_threads < 0:
                raise ProgrammingError('executor_threads must not be negative')
            self._executor = ThreadPoolExecutor(max_workers=executor_threads or None,
                                                thread_name_prefix='chconnect-async')
            self._own_executor = True
        self._closed = False

    # -- plumbing ---------------------------------------------------------------------------

    def _submit(self, fn, *args, force=False, **kwargs):
        if self._closed and not force:
            raise ProgrammingError('the client is closed')
        return self._executor.submit(functools.partial(fn, *args, **kwargs))

    async def _run(self, fn, *args, **kwargs):
        if self._closed:
            raise ProgrammingError('the client is closed')
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def _call(self, name, args, kwargs):
        return await self._run(getattr(self.client, name), *args, **kwargs)

    async def _open_stream(self, name, args, kwargs):
        stream = await self._call(name, args, kwargs)
        return AsyncStreamContext(stream, self)

    # -- attributes (synchronous, as in clickhouse-connect) -----------------------------------

    @property
    def server_version(self):
        """The server's version string (asked once when the client was created)."""
        return self.client.server_version

    @property
    def database(self):
        """The client's default database (None: the user's default)."""
        return self.client.database

    @property
    def server_tz(self):
        """Client.server_tz (the server's time zone as a tzinfo). The first access asks the
        server (on the calling thread); later ones are served from the client."""
        return self.client.server_tz

    def create_query_context(self, *args, **kwargs):
        """Client.create_query_context (synchronous, as in clickhouse-connect): a reusable
        QueryContext to pass as ``context=`` to the query coroutines."""
        return self.client.create_query_context(*args, **kwargs)

    def create_insert_context(self, *args, **kwargs):
        """Client.create_insert_context (synchronous): a reusable InsertContext for
        ``await insert(context=...)``."""
        return self.client.create_insert_context(*args, **kwargs)

    def min_version(self, version_str):
        """True when the server version is at least version_str (e.g. "19.11")."""
        return self.client.min_version(version_str)

    def set_client_setting(self, key, value):
        """A ClickHouse setting sent with every later request of this client."""
        self.client.set_client_setting(key, value)

    def get_client_setting(self, key):
        """The value of a client setting as text, None when not set."""
        return self.client.get_client_setting(key)

    # -- requests ---------------------------------------------------------------------------

    async def ping(self):
        """True when the server answers GET /ping; never raises (False once closed too)."""
        if self._closed:
            return False
        return await self._run(self.client.ping)

    async def command(self, *args, **kwargs):
        """Client.command in the thread pool: int / str / list of str / QuerySummary."""
        return await self._call('command', args, kwargs)

    async def query(self, *args, **kwargs):
        """Client.query in the thread pool: the whole QueryResult, decoded off the event loop."""
        return await self._call('query', args, kwargs)

    async def query_np(self, *args, **kwargs):
        """Client.query_np in the thread pool (numpy array)."""
        return await self._call('query_np', args, kwargs)

    async def query_df(self, *args, **kwargs):
        """Client.query_df in the thread pool (pandas DataFrame)."""
        return await self._call('query_df', args, kwargs)

    async def query_arrow(self, *args, **kwargs):
        """Client.query_arrow in the thread pool (pyarrow.Table)."""
        return await self._call('query_arrow', args, kwargs)

    async def query_df_arrow(self, *args, **kwargs):
        """Client.query_df_arrow in the thread pool (Arrow-backed pandas or polars DataFrame)."""
        return await self._call('query_df_arrow', args, kwargs)

    async def raw_query(self, *args, **kwargs):
        """Client.raw_query in the thread pool (bytes)."""
        return await self._call('raw_query', args, kwargs)

    async def insert(self, *args, **kwargs):
        """Client.insert in the thread pool (QuerySummary). Rows are converted and sent off the
        event loop."""
        return await self._call('insert', args, kwargs)

    async def insert_df(self, *args, **kwargs):
        """Client.insert_df in the thread pool (QuerySummary)."""
        return await self._call('insert_df', args, kwargs)

    async def insert_arrow(self, *args, **kwargs):
        """Client.insert_arrow in the thread pool (QuerySummary)."""
        return await self._call('insert_arrow', args, kwargs)

    async def insert_df_arrow(self, *args, **kwargs):
        """Client.insert_df_arrow in the thread pool (QuerySummary)."""
        return await self._call('insert_df_arrow', args, kwargs)

    async def raw_insert(self, *args, **kwargs):
        """Client.raw_insert in the thread pool (QuerySummary)."""
        return await self._call('raw_insert', args, kwargs)

    async def cancel(self, query_id):
        """Client.cancel in the thread pool: aborts this client's transfer of `query_id` and
        asks the server to stop it (the awaiting coroutine of that query then raises)."""
        return await self._call('cancel', (query_id,), {})

    # -- streams ----------------------------------------------------------------------------

    async def query_column_block_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding, per Native block, a list of columns."""
        return await self._open_stream('query_column_block_stream', args, kwargs)

    async def query_row_block_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding, per Native block, a list of row tuples."""
        return await self._open_stream('query_row_block_stream', args, kwargs)

    async def query_rows_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding row tuples (each pulled in the thread pool)."""
        return await self._open_stream('query_rows_stream', args, kwargs)

    async def query_np_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding one numpy array per Native block."""
        return await self._open_stream('query_np_stream', args, kwargs)

    async def query_df_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding one pandas DataFrame per Native block."""
        return await self._open_stream('query_df_stream', args, kwargs)

    async def query_df_arrow_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding one Arrow-backed DataFrame per Native block."""
        return await self._open_stream('query_df_arrow_stream', args, kwargs)

    async def query_arrow_stream(self, *args, **kwargs):
        """AsyncStreamContext yielding pyarrow.RecordBatch objects (one per Native block); the
        synchronous ArrowStream is ``.source``."""
        return await self._open_stream('query_arrow_stream', args, kwargs)

    async def raw_stream(self, query, parameters=None, settings=None, fmt=None, chunk_size=1 << 16):
        """AsyncStreamContext yielding the server's answer (format `fmt`) as bytes chunks of up
        to `chunk_size` bytes."""
        source = await self._run(self.client.raw_stream, query, parameters, settings, fmt)
        if hasattr(source, 'read'):
            source = _ChunkStream(source, chunk_size)
        return AsyncStreamContext(source, self)

    # -- lifetime ---------------------------------------------------------------------------

    async def close(self):
        """Closes the client. Requests already running finish in the background; later calls
        raise ProgrammingError. An executor created by the client is shut down (without
        waiting). Closing twice is allowed."""
        if self._closed:
            return
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._executor, self.client.close)
        if self._own_executor:
            self._executor.shutdown(wait=False)

    async def close_connections(self):
        """Client.close_connections (kept for clickhouse-connect compatibility)."""
        return await self._call('close_connections', (), {})

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    def __repr__(self):
        return f'<chconnect.AsyncClient {"closed" if self._closed else "open"}>'


async def create_async_client(*, executor_threads=None, executor=None, **kwargs):
    """Opens an AsyncClient: the arguments of chconnect.get_client (host, username, password,
    database, port, dsn, settings, ...), plus `executor_threads` (size of the client's own
    thread pool; default min(32, CPUs + 4)) or `executor` (a concurrent.futures.Executor to use
    instead). clickhouse-connect's aiohttp pool options (connector_limit,
    connector_limit_per_host, keepalive_timeout) are accepted and ignored. The first request
    (the server version) runs in the pool too, so connection problems raise here."""
    for name in _ASYNC_IGNORED:
        kwargs.pop(name, None)
    # As clickhouse-connect's async client: no session unless asked for (its requests overlap).
    kwargs.setdefault('autogenerate_session_id', False)
    async_client = AsyncClient(None, executor_threads=executor_threads, executor=executor)
    try:
        loop = asyncio.get_running_loop()
        async_client.client = await loop.run_in_executor(async_client._executor,
                                                         functools.partial(create_client, **kwargs))
    except BaseException:
        if async_client._own_executor:
            async_client._executor.shutdown(wait=False)
        raise
    return async_client


get_async_client = create_async_client
