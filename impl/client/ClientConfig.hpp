// Client options from string key/value pairs or a URL (the keys of chc_config in chconnect.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/CustomHeaders.hpp"

#include "transport/HttpClient.hpp"

namespace chc {

enum class Compression { None, Auto, Lz4, Zstd, Gzip, Deflate };

struct ClientConfig {
  transport::HttpOptions http;
  bool port_explicit = false;  // otherwise the port follows `secure` (8123 / 8443)
  std::string database;
  std::string session_id;
  Compression compression = Compression::Auto;
  std::map<std::string, std::string> settings;  // ClickHouse settings sent with every request
  int query_retries = 2;                        // retries on 429/503/504 for queries (see chconnect.h)
  HeaderList headers;                           // "header.<Name>": sent with every request
  std::vector<std::string> roles;               // "role": one role=<name> URL parameter each
  // "protocol_revision": the client_protocol_version Native SELECTs are read at. nullopt = auto
  // (probe the server once, 54405 if it accepts the parameter, else 0); 0 or 54405 = forced.
  std::optional<uint64_t> protocol_revision;

  // Throws Error(NotFound) for unknown keys, Error(InvalidArgument) for bad values.
  void set(std::string_view key, std::string_view value);
  // http[s]://[user[:password]@]host[:port][/database][?key=value&...]
  void setUrl(std::string_view url);
  // Fills derived defaults and checks consistency; returns the options a client runs with.
  ClientConfig resolved() const;
};

// Decodes %XX escapes (and '+' as space when form_encoded).
std::string percentDecode(std::string_view s, bool form_encoded = false);

}  // namespace chc
