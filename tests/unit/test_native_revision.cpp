// Native output read at client_protocol_version 54405 (shared/spec/native-format.md §2.2, §2.3,
// §4.5): each block starts with a BlockInfo, and a top-level DateTime('tz') keeps its time zone.
// All bytes are written by hand from the spec.
#include "native_support.hpp"

// cmocka last: its fail() macro would break C++ standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

namespace {

using native_test::Bytes;
using native_test::hex;
constexpr uint64_t kRev = 54405;

// The BlockInfo a server writes at 54405: is_overflows = 0, bucket_num = -1, end.
const char* const kInfo = "01 00 02 FF FF FF FF 00";

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<chc::Block> readAll(const Bytes& bytes, uint64_t revision) {
  chc::MemoryInputStream in(bytes);
  chc::NativeBlockReader reader(in, revision);
  std::vector<chc::Block> blocks;
  while (auto b = reader.next()) blocks.push_back(std::move(*b));
  assert_false(reader.next().has_value());  // stays at end
  return blocks;
}

// Reading `bytes` at `revision` fails with a NativeDecodeError whose message contains `needle`.
void expectDecodeError(const Bytes& bytes, uint64_t revision, const char* needle) {
  try {
    readAll(bytes, revision);
  } catch (const chc::NativeDecodeError& e) {
    if (std::string(e.what()).find(needle) == std::string::npos) {
      print_error("message '%s' lacks '%s'\n", e.what(), needle);
      fail();
    }
    assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(chc::ErrorKind::Protocol));
    return;
  }
  print_error("no NativeDecodeError (wanted '%s')\n", needle);
  fail();
}

uint32_t u32At(const chc::Column& c, size_t row) {
  uint32_t v;
  std::memcpy(&v, c.data().data() + 4 * row, 4);
  return v;
}

void blockinfo_parsed(void**) {
  // SELECT 1 AS check at 54405: BlockInfo, 1 column, 1 row, "check" UInt8 = 1.
  const Bytes bytes = cat({hex(kInfo), hex("01 01 \"check\" \"UInt8\" 01")});
  assert_int_equal(bytes.size(), 8 + 2 + 6 + 6 + 1);
  std::vector<chc::Block> blocks = readAll(bytes, kRev);
  assert_int_equal(blocks.size(), 1);
  assert_int_equal(blocks[0].rows, 1);
  assert_false(blocks[0].is_overflows);
  assert_int_equal(blocks[0].bucket_num, -1);
  assert_string_equal(blocks[0].names[0].c_str(), "check");
  assert_string_equal(blocks[0].columns[0]->type().name().c_str(), "UInt8");
  assert_int_equal(blocks[0].columns[0]->data()[0], 1);

  // The same block without the BlockInfo is what revision 0 reads.
  blocks = readAll(hex("01 01 \"check\" \"UInt8\" 01"), 0);
  assert_int_equal(blocks.size(), 1);
  assert_int_equal(blocks[0].bucket_num, -1);

  // Any revision from 1 to 54405 frames blocks the same way; above it the reader refuses.
  assert_int_equal(readAll(bytes, 1).size(), 1);
  assert_int_equal(readAll(Bytes{}, kRev).size(), 0);  // an empty body is no blocks
  chc::MemoryInputStream in(bytes);
  try {
    chc::NativeBlockReader reader(in, 54454);
    fail();
  } catch (const chc::NativeDecodeError&) {
    fail();
  } catch (const chc::Error& e) {
    assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(chc::ErrorKind::InvalidArgument));
    assert_non_null(std::strstr(e.what(), "54454"));
  }
}

void blockinfo_multiple_blocks(void**) {
  const Bytes bytes = cat({
      hex(kInfo),
      hex("01 02 \"x\" \"UInt8\" 07 08"),
      // fields in the other order, is_overflows set, bucket 5
      hex("02 05 00 00 00 01 01 00"),
      hex("01 01 \"x\" \"UInt8\" 09"),
      // an empty BlockInfo (just the end marker) and a zero-row block: names and types, no data
      hex("00"),
      hex("01 00 \"x\" \"UInt8\""),
      hex(kInfo),
      hex("01 03 \"x\" \"UInt8\" 0A 0B 0C"),
  });
  for (size_t chunk : {size_t(0), size_t(1), size_t(3)}) {
    std::vector<chc::Block> blocks;
    if (chunk == 0) {
      blocks = readAll(bytes, kRev);
    } else {  // a BlockInfo may be split across reads like any other bytes
      native_test::ChunkedInput in(bytes, chunk);
      chc::NativeBlockReader reader(in, kRev);
      while (auto b = reader.next()) blocks.push_back(std::move(*b));
    }
    assert_int_equal(blocks.size(), 4);
    assert_int_equal(blocks[0].rows, 2);
    assert_int_equal(blocks[0].columns[0]->data()[1], 8);
    assert_false(blocks[0].is_overflows);
    assert_true(blocks[1].is_overflows);
    assert_int_equal(blocks[1].bucket_num, 5);
    assert_int_equal(blocks[1].columns[0]->data()[0], 9);
    assert_int_equal(blocks[2].rows, 0);
    assert_int_equal(blocks[2].columns.size(), 1);
    assert_int_equal(blocks[2].bucket_num, -1);
    assert_int_equal(blocks[3].rows, 3);
    assert_int_equal(blocks[3].columns[0]->data()[2], 12);
  }
}

