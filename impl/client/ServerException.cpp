#include "client/ServerException.hpp"

#include <cctype>

namespace chc {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The symbolic name: the last "(UPPER_CASE)" group before "(version" (or the end).
std::string symbolicName(std::string_view text) {
  size_t limit = text.find("(version");
  std::string_view head = text.substr(0, limit);
  size_t close = head.rfind(')');
  while (close != std::string_view::npos) {
    size_t open = head.rfind('(', close);
    if (open == std::string_view::npos) break;
    std::string_view inner = head.substr(open + 1, close - open - 1);
    bool upper = !inner.empty();
    for (char c : inner)
      if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
        upper = false;
    if (upper) return std::string(inner);
    if (open == 0) break;
    close = head.rfind(')', open - 1);
  }
  return {};
}

}  // namespace

std::optional<ParsedException> parseExceptionText(std::string_view body) {
  std::string_view t = trim(body);
  if (!t.starts_with("Code: ")) return std::nullopt;
  size_t i = 6;
  int64_t code = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])) && code < 1000000)
    code = code * 10 + (t[i++] - '0');
  if (i == 6 || i >= t.size() || (t[i] != '.' && t[i] != ',')) return std::nullopt;
  ParsedException e;
  e.code = static_cast<int32_t>(code);
  e.message = std::string(t);
  e.name = symbolicName(t);
  return e;
}

std::optional<ParsedException> findMidStreamException(std::string_view window) {
  // 25.x and later: "\r\n__exception__\r\n" [TAG "\r\n"] "Code: ..." — take what follows the marker.
  static constexpr std::string_view kMarker = "__exception__\r\n";
  if (size_t m = window.find(kMarker); m != std::string_view::npos) {
    std::string_view after = window.substr(m + kMarker.size());
    size_t code = after.find("Code: ");
    if (code != std::string_view::npos && code <= 40) {
      std::string_view text = after.substr(code);
      if (size_t end = text.find("\r\n__exception__"); end != std::string_view::npos) {
        text = text.substr(0, end);
        // tagged form: "<message>\n<len> <TAG>" — drop the trailing length/tag line
        if (size_t nl = trim(text).rfind('\n'); nl != std::string_view::npos) text = text.substr(0, nl);
      }
      if (auto e = parseExceptionText(text)) return e;
    }
  }
  // Older servers append plain text: the last "Code: N" at the start of the window or a line.
  size_t pos = window.rfind("Code: ");
  while (pos != std::string_view::npos) {
    if (auto e = parseExceptionText(window.substr(pos))) return e;
    if (pos == 0) break;
    pos = window.rfind("Code: ", pos - 1);
  }
  return std::nullopt;
}

ErrorKind kindForServerError(int32_t code, int http_status) {
  // REQUIRED_PASSWORD 194, WRONG_PASSWORD 193, UNKNOWN_USER 192, AUTHENTICATION_FAILED 516
  if (code == 192 || code == 193 || code == 194 || code == 516) return ErrorKind::Auth;
  if (code == 0 && (http_status == 401 || http_status == 403)) return ErrorKind::Auth;
  return ErrorKind::Server;
}

}  // namespace chc
