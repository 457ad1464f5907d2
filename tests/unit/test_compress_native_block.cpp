// ClickHouse compressed frames (spec §7.2, compress=1 / decompress=1): round trips through awkward
// chunking, cross-checks with the reference LZ4/zstd block APIs, and bad input.
#include <lz4.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "compress/CityHash128.hpp"
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

const BlockMethod kMethods[] = {BlockMethod::None, BlockMethod::Lz4, BlockMethod::Zstd};

const char* nameOf(BlockMethod m) {
  switch (m) {
    case BlockMethod::None: return "NONE";
    case BlockMethod::Lz4: return "LZ4";
    case BlockMethod::Zstd: return "ZSTD";
  }
  return "?";
}

void expectBytes(const Bytes& got, const Bytes& want, const char* what) {
  if (got.size() != want.size()) fail_msg("%s: got %zu bytes, want %zu", what, got.size(), want.size());
  if (!want.empty()) assert_memory_equal(got.data(), want.data(), want.size());
}

Bytes encode(BlockMethod m, const Bytes& data, size_t frame_size = 1 << 20, int level = -1, size_t max_write = 300000) {
  chc_test::RecordingSink sink;
  auto enc = makeNativeBlockEncoder(m, sink, frame_size, level);
  std::mt19937 rng(13);
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t n = std::min(data.size() - pos, std::uniform_int_distribution<size_t>(1, max_write)(rng));
    enc->write({data.data() + pos, n});
    pos += n;
  }
  enc->finish();
  assert_int_equal(sink.finishes, 1);
  return sink.bytes;
}

Bytes decode(const Bytes& framed, size_t max_chunk = size_t(1) << 40, size_t max_read = 1 << 17) {
  auto dec = makeNativeBlockDecoder(chc_test::chunked(framed, max_chunk, 3));
  return chc_test::readAll(*dec, max_read);
}

// decode() where success is expected: an exception fails the test instead of aborting the program.
template <class... Args>
Bytes decodeOk(Args&&... args) {
  Bytes out;
  const chc_test::Caught c = chc_test::catchError([&] { out = decode(std::forward<Args>(args)...); });
  if (c.thrown) fail_msg("decoding failed: %s", c.message.c_str());
  return out;
}

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
void putLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void putLe64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Builds one frame by hand: any method byte and sizes, with a correct checksum.
Bytes makeFrame(uint8_t method, const Bytes& payload, uint32_t usize, std::optional<uint32_t> csize_override = {}) {
  Bytes f(25 + payload.size());
  f[16] = method;
  putLe32(&f[17], csize_override ? *csize_override : static_cast<uint32_t>(payload.size() + 9));
  putLe32(&f[21], usize);
  std::copy(payload.begin(), payload.end(), f.begin() + 25);
  const Hash128 h = cityHash128(f.data() + 16, f.size() - 16);
  putLe64(&f[0], h.low);
  putLe64(&f[8], h.high);
  return f;
}

struct ParsedFrame {
  uint8_t method;
  Bytes payload;
  uint32_t usize;
};

// Splits a framed stream with an independent little parser (checks checksums and sizes too).
std::vector<ParsedFrame> parseFrames(const Bytes& framed) {
  std::vector<ParsedFrame> frames;
  size_t pos = 0;
  while (pos < framed.size()) {
    assert_true(framed.size() - pos >= 25);
    const uint32_t csize = le32(&framed[pos + 17]);
    assert_true(csize >= 9 && pos + 16 + csize <= framed.size());
    const Hash128 h = cityHash128(&framed[pos + 16], csize);
    uint64_t low = 0, high = 0;
    for (int i = 7; i >= 0; --i) {
      low = (low << 8) | framed[pos + static_cast<size_t>(i)];
      high = (high << 8) | framed[pos + 8 + static_cast<size_t>(i)];
    }
    assert_true(h.low == low && h.high == high);
    frames.push_back({framed[pos + 16],
                      Bytes(framed.begin() + static_cast<ptrdiff_t>(pos + 25),
                            framed.begin() + static_cast<ptrdiff_t>(pos + 16 + csize)),
                      le32(&framed[pos + 21])});
    pos += 16 + csize;
  }
  return frames;
}

