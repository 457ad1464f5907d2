// Text of single values as the engine prints them (TSV / JSON value text): dates and times in UTC,
// shortest round-trip floats, exact wide integers and decimals, IPv4/IPv6 in ClickHouse's format.
// Shared by the JSON text renderer and the conformance tool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chc {

std::string dateText(int64_t days);      // YYYY-MM-DD
std::string dateTimeText(int64_t secs);  // YYYY-MM-DD hh:mm:ss
int64_t pow10i(uint32_t p);
std::string fraction(int64_t frac, uint32_t p);     // ".ddd" with p digits, "" for p = 0
std::string timeText(uint64_t secs_abs, bool neg);  // [-]hhh:mm:ss
void hexDigits(uint64_t v, std::string& out, int digits);
std::string ipv4Text(uint32_t v);
std::string ipv6Text(const uint8_t* src);  // 16 bytes, network order
std::string floatText(double x, bool is_float32);
std::string wideIntText(const uint8_t* p, size_t n, bool is_signed);
std::string decimalText(const uint8_t* p, size_t width, uint32_t scale);  // no trailing zeros

}  // namespace chc
