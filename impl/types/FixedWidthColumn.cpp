#include "types/FixedWidthColumn.hpp"

#include <arpa/inet.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "common/Error.hpp"

namespace chc {
namespace {

[[noreturn]] void outOfRange(const std::string& value, const DataType& type) {
  throw Error(ErrorKind::Type, "value " + value + " is out of range for " + type.name());
}

std::string show(bool negative, uint64_t bits) {
  return negative ? std::to_string(static_cast<int64_t>(bits)) : std::to_string(bits);
}

// Little-endian two's-complement integer of up to 256 bits, for Decimal text.
struct WideInt {
  std::array<uint64_t, 4> limb{};
  bool mulAdd(uint64_t mul, uint64_t add) {  // false on overflow of 256 bits
    unsigned __int128 carry = add;
    for (uint64_t& l : limb) {
      unsigned __int128 v = static_cast<unsigned __int128>(l) * mul + carry;
      l = static_cast<uint64_t>(v);
      carry = v >> 64;
    }
    return carry == 0;
  }
  void negate() {
    unsigned __int128 carry = 1;
    for (uint64_t& l : limb) {
      unsigned __int128 v = static_cast<unsigned __int128>(~l) + carry;
      l = static_cast<uint64_t>(v);
      carry = v >> 64;
    }
  }
};

// Bits of a decimal digit count: the largest |unscaled| a Decimal(P) may hold is 10^P - 1.
bool exceedsPrecision(const WideInt& v, uint32_t precision) {
  WideInt limit;  // 10^P
  limit.limb[0] = 1;
  for (uint32_t i = 0; i < precision; ++i) limit.mulAdd(10, 0);
  for (int i = 3; i >= 0; --i) {
    if (v.limb[i] != limit.limb[i]) return v.limb[i] > limit.limb[i];
  }
  return true;  // equal to 10^P
}

uint16_t toBFloat16(double value) {
  // Round once, to nearest even: truncate to float toward zero and keep a sticky bit for what the
  // truncation dropped, so the float step cannot create a false tie.
  float f = static_cast<float>(value);
  if (!std::isnan(value) && std::isfinite(value) && std::fabs(static_cast<double>(f)) > std::fabs(value))
    f = std::nextafter(f, 0.0f);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f)) return static_cast<uint16_t>((bits >> 16) | 0x40);    // keep it a NaN
  if (std::isfinite(value) && static_cast<double>(f) != value) bits |= 1;  // sticky
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

}  // namespace

FixedWidthColumn::FixedWidthColumn(TypePtr type) : Column(std::move(type)), width_(this->type().fixedSize()) {
  if (width_ == 0) throw Error(ErrorKind::Internal, "fixed-width column without a width: " + this->type().name());
}

void FixedWidthColumn::pushInteger(bool negative, uint64_t bits) {
  const DataType& t = type();
  const int64_t s = static_cast<int64_t>(bits);
  auto check = [&](int64_t min, uint64_t max) {
    if (negative ? s < min : bits > max) outOfRange(show(negative, bits), t);
  };
  switch (t.kind()) {
    case TypeKind::Int8: check(INT8_MIN, INT8_MAX); break;
    case TypeKind::Int16: check(INT16_MIN, INT16_MAX); break;
    case TypeKind::Int32:
    case TypeKind::Date32:
    case TypeKind::Time: check(INT32_MIN, INT32_MAX); break;
    case TypeKind::Int64:
    case TypeKind::DateTime64:
    case TypeKind::Time64:
    case TypeKind::Interval: check(INT64_MIN, INT64_MAX); break;
    case TypeKind::UInt8: check(0, UINT8_MAX); break;
    case TypeKind::UInt16:
    case TypeKind::Date: check(0, UINT16_MAX); break;
    case TypeKind::UInt32:
    case TypeKind::DateTime:
    case TypeKind::IPv4: check(0, UINT32_MAX); break;
    case TypeKind::UInt64:
    case TypeKind::UInt128:
    case TypeKind::UInt256: check(0, UINT64_MAX); break;
    case TypeKind::Int128:
    case TypeKind::Int256: break;  // every 64-bit value fits
    case TypeKind::Bool: check(0, 1); break;
    case TypeKind::Nothing: check(0, 0); break;
    case TypeKind::Decimal:  // the unscaled integer (value * 10^S)
      if (width_ == 4) check(INT32_MIN, INT32_MAX);
      if (width_ == 8) check(INT64_MIN, INT64_MAX);
      if (t.precision() < 19 && (negative ? -(s + 1) + uint64_t(1) : bits) >= uint64_t(std::pow(10.0, t.precision())))
        outOfRange(show(negative, bits), t);
      break;
    case TypeKind::Enum8:
    case TypeKind::Enum16: {
      bool known = false;
      for (const EnumEntry& e : t.enumEntries())
        known |= !negative ? uint64_t(int64_t(e.value)) == bits && e.value >= 0 : e.value == s;
      if (!known) throw Error(ErrorKind::Type, "value " + show(negative, bits) + " is not an element of " + t.name());
      break;
    }
    case TypeKind::Float32: {
      float f = negative ? static_cast<float>(s) : static_cast<float>(bits);
      return pushBytes(&f, 4);
    }
    case TypeKind::Float64: {
      double d = negative ? static_cast<double>(s) : static_cast<double>(bits);
      return pushBytes(&d, 8);
    }
    case TypeKind::BFloat16: {
      uint16_t b = toBFloat16(negative ? static_cast<double>(s) : static_cast<double>(bits));
      return pushBytes(&b, 2);
    }
    default: rejectAppend("an integer");
  }
  // Little-endian truncation keeps the two's-complement value; wider types are sign-extended.
  uint8_t out[32];
  std::memset(out, negative ? 0xff : 0x00, sizeof out);
  std::memcpy(out, &bits, 8);
  pushBytes(out, width_);
}

