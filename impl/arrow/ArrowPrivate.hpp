// Internals shared by the export files: the private_data of exported structs.
#pragma once

#include <atomic>
#include <memory>
#include <string>
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
// Arrow format string of a type without children (numbers, strings, dates, ...); throws
// Error(Unsupported) for kinds without a mapping. Nested kinds are handled by their callers.
std::string scalarFormat(const DataType& type);
// Index format of an Enum's dictionary encoding: the narrowest signed integer for its element count.
const char* enumIndexFormat(const DataType& type);
// Type with Nullable removed (LowCardinality's dictionary type).
const DataType& stripNullable(const DataType& type);
}  // namespace chc::arrow::detail
