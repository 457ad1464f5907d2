"""Read formats and time zones: how a decoded column is turned into the values a query asked for.

Columns are first decoded to chconnect's default Python values (datatypes.py); a query that asks
for something else (query_formats, column_formats, encoding, use_none=False, a time zone other
than UTC for DateTime values) gets a per-column converter built here, applied once per column.
With the defaults no converter is built, so the common path costs nothing.

Formats (clickhouse-connect's names; a format is chosen per column name, then per type pattern,
see ``format_for``):
  'string'  Int*/UInt*/Float*, Decimal, UUID, IPv4, IPv6 -> str; FixedString -> str (decoded with
            the query's encoding, trailing NUL bytes removed); Time/Time64 -> 'HHH:MM:SS[.ffffff]';
            JSON -> the JSON text
  'int'     Date/Date32 -> days since 1970-01-01; DateTime -> epoch seconds; DateTime64 -> ticks;
            Time/Time64 -> seconds/ticks; Enum -> its value; IPv4 -> int
  'signed'  UInt64 -> the same 64 bits as Int64
  'bytes'   String -> bytes
  'time'    Time/Time64 -> datetime.time (values outside 0..24 h raise DataError)
  'tuple'   named Tuple -> tuple;   'dict' / 'json': named Tuple -> dict / JSON text
Time zones (clickhouse-connect's precedence): column_tzs[column] -> the type's own zone
(DateTime('Zone')) -> query_tz -> the server's zone (tz_source) -> local zone. tz_mode
'naive_utc' (default): UTC values are naive, others aware; 'aware': always aware; 'schema': only
a zone in the type counts, bare DateTime values are naive UTC.
"""

import fnmatch
import json
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from ipaddress import IPv4Address
from uuid import UUID

from . import _capi as k
from .exceptions import DataError, ProgrammingError

_EPOCH_DATE = date(1970, 1, 1)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_SECOND = timedelta(seconds=1)
_TZ_MODES = ('naive_utc', 'aware', 'schema')
_TZ_SOURCES = ('auto', 'server', 'local')
_FORMATS = ('native', 'string', 'int', 'signed', 'bytes', 'time', 'tuple', 'dict', 'json')

_NUMBER_KINDS = frozenset((k.INT8, k.INT16, k.INT32, k.INT64, k.INT128, k.INT256, k.UINT8, k.UINT16,
                           k.UINT32, k.UINT64, k.UINT128, k.UINT256, k.FLOAT32, k.FLOAT64, k.DECIMAL))
_TIME_KINDS = frozenset((k.TIME, k.TIME64))
_DATETIME_KINDS = frozenset((k.DATETIME, k.DATETIME64))


def check_tz_mode(tz_mode):
    if tz_mode not in _TZ_MODES:
        raise ProgrammingError(f'tz_mode must be one of {", ".join(_TZ_MODES)}, not {tz_mode!r}')
    return tz_mode


def check_tz_source(tz_source):
    if tz_source not in _TZ_SOURCES:
        raise ProgrammingError(f'tz_source must be one of {", ".join(_TZ_SOURCES)}, not {tz_source!r}')
    return tz_source


def to_tzinfo(tz):
    """A tzinfo from a zone name or a tzinfo; None stays None."""
    if tz is None or hasattr(tz, 'utcoffset'):
        return tz
    if isinstance(tz, str):
        if tz.upper() == 'UTC':
            return timezone.utc
        try:
            from zoneinfo import ZoneInfo
            return ZoneInfo(tz)
        except Exception:
            raise ProgrammingError(f'unknown time zone {tz!r}') from None
    raise ProgrammingError(f'a time zone must be a name or a tzinfo, not {type(tz).__name__}')


def is_utc(tz):
    if tz is None:
        return False
    if tz is timezone.utc or getattr(tz, 'key', None) in ('UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Zulu'):
        return True
    return False


