// Variant, Dynamic and JSON (STRING serialization): decoding bytes captured from a current engine
// (chDB 26.9, `SELECT ... FORMAT Native`), the spec's worked examples, builder round trips and
// bad input.
#include <cstring>
#include <string>

#include "native_support.hpp"
#include "types/DynamicColumn.hpp"
#include "types/ValueAccess.hpp"
#include "types/VariantColumn.hpp"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// cmocka needs the headers above first
#include <cmocka.h>
}

namespace {

using chc::ErrorKind;
using native_test::Bytes;
using native_test::hex;

// chDB 26.9: SELECT CAST(number % 3 = 0 ? NULL : (number % 3 = 1 ? toString(number) : number),
//                        'Variant(String, UInt64)') AS v FROM numbers(4)
const Bytes kEngineVariant =
    hex("01 04 01 76 17 `Variant(String, UInt64)` 00 00 00 00 00 00 00 00 ff 00 01 ff 01 31 02 00 00 00 00 00 00 00");
// chDB 26.9: SELECT CAST(arrayJoin([1, 2]), 'Dynamic') AS d UNION ALL SELECT CAST('x', 'Dynamic')
const Bytes kEngineDynamic =
    hex("01 02 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 01 01 05 `UInt8` 00 00 00 00 00 00 00 00 01 01 01 02"
        " 01 01 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 01 01 06 `String` 00 00 00 00 00 00 00 00 01 01 78");
// chDB 26.9: SELECT '{"a":1,"b":"x"}'::JSON AS j SETTINGS output_format_native_write_json_as_string=1
const Bytes kEngineJson = hex("01 01 01 6a 04 `JSON` 01 00 00 00 00 00 00 00 0f `{\"a\":1,\"b\":\"x\"}`");

void engine_variant_decodes(void**) {
  auto blocks = native_test::readAllBlocks(kEngineVariant);
  const chc::Column& v = *blocks.at(0).columns.at(0);
  assert_string_equal(v.type().name().c_str(), "Variant(String, UInt64)");
  assert_int_equal(v.size(), 4);
  assert_true(chc::isNullAt(v, 0));
  assert_true(chc::getString(v, 1) == "1");
  assert_int_equal(chc::getUInt64(v, 2), 2);
  assert_true(chc::isNullAt(v, 3));
  assert_int_equal(v.childCount(), 2);
  assert_int_equal(v.child(0)->size(), 1);
  assert_int_equal(v.child(1)->size(), 1);
  // our writer gives back the engine's bytes
  Bytes again = native_test::encodeAll(blocks);
  assert_true(again == kEngineVariant);
}

void spec_variant_example(void**) {
  // spec §8.8: rows 0::UInt32, 'hello', NULL, 3::UInt32, 'hello'
  Bytes bytes =
      hex("01 05 01 76 17 `Variant(String, UInt32)` 00 00 00 00 00 00 00 00 01 00 FF 01 00"
          " 05 68 65 6C 6C 6F 05 68 65 6C 6C 6F 00 00 00 00 03 00 00 00");
  auto blocks = native_test::readAllBlocks(bytes);
  const chc::Column& v = *blocks.at(0).columns.at(0);
  assert_int_equal(chc::getUInt64(v, 0), 0);
  assert_true(chc::getString(v, 1) == "hello");
  assert_true(chc::isNullAt(v, 2));
  assert_int_equal(chc::getUInt64(v, 3), 3);
  const auto& vc = static_cast<const chc::VariantColumn&>(v);
  assert_int_equal(vc.memberRow(3), 1);
  assert_int_equal(vc.memberRow(4), 1);
}

void variant_builder_round_trip(void**) {
  native_test::BlockBuilder bb;
  chc::Column& v = bb.add("v", "Variant(UInt32, String, Array(UInt8))");
  assert_string_equal(v.type().name().c_str(), "Variant(Array(UInt8), String, UInt32)");  // sorted
  v.appendString("hello");  // first accepting alternative in sorted order: String
  v.appendUInt64(7);        // Array rejects, String rejects, UInt32 takes it
  v.appendNull();
  chc::Column* arr = v.builderChild(0);
  arr->builderChild(0)->appendUInt64(1);
  arr->builderChild(0)->appendUInt64(2);
  arr->endArray();
  v.builderChild(2)->appendUInt64(9);
  assert_int_equal(v.size(), 5);
  // a value no alternative accepts changes nothing
  native_test::Outcome o = native_test::capture([&] { v.appendDouble(1.5); });
  assert_true(o.chc_error && o.kind == ErrorKind::Type);
  assert_int_equal(v.size(), 5);
  Bytes bytes = native_test::encode(bb.take(5));
  auto blocks = native_test::readAllBlocks(bytes);
  const chc::Column& r = *blocks.at(0).columns.at(0);
  assert_true(chc::getString(r, 0) == "hello");
  assert_int_equal(chc::getUInt64(r, 1), 7);
  assert_true(chc::isNullAt(r, 2));
  assert_int_equal(r.data()[3], 0);  // Array alternative
  assert_int_equal(chc::getUInt64(r, 4), 9);
  assert_true(native_test::encode(blocks[0]) == bytes);
}

// A Tuple alternative gains its row through its element builders (no end call), so the Variant
// must record the discriminator there too; a NULL on an element builder is the element's NULL.
void variant_builder_tuple_alternative(void**) {
  native_test::BlockBuilder bb;
  chc::Column& v = bb.add("v", "Variant(String, Tuple(a UInt8, b Nullable(String)), Array(Tuple(UInt8, String)))");
  assert_string_equal(v.type().name().c_str(),
                      "Variant(Array(Tuple(UInt8, String)), String, Tuple(a UInt8, b Nullable(String)))");
  chc::Column* tup = v.builderChild(2);
  v.appendString("first");
  tup->builderChild(0)->appendUInt64(7);
  tup->builderChild(1)->appendString("x");
  v.appendNull();
  tup->builderChild(0)->appendUInt64(8);
  tup->builderChild(1)->appendNull();
  chc::Column* arr = v.builderChild(0);
  arr->builderChild(0)->builderChild(0)->appendUInt64(1);
  arr->builderChild(0)->builderChild(1)->appendString("in array");
  arr->endArray();
  assert_int_equal(v.size(), 5);
  const auto& vc = static_cast<const chc::VariantColumn&>(v);
  const uint8_t want[] = {1, 2, chc::VariantColumn::kNull, 2, 0};
  for (size_t r = 0; r < 5; ++r) assert_int_equal(vc.discriminator(r), want[r]);
  assert_int_equal(vc.memberRow(3), 1);
  Bytes bytes = native_test::encode(bb.take(5));
  auto blocks = native_test::readAllBlocks(bytes);
  const chc::Column& r = *blocks.at(0).columns.at(0);
  assert_true(chc::getString(r, 0) == "first");
  assert_true(chc::isNullAt(r, 2));
  const auto& rv = static_cast<const chc::VariantColumn&>(r);
  for (size_t i = 0; i < 5; ++i) assert_int_equal(rv.discriminator(i), want[i]);
  const chc::Column& t = *r.child(2);
  assert_int_equal(chc::getUInt64(*t.child(0), 0), 7);
  assert_int_equal(chc::getUInt64(*t.child(0), 1), 8);
  assert_true(chc::getString(*t.child(1), 0) == "x");
  assert_true(chc::isNullAt(*t.child(1), 1));
  assert_int_equal(r.child(0)->size(), 1);
  assert_true(native_test::encode(blocks[0]) == bytes);
}

void engine_dynamic_decodes(void**) {
  auto blocks = native_test::readAllBlocks(kEngineDynamic);
  assert_int_equal(blocks.size(), 2);
  const chc::Column& d0 = *blocks[0].columns.at(0);
  assert_int_equal(d0.size(), 2);
  assert_int_equal(chc::getUInt64(d0, 0), 1);
  assert_int_equal(chc::getUInt64(d0, 1), 2);
  assert_int_equal(d0.childCount(), 2);  // SharedVariant, UInt8
  assert_string_equal(d0.child(0)->type().name().c_str(), "SharedVariant");
  assert_true(chc::getString(*blocks[1].columns.at(0), 0) == "x");
  // re-encoding gives back the engine's bytes
  assert_true(native_test::encodeAll(blocks) == kEngineDynamic);
}

void spec_dynamic_example(void**) {
  // spec §8.9 (V1): 0::UInt32, 'hello', NULL, 3::UInt32, 'hello'
  Bytes bytes =
      hex("01 05 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 02 02 06 `String` 06 `UInt32`"
          " 00 00 00 00 00 00 00 00 02 01 FF 02 01 05 `hello` 05 `hello` 00 00 00 00 03 00 00 00");
  auto blocks = native_test::readAllBlocks(bytes);
  const chc::Column& d = *blocks.at(0).columns.at(0);
  assert_int_equal(chc::getUInt64(d, 0), 0);
  assert_true(chc::getString(d, 1) == "hello");
  assert_true(chc::isNullAt(d, 2));
  assert_int_equal(chc::getUInt64(d, 3), 3);
  assert_true(chc::getString(d, 4) == "hello");
}

void dynamic_builder_writes_v1(void**) {
  native_test::BlockBuilder bb;
  chc::Column& d = bb.add("d", "Dynamic");
  d.appendUInt64(1);
  d.appendString("x");
  d.appendNull();
  d.appendInt64(-5);
  Bytes bytes = native_test::encode(bb.take(4));
  // V1 structure, types sorted: Int64, String, UInt64 (+ SharedVariant between String and UInt64)
  const Bytes expected =
      hex("01 04 01 64 07 `Dynamic` 01 00 00 00 00 00 00 00 03 03 05 `Int64` 06 `String` 06 `UInt64`"
          " 00 00 00 00 00 00 00 00 03 02 FF 00 FB FF FF FF FF FF FF FF 01 78 01 00 00 00 00 00 00 00");
  if (bytes != expected) {
    print_error("got      %s\nexpected %s\n", native_test::toHex(bytes).c_str(), native_test::toHex(expected).c_str());
    fail();
  }
  auto blocks = native_test::readAllBlocks(bytes);
  const chc::Column& r = *blocks.at(0).columns.at(0);
  assert_int_equal(chc::getUInt64(r, 0), 1);
  assert_true(chc::getString(r, 1) == "x");
  assert_true(chc::isNullAt(r, 2));
  assert_int_equal(chc::getInt64(r, 3), -5);
}

void json_as_string(void**) {
  auto blocks = native_test::readAllBlocks(kEngineJson);
  assert_true(chc::getString(*blocks.at(0).columns.at(0), 0) == "{\"a\":1,\"b\":\"x\"}");
  assert_true(native_test::encodeAll(blocks) == kEngineJson);
  // the object serializations are materialised as text (V2, no paths, empty shared data: {})
  Bytes v2 = hex("01 01 01 6a 04 `JSON` 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  auto obj = native_test::readAllBlocks(v2);
  assert_true(chc::getString(*obj.at(0).columns.at(0), 0) == "{}");
  // FLATTENED says which setting produces it
  Bytes flat = hex("01 01 01 6a 04 `JSON` 03 00 00 00 00 00 00 00 00");
  native_test::Outcome o = native_test::capture([&] { native_test::readAllBlocks(flat); });
  assert_true(o.decode_error && o.kind == ErrorKind::Unsupported);
  assert_true(o.message.find("output_format_native_use_flattened_dynamic_and_json_serialization") != std::string::npos);
}

void bad_variant_and_dynamic_input(void**) {
  // discriminator 5 with two alternatives
  EXPECT_CHC_KIND(
      ErrorKind::Protocol, "discriminator 5",
      native_test::readAllBlocks(hex("01 01 01 76 17 `Variant(String, UInt64)` 00 00 00 00 00 00 00 00 05")));
  // COMPACT discriminator mode
  EXPECT_CHC_KIND(
      ErrorKind::Protocol, "mode 1",
      native_test::readAllBlocks(hex("01 01 01 76 17 `Variant(String, UInt64)` 01 00 00 00 00 00 00 00 00")));
  // Dynamic structure version 9, FLATTENED, and 1000 types
  EXPECT_CHC_KIND(ErrorKind::Protocol, "version 9",
                  native_test::readAllBlocks(hex("01 01 01 64 07 `Dynamic` 09 00 00 00 00 00 00 00")));
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "FLATTENED",
                  native_test::readAllBlocks(hex("01 01 01 64 07 `Dynamic` 03 00 00 00 00 00 00 00")));
  EXPECT_CHC_KIND(ErrorKind::Protocol, "1000 types",
                  native_test::readAllBlocks(hex("01 01 01 64 07 `Dynamic` 02 00 00 00 00 00 00 00 E8 07")));
  // every truncation of the engine's Dynamic stream is an error, never a crash
  for (size_t n = 1; n < kEngineDynamic.size(); ++n) {
    Bytes prefix(kEngineDynamic.begin(), kEngineDynamic.begin() + static_cast<long>(n));
    native_test::Outcome o = native_test::capture([&] { native_test::readAllBlocks(prefix); });
    if (o.threw && !o.chc_error) fail_msg("prefix %zu: non-chconnect exception %s", n, o.message.c_str());
  }
  // invalid alternatives
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "Variant alternative", chc::makeType("Variant(Nullable(String))"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "twice", chc::makeType("Variant(String, String)"));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(engine_variant_decodes),        cmocka_unit_test(spec_variant_example),
      cmocka_unit_test(variant_builder_round_trip),    cmocka_unit_test(variant_builder_tuple_alternative),
      cmocka_unit_test(engine_dynamic_decodes),        cmocka_unit_test(spec_dynamic_example),
      cmocka_unit_test(dynamic_builder_writes_v1),     cmocka_unit_test(json_as_string),
      cmocka_unit_test(bad_variant_and_dynamic_input),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
