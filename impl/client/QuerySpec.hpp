// One request: SQL plus per-request options (the keys of chc_query in chconnect.h).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace chc {

struct QuerySpec {
  std::string sql;
  std::string query_id;
  std::string session_id;
  std::string database;
  std::map<std::string, std::string> settings;
  std::map<std::string, std::string> params;  // server-side {name:Type} values

  // Throws Error(NotFound) for unknown keys, Error(InvalidArgument) for bad names.
  void set(std::string_view key, std::string_view value);
};

}  // namespace chc
