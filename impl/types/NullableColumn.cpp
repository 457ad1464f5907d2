#include "types/NullableColumn.hpp"

namespace chc {

NullableColumn::NullableColumn(TypePtr type) : Column(std::move(type)), inner_(makeColumn(this->type().children()[0])) {}

void NullableColumn::readData(ReadBuffer& in, size_t rows) {
  readFixedBytes(in, null_map_, rows, 1);
  inner_->readData(in, rows);
}

void NullableColumn::writeData(WriteBuffer& out) const {
  out.writeBytes(null_map_.data(), null_map_.size());
  inner_->writeData(out);
}

void NullableColumn::appendNull() {
  // The placeholder is the inner type's default: 0 for numbers, "" for strings.
  switch (inner_->type().kind()) {
    case TypeKind::String:
    case TypeKind::FixedString: inner_->appendString({}); break;
    default: inner_->appendUInt64(0); break;
  }
  null_map_.push_back(1);
}

}  // namespace chc
