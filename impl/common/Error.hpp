// The one exception type of the engine. capi/ turns it into a chc_error; nothing else crosses the ABI.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace chc {

// Mirrors the CHC_E_* status codes of the public header (same numeric values).
enum class ErrorKind : int {
  InvalidArgument = 1,  // caller passed something unusable (bad option, wrong column, ...)
  InvalidState = 2,     // call made in the wrong state (finished insert, ...)
  NotFound = 3,         // unknown option key, column or field
  Unsupported = 4,      // a type or feature this version does not handle
  NoMemory = 5,
  Network = 6,  // connect/send/receive failed, connection dropped
  Tls = 7,      // TLS handshake or certificate verification failed
  Timeout = 8,  // connect or send/receive timeout elapsed
  Cancelled = 9,
  Auth = 10,      // the server rejected the credentials
  Server = 11,    // a ClickHouse exception or an HTTP error status
  Protocol = 12,  // malformed data from the server (or in a Native buffer we were given)
  Type = 13,      // a value does not fit a column's type
  Internal = 14,  // a bug in chconnect
};

struct ServerInfo {
  int32_t code = 0;      // ClickHouse exception code, 0 if none
  std::string name;      // symbolic name (e.g. UNKNOWN_TABLE) when the server gave it
  int http_status = 0;   // HTTP status of the response, 0 if no response
  std::string query_id;  // query id of the request, empty if unknown
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, ServerInfo info = {})
      : std::runtime_error(std::move(message)), kind_(kind), info_(std::move(info)) {}

  ErrorKind kind() const noexcept { return kind_; }
  const ServerInfo& server() const noexcept { return info_; }
  ServerInfo& server() noexcept { return info_; }

 private:
  ErrorKind kind_;
  ServerInfo info_;
};

[[noreturn]] inline void throwProtocol(std::string message) { throw Error(ErrorKind::Protocol, std::move(message)); }
[[noreturn]] inline void throwInvalid(std::string message) {
  throw Error(ErrorKind::InvalidArgument, std::move(message));
}
[[noreturn]] inline void throwUnsupported(std::string message) {
  throw Error(ErrorKind::Unsupported, std::move(message));
}

}  // namespace chc
