// CityHash v1.0.2, CityHash128 (unseeded) and the seeded variant it is built on, written from the
// published algorithm description. Only the 128-bit path is implemented: it is all ClickHouse
// checksums need. All arithmetic is modulo 2^64 on unsigned integers (wrap-around is intended).
#include "compress/CityHash128.hpp"

#include <bit>
#include <cstring>
#include <utility>

namespace chc::compress {
namespace {

constexpr uint64_t k0 = 0xc3a5c85c97cb3127ULL;
constexpr uint64_t k1 = 0xb492b66fbe98f273ULL;
constexpr uint64_t k2 = 0x9ae16a3b2f90404fULL;
constexpr uint64_t k3 = 0xc949d7c7509e6557ULL;

// CityHash reads its input as little-endian words regardless of the host.
inline uint64_t fetch64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline uint32_t fetch32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

// Rotation by 0 must leave the value unchanged (a plain shift by 64 would be undefined).
inline uint64_t rotate(uint64_t v, int shift) { return shift == 0 ? v : ((v >> shift) | (v << (64 - shift))); }
inline uint64_t rotateByAtLeast1(uint64_t v, int shift) { return (v >> shift) | (v << (64 - shift)); }
inline uint64_t shiftMix(uint64_t v) { return v ^ (v >> 47); }

// Murmur-inspired 128 -> 64 bit mix.
inline uint64_t hashLen16(uint64_t u, uint64_t v) {
  constexpr uint64_t kMul = 0x9ddfea08eb382d69ULL;
  uint64_t a = (u ^ v) * kMul;
  a ^= (a >> 47);
  uint64_t b = (v ^ a) * kMul;
  b ^= (b >> 47);
  b *= kMul;
  return b;
}

uint64_t hashLen0to16(const uint8_t* s, size_t len) {
  if (len > 8) {
    const uint64_t a = fetch64(s);
    const uint64_t b = fetch64(s + len - 8);
    return hashLen16(a, rotateByAtLeast1(b + len, static_cast<int>(len))) ^ b;
  }
  if (len >= 4) {
    const uint64_t a = fetch32(s);
    return hashLen16(len + (a << 3), fetch32(s + len - 4));
  }
  if (len > 0) {
    const uint8_t a = s[0];
    const uint8_t b = s[len >> 1];
    const uint8_t c = s[len - 1];
    const uint32_t y = static_cast<uint32_t>(a) + (static_cast<uint32_t>(b) << 8);
    const uint32_t z = static_cast<uint32_t>(len) + (static_cast<uint32_t>(c) << 2);
    return shiftMix(y * k2 ^ z * k3) * k2;
  }
  return k2;
}

using Pair = std::pair<uint64_t, uint64_t>;

inline Pair weakHashLen32WithSeeds(uint64_t w, uint64_t x, uint64_t y, uint64_t z, uint64_t a, uint64_t b) {
  a += w;
  b = rotate(b + a + z, 21);
  const uint64_t c = a;
  a += x;
  a += y;
  b += rotate(a, 44);
  return {a + z, b + c};
}

inline Pair weakHashLen32WithSeeds(const uint8_t* s, uint64_t a, uint64_t b) {
  return weakHashLen32WithSeeds(fetch64(s), fetch64(s + 8), fetch64(s + 16), fetch64(s + 24), a, b);
}

// The short-input path (len < 128) of the seeded hash.
Hash128 cityMurmur(const uint8_t* s, size_t len, Hash128 seed) {
  uint64_t a = seed.low;
  uint64_t b = seed.high;
  uint64_t c = 0;
  uint64_t d = 0;
  if (len <= 16) {
    a = shiftMix(a * k1) * k1;
    c = b * k1 + hashLen0to16(s, len);
    d = shiftMix(a + (len >= 8 ? fetch64(s) : c));
  } else {
    c = hashLen16(fetch64(s + len - 8) + k1, a);
    d = hashLen16(b + len, c + fetch64(s + len - 16));
    a += d;
    // Consumes 16-byte steps while more than 0 bytes of the (len - 16) count remain; the last
    // step may overlap bytes already covered by the tail reads above, as the algorithm defines.
    ptrdiff_t l = static_cast<ptrdiff_t>(len) - 16;
    do {
      a ^= shiftMix(fetch64(s) * k1) * k1;
      a *= k1;
      b ^= a;
      c ^= shiftMix(fetch64(s + 8) * k1) * k1;
      c *= k1;
      d ^= c;
      s += 16;
      l -= 16;
    } while (l > 0);
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return {a ^ b, hashLen16(b, a)};
}

Hash128 cityHash128WithSeed(const uint8_t* s, size_t len, Hash128 seed) {
  if (len < 128) return cityMurmur(s, len, seed);

  // 56 bytes of state: v, w, x, y, z.
  Pair v, w;
  uint64_t x = seed.low;
  uint64_t y = seed.high;
  uint64_t z = len * k1;
  v.first = rotate(y ^ k1, 49) * k1 + fetch64(s);
  v.second = rotate(v.first, 42) * k1 + fetch64(s + 8);
  w.first = rotate(y + z, 35) * k1 + x;
  w.second = rotate(x + fetch64(s + 88), 53) * k1;

  // Two 64-byte rounds per iteration.
  do {
    for (int half = 0; half < 2; ++half) {
      x = rotate(x + y + v.first + fetch64(s + 16), 37) * k1;
      y = rotate(y + v.second + fetch64(s + 48), 42) * k1;
      x ^= w.second;
      y ^= v.first;
      z = rotate(z ^ w.first, 33);
      v = weakHashLen32WithSeeds(s, v.second * k1, x + w.first);
      w = weakHashLen32WithSeeds(s + 32, z + w.second, y);
      std::swap(z, x);
      s += 64;
    }
    len -= 128;
  } while (len >= 128);
  y += rotate(w.first, 37) * k0 + z;
  x += rotate(v.first + z, 49) * k0;
  // Up to four 32-byte chunks from the end. They may reach back before `s` into bytes already
  // consumed (at least 128 of them exist), never before the start of the input.
  for (size_t tail_done = 0; tail_done < len;) {
    tail_done += 32;
    y = rotate(y - x, 42) * k0 + v.second;
    w.first += fetch64(s + len - tail_done + 16);
    x = rotate(x, 49) * k0 + w.first;
    w.first += v.first;
    v = weakHashLen32WithSeeds(s + len - tail_done, v.first, v.second);
  }
  x = hashLen16(x, v.first);
  y = hashLen16(y, w.first);
  return {hashLen16(x + v.second, w.second) + y, hashLen16(x + w.second, y + v.second)};
}

}  // namespace

Hash128 cityHash128(const uint8_t* s, size_t len) {
  if (len >= 16) return cityHash128WithSeed(s + 16, len - 16, {fetch64(s) ^ k3, fetch64(s + 8)});
  if (len >= 8) return cityHash128WithSeed(s, 0, {fetch64(s) ^ (len * k0), fetch64(s + len - 8) ^ k1});
  return cityHash128WithSeed(s, len, {k0, k1});
}

}  // namespace chc::compress
