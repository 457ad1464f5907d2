// impl/arrow: Arrow C Data Interface export (format strings, buffers byte-exactly, release
// discipline), stream export, import of hand-made Arrow arrays into insert columns, round trips,
// and clean errors for malformed Arrow input.
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrow/Arrow.hpp"
#include "arrow_support.hpp"
#include "common/Error.hpp"
#include "native_support.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/ValueAccess.hpp"

// cmocka last: its fail() macro would break C++ standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using chc::ErrorKind;
using native_test::BlockBuilder;
using native_test::Bytes;
using namespace arrow_test;

namespace {

// ---- export tests ------------------------------------------------------------------------------

void export_numbers_zero_copy(void**) {
  BlockBuilder b;
  auto& i8 = b.add("i8", "Int8");
  auto& u64 = b.add("u64", "UInt64");
  auto& f64 = b.add("f64", "Float64");
  auto& i32 = b.add("i32", "Int32");
  for (int i = 0; i < 3; ++i) {
    i8.appendInt64(-1 - i);
    u64.appendUInt64(UINT64_MAX - i);
    f64.appendDouble(0.5 + i);
    i32.appendInt64(100000 * i);
  }
  auto block = share(b.take(3));
  {
    Exported e(block);
    assert_string_equal(e.schema.format, "+s");
    assert_int_equal(e.schema.n_children, 4);
    assert_int_equal(e.array.length, 3);
    assert_int_equal(e.array.n_buffers, 1);
    assert_null(e.array.buffers[0]);
    const char* formats[] = {"c", "L", "g", "i"};
    const char* names[] = {"i8", "u64", "f64", "i32"};
    for (int i = 0; i < 4; ++i) {
      assert_string_equal(e.s(i).format, formats[i]);
      assert_string_equal(e.s(i).name, names[i]);
      assert_int_equal(e.s(i).flags, 0);
      assert_int_equal(e.a(i).n_buffers, 2);
      assert_int_equal(e.a(i).null_count, 0);
      assert_null(e.a(i).buffers[0]);
      // zero-copy: the very bytes of the column
      assert_ptr_equal(e.a(i).buffers[1], block->columns[i]->data().data());
    }
    assert_int_equal(at<int8_t>(e.a(0).buffers[1], 2), -3);
    assert_true(at<uint64_t>(e.a(1).buffers[1], 1) == UINT64_MAX - 1);
    assert_true(at<double>(e.a(2).buffers[1], 2) == 2.5);
    assert_int_equal(at<int32_t>(e.a(3).buffers[1], 2), 200000);
    assert_true(chc::arrow::liveExports() > 0);
  }
  assert_int_equal(chc::arrow::liveExports(), 0);
}

void export_strings_fixed_nullable_bool(void**) {
  BlockBuilder b;
  auto& s = b.add("s", "String");
  auto& fs = b.add("fs", "FixedString(3)");
  auto& n = b.add("n", "Nullable(Int32)");
  auto& bo = b.add("b", "Bool");
  auto& ns = b.add("ns", "Nullable(String)");
  const char* words[] = {"", "ab", "cde", "x", "", "yz", "q", "r", "s", "t"};
  for (int i = 0; i < 10; ++i) {
    s.appendString(words[i]);
    fs.appendString(words[i]);
    if (i % 3 == 1)
      n.appendNull();
    else
      n.appendInt64(i);
    bo.appendUInt64(i % 2 == 0 || i == 9);
    if (i == 0)
      ns.appendNull();
    else
      ns.appendString(words[i]);
  }
  auto block = share(b.take(10));
  Exported e(block);
  // String -> large_binary, offsets and bytes zero-copy
  assert_string_equal(e.s(0).format, "Z");
  assert_int_equal(e.a(0).n_buffers, 3);
  assert_ptr_equal(e.a(0).buffers[1], block->columns[0]->offsets().data());
  assert_ptr_equal(e.a(0).buffers[2], block->columns[0]->data().data());
  assert_int_equal(at<int64_t>(e.a(0).buffers[1], 0), 0);
  assert_int_equal(at<int64_t>(e.a(0).buffers[1], 3), 5);
  assert_memory_equal(static_cast<const char*>(e.a(0).buffers[2]) + 2, "cde", 3);
  // FixedString(3) -> w:3
  assert_string_equal(e.s(1).format, "w:3");
  assert_ptr_equal(e.a(1).buffers[1], block->columns[1]->data().data());
  assert_memory_equal(static_cast<const uint8_t*>(e.a(1).buffers[1]) + 3, "ab\0", 3);
  // Nullable(Int32): validity bitmap 1 = valid, LSB first: rows 1, 4, 7 are NULL
  assert_string_equal(e.s(2).format, "i");
  assert_int_equal(e.s(2).flags, ARROW_FLAG_NULLABLE);
  assert_int_equal(e.a(2).null_count, 3);
  const uint8_t* v = static_cast<const uint8_t*>(e.a(2).buffers[0]);
  assert_int_equal(v[0], 0x6d);  // 0b01101101
  assert_int_equal(v[1] & 0x03, 0x03);
  assert_ptr_equal(e.a(2).buffers[1], block->columns[2]->child(0)->data().data());
  // Bool -> bit-packed
  assert_string_equal(e.s(3).format, "b");
  const uint8_t* bb = static_cast<const uint8_t*>(e.a(3).buffers[1]);
  assert_int_equal(bb[0], 0x55);
  assert_int_equal(bb[1] & 0x03, 0x03);
  // Nullable(String)
  assert_string_equal(e.s(4).format, "Z");
  assert_int_equal(e.a(4).null_count, 1);
  assert_false(bit(e.a(4).buffers[0], 0));
  assert_true(bit(e.a(4).buffers[0], 1));
}

void export_dates_and_times(void**) {
  BlockBuilder b;
  auto& d = b.add("d", "Date");
  auto& d32 = b.add("d32", "Date32");
  auto& dt = b.add("dt", "DateTime('UTC')");
  auto& dtn = b.add("dtn", "DateTime");
  auto& dt3 = b.add("dt3", "DateTime64(3, 'Europe/Moscow')");
  auto& dt2 = b.add("dt2", "DateTime64(2)");
  auto& dt0 = b.add("dt0", "DateTime64(0)");
  auto& dt9 = b.add("dt9", "DateTime64(9)");
  d.appendInt64(65535);
  d32.appendInt64(-1);
  dt.appendUInt64(4294967295u);
  dtn.appendInt64(1);
  dt3.appendInt64(-1500);
  dt2.appendInt64(123);
  dt0.appendInt64(7);
  dt9.appendInt64(1);
  auto block = share(b.take(1));
  Exported e(block);
  assert_string_equal(e.s(0).format, "tdD");
  assert_int_equal(at<int32_t>(e.a(0).buffers[1], 0), 65535);
  assert_string_equal(e.s(1).format, "tdD");
  assert_ptr_equal(e.a(1).buffers[1], block->columns[1]->data().data());
  assert_int_equal(at<int32_t>(e.a(1).buffers[1], 0), -1);
  assert_string_equal(e.s(2).format, "tss:UTC");
  assert_true(at<int64_t>(e.a(2).buffers[1], 0) == 4294967295LL);
  assert_string_equal(e.s(3).format, "tss:");
  assert_string_equal(e.s(4).format, "tsm:Europe/Moscow");
  assert_ptr_equal(e.a(4).buffers[1], block->columns[4]->data().data());
  assert_int_equal(at<int64_t>(e.a(4).buffers[1], 0), -1500);
  assert_string_equal(e.s(5).format, "tsm:");
  assert_int_equal(at<int64_t>(e.a(5).buffers[1], 0), 1230);  // 1.23 s in ms
  assert_string_equal(e.s(6).format, "tss:");
  assert_int_equal(at<int64_t>(e.a(6).buffers[1], 0), 7);
  assert_string_equal(e.s(7).format, "tsn:");
}

void export_uuid_decimal_wide_misc(void**) {
  BlockBuilder b;
  auto& u = b.add("u", "UUID");
  auto& d9 = b.add("d9", "Decimal(9, 2)");
  auto& d18 = b.add("d18", "Decimal(18, 4)");
  auto& d38 = b.add("d38", "Decimal(38, 10)");
  auto& d76 = b.add("d76", "Decimal(76, 3)");
  auto& ip4 = b.add("ip4", "IPv4");
  auto& ip6 = b.add("ip6", "IPv6");
  auto& i128 = b.add("i128", "Int128");
  auto& u256 = b.add("u256", "UInt256");
  auto& bf = b.add("bf", "BFloat16");
  auto& nn = b.add("nn", "Nullable(Nothing)");
  u.appendString("01234567-89ab-cdef-0011-223344556677");
  d9.appendString("-123.45");
  d18.appendString("1.5");
  d38.appendString("-1");
  d76.appendString("2.001");
  ip4.appendString("192.168.1.10");
  ip6.appendString("::1");
  i128.appendInt64(-2);
  u256.appendUInt64(5);
  bf.appendDouble(1.0);
  nn.appendNull();
  auto block = share(b.take(1));
  Exported e(block);
  assert_string_equal(e.s(0).format, "w:16");
  const uint8_t rfc[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                           0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
  assert_memory_equal(e.a(0).buffers[1], rfc, 16);
  assert_string_equal(e.s(1).format, "d:9,2");
  assert_int_equal(at<int64_t>(e.a(1).buffers[1], 0), -12345);
  assert_int_equal(at<int64_t>(e.a(1).buffers[1], 1), -1);  // sign-extended high half
  assert_string_equal(e.s(2).format, "d:18,4");
  assert_int_equal(at<int64_t>(e.a(2).buffers[1], 0), 15000);
  assert_int_equal(at<int64_t>(e.a(2).buffers[1], 1), 0);
  assert_string_equal(e.s(3).format, "d:38,10");
  assert_ptr_equal(e.a(3).buffers[1], block->columns[3]->data().data());
  assert_string_equal(e.s(4).format, "d:76,3,256");
  assert_int_equal(at<int64_t>(e.a(4).buffers[1], 0), 2001);
  assert_string_equal(e.s(5).format, "I");
  assert_int_equal(at<uint32_t>(e.a(5).buffers[1], 0), 0xC0A8010A);
  assert_string_equal(e.s(6).format, "w:16");
  assert_int_equal(static_cast<const uint8_t*>(e.a(6).buffers[1])[15], 1);
  assert_string_equal(e.s(7).format, "w:16");
  assert_int_equal(at<int64_t>(e.a(7).buffers[1], 1), -1);
  assert_string_equal(e.s(8).format, "w:32");
  assert_string_equal(e.s(9).format, "S");
  assert_int_equal(at<uint16_t>(e.a(9).buffers[1], 0), 0x3f80);
  assert_string_equal(e.s(10).format, "n");
  assert_int_equal(e.a(10).n_buffers, 0);
  assert_int_equal(e.a(10).null_count, 1);
}

void export_enum_lowcardinality(void**) {
  BlockBuilder b;
  auto& en = b.add("e", "Enum8('a' = 1, 'bb' = -3)");
  auto& lc = b.add("lc", "LowCardinality(Nullable(String))");
  auto& lc2 = b.add("lc2", "LowCardinality(String)");
  const char* vals[] = {"bb", "a", "bb"};
  for (int i = 0; i < 3; ++i) en.appendString(vals[i]);
  lc.appendString("x");
  lc.appendNull();
  lc.appendString("y");
  for (int i = 0; i < 3; ++i) lc2.appendString(vals[i]);
  auto block = share(b.take(3));
  Exported e(block);
  assert_string_equal(e.s(0).format, "c");
  assert_non_null(e.s(0).dictionary);
  assert_string_equal(e.s(0).dictionary->format, "u");
  const ArrowArray& ed = *e.a(0).dictionary;
  assert_int_equal(ed.length, 2);
  assert_int_equal(at<int32_t>(ed.buffers[1], 1), 1);
  assert_int_equal(at<int32_t>(ed.buffers[1], 2), 3);
  assert_memory_equal(ed.buffers[2], "abb", 3);
  assert_int_equal(at<int8_t>(e.a(0).buffers[1], 0), 1);
  assert_int_equal(at<int8_t>(e.a(0).buffers[1], 1), 0);
  // LowCardinality(Nullable(String)) -> int32 indexes, dictionary of large_binary, validity from the null map
  assert_string_equal(e.s(1).format, "i");
  assert_int_equal(e.s(1).flags, ARROW_FLAG_NULLABLE);
  assert_string_equal(e.s(1).dictionary->format, "Z");
  assert_int_equal(e.a(1).null_count, 1);
  assert_false(bit(e.a(1).buffers[0], 1));
  const ArrowArray& d = *e.a(1).dictionary;
  for (int r : {0, 2}) {
    int32_t idx = at<int32_t>(e.a(1).buffers[1], r);
    int64_t o0 = at<int64_t>(d.buffers[1], idx), o1 = at<int64_t>(d.buffers[1], idx + 1);
    assert_int_equal(o1 - o0, 1);
    assert_int_equal(static_cast<const char*>(d.buffers[2])[o0], r == 0 ? 'x' : 'y');
  }
  assert_string_equal(e.s(2).format, "i");
  assert_int_equal(e.s(2).flags, 0);
  assert_null(e.a(2).buffers[0]);
}

void export_nested(void**) {
  BlockBuilder b;
  auto& arr = b.add("arr", "Array(Nullable(String))");
  auto& tup = b.add("tup", "Tuple(Int32, String)");
  auto& map = b.add("m", "Map(String, UInt8)");
  auto& aa = b.add("aa", "Array(Array(Int16))");
  // row 0: ['p', NULL]; row 1: []
  arr.child(0)->appendString("p");
  arr.child(0)->appendNull();
  arr.endArray();
  arr.endArray();
  for (int i = 0; i < 2; ++i) {
    tup.child(0)->appendInt64(i + 10);
    tup.child(1)->appendString(i ? "two" : "one");
  }
  map.child(0)->child(0)->appendString("k");
  map.child(0)->child(1)->appendUInt64(9);
  map.endArray();
  map.endArray();
  aa.child(0)->child(0)->appendInt64(3);
  aa.child(0)->endArray();
  aa.endArray();
  aa.endArray();
  auto block = share(b.take(2));
  Exported e(block);
  assert_string_equal(e.s(0).format, "+L");
  assert_int_equal(e.s(0).n_children, 1);
  assert_string_equal(e.s(0).children[0]->name, "item");
  assert_string_equal(e.s(0).children[0]->format, "Z");
  assert_int_equal(e.s(0).children[0]->flags, ARROW_FLAG_NULLABLE);
  assert_int_equal(e.a(0).n_buffers, 2);
  assert_ptr_equal(e.a(0).buffers[1], block->columns[0]->offsets().data());
  assert_int_equal(e.a(0).children[0]->length, 2);
  assert_int_equal(e.a(0).children[0]->null_count, 1);
  assert_string_equal(e.s(1).format, "+s");
  assert_string_equal(e.s(1).children[0]->name, "1");
  assert_string_equal(e.s(1).children[1]->name, "2");
  assert_int_equal(e.a(1).n_buffers, 1);
  assert_int_equal(at<int32_t>(e.a(1).children[0]->buffers[1], 1), 11);
  assert_string_equal(e.s(2).format, "+m");
  const ArrowSchema& ent = *e.s(2).children[0];
  assert_string_equal(ent.format, "+s");
  assert_string_equal(ent.name, "entries");
  assert_int_equal(ent.flags, 0);
  assert_string_equal(ent.children[0]->name, "key");
  assert_string_equal(ent.children[0]->format, "Z");
  assert_int_equal(ent.children[0]->flags, 0);
  assert_string_equal(ent.children[1]->name, "value");
  assert_string_equal(ent.children[1]->format, "C");
  assert_int_equal(at<int32_t>(e.a(2).buffers[1], 0), 0);
  assert_int_equal(at<int32_t>(e.a(2).buffers[1], 1), 1);
  assert_int_equal(at<int32_t>(e.a(2).buffers[1], 2), 1);
  assert_int_equal(e.a(2).children[0]->length, 1);
  assert_int_equal(e.a(2).children[0]->n_children, 2);
  assert_string_equal(e.s(3).format, "+L");
  assert_string_equal(e.s(3).children[0]->format, "+L");
  assert_string_equal(e.s(3).children[0]->children[0]->format, "s");
}

void export_release_discipline(void**) {
  BlockBuilder b;
  auto& s = b.add("s", "Nullable(String)");
  auto& a = b.add("a", "Array(Int64)");
  s.appendString("keep me alive");
  s.appendNull();
  a.child(0)->appendInt64(42);
  a.endArray();
  a.endArray();
  auto block = share(b.take(2));
  ArrowArray array{};
  chc::arrow::exportBlock(block, &array);
  block.reset();  // the export alone keeps the memory
  // A consumer moves child 0 out (allowed by the spec) and the list's child too, then releases the parent.
  ArrowArray moved = *array.children[0];
  array.children[0]->release = nullptr;
  ArrowArray moved_grandchild = *array.children[1]->children[0];
  array.children[1]->children[0]->release = nullptr;
  array.release(&array);
  assert_null(array.release);
  assert_true(chc::arrow::liveExports() == 2);
  assert_memory_equal(static_cast<const char*>(moved.buffers[2]), "keep me alive", 13);
  assert_int_equal(at<int64_t>(moved_grandchild.buffers[1], 0), 42);
  moved.release(&moved);
  assert_null(moved.release);
  assert_true(chc::arrow::liveExports() == 1);
  moved_grandchild.release(&moved_grandchild);
  assert_int_equal(chc::arrow::liveExports(), 0);
  // Schema: same, a moved dictionary outlives its parent
  ArrowSchema schema{};
  chc::arrow::exportTypeSchema(*chc::makeType("LowCardinality(String)"), "x", &schema);
  ArrowSchema dict = *schema.dictionary;
  schema.dictionary->release = nullptr;
  schema.release(&schema);
  assert_string_equal(dict.format, "Z");
  dict.release(&dict);
  assert_int_equal(chc::arrow::liveExports(), 0);
}

void export_unsupported_type(void**) {
  auto bogus = std::make_shared<const chc::DataType>(static_cast<chc::TypeKind>(999), "Bogus");
  ArrowSchema s{};
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "Bogus", chc::arrow::exportTypeSchema(*bogus, "x", &s));
  assert_null(s.release);
  // A Tuple containing an unsupported element: nothing leaks from the half-built schema
  chc::TypeParams p;
  p.children = {chc::makeType("Int8"), bogus};
  auto tup = std::make_shared<const chc::DataType>(chc::TypeKind::Tuple, "Tuple(Int8, Bogus)", p);
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "", chc::arrow::exportSchema({"t"}, {tup}, &s));
  assert_null(s.release);
  assert_int_equal(chc::arrow::liveExports(), 0);
}

