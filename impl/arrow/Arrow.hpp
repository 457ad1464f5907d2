// Arrow C Data / C Stream Interface: export of blocks and results, import into insert columns.
// Written from the public Arrow specification; no Arrow library is used. The struct layouts come
// from the public header (chconnect.h, section 9), so engine and C ABI share one definition.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chconnect/chconnect.h"
#include "native/Block.hpp"
#include "types/Column.hpp"
#include "types/DataType.hpp"

namespace chc::arrow {

// ---- export ----------------------------------------------------------------------------------

// The Arrow schema of a block with these column names and types: a struct ("+s") with one child
// per column. Throws Error(Unsupported) for a type without an Arrow mapping; *out is only written
// on success (the caller then owns it and calls out->release).
void exportSchema(const std::vector<std::string>& names, const std::vector<TypePtr>& types, ArrowSchema* out);
// The schema of one column type (format string, children, dictionary), named `name`.
void exportTypeSchema(const DataType& type, const std::string& name, ArrowSchema* out);

// One struct array with one child per column of `block`. Buffers point into the block where the
// layouts agree (zero-copy); every exported ArrowArray node holds a reference on `block`, so the
// memory stays valid until the last node is released, whatever else frees the block.
// *out is only written on success.
void exportBlock(const std::shared_ptr<const Block>& block, ArrowArray* out);
// One column as an Arrow array; `keep` is held by every exported node.
void exportColumn(const Column& column, const std::shared_ptr<const void>& keep, ArrowArray* out);

// A source of blocks for a stream: returns the next block or nullopt at the end; throws on errors.
using BlockSource = std::function<std::optional<Block>()>;
// Fills *out with a stream over `source` (struct arrays, one per block). get_schema reads ahead
// one block; a source without blocks gives a schema with no fields.
void exportStream(BlockSource source, ArrowArrayStream* out);

// Number of exported Arrow objects (schemas, arrays, streams, their children) not yet released.
// For tests: 0 once every export was released.
int64_t liveExports() noexcept;

// ---- import ----------------------------------------------------------------------------------

// Appends every batch of `stream` (struct arrays) to the columns of `target` (fields matched by
// name to target.names). All or nothing: on error the columns hold what they held before.
// The stream is always released (also on error), unless it is NULL or already released.
// Errors: InvalidArgument (NULL/released stream, malformed Arrow data), NotFound (a column missing
// from the stream or a field that is not a column), Type (a value or type that does not fit),
// Network (the stream's get_schema/get_next failed; the message is its get_last_error).
void importStream(Block& target, ArrowArrayStream* stream);
// One batch: `array` is a struct array described by `schema` (neither is released).
// Not all-or-nothing by itself: appends directly to `columns` (used by importStream on staging
// columns).
void importBatch(const std::vector<std::string>& names, const std::vector<Column*>& columns, const ArrowSchema& schema,
                 const ArrowArray& array);
// Appends every row of `src` to `dst` (same type), reading values through the Column API.
void appendAllRows(Column& dst, const Column& src);

}  // namespace chc::arrow
