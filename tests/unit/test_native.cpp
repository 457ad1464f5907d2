// impl/native + the column families: the Native format at revision 0 (spec §1-§5.3, §7, §8).
// Worked examples byte for byte in both directions, round trips of every supported type with edge
// values, streaming over any chunking, builder range checks, and hostile input (truncation, huge
// lengths, corrupt headers, server error text, random corruption) with bounded memory.
#include <malloc.h>
#include <cstring>

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "native/NativeBlockReader.hpp"
#include "native/NativeBlockWriter.hpp"
#include "native_support.hpp"
#include "types/Column.hpp"
#include "types/TypeFactory.hpp"
#include "types/ValueAccess.hpp"

// ---------------------------------------------------------------------------------------------
// Allocation accounting, to assert that hostile lengths cannot make the decoder allocate memory
// out of proportion to the bytes it was given. Every operator new of this program is counted.
namespace memtrack {
size_t live = 0;
size_t peak = 0;
}  // namespace memtrack

void* operator new(size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  memtrack::live += malloc_usable_size(p);
  if (memtrack::live > memtrack::peak) memtrack::peak = memtrack::live;
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
  if (!p) return;
  memtrack::live -= malloc_usable_size(p);
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }

// cmocka last: its fail() macro would break C++ standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using chc::Block;
using chc::Column;
using chc::ErrorKind;
using native_test::Bytes;
using native_test::hex;
using Opt = std::optional<std::string>;

namespace {

constexpr size_t kMemoryBound = 64u << 20;  // per decode of a small hostile input

void expectBytes(const Bytes& got, const Bytes& want) {
  if (got != want) {
    print_error("bytes differ\n got:  %s\n want: %s\n", native_test::toHex(got).c_str(),
                native_test::toHex(want).c_str());
    fail();
  }
}

std::string_view sv(const std::string& s) { return s; }

const Column& col(const Block& b, const char* name) {
  for (size_t i = 0; i < b.names.size(); ++i)
    if (b.names[i] == name) return *b.columns[i];
  print_error("no column %s\n", name);
  fail();
  return *b.columns[0];  // not reached
}

void expectInts(const Column& c, const std::vector<int64_t>& want) {
  assert_int_equal(c.size(), want.size());
  const Column& value = c.type().kind() == chc::TypeKind::Nullable ? *c.child(0) : c;
  for (size_t i = 0; i < want.size(); ++i) {
    if (chc::getInt64(c, i) != want[i]) {
      print_error("%s row %zu: %lld, want %lld\n", c.type().name().c_str(), i,
                  static_cast<long long>(chc::getInt64(c, i)), static_cast<long long>(want[i]));
      fail();
    }
    if (chc::isIntegerKind(value.type().kind())) assert_true(chc::getDouble(c, i) == static_cast<double>(want[i]));
  }
}

void expectUInts(const Column& c, const std::vector<uint64_t>& want) {
  assert_int_equal(c.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (chc::getUInt64(c, i) != want[i]) {
      print_error("%s row %zu: %llu, want %llu\n", c.type().name().c_str(), i,
                  static_cast<unsigned long long>(chc::getUInt64(c, i)), static_cast<unsigned long long>(want[i]));
      fail();
    }
  }
}

// nullopt = NULL.
void expectStrings(const Column& c, const std::vector<Opt>& want) {
  assert_int_equal(c.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    assert_int_equal(chc::isNullAt(c, i), !want[i].has_value());
    if (!want[i]) {
      EXPECT_CHC_KIND(ErrorKind::Type, "NULL", chc::getString(c, i));
      continue;
    }
    std::string_view got = chc::getString(c, i);
    if (got != *want[i]) {
      print_error("%s row %zu: '%s' (%zu bytes), want %zu bytes\n", c.type().name().c_str(), i,
                  std::string(got).c_str(), got.size(), want[i]->size());
      fail();
    }
  }
}

void expectOffsets(const Column& c, const std::vector<int64_t>& want) {
  auto off = c.offsets();
  assert_int_equal(off.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) assert_int_equal(off[i], want[i]);
}

void appendStrings(Column& c, const std::vector<Opt>& values) {
  for (const Opt& v : values) {
    if (v)
      c.appendString(*v);
    else
      c.appendNull();
  }
}

void appendArrayOfStrings(Column& arr, const std::vector<std::vector<Opt>>& rows) {
  for (const auto& row : rows) {
    appendStrings(*arr.child(0), row);
    arr.endArray();
  }
}

std::string longString(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& ch : s) ch = static_cast<char>(rng());
  return s;
}

const std::string kUtf8 = "h\xC3\xA9llo w\xC3\xB6rld \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x8E\x89";  // héllo wörld 世界 🎉
const std::string kNul = std::string("a\0b\0", 4);
const std::string k300 = std::string(300, 'x');
const std::string k70k = longString(70000, 5);

// ---------------------------------------------------------------------------------------------
// Spec §8 worked examples

const Bytes kEx81 =
    hex("02 02"
        "06 6E 75 6D 62 65 72  06 55 49 6E 74 36 34"
        "00 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00"
        "01 73  06 53 74 72 69 6E 67"
        "01 30  01 31");
const Bytes kEx82 = hex("01 03 01 73 10 `Nullable(String)`   00 01 00   01 61  00  02 62 63");
const Bytes kEx83 =
    hex("02 01"
        "01 64 08 `DateTime`                      68 5B F4 65"
        "01 6E 19 `Nullable(DateTime('UTC'))`     00 68 5B F4 65");
const Bytes kEx84 =
    hex("01 01 01 61 13 `Array(Array(UInt8))`"
        "03 00 00 00 00 00 00 00"
        "03 00 00 00 00 00 00 00  03 00 00 00 00 00 00 00  05 00 00 00 00 00 00 00"
        "0A 14 1E 28 32");
// Spec §7: the INSERT block 18.16 accepted, rows (7,'hi'), (9,'').
const Bytes kInsert7 = hex("02 02 01 61 05 `UInt8` 07 09 01 73 06 `String` 02 `hi` 00");

Block readOne(const Bytes& bytes) {
  std::vector<Block> blocks = native_test::readAllBlocks(bytes);
  assert_int_equal(blocks.size(), 1);
  return std::move(blocks[0]);
}

void spec_8_1_decode(void**) {
  Block b = readOne(kEx81);
  assert_int_equal(b.rows, 2);
  assert_int_equal(b.columns.size(), 2);
  assert_string_equal(b.names[0].c_str(), "number");
  assert_string_equal(b.names[1].c_str(), "s");
  const Column& number = *b.columns[0];
  assert_string_equal(number.type().name().c_str(), "UInt64");
  assert_int_equal(static_cast<int>(number.type().kind()), static_cast<int>(chc::TypeKind::UInt64));
  expectBytes(Bytes(number.data().begin(), number.data().end()),
              hex("00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"));
  expectUInts(number, {0, 1});
  expectInts(number, {0, 1});
  assert_null(number.nullMap());
  assert_int_equal(number.offsets().size(), 0);

  const Column& s = *b.columns[1];
  assert_string_equal(s.type().name().c_str(), "String");
  expectOffsets(s, {0, 1, 2});
  expectBytes(Bytes(s.data().begin(), s.data().end()), hex("30 31"));
  expectStrings(s, {"0", "1"});
  assert_false(chc::isNullAt(s, 0));
}

void spec_8_2_decode(void**) {
  Block b = readOne(kEx82);
  assert_int_equal(b.rows, 3);
  const Column& s = *b.columns[0];
  assert_string_equal(b.names[0].c_str(), "s");
  assert_string_equal(s.type().name().c_str(), "Nullable(String)");
  assert_int_equal(static_cast<int>(s.type().kind()), static_cast<int>(chc::TypeKind::Nullable));
  assert_non_null(s.nullMap());
  assert_memory_equal(s.nullMap(), "\x00\x01\x00", 3);
  assert_int_equal(s.childCount(), 1);
  const Column& inner = *s.child(0);
  assert_string_equal(inner.type().name().c_str(), "String");
  expectOffsets(inner, {0, 1, 1, 3});
  expectBytes(Bytes(inner.data().begin(), inner.data().end()), hex("61 62 63"));
  expectStrings(s, {"a", std::nullopt, "bc"});
  assert_true(chc::isNullAt(s, 1));
  assert_false(chc::isNullAt(s, 0));
  assert_false(chc::isNullAt(s, 3));  // out of range: not NULL
}

