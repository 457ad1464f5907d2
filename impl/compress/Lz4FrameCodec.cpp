// HTTP "lz4": the LZ4 frame format (LZ4F), not ClickHouse's raw LZ4 blocks.
#include <lz4hc.h>

#include <algorithm>

#include "common/Error.hpp"
#include "compress/CodecHandles.hpp"
#include "compress/StreamCodec.hpp"

namespace chc::compress::detail {
namespace {

// Input fed to one LZ4F_compressUpdate call; the output buffer is sized from it.
constexpr size_t kEncoderChunk = 64 * 1024;
constexpr size_t kEncoderOutputSize = 256 * 1024;

class Lz4FrameDecoder final : public StreamDecoder {
 public:
  explicit Lz4FrameDecoder(std::unique_ptr<InputStream> source) : StreamDecoder(std::move(source), "lz4") {
    LZ4F_dctx* raw = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
      throw Error(ErrorKind::NoMemory, "cannot allocate an LZ4 frame decompression context");
    ctx_.reset(raw);
  }

 protected:
  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out) override {
    // Outside a frame with nothing to read there is nothing to flush either.
    if (in.empty() && hint_ == 0) return {0, 0};
    size_t src_size = in.size();
    size_t dst_size = out.size();
    const size_t rc = LZ4F_decompress(ctx_.get(), out.data(), &dst_size, in.data(), &src_size, nullptr);
    if (LZ4F_isError(rc)) throwProtocol(std::string("corrupt lz4 frame: ") + LZ4F_getErrorName(rc));
    // 0 = a frame was fully decoded and flushed; the context then accepts the next frame.
    hint_ = rc;
    return {src_size, dst_size};
  }

  bool midStream() const override { return hint_ != 0; }

 private:
  Lz4fDCtx ctx_;
  size_t hint_ = 0;
};

class Lz4FrameEncoder final : public BufferedEncoder {
 public:
  Lz4FrameEncoder(OutputSink& dest, int level) : BufferedEncoder(dest, kEncoderOutputSize, "lz4") {
    if (level < -1 || level > LZ4HC_CLEVEL_MAX)
      throwInvalid("lz4 compression level must be -1 or 0.." + std::to_string(LZ4HC_CLEVEL_MAX) + ", got " +
                   std::to_string(level));
    prefs_.compressionLevel = level < 0 ? 0 : level;
    // No content checksum: its xxh32 pass more than halved LZ4F decoding speed when measured here,
    // and TCP (and TLS) already protect the body in transit.
    LZ4F_cctx* raw = nullptr;
    if (LZ4F_isError(LZ4F_createCompressionContext(&raw, LZ4F_VERSION)))
      throw Error(ErrorKind::NoMemory, "cannot allocate an LZ4 frame compression context");
    ctx_.reset(raw);
    update_bound_ = LZ4F_compressBound(kEncoderChunk, &prefs_);
    // ensureSpare() can only make room up to the buffer's size.
    if (update_bound_ > kEncoderOutputSize) throw Error(ErrorKind::Internal, "lz4 encoder buffer too small");
  }

  void write(std::span<const uint8_t> src) override {
    checkOpen();
    begin();
    while (!src.empty()) {
      const size_t piece = std::min(src.size(), kEncoderChunk);
      ensureSpare(update_bound_);
      const std::span<uint8_t> out = spare();
      commit(check(LZ4F_compressUpdate(ctx_.get(), out.data(), out.size(), src.data(), piece, nullptr)));
      src = src.subspan(piece);
    }
  }

  void finish() override {
    checkOpen();
    begin();  // an empty body is still one valid (empty) frame
    ensureSpare(LZ4F_compressBound(0, &prefs_));
    const std::span<uint8_t> out = spare();
    commit(check(LZ4F_compressEnd(ctx_.get(), out.data(), out.size(), nullptr)));
    endStream();
  }

 private:
  void begin() {
    if (begun_) return;
    ensureSpare(LZ4F_HEADER_SIZE_MAX);
    const std::span<uint8_t> out = spare();
    commit(check(LZ4F_compressBegin(ctx_.get(), out.data(), out.size(), &prefs_)));
    begun_ = true;
  }

  static size_t check(size_t rc) {
    if (LZ4F_isError(rc))
      throw Error(ErrorKind::Internal, std::string("LZ4 frame compression failed: ") + LZ4F_getErrorName(rc));
    return rc;
  }

  LZ4F_preferences_t prefs_{};
  Lz4fCCtx ctx_;
  size_t update_bound_ = 0;
  bool begun_ = false;
};

}  // namespace

std::unique_ptr<InputStream> makeLz4FrameDecoder(std::unique_ptr<InputStream> source) {
  return std::make_unique<Lz4FrameDecoder>(std::move(source));
}
std::unique_ptr<OutputSink> makeLz4FrameEncoder(OutputSink& dest, int level) {
  return std::make_unique<Lz4FrameEncoder>(dest, level);
}

}  // namespace chc::compress::detail
