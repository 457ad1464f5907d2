// Numbers, Date and DateTime: one little-endian value of fixedSize() bytes per row.
#pragma once

#include "types/Column.hpp"

namespace chc {

class FixedWidthColumn final : public Column {
 public:
  explicit FixedWidthColumn(TypePtr type);

  size_t size() const override { return bytes_.size() / width_; }
  void readData(ReadBuffer& in, size_t rows) override { readFixedBytes(in, bytes_, rows, width_); }
  void writeData(WriteBuffer& out) const override { out.writeBytes(bytes_.data(), bytes_.size()); }
  std::span<const uint8_t> data() const override { return bytes_; }

  void appendInt64(int64_t value) override;
  void appendUInt64(uint64_t value) override;
  void appendDouble(double value) override;

 private:
  template <class T>
  void push(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof v);
  }
  void pushInteger(int64_t value, bool negative_as_unsigned_overflow, uint64_t as_unsigned);

  size_t width_;
  std::vector<uint8_t> bytes_;
};

}  // namespace chc
