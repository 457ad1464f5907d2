// impl/types: the fixed-width families (builders, exact wire bytes, range checks), Tuple / Map /
// Nested, LowCardinality (decode, encode, malformed input), ValueAccess on the new kinds, and a
// multi-block stream of every family read one byte at a time (spec native-format.md §4–§5.7, §8).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/Error.hpp"
#include "common/ReadBuffer.hpp"
#include "common/WriteBuffer.hpp"
#include "native_support.hpp"
#include "types/Column.hpp"
#include "types/DataType.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/TypeFactory.hpp"
#include "types/ValueAccess.hpp"

// cmocka last: its fail() macro would break C++ standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using chc::Column;
using chc::ColumnPtr;
using chc::ErrorKind;
using chc::TypeKind;
using native_test::BlockBuilder;
using native_test::Bytes;
using native_test::concat;
using native_test::hex;
using native_test::le64;

namespace {

ColumnPtr col(std::string_view type) { return chc::makeColumn(chc::makeType(type)); }

Bytes bytesOf(const Column& c) {
  auto d = c.data();
  return Bytes(d.begin(), d.end());
}

// Wire bytes of one column (prefix + data), as a block writer would emit them.
Bytes wire(const Column& c) {
  chc::WriteBuffer w;
  c.writePrefix(w);
  c.writeData(w);
  return w.bytes();
}

void expectBytes(const Bytes& actual, const Bytes& expected, const char* what) {
  if (actual != expected) {
    print_error("%s:\n  expected %s\n  actual   %s\n", what, native_test::toHex(expected).c_str(),
                native_test::toHex(actual).c_str());
    fail();
  }
}

#define EXPECT_BYTES(actual_, expected_) expectBytes((actual_), (expected_), #actual_)

// Independent reference for Decimal text: unsigned decimal digits -> `width` bytes LE, negated in
// two's complement when `negative`.
Bytes decimalRef(std::string_view digits, bool negative, size_t width) {
  Bytes v(width, 0);
  for (char ch : digits) {
    unsigned carry = static_cast<unsigned>(ch - '0');
    for (size_t i = 0; i < width; ++i) {
      unsigned x = v[i] * 10u + carry;
      v[i] = static_cast<uint8_t>(x & 0xff);
      carry = x >> 8;
    }
  }
  if (negative) {
    unsigned carry = 1;
    for (size_t i = 0; i < width; ++i) {
      unsigned x = static_cast<uint8_t>(~v[i]) + carry;
      v[i] = static_cast<uint8_t>(x & 0xff);
      carry = x >> 8;
    }
  }
  return v;
}

// Appends `text` to a fresh Decimal column and checks the stored bytes.
void expectDecimal(std::string_view type, std::string_view text, const Bytes& expected) {
  ColumnPtr c = col(type);
  native_test::Outcome o = native_test::capture([&] { c->appendString(text); });
  if (o.threw) {
    print_error("%s <- '%.*s' threw: %s\n", std::string(type).c_str(), int(text.size()), text.data(),
                o.message.c_str());
    fail();
  }
  assert_int_equal(c->size(), 1);
  if (bytesOf(*c) != expected) {
    print_error("%s <- '%.*s':\n  expected %s\n  actual   %s\n", std::string(type).c_str(), int(text.size()),
                text.data(), native_test::toHex(expected).c_str(), native_test::toHex(bytesOf(*c)).c_str());
    fail();
  }
}

// A rejected value: Error(Type) (or `kind`), and the column keeps its rows and bytes.
void expectRejected(Column& c, const std::function<void()>& f, ErrorKind kind = ErrorKind::Type,
                    const char* what = "") {
  const size_t rows = c.size();
  const Bytes before = bytesOf(c);
  native_test::Outcome o = native_test::capture(f);
  if (!o.threw || !o.chc_error || o.kind != kind) {
    print_error("%s on %s: expected %s, got %s (%s)\n", what, c.type().name().c_str(), native_test::kindName(kind),
                o.threw ? (o.chc_error ? native_test::kindName(o.kind) : "non-chc") : "no exception",
                o.message.c_str());
    fail();
  }
  if (c.size() != rows || bytesOf(c) != before) {
    print_error("%s on %s: rejected value changed the column (rows %zu -> %zu)\n", what, c.type().name().c_str(), rows,
                c.size());
    fail();
  }
}

float floatFromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t bf16At(const Column& c, size_t row) {
  uint16_t v;
  std::memcpy(&v, c.data().data() + 2 * row, 2);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Fixed-width encodings

void uuid_text_to_clickhouse_order(void**) {
  ColumnPtr c = col("UUID");
  c->appendString("00112233-4455-6677-8899-aabbccddeeff");
  c->appendString("00112233445566778899AABBCCDDEEFF");  // undashed, upper case
  EXPECT_BYTES(bytesOf(*c), hex("77 66 55 44 33 22 11 00 ff ee dd cc bb aa 99 88"
                                "77 66 55 44 33 22 11 00 ff ee dd cc bb aa 99 88"));
  for (const char* bad : {"", "00112233-4455-6677-8899-aabbccddeef", "00112233-4455-6677-8899-aabbccddeeZZ",
                          "not a uuid at all, not a uuid at all", "00112233-4455-6677-8899-aabbccddeeff0"})
    expectRejected(
        *c, [&] { c->appendString(bad); }, ErrorKind::Type, bad);
  expectRejected(*c, [&] { c->appendInt64(1); });
}

// 32 hex digits followed by four garbage characters (36 characters in all) is not a UUID.
void uuid_trailing_garbage_rejected(void**) {
  ColumnPtr c = col("UUID");
  expectRejected(
      *c, [&] { c->appendString("00112233445566778899aabbccddeeffXXXX"); }, ErrorKind::Type, "32 hex digits + XXXX");
}

void ipv4_and_ipv6(void**) {
  ColumnPtr v4 = col("IPv4");
  v4->appendString("192.168.1.10");
  v4->appendUInt64(0xC0A8010A);
  EXPECT_BYTES(bytesOf(*v4), hex("0A 01 A8 C0 0A 01 A8 C0"));
  for (const char* bad : {"256.1.1.1", "1.2.3", "::1", "abc", ""})
    expectRejected(
        *v4, [&] { v4->appendString(bad); }, ErrorKind::Type, bad);
  expectRejected(*v4, [&] { v4->appendUInt64(0x100000000ull); });
  expectRejected(*v4, [&] { v4->appendInt64(-1); });

  ColumnPtr v6 = col("IPv6");
  v6->appendString("::1");
  v6->appendString("2001:db8::ff00:42:8329");
  v6->appendString("10.1.2.3");
  EXPECT_BYTES(bytesOf(*v6), hex("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"
                                 "20 01 0d b8 00 00 00 00 00 00 ff 00 00 42 83 29"
                                 "00 00 00 00 00 00 00 00 00 00 ff ff 0a 01 02 03"));
  for (const char* bad : {"2001:db8:::1", "1.2.3.4.5", "xyz", ""})
    expectRejected(
        *v6, [&] { v6->appendString(bad); }, ErrorKind::Type, bad);
}

void decimal_spec_example(void**) {
  expectDecimal("Decimal(9, 4)", "123.4567", hex("87 D6 12 00"));
  // And through a block, byte for byte as spec §8.7.
  BlockBuilder b;
  b.add("d", "Decimal(9, 4)").appendString("123.4567");
  EXPECT_BYTES(native_test::encode(b.take(1)), hex("01 01 01 64 0D `Decimal(9, 4)` 87 D6 12 00"));
}

struct DecimalWidth {
  uint32_t precision;
  size_t width;
};
constexpr DecimalWidth kWidths[] = {{9, 4}, {18, 8}, {38, 16}, {76, 32}};

std::string decimalType(uint32_t p, uint32_t s) {
  return "Decimal(" + std::to_string(p) + ", " + std::to_string(s) + ")";
}

void decimal_text_every_width(void**) {
  for (const DecimalWidth& dw : kWidths) {
    const uint32_t p = dw.precision;
    const size_t w = dw.width;
    const std::string nines(p, '9');
    // Scale 0: max digits, negative, '+', leading zeros, '-0'.
    const std::string t0 = decimalType(p, 0);
    expectDecimal(t0, nines, decimalRef(nines, false, w));
    expectDecimal(t0, "-" + nines, decimalRef(nines, true, w));
    expectDecimal(t0, "+" + nines, decimalRef(nines, false, w));
    expectDecimal(t0, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000042",
                  decimalRef("42", false, w));
    expectDecimal(t0, "-0", Bytes(w, 0));
    expectDecimal(t0, "-1", Bytes(w, 0xff));
    // Scale 2: trailing zeros beyond the scale are fine, non-zero digits are not.
    const std::string t2 = decimalType(p, 2);
    expectDecimal(t2, "1.5", decimalRef("150", false, w));
    expectDecimal(t2, "-1.25000000", decimalRef("125", true, w));
    expectDecimal(t2, "007.10", decimalRef("710", false, w));
    expectDecimal(t2, nines.substr(2) + ".99", decimalRef(nines, false, w));
    // Scale = precision: only a fraction fits.
    const std::string tp = decimalType(p, p);
    expectDecimal(tp, "0." + nines, decimalRef(nines, false, w));
    expectDecimal(tp, "-0." + nines + "000", decimalRef(nines, true, w));

    ColumnPtr c = col(t2);
    c->appendString("1");
    const std::vector<std::string> bad = {
        "1.251",                    // digit beyond the scale
        "1.2500001",                // non-zero far beyond the scale
        nines,                      // P digits in the integer part with S = 2
        "-" + nines,                //
        "1" + std::string(p, '0'),  // P+1 digits
        std::string(90, '9'),       // beyond 256 bits
        "",
        "-",
        "+",
        ".",
        "abc",
        "1.2.3",
        "1e5",
        " 1",
        "1 ",
        "1,5",
        "--1",
        "+-1",
        "0x10",
        "1.-5",
    };
    for (const std::string& s : bad)
      expectRejected(
          *c, [&] { c->appendString(s); }, ErrorKind::Type, s.c_str());
    ColumnPtr cp = col(tp);
    expectRejected(
        *cp, [&] { cp->appendString("1"); }, ErrorKind::Type, "1 into Decimal(P, P)");
    expectRejected(
        *cp, [&] { cp->appendString("-1.0"); }, ErrorKind::Type, "-1.0 into Decimal(P, P)");
    assert_int_equal(c->size(), 1);
    EXPECT_BYTES(bytesOf(*c), decimalRef("100", false, w));
  }
}

void decimal_from_double_and_integers(void**) {
  // Rounded to the scale.
  ColumnPtr d = col("Decimal(9, 4)");
  d->appendDouble(2.71828);
  d->appendDouble(-1.23456);
  d->appendDouble(0.00004);
  EXPECT_BYTES(bytesOf(*d), concat({decimalRef("27183", false, 4), decimalRef("12346", true, 4), Bytes(4, 0)}));
  expectRejected(*d, [&] { d->appendDouble(NAN); });
  expectRejected(*d, [&] { d->appendDouble(INFINITY); });
  expectRejected(*d, [&] { d->appendDouble(1e300); });
  expectRejected(*d, [&] { d->appendDouble(100000.0); });

  ColumnPtr wide = col("Decimal(38, 10)");
  wide->appendDouble(1e20);
  wide->appendDouble(-0.5);
  EXPECT_BYTES(bytesOf(*wide),
               concat({decimalRef("1" + std::string(30, '0'), false, 16), decimalRef("5000000000", true, 16)}));

  // Integers are the unscaled value.
  ColumnPtr u = col("Decimal(9, 4)");
  u->appendInt64(-1234567);
  u->appendInt64(999999999);
  EXPECT_BYTES(bytesOf(*u), concat({decimalRef("1234567", true, 4), decimalRef("999999999", false, 4)}));
  expectRejected(*u, [&] { u->appendInt64(1000000000); });
  expectRejected(*u, [&] { u->appendInt64(-1000000000); });
  ColumnPtr u76 = col("Decimal(76, 0)");
  u76->appendInt64(INT64_MIN);
  EXPECT_BYTES(bytesOf(*u76), decimalRef("9223372036854775808", true, 32));
}

// 99999.99999 rounds up to 100000.0000 (unscaled 10^9), which is over Decimal(9, 4)'s precision.
void decimal_from_double_rounding_overflow_rejected(void**) {
  ColumnPtr c = col("Decimal(9, 4)");
  expectRejected(
      *c, [&] { c->appendDouble(99999.99999); }, ErrorKind::Type, "99999.99999");
}

void wide_integers_sign_extend(void**) {
  ColumnPtr i128 = col("Int128");
  i128->appendInt64(-1);
  i128->appendInt64(INT64_MIN);
  i128->appendUInt64(UINT64_MAX);
  EXPECT_BYTES(bytesOf(*i128), hex("ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff"
                                   "00 00 00 00 00 00 00 80 ff ff ff ff ff ff ff ff"
                                   "ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00"));
  ColumnPtr i256 = col("Int256");
  i256->appendInt64(-1);
  i256->appendInt64(INT64_MIN);
  EXPECT_BYTES(bytesOf(*i256), concat({Bytes(32, 0xff), hex("00 00 00 00 00 00 00 80"), Bytes(24, 0xff)}));
  ColumnPtr u256 = col("UInt256");
  u256->appendUInt64(UINT64_MAX);
  EXPECT_BYTES(bytesOf(*u256), concat({Bytes(8, 0xff), Bytes(24, 0)}));
  expectRejected(*u256, [&] { u256->appendInt64(-1); });
  ColumnPtr u128 = col("UInt128");
  expectRejected(*u128, [&] { u128->appendInt64(INT64_MIN); });
  expectRejected(*u128, [&] { u128->appendString("1"); });
}

void bool_zero_or_one(void**) {
  ColumnPtr c = col("Bool");
  c->appendInt64(0);
  c->appendUInt64(1);
  c->appendDouble(1.0);
  const uint8_t ok[] = {1, 0};
  c->appendFixed(ok);
  EXPECT_BYTES(bytesOf(*c), hex("00 01 01 01 00"));
  expectRejected(*c, [&] { c->appendInt64(2); });
  expectRejected(*c, [&] { c->appendInt64(-1); });
  expectRejected(*c, [&] { c->appendDouble(0.5); });
  const uint8_t bad[] = {1, 0, 2, 1};
  expectRejected(
      *c, [&] { c->appendFixed(bad); }, ErrorKind::Type, "appendFixed {1,0,2,1}");
  const uint8_t ff[] = {0xff};
  expectRejected(
      *c, [&] { c->appendFixed(ff); }, ErrorKind::Type, "appendFixed {ff}");
}

void enum_by_name_and_value(void**) {
  ColumnPtr e8 = col("Enum8('b' = -2, 'a\\'x' = 1)");
  e8->appendString("b");
  e8->appendString("a'x");
  e8->appendInt64(-2);
  e8->appendUInt64(1);
  const uint8_t batch[] = {0x01, 0xFE};
  e8->appendFixed(batch);
  EXPECT_BYTES(bytesOf(*e8), hex("FE 01 FE 01 01 FE"));
  expectRejected(*e8, [&] { e8->appendString("c"); });
  expectRejected(*e8, [&] { e8->appendString("B"); });
  expectRejected(*e8, [&] { e8->appendInt64(0); });
  expectRejected(*e8, [&] { e8->appendUInt64(254); });  // not -2
  expectRejected(*e8, [&] { e8->appendInt64(-2 + 256); });
  // One unknown value in the middle of a batch: nothing of the batch is kept.
  const uint8_t bad[] = {0x01, 0xFE, 0x05, 0x01};
  expectRejected(
      *e8, [&] { e8->appendFixed(bad); }, ErrorKind::Type, "appendFixed with 05 in the middle");
  assert_int_equal(e8->size(), 6);

  ColumnPtr e16 = col("Enum16('x' = -1000, 'y' = 1000, 'z' = -32768)");
  e16->appendString("x");
  e16->appendString("z");
  e16->appendInt64(1000);
  const uint8_t b16[] = {0x18, 0xFC, 0x00, 0x80};
  e16->appendFixed(b16);
  EXPECT_BYTES(bytesOf(*e16), hex("18 FC 00 80 E8 03 18 FC 00 80"));
  expectRejected(*e16, [&] { e16->appendInt64(-999); });
  const uint8_t bad16[] = {0x18, 0xFC, 0x19, 0xFC};
  expectRejected(
      *e16, [&] { e16->appendFixed(bad16); }, ErrorKind::Type, "Enum16 appendFixed");
  const uint8_t odd[] = {0x18, 0xFC, 0x00};
  expectRejected(
      *e16, [&] { e16->appendFixed(odd); }, ErrorKind::InvalidArgument, "odd byte count");
}

void bfloat16_conversion(void**) {
  ColumnPtr c = col("BFloat16");
  c->appendDouble(1.0);
  c->appendDouble(-2.5);
  c->appendDouble(floatFromBits(0x3F808000));  // tie, even below -> stays 0x3F80
  c->appendDouble(floatFromBits(0x3F818000));  // tie, odd below -> rounds up to 0x3F82
  c->appendDouble(floatFromBits(0x3F808001));  // above the tie -> 0x3F81
  c->appendDouble(floatFromBits(0x3F807FFF));  // below the tie -> 0x3F80
  c->appendDouble(floatFromBits(0xBF818000));  // negative tie -> 0xBF82
  c->appendInt64(-3);                          // 0xC040
  c->appendDouble(NAN);
  c->appendDouble(floatFromBits(0x7F800001));  // NaN with only a low mantissa bit
  c->appendDouble(INFINITY);
  // -2.5 = 0xC0200000 -> 0xC020
  const uint16_t want[] = {0x3F80, 0xC020, 0x3F80, 0x3F82, 0x3F81, 0x3F80, 0xBF82, 0xC040};
  for (size_t i = 0; i < 8; ++i) {
    if (bf16At(*c, i) != want[i]) {
      print_error("BFloat16 row %zu: expected %04x, got %04x\n", i, want[i], bf16At(*c, i));
      fail();
    }
  }
  for (size_t i = 8; i < 10; ++i) {
    const uint16_t v = bf16At(*c, i);
    if ((v & 0x7F80) != 0x7F80 || (v & 0x007F) == 0) {
      print_error("BFloat16 row %zu: NaN became %04x\n", i, v);
      fail();
    }
    assert_true(std::isnan(chc::getDouble(*c, i)));
  }
  assert_int_equal(bf16At(*c, 10), 0x7F80);
  assert_true(chc::getDouble(*c, 0) == 1.0);
  assert_true(chc::getDouble(*c, 1) == -2.5);
  assert_true(chc::getDouble(*c, 7) == -3.0);
}

// A double just above a BFloat16 tie must round up: 1 + 2^-8 + 2^-40 is nearer 0x3F81 than 0x3F80.
// (Converting to float first loses the 2^-40 and turns it into an exact tie, rounded to even.)
void bfloat16_from_double_rounds_once(void**) {
  ColumnPtr c = col("BFloat16");
  c->appendDouble(1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40));
  c->appendDouble(-(1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40)));
  assert_int_equal(bf16At(*c, 0), 0x3F81);
  assert_int_equal(bf16At(*c, 1), 0xBF81);
}

