"""Column -> Python conversions on hand-made buffers (chconnect.h section 7 layouts), for the
types the 18.16 test server cannot produce, plus the insert-side value converters."""

import ipaddress
import struct
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from chconnect import _capi as k
from chconnect.datatypes import (BufferColumn as B, ClickHouseType, decode, decode_shared_variant, _decimal_text,
                                 _ipv6_text, _uuid_text, _ipv4_text)


def strings(values):
    """(data, offsets) of a String column."""
    raw = [v.encode() if isinstance(v, str) else v for v in values]
    offsets = [0]
    for r in raw:
        offsets.append(offsets[-1] + len(r))
    return b''.join(raw), offsets


def S(values, type_name='String'):
    data, offsets = strings(values)
    return B(type_name, len(values), data, offsets)


def ints(fmt, values):
    return struct.pack('<' + fmt * len(values), *values)


@pytest.mark.parametrize('name,size,signed', [('Int128', 16, True), ('UInt128', 16, False), ('Int256', 32, True),
                                              ('UInt256', 32, False)])
def test_wide_integers(name, size, signed):
    bits = size * 8
    values = [-(1 << (bits - 1)), (1 << (bits - 1)) - 1, -1, 0, 12345] if signed else [0, (1 << bits) - 1, 1 << 64, 7]
    data = b''.join(v.to_bytes(size, 'little', signed=signed) for v in values)
    got = decode(B(name, len(values), data))
    assert got == values and all(type(v) is int for v in got)


def test_bfloat16_and_bool():
    assert decode(B('BFloat16', 3, ints('H', [0x3FC0, 0xC000, 0x7F80]))) == [1.5, -2.0, float('inf')]
    got = decode(B('Bool', 3, bytes([1, 0, 1])))
    assert got == [True, False, True] and all(type(v) is bool for v in got)


def test_decimals_exact():
    assert decode(B('Decimal(9, 2)', 3, ints('i', [150, -1, 0]))) == [Decimal('1.50'), Decimal('-0.01'), Decimal('0')]
    assert str(decode(B('Decimal(9, 2)', 1, ints('i', [150])))[0]) == '1.50'
    assert decode(B('Decimal(18, 0)', 1, ints('q', [-10 ** 17])))[0] == Decimal(-10 ** 17)
    big = 10 ** 76 - 1  # 76 nines: far beyond the default decimal context (28 digits)
    got = decode(B('Decimal(76, 20)', 2, big.to_bytes(32, 'little', signed=True)
                   + (-big).to_bytes(32, 'little', signed=True)))
    assert got == [Decimal('9' * 56 + '.' + '9' * 20), Decimal('-' + '9' * 56 + '.' + '9' * 20)]
    got128 = decode(B('Decimal(38, 38)', 1, (10 ** 37 + 1).to_bytes(16, 'little', signed=True)))[0]
    assert got128 == Decimal('0.1' + '0' * 36 + '1')
    assert all(type(v) is Decimal for v in got)


def test_date32_and_time():
    days = [date(1900, 1, 1), date(1969, 12, 31), date(2299, 12, 31)]
    epoch = date(1970, 1, 1)
    assert decode(B('Date32', 3, ints('i', [(d - epoch).days for d in days]))) == days
    assert decode(B('Time', 3, ints('i', [0, 45296, -5]))) == [timedelta(0), timedelta(hours=12, minutes=34, seconds=56),
                                                            timedelta(seconds=-5)]
    assert decode(B('Time64(3)', 2, ints('q', [3723250, -1]))) == [timedelta(seconds=3723.25),
                                                                    timedelta(milliseconds=-1)]
    # Beyond microseconds: floored (datetime and timedelta carry microseconds).
    assert decode(B('Time64(9)', 2, ints('q', [1999, -1]))) == [timedelta(microseconds=1), timedelta(microseconds=-1)]