// ---- stream export ---------------------------------------------------------------------------------

chc::Block intBlock(std::initializer_list<int64_t> vals, const char* name = "x", const char* type = "Int64") {
  BlockBuilder b;
  auto& c = b.add(name, type);
  for (int64_t v : vals) c.appendInt64(v);
  return b.take(vals.size());
}

void stream_export(void**) {
  auto blocks = std::make_shared<std::vector<chc::Block>>();
  blocks->push_back(intBlock({1, 2}));
  blocks->push_back(intBlock({3}));
  auto pos = std::make_shared<size_t>(0);
  ArrowArrayStream st{};
  chc::arrow::exportStream(
      [blocks, pos]() -> std::optional<chc::Block> {
        if (*pos == blocks->size()) return std::nullopt;
        return std::move((*blocks)[(*pos)++]);
      },
      &st);
  ArrowSchema s1{}, s2{};
  assert_int_equal(st.get_schema(&st, &s1), 0);
  assert_int_equal(*pos, 1);  // read ahead once
  assert_int_equal(st.get_schema(&st, &s2), 0);
  assert_int_equal(*pos, 1);  // cached
  assert_string_equal(s1.children[0]->format, "l");
  assert_string_equal(s2.children[0]->name, "x");
  s1.release(&s1);
  s2.release(&s2);
  ArrowArray a{};
  assert_int_equal(st.get_next(&st, &a), 0);
  assert_int_equal(a.length, 2);
  assert_int_equal(at<int64_t>(a.children[0]->buffers[1], 1), 2);
  a.release(&a);
  assert_int_equal(st.get_next(&st, &a), 0);
  assert_int_equal(a.length, 1);
  a.release(&a);
  assert_int_equal(st.get_next(&st, &a), 0);
  assert_null(a.release);  // end
  assert_int_equal(st.get_next(&st, &a), 0);
  assert_null(a.release);
  assert_null(st.get_last_error(&st));
  st.release(&st);
  assert_null(st.release);
  assert_int_equal(chc::arrow::liveExports(), 0);
}

