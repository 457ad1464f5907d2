// Dynamic / Dynamic(max_types=N) (spec §5.9): the set of types travels in every block's prefix
// (structure V1 or V2), followed by a Variant over those types plus SharedVariant (values of types
// beyond max_types, as binary type encoding + binary value: exposed as raw bytes).
// Reading: data(), nullMap() and the children are those of that per-block Variant. SharedVariant
// values stay raw bytes in that child; they are also decoded (RowBinaryValue) into one-row columns
// reachable through valueAt().
// Building (inserts): integers go to Int64/UInt64, doubles to Float64, strings to String; written
// as structure V1, which every server version with Dynamic reads.
#pragma once

#include <utility>

#include "types/VariantColumn.hpp"

namespace chc {

class DynamicColumn final : public Column {
 public:
  explicit DynamicColumn(TypePtr type);

  size_t size() const override {
    return variant_ ? variant_->size() : decoded_mode_ ? decoded_.size() : built_discriminators_.size();
  }
  void readPrefix(ReadBuffer& in) override;
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override;
  void writeData(WriteBuffer& out) const override;

  std::span<const uint8_t> data() const override { return variant_ ? variant_->data() : std::span<const uint8_t>(); }
  const uint8_t* nullMap() const override { return variant_ ? variant_->nullMap() : built_null_map_.data(); }
  size_t childCount() const override { return variant_ ? variant_->childCount() : 0; }
  Column* child(size_t i) const override { return variant_ ? variant_->child(i) : nullptr; }
  // The per-block Variant of a column that was read (nullptr for a column being built).
  const VariantColumn* variant() const { return variant_.get(); }
  // The value of row `row` as (column, row in it): the Variant alternative, or for SharedVariant
  // values the decoded one-row column; {nullptr, 0} for NULL. Throws for a SharedVariant value
  // that could not be decoded (the error of that attempt) and for a column being built.
  std::pair<const Column*, size_t> valueAt(size_t row) const;
  // Index of the SharedVariant alternative among the children (read side), or -1.
  int sharedVariantIndex() const { return shared_index_; }

  // Decoded-value mode (values read from RowBinary inside SharedVariant / JSON shared data): one
  // one-row column per row, nullptr for NULL. Such a column can be rendered but not written.
  void appendDecodedValue(ColumnPtr value);

  void appendInt64(int64_t value) override;
  void appendUInt64(uint64_t value) override;
  void appendDouble(double value) override;
  void appendString(std::string_view value) override;
  void appendNull() override;
  void appendDefault() override { appendNull(); }
  void clear() override;

 private:
  // Index of the built alternative for `type_name`, created on first use.
  size_t builtAlternative(const char* type_name);
  template <class F>
  void appendBuilt(const char* type_name, F&& append);
  // The sorted alternative names of the written Variant, SharedVariant included.
  std::vector<std::string> sortedNames() const;

  void decodeSharedValues(size_t from_member_row);

  std::unique_ptr<VariantColumn> variant_;  // read side
  int shared_index_ = -1;
  std::vector<ColumnPtr> shared_values_;    // per SharedVariant member row: the decoded value
  std::vector<std::string> shared_errors_;  // per SharedVariant member row: why decoding failed
  bool decoded_mode_ = false;
  std::vector<ColumnPtr> decoded_;  // decoded-value mode rows
  std::vector<ColumnPtr> built_;    // build side: one column per type, in creation order
  std::vector<uint8_t> built_discriminators_;
  std::vector<uint8_t> built_null_map_;
};

}  // namespace chc
