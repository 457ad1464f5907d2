// impl/arrow: Variant -> dense union, JSON and Dynamic -> large_utf8 JSON text (arrow.json), on
// Native bytes captured from a current engine (chDB 26.9, `SELECT ... FORMAT Native`), checked
// buffer by buffer; nesting, invalid UTF-8, limits; and the import of unions into Variant columns
// and of utf8 into JSON columns.
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arrow/Arrow.hpp"
#include "arrow_support.hpp"
#include "common/Error.hpp"
#include "native_support.hpp"
#include "types/ValueAccess.hpp"
#include "types/VariantColumn.hpp"

// cmocka last: its fail() macro would break C++ standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using chc::ErrorKind;
using native_test::hex;
using namespace arrow_test;

namespace {

// ---- engine bytes (chDB 26.9) ----------------------------------------------------------------------

// SELECT CAST(number % 4 = 0 ? NULL : (number % 4 = 1 ? toString(number) : (number % 4 = 2 ?
//   [number, 1] : number)), 'Variant(String, UInt64, Array(UInt64))') AS v FROM numbers(6)
// rows: NULL, '1', [2, 1], 3, NULL, '5'
const Bytes kVariant =
    hex("01 06 01 76 26 `Variant(Array(UInt64), String, UInt64)` 00 00 00 00 00 00 00 00 ff 01 00 02 ff 01"
        " 02 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 01 31 01 35 03 00 00 00 00 00 00 00");
// SELECT CAST(if(number % 2 = 1, toString(number), number), 'Variant(String, UInt64)') AS v FROM numbers(3)
const Bytes kVariantNoNulls =
    hex("01 03 01 76 17 `Variant(String, UInt64)` 00 00 00 00 00 00 00 00 01 00 01 01 31"
        " 00 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00");
// SELECT multiIf(number = 0, NULL, number = 1, CAST(toUInt8(42), 'Dynamic'), number = 2, CAST('x"y', 'Dynamic'),
//   number = 3, CAST([1, 2], 'Dynamic'), number = 4, CAST(1.5, 'Dynamic'), CAST(toDate('2020-01-02'), 'Dynamic'))
//   AS d FROM numbers(6)
const Bytes kDynamic =
    hex("01 06 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 05 05 0c `Array(UInt8)` 04 `Date` 07 `Float64` 06 `String`"
        " 05 `UInt8` 00 00 00 00 00 00 00 00 ff 05 04 00 02 01 02 00 00 00 00 00 00 00 01 02 57 47"
        " 00 00 00 00 00 00 f8 3f 03 78 22 79 2a");
// SELECT CAST(multiIf(number = 0, 1::Dynamic, number = 1, 'a'::Dynamic,
//   toUUID('01234567-89ab-cdef-0011-223344556677')::Dynamic), 'Dynamic(max_types=1)') AS d FROM numbers(3)
// (the UUID goes to SharedVariant; '1' parsed as String by ::)
const Bytes kDynamicShared =
    hex("01 03 01 64 14 `Dynamic(max_types=1)` 01 00 00 00 00 00 00 00 01 01 06 `String` 00 00 00 00 00 00 00 00"
        " 01 01 00 11 1d ef cd ab 89 67 45 23 01 77 66 55 44 33 22 11 00 01 31 01 61");
// SELECT arrayJoin(['{"a":1,"b":{"c":"x"}}', '{"a":2,"d":[1,2]}', '{}'])::JSON AS j  (object serialization)
const Bytes kJsonObject = hex(
    "01 03 01 6a 04 `JSON` 00 00 00 00 00 00 00 00 03 03 01 61 03 62 2e 63 01 64 01 00 00 00 00 00 00 00 01 01 05"
    " `Int64` 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 01 01 06 `String` 00 00 00 00 00 00 00 00 01 00 00 00"
    " 00 00 00 00 01 01 16 `Array(Nullable(Int64))` 00 00 00 00 00 00 00 00 00 00 ff 01 00 00 00 00 00 00 00 02 00 00"
    " 00 00 00 00 00 01 ff ff 01 78 ff 00 ff 02 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02 00 00 00 00 00"
    " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
// The same first two rows with output_format_native_write_json_as_string=1.
const Bytes kJsonString =
    hex("01 02 01 6a 04 `JSON` 01 00 00 00 00 00 00 00 15 `{\"a\":1,\"b\":{\"c\":\"x\"}}` 11 `{\"a\":2,\"d\":[1,2]}`");
// SELECT [CAST(number, 'Variant(String, UInt64)'), NULL, CAST('s' || toString(number), 'Variant(String, UInt64)')]
//   AS av, tuple(('{"k":' || toString(number) || '}')::JSON, CAST(number, 'Dynamic'))::Tuple(j JSON, d Dynamic)
//   AS t, map('m', CAST(if(number = 0, NULL, 'v'), 'Variant(String, UInt64)')) AS mv FROM numbers(2)
const Bytes kNested = hex(
    "03 02 02 61 76 1e `Array(Variant(String, UInt64))` 00 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 06 00 00 00"
    " 00 00 00 00 01 ff 00 01 ff 00 02 73 30 02 73 31 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"
    " 01 74 18 `Tuple(j JSON, d Dynamic)` 00 00 00 00 00 00 00 00 01 01 01 6b 01 00 00 00 00 00 00 00 01 01 05 `Int64`"
    " 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 01 01 06 `UInt64` 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    " 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00 00 00 00 00 00 00 00"
    " 01 00 00 00 00 00 00 00 02 6d 76 24 `Map(String, Variant(String, UInt64))` 00 00 00 00 00 00 00 00 01 00 00 00"
    " 00 00 00 00 02 00 00 00 00 00 00 00 01 6d 01 6d ff 00 01 76");
// SELECT CAST(unhex('61FF62'), 'Dynamic') AS d   (a String that is not UTF-8)
const Bytes kDynamicBadUtf8 =
    hex("01 01 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 01 01 06 `String` 00 00 00 00 00 00 00 00 01 03 61 ff 62");

std::shared_ptr<const chc::Block> decode(const Bytes& bytes) {
  auto blocks = native_test::readAllBlocks(bytes);
  assert_int_equal(blocks.size(), 1);
  return share(std::move(blocks[0]));
}

std::string_view textAt(const ArrowArray& a, size_t row) {
  const auto b = at<int64_t>(a.buffers[1], row), e = at<int64_t>(a.buffers[1], row + 1);
  return {static_cast<const char*>(a.buffers[2]) + b, static_cast<size_t>(e - b)};
}

// The key/value pairs of an ArrowSchema's metadata.
std::vector<std::pair<std::string, std::string>> metadata(const ArrowSchema& s) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!s.metadata) return out;
  const char* p = s.metadata;
  auto int32 = [&] {
    int32_t v;
    std::memcpy(&v, p, 4);
    p += 4;
    return v;
  };
  auto str = [&] {
    int32_t n = int32();
    std::string v(p, static_cast<size_t>(n));
    p += n;
    return v;
  };
  for (int32_t i = 0, n = int32(); i < n; ++i) {
    std::string k = str();
    out.emplace_back(k, str());
  }
  return out;
}