// Text with an embedded NUL is not an address ("1.2.3.4\0zz" is not "1.2.3.4").
void ip_text_with_embedded_nul_rejected(void**) {
  ColumnPtr v4 = col("IPv4");
  expectRejected(
      *v4, [&] { v4->appendString(std::string_view("1.2.3.4\0zz", 10)); }, ErrorKind::Type, "IPv4 NUL");
  ColumnPtr v6 = col("IPv6");
  expectRejected(
      *v6, [&] { v6->appendString(std::string_view("::1\0zz", 6)); }, ErrorKind::Type, "IPv6 NUL");
}

void dates_times_intervals_nothing(void**) {
  ColumnPtr d32 = col("Date32");
  d32->appendInt64(-25567);  // 1900-01-01
  d32->appendInt64(120529);  // 2299-12-31
  EXPECT_BYTES(bytesOf(*d32), hex("21 9C FF FF D1 D6 01 00"));
  expectRejected(*d32, [&] { d32->appendInt64(int64_t(INT32_MIN) - 1); });
  expectRejected(*d32, [&] { d32->appendString("1900-01-01"); });

  ColumnPtr t = col("Time");
  t->appendInt64(-3600);
  EXPECT_BYTES(bytesOf(*t), hex("F0 F1 FF FF"));
  ColumnPtr dt64 = col("DateTime64(3, 'UTC')");
  dt64->appendInt64(-1);
  dt64->appendInt64(1710513000123);
  EXPECT_BYTES(bytesOf(*dt64), concat({Bytes(8, 0xff), le64(1710513000123)}));
  ColumnPtr iv = col("IntervalSecond");
  iv->appendInt64(-5);
  iv->appendUInt64(7);
  EXPECT_BYTES(bytesOf(*iv), concat({le64(uint64_t(-5)), le64(7)}));
  assert_string_equal(iv->type().unit().c_str(), "Second");
  expectRejected(*iv, [&] { iv->appendUInt64(uint64_t(INT64_MAX) + 1); });

  // Nothing: only the placeholder, one 0x30 per row (spec §4).
  BlockBuilder b;
  Column& n = b.add("n", "Nullable(Nothing)");
  n.appendNull();
  n.appendNull();
  EXPECT_BYTES(native_test::encode(b.take(2)), hex("01 02 \"n\" 11 `Nullable(Nothing)` 01 01 30 30"));
  ColumnPtr nothing = col("Nothing");
  nothing->appendDefault();
  EXPECT_BYTES(bytesOf(*nothing), hex("30"));
  expectRejected(*nothing, [&] { nothing->appendInt64(1); });
  expectRejected(*nothing, [&] { nothing->appendString("0"); });
}

