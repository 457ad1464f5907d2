#include "types/VariantColumn.hpp"

#include <algorithm>
#include <string>

#include "common/Error.hpp"

namespace chc {

// Builds alternative `index` or one of its descendants (a Tuple element, an Array's elements, ...):
// forwards each append to `target`, then records a discriminator for every row the alternative
// gained. A Tuple alternative gains its row with its first element's value, an Array with
// endArray(), a scalar with each value.
class VariantColumn::TrackingBuilder final : public Column {
 public:
  TrackingBuilder(VariantColumn& parent, size_t index, Column& target, bool is_alternative)
      : Column(target.typePtr()), parent_(parent), index_(index), target_(target), is_alternative_(is_alternative) {
    children_.resize(target.childCount());
  }

  size_t size() const override { return target_.size(); }
  void readData(ReadBuffer&, size_t) override { throw Error(ErrorKind::Internal, "a Variant builder cannot read"); }
  void writeData(WriteBuffer&) const override { throw Error(ErrorKind::Internal, "a Variant builder cannot write"); }
  size_t childCount() const override { return target_.childCount(); }
  Column* child(size_t i) const override { return target_.child(i); }
  Column* builderChild(size_t i) override {
    Column* inner = target_.builderChild(i);
    if (!inner) return nullptr;
    if (!children_[i]) children_[i] = std::make_unique<TrackingBuilder>(parent_, index_, *inner, false);
    return children_[i].get();
  }

  void appendInt64(int64_t v) override {
    forward([&] { target_.appendInt64(v); });
  }
  void appendUInt64(uint64_t v) override {
    forward([&] { target_.appendUInt64(v); });
  }
  void appendDouble(double v) override {
    forward([&] { target_.appendDouble(v); });
  }
  void appendString(std::string_view v) override {
    forward([&] { target_.appendString(v); });
  }
  void appendFixed(std::span<const uint8_t> values) override {
    forward([&] { target_.appendFixed(values); });
  }
  // NULL on the alternative itself is a NULL Variant row; below it, the descendant's own NULL.
  void appendNull() override {
    if (is_alternative_)
      parent_.appendNull();
    else
      forward([&] { target_.appendNull(); });
  }
  void endArray() override {
    forward([&] { target_.endArray(); });
  }
  void appendDefault() override {
    forward([&] { target_.appendDefault(); });
  }
  void clear() override { throw Error(ErrorKind::Internal, "clear the Variant column instead"); }

 private:
  template <class F>
  void forward(F&& f) {
    f();
    parent_.recordNewRows(index_);
  }
  VariantColumn& parent_;
  size_t index_;
  Column& target_;
  bool is_alternative_;
  std::vector<std::unique_ptr<Column>> children_;
};

VariantColumn::VariantColumn(TypePtr type) : Column(std::move(type)) {
  for (const TypePtr& alt : this->type().children()) alternatives_.push_back(makeColumn(alt));
  builders_.resize(alternatives_.size());
  recorded_.resize(alternatives_.size());
}

VariantColumn::~VariantColumn() = default;

Column* VariantColumn::builderChild(size_t i) {
  if (i >= alternatives_.size()) return nullptr;
  if (!builders_[i]) builders_[i] = std::make_unique<TrackingBuilder>(*this, i, *alternatives_[i], true);
  return builders_[i].get();
}

void VariantColumn::readPrefix(ReadBuffer& in) {
  uint64_t mode = in.readLE<uint64_t>();
  if (mode != 0)
    throwProtocol("Variant discriminator mode " + std::to_string(mode) + " (only BASIC = 0 is valid in Native)");
  for (auto& alt : alternatives_) alt->readPrefix(in);
}

void VariantColumn::readData(ReadBuffer& in, size_t rows) {
  const size_t first = discriminators_.size();
  readFixedBytes(in, discriminators_, rows, 1);
  std::vector<size_t> counts(alternatives_.size(), 0);
  null_map_.reserve(discriminators_.size());
  member_rows_.reserve(discriminators_.size());
  for (size_t r = first; r < discriminators_.size(); ++r) {
    uint8_t d = discriminators_[r];
    if (d == kNull) {
      null_map_.push_back(1);
      member_rows_.push_back(0);
      continue;
    }
    if (d >= alternatives_.size())
      throwProtocol("Variant discriminator " + std::to_string(d) + " out of range for " + type().name());
    null_map_.push_back(0);
    member_rows_.push_back(static_cast<uint32_t>(alternatives_[d]->size() + counts[d]++));
  }
  for (size_t i = 0; i < alternatives_.size(); ++i) {
    alternatives_[i]->readData(in, counts[i]);
    recorded_[i] = alternatives_[i]->size();
  }
}

void VariantColumn::writePrefix(WriteBuffer& out) const {
  out.writeLE<uint64_t>(0);  // BASIC discriminators
  for (const auto& alt : alternatives_) alt->writePrefix(out);
}

void VariantColumn::writeData(WriteBuffer& out) const {
  out.writeBytes(discriminators_.data(), discriminators_.size());
  for (const auto& alt : alternatives_) alt->writeData(out);
}

void VariantColumn::recordNewRows(size_t i) {
  while (recorded_[i] < alternatives_[i]->size()) pushRow(static_cast<uint8_t>(i), recorded_[i]++);
}

void VariantColumn::pushRow(uint8_t discriminator, size_t member_row) {
  discriminators_.push_back(discriminator);
  null_map_.push_back(discriminator == kNull);
  member_rows_.push_back(static_cast<uint32_t>(member_row));
}

template <class F>
void VariantColumn::appendFirstAccepting(const char* what, F&& append) {
  for (size_t i = 0; i < alternatives_.size(); ++i) {
    try {
      appendTo(i, append);
      return;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Type) throw;  // only "this alternative does not take it" moves on
    }
  }
  throw Error(ErrorKind::Type, std::string("no alternative of ") + type().name() + " accepts " + what);
}

void VariantColumn::appendInt64(int64_t v) {
  appendFirstAccepting("this integer", [&](Column& c) { c.appendInt64(v); });
}
void VariantColumn::appendUInt64(uint64_t v) {
  appendFirstAccepting("this integer", [&](Column& c) { c.appendUInt64(v); });
}
void VariantColumn::appendDouble(double v) {
  appendFirstAccepting("this number", [&](Column& c) { c.appendDouble(v); });
}
void VariantColumn::appendString(std::string_view v) {
  appendFirstAccepting("this string", [&](Column& c) { c.appendString(v); });
}
void VariantColumn::appendNull() { pushRow(kNull, 0); }

void VariantColumn::clear() {
  for (auto& alt : alternatives_) alt->clear();
  discriminators_.clear();
  null_map_.clear();
  member_rows_.clear();
  std::fill(recorded_.begin(), recorded_.end(), 0);
}

}  // namespace chc
