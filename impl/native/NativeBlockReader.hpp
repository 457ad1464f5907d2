// Streaming reader of the Native format at protocol revision 0 (shared/spec/native-format.md §2):
// pulls exactly one block's bytes per call, so memory is bounded by one block.
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

class NativeBlockReader {
 public:
  explicit NativeBlockReader(InputStream& in) : in_(in) {}

  // The next block, or nullopt at a clean end of stream (end exactly at a block boundary).
  // Throws NativeDecodeError for truncated or malformed data, Error(Unsupported) for unknown types.
  std::optional<Block> next();

 private:
  Block readBlock();
  TypePtr typeFor(const std::string& name);

  ReadBuffer in_;
  std::unordered_map<std::string, TypePtr> type_cache_;  // blocks repeat the same type names
};

}  // namespace chc
