"""ClickHouse types and the column <-> Python value conversions.

Reading: a result column is converted in bulk from the C library's zero-copy buffers
(memoryviews over chc_column_data / chc_column_offsets / chc_column_null_map), never with one C
call per value. decode_column() is the single entry point, so a compiled fast path can replace it
later without touching the rest of the package.

Writing: values go into the insert's column builders, one append per value, after a check of the
Python type (so a wrong value raises DataError and nothing is sent).
"""

import operator
import sys
from datetime import date, datetime, timedelta, timezone
from itertools import islice

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

# struct formats of the fixed-width numeric kinds (little-endian on the wire and in memory).
_NUM_FORMATS = {
    k.INT8: 'b', k.INT16: 'h', k.INT32: 'i', k.INT64: 'q',
    k.UINT8: 'B', k.UINT16: 'H', k.UINT32: 'I', k.UINT64: 'Q',
    k.FLOAT32: 'f', k.FLOAT64: 'd',
}
_INT_KINDS = frozenset((k.INT8, k.INT16, k.INT32, k.INT64))
_UINT_KINDS = frozenset((k.UINT8, k.UINT16, k.UINT32, k.UINT64))
_FLOAT_KINDS = frozenset((k.FLOAT32, k.FLOAT64))


class ClickHouseType:
    """A ClickHouse column type. `name` is the type as the server prints it."""

    __slots__ = ('name', 'kind', 'fixed_size', 'timezone', 'element', 'tzinfo')

    def __init__(self, name, kind, fixed_size=0, tz='', element=None):
        self.name = name
        self.kind = kind
        self.fixed_size = fixed_size
        self.timezone = tz or None
        self.element = element  # inner type of Nullable / Array
        self.tzinfo = _zone(tz) if tz else None

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
    element = None
    if capi.chc_type_child_count(t) > 0:
        element = type_from_capi(capi.chc_type_child(t, 0))
    tz = capi.chc_type_timezone(t) if kind == k.DATETIME else ''
    result = ClickHouseType(name, kind, capi.chc_type_fixed_size(t), tz, element)
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
# Reading
# ---------------------------------------------------------------------------------------------

def decode_column(column, ch_type):
    """All values of a chc_column handle as a list of Python values."""
    decoder = _DECODERS.get(ch_type.kind)
    if decoder is None:
        raise NotSupportedError(f'chconnect cannot read ClickHouse type {ch_type.name} yet')
    return decoder(column, ch_type)


def _numbers(column, fmt):
    mv = capi.chc_column_data(column)
    if _LITTLE_ENDIAN:
        return mv.cast(fmt).tolist()
    import array  # pragma: no cover - big-endian hosts only
    arr = array.array(fmt, mv.tobytes())
    arr.byteswap()
    return arr.tolist()


def _decode_number(column, ch_type):
    return _numbers(column, _NUM_FORMATS[ch_type.kind])


def _pairs(offsets):
    return zip(offsets, islice(offsets, 1, None))


def _decode_string(column, ch_type):
    offsets = capi.chc_column_offsets(column).tolist()
    data = capi.chc_column_data(column).tobytes()
    if data.isascii():
        # ASCII: byte offsets are character offsets, so decode once and slice the str.
        text = data.decode('ascii')
        return [text[a:b] for a, b in _pairs(offsets)]
    try:
        return [data[a:b].decode() for a, b in _pairs(offsets)]
    except UnicodeDecodeError:
        pass
    # Invalid UTF-8 somewhere: that value comes back as bytes, the others as str.
    out = []
    for a, b in _pairs(offsets):
        raw = data[a:b]
        try:
            out.append(raw.decode())
        except UnicodeDecodeError:
            out.append(raw)
    return out


def _decode_fixed_string(column, ch_type):
    size = ch_type.fixed_size
    data = capi.chc_column_data(column).tobytes()
    if size == 0:
        return [b''] * capi.chc_column_row_count(column)
    return [data[i:i + size] for i in range(0, len(data), size)]