// ---- round trips -------------------------------------------------------------------------------

void roundtrip(BlockMethod m, const Bytes& data, const char* label, size_t frame_size = 1 << 20) {
  const Bytes framed = encode(m, data, frame_size);
  char what[160];
  std::snprintf(what, sizeof what, "%s %s %zu bytes, 1-byte source", nameOf(m), label, data.size());
  expectBytes(decodeOk(framed, 1, 1 << 16), data, what);
  std::snprintf(what, sizeof what, "%s %s %zu bytes, random chunks", nameOf(m), label, data.size());
  expectBytes(decodeOk(framed, 300, 3000), data, what);
  std::snprintf(what, sizeof what, "%s %s %zu bytes, whole", nameOf(m), label, data.size());
  expectBytes(decodeOk(framed, size_t(1) << 40, size_t(8) << 20), data, what);
  if (data.size() <= 100000) {
    std::snprintf(what, sizeof what, "%s %s %zu bytes, 1-byte reads", nameOf(m), label, data.size());
    expectBytes(decodeOk(framed, 7, 1), data, what);
  }
}

void roundtrip_small_sizes(void**) {
  for (BlockMethod m : kMethods)
    for (size_t n : {0, 1, 1000}) {
      roundtrip(m, chc_test::randomBytes(n, static_cast<uint32_t>(n) + 1), "random");
      roundtrip(m, chc_test::compressibleBytes(n, static_cast<uint32_t>(n) + 2), "text");
      roundtrip(m, chc_test::compressibleBytes(n, static_cast<uint32_t>(n) + 3), "text, 7-byte frames", 7);
    }
}

void roundtrip_5mib(void**) {
  const size_t n = 5u << 20;
  const Bytes random = chc_test::randomBytes(n, 99);
  const Bytes text = chc_test::compressibleBytes(n, 98);
  for (BlockMethod m : kMethods) {
    roundtrip(m, random, "random");
    roundtrip(m, text, "text");
    roundtrip(m, text, "text, 100000-byte frames", 100000);
  }
}

// Empty input writes no frame at all; frame boundaries follow frame_size exactly.
void encoder_framing(void**) {
  for (BlockMethod m : kMethods) {
    chc_test::RecordingSink sink;
    auto enc = makeNativeBlockEncoder(m, sink);
    enc->write({});
    enc->finish();
    assert_int_equal(sink.bytes.size(), 0);
    assert_int_equal(sink.finishes, 1);

    const Bytes data = chc_test::compressibleBytes(250000, 7);
    const std::vector<ParsedFrame> frames = parseFrames(encode(m, data, 100000, -1, 777));
    assert_int_equal(frames.size(), 3);
    assert_int_equal(frames[0].usize, 100000);
    assert_int_equal(frames[1].usize, 100000);
    assert_int_equal(frames[2].usize, 50000);
    for (const ParsedFrame& f : frames) assert_int_equal(f.method, static_cast<uint8_t>(m));
  }
}

void encoder_bad_arguments(void**) {
  chc_test::RecordingSink sink;
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "frame size", makeNativeBlockEncoder(BlockMethod::Lz4, sink, 0));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "frame size",
                   makeNativeBlockEncoder(BlockMethod::Lz4, sink, size_t(1) << 31));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "0x91", makeNativeBlockEncoder(static_cast<BlockMethod>(0x91), sink));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "level", makeNativeBlockEncoder(BlockMethod::Lz4, sink, 1024, 13));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "level", makeNativeBlockEncoder(BlockMethod::Zstd, sink, 1024, 99));
  auto enc = makeNativeBlockEncoder(BlockMethod::None, sink);
  enc->finish();
  const uint8_t b = 0;
  EXPECT_CHC_ERROR(ErrorKind::InvalidState, "after finish", enc->write({&b, 1}));
  EXPECT_CHC_ERROR(ErrorKind::InvalidState, "after finish", enc->finish());
}

