#include "types/JSONColumn.hpp"

#include <string>

#include "common/Error.hpp"

namespace chc {
namespace {
constexpr uint64_t kJsonAsString = 1;
}

JSONColumn::JSONColumn(TypePtr type)
    : Column(std::move(type)), text_(std::make_shared<DataType>(TypeKind::String, "String")) {}

void JSONColumn::readPrefix(ReadBuffer& in) {
  uint64_t version = in.readLE<uint64_t>();
  if (version == kJsonAsString) return;
  if (version <= 4)
    throwUnsupported("the JSON object serialization (version " + std::to_string(version) +
                     ") is not supported yet; query with SETTINGS output_format_native_write_json_as_string=1");
  throwProtocol("unknown JSON serialization version " + std::to_string(version));
}

void JSONColumn::writePrefix(WriteBuffer& out) const { out.writeLE<uint64_t>(kJsonAsString); }

}  // namespace chc
