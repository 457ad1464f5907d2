// Encodes blocks in the Native format at revision 0, the form INSERT bodies are read in
// (shared/spec/native-format.md §7).
#pragma once

#include <vector>

#include "native/Block.hpp"

namespace chc {

// Appends the encoding of `block` to `out`. Every column must hold block.rows rows.
void writeNativeBlock(const Block& block, std::vector<uint8_t>& out);

}  // namespace chc