// ---------------------------------------------------------------------------------------------
// Builder atomicity through wrappers

void nullable_and_lowcardinality_rejections_leave_no_trace(void**) {
  ColumnPtr n = col("Nullable(Enum8('a' = 1))");
  n->appendString("a");
  n->appendNull();
  expectRejected(
      *n, [&] { n->appendString("b"); }, ErrorKind::Type, "Nullable inner");
  expectRejected(
      *n, [&] { n->appendInt64(2); }, ErrorKind::Type, "Nullable inner");
  const uint8_t bad[] = {1, 2, 1};
  expectRejected(
      *n, [&] { n->appendFixed(bad); }, ErrorKind::Type, "Nullable appendFixed");
  assert_int_equal(n->size(), 2);
  assert_int_equal(n->child(0)->size(), 2);
  assert_int_equal(n->nullMap()[0], 0);
  assert_int_equal(n->nullMap()[1], 1);
  EXPECT_BYTES(bytesOf(*n->child(0)), hex("01 00"));

  ColumnPtr lc = col("LowCardinality(UInt8)");
  lc->appendInt64(7);
  const size_t dict = lc->child(0)->size();
  expectRejected(
      *lc, [&] { lc->appendInt64(300); }, ErrorKind::Type, "LC(UInt8) 300");
  expectRejected(
      *lc, [&] { lc->appendInt64(-1); }, ErrorKind::Type, "LC(UInt8) -1");
  expectRejected(
      *lc, [&] { lc->appendString("x"); }, ErrorKind::Type, "LC(UInt8) string");
  expectRejected(
      *lc, [&] { lc->appendNull(); }, ErrorKind::Type, "LC(UInt8) NULL");
  assert_int_equal(lc->child(0)->size(), dict);

  ColumnPtr lce = col("LowCardinality(Enum8('a' = 1, 'b' = 2))");
  lce->appendString("a");
  const size_t dict_e = lce->child(0)->size();
  const uint8_t batch[] = {2, 1, 9, 2};
  expectRejected(
      *lce, [&] { lce->appendFixed(batch); }, ErrorKind::Type, "LC(Enum8) batch");
  assert_int_equal(lce->child(0)->size(), dict_e);
  assert_int_equal(lce->size(), 1);
  assert_string_equal(std::string(chc::getString(*lce, 0)).c_str(), "a");
}

