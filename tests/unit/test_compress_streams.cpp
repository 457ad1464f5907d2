// HTTP content-encoding codecs (spec §7.1): round trips through awkward chunking, cross-checks
// against the reference libraries' one-shot APIs, and bad input.
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "compress/ContentEncoding.hpp"
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

const ContentEncoding kAll[] = {ContentEncoding::Identity, ContentEncoding::Gzip, ContentEncoding::Deflate,
                                ContentEncoding::Lz4, ContentEncoding::Zstd};
const ContentEncoding kCompressed[] = {ContentEncoding::Gzip, ContentEncoding::Deflate, ContentEncoding::Lz4,
                                       ContentEncoding::Zstd};

const char* nameOf(ContentEncoding e) { return contentEncodingName(e).data(); }

void expectBytes(const Bytes& got, const Bytes& want, const char* what) {
  if (got.size() != want.size()) fail_msg("%s: got %zu bytes, want %zu", what, got.size(), want.size());
  if (!want.empty()) assert_memory_equal(got.data(), want.data(), want.size());
}

// Encodes with our sink, writing in random pieces of 1..max_write bytes.
Bytes encode(ContentEncoding e, const Bytes& data, int level = -1, size_t max_write = 100000) {
  chc_test::RecordingSink sink;
  auto enc = makeEncodingSink(e, sink, level);
  std::mt19937 rng(11);
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t n = std::min(data.size() - pos, std::uniform_int_distribution<size_t>(1, max_write)(rng));
    enc->write({data.data() + pos, n});
    pos += n;
  }
  assert_int_equal(sink.finishes, 0);
  enc->finish();
  assert_int_equal(sink.finishes, 1);
  return sink.bytes;
}

Bytes decode(ContentEncoding e, const Bytes& encoded, size_t max_chunk = size_t(1) << 40, size_t max_read = 1 << 17) {
  auto dec = makeDecodingStream(e, chc_test::chunked(encoded, max_chunk, 5));
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

// ---- reference one-shot encoders/decoders ------------------------------------------------------

Bytes zlibDeflateRef(const Bytes& data, int window_bits, int level = 6) {
  z_stream z{};
  assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes gunzipRef(const Bytes& gz, size_t expected_size) {
  z_stream z{};
  assert_int_equal(inflateInit2(&z, 31), Z_OK);
  Bytes out(expected_size + 1);
  z.next_in = const_cast<Bytef*>(gz.data());
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
  assert_int_equal(z.avail_in, 0);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

Bytes lz4fCompressRef(const Bytes& data, const LZ4F_preferences_t* prefs) {
  Bytes out(LZ4F_compressFrameBound(data.size(), prefs));
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), prefs);
  assert_false(LZ4F_isError(n));
  out.resize(n);
  return out;
}

Bytes lz4fDecompressRef(const Bytes& frame, size_t expected_size) {
  LZ4F_dctx* ctx = nullptr;
  assert_false(LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION)));
  Bytes out(expected_size + 1);
  size_t dst = out.size();
  size_t src = frame.size();
  const size_t rc = LZ4F_decompress(ctx, out.data(), &dst, frame.data(), &src, nullptr);
  LZ4F_freeDecompressionContext(ctx);
  assert_false(LZ4F_isError(rc));
  assert_int_equal(rc, 0);  // the frame ended
  assert_int_equal(src, frame.size());
  out.resize(dst);
  return out;
}

