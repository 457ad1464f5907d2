// Recognising ClickHouse exceptions in response bodies and headers
// (shared/spec/http-interface.md §9).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/Error.hpp"

namespace chc {

struct ParsedException {
  int32_t code = 0;
  std::string name;     // e.g. UNKNOWN_TABLE, "" when the server version does not print it
  std::string message;  // the exception text, trimmed
};

// Parses an error body that starts with (or is) "Code: N[.,] ...".
std::optional<ParsedException> parseExceptionText(std::string_view body);
// Finds an exception a server appended to a stream that failed after it started: the tagged or
// marker forms of newer servers, else the last "Code: N" line. Nullopt when there is none.
std::optional<ParsedException> findMidStreamException(std::string_view window);
// The ErrorKind for a server exception code / HTTP status (Auth for credential failures).
ErrorKind kindForServerError(int32_t code, int http_status);

}  // namespace chc
