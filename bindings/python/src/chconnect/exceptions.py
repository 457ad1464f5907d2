"""Exceptions, PEP 249 names as in clickhouse-connect.

Every exception raised for a failed C call carries:
  code         ClickHouse exception code (e.g. 60 UNKNOWN_TABLE), None if the error did not come
               from the server
  name         ClickHouse exception name (e.g. "UNKNOWN_TABLE"), None if unknown
  http_status  HTTP status of the failed response, None if there was none
  query_id     query id of the failed request, None if unknown
  status       the C library's status (chconnect.CHC_E_*), 0 for errors raised in Python
  status_name  its symbolic name, e.g. "CHC_E_SERVER"

How C statuses map to classes (see README):
  CHC_E_INVALID_ARGUMENT, CHC_E_INVALID_STATE, CHC_E_NOT_FOUND   -> ProgrammingError
  CHC_E_NOT_SUPPORTED                                              -> NotSupportedError
  CHC_E_IO, CHC_E_TLS, CHC_E_TIMEOUT, CHC_E_CANCELLED, CHC_E_AUTH,
  CHC_E_NOMEM, CHC_E_PROTOCOL                                      -> OperationalError
  CHC_E_SERVER                                                     -> DatabaseError
  CHC_E_TYPE                                                       -> DataError
  CHC_E_INTERNAL                                                   -> InternalError
A server error or malformed data met while reading a result after the response started
(mid-stream) becomes StreamFailureError (a DatabaseError).

The client's `show_clickhouse_errors` option shapes the message of every error that carries the
server's text (apply_error_mode below, the one place that rule lives).
"""

import builtins
import re

__all__ = [
    'ClickHouseError', 'Warning', 'Error', 'InterfaceError', 'DatabaseError', 'DataError',
    'OperationalError', 'IntegrityError', 'InternalError', 'ProgrammingError',
    'NotSupportedError', 'StreamClosedError', 'StreamFailureError',
]

# C status codes (chconnect.h, section 2).
CHC_OK = 0
CHC_E_INVALID_ARGUMENT = 1
CHC_E_INVALID_STATE = 2
CHC_E_NOT_FOUND = 3
CHC_E_NOT_SUPPORTED = 4
CHC_E_NOMEM = 5
CHC_E_IO = 6
CHC_E_TLS = 7
CHC_E_TIMEOUT = 8
CHC_E_CANCELLED = 9
CHC_E_AUTH = 10
CHC_E_SERVER = 11
CHC_E_PROTOCOL = 12
CHC_E_TYPE = 13
CHC_E_INTERNAL = 14

STATUS_NAMES = {
    CHC_OK: 'CHC_OK',
    CHC_E_INVALID_ARGUMENT: 'CHC_E_INVALID_ARGUMENT',
    CHC_E_INVALID_STATE: 'CHC_E_INVALID_STATE',
    CHC_E_NOT_FOUND: 'CHC_E_NOT_FOUND',
    CHC_E_NOT_SUPPORTED: 'CHC_E_NOT_SUPPORTED',
    CHC_E_NOMEM: 'CHC_E_NOMEM',
    CHC_E_IO: 'CHC_E_IO',
    CHC_E_TLS: 'CHC_E_TLS',
    CHC_E_TIMEOUT: 'CHC_E_TIMEOUT',
    CHC_E_CANCELLED: 'CHC_E_CANCELLED',
    CHC_E_AUTH: 'CHC_E_AUTH',
    CHC_E_SERVER: 'CHC_E_SERVER',
    CHC_E_PROTOCOL: 'CHC_E_PROTOCOL',
    CHC_E_TYPE: 'CHC_E_TYPE',
    CHC_E_INTERNAL: 'CHC_E_INTERNAL',
}


class ClickHouseError(Exception):
    """Base of every chconnect exception."""

    def __init__(self, message='', *, code=None, name=None, http_status=None, query_id=None, status=0):
        super().__init__(message)
        self.message = message
        self.code = code
        self.name = name
        self.http_status = http_status
        self.query_id = query_id
        self.status = status

    @property
    def status_name(self):
        return STATUS_NAMES.get(self.status, 'CHC_E_UNKNOWN')

    def __str__(self):
        return self.message

    def _copy_into(self, cls, message=None):
        """The same error details as another exception class."""
        return cls(self.message if message is None else message, code=self.code, name=self.name,
                   http_status=self.http_status, query_id=self.query_id, status=self.status)


class Warning(builtins.Warning, ClickHouseError):  # noqa: A001 (PEP 249 name)
    pass


class Error(ClickHouseError):
    pass


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


