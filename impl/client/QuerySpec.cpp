#include "client/QuerySpec.hpp"

#include <cctype>
#include <charconv>

#include "client/Roles.hpp"
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
  } else if (key == "progress_interval_ms") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || v < 0 || v > 86400000)
      throwInvalid("progress_interval_ms must be an integer from 0 to 86400000, not '" + std::string(value) + "'");
    progress_interval_ms = v;
  } else if (key == "query_retries") {
    int v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || v < 0 || v > 100)
      throwInvalid("query_retries must be an integer from 0 to 100, not '" + std::string(value) + "'");
    retries = v;
  } else if (key == "role") {
    roles = parseRoleList(value);
  } else if (key.starts_with("header.")) {
    setCustomHeader(headers, key.substr(7), value);
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

std::optional<int64_t> Progress::get(std::string_view field) const {
  if (field == "received_bytes") return static_cast<int64_t>(received_bytes);
  if (field == "sent_bytes") return static_cast<int64_t>(sent_bytes);
  if (field == "progress_headers") return static_cast<int64_t>(progress_headers);
  auto it = server.find(std::string(field));
  if (it == server.end()) return std::nullopt;
  return it->second;
}

}  // namespace chc