// ---------------------------------------------------------------------------------------------
// Tuple, Map, Nested

void tuple_round_trips(void**) {
  BlockBuilder b;
  Column& t = b.add("t", "Tuple(UInt8, String)");
  Column& n = b.add("n", "Tuple(a Int32, b Nullable(String), c LowCardinality(String))");
  t.child(0)->appendInt64(1);
  t.child(1)->appendString("ab");
  t.child(0)->appendInt64(200);
  t.child(1)->appendString("");
  n.child(0)->appendInt64(-7);
  n.child(1)->appendNull();
  n.child(2)->appendString("x");
  n.child(0)->appendInt64(INT32_MAX);
  n.child(1)->appendString("q");
  n.child(2)->appendString("x");
  chc::Block block = b.take(2);
  Bytes bytes = native_test::encode(block);
  // Tuple(UInt8, String): element after element (spec §5.3 / §8.5).
  Bytes head = hex("02 02 \"t\" \"Tuple(UInt8, String)\" 01 C8 02 61 62 00");
  assert_true(bytes.size() > head.size());
  EXPECT_BYTES(Bytes(bytes.begin(), bytes.begin() + head.size()), head);
  auto blocks = native_test::readAllBlocks(bytes);
  assert_int_equal(blocks.size(), 1);
  chc::Block& r = blocks[0];
  assert_string_equal(r.columns[1]->type().name().c_str(),
                      "Tuple(a Int32, b Nullable(String), c LowCardinality(String))");
  Column& rt = *r.columns[0];
  Column& rn = *r.columns[1];
  assert_int_equal(chc::getInt64(*rt.child(0), 1), 200);
  assert_string_equal(std::string(chc::getString(*rt.child(1), 0)).c_str(), "ab");
  assert_int_equal(chc::getInt64(*rn.child(0), 0), -7);
  assert_true(chc::isNullAt(*rn.child(1), 0));
  assert_string_equal(std::string(chc::getString(*rn.child(1), 1)).c_str(), "q");
  assert_string_equal(std::string(chc::getString(*rn.child(2), 1)).c_str(), "x");
  assert_int_equal(chc::getInt64(*rn.child(0), 1), INT32_MAX);
  // Re-encoding what was read gives the same bytes.
  EXPECT_BYTES(native_test::encode(r), bytes);
}

// Spec §2.6: Tuple(LowCardinality(String), Int32) = [UInt64 1][LC body][Int32 body].
void tuple_with_lowcardinality_prefix_first(void**) {
  BlockBuilder b;
  Column& t = b.add("t", "Tuple(LowCardinality(String), Int32)");
  t.child(0)->appendString("a");
  t.child(1)->appendInt64(-1);
  Bytes bytes = native_test::encode(b.take(1));
  EXPECT_BYTES(bytes, concat({hex("01 01 \"t\" \"Tuple(LowCardinality(String), Int32)\""), le64(1), le64(0x600),
                              le64(2), hex("00 01 61"), le64(1), hex("01 FF FF FF FF")}));
  auto back = native_test::readAllBlocks(bytes);
  assert_string_equal(std::string(chc::getString(*back[0].columns[0]->child(0), 0)).c_str(), "a");
  assert_int_equal(chc::getInt64(*back[0].columns[0]->child(1), 0), -1);
}

// An Enum byte on the wire that names no element: reading it as a string is an error, as an
// integer it is the raw value.
void enum_unknown_wire_value(void**) {
  auto blocks = native_test::readAllBlocks(hex("01 01 \"e\" \"Enum8('a' = 1)\" 05"));
  EXPECT_CHC_KIND(ErrorKind::Protocol, "", chc::getString(*blocks[0].columns[0], 0));
  assert_int_equal(chc::getInt64(*blocks[0].columns[0], 0), 5);
}

void tuple_unequal_elements_rejected(void**) {
  BlockBuilder b;
  Column& t = b.add("t", "Tuple(UInt8, String)");
  t.child(0)->appendInt64(1);
  t.child(0)->appendInt64(2);
  t.child(1)->appendString("only one");
  chc::Block block = b.take(2);
  Bytes out;
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::writeNativeBlock(block, out));
  BlockBuilder b2;
  Column& t2 = b2.add("t", "Tuple(UInt8, String)");
  t2.child(0)->appendInt64(1);
  t2.child(1)->appendString("a");
  t2.child(1)->appendString("b");
  chc::Block block2 = b2.take(1);
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::writeNativeBlock(block2, out));
}

void map_exact_bytes_and_round_trip(void**) {
  BlockBuilder b;
  Column& m = b.add("m", "Map(String, UInt8)");
  Column& kv = *m.child(0);
  kv.child(0)->appendString("a");
  kv.child(1)->appendInt64(1);
  kv.child(0)->appendString("b");
  kv.child(1)->appendInt64(2);
  m.endArray();
  m.endArray();
  chc::Block block = b.take(2);
  Bytes bytes = native_test::encode(block);
  EXPECT_BYTES(bytes, concat({hex("01 02 \"m\" \"Map(String, UInt8)\""), le64(2), le64(2), hex("01 61 01 62 01 02")}));
  auto blocks = native_test::readAllBlocks(bytes);
  assert_int_equal(blocks.size(), 1);
  assert_string_equal(native_test::diffBlocks(block, blocks[0]).c_str(), "");

  BlockBuilder b2;
  Column& m2 = b2.add("m", "Map(String, UInt64)");
  for (int row = 0; row < 3; ++row) {
    for (int k = 0; k < row * 2; ++k) {
      m2.child(0)->child(0)->appendString("k" + std::to_string(k));
      m2.child(0)->child(1)->appendUInt64(UINT64_MAX - k);
    }
    m2.endArray();
  }
  chc::Block block2 = b2.take(3);
  auto back = native_test::readAllBlocks(native_test::encode(block2));
  assert_string_equal(native_test::diffBlocks(block2, back[0]).c_str(), "");
  Column& rm = *back[0].columns[0];
  assert_int_equal(rm.offsets()[3], 6);
  assert_int_equal(chc::getUInt64(*rm.child(0)->child(1), 5), UINT64_MAX - 3);
  assert_string_equal(std::string(chc::getString(*rm.child(0)->child(0), 5)).c_str(), "k3");
}

