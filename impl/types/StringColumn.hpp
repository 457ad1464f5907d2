// String: per row VarUInt length + bytes on the wire; offsets (n+1, leading 0) + bytes in memory.
#pragma once

#include "types/Column.hpp"

namespace chc {

class StringColumn final : public Column {
 public:
  explicit StringColumn(TypePtr type) : Column(std::move(type)) {}

  size_t size() const override { return offsets_.size() - 1; }
  void readData(ReadBuffer& in, size_t rows) override;
  void writeData(WriteBuffer& out) const override;
  std::span<const uint8_t> data() const override { return bytes_; }
  std::span<const int64_t> offsets() const override { return offsets_; }
  void appendString(std::string_view value) override;
  void appendDefault() override { appendString({}); }
  void clear() override {
    offsets_.assign(1, 0);
    bytes_.clear();
  }

 private:
  std::vector<int64_t> offsets_{0};
  std::vector<uint8_t> bytes_;
};

}  // namespace chc