Bytes zstdCompressRef(const Bytes& data, int level = 3) {
  Bytes out(ZSTD_compressBound(data.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  assert_false(ZSTD_isError(n));
  out.resize(n);
  return out;
}

Bytes zstdDecompressRef(const Bytes& frame, size_t expected_size) {
  Bytes out(expected_size + 1);
  const size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) fail_msg("ZSTD_decompress: %s", ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// ---- round trips -------------------------------------------------------------------------------

void roundtrip(ContentEncoding e, const Bytes& data, const char* label) {
  const Bytes encoded = encode(e, data);
  char what[160];
  // One compressed byte per source read; the consumer asks for random amounts.
  std::snprintf(what, sizeof what, "%s %s %zu bytes, 1-byte source", nameOf(e), label, data.size());
  expectBytes(decodeOk(e, encoded, 1, 1 << 16), data, what);
  // Random small source chunks, random small reads.
  std::snprintf(what, sizeof what, "%s %s %zu bytes, random chunks", nameOf(e), label, data.size());
  expectBytes(decodeOk(e, encoded, 300, 3000), data, what);
  // Everything at once.
  std::snprintf(what, sizeof what, "%s %s %zu bytes, whole", nameOf(e), label, data.size());
  expectBytes(decodeOk(e, encoded), data, what);
  if (data.size() <= 100000) {
    std::snprintf(what, sizeof what, "%s %s %zu bytes, 1-byte reads", nameOf(e), label, data.size());
    expectBytes(decodeOk(e, encoded, 7, 1), data, what);
  }
}

void roundtrip_small_sizes(void**) {
  for (ContentEncoding e : kAll)
    for (size_t n : {0, 1, 1000}) {
      roundtrip(e, chc_test::randomBytes(n, static_cast<uint32_t>(n) + 1), "random");
      roundtrip(e, chc_test::compressibleBytes(n, static_cast<uint32_t>(n) + 2), "text");
    }
}

void roundtrip_5mib(void**) {
  const size_t n = 5u << 20;
  const Bytes random = chc_test::randomBytes(n, 99);
  const Bytes text = chc_test::compressibleBytes(n, 98);
  for (ContentEncoding e : kAll) {
    roundtrip(e, random, "random");
    roundtrip(e, text, "text");
  }
}

// Non-default levels work and give valid streams; the compressible data really shrinks.
void roundtrip_levels(void**) {
  const Bytes text = chc_test::compressibleBytes(200000, 5);
  struct Case {
    ContentEncoding e;
    int level;
  };
  const Case cases[] = {{ContentEncoding::Gzip, 0},    {ContentEncoding::Gzip, 1},    {ContentEncoding::Gzip, 9},
                        {ContentEncoding::Deflate, 0}, {ContentEncoding::Deflate, 9}, {ContentEncoding::Lz4, 0},
                        {ContentEncoding::Lz4, 3},     {ContentEncoding::Lz4, 12},    {ContentEncoding::Zstd, 1},
                        {ContentEncoding::Zstd, 19},   {ContentEncoding::Zstd, -5},   {ContentEncoding::Identity, 77}};
  for (const Case& c : cases) {
    const Bytes encoded = encode(c.e, text, c.level);
    if (c.level != 0 && c.e != ContentEncoding::Identity) assert_true(encoded.size() < text.size() / 2);
    expectBytes(decodeOk(c.e, encoded, 1000), text, nameOf(c.e));
  }
}

void encoder_bad_levels(void**) {
  chc_test::RecordingSink sink;
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "level", makeEncodingSink(ContentEncoding::Gzip, sink, 10));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "level", makeEncodingSink(ContentEncoding::Deflate, sink, -2));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "level", makeEncodingSink(ContentEncoding::Lz4, sink, 13));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "level", makeEncodingSink(ContentEncoding::Zstd, sink, 23));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "ContentEncoding",
                   makeEncodingSink(static_cast<ContentEncoding>(42), sink));
  EXPECT_CHC_ERROR(ErrorKind::InvalidArgument, "ContentEncoding",
                   makeDecodingStream(static_cast<ContentEncoding>(42), chc_test::memory({})));
}

void encoder_use_after_finish(void**) {
  const uint8_t byte = 1;
  for (ContentEncoding e : kAll) {
    chc_test::RecordingSink sink;
    auto enc = makeEncodingSink(e, sink);
    enc->write({&byte, 1});
    enc->finish();
    EXPECT_CHC_ERROR(ErrorKind::InvalidState, "after finish", enc->write({&byte, 1}));
    EXPECT_CHC_ERROR(ErrorKind::InvalidState, "after finish", enc->finish());
    assert_int_equal(sink.finishes, 1);
  }
}

// Identity is a pass-through both ways.
void identity_passthrough(void**) {
  const Bytes data = chc_test::randomBytes(5000, 4);
  expectBytes(encode(ContentEncoding::Identity, data), data, "identity encode");
  expectBytes(decodeOk(ContentEncoding::Identity, data, 3), data, "identity decode");
}

// Large encoder outputs reach the destination in large writes, not in many small pieces.
void encoder_writes_are_batched(void**) {
  const Bytes random = chc_test::randomBytes(4u << 20, 8);
  for (ContentEncoding e : kCompressed) {
    chc_test::RecordingSink sink;
    auto enc = makeEncodingSink(e, sink);
    for (size_t pos = 0; pos < random.size(); pos += 100)
      enc->write({random.data() + pos, std::min<size_t>(100, random.size() - pos)});
    enc->finish();
    // 4 MiB of incompressible data through >= 64 KiB buffers: at most ~70 writes.
    if (sink.writes > 70) fail_msg("%s: %d writes for %zu bytes", nameOf(e), sink.writes, sink.bytes.size());
  }
}

