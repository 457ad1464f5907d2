// One Native block: named columns of equal length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "types/Column.hpp"

namespace chc {

struct Block {
  size_t rows = 0;
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  // BlockInfo (spec §2.3), only on the wire at revision >= 1; these defaults otherwise.
  bool is_overflows = false;
  int32_t bucket_num = -1;
};

}  // namespace chc
