// Helpers for the Arrow tests: reading exported buffers, and hand-made Arrow input (schemas,
// arrays and streams built from specs, with counters that check the release discipline).
// Include before <cmocka.h> (its fail() macro breaks C++ headers included after it).
#pragma once

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/Arrow.hpp"
#include "native_support.hpp"

namespace arrow_test {

using native_test::BlockBuilder;
using native_test::Bytes;

// ---- helpers: exported side --------------------------------------------------------------------

template <class T>
T at(const void* buf, size_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(buf) + i * sizeof(T), sizeof(T));
  return v;
}

inline bool bit(const void* buf, size_t i) { return (static_cast<const uint8_t*>(buf)[i / 8] >> (i % 8)) & 1; }

inline std::shared_ptr<const chc::Block> share(chc::Block b) {
  return std::make_shared<const chc::Block>(std::move(b));
}

struct Exported {
  ArrowSchema schema{};
  ArrowArray array{};
  explicit Exported(const std::shared_ptr<const chc::Block>& b) {
    std::vector<chc::TypePtr> types;
    for (const auto& c : b->columns) types.push_back(c->typePtr());
    chc::arrow::exportSchema(b->names, types, &schema);
    chc::arrow::exportBlock(b, &array);
  }
  ~Exported() {
    if (schema.release) schema.release(&schema);
    if (array.release) array.release(&array);
  }
  const ArrowSchema& s(int i) const { return *schema.children[i]; }
  const ArrowArray& a(int i) const { return *array.children[i]; }
};

// ---- helpers: hand-made Arrow input --------------------------------------------------------------

inline int g_arrays_released = 0, g_schemas_released = 0, g_streams_released = 0;
inline int g_arrays_made = 0, g_schemas_made = 0;

template <class T>
Bytes raw(std::initializer_list<T> values) {
  Bytes out(values.size() * sizeof(T));
  size_t i = 0;
  for (T v : values) std::memcpy(out.data() + sizeof(T) * i++, &v, sizeof(T));
  return out;
}
inline Bytes bits(std::initializer_list<int> values) {
  Bytes out((values.size() + 7) / 8, 0);
  size_t i = 0;
  for (int v : values) {
    if (v) out[i / 8] |= uint8_t(1u << (i % 8));
    ++i;
  }
  return out;
}
inline Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

struct ASpec {
  int64_t length = 0;
  int64_t null_count = 0;
  std::vector<std::optional<Bytes>> buffers;
  std::vector<ASpec> children;
  std::shared_ptr<ASpec> dict;
  int64_t offset = 0;
};
struct SSpec {
  std::string format, name;
  int64_t flags = 0;
  std::vector<SSpec> children;
  std::shared_ptr<SSpec> dict;
};

struct AHolder {
  std::vector<Bytes> data;
  std::vector<const void*> bufs;
  std::vector<ArrowArray*> kids;
  ArrowArray* dict = nullptr;
};
inline void releaseA(ArrowArray* a) {
  auto* h = static_cast<AHolder*>(a->private_data);
  for (ArrowArray* k : h->kids) {
    if (k->release) k->release(k);
    delete k;
  }
  if (h->dict) {
    if (h->dict->release) h->dict->release(h->dict);
    delete h->dict;
  }
  delete h;
  a->release = nullptr;
  ++g_arrays_released;
}
inline void makeArray(const ASpec& s, ArrowArray* out) {
  ++g_arrays_made;
  auto* h = new AHolder;
  h->data.reserve(s.buffers.size());
  for (const auto& b : s.buffers) {
    if (b) {
      h->data.push_back(b->empty() ? Bytes(8, 0) : *b);
      h->bufs.push_back(h->data.back().data());
    } else {
      h->bufs.push_back(nullptr);
    }
  }
  for (const ASpec& c : s.children) {
    auto* k = new ArrowArray{};
    makeArray(c, k);
    h->kids.push_back(k);
  }
  if (s.dict) {
    h->dict = new ArrowArray{};
    makeArray(*s.dict, h->dict);
  }
  *out = ArrowArray{s.length,
                    s.null_count,
                    s.offset,
                    (int64_t)h->bufs.size(),
                    (int64_t)h->kids.size(),
                    h->bufs.data(),
                    h->kids.data(),
                    h->dict,
                    releaseA,
                    h};
}