void assertJsonExtension(const ArrowSchema& s) {
  assert_string_equal(s.format, "U");
  auto md = metadata(s);
  assert_int_equal(md.size(), 2);
  assert_string_equal(md[0].first.c_str(), "ARROW:extension:name");
  assert_string_equal(md[0].second.c_str(), "arrow.json");
  assert_string_equal(md[1].first.c_str(), "ARROW:extension:metadata");
  assert_string_equal(md[1].second.c_str(), "");
}

// ---- export ------------------------------------------------------------------------------------

void variant_to_dense_union(void**) {
  auto block = decode(kVariant);
  {
    Exported e(block);
    const ArrowSchema& s = e.s(0);
    assert_string_equal(s.format, "+ud:0,1,2,3");
    assert_string_equal(s.name, "v");
    assert_int_equal(s.flags, ARROW_FLAG_NULLABLE);
    assert_null(s.metadata);
    assert_int_equal(s.n_children, 4);
    const char* names[] = {"Array(UInt64)", "String", "UInt64", "null"};
    const char* formats[] = {"+L", "Z", "L", "n"};
    for (int i = 0; i < 4; ++i) {
      assert_string_equal(s.children[i]->name, names[i]);
      assert_string_equal(s.children[i]->format, formats[i]);
      assert_int_equal(s.children[i]->flags, i == 3 ? ARROW_FLAG_NULLABLE : 0);
    }
    const ArrowArray& a = e.a(0);
    assert_int_equal(a.length, 6);
    assert_int_equal(a.null_count, 0);  // unions have no nulls of their own
    assert_int_equal(a.n_buffers, 2);
    assert_int_equal(a.n_children, 4);
    const int8_t ids[] = {3, 1, 0, 2, 3, 1};
    const int32_t offsets[] = {0, 0, 0, 0, 1, 1};
    for (size_t r = 0; r < 6; ++r) {
      assert_int_equal(at<int8_t>(a.buffers[0], r), ids[r]);
      assert_int_equal(at<int32_t>(a.buffers[1], r), offsets[r]);
    }
    // Array(UInt64): one row [2, 1]
    const ArrowArray& list = *a.children[0];
    assert_int_equal(list.length, 1);
    assert_int_equal(at<int64_t>(list.buffers[1], 1), 2);
    assert_int_equal(at<uint64_t>(list.children[0]->buffers[1], 0), 2);
    assert_int_equal(at<uint64_t>(list.children[0]->buffers[1], 1), 1);
    // String: '1', '5', zero-copy from the alternative
    const ArrowArray& str = *a.children[1];
    assert_int_equal(str.length, 2);
    assert_ptr_equal(str.buffers[2], block->columns[0]->child(1)->data().data());
    assert_true(textAt(str, 0) == "1");
    assert_true(textAt(str, 1) == "5");
    // UInt64: 3
    assert_int_equal(a.children[2]->length, 1);
    assert_int_equal(at<uint64_t>(a.children[2]->buffers[1], 0), 3);
    // the null child: one slot per NULL row, all null, no buffers
    assert_int_equal(a.children[3]->length, 2);
    assert_int_equal(a.children[3]->null_count, 2);
    assert_int_equal(a.children[3]->n_buffers, 0);
  }
  assert_int_equal(chc::arrow::liveExports(), 0);
}