void stream_export_empty_and_errors(void**) {
  ArrowArrayStream st{};
  chc::arrow::exportStream([]() -> std::optional<chc::Block> { return std::nullopt; }, &st);
  ArrowSchema s{};
  assert_int_equal(st.get_schema(&st, &s), 0);
  assert_string_equal(s.format, "+s");
  assert_int_equal(s.n_children, 0);
  s.release(&s);
  ArrowArray a{};
  assert_int_equal(st.get_next(&st, &a), 0);
  assert_null(a.release);
  st.release(&st);

  // a failing source: EIO and the message; a block with other columns: EIO
  auto n = std::make_shared<int>(0);
  chc::arrow::exportStream(
      [n]() -> std::optional<chc::Block> {
        if ((*n)++ == 0) return intBlock({1});
        if (*n == 2) return intBlock({1}, "other");
        throw chc::Error(ErrorKind::Server, "Code: 241. DB::Exception: Memory limit exceeded");
      },
      &st);
  assert_int_equal(st.get_next(&st, &a), 0);
  a.release(&a);
  assert_int_equal(st.get_next(&st, &a), EIO);
  assert_null(a.release);
  assert_non_null(strstr(st.get_last_error(&st), "other columns"));
  assert_int_equal(st.get_next(&st, &a), EIO);
  assert_non_null(strstr(st.get_last_error(&st), "Memory limit exceeded"));
  assert_int_equal(st.get_next(&st, nullptr), EINVAL);
  st.release(&st);
  assert_int_equal(chc::arrow::liveExports(), 0);
}

