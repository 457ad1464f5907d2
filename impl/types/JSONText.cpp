#include "types/JSONText.hpp"
#include "types/ValueText.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "common/Error.hpp"
#include "types/DynamicColumn.hpp"
#include "types/JSONColumn.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/VariantColumn.hpp"

namespace chc {
namespace {

template <class T>
T load(const Column& c, size_t row) {
  T v;
  std::memcpy(&v, c.data().data() + row * sizeof(T), sizeof(T));
  return v;
}

void appendFloat(double x, bool is_float32, std::string& out) {
  if (!std::isfinite(x)) {
    out += "null";  // output_format_json_quote_denormals=0
    return;
  }
  out += floatText(x, is_float32);
}

void appendQuoted(const std::string& text, std::string& out) { appendJSONString(text, out); }

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(path.substr(start));
      return parts;
    }
    parts.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
}

}  // namespace

void appendJSONString(std::string_view s, std::string& out) {
  static const char* hex = "0123456789ABCDEF";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '/': out += "\\/"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20) {
          out += "\\u00";
          out += hex[ch >> 4];
          out += hex[ch & 15];
        } else if (ch == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  out += '"';
}

void appendJSONValue(const Column& c, size_t row, std::string& out) {
  const DataType& t = c.type();
  switch (t.kind()) {
    case TypeKind::Nothing: out += "null"; return;
    case TypeKind::Nullable:
      if (c.nullMap()[row]) {
        out += "null";
        return;
      }
      return appendJSONValue(*c.child(0), row, out);
    case TypeKind::LowCardinality: {
      const auto& lc = static_cast<const LowCardinalityColumn&>(c);
      uint64_t idx = lc.indexAt(row);
      if (lc.isNullable() && idx == 0) {
        out += "null";
        return;
      }
      return appendJSONValue(*lc.child(0), size_t(idx), out);
    }
    case TypeKind::Array:
    case TypeKind::Map: {
      const bool map = t.kind() == TypeKind::Map;
      auto off = c.offsets();
      const Column& el = *c.child(0);
      out += map ? '{' : '[';
      for (int64_t i = off[row]; i < off[row + 1]; ++i) {
        if (i != off[row]) out += ',';
        if (map) {
          // Keys are written as JSON strings: a String key as is, other keys as their JSON text.
          const Column& key = *el.child(0);
          std::string key_text;
          appendJSONValue(key, size_t(i), key_text);
          if (key_text.empty() || key_text.front() != '"') key_text = "\"" + key_text + "\"";
          out += key_text;
          out += ':';
          appendJSONValue(*el.child(1), size_t(i), out);
        } else {
          appendJSONValue(el, size_t(i), out);
        }
      }
      out += map ? '}' : ']';
      return;
    }
    case TypeKind::Tuple: {
      const auto& names = t.elementNames();
      out += names.empty() ? '[' : '{';
      for (size_t i = 0; i < c.childCount(); ++i) {
        if (i) out += ',';
        if (!names.empty()) {
          appendJSONString(names[i], out);
          out += ':';
        }
        appendJSONValue(*c.child(i), row, out);
      }
      out += names.empty() ? ']' : '}';
      return;
    }
    case TypeKind::String: {
      auto off = c.offsets();
      return appendJSONString(
          {reinterpret_cast<const char*>(c.data().data()) + off[row], size_t(off[row + 1] - off[row])}, out);
    }
    case TypeKind::FixedString: {
      size_t n = t.fixedSize();
      return appendJSONString({reinterpret_cast<const char*>(c.data().data()) + row * n, n}, out);
    }
    case TypeKind::JSON: {  // nested object (Array(JSON) values): the materialised document
      auto off = c.offsets();
      out.append(reinterpret_cast<const char*>(c.data().data()) + off[row], size_t(off[row + 1] - off[row]));
      return;
    }
    case TypeKind::Enum8:
    case TypeKind::Enum16: {
      int v = t.kind() == TypeKind::Enum8 ? load<int8_t>(c, row) : load<int16_t>(c, row);
      for (const EnumEntry& e : t.enumEntries())
        if (e.value == v) return appendJSONString(e.name, out);
      throwProtocol("value " + std::to_string(v) + " is not an element of " + t.name());
    }
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
      size_t n = t.fixedSize();
      bool s = t.kind() == TypeKind::Int128 || t.kind() == TypeKind::Int256;
      out += wideIntText(c.data().data() + row * n, n, s);
      return;
    }
    case TypeKind::Float32: return appendFloat(load<float>(c, row), true, out);
    case TypeKind::Float64: return appendFloat(load<double>(c, row), false, out);
    case TypeKind::BFloat16: {
      uint32_t bits = uint32_t(load<uint16_t>(c, row)) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return appendFloat(f, true, out);
    }
    case TypeKind::Bool: out += load<uint8_t>(c, row) ? "true" : "false"; return;
    case TypeKind::Decimal: {
      size_t n = t.fixedSize();
      out += decimalText(c.data().data() + row * n, n, t.scale());
      return;
    }
    case TypeKind::Date: return appendQuoted(dateText(load<uint16_t>(c, row)), out);
    case TypeKind::Date32: return appendQuoted(dateText(load<int32_t>(c, row)), out);
    case TypeKind::DateTime: return appendQuoted(dateTimeText(load<uint32_t>(c, row)), out);
    case TypeKind::DateTime64: {
      int64_t v = load<int64_t>(c, row), s = pow10i(t.precision());
      int64_t whole = v / s, frac = v % s;
      if (frac < 0) {
        frac += s;
        --whole;
      }
      return appendQuoted(dateTimeText(whole) + fraction(frac, t.precision()), out);
    }
    case TypeKind::Time: {
      int64_t v = load<int32_t>(c, row);
      return appendQuoted(timeText(uint64_t(v < 0 ? -v : v), v < 0), out);
    }
    case TypeKind::Time64: {
      int64_t v = load<int64_t>(c, row), s = pow10i(t.precision());
      uint64_t a = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
      return appendQuoted(timeText(a / uint64_t(s), v < 0) + fraction(int64_t(a % uint64_t(s)), t.precision()), out);
    }
    case TypeKind::UUID: {
      uint64_t hi = load<uint64_t>(c, row * 2), lo = load<uint64_t>(c, row * 2 + 1);
      std::string u;
      hexDigits(hi >> 32, u, 8);
      u += '-';
      hexDigits(hi >> 16, u, 4);
      u += '-';
      hexDigits(hi, u, 4);
      u += '-';
      hexDigits(lo >> 48, u, 4);
      u += '-';
      hexDigits(lo, u, 12);
      return appendQuoted(u, out);
    }
    case TypeKind::IPv4: return appendQuoted(ipv4Text(load<uint32_t>(c, row)), out);
    case TypeKind::IPv6: return appendQuoted(ipv6Text(c.data().data() + row * 16), out);
    case TypeKind::Variant: {
      const auto& v = static_cast<const VariantColumn&>(c);
      if (v.discriminator(row) == VariantColumn::kNull) {
        out += "null";
        return;
      }
      return appendJSONValue(*v.child(v.discriminator(row)), v.memberRow(row), out);
    }
    case TypeKind::Dynamic: {
      const auto& d = static_cast<const DynamicColumn&>(c);
      auto [col, r] = d.valueAt(row);
      if (!col) {
        out += "null";
        return;
      }
      return appendJSONValue(*col, r, out);
    }
    default: throwUnsupported("cannot write a value of type " + t.name() + " as JSON");
  }
}

