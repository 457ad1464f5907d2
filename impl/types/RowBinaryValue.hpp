// Single values in the binary (RowBinary) form: what Dynamic's SharedVariant and JSON shared
// data hold after the binary type encoding (spec §3.4, §5.9, §5.10). Decoded into ordinary
// columns so that the same accessors and renderers serve them.
#pragma once

#include <span>

#include "common/ReadBuffer.hpp"
#include "types/Column.hpp"

namespace chc {

// Appends one value of the column's type read in RowBinary form. Corrupt or truncated input
// throws Error(Protocol); types without a binary decoder throw Error(Unsupported).
void readRowBinaryValue(Column& column, ReadBuffer& in);
// A Dynamic value: binary type encoding, then the value. A one-row column, or nullptr for NULL
// (the Nothing type).
ColumnPtr readDynamicBinaryValue(ReadBuffer& in);
// The same from a complete byte string (every byte must be consumed).
ColumnPtr decodeDynamicBinaryValue(std::span<const uint8_t> bytes);

}  // namespace chc
