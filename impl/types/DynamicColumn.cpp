#include "types/DynamicColumn.hpp"

#include <algorithm>
#include <string>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "types/RowBinaryValue.hpp"
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
  StructureNestingGuard guard;
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
  shared_index_ = -1;
  for (size_t i = 0; i < variant_->childCount(); ++i)
    if (variant_->child(i)->type().name() == kSharedVariant) shared_index_ = static_cast<int>(i);
  shared_values_.clear();
  shared_errors_.clear();
  variant_->readPrefix(in);
}

void DynamicColumn::readData(ReadBuffer& in, size_t rows) {
  StructureNestingGuard guard;
  if (!variant_) throwProtocol("Dynamic column data without its structure prefix");
  size_t from = shared_index_ >= 0 ? variant_->child(size_t(shared_index_))->size() : 0;
  variant_->readData(in, rows);
  decodeSharedValues(from);
}

void DynamicColumn::decodeSharedValues(size_t from) {
  if (shared_index_ < 0) return;
  const Column& shared = *variant_->child(size_t(shared_index_));
  auto off = shared.offsets();
  auto bytes = shared.data();
  for (size_t i = from; i < shared.size(); ++i) {
    std::span<const uint8_t> value = bytes.subspan(size_t(off[i]), size_t(off[i + 1] - off[i]));
    try {
      shared_values_.push_back(decodeDynamicBinaryValue(value));
      shared_errors_.emplace_back();
    } catch (const Error& e) {
      // Kept as raw bytes (the C view); the error surfaces only when the value is asked for.
      shared_values_.push_back(nullptr);
      shared_errors_.emplace_back(std::string("SharedVariant value: ") + e.what());
    }
  }
}

std::pair<const Column*, size_t> DynamicColumn::valueAt(size_t row) const {
  if (decoded_mode_) {
    if (row >= decoded_.size()) throwInvalid("row out of range");
    return {decoded_[row].get(), 0};
  }
  if (!variant_) {
    // NULL placeholders (below a Nullable or Tuple default) read as NULL in either mode.
    if (built_.empty() && row < built_discriminators_.size()) return {nullptr, 0};
    throw Error(ErrorKind::InvalidState, "a Dynamic column being built has no readable values");
  }
  if (row >= variant_->size()) throwInvalid("row out of range");
  uint8_t d = variant_->discriminator(row);
  if (d == VariantColumn::kNull) return {nullptr, 0};
  size_t member = variant_->memberRow(row);
  if (static_cast<int>(d) != shared_index_) return {variant_->child(d), member};
  if (member >= shared_values_.size()) throw Error(ErrorKind::Internal, "SharedVariant value was not decoded");
  if (!shared_values_[member]) {
    if (shared_errors_[member].empty()) return {nullptr, 0};  // encoded NULL (Nothing)
    throw Error(ErrorKind::Protocol, shared_errors_[member]);
  }
  return {shared_values_[member].get(), 0};
}

void DynamicColumn::appendDecodedValue(ColumnPtr value) {
  if (!decoded_mode_ && !variant_ && built_.empty()) {
    // Only NULLs so far: a binary value can default a Dynamic (the placeholder below a NULL of
    // Nullable(Tuple(..., Dynamic))) before its first real value; they become decoded NULL rows.
    decoded_.resize(built_discriminators_.size());  // nullptr each
    built_discriminators_.clear();
    decoded_mode_ = true;
  }
  if (!decoded_mode_) throw Error(ErrorKind::InvalidState, "cannot mix decoded values into this Dynamic column");
  built_null_map_.push_back(value ? 0 : 1);
  decoded_.push_back(std::move(value));
}

size_t DynamicColumn::builtAlternative(const char* type_name) {
  for (size_t i = 0; i < built_.size(); ++i)
    if (built_[i]->type().name() == type_name) return i;
  built_.push_back(makeColumn(makeType(type_name)));
  return built_.size() - 1;
}

template <class F>
void DynamicColumn::appendBuilt(const char* type_name, F&& append) {
  if (variant_ || decoded_mode_)
    throw Error(ErrorKind::InvalidState, "cannot append to a Dynamic column that was read");
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
  if (decoded_mode_) return appendDecodedValue(nullptr);
  if (variant_) throw Error(ErrorKind::InvalidState, "cannot append to a Dynamic column that was read");
  built_discriminators_.push_back(VariantColumn::kNull);
  built_null_map_.push_back(1);
}

void DynamicColumn::clear() {
  variant_.reset();
  shared_index_ = -1;
  shared_values_.clear();
  shared_errors_.clear();
  decoded_mode_ = false;
  decoded_.clear();
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
  if (decoded_mode_) throwUnsupported("a Dynamic column of decoded values cannot be written");
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
  if (decoded_mode_) throwUnsupported("a Dynamic column of decoded values cannot be written");
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
