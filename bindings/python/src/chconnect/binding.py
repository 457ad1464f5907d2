"""Parameter binding for `parameters=` (client-side %-substitution and server-side {name:Type}).

Client side (the default): `%(name)s` with a dict, `%s` with a sequence; every value is rendered
as a SQL literal by format_query_value. Server side: when `parameters` is a dict and the SQL holds
`{name:Type}` placeholders for its keys, the values are sent as `param_<name>` request
parameters instead (ClickHouse >= 19.11 understands them).
"""

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum

from .exceptions import ProgrammingError

_SERVER_PARAM = re.compile(r'\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:')

# Backslash escapes ClickHouse understands in quoted strings.
_ESCAPES = {'\\': '\\\\', "'": "\\'", '`': '\\`', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0',
            '\b': '\\b', '\f': '\\f'}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def escape_str(value):
    return value.translate(_ESCAPE_TABLE)


def quote_str(value):
    return "'" + escape_str(value) + "'"


def quote_identifier(name):
    """`name` in backticks (unless already quoted)."""
    if len(name) > 1 and name[0] == name[-1] and name[0] in '`"':
        return name
    return '`' + escape_str(name) + '`'


def _format_datetime(value):
    if value.tzinfo is not None:
        # Exact instant whatever the server's time zone.
        utc = value.astimezone(timezone.utc)
        return f"toDateTime('{utc.strftime('%Y-%m-%d %H:%M:%S')}', 'UTC')"
    return "'" + value.strftime('%Y-%m-%d %H:%M:%S') + "'"


def _format_timedelta(value):
    total = value.days * 86400 + value.seconds
    sign = '-' if total < 0 else ''
    total = abs(total)
    text = f'{sign}{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}'
    if value.microseconds:
        text += f'.{value.microseconds:06d}'
    return "'" + text + "'"


def format_query_value(value):
    """A Python value as a ClickHouse SQL literal (client-side binding)."""
    if value is None:
        return 'NULL'
    if isinstance(value, bool):
        # 1/0 rather than clickhouse-connect's True/False, which old servers reject.
        return '1' if value else '0'
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return quote_str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "'" + ''.join(f'\\x{b:02x}' for b in bytes(value)) + "'"
    if isinstance(value, datetime):
        return _format_datetime(value)
    if isinstance(value, date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, time):
        return "'" + value.isoformat() + "'"
    if isinstance(value, timedelta):
        return _format_timedelta(value)
    if isinstance(value, list):
        return '[' + ', '.join(format_query_value(v) for v in value) + ']'
    if isinstance(value, tuple):
        return '(' + ', '.join(format_query_value(v) for v in value) + ')'
    if isinstance(value, (set, frozenset)):
        return '(' + ', '.join(format_query_value(v) for v in value) + ')'
    if isinstance(value, dict):
        return quote_str(json.dumps(value, default=str))
    if isinstance(value, Enum):
        return format_query_value(value.value)
    # Decimal, UUID, IP addresses...: their text form, quoted unless numeric.
    text = str(value)
    try:
        float(text)
        return text
    except ValueError:
        return quote_str(text)


def format_bind_value(value, top_level=True):
    """A Python value as the text of a server-side parameter (param_<name>)."""
    if value is None:
        return '\\N' if top_level else 'NULL'
    if isinstance(value, str):
        return escape_str(value) if top_level else quote_str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        text = value.strftime('%Y-%m-%d %H:%M:%S')
        return text if top_level else "'" + text + "'"
    if isinstance(value, date):
        return value.isoformat() if top_level else "'" + value.isoformat() + "'"
    if isinstance(value, list):
        return '[' + ', '.join(format_bind_value(v, False) for v in value) + ']'
    if isinstance(value, tuple):
        return '(' + ', '.join(format_bind_value(v, False) for v in value) + ')'
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, dict):
        text = json.dumps(value, default=str)
        return escape_str(text) if top_level else quote_str(text)
    return format_query_value(value)


def finalize_query(query):
    """Strips whitespace and trailing semicolons (the library appends FORMAT Native)."""
    query = query.strip()
    while query.endswith(';'):
        query = query[:-1].rstrip()
    return query


def bind_query(query, parameters):
    """(sql, server_params): the SQL with client-side values substituted, and a dict of
    server-side parameter texts."""
    if isinstance(query, bytes):
        query = query.decode()
    if not parameters:
        return finalize_query(query), {}
    if isinstance(parameters, dict):
        # Server side only when every key has a {name:Type} placeholder; else client side.
        names = set(_SERVER_PARAM.findall(query))
        if names and set(parameters).issubset(names):
            return finalize_query(query), {str(k): format_bind_value(v) for k, v in parameters.items()}
        try:
            bound = query % {k: format_query_value(v) for k, v in parameters.items()}
        except (KeyError, ValueError, TypeError) as exc:
            raise ProgrammingError(f'parameter binding failed: {exc!r}') from exc
        return finalize_query(bound), {}
    if isinstance(parameters, (str, bytes)):
        raise ProgrammingError('parameters must be a dict or a sequence, not a string')
    try:
        bound = query % tuple(format_query_value(v) for v in parameters)
    except (ValueError, TypeError) as exc:
        raise ProgrammingError(f'parameter binding failed: {exc!r}') from exc
    return finalize_query(bound), {}
