// CityHash128 as ClickHouse uses it for compressed-block checksums (spec §7.2).
// This is Google's CityHash v1.0.2 with no seed; later CityHash versions give different values,
// so this is deliberately not "the latest CityHash".
#pragma once

#include <cstddef>
#include <cstdint>

namespace chc::compress {

// `low` is the first 64-bit half (CityHash's uint128.first), written first (little-endian) in a
// frame's checksum; `high` is the second half.
struct Hash128 {
  uint64_t low;
  uint64_t high;
  friend bool operator==(const Hash128&, const Hash128&) = default;
};

Hash128 cityHash128(const uint8_t* data, size_t len);

}  // namespace chc::compress