// ---- cross-checks against the reference libraries ------------------------------------------------

void reference_to_ours(void**) {
  const Bytes text = chc_test::compressibleBytes(300000, 21);
  const Bytes random = chc_test::randomBytes(100000, 22);
  for (const Bytes* data : {&text, &random}) {
    // gzip as the gzip tool writes it (deflate with a gzip header), one and two members.
    const Bytes gz = zlibDeflateRef(*data, 31, 6);
    expectBytes(decodeOk(ContentEncoding::Gzip, gz, 999), *data, "gzip ref");
    expectBytes(decodeOk(ContentEncoding::Gzip, chc_test::concat(gz, zlibDeflateRef(random, 31, 1)), 999),
                chc_test::concat(*data, random), "gzip 2 members");
    // deflate: zlib stream from compress2(), and raw deflate some servers send instead.
    Bytes z(compressBound(data->size()));
    uLongf zlen = z.size();
    assert_int_equal(compress2(z.data(), &zlen, data->data(), data->size(), 6), Z_OK);
    z.resize(zlen);
    expectBytes(decodeOk(ContentEncoding::Deflate, z, 1), *data, "zlib compress2");
    expectBytes(decodeOk(ContentEncoding::Deflate, zlibDeflateRef(*data, -15), 1), *data, "raw deflate");
    expectBytes(decodeOk(ContentEncoding::Deflate, zlibDeflateRef(*data, -15), 5000), *data, "raw deflate");
    // lz4: default preferences; 4 MiB independent blocks with block and content checksums; two frames.
    const Bytes f1 = lz4fCompressRef(*data, nullptr);
    expectBytes(decodeOk(ContentEncoding::Lz4, f1, 1), *data, "lz4 frame default");
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max4MB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    prefs.frameInfo.contentSize = data->size();
    prefs.compressionLevel = 9;
    const Bytes f2 = lz4fCompressRef(*data, &prefs);
    expectBytes(decodeOk(ContentEncoding::Lz4, f2, 333), *data, "lz4 frame 4MB blocks");
    expectBytes(decodeOk(ContentEncoding::Lz4, chc_test::concat(f1, f2), 4096), chc_test::concat(*data, *data),
                "lz4 two frames");
    // zstd: one frame, two frames with a skippable frame between them.
    const Bytes zs = zstdCompressRef(*data);
    expectBytes(decodeOk(ContentEncoding::Zstd, zs, 1), *data, "zstd ref");
    const Bytes skippable = {0x50, 0x2A, 0x4D, 0x18, 0x03, 0x00, 0x00, 0x00, 0xAA, 0xBB, 0xCC};
    const Bytes three = chc_test::concat(chc_test::concat(zs, skippable), zstdCompressRef(random, 1));
    expectBytes(decodeOk(ContentEncoding::Zstd, three, 700), chc_test::concat(*data, random), "zstd + skippable");
  }
}

void ours_to_reference(void**) {
  for (size_t n : {0, 1, 1000, 300000}) {
    for (const Bytes& data : {chc_test::compressibleBytes(n, 31), chc_test::randomBytes(n, 32)}) {
      expectBytes(gunzipRef(encode(ContentEncoding::Gzip, data), data.size()), data, "gzip -> inflate");
      const Bytes z = encode(ContentEncoding::Deflate, data);
      Bytes out(data.size() + 1);
      uLongf out_len = out.size();
      assert_int_equal(uncompress(out.data(), &out_len, z.data(), z.size()), Z_OK);
      out.resize(out_len);
      expectBytes(out, data, "deflate -> uncompress");
      expectBytes(lz4fDecompressRef(encode(ContentEncoding::Lz4, data), data.size()), data, "lz4 -> LZ4F");
      expectBytes(zstdDecompressRef(encode(ContentEncoding::Zstd, data), data.size()), data, "zstd -> ZSTD_decompress");
    }
  }
}

// ---- streaming behaviour ---------------------------------------------------------------------------

