#!/usr/bin/env python3
"""Real-consumer check of chconnect's Arrow C Data Interface with pyarrow.

Loads libchconnect through ctypes, runs a query against the real server (CHC_TEST_URL), exports the
result with chc_result_export_arrow_stream and imports it with pyarrow's RecordBatchReader
._import_from_c, checking types and values. Then the reverse: a pyarrow table exported with
RecordBatchReader._export_to_c is appended to an insert with chc_insert_append_arrow, sent, and read
back. Then the types 18.16 lacks (Variant, Dynamic, JSON) against the chDB stand-in for a current
server (CHC_CHDB_URL, or one started here with tests/server/chdb_start.sh): pyarrow validates the
dense unions and JSON text columns, and their values are compared with the engine's JSONEachRow.
Usage: arrow_pyarrow_check.py [path/to/libchconnect.so]  (env CHC_TEST_URL; CHC_LIB also works)
Exit status 0 = all checks passed.
"""
import ctypes
import datetime
import decimal
import json
import os
import re
import subprocess
import sys
import uuid

import pyarrow as pa

LIB = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CHC_LIB", "build/libchconnect.so")
URL = os.environ["CHC_TEST_URL"]

lib = ctypes.CDLL(os.path.abspath(LIB))
P = ctypes.c_void_p
PP = ctypes.POINTER(ctypes.c_void_p)
for name, res, args in [
    ("chc_config_new", P, []),
    ("chc_config_free", None, [P]),
    ("chc_config_set_url", ctypes.c_int32, [P, ctypes.c_char_p, PP]),
    ("chc_client_open", ctypes.c_int32, [P, PP, PP]),
    ("chc_client_free", None, [P]),
    ("chc_query_new", P, [ctypes.c_char_p, ctypes.c_size_t]),
    ("chc_query_free", None, [P]),
    ("chc_client_query", ctypes.c_int32, [P, P, PP, PP]),
    ("chc_client_command", ctypes.c_int32, [P, P, PP, PP]),
    ("chc_response_free", None, [P]),
    ("chc_response_body", ctypes.c_char_p, [P, ctypes.POINTER(ctypes.c_size_t)]),
    ("chc_result_free", None, [P]),
    ("chc_result_export_arrow_stream", ctypes.c_int32, [P, P, PP]),
    ("chc_client_insert_begin", ctypes.c_int32, [P, ctypes.c_char_p, P, ctypes.c_size_t, P, PP, PP]),
    ("chc_insert_append_arrow", ctypes.c_int32, [P, P, PP]),
    ("chc_insert_finish", ctypes.c_int32, [P, PP, PP]),
    ("chc_insert_free", None, [P]),
    ("chc_error_message", ctypes.c_char_p, [P]),
    ("chc_error_free", None, [P]),
]:
    f = getattr(lib, name)
    f.restype = res
    f.argtypes = args

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def call(fn, *args):
    err = ctypes.c_void_p()
    status = fn(*args, ctypes.byref(err))
    if status != 0:
        msg = lib.chc_error_message(err).decode()
        lib.chc_error_free(err)
        raise RuntimeError(f"{fn.__name__} -> {status}: {msg}")


def open_client(url):
    cfg = lib.chc_config_new()
    call(lib.chc_config_set_url, cfg, url.encode())
    cl = ctypes.c_void_p()
    call(lib.chc_client_open, cfg, ctypes.byref(cl))
    lib.chc_config_free(cfg)
    return cl


client = open_client(URL)


def command(sql, cl=None):
    q = lib.chc_query_new(sql.encode(), len(sql.encode()))
    resp = ctypes.c_void_p()
    call(lib.chc_client_command, cl or client, q, ctypes.byref(resp))
    body = lib.chc_response_body(resp, None).decode()
    lib.chc_response_free(resp)
    lib.chc_query_free(q)
    return body


def arrow_query(sql, cl=None):
    q = lib.chc_query_new(sql.encode(), len(sql.encode()))
    result = ctypes.c_void_p()
    call(lib.chc_client_query, cl or client, q, ctypes.byref(result))
    lib.chc_query_free(q)
    stream = ctypes.create_string_buffer(64)  # struct ArrowArrayStream: 5 pointers
    call(lib.chc_result_export_arrow_stream, result, stream)
    lib.chc_result_free(result)  # the stream keeps what it needs
    reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    return reader.read_all()