void variant_without_nulls_shares_discriminators(void**) {
  auto block = decode(kVariantNoNulls);
  Exported e(block);
  assert_string_equal(e.s(0).format, "+ud:0,1,2");
  const ArrowArray& a = e.a(0);
  assert_ptr_equal(a.buffers[0], block->columns[0]->data().data());  // type ids = discriminators
  const int8_t ids[] = {1, 0, 1};
  const int32_t offsets[] = {0, 0, 1};
  for (size_t r = 0; r < 3; ++r) {
    assert_int_equal(at<int8_t>(a.buffers[0], r), ids[r]);
    assert_int_equal(at<int32_t>(a.buffers[1], r), offsets[r]);
  }
  assert_int_equal(a.children[2]->length, 0);
  assert_int_equal(at<uint64_t>(a.children[1]->buffers[1], 1), 2);
}

void dynamic_to_json_text(void**) {
  auto block = decode(kDynamic);
  Exported e(block);
  assertJsonExtension(e.s(0));
  assert_int_equal(e.s(0).flags, ARROW_FLAG_NULLABLE);
  const ArrowArray& a = e.a(0);
  assert_int_equal(a.n_buffers, 3);
  assert_int_equal(a.null_count, 1);
  assert_false(bit(a.buffers[0], 0));
  const char* want[] = {"", "42", "\"x\\\"y\"", "[1,2]", "1.5", "\"2020-01-02\""};
  for (size_t r = 0; r < 6; ++r) {
    if (r) assert_true(bit(a.buffers[0], r));
    assert_string_equal(std::string(textAt(a, r)).c_str(), want[r]);
  }
  // SharedVariant values are rendered like the others
  auto shared = decode(kDynamicShared);
  Exported s(shared);
  assert_int_equal(s.a(0).null_count, 0);
  assert_null(s.a(0).buffers[0]);
  assert_true(textAt(s.a(0), 0) == "\"1\"");
  assert_true(textAt(s.a(0), 1) == "\"a\"");
  assert_true(textAt(s.a(0), 2) == "\"01234567-89ab-cdef-0011-223344556677\"");
}

