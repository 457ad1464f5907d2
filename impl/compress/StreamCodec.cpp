#include "compress/StreamCodec.hpp"

#include <cstring>

#include "common/Error.hpp"

namespace chc::compress::detail {

namespace {
// Large enough that one source read usually carries a whole transport chunk, small enough that a
// decoder per request costs little.
constexpr size_t kDecoderInputSize = 128 * 1024;
}  // namespace

StreamDecoder::StreamDecoder(std::unique_ptr<InputStream> source, std::string name)
    : source_(std::move(source)), name_(std::move(name)), in_(kDecoderInputSize) {
  if (!source_) throw Error(ErrorKind::InvalidArgument, name_ + " decoder needs a source stream");
}

size_t StreamDecoder::read(std::span<uint8_t> dst) {
  if (dst.empty()) return 0;
  size_t produced = 0;
  for (;;) {
    const Step step = decode({in_.data() + pos_, len_ - pos_}, dst.subspan(produced));
    pos_ += step.consumed;
    produced += step.produced;
    if (produced == dst.size()) return produced;
    if (step.consumed != 0 || step.produced != 0) continue;
    // No progress: the codec needs more input. Hand out what we have before blocking on the source.
    if (produced > 0) return produced;
    if (eof_) {
      if (midStream() || pos_ < len_) throwProtocol("truncated " + name_ + " stream");
      return 0;
    }
    refill();
  }
}

void StreamDecoder::refill() {
  if (pos_ == len_) {
    pos_ = len_ = 0;
  } else if (pos_ > 0) {
    // Keep the bytes the codec could not use yet (e.g. an incomplete header) in front.
    std::memmove(in_.data(), in_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  if (len_ == in_.size()) throw Error(ErrorKind::Internal, name_ + " decoder stalled with a full input buffer");
  const size_t n = source_->read({in_.data() + len_, in_.size() - len_});
  if (n == 0) eof_ = true;
  len_ += n;
}

BufferedEncoder::BufferedEncoder(OutputSink& dest, size_t out_capacity, std::string name)
    : dest_(dest), name_(std::move(name)), out_(out_capacity) {}

void BufferedEncoder::flushOut() {
  if (out_len_ == 0) return;
  dest_.write({out_.data(), out_len_});
  out_len_ = 0;
}

void BufferedEncoder::checkOpen() const {
  if (finished_) throw Error(ErrorKind::InvalidState, name_ + " encoder used after finish()");
}

void BufferedEncoder::endStream() {
  flushOut();
  finished_ = true;
  dest_.finish();
}

}  // namespace chc::compress::detail
