// Byte stream interfaces shared by transport, compression and the Native codec.
// Pull model for input (the caller pulls a block; the block pulls bytes; the transport pulls from
// the socket), push model for output. Both are single-threaded objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace chc {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads at least 1 and at most dst.size() bytes into dst; returns 0 only at end of stream.
  // Blocks until data is available. Throws chc::Error on failure.
  virtual size_t read(std::span<uint8_t> dst) = 0;
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Consumes all of src. Throws chc::Error on failure.
  virtual void write(std::span<const uint8_t> src) = 0;
  // Flushes whatever the sink buffers (e.g. a pending compression frame) and ends the stream.
  // No write() may follow.
  virtual void finish() {}
};

// Input over a caller-owned memory range.
class MemoryInputStream final : public InputStream {
 public:
  explicit MemoryInputStream(std::span<const uint8_t> data) : data_(data) {}
  size_t read(std::span<uint8_t> dst) override;

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace chc
