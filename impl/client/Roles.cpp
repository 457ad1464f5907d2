#include "client/Roles.hpp"

#include "common/Error.hpp"

namespace chc {

std::vector<std::string> parseRoleList(std::string_view list) {
  std::vector<std::string> roles;
  while (true) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    for (char c : item) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        throwInvalid("role name '" + std::string(item) + "' contains a control character");
    }
    if (!item.empty()) roles.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return roles;
}

}  // namespace chc