class StreamClosedError(ProgrammingError):
    pass


class StreamFailureError(DatabaseError):
    """The server reported an error, or sent malformed data, after the result had started."""


_STATUS_CLASSES = {
    CHC_E_INVALID_ARGUMENT: ProgrammingError,
    CHC_E_INVALID_STATE: ProgrammingError,
    CHC_E_NOT_FOUND: ProgrammingError,
    CHC_E_NOT_SUPPORTED: NotSupportedError,
    CHC_E_NOMEM: OperationalError,
    CHC_E_IO: OperationalError,
    CHC_E_TLS: OperationalError,
    CHC_E_TIMEOUT: OperationalError,
    CHC_E_CANCELLED: OperationalError,
    CHC_E_AUTH: OperationalError,
    CHC_E_SERVER: DatabaseError,
    CHC_E_PROTOCOL: OperationalError,
    CHC_E_TYPE: DataError,
    CHC_E_INTERNAL: InternalError,
}


# A server's version trailer at the end of its exception text: "(version 24.8.4.13 (official
# build))", "(version 22.8.15.25.altinitystable)". Only at the very end of the message.
_VERSION_TRAILER_RE = re.compile(r'\s*\(version\s+(?:[^()]|\([^()]*\))*\)\s*$')
_CODE_RE = re.compile(r'\bCode: (\d+)')
_NAME_RE = re.compile(r'\(([A-Z][A-Z0-9_]+)\)')
GENERIC_MESSAGE = 'The ClickHouse server returned an error'
GENERIC_STREAM_MESSAGE = 'The ClickHouse server returned an error while the result was streaming'


def check_error_mode(value):
    """show_clickhouse_errors as True, False or 'scrub' (strings from a DSN or generic_args too)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == 'scrub':
            return 'scrub'
        if text in ('1', 'true', 'yes', 'on'):
            return True
        if text in ('0', 'false', 'no', 'off'):
            return False
    elif value is None or isinstance(value, (bool, int)):
        return True if value is None else bool(value)
    raise ProgrammingError(f'show_clickhouse_errors must be True, False or "scrub", not {value!r}')


def carries_server_text(exc):
    """True when the exception's message is (or contains) the server's text."""
    return exc.status in (CHC_E_SERVER, CHC_E_AUTH) or exc.code is not None


def scrub_message(message):
    """The message without the server's version trailer (chconnect's messages never hold the
    request URL, which clickhouse-connect also strips)."""
    return _VERSION_TRAILER_RE.sub('', message).rstrip()


def apply_error_mode(exc, mode):
    """Applies show_clickhouse_errors to `exc` in place and returns it: True keeps the server's
    full text; 'scrub' strips the version trailer; False replaces the text with a generic
    message. code, name, http_status and query_id stay. Errors without server text (network,
    TLS, arguments, ...) are left alone."""
    if mode is True or not isinstance(exc, ClickHouseError) or not carries_server_text(exc):
        return exc
    if mode == 'scrub':
        message = scrub_message(exc.message)
    else:
        message = GENERIC_STREAM_MESSAGE if isinstance(exc, StreamFailureError) else GENERIC_MESSAGE
    exc.message = message
    exc.args = (message,)
    return exc


def error_cause(exc, mode):
    """The original exception to chain to a reshaped one, unless it would show server text that
    show_clickhouse_errors hides."""
    return exc if mode is True else None


def raise_mid_stream(exc, mode):
    """Raises a ClickHouseError met while reading a response that had started: a server error or
    malformed data becomes StreamFailureError; show_clickhouse_errors (`mode`) applies."""
    if exc.status in (CHC_E_SERVER, CHC_E_PROTOCOL) and not isinstance(exc, StreamFailureError):
        raise apply_error_mode(exc._copy_into(StreamFailureError), mode) from error_cause(exc, mode)
    raise apply_error_mode(exc, mode)


def stream_failure_from_text(message):
    """A StreamFailureError for a mid-stream server error that reached us only as text (through
    an Arrow consumer): code and name recovered from the text when it has them."""
    code = _CODE_RE.search(message)
    names = _NAME_RE.findall(message)
    return StreamFailureError(message, code=int(code.group(1)) if code else None,
                              name=names[-1] if names else None, status=CHC_E_SERVER)


def error_from_status(status, message, code, name, http_status, query_id):
    """Builds the exception for a failed C call (registered with the SWIG module)."""
    cls = _STATUS_CLASSES.get(status, InternalError)
    return cls(message, code=code or None, name=name or None, http_status=http_status or None,
               query_id=query_id or None, status=status)
