// Conformance helper: decodes Native bytes with the engine and prints them the way ClickHouse's
// own `FORMAT TSV` does, or re-encodes them with the engine's writer.
//
//   native_tool dump      < native > tsv        every row of every block as TabSeparated text
//   native_tool roundtrip < native > native     decode every block, re-encode with writeNativeBlock
//   native_tool blocks    < native              one line per block: rows, then "name type" pairs
//
// Exit status: 0 ok, 2 engine error (message on stderr, "unsupported:" prefix for
// ErrorKind::Unsupported), 3 a type the dumper cannot render.
// Rendering assumes the session time zone is UTC (tests set session_timezone='UTC').
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "native/NativeBlockReader.hpp"
#include "native/NativeBlockWriter.hpp"
#include "types/Column.hpp"
#include "types/DynamicColumn.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/ValueAccess.hpp"
#include "types/ValueText.hpp"
#include "types/VariantColumn.hpp"

namespace {

using chc::Column;
using chc::TypeKind;

struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T load(const Column& c, size_t row) {
  T v;
  std::memcpy(&v, c.data().data() + row * sizeof(T), sizeof(T));
  return v;
}

// ClickHouse's writeAnyEscapedString: the same escapes in TSV fields and inside quotes.
void escape(std::string_view s, std::string& out) {
  for (unsigned char ch : s) {
    switch (ch) {
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      default: out += static_cast<char>(ch);
    }
  }
}

void quotedOrEscaped(std::string_view s, bool quoted, std::string& out) {
  if (quoted) out += '\'';
  escape(s, out);
  if (quoted) out += '\'';
}

// Value text comes from the engine's helpers (types/ValueText.hpp): this tool checks them
// against the engine's own TSV.

void render(const Column& c, size_t row, bool quoted, std::string& out);

void renderNull(bool quoted, std::string& out) { out += quoted ? "NULL" : "\\N"; }

void render(const Column& c, size_t row, bool quoted, std::string& out) {
  const chc::DataType& t = c.type();
  switch (t.kind()) {
    case TypeKind::Nullable:
      if (chc::isNullAt(c, row)) return renderNull(quoted, out);
      return render(*c.child(0), row, quoted, out);
    case TypeKind::LowCardinality: {
      const auto& lc = static_cast<const chc::LowCardinalityColumn&>(c);
      uint64_t idx = lc.indexAt(row);
      if (lc.isNullable() && idx == 0) return renderNull(quoted, out);
      return render(*lc.child(0), size_t(idx), quoted, out);
    }
    case TypeKind::Array:
    case TypeKind::Map: {
      bool map = t.kind() == TypeKind::Map;
      auto off = c.offsets();
      const Column& el = *c.child(0);
      out += map ? '{' : '[';
      for (int64_t i = off[row]; i < off[row + 1]; ++i) {
        if (i != off[row]) out += ',';
        if (map) {
          render(*el.child(0), size_t(i), true, out);
          out += ':';
          render(*el.child(1), size_t(i), true, out);
        } else {
          render(el, size_t(i), true, out);
        }
      }
      out += map ? '}' : ']';
      return;
    }
    case TypeKind::Tuple: {
      out += '(';
      for (size_t i = 0; i < c.childCount(); ++i) {
        if (i) out += ',';
        render(*c.child(i), row, true, out);
      }
      out += ')';
      return;
    }
    case TypeKind::String:
    case TypeKind::FixedString:
    case TypeKind::Enum8:
    case TypeKind::Enum16: return quotedOrEscaped(chc::getString(c, row), quoted, out);
    case TypeKind::Int8: out += std::to_string(load<int8_t>(c, row)); return;
    case TypeKind::Int16: out += std::to_string(load<int16_t>(c, row)); return;
    case TypeKind::Int32: out += std::to_string(load<int32_t>(c, row)); return;
    case TypeKind::Int64:
    case TypeKind::Interval: out += std::to_string(load<int64_t>(c, row)); return;
    case TypeKind::UInt8: out += std::to_string(load<uint8_t>(c, row)); return;
    case TypeKind::UInt16: out += std::to_string(load<uint16_t>(c, row)); return;
    case TypeKind::UInt32: out += std::to_string(load<uint32_t>(c, row)); return;
    case TypeKind::UInt64: out += std::to_string(load<uint64_t>(c, row)); return;
    case TypeKind::Int128:
    case TypeKind::Int256:
    case TypeKind::UInt128:
    case TypeKind::UInt256: {
      size_t n = (t.kind() == TypeKind::Int128 || t.kind() == TypeKind::UInt128) ? 16 : 32;
      bool s = t.kind() == TypeKind::Int128 || t.kind() == TypeKind::Int256;
      out += chc::wideIntText(c.data().data() + row * n, n, s);
      return;
    }
    case TypeKind::Float32: out += chc::floatText(load<float>(c, row), true); return;
    case TypeKind::Float64: out += chc::floatText(load<double>(c, row), false); return;
    case TypeKind::BFloat16: out += chc::floatText(chc::getDouble(c, row), true); return;
    case TypeKind::Bool: out += load<uint8_t>(c, row) ? "true" : "false"; return;
    case TypeKind::Decimal: {
      size_t n = t.fixedSize();
      out += chc::decimalText(c.data().data() + row * n, n, t.scale());
      return;
    }
    case TypeKind::Date: quotedOrEscaped(chc::dateText(load<uint16_t>(c, row)), quoted, out); return;
    case TypeKind::Date32: quotedOrEscaped(chc::dateText(load<int32_t>(c, row)), quoted, out); return;
    case TypeKind::DateTime:
      if (!t.timezone().empty() && t.timezone() != "UTC")
        throw RenderError("time zone " + t.timezone() + " not supported by the dumper");
      quotedOrEscaped(chc::dateTimeText(load<uint32_t>(c, row)), quoted, out);
      return;
    case TypeKind::DateTime64: {
      if (!t.timezone().empty() && t.timezone() != "UTC")
        throw RenderError("time zone " + t.timezone() + " not supported by the dumper");
      int64_t v = load<int64_t>(c, row), s = chc::pow10i(t.precision());
      int64_t whole = v / s, frac = v % s;
      if (frac < 0) {
        frac += s;
        --whole;
      }
      quotedOrEscaped(chc::dateTimeText(whole) + chc::fraction(frac, t.precision()), quoted, out);
      return;
    }
    case TypeKind::Time: {
      int64_t v = load<int32_t>(c, row);
      quotedOrEscaped(chc::timeText(v < 0 ? -v : v, v < 0), quoted, out);
      return;
    }
    case TypeKind::Time64: {
      int64_t v = load<int64_t>(c, row), s = chc::pow10i(t.precision());
      uint64_t a = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
      quotedOrEscaped(chc::timeText(int64_t(a / s), v < 0) + chc::fraction(int64_t(a % s), t.precision()), quoted, out);
      return;
    }
    case TypeKind::UUID: {
      uint64_t hi = load<uint64_t>(c, row * 2), lo = load<uint64_t>(c, row * 2 + 1);
      std::string u;
      chc::hexDigits(hi >> 32, u, 8);
      u += '-';
      chc::hexDigits(hi >> 16, u, 4);
      u += '-';
      chc::hexDigits(hi, u, 4);
      u += '-';
      chc::hexDigits(lo >> 48, u, 4);
      u += '-';
      chc::hexDigits(lo, u, 12);
      quotedOrEscaped(u, quoted, out);
      return;
    }
    case TypeKind::IPv4: quotedOrEscaped(chc::ipv4Text(load<uint32_t>(c, row)), quoted, out); return;
    case TypeKind::IPv6: quotedOrEscaped(chc::ipv6Text(c.data().data() + row * 16), quoted, out); return;
    case TypeKind::Variant: {
      const auto& v = static_cast<const chc::VariantColumn&>(c);
      if (v.discriminator(row) == chc::VariantColumn::kNull) return renderNull(quoted, out);
      return render(*v.child(v.discriminator(row)), v.memberRow(row), quoted, out);
    }
    case TypeKind::Dynamic: {
      const auto& d = static_cast<const chc::DynamicColumn&>(c);
      auto [value, value_row] = d.valueAt(row);  // SharedVariant values come decoded
      if (value == nullptr) return renderNull(quoted, out);
      return render(*value, value_row, quoted, out);
    }
    case TypeKind::JSON: {  // STRING serialization: the document text
      auto off = c.offsets();
      std::string_view doc(reinterpret_cast<const char*>(c.data().data()) + off[row], size_t(off[row + 1] - off[row]));
      return quotedOrEscaped(doc, quoted, out);
    }
    default: throw RenderError("cannot render type " + t.name());
  }
}

std::vector<uint8_t> readStdin() {
  std::vector<uint8_t> data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) data.insert(data.end(), buf, buf + n);
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "dump" && mode != "roundtrip" && mode != "blocks") {
    std::fprintf(stderr, "usage: native_tool dump|roundtrip|blocks < native\n");
    return 64;
  }
  try {
    std::vector<uint8_t> input = readStdin();
    chc::MemoryInputStream in(input);
    chc::NativeBlockReader reader(in);
    std::string out;
    std::vector<uint8_t> bin;
    while (auto block = reader.next()) {
      if (mode == "roundtrip") {
        chc::writeNativeBlock(*block, bin);
      } else if (mode == "blocks") {
        out += std::to_string(block->rows);
        for (size_t i = 0; i < block->columns.size(); ++i)
          out += "\t" + block->names[i] + " " + block->columns[i]->type().name();
        out += '\n';
      } else {
        for (size_t r = 0; r < block->rows; ++r) {
          for (size_t i = 0; i < block->columns.size(); ++i) {
            if (i) out += '\t';
            render(*block->columns[i], r, false, out);
          }
          out += '\n';
        }
      }
      if (out.size() > (1 << 20)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
      if (bin.size() > (1 << 20)) {
        std::fwrite(bin.data(), 1, bin.size(), stdout);
        bin.clear();
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fwrite(bin.data(), 1, bin.size(), stdout);
    return 0;
  } catch (const chc::Error& e) {
    std::fprintf(stderr, "%s: %s\n", e.kind() == chc::ErrorKind::Unsupported ? "unsupported" : "error", e.what());
    return 2;
  } catch (const RenderError& e) {
    std::fprintf(stderr, "render: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception: %s\n", e.what());
    return 4;
  }
}
