// Spec-level facts of impl/compress (spec §7): CityHash128 v1.0.2 test vectors, Content-Encoding
// names, and the two request frames verified against a real server.
#include <cstdio>
#include <string>
#include <vector>

#include "compress/CityHash128.hpp"
#include "compress/ContentEncoding.hpp"
#include "compress/NativeBlockCodec.hpp"
#include "compress/TestSupport.hpp"

// cmocka last: its fail() macro would break C++ standard headers included after it. Its 1.1.5
// header does not declare its functions extern "C" itself.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using namespace chc::compress;
using chc::ErrorKind;
using chc_test::Bytes;

namespace {

std::string hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void expectHash(const uint8_t* data, size_t n, const char* low, const char* high) {
  const Hash128 h = cityHash128(data, n);
  assert_string_equal(hex64(h.low).c_str(), low);
  assert_string_equal(hex64(h.high).c_str(), high);
}

Bytes mod251(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i % 251);
  return b;
}

// Spec §7.2 table: input bytes i % 251, values computed with the server's own library.
void cityhash_spec_vectors(void**) {
  struct Vector {
    size_t n;
    const char* low;
    const char* high;
  };
  const Vector vectors[] = {
      {0, "3df09dfc64c09a2b", "3cb540c392e51e29"},   {3, "10dc1926b0850ac2", "80c20dad5cdd0e6f"},
      {16, "17ceade677c2f945", "579ed60675c8fedc"},  {50, "73b4ed7dcea9e19d", "c173f292e67fb875"},
      {128, "7def035b54925590", "de34765c4aca9038"}, {1000, "44377c873c240f45", "9da1d106ca1c225d"},
  };
  for (const Vector& v : vectors) {
    const Bytes data = mod251(v.n);
    expectHash(data.data(), data.size(), v.low, v.high);
  }
}

// More lengths, same input rule, computed with the clickhouse-cityhash 1.0.2.6 package: they reach
// the code paths the spec table skips (8..15 bytes, a 9..15-byte tail after the 16-byte seed,
// the 144-byte boundary of the long loop, 1..4 tail chunks).
void cityhash_more_lengths(void**) {
  struct Vector {
    size_t n;
    const char* low;
    const char* high;
  };
  const Vector vectors[] = {
      {1, "a04b71ab61de6422", "f768684937e23970"},    {7, "aa38db290ccb2b16", "684a34c21a5257da"},
      {8, "d0bfe8984e1e8682", "565141a0cf7fc611"},    {9, "62dbdc607c89633a", "854d59c6f348dd9b"},
      {15, "048856bb9fddcf10", "0c4d01dd6777bb5f"},   {17, "8112e830fb310ff1", "c972ad09c64fd737"},
      {24, "c33e90e09eca8274", "a780ae878096c2e9"},   {27, "3be529d7e27f2825", "df8b7cedb9a01b4e"},
      {31, "695ea0324b28f5c9", "4328d2c3ad882b27"},   {32, "fe71590c670b561d", "498f5b464f875a30"},
      {33, "66b6018b265e86eb", "a5cf49e386167f3a"},   {64, "83d9a0502fd851d0", "718073343ea63f22"},
      {100, "836ad9510a7189d4", "92d5fdf90b6d0ef9"},  {143, "2d63dbf4c2290d5b", "5c12cc8417ceb584"},
      {144, "a6bdeceec903d0fc", "c56b79626912c1bc"},  {145, "8361b5ef821115c5", "1805e45238035085"},
      {200, "275774699e23b6fd", "5682ef01ebe7289c"},  {271, "915a06ba01fcf73b", "47aacfcf9c1df526"},
      {272, "5042802962a35d03", "bca2f9bca8f1c83c"},  {300, "e6a6cf3bc9a1c22a", "250ad27cb618cce7"},
      {4096, "378368a504484425", "19e154b644d08dbd"},
  };
  for (const Vector& v : vectors) {
    const Bytes data = mod251(v.n);
    expectHash(data.data(), data.size(), v.low, v.high);
  }
}

void cityhash_abc(void**) {
  expectHash(reinterpret_cast<const uint8_t*>("abc"), 3, "900ff195577748fe", "13a9176355b20d7e");
}

// The hash reads unaligned words: the same bytes at every alignment hash the same.
void cityhash_alignment_independent(void**) {
  for (size_t n : {7, 15, 31, 63, 127, 200, 1000}) {
    const Bytes base = chc_test::randomBytes(n, static_cast<uint32_t>(n));
    const Hash128 want = cityHash128(base.data(), n);
    for (size_t off = 1; off < 8; ++off) {
      Bytes shifted(n + off);
      std::copy(base.begin(), base.end(), shifted.begin() + static_cast<ptrdiff_t>(off));
      assert_true(cityHash128(shifted.data() + off, n) == want);
    }
  }
}

// Every byte matters: flipping any bit of a 300-byte input changes the hash.
void cityhash_every_byte_counts(void**) {
  Bytes data = chc_test::randomBytes(300, 3);
  const Hash128 base = cityHash128(data.data(), data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] ^= 0x10;
    assert_false(cityHash128(data.data(), data.size()) == base);
    data[i] ^= 0x10;
  }
}

