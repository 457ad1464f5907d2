"""chconnect: ClickHouse over HTTP and the Native format, on the chconnect C library.

The API mirrors clickhouse-connect, so its examples run after
`import chconnect as clickhouse_connect`:

    client = chconnect.get_client(host='localhost', username='default', password='...')
    client.query('SELECT 1').result_rows
"""

from ._capi import capi as _capi_module
from .client import Client
from .datatypes import ClickHouseType, get_from_name
from .driver import create_client, get_client
from .exceptions import (ClickHouseError, DatabaseError, DataError, Error, IntegrityError, InterfaceError,
                         InternalError, NotSupportedError, OperationalError, ProgrammingError,
                         StreamClosedError, StreamFailureError, Warning)
from .external import ExternalData, ExternalFile
from .query import QueryResult, QuerySummary

__version__ = '0.1.0'
driver_name = 'chconnect'


def library_version():
    """Version of the loaded libchconnect (e.g. "0.1.0")."""
    return _capi_module.chc_version()


__all__ = [
    'get_client', 'create_client', 'Client', 'QueryResult', 'QuerySummary', 'ClickHouseType', 'get_from_name',
    'ClickHouseError', 'Error', 'InterfaceError', 'DatabaseError', 'DataError', 'OperationalError',
    'IntegrityError', 'InternalError', 'ProgrammingError', 'NotSupportedError', 'StreamClosedError',
    'StreamFailureError', 'library_version', '__version__', 'ExternalData', 'ExternalFile',
]

# DB-API 2.0 (chconnect.dbapi) and the asyncio client.
from . import dbapi  # noqa: E402
from .asyncclient import AsyncClient, AsyncStreamContext, create_async_client, get_async_client  # noqa: E402

__all__ += ['dbapi', 'AsyncClient', 'AsyncStreamContext', 'get_async_client', 'create_async_client']