void FixedWidthColumn::appendInt64(int64_t value) { pushInteger(value < 0, static_cast<uint64_t>(value)); }
void FixedWidthColumn::appendUInt64(uint64_t value) { pushInteger(false, value); }

void FixedWidthColumn::appendDouble(double value) {
  const DataType& t = type();
  switch (t.kind()) {
    case TypeKind::Float32: {
      float f = static_cast<float>(value);
      return pushBytes(&f, 4);
    }
    case TypeKind::Float64: return pushBytes(&value, 8);
    case TypeKind::BFloat16: {
      uint16_t b = toBFloat16(value);
      return pushBytes(&b, 2);
    }
    case TypeKind::Decimal: {
      // Rounded to the scale; exact for values a double can carry. Text input is exact always.
      char buf[512];
      int n = std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(t.scale()), value);
      if (!std::isfinite(value) || n <= 0 || n >= static_cast<int>(sizeof buf))
        throw Error(ErrorKind::Type, "value " + std::to_string(value) + " does not fit " + t.name());
      return pushDecimalText(std::string_view(buf, static_cast<size_t>(n)));
    }
    default: break;
  }
  // Integer-like columns accept only integral doubles that fit exactly.
  if (!std::isfinite(value) || value != std::trunc(value) || value < -9.2233720368547758e18 ||
      value >= 1.8446744073709552e19)
    throw Error(ErrorKind::Type, "value " + std::to_string(value) + " is not an integer that fits " + t.name());
  if (value < 0) return appendInt64(static_cast<int64_t>(value));
  appendUInt64(static_cast<uint64_t>(value));
}

void FixedWidthColumn::pushDecimalText(std::string_view text) {
  const DataType& t = type();
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  WideInt v;
  uint32_t frac_digits = 0, digits = 0;
  bool seen_point = false, any = false;
  for (char c : s) {
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') throw Error(ErrorKind::Type, "'" + std::string(text) + "' is not a decimal number");
    any = true;
    if (seen_point && ++frac_digits > t.scale()) {
      if (c != '0')
        throw Error(ErrorKind::Type, "'" + std::string(text) + "' has more than " + std::to_string(t.scale()) +
                                         " fractional digits for " + t.name());
      continue;
    }
    if (digits || c != '0') ++digits;
    if (!v.mulAdd(10, static_cast<uint64_t>(c - '0'))) outOfRange(std::string(text), t);
  }
  if (!any) throw Error(ErrorKind::Type, "'" + std::string(text) + "' is not a decimal number");
  for (uint32_t i = std::min(frac_digits, t.scale()); i < t.scale(); ++i)
    if (!v.mulAdd(10, 0)) outOfRange(std::string(text), t);
  if (exceedsPrecision(v, t.precision())) outOfRange(std::string(text), t);
  if (negative) v.negate();
  uint8_t out[32];
  std::memcpy(out, v.limb.data(), 32);
  pushBytes(out, width_);
}