void nested_round_trip(void**) {
  BlockBuilder b;
  Column& n = b.add("n", "Nested(a UInt32, b String)");
  assert_int_equal(static_cast<int>(n.type().kind()), static_cast<int>(TypeKind::Array));
  Column& t = *n.child(0);
  t.child(0)->appendInt64(1);
  t.child(1)->appendString("x");
  n.endArray();
  n.endArray();
  t.child(0)->appendInt64(2);
  t.child(1)->appendString("y");
  t.child(0)->appendInt64(3);
  t.child(1)->appendString("zz");
  n.endArray();
  chc::Block block = b.take(3);
  Bytes bytes = native_test::encode(block);
  EXPECT_BYTES(bytes, concat({hex("01 03 \"n\" \"Nested(a UInt32, b String)\""), le64(1), le64(1), le64(3),
                              hex("01 00 00 00 02 00 00 00 03 00 00 00 01 78 01 79 02 7a 7a")}));
  auto blocks = native_test::readAllBlocks(bytes);
  assert_string_equal(native_test::diffBlocks(block, blocks[0]).c_str(), "");
  assert_string_equal(std::string(chc::getString(*blocks[0].columns[0]->child(0)->child(1), 2)).c_str(), "zz");
}

// ---------------------------------------------------------------------------------------------
// LowCardinality

Bytes lcStringBlock() {
  return concat({hex("01 03 \"lc\" \"LowCardinality(String)\""), le64(1), le64(0x600), le64(3), hex("00 01 61 01 62"),
                 le64(3), hex("01 02 01")});
}

Bytes lcNullableBlock() {
  return concat({hex("01 03 \"lc\" \"LowCardinality(Nullable(String))\""), le64(1), le64(0x600), le64(3),
                 hex("00 00 03 79 65 73"), le64(3), hex("02 00 02")});
}

void lowcardinality_decode_spec_examples(void**) {
  auto blocks = native_test::readAllBlocks(lcStringBlock());
  assert_int_equal(blocks.size(), 1);
  auto& lc = static_cast<chc::LowCardinalityColumn&>(*blocks[0].columns[0]);
  assert_int_equal(lc.size(), 3);
  assert_int_equal(lc.indexWidth(), 1);
  assert_int_equal(lc.child(0)->size(), 3);
  assert_null(lc.nullMap());
  const char* want[] = {"a", "b", "a"};
  for (size_t i = 0; i < 3; ++i) assert_string_equal(std::string(chc::getString(lc, i)).c_str(), want[i]);
  EXPECT_BYTES(bytesOf(lc), hex("01 02 01"));

  auto nb = native_test::readAllBlocks(lcNullableBlock());
  auto& ln = static_cast<chc::LowCardinalityColumn&>(*nb[0].columns[0]);
  assert_true(ln.isNullable());
  assert_non_null(ln.nullMap());
  assert_false(chc::isNullAt(ln, 0));
  assert_true(chc::isNullAt(ln, 1));
  assert_false(chc::isNullAt(ln, 2));
  assert_string_equal(std::string(chc::getString(ln, 0)).c_str(), "yes");
  assert_string_equal(std::string(chc::getString(ln, 2)).c_str(), "yes");
  EXPECT_CHC_KIND(ErrorKind::Type, "NULL", chc::getString(ln, 1));
}

void lowcardinality_encode_matches_spec(void**) {
  BlockBuilder b;
  Column& lc = b.add("lc", "LowCardinality(String)");
  lc.appendString("a");
  lc.appendString("b");
  lc.appendString("a");
  EXPECT_BYTES(native_test::encode(b.take(3)), lcStringBlock());

  BlockBuilder bn;
  Column& ln = bn.add("lc", "LowCardinality(Nullable(String))");
  ln.appendString("yes");
  ln.appendNull();
  ln.appendString("yes");
  EXPECT_BYTES(native_test::encode(bn.take(3)), lcNullableBlock());

  // appendNull on LowCardinality(Nullable) is index 0; "" is index 1.
  ColumnPtr c = col("LowCardinality(Nullable(String))");
  c->appendNull();
  c->appendString("");
  c->appendDefault();
  auto& l = static_cast<chc::LowCardinalityColumn&>(*c);
  assert_int_equal(l.indexAt(0), 0);
  assert_int_equal(l.indexAt(1), 1);
  assert_true(chc::isNullAt(*c, 0));
  assert_false(chc::isNullAt(*c, 1));
  assert_string_equal(std::string(chc::getString(*c, 1)).c_str(), "");
}

void lowcardinality_index_width(void**) {
  for (size_t distinct : {size_t(10), size_t(255), size_t(256), size_t(300)}) {
    ColumnPtr c = col("LowCardinality(String)");
    for (size_t i = 0; i < distinct; ++i) c->appendString("s" + std::to_string(i));
    for (size_t i = 0; i < distinct; ++i) c->appendString("s" + std::to_string(i));  // repeats reuse slots
    const size_t keys = distinct + 1;
    const size_t width = keys <= 256 ? 1 : 2;
    Bytes w = wire(*c);
    Bytes expect = concat({le64(1), le64(0x600 | (width == 1 ? 0 : 1)), le64(keys), hex("00")});
    for (size_t i = 0; i < distinct; ++i) expect = concat({expect, native_test::str("s" + std::to_string(i))});
    expect = concat({expect, le64(2 * distinct)});
    for (size_t r = 0; r < 2 * distinct; ++r) {
      uint64_t idx = r % distinct + 1;
      for (size_t k = 0; k < width; ++k) expect.push_back(static_cast<uint8_t>(idx >> (8 * k)));
    }
    if (w != expect) {
      print_error("LowCardinality(String) with %zu distinct values: bytes differ (sizes %zu vs %zu)\n", distinct,
                  w.size(), expect.size());
      fail();
    }
    // And it reads back equal.
    BlockBuilder b;
    b.block.names.push_back("s");
    b.block.columns.push_back(std::move(c));
    chc::Block block = b.take(2 * distinct);
    auto back = native_test::readAllBlocks(native_test::encode(block));
    auto& r = static_cast<chc::LowCardinalityColumn&>(*back[0].columns[0]);
    assert_int_equal(r.indexWidth(), width);
    for (size_t row = 0; row < 2 * distinct; ++row)
      assert_string_equal(std::string(chc::getString(r, row)).c_str(), ("s" + std::to_string(row % distinct)).c_str());
  }
}

