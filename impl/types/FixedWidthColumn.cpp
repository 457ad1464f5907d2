#include "types/FixedWidthColumn.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "common/Error.hpp"

namespace chc {
namespace {

struct Range {
  bool is_signed;
  int64_t min;
  uint64_t max;
};

// Integer range a kind accepts from the builders (Date: days, DateTime: seconds).
Range rangeOf(TypeKind kind) {
  switch (kind) {
    case TypeKind::Int8: return {true, INT8_MIN, INT8_MAX};
    case TypeKind::Int16: return {true, INT16_MIN, INT16_MAX};
    case TypeKind::Int32: return {true, INT32_MIN, INT32_MAX};
    case TypeKind::Int64: return {true, INT64_MIN, INT64_MAX};
    case TypeKind::UInt8: return {false, 0, UINT8_MAX};
    case TypeKind::UInt16: case TypeKind::Date: return {false, 0, UINT16_MAX};
    case TypeKind::UInt32: case TypeKind::DateTime: return {false, 0, UINT32_MAX};
    case TypeKind::UInt64: return {false, 0, UINT64_MAX};
    default: return {false, 0, 0};
  }
}

bool isFloat(TypeKind k) { return k == TypeKind::Float32 || k == TypeKind::Float64; }

}  // namespace

FixedWidthColumn::FixedWidthColumn(TypePtr type) : Column(std::move(type)), width_(this->type().fixedSize()) {}

void FixedWidthColumn::pushInteger(int64_t signed_value, bool is_negative, uint64_t unsigned_value) {
  const TypeKind kind = type().kind();
  if (isFloat(kind)) {
    double d = is_negative ? double(signed_value) : double(unsigned_value);
    if (kind == TypeKind::Float32) push(static_cast<float>(d)); else push(d);
    return;
  }
  Range r = rangeOf(kind);
  bool fits = is_negative ? (r.is_signed && signed_value >= r.min) : unsigned_value <= r.max;
  if (!fits) {
    throw Error(ErrorKind::Type, "value " + (is_negative ? std::to_string(signed_value) : std::to_string(unsigned_value)) +
                                     " is out of range for " + type().name());
  }
  uint64_t bits = is_negative ? static_cast<uint64_t>(signed_value) : unsigned_value;
  switch (width_) {  // little-endian truncation keeps the two's-complement value
    case 1: push(static_cast<uint8_t>(bits)); break;
    case 2: push(static_cast<uint16_t>(bits)); break;
    case 4: push(static_cast<uint32_t>(bits)); break;
    default: push(bits); break;
  }
}

void FixedWidthColumn::appendInt64(int64_t value) {
  pushInteger(value, value < 0, static_cast<uint64_t>(value));
}

void FixedWidthColumn::appendUInt64(uint64_t value) { pushInteger(0, false, value); }

void FixedWidthColumn::appendDouble(double value) {
  const TypeKind kind = type().kind();
  if (kind == TypeKind::Float32) return push(static_cast<float>(value));
  if (kind == TypeKind::Float64) return push(value);
  // Integer-like columns accept only integral doubles that fit exactly.
  if (!std::isfinite(value) || value != std::trunc(value) || value < -9.2233720368547758e18 ||
      value >= 1.8446744073709552e19)
    throw Error(ErrorKind::Type, "value " + std::to_string(value) + " is not an integer that fits " + type().name());
  if (value < 0) return appendInt64(static_cast<int64_t>(value));
  appendUInt64(static_cast<uint64_t>(value));
}

}  // namespace chc
