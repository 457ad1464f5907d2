#include "native/NativeBlockWriter.hpp"

#include <string>

#include "common/Error.hpp"
#include "common/WriteBuffer.hpp"

namespace chc {

void writeNativeBlock(const Block& block, std::vector<uint8_t>& out) {
  for (size_t i = 0; i < block.columns.size(); ++i) {
    if (block.columns[i]->size() != block.rows)
      throwInvalid("column '" + block.names[i] + "' has " + std::to_string(block.columns[i]->size()) +
                   " rows, the block has " + std::to_string(block.rows));
  }
  WriteBuffer w;
  w.bytes().swap(out);  // append to the caller's bytes without a copy; given back on failure too
  try {
    w.writeVarUInt(block.columns.size());
    w.writeVarUInt(block.rows);
    for (size_t i = 0; i < block.columns.size(); ++i) {
      w.writeString(block.names[i]);
      w.writeString(block.columns[i]->type().name());
      if (block.rows > 0) {
        block.columns[i]->writePrefix(w);
        block.columns[i]->writeData(w);
      }
    }
  } catch (...) {
    w.bytes().swap(out);
    throw;
  }
  w.bytes().swap(out);
}

}  // namespace chc
