// Streaming reader of the Native format (shared/spec/native-format.md §2) at protocol revision 0
// or at a revision up to kMaxNativeRevision (54405, what clickhouse-connect requests): pulls
// exactly one block's bytes per call, so memory is bounded by one block.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "common/ByteStream.hpp"
#include "common/ReadBuffer.hpp"
#include "native/Block.hpp"

namespace chc {

// Thrown when the bytes stop making sense as Native. `window` holds the bytes around the failure
// (and what followed), where a server that failed mid-stream has written its exception text.
class NativeDecodeError : public Error {
 public:
  NativeDecodeError(const Error& cause, std::string window)
      : Error(cause.kind(), cause.what(), cause.server()), window_(std::move(window)) {}
  const std::string& window() const noexcept { return window_; }

 private:
  std::string window_;
};

// The highest client_protocol_version whose output this reader decodes. What a revision switches
// on in HTTP Native output (spec §2.2 table), and why 54405 needs nothing but the BlockInfo here:
//   >= 1      each block starts with a BlockInfo (readBlockInfo)
//   >= 54337  a top-level DateTime('tz') keeps its time zone: only the type name changes
//   >= 54405  LowCardinality is sent as such (as at revision 0; between 1 and 54404 the server
//             expands it to the plain type): nothing new to decode
// The next switches are above it and must NOT be requested: 54452 (AggregateFunction names carry
// the state version), 54454 (a has_custom_serialization byte per column, sparse/replicated
// kinds), 54473 (Dynamic/JSON V2), 54480 (BlockInfo field 3), 54492 (String size-stream layout).
inline constexpr uint64_t kMaxNativeRevision = 54405;

class NativeBlockReader {
 public:
  // `revision`: the client_protocol_version the response was requested with (0 when the request
  // carried none). Throws Error(InvalidArgument) above kMaxNativeRevision.
  explicit NativeBlockReader(InputStream& in, uint64_t revision = 0);

  // The next block, or nullopt at a clean end of stream (end exactly at a block boundary).
  // Throws NativeDecodeError for truncated or malformed data, Error(Unsupported) for unknown types.
  std::optional<Block> next();

 private:
  Block readBlock();
  void readBlockInfo(Block& block);
  TypePtr typeFor(const std::string& name);

  ReadBuffer in_;
  uint64_t revision_;
  std::unordered_map<std::string, TypePtr> type_cache_;  // blocks repeat the same type names
};

}  // namespace chc
