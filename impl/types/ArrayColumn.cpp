#include "types/ArrayColumn.hpp"

#include <string>

#include "common/Error.hpp"

namespace chc {

ArrayColumn::ArrayColumn(TypePtr type) : Column(std::move(type)), elements_(makeColumn(this->type().children()[0])) {}

void ArrayColumn::readData(ReadBuffer& in, size_t rows) {
  const uint64_t base = static_cast<uint64_t>(offsets_.back());
  uint64_t prev = base;
  offsets_.reserve(offsets_.size() + std::min<size_t>(rows, 1 << 20));
  for (size_t i = 0; i < rows; ++i) {
    uint64_t offset = in.readLE<uint64_t>();
    // Offsets are cumulative; a decreasing or absurd one means corrupt data.
    if (offset > (uint64_t(1) << 62)) throwProtocol("Array offset " + std::to_string(offset) + " is impossibly large");
    uint64_t end = base + offset;
    if (end < prev)
      throwProtocol("Array offsets are not monotonic (" + std::to_string(offset) + " after " +
                    std::to_string(prev - base) + ")");
    offsets_.push_back(static_cast<int64_t>(end));
    prev = end;
  }
  elements_->readData(in, prev - base);
}

void ArrayColumn::writeData(WriteBuffer& out) const {
  if (static_cast<int64_t>(elements_->size()) != offsets_.back())
    throwInvalid("column of type " + type().name() + " has " +
                 std::to_string(static_cast<int64_t>(elements_->size()) - offsets_.back()) +
                 " elements appended after its last row; close the row with end_array first");
  for (size_t i = 1; i < offsets_.size(); ++i) out.writeLE<uint64_t>(static_cast<uint64_t>(offsets_[i]));
  elements_->writeData(out);
}

void ArrayColumn::endArray() {
  int64_t count = static_cast<int64_t>(elements_->size());
  if (count < offsets_.back()) throw Error(ErrorKind::Internal, "array elements shrank");
  offsets_.push_back(count);
}

}  // namespace chc
