// Type descriptors: what a column's ClickHouse type is, independent of any data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chc {

// Values equal the CHC_TYPE_* constants of the public header.
enum class TypeKind : int32_t {
  Int8 = 1,
  Int16 = 2,
  Int32 = 3,
  Int64 = 4,
  UInt8 = 5,
  UInt16 = 6,
  UInt32 = 7,
  UInt64 = 8,
  Float32 = 9,
  Float64 = 10,
  String = 11,
  FixedString = 12,
  Date = 13,
  DateTime = 14,
  Nullable = 15,
  Array = 16,
};

class DataType;
using TypePtr = std::shared_ptr<const DataType>;

// Immutable; shared between columns, blocks and the C ABI by shared_ptr.
class DataType {
 public:
  DataType(TypeKind kind, std::string name, std::vector<TypePtr> children = {}, size_t fixed_size = 0,
           std::string timezone = {})
      : kind_(kind),
        name_(std::move(name)),
        children_(std::move(children)),
        fixed_size_(fixed_size),
        timezone_(std::move(timezone)) {}

  TypeKind kind() const noexcept { return kind_; }
  // Canonical name as the server prints it, e.g. "Array(Nullable(String))".
  const std::string& name() const noexcept { return name_; }
  const std::vector<TypePtr>& children() const noexcept { return children_; }
  // Bytes per value for fixed-width kinds (FixedString: N), 0 otherwise.
  size_t fixedSize() const noexcept { return fixed_size_; }
  const std::string& timezone() const noexcept { return timezone_; }

 private:
  TypeKind kind_;
  std::string name_;
  std::vector<TypePtr> children_;
  size_t fixed_size_;
  std::string timezone_;
};

bool isIntegerKind(TypeKind kind) noexcept;
bool isSignedKind(TypeKind kind) noexcept;

}  // namespace chc
