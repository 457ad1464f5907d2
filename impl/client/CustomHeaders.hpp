// Caller-given HTTP headers: config and query key header.<Name> (chconnect.h sections 3 and 5).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chc {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Sets one header, replacing an earlier one of the same name (names compare case-insensitively).
// An empty value is kept: it means "send no such header" (a query's empty value suppresses the
// client's header of that name). Throws Error(InvalidArgument) when the name is not an HTTP token,
// the value holds a control character other than TAB (CR and LF would inject headers), or the
// header is one chconnect manages itself (Content-Length, Transfer-Encoding, Content-Type,
// Content-Encoding, Accept-Encoding, Expect).
void setCustomHeader(HeaderList& headers, std::string_view name, std::string_view value);

// The headers of one request: the client's, overridden by the query's; empty values dropped.
HeaderList mergeCustomHeaders(const HeaderList& client, const HeaderList& query);

}  // namespace chc