def _decode_date(column, ch_type):
    fromordinal = date.fromordinal
    epoch = _EPOCH_ORDINAL
    return [fromordinal(epoch + d) for d in _numbers(column, 'H')]


def _decode_datetime(column, ch_type):
    seconds = _numbers(column, 'I')
    tz = ch_type.tzinfo
    if tz is None:
        # Naive UTC (clickhouse-connect's default tz_mode "naive_utc").
        epoch = _EPOCH_NAIVE
        return [epoch + timedelta(seconds=s) for s in seconds]
    if tz is timezone.utc:
        epoch = _EPOCH_UTC
        return [epoch + timedelta(seconds=s) for s in seconds]
    fromtimestamp = datetime.fromtimestamp
    return [fromtimestamp(s, tz) for s in seconds]


def _decode_nullable(column, ch_type):
    null_map = capi.chc_column_null_map(column).tobytes()
    values = decode_column(capi.chc_column_child(column, 0), ch_type.element)
    if b'\x01' not in null_map:
        return values
    return [None if is_null else v for v, is_null in zip(values, null_map)]


def _decode_array(column, ch_type):
    offsets = capi.chc_column_offsets(column).tolist()
    values = decode_column(capi.chc_column_child(column, 0), ch_type.element)
    return [values[a:b] for a, b in _pairs(offsets)]


_DECODERS = {kind: _decode_number for kind in _NUM_FORMATS}
_DECODERS.update({
    k.STRING: _decode_string,
    k.FIXED_STRING: _decode_fixed_string,
    k.DATE: _decode_date,
    k.DATETIME: _decode_datetime,
    k.NULLABLE: _decode_nullable,
    k.ARRAY: _decode_array,
})


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


def make_appender(builder, ch_type):
    """A function value -> None that appends one value to `builder` (a chc_builder)."""
    kind = ch_type.kind
    if kind in _INT_KINDS:
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
    elif kind in _FLOAT_KINDS:
        append = capi.chc_builder_append_double

        def app(v):
            if type(v) is not float:
                if isinstance(v, (str, bytes)) or not hasattr(v, '__float__'):
                    raise _bad(v, ch_type, 'float or int')
                v = float(v)  # int, numpy floats, Decimal...
            append(builder, v)
    elif kind in (k.STRING, k.FIXED_STRING):
        append = capi.chc_builder_append_string

        def app(v):
            if not isinstance(v, (str, bytes)):
                if isinstance(v, (bytearray, memoryview)):
                    v = bytes(v)
                else:
                    raise _bad(v, ch_type, 'str or bytes')
            append(builder, v)
    elif kind == k.DATE:
        append = capi.chc_builder_append_int64

        def app(v):
            if isinstance(v, date):
                v = date_to_days(v)
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
            elif not isinstance(v, int):
                raise _bad(v, ch_type, 'datetime.datetime or int epoch seconds')
            append(builder, v)
    elif kind == k.NULLABLE:
        inner = make_appender(builder, ch_type.element)
        append_null = capi.chc_builder_append_null

        def app(v):
            if v is None:
                append_null(builder)
            else:
                inner(v)
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
    else:
        raise NotSupportedError(f'chconnect cannot insert ClickHouse type {ch_type.name} yet')
    return app


def append_column(builder, ch_type, column_name, values):
    """Appends every value of one column; a value that does not fit raises DataError."""
    app = make_appender(builder, ch_type)
    row = 0
    try:
        for row, v in enumerate(values):
            app(v)
    except DataError as exc:  # the library's CHC_E_TYPE (e.g. 300 into UInt8)
        raise DataError(f'column {column_name!r} ({ch_type.name}), row {row}: {exc}', code=exc.code, name=exc.name,
                        status=exc.status) from exc
    except (TypeError, ValueError, OverflowError, UnicodeError) as exc:
        raise DataError(f'column {column_name!r} ({ch_type.name}), row {row}: {exc}') from exc