void json_to_json_text(void**) {
  for (const Bytes* bytes : {&kJsonObject, &kJsonString}) {
    auto block = decode(*bytes);
    Exported e(block);
    assertJsonExtension(e.s(0));
    assert_int_equal(e.s(0).flags, 0);
    const ArrowArray& a = e.a(0);
    assert_null(a.buffers[0]);
    assert_int_equal(a.null_count, 0);
    assert_ptr_equal(a.buffers[1], block->columns[0]->offsets().data());  // zero-copy
    assert_ptr_equal(a.buffers[2], block->columns[0]->data().data());
    assert_true(textAt(a, 0) == R"({"a":1,"b":{"c":"x"}})");
    assert_true(textAt(a, 1) == R"({"a":2,"d":[1,2]})");
    if (bytes == &kJsonObject) assert_true(textAt(a, 2) == "{}");
  }
}

void nested_variant_json_dynamic(void**) {
  auto block = decode(kNested);
  Exported e(block);
  // Array(Variant(String, UInt64)): rows [0, NULL, 's0'], [1, NULL, 's1']
  assert_string_equal(e.s(0).format, "+L");
  assert_string_equal(e.s(0).children[0]->format, "+ud:0,1,2");
  const ArrowArray& u = *e.a(0).children[0];
  assert_int_equal(u.length, 6);
  const int8_t ids[] = {1, 2, 0, 1, 2, 0};
  const int32_t offsets[] = {0, 0, 0, 1, 1, 1};
  for (size_t r = 0; r < 6; ++r) {
    assert_int_equal(at<int8_t>(u.buffers[0], r), ids[r]);
    assert_int_equal(at<int32_t>(u.buffers[1], r), offsets[r]);
  }
  assert_true(textAt(*u.children[0], 1) == "s1");
  assert_int_equal(u.children[2]->length, 2);
  // Tuple(j JSON, d Dynamic)
  assert_string_equal(e.s(1).format, "+s");
  assert_string_equal(e.s(1).children[0]->name, "j");
  assertJsonExtension(*e.s(1).children[0]);
  assertJsonExtension(*e.s(1).children[1]);
  assert_true(textAt(*e.a(1).children[0], 1) == R"({"k":1})");
  assert_true(textAt(*e.a(1).children[1], 1) == "1");
  // Map(String, Variant(String, UInt64)): {'m': NULL}, {'m': 'v'}
  const ArrowSchema& value = *e.s(2).children[0]->children[1];
  assert_string_equal(value.format, "+ud:0,1,2");
  assert_string_equal(value.name, "value");
  const ArrowArray& mv = *e.a(2).children[0]->children[1];
  assert_int_equal(at<int8_t>(mv.buffers[0], 0), 2);
  assert_int_equal(at<int8_t>(mv.buffers[0], 1), 0);
  assert_true(textAt(*mv.children[0], 0) == "v");
}

