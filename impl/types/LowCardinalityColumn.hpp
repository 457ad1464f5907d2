// LowCardinality(T) and LowCardinality(Nullable(T)) (spec §5.6): a per-block dictionary of T
// (Nullable removed) plus one index per row. Slot 0 of the dictionary is the default value, or for
// LowCardinality(Nullable(T)) the NULL, then slot 1 the default.
// The C ABI sees the dictionary as child 0 and the indexes (indexWidth() bytes each) as data().
#pragma once

#include <string>
#include <unordered_map>

#include "types/Column.hpp"

namespace chc {

class LowCardinalityColumn final : public Column {
 public:
  explicit LowCardinalityColumn(TypePtr type);

  size_t size() const override { return index_bytes_.size() / width_; }
  void readPrefix(ReadBuffer& in) override;
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override;
  void writeData(WriteBuffer& out) const override;

  std::span<const uint8_t> data() const override { return index_bytes_; }
  const uint8_t* nullMap() const override { return nullable_ ? null_map_.data() : nullptr; }
  size_t childCount() const override { return 1; }
  Column* child(size_t i) const override { return i == 0 ? dictionary_.get() : nullptr; }

  size_t indexWidth() const { return width_; }
  uint64_t indexAt(size_t row) const;
  bool isNullable() const { return nullable_; }

  void appendInt64(int64_t value) override;
  void appendUInt64(uint64_t value) override;
  void appendDouble(double value) override;
  void appendString(std::string_view value) override;
  void appendFixed(std::span<const uint8_t> values) override;
  void appendNull() override;
  void appendDefault() override;
  void clear() override;

 private:
  // Appends via `append` to a scratch column, then interns the value's bytes in the dictionary.
  template <class F>
  void appendValue(F&& append);
  void pushIndex(uint64_t index);
  void resetDictionary();

  bool nullable_;
  size_t width_ = 4;       // bytes per index: the wire width after reading, 4 while building
  bool was_read_ = false;  // a column that was read takes no appends (it has no lookup table)
  ColumnPtr dictionary_;   // keys, Nullable removed
  ColumnPtr scratch_;      // builder: normalises one value at a time
  std::unordered_map<std::string, uint32_t> lookup_;  // builder: value bytes -> dictionary slot
  std::vector<uint8_t> index_bytes_;
  std::vector<uint8_t> null_map_;  // LowCardinality(Nullable): 1 where the index is 0
};

}  // namespace chc