// A decoder hands out data long before the body ends and keeps bounded input buffering.
void decoders_stream(void**) {
  const Bytes text = chc_test::compressibleBytes(8u << 20, 41);
  for (ContentEncoding e : kCompressed) {
    const Bytes encoded = encode(e, text);
    auto src = std::make_unique<chc_test::ChunkedInput>(encoded, 4096);
    chc_test::ChunkedInput* raw = src.get();
    auto dec = makeDecodingStream(e, std::move(src));
    uint8_t buf[1000];
    const size_t n = dec->read(buf);
    assert_true(n > 0);
    assert_memory_equal(buf, text.data(), n);
    if (raw->consumed() > 256 * 1024)
      fail_msg("%s decoder read %zu of %zu compressed bytes to produce its first %zu bytes", nameOf(e), raw->consumed(),
               encoded.size(), n);
  }
}

// Flushed data before a dropped connection is delivered; then the transport error surfaces unchanged.
void decoders_deliver_flushed_data_before_source_error(void**) {
  const Bytes part = chc_test::compressibleBytes(50000, 51);
  // gzip with a sync flush (what a server does at the end of each written chunk).
  z_stream z{};
  assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes gz(deflateBound(&z, part.size()) + 64);
  z.next_in = const_cast<Bytef*>(part.data());
  z.avail_in = static_cast<uInt>(part.size());
  z.next_out = gz.data();
  z.avail_out = static_cast<uInt>(gz.size());
  assert_int_equal(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  gz.resize(z.total_out);
  deflateEnd(&z);
  // zstd with a flush mid-frame.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  Bytes zs(ZSTD_compressBound(part.size()) + 64);
  ZSTD_inBuffer ib{part.data(), part.size(), 0};
  ZSTD_outBuffer ob{zs.data(), zs.size(), 0};
  assert_int_equal(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_flush), 0);
  zs.resize(ob.pos);
  ZSTD_freeCCtx(cctx);

  for (auto [e, bytes] : {std::pair{ContentEncoding::Gzip, &gz}, std::pair{ContentEncoding::Zstd, &zs}}) {
    auto dec = makeDecodingStream(e, std::make_unique<chc_test::DroppingInput>(*bytes));
    Bytes got;
    uint8_t buf[4096];
    const chc_test::Caught c = chc_test::catchError([&] {
      for (;;) {
        const size_t n = dec->read(buf);
        if (n == 0) break;
        got.insert(got.end(), buf, buf + n);
      }
    });
    assert_true(c.thrown);
    assert_int_equal(static_cast<int>(c.kind), static_cast<int>(ErrorKind::Network));
    expectBytes(got, part, nameOf(e));
  }
}

// ---- bad input ---------------------------------------------------------------------------------

// An empty body is an empty result, every strict prefix of a stream is an error, the full stream works.
void truncated_streams(void**) {
  const Bytes data = chc_test::compressibleBytes(1000, 61);
  for (ContentEncoding e : kCompressed) {
    const Bytes encoded = encode(e, data);
    assert_int_equal(decodeOk(e, Bytes{}).size(), 0);
    for (size_t len = 1; len < encoded.size(); ++len) {
      const Bytes prefix(encoded.begin(), encoded.begin() + static_cast<ptrdiff_t>(len));
      for (size_t chunk : {size_t(1), size_t(1) << 40}) {
        const chc_test::Caught c = chc_test::catchError([&] { decode(e, prefix, chunk); });
        if (!c.thrown || c.foreign || c.kind != ErrorKind::Protocol)
          fail_msg("%s prefix %zu/%zu: %s", nameOf(e), len, encoded.size(), c.thrown ? c.message.c_str() : "no error");
        // One byte of deflate cannot be told from raw deflate; past that the cause must be clear.
        if (len >= 2 && c.message.find("truncated") == std::string::npos)
          fail_msg("%s prefix %zu: message '%s' does not say truncated", nameOf(e), len, c.message.c_str());
      }
    }
    expectBytes(decodeOk(e, encoded, 1), data, nameOf(e));
  }
}

// Every flipped byte either fails with Protocol or (where no check covers it, like gzip's timestamp
// or a literal in an LZ4 frame without checksum) decodes; nothing else escapes, nothing crashes or
// hangs. Streams with a content checksum must catch nearly every flip: gzip/deflate always carry one,
// zstd from our encoder too, and the lz4 case uses a reference frame with its checksum enabled.
// Flips each byte of `encoded` three ways; returns how many of the corruptions were reported.
// Any report must be a Protocol error.
size_t countDetectedFlips(ContentEncoding e, const Bytes& encoded) {
  size_t detected = 0;
  for (size_t pos = 0; pos < encoded.size(); ++pos) {
    for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
      Bytes bad = encoded;
      bad[pos] ^= mask;
      const chc_test::Caught c = chc_test::catchError([&] { decode(e, bad, 97); });
      if (!c.thrown) continue;
      if (c.foreign || c.kind != ErrorKind::Protocol)
        fail_msg("%s flip at %zu: kind %d %s", nameOf(e), pos, static_cast<int>(c.kind), c.message.c_str());
      ++detected;
    }
  }
  return detected;
}

