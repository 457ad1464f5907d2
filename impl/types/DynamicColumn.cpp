#include "types/DynamicColumn.hpp"

#include <algorithm>
#include <string>

#include "common/Error.hpp"
#include "types/TypeFactory.hpp"

namespace chc {
namespace {
constexpr uint64_t kStructureV1 = 1;
constexpr uint64_t kStructureV2 = 2;
constexpr uint64_t kStructureFlattened = 3;
constexpr uint64_t kMaxDynamicTypes = 254;
constexpr size_t kMaxTypeName = 1 << 16;
constexpr std::string_view kSharedVariant = "SharedVariant";

TypePtr sharedVariantType() {
  // String bytes on the wire; each value is a binary type encoding followed by the binary value.
  return std::make_shared<DataType>(TypeKind::String, std::string(kSharedVariant));
}
}  // namespace

DynamicColumn::DynamicColumn(TypePtr type) : Column(std::move(type)) {}

void DynamicColumn::readPrefix(ReadBuffer& in) {
  uint64_t version = in.readLE<uint64_t>();
  if (version == kStructureFlattened)
    throwUnsupported(
        "the FLATTENED Dynamic serialization is not supported yet; do not set "
        "output_format_native_use_flattened_dynamic_and_json_serialization");
  if (version != kStructureV1 && version != kStructureV2)
    throwProtocol("unknown Dynamic structure version " + std::to_string(version));
  if (version == kStructureV1) in.readVarUInt();  // a slot readers ignore
  uint64_t n = in.readVarUInt();
  if (n > kMaxDynamicTypes) throwProtocol("Dynamic structure lists " + std::to_string(n) + " types");
  std::vector<TypePtr> types;
  for (uint64_t i = 0; i < n; ++i) types.push_back(makeType(in.readString(kMaxTypeName)));
  types.push_back(sharedVariantType());
  variant_ = std::make_unique<VariantColumn>(makeVariant(std::move(types)));
  variant_->readPrefix(in);
}

void DynamicColumn::readData(ReadBuffer& in, size_t rows) {
  if (!variant_) throwProtocol("Dynamic column data without its structure prefix");
  variant_->readData(in, rows);
}

size_t DynamicColumn::builtAlternative(const char* type_name) {
  for (size_t i = 0; i < built_.size(); ++i)
    if (built_[i]->type().name() == type_name) return i;
  built_.push_back(makeColumn(makeType(type_name)));
  return built_.size() - 1;
}

template <class F>
void DynamicColumn::appendBuilt(const char* type_name, F&& append) {
  if (variant_) throw Error(ErrorKind::InvalidState, "cannot append to a Dynamic column that was read");
  size_t i = builtAlternative(type_name);
  append(*built_[i]);
  built_discriminators_.push_back(static_cast<uint8_t>(i));
  built_null_map_.push_back(0);
}

void DynamicColumn::appendInt64(int64_t v) {
  appendBuilt("Int64", [&](Column& c) { c.appendInt64(v); });
}
void DynamicColumn::appendUInt64(uint64_t v) {
  appendBuilt("UInt64", [&](Column& c) { c.appendUInt64(v); });
}
void DynamicColumn::appendDouble(double v) {
  appendBuilt("Float64", [&](Column& c) { c.appendDouble(v); });
}
void DynamicColumn::appendString(std::string_view v) {
  appendBuilt("String", [&](Column& c) { c.appendString(v); });
}

void DynamicColumn::appendNull() {
  if (variant_) throw Error(ErrorKind::InvalidState, "cannot append to a Dynamic column that was read");
  built_discriminators_.push_back(VariantColumn::kNull);
  built_null_map_.push_back(1);
}

void DynamicColumn::clear() {
  variant_.reset();
  built_.clear();
  built_discriminators_.clear();
  built_null_map_.clear();
}

std::vector<std::string> DynamicColumn::sortedNames() const {
  std::vector<std::string> names;
  for (const auto& c : built_) names.push_back(c->type().name());
  names.emplace_back(kSharedVariant);
  std::sort(names.begin(), names.end());
  return names;
}

void DynamicColumn::writePrefix(WriteBuffer& out) const {
  if (variant_) {  // re-encoding what was read: the same types, the same (sorted) Variant
    std::vector<std::string> names;
    for (size_t i = 0; i < variant_->childCount(); ++i)
      if (variant_->child(i)->type().name() != kSharedVariant) names.push_back(variant_->child(i)->type().name());
    out.writeLE<uint64_t>(kStructureV1);
    out.writeVarUInt(names.size());
    out.writeVarUInt(names.size());
    for (const std::string& name : names) out.writeString(name);
    variant_->writePrefix(out);
    return;
  }
  out.writeLE<uint64_t>(kStructureV1);
  out.writeVarUInt(built_.size());
  out.writeVarUInt(built_.size());
  for (const std::string& name : sortedNames())
    if (name != kSharedVariant) out.writeString(name);
  out.writeLE<uint64_t>(0);  // Variant discriminators in BASIC mode
  for (const std::string& name : sortedNames())
    for (const auto& c : built_)
      if (c->type().name() == name) c->writePrefix(out);
}

void DynamicColumn::writeData(WriteBuffer& out) const {
  if (variant_) return variant_->writeData(out);
  std::vector<std::string> names = sortedNames();
  std::vector<uint8_t> to_sorted(built_.size());
  for (size_t i = 0; i < built_.size(); ++i)
    to_sorted[i] =
        static_cast<uint8_t>(std::find(names.begin(), names.end(), built_[i]->type().name()) - names.begin());
  for (uint8_t d : built_discriminators_) out.writeByte(d == VariantColumn::kNull ? d : to_sorted[d]);
  for (const std::string& name : names)
    for (const auto& c : built_)
      if (c->type().name() == name) c->writeData(out);  // SharedVariant has no rows: nothing
}

}  // namespace chc
