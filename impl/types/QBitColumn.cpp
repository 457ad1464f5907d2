#include "types/QBitColumn.hpp"

#include <cstring>
#include <string>

#include "common/Error.hpp"

namespace chc {

bool isQBitType(const DataType& type) noexcept {
  return type.kind() == TypeKind::Array && type.name().starts_with("QBit(");
}

namespace {
// N from the canonical name "QBit(T, N)".
size_t qbitDimension(const std::string& name) {
  size_t comma = name.rfind(", ");
  if (comma == std::string::npos || name.back() != ')') return 0;
  size_t n = 0;
  for (size_t i = comma + 2; i + 1 < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || n > (1u << 24)) return 0;
    n = n * 10 + size_t(name[i] - '0');
  }
  return n;
}
}  // namespace

QBitColumn::QBitColumn(TypePtr type)
    : Column(std::move(type)),
      dim_(qbitDimension(this->type().name())),
      width_(this->type().children()[0]->fixedSize()),
      elements_(makeColumn(this->type().children()[0])) {
  if (dim_ == 0 || (width_ != 2 && width_ != 4 && width_ != 8))
    throwInvalid("invalid QBit type " + this->type().name());
}

void QBitColumn::readData(ReadBuffer& in, size_t rows) {
  const size_t bits = width_ * 8, row_bytes = (dim_ + 7) / 8;
  if (rows > (uint64_t(1) << 40) / row_bytes)
    throwProtocol("QBit row count " + std::to_string(rows) + " is impossibly large");
  std::vector<uint8_t> planes;
  readFixedBytes(in, planes, uint64_t(rows) * row_bytes * bits, 1);  // all planes, plane-major
  std::vector<uint8_t> values(rows * dim_ * width_, 0);
  for (size_t p = 0; p < bits; ++p) {
    const size_t bit = bits - 1 - p;
    const uint8_t* plane = planes.data() + p * rows * row_bytes;
    for (size_t r = 0; r < rows; ++r) {
      const uint8_t* row = plane + r * row_bytes;
      for (size_t i = 0; i < dim_; ++i) {
        if ((row[row_bytes - 1 - i / 8] >> (i % 8)) & 1) {
          uint8_t* v = values.data() + (r * dim_ + i) * width_;
          v[bit / 8] |= uint8_t(1u << (bit % 8));  // little-endian element
        }
      }
    }
  }
  elements_->appendFixed(values);
  for (size_t r = 0; r < rows; ++r) offsets_.push_back(offsets_.back() + int64_t(dim_));
}

void QBitColumn::writeData(WriteBuffer& out) const {
  if (static_cast<int64_t>(elements_->size()) != offsets_.back())
    throwInvalid("column of type " + type().name() + " has elements appended after its last row");
  const size_t rows = size(), bits = width_ * 8, row_bytes = (dim_ + 7) / 8;
  auto values = elements_->data();
  std::vector<uint8_t> plane(rows * row_bytes);
  for (size_t p = 0; p < bits; ++p) {
    const size_t bit = bits - 1 - p;
    std::fill(plane.begin(), plane.end(), 0);
    for (size_t r = 0; r < rows; ++r)
      for (size_t i = 0; i < dim_; ++i) {
        const uint8_t* v = values.data() + (r * dim_ + i) * width_;
        if ((v[bit / 8] >> (bit % 8)) & 1) plane[r * row_bytes + row_bytes - 1 - i / 8] |= uint8_t(1u << (i % 8));
      }
    out.writeBytes(plane.data(), plane.size());
  }
}

void QBitColumn::endArray() {
  int64_t count = static_cast<int64_t>(elements_->size()) - offsets_.back();
  if (count != static_cast<int64_t>(dim_)) {
    // The row stays open: the caller may append the missing elements and end it again.
    throw Error(ErrorKind::Type, type().name() + " rows need exactly " + std::to_string(dim_) + " elements, got " +
                                     std::to_string(count));
  }
  offsets_.push_back(offsets_.back() + count);
}

void QBitColumn::appendDefault() {
  std::vector<uint8_t> zeros(dim_ * width_, 0);
  elements_->appendFixed(zeros);
  offsets_.push_back(offsets_.back() + int64_t(dim_));
}

}  // namespace chc
