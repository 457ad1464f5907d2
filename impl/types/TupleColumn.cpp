#include "types/TupleColumn.hpp"

#include <algorithm>
#include <string>

#include "common/Error.hpp"

namespace chc {

TupleColumn::TupleColumn(TypePtr type) : Column(std::move(type)) {
  for (const TypePtr& element : this->type().children()) elements_.push_back(makeColumn(element));
}

void TupleColumn::readPrefix(ReadBuffer& in) {
  for (auto& e : elements_) e->readPrefix(in);
}

void TupleColumn::readData(ReadBuffer& in, size_t rows) {
  if (elements_.empty()) {  // one placeholder byte per row (spec §4.4); content ignored
    std::vector<uint8_t> skip;
    for (size_t done = 0; done < rows;) {
      size_t n = std::min<size_t>(rows - done, 1 << 16);
      skip.clear();
      in.appendBytes(skip, n);
      done += n;
    }
    empty_rows_ += rows;
    return;
  }
  for (auto& e : elements_) e->readData(in, rows);
}

void TupleColumn::writePrefix(WriteBuffer& out) const {
  for (const auto& e : elements_) e->writePrefix(out);
}

void TupleColumn::writeData(WriteBuffer& out) const {
  if (elements_.empty()) {
    for (size_t i = 0; i < empty_rows_; ++i) out.writeByte('0');
    return;
  }
  for (size_t i = 1; i < elements_.size(); ++i)
    if (elements_[i]->size() != elements_[0]->size())
      throwInvalid("elements of a " + type().name() + " column have different row counts (" +
                   std::to_string(elements_[0]->size()) + " and " + std::to_string(elements_[i]->size()) + ")");
  for (const auto& e : elements_) e->writeData(out);
}

void TupleColumn::appendDefault() {
  if (elements_.empty()) ++empty_rows_;
  for (auto& e : elements_) e->appendDefault();
}

void TupleColumn::clear() {
  empty_rows_ = 0;
  for (auto& e : elements_) e->clear();
}

}  // namespace chc