void invalid_utf8_is_replaced(void**) {
  auto block = decode(kDynamicBadUtf8);
  Exported e(block);
  assert_true(textAt(e.a(0), 0) ==
              "\"a\xEF\xBF\xBD"
              "b\"");
  // JSON documents (STRING form, hand-made): an invalid byte
  auto json =
      decode(native_test::concat({hex("01 01 01 6a 04 `JSON` 01 00 00 00 00 00 00 00"), hex("06 `{\"a\":` ff")}));
  Exported j(json);
  assert_ptr_not_equal(j.a(0).buffers[2], json->columns[0]->data().data());  // converted
  assert_true(textAt(j.a(0), 0) == "{\"a\":\xEF\xBF\xBD");
  // a row ending inside a sequence that the next row continues: the whole buffer is valid UTF-8,
  // the rows are not
  auto split = decode(
      native_test::concat({hex("01 02 01 6a 04 `JSON` 01 00 00 00 00 00 00 00"), hex("02 `{` c3"), hex("02 a9 `}`")}));
  Exported sp(split);
  assert_true(textAt(sp.a(0), 0) == "{\xEF\xBF\xBD");
  assert_true(textAt(sp.a(0), 1) == "\xEF\xBF\xBD}");
  // valid multi-byte text stays zero-copy
  const Bytes ok = native_test::concat(
      {hex("01 01 01 6a 04 `JSON` 01 00 00 00 00 00 00 00"), hex("0d `{\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}`")});
  auto good = decode(ok);
  Exported g(good);
  assert_ptr_equal(g.a(0).buffers[2], good->columns[0]->data().data());
}

void variant_limits(void**) {
  // 128 alternatives fit Variant (up to 255) but not an Arrow union (type ids 0..127, one for NULL)
  auto makeVariant = [](int n) {
    std::string name = "Variant(";
    for (int i = 1; i <= n; ++i) name += (i > 1 ? ", FixedString(" : "FixedString(") + std::to_string(i) + ")";
    return chc::makeType(name + ")");
  };
  ArrowSchema s{};
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "Arrow union", chc::arrow::exportTypeSchema(*makeVariant(128), "v", &s));
  assert_null(s.release);
  chc::arrow::exportTypeSchema(*makeVariant(127), "v", &s);
  assert_int_equal(s.n_children, 128);
  assert_string_equal(s.children[127]->name, "null");
  assert_non_null(strstr(s.format, ",126,127"));
  s.release(&s);
  native_test::BlockBuilder b;
  b.add("v", makeVariant(128)->name().c_str()).appendNull();
  auto block = share(b.take(1));
  ArrowArray a{};
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "Arrow union", chc::arrow::exportBlock(block, &a));
  assert_null(a.release);
  assert_int_equal(chc::arrow::liveExports(), 0);
}

// Dynamic's alternatives differ between blocks; the exported schema is the same for every block.
void dynamic_stream_has_one_schema(void**) {
  // chDB 26.9: SELECT CAST(arrayJoin([1, 2]), 'Dynamic') AS d UNION ALL SELECT CAST('x', 'Dynamic')
  const Bytes two =
      hex("01 02 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 01 01 05 `UInt8` 00 00 00 00 00 00 00 00 01 01 01 02"
          " 01 01 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 01 01 06 `String` 00 00 00 00 00 00 00 00 01 01 78");
  auto blocks = std::make_shared<std::vector<chc::Block>>(native_test::readAllBlocks(two));
  assert_int_equal(blocks->size(), 2);
  auto pos = std::make_shared<size_t>(0);
  ArrowArrayStream st{};
  chc::arrow::exportStream(
      [blocks, pos]() -> std::optional<chc::Block> {
        if (*pos == blocks->size()) return std::nullopt;
        return std::move((*blocks)[(*pos)++]);
      },
      &st);
  ArrowSchema s{};
  assert_int_equal(st.get_schema(&st, &s), 0);
  assertJsonExtension(*s.children[0]);
  s.release(&s);
  std::vector<std::string> texts;
  for (;;) {
    ArrowArray a{};
    assert_int_equal(st.get_next(&st, &a), 0);
    if (!a.release) break;
    for (int64_t r = 0; r < a.length; ++r) texts.emplace_back(textAt(*a.children[0], static_cast<size_t>(r)));
    a.release(&a);
  }
  st.release(&st);
  assert_int_equal(texts.size(), 3);
  assert_string_equal(texts[0].c_str(), "1");
  assert_string_equal(texts[1].c_str(), "2");
  assert_string_equal(texts[2].c_str(), "\"x\"");
  assert_int_equal(chc::arrow::liveExports(), 0);
}

