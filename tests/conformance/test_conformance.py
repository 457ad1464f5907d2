"""Byte-level conformance of the Native codec against a current ClickHouse engine (chDB).

For each case (a SELECT):
  decode: engine `FORMAT Native` bytes -> `native_tool dump` == engine `FORMAT TSV`
  encode: engine bytes -> `native_tool roundtrip` -> engine reads the file back
          (`SELECT * FROM file(path, Native)`) -> TSV == original TSV
  bytes:  roundtrip output == engine bytes (revision 0 is deterministic)

Run:  CHC_NATIVE_TOOL=build/tests/conformance/native_tool pytest tests/conformance
      (or --native-tool=PATH).  CHC_CONFORMANCE_CASES=N for more random type trees (default 100),
      CHC_CONFORMANCE_SEED to change the random seed.
"""
import json
import os
import random
import subprocess
import tempfile
import uuid

import pytest

chdb = pytest.importorskip("chdb")

SETTINGS = (
    "session_timezone='UTC', enable_time_time64_type=1, allow_suspicious_low_cardinality_types=1, "
    "allow_experimental_variant_type=1, allow_experimental_dynamic_type=1, allow_experimental_json_type=1, "
    "allow_experimental_qbit_type=1, allow_suspicious_variant_types=1, "
    "allow_experimental_geo_types=1, allow_suspicious_types_in_order_by=1"
)

TMP = tempfile.mkdtemp(prefix="chc_conformance_")


def engine(sql, fmt, extra=""):
    settings = SETTINGS + (", " + extra if extra else "")
    res = chdb.query(f"{sql} SETTINGS {settings}", fmt)
    return res.bytes()