void encoder_levels(void**) {
  const Bytes text = chc_test::compressibleBytes(300000, 17);
  using P = std::pair<BlockMethod, int>;
  for (auto [m, level] :
       {P{BlockMethod::Lz4, 0}, P{BlockMethod::Lz4, 9}, P{BlockMethod::Lz4, 12}, P{BlockMethod::Zstd, 1},
        P{BlockMethod::Zstd, 19}, P{BlockMethod::Zstd, -3}, P{BlockMethod::None, 5}}) {
    const Bytes framed = encode(m, text, 1 << 20, level);
    if (m != BlockMethod::None) assert_true(framed.size() < text.size() / 2);
    expectBytes(decodeOk(framed, 500), text, nameOf(m));
  }
}

// ---- cross-checks against the reference block APIs ------------------------------------------------

void ours_to_reference(void**) {
  const Bytes text = chc_test::compressibleBytes(700000, 23);
  for (BlockMethod m : kMethods) {
    Bytes joined;
    for (const ParsedFrame& f : parseFrames(encode(m, text, 200000))) {
      Bytes out(f.usize);
      if (m == BlockMethod::None) {
        out = f.payload;
      } else if (m == BlockMethod::Lz4) {
        const int n =
            LZ4_decompress_safe(reinterpret_cast<const char*>(f.payload.data()), reinterpret_cast<char*>(out.data()),
                                static_cast<int>(f.payload.size()), static_cast<int>(out.size()));
        assert_int_equal(n, f.usize);
      } else {
        const size_t n = ZSTD_decompress(out.data(), out.size(), f.payload.data(), f.payload.size());
        assert_false(ZSTD_isError(n));
        assert_int_equal(n, f.usize);
      }
      joined.insert(joined.end(), out.begin(), out.end());
    }
    expectBytes(joined, text, nameOf(m));
  }
}

// Frames built from the reference compressors (LZ4 fast and HC, zstd at several levels, mixed methods
// in one stream as a server may send) decode.
void reference_to_ours(void**) {
  const Bytes text = chc_test::compressibleBytes(400000, 24);
  const Bytes random = chc_test::randomBytes(100000, 25);
  Bytes stream, want;
  for (const Bytes* data : {&text, &random}) {
    Bytes lz(LZ4_compressBound(static_cast<int>(data->size())));
    lz.resize(static_cast<size_t>(LZ4_compress_default(reinterpret_cast<const char*>(data->data()),
                                                       reinterpret_cast<char*>(lz.data()),
                                                       static_cast<int>(data->size()), static_cast<int>(lz.size()))));
    Bytes zs(ZSTD_compressBound(data->size()));
    zs.resize(ZSTD_compress(zs.data(), zs.size(), data->data(), data->size(), 1));
    Bytes zs19(ZSTD_compressBound(data->size()));
    zs19.resize(ZSTD_compress(zs19.data(), zs19.size(), data->data(), data->size(), 19));
    const uint32_t usize = static_cast<uint32_t>(data->size());
    for (const Bytes& f : {makeFrame(0x82, lz, usize), makeFrame(0x90, zs, usize), makeFrame(0x90, zs19, usize),
                           makeFrame(0x02, *data, usize)}) {
      stream.insert(stream.end(), f.begin(), f.end());
      want.insert(want.end(), data->begin(), data->end());
    }
  }
  expectBytes(decodeOk(stream, 1), want, "reference frames, 1-byte source");
  expectBytes(decodeOk(stream, 4096, 100), want, "reference frames, 4 KiB chunks");
}

