// JSON (spec §5.10), in the STRING serialization: one JSON document per row. Servers send it when
// the query sets output_format_native_write_json_as_string=1 (24.10+); inserts always use it (the
// server parses the text). The object serializations (V1/V2, typed and dynamic paths, shared data)
// give a clear Unsupported error for now.
#pragma once

#include "types/StringColumn.hpp"

namespace chc {

class JSONColumn final : public Column {
 public:
  explicit JSONColumn(TypePtr type);

  size_t size() const override { return text_.size(); }
  void readPrefix(ReadBuffer& in) override;
  void readData(ReadBuffer& in, size_t rows) override { text_.readData(in, rows); }
  void writePrefix(WriteBuffer& out) const override;
  void writeData(WriteBuffer& out) const override { text_.writeData(out); }
  std::span<const uint8_t> data() const override { return text_.data(); }
  std::span<const int64_t> offsets() const override { return text_.offsets(); }

  void appendString(std::string_view json) override { text_.appendString(json); }
  void appendDefault() override { text_.appendString("{}"); }
  void clear() override { text_.clear(); }

 private:
  StringColumn text_;
};

}  // namespace chc
