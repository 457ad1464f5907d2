#include "types/LowCardinalityColumn.hpp"

#include <cstring>
#include <string>

#include "common/Error.hpp"

namespace chc {
namespace {

constexpr uint64_t kKeyVersion = 1;  // SharedDictionariesWithAdditionalKeys
constexpr uint64_t kNeedGlobalDictionary = 1u << 8;
constexpr uint64_t kHasAdditionalKeys = 1u << 9;
constexpr uint64_t kNeedUpdateDictionary = 1u << 10;
constexpr uint64_t kMaxKeys = uint64_t(1) << 32;

const TypePtr& baseType(const DataType& lc) {
  const TypePtr& inner = lc.children()[0];
  return inner->kind() == TypeKind::Nullable ? inner->children()[0] : inner;
}

// The bytes that identify a dictionary value (fixed-width bytes, or the string itself).
std::string valueKey(const Column& c, size_t row) {
  auto data = c.data();
  auto off = c.offsets();
  if (!off.empty())
    return std::string(reinterpret_cast<const char*>(data.data()) + off[row],
                       static_cast<size_t>(off[row + 1] - off[row]));
  size_t w = data.size() / c.size();
  return std::string(reinterpret_cast<const char*>(data.data()) + row * w, w);
}

}  // namespace

LowCardinalityColumn::LowCardinalityColumn(TypePtr type)
    : Column(std::move(type)),
      nullable_(this->type().children()[0]->kind() == TypeKind::Nullable),
      dictionary_(makeColumn(baseType(this->type()))),
      scratch_(makeColumn(baseType(this->type()))) {
  resetDictionary();
}

void LowCardinalityColumn::resetDictionary() {
  dictionary_->clear();
  lookup_.clear();
  width_ = 4;
  if (nullable_) dictionary_->appendDefault();  // slot 0: NULL
  dictionary_->appendDefault();                 // the default value
  lookup_.emplace(valueKey(*dictionary_, dictionary_->size() - 1), static_cast<uint32_t>(dictionary_->size() - 1));
}

uint64_t LowCardinalityColumn::indexAt(size_t row) const {
  const uint8_t* p = index_bytes_.data() + row * width_;
  switch (width_) {
    case 1: return p[0];
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

void LowCardinalityColumn::readPrefix(ReadBuffer& in) {
  uint64_t version = in.readLE<uint64_t>();
  if (version != kKeyVersion)
    throwProtocol("LowCardinality key serialization version " + std::to_string(version) + " is not supported");
}

void LowCardinalityColumn::readData(ReadBuffer& in, size_t rows) {
  if (rows == 0) return;  // nothing follows the prefix when there are no rows (e.g. all arrays empty)
  if (size() != 0) throw Error(ErrorKind::Internal, "LowCardinality columns are read once per block");
  uint64_t flags = in.readLE<uint64_t>();
  if (flags & kNeedGlobalDictionary) throwProtocol("LowCardinality with a global dictionary is not valid in Native");
  if ((flags & ~uint64_t(0xff | kHasAdditionalKeys | kNeedUpdateDictionary)) != 0 || (flags & 0xff) > 3)
    throwProtocol("LowCardinality index flags 0x" + std::to_string(flags) + " are invalid");
  width_ = size_t(1) << (flags & 0xff);
  was_read_ = true;
  uint64_t keys = in.readLE<uint64_t>();
  if (keys > kMaxKeys) throwProtocol("LowCardinality dictionary of " + std::to_string(keys) + " keys");
  dictionary_->clear();
  lookup_.clear();
  dictionary_->readData(in, keys);
  uint64_t n = in.readLE<uint64_t>();
  if (n != rows)
    throwProtocol("LowCardinality has " + std::to_string(n) + " indexes for " + std::to_string(rows) + " rows");
  index_bytes_.clear();
  readFixedBytes(in, index_bytes_, rows, width_);
  for (size_t r = 0; r < rows; ++r)
    if (indexAt(r) >= keys)
      throwProtocol("LowCardinality index " + std::to_string(indexAt(r)) + " out of range (dictionary has " +
                    std::to_string(keys) + " keys)");
  if (nullable_) {
    null_map_.resize(rows);
    for (size_t r = 0; r < rows; ++r) null_map_[r] = indexAt(r) == 0;
  }
}

void LowCardinalityColumn::writePrefix(WriteBuffer& out) const { out.writeLE<uint64_t>(kKeyVersion); }

void LowCardinalityColumn::writeData(WriteBuffer& out) const {
  const size_t rows = size();
  if (rows == 0) return;
  const uint64_t keys = dictionary_->size();
  // The smallest width that holds every index (spec §5.6, writers).
  uint64_t code = keys <= 0x100 ? 0 : keys <= 0x10000 ? 1 : keys <= 0x100000000ull ? 2 : 3;
  out.writeLE<uint64_t>(code | kHasAdditionalKeys | kNeedUpdateDictionary);
  out.writeLE<uint64_t>(keys);
  dictionary_->writeData(out);
  out.writeLE<uint64_t>(rows);
  for (size_t r = 0; r < rows; ++r) {
    uint64_t v = indexAt(r);
    out.writeBytes(&v, size_t(1) << code);  // little-endian: the low bytes come first
  }
}

void LowCardinalityColumn::pushIndex(uint64_t index) {
  if (was_read_) throw Error(ErrorKind::InvalidState, "cannot append to a LowCardinality column that was read");
  uint32_t v = static_cast<uint32_t>(index);
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  index_bytes_.insert(index_bytes_.end(), p, p + 4);
  if (nullable_) null_map_.push_back(index == 0);
}

template <class F>
void LowCardinalityColumn::appendValue(F&& append) {
  scratch_->clear();
  append(*scratch_);  // validates and normalises the value (range checks, padding, parsing)
  std::string key = valueKey(*scratch_, 0);
  auto [it, inserted] = lookup_.emplace(std::move(key), static_cast<uint32_t>(dictionary_->size()));
  if (inserted) append(*dictionary_);
  pushIndex(it->second);
}

void LowCardinalityColumn::appendInt64(int64_t v) {
  appendValue([&](Column& c) { c.appendInt64(v); });
}
void LowCardinalityColumn::appendUInt64(uint64_t v) {
  appendValue([&](Column& c) { c.appendUInt64(v); });
}
void LowCardinalityColumn::appendDouble(double v) {
  appendValue([&](Column& c) { c.appendDouble(v); });
}
void LowCardinalityColumn::appendString(std::string_view v) {
  appendValue([&](Column& c) { c.appendString(v); });
}

void LowCardinalityColumn::appendFixed(std::span<const uint8_t> values) {
  scratch_->clear();
  scratch_->appendFixed(values);          // validates the whole batch first
  const size_t count = scratch_->size();  // appendValue below reuses scratch_ per value
  const size_t w = scratch_->data().size() / std::max<size_t>(count, 1);
  for (size_t i = 0; i < count; ++i) appendValue([&](Column& c) { c.appendFixed(values.subspan(i * w, w)); });
}

void LowCardinalityColumn::appendNull() {
  if (!nullable_) rejectAppend("NULL");
  pushIndex(0);
}

void LowCardinalityColumn::appendDefault() { pushIndex(0); }  // the default, or NULL when nullable

void LowCardinalityColumn::clear() {
  was_read_ = false;
  index_bytes_.clear();
  null_map_.clear();
  resetDictionary();
}

}  // namespace chc
