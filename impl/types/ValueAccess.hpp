// Typed access to single values of a column, with the conversions the C ABI documents
// (chc_column_get_*). Nullable columns forward to their inner column; Variant and Dynamic to the
// row's alternative (Dynamic's SharedVariant values decoded from their binary form).
#pragma once

#include <cstdint>
#include <string_view>

#include "types/Column.hpp"

namespace chc {

bool isNullAt(const Column& column, size_t row);
int64_t getInt64(const Column& column, size_t row);
uint64_t getUInt64(const Column& column, size_t row);
double getDouble(const Column& column, size_t row);
std::string_view getString(const Column& column, size_t row);

}  // namespace chc
