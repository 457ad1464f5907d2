// ArrowArray export: columns -> Arrow arrays, zero-copy where the layouts agree.
#include <climits>
#include <cstring>
#include <string>

#include "arrow/ArrowPrivate.hpp"
#include "common/Error.hpp"
#include "types/LowCardinalityColumn.hpp"

namespace chc::arrow {
namespace detail {

std::unique_ptr<ArrayHolder> arrayHolder(const std::shared_ptr<const void>& keep, size_t children) {
  auto h = std::make_unique<ArrayHolder>();
  h->keep = keep;
  h->child_structs.resize(children);  // zeroed: release == NULL until filled
  for (ArrowArray& c : h->child_structs) h->child_ptrs.push_back(&c);
  return h;
}

int64_t pushValidity(ArrayHolder& h, const uint8_t* null_map, size_t n) {
  int64_t nulls = 0;
  if (null_map)
    for (size_t i = 0; i < n; ++i) nulls += null_map[i] != 0;
  if (nulls == 0) {
    h.buffers.push_back(nullptr);
    return 0;
  }
  uint8_t* bits = ownBuffer<uint8_t>(h, (n + 7) / 8);
  std::memset(bits, 0, (n + 7) / 8);
  for (size_t i = 0; i < n; ++i)
    if (!null_map[i]) bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  h.buffers.push_back(bits);
  return nulls;
}

namespace {

const void* orEmpty(const void* p, size_t bytes) { return bytes ? p : emptyBuffer(); }

template <class From, class To>
void widen(ArrayHolder& h, std::span<const uint8_t> data, size_t n) {
  To* out = ownBuffer<To>(h, n);
  for (size_t i = 0; i < n; ++i) {
    From v;
    std::memcpy(&v, data.data() + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(v);
  }
  h.buffers.push_back(out);
}

void values(const Column& col, const uint8_t* null_map, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  const DataType& t = col.type();
  if (t.kind() == TypeKind::JSON) return exportJSON(col, null_map, keep, out);
  const size_t n = col.size();
  std::span<const uint8_t> data = col.data();
  const size_t width = t.fixedSize();
  auto h = arrayHolder(keep, 0);
  if (t.kind() == TypeKind::Nothing) {  // Arrow null type: no buffers, every value null
    return publishArray(std::move(h), static_cast<int64_t>(n), static_cast<int64_t>(n), out);
  }
  const int64_t nulls = pushValidity(*h, null_map, n);
  auto zeroCopy = [&] {
    if (data.size() != n * width) throw Error(ErrorKind::Internal, "column " + t.name() + " has a ragged data buffer");
    h->buffers.push_back(orEmpty(data.data(), data.size()));
  };
  switch (t.kind()) {
    case TypeKind::Int8:
    case TypeKind::Int16:
    case TypeKind::Int32:
    case TypeKind::Int64:
    case TypeKind::UInt8:
    case TypeKind::UInt16:
    case TypeKind::UInt32:
    case TypeKind::UInt64:
    case TypeKind::Float32:
    case TypeKind::Float64:
    case TypeKind::Date32:
    case TypeKind::IPv4:
    case TypeKind::IPv6:
    case TypeKind::Int128:
    case TypeKind::UInt128:
    case TypeKind::Int256:
    case TypeKind::UInt256:
    case TypeKind::BFloat16:
    case TypeKind::Interval:
    case TypeKind::Time:
    case TypeKind::Time64:
    case TypeKind::FixedString: zeroCopy(); break;
    case TypeKind::Bool: {
      uint8_t* bits = ownBuffer<uint8_t>(*h, (n + 7) / 8);
      std::memset(bits, 0, (n + 7) / 8);
      for (size_t i = 0; i < n; ++i)
        if (data[i]) bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
      h->buffers.push_back(bits);
      break;
    }
    case TypeKind::Date: widen<uint16_t, int32_t>(*h, data, n); break;
    case TypeKind::DateTime: widen<uint32_t, int64_t>(*h, data, n); break;
    case TypeKind::DateTime64: {
      uint32_t p = t.precision();
      uint32_t target = p == 0 ? 0 : p <= 3 ? 3 : p <= 6 ? 6 : 9;
      if (p > 9) throwUnsupported("DateTime64 precision " + std::to_string(p) + " has no Arrow mapping");
      if (p == target) {
        zeroCopy();
        break;
      }
      int64_t mul = 1;
      for (uint32_t i = p; i < target; ++i) mul *= 10;
      int64_t* o = ownBuffer<int64_t>(*h, n);
      for (size_t i = 0; i < n; ++i) {
        int64_t v;
        std::memcpy(&v, data.data() + i * 8, 8);
        if (__builtin_mul_overflow(v, mul, &o[i]))
          throw Error(ErrorKind::Type,
                      "DateTime64 value " + std::to_string(v) + " overflows when scaled to Arrow's unit");
      }
      h->buffers.push_back(o);
      break;
    }
    case TypeKind::Decimal:
      if (width == 16 || width == 32) {
        zeroCopy();
      } else {  // Decimal32/64 -> decimal128: sign-extend
        uint8_t* o = ownBuffer<uint8_t>(*h, n * 16);
        for (size_t i = 0; i < n; ++i) {
          int64_t v;
          if (width == 4) {
            int32_t v32;
            std::memcpy(&v32, data.data() + i * 4, 4);
            v = v32;
          } else {
            std::memcpy(&v, data.data() + i * 8, 8);
          }
          int64_t hi = v < 0 ? -1 : 0;
          std::memcpy(o + i * 16, &v, 8);
          std::memcpy(o + i * 16 + 8, &hi, 8);
        }
        h->buffers.push_back(o);
      }
      break;
    case TypeKind::UUID: {  // two little-endian halves, high first -> the 16 bytes in RFC order
      uint8_t* o = ownBuffer<uint8_t>(*h, n * 16);
      for (size_t r = 0; r < n; ++r)
        for (int i = 0; i < 8; ++i) {
          o[r * 16 + i] = data[r * 16 + 7 - i];
          o[r * 16 + 8 + i] = data[r * 16 + 15 - i];
        }
      h->buffers.push_back(o);
      break;
    }
    case TypeKind::String: {
      std::span<const int64_t> offs = col.offsets();
      if (offs.size() != n + 1) throw Error(ErrorKind::Internal, "String column without n+1 offsets");
      h->buffers.push_back(offs.data());
      h->buffers.push_back(orEmpty(data.data(), data.size()));
      break;
    }
    case TypeKind::Enum8:
    case TypeKind::Enum16: {
      // Indexes: positions in the element list. Dictionary: the element names as utf8.
      const auto& entries = t.enumEntries();
      std::string idx_format = enumIndexFormat(t);
      auto positionOf = [&](int32_t value) -> int64_t {
        for (size_t k = 0; k < entries.size(); ++k)
          if (entries[k].value == value) return static_cast<int64_t>(k);
        return -1;
      };
      auto store = [&](void* o, size_t i, int64_t pos) {
        if (idx_format == "c")
          static_cast<int8_t*>(o)[i] = static_cast<int8_t>(pos);
        else if (idx_format == "s")
          static_cast<int16_t*>(o)[i] = static_cast<int16_t>(pos);
        else
          static_cast<int32_t*>(o)[i] = static_cast<int32_t>(pos);
      };
      size_t iw = idx_format == "c" ? 1 : idx_format == "s" ? 2 : 4;
      uint8_t* o = ownBuffer<uint8_t>(*h, n * iw);
      for (size_t i = 0; i < n; ++i) {
        int32_t v =
            width == 1 ? static_cast<int8_t>(data[i]) : static_cast<int16_t>(data[2 * i] | (data[2 * i + 1] << 8));
        int64_t pos = positionOf(v);
        if (pos < 0) {
          if (null_map && null_map[i])
            pos = 0;  // placeholder under a NULL
          else
            throw Error(ErrorKind::Protocol, "value " + std::to_string(v) + " is not an element of " + t.name());
        }
        store(o, i, pos);
      }
      h->buffers.push_back(o);
      auto d = arrayHolder(nullptr, 0);
      d->buffers.push_back(nullptr);
      int32_t* doffs = ownBuffer<int32_t>(*d, entries.size() + 1);
      size_t total = 0;
      for (const EnumEntry& e : entries) total += e.name.size();
      if (total > INT32_MAX) throw Error(ErrorKind::Unsupported, "Enum names too long for utf8");
      char* chars = ownBuffer<char>(*d, total);
      doffs[0] = 0;
      for (size_t k = 0; k < entries.size(); ++k) {
        std::memcpy(chars + doffs[k], entries[k].name.data(), entries[k].name.size());
        doffs[k + 1] = doffs[k] + static_cast<int32_t>(entries[k].name.size());
      }
      d->buffers.push_back(doffs);
      d->buffers.push_back(chars);
      h->dictionary = std::make_unique<ArrowArray>();
      zero(h->dictionary.get());
      publishArray(std::move(d), static_cast<int64_t>(entries.size()), 0, h->dictionary.get());
      break;
    }
    case TypeKind::Array: {
      std::span<const int64_t> offs = col.offsets();
      if (offs.size() != n + 1) throw Error(ErrorKind::Internal, "Array column without n+1 offsets");
      h->buffers.push_back(offs.data());
      h->child_structs.resize(1);
      zero(&h->child_structs[0]);
      h->child_ptrs.push_back(&h->child_structs[0]);
      exportNode(*col.child(0), keep, h->child_ptrs[0]);
      break;
    }
    case TypeKind::Map: {  // Arrow map offsets are int32
      std::span<const int64_t> offs = col.offsets();
      if (offs.size() != n + 1) throw Error(ErrorKind::Internal, "Map column without n+1 offsets");
      int32_t* o = ownBuffer<int32_t>(*h, n + 1);
      for (size_t i = 0; i <= n; ++i) {
        if (offs[i] > INT32_MAX)
          throw Error(ErrorKind::Unsupported,
                      "Map column with more than 2^31-1 entries in one block cannot be exported to Arrow");
        o[i] = static_cast<int32_t>(offs[i]);
      }
      h->buffers.push_back(o);
      const Column& entries = *col.child(0);  // Tuple(K, V)
      h->child_structs.resize(1);
      zero(&h->child_structs[0]);
      h->child_ptrs.push_back(&h->child_structs[0]);
      auto e = arrayHolder(keep, 2);
      e->buffers.push_back(nullptr);
      exportNode(*entries.child(0), keep, e->child_ptrs[0]);
      exportNode(*entries.child(1), keep, e->child_ptrs[1]);
      publishArray(std::move(e), static_cast<int64_t>(entries.size()), 0, h->child_ptrs[0]);
      break;
    }
    case TypeKind::Tuple: {
      size_t k = col.childCount();
      h->child_structs.resize(k);
      for (size_t i = 0; i < k; ++i) {
        zero(&h->child_structs[i]);
        h->child_ptrs.push_back(&h->child_structs[i]);
      }
      for (size_t i = 0; i < k; ++i) exportNode(*col.child(i), keep, h->child_ptrs[i]);
      break;
    }
    default: throwUnsupported("type " + t.name() + " has no Arrow mapping");
  }
  publishArray(std::move(h), static_cast<int64_t>(n), nulls, out);
}

void lowCardinality(const LowCardinalityColumn& c, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  const size_t n = c.size();
  const Column& dict = *c.child(0);
  auto h = arrayHolder(keep, 0);
  const int64_t nulls = pushValidity(*h, c.nullMap(), n);
  std::span<const uint8_t> idx = c.data();
  if (c.indexWidth() == 4 && dict.size() <= static_cast<size_t>(INT32_MAX)) {
    h->buffers.push_back(orEmpty(idx.data(), idx.size()));  // every index < dictionary size fits int32
  } else {
    int32_t* o = ownBuffer<int32_t>(*h, n);
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = c.indexAt(i);
      if (v > INT32_MAX)
        throw Error(ErrorKind::Unsupported, "LowCardinality index beyond int32 cannot be exported to Arrow");
      o[i] = static_cast<int32_t>(v);
    }
    h->buffers.push_back(o);
  }
  h->dictionary = std::make_unique<ArrowArray>();
  zero(h->dictionary.get());
  values(dict, nullptr, keep, h->dictionary.get());
  publishArray(std::move(h), static_cast<int64_t>(n), nulls, out);
}

}  // namespace

void exportNode(const Column& c, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  switch (c.type().kind()) {
    case TypeKind::Nullable: return values(*c.child(0), c.nullMap(), keep, out);
    case TypeKind::LowCardinality: return lowCardinality(static_cast<const LowCardinalityColumn&>(c), keep, out);
    case TypeKind::Variant: return exportVariant(c, keep, out);
    case TypeKind::Dynamic: return exportDynamic(c, keep, out);
    default: return values(c, nullptr, keep, out);
  }
}

}  // namespace detail

using namespace detail;

void exportColumn(const Column& column, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  ArrowArray tmp;
  zero(&tmp);
  exportNode(column, keep, &tmp);
  *out = tmp;
}

void exportBlock(const std::shared_ptr<const Block>& block, ArrowArray* out) {
  const Block& b = *block;
  for (size_t i = 0; i < b.columns.size(); ++i)
    if (b.columns[i]->size() != b.rows)
      throw Error(ErrorKind::InvalidArgument, "column '" + b.names[i] + "' has " +
                                                  std::to_string(b.columns[i]->size()) + " rows, the block " +
                                                  std::to_string(b.rows) + "; cannot export to Arrow");
  std::shared_ptr<const void> keep = block;
  auto h = arrayHolder(keep, b.columns.size());
  h->buffers.push_back(nullptr);  // struct validity: no null rows
  for (size_t i = 0; i < b.columns.size(); ++i) exportNode(*b.columns[i], keep, h->child_ptrs[i]);
  ArrowArray tmp;
  zero(&tmp);
  publishArray(std::move(h), static_cast<int64_t>(b.rows), 0, &tmp);
  *out = tmp;
}

}  // namespace chc::arrow