void content_encoding_parse(void**) {
  assert_int_equal(static_cast<int>(parseContentEncoding("")), static_cast<int>(ContentEncoding::Identity));
  assert_int_equal(static_cast<int>(parseContentEncoding("  ")), static_cast<int>(ContentEncoding::Identity));
  assert_int_equal(static_cast<int>(parseContentEncoding("Identity")), static_cast<int>(ContentEncoding::Identity));
  assert_int_equal(static_cast<int>(parseContentEncoding("gzip")), static_cast<int>(ContentEncoding::Gzip));
  assert_int_equal(static_cast<int>(parseContentEncoding(" GZip\t")), static_cast<int>(ContentEncoding::Gzip));
  assert_int_equal(static_cast<int>(parseContentEncoding("x-gzip")), static_cast<int>(ContentEncoding::Gzip));
  assert_int_equal(static_cast<int>(parseContentEncoding("DEFLATE")), static_cast<int>(ContentEncoding::Deflate));
  assert_int_equal(static_cast<int>(parseContentEncoding("lz4")), static_cast<int>(ContentEncoding::Lz4));
  assert_int_equal(static_cast<int>(parseContentEncoding(" zstd ")), static_cast<int>(ContentEncoding::Zstd));
  for (ContentEncoding e : {ContentEncoding::Identity, ContentEncoding::Gzip, ContentEncoding::Deflate,
                            ContentEncoding::Lz4, ContentEncoding::Zstd})
    assert_int_equal(static_cast<int>(parseContentEncoding(contentEncodingName(e))), static_cast<int>(e));
  assert_string_equal(std::string(contentEncodingName(ContentEncoding::Gzip)).c_str(), "gzip");
  assert_string_equal(std::string(contentEncodingName(ContentEncoding::Deflate)).c_str(), "deflate");
  assert_string_equal(std::string(contentEncodingName(ContentEncoding::Lz4)).c_str(), "lz4");
  assert_string_equal(std::string(contentEncodingName(ContentEncoding::Zstd)).c_str(), "zstd");
  assert_string_equal(std::string(contentEncodingName(ContentEncoding::Identity)).c_str(), "identity");
}

void content_encoding_unsupported(void**) {
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "'br'", parseContentEncoding("br"));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "'xz'", parseContentEncoding("xz"));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "'bz2'", parseContentEncoding("bz2"));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "'snappy'", parseContentEncoding(" snappy "));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "'compress'", parseContentEncoding("compress"));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "'gzipx'", parseContentEncoding("gzipx"));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "several encodings", parseContentEncoding("gzip, zstd"));
}

// Spec §7.2: the 11-byte Native block `a UInt8 = 42`, framed as the 18.16 server accepted it.
const Bytes kBlock = {0x01, 0x01, 0x01, 0x61, 0x05, 0x55, 0x49, 0x6E, 0x74, 0x38, 0x2A};
const Bytes kNoneFrame = {0xFF, 0x2A, 0x9B, 0x5E, 0x74, 0xB3, 0x48, 0x36, 0x05, 0x75, 0x8F, 0x01,
                          0xF1, 0x6B, 0x94, 0x28, 0x02, 0x14, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x00,
                          0x00, 0x01, 0x01, 0x01, 0x61, 0x05, 0x55, 0x49, 0x6E, 0x74, 0x38, 0x2A};
const Bytes kLz4Frame = {0x20, 0x7E, 0xDB, 0xC8, 0xA5, 0xEF, 0xDD, 0xA2, 0x93, 0xDC, 0x2B, 0xA8, 0x70,
                         0xB9, 0x3A, 0x71, 0x82, 0x15, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x00, 0xB0,
                         0x01, 0x01, 0x01, 0x61, 0x05, 0x55, 0x49, 0x6E, 0x74, 0x38, 0x2A};

void expectBytes(const Bytes& got, const Bytes& want) {
  assert_int_equal(got.size(), want.size());
  assert_memory_equal(got.data(), want.data(), want.size());
}

void verified_frames_encode(void**) {
  for (auto [method, want] : {std::pair{BlockMethod::None, &kNoneFrame}, std::pair{BlockMethod::Lz4, &kLz4Frame}}) {
    chc_test::RecordingSink sink;
    auto enc = makeNativeBlockEncoder(method, sink);
    enc->write(kBlock);
    enc->finish();
    expectBytes(sink.bytes, *want);
    assert_int_equal(sink.finishes, 1);
  }
}

void verified_frames_decode(void**) {
  for (const Bytes* frame : {&kNoneFrame, &kLz4Frame}) {
    for (size_t chunk : {size_t(1), size_t(5), size_t(1000)}) {
      auto dec = makeNativeBlockDecoder(chc_test::chunked(*frame, chunk));
      expectBytes(chc_test::readAll(*dec, chunk), kBlock);
    }
    // Both frames back to back decode to the block twice.
    auto dec = makeNativeBlockDecoder(chc_test::memory(chc_test::concat(*frame, kLz4Frame)));
    expectBytes(chc_test::readAll(*dec), chc_test::concat(kBlock, kBlock));
  }
}

// The checksum of the verified frames is the CityHash of bytes 16.. (spec layout).
void verified_frames_checksum(void**) {
  for (const Bytes* frame : {&kNoneFrame, &kLz4Frame}) {
    const Hash128 h = cityHash128(frame->data() + 16, frame->size() - 16);
    uint64_t low = 0, high = 0;
    for (int i = 7; i >= 0; --i) {
      low = (low << 8) | (*frame)[static_cast<size_t>(i)];
      high = (high << 8) | (*frame)[static_cast<size_t>(8 + i)];
    }
    assert_true(h.low == low);
    assert_true(h.high == high);
  }
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cityhash_spec_vectors),
      cmocka_unit_test(cityhash_more_lengths),
      cmocka_unit_test(cityhash_abc),
      cmocka_unit_test(cityhash_alignment_independent),
      cmocka_unit_test(cityhash_every_byte_counts),
      cmocka_unit_test(content_encoding_parse),
      cmocka_unit_test(content_encoding_unsupported),
      cmocka_unit_test(verified_frames_encode),
      cmocka_unit_test(verified_frames_decode),
      cmocka_unit_test(verified_frames_checksum),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
