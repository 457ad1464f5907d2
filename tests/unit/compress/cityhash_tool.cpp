// Prints CityHash128 (our implementation) of each record read from stdin, for cityhash_check.py.
// Input: records of [UInt32 LE length][length bytes] until EOF.
// Output: one line per record, "<low64 hex> <high64 hex>".
#include <cstdint>
#include <cstdio>
#include <vector>

#include "compress/CityHash128.hpp"

int main() {
  std::vector<uint8_t> buf;
  for (;;) {
    uint8_t len_bytes[4];
    const size_t got = std::fread(len_bytes, 1, 4, stdin);
    if (got == 0) break;
    if (got != 4) {
      std::fprintf(stderr, "cityhash_tool: truncated length prefix\n");
      return 2;
    }
    const uint32_t len = uint32_t(len_bytes[0]) | uint32_t(len_bytes[1]) << 8 | uint32_t(len_bytes[2]) << 16 |
                         uint32_t(len_bytes[3]) << 24;
    buf.resize(len);
    if (len > 0 && std::fread(buf.data(), 1, len, stdin) != len) {
      std::fprintf(stderr, "cityhash_tool: truncated record\n");
      return 2;
    }
    const chc::compress::Hash128 h = chc::compress::cityHash128(buf.data(), len);
    std::printf("%016llx %016llx\n", static_cast<unsigned long long>(h.low), static_cast<unsigned long long>(h.high));
  }
  return 0;
}