// ---- import ------------------------------------------------------------------------------------

void import_scalars(void**) {
  resetCounts();
  chc::Block t = target({{"i64", "Int64"},
                         {"ni32", "Nullable(Int32)"},
                         {"s", "String"},
                         {"b", "Bool"},
                         {"u", "UUID"},
                         {"d", "Date"},
                         {"dt64", "DateTime64(3, 'UTC')"},
                         {"dt", "DateTime"},
                         {"dec", "Decimal(10, 2)"},
                         {"fs", "FixedString(4)"},
                         {"f32", "Float32"},
                         {"lc", "LowCardinality(String)"},
                         {"ns", "Nullable(String)"},
                         {"u8", "UInt8"},
                         {"d256", "Decimal(40, 1)"}});
  SSpec dictField = field("c", "lc");
  dictField.dict = std::make_shared<SSpec>(field("u", ""));
  TStream ts;
  ts.schema =
      field("+s", "",
            {field("l", "i64"), field("i", "ni32"), field("u", "s"), field("b", "b"), field("w:16", "u"),
             field("tdD", "d"), field("tsu:UTC", "dt64"), field("tsn:", "dt"), field("d:10,2", "dec"), field("z", "fs"),
             field("g", "f32"), dictField, field("U", "ns"), field("C", "u8"), field("d:40,1,256", "d256")});
  ASpec lc = prim(3, std::nullopt, raw<int8_t>({1, 0, 1}));
  lc.dict =
      std::make_shared<ASpec>(ASpec{2, 0, {std::nullopt, raw<int32_t>({0, 2, 5}), text("hiyou")}, {}, nullptr, 0});
  Bytes uuid = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
  Bytes uuids = uuid;
  uuids.insert(uuids.end(), uuid.begin(), uuid.end());
  uuids.insert(uuids.end(), uuid.begin(), uuid.end());
  Bytes dec = raw<int64_t>({-12345, -1, 5, 0, 0, 0});
  Bytes d256(96, 0);
  d256[0] = 7;
  ts.batches.push_back(
      batch(3, {
                   prim(3, std::nullopt, raw<int64_t>({-1, 0, INT64_MAX})),
                   prim(3, bits({1, 0, 1}), raw<int32_t>({7, 99, -7}), 1),
                   ASpec{3, 0, {std::nullopt, raw<int32_t>({0, 3, 3, 8}), text("abcxyzzy")}, {}, nullptr, 0},
                   prim(3, std::nullopt, bits({1, 0, 1})),
                   prim(3, std::nullopt, uuids),
                   prim(3, std::nullopt, raw<int32_t>({0, 1, 19000})),
                   prim(3, std::nullopt, raw<int64_t>({1500, -1, 0})),                  // us -> ms: floor
                   prim(3, std::nullopt, raw<int64_t>({1999999999, 5000000000LL, 0})),  // ns -> s: floor
                   prim(3, std::nullopt, dec),
                   ASpec{3, 0, {std::nullopt, raw<int32_t>({0, 2, 2, 6}), text("hiabcd")}, {}, nullptr, 0},
                   prim(3, std::nullopt, raw<double>({0.5, -2, 1e10})),
                   lc,
                   ASpec{3, 1, {bits({0, 1, 1}), raw<int64_t>({0, 0, 1, 2}), text("pq")}, {}, nullptr, 0},
                   prim(3, std::nullopt, raw<uint8_t>({0, 255, 1})),
                   prim(3, std::nullopt, d256),
               }));
  ArrowArrayStream st = makeStream(ts);
  chc::arrow::importStream(t, &st);
  assert_null(st.release);
  assert_int_equal(g_streams_released, 1);
  assert_int_equal(g_schemas_released, 1 + 15 + 1);
  assert_int_equal(g_arrays_released, 1 + 15 + 1);
  auto col = [&](int i) -> const chc::Column& { return *t.columns[i]; };
  for (auto& c : t.columns) assert_int_equal(c->size(), 3);
  assert_true(chc::getInt64(col(0), 2) == INT64_MAX);
  assert_true(chc::isNullAt(col(1), 1));
  assert_int_equal(chc::getInt64(col(1), 2), -7);
  assert_true(chc::getString(col(2), 2) == "xyzzy");
  assert_true(chc::getString(col(2), 1).empty());
  assert_int_equal(chc::getInt64(col(3), 0), 1);
  assert_int_equal(chc::getInt64(col(3), 1), 0);
  // UUID: back to ClickHouse's two little-endian halves
  assert_int_equal(col(4).data()[0], 0xef);
  assert_int_equal(col(4).data()[8], 0x77);
  assert_int_equal(chc::getInt64(col(5), 2), 19000);
  assert_int_equal(chc::getInt64(col(6), 0), 1);
  assert_int_equal(chc::getInt64(col(6), 1), -1);
  assert_int_equal(chc::getInt64(col(7), 0), 1);
  assert_int_equal(at<int64_t>(col(8).data().data(), 0), -12345);
  assert_int_equal(at<int64_t>(col(8).data().data(), 1), 5);
  assert_memory_equal(col(9).data().data(), "hi\0\0\0\0\0\0abcd", 12);
  assert_true(at<float>(col(10).data().data(), 1) == -2.0f);
  assert_true(chc::getString(col(11), 0) == "you");
  assert_true(chc::getString(col(11), 1) == "hi");
  assert_true(chc::isNullAt(col(12), 0));
  assert_true(chc::getString(col(12), 2) == "q");
  assert_int_equal(chc::getInt64(col(13), 1), 255);
  assert_int_equal(col(14).data()[0], 7);
}

