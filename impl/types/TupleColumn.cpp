#include "types/TupleColumn.hpp"

#include <string>

#include "common/Error.hpp"

namespace chc {

TupleColumn::TupleColumn(TypePtr type) : Column(std::move(type)) {
  for (const TypePtr& element : this->type().children()) elements_.push_back(makeColumn(element));
  if (elements_.empty()) throwUnsupported("empty Tuple() columns are not supported yet");
}

void TupleColumn::readPrefix(ReadBuffer& in) {
  for (auto& e : elements_) e->readPrefix(in);
}

void TupleColumn::readData(ReadBuffer& in, size_t rows) {
  for (auto& e : elements_) e->readData(in, rows);
}

void TupleColumn::writePrefix(WriteBuffer& out) const {
  for (const auto& e : elements_) e->writePrefix(out);
}

void TupleColumn::writeData(WriteBuffer& out) const {
  for (size_t i = 1; i < elements_.size(); ++i)
    if (elements_[i]->size() != elements_[0]->size())
      throwInvalid("elements of a " + type().name() + " column have different row counts (" +
                   std::to_string(elements_[0]->size()) + " and " + std::to_string(elements_[i]->size()) + ")");
  for (const auto& e : elements_) e->writeData(out);
}

void TupleColumn::appendDefault() {
  for (auto& e : elements_) e->appendDefault();
}

void TupleColumn::clear() {
  for (auto& e : elements_) e->clear();
}

}  // namespace chc