def test_datetime64_naive_and_aware():
    ticks = [1577934245123, -1, 0]  # 2020-01-02 03:04:05.123, 1969-12-31 23:59:59.999
    naive = decode(B('DateTime64(3)', 3, ints('q', ticks)))
    assert naive == [datetime(2020, 1, 2, 3, 4, 5, 123000), datetime(1969, 12, 31, 23, 59, 59, 999000),
                     datetime(1970, 1, 1)]
    assert all(v.tzinfo is None for v in naive)
    # UTC in the type: naive UTC (clickhouse-connect's naive_utc mode).
    assert decode(B("DateTime64(3, 'UTC')", 1, ints('q', ticks[:1]))) == naive[:1]
    aware = decode(B("DateTime64(6, 'Asia/Tokyo')", 1, ints('q', [1577934245123456])))[0]
    assert aware.tzinfo == ZoneInfo('Asia/Tokyo')
    assert aware == datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert (aware.hour, aware.utcoffset()) == (12, timedelta(hours=9))
    assert decode(B('DateTime64(9)', 2, ints('q', [1_500_000_999, -1]))) == [
        datetime(1970, 1, 1, 0, 0, 1, 500000), datetime(1969, 12, 31, 23, 59, 59, 999999)]
    assert decode(B('DateTime64(0)', 1, ints('q', [-86400 * 365])))[0] == datetime(1969, 1, 1)


def test_datetime_zones():
    assert decode(B("DateTime('UTC')", 1, ints('I', [86400])))[0] == datetime(1970, 1, 2)
    berlin = decode(B("DateTime('Europe/Berlin')", 1, ints('I', [1625133600])))[0]
    assert berlin.utcoffset() == timedelta(hours=2) and berlin == datetime(2021, 7, 1, 10, tzinfo=timezone.utc)


def test_uuid_byte_order():
    u = UUID('00112233-4455-6677-8899-aabbccddeeff')
    data = struct.pack('<QQ', u.int >> 64, u.int & (2 ** 64 - 1))  # ClickHouse: high half first, LE
    assert data[:8] == bytes.fromhex('7766554433221100')
    assert decode(B('UUID', 1, data)) == [u]


def test_ip_addresses():
    assert decode(B('IPv4', 2, ints('I', [0xC0A8010A, 0]))) == [ipaddress.IPv4Address('192.168.1.10'),
                                                               ipaddress.IPv4Address('0.0.0.0')]
    v6 = [ipaddress.IPv6Address('2001:db8::1'), ipaddress.IPv6Address('::ffff:1.2.3.4')]
    got = decode(B('IPv6', 2, b''.join(a.packed for a in v6)))
    assert got == v6 and all(type(a) is ipaddress.IPv6Address for a in got)  # v4-mapped stays IPv6


def test_enum_interval_nothing():
    assert decode(B("Enum16('x' = -300, 'y' = 1000)", 3, ints('h', [1000, -300, 5]))) == ['y', 'x', 5]
    assert decode(B('IntervalSecond', 2, ints('q', [2 ** 40, -3]))) == [2 ** 40, -3]
    assert decode(B('Nothing', 2, b'\0\0')) == [None, None]
    assert decode(B('Nullable(Nothing)', 2, null_map=b'\1\1', children=[B('Nothing', 2, b'\0\0')])) == [None, None]


def test_strings_fallback_and_fixed():
    assert decode(S(['a', 'é', b'\xff'])) == ['a', 'é', b'\xff']
    assert decode(B('FixedString(2)', 2, b'abc\0')) == [b'ab', b'c\0']