void import_nested(void**) {
  chc::Block t = target({{"a", "Array(Nullable(Int32))"},
                         {"t", "Tuple(Int8, String)"},
                         {"m", "Map(String, Int64)"},
                         {"aa", "Array(Array(UInt16))"}});
  TStream ts;
  ts.schema = field("+s", "",
                    {field("+l", "a", {field("i", "item")}), field("+s", "t", {field("c", "x"), field("u", "y")}),
                     field("+m", "m", {field("+s", "entries", {field("u", "key", {}, 0), field("l", "value")}, 0)}),
                     field("+L", "aa", {field("+w:2", "item", {field("S", "item")})})});
  ts.batches.push_back(batch(
      2, {
             ASpec{2,
                   0,
                   {std::nullopt, raw<int32_t>({0, 3, 3})},
                   {prim(3, bits({1, 0, 1}), raw<int32_t>({4, 0, 6}), 1)},
                   nullptr,
                   0},
             ASpec{2,
                   0,
                   {std::nullopt},
                   {prim(2, std::nullopt, raw<int8_t>({-1, 1})),
                    ASpec{2, 0, {std::nullopt, raw<int32_t>({0, 1, 2}), text("pq")}, {}, nullptr, 0}},
                   nullptr,
                   0},
             ASpec{2,
                   0,
                   {std::nullopt, raw<int32_t>({0, 2, 2})},
                   {ASpec{2,
                          0,
                          {std::nullopt},
                          {ASpec{2, 0, {std::nullopt, raw<int32_t>({0, 1, 2}), text("kl")}, {}, nullptr, 0},
                           prim(2, std::nullopt, raw<int64_t>({10, 20}))},
                          nullptr,
                          0}},
                   nullptr,
                   0},
             ASpec{2,
                   0,
                   {std::nullopt, raw<int64_t>({0, 1, 2})},
                   {ASpec{2, 0, {std::nullopt}, {prim(4, std::nullopt, raw<uint16_t>({1, 2, 3, 4}))}, nullptr, 0}},
                   nullptr,
                   0},
         }));
  ArrowArrayStream st = makeStream(ts);
  chc::arrow::importStream(t, &st);
  const chc::Column& a = *t.columns[0];
  assert_int_equal(a.size(), 2);
  assert_int_equal(a.offsets()[1], 3);
  assert_int_equal(a.offsets()[2], 3);
  assert_true(chc::isNullAt(*a.child(0), 1));
  assert_int_equal(chc::getInt64(*a.child(0), 2), 6);
  const chc::Column& tu = *t.columns[1];
  assert_int_equal(chc::getInt64(*tu.child(0), 0), -1);
  assert_true(chc::getString(*tu.child(1), 1) == "q");
  const chc::Column& m = *t.columns[2];
  assert_int_equal(m.offsets()[1], 2);
  assert_true(chc::getString(*m.child(0)->child(0), 1) == "l");
  assert_int_equal(chc::getInt64(*m.child(0)->child(1), 1), 20);
  const chc::Column& aa = *t.columns[3];
  assert_int_equal(aa.child(0)->size(), 2);
  assert_int_equal(aa.child(0)->offsets()[2], 4);
  assert_int_equal(chc::getInt64(*aa.child(0)->child(0), 3), 4);
}

