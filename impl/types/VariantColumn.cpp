#include "types/VariantColumn.hpp"

#include <string>

#include "common/Error.hpp"

namespace chc {

// The builder of one alternative: forwards appends and records the discriminator of each row.
class VariantColumn::AlternativeBuilder final : public Column {
 public:
  AlternativeBuilder(VariantColumn& parent, size_t index)
      : Column(parent.alternatives_[index]->typePtr()), parent_(parent), index_(index) {}

  size_t size() const override { return target().size(); }
  void readData(ReadBuffer&, size_t) override { throw Error(ErrorKind::Internal, "a Variant builder cannot read"); }
  void writeData(WriteBuffer&) const override { throw Error(ErrorKind::Internal, "a Variant builder cannot write"); }
  size_t childCount() const override { return target().childCount(); }
  Column* child(size_t i) const override { return target().child(i); }
  Column* builderChild(size_t i) override { return target().builderChild(i); }

  void appendInt64(int64_t v) override {
    forward([&](Column& c) { c.appendInt64(v); });
  }
  void appendUInt64(uint64_t v) override {
    forward([&](Column& c) { c.appendUInt64(v); });
  }
  void appendDouble(double v) override {
    forward([&](Column& c) { c.appendDouble(v); });
  }
  void appendString(std::string_view v) override {
    forward([&](Column& c) { c.appendString(v); });
  }
  void appendFixed(std::span<const uint8_t> values) override {
    // Several rows at once: append one value at a time so each gets its discriminator.
    const size_t width = type().fixedSize();
    if (width == 0 || values.size() % width)
      throw Error(ErrorKind::Type, "fixed-width values do not fit " + type().name());
    for (size_t i = 0; i < values.size(); i += width)
      forward([&](Column& c) { c.appendFixed(values.subspan(i, width)); });
  }
  void appendNull() override { parent_.appendNull(); }
  void endArray() override {
    forward([&](Column& c) { c.endArray(); });
  }
  void appendDefault() override {
    forward([&](Column& c) { c.appendDefault(); });
  }
  void clear() override { throw Error(ErrorKind::Internal, "clear the Variant column instead"); }

 private:
  Column& target() const { return *parent_.alternatives_[index_]; }
  template <class F>
  void forward(F&& f) {
    parent_.appendTo(index_, f);
  }
  VariantColumn& parent_;
  size_t index_;
};

VariantColumn::VariantColumn(TypePtr type) : Column(std::move(type)) {
  for (const TypePtr& alt : this->type().children()) alternatives_.push_back(makeColumn(alt));
  builders_.resize(alternatives_.size());
}

VariantColumn::~VariantColumn() = default;

Column* VariantColumn::builderChild(size_t i) {
  if (i >= alternatives_.size()) return nullptr;
  if (!builders_[i]) builders_[i] = std::make_unique<AlternativeBuilder>(*this, i);
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
  for (size_t i = 0; i < alternatives_.size(); ++i) alternatives_[i]->readData(in, counts[i]);
}

void VariantColumn::writePrefix(WriteBuffer& out) const {
  out.writeLE<uint64_t>(0);  // BASIC discriminators
  for (const auto& alt : alternatives_) alt->writePrefix(out);
}

void VariantColumn::writeData(WriteBuffer& out) const {
  out.writeBytes(discriminators_.data(), discriminators_.size());
  for (const auto& alt : alternatives_) alt->writeData(out);
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
}

}  // namespace chc