void appendJSONObject(std::vector<std::pair<std::string, std::string>>& pv, std::string& out) {
  std::sort(pv.begin(), pv.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out += '{';
  std::vector<std::string_view> prefix;  // the nested object being written into
  std::vector<bool> has_keys{false};     // per open object: a key was written (comma needed)
  for (const auto& [path, value] : pv) {
    std::vector<std::string_view> parts = splitPath(path);
    auto shares_prefix = [&] {
      if (prefix.size() >= parts.size()) return false;
      for (size_t i = 0; i < prefix.size(); ++i)
        if (prefix[i] != parts[i]) return false;
      return true;
    };
    while (!prefix.empty() && !shares_prefix()) {
      prefix.pop_back();
      has_keys.pop_back();
      out += '}';
    }
    for (size_t j = prefix.size(); j + 1 < parts.size(); ++j) {
      if (has_keys.back()) out += ',';
      has_keys.back() = true;
      appendJSONString(parts[j], out);
      out += ":{";
      prefix.push_back(parts[j]);
      has_keys.push_back(false);
    }
    if (has_keys.back()) out += ',';
    has_keys.back() = true;
    appendJSONString(parts.back(), out);
    out += ':';
    out += value;
  }
  for (size_t i = 0; i < prefix.size(); ++i) out += '}';
  out += '}';
}

}  // namespace chc
