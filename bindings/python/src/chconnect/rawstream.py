"""Client.raw_stream: a query's answer as a binary stream over chc_client_query_raw."""

import io

from ._capi import capi
from .exceptions import ClickHouseError, raise_mid_stream

# BufferedReader's buffer over the raw stream: reads of this size or more go straight to the C
# library into the caller's buffer.
BUFFER_SIZE = 256 * 1024


class RawStream(io.RawIOBase):
    """The response body of one query, pulled from the network as it is read (io.RawIOBase).

    readinto() releases the GIL while it waits. A server error after the body started (the server
    wrote its exception into the body) raises StreamFailureError, never shows up as data; other
    failures raise as elsewhere (OperationalError for the network, CHC_E_CANCELLED after close from
    another thread). close() before the end aborts the transfer (the connection is closed, the
    client stays usable) and frees the handle. ``on_close()``, if given, is called once on close
    (also when the stream is collected unclosed). `error_mode` is the client's show_clickhouse_errors."""

    def __init__(self, handle, on_close=None, error_mode=True):
        super().__init__()
        self._h = handle
        self._on_close = on_close
        self._error_mode = error_mode
        self.query_id = capi.chc_raw_result_query_id(handle)

    def readable(self):
        return True

    def readinto(self, b):
        h = self._h
        if h is None:
            raise ValueError('I/O operation on a closed raw stream')
        view = memoryview(b)
        if view.nbytes == 0:
            return 0
        if view.format != 'B' or view.ndim != 1:
            view = view.cast('B')
        try:
            n = capi.chc_raw_result_read(h, view)
        except ClickHouseError as exc:
            raise_mid_stream(exc, self._error_mode)
        return n

    def readall(self):
        parts = []
        buf = bytearray(BUFFER_SIZE)
        while True:
            n = self.readinto(buf)
            if not n:
                return b''.join(parts)
            parts.append(bytes(buf[:n]))

    def close(self):
        h, self._h = self._h, None
        if h is not None:
            # Wakes a read blocked in another thread; that call's argument keeps the handle alive
            # until it returns, so the handle is freed (transfer aborted) after it, never under it.
            capi.chc_raw_result_cancel(h)
            del h
            on_close, self._on_close = self._on_close, None
            if on_close is not None:
                on_close()
        super().close()


def open_raw_stream(handle, on_close=None, error_mode=True):
    """An io.BufferedReader over a chc_raw_result (from chc_client_query_raw); see RawStream."""
    return io.BufferedReader(RawStream(handle, on_close, error_mode), BUFFER_SIZE)
