#include "types/ValueAccess.hpp"

#include <cstring>
#include <limits>
#include <string>

#include "common/Error.hpp"

namespace chc {
namespace {

// Resolves Nullable to its inner column, checking the row and rejecting NULLs.
const Column& valueColumn(const Column& column, size_t row) {
  if (row >= column.size())
    throwInvalid("row " + std::to_string(row) + " out of range (column has " + std::to_string(column.size()) + " rows)");
  if (column.type().kind() != TypeKind::Nullable) return column;
  if (column.nullMap()[row]) throw Error(ErrorKind::Type, "row " + std::to_string(row) + " is NULL");
  return *column.child(0);
}

[[noreturn]] void wrongKind(const Column& column, const char* wanted) {
  throw Error(ErrorKind::Type, std::string("cannot read a column of type ") + column.type().name() + " as " + wanted);
}

template <class T>
T load(const Column& c, size_t row) {
  T v;
  std::memcpy(&v, c.data().data() + row * sizeof(T), sizeof(T));
  return v;
}

// Integer value as (is_negative, signed, unsigned); false if the kind is not integer-like.
bool loadInteger(const Column& c, size_t row, int64_t& s, uint64_t& u, bool& negative) {
  negative = false;
  switch (c.type().kind()) {
    case TypeKind::Int8: s = load<int8_t>(c, row); break;
    case TypeKind::Int16: s = load<int16_t>(c, row); break;
    case TypeKind::Int32: s = load<int32_t>(c, row); break;
    case TypeKind::Int64: s = load<int64_t>(c, row); break;
    case TypeKind::UInt8: u = load<uint8_t>(c, row); return true;
    case TypeKind::UInt16: case TypeKind::Date: u = load<uint16_t>(c, row); return true;
    case TypeKind::UInt32: case TypeKind::DateTime: u = load<uint32_t>(c, row); return true;
    case TypeKind::UInt64: u = load<uint64_t>(c, row); return true;
    default: return false;
  }
  negative = s < 0;
  u = static_cast<uint64_t>(s);
  return true;
}

}  // namespace

bool isNullAt(const Column& column, size_t row) {
  if (row >= column.size()) return false;
  const uint8_t* map = column.nullMap();
  return map != nullptr && map[row] != 0;
}

int64_t getInt64(const Column& column, size_t row) {
  const Column& c = valueColumn(column, row);
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  if (!loadInteger(c, row, s, u, negative)) wrongKind(c, "a 64-bit signed integer");
  if (!negative && u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    throw Error(ErrorKind::Type, "value " + std::to_string(u) + " does not fit a signed 64-bit integer");
  return negative ? s : static_cast<int64_t>(u);
}

uint64_t getUInt64(const Column& column, size_t row) {
  const Column& c = valueColumn(column, row);
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  if (!loadInteger(c, row, s, u, negative)) wrongKind(c, "a 64-bit unsigned integer");
  if (negative) throw Error(ErrorKind::Type, "value " + std::to_string(s) + " is negative");
  return u;
}

double getDouble(const Column& column, size_t row) {
  const Column& c = valueColumn(column, row);
  if (c.type().kind() == TypeKind::Float32) return load<float>(c, row);
  if (c.type().kind() == TypeKind::Float64) return load<double>(c, row);
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  if (!isIntegerKind(c.type().kind()) || !loadInteger(c, row, s, u, negative)) wrongKind(c, "a double");
  return negative ? static_cast<double>(s) : static_cast<double>(u);
}

std::string_view getString(const Column& column, size_t row) {
  const Column& c = valueColumn(column, row);
  auto bytes = c.data();
  if (c.type().kind() == TypeKind::String) {
    auto off = c.offsets();
    return {reinterpret_cast<const char*>(bytes.data()) + off[row], static_cast<size_t>(off[row + 1] - off[row])};
  }
  if (c.type().kind() == TypeKind::FixedString) {
    size_t n = c.type().fixedSize();
    return {reinterpret_cast<const char*>(bytes.data()) + row * n, n};
  }
  wrongKind(c, "a string");
}

}  // namespace chc
