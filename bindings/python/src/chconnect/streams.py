"""Streaming results: StreamContext, the block reader over a chc_result, and the Arrow stream.

numpy, pandas, pyarrow and polars are optional: they are imported inside the functions that
need them (``require``), so ``import chconnect`` never loads them.
"""

import importlib

from ._capi import capi
from .exceptions import (CHC_E_CANCELLED, DatabaseError, ProgrammingError, StreamClosedError, StreamFailureError,
                         apply_error_mode, error_cause, raise_mid_stream, stream_failure_from_text)


def require(module, purpose):
    """Imports an optional package, or raises ImportError naming it (and the pip package)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = {'pyarrow': 'pyarrow', 'numpy': 'numpy', 'pandas': 'pandas', 'polars': 'polars'}.get(
            module.split('.')[0], module)
        raise ImportError(f'chconnect: {purpose} needs the optional package "{package}" '
                          f'(pip install {package})') from exc


class BlockReader:
    """Pulls Native blocks (chc_block handles) from a chc_result. close() frees the result,
    which aborts the transfer when it was not read to the end. `relay` is the request's progress
    relay (kept alive here, as the C library borrows it); `on_close(reader)` runs once on close;
    `error_mode` is the client's show_clickhouse_errors, applied to the errors it raises."""

    def __init__(self, result, relay=None, on_close=None, error_mode=True):
        self._result = result
        self._relay = relay
        self._on_close = on_close
        self.error_mode = error_mode
        # The handle cancel() acts on: kept after take() too, so a result handed to an Arrow
        # consumer can still be cancelled (the proxy keeps the C result alive until close()).
        self._cancel_handle = result
        self.query_id = capi.chc_result_query_id(result)
        self.timezone = capi.chc_result_timezone(result)  # X-ClickHouse-Timezone, '' if not sent
        self.registered_id = self.query_id
        self.summary = None

    def next_block(self):
        """The next chc_block, or None at the end (the result is then freed)."""
        result = self._result
        if result is None:
            return None
        try:
            block = capi.chc_result_next(result)
        except DatabaseError as exc:
            self.close()
            relay = self._relay
            if relay is not None and relay.error is not None and exc.status == CHC_E_CANCELLED:
                raise relay.error from exc  # the progress callback raised: its exception, not ours
            raise_mid_stream(exc, self.error_mode)
        if block is None:
            self._finish()
        return block

    def _finish(self):
        from .query import SUMMARY_FIELDS
        summary = {}
        for field in SUMMARY_FIELDS:
            value = capi.chc_result_summary(self._result, field)
            if value is not None:
                summary[field] = value
        summary['query_id'] = self.query_id
        self.summary = summary
        self._result = None
        self._closed()

    def take(self):
        """Hands the chc_result to the caller (for the Arrow export); the reader is then done."""
        result, self._result = self._result, None
        if result is None:
            raise StreamClosedError('the result stream was already consumed or closed')
        return result

    def cancel(self):
        """Aborts the transfer (any thread, also while another thread is reading)."""
        handle = self._cancel_handle
        if handle is not None:
            capi.chc_result_cancel(handle)

    def _closed(self):
        self._cancel_handle = None
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close(self)

    def close(self):
        self._result = None  # the proxy frees the handle
        self._closed()


class _ContextStream:
    """The ``with``/iteration rules StreamContext and ArrowStream share: iterate only inside
    ``with``; leaving it closes the stream; a closed stream refuses everything."""

    _closed = False
    _in_context = False

    def _check_open(self):
        if self._closed:
            raise StreamClosedError('the stream is closed')

    def _check_iterable(self):
        self._check_open()
        if not self._in_context:
            raise ProgrammingError('Stream should be used within a context')

    def __enter__(self):
        self._check_open()
        self._in_context = True
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        return self


