#include "compress/NativeBlockCodec.hpp"

#include <lz4.h>
#include <lz4hc.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "common/Error.hpp"
#include "compress/CodecHandles.hpp"

namespace chc::compress {
namespace {

constexpr size_t kFrameHeadSize = kBlockChecksumSize + kBlockHeaderSize;  // 25
constexpr size_t kMethodOffset = kBlockChecksumSize;
// First allocation for a frame's compressed bytes; later growth doubles with what has arrived.
constexpr size_t kInitialFrameBuffer = 256 * 1024;
constexpr size_t kMaxEncoderFrameSize = size_t{512} << 20;
// LZ4 expands at most 255:1 (a 255-valued length byte per 255 output bytes); bigger claims are lies.
constexpr uint64_t kLz4MaxRatio = 255;
constexpr uint64_t kLz4RatioSlack = 64;

uint32_t loadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}
uint64_t loadLe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
void storeLe32(uint8_t* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof v);
}
void storeLe64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

std::string hex128(Hash128 h) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.low),
                static_cast<unsigned long long>(h.high));
  return buf;
}

std::string methodHex(uint8_t method) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", method);
  return buf;
}

class NativeBlockDecoder final : public InputStream {
 public:
  explicit NativeBlockDecoder(std::unique_ptr<InputStream> source) : source_(std::move(source)) {
    if (!source_) throwInvalid("makeNativeBlockDecoder needs a source stream");
  }

  size_t read(std::span<uint8_t> dst) override {
    if (dst.empty()) return 0;
    while (pending_.empty()) {
      if (done_) return 0;
      if (!readFrame()) {
        done_ = true;
        return 0;
      }
      // Decode straight into the caller's buffer when the whole frame fits: saves a copy.
      if (usize_ <= dst.size()) {
        decodeInto(dst.data());
        if (usize_ > 0) return usize_;
        continue;  // an empty frame carries nothing; go on with the next one
      }
      if (method_ == static_cast<uint8_t>(BlockMethod::None)) {
        pending_ = payload();  // serve stored bytes in place
      } else {
        if (out_.size() < usize_) out_.resize(usize_);
        decodeInto(out_.data());
        pending_ = {out_.data(), usize_};
      }
    }
    const size_t n = std::min(dst.size(), pending_.size());
    std::memcpy(dst.data(), pending_.data(), n);
    pending_ = pending_.subspan(n);
    return n;
  }

 private:
  std::span<const uint8_t> payload() const { return {frame_.data() + kBlockHeaderSize, csize_ - kBlockHeaderSize}; }

  // Reads until `dst` is full or the source ends; returns the bytes read. Never asks an ended
  // source again (a socket-backed stream may not tolerate it).
  size_t readUpTo(std::span<uint8_t> dst) {
    size_t got = 0;
    while (got < dst.size() && !source_eof_) {
      const size_t n = source_->read(dst.subspan(got));
      if (n == 0) source_eof_ = true;
      got += n;
    }
    return got;
  }

