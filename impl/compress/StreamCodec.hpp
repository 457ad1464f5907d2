// Internal building blocks shared by the HTTP content-encoding codecs: a decoder base that owns the
// input buffer and the pull loop, an encoder base that owns the output buffer, and the factories
// of each codec (defined in ZlibCodec.cpp, Lz4FrameCodec.cpp, ZstdCodec.cpp).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/ByteStream.hpp"

namespace chc::compress::detail {

// Pulls compressed input into a fixed buffer and runs the codec's decode step until the caller's
// buffer has data. Subclasses implement one step; the loop, refills, EOF and truncation live here.
class StreamDecoder : public InputStream {
 public:
  StreamDecoder(std::unique_ptr<InputStream> source, std::string name);
  size_t read(std::span<uint8_t> dst) final;

 protected:
  struct Step {
    size_t consumed;  // bytes of `in` used
    size_t produced;  // bytes written to `out`
  };
  // Decodes as much as possible of `in` into `out` (never empty). Returning {0, 0} means "cannot
  // progress without more input". Throws Error(Protocol) for corrupt data.
  virtual Step decode(std::span<const uint8_t> in, std::span<uint8_t> out) = 0;
  // True while the compressed stream is inside a member/frame, i.e. EOF now means truncation.
  virtual bool midStream() const = 0;
  // True once the source has reported end of stream (lets decode() decide on short input).
  bool sourceEnded() const noexcept { return eof_; }
  const std::string& name() const noexcept { return name_; }

 private:
  void refill();

  std::unique_ptr<InputStream> source_;
  std::string name_;
  std::vector<uint8_t> in_;
  size_t pos_ = 0;  // next unread byte of in_
  size_t len_ = 0;  // bytes of in_ filled
  bool eof_ = false;
};

// Accumulates compressed output in a fixed buffer and hands it to `dest` in large writes.
class BufferedEncoder : public OutputSink {
 protected:
  BufferedEncoder(OutputSink& dest, size_t out_capacity, std::string name);

  std::span<uint8_t> spare() noexcept { return {out_.data() + out_len_, out_.size() - out_len_}; }
  void commit(size_t n) noexcept { out_len_ += n; }
  void flushOut();
  // Flushes unless at least n bytes of spare room remain.
  void ensureSpare(size_t n) {
    if (out_.size() - out_len_ < n) flushOut();
  }
  void checkOpen() const;  // throws Error(State) after finish()
  // Flushes the buffer, marks the sink finished and finishes dest.
  void endStream();
  const std::string& name() const noexcept { return name_; }

 private:
  OutputSink& dest_;
  std::string name_;
  std::vector<uint8_t> out_;
  size_t out_len_ = 0;
  bool finished_ = false;
};

std::unique_ptr<InputStream> makeGzipDecoder(std::unique_ptr<InputStream> source);
std::unique_ptr<InputStream> makeDeflateDecoder(std::unique_ptr<InputStream> source);
std::unique_ptr<InputStream> makeLz4FrameDecoder(std::unique_ptr<InputStream> source);
std::unique_ptr<InputStream> makeZstdDecoder(std::unique_ptr<InputStream> source);

std::unique_ptr<OutputSink> makeGzipEncoder(OutputSink& dest, int level);
std::unique_ptr<OutputSink> makeDeflateEncoder(OutputSink& dest, int level);
std::unique_ptr<OutputSink> makeLz4FrameEncoder(OutputSink& dest, int level);
std::unique_ptr<OutputSink> makeZstdEncoder(OutputSink& dest, int level);

}  // namespace chc::compress::detail