def zone_name(tz):
    """The name Arrow and pandas take for a tzinfo: its IANA key, 'UTC', or '+HH:MM'."""
    key = getattr(tz, 'key', None)
    if key:
        return key
    if is_utc(tz):
        return 'UTC'
    offset = tz.utcoffset(None)
    minutes = int(offset.total_seconds() // 60)
    sign = '-' if minutes < 0 else '+'
    return f'{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}'


def local_tz():
    """The machine's local zone (a fixed offset: the current one)."""
    return datetime.now().astimezone().tzinfo


def _check_formats(mapping, what):
    for fmt in mapping.values():
        if isinstance(fmt, dict):
            _check_formats(fmt, what)
        elif fmt not in _FORMATS:
            raise ProgrammingError(f'{what}: unknown format {fmt!r} (one of {", ".join(_FORMATS)})')


class ReadOptions:
    """The read-side options of one query (a QueryContext gives them)."""

    __slots__ = ('query_formats', 'column_formats', 'encoding', 'use_none', 'query_tz', 'column_tzs',
                 'tz_mode', '_server_tz')

    def __init__(self, query_formats=None, column_formats=None, encoding=None, use_none=True, query_tz=None,
                 column_tzs=None, tz_mode='naive_utc', server_tz=None):
        self.query_formats = {str(p).lower(): f for p, f in (query_formats or {}).items()}
        self.column_formats = dict(column_formats or {})
        _check_formats(self.query_formats, 'query_formats')
        _check_formats(self.column_formats, 'column_formats')
        self.encoding = None if encoding in (None, 'utf8', 'utf-8', 'UTF-8') else encoding
        self.use_none = True if use_none is None else bool(use_none)
        self.query_tz = to_tzinfo(query_tz)
        self.column_tzs = {name: to_tzinfo(tz) for name, tz in (column_tzs or {}).items()}
        self.tz_mode = check_tz_mode(tz_mode or 'naive_utc')
        # Zone for bare DateTime values when nothing more specific applies (server or local, per
        # tz_source; the Client resolves it). None: UTC. A callable is called once, when a result
        # has a DateTime column (so results without one cost no server round trip).
        self._server_tz = server_tz

    @property
    def server_tz(self):
        if callable(self._server_tz):
            self._server_tz = self._server_tz()
        return self._server_tz

    def is_default(self, types=None):
        if (self.query_formats or self.column_formats or self.encoding is not None or not self.use_none
                or self.query_tz is not None or self.column_tzs or self.tz_mode != 'naive_utc'):
            return False
        if types is not None and not any(_has_datetime(t) for t in types):
            return True
        return self.server_tz is None or is_utc(self.server_tz)

    def converters(self, names, types):
        """One converter (values list -> values list) or None per column."""
        if self.is_default(types):
            return [None] * len(names)
        return [self._column_converter(name, t) for name, t in zip(names, types)]

    # -- per column --------------------------------------------------------------------------

    def _column_converter(self, name, ch_type):
        spec = self.column_formats.get(name)
        fmt_of = _pattern_lookup(spec) if isinstance(spec, dict) else None
        top = spec if isinstance(spec, str) else None
        tz = self.column_tzs.get(name)
        conv = self._value_converter(ch_type, fmt_of, top, tz, True)
        if conv is None:
            return None
        return lambda values: [conv(v) for v in values]

    def format_for(self, ch_type, fmt_of=None, top=None):
        """The format of a type: the column's own (top level only), then the column's type
        patterns, then query_formats patterns; 'native' otherwise."""
        if top is not None:
            return top
        if fmt_of is not None:
            fmt = fmt_of(ch_type.name)
            if fmt is not None:
                return fmt
        if self.query_formats:
            fmt = _pattern_lookup(self.query_formats)(ch_type.name)
            if fmt is not None:
                return fmt
        return 'native'

    def _value_converter(self, t, fmt_of, top, col_tz, outer):
        """A function value -> value for type t, or None when values stay as decoded."""
        kind = t.kind
        if kind == k.NULLABLE:
            inner = self._value_converter(t.element, fmt_of, top, col_tz, outer)
            zero = None if self.use_none else zero_value(t.element)
            if inner is None and zero is None:
                return None
            if inner is None:
                return lambda v: zero if v is None else v
            if zero is None:
                return lambda v: None if v is None else inner(v)
            zero = inner(zero)
            return lambda v: zero if v is None else inner(v)
        if kind == k.LOW_CARDINALITY:
            return self._value_converter(t.element, fmt_of, top, col_tz, outer)
        if kind == k.ARRAY:
            inner = self._value_converter(t.element, fmt_of, None, col_tz, False)
            return None if inner is None else (lambda v: [inner(x) for x in v])
        if kind == k.MAP:
            kt, vt = t.element.children
            kc = self._value_converter(kt, fmt_of, None, col_tz, False) or _identity
            vc = self._value_converter(vt, fmt_of, None, col_tz, False)
            if kc is _identity and vc is None:
                return None
            vc = vc or _identity
            return lambda v: {kc(a): vc(b) for a, b in v.items()}
        if kind == k.TUPLE:
            return self._tuple_converter(t, fmt_of, top, col_tz)
        fmt = self.format_for(t, fmt_of, top)
        if kind in _DATETIME_KINDS:
            return self._datetime_converter(t, fmt, col_tz)
        if fmt == 'native':
            if kind == k.STRING and self.encoding:
                enc = self.encoding
                return lambda v: _decode_text(v, enc)
            return None
        return _leaf_converter(t, fmt, self.encoding)

    def _tuple_converter(self, t, fmt_of, top, col_tz):
        elements = [self._value_converter(c, fmt_of, None, col_tz, False) for c in t.children]
        names = t.element_names
        fmt = self.format_for(t, fmt_of, top)
        if fmt not in ('native', 'tuple', 'dict', 'json'):
            raise ProgrammingError(f'format {fmt!r} does not apply to {t.name}')
        if not any(elements) and (fmt == 'native' or (fmt == 'tuple' and not names)
                                  or (fmt == 'dict' and names)):
            return None
        convs = [c or _identity for c in elements]
        if names:
            def as_values(v):
                return [c(v[n]) for c, n in zip(convs, names)]
        else:
            def as_values(v):
                return [c(x) for c, x in zip(convs, v)]
        if fmt == 'tuple' or (fmt == 'native' and not names):
            return lambda v: tuple(as_values(v))
        keys = names or [str(i + 1) for i in range(len(convs))]
        if fmt == 'json':
            return lambda v: json.dumps(dict(zip(keys, as_values(v))), default=str, ensure_ascii=False)
        return lambda v: dict(zip(keys, as_values(v)))

    def active_tz(self, t, col_tz):
        """The zone DateTime values of type t are shown in (None: naive UTC)."""
        # A zone this machine does not know: UTC (documented).
        return self.zone_for((t.tzinfo or timezone.utc) if t.timezone else None, col_tz)

    def zone_for(self, type_tz, col_tz):
        """The zone of a DateTime column whose type names zone `type_tz` (None: a bare DateTime),
        with column_tzs' zone `col_tz` for it (or None). None: naive UTC."""
        if col_tz is not None:
            tz = col_tz
        elif type_tz is not None:
            tz = type_tz
        elif self.tz_mode == 'schema':
            tz = None
        else:
            tz = self.query_tz or self.server_tz
        if tz is None or is_utc(tz):
            return timezone.utc if self.tz_mode == 'aware' else None
        return tz

    def _datetime_converter(self, t, fmt, col_tz):
        if fmt == 'int':
            if t.kind == k.DATETIME:
                return _epoch_seconds
            factor = 10 ** t.precision
            return lambda v: _epoch_micros(v) * factor // 1_000_000
        if fmt == 'string':
            tz = self.active_tz(t, col_tz)
            conv = _tz_converter(tz)
            return lambda v: str(conv(v))
        if fmt != 'native':
            raise ProgrammingError(f'format {fmt!r} does not apply to {t.name}')
        return _tz_converter(self.active_tz(t, col_tz))


def _has_datetime(t):
    return t.kind in _DATETIME_KINDS or any(_has_datetime(c) for c in t.children)


def _identity(v):
    return v


def _pattern_lookup(patterns):
    """fmt_of(type_name): the first pattern (case-insensitive, * wildcard) matching the name."""
    items = [(str(p).lower(), f) for p, f in patterns.items()]

    def fmt_of(name):
        lname = name.lower()
        for pattern, fmt in items:
            if pattern == lname or fnmatch.fnmatchcase(lname, pattern):
                return fmt
        return None
    return fmt_of


def _tz_converter(tz):
    """Decoded datetimes (naive = UTC, or aware) -> naive UTC (tz None) or aware in tz."""
    if tz is None:
        def conv(v):
            if v.tzinfo is None:
                return v
            return v.astimezone(timezone.utc).replace(tzinfo=None)
    else:
        def conv(v):
            if v.tzinfo is None:
                v = v.replace(tzinfo=timezone.utc)
            return v.astimezone(tz)
    return conv


def _epoch_micros(v):
    if v.tzinfo is not None:
        v = v.astimezone(timezone.utc).replace(tzinfo=None)
    delta = v - _EPOCH_NAIVE
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _epoch_seconds(v):
    return _epoch_micros(v) // 1_000_000


def _decode_text(v, encoding):
    raw = v.encode('utf-8') if isinstance(v, str) else bytes(v)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw  # as for invalid UTF-8 with the default encoding: the bytes, never lost


def _time_text(v):
    micros = (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
    sign = '-' if micros < 0 else ''
    micros = abs(micros)
    seconds, frac = divmod(micros, 1_000_000)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = f'{sign}{h:03d}:{m:02d}:{s:02d}'
    return f'{text}.{frac:06d}' if frac else text


def _time_of_day(v):
    if v < timedelta(0) or v >= timedelta(days=1):
        raise DataError(f'{v} is not a time of day (0 to 24 h): use the native or string format')
    seconds = v.seconds
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, v.microseconds)


def _leaf_converter(t, fmt, encoding):
    kind = t.kind
    if fmt == 'string':
        if kind in _NUMBER_KINDS or kind in (k.UUID, k.IPV4, k.IPV6, k.BOOL):
            return str
        if kind == k.FIXED_STRING:
            enc = encoding or 'utf-8'
            return lambda v: _decode_text(bytes(v).rstrip(b'\0'), enc)
        if kind == k.STRING:
            return None
        if kind in _TIME_KINDS:
            return _time_text
        if kind in (k.DATE, k.DATE32, k.ENUM8, k.ENUM16):
            return str
        if kind == k.JSON:
            return lambda v: json.dumps(v, default=str, ensure_ascii=False)
    elif fmt == 'int':
        if kind in (k.DATE, k.DATE32):
            return lambda v: (v - _EPOCH_DATE).days
        if kind in (k.ENUM8, k.ENUM16):
            values = t.enum_values
            return lambda v: values.get(v, v)
        if kind == k.IPV4:
            return int
        if kind in _TIME_KINDS:
            if kind == k.TIME:
                return lambda v: v.days * 86400 + v.seconds
            factor = 10 ** t.precision
            return lambda v: ((v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds) * factor // 1_000_000
        if kind in _NUMBER_KINDS and kind not in (k.FLOAT32, k.FLOAT64, k.DECIMAL):
            return None
    elif fmt == 'signed':
        if kind == k.UINT64:
            return lambda v: v - (1 << 64) if v >= (1 << 63) else v
    elif fmt == 'bytes':
        if kind == k.STRING:
            return lambda v: v.encode('utf-8') if isinstance(v, str) else v
        if kind == k.FIXED_STRING:
            return None
    elif fmt == 'time':
        if kind in _TIME_KINDS:
            return _time_of_day
    elif fmt == 'native':
        return None
    raise ProgrammingError(f'format {fmt!r} does not apply to {t.name}')


def zero_value(t):
    """What a NULL becomes with use_none=False: the type's default value (ClickHouse's)."""
    kind = t.kind
    if kind in (k.FLOAT32, k.FLOAT64, k.BFLOAT16):
        return 0.0
    if kind == k.DECIMAL:
        return Decimal(0)
    if kind == k.BOOL:
        return False
    if kind in _NUMBER_KINDS or kind == k.INTERVAL:
        return 0
    if kind == k.STRING:
        return ''
    if kind == k.FIXED_STRING:
        return bytes(t.fixed_size)
    if kind in (k.DATE, k.DATE32):
        return _EPOCH_DATE
    if kind in _DATETIME_KINDS:
        return _EPOCH_NAIVE
    if kind in _TIME_KINDS:
        return timedelta(0)
    if kind == k.UUID:
        return UUID(int=0)
    if kind == k.IPV4:
        return IPv4Address(0)
    if kind == k.IPV6:
        from ipaddress import IPv6Address
        return IPv6Address(0)
    if kind in (k.ENUM8, k.ENUM16):
        names = t.enum_names
        return names.get(0, next(iter(names.values()), 0)) if names else 0
    if kind == k.ARRAY:
        return []
    if kind == k.MAP:
        return {}
    if kind == k.LOW_CARDINALITY:
        return zero_value(t.element)
    if kind == k.TUPLE:
        values = [zero_value(c) for c in t.children]
        return dict(zip(t.element_names, values)) if t.element_names else tuple(values)
    return None
