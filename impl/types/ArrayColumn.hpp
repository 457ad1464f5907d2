// Array(T): per row a cumulative UInt64 end offset, then all elements as one T column.
// In memory the offsets get a leading 0 (n+1 entries, the Arrow large-list layout).
#pragma once

#include "types/Column.hpp"

namespace chc {

class ArrayColumn final : public Column {
 public:
  explicit ArrayColumn(TypePtr type);

  size_t size() const override { return offsets_.size() - 1; }
  void readPrefix(ReadBuffer& in) override { elements_->readPrefix(in); }
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override { elements_->writePrefix(out); }
  void writeData(WriteBuffer& out) const override;
  std::span<const int64_t> offsets() const override { return offsets_; }
  size_t childCount() const override { return 1; }
  Column* child(size_t i) const override { return i == 0 ? elements_.get() : nullptr; }
  void endArray() override;
  void appendDefault() override { endArray(); }
  void clear() override {
    elements_->clear();
    offsets_.assign(1, 0);
  }

 private:
  ColumnPtr elements_;
  std::vector<int64_t> offsets_{0};
};

}  // namespace chc
