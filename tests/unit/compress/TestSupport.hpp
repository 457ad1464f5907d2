// Helpers shared by the compression tests: inputs that cut data into awkward chunks, test data,
// and an error-expectation macro. Include before <cmocka.h> (its fail() macro breaks C++ headers).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "common/VectorSink.hpp"

namespace chc_test {

using Bytes = std::vector<uint8_t>;

// Serves a copy of `data` in chunks of 1..max_chunk bytes (max_chunk 1 = one byte per read);
// sizes are random with a fixed seed. Fails the test if read after it reported end of stream
// more than once (a decoder that keeps polling a finished source would hang on a real socket).
class ChunkedInput final : public chc::InputStream {
 public:
  ChunkedInput(std::span<const uint8_t> data, size_t max_chunk, uint32_t seed = 1)
      : data_(data.begin(), data.end()), max_chunk_(max_chunk), rng_(seed) {}
  size_t read(std::span<uint8_t> dst) override {
    if (pos_ == data_.size()) {
      if (++eof_reads_ > 1) throw chc::Error(chc::ErrorKind::Internal, "source read again after end of stream");
      return 0;
    }
    size_t n = max_chunk_ <= 1 ? 1 : std::uniform_int_distribution<size_t>(1, max_chunk_)(rng_);
    n = std::min({n, dst.size(), data_.size() - pos_});
    std::memcpy(dst.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  size_t consumed() const { return pos_; }

 private:
  Bytes data_;
  size_t pos_ = 0;
  size_t max_chunk_;
  std::mt19937 rng_;
  int eof_reads_ = 0;
};

// Serves `data`, then throws a Network error instead of reporting end of stream: models a
// connection that drops after some bytes.
class DroppingInput final : public chc::InputStream {
 public:
  explicit DroppingInput(std::span<const uint8_t> data) : data_(data.begin(), data.end()) {}
  size_t read(std::span<uint8_t> dst) override {
    if (pos_ == data_.size()) throw chc::Error(chc::ErrorKind::Network, "connection dropped");
    const size_t n = std::min(dst.size(), data_.size() - pos_);
    std::memcpy(dst.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  Bytes data_;
  size_t pos_ = 0;
};

inline std::unique_ptr<chc::InputStream> chunked(std::span<const uint8_t> data, size_t max_chunk, uint32_t seed = 1) {
  return std::make_unique<ChunkedInput>(data, max_chunk, seed);
}

inline std::unique_ptr<chc::InputStream> memory(std::span<const uint8_t> data) {
  return chunked(data, size_t(1) << 40);
}

// Reads `in` to the end with read sizes 1..max_read (random, fixed seed; 1 = one byte per call).
inline Bytes readAll(chc::InputStream& in, size_t max_read = 1 << 17, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  Bytes out;
  Bytes buf(max_read);
  for (;;) {
    const size_t want = max_read <= 1 ? 1 : std::uniform_int_distribution<size_t>(1, max_read)(rng);
    const size_t n = in.read({buf.data(), want});
    if (n == 0) break;
    if (n > want) throw chc::Error(chc::ErrorKind::Internal, "read returned more than asked");
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  }
  return out;
}

inline Bytes randomBytes(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < n; ++i) out[i] = static_cast<uint8_t>(rng());
  return out;
}

// Text-like data: words from a small vocabulary plus some numbers, compresses about 3-5x.
inline Bytes compressibleBytes(size_t n, uint32_t seed) {
  static const char* const kWords[] = {"SELECT", "count", "FROM",   "system.numbers", "WHERE",
                                       "number", "%",     "LIMIT",  "ClickHouse",     "Native",
                                       "\n",     "\t",    "UInt64", "String"};
  std::mt19937 rng(seed);
  Bytes out;
  out.reserve(n + 32);
  while (out.size() < n) {
    if (rng() % 4 == 0) {
      const std::string num = std::to_string(rng() % 100000);
      out.insert(out.end(), num.begin(), num.end());
    } else {
      const char* w = kWords[rng() % (sizeof kWords / sizeof kWords[0])];
      out.insert(out.end(), w, w + std::strlen(w));
    }
    out.push_back(' ');
  }
  out.resize(n);
  return out;
}

inline Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// An OutputSink that records whether finish() reached it.
class RecordingSink final : public chc::OutputSink {
 public:
  void write(std::span<const uint8_t> src) override {
    if (finished) throw chc::Error(chc::ErrorKind::Internal, "write after finish reached the destination");
    bytes.insert(bytes.end(), src.begin(), src.end());
    ++writes;
  }
  void finish() override {
    ++finishes;
    finished = true;
  }
  Bytes bytes;
  int writes = 0;
  int finishes = 0;
  bool finished = false;
};

struct Caught {
  bool thrown = false;
  bool foreign = false;  // something other than chc::Error escaped
  chc::ErrorKind kind{};
  std::string message;
};

template <class F>
Caught catchError(F&& f) {
  Caught c;
  try {
    f();
  } catch (const chc::Error& e) {
    c.thrown = true;
    c.kind = e.kind();
    c.message = e.what();
  } catch (const std::exception& e) {
    c.thrown = true;
    c.foreign = true;
    c.message = e.what();
  }
  return c;
}

}  // namespace chc_test

// Runs `stmt`, requires a chc::Error of `expected_kind` whose message contains `needle`.
// (Checks happen outside the catch block: cmocka's failure longjmp must not leave a handler.)
#define EXPECT_CHC_ERROR(expected_kind, needle, stmt)                                                              \
  do {                                                                                                             \
    const chc_test::Caught caught_ = chc_test::catchError([&] { stmt; });                                          \
    if (!caught_.thrown) fail_msg("expected an error from: %s", #stmt);                                            \
    if (caught_.foreign) fail_msg("non-chc exception from %s: %s", #stmt, caught_.message.c_str());                \
    if (caught_.kind != (expected_kind))                                                                           \
      fail_msg("wrong error kind %d from %s: %s", static_cast<int>(caught_.kind), #stmt, caught_.message.c_str()); \
    if (caught_.message.find(needle) == std::string::npos)                                                         \
      fail_msg("error message \"%s\" lacks \"%s\"", caught_.message.c_str(), needle);                              \
  } while (0)