void spec_8_3_decode(void**) {
  Block b = readOne(kEx83);
  assert_int_equal(b.rows, 1);
  const Column& d = col(b, "d");
  assert_string_equal(d.type().name().c_str(), "DateTime");
  assert_string_equal(d.type().timezone().c_str(), "");  // dropped at revision 0 (spec §4.5)
  expectUInts(d, {1710513000});
  expectInts(d, {1710513000});
  const Column& n = col(b, "n");
  assert_string_equal(n.type().name().c_str(), "Nullable(DateTime('UTC'))");
  assert_string_equal(n.child(0)->type().timezone().c_str(), "UTC");
  assert_false(chc::isNullAt(n, 0));
  assert_int_equal(chc::getInt64(n, 0), 1710513000);
  assert_int_equal(chc::getUInt64(n, 0), 1710513000);
}

void spec_8_4_decode(void**) {
  Block b = readOne(kEx84);
  assert_int_equal(b.rows, 1);
  const Column& a = *b.columns[0];
  assert_string_equal(a.type().name().c_str(), "Array(Array(UInt8))");
  expectOffsets(a, {0, 3});
  const Column& inner = *a.child(0);
  assert_string_equal(inner.type().name().c_str(), "Array(UInt8)");
  expectOffsets(inner, {0, 3, 3, 5});
  const Column& leaves = *inner.child(0);
  expectBytes(Bytes(leaves.data().begin(), leaves.data().end()), hex("0A 14 1E 28 32"));
  expectUInts(leaves, {10, 20, 30, 40, 50});
  assert_null(a.child(1));
}

void spec_7_insert_decode(void**) {
  Block b = readOne(kInsert7);
  assert_int_equal(b.rows, 2);
  expectUInts(col(b, "a"), {7, 9});
  expectStrings(col(b, "s"), {"hi", ""});
}

void spec_examples_encode(void**) {
  {  // §8.1
    native_test::BlockBuilder bb;
    Column& number = bb.add("number", "UInt64");
    Column& s = bb.add("s", "String");
    number.appendUInt64(0);
    number.appendUInt64(1);
    s.appendString("0");
    s.appendString("1");
    expectBytes(native_test::encode(bb.take(2)), kEx81);
  }
  {  // §8.2
    native_test::BlockBuilder bb;
    appendStrings(bb.add("s", "Nullable(String)"), {"a", std::nullopt, "bc"});
    expectBytes(native_test::encode(bb.take(3)), kEx82);
  }
  {  // §8.3
    native_test::BlockBuilder bb;
    bb.add("d", "DateTime").appendUInt64(1710513000);
    bb.add("n", "Nullable(DateTime('UTC'))").appendInt64(1710513000);
    expectBytes(native_test::encode(bb.take(1)), kEx83);
  }
  {  // §8.4: [[10,20,30],[],[40,50]]
    native_test::BlockBuilder bb;
    Column& a = bb.add("a", "Array(Array(UInt8))");
    Column& inner = *a.child(0);
    Column& leaves = *inner.child(0);
    for (int v : {10, 20, 30}) leaves.appendInt64(v);
    inner.endArray();
    inner.endArray();
    leaves.appendUInt64(40);
    leaves.appendDouble(50.0);
    inner.endArray();
    a.endArray();
    expectBytes(native_test::encode(bb.take(1)), kEx84);
  }
  {  // §7
    native_test::BlockBuilder bb;
    Column& a = bb.add("a", "UInt8");
    Column& s = bb.add("s", "String");
    a.appendInt64(7);
    a.appendUInt64(9);
    s.appendString("hi");
    s.appendString("");
    expectBytes(native_test::encode(bb.take(2)), kInsert7);
  }
  // Every example decodes and re-encodes to itself.
  for (const Bytes* ex : {&kEx81, &kEx82, &kEx83, &kEx84, &kInsert7})
    expectBytes(native_test::encodeAll(native_test::readAllBlocks(*ex)), *ex);
}

