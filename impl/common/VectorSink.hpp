// An OutputSink that appends to a byte vector it owns.
#pragma once

#include <vector>

#include "common/ByteStream.hpp"

namespace chc {

class VectorSink final : public OutputSink {
 public:
  void write(std::span<const uint8_t> src) override { bytes.insert(bytes.end(), src.begin(), src.end()); }
  std::vector<uint8_t> bytes;
};

}  // namespace chc