// ---- import ------------------------------------------------------------------------------------

// Exports the block of `bytes` as a stream of one batch and imports it into `target`.
void importExported(chc::Block& target, const Bytes& bytes) {
  auto once = std::make_shared<std::optional<chc::Block>>(std::move(native_test::readAllBlocks(bytes).at(0)));
  ArrowArrayStream st{};
  chc::arrow::exportStream(
      [once]() -> std::optional<chc::Block> {
        std::optional<chc::Block> b = std::move(*once);
        once->reset();
        return b;
      },
      &st);
  chc::arrow::importStream(target, &st);
}

void union_and_json_round_trip(void**) {
  for (const Bytes* bytes : {&kVariant, &kVariantNoNulls, &kJsonString, &kJsonObject}) {
    auto src = decode(*bytes);
    native_test::BlockBuilder bb;
    bb.add(src->names[0].c_str(), src->columns[0]->type().name().c_str());
    chc::Block t = bb.take(0);
    importExported(t, *bytes);  // direct into the empty column
    importExported(t, *bytes);  // staging: the column already has rows
    t.rows = 2 * src->rows;
    chc::Block want = std::move(native_test::readAllBlocks(*bytes)[0]);
    chc::arrow::appendAllRows(*want.columns[0], *src->columns[0]);
    want.rows = t.rows;
    if (bytes == &kJsonObject) {  // re-encoded as STRING: compare the documents
      for (size_t r = 0; r < t.rows; ++r)
        assert_true(chc::getString(*t.columns[0], r) == chc::getString(*want.columns[0], r));
      continue;
    }
    const std::string diff = native_test::diffBlocks(t, want);
    if (!diff.empty()) print_error("%s\n", diff.c_str());
    assert_true(diff.empty());
  }
  assert_int_equal(chc::arrow::liveExports(), 0);
}

// A dense union as other producers make it: children named freely, a null-type child.
void import_foreign_union(void**) {
  resetCounts();
  chc::Block t = target({{"v", "Variant(String, UInt64, Array(UInt64))"}});
  // rows: 7 (child "int"), 'hi' (child "str"), NULL (null child), [4] (child named like the
  // alternative), NULL (an invalid slot of child "int")
  TStream ts;
  ts.schema = field("+s", "",
                    {field("+ud:5,2,0,9", "v",
                           {field("l", "int"), field("u", "str"), field("n", "nothing"),
                            field("+l", "Array(UInt64)", {field("L", "item")})})});
  ASpec ints = prim(2, bits({1, 0}), raw<int64_t>({7, 0}), 1);
  ASpec strs{1, 0, {std::nullopt, raw<int32_t>({0, 2}), text("hi")}, {}, nullptr, 0};
  ASpec nulls{1, 1, {}, {}, nullptr, 0};
  ASpec lists{1, 0, {std::nullopt, raw<int32_t>({0, 1})}, {prim(1, std::nullopt, raw<uint64_t>({4}))}, nullptr, 0};
  ASpec u{5, 0, {raw<int8_t>({5, 2, 0, 9, 5}), raw<int32_t>({0, 0, 0, 0, 1})}, {ints, strs, nulls, lists}, nullptr, 0};
  ts.batches.push_back(batch(5, {u}));
  ArrowArrayStream st = makeStream(ts);
  chc::arrow::importStream(t, &st);
  const auto& v = static_cast<const chc::VariantColumn&>(*t.columns[0]);
  assert_int_equal(v.size(), 5);
  assert_int_equal(v.discriminator(0), 2);  // 7: the first alternative that takes an integer is UInt64
  assert_int_equal(chc::getUInt64(*v.child(2), v.memberRow(0)), 7);
  assert_int_equal(v.discriminator(1), 1);
  assert_true(chc::getString(*v.child(1), v.memberRow(1)) == "hi");
  assert_int_equal(v.discriminator(2), chc::VariantColumn::kNull);
  assert_int_equal(v.discriminator(3), 0);
  assert_int_equal(v.child(0)->child(0)->size(), 1);
  assert_int_equal(v.discriminator(4), chc::VariantColumn::kNull);
  assert_int_equal(g_arrays_released, g_arrays_made);
  assert_int_equal(g_schemas_released, g_schemas_made);
}