// Spec §8.5-8.7 are real captures from the 18.16 server: they decode to the documented values and
// re-encode to the same bytes. AggregateFunction states stay a clear Unsupported.
void spec_composite_examples(void**) {
  const Bytes tuple = hex("01 01 01 74 14 `Tuple(UInt8, String)`  01  02 61 62");
  const Bytes nothing = hex("01 01 01 6E 11 `Nullable(Nothing)`     01  30");
  const Bytes lc =
      hex("01 03 02 6C 63 16 `LowCardinality(String)` 01 00 00 00 00 00 00 00 00 06 00 00 00 00 00 00"
          "03 00 00 00 00 00 00 00 00 01 61 01 62 03 00 00 00 00 00 00 00 01 02 01");
  const Bytes enum8 = hex("01 01 01 65 1B `Enum8('b' = -2, 'a\\'x' = 1)`  FE");
  const Bytes decimal = hex("01 01 01 64 0D `Decimal(9, 4)`  87 D6 12 00");
  const Bytes uuid = hex("01 01 01 75 04 `UUID`   77 66 55 44 33 22 11 00 FF EE DD CC BB AA 99 88");

  auto blocks = native_test::readAllBlocks(tuple);
  const chc::Column& t = *blocks.at(0).columns.at(0);
  assert_int_equal(t.childCount(), 2);
  assert_int_equal(chc::getUInt64(*t.child(0), 0), 1);
  assert_true(chc::getString(*t.child(1), 0) == "ab");

  blocks = native_test::readAllBlocks(nothing);
  assert_true(chc::isNullAt(*blocks.at(0).columns.at(0), 0));

  blocks = native_test::readAllBlocks(lc);
  const chc::Column& l = *blocks.at(0).columns.at(0);
  assert_int_equal(l.size(), 3);
  assert_true(chc::getString(l, 0) == "a");
  assert_true(chc::getString(l, 1) == "b");
  assert_true(chc::getString(l, 2) == "a");
  assert_int_equal(l.child(0)->size(), 3);  // "", "a", "b"

  blocks = native_test::readAllBlocks(enum8);
  assert_true(chc::getString(*blocks.at(0).columns.at(0), 0) == "b");
  assert_int_equal(chc::getInt64(*blocks.at(0).columns.at(0), 0), -2);

  blocks = native_test::readAllBlocks(decimal);
  int32_t unscaled;
  std::memcpy(&unscaled, blocks.at(0).columns.at(0)->data().data(), 4);
  assert_int_equal(unscaled, 1234567);  // 123.4567

  blocks = native_test::readAllBlocks(uuid);
  assert_int_equal(blocks.at(0).columns.at(0)->data().size(), 16);

  for (const Bytes* ex : {&tuple, &nothing, &lc, &enum8, &decimal, &uuid})
    expectBytes(native_test::encodeAll(native_test::readAllBlocks(*ex)), *ex);

  native_test::Outcome o = native_test::capture(
      [&] { native_test::readAllBlocks(hex("01 01 01 61 1E `AggregateFunction(sum, UInt64)` 00")); });
  assert_true(o.decode_error && o.kind == ErrorKind::Unsupported);
  assert_true(o.message.find("finalizeAggregation") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Every supported type with edge values

constexpr size_t kRows = 5;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// big: the String column holds a 70000-byte value (3-byte length); small keeps the stream short.
Block allTypesBlock(bool big = true) {
  native_test::BlockBuilder bb;
  auto ints = [&](const char* name, const char* type, std::vector<int64_t> v) {
    Column& c = bb.add(name, type);
    for (int64_t x : v) c.appendInt64(x);
  };
  auto uints = [&](const char* name, const char* type, std::vector<uint64_t> v) {
    Column& c = bb.add(name, type);
    for (uint64_t x : v) c.appendUInt64(x);
  };
  auto doubles = [&](const char* name, const char* type, std::vector<double> v) {
    Column& c = bb.add(name, type);
    for (double x : v) c.appendDouble(x);
  };
  ints("i8", "Int8", {-128, 127, 0, -1, 1});
  ints("i16", "Int16", {-32768, 32767, 0, -1, 1});
  ints("i32", "Int32", {INT32_MIN, INT32_MAX, 0, -1, 1});
  ints("i64", "Int64", {INT64_MIN, INT64_MAX, 0, -1, 1});
  uints("u8", "UInt8", {0, 255, 1, 128, 127});
  uints("u16", "UInt16", {0, 65535, 1, 32768, 256});
  uints("u32", "UInt32", {0, 4294967295u, 1, 2147483648u, 65536});
  uints("u64", "UInt64", {0, UINT64_MAX, 1, uint64_t(1) << 63, uint64_t(1) << 32});
  doubles("f32", "Float32", {-0.0, kNaN, kInf, -kInf, static_cast<double>(FLT_TRUE_MIN)});
  doubles("f64", "Float64", {-0.0, kNaN, kInf, -kInf, DBL_TRUE_MIN});
  appendStrings(bb.add("s", "String"), {"", kUtf8, kNul, k300, big ? k70k : std::string("tail")});
  appendStrings(bb.add("fs", "FixedString(4)"), {"ab", "abcd", "", std::string("\0x", 2), "\xC3\xA9"});
  uints("d", "Date", {0, 65535, 19797, 1, 0});
  uints("dt", "DateTime", {0, 4294967295u, 1710513000, 1, 0});
  uints("dtz", "DateTime('UTC')", {0, 4294967295u, 1710513000, 1, 0});
  {
    Column& c = bb.add("nall", "Nullable(Int32)");
    for (size_t i = 0; i < kRows; ++i) c.appendNull();
  }
  appendStrings(bb.add("nnone", "Nullable(String)"), {"x", "", "yy", std::string(1, '\0'), "\xC3\xA9"});
  {
    Column& c = bb.add("nmix", "Nullable(Float64)");
    c.appendDouble(1.5);
    c.appendNull();
    c.appendDouble(-0.0);
    c.appendNull();
    c.appendDouble(kNaN);
  }
  appendStrings(bb.add("nfs", "Nullable(FixedString(2))"), {std::nullopt, "a", "bc", std::nullopt, ""});
  {
    Column& c = bb.add("ndt", "Nullable(DateTime('Asia/Shanghai'))");
    c.appendUInt64(0);
    c.appendNull();
    c.appendUInt64(4294967295u);
    c.appendNull();
    c.appendInt64(7);
  }
  {
    Column& c = bb.add("aempty", "Array(UInt8)");
    for (size_t i = 0; i < kRows; ++i) c.endArray();
  }
  {
    Column& c = bb.add("au64", "Array(UInt64)");
    Column& e = *c.child(0);
    c.endArray();
    e.appendUInt64(0);
    e.appendUInt64(UINT64_MAX);
    c.endArray();
    e.appendUInt64(1);
    c.endArray();
    c.endArray();
    for (uint64_t v : {2, 3, 4}) e.appendUInt64(v);
    c.endArray();
  }
  appendArrayOfStrings(bb.add("as", "Array(String)"),
                       {{"", "a"}, {}, {std::string(1, '\0')}, {"\xC3\xA9", "", "bc"}, {}});
  {
    // [[]], [], [[NULL,'a'],[],['',NULL]], [[NULL]], [['deep']]
    Column& c = bb.add("ann", "Array(Array(Nullable(String)))");
    Column& inner = *c.child(0);
    const std::vector<std::vector<std::vector<Opt>>> rows = {
        {{}}, {}, {{std::nullopt, "a"}, {}, {"", std::nullopt}}, {{std::nullopt}}, {{"deep"}}};
    for (const auto& row : rows) {
      appendArrayOfStrings(inner, row);
      c.endArray();
    }
  }
  appendArrayOfStrings(bb.add("afs", "Array(FixedString(3))"), {{"a"}, {}, {"abc", std::string(3, '\0')}, {}, {""}});
  {
    // [NULL], [0, 65535], [], [NULL, NULL], [1]
    Column& c = bb.add("and", "Array(Nullable(Date))");
    Column& e = *c.child(0);
    e.appendNull();
    c.endArray();
    e.appendUInt64(0);
    e.appendUInt64(65535);
    c.endArray();
    c.endArray();
    e.appendNull();
    e.appendNull();
    c.endArray();
    e.appendUInt64(1);
    c.endArray();
  }
  {
    // [[[-128]], []], [], [[[], [127, 0]]], [[]], []
    Column& c = bb.add("aaa", "Array(Array(Array(Int8)))");
    Column& mid = *c.child(0);
    Column& in = *mid.child(0);
    Column& leaf = *in.child(0);
    leaf.appendInt64(-128);
    in.endArray();
    mid.endArray();
    mid.endArray();
    c.endArray();
    c.endArray();
    in.endArray();
    leaf.appendInt64(127);
    leaf.appendInt64(0);
    in.endArray();
    mid.endArray();
    c.endArray();
    mid.endArray();
    c.endArray();
    c.endArray();
  }
  return bb.take(kRows);
}

void checkFloatColumn(const Column& c, double tiny) {
  assert_int_equal(c.size(), kRows);
  const double v0 = chc::getDouble(c, 0);
  assert_true(v0 == 0.0 && std::signbit(v0));
  assert_true(std::isnan(chc::getDouble(c, 1)));
  assert_true(chc::getDouble(c, 2) == kInf);
  assert_true(chc::getDouble(c, 3) == -kInf);
  assert_true(chc::getDouble(c, 4) == tiny);
  EXPECT_CHC_KIND(ErrorKind::Type, c.type().name(), chc::getInt64(c, 0));
  EXPECT_CHC_KIND(ErrorKind::Type, c.type().name(), chc::getString(c, 0));
}

void checkAllTypes(const Block& b) {
  assert_int_equal(b.rows, kRows);
  assert_int_equal(b.columns.size(), 27);
  expectInts(col(b, "i8"), {-128, 127, 0, -1, 1});
  expectInts(col(b, "i16"), {-32768, 32767, 0, -1, 1});
  expectInts(col(b, "i32"), {INT32_MIN, INT32_MAX, 0, -1, 1});
  expectInts(col(b, "i64"), {INT64_MIN, INT64_MAX, 0, -1, 1});
  expectUInts(col(b, "u8"), {0, 255, 1, 128, 127});
  expectUInts(col(b, "u16"), {0, 65535, 1, 32768, 256});
  expectUInts(col(b, "u32"), {0, 4294967295u, 1, 2147483648u, 65536});
  expectUInts(col(b, "u64"), {0, UINT64_MAX, 1, uint64_t(1) << 63, uint64_t(1) << 32});
  assert_int_equal(col(b, "u64").data().size(), 8 * kRows);
  assert_int_equal(col(b, "i16").data().size(), 2 * kRows);
  checkFloatColumn(col(b, "f32"), static_cast<double>(FLT_TRUE_MIN));
  checkFloatColumn(col(b, "f64"), DBL_TRUE_MIN);
  assert_int_equal(col(b, "f32").data().size(), 4 * kRows);
  expectStrings(col(b, "s"), {"", kUtf8, kNul, k300, k70k});
  expectStrings(col(b, "fs"), {std::string("ab\0\0", 4), "abcd", std::string(4, '\0'), std::string("\0x\0\0", 4),
                               std::string("\xC3\xA9\0\0", 4)});
  assert_int_equal(col(b, "fs").data().size(), 4 * kRows);
  expectUInts(col(b, "d"), {0, 65535, 19797, 1, 0});
  expectInts(col(b, "dt"), {0, 4294967295, 1710513000, 1, 0});
  expectUInts(col(b, "dtz"), {0, 4294967295u, 1710513000, 1, 0});
  assert_string_equal(col(b, "dtz").type().timezone().c_str(), "UTC");

  const Column& nall = col(b, "nall");
  assert_int_equal(nall.size(), kRows);
  for (size_t i = 0; i < kRows; ++i) {
    assert_true(chc::isNullAt(nall, i));
    EXPECT_CHC_KIND(ErrorKind::Type, "NULL", chc::getInt64(nall, i));
  }
  expectInts(*nall.child(0), {0, 0, 0, 0, 0});  // placeholders
  expectStrings(col(b, "nnone"), {"x", "", "yy", std::string(1, '\0'), "\xC3\xA9"});
  for (size_t i = 0; i < kRows; ++i) assert_int_equal(col(b, "nnone").nullMap()[i], 0);
  const Column& nmix = col(b, "nmix");
  assert_memory_equal(nmix.nullMap(), "\x00\x01\x00\x01\x00", kRows);
  assert_true(chc::getDouble(nmix, 0) == 1.5);
  assert_true(std::signbit(chc::getDouble(nmix, 2)));
  assert_true(std::isnan(chc::getDouble(nmix, 4)));
  EXPECT_CHC_KIND(ErrorKind::Type, "NULL", chc::getDouble(nmix, 3));
  expectStrings(col(b, "nfs"), {std::nullopt, std::string("a\0", 2), "bc", std::nullopt, std::string(2, '\0')});
  const Column& ndt = col(b, "ndt");
  assert_false(chc::isNullAt(ndt, 0));
  assert_true(chc::isNullAt(ndt, 1));
  assert_int_equal(chc::getUInt64(ndt, 2), 4294967295u);
  assert_int_equal(chc::getInt64(ndt, 4), 7);
  assert_string_equal(ndt.child(0)->type().timezone().c_str(), "Asia/Shanghai");

  const Column& aempty = col(b, "aempty");
  expectOffsets(aempty, {0, 0, 0, 0, 0, 0});
  assert_int_equal(aempty.child(0)->size(), 0);
  const Column& au64 = col(b, "au64");
  expectOffsets(au64, {0, 0, 2, 3, 3, 6});
  expectUInts(*au64.child(0), {0, UINT64_MAX, 1, 2, 3, 4});
  const Column& as = col(b, "as");
  expectOffsets(as, {0, 2, 2, 3, 6, 6});
  expectStrings(*as.child(0), {"", "a", std::string(1, '\0'), "\xC3\xA9", "", "bc"});
  const Column& ann = col(b, "ann");
  expectOffsets(ann, {0, 1, 1, 4, 5, 6});
  expectOffsets(*ann.child(0), {0, 0, 2, 2, 4, 5, 6});
  expectStrings(*ann.child(0)->child(0), {std::nullopt, "a", "", std::nullopt, std::nullopt, "deep"});
  const Column& afs = col(b, "afs");
  expectOffsets(afs, {0, 1, 1, 3, 3, 4});
  expectStrings(*afs.child(0), {std::string("a\0\0", 3), "abc", std::string(3, '\0'), std::string(3, '\0')});
  const Column& andd = col(b, "and");
  expectOffsets(andd, {0, 1, 3, 3, 5, 6});
  const Column& dates = *andd.child(0);
  assert_memory_equal(dates.nullMap(), "\x01\x00\x00\x01\x01\x00", 6);
  assert_int_equal(chc::getUInt64(dates, 1), 0);
  assert_int_equal(chc::getUInt64(dates, 2), 65535);
  assert_int_equal(chc::getUInt64(dates, 5), 1);
  const Column& aaa = col(b, "aaa");
  expectOffsets(aaa, {0, 2, 2, 3, 4, 4});
  expectOffsets(*aaa.child(0), {0, 1, 1, 3, 3});
  expectOffsets(*aaa.child(0)->child(0), {0, 1, 1, 3});
  expectInts(*aaa.child(0)->child(0)->child(0), {-128, 127, 0});
}

void roundtrip_all_types(void**) {
  Block built = allTypesBlock();
  checkAllTypes(built);  // the builders stored what they were given
  const Bytes bytes = native_test::encode(built);
  Block decoded = readOne(bytes);
  checkAllTypes(decoded);
  const std::string diff = native_test::diffBlocks(built, decoded);
  if (!diff.empty()) {
    print_error("decoded block differs: %s\n", diff.c_str());
    fail();
  }
  for (size_t i = 0; i < decoded.columns.size(); ++i)
    assert_string_equal(decoded.columns[i]->type().name().c_str(), built.columns[i]->type().name().c_str());
  expectBytes(native_test::encode(decoded), bytes);

  // Spot-check the wire form of a few columns inside the encoding.
  const Bytes i8col = hex("02 `i8` 04 `Int8` 80 7F 00 FF 01");
  assert_true(std::search(bytes.begin(), bytes.end(), i8col.begin(), i8col.end()) != bytes.end());
  const Bytes fscol = hex("02 `fs` 0E `FixedString(4)` 61 62 00 00 61 62 63 64 00 00 00 00 00 78 00 00 C3 A9 00 00");
  assert_true(std::search(bytes.begin(), bytes.end(), fscol.begin(), fscol.end()) != bytes.end());
  const Bytes f32col = hex("03 `f32` 07 `Float32` 00 00 00 80");  // -0.0f
  assert_true(std::search(bytes.begin(), bytes.end(), f32col.begin(), f32col.end()) != bytes.end());
  // 70000-byte string: a 3-byte VarUInt length F0 A2 04.
  const Bytes len70k = hex("F0 A2 04");
  assert_true(std::search(bytes.begin(), bytes.end(), len70k.begin(), len70k.end()) != bytes.end());
}

// A stream of several blocks: the all-types block, a zero-row block, a small block, a block with
// no columns, and another copy of the first shape.
std::vector<Block> multiBlocks() {
  std::vector<Block> blocks;
  blocks.push_back(allTypesBlock());
  {
    native_test::BlockBuilder bb;
    bb.add("x", "UInt8");
    bb.add("y", "Array(Nullable(String))");
    bb.add("z", "Nullable(FixedString(3))");
    blocks.push_back(bb.take(0));
  }
  {
    native_test::BlockBuilder bb;
    appendStrings(bb.add("s", "String"), {"first", std::string(300000, 'q')});  // larger than the read buffer
    Column& a = bb.add("a", "Array(UInt8)");
    a.child(0)->appendUInt64(1);
    a.endArray();
    a.endArray();
    blocks.push_back(bb.take(2));
  }
  {
    native_test::BlockBuilder bb;
    blocks.push_back(bb.take(3));
  }
  blocks.push_back(allTypesBlock());
  return blocks;
}

void zero_row_block_has_no_data(void**) {
  native_test::BlockBuilder bb;
  bb.add("a", "UInt8");
  bb.add("b", "Array(Nullable(String))");
  const Bytes bytes = native_test::encode(bb.take(0));
  expectBytes(bytes, hex("02 00 01 61 05 `UInt8` 01 62 17 `Array(Nullable(String))`"));
  Block b = readOne(bytes);
  assert_int_equal(b.rows, 0);
  assert_int_equal(b.columns.size(), 2);
  assert_string_equal(b.columns[1]->type().name().c_str(), "Array(Nullable(String))");
  assert_int_equal(b.columns[0]->size(), 0);
  assert_int_equal(b.columns[1]->size(), 0);

  // Followed by a non-empty block in the same stream: no stray bytes between them.
  const Bytes both = native_test::concat({bytes, kEx81});
  std::vector<Block> blocks = native_test::readAllBlocks(both);
  assert_int_equal(blocks.size(), 2);
  expectUInts(col(blocks[1], "number"), {0, 1});

  // A block with no columns keeps its row count.
  native_test::BlockBuilder none;
  expectBytes(native_test::encode(none.take(4)), hex("00 04"));
  assert_int_equal(readOne(hex("00 04")).rows, 4);
}

void roundtrip_multiple_blocks(void**) {
  const std::vector<Block> blocks = multiBlocks();
  const Bytes bytes = native_test::encodeAll(blocks);
  // Appending: each block's bytes follow the previous ones unchanged.
  Bytes first = native_test::encode(blocks[0]);
  assert_memory_equal(bytes.data(), first.data(), first.size());

  chc::MemoryInputStream in(bytes);
  chc::NativeBlockReader reader(in);
  std::vector<Block> decoded;
  while (auto b = reader.next()) decoded.push_back(std::move(*b));
  assert_false(reader.next().has_value());  // stays at end
  const std::string diff = native_test::diffBlockLists(blocks, decoded);
  if (!diff.empty()) {
    print_error("%s\n", diff.c_str());
    fail();
  }
  checkAllTypes(decoded[0]);
  checkAllTypes(decoded[4]);
  assert_int_equal(decoded[1].rows, 0);
  assert_int_equal(decoded[1].columns.size(), 3);
  assert_int_equal(decoded[3].rows, 3);
  assert_int_equal(decoded[3].columns.size(), 0);
  expectStrings(col(decoded[2], "s"), {"first", std::string(300000, 'q')});
  expectOffsets(col(decoded[2], "a"), {0, 1, 1});
  expectBytes(native_test::encodeAll(decoded), bytes);

  // An empty body is a valid result with no blocks (spec §2.1).
  assert_int_equal(native_test::readAllBlocks(Bytes{}).size(), 0);
}

// ---------------------------------------------------------------------------------------------
// Streaming: a block may span any number of chunks.

void streaming_any_chunking(void**) {
  const Bytes bytes = native_test::encodeAll(multiBlocks());
  const std::vector<Block> reference = native_test::readAllBlocks(bytes);
  assert_int_equal(reference.size(), 5);

  struct Mode {
    size_t max_chunk;
    uint32_t seed;
  };
  for (Mode m : {Mode{1, 1}, Mode{2, 2}, Mode{3, 3}, Mode{7, 4}, Mode{13, 5}, Mode{64, 6}, Mode{1000, 7},
                 Mode{70001, 8}, Mode{1u << 20, 9}}) {
    native_test::ChunkedInput in(bytes, m.max_chunk, m.seed);
    std::vector<Block> got = native_test::readAllBlocks(in);
    const std::string diff = native_test::diffBlockLists(reference, got);
    if (!diff.empty()) {
      print_error("max_chunk %zu: %s\n", m.max_chunk, diff.c_str());
      fail();
    }
    expectBytes(native_test::encodeAll(got), bytes);
    if (m.max_chunk == 1) assert_true(in.reads() >= bytes.size());  // really one byte per read
  }
}

// ---------------------------------------------------------------------------------------------
// Builders: a value that does not fit is Error(Type) and leaves the column unchanged.

struct Snapshot {
  size_t size;
  Bytes data;
  std::vector<int64_t> offsets;
  Bytes nulls;
};

Snapshot snap(const Column& c) {
  Snapshot s{c.size(), Bytes(c.data().begin(), c.data().end()), {c.offsets().begin(), c.offsets().end()}, {}};
  if (c.nullMap()) s.nulls.assign(c.nullMap(), c.nullMap() + c.size());
  return s;
}

#define EXPECT_REJECTED(column_, call_)                                                              \
  do {                                                                                               \
    Column& c_ = (column_);                                                                          \
    const Snapshot before_ = snap(c_);                                                               \
    const size_t child_before_ = c_.childCount() ? c_.child(0)->size() : 0;                          \
    /* the message names the type that refused the value (a Nullable's inner type) */                \
    const std::string type_ =                                                                        \
        c_.type().kind() == chc::TypeKind::Nullable ? c_.child(0)->type().name() : c_.type().name(); \
    EXPECT_CHC_KIND(ErrorKind::Type, type_, c_.call_);                                               \
    const Snapshot after_ = snap(c_);                                                                \
    assert_int_equal(after_.size, before_.size);                                                     \
    assert_true(after_.data == before_.data);                                                        \
    assert_true(after_.offsets == before_.offsets);                                                  \
    assert_true(after_.nulls == before_.nulls);                                                      \
    if (c_.childCount()) assert_int_equal(c_.child(0)->size(), child_before_);                       \
  } while (0)

void builder_range_errors(void**) {
  auto make = [](const char* t) { return chc::makeColumn(chc::makeType(t)); };
  auto u8 = make("UInt8");
  u8->appendUInt64(255);  // the boundary fits
  EXPECT_REJECTED(*u8, appendUInt64(300));
  EXPECT_REJECTED(*u8, appendInt64(300));
  EXPECT_REJECTED(*u8, appendInt64(256));
  EXPECT_REJECTED(*u8, appendInt64(-1));
  EXPECT_REJECTED(*u8, appendDouble(300.0));
  EXPECT_REJECTED(*u8, appendDouble(kNaN));
  assert_int_equal(u8->size(), 1);

  auto u32 = make("UInt32");
  EXPECT_REJECTED(*u32, appendInt64(-1));
  EXPECT_REJECTED(*u32, appendUInt64(uint64_t(1) << 32));
  EXPECT_REJECTED(*u32, appendDouble(-1.0));
  assert_int_equal(u32->size(), 0);

  auto dt = make("DateTime");
  EXPECT_REJECTED(*dt, appendUInt64(uint64_t(1) << 32));
  EXPECT_REJECTED(*dt, appendInt64(int64_t(1) << 32));
  EXPECT_REJECTED(*dt, appendInt64(-1));
  dt->appendUInt64(4294967295u);
  assert_int_equal(chc::getUInt64(*dt, 0), 4294967295u);
  auto date = make("Date");
  EXPECT_REJECTED(*date, appendUInt64(65536));
  EXPECT_REJECTED(*date, appendInt64(-1));

  auto i8 = make("Int8");
  EXPECT_REJECTED(*i8, appendInt64(128));
  EXPECT_REJECTED(*i8, appendInt64(-129));
  EXPECT_REJECTED(*i8, appendUInt64(128));
  EXPECT_REJECTED(*i8, appendUInt64(UINT64_MAX));
  i8->appendDouble(-128.0);
  assert_int_equal(chc::getInt64(*i8, 0), -128);

  auto i64 = make("Int64");
  EXPECT_REJECTED(*i64, appendUInt64(uint64_t(1) << 63));
  EXPECT_REJECTED(*i64, appendDouble(9.3e18));
  EXPECT_REJECTED(*i64, appendDouble(-9.3e18));
  auto u64 = make("UInt64");
  EXPECT_REJECTED(*u64, appendInt64(-1));
  EXPECT_REJECTED(*u64, appendInt64(INT64_MIN));
  EXPECT_REJECTED(*u64, appendDouble(18446744073709551616.0));

  auto i32 = make("Int32");
  EXPECT_REJECTED(*i32, appendDouble(1.5));
  EXPECT_REJECTED(*i32, appendDouble(-0.5));
  EXPECT_REJECTED(*i32, appendDouble(kInf));
  EXPECT_REJECTED(*i32, appendDouble(2147483648.0));
  EXPECT_REJECTED(*i32, appendDouble(-2147483649.0));
  EXPECT_REJECTED(*i32, appendString("1"));
  EXPECT_REJECTED(*i32, appendNull());
  EXPECT_REJECTED(*i32, endArray());
  i32->appendDouble(-2147483648.0);
  assert_int_equal(chc::getInt64(*i32, 0), INT32_MIN);
  assert_int_equal(i32->size(), 1);

  auto f64 = make("Float64");
  EXPECT_REJECTED(*f64, appendString("1.5"));
  EXPECT_REJECTED(*f64, appendNull());
  f64->appendInt64(-5);
  f64->appendUInt64(UINT64_MAX);
  assert_true(chc::getDouble(*f64, 0) == -5.0);
  assert_true(chc::getDouble(*f64, 1) == 18446744073709551615.0);
}

void builder_type_errors(void**) {
  auto make = [](const char* t) { return chc::makeColumn(chc::makeType(t)); };
  auto fs = make("FixedString(3)");
  fs->appendString("abc");
  EXPECT_REJECTED(*fs, appendString("abcd"));
  EXPECT_REJECTED(*fs, appendInt64(1));
  EXPECT_REJECTED(*fs, appendNull());
  assert_int_equal(fs->size(), 1);
  assert_int_equal(fs->data().size(), 3);

  auto s = make("String");
  EXPECT_REJECTED(*s, appendNull());
  EXPECT_REJECTED(*s, appendInt64(1));
  EXPECT_REJECTED(*s, appendUInt64(1));
  EXPECT_REJECTED(*s, appendDouble(1.0));
  EXPECT_REJECTED(*s, endArray());
  assert_int_equal(s->size(), 0);

  auto n = make("Nullable(UInt8)");
  n->appendNull();
  n->appendUInt64(5);
  EXPECT_REJECTED(*n, appendUInt64(300));
  EXPECT_REJECTED(*n, appendInt64(-1));
  EXPECT_REJECTED(*n, appendString("x"));
  EXPECT_REJECTED(*n, appendDouble(0.5));
  EXPECT_REJECTED(*n, endArray());
  assert_int_equal(n->size(), 2);
  assert_int_equal(n->child(0)->size(), 2);

  auto ns = make("Nullable(FixedString(2))");
  EXPECT_REJECTED(*ns, appendString("abc"));
  EXPECT_REJECTED(*ns, appendInt64(1));
  assert_int_equal(ns->size(), 0);

  auto a = make("Array(UInt8)");
  EXPECT_REJECTED(*a, appendUInt64(1));
  EXPECT_REJECTED(*a, appendString("x"));
  EXPECT_REJECTED(*a, appendNull());
  EXPECT_REJECTED(*a->child(0), appendUInt64(256));
  EXPECT_REJECTED(*a->child(0), appendNull());
  assert_int_equal(a->size(), 0);
  assert_int_equal(a->child(0)->size(), 0);

  // The column stays usable after rejected values.
  a->child(0)->appendUInt64(9);
  a->endArray();
  expectOffsets(*a, {0, 1});
  expectUInts(*a->child(0), {9});
}

void value_access_conversions(void**) {
  Block b = allTypesBlock();
  const Column& u64 = col(b, "u64");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(u64, 1));  // > INT64_MAX
  assert_true(chc::getDouble(u64, 1) == 18446744073709551615.0);
  assert_int_equal(chc::getInt64(u64, 4), int64_t(1) << 32);
  const Column& i8 = col(b, "i8");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getUInt64(i8, 0));  // negative
  assert_int_equal(chc::getUInt64(i8, 1), 127);
  EXPECT_CHC_KIND(ErrorKind::Type, "Int8", chc::getString(i8, 0));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::getInt64(i8, kRows));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::getString(col(b, "s"), kRows));
  EXPECT_CHC_KIND(ErrorKind::Type, "String", chc::getInt64(col(b, "s"), 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "String", chc::getDouble(col(b, "s"), 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "Array(UInt64)", chc::getUInt64(col(b, "au64"), 0));
  // Date/DateTime read as integers (days / seconds); get_double covers Float and integer kinds only.
  assert_int_equal(chc::getInt64(col(b, "d"), 1), 65535);
  EXPECT_CHC_KIND(ErrorKind::Type, "Date", chc::getDouble(col(b, "d"), 1));
  assert_false(chc::isNullAt(col(b, "s"), 0));
  assert_false(chc::isNullAt(col(b, "nall"), kRows));
}

// ---------------------------------------------------------------------------------------------
// Writer contract

void writer_rejects_row_mismatch(void**) {
  native_test::BlockBuilder bb;
  bb.add("a", "UInt8").appendUInt64(1);
  bb.add("b", "String");
  Block b = bb.take(1);
  Bytes out = {0xAB};
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "'b'", chc::writeNativeBlock(b, out));
  expectBytes(out, {0xAB});  // nothing half-written
}

