#include "types/Column.hpp"

#include <limits>
#include <string>

#include "common/Error.hpp"
#include "types/ArrayColumn.hpp"
#include "types/DynamicColumn.hpp"
#include "types/FixedStringColumn.hpp"
#include "types/FixedWidthColumn.hpp"
#include "types/JSONColumn.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/NullableColumn.hpp"
#include "types/QBitColumn.hpp"
#include "types/StringColumn.hpp"
#include "types/TupleColumn.hpp"

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
void Column::appendFixed(std::span<const uint8_t>) { rejectAppend("fixed-width values"); }

namespace {
thread_local int structure_nesting = 0;
constexpr int kMaxStructureNesting = 32;
}  // namespace

StructureNestingGuard::StructureNestingGuard() {
  if (structure_nesting >= kMaxStructureNesting)
    throwProtocol("Dynamic/JSON structures nest more than " + std::to_string(kMaxStructureNesting) + " levels deep");
  ++structure_nesting;
}

StructureNestingGuard::~StructureNestingGuard() { --structure_nesting; }

void readFixedBytes(ReadBuffer& in, std::vector<uint8_t>& out, uint64_t count, size_t elem_size) {
  if (elem_size != 0 && count > std::numeric_limits<uint64_t>::max() / elem_size / 2)
    throwProtocol("value count " + std::to_string(count) + " is impossibly large");
  in.appendBytes(out, count * elem_size);
}

ColumnPtr makeColumn(const TypePtr& type) {
  switch (type->kind()) {
    case TypeKind::String: return std::make_unique<StringColumn>(type);
    case TypeKind::FixedString: return std::make_unique<FixedStringColumn>(type);
    case TypeKind::Nullable: return std::make_unique<NullableColumn>(type);
    case TypeKind::Array:
      if (isQBitType(*type)) return std::make_unique<QBitColumn>(type);
      [[fallthrough]];
    case TypeKind::Map: return std::make_unique<ArrayColumn>(type);  // Map is Array(Tuple(K, V)) on the wire
    case TypeKind::Tuple: return std::make_unique<TupleColumn>(type);
    case TypeKind::LowCardinality: return std::make_unique<LowCardinalityColumn>(type);
    case TypeKind::Nothing: return std::make_unique<FixedWidthColumn>(type);
    case TypeKind::Variant: return std::make_unique<VariantColumn>(type);
    case TypeKind::Dynamic: return std::make_unique<DynamicColumn>(type);
    case TypeKind::JSON: return std::make_unique<JSONColumn>(type);
    default:
      if (isFixedWidthKind(type->kind())) return std::make_unique<FixedWidthColumn>(type);
  }
  throwUnsupported("no column family for type " + type->name());
}

}  // namespace chc
