// X-ClickHouse-Summary: JSON with (usually quoted) integer fields; every field optional.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chc {

struct Summary {
  std::string json;                       // the header as received, "" if absent
  std::map<std::string, int64_t> fields;  // numeric fields that parsed

  static Summary parse(std::string_view json);
  std::optional<int64_t> get(std::string_view field) const;
};

}  // namespace chc