// Export -> import gives the same columns, byte for byte (Native encoding and buffers).
void round_trip(void**) {
  BlockBuilder b;
  const char* types[] = {"Int8",
                         "UInt16",
                         "Int32",
                         "UInt64",
                         "Float32",
                         "Float64",
                         "String",
                         "FixedString(2)",
                         "Date",
                         "Date32",
                         "DateTime('UTC')",
                         "DateTime64(3)",
                         "DateTime64(6, 'UTC')",
                         "DateTime64(9)",
                         "Decimal(9, 3)",
                         "Decimal(18, 2)",
                         "Decimal(38, 5)",
                         "Decimal(50, 2)",
                         "UUID",
                         "IPv4",
                         "IPv6",
                         "Bool",
                         "Enum8('a' = 1, 'b' = 2)",
                         "Enum16('x' = -500, 'y' = 700)",
                         "Nullable(String)",
                         "Nullable(Int64)",
                         "LowCardinality(String)",
                         "LowCardinality(Nullable(String))",
                         "Array(Nullable(String))",
                         "Array(Array(Int32))",
                         "Tuple(a Int8, b String)",
                         "Map(String, Array(UInt8))",
                         "Int128",
                         "UInt256"};
  std::vector<std::string> names;
  for (size_t i = 0; i < std::size(types); ++i) {
    names.push_back("c" + std::to_string(i));
    b.add(names.back(), types[i]);
  }
  auto fill = [&](chc::Column& c, int r, auto&& self) -> void {
    const chc::DataType& t = c.type();
    switch (t.kind()) {
      case chc::TypeKind::Nullable:
        if (r % 2) return c.appendNull();
        break;  // a value through the Nullable builder
      case chc::TypeKind::Array:
      case chc::TypeKind::Map:
        for (int k = 0; k < r; ++k) self(*c.child(0), r + k, self);
        return c.endArray();
      case chc::TypeKind::Tuple:
        for (size_t k = 0; k < c.childCount(); ++k) self(*c.child(k), r, self);
        return;
      case chc::TypeKind::LowCardinality:
        if (t.children()[0]->kind() == chc::TypeKind::Nullable && r % 3 == 1) return c.appendNull();
        return c.appendString(r % 2 ? "odd" : "even");
      default: break;
    }
    const chc::DataType& inner = t.kind() == chc::TypeKind::Nullable ? *t.children()[0] : t;
    switch (inner.kind()) {
      case chc::TypeKind::String:
      case chc::TypeKind::FixedString: return c.appendString(std::string(r % 3, 'a' + r % 26));
      case chc::TypeKind::UUID:
        return c.appendString("01234567-89ab-cdef-0011-2233445566" + std::to_string(10 + r % 90));
      case chc::TypeKind::IPv6: return c.appendString("::" + std::to_string(r + 1));
      case chc::TypeKind::IPv4: return c.appendUInt64(0xC0A80000u + r);
      case chc::TypeKind::Enum8: return c.appendString(r % 2 ? "a" : "b");
      case chc::TypeKind::Enum16: return c.appendString(r % 2 ? "x" : "y");
      case chc::TypeKind::Bool: return c.appendUInt64(r % 2);
      case chc::TypeKind::Float32:
      case chc::TypeKind::Float64: return c.appendDouble(r * 1.25 - 3);
      case chc::TypeKind::UInt8: return c.appendUInt64(r % 200);
      case chc::TypeKind::Date:
      case chc::TypeKind::UInt16:
      case chc::TypeKind::UInt64:
      case chc::TypeKind::UInt256:
      case chc::TypeKind::DateTime: return c.appendUInt64(r * 1000u);
      default: return c.appendInt64(r % 2 ? -r * 7 : r * 9);
    }
  };
  const int rows = 7;
  for (auto& c : b.block.columns)
    for (int r = 0; r < rows; ++r) fill(*c, r, fill);
  auto src = share(b.take(rows));
  // through a stream, two batches of the same block
  auto sent = std::make_shared<int>(0);
  ArrowArrayStream st{};
  chc::arrow::exportStream(
      [src, sent]() -> std::optional<chc::Block> {
        if ((*sent)++ >= 2) return std::nullopt;
        auto copies = native_test::readAllBlocks(native_test::encode(*src));  // an independent copy
        return std::move(copies.front());
      },
      &st);
  BlockBuilder tb;
  for (size_t i = 0; i < std::size(types); ++i) tb.add(names[i], types[i]);
  chc::Block dst = tb.take(0);
  chc::arrow::importStream(dst, &st);
  assert_null(st.release);
  // expected: the source twice
  BlockBuilder eb;
  for (size_t i = 0; i < std::size(types); ++i) eb.add(names[i], types[i]);
  chc::Block expected = eb.take(0);
  for (size_t i = 0; i < std::size(types); ++i) {
    chc::arrow::appendAllRows(*expected.columns[i], *src->columns[i]);
    chc::arrow::appendAllRows(*expected.columns[i], *src->columns[i]);
  }
  expected.rows = dst.rows = 2 * rows;
  std::string diff = native_test::diffBlocks(expected, dst);
  if (!diff.empty()) print_error("%s\n", diff.c_str());
  assert_true(diff.empty());
  assert_true(native_test::encode(expected) == native_test::encode(dst));
  // appendAllRows itself: Native bytes of the first half equal the source's
  BlockBuilder one;
  for (size_t i = 0; i < std::size(types); ++i) one.add(names[i], types[i]);
  chc::Block copy = one.take(rows);
  for (size_t i = 0; i < std::size(types); ++i) chc::arrow::appendAllRows(*copy.columns[i], *src->columns[i]);
  assert_true(native_test::encode(copy) == native_test::encode(*src));
  assert_int_equal(chc::arrow::liveExports(), 0);
}

