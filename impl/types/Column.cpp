#include "types/Column.hpp"

#include <limits>
#include <string>

#include "common/Error.hpp"
#include "types/ArrayColumn.hpp"
#include "types/FixedStringColumn.hpp"
#include "types/FixedWidthColumn.hpp"
#include "types/NullableColumn.hpp"
#include "types/StringColumn.hpp"

namespace chc {

void Column::rejectAppend(const char* what) const {
  throw Error(ErrorKind::Type, std::string("cannot append ") + what + " to a column of type " + type().name());
}

void Column::appendInt64(int64_t) { rejectAppend("an integer"); }
void Column::appendUInt64(uint64_t) { rejectAppend("an integer"); }
void Column::appendDouble(double) { rejectAppend("a floating-point number"); }
void Column::appendString(std::string_view) { rejectAppend("a string"); }
void Column::appendNull() { rejectAppend("NULL"); }
void Column::endArray() { rejectAppend("an array end"); }

void readFixedBytes(ReadBuffer& in, std::vector<uint8_t>& out, uint64_t count, size_t elem_size) {
  if (elem_size != 0 && count > std::numeric_limits<uint64_t>::max() / elem_size / 2)
    throwProtocol("value count " + std::to_string(count) + " is impossibly large");
  in.appendBytes(out, count * elem_size);
}

ColumnPtr makeColumn(const TypePtr& type) {
  switch (type->kind()) {
    case TypeKind::Int8: case TypeKind::Int16: case TypeKind::Int32: case TypeKind::Int64:
    case TypeKind::UInt8: case TypeKind::UInt16: case TypeKind::UInt32: case TypeKind::UInt64:
    case TypeKind::Float32: case TypeKind::Float64: case TypeKind::Date: case TypeKind::DateTime:
      return std::make_unique<FixedWidthColumn>(type);
    case TypeKind::String: return std::make_unique<StringColumn>(type);
    case TypeKind::FixedString: return std::make_unique<FixedStringColumn>(type);
    case TypeKind::Nullable: return std::make_unique<NullableColumn>(type);
    case TypeKind::Array: return std::make_unique<ArrayColumn>(type);
  }
  throwUnsupported("no column family for type " + type->name());
}

}  // namespace chc
