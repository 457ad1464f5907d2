#include "client/ClientConfig.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "chconnect/chconnect.h"
#include "client/Roles.hpp"
#include "common/Error.hpp"

namespace chc {
namespace {

bool parseBool(std::string_view key, std::string_view v) {
  if (v == "1" || v == "true" || v == "True" || v == "TRUE" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "False" || v == "FALSE" || v == "no" || v == "off") return false;
  throwInvalid("option '" + std::string(key) + "' expects a boolean (1/0/true/false), got '" + std::string(v) + "'");
}

std::chrono::milliseconds parseSeconds(std::string_view key, std::string_view v) {
  double seconds = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(seconds) || seconds <= 0 || seconds > 1e7)
    throwInvalid("option '" + std::string(key) + "' expects a positive number of seconds, got '" + std::string(v) +
                 "'");
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

uint64_t parseUnsigned(std::string_view key, std::string_view v, uint64_t max) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n > max)
    throwInvalid("option '" + std::string(key) + "' expects a whole number up to " + std::to_string(max) + ", got '" +
                 std::string(v) + "'");
  return n;
}

Compression parseCompression(std::string_view v) {
  if (v == "auto" || v == "1" || v == "true" || v == "True") return Compression::Auto;
  if (v == "none" || v == "0" || v == "false" || v == "False" || v.empty()) return Compression::None;
  if (v == "lz4") return Compression::Lz4;
  if (v == "zstd") return Compression::Zstd;
  if (v == "gzip") return Compression::Gzip;
  if (v == "deflate") return Compression::Deflate;
  throwInvalid("option 'compress' expects auto, none, lz4, zstd, gzip or deflate, got '" + std::string(v) + "'");
}

bool isSettingName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

void ClientConfig::set(std::string_view key, std::string_view value) {
  const std::string v(value);
  if (key == "host") {
    if (v.empty()) throwInvalid("option 'host' must not be empty");
    http.endpoint.host = v;
  } else if (key == "port") {
    uint64_t port = parseUnsigned(key, value, 65535);
    if (port == 0) throwInvalid("option 'port' must be 1-65535");
    http.endpoint.port = static_cast<uint16_t>(port);
    port_explicit = true;
  } else if (key == "username" || key == "user") {
    http.username = v;
  } else if (key == "password") {
    http.password = v;
  } else if (key == "database") {
    database = v;
  } else if (key == "secure") {
    http.endpoint.https = parseBool(key, value);
  } else if (key == "verify") {
    http.tls.verify = parseBool(key, value);
  } else if (key == "ca_cert") {
    http.tls.ca_file = v;
  } else if (key == "client_cert") {
    http.tls.client_cert = v;
  } else if (key == "client_cert_key") {
    http.tls.client_key = v;
  } else if (key == "server_host_name") {
    http.tls.server_host_name = v;
  } else if (key == "connect_timeout") {
    http.connect_timeout = parseSeconds(key, value);
  } else if (key == "send_receive_timeout") {
    http.send_receive_timeout = parseSeconds(key, value);
  } else if (key == "compress") {
    compression = parseCompression(value);
  } else if (key == "max_connections") {
    http.pool_size = parseUnsigned(key, value, 1024);
  } else if (key == "proxy") {
    http.proxy = v;
  } else if (key == "path") {
    http.endpoint.base_path = v.empty() || v.front() != '/' ? "/" + v : v;
    if (http.endpoint.base_path.back() != '/') http.endpoint.base_path += '/';
  } else if (key == "session_id") {
    session_id = v;
  } else if (key == "query_retries") {
    query_retries = static_cast<int>(parseUnsigned(key, value, 100));
  } else if (key == "role") {
    roles = parseRoleList(value);
  } else if (key == "protocol_revision") {
    if (v == "auto")
      protocol_revision.reset();
    else if (v == "0" || v == "54405")
      protocol_revision = std::stoull(v);
    else
      throwInvalid("option 'protocol_revision' expects auto, 0 or 54405, got '" + v + "'");
  } else if (key.starts_with("header.")) {
    setCustomHeader(headers, key.substr(7), value);
  } else if (key.starts_with("setting.")) {
    std::string_view name = key.substr(8);
    if (!isSettingName(name)) throwInvalid("'" + std::string(name) + "' is not a valid ClickHouse setting name");
    settings[std::string(name)] = v;
  } else {
    throw Error(ErrorKind::NotFound, "unknown option '" + std::string(key) +
                                         "' (server settings are passed as 'setting." + std::string(key) + "')");
  }
}

void ClientConfig::setUrl(std::string_view url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    http.endpoint.https = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    http.endpoint.https = false;
    rest.remove_prefix(7);
  } else {
    throwInvalid("URL must start with http:// or https://");
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  // Credentials end at the LAST '@' so a password may contain a raw '@'.
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = cred.find(':');
    http.username = percentDecode(cred.substr(0, colon));
    if (colon != std::string_view::npos) http.password = percentDecode(cred.substr(colon + 1));
  }
  std::string_view host = rest, port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) throwInvalid("URL has an unterminated IPv6 address");
    host = rest.substr(0, close + 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throwInvalid("URL has garbage after the IPv6 address");
      port = rest.substr(close + 2);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) throwInvalid("URL has no host");
  set("host", percentDecode(host));
  if (!port.empty()) set("port", port);
  if (!path.empty()) {
    std::string db = percentDecode(path);
    while (!db.empty() && db.back() == '/') db.pop_back();
    if (db.find('/') != std::string::npos) throwInvalid("URL path must be just the database name");
    database = db;
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key = percentDecode(item.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string() : percentDecode(item.substr(eq + 1), true);
    try {
      set(key, value);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::NotFound) throw;
      set("setting." + key, value);  // anything that is not an option is a server setting
    }
  }
}

ClientConfig ClientConfig::resolved() const {
  ClientConfig c = *this;
  if (c.http.endpoint.host.empty()) c.http.endpoint.host = "localhost";
  if (!c.port_explicit) c.http.endpoint.port = c.http.endpoint.https ? 8443 : 8123;
  if (c.http.tls.client_cert.empty() != c.http.tls.client_key.empty())
    throwInvalid("client_cert and client_cert_key must be given together");
  if (c.http.username.empty() && !c.http.password.empty()) c.http.username = "default";
  c.http.user_agent = "chconnect/" CHC_VERSION_STRING;
  return c;
}

std::string percentDecode(std::string_view s, bool form_encoded) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && form_encoded) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace chc