// ---- bad input -----------------------------------------------------------------------------------

void import_errors(void**) {
  chc::Block t = target({{"x", "Int32"}});
  auto one = [](const char* fmt) { return field("+s", "", {field(fmt, "x")}); };
  auto okBatch = [] { return batch(2, {prim(2, std::nullopt, raw<int32_t>({1, 2}))}); };
  resetCounts();
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "NULL", chc::arrow::importStream(t, nullptr));
  ArrowArrayStream released{};
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "released", chc::arrow::importStream(t, &released));
  ArrowArrayStream st = oneBatch(one("xyz"), okBatch());
  EXPECT_CHC_KIND(ErrorKind::Type, "xyz", chc::arrow::importStream(t, &st));
  assert_null(st.release);
  st = oneBatch(one("w:abc"), okBatch());
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "w:abc", chc::arrow::importStream(t, &st));
  st = oneBatch(one("d:1"), okBatch());
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "decimal", chc::arrow::importStream(t, &st));
  st = oneBatch(one("u"), okBatch());  // utf8 needs 3 buffers
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "buffers", chc::arrow::importStream(t, &st));
  ASpec neg = okBatch();
  neg.children[0].length = -1;
  st = oneBatch(one("i"), neg);
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "negative length", chc::arrow::importStream(t, &st));
  ASpec negTop = okBatch();
  negTop.length = -5;
  st = oneBatch(one("i"), negTop);
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "negative length", chc::arrow::importStream(t, &st));
  ASpec shortChild = okBatch();
  shortChild.length = 3;
  st = oneBatch(one("i"), shortChild);
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "shorter", chc::arrow::importStream(t, &st));
  st = oneBatch(field("+s", "", {field("i", "y")}), okBatch());
  EXPECT_CHC_KIND(ErrorKind::NotFound, "'y'", chc::arrow::importStream(t, &st));
  st = oneBatch(field("+s", "", {field("i", "x"), field("i", "z")}),
                batch(2, {prim(2, std::nullopt, raw<int32_t>({1, 2})), prim(2, std::nullopt, raw<int32_t>({1, 2}))}));
  EXPECT_CHC_KIND(ErrorKind::NotFound, "'z'", chc::arrow::importStream(t, &st));
  st = oneBatch(one("u"), batch(1, {ASpec{1, 0, {std::nullopt, raw<int32_t>({0, 1}), text("a")}, {}, nullptr, 0}}));
  EXPECT_CHC_KIND(ErrorKind::Type, "string", chc::arrow::importStream(t, &st));
  st = oneBatch(one("l"), batch(1, {prim(1, std::nullopt, raw<int64_t>({1LL << 40}))}));
  EXPECT_CHC_KIND(ErrorKind::Type, "out of range", chc::arrow::importStream(t, &st));
  st = oneBatch(one("i"), batch(2, {prim(2, bits({1, 0}), raw<int32_t>({1, 2}), 1)}));
  EXPECT_CHC_KIND(ErrorKind::Type, "NULL", chc::arrow::importStream(t, &st));
  // non-monotonic offsets, offsets past the child, dictionary index out of range
  chc::Block ts = target({{"x", "String"}});
  st =
      oneBatch(one("u"), batch(2, {ASpec{2, 0, {std::nullopt, raw<int32_t>({0, 3, 1}), text("abc")}, {}, nullptr, 0}}));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "monotonic", chc::arrow::importStream(ts, &st));
  chc::Block ta = target({{"x", "Array(Int32)"}});
  st = oneBatch(
      field("+s", "", {field("+l", "x", {field("i", "item")})}),
      batch(
          1,
          {ASpec{
              1, 0, {std::nullopt, raw<int32_t>({0, 5})}, {prim(2, std::nullopt, raw<int32_t>({1, 2}))}, nullptr, 0}}));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "past its child", chc::arrow::importStream(ta, &st));
  SSpec dictField = field("c", "x");
  dictField.dict = std::make_shared<SSpec>(field("u", ""));
  ASpec da = prim(1, std::nullopt, raw<int8_t>({3}));
  da.dict = std::make_shared<ASpec>(ASpec{1, 0, {std::nullopt, raw<int32_t>({0, 1}), text("a")}, {}, nullptr, 0});
  st = oneBatch(field("+s", "", {dictField}), batch(1, {da}));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "dictionary index", chc::arrow::importStream(ts, &st));
  // the producer fails: its message comes through
  TStream failing;
  failing.schema = one("i");
  failing.batches.push_back(okBatch());
  failing.fail_next_at = 1;
  st = makeStream(failing);
  EXPECT_CHC_KIND(ErrorKind::Network, "producer exploded", chc::arrow::importStream(t, &st));
  // every stream was released exactly once, and every array/schema it handed out too
  assert_int_equal(g_streams_released, 16);
  assert_int_equal(g_arrays_released, g_arrays_made);
  assert_int_equal(g_schemas_released, g_schemas_made);
  assert_true(g_arrays_made > 16);
  for (auto& c : t.columns) assert_int_equal(c->size(), 0);  // nothing stayed behind (direct mode cleared)
  for (auto& c : ts.columns) assert_int_equal(c->size(), 0);
}

