#include "client/QuerySpec.hpp"

#include <cctype>

#include "common/Error.hpp"

namespace chc {
namespace {
bool isIdentifier(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}
}  // namespace

void QuerySpec::set(std::string_view key, std::string_view value) {
  if (key == "query_id") {
    query_id = value;
  } else if (key == "session_id") {
    session_id = value;
  } else if (key == "database") {
    database = value;
  } else if (key.starts_with("setting.")) {
    if (!isIdentifier(key.substr(8))) throwInvalid("'" + std::string(key.substr(8)) + "' is not a valid setting name");
    settings[std::string(key.substr(8))] = value;
  } else if (key.starts_with("param.")) {
    if (!isIdentifier(key.substr(6)))
      throwInvalid("'" + std::string(key.substr(6)) + "' is not a valid parameter name");
    params[std::string(key.substr(6))] = value;
  } else {
    throw Error(ErrorKind::NotFound, "unknown query option '" + std::string(key) + "'");
  }
}

}  // namespace chc
