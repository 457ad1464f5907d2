// HTTP "zstd": a sequence of zstd frames.
#include "common/Error.hpp"
#include "compress/CodecHandles.hpp"
#include "compress/StreamCodec.hpp"

namespace chc::compress::detail {
namespace {

class ZstdDecoder final : public StreamDecoder {
 public:
  // The default window limit (2^27) bounds memory; a frame needing more is rejected as corrupt.
  explicit ZstdDecoder(std::unique_ptr<InputStream> source)
      : StreamDecoder(std::move(source), "zstd"), ctx_(newZstdDCtx()) {}

 protected:
  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out) override {
    if (in.empty() && !in_frame_) return {0, 0};
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    const size_t rc = ZSTD_decompressStream(ctx_.get(), &ob, &ib);
    if (ZSTD_isError(rc)) throwProtocol(std::string("corrupt zstd frame: ") + ZSTD_getErrorName(rc));
    // 0 = a frame was fully decoded and flushed; the next bytes start a new frame.
    in_frame_ = rc != 0;
    return {ib.pos, ob.pos};
  }

  bool midStream() const override { return in_frame_; }

 private:
  ZstdDCtx ctx_;
  bool in_frame_ = false;
};

class ZstdEncoder final : public BufferedEncoder {
 public:
  ZstdEncoder(OutputSink& dest, int level) : BufferedEncoder(dest, ZSTD_CStreamOutSize(), "zstd"), ctx_(newZstdCCtx()) {
    if (level != -1 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()))
      throwInvalid("zstd compression level must be -1 or " + std::to_string(ZSTD_minCLevel()) + ".." +
                   std::to_string(ZSTD_maxCLevel()) + ", got " + std::to_string(level));
    zstdCheck(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_compressionLevel, level == -1 ? ZSTD_CLEVEL_DEFAULT : level),
              "zstd level");
    zstdCheck(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_checksumFlag, 1), "zstd checksum flag");
  }

  void write(std::span<const uint8_t> src) override {
    checkOpen();
    ZSTD_inBuffer ib{src.data(), src.size(), 0};
    while (ib.pos < ib.size) run(ib, ZSTD_e_continue);
  }

  void finish() override {
    checkOpen();
    ZSTD_inBuffer ib{nullptr, 0, 0};
    while (run(ib, ZSTD_e_end) != 0) {
    }
    endStream();
  }

 private:
  size_t run(ZSTD_inBuffer& ib, ZSTD_EndDirective mode) {
    ensureSpare(1);
    const std::span<uint8_t> out = spare();
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    const size_t rc = zstdCheck(ZSTD_compressStream2(ctx_.get(), &ob, &ib, mode), "zstd compression");
    commit(ob.pos);
    return rc;
  }

  ZstdCCtx ctx_;
};

}  // namespace

std::unique_ptr<InputStream> makeZstdDecoder(std::unique_ptr<InputStream> source) {
  return std::make_unique<ZstdDecoder>(std::move(source));
}
std::unique_ptr<OutputSink> makeZstdEncoder(OutputSink& dest, int level) {
  return std::make_unique<ZstdEncoder>(dest, level);
}

}  // namespace chc::compress::detail
