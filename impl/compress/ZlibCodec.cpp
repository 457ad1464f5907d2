// gzip (RFC 1952) and deflate (RFC 1950 zlib stream, raw RFC 1951 tolerated) via zlib.
#include <algorithm>
#include <climits>

#include "common/Error.hpp"
#include "compress/CodecHandles.hpp"
#include "compress/StreamCodec.hpp"

namespace chc::compress::detail {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip header and trailer
constexpr int kZlibWindowBits = 15;
constexpr int kRawWindowBits = -15;
constexpr size_t kEncoderOutputSize = 128 * 1024;
// zlib counts in uInt; feed at most this much per call.
constexpr size_t kMaxZlibChunk = 1u << 30;

// RFC 1950 header: CM = 8 (deflate), CINFO <= 7, and the two bytes as a big-endian number are a
// multiple of 31. A raw deflate stream fails this check except by rare coincidence.
bool looksLikeZlibHeader(uint8_t cmf, uint8_t flg) {
  return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

class ZlibDecoder final : public StreamDecoder {
 public:
  ZlibDecoder(std::unique_ptr<InputStream> source, bool gzip)
      : StreamDecoder(std::move(source), gzip ? "gzip" : "deflate"), gzip_(gzip) {}

 protected:
  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out) override {
    if (!in_member_) {
      if (in.empty()) return {0, 0};
      if (!startMember(in)) return {0, 0};
    }
    z_stream* z = zs_.get();
    z->next_in = const_cast<Bytef*>(in.data());  // zlib's API is not const-correct; it does not write
    z->avail_in = static_cast<uInt>(std::min(in.size(), kMaxZlibChunk));
    z->next_out = out.data();
    z->avail_out = static_cast<uInt>(std::min(out.size(), kMaxZlibChunk));
    const uInt avail_in = z->avail_in;
    const uInt avail_out = z->avail_out;
    const int rc = inflate(z, Z_NO_FLUSH);
    const Step step{avail_in - z->avail_in, avail_out - z->avail_out};
    switch (rc) {
      case Z_OK:
      case Z_BUF_ERROR:  // no progress possible: needs input (output space is never zero here)
        break;
      case Z_STREAM_END:
        in_member_ = false;
        ended_ = true;
        break;
      case Z_NEED_DICT: throwProtocol("corrupt " + name() + " stream: it needs a preset dictionary");
      case Z_DATA_ERROR: throwProtocol("corrupt " + name() + " stream: " + (z->msg ? z->msg : "invalid data"));
      case Z_MEM_ERROR: throw Error(ErrorKind::NoMemory, "out of memory while inflating a " + name() + " stream");
      default: throw Error(ErrorKind::Internal, "inflate failed (" + std::to_string(rc) + ")");
    }
    return step;
  }

  bool midStream() const override { return in_member_; }

 private:
  // Prepares zlib for the member/stream starting at in[0]. Returns false if more bytes are needed.
  bool startMember(std::span<const uint8_t> in) {
    if (gzip_) {
      // Concatenated gzip members decode to the concatenation of their contents (RFC 1952 §2.2).
      if (zs_.active()) {
        if (inflateReset(zs_.get()) != Z_OK) throw Error(ErrorKind::Internal, "inflateReset failed");
      } else {
        zs_.initInflate(kGzipWindowBits);
      }
    } else {
      if (ended_) throwProtocol("trailing data after the end of the deflate stream");
      // Some servers send raw deflate under "deflate"; the two header bytes tell them apart.
      if (in.size() < 2 && !sourceEnded()) return false;
      const bool zlib = in.size() >= 2 && looksLikeZlibHeader(in[0], in[1]);
      zs_.initInflate(zlib ? kZlibWindowBits : kRawWindowBits);
    }
    in_member_ = true;
    return true;
  }

  const bool gzip_;
  ZStream zs_;
  bool in_member_ = false;  // inside a gzip member / the deflate stream
  bool ended_ = false;      // at least one member/stream completed
};

class ZlibEncoder final : public BufferedEncoder {
 public:
  ZlibEncoder(OutputSink& dest, int level, bool gzip)
      : BufferedEncoder(dest, kEncoderOutputSize, gzip ? "gzip" : "deflate") {
    if (level < -1 || level > 9)
      throwInvalid(name() + " compression level must be -1 or 0..9, got " + std::to_string(level));
    // Z_DEFAULT_COMPRESSION (-1) is zlib's level 6.
    zs_.initDeflate(level, gzip ? kGzipWindowBits : kZlibWindowBits);
  }

  void write(std::span<const uint8_t> src) override {
    checkOpen();
    while (!src.empty()) {
      const size_t piece = std::min(src.size(), kMaxZlibChunk);
      zs_->next_in = const_cast<Bytef*>(src.data());
      zs_->avail_in = static_cast<uInt>(piece);
      while (zs_->avail_in > 0) run(Z_NO_FLUSH);
      src = src.subspan(piece);
    }
  }

  void finish() override {
    checkOpen();
    zs_->next_in = nullptr;
    zs_->avail_in = 0;
    while (run(Z_FINISH) != Z_STREAM_END) {
    }
    endStream();
  }

 private:
  int run(int flush) {
    ensureSpare(1);
    const std::span<uint8_t> out = spare();
    const uInt room = static_cast<uInt>(std::min(out.size(), kMaxZlibChunk));
    zs_->next_out = out.data();
    zs_->avail_out = room;
    const int rc = deflate(zs_.get(), flush);
    commit(room - zs_->avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      throw Error(ErrorKind::Internal, "deflate failed (" + std::to_string(rc) + ")");
    return rc;
  }

  ZStream zs_;
};

}  // namespace

std::unique_ptr<InputStream> makeGzipDecoder(std::unique_ptr<InputStream> source) {
  return std::make_unique<ZlibDecoder>(std::move(source), true);
}
std::unique_ptr<InputStream> makeDeflateDecoder(std::unique_ptr<InputStream> source) {
  return std::make_unique<ZlibDecoder>(std::move(source), false);
}
std::unique_ptr<OutputSink> makeGzipEncoder(OutputSink& dest, int level) {
  return std::make_unique<ZlibEncoder>(dest, level, true);
}
std::unique_ptr<OutputSink> makeDeflateEncoder(OutputSink& dest, int level) {
  return std::make_unique<ZlibEncoder>(dest, level, false);
}

}  // namespace chc::compress::detail