void datetime_timezone_kept(void**) {
  // SELECT toDateTime('2024-01-01 00:00:00', 'Asia/Tokyo') AS t at 54405 (spec §4.5): the type
  // name keeps the zone; the value is the UTC instant 2023-12-31 15:00:00 = 1704034800.
  const Bytes bytes = cat({hex(kInfo), hex("01 01 \"t\" \"DateTime('Asia/Tokyo')\" F0 81 91 65")});
  std::vector<chc::Block> blocks = readAll(bytes, kRev);
  assert_int_equal(blocks.size(), 1);
  const chc::Column& c = *blocks[0].columns[0];
  assert_string_equal(c.type().name().c_str(), "DateTime('Asia/Tokyo')");
  assert_string_equal(c.type().timezone().c_str(), "Asia/Tokyo");
  assert_int_equal(u32At(c, 0), 1704034800u);

  // At revision 0 the server sends the same column as plain DateTime (no zone to keep).
  blocks = readAll(hex("01 01 \"t\" \"DateTime\" F0 81 91 65"), 0);
  assert_string_equal(blocks[0].columns[0]->type().name().c_str(), "DateTime");
  assert_string_equal(blocks[0].columns[0]->type().timezone().c_str(), "");
}

void blockinfo_unknown_field(void**) {
  // Field 3 (out_of_order_buckets) is only written from revision 54480, which we never request.
  expectDecodeError(hex("01 00 02 FF FF FF FF 03 00 00 01 01 \"x\" \"UInt8\" 01"), kRev, "unknown BlockInfo field 3");
  expectDecodeError(hex("07 00 00 01 01 \"x\" \"UInt8\" 01"), kRev, "unknown BlockInfo field 7");
  expectDecodeError(hex("01 00 01 00 00 01 01 \"x\" \"UInt8\" 01"), kRev, "BlockInfo field 1 repeated");
  // A later block with a bad BlockInfo fails after the good ones were returned.
  const Bytes bytes = cat({hex(kInfo), hex("01 01 \"x\" \"UInt8\" 01"), hex("2A 00")});
  chc::MemoryInputStream in(bytes);
  chc::NativeBlockReader reader(in, kRev);
  assert_true(reader.next().has_value());
  try {
    reader.next();
    fail();
  } catch (const chc::NativeDecodeError& e) {
    assert_non_null(std::strstr(e.what(), "unknown BlockInfo field 42"));
  }
  // Reading revision-0 bytes at 54405 is caught as well: "01 01" is field 1, then "01" (the
  // name length) is taken as field 1 again ... the block header does not parse.
  expectDecodeError(hex("02 01 \"x\" \"UInt8\" 01 \"y\" \"UInt8\" 02"), kRev, "BlockInfo");
}

void blockinfo_truncated(void**) {
  const Bytes full = cat({hex(kInfo), hex("01 01 \"x\" \"UInt8\" 01")});
  // Cut anywhere inside the BlockInfo (after at least one byte): a truncation error, never a block.
  for (size_t n = 1; n <= 8; ++n) {
    Bytes cut(full.begin(), full.begin() + n);
    expectDecodeError(cut, kRev, "unexpected end");
  }
  // A truncated BlockInfo after a complete block.
  Bytes two = full;
  two.insert(two.end(), {0x01, 0x00, 0x02, 0xFF});
  expectDecodeError(two, kRev, "unexpected end");
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(blockinfo_parsed),       cmocka_unit_test(blockinfo_multiple_blocks),
      cmocka_unit_test(datetime_timezone_kept), cmocka_unit_test(blockinfo_unknown_field),
      cmocka_unit_test(blockinfo_truncated),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
