// JSON and Dynamic -> Arrow large_utf8 holding JSON text, tagged as the canonical arrow.json
// extension (the metadata is set by the schema export).
//  - JSON: the column's documents (offsets and bytes zero-copy when they are valid UTF-8).
//  - Dynamic: its alternatives change from block to block, so a union would give each block of a
//    stream another schema. Each value is rendered as JSON text instead (appendJSONValue: numbers
//    unquoted, strings quoted, dates/UUIDs/IPs as strings, as the engine writes them in a JSON
//    column); a NULL value is an Arrow null.
// Arrow utf8 must be valid UTF-8 while ClickHouse strings are bytes: ill-formed sequences are
// replaced by U+FFFD in the exported text.
#include <climits>
#include <cstring>
#include <string>
#include <string_view>

#include "arrow/ArrowPrivate.hpp"
#include "common/Error.hpp"
#include "types/DynamicColumn.hpp"
#include "types/JSONText.hpp"

namespace chc::arrow::detail {
namespace {

// Pushes `text` as an owned data buffer.
void pushText(ArrayHolder& h, const std::string& text) {
  char* chars = ownBuffer<char>(h, text.size());
  if (!text.empty()) std::memcpy(chars, text.data(), text.size());
  h.buffers.push_back(chars);
}

// Every row valid UTF-8: the whole buffer is, and no row starts inside a multi-byte sequence.
bool rowsValidUTF8(std::string_view all, std::span<const int64_t> offs) {
  if (!isValidUTF8(all)) return false;
  for (size_t r = 1; r + 1 < offs.size(); ++r)
    if (static_cast<size_t>(offs[r]) < all.size() && (static_cast<unsigned char>(all[offs[r]]) & 0xC0) == 0x80)
      return false;
  return true;
}

}  // namespace

void exportJSON(const Column& c, const uint8_t* null_map, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  const size_t n = c.size();
  std::span<const int64_t> offs = c.offsets();
  std::span<const uint8_t> data = c.data();
  if (offs.size() != n + 1) throw Error(ErrorKind::Internal, "JSON column without n+1 offsets");
  auto h = arrayHolder(keep, 0);
  const int64_t nulls = pushValidity(*h, null_map, n);
  const std::string_view all(reinterpret_cast<const char*>(data.data()), data.size());
  if (rowsValidUTF8(all, offs)) {
    h->buffers.push_back(offs.data());
    h->buffers.push_back(data.empty() ? emptyBuffer() : data.data());
  } else {
    int64_t* fixed_offs = ownBuffer<int64_t>(*h, n + 1);
    std::string text;
    fixed_offs[0] = 0;
    for (size_t r = 0; r < n; ++r) {
      appendUTF8(all.substr(static_cast<size_t>(offs[r]), static_cast<size_t>(offs[r + 1] - offs[r])), text);
      fixed_offs[r + 1] = static_cast<int64_t>(text.size());
    }
    h->buffers.push_back(fixed_offs);
    pushText(*h, text);
  }
  publishArray(std::move(h), static_cast<int64_t>(n), nulls, out);
}

void exportDynamic(const Column& c, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  const auto& d = static_cast<const DynamicColumn&>(c);
  const size_t n = d.size();
  auto h = arrayHolder(keep, 0);
  std::vector<uint8_t> null_map(n, 0);
  int64_t* offs = ownBuffer<int64_t>(*h, n + 1);
  std::string text, value;
  offs[0] = 0;
  for (size_t r = 0; r < n; ++r) {
    auto [col, row] = d.valueAt(r);
    if (!col) {
      null_map[r] = 1;
    } else {
      value.clear();
      appendJSONValue(*col, row, value);
      if (isValidUTF8(value))
        text += value;
      else
        appendUTF8(value, text);
    }
    offs[r + 1] = static_cast<int64_t>(text.size());
  }
  const int64_t nulls = pushValidity(*h, null_map.data(), n);
  h->buffers.push_back(offs);
  pushText(*h, text);
  publishArray(std::move(h), static_cast<int64_t>(n), nulls, out);
}

}  // namespace chc::arrow::detail
