#include "client/CustomHeaders.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/Error.hpp"

namespace chc {
namespace {

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 token: ALPHA / DIGIT / one of !#$%&'*+-.^_`|~
bool isToken(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

// The request framing and content negotiation belong to the library.
constexpr std::array<std::string_view, 6> kManaged = {"Content-Length",   "Transfer-Encoding", "Content-Type",
                                                      "Content-Encoding", "Accept-Encoding",   "Expect"};

void put(HeaderList& headers, std::string_view name, std::string_view value) {
  for (auto& [n, v] : headers) {
    if (sameName(n, name)) {
      n = name;  // the later spelling wins too
      v = value;
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

}  // namespace

void setCustomHeader(HeaderList& headers, std::string_view name, std::string_view value) {
  if (!isToken(name)) throwInvalid("'" + std::string(name) + "' is not a valid HTTP header name");
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      throwInvalid("the value of HTTP header '" + std::string(name) + "' contains a control character (CR, LF, ...)");
  }
  for (std::string_view managed : kManaged) {
    if (sameName(name, managed))
      throwInvalid("HTTP header '" + std::string(name) + "' is set by chconnect and cannot be given");
  }
  put(headers, name, value);
}

HeaderList mergeCustomHeaders(const HeaderList& client, const HeaderList& query) {
  HeaderList out = client;
  for (const auto& [name, value] : query) put(out, name, value);
  std::erase_if(out, [](const auto& h) { return h.second.empty(); });
  return out;
}

}  // namespace chc
