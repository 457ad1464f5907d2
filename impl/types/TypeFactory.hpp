// Builds DataType descriptors from type names: the set of types this version supports.
#pragma once

#include <string_view>

#include "types/DataType.hpp"

namespace chc {

// Parses and resolves a type name. Malformed names give InvalidArgument; valid ClickHouse types
// this version does not handle give Unsupported ("type X is not supported yet").
TypePtr makeType(std::string_view name);
// Variant(...) of these alternatives, sorted into the server's order (by type name).
TypePtr makeVariant(std::vector<TypePtr> alternatives);

}  // namespace chc
