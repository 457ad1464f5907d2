// FixedString(N): N raw bytes per row, zero-padded on the right.
#pragma once

#include "types/Column.hpp"

namespace chc {

class FixedStringColumn final : public Column {
 public:
  explicit FixedStringColumn(TypePtr type) : Column(std::move(type)), n_(this->type().fixedSize()) {}

  size_t size() const override { return bytes_.size() / n_; }
  void readData(ReadBuffer& in, size_t rows) override { readFixedBytes(in, bytes_, rows, n_); }
  void writeData(WriteBuffer& out) const override { out.writeBytes(bytes_.data(), bytes_.size()); }
  std::span<const uint8_t> data() const override { return bytes_; }
  void appendString(std::string_view value) override;
  void appendFixed(std::span<const uint8_t> values) override;
  void appendDefault() override { bytes_.resize(bytes_.size() + n_, 0); }
  void clear() override { bytes_.clear(); }

 private:
  size_t n_;
  std::vector<uint8_t> bytes_;
};

}  // namespace chc
