#include "types/RowBinaryValue.hpp"

#include <string>
#include <utility>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "types/BinaryTypeDecoder.hpp"
#include "types/DynamicColumn.hpp"
#include "types/JSONText.hpp"
#include "types/NullableColumn.hpp"
#include "types/QBitColumn.hpp"
#include "types/TypeFactory.hpp"
#include "types/VariantColumn.hpp"

namespace chc {
namespace {

constexpr int kMaxDepth = 128;
constexpr uint64_t kMaxStringLength = 1ull << 30;
constexpr uint64_t kMaxElements = 1ull << 28;
constexpr size_t kMaxPath = 1 << 16;

// True for types whose binary values are zero bytes long.
bool consumesNoBytes(const DataType& t) {
  if (t.kind() == TypeKind::Nothing) return true;
  if (t.kind() != TypeKind::Tuple) return false;
  for (const TypePtr& c : t.children())
    if (!consumesNoBytes(*c)) return false;
  return true;  // Tuple() or tuples of such
}

constexpr uint64_t kMaxBytelessElements = 1024;

void readValue(Column& column, ReadBuffer& in, int depth);

ColumnPtr readDynamic(ReadBuffer& in, int depth) {
  TypePtr type = readBinaryType(in);
  if (type->kind() == TypeKind::Nothing) return nullptr;
  ColumnPtr column = makeColumn(type);
  readValue(*column, in, depth + 1);
  return column;
}

// Reads a LowCardinality's inner value and interns it (LowCardinality builders take plain values).
void readLowCardinality(Column& lc, ReadBuffer& in, int depth) {
  TypePtr inner = lc.type().children()[0];
  if (inner->kind() == TypeKind::Nullable) {
    if (in.readByte() != 0) return lc.appendNull();
    inner = inner->children()[0];
  }
  ColumnPtr tmp = makeColumn(inner);
  readValue(*tmp, in, depth + 1);
  if (inner->kind() == TypeKind::String) {
    auto off = tmp->offsets();
    return lc.appendString({reinterpret_cast<const char*>(tmp->data().data()), size_t(off[1])});
  }
  lc.appendFixed(tmp->data());
}

void readJSONObject(Column& json, ReadBuffer& in, int depth) {
  const DataType& t = json.type();
  uint64_t n = in.readVarUInt();
  if (n > kMaxElements) throwProtocol("JSON value lists " + std::to_string(n) + " paths");
  std::vector<std::pair<std::string, std::string>> pv;
  for (uint64_t i = 0; i < n; ++i) {
    std::string path = in.readString(kMaxPath);
    std::string text;
    TypePtr typed;
    bool is_typed = false;
    for (const auto& [typed_path, path_type] : t.jsonTypedPaths())
      if (typed_path == path) {
        typed = path_type;
        is_typed = true;
      }
    if (is_typed && !typed) throwUnsupported("JSON typed path " + path + " of " + t.name() + " cannot be decoded");
    if (typed) {
      ColumnPtr c = makeColumn(typed);
      readValue(*c, in, depth + 1);
      appendJSONValue(*c, 0, text);
    } else {
      ColumnPtr c = readDynamic(in, depth + 1);
      if (!c) continue;  // NULL: absent
      appendJSONValue(*c, 0, text);
    }
    pv.emplace_back(std::move(path), std::move(text));
  }
  std::string doc;
  appendJSONObject(pv, doc);
  json.appendString(doc);
}

void readValue(Column& column, ReadBuffer& in, int depth) {
  if (depth > kMaxDepth) throwProtocol("binary value nests too deeply");
  const DataType& t = column.type();
  switch (t.kind()) {
    case TypeKind::Nothing: return column.appendDefault();
    case TypeKind::String: {
      uint64_t len = in.readVarUInt();
      if (len > kMaxStringLength) throwProtocol("string length " + std::to_string(len) + " is impossibly large");
      std::vector<uint8_t> bytes;
      in.appendBytes(bytes, len);
      return column.appendString({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    }
    case TypeKind::Nullable: {
      if (in.readByte() != 0) return column.appendNull();
      return static_cast<NullableColumn&>(column).appendNotNull(
          [&](Column& inner) { readValue(inner, in, depth + 1); });
    }
    case TypeKind::Array:
    case TypeKind::Map: {
      uint64_t n = in.readVarUInt();
      if (n > kMaxElements) throwProtocol("array of " + std::to_string(n) + " elements is impossibly large");
      if (isQBitType(t) && n != static_cast<QBitColumn&>(column).dimension())  // QBit: N, then N values
        throwProtocol("QBit value with " + std::to_string(n) + " elements for " + t.name());
      // Elements that take no bytes (Nothing, Tuple()) would let a few input bytes describe an
      // exponential number of values through nesting; real data has Array(Nothing) only empty.
      if (n > kMaxBytelessElements && consumesNoBytes(column.child(0)->type()))
        throwProtocol("array of " + std::to_string(n) + " values of " + column.child(0)->type().name() +
                      ", a type without bytes");
      for (uint64_t i = 0; i < n; ++i) readValue(*column.child(0), in, depth + 1);
      return column.endArray();
    }
    case TypeKind::Tuple:
      if (column.childCount() == 0) return column.appendDefault();
      for (size_t i = 0; i < column.childCount(); ++i) readValue(*column.child(i), in, depth + 1);
      return;
    case TypeKind::LowCardinality: return readLowCardinality(column, in, depth);
    case TypeKind::Variant: {
      auto& v = static_cast<VariantColumn&>(column);
      uint8_t d = in.readByte();
      if (d == VariantColumn::kNull) return v.appendNull();
      if (d >= v.childCount())
        throwProtocol("Variant discriminator " + std::to_string(d) + " out of range in " + t.name());
      size_t before = v.child(d)->size();
      v.appendTo(d, [&](Column& alt) { readValue(alt, in, depth + 1); });
      if (v.child(d)->size() != before + 1) throw Error(ErrorKind::Internal, "Variant alternative did not take a row");
      return;
    }
    case TypeKind::Dynamic: return static_cast<DynamicColumn&>(column).appendDecodedValue(readDynamic(in, depth + 1));
    case TypeKind::JSON: return readJSONObject(column, in, depth);
    default:
      if (t.kind() == TypeKind::FixedString || isFixedWidthKind(t.kind())) {
        std::vector<uint8_t> bytes;
        in.appendBytes(bytes, t.fixedSize());
        if (t.kind() == TypeKind::Bool) bytes[0] = bytes[0] != 0;  // readers treat non-zero as true
        try {
          return column.appendFixed(bytes);
        } catch (const Error& e) {  // e.g. a number that is no element of the Enum
          if (e.kind() == ErrorKind::Type || e.kind() == ErrorKind::InvalidArgument)
            throwProtocol(std::string("binary value: ") + e.what());
          throw;
        }
      }
      throwUnsupported("cannot read a binary value of type " + t.name());
  }
}

}  // namespace

void readRowBinaryValue(Column& column, ReadBuffer& in) { readValue(column, in, 0); }

ColumnPtr readDynamicBinaryValue(ReadBuffer& in) { return readDynamic(in, 0); }

ColumnPtr decodeDynamicBinaryValue(std::span<const uint8_t> bytes) {
  MemoryInputStream stream(bytes);
  ReadBuffer in(stream, std::max<size_t>(bytes.size(), 16));
  ColumnPtr value = readDynamic(in, 0);
  if (!in.eof()) throwProtocol("trailing bytes after a binary-encoded value");
  return value;
}

}  // namespace chc
