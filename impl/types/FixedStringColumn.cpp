#include "types/FixedStringColumn.hpp"

#include <string>

#include "common/Error.hpp"

namespace chc {

void FixedStringColumn::appendString(std::string_view value) {
  if (value.size() > n_)
    throw Error(ErrorKind::Type, "string of " + std::to_string(value.size()) + " bytes does not fit " + type().name());
  bytes_.insert(bytes_.end(), value.begin(), value.end());
  bytes_.resize(bytes_.size() + (n_ - value.size()), 0);
}

}  // namespace chc

namespace chc {

void FixedStringColumn::appendFixed(std::span<const uint8_t> values) {
  if (values.size() % n_ != 0)
    throw Error(ErrorKind::InvalidArgument,
                std::to_string(values.size()) + " bytes are not a whole number of " + type().name() + " values");
  bytes_.insert(bytes_.end(), values.begin(), values.end());
}

}  // namespace chc