def tool(mode, data, check=True):
    p = subprocess.run([NATIVE_TOOL, mode], input=data, capture_output=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"native_tool {mode} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return p


NATIVE_TOOL = None


@pytest.fixture(scope="session", autouse=True)
def _tool(request):
    global NATIVE_TOOL
    NATIVE_TOOL = request.config.getoption("--native-tool") or os.environ.get("CHC_NATIVE_TOOL")
    if not NATIVE_TOOL:
        pytest.skip("native_tool not given: set CHC_NATIVE_TOOL or --native-tool")
    if not os.path.exists(NATIVE_TOOL):
        pytest.fail(f"native_tool not found at {NATIVE_TOOL}")


def first_diff(a, b):
    al, bl = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"line {i}: ours={x[:300]!r}\n       engine={y[:300]!r}"
    return f"line counts differ: ours={len(al)} engine={len(bl)}"


def conform(sql, extra="", min_blocks=0, expect_bytes=True, dump=True):
    """Runs the decode, encode and byte checks for one query. Returns the engine's Native bytes."""
    native = engine(sql, "Native", extra)
    tsv = engine(sql, "TSV", extra)
    if dump:
        dumped = tool("dump", native).stdout
        assert dumped == tsv, "decode mismatch for " + sql + "\n" + first_diff(dumped, tsv)
    blocks = tool("blocks", native).stdout.decode().splitlines()
    assert len(blocks) >= min_blocks, f"expected >= {min_blocks} blocks, got {len(blocks)}"
    rt = tool("roundtrip", native).stdout
    if native:
        path = os.path.join(TMP, uuid.uuid4().hex + ".native")
        with open(path, "wb") as f:
            f.write(rt)
        back = engine(f"SELECT * FROM file('{path}', Native)", "TSV", extra)
        assert back == tsv, "encode mismatch for " + sql + "\n" + first_diff(back, tsv)
    if expect_bytes:
        assert rt == native, f"roundtrip bytes differ from engine bytes for {sql}: {len(rt)} vs {len(native)}"
    return native


# --------------------------------------------------------------------------------------------
# Per-family cases: (id, sql). Every case also runs with a small max_block_size (several blocks).

N = "FROM numbers(50)"  # many rows; combined with max_block_size=7 -> 8 blocks

FAMILIES = [
    # integers
    ("int8", "SELECT t.1 a, t.2 b, t.3 c FROM (SELECT arrayJoin([(-128, 127, 0), (-1, 1, 5)]::Array(Tuple(Int8, Int8, Int8))) t)"),
    ("uint8_64", "SELECT toUInt8(255) a, toUInt16(65535) b, toUInt32(4294967295) c, toUInt64(18446744073709551615) d, toInt16(-32768) e, toInt32(-2147483648) f, toInt64(-9223372036854775808) g"),
    ("int_rows", f"SELECT number::Int8 a, (number*1000003)::Int32 b, (number * 0x9E3779B97F4A7C15)::UInt64 c, -(number * 0x9E3779B97F4A7C15)::Int64 d {N}"),
    ("wide_ints", "SELECT toInt128('-170141183460469231731687303715884105728') a, toInt128('170141183460469231731687303715884105727') b, toUInt128('340282366920938463463374607431768211455') c, toInt256('-57896044618658097711785492504343953926634992332820282019728792003956564819968') d, toInt256('57896044618658097711785492504343953926634992332820282019728792003956564819967') e, toUInt256('115792089237316195423570985008687907853269984665640564039457584007913129639935') f, toInt128(0) g, toInt256(-1) h"),
    ("wide_rows", f"SELECT (number * 0x9E3779B97F4A7C15)::Int128 * -7919 a, toUInt256(number) * toUInt256('1000000000000000000000000000007') b {N}"),
    # floats
    ("float64", "SELECT arrayJoin([0., -0., 1., -1., 0.1, 0.30000000000000004, 1e20, 1e21, 1e-6, 1e-7, 1.5e-300, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, inf, -inf, nan, -nan, 123456789.125, 2.5e-5, 1e15, 1e16, 9007199254740993., 2.2250738585072014e-308]) x"),
    ("float32", "SELECT arrayJoin([0., -0., 1., 0.1, 3.4028235e38, -3.4028235e38, 1e-45, 1.17549435e-38, 16777216., 16777217., 1e7, 1e21, 1e-7, inf, -inf, nan, 123.456]::Array(Float32)) x"),
    ("float_rows", f"SELECT pow(number * 1.1, 17) a, ((number + 1) / 3)::Float32 b, exp(number * 10. - 250) c {N}"),
    ("bfloat16", "SELECT arrayJoin([0, 1.1, -1.1, 3e38, -0.0001, 1e20, 1e-30, 65504, inf, -inf, nan]::Array(BFloat16)) x"),
    ("bool", "SELECT true a, false b, [true, false] c, CAST(NULL, 'Nullable(Bool)') d"),
    # decimals
    ("decimal", "SELECT toDecimal32(0, 2) a, toDecimal32(-0.5, 2) b, toDecimal32('999999999', 0) c, toDecimal32('-0.999999999', 9) d, toDecimal64('123456789012.345678', 6) e, toDecimal64(100, 3) f, toDecimal128('-99999999999999999999999999999999999999', 0) g, toDecimal128('1.0000000000000000000000000000000000001', 37) h, toDecimal256('12345678901234567890.12345', 30) i, toDecimal256('-0.00000000000000000000000000000000000000000000000000000000000000000000000000001', 76) j"),
    ("decimal_rows", f"SELECT (number::Decimal(9, 3)) / 7 a, (-number * 12345.678)::Decimal(18, 5) b, (number * 1000)::Decimal(38, 2) c, [number / 4]::Array(Decimal(76, 40)) d {N}"),
    # strings
    ("string_escapes", "SELECT arrayJoin(['', 'a', 'tab\\there', 'nl\\nx', 'cr\\rx', 'bs\\\\x', 'q\\'x', 'dq\"x', 'nul\\0x', 'bell\\x07', 'bsp\\bx', 'ff\\fx', 'vt\\x0Bx', 'del\\x7Fx', 'esc\\x1Bx', 'ü日本語🙂', 'bad\\xFF\\xFEutf8', '\\\\N', 'NULL']) s"),
    ("string_all_bytes", "SELECT arrayJoin(arrayMap(i -> char(i), range(256))) s, [s] a, tuple(s) t"),
    ("string_long", "SELECT repeat('x', 100000) s, repeat('ab\\t', 5000) t"),
    ("fixedstring", "SELECT toFixedString('', 3) a, toFixedString('ab', 3) b, toFixedString('a\\0\\tb', 4) c, [toFixedString('x', 2)] d, toFixedString('ü', 2) e"),
    # dates and times
    ("date", "SELECT toDate('1970-01-01') a, toDate('2149-06-06') b, toDate('2000-02-29') c, [toDate('2024-12-31')] d"),
    ("date32", "SELECT toDate32('1900-01-01') a, toDate32('2299-12-31') b, toDate32('1969-12-31') c, [toDate32('1960-02-29')] d"),
    ("date_rows", f"SELECT toDate(number * 997) a, toDate32(number * 2903 - 25567) b {N}"),
    ("datetime", "SELECT toDateTime(0) a, toDateTime(4294967295) b, toDateTime('2024-03-15 14:30:00') c, toDateTime('2024-03-15 14:30:00', 'UTC') d, [toDateTime(86399, 'UTC')] e, toNullable(toDateTime(1, 'UTC')) f"),
    ("datetime_rows", f"SELECT toDateTime(number * 85899345) a {N}"),
    ("datetime64", "SELECT toDateTime64('1900-01-01 00:00:00', 0) a, toDateTime64('2262-04-11 23:47:16.854775807', 9) b, toDateTime64('2299-12-31 23:59:59.99999999', 8) b2, toDateTime64(-1.5, 3) c, toDateTime64(0, 6) d, [toDateTime64('2024-01-01 00:00:00.5', 1, 'UTC')] e, toDateTime64(-0.001, 3) f"),
    ("datetime64_rows", f"SELECT fromUnixTimestamp64Nano(toInt64(number * 123456789123456789 - 3000000000000000000)) a, toDateTime64(number * 1000003.25 - 2000000000, 2) b {N}"),
    ("time", "SELECT toTime(0) a, toTime(-3600) b, toTime(1000000) c, toTime(3661) d, toTime(-1) e, toTime(3599999) f, toTime(-3599999) g, [toTime(5)] h"),
    ("time64", "SELECT toTime64(-1.5, 3) a, toTime64(0, 0) b, toTime64(12.25, 6) c, toTime64(-0.000000001, 9) d, toTime64(3599999.999, 3) e, [toTime64(1, 1)] f"),
    ("time_rows", f"SELECT toTime(number * 77773 - 2000000) a, toTime64(number * 1234.567 - 30000, 3) b {N}"),
    # identifiers and addresses
    ("uuid", "SELECT toUUID('00112233-4455-6677-8899-aabbccddeeff') a, toUUID('00000000-0000-0000-0000-000000000000') b, toUUID('ffffffff-ffff-ffff-ffff-ffffffffffff') c, [generateUUIDv4(1) = generateUUIDv4(1)] d"),
    ("uuid_rows", f"SELECT reinterpretAsUUID(reverse(unhex(lpad(hex(number * 0x9E3779B97F4A7C15), 32, '0')))) a {N}"),
    ("ipv4", "SELECT toIPv4('0.0.0.0') a, toIPv4('255.255.255.255') b, toIPv4('192.168.1.10') c, [toIPv4('1.2.3.4')] d"),
    ("ipv6", "SELECT arrayJoin(['::', '::1', '1::', '::ffff:1.2.3.4', '::1.2.3.4', '::ffff:0:0', '1:0:0:2:0:0:0:3', '2001:db8::ff00:42:8329', 'fe80::1:0:0:1', '1:2:3:4:5:6:7:8', '0:0:1::', '::ffff:0.0.0.0', '::0.0.0.2', '::ffff:ffff:ffff', '1:0:2:0:3:0:4:0'])::IPv6 x, [x] a"),
    ("ip_rows", f"SELECT toIPv4(number * 85899345) a, toIPv6(IPv4NumToString(toUInt32(number * 85899345))) b {N}"),
    # enums and intervals
    ("enum", "SELECT CAST('a', 'Enum8(\\'a\\' = -128, \\'b\\' = 127, \\'q\\\\\\'\\\\t\\' = 0)') a, CAST('q\\'\\t', 'Enum8(\\'a\\' = -128, \\'b\\' = 127, \\'q\\\\\\'\\\\t\\' = 0)') b, CAST('x', 'Enum16(\\'x\\' = -32768, \\'ü\\' = 32767)') c, [CAST('ü', 'Enum16(\\'x\\' = -32768, \\'ü\\' = 32767)')] d"),
    ("interval", "SELECT toIntervalNanosecond(1) a, toIntervalMicrosecond(-2) b, toIntervalMillisecond(3) c, toIntervalSecond(-9223372036854775808) d, toIntervalMinute(5) e, toIntervalHour(6) f, toIntervalDay(7) g, toIntervalWeek(8) h, toIntervalMonth(9) i, toIntervalQuarter(10) j, toIntervalYear(9223372036854775807) k, [toIntervalDay(1)] l"),
    # Nullable
    ("nullable", "SELECT arrayJoin([NULL, 1, NULL]) a, toNullable('x') b, CAST(NULL, 'Nullable(String)') c, NULL d, CAST(NULL, 'Nullable(Decimal(9, 2))') e, [NULL, 'a']::Array(Nullable(String)) f"),
    ("nullable_rows", f"SELECT if(number % 3 = 0, NULL, number) a, if(number % 2 = 0, NULL, toString(number)) b, if(number % 5 = 0, NULL, toDate(number)) c {N}"),
    # containers
    ("array", "SELECT [] a, [[]] b, [1, 2, 3] c, [['a', 'b'], [], ['c']] d, [[[NULL, 'x']], [[]]]::Array(Array(Array(Nullable(String)))) e, emptyArrayString() f"),
    ("array_rows", f"SELECT range(number % 5) a, arrayMap(x -> if(x % 2 = 0, NULL, toString(x)), range(number % 4)) b, [range(number % 3), []] c {N}"),
    ("array_nested_nullable", "SELECT arrayJoin([[[NULL, 'a\\tb', ''], [], [NULL]], [], [[]]]::Array(Array(Array(Nullable(String))))) x"),
    ("tuple", "SELECT (1, 'a') a, CAST((1, 'x'), 'Tuple(a Int8, b String)') b, tuple(1) c, ((1, 2), [(3, 'z')]) d, CAST((NULL, 1), 'Tuple(Nullable(String), UInt8)') e, CAST(('q', 'w'), 'Tuple(`a b` String, `1x` String)') f"),
    ("map", "SELECT map() a, map('k', [1], 'j\\t', []) b, map(1, NULL, 2, 3) c, map('a', map('b', (1, 'c'))) d, [map(toDate(0), toUUID('00112233-4455-6677-8899-aabbccddeeff'))] e"),
    ("map_rows", f"SELECT mapFromArrays(arrayMap(x -> toString(x), range(number % 4)), range(number % 4)) a {N}"),
    ("nested", "SELECT CAST([(1, 'a'), (2, 'b')], 'Nested(x Int8, y String)') n, CAST([], 'Nested(x Int8, y String)') m", ),
    ("nested_flatten0", "SELECT n FROM (SELECT CAST([(1, 'a')], 'Nested(x Int8, y String)') n)"),
    # LowCardinality
    ("lowcard", "SELECT toLowCardinality('a') a, toLowCardinality(toNullable('b')) b, CAST(NULL, 'LowCardinality(Nullable(String))') c, [toLowCardinality('x')] d, (toLowCardinality('y'), 1) e, map(toLowCardinality('k'), toLowCardinality('v')) f, toLowCardinality(toFixedString('ab', 2)) g, toLowCardinality(toUInt64(5)) h, toLowCardinality(toDate(1)) i"),
    ("lowcard_rows", f"SELECT toLowCardinality(toString(number % 7)) a, CAST(if(number % 3 = 0, NULL, toString(number % 5)), 'LowCardinality(Nullable(String))') b, [toLowCardinality(toString(number % 2))] c {N}"),
    ("lowcard_wide_index", "SELECT toLowCardinality(toString(number)) a, toLowCardinality(number) b FROM numbers(70000)"),
    ("lowcard_empty_arrays", "SELECT CAST([], 'Array(LowCardinality(String))') a FROM numbers(3)"),
    # geo
    ("geo", "SELECT (1., 2.)::Point a, [(1.5, 2.), (0., -0.)]::Ring b, [[(1., 2.)], []]::Polygon c, [[[(1., 2.)]]]::MultiPolygon d, [(3., 4.)]::LineString e, [[(5., 6.)]]::MultiLineString f"),
    ("geometry", "SELECT arrayJoin([((1., 2.)::Point)::Geometry, [(1., 2.), (3., 4.)]::MultiPoint::Geometry, NULL, [(1., 2.)]::Ring::Geometry, [[(1., 2.)], []]::Polygon::Geometry, [[[(1., 2.)]]]::MultiPolygon::Geometry, [(5., 6.)]::LineString::Geometry, [[(7., 8.)]]::MultiLineString::Geometry]) v, [v] a, (v, 1) t"),
    ("geometry_dynamic", "SELECT arrayJoin([((1., 2.)::Point)::Geometry, NULL, [(5., 6.)]::LineString::Geometry])::Dynamic v"),
    # empty tuple: one 0x30 per row
    ("empty_tuple", "SELECT tuple() v, [tuple(), tuple()] a, (1, tuple()) t, [(tuple(), 'x')] u FROM numbers(3)"),
    # QBit: bit planes, exposed as arrays of N elements
    ("qbit", "SELECT arrayJoin([[1, 2, 3]::QBit(Float32, 3), [-1.5, 0, 1e30], [inf, -0., 1e-40]]) v, [v] a"),
    ("qbit_wide", "SELECT arrayJoin([[1.5, 2, 3, 4, 5, 6, 7, 8, 9]::QBit(Float64, 9), range(9), [-1e300, 5e-324, 0, 0, 0, 0, 0, 0, 1]]) v, arrayMap(x -> x / 3, range(17))::QBit(BFloat16, 17) b"),
    ("qbit_rows", f"SELECT arrayMap(i -> (number * 7 + i) / 8, range(12))::QBit(Float32, 12) v {N}"),
    # SimpleAggregateFunction
    ("simple_agg", "SELECT CAST(5, 'SimpleAggregateFunction(sum, UInt64)') a, CAST([1, 2], 'SimpleAggregateFunction(groupUniqArrayArray, Array(UInt8))') b, CAST('x', 'SimpleAggregateFunction(anyLast, Nullable(String))') c"),
    # Nothing
    ("nothing", "SELECT NULL a, [] b, [NULL] c, map() d"),
    ("nullable_tuple", "SELECT arrayJoin([CAST((1, 'a'), 'Nullable(Tuple(Int8, String))'), NULL]) t, [t] a"),
    ("lowcard_nested", "SELECT map(toLowCardinality('k'), CAST(NULL, 'LowCardinality(Nullable(String))')) m, [[toLowCardinality(toNullable('x')), NULL]] a, CAST([], 'Array(LowCardinality(Nullable(String)))') e FROM numbers(3)"),
    # Variant / Dynamic
    ("variant", "SELECT arrayJoin([1::Variant(UInt8, String, Array(UInt8)), 'a\\tb', NULL, [1, 2], 255, '']) v, [v, NULL] a, (v, 1) t"),
    ("variant_rows", f"SELECT multiIf(number % 4 = 0, NULL, number % 4 = 1, number::Variant(UInt64, String, Date, Array(Nullable(String))), number % 4 = 2, toString(number), [toString(number), NULL]) v {N}"),
    ("variant_lowcard", "SELECT arrayJoin([toLowCardinality('a')::Variant(LowCardinality(String), Int32), 5, NULL]) v"),
    ("dynamic", "SELECT arrayJoin([1::Dynamic, 'x'::Dynamic, NULL, [1.5]::Dynamic, toDate(1)::Dynamic, (1, 'a')::Dynamic, toDecimal32(1.5, 2)::Dynamic, map('k', 1)::Dynamic]) d, [d] a"),
    ("dynamic_rows", f"SELECT multiIf(number % 3 = 0, number::Dynamic, number % 3 = 1, toString(number)::Dynamic, NULL::Dynamic) d {N}"),
    ("dynamic_nested", "SELECT map('a', 1::Dynamic, 'b', 'x'::Dynamic) m, [NULL::Dynamic, 2::Dynamic] a"),
    # JSON in the STRING serialization (output_format_native_write_json_as_string=1, set below)
    # JSON in the object serializations (default settings: V1 at revision 0), materialised as text;
    # re-encoded in the STRING form, so compared by dump and engine read-back, not bytes
    ("jsonobj_basic", "SELECT arrayJoin(['{\"a\": 1, \"b\": \"x\\\\ty\"}', '{}', '{\"c\": [1, 2], \"d\": {\"e\": null}}', '{\"u\": \"ü\\\\n\", \"s\": \"a/b\\\\u0001\\\\u2028\"}'])::JSON j"),
    ("jsonobj_values", "SELECT '{\"i\": -5, \"u\": 18446744073709551615, \"f\": 1e300, \"g\": 0.1, \"t\": true, \"n\": null, \"arr\": [1, \"x\", null, 2.5], \"o\": [{\"k\": 1}, {\"k\": [2], \"m\": {\"q\": \"r\"}}], \"dt\": \"2020-01-01 00:00:00\", \"dt2\": \"2020-01-01 00:00:00.123\", \"e\": [], \"z\": {}, \"m\": [[1, 2], [3]], \"ip\": \"1.2.3.4\", \"uu\": \"00112233-4455-6677-8899-aabbccddeeff\", \"tup\": [1, \"a\"], \"a\": {\"x\": {\"y\": 1}}, \"b\": {\"x\": {\"z\": 2}}, \"a-b\": 3}'::JSON j"),
    ("jsonobj_typed", "SELECT materialize('{\"c\": 2.5, \"r\": -0.25, \"b\": 1.5, \"d\": {\"k\": 1}, \"e\": {\"x\": 1, \"y\": \"z\"}, \"f\": [1, \"z\"], \"k\": null, \"a\": -5, \"w\": {\"v\": 7}}')::JSON(a Int128, b Decimal(10, 2), c Float32, d Map(String, UInt8), e Tuple(x UInt8, y String), f Tuple(UInt8, String), g Enum8('q' = 1), h IPv6, i LowCardinality(String), k Nullable(UInt8), l FixedString(2), m Date32, n DateTime64(3), o UUID, q UInt256, r Float64, s Bool, t Array(Nullable(String)), `w.v` UInt16, SKIP zz) j"),
    ("jsonobj_shared", f"SELECT multiIf(number % 4 = 0, '{{\"a\": 1, \"n\": {{\"m\": [1, 2]}}}}', number % 4 = 1, '{{\"a\": \"x\", \"b\": [1, 2], \"c\": \"2020-01-01\"}}', number % 4 = 2, '{{\"c\": {{\"d\": 3.5}}, \"e\": [{{\"f\": 1}}], \"g\": true}}', '{{}}')::JSON(max_dynamic_paths=2, max_dynamic_types=1) j, [j] a, (j, 1) t {N}"),
    ("jsonobj_rows", f"SELECT toJSONString(map('k' || toString(number % 7), number, 'x', if(number % 3 = 0, NULL, toString(number))))::JSON j {N}"),
    ("json_string", "SELECT arrayJoin(['{\"a\": 1, \"b\": \"x\\\\ty\"}', '{}', '{\"c\": [1, 2], \"d\": {\"e\": null}}', '{\"u\": \"ü\\\\n\"}'])::JSON j"),
    # random values for types generateRandom cannot produce (via conversions of random columns)
    ("random_leaves", "SELECT toTime(x % 3600000) a, toTime64((y % 3599999999999) / 1000000, 6) b, toBFloat16(f) c, [toBFloat16(f / 1e30)] d, toIntervalSecond(y) e, toIntervalMonth(x) g, multiIf(x % 3 = 0, NULL, x % 3 = 1, s::Variant(String, Int64, Array(Float32)), y::Variant(String, Int64, Array(Float32))) h, multiIf(x % 4 = 0, NULL, x % 4 = 1, s::Dynamic, x % 4 = 2, y::Dynamic, [f]::Dynamic) i FROM generateRandom('x Int32, y Int64, f Float32, s String', 42, 10, 3) LIMIT 500"),
    # empty results and many blocks
    ("empty", "SELECT 1 a, 'x' b WHERE 0"),
    ("empty_block_then_rows", "SELECT number a FROM numbers(20) WHERE number % 7 = 6"),
]


# Engine bugs found by this suite, left in and marked (strict: an XPASS means "fixed, unmark me").
KNOWN_BUGS: dict = {}


def family_params():
    return [pytest.param(n, s, id=n, marks=[pytest.mark.xfail(reason=KNOWN_BUGS[n], strict=True)] if n in KNOWN_BUGS else [])
            for n, s in FAMILIES]


def family_extra(name):
    return "output_format_native_write_json_as_string=1" if name.startswith("json_") else ""


def family_bytes(name):
    # Object-form JSON is re-encoded in the STRING form: same rows, different bytes.
    return not name.startswith("jsonobj")


@pytest.mark.parametrize("name,sql", family_params())
def test_family(name, sql):
    conform(sql, extra=family_extra(name), expect_bytes=family_bytes(name))


@pytest.mark.parametrize("name,sql", family_params())
def test_family_small_blocks(name, sql):
    # Each row in its own block where the pipeline allows it (prefixes repeat per block).
    extra = ", ".join(x for x in ["max_block_size=1, max_threads=1", family_extra(name)] if x)
    conform(f"SELECT * FROM ({sql})", extra=extra, expect_bytes=family_bytes(name))


@pytest.mark.parametrize("name,sql", [(n, s) for n, s in FAMILIES if n.startswith("jsonobj")],
                         ids=[n for n, _ in FAMILIES if n.startswith("jsonobj")])
def test_json_object_text_matches_string_form(name, sql):
    # client_protocol_version is an HTTP parameter; chDB writes V1 at revision 0, so the V2 layout
    # (the same without the ignored VarUInt) is covered by the unit tests. Here: the object text
    # equals the engine's own STRING serialization, byte for byte.
    native = engine(sql, "Native")
    as_string = engine(sql, "Native", "output_format_native_write_json_as_string=1")
    assert tool("dump", native).stdout == tool("dump", as_string).stdout


def test_dynamic_shared_variant_roundtrip():
    # Types beyond max_types go to SharedVariant (binary type + binary value, decoded for the dump).
    conform("SELECT arrayJoin([1::Dynamic, 'x'::Dynamic, NULL, toDate(1)::Dynamic, [1]::Dynamic])::Dynamic(max_types=1) d")
    conform("SELECT arrayJoin([1::Dynamic, 'x'::Dynamic, NULL, toDate(1)::Dynamic, [1]::Dynamic, (1, 'a')::Dynamic, "
            "map('k', [NULL, 1.5])::Dynamic, toDecimal64(-1.25, 3)::Dynamic, toUUID('00112233-4455-6677-8899-aabbccddeeff')::Dynamic, "
            "[[1, 2], [3]]::Array(Array(UInt8))::Dynamic, 'a'::Enum8('a' = 1)::Dynamic, toLowCardinality('lc')::Dynamic, "
            "1::Variant(UInt8, String)::Dynamic, toDateTime64('2020-01-01 00:00:00.5', 3)::Dynamic, toIPv6('::1')::Dynamic, "
            "toFixedString('ab', 2)::Dynamic, true::Dynamic, [1::Dynamic, 'x'::Dynamic]::Dynamic, "
            "'{\"a\": [1, {\"b\": 2}]}'::JSON::Dynamic, toInt256(-3)::Dynamic, toTime64(1.5, 1)::Dynamic])::Dynamic(max_types=1) d")
    # every value in SharedVariant (max_types=0): the binary type encoding of many families
    conform("SELECT arrayJoin([toIntervalYear(3)::Dynamic, toIntervalSecond(2)::Dynamic, toTime(5)::Dynamic, "
            "toTime64(1.5, 2)::Dynamic, toBFloat16(1.5)::Dynamic, toDate32('1900-01-01')::Dynamic, "
            "toDateTime('2020-01-01 00:00:00', 'UTC')::Dynamic, toInt128(-7)::Dynamic, toUInt256(9)::Dynamic, "
            "toDecimal256('1.5', 40)::Dynamic, CAST([(1, 'a')], 'Nested(x Int8, y String)')::Dynamic, "
            "toIPv4('1.2.3.4')::Dynamic, ((1., 2.)::Point)::Geometry::Dynamic, [(1., 2.)]::Ring::Dynamic, "
            "'b'::Enum16('a' = -1000, 'b' = 1000)::Dynamic, tuple()::Dynamic, [1, 2]::QBit(Float32, 2)::Dynamic, "
            "[[1.5, 2.5]]::Array(QBit(BFloat16, 2))::Dynamic, NULL])::Dynamic(max_types=0) d")


def test_many_blocks():
    native = conform("SELECT number a, toString(number) s, [number] arr FROM numbers(1000)",
                     extra="max_block_size=7, max_threads=1", min_blocks=100)
    assert native


# --------------------------------------------------------------------------------------------
# Random type trees, values generated by the engine (generateRandom).

LEAVES = [
    "Int8", "Int16", "Int32", "Int64", "Int128", "Int256", "UInt8", "UInt16", "UInt32", "UInt64",
    "UInt128", "UInt256", "Float32", "Float64", "Bool", "String", "FixedString(1)", "FixedString(5)",
    "Date", "Date32", "DateTime", "DateTime('UTC')", "DateTime64(3)", "DateTime64(9, 'UTC')", "DateTime64(0)",
    "Decimal(9, 2)", "Decimal(18, 0)", "Decimal(38, 10)", "Decimal(76, 38)", "UUID", "IPv4", "IPv6",
    "Enum8('a' = 1, 'b' = -2, 'c\\'d' = 100)", "Enum16('x' = -1000, 'y' = 1000)",
    "Point", "Ring", "Polygon", "MultiPolygon",
]
LC_OK = ["String", "FixedString(5)", "Int32", "UInt64", "UInt256", "Float64", "Date", "Date32", "DateTime",
         "UUID", "IPv4", "IPv6", "Bool"]
NULLABLE_OK = set(LEAVES) - {"Point", "Ring", "Polygon", "MultiPolygon"}


def random_type(rng, depth=0):
    r = rng.random()
    if depth >= 4 or r < 0.35:
        return rng.choice(LEAVES)
    r = rng.random()
    if r < 0.12:
        return f"Nullable({rng.choice(sorted(NULLABLE_OK))})"
    if r < 0.22:
        inner = rng.choice(LC_OK)
        return f"LowCardinality({'Nullable(' + inner + ')' if rng.random() < 0.5 else inner})"
    if r < 0.50:
        return f"Array({random_type(rng, depth + 1)})"
    if r < 0.70:
        k = rng.randint(1, 4)
        elems = [random_type(rng, depth + 1) for _ in range(k)]
        if rng.random() < 0.5:
            return "Tuple(" + ", ".join(f"e{i} {t}" for i, t in enumerate(elems)) + ")"
        return "Tuple(" + ", ".join(elems) + ")"
    if r < 0.85:
        key = rng.choice(["String", "Int32", "UInt64", "Date", "UUID", "LowCardinality(String)", "IPv4", "FixedString(5)"])
        return f"Map({key}, {random_type(rng, depth + 1)})"
    return f"Array(Nullable({rng.choice(sorted(NULLABLE_OK))}))"


def random_cases():
    count = int(os.environ.get("CHC_CONFORMANCE_CASES", "100"))
    seed = int(os.environ.get("CHC_CONFORMANCE_SEED", "20261124"))
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        ncols = rng.randint(1, 3)
        cols = ", ".join(f"c{j} {random_type(rng)}" for j in range(ncols))
        rows = rng.choice([1, 5, 40])
        block = rng.choice([1, 3, 65409])
        cases.append((i, cols, rng.randint(0, 2**31), rows, block))
    return cases


RANDOM = random_cases()


@pytest.mark.parametrize("case", RANDOM, ids=[f"r{c[0]}" for c in RANDOM])
def test_random(case):
    _, cols, seed, rows, block = case
    sql = f"SELECT * FROM generateRandom('{cols.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}', {seed}, 8, 3) LIMIT {rows}"
    conform(sql, extra=f"max_block_size={block}, max_threads=1")


# --------------------------------------------------------------------------------------------
# Arrow export (chc_block_export_arrow's mapping) of the engine's Native bytes: `arrow_tool`
# (next to native_tool) exports every block and renders each row from the exported Arrow
# structures only; the rows must equal the engine's own JSONEachRow. Variant -> dense union,
# Dynamic and JSON -> arrow.json text; also nested in Array, Map and Tuple, over several blocks.

ARROW_JSON_SETTINGS = ("output_format_json_quote_64bit_integers=0, output_format_json_quote_64bit_floats=0, "
                       "output_format_json_quote_decimals=0")
VARIANT_WIDE = ("Variant(Int8, Float64, Date, Bool, Tuple(a UInt8, b String), Map(String, UInt8), "
                "LowCardinality(String))")

ARROW_CASES = [
    ("variant", "SELECT CAST(number % 4 = 0 ? NULL : (number % 4 = 1 ? toString(number) : (number % 4 = 2 ? "
                "[number, 1] : number)), 'Variant(String, UInt64, Array(UInt64))') AS v FROM numbers(50)"),
    ("variant_wide", f"SELECT multiIf(number % 8 = 0, NULL, number % 8 = 1, CAST(toInt8(-number), '{VARIANT_WIDE}'), "
                     f"number % 8 = 2, CAST(number / 4, '{VARIANT_WIDE}'), "
                     f"number % 8 = 3, CAST(toDate('2020-01-01') + number, '{VARIANT_WIDE}'), "
                     f"number % 8 = 4, CAST(toBool(number % 3 = 0), '{VARIANT_WIDE}'), "
                     f"number % 8 = 5, CAST(tuple(toUInt8(number), 'x')::Tuple(a UInt8, b String), '{VARIANT_WIDE}'), "
                     f"number % 8 = 6, CAST(map('k', toUInt8(number)), '{VARIANT_WIDE}'), "
                     f"CAST(toLowCardinality(concat('lc', toString(number % 3))), '{VARIANT_WIDE}')) AS v "
                     "FROM numbers(50)"),
    ("geometry", "SELECT arrayJoin([((1., 2.)::Point)::Geometry, [(1., 2.), (3., 4.)]::Ring::Geometry, "
                 "[[(0., 0.), (1., 1.)]]::Polygon::Geometry, NULL]) AS g"),
    ("dynamic", "SELECT arrayJoin([1::Dynamic, 'x'::Dynamic, NULL, toDate(1)::Dynamic, [1]::Dynamic, (1, 'a')::Dynamic, "
                "map('k', [NULL, 1.5])::Dynamic, toDecimal64(-1.25, 3)::Dynamic, "
                "toUUID('00112233-4455-6677-8899-aabbccddeeff')::Dynamic, [[1, 2], [3]]::Array(Array(UInt8))::Dynamic, "
                "'a'::Enum8('a' = 1)::Dynamic, toLowCardinality('lc')::Dynamic, 1::Variant(UInt8, String)::Dynamic, "
                "toDateTime64('2020-01-01 00:00:00.5', 3)::Dynamic, toIPv6('::1')::Dynamic, toFixedString('ab', 2)::Dynamic, "
                "true::Dynamic, [1::Dynamic, 'x'::Dynamic]::Dynamic, '{\"a\": [1, {\"b\": 2}]}'::JSON::Dynamic, "
                "toInt256(-3)::Dynamic, toInt64(-5)::Dynamic, 2.5::Dynamic, toFloat32(0.1)::Dynamic, "
                "toIPv4('1.2.3.4')::Dynamic, toDateTime('2020-01-01 10:00:00', 'UTC')::Dynamic, "
                "'q\"uo\\\\te\\n'::Dynamic]) AS d"),
    ("dynamic_shared", "SELECT arrayJoin([1::Dynamic, 'x'::Dynamic, NULL, toDate(1)::Dynamic, [1]::Dynamic, (1, 'a')::Dynamic, "
                       "toInt128(-7)::Dynamic])::Dynamic(max_types=1) AS d"),
    ("json", "SELECT arrayJoin(['{\"a\":1,\"b\":{\"c\":\"x\",\"d\":[1,2]}}', "
             "'{\"a\":2.5,\"e\":[{\"f\":1},{\"g\":\"h\"}]}', '{}', '{\"b\":{\"c\":null}}', "
             "'{\"n\":-7,\"t\":true,\"s\":\"q\\\\\"uote\"}'])::JSON AS j"),
    ("json_typed", "SELECT arrayJoin(['{\"a\":1,\"b\":{\"c\":\"x\"}}', '{\"a\":2,\"z\":[1.5]}'])"
                   "::JSON(a UInt32, b.c String) AS j"),
    ("nested", "SELECT [CAST(number, 'Variant(String, UInt64)'), NULL, CAST(concat('s', toString(number)), "
               "'Variant(String, UInt64)')] AS av, map('m', CAST(number % 3 = 0 ? NULL : number, 'Dynamic')) AS md, "
               "tuple(concat('{\"k\":', toString(number), '}')::JSON, CAST(number % 2 ? toString(number) : NULL, "
               "'Variant(String, UInt64)'))::Tuple(j JSON, v Variant(String, UInt64)) AS t, "
               "[concat('{\"x\":', toString(number), '}')::JSON] AS aj FROM numbers(50)"),
]


def arrow_rows(native):
    tool_path = os.path.join(os.path.dirname(NATIVE_TOOL), "arrow_tool")
    p = subprocess.run([tool_path], input=native, capture_output=True, timeout=120)
    assert p.returncode == 0, f"arrow_tool failed ({p.returncode}): {p.stderr.decode(errors='replace')}"
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


@pytest.mark.parametrize("blocks", ["one_block", "small_blocks"])
@pytest.mark.parametrize("name,sql", ARROW_CASES, ids=[n for n, _ in ARROW_CASES])
def test_arrow_export_matches_engine_values(name, sql, blocks):
    extra = "max_block_size=3, max_threads=1" if blocks == "small_blocks" else ""
    for json_extra in ["", "output_format_native_write_json_as_string=1"]:
        native_extra = ", ".join(x for x in [extra, json_extra] if x)
        ours = arrow_rows(engine(f"SELECT * FROM ({sql})", "Native", native_extra))
        want = [json.loads(line) for line in
                engine(f"SELECT * FROM ({sql})", "JSONEachRow", ", ".join(x for x in [extra, ARROW_JSON_SETTINGS] if x))
                .decode().splitlines()]
        assert len(ours) == len(want), f"{len(ours)} rows vs the engine's {len(want)}"
        for i, (a, b) in enumerate(zip(ours, want)):
            assert a == b, f"row {i} ({native_extra or 'defaults'}): ours {a} != engine {b}"


# --------------------------------------------------------------------------------------------
# Types the engine does not support yet: a clear error, no crash.

UNSUPPORTED = [
    ("aggregate_function", "SELECT sumState(1) v"),
]


@pytest.mark.parametrize("sql", [s for _, s in UNSUPPORTED], ids=[i for i, _ in UNSUPPORTED])
def test_unsupported_types(sql):
    native = engine(sql, "Native")
    assert native
    for mode in ("dump", "roundtrip"):
        p = tool(mode, native, check=False)
        assert p.returncode == 2, f"{mode}: exit {p.returncode}, stderr {p.stderr!r}"
        err = p.stderr.decode()
        assert err.startswith("unsupported:"), err
        assert "not supported" in err or "cannot be read" in err, err


# --------------------------------------------------------------------------------------------
# Spec (shared/spec/native-format.md) statements checked on the engine's bytes.

def col_data(native, name_type_len):
    return native[name_type_len:]


def test_spec_empty_result_is_empty_body():
    # §2.1: zero rows -> empty body (not a header block) from this engine.
    assert engine("SELECT 1 a WHERE 0", "Native") == b""


def test_spec_nothing_placeholder():
    # §4.4 / §8.5: Nullable(Nothing) = null map + 0x30; Tuple() = one 0x30 per row.
    assert engine("SELECT NULL AS n", "Native") == b"\x01\x01\x01n\x11Nullable(Nothing)\x01\x30"
    assert engine("SELECT tuple() AS t", "Native") == b"\x01\x01\x01t\x07Tuple()\x30"


def test_spec_lowcardinality_layout():
    # §8.6
    got = engine("SELECT toLowCardinality(arrayJoin(['a', 'b', 'a'])) AS lc", "Native", "max_threads=1")
    assert got == (b"\x01\x03\x02lc\x16LowCardinality(String)" + (1).to_bytes(8, "little") +
                   (0x0600).to_bytes(8, "little") + (3).to_bytes(8, "little") + b"\x00\x01a\x01b" +
                   (3).to_bytes(8, "little") + b"\x01\x02\x01")
    got = engine("SELECT CAST(arrayJoin(['yes', NULL, 'yes']), 'LowCardinality(Nullable(String))') AS lc", "Native", "max_threads=1")
    assert got.endswith((3).to_bytes(8, "little") + b"\x00\x00\x03yes" + (3).to_bytes(8, "little") + b"\x02\x00\x02")


def test_spec_lowcardinality_prefix_before_offsets():
    # §2.6: Array(LowCardinality(String)) = [UInt64 1][offsets][LC body]
    got = engine("SELECT [toLowCardinality('a')] AS x", "Native")
    head = b"\x01\x01\x01x\x1dArray(LowCardinality(String))"
    assert got.startswith(head)
    body = got[len(head):]
    assert body[:8] == (1).to_bytes(8, "little")
    assert body[8:16] == (1).to_bytes(8, "little")  # offsets
    # Tuple(LowCardinality(String), Int32) = [UInt64 1][LC body][Int32 body]
    got = engine("SELECT (toLowCardinality('a'), toInt32(7)) AS x", "Native")
    head = b"\x01\x01\x01x\x24Tuple(LowCardinality(String), Int32)"
    assert got.startswith(head)
    body = got[len(head):]
    assert body[:8] == (1).to_bytes(8, "little")
    assert body.endswith((7).to_bytes(4, "little"))


def test_spec_lowcardinality_empty_arrays():
    # §5.6: rows hold no elements -> nothing after the prefix.
    got = engine("SELECT CAST([], 'Array(LowCardinality(String))') AS x", "Native")
    head = b"\x01\x01\x01x\x1dArray(LowCardinality(String))"
    assert got == head + (1).to_bytes(8, "little") + (0).to_bytes(8, "little")


def test_spec_datetime_timezone_dropped_at_top_level():
    # §4.5 / §8.3
    got = engine("SELECT toDateTime('2024-03-15 14:30:00', 'UTC') AS d, toNullable(d) AS n, [d] AS a, toDateTime64(0, 3, 'UTC') AS e", "Native")
    assert b"\x01d\x08DateTime" in got
    assert b"Nullable(DateTime('UTC'))" in got
    assert b"Array(DateTime('UTC'))" in got
    assert b"DateTime64(3, 'UTC')" in got


def test_spec_fixed_layouts():
    # §4.1 UUID, §4 IPv4, §8.7 Enum/Decimal
    got = engine("SELECT toUUID('00112233-4455-6677-8899-aabbccddeeff') AS u", "Native")
    assert got.endswith(bytes.fromhex("7766554433221100ffeeddccbbaa9988"))
    got = engine("SELECT toIPv4('192.168.1.10') AS i", "Native")
    assert got.endswith(bytes.fromhex("0a01a8c0"))
    got = engine("SELECT CAST('b', 'Enum8(\\'a\\\\\\'x\\' = 1, \\'b\\' = -2)') AS e", "Native")
    assert got == b"\x01\x01\x01e\x1bEnum8('b' = -2, 'a\\'x' = 1)\xfe"
    got = engine("SELECT toDecimal32(123.4567, 4) AS d", "Native")
    assert got == b"\x01\x01\x01d\x0dDecimal(9, 4)" + bytes.fromhex("87d61200")


def test_spec_block_split():
    # §2.1: max_block_size=2 over 5 rows -> 2, 2, 1
    native = engine("SELECT number FROM numbers(5)", "Native", "max_block_size=2, max_threads=1")
    blocks = tool("blocks", native).stdout.decode().split("\n")[:-1]
    assert [b.split("\t")[0] for b in blocks] == ["2", "2", "1"]