// An Array column whose last row was never closed with endArray() has elements that no offset
// covers. Writing it must either fail or leave those elements out; emitting them corrupts the
// stream (the reader takes them for the next column or block).
// (Helpers return a description instead of failing, so that no heap object is alive when cmocka
// longjmps out of a failing test: the sanitizer run then reports the failure, not leaks.)
std::string pendingElementsProblem() {
  native_test::BlockBuilder bb;
  Column& a = bb.add("a", "Array(UInt8)");
  a.child(0)->appendUInt64(1);
  a.endArray();
  a.child(0)->appendUInt64(2);  // row 2 never closed
  Block b = bb.take(1);
  Bytes out;
  native_test::Outcome w = native_test::capture([&] { chc::writeNativeBlock(b, out); });
  if (w.threw) return w.chc_error ? "" : "writeNativeBlock threw a non-chc exception: " + w.message;
  native_test::Outcome r = native_test::capture([&] {
    std::vector<Block> blocks = native_test::readAllBlocks(out);
    if (blocks.size() != 1) throw std::runtime_error(std::to_string(blocks.size()) + " blocks");
    if (blocks[0].columns[0]->offsets().size() != 2 || blocks[0].columns[0]->child(0)->size() != 1)
      throw std::runtime_error("decoded the wrong rows");
  });
  if (r.threw) return "writeNativeBlock emitted a corrupt stream (" + native_test::toHex(out) + "): " + r.message;
  return {};
}

