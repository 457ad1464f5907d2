// chc_type, chc_result, chc_block, chc_column.
#include "Handles.hpp"
#include "types/DynamicColumn.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/TypeFactory.hpp"
#include "types/ValueAccess.hpp"

using namespace chc::capi;

namespace chc::capi {

std::unique_ptr<chc_type> makeTypeHandle(const TypePtr& type) {
  auto h = std::make_unique<chc_type>();
  h->type = type;
  for (const TypePtr& child : type->children()) h->children.push_back(makeTypeHandle(child));
  return h;
}

namespace {
std::unique_ptr<chc_column> makeColumnHandle(std::shared_ptr<const Block> owner, const Column* column,
                                             std::string name) {
  auto h = std::make_unique<chc_column>();
  h->owner = std::move(owner);
  h->column = column;
  h->name = std::move(name);
  h->type = makeTypeHandle(column->typePtr());
  return h;
}
}  // namespace

}  // namespace chc::capi

extern "C" {

// ---- types -----------------------------------------------------------------------------------

chc_status chc_type_parse(const char* name, chc_type** out, chc_error** err) {
  if (!name) return nullArgument(err, "name");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] { *out = release(makeTypeHandle(chc::makeType(name))); });
}

void chc_type_free(chc_type* type) { destroy(type); }
chc_type_kind chc_type_get_kind(const chc_type* type) {
  return type ? static_cast<chc_type_kind>(type->type->kind()) : 0;
}
const char* chc_type_name(const chc_type* type) { return type ? type->type->name().c_str() : ""; }
size_t chc_type_child_count(const chc_type* type) { return type ? type->children.size() : 0; }
const chc_type* chc_type_child(const chc_type* type, size_t i) {
  return type && i < type->children.size() ? type->children[i].get() : nullptr;
}
size_t chc_type_fixed_size(const chc_type* type) { return type ? type->type->fixedSize() : 0; }
const char* chc_type_timezone(const chc_type* type) { return type ? type->type->timezone().c_str() : ""; }
uint32_t chc_type_precision(const chc_type* type) { return type ? type->type->precision() : 0; }
uint32_t chc_type_scale(const chc_type* type) { return type ? type->type->scale() : 0; }
const char* chc_type_element_name(const chc_type* type, size_t i) {
  return type && i < type->type->elementNames().size() ? type->type->elementNames()[i].c_str() : "";
}
size_t chc_type_enum_count(const chc_type* type) { return type ? type->type->enumEntries().size() : 0; }
const char* chc_type_enum_name(const chc_type* type, size_t i) {
  return type && i < type->type->enumEntries().size() ? type->type->enumEntries()[i].name.c_str() : nullptr;
}
int32_t chc_type_enum_value(const chc_type* type, size_t i) {
  return type && i < type->type->enumEntries().size() ? type->type->enumEntries()[i].value : 0;
}
const char* chc_type_unit(const chc_type* type) { return type ? type->type->unit().c_str() : ""; }

// ---- results and blocks ------------------------------------------------------------------------

chc_status chc_client_query(chc_client* client, const chc_query* query, chc_result** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!query) return nullArgument(err, "query");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] {
    auto r = std::make_unique<chc_result>();
    r->client = client->client;
    r->cancel = std::make_shared<chc::transport::CancelToken>();
    r->result = client->client->query(query->spec, r->cancel);
    *out = release(std::move(r));
  });
}

void chc_result_free(chc_result* result) { destroy(result); }

void chc_result_cancel(chc_result* result) {
  if (result && result->cancel) result->cancel->cancel();
}

chc_status chc_result_next(chc_result* result, chc_block** out, chc_error** err) {
  if (!result) return nullArgument(err, "result");
  if (!out) return nullArgument(err, "out");
  *out = nullptr;
  if (!result->result) return report(err, CHC_E_INVALID_STATE, "the result was moved into an Arrow stream");
  return guarded(err, [&] {
    std::optional<chc::Block> block = result->result->next();
    if (!block) return;
    auto h = std::make_unique<chc_block>();
    h->block = std::make_shared<const chc::Block>(std::move(*block));
    *out = release(std::move(h));
  });
}

const char* chc_result_query_id(const chc_result* result) {
  return result && result->result ? result->result->queryId().c_str() : "";
}

const char* chc_result_timezone(const chc_result* result) {
  return result && result->result ? result->result->timezone().c_str() : "";
}

chc_status chc_result_summary(const chc_result* result, const char* field, int64_t* out, chc_error** err) {
  if (!result) return nullArgument(err, "result");
  if (!field || !out) return nullArgument(err, "field and out");
  if (!result->result) return report(err, CHC_E_INVALID_STATE, "the result was moved into an Arrow stream");
  auto v = result->result->summary().get(field);
  if (!v) return report(err, CHC_E_NOT_FOUND, std::string("summary field '") + field + "' was not sent by the server");
  *out = *v;
  return CHC_OK;
}

