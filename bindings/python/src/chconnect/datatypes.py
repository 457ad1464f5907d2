"""ClickHouse types and the column <-> Python value conversions.

Reading: a result column is converted in bulk, never with one C call per value. decode_column()
first asks the compiled fast path in the SWIG module (chc_py_column_values: numbers, Bool, Date,
DateTime, UUID, IPv4, String, FixedString, Nullable and LowCardinality of those); every other
type goes through the pure-Python decoders below, which work on a *column source*: an object
giving the type, the row count and the zero-copy buffers of one column (data, offsets, null map,
children, LowCardinality index width). _CapiSource reads them from a chc_column handle;
BufferColumn takes hand-made buffers, so every conversion can be tested without a server.

Writing: values go into the insert's column builders. Plain numeric columns are packed into one
array and appended with chc_builder_append_fixed; everything else is appended one value at a
time after a check of the Python type (so a wrong value raises DataError and nothing is sent).

Python values per type (clickhouse-connect's defaults, with the deviations noted):
  Int*/UInt* (any width) -> int;  Float32/64, BFloat16 -> float;  Bool -> bool
  Decimal -> decimal.Decimal (exact);  String -> str (invalid UTF-8: that value stays bytes)
  FixedString -> bytes;  Date/Date32 -> date;  DateTime/DateTime64 -> datetime (naive UTC, or
  aware in the column's zone when the type names one other than UTC);  Time/Time64 -> timedelta
  UUID -> uuid.UUID;  IPv4 -> IPv4Address;  IPv6 -> IPv6Address;  Enum -> label str
  Interval -> int;  Nothing/NULL -> None;  Array -> list;  Tuple -> tuple (named -> dict)
  Map -> dict;  Nested -> list of dicts;  Variant/Dynamic -> the chosen value;  JSON -> dict
  Point -> (x, y);  Ring/LineString/Polygon/... -> nested lists of points
"""

import array
import ipaddress
import json
import operator
import struct
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import islice
from uuid import UUID

from ._capi import capi
from . import _capi as k
from .exceptions import DataError, NotSupportedError

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = None

_LITTLE_ENDIAN = sys.byteorder == 'little'
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_SECOND = timedelta(seconds=1)

# array / struct formats of the fixed-width kinds whose values are plain numbers on the wire.
_NUM_FORMATS = {
    k.INT8: 'b', k.INT16: 'h', k.INT32: 'i', k.INT64: 'q',
    k.UINT8: 'B', k.UINT16: 'H', k.UINT32: 'I', k.UINT64: 'Q',
    k.FLOAT32: 'f', k.FLOAT64: 'd',
}
_INT_KINDS = frozenset((k.INT8, k.INT16, k.INT32, k.INT64))
_UINT_KINDS = frozenset((k.UINT8, k.UINT16, k.UINT32, k.UINT64))
_WIDE_KINDS = {k.INT128: (16, True), k.INT256: (32, True), k.UINT128: (16, False), k.UINT256: (32, False)}
_FLOAT_KINDS = frozenset((k.FLOAT32, k.FLOAT64))
_INDEX_FORMATS = {1: 'B', 2: 'H', 4: 'I', 8: 'Q'}
# Fast path switch (tests compare both paths).
USE_FAST_PATH = True


class ClickHouseType:
    """A ClickHouse column type. `name` is the type as the server prints it."""

    __slots__ = ('name', 'kind', 'fixed_size', 'timezone', 'element', 'tzinfo', 'children', 'precision', 'scale',
                 'element_names', 'enum_names', 'enum_values', 'unit', '__weakref__')

    def __init__(self, name, kind, fixed_size=0, tz='', element=None, children=None, precision=0, scale=0,
                 element_names=(), enum=(), unit=''):
        self.name = name
        self.kind = kind
        self.fixed_size = fixed_size
        self.timezone = tz or None
        self.children = tuple(children) if children is not None else ((element,) if element is not None else ())
        self.element = element if element is not None else (self.children[0] if self.children else None)
        self.tzinfo = _zone(tz) if tz else None
        self.precision = precision
        self.scale = scale
        # Tuple element names; all empty for an unnamed tuple.
        self.element_names = tuple(element_names) if any(element_names) else ()
        self.enum_names = {value: label for label, value in enum}  # value -> label
        self.enum_values = {label: value for label, value in enum}  # label -> value
        self.unit = unit

    @property
    def nullable(self):
        return self.kind == k.NULLABLE

    @property
    def base_type(self):
        """Name without the Nullable wrapper, e.g. "String" for Nullable(String)."""
        return self.element.name if self.kind == k.NULLABLE else self.name

    def __repr__(self):
        return f'<ClickHouseType {self.name}>'

    def __eq__(self, other):
        return isinstance(other, ClickHouseType) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


def _zone(name):
    if name == 'UTC':
        return timezone.utc
    if ZoneInfo is None:
        return None
    try:
        return ZoneInfo(name)
    except Exception:  # unknown zone on this machine: values come back naive UTC (documented)
        return None


