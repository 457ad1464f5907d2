#include "types/JSONText.hpp"

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

void civil(int64_t days, int& y, unsigned& m, unsigned& d) {  // H. Hinnant's civil_from_days
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = unsigned(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = int64_t(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = int(yy + (m <= 2));
}

std::string dateText(int64_t days) {
  int y;
  unsigned m, d;
  civil(days, y, m, d);
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02u-%02u", y, m, d);
  return b;
}

std::string dateTimeText(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  char b[32];
  std::snprintf(b, sizeof b, " %02d:%02d:%02d", int(rem / 3600), int(rem / 60 % 60), int(rem % 60));
  return dateText(days) + b;
}

int64_t pow10i(uint32_t p) {
  int64_t r = 1;
  while (p--) r *= 10;
  return r;
}

std::string fraction(int64_t frac, uint32_t p) {
  if (p == 0) return "";
  std::string f = std::to_string(frac);
  return "." + std::string(p - std::min<size_t>(p, f.size()), '0') + f;
}

std::string timeText(uint64_t secs_abs, bool neg) {
  char b[48];
  std::snprintf(b, sizeof b, "%s%02llu:%02d:%02d", neg ? "-" : "", (unsigned long long)(secs_abs / 3600),
                int(secs_abs / 60 % 60), int(secs_abs % 60));
  return b;
}

void hexDigits(uint64_t v, std::string& out, int digits) {
  static const char* h = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out += h[(v >> (4 * i)) & 0xF];
}

std::string ipv4Text(uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." + std::to_string((v >> 8) & 255) + "." +
         std::to_string(v & 255);
}

std::string ipv6Text(const uint8_t* src) {  // ClickHouse's formatIPv6
  std::array<uint16_t, 8> w{};
  for (int i = 0; i < 8; ++i) w[i] = uint16_t(src[2 * i] << 8 | src[2 * i + 1]);
  int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
  for (int i = 0; i < 8; ++i) {
    if (w[i] == 0) {
      if (cur_base == -1) {
        cur_base = i;
        cur_len = 1;
      } else {
        ++cur_len;
      }
    } else if (cur_base != -1) {
      if (best_base == -1 || cur_len > best_len) {
        best_base = cur_base;
        best_len = cur_len;
      }
      cur_base = -1;
    }
  }
  if (cur_base != -1 && (best_base == -1 || cur_len > best_len)) {
    best_base = cur_base;
    best_len = cur_len;
  }
  if (best_base != -1 && best_len < 2) best_base = -1;
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (best_base != -1 && i >= best_base && i < best_base + best_len) {
      if (i == best_base) out += ':';
      continue;
    }
    if (i != 0) out += ':';
    if (i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
      out += ipv4Text(uint32_t(src[12]) << 24 | uint32_t(src[13]) << 16 | uint32_t(src[14]) << 8 | src[15]);
      return out;
    }
    char b[8];
    std::snprintf(b, sizeof b, "%x", w[i]);
    out += b;
  }
  if (best_base != -1 && best_base + best_len == 8) out += ':';
  return out;
}

template <class F>
std::string floatTextT(F x) {
  if (x != x) return "nan";
  if (x == std::numeric_limits<F>::infinity()) return "inf";
  if (x == -std::numeric_limits<F>::infinity()) return "-inf";
  if (x == 0) return std::signbit(x) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (size_t i = 0; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  std::string r = neg ? "-" : "";
  if (exp >= -6 && exp <= 20) {
    if (exp < 0) {
      r += "0." + std::string(size_t(-exp - 1), '0') + digits;
    } else if (size_t(exp) + 1 >= digits.size()) {
      r += digits + std::string(exp + 1 - digits.size(), '0');
    } else {
      r += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
  } else {
    r += digits.substr(0, 1);
    if (digits.size() > 1) r += "." + digits.substr(1);
    r += "e" + std::to_string(exp);
  }
  return r;
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

std::string floatText(double x, bool is_float32) {
  return is_float32 ? floatTextT(static_cast<float>(x)) : floatTextT(x);
}

std::string wideIntText(const uint8_t* p, size_t n, bool is_signed) {
  std::vector<uint32_t> limbs(n / 4);
  for (size_t i = 0; i < limbs.size(); ++i) std::memcpy(&limbs[i], p + 4 * i, 4);
  bool negative = is_signed && (p[n - 1] & 0x80);
  if (negative) {
    uint64_t carry = 1;
    for (auto& l : limbs) {
      uint64_t v = uint64_t(uint32_t(~l)) + carry;
      l = uint32_t(v);
      carry = v >> 32;
    }
  }
  std::string digits;
  for (;;) {
    bool zero = true;
    uint64_t rem = 0;
    for (size_t i = limbs.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = uint32_t(cur / 10);
      rem = cur % 10;
      if (limbs[i]) zero = false;
    }
    digits += char('0' + rem);
    if (zero) break;
  }
  if (negative) digits += '-';
  return {digits.rbegin(), digits.rend()};
}

std::string decimalText(const uint8_t* p, size_t width, uint32_t scale) {
  std::string s;
  if (width == 4) {
    int32_t v;
    std::memcpy(&v, p, 4);
    s = std::to_string(v);
  } else if (width == 8) {
    int64_t v;
    std::memcpy(&v, p, 8);
    s = std::to_string(v);
  } else {
    s = wideIntText(p, width, true);
  }
  bool neg = !s.empty() && s[0] == '-';
  std::string digits = neg ? s.substr(1) : s;
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  std::string ip = digits.substr(0, digits.size() - scale), fp = digits.substr(digits.size() - scale);
  while (!fp.empty() && fp.back() == '0') fp.pop_back();
  std::string r = neg ? "-" : "";
  r += ip;
  if (!fp.empty()) r += "." + fp;
  if (r == "-0") r = "0";
  return r;
}

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