void import_all_or_nothing(void**) {
  chc::Block t = target({{"x", "Int32"}, {"s", "String"}});
  t.columns[0]->appendInt64(5);  // rows already there: the import goes through staging columns
  t.columns[1]->appendString("kept");
  auto schema = field("+s", "", {field("i", "x"), field("u", "s")});
  auto good = [](int32_t v) {
    return batch(1, {prim(1, std::nullopt, raw<int32_t>({v})),
                     ASpec{1, 0, {std::nullopt, raw<int32_t>({0, 2}), text("ok")}, {}, nullptr, 0}});
  };
  TStream ts;
  ts.schema = schema;
  ts.batches.push_back(good(1));
  ts.batches.push_back(batch(1, {prim(1, bits({0}), raw<int32_t>({0}), 1),
                                 ASpec{1, 0, {std::nullopt, raw<int32_t>({0, 2}), text("no")}, {}, nullptr, 0}}));
  ArrowArrayStream st = makeStream(ts);
  EXPECT_CHC_KIND(ErrorKind::Type, "column 'x'", chc::arrow::importStream(t, &st));
  assert_int_equal(t.columns[0]->size(), 1);
  assert_int_equal(t.columns[1]->size(), 1);
  assert_true(chc::getString(*t.columns[1], 0) == "kept");
  // a good stream then appends after the existing rows
  TStream ok;
  ok.schema = schema;
  ok.batches.push_back(good(2));
  ok.batches.push_back(good(3));
  st = makeStream(ok);
  chc::arrow::importStream(t, &st);
  assert_int_equal(t.columns[0]->size(), 3);
  assert_int_equal(chc::getInt64(*t.columns[0], 2), 3);
  assert_true(chc::getString(*t.columns[1], 1) == "ok");
  // direct mode (empty columns) is all-or-nothing too
  chc::Block e = target({{"x", "Int32"}, {"s", "String"}});
  st = makeStream(ts);
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::arrow::importStream(e, &st));
  assert_int_equal(e.columns[0]->size(), 0);
  assert_int_equal(e.columns[1]->size(), 0);
}

// Sliced arrays: the struct's offset applies to its children, each child adds its own offset.
void import_offsets_and_dictionary(void**) {
  chc::Block t = target({{"s", "Nullable(String)"}, {"b", "Bool"}, {"plain", "String"}, {"h", "Float64"}});
  SSpec dictField = field("s", "plain");
  dictField.dict = std::make_shared<SSpec>(field("z", ""));
  TStream ts;
  ts.schema = field("+s", "", {field("U", "s"), field("b", "b"), dictField, field("e", "h")});
  ASpec str{3, 1, {bits({1, 1, 0, 1}), raw<int64_t>({0, 1, 3, 3, 6}), text("abcdef")}, {}, nullptr, 1};
  ASpec dict = prim(4, std::nullopt, raw<int16_t>({1, 1, 0, 1}));
  dict.dict =
      std::make_shared<ASpec>(ASpec{2, 0, {std::nullopt, raw<int32_t>({0, 1, 2, 3}), text("xyz")}, {}, nullptr, 1});
  ASpec top = batch(2, {str, prim(4, std::nullopt, bits({0, 0, 1, 1})), dict,
                        prim(4, std::nullopt, raw<uint16_t>({0, 0x3c00, 0xc000, 0x7c00}))});
  top.offset = 1;  // rows 1..2 of the struct; child s starts one further (its own offset 1)
  ts.batches.push_back(top);
  ArrowArrayStream st = makeStream(ts);
  chc::arrow::importStream(t, &st);
  assert_int_equal(t.columns[0]->size(), 2);
  assert_true(chc::isNullAt(*t.columns[0], 0));  // child index 2
  assert_true(chc::getString(*t.columns[0], 1) == "def");
  assert_int_equal(chc::getInt64(*t.columns[1], 0), 0);
  assert_int_equal(chc::getInt64(*t.columns[1], 1), 1);
  assert_true(chc::getString(*t.columns[2], 0) == "z");  // index 1, dictionary offset 1
  assert_true(chc::getString(*t.columns[2], 1) == "y");
  assert_true(chc::getDouble(*t.columns[3], 0) == 1.0);
  assert_true(chc::getDouble(*t.columns[3], 1) == -2.0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(export_numbers_zero_copy),
      cmocka_unit_test(export_strings_fixed_nullable_bool),
      cmocka_unit_test(export_dates_and_times),
      cmocka_unit_test(export_uuid_decimal_wide_misc),
      cmocka_unit_test(export_enum_lowcardinality),
      cmocka_unit_test(export_nested),
      cmocka_unit_test(export_release_discipline),
      cmocka_unit_test(export_unsupported_type),
      cmocka_unit_test(stream_export),
      cmocka_unit_test(stream_export_empty_and_errors),
      cmocka_unit_test(import_scalars),
      cmocka_unit_test(import_nested),
      cmocka_unit_test(import_offsets_and_dictionary),
      cmocka_unit_test(round_trip),
      cmocka_unit_test(import_errors),
      cmocka_unit_test(import_all_or_nothing),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