void writer_array_pending_elements(void**) {
  bool ok;
  {
    const std::string problem = pendingElementsProblem();
    ok = problem.empty();
    if (!ok) print_error("%s\n", problem.c_str());
  }
  assert_true(ok);
}

// ---------------------------------------------------------------------------------------------
// Hostile input

struct Guarded {
  native_test::Outcome outcome;
  size_t blocks = 0;
  size_t peak_growth = 0;
};

Guarded readGuarded(const Bytes& bytes, size_t max_chunk = 0) {
  Guarded g;
  const size_t base = memtrack::live;
  memtrack::peak = base;
  g.outcome = native_test::capture([&] {
    std::optional<native_test::ChunkedInput> chunked;
    chc::MemoryInputStream mem(bytes);
    chc::InputStream* in = &mem;
    if (max_chunk) in = &chunked.emplace(bytes, max_chunk, 11);
    chc::NativeBlockReader reader(*in);
    while (auto b = reader.next()) ++g.blocks;
  });
  g.peak_growth = memtrack::peak - base;
  return g;
}

// `bytes` decodes `good_blocks` blocks, then fails with a NativeDecodeError of `kind` whose message
// holds `needle`, using bounded memory; the same with one-byte reads.
void expectBadInput(const char* what, const Bytes& bytes, ErrorKind kind, const char* needle, size_t good_blocks = 0) {
  for (size_t chunk : {size_t(0), size_t(1)}) {
    Guarded g = readGuarded(bytes, chunk);
    const native_test::Outcome& o = g.outcome;
    if (!o.decode_error || o.kind != kind || o.message.find(needle) == std::string::npos || g.blocks != good_blocks) {
      print_error(
          "%s%s: expected NativeDecodeError(%s) containing \"%s\" after %zu blocks; got %s after %zu blocks: %s\n",
          what, chunk ? " (1-byte reads)" : "", native_test::kindName(kind), needle, good_blocks,
          o.threw ? (o.chc_error ? native_test::kindName(o.kind) : "non-chc exception") : "no error", g.blocks,
          o.message.c_str());
      fail();
    }
    if (g.peak_growth > kMemoryBound) {
      print_error("%s: decoding %zu bytes allocated %zu bytes\n", what, bytes.size(), g.peak_growth);
      fail();
    }
  }
}

