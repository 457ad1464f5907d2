#include "common/ByteStream.hpp"

#include <algorithm>
#include <cstring>

namespace chc {

size_t MemoryInputStream::read(std::span<uint8_t> dst) {
  const size_t n = std::min(dst.size(), data_.size() - pos_);
  if (n > 0) std::memcpy(dst.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

}  // namespace chc
