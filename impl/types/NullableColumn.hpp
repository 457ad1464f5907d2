// Nullable(T): a byte per row (1 = NULL), then T's values for every row (placeholders at NULLs).
#pragma once

#include "types/Column.hpp"

namespace chc {

class NullableColumn final : public Column {
 public:
  explicit NullableColumn(TypePtr type);

  size_t size() const override { return null_map_.size(); }
  void readPrefix(ReadBuffer& in) override { inner_->readPrefix(in); }
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override { inner_->writePrefix(out); }
  void writeData(WriteBuffer& out) const override;
  const uint8_t* nullMap() const override { return null_map_.data(); }
  size_t childCount() const override { return 1; }
  Column* child(size_t i) const override { return i == 0 ? inner_.get() : nullptr; }

  void appendInt64(int64_t value) override {
    appendValue([&] { inner_->appendInt64(value); });
  }
  void appendUInt64(uint64_t value) override {
    appendValue([&] { inner_->appendUInt64(value); });
  }
  void appendDouble(double value) override {
    appendValue([&] { inner_->appendDouble(value); });
  }
  void appendString(std::string_view value) override {
    appendValue([&] { inner_->appendString(value); });
  }
  void appendFixed(std::span<const uint8_t> values) override;
  // Appends a non-NULL row whose value `append` adds to the inner column.
  template <class F>
  void appendNotNull(F&& append) {
    appendValue([&] { append(*inner_); });
  }
  void appendNull() override;
  void appendDefault() override { appendNull(); }
  void clear() override {
    inner_->clear();
    null_map_.clear();
  }

 private:
  template <class F>
  void appendValue(F&& append_inner) {
    append_inner();  // throws before the null map changes, so a rejected value leaves no trace
    null_map_.push_back(0);
  }

  ColumnPtr inner_;
  std::vector<uint8_t> null_map_;
};

}  // namespace chc