# ---- export: a result into pyarrow ---------------------------------------------------------------
SQL = """
SELECT toInt8(-number) AS i8, toUInt8(number) AS u8, toInt16(number) AS i16, toUInt16(number) AS u16,
       toInt32(number) AS i32, toUInt32(number) AS u32, toInt64(number) - 5 AS i64, number AS u64,
       toFloat32(number / 2) AS f32, toFloat64(number) / 4 AS f64,
       concat('s', toString(number)) AS s, toFixedString(toString(number % 10), 2) AS fs,
       toDate('2020-01-01') + number AS d, toDateTime('2020-01-01 00:00:00', 'UTC') + number AS dt,
       toDecimal32(number, 2) AS d32, toDecimal64(number, 4) / 3 AS d64, toDecimal128(number, 10) AS d128,
       toUUID('01234567-89ab-cdef-0011-223344556677') AS u,
       if(number % 2 = 0, NULL, number) AS nn, if(number % 3 = 0, NULL, toString(number)) AS ns,
       arrayMap(x -> toString(x), range(number % 3)) AS arr, [[number], []] AS arr2,
       (number, toString(number)) AS tup,
       CAST(if(number % 2, 'a', 'b') AS Enum8('a' = 1, 'b' = -2)) AS e8,
       toLowCardinality(toString(number % 3)) AS lc
FROM system.numbers LIMIT 10
"""
t = arrow_query(SQL)
check(t.num_rows == 10, f"10 rows (got {t.num_rows})")
s = t.schema
expect_types = {
    "i8": pa.int8(), "u8": pa.uint8(), "i16": pa.int16(), "u16": pa.uint16(), "i32": pa.int32(),
    "u32": pa.uint32(), "i64": pa.int64(), "u64": pa.uint64(), "f32": pa.float32(), "f64": pa.float64(),
    "s": pa.large_binary(), "fs": pa.binary(2), "d": pa.date32(), "dt": pa.timestamp("s"),  # 18.16 drops the tz
    "d32": pa.decimal128(9, 2), "d64": pa.decimal128(18, 4), "d128": pa.decimal128(38, 10), "u": pa.binary(16),
    "nn": pa.uint64(), "ns": pa.large_binary(),
    "arr": pa.large_list(pa.field("item", pa.large_binary(), nullable=False)),
    "arr2": pa.large_list(pa.field("item", pa.large_list(pa.field("item", pa.uint64(), nullable=False)), nullable=False)),
    "e8": pa.dictionary(pa.int8(), pa.utf8()), "lc": pa.dictionary(pa.int32(), pa.large_binary()),
}
for name, typ in expect_types.items():
    check(s.field(name).type == typ, f"type of {name}: {s.field(name).type} == {typ}")
