// Every fixed-width family: integers of 8..256 bits, floats, BFloat16, Bool, Decimal, Date, Date32,
// DateTime, DateTime64, Time, Time64, UUID, IPv4, IPv6, Enum8/16, Interval, Nothing.
// In memory exactly the wire bytes: one little-endian value of fixedSize() bytes per row
// (UUID keeps ClickHouse's two little-endian halves, IPv6 network order).
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
  void clear() override { bytes_.clear(); }
  void appendDefault() override { bytes_.resize(bytes_.size() + width_, type().kind() == TypeKind::Nothing ? '0' : 0); }

  void appendInt64(int64_t value) override;
  void appendUInt64(uint64_t value) override;
  void appendDouble(double value) override;
  void appendString(std::string_view value) override;
  void appendFixed(std::span<const uint8_t> values) override;

 private:
  void pushBytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  // Appends an integer-valued row after checking the kind's range.
  void pushInteger(bool negative, uint64_t magnitude_or_bits);
  void pushDecimalText(std::string_view text);

  size_t width_;
  std::vector<uint8_t> bytes_;
};

}  // namespace chc