_type_cache = {}


def type_from_capi(t):
    """ClickHouseType from a (borrowed) chc_type handle; cached by name (types are immutable)."""
    name = capi.chc_type_name(t)
    cached = _type_cache.get(name)
    if cached is not None:
        return cached
    kind = capi.chc_type_get_kind(t)
    n = capi.chc_type_child_count(t)
    children = [type_from_capi(capi.chc_type_child(t, i)) for i in range(n)]
    tz = capi.chc_type_timezone(t) if kind in (k.DATETIME, k.DATETIME64) else ''
    names = [capi.chc_type_element_name(t, i) for i in range(n)] if kind == k.TUPLE else ()
    enum = ()
    if kind in (k.ENUM8, k.ENUM16):
        enum = [(capi.chc_type_enum_name(t, i), capi.chc_type_enum_value(t, i))
                for i in range(capi.chc_type_enum_count(t))]
    unit = capi.chc_type_unit(t) if kind == k.INTERVAL else ''
    result = ClickHouseType(name, kind, capi.chc_type_fixed_size(t), tz, None, children,
                            capi.chc_type_precision(t), capi.chc_type_scale(t), names, enum, unit)
    if len(_type_cache) < 10000:
        _type_cache[name] = result
    return result


def get_from_name(name):
    """ClickHouseType for a type name, e.g. get_from_name('Array(Nullable(String))')."""
    cached = _type_cache.get(name)
    if cached is not None:
        return cached
    return type_from_capi(capi.chc_type_parse(name))


# ---------------------------------------------------------------------------------------------
# Column sources
# ---------------------------------------------------------------------------------------------

class _CapiSource:
    """One chc_column handle seen as a column source."""

    __slots__ = ('handle', 'type')

    def __init__(self, handle, ch_type):
        self.handle = handle
        self.type = ch_type

    @property
    def rows(self):
        return capi.chc_column_row_count(self.handle)

    def data(self):
        return capi.chc_column_data(self.handle)

    def offsets(self):
        return capi.chc_column_offsets(self.handle).tolist()

    def null_map(self):
        return capi.chc_column_null_map(self.handle).tobytes()

    @property
    def index_width(self):
        return capi.chc_column_index_width(self.handle)

    @property
    def child_count(self):
        return capi.chc_column_child_count(self.handle)

    def child(self, i):
        h = capi.chc_column_child(self.handle, i)
        return _CapiSource(h, type_from_capi(capi.chc_column_type(h)))

    def child_name(self, i):
        return self.child(i).type.name

    def fast(self):
        if USE_FAST_PATH and _fast_values is not None:
            return _fast_values(self.handle)
        return None


class BufferColumn:
    """A column source over hand-made buffers, laid out as chconnect.h section 7 describes:
    data (bytes), offsets (row_count + 1 ints for String/Array/Map/JSON), null_map (bytes),
    children (BufferColumn), index_width (LowCardinality). For tests and tools."""

    def __init__(self, ch_type, rows, data=b'', offsets=None, null_map=None, children=(), index_width=0):
        self.type = get_from_name(ch_type) if isinstance(ch_type, str) else ch_type
        self.rows = rows
        self._data = bytes(data)
        self._offsets = list(offsets) if offsets is not None else []
        self._null_map = bytes(null_map) if null_map is not None else b''
        self._children = list(children)
        self.index_width = index_width

    def data(self):
        return memoryview(self._data)

    def offsets(self):
        return self._offsets

    def null_map(self):
        return self._null_map

    @property
    def child_count(self):
        return len(self._children)

    def child(self, i):
        return self._children[i]

    def fast(self):
        return None


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

def decode_column(column, ch_type):
    """All values of a chc_column handle as a list of Python values."""
    return decode(_CapiSource(column, ch_type))


def decode(source):
    """All values of a column source as a list of Python values."""
    values = source.fast()
    if values is not None:
        return values
    ch_type = source.type
    decoder = _DECODERS.get(ch_type.kind)
    if decoder is None:
        raise NotSupportedError(f'chconnect cannot read ClickHouse type {ch_type.name} yet')
    return decoder(source, ch_type)


def _numbers(source, fmt):
    mv = source.data()
    if _LITTLE_ENDIAN:
        return mv.cast('B').cast(fmt).tolist()
    arr = array.array(fmt, bytes(mv))  # pragma: no cover - big-endian hosts only
    arr.byteswap()
    return arr.tolist()


def _decode_number(source, ch_type):
    return _numbers(source, _NUM_FORMATS[ch_type.kind])


def _decode_wide(source, ch_type):
    size, signed = _WIDE_KINDS[ch_type.kind]
    data = bytes(source.data())
    from_bytes = int.from_bytes
    return [from_bytes(data[i:i + size], 'little', signed=signed) for i in range(0, len(data), size)]


def _decode_bfloat16(source, ch_type):
    bits = array.array('I', (v << 16 for v in _numbers(source, 'H')))
    return memoryview(bits).cast('B').cast('f').tolist()


