#include "types/NullableColumn.hpp"

namespace chc {

NullableColumn::NullableColumn(TypePtr type)
    : Column(std::move(type)), inner_(makeColumn(this->type().children()[0])) {}

void NullableColumn::readData(ReadBuffer& in, size_t rows) {
  readFixedBytes(in, null_map_, rows, 1);
  inner_->readData(in, rows);
}

void NullableColumn::writeData(WriteBuffer& out) const {
  out.writeBytes(null_map_.data(), null_map_.size());
  inner_->writeData(out);
}

void NullableColumn::appendNull() {
  inner_->appendDefault();  // the placeholder under a NULL: 0, "", ...
  null_map_.push_back(1);
}

void NullableColumn::appendFixed(std::span<const uint8_t> values) {
  size_t before = inner_->size();
  inner_->appendFixed(values);
  null_map_.resize(null_map_.size() + (inner_->size() - before), 0);
}

}  // namespace chc
