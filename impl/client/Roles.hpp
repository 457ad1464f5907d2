// Roles for a request: config and query key `role` (chconnect.h sections 3 and 5). Each role is sent
// as its own `role=<name>` URL parameter (ClickHouse 24.4+ takes it as SET ROLE for the request).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chc {

// "r1, r2" -> {"r1", "r2"}: split at commas, spaces and tabs around each name trimmed, empty items
// dropped ("" gives no roles). Throws Error(InvalidArgument) for a control character in a name.
std::vector<std::string> parseRoleList(std::string_view list);

}  // namespace chc