def _decode_bool(source, ch_type):
    return [v != 0 for v in bytes(source.data())]


def _decode_decimal(source, ch_type):
    size = ch_type.fixed_size
    scale = ch_type.scale
    if size in (4, 8):
        ints = _numbers(source, 'i' if size == 4 else 'q')
    else:
        data = bytes(source.data())
        ints = [int.from_bytes(data[i:i + size], 'little', signed=True) for i in range(0, len(data), size)]
    if scale == 0:
        return [Decimal(v) for v in ints]
    suffix = f'E-{scale}'
    # From text: exact whatever the decimal context's precision (Decimal256 has 76 digits).
    return [Decimal(f'{v}{suffix}') for v in ints]


def _pairs(offsets):
    return zip(offsets, islice(offsets, 1, None))


def decode_strings(data, offsets):
    """str per row from concatenated bytes and row_count + 1 offsets; a value that is not valid
    UTF-8 stays bytes (clickhouse-connect turns it into hex text instead)."""
    if data.isascii():
        # ASCII: byte offsets are character offsets, so decode once and slice the str.
        text = data.decode('ascii')
        return [text[a:b] for a, b in _pairs(offsets)]
    try:
        return [data[a:b].decode() for a, b in _pairs(offsets)]
    except UnicodeDecodeError:
        pass
    out = []
    for a, b in _pairs(offsets):
        raw = data[a:b]
        try:
            out.append(raw.decode())
        except UnicodeDecodeError:
            out.append(raw)
    return out


def _decode_string(source, ch_type):
    return decode_strings(bytes(source.data()), source.offsets())


def _decode_json(source, ch_type):
    loads = json.loads
    return [loads(v) for v in decode_strings(bytes(source.data()), source.offsets())]


def _decode_fixed_string(source, ch_type):
    size = ch_type.fixed_size
    data = bytes(source.data())
    if size == 0:
        return [b''] * source.rows
    return [data[i:i + size] for i in range(0, len(data), size)]


def _days_to_dates(days):
    fromordinal = date.fromordinal
    epoch = _EPOCH_ORDINAL
    return [fromordinal(epoch + d) for d in days]


def _decode_date(source, ch_type):
    return _days_to_dates(_numbers(source, 'H'))


def _decode_date32(source, ch_type):
    return _days_to_dates(_numbers(source, 'i'))


def _from_micros(micros, tz):
    """datetime per epoch microsecond count: naive UTC without a zone (clickhouse-connect's
    default tz_mode "naive_utc", also for a column typed DateTime('UTC')), else aware."""
    if tz is None or tz is timezone.utc:
        epoch = _EPOCH_NAIVE
        return [epoch + timedelta(microseconds=m) for m in micros]
    epoch = _EPOCH_UTC
    return [(epoch + timedelta(microseconds=m)).astimezone(tz) for m in micros]


def _decode_datetime(source, ch_type):
    seconds = _numbers(source, 'I')
    tz = ch_type.tzinfo
    if tz is None or tz is timezone.utc:
        epoch = _EPOCH_NAIVE
        return [epoch + timedelta(seconds=s) for s in seconds]
    fromtimestamp = datetime.fromtimestamp
    return [fromtimestamp(s, tz) for s in seconds]