// appendFixed with a batch of several values appends every one of them.
void lowcardinality_append_fixed_batch(void**) {
  ColumnPtr c = col("LowCardinality(UInt32)");
  const uint32_t vals[] = {7, 0, 7, 0xFFFFFFFF};
  c->appendFixed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(vals), sizeof vals));
  c->appendInt64(7);
  assert_int_equal(c->size(), 5);
  assert_int_equal(c->child(0)->size(), 3);  // 0 (default), 7, 0xFFFFFFFF
  EXPECT_BYTES(wire(*c), concat({le64(1), le64(0x600), le64(3), hex("00 00 00 00 07 00 00 00 FF FF FF FF"), le64(5),
                                 hex("01 00 01 02 01")}));
  ColumnPtr ln = col("LowCardinality(Nullable(UInt32))");
  ln->appendFixed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(vals), 8));
  ln->appendNull();
  assert_int_equal(ln->size(), 3);
  assert_false(chc::isNullAt(*ln, 0));
  assert_false(chc::isNullAt(*ln, 1));  // the value 0, not NULL
  assert_true(chc::isNullAt(*ln, 2));
  assert_int_equal(chc::getInt64(*ln, 1), 0);
}

// The same through single-value appendFixed calls (unaffected by batching), written and read back.
void lowcardinality_fixed_width_inner(void**) {
  ColumnPtr c = col("LowCardinality(UInt32)");
  const uint32_t vals[] = {7, 0, 7, 0xFFFFFFFF};
  for (uint32_t v : vals) c->appendFixed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&v), 4));
  c->appendInt64(7);
  assert_int_equal(c->size(), 5);
  assert_int_equal(c->child(0)->size(), 3);
  EXPECT_BYTES(wire(*c), concat({le64(1), le64(0x600), le64(3), hex("00 00 00 00 07 00 00 00 FF FF FF FF"), le64(5),
                                 hex("01 00 01 02 01")}));
  const uint8_t odd[] = {1, 2, 3};
  expectRejected(
      *c, [&] { c->appendFixed(odd); }, ErrorKind::InvalidArgument, "LC appendFixed odd size");
  assert_int_equal(c->child(0)->size(), 3);

  BlockBuilder b;
  b.block.names.push_back("u");
  b.block.columns.push_back(std::move(c));
  chc::Block block = b.take(5);
  auto back = native_test::readAllBlocks(native_test::encode(block));
  const uint64_t want[] = {7, 0, 7, 0xFFFFFFFF, 7};
  for (size_t i = 0; i < 5; ++i) assert_int_equal(chc::getUInt64(*back[0].columns[0], i), want[i]);
  assert_int_equal(chc::getInt64(*back[0].columns[0], 3), 0xFFFFFFFF);
  assert_int_equal(static_cast<chc::LowCardinalityColumn&>(*back[0].columns[0]).indexWidth(), 1);

  ColumnPtr ln = col("LowCardinality(Nullable(UInt32))");
  ln->appendFixed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&vals[0]), 4));
  ln->appendFixed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&vals[1]), 4));
  ln->appendNull();
  assert_int_equal(ln->size(), 3);
  assert_false(chc::isNullAt(*ln, 0));
  assert_false(chc::isNullAt(*ln, 1));  // the value 0, not NULL
  assert_true(chc::isNullAt(*ln, 2));
  assert_int_equal(chc::getInt64(*ln, 1), 0);
  assert_int_equal(static_cast<chc::LowCardinalityColumn&>(*ln).indexAt(1), 1);  // 0 is the default slot
}

// A malformed LowCardinality(String) block of one row with the given fields.
Bytes lcBad(uint64_t version, uint64_t flags, uint64_t keys, const Bytes& key_bytes, uint64_t rows, const Bytes& idx,
            const char* type = "LowCardinality(String)", uint64_t block_rows = 1) {
  Bytes head = concat({hex("01"), native_test::varuint(block_rows), hex("\"lc\""), native_test::str(type)});
  return concat({head, le64(version), le64(flags), le64(keys), key_bytes, le64(rows), idx});
}

void expectDecodeError(const Bytes& bytes, const char* needle, const char* what) {
  native_test::Outcome o = native_test::capture([&] { native_test::readAllBlocks(bytes); });
  if (!o.decode_error || o.kind != ErrorKind::Protocol || (needle[0] && o.message.find(needle) == std::string::npos)) {
    print_error("%s: expected NativeDecodeError(Protocol) mentioning '%s', got %s%s: %s\n", what, needle,
                o.threw ? (o.decode_error ? "NativeDecodeError " : "other ") : "nothing",
                o.chc_error ? native_test::kindName(o.kind) : "", o.message.c_str());
    fail();
  }
}

void lowcardinality_bad_input(void**) {
  const Bytes keys = hex("00 01 61");
  // Sanity: the well-formed variant decodes.
  assert_int_equal(native_test::readAllBlocks(lcBad(1, 0x600, 2, keys, 1, hex("01"))).size(), 1);
  expectDecodeError(lcBad(2, 0x600, 2, keys, 1, hex("01")), "version", "key version 2");
  expectDecodeError(lcBad(0, 0x600, 2, keys, 1, hex("01")), "version", "key version 0");
  expectDecodeError(lcBad(1, 0x700, 2, keys, 1, hex("01")), "global", "NeedGlobalDictionary");
  expectDecodeError(lcBad(1, 0x604, 2, keys, 1, hex("01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")), "",
                    "width code 4");
  expectDecodeError(lcBad(1, 0x8600, 2, keys, 1, hex("01")), "", "unknown flag bit");
  expectDecodeError(lcBad(1, 0x600, 2, keys, 1, hex("02")), "out of range", "index == num_keys");
  expectDecodeError(lcBad(1, 0x601, 2, keys, 1, hex("00 01")), "out of range", "UInt16 index 256");
  expectDecodeError(lcBad(1, 0x600, 2, keys, 2, hex("01 01")), "indexes", "num_rows 2 for 1 row");
  expectDecodeError(lcBad(1, 0x600, 2, keys, 0, {}), "indexes", "num_rows 0 for 1 row");
  expectDecodeError(lcBad(1, 0x600, 0, {}, 1, hex("00")), "out of range", "empty dictionary");
  // Huge dictionaries: rejected or failing on truncation, without allocating for the claim.
  expectDecodeError(lcBad(1, 0x600, uint64_t(1) << 40, keys, 1, hex("01")), "", "2^40 String keys");
  expectDecodeError(lcBad(1, 0x600, uint64_t(1) << 40, keys, 1, hex("01"), "LowCardinality(UInt64)"), "",
                    "2^40 UInt64 keys");
  expectDecodeError(lcBad(1, 0x600, UINT64_MAX, keys, 1, hex("01"), "LowCardinality(UInt64)"), "",
                    "2^64-1 UInt64 keys");
  expectDecodeError(lcBad(1, 0x600, uint64_t(1) << 32, keys, 1, hex("01")), "", "2^32 String keys, truncated");
  expectDecodeError(lcBad(1, 0x600, uint64_t(1) << 32, keys, 1, hex("01"), "LowCardinality(UInt64)"), "",
                    "2^32 UInt64 keys, truncated");
  // Truncated anywhere.
  Bytes good = lcBad(1, 0x600, 2, keys, 1, hex("01"));
  for (size_t cut = 1; cut < good.size(); ++cut) {
    Bytes part(good.begin(), good.begin() + cut);
    native_test::Outcome o = native_test::capture([&] { native_test::readAllBlocks(part); });
    if (!o.decode_error || o.kind != ErrorKind::Protocol) {
      print_error("truncated at %zu: %s\n", cut, o.message.c_str());
      fail();
    }
  }
}