Bytes header(uint64_t cols, uint64_t rows) {
  return native_test::concat({native_test::varuint(cols), native_test::varuint(rows)});
}
Bytes column(const char* name, const char* type) {
  return native_test::concat({native_test::str(name), native_test::str(type)});
}

void bad_huge_lengths(void**) {
  using native_test::concat;
  const Bytes strcol = concat({header(1, 1), column("s", "String")});
  // The message reports the absurd length itself (not just "truncated").
  expectBadInput("string length 2^63-1", concat({strcol, hex("FF FF FF FF FF FF FF FF 7F")}), ErrorKind::Protocol,
                 "9223372036854775807");
  expectBadInput("string length 2^63", concat({strcol, hex("80 80 80 80 80 80 80 80 80 01")}), ErrorKind::Protocol, "");
  expectBadInput("string length 2^64-1", concat({strcol, hex("FF FF FF FF FF FF FF FF FF 01")}), ErrorKind::Protocol,
                 "");
  expectBadInput("string length 2^31", concat({strcol, native_test::varuint(uint64_t(1) << 31), hex("61 62")}),
                 ErrorKind::Protocol, "");
  // Just under the 1 GiB cap but only a few bytes present: truncation, without allocating 1 GiB.
  expectBadInput("string length 2^30", concat({strcol, native_test::varuint(uint64_t(1) << 30), hex("61 62")}),
                 ErrorKind::Protocol, "");
  // Column name and type name lengths.
  expectBadInput("name length 2^63", concat({header(1, 1), hex("80 80 80 80 80 80 80 80 80 01 61")}),
                 ErrorKind::Protocol, "");
  expectBadInput("type length 2^40",
                 concat({header(1, 1), native_test::str("a"), native_test::varuint(uint64_t(1) << 40)}),
                 ErrorKind::Protocol, "");
  // VarUInt overflow: 10th byte > 1, and 11-byte encodings (with and without 10 bytes buffered).
  expectBadInput("VarUInt 10th byte 2", hex("80 80 80 80 80 80 80 80 80 02 01"), ErrorKind::Protocol, "VarUInt");
  expectBadInput("VarUInt of 11 bytes", hex("80 80 80 80 80 80 80 80 80 80 00 01 00 00 00"), ErrorKind::Protocol,
                 "VarUInt");
  expectBadInput("VarUInt of 11 bytes at the end", hex("FF FF FF FF FF FF FF FF FF FF 01"), ErrorKind::Protocol,
                 "VarUInt");
  expectBadInput("VarUInt of 11 bytes as string length", concat({strcol, hex("80 80 80 80 80 80 80 80 80 80 00")}),
                 ErrorKind::Protocol, "VarUInt");
  // Header counts.
  expectBadInput("num_rows 2^62", concat({header(1, uint64_t(1) << 62), column("a", "UInt8"), hex("01 02 03")}),
                 ErrorKind::Protocol, "rows");
  expectBadInput("num_columns 2^40", concat({header(uint64_t(1) << 40, 1), column("a", "UInt8"), hex("01")}),
                 ErrorKind::Protocol, "columns");
  // Row counts the header limits allow but the data cannot back.
  expectBadInput("2^40 rows of UInt64", concat({header(1, uint64_t(1) << 40), column("a", "UInt64"), hex("01 02 03")}),
                 ErrorKind::Protocol, "");
  expectBadInput("2^40 rows of String", concat({header(1, uint64_t(1) << 40), column("a", "String"), hex("01 61 00")}),
                 ErrorKind::Protocol, "");
  expectBadInput("2^40 rows of FixedString(16777215)",
                 concat({header(1, uint64_t(1) << 40), column("a", "FixedString(16777215)"), hex("01")}),
                 ErrorKind::Protocol, "");
  expectBadInput("2^40 rows of Nullable(String)",
                 concat({header(1, uint64_t(1) << 40), column("a", "Nullable(String)"), hex("00 01 00")}),
                 ErrorKind::Protocol, "");
  expectBadInput("2^40 rows of Array(String)",
                 concat({header(1, uint64_t(1) << 40), column("a", "Array(String)"), native_test::le64(1)}),
                 ErrorKind::Protocol, "");
}

