// Type descriptors: what a column's ClickHouse type is, independent of any data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace chc {

// Values equal the CHC_TYPE_* constants of the public header; only ever appended.
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
  Int128 = 17,
  Int256 = 18,
  UInt128 = 19,
  UInt256 = 20,
  BFloat16 = 21,
  Bool = 22,
  Decimal = 23,
  Date32 = 24,
  DateTime64 = 25,
  Time = 26,
  Time64 = 27,
  UUID = 28,
  IPv4 = 29,
  IPv6 = 30,
  Enum8 = 31,
  Enum16 = 32,
  Interval = 33,
  Nothing = 34,
  Tuple = 35,
  Map = 36,
  LowCardinality = 37,
  Variant = 38,
  Dynamic = 39,
  JSON = 40,
};

class DataType;
using TypePtr = std::shared_ptr<const DataType>;

struct EnumEntry {
  std::string name;
  int16_t value;
};

// Everything a type may carry besides its kind and name; unused fields stay empty.
struct TypeParams {
  std::vector<TypePtr> children;           // Nullable/Array/LowCardinality: 1; Tuple: n; Map: 1 (Tuple(K, V))
  size_t fixed_size = 0;                   // bytes per value of fixed-width kinds (FixedString: N)
  std::string timezone;                    // DateTime('tz'), DateTime64(p, 'tz')
  uint32_t precision = 0;                  // Decimal P; DateTime64/Time64 sub-second digits
  uint32_t scale = 0;                      // Decimal S
  std::vector<std::string> element_names;  // named Tuple / Nested elements ("" when unnamed)
  std::vector<EnumEntry> enum_entries;     // Enum8/Enum16, in the order the server prints them
  std::string unit;                        // Interval: "Second", "Day", ...
  uint32_t max_types = 0;                  // Dynamic(max_types=N), JSON max_dynamic_types; 0 = default
  // JSON typed paths (path, type), sorted by path. Not children: the C view of a JSON type and
  // column has no children (its rows are JSON text).
  std::vector<std::pair<std::string, TypePtr>> json_typed_paths;
};

// Immutable; shared between columns, blocks and the C ABI by shared_ptr.
class DataType {
 public:
  DataType(TypeKind kind, std::string name, TypeParams params = {})
      : kind_(kind), name_(std::move(name)), p_(std::move(params)) {}

  TypeKind kind() const noexcept { return kind_; }
  // Canonical name as the server prints it, e.g. "Array(Nullable(String))". Aliases keep their
  // own name (Point, Ring, Nested(...), SimpleAggregateFunction(...)) with the layout of the kind.
  const std::string& name() const noexcept { return name_; }
  const std::vector<TypePtr>& children() const noexcept { return p_.children; }
  size_t fixedSize() const noexcept { return p_.fixed_size; }
  const std::string& timezone() const noexcept { return p_.timezone; }
  uint32_t precision() const noexcept { return p_.precision; }
  uint32_t scale() const noexcept { return p_.scale; }
  const std::vector<std::string>& elementNames() const noexcept { return p_.element_names; }
  const std::vector<EnumEntry>& enumEntries() const noexcept { return p_.enum_entries; }
  const std::string& unit() const noexcept { return p_.unit; }
  uint32_t maxTypes() const noexcept { return p_.max_types; }
  const std::vector<std::pair<std::string, TypePtr>>& jsonTypedPaths() const noexcept { return p_.json_typed_paths; }
  const TypeParams& params() const noexcept { return p_; }

 private:
  TypeKind kind_;
  std::string name_;
  TypeParams p_;
};

bool isIntegerKind(TypeKind kind) noexcept;  // Int8..Int64, UInt8..UInt64
bool isSignedKind(TypeKind kind) noexcept;
// Kinds whose values are fixed-width little-endian bytes with no children.
bool isFixedWidthKind(TypeKind kind) noexcept;

}  // namespace chc
