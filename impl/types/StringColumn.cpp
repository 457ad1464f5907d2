#include "types/StringColumn.hpp"

#include <string>

namespace chc {
namespace {
// ClickHouse refuses strings over 1 GiB in one value; a larger length is corrupt input.
constexpr uint64_t kMaxStringLength = 1ull << 30;
}  // namespace

void StringColumn::readData(ReadBuffer& in, size_t rows) {
  offsets_.reserve(offsets_.size() + std::min<size_t>(rows, 1 << 20));
  for (size_t i = 0; i < rows; ++i) {
    uint64_t len = in.readVarUInt();
    if (len > kMaxStringLength) throwProtocol("string length " + std::to_string(len) + " is impossibly large");
    in.appendBytes(bytes_, len);
    offsets_.push_back(static_cast<int64_t>(bytes_.size()));
  }
}

void StringColumn::writeData(WriteBuffer& out) const {
  for (size_t i = 0; i + 1 < offsets_.size(); ++i) {
    size_t begin = offsets_[i], end = offsets_[i + 1];
    out.writeVarUInt(end - begin);
    out.writeBytes(bytes_.data() + begin, end - begin);
  }
}

void StringColumn::appendString(std::string_view value) {
  bytes_.insert(bytes_.end(), value.begin(), value.end());
  offsets_.push_back(static_cast<int64_t>(bytes_.size()));
}

}  // namespace chc
