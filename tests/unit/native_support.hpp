// Helpers for the type and Native codec tests: hex/byte builders, inputs that cut a stream into
// awkward chunks, block comparison, and error expectations.
// Include before <cmocka.h> (its fail() macro breaks C++ headers included after it).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "native/Block.hpp"
#include "native/NativeBlockReader.hpp"
#include "native/NativeBlockWriter.hpp"
#include "types/Column.hpp"
#include "types/TypeFactory.hpp"

namespace native_test {

using Bytes = std::vector<uint8_t>;

// Builds bytes from a readable spec: hex byte pairs separated by spaces; "quoted" ASCII text is
// emitted as a String (one length byte, then the bytes); `backquoted` text is emitted raw, for
// copying the spec's notation `10 "Nullable(String)"` where the length byte is written out.
inline Bytes hex(std::string_view spec) {
  Bytes out;
  size_t i = 0;
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (i < spec.size()) {
    char c = spec[i];
    if (c == ' ' || c == '\n' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '"' || c == '`') {
      size_t end = spec.find(c, i + 1);
      std::string_view text = spec.substr(i + 1, end - i - 1);
      if (c == '"') out.push_back(static_cast<uint8_t>(text.size()));  // all spec names are < 128 bytes
      out.insert(out.end(), text.begin(), text.end());
      i = end + 1;
      continue;
    }
    int hi = hexval(c), lo = i + 1 < spec.size() ? hexval(spec[i + 1]) : -1;
    if (hi < 0 || lo < 0) throw std::runtime_error("bad hex spec at " + std::to_string(i));
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes le64(uint64_t v) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
  return out;
}

inline Bytes varuint(uint64_t v) {
  Bytes out;
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
  return out;
}

inline Bytes str(std::string_view s) {
  Bytes out = varuint(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline std::string toHex(std::span<const uint8_t> b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i) s.push_back(' ');
    s.push_back(digits[b[i] >> 4]);
    s.push_back(digits[b[i] & 15]);
  }
  return s;
}

// Serves a copy of `data` in reads of 1..max_chunk bytes (max_chunk 1 = one byte per read; sizes
// random with a fixed seed), or following an explicit script of chunk sizes.
class ChunkedInput final : public chc::InputStream {
 public:
  ChunkedInput(std::span<const uint8_t> data, size_t max_chunk, uint32_t seed = 1)
      : data_(data.begin(), data.end()), max_chunk_(max_chunk), rng_(seed) {}
  ChunkedInput(std::span<const uint8_t> data, std::vector<size_t> script)
      : data_(data.begin(), data.end()), max_chunk_(0), rng_(1), script_(std::move(script)) {}

  size_t read(std::span<uint8_t> dst) override {
    ++reads_;
    if (pos_ == data_.size()) return 0;
    size_t n;
    if (!script_.empty() || max_chunk_ == 0) {
      n = step_ < script_.size() ? script_[step_++] : data_.size();
    } else {
      n = max_chunk_ <= 1 ? 1 : std::uniform_int_distribution<size_t>(1, max_chunk_)(rng_);
    }
    n = std::max<size_t>(1, std::min({n, dst.size(), data_.size() - pos_}));
    std::memcpy(dst.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  size_t reads() const { return reads_; }

 private:
  Bytes data_;
  size_t pos_ = 0;
  size_t max_chunk_;
  std::mt19937 rng_;
  std::vector<size_t> script_;
  size_t step_ = 0;
  size_t reads_ = 0;
};

// Serves `data`, then fails with a Network error instead of reporting end of stream.
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

// All blocks of a stream; throws whatever the reader throws.
inline std::vector<chc::Block> readAllBlocks(chc::InputStream& in) {
  chc::NativeBlockReader reader(in);
  std::vector<chc::Block> blocks;
  while (auto b = reader.next()) blocks.push_back(std::move(*b));
  return blocks;
}

inline std::vector<chc::Block> readAllBlocks(const Bytes& bytes) {
  chc::MemoryInputStream in(bytes);
  return readAllBlocks(in);
}

inline Bytes encode(const chc::Block& block) {
  Bytes out;
  chc::writeNativeBlock(block, out);
  return out;
}

inline Bytes encodeAll(const std::vector<chc::Block>& blocks) {
  Bytes out;
  for (const chc::Block& b : blocks) chc::writeNativeBlock(b, out);
  return out;
}

// A block under construction: add columns by type name, then fill them with the builders.
struct BlockBuilder {
  chc::Block block;
  chc::Column& add(const std::string& name, std::string_view type) {
    block.names.push_back(name);
    block.columns.push_back(chc::makeColumn(chc::makeType(type)));
    return *block.columns.back();
  }
  chc::Column& get(const std::string& name) {
    for (size_t i = 0; i < block.names.size(); ++i)
      if (block.names[i] == name) return *block.columns[i];
    throw std::runtime_error("no column " + name);
  }
  chc::Block take(size_t rows) {
    block.rows = rows;
    return std::move(block);
  }
};

// Structural equality of two columns through their public buffers (recursive), as a description
// of the first difference, or "" when equal.
inline std::string diffColumns(const chc::Column& a, const chc::Column& b, const std::string& path) {
  if (a.type().name() != b.type().name()) return path + ": type " + a.type().name() + " vs " + b.type().name();
  if (a.size() != b.size()) return path + ": size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  auto da = a.data(), db = b.data();
  if (da.size() != db.size() || !std::equal(da.begin(), da.end(), db.begin())) return path + ": data differs";
  auto oa = a.offsets(), ob = b.offsets();
  if (oa.size() != ob.size() || !std::equal(oa.begin(), oa.end(), ob.begin())) return path + ": offsets differ";
  if (a.size() && (a.nullMap() == nullptr) != (b.nullMap() == nullptr)) return path + ": null map presence differs";
  if (a.nullMap() && a.size() && std::memcmp(a.nullMap(), b.nullMap(), a.size()) != 0)
    return path + ": null map differs";
  if (a.childCount() != b.childCount()) return path + ": child count differs";
  for (size_t i = 0; i < a.childCount(); ++i) {
    std::string d = diffColumns(*a.child(i), *b.child(i), path + "/" + std::to_string(i));
    if (!d.empty()) return d;
  }
  return {};
}

inline std::string diffBlocks(const chc::Block& a, const chc::Block& b) {
  if (a.rows != b.rows) return "rows " + std::to_string(a.rows) + " vs " + std::to_string(b.rows);
  if (a.names != b.names) return "names differ";
  if (a.columns.size() != b.columns.size()) return "column count differs";
  for (size_t i = 0; i < a.columns.size(); ++i) {
    std::string d = diffColumns(*a.columns[i], *b.columns[i], a.names[i]);
    if (!d.empty()) return d;
  }
  return {};
}

inline std::string diffBlockLists(const std::vector<chc::Block>& a, const std::vector<chc::Block>& b) {
  if (a.size() != b.size()) return "block count " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    std::string d = diffBlocks(a[i], b[i]);
    if (!d.empty()) return "block " + std::to_string(i) + ": " + d;
  }
  return {};
}

// What a call threw: kind and message of a chc::Error, or a marker for anything else.
struct Outcome {
  bool threw = false;
  bool chc_error = false;
  bool decode_error = false;  // a NativeDecodeError
  chc::ErrorKind kind = chc::ErrorKind::Internal;
  std::string message;
  std::string window;
};

inline Outcome capture(const std::function<void()>& f) {
  Outcome o;
  try {
    f();
  } catch (const chc::NativeDecodeError& e) {
    o.threw = o.chc_error = o.decode_error = true;
    o.kind = e.kind();
    o.message = e.what();
    o.window = e.window();
  } catch (const chc::Error& e) {
    o.threw = o.chc_error = true;
    o.kind = e.kind();
    o.message = e.what();
  } catch (const std::exception& e) {
    o.threw = true;
    o.message = std::string("non-chc exception: ") + e.what();
  } catch (...) {
    o.threw = true;
    o.message = "unknown exception";
  }
  return o;
}

inline const char* kindName(chc::ErrorKind k) {
  switch (k) {
    case chc::ErrorKind::InvalidArgument: return "InvalidArgument";
    case chc::ErrorKind::InvalidState: return "InvalidState";
    case chc::ErrorKind::NotFound: return "NotFound";
    case chc::ErrorKind::Unsupported: return "Unsupported";
    case chc::ErrorKind::NoMemory: return "NoMemory";
    case chc::ErrorKind::Network: return "Network";
    case chc::ErrorKind::Tls: return "Tls";
    case chc::ErrorKind::Timeout: return "Timeout";
    case chc::ErrorKind::Cancelled: return "Cancelled";
    case chc::ErrorKind::Auth: return "Auth";
    case chc::ErrorKind::Server: return "Server";
    case chc::ErrorKind::Protocol: return "Protocol";
    case chc::ErrorKind::Type: return "Type";
    case chc::ErrorKind::Internal: return "Internal";
  }
  return "?";
}

}  // namespace native_test

// Asserts that `expr` throws chc::Error of `kind` whose message contains `needle` ("" = any).
// Prints what happened instead when it does not.
#define EXPECT_CHC_KIND(kind_, needle_, expr_)                                                                     \
  do {                                                                                                             \
    native_test::Outcome o_ = native_test::capture([&] { (void)(expr_); });                                        \
    if (!o_.threw) {                                                                                               \
      print_error("expected %s from `%s`, nothing was thrown\n", native_test::kindName(kind_), #expr_);            \
      fail();                                                                                                      \
    }                                                                                                              \
    if (!o_.chc_error || o_.kind != (kind_)) {                                                                     \
      print_error("expected %s from `%s`, got %s: %s\n", native_test::kindName(kind_), #expr_,                     \
                  o_.chc_error ? native_test::kindName(o_.kind) : "-", o_.message.c_str());                        \
      fail();                                                                                                      \
    }                                                                                                              \
    if (std::string_view(needle_).size() && o_.message.find(needle_) == std::string::npos) {                       \
      print_error("message of `%s` lacks \"%s\": %s\n", #expr_, std::string(needle_).c_str(), o_.message.c_str()); \
      fail();                                                                                                      \
    }                                                                                                              \
  } while (0)
