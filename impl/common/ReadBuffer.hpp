// Buffered, bounds-checked reading of ClickHouse wire primitives from an InputStream.
// Every read either delivers all requested bytes or throws Error(Protocol): a truncated stream
// can never be mistaken for a complete one.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"

namespace chc {

class ReadBuffer {
 public:
  explicit ReadBuffer(InputStream& in, size_t capacity = 256 * 1024) : in_(in), buf_(capacity) {}

  // True when the stream has no more bytes (may pull from the stream to find out).
  bool eof() { return pos_ == end_ && !refill(); }

  void readExact(void* dst, size_t n) {
    auto* out = static_cast<uint8_t*>(dst);
    while (n > 0) {
      if (pos_ == end_ && !refill()) throwProtocol("unexpected end of data (truncated Native stream)");
      size_t k = std::min(n, end_ - pos_);
      std::memcpy(out, buf_.data() + pos_, k);
      pos_ += k;
      out += k;
      n -= k;
    }
  }

  uint8_t readByte() {
    if (pos_ == end_ && !refill()) throwProtocol("unexpected end of data (truncated Native stream)");
    return buf_[pos_++];
  }

  template <class T>
  T readLE() {
    T v;
    readExact(&v, sizeof v);  // x86-64 and aarch64 are little-endian, as is the wire
    return v;
  }

  // Unsigned LEB128 of at most 10 bytes (the spec's VarUInt).
  uint64_t readVarUInt() {
    if (end_ - pos_ >= 10) {  // fast path: the whole encoding is buffered
      uint64_t v = 0;
      for (int i = 0; i < 10; ++i) {
        uint8_t b = buf_[pos_++];
        v |= uint64_t(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) return checkVarUInt(v, i, b);
      }
      throwProtocol("VarUInt longer than 10 bytes");
    }
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      uint8_t b = readByte();
      v |= uint64_t(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return checkVarUInt(v, i, b);
    }
    throwProtocol("VarUInt longer than 10 bytes");
  }

  // A length-prefixed string of at most max_len bytes.
  std::string readString(size_t max_len) {
    uint64_t len = readVarUInt();
    if (len > max_len)
      throwProtocol("string length " + std::to_string(len) + " exceeds the limit of " + std::to_string(max_len));
    std::string s(len, '\0');
    readExact(s.data(), len);
    return s;
  }

  // Appends n bytes to `out`, growing it only as bytes actually arrive (so a corrupt huge length
  // costs memory only up to the size of the real stream).
  void appendBytes(std::vector<uint8_t>& out, size_t n) {
    while (n > 0) {
      if (pos_ == end_ && !refill()) throwProtocol("unexpected end of data (truncated Native stream)");
      size_t k = std::min(n, end_ - pos_);
      out.insert(out.end(), buf_.data() + pos_, buf_.data() + pos_ + k);
      pos_ += k;
      n -= k;
    }
  }

  // Up to `limit` bytes before the current position that are still buffered, plus up to `limit`
  // bytes not read yet: the text a server appends when it fails mid-stream.
  std::string diagnosticWindow(size_t limit) {
    size_t from = pos_ > limit ? pos_ - limit : 0;
    std::string text = from == 0 ? history_ : std::string();
    text.append(reinterpret_cast<const char*>(buf_.data() + from), end_ - from);
    try {
      while (text.size() < 2 * limit) {
        uint8_t tmp[4096];
        size_t n = in_.read(std::span<uint8_t>(tmp, sizeof tmp));
        if (n == 0) break;
        text.append(reinterpret_cast<const char*>(tmp), n);
      }
    } catch (const Error&) {
      // the stream itself failed: keep what we have
    }
    pos_ = end_ = 0;
    return text;
  }

 private:
  static uint64_t checkVarUInt(uint64_t v, int i, uint8_t last) {
    if (i == 9 && last > 1) throwProtocol("VarUInt overflows 64 bits");
    return v;
  }

  bool refill() {
    // Keep the last kHistory bytes consumed, across any number of refills: a server's mid-stream
    // error text may straddle reads of any size.
    if (end_ >= kHistory) {
      history_.assign(reinterpret_cast<const char*>(buf_.data() + end_ - kHistory), kHistory);
    } else {
      history_.append(reinterpret_cast<const char*>(buf_.data()), end_);
      if (history_.size() > kHistory) history_.erase(0, history_.size() - kHistory);
    }
    pos_ = 0;
    end_ = in_.read(std::span<uint8_t>(buf_.data(), buf_.size()));
    return end_ > 0;
  }

  static constexpr size_t kHistory = 16 * 1024;

  InputStream& in_;
  std::vector<uint8_t> buf_;
  std::string history_;
  size_t pos_ = 0;
  size_t end_ = 0;
};

}  // namespace chc
