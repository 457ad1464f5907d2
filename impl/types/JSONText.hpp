// JSON text of single values, as the engine writes them inside a JSON object column
// (SerializationObject text output with default settings): numbers unquoted (64/128/256-bit
// integers and decimals too, decimals without trailing zeros), NaN/Inf as null, dates, times,
// UUIDs, IPs and enums as strings, named tuples as objects, unnamed tuples as arrays, maps as
// objects. Date and time values are rendered in UTC (the client does not know the server's zone).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "types/Column.hpp"

namespace chc {

// A JSON string literal with the engine's escapes (\" \\ \/ \b \f \n \r \t, \u00XX for other
// control bytes, \u2028 \u2029); other bytes, including invalid UTF-8, pass through.
void appendJSONString(std::string_view s, std::string& out);
// Row `row` of `column` as a JSON value.
void appendJSONValue(const Column& column, size_t row, std::string& out);
// Builds an object from (dot-separated path, JSON value text) pairs: paths are sorted byte-wise and
// nested objects opened/closed between them, as the engine does.
void appendJSONObject(std::vector<std::pair<std::string, std::string>>& path_values, std::string& out);

}  // namespace chc
