// Tuple(T1, ..., Tk) (and Point): each element's values for all rows, one after the other.
// Builders append to each element through the children; a row is complete when all have it.
// The empty Tuple() writes one placeholder byte (0x30) per row and keeps only a row count.
#pragma once

#include "types/Column.hpp"

namespace chc {

class TupleColumn final : public Column {
 public:
  explicit TupleColumn(TypePtr type);

  size_t size() const override { return elements_.empty() ? empty_rows_ : elements_.front()->size(); }
  void readPrefix(ReadBuffer& in) override;
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override;
  void writeData(WriteBuffer& out) const override;
  size_t childCount() const override { return elements_.size(); }
  Column* child(size_t i) const override { return i < elements_.size() ? elements_[i].get() : nullptr; }
  void appendDefault() override;
  void clear() override;

 private:
  std::vector<ColumnPtr> elements_;
  size_t empty_rows_ = 0;  // Tuple(): rows held
};

}  // namespace chc