void bad_array_offsets(void**) {
  using native_test::concat;
  using native_test::le64;
  expectBadInput("decreasing offsets",
                 concat({header(1, 2), column("a", "Array(UInt8)"), le64(2), le64(1), hex("01 02")}),
                 ErrorKind::Protocol, "monotonic");
  expectBadInput("decreasing inner offsets",
                 concat({header(1, 1), column("a", "Array(Array(UInt8))"), le64(2), le64(3), le64(1), hex("01 02 03")}),
                 ErrorKind::Protocol, "monotonic");
  // The last offset claims 2^62 elements but no element data follows.
  for (const char* type :
       {"Array(UInt8)", "Array(UInt64)", "Array(String)", "Array(Nullable(String))", "Array(FixedString(1000))",
        "Array(Array(UInt8))", "Array(Nullable(Int64))", "Array(Array(Array(String)))"}) {
    expectBadInput(type, concat({header(1, 2), column("a", type), le64(1), le64(uint64_t(1) << 62)}),
                   ErrorKind::Protocol, "");
    expectBadInput(type, concat({header(1, 1), column("a", type), le64(UINT64_MAX), hex("00 00")}), ErrorKind::Protocol,
                   "");
  }
}

void bad_type_names(void**) {
  using native_test::concat;
  // Unknown but well-formed: Unsupported, naming the type, and nothing after it is read.
  expectBadInput("Foo", concat({header(1, 1), column("a", "Foo"), hex("01")}), ErrorKind::Unsupported, "Foo");
  // A valid block first, then the unknown type: the first block is delivered.
  expectBadInput("Foo after a block", concat({kEx81, header(1, 0), column("a", "Foo")}), ErrorKind::Unsupported, "Foo",
                 1);
  // Malformed names come out as Protocol (the parser's InvalidArgument is converted, spec: corrupt
  // data from the server), with the parser's description.
  for (const char* bad : {"Array(", "Array(UInt8", "UInt8)", "", "Enum8('a", "Nullable(Array(UInt8))",
                          "Nullable(Nullable(UInt8))", "FixedString(0)", "FixedString(abc)", "UInt8(1)"}) {
    expectBadInput(bad, concat({header(1, 1), column("a", bad), hex("00 00 00 00 00 00 00 00")}), ErrorKind::Protocol,
                   "");
  }
  expectBadInput("Array(", concat({header(1, 1), column("a", "Array("), hex("00")}), ErrorKind::Protocol, "position");
}

// Every proper prefix of a valid stream that does not end at a block boundary is truncated
// data: Protocol, after exactly the blocks that were complete.
void bad_every_truncation(void**) {
  std::vector<Block> blocks;
  blocks.push_back(allTypesBlock(false));
  {
    native_test::BlockBuilder bb;
    bb.add("x", "UInt8");
    bb.add("y", "Array(Nullable(String))");
    blocks.push_back(bb.take(0));
  }
  {
    native_test::BlockBuilder bb;
    appendStrings(bb.add("s", "Nullable(String)"), {"ab", std::nullopt});
    Column& a = bb.add("a", "Array(Array(UInt8))");
    a.child(0)->child(0)->appendUInt64(1);
    a.child(0)->endArray();
    a.endArray();
    a.endArray();
    bb.add("f", "FixedString(2)").appendString("z");
    bb.get("f").appendString("zz");
    blocks.push_back(bb.take(2));
  }
  Bytes bytes;
  std::vector<size_t> boundaries = {0};
  for (const Block& b : blocks) {
    chc::writeNativeBlock(b, bytes);
    boundaries.push_back(bytes.size());
  }
  size_t checked = 0;
  for (size_t len = 1; len < bytes.size(); ++len) {
    const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(len));
    const size_t complete =
        static_cast<size_t>(std::upper_bound(boundaries.begin(), boundaries.end(), len) - boundaries.begin()) - 1;
    Guarded g = readGuarded(prefix);
    const bool at_boundary = std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
    if (at_boundary) {
      if (g.outcome.threw || g.blocks != complete) {
        print_error("prefix %zu (a block boundary): %zu blocks, %s\n", len, g.blocks, g.outcome.message.c_str());
        fail();
      }
      continue;
    }
    if (!g.outcome.decode_error || g.outcome.kind != ErrorKind::Protocol || g.blocks != complete) {
      print_error(
          "prefix %zu of %zu: expected Protocol after %zu blocks, got %s after %zu blocks: %s\n", len, bytes.size(),
          complete,
          g.outcome.threw ? (g.outcome.chc_error ? native_test::kindName(g.outcome.kind) : "non-chc") : "no error",
          g.blocks, g.outcome.message.c_str());
      fail();
    }
    assert_true(g.peak_growth < kMemoryBound);
    ++checked;
  }
  assert_true(checked > 500);
}

