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

NativeBlockReader::NativeBlockReader(InputStream& in, uint64_t revision) : in_(in), revision_(revision) {
  if (revision > kMaxNativeRevision)
    throwInvalid("Native protocol revision " + std::to_string(revision) + " is not supported (at most " +
                 std::to_string(kMaxNativeRevision) + ")");
}

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
  if (revision_ > 0) readBlockInfo(block);
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

// Field-tagged: VarUInt field number, value, ..., 0. Up to revision 54405 the server writes
// fields 1 and 2; field 3 (out_of_order_buckets) comes only from 54480, which we never request.
void NativeBlockReader::readBlockInfo(Block& block) {
  unsigned seen = 0;
  for (;;) {
    const uint64_t field = in_.readVarUInt();
    if (field == 0) return;
    if (field != 1 && field != 2)
      throwProtocol("unknown BlockInfo field " + std::to_string(field) + " at Native protocol revision " +
                    std::to_string(revision_) + " (only fields 1 and 2 are expected)");
    if (seen & (1u << field)) throwProtocol("BlockInfo field " + std::to_string(field) + " repeated");
    seen |= 1u << field;
    if (field == 1)
      block.is_overflows = in_.readByte() != 0;
    else
      block.bucket_num = in_.readLE<int32_t>();
  }
}

TypePtr NativeBlockReader::typeFor(const std::string& name) {
  if (auto it = type_cache_.find(name); it != type_cache_.end()) return it->second;
  TypePtr type = makeType(name);
  if (type_cache_.size() < 4096) type_cache_.emplace(name, type);
  return type;
}

}  // namespace chc
