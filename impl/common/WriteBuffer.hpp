// Appends ClickHouse wire primitives to an in-memory byte vector.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace chc {

class WriteBuffer {
 public:
  void writeBytes(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + n);
  }
  void writeByte(uint8_t b) { bytes_.push_back(b); }
  template <class T>
  void writeLE(T v) {
    writeBytes(&v, sizeof v);
  }
  void writeVarUInt(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<uint8_t>(v));
  }
  void writeString(std::string_view s) {
    writeVarUInt(s.size());
    writeBytes(s.data(), s.size());
  }

  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace chc
