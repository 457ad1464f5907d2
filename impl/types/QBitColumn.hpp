// QBit(T, N) (spec §5.11, T = BFloat16/Float32/Float64): on the wire B bit planes (B = bit width of
// T), plane p holding bit B-1-p of every element, each plane N rows x ceil(N/8) bytes; element i
// sits in byte ceil(N/8)-1-i/8, bit i%8. In memory (and for the C ABI) an Array of exactly N
// elements per row: offsets i*N and a T child column, so bindings read it like Array(T).
#pragma once

#include "types/Column.hpp"

namespace chc {

bool isQBitType(const DataType& type) noexcept;

class QBitColumn final : public Column {
 public:
  explicit QBitColumn(TypePtr type);

  size_t size() const override { return offsets_.size() - 1; }
  size_t dimension() const { return dim_; }
  void readData(ReadBuffer& in, size_t rows) override;
  void writeData(WriteBuffer& out) const override;
  std::span<const int64_t> offsets() const override { return offsets_; }
  size_t childCount() const override { return 1; }
  Column* child(size_t i) const override { return i == 0 ? elements_.get() : nullptr; }
  // Builders append N elements to child(0), then end the row here.
  void endArray() override;
  void appendDefault() override;
  void clear() override {
    elements_->clear();
    offsets_.assign(1, 0);
  }

 private:
  size_t dim_;    // N
  size_t width_;  // bytes per element (2, 4, 8)
  ColumnPtr elements_;
  std::vector<int64_t> offsets_{0};
};

}  // namespace chc
