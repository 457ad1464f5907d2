#include "types/JSONColumn.hpp"

#include <string>
#include <utility>

#include "common/Error.hpp"
#include "types/DynamicColumn.hpp"
#include "types/JSONText.hpp"
#include "types/RowBinaryValue.hpp"
#include "types/TypeFactory.hpp"

namespace chc {
namespace {
constexpr uint64_t kObjectV1 = 0;
constexpr uint64_t kJsonAsString = 1;
constexpr uint64_t kObjectV2 = 2;
constexpr uint64_t kFlattened = 3;
constexpr uint64_t kMaxDynamicPaths = 1 << 20;
constexpr size_t kMaxPath = 1 << 16;
}  // namespace

struct JSONColumn::ObjectState {
  std::vector<std::string> typed_paths;
  std::vector<ColumnPtr> typed;
  std::vector<std::string> dynamic_paths;
  std::vector<ColumnPtr> dynamic;
};

JSONColumn::JSONColumn(TypePtr type)
    : Column(std::move(type)), text_(std::make_shared<DataType>(TypeKind::String, "String")) {}

JSONColumn::~JSONColumn() = default;

void JSONColumn::clear() {
  text_.clear();
  object_.reset();
}

void JSONColumn::readPrefix(ReadBuffer& in) {
  StructureNestingGuard guard;
  object_.reset();
  uint64_t version = in.readLE<uint64_t>();
  if (version == kJsonAsString) return;
  if (version == kObjectV1 || version == kObjectV2) {
    auto state = std::make_unique<ObjectState>();
    if (version == kObjectV1) in.readVarUInt();  // a slot readers ignore
    uint64_t m = in.readVarUInt();
    if (m > kMaxDynamicPaths) throwProtocol("JSON structure lists " + std::to_string(m) + " dynamic paths");
    for (uint64_t i = 0; i < m; ++i) {
      state->dynamic_paths.push_back(in.readString(kMaxPath));
      if (i && state->dynamic_paths[i] <= state->dynamic_paths[i - 1])
        throwProtocol("JSON dynamic paths are not sorted and unique");
    }
    const DataType& t = type();
    for (const auto& [path, path_type] : t.jsonTypedPaths()) {
      if (!path_type)
        throwUnsupported("JSON typed path " + path + " of " + t.name() +
                         " has a type this version cannot decode; query with SETTINGS "
                         "output_format_native_write_json_as_string=1");
      state->typed_paths.push_back(path);
      state->typed.push_back(makeColumn(path_type));
      state->typed.back()->readPrefix(in);
    }
    static const TypePtr dynamic_type = makeType("Dynamic");
    for (uint64_t i = 0; i < m; ++i) {
      state->dynamic.push_back(makeColumn(dynamic_type));
      state->dynamic.back()->readPrefix(in);
    }
    object_ = std::move(state);
    return;
  }
  if (version == kFlattened || version == 4)
    throwUnsupported(
        "the JSON " + std::string(version == kFlattened ? "FLATTENED" : "V3") + " serialization (version " +
        std::to_string(version) +
        ") is not supported; do not set output_format_native_use_flattened_dynamic_and_json_serialization");
  throwProtocol("unknown JSON serialization version " + std::to_string(version));
}

void JSONColumn::readData(ReadBuffer& in, size_t rows) {
  StructureNestingGuard guard;
  if (object_) return readObjectData(in, rows);
  text_.readData(in, rows);
}

void JSONColumn::readObjectData(ReadBuffer& in, size_t rows) {
  ObjectState& s = *object_;
  std::vector<size_t> typed_base, dynamic_base;
  for (auto& c : s.typed) {
    typed_base.push_back(c->size());
    c->readData(in, rows);
  }
  for (auto& c : s.dynamic) {
    dynamic_base.push_back(c->size());
    c->readData(in, rows);
  }
  static const TypePtr shared_type = makeType("Array(Tuple(String, String))");
  ColumnPtr shared = makeColumn(shared_type);
  shared->readData(in, rows);
  auto shared_off = shared->offsets();
  const Column& shared_paths = *shared->child(0)->child(0);
  const Column& shared_values = *shared->child(0)->child(1);
  auto text_at = [](const Column& c, size_t i) {
    auto off = c.offsets();
    return std::string_view(reinterpret_cast<const char*>(c.data().data()) + off[i], size_t(off[i + 1] - off[i]));
  };

  std::vector<std::pair<std::string, std::string>> pv;
  std::string doc;
  for (size_t r = 0; r < rows; ++r) {
    pv.clear();
    for (size_t i = 0; i < s.typed.size(); ++i) {
      std::string value;
      appendJSONValue(*s.typed[i], typed_base[i] + r, value);
      pv.emplace_back(s.typed_paths[i], std::move(value));
    }
    for (size_t i = 0; i < s.dynamic.size(); ++i) {
      auto [col, row] = static_cast<const DynamicColumn&>(*s.dynamic[i]).valueAt(dynamic_base[i] + r);
      if (!col) continue;  // NULL and absent are the same
      std::string value;
      appendJSONValue(*col, row, value);
      pv.emplace_back(s.dynamic_paths[i], std::move(value));
    }
    for (int64_t k = shared_off[r]; k < shared_off[r + 1]; ++k) {
      std::string_view bytes = text_at(shared_values, size_t(k));
      ColumnPtr value = decodeDynamicBinaryValue({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
      if (!value) continue;
      std::string text;
      appendJSONValue(*value, 0, text);
      pv.emplace_back(std::string(text_at(shared_paths, size_t(k))), std::move(text));
    }
    doc.clear();
    appendJSONObject(pv, doc);
    text_.appendString(doc);
  }
}

void JSONColumn::writePrefix(WriteBuffer& out) const { out.writeLE<uint64_t>(kJsonAsString); }

}  // namespace chc