void chc_block_free(chc_block* block) { destroy(block); }
size_t chc_block_column_count(const chc_block* block) { return block ? block->block->columns.size() : 0; }
size_t chc_block_row_count(const chc_block* block) { return block ? block->block->rows : 0; }

chc_status chc_block_column(const chc_block* block, size_t i, chc_column** out, chc_error** err) {
  if (!block) return nullArgument(err, "block");
  if (!out) return nullArgument(err, "out");
  if (i >= block->block->columns.size())
    return report(err, CHC_E_INVALID_ARGUMENT,
                  "column index " + std::to_string(i) + " out of range (block has " +
                      std::to_string(block->block->columns.size()) + " columns)");
  return guarded(err, [&] {
    *out = release(makeColumnHandle(block->block, block->block->columns[i].get(), block->block->names[i]));
  });
}

// ---- columns ------------------------------------------------------------------------------------

void chc_column_free(chc_column* column) { destroy(column); }
const char* chc_column_name(const chc_column* column) { return column ? column->name.c_str() : ""; }
const chc_type* chc_column_type(const chc_column* column) { return column ? column->type.get() : nullptr; }
size_t chc_column_row_count(const chc_column* column) { return column ? column->column->size() : 0; }

const void* chc_column_data(const chc_column* column, size_t* byte_len) {
  auto span = column ? column->column->data() : std::span<const uint8_t>();
  if (byte_len) *byte_len = span.size();
  return span.empty() ? nullptr : span.data();
}

const int64_t* chc_column_offsets(const chc_column* column, size_t* count) {
  auto span = column ? column->column->offsets() : std::span<const int64_t>();
  if (count) *count = span.size();
  return span.empty() ? nullptr : span.data();
}

const uint8_t* chc_column_null_map(const chc_column* column) { return column ? column->column->nullMap() : nullptr; }
chc_status chc_column_variant_row(const chc_column* column, size_t row, uint32_t* discriminator, size_t* member_row,
                                  chc_error** err) {
  if (!column || !discriminator || !member_row) return nullArgument(err, "column, discriminator and member_row");
  const chc::VariantColumn* v = nullptr;
  if (column->column->type().kind() == chc::TypeKind::Variant)
    v = static_cast<const chc::VariantColumn*>(column->column);
  else if (column->column->type().kind() == chc::TypeKind::Dynamic)
    v = static_cast<const chc::DynamicColumn*>(column->column)->variant();
  if (!v)
    return report(err, CHC_E_TYPE, "column of type " + column->column->type().name() + " is not a Variant or Dynamic");
  if (row >= v->size()) return report(err, CHC_E_INVALID_ARGUMENT, "row " + std::to_string(row) + " out of range");
  *discriminator = v->discriminator(row);
  *member_row = v->memberRow(row);
  return CHC_OK;
}

size_t chc_column_index_width(const chc_column* column) {
  if (!column || column->column->type().kind() != chc::TypeKind::LowCardinality) return 0;
  return static_cast<const chc::LowCardinalityColumn*>(column->column)->indexWidth();
}
size_t chc_column_child_count(const chc_column* column) { return column ? column->column->childCount() : 0; }

chc_status chc_column_child(const chc_column* column, size_t i, chc_column** out, chc_error** err) {
  if (!column) return nullArgument(err, "column");
  if (!out) return nullArgument(err, "out");
  if (i >= column->column->childCount())
    return report(err, CHC_E_INVALID_ARGUMENT,
                  "child index " + std::to_string(i) + " out of range for type " + column->column->type().name());
  return guarded(err,
                 [&] { *out = release(makeColumnHandle(column->owner, column->column->child(i), std::string())); });
}

int32_t chc_column_is_null(const chc_column* column, size_t row) {
  return column && chc::isNullAt(*column->column, row) ? 1 : 0;
}

chc_status chc_column_get_int64(const chc_column* column, size_t row, int64_t* out, chc_error** err) {
  if (!column || !out) return nullArgument(err, "column and out");
  return guarded(err, [&] { *out = chc::getInt64(*column->column, row); });
}

chc_status chc_column_get_uint64(const chc_column* column, size_t row, uint64_t* out, chc_error** err) {
  if (!column || !out) return nullArgument(err, "column and out");
  return guarded(err, [&] { *out = chc::getUInt64(*column->column, row); });
}

chc_status chc_column_get_double(const chc_column* column, size_t row, double* out, chc_error** err) {
  if (!column || !out) return nullArgument(err, "column and out");
  return guarded(err, [&] { *out = chc::getDouble(*column->column, row); });
}

chc_status chc_column_get_string(const chc_column* column, size_t row, const char** data, size_t* len,
                                 chc_error** err) {
  if (!column || !data || !len) return nullArgument(err, "column, data and len");
  return guarded(err, [&] {
    std::string_view s = chc::getString(*column->column, row);
    *data = s.empty() ? "" : s.data();
    *len = s.size();
  });
}

}  // extern "C"
