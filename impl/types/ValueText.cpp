// Text of single values as the engine prints them (see ValueText.hpp).
#include "types/ValueText.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace chc {
namespace {

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

}  // namespace

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

}  // namespace chc