check(pa.types.is_struct(s.field("tup").type), f"tup is a struct: {s.field('tup').type}")
check(s.field("nn").nullable and not s.field("u64").nullable, "nullability flags")
rows = t.to_pylist()
r3 = rows[3]
check(r3["i8"] == -3 and r3["u64"] == 3 and r3["i64"] == -2, "integers")
check(r3["f32"] == 1.5 and r3["f64"] == 0.75, "floats")
check(r3["s"] == b"s3" and r3["fs"] == b"3\x00", "strings")
check(r3["d"] == datetime.date(2020, 1, 4), f"date {r3['d']}")
check(r3["dt"].replace(tzinfo=None) == datetime.datetime(2020, 1, 1, 0, 0, 3), f"datetime {r3['dt']}")
tz = arrow_query("SELECT toDateTime(1, 'Asia/Tokyo') AS t, toDateTime(2) AS n")
check(tz.schema.field("t").type in (pa.timestamp("s", tz="Asia/Tokyo"), pa.timestamp("s")), f"DateTime tz: {tz.schema}")
check(tz.column("t")[0].value == 1 and tz.column("n")[0].value == 2, "DateTime seconds since the epoch")
check(r3["d32"] == decimal.Decimal("3.00") and r3["d64"] == decimal.Decimal("1.0000"), f"decimals {r3['d32']} {r3['d64']}")
check(r3["d128"] == decimal.Decimal(3), "decimal128")
check(uuid.UUID(bytes=r3["u"]) == uuid.UUID("01234567-89ab-cdef-0011-223344556677"), "uuid byte order")
check([r["nn"] for r in rows[:4]] == [None, 1, None, 3], "nullable numbers")
check([r["ns"] for r in rows[:4]] == [None, b"1", b"2", None], "nullable strings")
check(rows[2]["arr"] == [b"0", b"1"] and rows[3]["arr"] == [], "arrays")
check(rows[4]["arr2"] == [[4], []], "nested arrays")
check(list(r3["tup"].values()) == [3, "3"] or list(r3["tup"].values()) == [3, b"3"], f"tuple {r3['tup']}")
check([r["e8"] for r in rows[:2]] == ["b", "a"], "enum as dictionary")
check([r["lc"] for r in rows[:4]] == [b"0", b"1", b"2", b"0"], "low cardinality")
# a larger stream, several batches
big = arrow_query("SELECT number, toString(number) AS s FROM system.numbers LIMIT 300000")
check(big.num_rows == 300000 and sum(big.column("number").to_pylist()) == 299999 * 300000 // 2, "300000 rows in batches")
empty = arrow_query("SELECT number FROM system.numbers LIMIT 0")
check(empty.num_rows == 0, f"empty result ({empty.schema})")

# ---- import: a pyarrow table into an insert ------------------------------------------------------
table = "arrow_pyarrow_check_%d" % os.getpid()
command(f"DROP TABLE IF EXISTS {table}")
command(f"""CREATE TABLE {table} (id UInt32, name String, score Nullable(Float64), day Date,
            ts DateTime, amount Decimal(18, 3), u UUID, tags Array(String), tag LowCardinality(String))
            ENGINE = Memory""")
src = pa.table({
    "id": pa.array([1, 2, 3], pa.uint32()),
    "name": pa.array(["a", "bé", ""], pa.string()),
    "score": pa.array([1.5, None, -2.0], pa.float64()),
    "day": pa.array([datetime.date(2021, 5, 1), datetime.date(1970, 1, 2), datetime.date(2100, 1, 1)], pa.date32()),
    "ts": pa.array([datetime.datetime(2021, 5, 1, 12, 0, 1)] * 3, pa.timestamp("ms", tz="UTC")),
    "amount": pa.array([decimal.Decimal("1.250"), decimal.Decimal("-3.000"), decimal.Decimal("0.001")], pa.decimal128(10, 3)),
    "u": pa.array([uuid.UUID("01234567-89ab-cdef-0011-223344556677").bytes] * 3, pa.binary(16)),
    "tags": pa.array([["x", "y"], [], ["z"]], pa.list_(pa.string())),
    "tag": pa.array(["p", "q", "p"]).dictionary_encode(),
})
ins = ctypes.c_void_p()
call(lib.chc_client_insert_begin, client, table.encode(), None, 0, None, ctypes.byref(ins))
stream = ctypes.create_string_buffer(64)
pa.RecordBatchReader.from_batches(src.schema, src.to_batches(max_chunksize=2))._export_to_c(ctypes.addressof(stream))
call(lib.chc_insert_append_arrow, ins, stream)
check(ctypes.cast(stream, PP)[3] is None, "stream released by chc_insert_append_arrow")
# a bad one: NULL into a non-Nullable column -> CHC_E_TYPE, rows unchanged
bad = pa.table({"id": pa.array([None], pa.uint32()), "name": ["n"], "score": [1.0], "day": pa.array([0], pa.date32()),
                "ts": pa.array([0], pa.timestamp("s")), "amount": pa.array([decimal.Decimal(1)], pa.decimal128(5, 0)),
                "u": pa.array([b"\0" * 16], pa.binary(16)), "tags": [["t"]], "tag": ["p"]})
stream2 = ctypes.create_string_buffer(64)
pa.RecordBatchReader.from_batches(bad.schema, bad.to_batches())._export_to_c(ctypes.addressof(stream2))
err = ctypes.c_void_p()
status = lib.chc_insert_append_arrow(ins, stream2, ctypes.byref(err))
check(status == 13, f"NULL into UInt32 gives CHC_E_TYPE (got {status}: {lib.chc_error_message(err).decode() if err else ''})")
lib.chc_error_free(err)
call(lib.chc_insert_finish, ins, None)
lib.chc_insert_free(ins)
got = command(f"SELECT id, name, score, day, ts, amount, u, tags, tag FROM {table} ORDER BY id FORMAT TSV")
want = ("1\ta\t1.5\t2021-05-01\t2021-05-01 12:00:01\t1.250\t01234567-89ab-cdef-0011-223344556677\t['x','y']\tp\n"
        "2\tbé\t\\N\t1970-01-02\t2021-05-01 12:00:01\t-3.000\t01234567-89ab-cdef-0011-223344556677\t[]\tq\n"
        "3\t\t-2\t2100-01-01\t2021-05-01 12:00:01\t0.001\t01234567-89ab-cdef-0011-223344556677\t['z']\tp\n")
check(got == want, "inserted rows read back:\n" + got)
# round trip: our export -> pyarrow -> our import
rt = arrow_query(f"SELECT * FROM {table} ORDER BY id")
ins = ctypes.c_void_p()
call(lib.chc_client_insert_begin, client, table.encode(), None, 0, None, ctypes.byref(ins))
stream3 = ctypes.create_string_buffer(64)
pa.RecordBatchReader.from_batches(rt.schema, rt.to_batches())._export_to_c(ctypes.addressof(stream3))
call(lib.chc_insert_append_arrow, ins, stream3)
call(lib.chc_insert_finish, ins, None)
lib.chc_insert_free(ins)
rt_got = command(f"SELECT count(), uniqExact(id, name, day, ts, amount, u, tags, tag), uniqExact(id, score), countIf(isNull(score)) FROM {table}")
check(rt_got == "6\t3\t2\t2\n",
      "round trip via pyarrow gives identical rows: " + rt_got)
command(f"DROP TABLE {table}")
lib.chc_client_free(client)


# ---- Variant, Dynamic, JSON: against the chDB stand-in (a current engine) --------------------------
def insert_arrow(cl, table_name, tbl):
    ins = ctypes.c_void_p()
    call(lib.chc_client_insert_begin, cl, table_name.encode(), None, 0, None, ctypes.byref(ins))
    st = ctypes.create_string_buffer(64)
    pa.RecordBatchReader.from_batches(tbl.schema, tbl.to_batches())._export_to_c(ctypes.addressof(st))
    try:
        call(lib.chc_insert_append_arrow, ins, st)
        call(lib.chc_insert_finish, ins, None)
    finally:
        lib.chc_insert_free(ins)


def engine_rows(cl, sql):
    body = command(sql + " FORMAT JSONEachRow SETTINGS output_format_json_quote_64bit_integers=0", cl)
    return [json.loads(line) for line in body.splitlines()]


def check_current_types(cl):
    # max_block_size=3: several blocks, each Dynamic block with its own alternatives
    select = """
SELECT number AS n,
       CAST(number % 4 = 0 ? NULL : (number % 4 = 1 ? toString(number) : (number % 4 = 2 ? [number, 1] : number)),
            'Variant(String, UInt64, Array(UInt64))') AS v,
       multiIf(number % 5 = 0, NULL, number % 5 = 1, CAST(number, 'Dynamic'), number % 5 = 2,
               CAST(concat('s"', toString(number)), 'Dynamic'), number % 5 = 3, CAST([number, 2], 'Dynamic'),
               CAST(toDate('2020-01-01') + number, 'Dynamic')) AS d,
       concat('{"a":', toString(number), ',"b":{"s":"x', toString(number), '"}}')::JSON AS j,
       [CAST(number, 'Variant(String, UInt64)'), NULL, CAST(concat('s', toString(number)), 'Variant(String, UInt64)')]
         AS av,
       tuple(concat('{"k":', toString(number), '}')::JSON, CAST(number / 2, 'Dynamic'))::Tuple(j JSON, d Dynamic)
         AS t
FROM numbers(10) SETTINGS max_block_size = 3"""
    t = arrow_query(select, cl)
    try:
        t.validate(full=True)
        check(True, "pyarrow validate(full=True) of Variant/Dynamic/JSON columns")
    except Exception as e:  # noqa: BLE001
        check(False, f"pyarrow validate(full=True): {e}")
    s = t.schema
    vt = s.field("v").type
    check(pa.types.is_union(vt) and vt.mode == "dense", f"Variant is a dense union: {vt}")
    check(list(vt.type_codes) == [0, 1, 2, 3], f"union type codes: {list(vt.type_codes)}")
    check([vt.field(i).name for i in range(vt.num_fields)] == ["Array(UInt64)", "String", "UInt64", "null"],
          f"union children named after the alternatives: {vt}")
    check(vt.field(3).type == pa.null(), "the NULL child has the null type")
    for name in ("d", "j"):
        ft = s.field(name).type
        storage = getattr(ft, "storage_type", ft)
        ext = getattr(ft, "extension_name", None)
        md = s.field(name).metadata or {}
        check(storage == pa.large_utf8(), f"{name} stored as large_utf8: {ft}")
        check(ext == "arrow.json" or md.get(b"ARROW:extension:name") == b"arrow.json",
              f"{name} tagged arrow.json (type {ft}, metadata {md})")
    check(s.field("d").nullable and not s.field("j").nullable, "Dynamic nullable, JSON not")
    check(pa.types.is_union(s.field("av").type.value_type), f"Array(Variant) -> list of union: {s.field('av').type}")

    want = engine_rows(cl, select)
    got = t.to_pylist()
    check(len(got) == len(want) == 10, f"10 rows ({len(got)}, {len(want)})")

    def text(x):
        return x.decode() if isinstance(x, bytes) else x

    def jload(x):
        return None if x is None else json.loads(text(x))

    def variant(x):  # String alternative is large_binary
        return text(x) if not isinstance(x, list) else x

    check([variant(r["v"]) for r in got] == [r["v"] for r in want],
          f"Variant values: {[r['v'] for r in got]} vs engine {[r['v'] for r in want]}")
    check([jload(r["d"]) for r in got] == [r["d"] for r in want],
          f"Dynamic values: {[r['d'] for r in got]} vs engine {[r['d'] for r in want]}")
    check([jload(r["j"]) for r in got] == [r["j"] for r in want],
          f"JSON values: {[r['j'] for r in got]} vs engine {[r['j'] for r in want]}")
    check([[variant(x) for x in r["av"]] for r in got] == [r["av"] for r in want], "Array(Variant) values")
    check([{"j": jload(r["t"]["j"]), "d": jload(r["t"]["d"])} for r in got] == [r["t"] for r in want],
          "Tuple(JSON, Dynamic) values")

    # import: our export -> pyarrow -> our import (dense union into Variant, JSON text into JSON),
    # and a union made by pyarrow with its own child names
    tbl = "arrow_pyarrow_variant_%d" % os.getpid()
    command(f"DROP TABLE IF EXISTS {tbl}", cl)
    command(f"CREATE TABLE {tbl} (n UInt64, v Variant(String, UInt64, Array(UInt64)), j JSON) ENGINE = Memory", cl)
    try:
        insert_arrow(cl, tbl, t.select(["n", "v", "j"]))
        back = engine_rows(cl, f"SELECT v, j FROM {tbl} ORDER BY n")
        check(back == [{"v": r["v"], "j": r["j"]} for r in want], f"Variant/JSON round trip: {back}")
        mine = pa.UnionArray.from_dense(pa.array([0, 1, 2, 0], pa.int8()), pa.array([0, 0, 0, 1], pa.int32()),
                                        [pa.array([7, None], pa.int64()), pa.array(["hi"]), pa.nulls(1)],
                                        ["int", "str", "nothing"])
        js = pa.array(['{"x":[1,2]}', '{}', '{"y":"z"}', '{"x":[]}'], pa.large_utf8())
        if hasattr(pa, "json_"):
            js = pa.ExtensionArray.from_storage(pa.json_(pa.large_utf8()), js)
        command(f"TRUNCATE TABLE {tbl}", cl)
        insert_arrow(cl, tbl, pa.table({"n": pa.array([1, 2, 3, 4], pa.uint64()), "v": mine, "j": js}))
        back = engine_rows(cl, f"SELECT v, j FROM {tbl} ORDER BY n")
        check(back == [{"v": 7, "j": {"x": [1, 2]}}, {"v": "hi", "j": {}}, {"v": None, "j": {"y": "z"}},
                       {"v": None, "j": {"x": []}}], f"pyarrow-made union and JSON inserted: {back}")
    finally:
        command(f"DROP TABLE IF EXISTS {tbl}", cl)


HERE = os.path.dirname(os.path.abspath(__file__))
standin_url, standin_dir = os.environ.get("CHC_CHDB_URL"), None
if not standin_url:  # start our own stand-in (needs chdb-core & co. in this Python)
    env = dict(os.environ, CHC_PYTHON=sys.executable)
    env.pop("CHC_CHDB_SERVER_DIR", None)
    out = subprocess.run([os.path.join(HERE, "..", "server", "chdb_start.sh")], env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    vals = dict(re.findall(r"^export (\w+)=(.*)$", out, re.M))
    standin_url, standin_dir = vals["CHC_CHDB_URL"], vals["CHC_CHDB_SERVER_DIR"]
try:
    standin = open_client(standin_url)
    try:
        check_current_types(standin)
    finally:
        lib.chc_client_free(standin)
finally:
    if standin_dir:
        subprocess.run([os.path.join(HERE, "..", "server", "chdb_stop.sh"), standin_dir], check=False)

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