def _ticks_to_micros(ticks, precision):
    """Microseconds per tick count of 10^-precision s (floored beyond microseconds)."""
    if precision == 6:
        return ticks
    if precision < 6:
        f = 10 ** (6 - precision)
        return [t * f for t in ticks]
    f = 10 ** (precision - 6)
    return [t // f for t in ticks]


def _decode_datetime64(source, ch_type):
    return _from_micros(_ticks_to_micros(_numbers(source, 'q'), ch_type.precision), ch_type.tzinfo)


def _decode_time(source, ch_type):
    return [timedelta(seconds=s) for s in _numbers(source, 'i')]


def _decode_time64(source, ch_type):
    return [timedelta(microseconds=m) for m in _ticks_to_micros(_numbers(source, 'q'), ch_type.precision)]


def _decode_uuid(source, ch_type):
    halves = _numbers(source, 'Q')  # ClickHouse order: high 64 bits first, each little-endian
    return [UUID(int=(hi << 64) | lo) for hi, lo in zip(halves[0::2], halves[1::2])]


def _decode_ipv4(source, ch_type):
    cls = ipaddress.IPv4Address
    return [cls(v) for v in _numbers(source, 'I')]


def _decode_ipv6(source, ch_type):
    # Always IPv6Address, IPv4-mapped ones included (as clickhouse-connect).
    data = bytes(source.data())
    cls = ipaddress.IPv6Address
    return [cls(data[i:i + 16]) for i in range(0, len(data), 16)]


def _decode_enum(source, ch_type):
    names = ch_type.enum_names
    values = _numbers(source, 'b' if ch_type.kind == k.ENUM8 else 'h')
    try:
        return [names[v] for v in values]
    except KeyError:  # a value outside the type's elements: keep the number
        return [names.get(v, v) for v in values]


def _decode_interval(source, ch_type):
    return _numbers(source, 'q')  # Int64 on the wire (clickhouse-connect reads Int32: a quirk)


def _decode_nothing(source, ch_type):
    return [None] * source.rows


def _decode_nullable(source, ch_type):
    null_map = source.null_map()
    values = decode(source.child(0))
    if b'\x01' not in null_map:
        return values
    return [None if is_null else v for v, is_null in zip(values, null_map)]


def _decode_array(source, ch_type):
    offsets = source.offsets()
    values = decode(source.child(0))
    return [values[a:b] for a, b in _pairs(offsets)]


def _tuple_rows(source, ch_type):
    columns = [decode(source.child(i)) for i in range(source.child_count)]
    names = ch_type.element_names
    if names:
        return [dict(zip(names, row)) for row in zip(*columns)]
    if not columns:
        return [()] * source.rows
    return list(zip(*columns))


def _decode_map(source, ch_type):
    offsets = source.offsets()
    pairs = source.child(0)
    keys = decode(pairs.child(0))
    values = decode(pairs.child(1))
    return [dict(zip(keys[a:b], values[a:b])) for a, b in _pairs(offsets)]


def _decode_low_cardinality(source, ch_type):
    dictionary = decode(source.child(0))
    null_map = source.null_map()
    if null_map:
        dictionary = [None] + dictionary[1:]  # LowCardinality(Nullable(T)): index 0 is NULL
    fmt = _INDEX_FORMATS[source.index_width or 1]
    return [dictionary[i] for i in _numbers(source, fmt)]


def _decode_variant(source, ch_type):
    """The chosen alternative's value per row (None for NULL): each alternative holds only its
    own rows, in row order."""
    discriminators = bytes(source.data())
    members = [iter(decode(source.child(i))) for i in range(source.child_count)]
    return [None if d == 255 else next(members[d]) for d in discriminators]


def _decode_dynamic(source, ch_type):
    discriminators = bytes(source.data())
    members = []
    for i in range(source.child_count):
        child = source.child(i)
        if child.type.name == 'SharedVariant':
            # Values of overflow types, raw: <binary type encoding><binary value>.
            members.append(iter([decode_shared_variant(v) for v in _raw_strings(child)]))
        else:
            members.append(iter(decode(child)))
    return [None if d == 255 else next(members[d]) for d in discriminators]


def _raw_strings(source):
    data = bytes(source.data())
    return [data[a:b] for a, b in _pairs(source.offsets())]


# ClickHouse binary type encoding (DataTypesBinaryEncoding) of SharedVariant values: the simple
# scalars are decoded, anything else comes back as the raw bytes.
_SHARED_SCALARS = {0x01: '<B', 0x02: '<H', 0x03: '<I', 0x04: '<Q', 0x07: '<b', 0x08: '<h', 0x09: '<i',
                   0x0A: '<q', 0x0D: '<f', 0x0E: '<d'}


def decode_shared_variant(raw):
    """One SharedVariant value (<binary type><binary value>) -> Python value, or the raw bytes
    when the type is not a simple scalar."""
    if not raw:
        return raw
    tag = raw[0]
    fmt = _SHARED_SCALARS.get(tag)
    if fmt is not None and len(raw) == 1 + struct.calcsize(fmt):
        return struct.unpack(fmt, raw[1:])[0]
    if tag == 0x2D and len(raw) == 2:  # Bool
        return raw[1] != 0
    if tag == 0x15:  # String: LEB128 length + bytes
        n = shift = 0
        pos = 1
        while pos < len(raw):
            b = raw[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        body = raw[pos:pos + n]
        if len(body) == n and pos + n == len(raw):
            try:
                return body.decode()
            except UnicodeDecodeError:
                return body
    return raw


_DECODERS = {kind: _decode_number for kind in _NUM_FORMATS}
_DECODERS.update({kind: _decode_wide for kind in _WIDE_KINDS})
_DECODERS.update({
    k.STRING: _decode_string,
    k.FIXED_STRING: _decode_fixed_string,
    k.DATE: _decode_date,
    k.DATETIME: _decode_datetime,
    k.NULLABLE: _decode_nullable,
    k.ARRAY: _decode_array,
    k.BFLOAT16: _decode_bfloat16,
    k.BOOL: _decode_bool,
    k.DECIMAL: _decode_decimal,
    k.DATE32: _decode_date32,
    k.DATETIME64: _decode_datetime64,
    k.TIME: _decode_time,
    k.TIME64: _decode_time64,
    k.UUID: _decode_uuid,
    k.IPV4: _decode_ipv4,
    k.IPV6: _decode_ipv6,
    k.ENUM8: _decode_enum,
    k.ENUM16: _decode_enum,
    k.INTERVAL: _decode_interval,
    k.NOTHING: _decode_nothing,
    k.TUPLE: _tuple_rows,
    k.MAP: _decode_map,
    k.LOW_CARDINALITY: _decode_low_cardinality,
    k.VARIANT: _decode_variant,
    k.DYNAMIC: _decode_dynamic,
    k.JSON: _decode_json,
})

_fast_values = getattr(capi, 'chc_py_column_values', None)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def _bad(value, ch_type, expected):
    return TypeError(f'{type(value).__name__} value {value!r:.80} does not fit {ch_type.name} (expected {expected})')


def _as_int(value, ch_type):
    """int subclasses and integer-like objects (numpy integers) by __index__; floats, str and
    the rest are refused."""
    try:
        return operator.index(value)
    except TypeError:
        raise _bad(value, ch_type, 'int') from None


def date_to_days(value):
    if isinstance(value, datetime):
        value = value.date()
    return value.toordinal() - _EPOCH_ORDINAL


def datetime_to_seconds(value):
    """Epoch seconds; naive datetimes are UTC."""
    if value.tzinfo is None:
        return (value - _EPOCH_NAIVE) // _ONE_SECOND
    return (value - _EPOCH_UTC) // _ONE_SECOND


def datetime_to_micros(value):
    if value.tzinfo is None:
        return (value - _EPOCH_NAIVE) // timedelta(microseconds=1)
    return (value - _EPOCH_UTC) // timedelta(microseconds=1)


def _micros_to_ticks(micros, precision):
    if precision >= 6:
        return micros * 10 ** (precision - 6)
    return micros // 10 ** (6 - precision)


def _timedelta_ticks(value, precision):
    micros = value // timedelta(microseconds=1)
    return _micros_to_ticks(micros, precision)


def _decimal_text(value, ch_type):
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f'{value} does not fit {ch_type.name}')
        return format(value, 'f')
    if isinstance(value, bool):
        raise _bad(value, ch_type, 'decimal.Decimal, int, float or str')
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), 'f')  # the float's shortest text, exactly
    if isinstance(value, str):
        return format(Decimal(value.strip()), 'f')
    if hasattr(value, '__index__'):
        return str(operator.index(value))
    raise _bad(value, ch_type, 'decimal.Decimal, int, float or str')