class StreamContext(_ContextStream):
    """clickhouse-connect's StreamContext: iterate inside ``with``; leaving the block (or
    close()) frees the result and aborts the transfer if it was not read to the end."""

    def __init__(self, source, gen):
        self.source = source
        self._gen = gen

    # Per item cost matters (query_rows_stream yields every row): inside ``with`` a for loop
    # runs the generator itself, and next() checks one flag (in the context means open: close()
    # clears it).
    def __iter__(self):
        self._check_iterable()
        return self._gen

    def __next__(self):
        if not self._in_context:
            self._check_iterable()
        return next(self._gen)

    def close(self):
        if self._closed:
            return
        self._closed = True
        self._in_context = False
        gen, self._gen = self._gen, None
        if gen is not None:
            gen.close()
        close = getattr(self.source, 'close', None)
        if close is not None:
            close()


def _arrow_error(exc, error_mode=True):
    """A pyarrow error raised while reading our stream, as a chconnect exception (a server's
    mid-stream error reaches us only as text here: its code and name are read back from it)."""
    message = str(exc)
    if 'not supported' in message.lower() or 'no arrow mapping' in message.lower():
        from .exceptions import NotSupportedError
        return NotSupportedError(message)
    if message.startswith('server failed mid-stream') or 'Code: ' in message:
        return apply_error_mode(stream_failure_from_text(message), error_mode)
    return StreamFailureError(message)


class ArrowStream(_ContextStream):
    """A query result streamed as Arrow: record batches (one per Native block) with no copies
    where the layouts agree.

    - ``__arrow_c_stream__()`` (the Arrow PyCapsule interface) hands the whole stream to any
      consumer: ``pyarrow.table(s)``, ``pyarrow.RecordBatchReader.from_stream(s)``,
      ``polars.DataFrame(s)``, DuckDB, ... It can be taken once.
    - Iterating (inside ``with``) yields ``pyarrow.RecordBatch`` objects; ``read_all()`` gives a
      ``pyarrow.Table``.
    - ``close()`` / leaving ``with`` frees the result (aborting the transfer) unless the stream
      was handed to a consumer, which then owns it.
    """

    def __init__(self, reader, use_strings=True):
        self._reader = reader
        self.use_strings = bool(use_strings)
        self._pa_reader = None
        self._in_context = False
        self._closed = False
        self.query_id = reader.query_id
        self.timezone = reader.timezone

    def __arrow_c_stream__(self, requested_schema=None):  # noqa: ARG002 (best effort, as the spec allows)
        if self._closed:
            raise StreamClosedError('the stream is closed')
        return capi.chc_py_arrow_stream(None, self._reader.take(), 1 if self.use_strings else 0)

    def _batches(self):
        if self._pa_reader is None:
            pa = require('pyarrow', 'reading Arrow record batches')
            self._pa_reader = pa.RecordBatchReader.from_stream(self)
        return self._pa_reader

    @property
    def schema(self):
        """The pyarrow.Schema of the batches."""
        return self._batches().schema

    def read_all(self):
        pa = require('pyarrow', 'query_arrow')
        try:
            return self._batches().read_all()
        except (pa.ArrowException, OSError) as exc:
            raise _arrow_error(exc, self._reader.error_mode) from error_cause(exc, self._reader.error_mode)
        finally:
            self.close()

    def __next__(self):
        self._check_iterable()
        reader = self._batches()
        pa = require('pyarrow', 'query_arrow_stream')
        try:
            return reader.read_next_batch()
        except StopIteration:
            raise
        except (pa.ArrowException, OSError) as exc:
            self.close()
            raise _arrow_error(exc, self._reader.error_mode) from error_cause(exc, self._reader.error_mode)

    def close(self):
        if self._closed:
            return
        self._closed = True
        self._in_context = False
        reader, self._pa_reader = self._pa_reader, None
        if reader is not None:
            reader.close()  # releases the C stream: the result is freed, the transfer aborted
        self._reader.close()