// Frames yield data as soon as they are complete; a later transport error passes through unchanged.
void decoder_streams(void**) {
  const Bytes text = chc_test::compressibleBytes(3u << 20, 33);
  const Bytes framed = encode(BlockMethod::Lz4, text);
  auto src = std::make_unique<chc_test::ChunkedInput>(framed, 4096);
  chc_test::ChunkedInput* raw = src.get();
  auto dec = makeNativeBlockDecoder(std::move(src));
  uint8_t buf[100];
  assert_int_equal(dec->read(buf), sizeof buf);
  assert_memory_equal(buf, text.data(), sizeof buf);
  const size_t first_frame = 16 + le32(&framed[17]);
  assert_int_equal(raw->consumed(), first_frame);  // exactly one frame read

  const std::vector<ParsedFrame> frames = parseFrames(framed);
  auto dropping = makeNativeBlockDecoder(std::make_unique<chc_test::DroppingInput>(
      Bytes(framed.begin(), framed.begin() + static_cast<ptrdiff_t>(first_frame + 30))));
  Bytes got;
  const chc_test::Caught c = chc_test::catchError([&] {
    uint8_t b[5000];
    for (size_t n; (n = dropping->read(b)) > 0;) got.insert(got.end(), b, b + n);
  });
  assert_true(c.thrown);
  assert_int_equal(static_cast<int>(c.kind), static_cast<int>(ErrorKind::Network));
  assert_int_equal(got.size(), frames[0].usize);
}

// ---- bad input ---------------------------------------------------------------------------------

void truncated_frames(void**) {
  const Bytes data = chc_test::compressibleBytes(1500, 61);
  for (BlockMethod m : kMethods) {
    const Bytes framed = encode(m, data, 1000);  // two frames
    assert_int_equal(decodeOk(Bytes{}).size(), 0);
    const size_t first = 16 + le32(&framed[17]);
    for (size_t len = 1; len < framed.size(); ++len) {
      const Bytes prefix(framed.begin(), framed.begin() + static_cast<ptrdiff_t>(len));
      if (len == first) {  // a frame boundary: a clean (shorter) end
        assert_int_equal(decodeOk(prefix, 1).size(), 1000);
        continue;
      }
      for (size_t chunk : {size_t(1), size_t(1) << 40}) {
        const chc_test::Caught c = chc_test::catchError([&] { decode(prefix, chunk); });
        if (!c.thrown || c.foreign || c.kind != ErrorKind::Protocol || c.message.find("truncated") == std::string::npos)
          fail_msg("%s prefix %zu/%zu: %s", nameOf(m), len, framed.size(), c.thrown ? c.message.c_str() : "no error");
      }
    }
  }
}

// Any flipped bit is caught: by the checksum, or by the size checks when it hits the size field.
void flipped_bytes(void**) {
  const Bytes data = chc_test::compressibleBytes(800, 71);
  for (BlockMethod m : kMethods) {
    const Bytes framed = encode(m, data);
    for (size_t pos = 0; pos < framed.size(); ++pos) {
      for (uint8_t mask : {uint8_t(0x01), uint8_t(0x40), uint8_t(0xFF)}) {
        Bytes bad = framed;
        bad[pos] ^= mask;
        const chc_test::Caught c = chc_test::catchError([&] { decode(bad, 13); });
        if (!c.thrown || c.foreign || c.kind != ErrorKind::Protocol)
          fail_msg("%s flip 0x%02x at %zu: %s", nameOf(m), mask, pos, c.thrown ? c.message.c_str() : "not detected");
        const bool size_field = pos >= 17 && pos < 25;  // sizes are range-checked before the checksum
        if (!size_field && c.message.find("checksum mismatch in compressed block") == std::string::npos)
          fail_msg("%s flip at %zu: '%s'", nameOf(m), pos, c.message.c_str());
      }
    }
  }
}

void bad_sizes(void**) {
  const Bytes payload = {1, 2, 3};
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "exceeds the 1 GiB limit", decode(makeFrame(0x02, payload, 3, 0xFFFFFFFFu)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "exceeds the 1 GiB limit", decode(makeFrame(0x02, payload, 3, (1u << 30) + 1)));
  for (uint32_t small : {0u, 1u, 8u})
    EXPECT_CHC_ERROR(ErrorKind::Protocol, "smaller than its 9-byte header", decode(makeFrame(0x02, payload, 3, small)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "uncompressed block size", decode(makeFrame(0x82, payload, (1u << 30) + 1)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "uncompressed block size", decode(makeFrame(0x90, payload, 0xFFFFFFFFu)));
  // A header claiming 1 GiB of compressed data followed by a few bytes: truncated, without
  // allocating the claimed size first (ASan's allocator would flag a 1 GiB allocation here).
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "truncated", decode(makeFrame(0x82, payload, 3, 1u << 30)));
  // NONE must hold exactly the uncompressed size.
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "holds 3 bytes but says 4", decode(makeFrame(0x02, payload, 4)));
  // LZ4 cannot expand 3 bytes to 1 MiB: refused before allocating.
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "cannot expand", decode(makeFrame(0x82, payload, 1u << 20)));
}