// Every flipped byte either fails with Protocol or (where no check covers it, like gzip's timestamp
// or a literal in an LZ4 frame without checksum) decodes; nothing else escapes, nothing crashes or
// hangs. Streams with a content checksum must catch nearly every flip: gzip/deflate always carry one,
// zstd from our encoder too; for lz4 a reference frame with its checksum enabled is checked as well.
void flipped_bytes(void**) {
  const Bytes data = chc_test::compressibleBytes(3000, 71);
  LZ4F_preferences_t with_checksum{};
  with_checksum.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  const Bytes checked_lz4 = lz4fCompressRef(data, &with_checksum);
  for (ContentEncoding e : kCompressed) {
    const Bytes encoded = encode(e, data);
    const size_t detected = countDetectedFlips(e, encoded);
    if (e != ContentEncoding::Lz4 && detected * 100 < encoded.size() * 3 * 95)
      fail_msg("%s: only %zu of %zu corruptions detected", nameOf(e), detected, encoded.size() * 3);
  }
  const size_t detected = countDetectedFlips(ContentEncoding::Lz4, checked_lz4);
  if (detected * 100 < checked_lz4.size() * 3 * 95)
    fail_msg("lz4 with checksum: only %zu of %zu corruptions detected", detected, checked_lz4.size() * 3);
}

void garbage_input(void**) {
  const Bytes garbage = chc_test::randomBytes(5000, 81);
  for (ContentEncoding e : kCompressed) {
    EXPECT_CHC_ERROR(ErrorKind::Protocol, nameOf(e), decode(e, garbage, 100));
  }
  const Bytes text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "corrupt gzip", decode(ContentEncoding::Gzip, text));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "lz4", decode(ContentEncoding::Lz4, text));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "zstd", decode(ContentEncoding::Zstd, text));
}

void trailing_data(void**) {
  const Bytes data = chc_test::compressibleBytes(1000, 91);
  const Bytes junk = {0x00, 0x00};
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "trailing data",
                   decode(ContentEncoding::Deflate, chc_test::concat(encode(ContentEncoding::Deflate, data), junk)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "gzip",
                   decode(ContentEncoding::Gzip, chc_test::concat(encode(ContentEncoding::Gzip, data), junk)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "lz4",
                   decode(ContentEncoding::Lz4, chc_test::concat(encode(ContentEncoding::Lz4, data), junk)));
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "zstd",
                   decode(ContentEncoding::Zstd, chc_test::concat(encode(ContentEncoding::Zstd, data), junk)));
}

// zlib streams that need a preset dictionary are refused clearly.
void deflate_preset_dictionary(void**) {
  const Bytes data = chc_test::compressibleBytes(1000, 95);
  z_stream z{};
  assert_int_equal(deflateInit(&z, 6), Z_OK);
  const Bytes dict = {'S', 'E', 'L', 'E', 'C', 'T'};
  assert_int_equal(deflateSetDictionary(&z, dict.data(), static_cast<uInt>(dict.size())), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  EXPECT_CHC_ERROR(ErrorKind::Protocol, "dictionary", decode(ContentEncoding::Deflate, out));
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roundtrip_small_sizes),
      cmocka_unit_test(roundtrip_5mib),
      cmocka_unit_test(roundtrip_levels),
      cmocka_unit_test(encoder_bad_levels),
      cmocka_unit_test(encoder_use_after_finish),
      cmocka_unit_test(identity_passthrough),
      cmocka_unit_test(encoder_writes_are_batched),
      cmocka_unit_test(reference_to_ours),
      cmocka_unit_test(ours_to_reference),
      cmocka_unit_test(decoders_stream),
      cmocka_unit_test(decoders_deliver_flushed_data_before_source_error),
      cmocka_unit_test(truncated_streams),
      cmocka_unit_test(flipped_bytes),
      cmocka_unit_test(garbage_input),
      cmocka_unit_test(trailing_data),
      cmocka_unit_test(deflate_preset_dictionary),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
