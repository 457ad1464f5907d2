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

// Little-endian two's-complement integer of 8*n bytes (n = 16 or 32) in decimal.
std::string wideToString(const uint8_t* p, size_t n, bool is_signed) {
  std::vector<uint32_t> limbs(n / 4);
  for (size_t i = 0; i < limbs.size(); ++i) std::memcpy(&limbs[i], p + 4 * i, 4);
  bool negative = is_signed && (p[n - 1] & 0x80);
  if (negative) {  // negate: invert and add one
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

// Decimal value (integer of `width` bytes) with `scale` digits after the point, trailing zeros
// removed (output_format_decimal_trailing_zeros=0).
std::string decimalToString(const uint8_t* p, size_t width, uint32_t scale) {
  std::string s;
  if (width == 4) {
    int32_t v;
    std::memcpy(&v, p, 4);
    s = std::to_string(v);
  } else if (width == 8) {
    int64_t v;
    std::memcpy(&v, p, 8);
    s = std::to_string(v);
  } else
    s = wideToString(p, width, true);
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

// Shortest round-trip representation, fixed notation for exponents -6..20, else d.ddde[-]x.
template <class F>
std::string floatToString(F x) {
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

std::string dateString(int64_t days) {
  int y;
  unsigned m, d;
  civil(days, y, m, d);
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02u-%02u", y, m, d);
  return b;
}

std::string dateTimeString(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  char b[32];
  std::snprintf(b, sizeof b, " %02d:%02d:%02d", int(rem / 3600), int(rem / 60 % 60), int(rem % 60));
  return dateString(days) + b;
}

int64_t pow10i(uint32_t p) {
  int64_t r = 1;
  while (p--) r *= 10;
  return r;
}

std::string fraction(int64_t frac, uint32_t p) {
  if (p == 0) return "";
  std::string f = std::to_string(frac);
  return "." + std::string(p - f.size(), '0') + f;
}

std::string timeString(int64_t secs_abs, bool neg) {
  char b[48];
  std::snprintf(b, sizeof b, "%s%02lld:%02d:%02d", neg ? "-" : "", (long long)(secs_abs / 3600),
                int(secs_abs / 60 % 60), int(secs_abs % 60));
  return b;
}

void hex16(uint64_t v, std::string& out, int digits) {
  static const char* h = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out += h[(v >> (4 * i)) & 0xF];
}

std::string ipv4String(uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." + std::to_string((v >> 8) & 255) + "." +
         std::to_string(v & 255);
}

// ClickHouse's formatIPv6 (inet_ntop with IPv4-mapped/compatible forms).
std::string ipv6String(const uint8_t* src) {
  std::array<uint16_t, 8> w{};
  for (int i = 0; i < 8; ++i) w[i] = uint16_t(src[2 * i] << 8 | src[2 * i + 1]);
  int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
  for (int i = 0; i < 8; ++i) {
    if (w[i] == 0) {
      if (cur_base == -1) {
        cur_base = i;
        cur_len = 1;
      } else
        ++cur_len;
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
      out += ipv4String(uint32_t(src[12]) << 24 | uint32_t(src[13]) << 16 | uint32_t(src[14]) << 8 | src[15]);
      return out;
    }
    char b[8];
    std::snprintf(b, sizeof b, "%x", w[i]);
    out += b;
  }
  if (best_base != -1 && best_base + best_len == 8) out += ':';
  return out;
}

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
      out += wideToString(c.data().data() + row * n, n, s);
      return;
    }
    case TypeKind::Float32: out += floatToString(load<float>(c, row)); return;
    case TypeKind::Float64: out += floatToString(load<double>(c, row)); return;
    case TypeKind::BFloat16: out += floatToString(float(chc::getDouble(c, row))); return;
    case TypeKind::Bool: out += load<uint8_t>(c, row) ? "true" : "false"; return;
    case TypeKind::Decimal: {
      size_t n = t.fixedSize();
      out += decimalToString(c.data().data() + row * n, n, t.scale());
      return;
    }
    case TypeKind::Date: quotedOrEscaped(dateString(load<uint16_t>(c, row)), quoted, out); return;
    case TypeKind::Date32: quotedOrEscaped(dateString(load<int32_t>(c, row)), quoted, out); return;
    case TypeKind::DateTime:
      if (!t.timezone().empty() && t.timezone() != "UTC")
        throw RenderError("time zone " + t.timezone() + " not supported by the dumper");
      quotedOrEscaped(dateTimeString(load<uint32_t>(c, row)), quoted, out);
      return;
    case TypeKind::DateTime64: {
      if (!t.timezone().empty() && t.timezone() != "UTC")
        throw RenderError("time zone " + t.timezone() + " not supported by the dumper");
      int64_t v = load<int64_t>(c, row), s = pow10i(t.precision());
      int64_t whole = v / s, frac = v % s;
      if (frac < 0) {
        frac += s;
        --whole;
      }
      quotedOrEscaped(dateTimeString(whole) + fraction(frac, t.precision()), quoted, out);
      return;
    }
    case TypeKind::Time: {
      int64_t v = load<int32_t>(c, row);
      quotedOrEscaped(timeString(v < 0 ? -v : v, v < 0), quoted, out);
      return;
    }
    case TypeKind::Time64: {
      int64_t v = load<int64_t>(c, row), s = pow10i(t.precision());
      uint64_t a = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
      quotedOrEscaped(timeString(int64_t(a / s), v < 0) + fraction(int64_t(a % s), t.precision()), quoted, out);
      return;
    }
    case TypeKind::UUID: {
      uint64_t hi = load<uint64_t>(c, row * 2), lo = load<uint64_t>(c, row * 2 + 1);
      std::string u;
      hex16(hi >> 32, u, 8);
      u += '-';
      hex16(hi >> 16, u, 4);
      u += '-';
      hex16(hi, u, 4);
      u += '-';
      hex16(lo >> 48, u, 4);
      u += '-';
      hex16(lo, u, 12);
      quotedOrEscaped(u, quoted, out);
      return;
    }
    case TypeKind::IPv4: quotedOrEscaped(ipv4String(load<uint32_t>(c, row)), quoted, out); return;
    case TypeKind::IPv6: quotedOrEscaped(ipv6String(c.data().data() + row * 16), quoted, out); return;
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
