// Variant -> Arrow dense union. Type id i is alternative i (the discriminator) and child i its
// column, exported with its own mapping; the offsets are each row's place in its alternative
// (VariantColumn::memberRow), as the Native layout already stores every alternative compactly.
// A union has no validity bitmap: NULL rows (discriminator 255) point into one extra child of the
// null type, type id = number of alternatives.
#include <climits>
#include <cstring>
#include <string>

#include "arrow/ArrowPrivate.hpp"
#include "common/Error.hpp"
#include "types/VariantColumn.hpp"

namespace chc::arrow::detail {

void exportVariant(const Column& c, const std::shared_ptr<const void>& keep, ArrowArray* out) {
  const auto& v = static_cast<const VariantColumn&>(c);
  const size_t n = v.size();
  const size_t alts = v.childCount();
  if (alts > kMaxUnionAlternatives)
    throwUnsupported(c.type().name() + " has more than " + std::to_string(kMaxUnionAlternatives) +
                     " alternatives: too many for an Arrow union");
  const auto null_id = static_cast<int8_t>(alts);

  auto h = arrayHolder(keep, alts + 1);
  int32_t* offsets = ownBuffer<int32_t>(*h, n);
  int32_t nulls = 0;
  for (size_t r = 0; r < n; ++r) {
    const uint8_t d = v.discriminator(r);
    if (d == VariantColumn::kNull) {
      offsets[r] = nulls++;
      continue;
    }
    const size_t member_row = v.memberRow(r);
    if (d >= alts || member_row >= v.child(d)->size())
      throw Error(ErrorKind::Internal, "Variant row " + std::to_string(r) + " points past its alternative");
    if (member_row > static_cast<size_t>(INT32_MAX))
      throwUnsupported("a Variant alternative with more than 2^31-1 rows in one block cannot be exported to Arrow");
    offsets[r] = static_cast<int32_t>(member_row);
  }
  if (nulls == 0 && n > 0) {
    h->buffers.push_back(v.data().data());  // the discriminators are the type ids (zero-copy)
  } else {
    int8_t* ids = ownBuffer<int8_t>(*h, n);
    for (size_t r = 0; r < n; ++r) {
      const uint8_t d = v.discriminator(r);
      ids[r] = d == VariantColumn::kNull ? null_id : static_cast<int8_t>(d);
    }
    h->buffers.push_back(ids);
  }
  h->buffers.push_back(offsets);
  for (size_t i = 0; i < alts; ++i) exportNode(*v.child(i), keep, h->child_ptrs[i]);
  // The null child: no buffers, every slot null.
  publishArray(arrayHolder(keep, 0), nulls, nulls, h->child_ptrs[alts]);
  publishArray(std::move(h), static_cast<int64_t>(n), 0, out);
}

}  // namespace chc::arrow::detail
