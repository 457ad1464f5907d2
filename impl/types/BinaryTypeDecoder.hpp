// The binary type encoding (spec §3.4, "data types binary encoding"): one tag byte per type node,
// followed by the node's parameters. Used by Dynamic's SharedVariant values and by JSON shared
// data, where every value is `binary type ++ single value in RowBinary form`.
#pragma once

#include <string>

#include "common/ReadBuffer.hpp"
#include "types/DataType.hpp"

namespace chc {

// Reads one encoded type and returns its canonical type name (as the server prints it).
// Corrupt or truncated input throws Error(Protocol); tags for types this version cannot decode
// (AggregateFunction, ...) throw Error(Unsupported).
std::string readBinaryTypeName(ReadBuffer& in);
// The same, resolved to a type descriptor (Nothing for the NULL marker tag 0x00).
TypePtr readBinaryType(ReadBuffer& in);

}  // namespace chc
