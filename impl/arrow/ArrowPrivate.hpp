// Internals shared by the export files: the private_data of exported structs.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/Arrow.hpp"

namespace chc::arrow::detail {

extern std::atomic<int64_t> g_live;

struct Counted {
  Counted() noexcept { g_live.fetch_add(1, std::memory_order_relaxed); }
  ~Counted() { g_live.fetch_sub(1, std::memory_order_relaxed); }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
};

// private_data of every exported ArrowSchema. Owns its children and dictionary: its destructor
// releases those that were not moved out (release != NULL).
struct SchemaHolder : Counted {
  std::string format;
  std::string name;
  std::string metadata;                    // encoded key/value pairs (Arrow C Data Interface layout); empty = none
  std::vector<ArrowSchema> child_structs;  // sized once, never resized (children point into it)
  std::vector<ArrowSchema*> child_ptrs;
  std::unique_ptr<ArrowSchema> dictionary;
  ~SchemaHolder();
};

// private_data of every exported ArrowArray.
struct ArrayHolder : Counted {
  std::shared_ptr<const void> keep;         // owner of the zero-copy buffers
  std::vector<std::vector<uint8_t>> owned;  // converted buffers
  std::vector<const void*> buffers;
  std::vector<ArrowArray> child_structs;  // sized once, never resized
  std::vector<ArrowArray*> child_ptrs;
  std::unique_ptr<ArrowArray> dictionary;
  ~ArrayHolder();
};

// Zeroed, 64-byte aligned: stands in for empty buffers so no required buffer pointer is NULL.
const void* emptyBuffer() noexcept;

void releaseSchema(ArrowSchema* s);
void releaseArray(ArrowArray* a);

// Moves a finished holder into *out (format/name strings point into the holder).
void publishSchema(std::unique_ptr<SchemaHolder> h, int64_t flags, ArrowSchema* out) noexcept;
void publishArray(std::unique_ptr<ArrayHolder> h, int64_t length, int64_t null_count, ArrowArray* out) noexcept;

inline void zero(ArrowSchema* s) noexcept { *s = ArrowSchema{}; }
inline void zero(ArrowArray* a) noexcept { *a = ArrowArray{}; }

}  // namespace chc::arrow::detail

namespace chc::arrow::detail {
// Schema metadata marking a utf8 field as the canonical JSON extension type (arrow.json).
std::string jsonExtensionMetadata();
// Arrow format string of a type without children (numbers, strings, dates, ...); throws
// Error(Unsupported) for kinds without a mapping. Nested kinds are handled by their callers.
std::string scalarFormat(const DataType& type);
// Index format of an Enum's dictionary encoding: the narrowest signed integer for its element count.
const char* enumIndexFormat(const DataType& type);
// Type with Nullable removed (LowCardinality's dictionary type).
const DataType& stripNullable(const DataType& type);
}  // namespace chc::arrow::detail

// Array building, shared by the export files.
namespace chc::arrow::detail {

// A holder keeping `keep` alive, with `children` zeroed child structs.
std::unique_ptr<ArrayHolder> arrayHolder(const std::shared_ptr<const void>& keep, size_t children);

// A converted buffer of `count` T owned by the holder (at least one byte, so never NULL).
template <class T>
T* ownBuffer(ArrayHolder& h, size_t count) {
  h.owned.emplace_back(std::max<size_t>(count * sizeof(T), 1));
  return reinterpret_cast<T*>(h.owned.back().data());
}

// Pushes the validity bitmap for a ClickHouse null map (1 = NULL; NULL pointer = no NULLs): a bitmap
// only when there are NULLs, else a NULL buffer. Returns the null count.
int64_t pushValidity(ArrayHolder& h, const uint8_t* null_map, size_t n);

// Exports one column (any kind with a mapping) into *out, recursing into children.
void exportNode(const Column& c, const std::shared_ptr<const void>& keep, ArrowArray* out);

// Arrow union type ids are int8 and not negative (0..127); a Variant's NULL child takes one more id.
constexpr size_t kMaxUnionAlternatives = 127;

// Variant -> dense union (ArrowUnionExport.cpp).
void exportVariant(const Column& c, const std::shared_ptr<const void>& keep, ArrowArray* out);
// JSON (null_map from an enclosing Nullable, may be NULL) and Dynamic -> large_utf8 JSON text
// (ArrowJsonExport.cpp).
void exportJSON(const Column& c, const uint8_t* null_map, const std::shared_ptr<const void>& keep, ArrowArray* out);
void exportDynamic(const Column& c, const std::shared_ptr<const void>& keep, ArrowArray* out);

// True when `s` is well-formed UTF-8; appendUTF8 copies `s`, each ill-formed sequence replaced by
// U+FFFD (ArrowUtf8.cpp).
bool isValidUTF8(std::string_view s) noexcept;
void appendUTF8(std::string_view s, std::string& out);

}  // namespace chc::arrow::detail