void FixedWidthColumn::appendString(std::string_view value) {
  const DataType& t = type();
  switch (t.kind()) {
    case TypeKind::Enum8:
    case TypeKind::Enum16:
      for (const EnumEntry& e : t.enumEntries()) {
        if (e.name == value) {
          if (width_ == 1) {
            int8_t v = static_cast<int8_t>(e.value);
            return pushBytes(&v, 1);
          }
          return pushBytes(&e.value, 2);
        }
      }
      throw Error(ErrorKind::Type, "'" + std::string(value) + "' is not an element of " + t.name());
    case TypeKind::Decimal: return pushDecimalText(value);
    case TypeKind::UUID: {
      // Canonical text -> 16 bytes, each 8-byte half stored little-endian (spec §4.1).
      // Accepted: 32 hex digits, or 36 characters with dashes at 8, 13, 18 and 23.
      uint8_t canon[16];
      size_t n = 0;
      const bool dashed = value.size() == 36;
      bool ok = dashed || value.size() == 32;
      for (size_t i = 0; ok && i < value.size(); ++i) {
        char c = value[i];
        if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
          ok = c == '-';
          continue;
        }
        int d = std::isxdigit(static_cast<unsigned char>(c)) ? (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10) : -1;
        if (d < 0)
          ok = false;
        else
          canon[n / 2] = static_cast<uint8_t>(n % 2 ? (canon[n / 2] | d) : d << 4);
        ++n;
      }
      if (!ok || n != 32) throw Error(ErrorKind::Type, "'" + std::string(value) + "' is not a UUID");
      uint8_t wire[16];
      for (int i = 0; i < 8; ++i) {
        wire[i] = canon[7 - i];
        wire[8 + i] = canon[15 - i];
      }
      return pushBytes(wire, 16);
    }
    case TypeKind::IPv4: {
      if (value.find('\0') != std::string_view::npos)
        throw Error(ErrorKind::Type, "an IPv4 address cannot contain NUL");
      std::string s(value);
      in_addr a{};
      if (inet_pton(AF_INET, s.c_str(), &a) != 1) throw Error(ErrorKind::Type, "'" + s + "' is not an IPv4 address");
      uint32_t host = ntohl(a.s_addr);
      return pushBytes(&host, 4);
    }
    case TypeKind::IPv6: {
      if (value.find('\0') != std::string_view::npos)
        throw Error(ErrorKind::Type, "an IPv6 address cannot contain NUL");
      std::string s(value);
      in6_addr a{};
      if (inet_pton(AF_INET6, s.c_str(), &a) != 1) {
        in_addr v4{};  // a plain IPv4 address becomes ::ffff:a.b.c.d, as the server converts it
        if (inet_pton(AF_INET, s.c_str(), &v4) != 1) throw Error(ErrorKind::Type, "'" + s + "' is not an IPv6 address");
        uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        std::memcpy(mapped + 12, &v4.s_addr, 4);
        return pushBytes(mapped, 16);
      }
      return pushBytes(&a, 16);
    }
    default: rejectAppend("a string");
  }
}

void FixedWidthColumn::appendFixed(std::span<const uint8_t> values) {
  if (values.size() % width_ != 0)
    throw Error(ErrorKind::InvalidArgument, std::to_string(values.size()) + " bytes are not a whole number of " +
                                                type().name() + " values (" + std::to_string(width_) + " bytes each)");
  if (type().kind() == TypeKind::Enum8 || type().kind() == TypeKind::Enum16 || type().kind() == TypeKind::Bool) {
    // Values with a closed domain are checked one by one; the column changes only if all are valid.
    size_t before = bytes_.size();
    try {
      for (size_t i = 0; i < values.size(); i += width_) {
        int64_t v =
            width_ == 1 ? static_cast<int8_t>(values[i]) : static_cast<int16_t>(values[i] | (values[i + 1] << 8));
        if (type().kind() == TypeKind::Bool) v = values[i];
        appendInt64(v);
      }
    } catch (...) {
      bytes_.resize(before);
      throw;
    }
    return;
  }
  bytes_.insert(bytes_.end(), values.begin(), values.end());
}

}  // namespace chc