def _uuid_text(value, ch_type):
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        return str(UUID(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(UUID(int=value))
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return str(UUID(bytes=bytes(value)))
    raise _bad(value, ch_type, 'uuid.UUID, str, int or 16 bytes')


def _ipv4_text(value, ch_type):
    if isinstance(value, ipaddress.IPv4Address):
        return str(value)
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(ipaddress.IPv4Address(value))
    raise _bad(value, ch_type, 'ipaddress.IPv4Address, str or int')


def _ipv6_text(value, ch_type):
    if isinstance(value, (ipaddress.IPv6Address, ipaddress.IPv4Address)):
        return str(value)  # an IPv4 address becomes ::ffff:a.b.c.d in the library
    if isinstance(value, str):
        return str(ipaddress.ip_address(value))
    if isinstance(value, (bytes, bytearray)) and len(value) in (4, 16):
        return str(ipaddress.ip_address(bytes(value)))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(ipaddress.IPv6Address(value))
    raise _bad(value, ch_type, 'ipaddress.IPv6Address/IPv4Address, str, bytes or int')


def _wide_app(builder, ch_type):
    size, signed = _WIDE_KINDS[ch_type.kind]
    append_int = capi.chc_builder_append_int64
    append_fixed = capi.chc_builder_append_fixed
    lo, hi = (-(1 << (size * 8 - 1)), (1 << (size * 8 - 1)) - 1) if signed else (0, (1 << (size * 8)) - 1)

    def app(v):
        if type(v) is not int:
            if isinstance(v, str):
                v = int(v.strip())
            else:
                v = _as_int(v, ch_type)
        if not lo <= v <= hi:
            raise ValueError(f'{v} does not fit {ch_type.name}')
        if -(1 << 63) <= v < (1 << 63):
            append_int(builder, v)
        else:
            append_fixed(builder, v.to_bytes(size, 'little', signed=signed), size)
    return app


def make_appender(builder, ch_type):
    """A function value -> None that appends one value to `builder` (a chc_builder)."""
    kind = ch_type.kind
    if kind in _INT_KINDS or kind == k.INTERVAL:
        append = capi.chc_builder_append_int64

        def app(v):
            if type(v) is not int:
                v = _as_int(v, ch_type)
            append(builder, v)
    elif kind in _UINT_KINDS:
        append = capi.chc_builder_append_uint64

        def app(v):
            if type(v) is not int:
                v = _as_int(v, ch_type)
            if v < 0:
                raise ValueError(f'negative value {v} does not fit {ch_type.name}')
            append(builder, v)
    elif kind in _WIDE_KINDS:
        app = _wide_app(builder, ch_type)
    elif kind in _FLOAT_KINDS or kind == k.BFLOAT16:
        append = capi.chc_builder_append_double

        def app(v):
            if type(v) is not float:
                if isinstance(v, (str, bytes)) or not hasattr(v, '__float__'):
                    raise _bad(v, ch_type, 'float or int')
                v = float(v)  # int, numpy floats, Decimal...
            append(builder, v)
    elif kind == k.BOOL:
        append = capi.chc_builder_append_int64

        def app(v):
            if isinstance(v, bool) or (isinstance(v, int) and v in (0, 1)):
                append(builder, int(v))
            elif type(v).__module__ == 'numpy' and type(v).__name__ in ('bool_', 'bool'):  # numpy 1 / 2
                append(builder, int(bool(v)))
            else:
                raise _bad(v, ch_type, 'bool')
    elif kind == k.DECIMAL:
        append = capi.chc_builder_append_string

        def app(v):
            append(builder, _decimal_text(v, ch_type))
    elif kind in (k.STRING, k.FIXED_STRING):
        append = capi.chc_builder_append_string

        def app(v):
            if not isinstance(v, (str, bytes)):
                if isinstance(v, (bytearray, memoryview)):
                    v = bytes(v)
                else:
                    raise _bad(v, ch_type, 'str or bytes')
            append(builder, v)
    elif kind in (k.DATE, k.DATE32):
        append = capi.chc_builder_append_int64

        def app(v):
            if isinstance(v, date):
                v = date_to_days(v)
            elif isinstance(v, str):
                v = date_to_days(date.fromisoformat(v))
            elif not isinstance(v, int):
                raise _bad(v, ch_type, 'datetime.date or int days')
            append(builder, v)
    elif kind == k.DATETIME:
        append = capi.chc_builder_append_int64

        def app(v):
            if isinstance(v, datetime):
                v = datetime_to_seconds(v)
            elif isinstance(v, date):
                v = date_to_days(v) * 86400
            elif isinstance(v, str):
                v = datetime_to_seconds(datetime.fromisoformat(v))
            elif not isinstance(v, int):
                raise _bad(v, ch_type, 'datetime.datetime or int epoch seconds')
            append(builder, v)
    elif kind == k.DATETIME64:
        append = capi.chc_builder_append_int64
        precision = ch_type.precision

        def app(v):
            if isinstance(v, str):
                v = datetime.fromisoformat(v)
            if isinstance(v, datetime):
                v = _micros_to_ticks(datetime_to_micros(v), precision)
            elif isinstance(v, date):
                v = _micros_to_ticks(date_to_days(v) * 86400 * 10 ** 6, precision)
            elif not isinstance(v, int):
                raise _bad(v, ch_type, 'datetime.datetime or int ticks')
            append(builder, v)
    elif kind in (k.TIME, k.TIME64):
        append = capi.chc_builder_append_int64
        precision = ch_type.precision if kind == k.TIME64 else 0

        def app(v):
            if isinstance(v, timedelta):
                v = _timedelta_ticks(v, precision)
            elif not isinstance(v, int) or isinstance(v, bool):
                raise _bad(v, ch_type, 'datetime.timedelta or int')
            append(builder, v)
    elif kind == k.UUID:
        append = capi.chc_builder_append_string

        def app(v):
            append(builder, _uuid_text(v, ch_type))
    elif kind == k.IPV4:
        append = capi.chc_builder_append_string

        def app(v):
            append(builder, _ipv4_text(v, ch_type))
    elif kind == k.IPV6:
        append = capi.chc_builder_append_string

        def app(v):
            append(builder, _ipv6_text(v, ch_type))
    elif kind in (k.ENUM8, k.ENUM16):
        append_string = capi.chc_builder_append_string
        append_int = capi.chc_builder_append_int64

        def app(v):
            if isinstance(v, str):
                append_string(builder, v)
            elif isinstance(v, int) and not isinstance(v, bool):
                append_int(builder, v)
            elif hasattr(v, 'value') and hasattr(v, 'name'):  # a Python Enum member: by label
                append_string(builder, v.name if isinstance(v.value, int) and v.name in ch_type.enum_values
                              else str(v.value))
            else:
                raise _bad(v, ch_type, 'str label or int value')
    elif kind == k.NOTHING:
        def app(v):
            if v is not None:
                raise _bad(v, ch_type, 'None')
            capi.chc_builder_append_null(builder)
    elif kind == k.NULLABLE or (kind == k.LOW_CARDINALITY and ch_type.element.kind == k.NULLABLE):
        inner_type = ch_type.element.element if kind == k.LOW_CARDINALITY else ch_type.element
        inner = make_appender(builder, inner_type)
        append_null = capi.chc_builder_append_null

        def app(v):
            if v is None:
                append_null(builder)
            else:
                inner(v)
    elif kind == k.LOW_CARDINALITY:
        app = make_appender(builder, ch_type.element)
    elif kind == k.ARRAY:
        child = capi.chc_builder_child(builder, 0)
        inner = make_appender(child, ch_type.element)
        end_array = capi.chc_builder_end_array

        def app(v):
            if isinstance(v, (str, bytes, dict)) or not hasattr(v, '__iter__'):
                raise _bad(v, ch_type, 'list or tuple')
            for element in v:
                inner(element)
            end_array(builder)
    elif kind == k.TUPLE:
        apps = [make_appender(capi.chc_builder_child(builder, i), t) for i, t in enumerate(ch_type.children)]
        names = ch_type.element_names
        n = len(apps)

        def app(v):
            if isinstance(v, dict):
                if not names:
                    raise _bad(v, ch_type, 'tuple')
                v = [v.get(name) for name in names]
            elif isinstance(v, (str, bytes)) or not hasattr(v, '__len__'):
                raise _bad(v, ch_type, 'tuple, list or dict')
            if len(v) != n:
                raise ValueError(f'{len(v)} values given for {ch_type.name} ({n} elements)')
            for a, x in zip(apps, v):
                a(x)
    elif kind == k.MAP:
        pairs = capi.chc_builder_child(builder, 0)
        kv_type = ch_type.element
        app_key = make_appender(capi.chc_builder_child(pairs, 0), kv_type.children[0])
        app_value = make_appender(capi.chc_builder_child(pairs, 1), kv_type.children[1])
        end_array = capi.chc_builder_end_array

        def app(v):
            if not hasattr(v, 'items'):
                raise _bad(v, ch_type, 'dict')
            for key, value in v.items():
                app_key(key)
                app_value(value)
            end_array(builder)
    elif kind == k.VARIANT:
        app = _variant_app(builder, ch_type)
    elif kind == k.DYNAMIC:
        app = _dynamic_app(builder, ch_type)
    elif kind == k.JSON:
        append = capi.chc_builder_append_string

        def app(v):
            if isinstance(v, (str, bytes)):
                append(builder, v)
            elif isinstance(v, dict):
                append(builder, json.dumps(v, default=str, ensure_ascii=False))
            else:
                raise _bad(v, ch_type, 'dict or JSON text')
    else:
        raise NotSupportedError(f'chconnect cannot insert ClickHouse type {ch_type.name} yet')
    return app


# Python type -> the alternative kinds that take it, best first (Variant inserts).
def _variant_kinds(v):
    if isinstance(v, bool):
        return (k.BOOL,)
    if isinstance(v, int):
        return (k.INT64, k.INT32, k.INT16, k.INT8, k.UINT64, k.UINT32, k.UINT16, k.UINT8, k.INT128, k.UINT128,
                k.INT256, k.UINT256, k.INTERVAL, k.FLOAT64, k.FLOAT32, k.DECIMAL)
    if isinstance(v, float):
        return (k.FLOAT64, k.FLOAT32, k.BFLOAT16, k.DECIMAL)
    if isinstance(v, Decimal):
        return (k.DECIMAL,)
    if isinstance(v, str):
        return (k.STRING, k.ENUM8, k.ENUM16, k.FIXED_STRING)
    if isinstance(v, (bytes, bytearray)):
        return (k.STRING, k.FIXED_STRING)
    if isinstance(v, datetime):
        return (k.DATETIME, k.DATETIME64)
    if isinstance(v, date):
        return (k.DATE, k.DATE32)
    if isinstance(v, timedelta):
        return (k.TIME, k.TIME64)
    if isinstance(v, UUID):
        return (k.UUID,)
    if isinstance(v, ipaddress.IPv4Address):
        return (k.IPV4, k.IPV6)
    if isinstance(v, ipaddress.IPv6Address):
        return (k.IPV6,)
    if isinstance(v, list):
        return (k.ARRAY,)
    if isinstance(v, tuple):
        return (k.TUPLE, k.ARRAY)
    if isinstance(v, dict):
        return (k.MAP, k.JSON, k.TUPLE)
    return ()


def _fits_tuple(v, ch_type):
    """Whether a tuple (by arity) or a dict (by element names) has the shape of Tuple `ch_type`."""
    names = ch_type.element_names
    if isinstance(v, dict):
        return bool(names) and all(names) and set(v) == set(names)
    return len(v) == len(ch_type.children)


def _variant_app(builder, ch_type):
    """Picks the alternative by the value's Python type (the first alternative, in the type's
    sorted order, among the best-ranked kinds for that type that accepts the value). A Tuple
    alternative takes a tuple of its arity (or a dict of its element names); its row spans
    several child builders, so once it is chosen an error is final, not a reason to try the
    next alternative (the insert fails and nothing is sent)."""
    alternatives = [(t, make_appender(capi.chc_builder_child(builder, i), t)) for i, t in enumerate(ch_type.children)]
    append_null = capi.chc_builder_append_null

    def app(v):
        if v is None:
            append_null(builder)
            return
        last = None
        for kind in _variant_kinds(v):
            for alt_type, alt_app in alternatives:
                if alt_type.kind != kind:
                    continue
                if kind == k.TUPLE:
                    if _fits_tuple(v, alt_type):
                        alt_app(v)
                        return
                    continue
                try:
                    alt_app(v)
                    return
                except (DataError, TypeError, ValueError, OverflowError) as exc:
                    last = exc
        if last is not None:
            raise last
        raise _bad(v, ch_type, 'a value of one of its alternatives')
    return app


def _dynamic_app(builder, ch_type):
    """Dynamic: int -> Int64 (UInt64 above), float -> Float64, str/bytes -> String, None ->
    NULL; other values are sent as their text (the server stores a String)."""
    append_int = capi.chc_builder_append_int64
    append_uint = capi.chc_builder_append_uint64
    append_double = capi.chc_builder_append_double
    append_string = capi.chc_builder_append_string
    append_null = capi.chc_builder_append_null

    def app(v):
        if v is None:
            append_null(builder)
        elif isinstance(v, bool):
            append_int(builder, int(v))
        elif isinstance(v, int):
            if v >= 1 << 63:
                append_uint(builder, v)
            else:
                append_int(builder, v)
        elif isinstance(v, float):
            append_double(builder, v)
        elif isinstance(v, (str, bytes)):
            append_string(builder, v)
        elif isinstance(v, (dict, list)):
            append_string(builder, json.dumps(v, default=str))
        elif isinstance(v, datetime):
            append_string(builder, v.isoformat(sep=' '))
        else:
            append_string(builder, str(v))
    return app


# Bulk appends: a plain numeric column whose values all fit goes in as one packed array.
_BULK_FORMATS = dict(_NUM_FORMATS)


def _append_bulk(builder, ch_type, values):
    """True when the whole column went in through chc_builder_append_fixed."""
    fmt = _BULK_FORMATS.get(ch_type.kind)
    if fmt is None or not _LITTLE_ENDIAN or not hasattr(capi, 'chc_builder_append_fixed'):
        return False
    if fmt in 'fd':
        if not all(type(v) is float or type(v) is int for v in values):
            return False
    elif not all(type(v) is int for v in values):
        return False
    try:
        packed = array.array(fmt, values)
    except (OverflowError, TypeError, ValueError):
        return False  # the per-value path reports the row
    if not packed:
        return True
    capi.chc_builder_append_fixed(builder, packed, packed.itemsize)
    return True


# Insert conversions done in C (chc_py_append_values in the SWIG module): kind -> its code there.
_C_APPEND_CODES = {kind: 1 for kind in _INT_KINDS}
_C_APPEND_CODES.update({kind: 2 for kind in _UINT_KINDS})
_C_APPEND_CODES.update({k.INTERVAL: 1, k.FLOAT32: 3, k.FLOAT64: 3, k.BFLOAT16: 3, k.BOOL: 4, k.STRING: 5,
                        k.FIXED_STRING: 5, k.DATE: 6, k.DATE32: 6, k.DATETIME: 7, k.DATETIME64: 8})


def _c_append_args(ch_type):
    """(code, nullable, precision) for chc_py_append_values, or None when the type's values are
    converted in Python only."""
    nullable = 0
    t = ch_type
    if t.kind == k.LOW_CARDINALITY:
        t = t.element
    if t.kind == k.NULLABLE:
        nullable = 1
        t = t.element
    code = _C_APPEND_CODES.get(t.kind)
    if code is None or (code == 8 and not 0 <= t.precision <= 18):
        return None
    return code, nullable, t.precision if code == 8 else 0


def append_column(builder, ch_type, column_name, values, column=None):
    """Appends every value of one column; a value that does not fit raises DataError. With
    `column` (an index), `values` are rows (tuples or lists) and their item `column` is taken.

    Values of the common types are appended by the C code (chc_py_append_values) as long as
    they are of the exact Python type it takes; any other value goes through the per-value
    appender (make_appender), which converts it or raises, so both give the same result."""
    row = 0
    try:
        c_args = _c_append_args(ch_type) if USE_FAST_PATH else None
        if c_args is not None:
            if not isinstance(values, (list, tuple)):
                values = list(values)  # once: the C code reads a list or tuple in place
            n = len(values)
            col = -1 if column is None else column
            app = None
            i = 0
            stalled = 0
            while i < n:
                j = capi.chc_py_append_values(builder, values, col, i, *c_args)
                if j >= n:
                    return
                stalled = stalled + 1 if j == i else 0
                row = j
                if app is None:
                    app = make_appender(builder, ch_type)
                if stalled >= 2:  # the C code takes none of these values: stay in Python
                    for row in range(j, n):
                        app(values[row] if column is None else values[row][column])
                    return
                app(values[j] if column is None else values[j][column])
                i = j + 1
            return
        if column is not None:
            values = [r[column] for r in values]
        if _append_bulk(builder, ch_type, values):
            return
        app = make_appender(builder, ch_type)
        for row, v in enumerate(values):
            app(v)
    except DataError as exc:  # the library's CHC_E_TYPE (e.g. 300 into UInt8)
        raise DataError(f'column {column_name!r} ({ch_type.name}), row {row}: {exc}', code=exc.code, name=exc.name,
                        status=exc.status) from exc
    except (TypeError, ValueError, OverflowError, UnicodeError, ArithmeticError) as exc:
        raise DataError(f'column {column_name!r} ({ch_type.name}), row {row}: {exc}') from exc
