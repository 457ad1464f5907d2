// JSON (spec §5.10). In memory always one JSON document per row (offsets + bytes, the view the C
// ABI and bindings use). Read from any of:
//  - STRING (version 1, output_format_native_write_json_as_string=1): the documents themselves;
//  - object V1 (version 0) / V2 (version 2): typed paths, dynamic paths (a Dynamic column each, with
//    its own structure prefix) and shared data (Array(Tuple(String, String)), each value a binary
//    type + binary value). Every row is materialised into the same text the engine writes for it
//    (paths sorted, nested objects rebuilt from dotted paths, NULL dynamic paths left out).
// Inserts and re-encoding always use STRING (the server parses the text).
// FLATTENED (version 3) gives a clear Unsupported error.
#pragma once

#include "types/StringColumn.hpp"

namespace chc {

class JSONColumn final : public Column {
 public:
  explicit JSONColumn(TypePtr type);
  ~JSONColumn() override;

  size_t size() const override { return text_.size(); }
  void readPrefix(ReadBuffer& in) override;
  void readData(ReadBuffer& in, size_t rows) override;
  void writePrefix(WriteBuffer& out) const override;
  void writeData(WriteBuffer& out) const override { text_.writeData(out); }
  std::span<const uint8_t> data() const override { return text_.data(); }
  std::span<const int64_t> offsets() const override { return text_.offsets(); }

  void appendString(std::string_view json) override { text_.appendString(json); }
  void appendDefault() override { text_.appendString("{}"); }
  void clear() override;

 private:
  struct ObjectState;
  void readObjectData(ReadBuffer& in, size_t rows);

  StringColumn text_;
  std::unique_ptr<ObjectState> object_;  // set while reading a block in object form
};

}  // namespace chc
