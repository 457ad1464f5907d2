// One Native block: named columns of equal length.
#pragma once

#include <string>
#include <vector>

#include "types/Column.hpp"

namespace chc {

struct Block {
  size_t rows = 0;
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
};

}  // namespace chc
