#include "types/ValueAccess.hpp"

#include <cstring>
#include <limits>
#include <string>

#include "common/Error.hpp"
#include "types/DynamicColumn.hpp"
#include "types/LowCardinalityColumn.hpp"

namespace chc {
namespace {

struct Cell {
  const Column* column;
  size_t row;
};

// Resolves Nullable to its inner column and LowCardinality to its dictionary entry, checking the
// row and rejecting NULLs.
Cell valueCell(const Column& column, size_t row) {
  if (row >= column.size())
    throwInvalid("row " + std::to_string(row) + " out of range (column has " + std::to_string(column.size()) +
                 " rows)");
  if (isNullAt(column, row)) throw Error(ErrorKind::Type, "row " + std::to_string(row) + " is NULL");
  Cell cell{&column, row};
  while (true) {  // wrappers nest: Variant(LowCardinality(String)), Dynamic, ...
    const Column& c = *cell.column;
    switch (c.type().kind()) {
      case TypeKind::Nullable: cell = {c.child(0), cell.row}; break;
      case TypeKind::LowCardinality: {
        const auto& lc = static_cast<const LowCardinalityColumn&>(c);
        cell = {lc.child(0), static_cast<size_t>(lc.indexAt(cell.row))};
        break;
      }
      case TypeKind::Variant: {
        const auto& v = static_cast<const VariantColumn&>(c);
        cell = {v.child(v.discriminator(cell.row)), v.memberRow(cell.row)};
        break;
      }
      case TypeKind::Dynamic: {
        // The alternative's row, or for SharedVariant values the decoded one-row column.
        auto [value, value_row] = static_cast<const DynamicColumn&>(c).valueAt(cell.row);
        if (!value) throw Error(ErrorKind::Type, "row " + std::to_string(row) + " is NULL");
        cell = {value, value_row};
        break;
      }
      default: return cell;
    }
  }
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

// Integer value as (negative, two's-complement bits); false if the kind is not integer-valued.
bool loadInteger(const Column& c, size_t row, bool& negative, uint64_t& bits) {
  int64_t s = 0;
  switch (c.type().kind()) {
    case TypeKind::Int8:
    case TypeKind::Enum8: s = load<int8_t>(c, row); break;
    case TypeKind::Int16:
    case TypeKind::Enum16: s = load<int16_t>(c, row); break;
    case TypeKind::Int32:
    case TypeKind::Date32:
    case TypeKind::Time: s = load<int32_t>(c, row); break;
    case TypeKind::Int64:
    case TypeKind::DateTime64:
    case TypeKind::Time64:
    case TypeKind::Interval: s = load<int64_t>(c, row); break;
    case TypeKind::UInt8:
    case TypeKind::Bool:
      bits = load<uint8_t>(c, row);
      negative = false;
      return true;
    case TypeKind::UInt16:
    case TypeKind::Date:
      bits = load<uint16_t>(c, row);
      negative = false;
      return true;
    case TypeKind::UInt32:
    case TypeKind::DateTime:
    case TypeKind::IPv4:
      bits = load<uint32_t>(c, row);
      negative = false;
      return true;
    case TypeKind::UInt64:
      bits = load<uint64_t>(c, row);
      negative = false;
      return true;
    default: return false;
  }
  negative = s < 0;
  bits = static_cast<uint64_t>(s);
  return true;
}

}  // namespace

bool isNullAt(const Column& column, size_t row) {
  if (row >= column.size()) return false;
  const uint8_t* map = column.nullMap();
  return map != nullptr && map[row] != 0;
}

int64_t getInt64(const Column& column, size_t row) {
  Cell c = valueCell(column, row);
  bool negative = false;
  uint64_t bits = 0;
  if (!loadInteger(*c.column, c.row, negative, bits)) wrongKind(*c.column, "a 64-bit signed integer");
  if (!negative && bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    throw Error(ErrorKind::Type, "value " + std::to_string(bits) + " does not fit a signed 64-bit integer");
  return static_cast<int64_t>(bits);
}

uint64_t getUInt64(const Column& column, size_t row) {
  Cell c = valueCell(column, row);
  bool negative = false;
  uint64_t bits = 0;
  if (!loadInteger(*c.column, c.row, negative, bits)) wrongKind(*c.column, "a 64-bit unsigned integer");
  if (negative) throw Error(ErrorKind::Type, "value " + std::to_string(static_cast<int64_t>(bits)) + " is negative");
  return bits;
}

double getDouble(const Column& column, size_t row) {
  Cell c = valueCell(column, row);
  switch (c.column->type().kind()) {
    case TypeKind::Float32: return load<float>(*c.column, c.row);
    case TypeKind::Float64: return load<double>(*c.column, c.row);
    case TypeKind::BFloat16: {
      uint32_t bits = uint32_t(load<uint16_t>(*c.column, c.row)) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    default: break;
  }
  if (!isIntegerKind(c.column->type().kind())) wrongKind(*c.column, "a double");
  bool negative = false;
  uint64_t bits = 0;
  loadInteger(*c.column, c.row, negative, bits);
  return negative ? static_cast<double>(static_cast<int64_t>(bits)) : static_cast<double>(bits);
}

std::string_view getString(const Column& column, size_t row) {
  Cell c = valueCell(column, row);
  const Column& col = *c.column;
  auto bytes = col.data();
  switch (col.type().kind()) {
    case TypeKind::String: {
      auto off = col.offsets();
      return {reinterpret_cast<const char*>(bytes.data()) + off[c.row],
              static_cast<size_t>(off[c.row + 1] - off[c.row])};
    }
    case TypeKind::FixedString: {
      size_t n = col.type().fixedSize();
      return {reinterpret_cast<const char*>(bytes.data()) + c.row * n, n};
    }
    case TypeKind::JSON: {
      auto off = col.offsets();
      return {reinterpret_cast<const char*>(bytes.data()) + off[c.row],
              static_cast<size_t>(off[c.row + 1] - off[c.row])};
    }
    case TypeKind::Enum8:
    case TypeKind::Enum16: {
      int64_t v = col.type().kind() == TypeKind::Enum8 ? load<int8_t>(col, c.row) : load<int16_t>(col, c.row);
      for (const EnumEntry& e : col.type().enumEntries())
        if (e.value == v) return e.name;
      throw Error(ErrorKind::Protocol, "value " + std::to_string(v) + " is not an element of " + col.type().name());
    }
    default: wrongKind(col, "a string");
  }
}

}  // namespace chc