void array_of_lowcardinality_all_empty(void**) {
  // [UInt64 1][offsets] and nothing after: no LowCardinality body when there are no elements.
  Bytes bytes = concat({hex("01 02 \"x\" \"Array(LowCardinality(String))\""), le64(1), le64(0), le64(0)});
  auto blocks = native_test::readAllBlocks(bytes);
  assert_int_equal(blocks.size(), 1);
  assert_int_equal(blocks[0].columns[0]->size(), 2);
  assert_int_equal(blocks[0].columns[0]->child(0)->size(), 0);

  BlockBuilder b;
  Column& a = b.add("x", "Array(LowCardinality(String))");
  a.endArray();
  a.endArray();
  EXPECT_BYTES(native_test::encode(b.take(2)), bytes);

  // Followed by another block: the reader is positioned right.
  Bytes two = concat({bytes, lcStringBlock()});
  auto both = native_test::readAllBlocks(two);
  assert_int_equal(both.size(), 2);
  assert_string_equal(std::string(chc::getString(*both[1].columns[0], 1)).c_str(), "b");

  // Non-empty: [UInt64 1][offsets][LC body] (spec §2.6).
  BlockBuilder b2;
  Column& a2 = b2.add("x", "Array(LowCardinality(String))");
  a2.child(0)->appendString("a");
  a2.endArray();
  a2.endArray();
  EXPECT_BYTES(native_test::encode(b2.take(2)),
               concat({hex("01 02 \"x\" \"Array(LowCardinality(String))\""), le64(1), le64(1), le64(1), le64(0x600),
                       le64(2), hex("00 01 61"), le64(1), hex("01")}));
}

// ---------------------------------------------------------------------------------------------
// ValueAccess

void value_access_new_kinds(void**) {
  ColumnPtr e8 = col("Enum8('b' = -2, 'a' = 1)");
  e8->appendString("b");
  assert_int_equal(chc::getInt64(*e8, 0), -2);
  assert_string_equal(std::string(chc::getString(*e8, 0)).c_str(), "b");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getUInt64(*e8, 0));
  ColumnPtr e16 = col("Enum16('x' = -1000, 'y' = 1000)");
  e16->appendInt64(-1000);
  e16->appendString("y");
  assert_int_equal(chc::getInt64(*e16, 0), -1000);
  assert_string_equal(std::string(chc::getString(*e16, 1)).c_str(), "y");
  ColumnPtr bo = col("Bool");
  bo->appendInt64(1);
  assert_int_equal(chc::getInt64(*bo, 0), 1);
  assert_int_equal(chc::getUInt64(*bo, 0), 1);
  ColumnPtr d32 = col("Date32");
  d32->appendInt64(-25567);
  assert_int_equal(chc::getInt64(*d32, 0), -25567);
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getUInt64(*d32, 0));
  ColumnPtr dt64 = col("DateTime64(9)");
  dt64->appendInt64(INT64_MIN);
  assert_int_equal(chc::getInt64(*dt64, 0), INT64_MIN);
  ColumnPtr tm = col("Time");
  tm->appendInt64(-359999);
  assert_int_equal(chc::getInt64(*tm, 0), -359999);
  ColumnPtr t64 = col("Time64(3)");
  t64->appendInt64(-1);
  assert_int_equal(chc::getInt64(*t64, 0), -1);
  ColumnPtr iv = col("IntervalYear");
  iv->appendInt64(-3);
  assert_int_equal(chc::getInt64(*iv, 0), -3);
  ColumnPtr v4 = col("IPv4");
  v4->appendString("255.255.255.255");
  assert_int_equal(chc::getInt64(*v4, 0), 0xFFFFFFFFll);
  assert_int_equal(chc::getUInt64(*v4, 0), 0xFFFFFFFFull);
  ColumnPtr bf = col("BFloat16");
  bf->appendDouble(0.5);
  assert_true(chc::getDouble(*bf, 0) == 0.5);
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(*bf, 0));

  ColumnPtr lc = col("LowCardinality(String)");
  lc->appendString("hello");
  lc->appendString("");
  assert_string_equal(std::string(chc::getString(*lc, 0)).c_str(), "hello");
  assert_string_equal(std::string(chc::getString(*lc, 1)).c_str(), "");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(*lc, 0));
  ColumnPtr lcfs = col("LowCardinality(FixedString(3))");
  lcfs->appendString("ab");
  EXPECT_BYTES(Bytes(chc::getString(*lcfs, 0).begin(), chc::getString(*lcfs, 0).end()), hex("61 62 00"));
  ColumnPtr lci = col("LowCardinality(Nullable(Int16))");
  lci->appendInt64(-5);
  lci->appendNull();
  assert_int_equal(chc::getInt64(*lci, 0), -5);
  assert_true(chc::getDouble(*lci, 0) == -5.0);
  EXPECT_CHC_KIND(ErrorKind::Type, "NULL", chc::getInt64(*lci, 1));
  ColumnPtr nen = col("Nullable(Enum8('a' = 1))");
  nen->appendString("a");
  assert_string_equal(std::string(chc::getString(*nen, 0)).c_str(), "a");

  // Wrong kinds.
  ColumnPtr uuid = col("UUID");
  uuid->appendString("00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getString(*uuid, 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(*uuid, 0));
  ColumnPtr dec = col("Decimal(9, 2)");
  dec->appendString("1.5");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(*dec, 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getString(*dec, 0));
  ColumnPtr i128 = col("Int128");
  i128->appendInt64(1);
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(*i128, 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getString(*v4, 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getString(*bo, 0));
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getDouble(*uuid, 0));
  ColumnPtr ip6 = col("IPv6");
  ip6->appendString("::1");
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getUInt64(*ip6, 0));
  ColumnPtr t = col("Tuple(UInt8)");
  t->child(0)->appendInt64(1);
  EXPECT_CHC_KIND(ErrorKind::Type, "", chc::getInt64(*t, 0));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::getInt64(*e8, 1));
}

// ---------------------------------------------------------------------------------------------
// Multi-block stream