  // Reads, validates and checksums the next frame into frame_. Returns false at a clean end.
  bool readFrame() {
    uint8_t head[kFrameHeadSize];
    const size_t got = readUpTo(head);
    if (got == 0) return false;
    if (got < kFrameHeadSize)
      throwProtocol("truncated compressed block: header has " + std::to_string(got) + " of 25 bytes");
    const Hash128 expected{loadLe64(head), loadLe64(head + 8)};
    method_ = head[kMethodOffset];
    const uint32_t csize = loadLe32(head + kMethodOffset + 1);
    const uint32_t usize = loadLe32(head + kMethodOffset + 5);
    if (csize < kBlockHeaderSize)
      throwProtocol("compressed block size " + std::to_string(csize) + " is smaller than its 9-byte header");
    if (csize > kMaxCompressedBlockSize)
      throwProtocol("compressed block size " + std::to_string(csize) + " exceeds the 1 GiB limit");
    if (usize > kMaxUncompressedBlockSize)
      throwProtocol("uncompressed block size " + std::to_string(usize) + " exceeds the 1 GiB limit");
    csize_ = csize;
    usize_ = usize;

    if (frame_.size() < kBlockHeaderSize) frame_.resize(kBlockHeaderSize);
    std::memcpy(frame_.data(), head + kMethodOffset, kBlockHeaderSize);
    size_t have = kBlockHeaderSize;
    while (have < csize_) {
      // Grow with the data that actually arrived, not with what the header claims.
      const size_t target = std::min(csize_, std::max(have * 2, kInitialFrameBuffer));
      if (frame_.size() < target) frame_.resize(target);
      have += readUpTo({frame_.data() + have, std::min(frame_.size(), csize_) - have});
      if (source_eof_) break;
    }
    if (have < csize_)
      throwProtocol("truncated compressed block: got " + std::to_string(have) + " of " + std::to_string(csize_) +
                    " bytes after the checksum");

    const Hash128 actual = cityHash128(frame_.data(), csize_);
    if (actual != expected)
      throwProtocol("checksum mismatch in compressed block (frame says " + hex128(expected) + ", data hashes to " +
                    hex128(actual) + ")");

    const size_t payload_size = csize_ - kBlockHeaderSize;
    switch (method_) {
      case static_cast<uint8_t>(BlockMethod::None):
        if (payload_size != usize_)
          throwProtocol("uncompressed block holds " + std::to_string(payload_size) + " bytes but says " +
                        std::to_string(usize_));
        break;
      case static_cast<uint8_t>(BlockMethod::Lz4):
        if (usize_ > payload_size * kLz4MaxRatio + kLz4RatioSlack)
          throwProtocol("LZ4 block of " + std::to_string(payload_size) + " bytes cannot expand to " +
                        std::to_string(usize_));
        break;
      case static_cast<uint8_t>(BlockMethod::Zstd): break;
      default: throwUnsupported("unsupported compression method " + methodHex(method_) + " in compressed block");
    }
    return true;
  }

  // Decodes the current frame's payload into dst, which has room for exactly usize_ bytes.
  void decodeInto(uint8_t* dst) {
    const std::span<const uint8_t> src = payload();
    uint8_t dummy = 0;
    if (usize_ == 0) dst = &dummy;  // the codecs want a valid pointer even for empty output
    switch (method_) {
      case static_cast<uint8_t>(BlockMethod::None):
        if (usize_ > 0) std::memcpy(dst, src.data(), usize_);
        return;
      case static_cast<uint8_t>(BlockMethod::Lz4): {
        const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(src.data()), reinterpret_cast<char*>(dst),
                                          static_cast<int>(src.size()), static_cast<int>(usize_));
        if (n < 0 || static_cast<size_t>(n) != usize_)
          throwProtocol("corrupt LZ4 data in compressed block (" +
                        (n < 0 ? std::string("invalid sequence") : "decoded " + std::to_string(n) + " bytes") +
                        ", expected " + std::to_string(usize_) + ")");
        return;
      }
      case static_cast<uint8_t>(BlockMethod::Zstd): {
        if (!zstd_) zstd_ = detail::newZstdDCtx();
        const size_t n = ZSTD_decompressDCtx(zstd_.get(), dst, usize_, src.data(), src.size());
        if (ZSTD_isError(n))
          throwProtocol(std::string("corrupt zstd data in compressed block: ") + ZSTD_getErrorName(n));
        if (n != usize_)
          throwProtocol("zstd data in compressed block decoded to " + std::to_string(n) + " bytes, expected " +
                        std::to_string(usize_));
        return;
      }
      default: throw Error(ErrorKind::Internal, "unvalidated compression method reached the decoder");
    }
  }

  std::unique_ptr<InputStream> source_;
  std::vector<uint8_t> frame_;        // method, sizes and payload of the current frame (checksummed bytes)
  std::vector<uint8_t> out_;          // decoded payload when it does not fit the caller's buffer
  std::span<const uint8_t> pending_;  // decoded bytes not yet handed out
  detail::ZstdDCtx zstd_;             // created on the first zstd frame
  size_t csize_ = 0;
  size_t usize_ = 0;
  uint8_t method_ = 0;
  bool source_eof_ = false;
  bool done_ = false;
};