void unknown_method(void**) {
  const Bytes payload = {1, 2, 3};
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "0x91", decode(makeFrame(0x91, payload, 3)));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "0x00", decode(makeFrame(0x00, payload, 3)));
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "0xFF", decode(makeFrame(0xFF, payload, 3)));
  // A valid frame first: its data is delivered before the bad one is reached.
  const Bytes good = makeFrame(0x02, payload, 3);
  auto dec = makeNativeBlockDecoder(chc_test::memory(chc_test::concat(good, makeFrame(0x91, payload, 3))));
  uint8_t buf[10];
  assert_int_equal(dec->read(buf), 3);
  EXPECT_CHC_ERROR(ErrorKind::Unsupported, "0x91", dec->read(buf));
}

// Payloads that pass the checksum but do not decode to the stated size.
void payload_size_mismatch(void**) {
  const Bytes data = chc_test::compressibleBytes(5000, 81);
  Bytes lz(LZ4_compressBound(5000));
  lz.resize(
      static_cast<size_t>(LZ4_compress_default(reinterpret_cast<const char*>(data.data()),
                                               reinterpret_cast<char*>(lz.data()), 5000, static_cast<int>(lz.size()))));
  Bytes zs(ZSTD_compressBound(5000));
  zs.resize(ZSTD_compress(zs.data(), zs.size(), data.data(), data.size(), 3));
  for (uint32_t usize : {4999u, 5001u, 100u}) {
    EXPECT_CHC_ERROR(ErrorKind::Protocol, "LZ4", decode(makeFrame(0x82, lz, usize)));
    EXPECT_CHC_ERROR(ErrorKind::Protocol, "zstd", decode(makeFrame(0x90, zs, usize)));
  }
  // Same, for a frame larger than the caller's buffer (decoded into the internal buffer).
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "LZ4", decode(makeFrame(0x82, lz, 5001), size_t(1) << 40, 100));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "zstd", decode(makeFrame(0x90, zs, 4999), size_t(1) << 40, 100));
  // Garbage payloads with valid checksums.
  const Bytes garbage = chc_test::randomBytes(2000, 82);
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "LZ4", decode(makeFrame(0x82, garbage, 5000)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "zstd", decode(makeFrame(0x90, garbage, 5000)));
}

// Zero-size frames are legal and invisible.
void empty_frames(void**) {
  const Bytes empty_lz4 = {0x00};  // one token: no literals, no match
  const Bytes data = {9, 8, 7};
  Bytes stream = chc_test::concat(makeFrame(0x02, {}, 0), makeFrame(0x82, empty_lz4, 0));
  stream = chc_test::concat(stream, makeFrame(0x02, data, 3));
  stream = chc_test::concat(stream, makeFrame(0x02, {}, 0));
  expectBytes(decodeOk(stream, 1, 1), data, "empty frames");
  expectBytes(decodeOk(stream), data, "empty frames");
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roundtrip_small_sizes), cmocka_unit_test(roundtrip_5mib),  cmocka_unit_test(encoder_framing),
      cmocka_unit_test(encoder_bad_arguments), cmocka_unit_test(encoder_levels),  cmocka_unit_test(ours_to_reference),
      cmocka_unit_test(reference_to_ours),     cmocka_unit_test(decoder_streams), cmocka_unit_test(truncated_frames),
      cmocka_unit_test(flipped_bytes),         cmocka_unit_test(bad_sizes),       cmocka_unit_test(unknown_method),
      cmocka_unit_test(payload_size_mismatch), cmocka_unit_test(empty_frames),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
