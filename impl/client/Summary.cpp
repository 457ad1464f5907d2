#include "client/Summary.hpp"

#include <cctype>
#include <charconv>

namespace chc {

// A deliberately small scanner: "name" : "123" or "name" : 123 pairs in a flat object. Anything
// it does not understand is skipped, never an error (the field set varies by server version).
Summary Summary::parse(std::string_view json) {
  Summary s;
  s.json = std::string(json);
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < json.size() && std::isspace(static_cast<unsigned char>(json[i]))) ++i;
  };
  while ((i = json.find('"', i)) != std::string_view::npos) {
    size_t key_end = json.find('"', i + 1);
    if (key_end == std::string_view::npos) break;
    std::string key(json.substr(i + 1, key_end - i - 1));
    i = key_end + 1;
    skipSpace();
    if (i >= json.size() || json[i] != ':') continue;
    ++i;
    skipSpace();
    bool quoted = i < json.size() && json[i] == '"';
    if (quoted) ++i;
    int64_t value = 0;
    auto [p, ec] = std::from_chars(json.data() + i, json.data() + json.size(), value);
    if (ec == std::errc() && (!quoted || (p < json.data() + json.size() && *p == '"'))) {
      s.fields[key] = value;
      i = static_cast<size_t>(p - json.data()) + (quoted ? 1 : 0);
    } else if (quoted) {
      size_t close = json.find('"', i);  // a non-numeric string value: skip it
      if (close == std::string_view::npos) break;
      i = close + 1;
    }
  }
  return s;
}

std::optional<int64_t> Summary::get(std::string_view field) const {
  auto it = fields.find(std::string(field));
  if (it == fields.end()) return std::nullopt;
  return it->second;
}

}  // namespace chc