def test_tuples_named_and_unnamed():
    ints_col = B('UInt8', 2, b'\1\2')
    assert decode(B('Tuple(UInt8, String)', 2, children=[ints_col, S(['x', 'y'])])) == [(1, 'x'), (2, 'y')]
    assert decode(B('Tuple(a UInt8, b String)', 2, children=[ints_col, S(['x', 'y'])])) == [
        {'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}]


def test_nested_is_list_of_dicts():
    inner = B('Tuple(a UInt8, b String)', 3, children=[B('UInt8', 3, b'\1\2\3'), S(['x', 'y', 'z'])])
    col = B('Nested(a UInt8, b String)', 2, offsets=[0, 2, 3], children=[inner])
    assert decode(col) == [[{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}], [{'a': 3, 'b': 'z'}]]


def test_map():
    kv = B('Tuple(keys String, values Nullable(UInt64))', 3,
           children=[S(['a', 'b', 'c']), B('Nullable(UInt64)', 3, null_map=b'\0\1\0',
                                           children=[B('UInt64', 3, ints('Q', [1, 0, 2 ** 64 - 1]))])])
    col = B('Map(String, Nullable(UInt64))', 3, offsets=[0, 2, 2, 3], children=[kv])
    assert decode(col) == [{'a': 1, 'b': None}, {}, {'c': 2 ** 64 - 1}]


def test_low_cardinality():
    col = B('LowCardinality(Nullable(String))', 4, ints('H', [1, 0, 2, 1]), null_map=b'\0\1\0\0',
            children=[S(['', 'x', 'y'])], index_width=2)
    assert decode(col) == ['x', None, 'y', 'x']
    col = B('LowCardinality(UInt32)', 3, bytes([0, 0, 1]), children=[B('UInt32', 2, ints('I', [7, 9]))],
            index_width=1)
    assert decode(col) == [7, 7, 9]


def test_variant():
    # Alternatives sorted by name: Array(UInt8) = 0, String = 1, UInt64 = 2; 255 = NULL.
    arr = B('Array(UInt8)', 1, offsets=[0, 2], children=[B('UInt8', 2, b'\5\6')])
    col = B('Variant(String, UInt64, Array(UInt8))', 5, bytes([2, 1, 255, 0, 2]),
            null_map=b'\0\0\1\0\0', children=[arr, S(['x']), B('UInt64', 2, ints('Q', [1, 2]))])
    assert decode(col) == [1, 'x', None, [5, 6], 2]


def test_dynamic_with_shared_variant():
    shared = ClickHouseType('SharedVariant', k.STRING)
    raw = [bytes([0x0A]) + struct.pack('<q', -5), bytes([0x15, 2]) + b'hi', bytes([0x0D]) + struct.pack('<f', 0.5),
           bytes([0x2D, 1]), bytes([0x99, 1, 2])]
    data, offsets = strings(raw)
    col = B('Dynamic', 7, bytes([0, 1, 1, 1, 255, 1, 1]),
            children=[B('Int64', 1, ints('q', [42])), B(shared, 5, data, offsets)])
    assert decode(col) == [42, -5, 'hi', 0.5, None, True, bytes([0x99, 1, 2])]
    assert decode_shared_variant(b'') == b''


def test_json_rows():
    assert decode(S(['{"a": {"b": 1}, "c": [1, 2]}', '{}'], 'JSON')) == [{'a': {'b': 1}, 'c': [1, 2]}, {}]


def test_geo():
    pts = B('Point', 3, children=[B('Float64', 3, ints('d', [1, 2, 3])), B('Float64', 3, ints('d', [4, 5, 6]))])
    assert decode(pts) == [(1.0, 4.0), (2.0, 5.0), (3.0, 6.0)]
    ring = B('Ring', 2, offsets=[0, 2, 3], children=[pts])
    assert decode(ring) == [[(1.0, 4.0), (2.0, 5.0)], [(3.0, 6.0)]]
    polygon = B('Polygon', 1, offsets=[0, 2], children=[ring])
    assert decode(polygon) == [[[(1.0, 4.0), (2.0, 5.0)], [(3.0, 6.0)]]]


def test_insert_value_texts():
    dec = ClickHouseType('Decimal(9, 2)', k.DECIMAL)
    assert _decimal_text(Decimal('1E+2'), dec) == '100'
    assert _decimal_text(0.1, dec) == '0.1'
    assert _decimal_text(5, dec) == '5'
    with pytest.raises(TypeError):
        _decimal_text(True, dec)
    with pytest.raises(ValueError):
        _decimal_text(Decimal('NaN'), dec)
    u = UUID('00112233-4455-6677-8899-aabbccddeeff')
    t = ClickHouseType('UUID', k.UUID)
    assert {_uuid_text(v, t) for v in (u, str(u), u.int, u.bytes)} == {str(u)}
    t4 = ClickHouseType('IPv4', k.IPV4)
    assert _ipv4_text(0xC0A8010A, t4) == _ipv4_text('192.168.1.10', t4) == '192.168.1.10'
    t6 = ClickHouseType('IPv6', k.IPV6)
    assert _ipv6_text(ipaddress.IPv4Address('1.2.3.4'), t6) == '1.2.3.4'  # the library maps it to ::ffff:
    assert _ipv6_text(b'\0' * 15 + b'\1', t6) == '::1'
    with pytest.raises(ValueError):
        _ipv6_text('not an ip', t6)
