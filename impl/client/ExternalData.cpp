#include "client/ExternalData.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <string_view>

#include "common/Error.hpp"

namespace chc {
namespace {

std::string randomBoundary() {
  std::random_device rd;  // per call: no shared RNG state between threads
  std::string out = "chconnect-";
  char hex[9];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(rd()));
    out += hex;
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string_view view(const std::vector<uint8_t>& v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }

void append(std::vector<uint8_t>& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

}  // namespace

void addExternalTable(std::vector<ExternalTable>& tables, ExternalTable table) {
  const std::string& name = table.name;
  if (name.empty()) throwInvalid("external table name must not be empty");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\')
      throwInvalid("external table name '" + name + "' contains a control character, '\"' or '\\'");
  }
  if (name == "query") throwInvalid("'query' cannot name an external table (it is the SQL's form field)");
  if (std::any_of(tables.begin(), tables.end(), [&](const ExternalTable& t) { return t.name == name; }))
    throwInvalid("external table '" + name + "' was already added to this query");
  if (table.structure.empty() == table.types.empty())
    throwInvalid("external table '" + name + "' needs either a structure or types, not " +
                 (table.structure.empty() ? "neither" : "both"));
  tables.push_back(std::move(table));
}

MultipartBody buildMultipartBody(const std::vector<ExternalTable>& tables, const std::string* query_field) {
  std::string boundary;
  do {
    boundary = randomBoundary();
  } while ((query_field && contains(*query_field, boundary)) ||
           std::any_of(tables.begin(), tables.end(),
                       [&](const ExternalTable& t) { return contains(view(t.data), boundary); }));
  MultipartBody body;
  body.content_type = "multipart/form-data; boundary=" + boundary;
  size_t total = 64 + (query_field ? query_field->size() : 0);
  for (const ExternalTable& t : tables) total += t.data.size() + 2 * t.name.size() + 160;
  body.bytes.reserve(total);
  std::vector<uint8_t>& out = body.bytes;
  if (query_field) {
    append(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n");
    append(out, *query_field);
    append(out, "\r\n");
  }
  for (const ExternalTable& t : tables) {
    append(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + t.name + "\"; filename=\"" + t.name +
                    "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    out.insert(out.end(), t.data.begin(), t.data.end());
    append(out, "\r\n");
  }
  append(out, "--" + boundary + "--\r\n");
  return body;
}

}  // namespace chc