struct SHolder {
  std::string format, name;
  std::vector<ArrowSchema*> kids;
  ArrowSchema* dict = nullptr;
};
inline void releaseS(ArrowSchema* s) {
  auto* h = static_cast<SHolder*>(s->private_data);
  for (ArrowSchema* k : h->kids) {
    if (k->release) k->release(k);
    delete k;
  }
  if (h->dict) {
    if (h->dict->release) h->dict->release(h->dict);
    delete h->dict;
  }
  delete h;
  s->release = nullptr;
  ++g_schemas_released;
}
inline void makeSchema(const SSpec& s, ArrowSchema* out) {
  ++g_schemas_made;
  auto* h = new SHolder{s.format, s.name, {}, nullptr};
  for (const SSpec& c : s.children) {
    auto* k = new ArrowSchema{};
    makeSchema(c, k);
    h->kids.push_back(k);
  }
  if (s.dict) {
    h->dict = new ArrowSchema{};
    makeSchema(*s.dict, h->dict);
  }
  *out = ArrowSchema{h->format.c_str(), h->name.c_str(), nullptr,  s.flags, (int64_t)h->kids.size(),
                     h->kids.data(),    h->dict,         releaseS, h};
}

struct TStream {
  SSpec schema;
  std::vector<ASpec> batches;
  size_t next = 0;
  int fail_next_at = -1;  // get_next fails at this batch index
  std::string error = "producer exploded";
};
inline int tsSchema(ArrowArrayStream* s, ArrowSchema* out) {
  makeSchema(static_cast<TStream*>(s->private_data)->schema, out);
  return 0;
}
inline int tsNext(ArrowArrayStream* s, ArrowArray* out) {
  auto* t = static_cast<TStream*>(s->private_data);
  if ((int)t->next == t->fail_next_at) return EIO;
  if (t->next == t->batches.size()) {
    *out = ArrowArray{};
    return 0;
  }
  makeArray(t->batches[t->next++], out);
  return 0;
}
inline const char* tsError(ArrowArrayStream* s) { return static_cast<TStream*>(s->private_data)->error.c_str(); }
inline void tsRelease(ArrowArrayStream* s) {
  delete static_cast<TStream*>(s->private_data);
  s->release = nullptr;
  ++g_streams_released;
}
inline ArrowArrayStream makeStream(TStream t) {
  return ArrowArrayStream{tsSchema, tsNext, tsError, tsRelease, new TStream(std::move(t))};
}

inline SSpec field(std::string format, std::string name, std::vector<SSpec> children = {}, int64_t flags = 2) {
  return SSpec{std::move(format), std::move(name), flags, std::move(children), nullptr};
}
inline ASpec prim(int64_t len, std::optional<Bytes> validity, Bytes data, int64_t nulls = 0) {
  return ASpec{len, nulls, {validity, data}, {}, nullptr, 0};
}
inline ASpec batch(int64_t len, std::vector<ASpec> children) {
  return ASpec{len, 0, {std::nullopt}, std::move(children), nullptr, 0};
}

// A target block (the insert's columns) by name/type pairs.
inline chc::Block target(std::initializer_list<std::pair<const char*, const char*>> cols) {
  BlockBuilder b;
  for (auto& [n, t] : cols) b.add(n, t);
  return b.take(0);
}

inline void resetCounts() {
  g_arrays_released = g_schemas_released = g_streams_released = g_arrays_made = g_schemas_made = 0;
}

inline ArrowArrayStream oneBatch(SSpec s, ASpec a) {
  TStream ts;
  ts.schema = std::move(s);
  ts.batches.push_back(std::move(a));
  return makeStream(ts);
}

}  // namespace arrow_test
