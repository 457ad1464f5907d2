// RAII owners for the compression libraries' contexts, shared by the HTTP content-encoding codecs
// and the ClickHouse compressed-block codec. Internal to impl/compress.
#pragma once

#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <string>

#include "common/Error.hpp"

namespace chc::compress::detail {

struct ZstdDCtxFree {
  void operator()(ZSTD_DCtx* p) const noexcept { ZSTD_freeDCtx(p); }
};
struct ZstdCCtxFree {
  void operator()(ZSTD_CCtx* p) const noexcept { ZSTD_freeCCtx(p); }
};
struct Lz4fDCtxFree {
  void operator()(LZ4F_dctx* p) const noexcept { LZ4F_freeDecompressionContext(p); }
};
struct Lz4fCCtxFree {
  void operator()(LZ4F_cctx* p) const noexcept { LZ4F_freeCompressionContext(p); }
};

using ZstdDCtx = std::unique_ptr<ZSTD_DCtx, ZstdDCtxFree>;
using ZstdCCtx = std::unique_ptr<ZSTD_CCtx, ZstdCCtxFree>;
using Lz4fDCtx = std::unique_ptr<LZ4F_dctx, Lz4fDCtxFree>;
using Lz4fCCtx = std::unique_ptr<LZ4F_cctx, Lz4fCCtxFree>;

inline ZstdDCtx newZstdDCtx() {
  ZstdDCtx ctx(ZSTD_createDCtx());
  if (!ctx) throw Error(ErrorKind::NoMemory, "cannot allocate a zstd decompression context");
  return ctx;
}

inline ZstdCCtx newZstdCCtx() {
  ZstdCCtx ctx(ZSTD_createCCtx());
  if (!ctx) throw Error(ErrorKind::NoMemory, "cannot allocate a zstd compression context");
  return ctx;
}

// Throws Internal for a failing zstd call that only our own bad parameters could cause.
inline size_t zstdCheck(size_t rc, const char* what) {
  if (ZSTD_isError(rc)) throw Error(ErrorKind::Internal, std::string(what) + ": " + ZSTD_getErrorName(rc));
  return rc;
}

// zlib's z_stream holds a pointer to its internal state, which points back at the z_stream, so the
// owner is neither copyable nor movable (it lives inside a heap-allocated codec object).
class ZStream {
 public:
  enum class Kind { Inflate, Deflate };
  ZStream() = default;
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;
  ~ZStream() {
    if (!active_) return;
    if (kind_ == Kind::Inflate)
      inflateEnd(&z_);
    else
      deflateEnd(&z_);
  }

  // window_bits as for inflateInit2: 15 zlib, -15 raw deflate, 31 gzip.
  void initInflate(int window_bits) {
    const int rc = inflateInit2(&z_, window_bits);
    if (rc != Z_OK) failInit(rc);
    active_ = true;
    kind_ = Kind::Inflate;
  }

  void initDeflate(int level, int window_bits) {
    const int rc = deflateInit2(&z_, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) failInit(rc);
    active_ = true;
    kind_ = Kind::Deflate;
  }

  bool active() const noexcept { return active_; }
  z_stream* get() noexcept { return &z_; }
  z_stream* operator->() noexcept { return &z_; }

 private:
  [[noreturn]] static void failInit(int rc) {
    if (rc == Z_MEM_ERROR) throw Error(ErrorKind::NoMemory, "cannot allocate a zlib stream");
    throw Error(ErrorKind::Internal, "zlib initialisation failed (" + std::to_string(rc) + ")");
  }

  z_stream z_{};
  bool active_ = false;
  Kind kind_ = Kind::Inflate;
};

}  // namespace chc::compress::detail
