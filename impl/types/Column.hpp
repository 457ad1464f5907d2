// A column: the decoded values of one ClickHouse type family, in contiguous buffers that the C ABI
// hands out without copying. The same objects serve as builders for inserts.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/ReadBuffer.hpp"
#include "common/WriteBuffer.hpp"
#include "types/DataType.hpp"

namespace chc {

class Column {
 public:
  explicit Column(TypePtr type) : type_(std::move(type)) {}
  virtual ~Column() = default;
  Column(const Column&) = delete;
  Column& operator=(const Column&) = delete;

  const DataType& type() const noexcept { return *type_; }
  const TypePtr& typePtr() const noexcept { return type_; }
  virtual size_t size() const = 0;

  // Native codec (shared/spec/native-format.md §2.6): state prefix once per block, then `rows`
  // values appended to what the column holds.
  virtual void readPrefix(ReadBuffer&) {}
  virtual void readData(ReadBuffer& in, size_t rows) = 0;
  virtual void writePrefix(WriteBuffer&) const {}
  virtual void writeData(WriteBuffer& out) const = 0;

  // Zero-copy views for the C ABI (empty when the buffer does not apply to the family).
  virtual std::span<const uint8_t> data() const { return {}; }
  virtual std::span<const int64_t> offsets() const { return {}; }
  virtual const uint8_t* nullMap() const { return nullptr; }
  virtual size_t childCount() const { return 0; }
  virtual Column* child(size_t) const { return nullptr; }
  // The column that takes appends for child i (differs from child(i) where appending to a child
  // must also record something in the parent, as for Variant alternatives).
  virtual Column* builderChild(size_t i) { return child(i); }

  // Builder side: each appends one value or throws Error(Type) leaving the column unchanged.
  virtual void appendInt64(int64_t value);
  virtual void appendUInt64(uint64_t value);
  virtual void appendDouble(double value);
  virtual void appendString(std::string_view value);
  virtual void appendNull();
  virtual void endArray();
  // Bulk append of fixed-width values in wire layout (values.size() must be a multiple of the width).
  virtual void appendFixed(std::span<const uint8_t> values);
  // The type's default value (0, "", [], ...): the placeholder under a NULL.
  virtual void appendDefault() = 0;
  // Drops every row (builders reuse columns).
  virtual void clear() = 0;

 protected:
  [[noreturn]] void rejectAppend(const char* what) const;

 private:
  TypePtr type_;
};

using ColumnPtr = std::unique_ptr<Column>;

// A fresh, empty column for the type (throws Unsupported for types without a column family).
ColumnPtr makeColumn(const TypePtr& type);

// Bounds how deeply self-describing columns (Dynamic, JSON) may nest inside each other's
// per-block structures: each level's types come from the stream, so corrupt input could otherwise
// recurse without limit. Throws Error(Protocol) beyond the limit.
class StructureNestingGuard {
 public:
  StructureNestingGuard();
  ~StructureNestingGuard();
  StructureNestingGuard(const StructureNestingGuard&) = delete;
  StructureNestingGuard& operator=(const StructureNestingGuard&) = delete;
};

// Reads count*elem_size bytes into `out` (appending), growing the buffer in bounded steps so a
// corrupt count cannot make us allocate more than the stream really holds.
void readFixedBytes(ReadBuffer& in, std::vector<uint8_t>& out, uint64_t count, size_t elem_size);

}  // namespace chc