std::vector<chc::Block> allFamilyBlocks() {
  std::vector<chc::Block> blocks;
  for (int bi = 0; bi < 4; ++bi) {
    const size_t rows = bi == 2 ? 0 : size_t(3 + bi * 5);
    BlockBuilder b;
    Column& i128 = b.add("i128", "Int128");
    Column& u256 = b.add("u256", "UInt256");
    Column& bf = b.add("bf", "BFloat16");
    Column& bo = b.add("bo", "Bool");
    Column& d9 = b.add("d9", "Decimal(9, 4)");
    Column& d76 = b.add("d76", "Nullable(Decimal(76, 10))");
    Column& d32 = b.add("d32", "Date32");
    Column& dt64 = b.add("dt64", "DateTime64(3, 'UTC')");
    Column& tm = b.add("tm", "Time");
    Column& t64 = b.add("t64", "Time64(6)");
    Column& uuid = b.add("uuid", "UUID");
    Column& v4 = b.add("v4", "IPv4");
    Column& v6 = b.add("v6", "IPv6");
    Column& e8 = b.add("e8", "Enum8('a' = 1, 'b' = -2)");
    Column& e16 = b.add("e16", "Enum16('x' = -1000, 'y' = 1000)");
    Column& iv = b.add("iv", "IntervalDay");
    Column& no = b.add("no", "Nullable(Nothing)");
    Column& tu = b.add("tu", "Tuple(a UInt8, b LowCardinality(String), c Nullable(Int32))");
    Column& mp = b.add("mp", "Map(String, UInt64)");
    Column& ne = b.add("ne", "Nested(k String, v Array(Int16))");
    Column& lc = b.add("lc", "LowCardinality(String)");
    Column& lcn = b.add("lcn", "LowCardinality(Nullable(String))");
    Column& alc = b.add("alc", "Array(LowCardinality(String))");
    Column& lcu = b.add("lcu", "LowCardinality(UInt32)");
    for (size_t r = 0; r < rows; ++r) {
      const int64_t s = static_cast<int64_t>(r) - 4;
      i128.appendInt64(s * 1000003);
      u256.appendUInt64(UINT64_MAX - r);
      bf.appendDouble(s * 0.75);
      bo.appendInt64(r % 2);
      d9.appendString(std::to_string(s) + ".25");
      if (r % 3 == 1)
        d76.appendNull();
      else
        d76.appendString("-" + std::string(60, '7') + "." + std::to_string(r));
      d32.appendInt64(-25567 + s * 400);
      dt64.appendInt64(1710513000123 + s);
      tm.appendInt64(s * 3600);
      t64.appendInt64(s * 1000001);
      char u[40];
      std::snprintf(u, sizeof u, "%08zx-4455-6677-8899-aabbccdd%04zx", r * 7919, r + bi);
      uuid.appendString(u);
      v4.appendString("10.0." + std::to_string(bi) + "." + std::to_string(r));
      v6.appendString(r % 2 ? "2001:db8::" + std::to_string(r) : "192.168.0." + std::to_string(r));
      e8.appendString(r % 2 ? "a" : "b");
      e16.appendInt64(r % 3 ? 1000 : -1000);
      iv.appendInt64(-s);
      no.appendNull();
      tu.child(0)->appendInt64(static_cast<int64_t>(r));
      tu.child(1)->appendString("t" + std::to_string(r % 3));
      if (r % 2)
        tu.child(2)->appendNull();
      else
        tu.child(2)->appendInt64(s);
      for (size_t k = 0; k < r % 4; ++k) {
        mp.child(0)->child(0)->appendString("key" + std::to_string(k));
        mp.child(0)->child(1)->appendUInt64(k * r);
      }
      mp.endArray();
      for (size_t k = 0; k < r % 3; ++k) {
        ne.child(0)->child(0)->appendString("n" + std::to_string(k));
        Column& arr = *ne.child(0)->child(1);
        for (size_t j = 0; j < k; ++j) arr.child(0)->appendInt64(-static_cast<int64_t>(j));
        arr.endArray();
      }
      ne.endArray();
      lc.appendString("v" + std::to_string(r % 4));
      if (r % 4 == 3)
        lcn.appendNull();
      else
        lcn.appendString(r % 2 ? "" : "w" + std::to_string(r));
      if (bi != 1)  // block 1: every array empty
        for (size_t k = 0; k < r % 3; ++k) alc.child(0)->appendString("e" + std::to_string(k));
      alc.endArray();
      lcu.appendUInt64(r % 2 ? 0xFFFFFFFFu : r);
    }
    blocks.push_back(b.take(rows));
  }
  return blocks;
}

void multi_block_stream_one_byte_at_a_time(void**) {
  std::vector<chc::Block> built = allFamilyBlocks();
  Bytes bytes = native_test::encodeAll(built);
  std::vector<chc::Block> whole = native_test::readAllBlocks(bytes);
  assert_int_equal(whole.size(), built.size());
  native_test::ChunkedInput one(bytes, 1);
  std::vector<chc::Block> trickled = native_test::readAllBlocks(one);
  assert_string_equal(native_test::diffBlockLists(whole, trickled).c_str(), "");
  native_test::ChunkedInput random(bytes, 37, 7);
  std::vector<chc::Block> chunked = native_test::readAllBlocks(random);
  assert_string_equal(native_test::diffBlockLists(whole, chunked).c_str(), "");
  // What was read re-encodes to the same stream.
  EXPECT_BYTES(native_test::encodeAll(whole), bytes);
  // Spot checks of values against what was built.
  const chc::Block& b3 = whole[3];
  assert_int_equal(b3.rows, 18);
  for (size_t c = 0; c < b3.columns.size(); ++c) assert_int_equal(b3.columns[c]->size(), 18);
  auto colNamed = [&](const char* name) -> const Column& {
    for (size_t i = 0; i < b3.names.size(); ++i)
      if (b3.names[i] == name) return *b3.columns[i];
    fail_msg("no column %s", name);
    return *b3.columns[0];
  };
  assert_int_equal(chc::getInt64(colNamed("d32"), 17), -25567 + 13 * 400);
  assert_true(chc::getDouble(colNamed("bf"), 6) == 1.5);
  assert_string_equal(std::string(chc::getString(colNamed("e8"), 1)).c_str(), "a");
  assert_string_equal(std::string(chc::getString(colNamed("lc"), 7)).c_str(), "v3");
  assert_true(chc::isNullAt(colNamed("lcn"), 7));
  assert_string_equal(std::string(chc::getString(colNamed("lcn"), 6)).c_str(), "w6");
  assert_true(chc::isNullAt(colNamed("d76"), 4));
  assert_int_equal(chc::getUInt64(colNamed("lcu"), 5), 0xFFFFFFFFu);
  assert_int_equal(chc::getUInt64(colNamed("lcu"), 6), 6);
  assert_string_equal(std::string(chc::getString(*colNamed("tu").child(1), 5)).c_str(), "t2");
  EXPECT_BYTES(Bytes(colNamed("v6").data().begin() + 16 * 4, colNamed("v6").data().begin() + 16 * 5),
               hex("00 00 00 00 00 00 00 00 00 00 ff ff c0 a8 00 04"));
  // Block 1: Array(LowCardinality(String)) holds no elements at all.
  for (size_t i = 0; i < whole[1].names.size(); ++i)
    if (whole[1].names[i] == "alc") assert_int_equal(whole[1].columns[i]->child(0)->size(), 0);
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(uuid_text_to_clickhouse_order),
      cmocka_unit_test(uuid_trailing_garbage_rejected),
      cmocka_unit_test(ipv4_and_ipv6),
      cmocka_unit_test(decimal_spec_example),
      cmocka_unit_test(decimal_text_every_width),
      cmocka_unit_test(decimal_from_double_and_integers),
      cmocka_unit_test(decimal_from_double_rounding_overflow_rejected),
      cmocka_unit_test(wide_integers_sign_extend),
      cmocka_unit_test(bool_zero_or_one),
      cmocka_unit_test(enum_by_name_and_value),
      cmocka_unit_test(bfloat16_conversion),
      cmocka_unit_test(bfloat16_from_double_rounds_once),
      cmocka_unit_test(ip_text_with_embedded_nul_rejected),
      cmocka_unit_test(dates_times_intervals_nothing),
      cmocka_unit_test(nullable_and_lowcardinality_rejections_leave_no_trace),
      cmocka_unit_test(tuple_round_trips),
      cmocka_unit_test(tuple_with_lowcardinality_prefix_first),
      cmocka_unit_test(enum_unknown_wire_value),
      cmocka_unit_test(tuple_unequal_elements_rejected),
      cmocka_unit_test(map_exact_bytes_and_round_trip),
      cmocka_unit_test(nested_round_trip),
      cmocka_unit_test(lowcardinality_decode_spec_examples),
      cmocka_unit_test(lowcardinality_encode_matches_spec),
      cmocka_unit_test(lowcardinality_index_width),
      cmocka_unit_test(lowcardinality_append_fixed_batch),
      cmocka_unit_test(lowcardinality_fixed_width_inner),
      cmocka_unit_test(lowcardinality_bad_input),
      cmocka_unit_test(array_of_lowcardinality_all_empty),
      cmocka_unit_test(value_access_new_kinds),
      cmocka_unit_test(multi_block_stream_one_byte_at_a_time),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
