#include "native/NativeBlockReader.hpp"

#include "types/TypeFactory.hpp"

namespace chc {
namespace {
// Sanity limits: far above anything a server sends, low enough that corrupt headers fail fast.
constexpr uint64_t kMaxColumns = 1 << 20;
constexpr uint64_t kMaxRows = uint64_t(1) << 40;
constexpr size_t kMaxNameLength = 1 << 20;
constexpr size_t kDiagnosticWindow = 16 * 1024;
}  // namespace

std::optional<Block> NativeBlockReader::next() {
  try {
    if (in_.eof()) return std::nullopt;
    return readBlock();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Protocol && e.kind() != ErrorKind::InvalidArgument && e.kind() != ErrorKind::Unsupported)
      throw;  // transport failures pass through unchanged
    ErrorKind kind = e.kind() == ErrorKind::Unsupported ? ErrorKind::Unsupported : ErrorKind::Protocol;
    throw NativeDecodeError(Error(kind, e.what()), in_.diagnosticWindow(kDiagnosticWindow));
  }
}

Block NativeBlockReader::readBlock() {
  Block block;
  const uint64_t ncols = in_.readVarUInt();
  const uint64_t nrows = in_.readVarUInt();
  if (ncols > kMaxColumns) throwProtocol("block header claims " + std::to_string(ncols) + " columns");
  if (nrows > kMaxRows) throwProtocol("block header claims " + std::to_string(nrows) + " rows");
  block.rows = nrows;
  for (uint64_t c = 0; c < ncols; ++c) {
    std::string name = in_.readString(kMaxNameLength);
    std::string type_name = in_.readString(kMaxNameLength);
    ColumnPtr column = makeColumn(typeFor(type_name));
    if (nrows > 0) {  // zero rows carry no data, not even a state prefix (spec §2.4)
      column->readPrefix(in_);
      column->readData(in_, nrows);
    }
    block.names.push_back(std::move(name));
    block.columns.push_back(std::move(column));
  }
  return block;
}

TypePtr NativeBlockReader::typeFor(const std::string& name) {
  if (auto it = type_cache_.find(name); it != type_cache_.end()) return it->second;
  TypePtr type = makeType(name);
  if (type_cache_.size() < 4096) type_cache_.emplace(name, type);
  return type;
}

}  // namespace chc