void import_union_errors(void**) {
  chc::Block t = target({{"v", "Variant(String, UInt64)"}});
  auto schema = [](const char* fmt) {
    return field("+s", "", {field(fmt, "v", {field("l", "a"), field("+l", "b", {field("l", "item")})})});
  };
  ASpec ints = prim(1, std::nullopt, raw<int64_t>({1}));
  ASpec lists{1, 0, {std::nullopt, raw<int32_t>({0, 1})}, {prim(1, std::nullopt, raw<int64_t>({4}))}, nullptr, 0};
  auto unionOf = [&](Bytes ids, Bytes offs) {
    return batch(1, {ASpec{1, 0, {std::move(ids), std::move(offs)}, {ints, lists}, nullptr, 0}});
  };
  ArrowArrayStream st = oneBatch(schema("+ud:0,1"), unionOf(raw<int8_t>({3}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "type id 3", chc::arrow::importStream(t, &st));
  st = oneBatch(schema("+ud:0,1"), unionOf(raw<int8_t>({0}), raw<int32_t>({1})));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "outside child", chc::arrow::importStream(t, &st));
  st = oneBatch(schema("+ud:0,1"), unionOf(raw<int8_t>({0}), raw<int32_t>({-1})));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "outside child", chc::arrow::importStream(t, &st));
  st = oneBatch(schema("+ud:0"), unionOf(raw<int8_t>({0}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "number of type ids", chc::arrow::importStream(t, &st));
  st = oneBatch(schema("+ud:0,0"), unionOf(raw<int8_t>({0}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "twice", chc::arrow::importStream(t, &st));
  st = oneBatch(schema("+ud:0,128"), unionOf(raw<int8_t>({0}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "above 127", chc::arrow::importStream(t, &st));
  st = oneBatch(schema("+us:0,1"), unionOf(raw<int8_t>({0}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::Type, "+us:0,1", chc::arrow::importStream(t, &st));
  // a list child that matches no alternative by name
  st = oneBatch(schema("+ud:0,1"), unionOf(raw<int8_t>({1}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::Type, "matches no alternative", chc::arrow::importStream(t, &st));
  // a union into a column that is not a Variant
  chc::Block s = target({{"v", "Nullable(String)"}});
  st = oneBatch(schema("+ud:0,1"), unionOf(raw<int8_t>({0}), raw<int32_t>({0})));
  EXPECT_CHC_KIND(ErrorKind::Type, "union cannot become", chc::arrow::importStream(s, &st));
  for (auto& c : t.columns) assert_int_equal(c->size(), 0);
  for (auto& c : s.columns) assert_int_equal(c->size(), 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(variant_to_dense_union),
      cmocka_unit_test(variant_without_nulls_shares_discriminators),
      cmocka_unit_test(dynamic_to_json_text),
      cmocka_unit_test(json_to_json_text),
      cmocka_unit_test(nested_variant_json_dynamic),
      cmocka_unit_test(invalid_utf8_is_replaced),
      cmocka_unit_test(variant_limits),
      cmocka_unit_test(dynamic_stream_has_one_schema),
      cmocka_unit_test(union_and_json_round_trip),
      cmocka_unit_test(import_foreign_union),
      cmocka_unit_test(import_union_errors),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
