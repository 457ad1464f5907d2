// External data for query processing: tables sent along with one request as multipart/form-data
// file parts, usable in its SQL as temporary tables (shared/spec/http-interface.md §6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chc {

struct ExternalTable {
  std::string name;       // the table name in the SQL; also the file part's name
  std::string structure;  // "a UInt32, b String" -> URL parameter <name>_structure ...
  std::string types;      // ... or "UInt32,String" (columns _1, _2, ...) -> <name>_types
  std::string format;     // <name>_format; empty: not sent (the server's default, TabSeparated)
  std::vector<uint8_t> data;
};

// Checks `table` and appends it. Throws Error(InvalidArgument) for an empty name, a name with a
// control character, '"' or '\\', the name "query", a name already added, or unless exactly one
// of structure and types is given.
void addExternalTable(std::vector<ExternalTable>& tables, ExternalTable table);

struct MultipartBody {
  std::string content_type;  // "multipart/form-data; boundary=..."
  std::vector<uint8_t> bytes;
};

// One file part per table (application/octet-stream, data unchanged), preceded by a form field
// "query" holding `query_field` when it is not null. The boundary is random and occurs in no data.
MultipartBody buildMultipartBody(const std::vector<ExternalTable>& tables, const std::string* query_field);

}  // namespace chc