class NativeBlockEncoder final : public OutputSink {
 public:
  NativeBlockEncoder(BlockMethod method, OutputSink& dest, size_t frame_size, int level)
      : dest_(dest), method_(method), frame_size_(frame_size), level_(level) {
    if (frame_size == 0 || frame_size > kMaxEncoderFrameSize)
      throwInvalid("compressed block frame size must be 1.." + std::to_string(kMaxEncoderFrameSize) + " bytes, got " +
                   std::to_string(frame_size));
    switch (method) {
      case BlockMethod::None: break;
      case BlockMethod::Lz4:
        if (level < -1 || level > LZ4HC_CLEVEL_MAX)
          throwInvalid("LZ4 block level must be -1 or 0.." + std::to_string(LZ4HC_CLEVEL_MAX) + ", got " +
                       std::to_string(level));
        break;
      case BlockMethod::Zstd:
        if (level != -1 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()))
          throwInvalid("zstd block level must be -1 or " + std::to_string(ZSTD_minCLevel()) + ".." +
                       std::to_string(ZSTD_maxCLevel()) + ", got " + std::to_string(level));
        if (level_ == -1) level_ = ZSTD_CLEVEL_DEFAULT;
        zstd_ = detail::newZstdCCtx();
        break;
      default: throwInvalid("unknown compressed block method " + methodHex(static_cast<uint8_t>(method)));
    }
  }

  void write(std::span<const uint8_t> src) override {
    checkOpen();
    while (!src.empty()) {
      // Whole frames straight from the caller's buffer avoid a copy.
      if (pending_.empty() && src.size() >= frame_size_) {
        emit(src.first(frame_size_));
        src = src.subspan(frame_size_);
        continue;
      }
      const size_t take = std::min(src.size(), frame_size_ - pending_.size());
      pending_.insert(pending_.end(), src.begin(), src.begin() + static_cast<ptrdiff_t>(take));
      src = src.subspan(take);
      if (pending_.size() == frame_size_) {
        emit(pending_);
        pending_.clear();
      }
    }
  }

  void finish() override {
    checkOpen();
    if (!pending_.empty()) emit(pending_);
    pending_.clear();
    finished_ = true;
    dest_.finish();
  }

 private:
  void checkOpen() const {
    if (finished_) throw Error(ErrorKind::InvalidState, "compressed block encoder used after finish()");
  }

  void emit(std::span<const uint8_t> data) {
    size_t bound = data.size();
    if (method_ == BlockMethod::Lz4) bound = static_cast<size_t>(LZ4_compressBound(static_cast<int>(data.size())));
    if (method_ == BlockMethod::Zstd) bound = ZSTD_compressBound(data.size());
    if (frame_.size() < kFrameHeadSize + bound) frame_.resize(kFrameHeadSize + bound);
    uint8_t* const out = frame_.data() + kFrameHeadSize;

    size_t clen = 0;
    switch (method_) {
      case BlockMethod::None:
        std::memcpy(out, data.data(), data.size());
        clen = data.size();
        break;
      case BlockMethod::Lz4: {
        const char* in = reinterpret_cast<const char*>(data.data());
        const int n = level_ < 3 ? LZ4_compress_default(in, reinterpret_cast<char*>(out), static_cast<int>(data.size()),
                                                        static_cast<int>(bound))
                                 : LZ4_compress_HC(in, reinterpret_cast<char*>(out), static_cast<int>(data.size()),
                                                   static_cast<int>(bound), level_);
        if (n <= 0) throw Error(ErrorKind::Internal, "LZ4 block compression failed");
        clen = static_cast<size_t>(n);
        break;
      }
      case BlockMethod::Zstd:
        clen = detail::zstdCheck(ZSTD_compressCCtx(zstd_.get(), out, bound, data.data(), data.size(), level_),
                                 "zstd block compression");
        break;
    }

    uint8_t* const head = frame_.data();
    head[kMethodOffset] = static_cast<uint8_t>(method_);
    storeLe32(head + kMethodOffset + 1, static_cast<uint32_t>(clen + kBlockHeaderSize));
    storeLe32(head + kMethodOffset + 5, static_cast<uint32_t>(data.size()));
    const Hash128 h = cityHash128(head + kMethodOffset, clen + kBlockHeaderSize);
    storeLe64(head, h.low);
    storeLe64(head + 8, h.high);
    dest_.write({head, kFrameHeadSize + clen});
  }

  OutputSink& dest_;
  const BlockMethod method_;
  const size_t frame_size_;
  int level_;
  std::vector<uint8_t> pending_;  // input of the frame being filled
  std::vector<uint8_t> frame_;    // the frame being written (reused)
  detail::ZstdCCtx zstd_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<InputStream> makeNativeBlockDecoder(std::unique_ptr<InputStream> source) {
  return std::make_unique<NativeBlockDecoder>(std::move(source));
}

std::unique_ptr<OutputSink> makeNativeBlockEncoder(BlockMethod method, OutputSink& dest, size_t frame_size, int level) {
  return std::make_unique<NativeBlockEncoder>(method, dest, frame_size, level);
}

}  // namespace chc::compress