// Spec §2.1 / http-interface §9: a server that fails mid-stream appends its exception text.
const std::string kServerError =
    "Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., e.what() = DB::Exception\n";

// Reads the good block, then expects a NativeDecodeError whose window shows the server's text.
// Returns a description of what went wrong, "" when all is well.
std::string serverErrorWindowProblem(const std::vector<size_t>& script, size_t max_chunk, const char* what) {
  const Bytes bytes = native_test::concat({kEx81, Bytes(kServerError.begin(), kServerError.end())});
  chc::MemoryInputStream mem(bytes);
  std::optional<native_test::ChunkedInput> chunked;
  chc::InputStream* in = &mem;
  if (!script.empty()) in = &chunked.emplace(bytes, script);
  if (max_chunk) in = &chunked.emplace(bytes, max_chunk, 3);
  chc::NativeBlockReader reader(*in);
  std::optional<Block> first = reader.next();
  if (!first || first->rows != 2 || chc::getUInt64(*first->columns[0], 1) != 1)
    return std::string(what) + ": the valid block did not decode";
  native_test::Outcome o = native_test::capture([&] { reader.next(); });
  if (!o.decode_error) return std::string(what) + ": expected NativeDecodeError, got " + o.message;
  if (o.kind != ErrorKind::Protocol && o.kind != ErrorKind::Unsupported)
    return std::string(what) + ": unexpected kind " + native_test::kindName(o.kind);
  if (o.window.find("Code: 60") == std::string::npos || o.window.find("doesn't exist") == std::string::npos)
    return std::string(what) + ": window lacks the server's exception text: [" + o.window + "]";
  return {};
}

int serverErrorWindowFailures(std::initializer_list<std::tuple<std::vector<size_t>, size_t, const char*>> cases) {
  int failures = 0;
  for (const auto& [script, max_chunk, what] : cases) {
    const std::string problem = serverErrorWindowProblem(script, max_chunk, what);
    if (!problem.empty()) {
      print_error("%s\n", problem.c_str());
      ++failures;
    }
  }
  return failures;
}

void server_error_after_block(void**) {
  const int failures = serverErrorWindowFailures({
      {{}, 0, "one read"},
      // The error text arriving in a read of its own (the block in earlier reads).
      {{kEx81.size(), kServerError.size()}, 0, "error text in its own read"},
  });
  assert_int_equal(failures, 0);
}

// The same, with the exception text split over reads (a TCP segment or HTTP chunk boundary inside
// it): the window must still show the text the server wrote, not only its tail.
void server_error_split_across_reads(void**) {
  const int failures = serverErrorWindowFailures({
      {{kEx81.size(), 4, kServerError.size()}, 0, "error text split after 4 bytes"},
      {{}, 1, "one byte per read"},
  });
  assert_int_equal(failures, 0);
}

// Transport failures are not decode errors: they pass through unchanged.
void transport_error_passes_through(void**) {
  native_test::DroppingInput in(native_test::concat({kEx81, Bytes(kEx82.begin(), kEx82.begin() + 10)}));
  chc::NativeBlockReader reader(in);
  assert_true(reader.next().has_value());
  native_test::Outcome o = native_test::capture([&] { reader.next(); });
  assert_true(o.chc_error);
  assert_false(o.decode_error);
  assert_int_equal(static_cast<int>(o.kind), static_cast<int>(ErrorKind::Network));
}

// Random corruption: every mutated stream either decodes or fails with a chc decode error of kind
// Protocol/Unsupported; nothing else escapes, nothing crashes or hangs, memory stays bounded.
void bad_random_mutations(void**) {
  std::vector<Block> blocks;
  {
    native_test::BlockBuilder bb;
    bb.add("i", "Int32").appendInt64(-7);
    bb.get("i").appendInt64(70000);
    appendStrings(bb.add("s", "String"), {"hello", ""});
    appendStrings(bb.add("n", "Nullable(String)"), {std::nullopt, "x"});
    appendStrings(bb.add("f", "FixedString(3)"), {"ab", "cde"});
    Column& a = bb.add("a", "Array(Array(Nullable(UInt16)))");
    a.child(0)->child(0)->appendUInt64(1);
    a.child(0)->child(0)->appendNull();
    a.child(0)->endArray();
    a.endArray();
    a.child(0)->endArray();
    a.endArray();
    bb.add("d", "DateTime('UTC')").appendUInt64(1);
    bb.get("d").appendUInt64(2);
    bb.add("g", "Array(String)").endArray();
    bb.get("g").child(0)->appendString("z");
    bb.get("g").endArray();
    blocks.push_back(bb.take(2));
  }
  {
    native_test::BlockBuilder bb;
    bb.add("z", "Nullable(Float64)");
    blocks.push_back(bb.take(0));
  }
  blocks.push_back(readOne(kEx84));
  blocks.push_back(readOne(kEx81));
  const Bytes valid = native_test::encodeAll(blocks);

  std::mt19937 rng(20240315);
  size_t decoded = 0, failed = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    Bytes m = valid;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      const size_t pos = rng() % m.size();
      switch (rng() % 4) {
        case 0: m[pos] = 0xFF; break;
        case 1: m[pos] = static_cast<uint8_t>(rng() % 0x80); break;
        default: m[pos] ^= static_cast<uint8_t>(1 + rng() % 255); break;
      }
    }
    if (rng() % 8 == 0) m.resize(rng() % m.size());
    Guarded g = readGuarded(m, iter % 4 == 0 ? 1 + rng() % 9 : 0);
    if (!g.outcome.threw) {
      ++decoded;
    } else if (g.outcome.decode_error &&
               (g.outcome.kind == ErrorKind::Protocol || g.outcome.kind == ErrorKind::Unsupported)) {
      ++failed;
    } else {
      print_error("mutation %d: %s (%s)\n  input: %s\n", iter,
                  g.outcome.chc_error ? native_test::kindName(g.outcome.kind) : "non-chc", g.outcome.message.c_str(),
                  native_test::toHex(m).c_str());
      fail();
    }
    if (g.peak_growth > kMemoryBound) {
      print_error("mutation %d: %zu bytes allocated\n  input: %s\n", iter, g.peak_growth,
                  native_test::toHex(m).c_str());
      fail();
    }
  }
  // Both outcomes occur: the mutations hit headers and data alike.
  assert_true(decoded > 50);
  assert_true(failed > 500);
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spec_8_1_decode),
      cmocka_unit_test(spec_8_2_decode),
      cmocka_unit_test(spec_8_3_decode),
      cmocka_unit_test(spec_8_4_decode),
      cmocka_unit_test(spec_7_insert_decode),
      cmocka_unit_test(spec_examples_encode),
      cmocka_unit_test(spec_composite_examples),
      cmocka_unit_test(roundtrip_all_types),
      cmocka_unit_test(zero_row_block_has_no_data),
      cmocka_unit_test(roundtrip_multiple_blocks),
      cmocka_unit_test(streaming_any_chunking),
      cmocka_unit_test(builder_range_errors),
      cmocka_unit_test(builder_type_errors),
      cmocka_unit_test(value_access_conversions),
      cmocka_unit_test(writer_rejects_row_mismatch),
      cmocka_unit_test(writer_array_pending_elements),
      cmocka_unit_test(bad_huge_lengths),
      cmocka_unit_test(bad_array_offsets),
      cmocka_unit_test(bad_type_names),
      cmocka_unit_test(bad_every_truncation),
      cmocka_unit_test(server_error_after_block),
      cmocka_unit_test(server_error_split_across_reads),
      cmocka_unit_test(transport_error_passes_through),
      cmocka_unit_test(bad_random_mutations),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
