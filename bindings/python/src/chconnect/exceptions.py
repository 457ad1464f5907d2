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
"""

import builtins

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


def error_from_status(status, message, code, name, http_status, query_id):
    """Builds the exception for a failed C call (registered with the SWIG module)."""
    cls = _STATUS_CLASSES.get(status, InternalError)
    return cls(message, code=code or None, name=name or None, http_status=http_status or None,
               query_id=query_id or None, status=status)
