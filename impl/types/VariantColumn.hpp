// Variant(T1, ..., Tk) (spec §5.8): one discriminator byte per row (the index of the alternative in
// the sorted type list, 255 = NULL), then each alternative's values for exactly the rows that chose
// it, in row order. The C ABI sees the discriminators as data(), the alternatives as children.
#pragma once

#include "types/Column.hpp"

namespace chc {

class VariantColumn final : public Column {
 public:
  static constexpr uint8_t kNull = 255;

  explicit VariantColumn(TypePtr type);
  ~VariantColumn() override;

  size_t size() const override { return discriminators_.size(); }
  void readPrefix(ReadBuffer& in) override;
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override;
  void writeData(WriteBuffer& out) const override;

  std::span<const uint8_t> data() const override { return discriminators_; }
  const uint8_t* nullMap() const override { return null_map_.data(); }
  size_t childCount() const override { return alternatives_.size(); }
  Column* child(size_t i) const override { return i < alternatives_.size() ? alternatives_[i].get() : nullptr; }
  Column* builderChild(size_t i) override;

  // Row `row` of the column is row memberRow(row) of alternative discriminator(row).
  uint8_t discriminator(size_t row) const { return discriminators_[row]; }
  size_t memberRow(size_t row) const { return member_rows_[row]; }

  // A value goes to the first alternative (in sorted order) that accepts it.
  void appendInt64(int64_t value) override;
  void appendUInt64(uint64_t value) override;
  void appendDouble(double value) override;
  void appendString(std::string_view value) override;
  void appendNull() override;
  void appendDefault() override { appendNull(); }
  void clear() override;

  // Runs `append` on alternative i, then records a discriminator for each row it gained (none
  // for an array element, one for a value).
  template <class F>
  void appendTo(size_t i, F&& append) {
    append(*alternatives_[i]);
    recordNewRows(i);
  }

 private:
  class TrackingBuilder;
  template <class F>
  void appendFirstAccepting(const char* what, F&& append);
  void recordNewRows(size_t i);
  void pushRow(uint8_t discriminator, size_t member_row);

  std::vector<ColumnPtr> alternatives_;
  std::vector<uint8_t> discriminators_;
  std::vector<uint8_t> null_map_;
  std::vector<uint32_t> member_rows_;
  std::vector<size_t> recorded_;                   // per alternative: its rows that have a discriminator
  std::vector<std::unique_ptr<Column>> builders_;  // one TrackingBuilder per alternative, on demand
};

}  // namespace chc
