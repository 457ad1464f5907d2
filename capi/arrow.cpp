// Arrow C Data Interface: chc_block_export_arrow, chc_result_export_arrow_stream, chc_insert_append_arrow.
#include "arrow/Arrow.hpp"
#include "Handles.hpp"

using namespace chc::capi;

extern "C" {

chc_status chc_block_export_arrow(const chc_block* block, struct ArrowArray* out_array, struct ArrowSchema* out_schema,
                                  chc_error** err) {
  if (!block) return nullArgument(err, "block");
  if (!out_array || !out_schema) return nullArgument(err, "out_array and out_schema");
  return guarded(err, [&] {
    const chc::Block& b = *block->block;
    std::vector<chc::TypePtr> types;
    for (const chc::ColumnPtr& c : b.columns) types.push_back(c->typePtr());
    ArrowSchema schema{};
    chc::arrow::exportSchema(b.names, types, &schema);
    try {
      chc::arrow::exportBlock(block->block, out_array);
    } catch (...) {
      schema.release(&schema);
      throw;
    }
    *out_schema = schema;
  });
}

chc_status chc_result_export_arrow_stream(chc_result* result, struct ArrowArrayStream* out, chc_error** err) {
  if (!result) return nullArgument(err, "result");
  if (!out) return nullArgument(err, "out");
  if (!result->result) return report(err, CHC_E_INVALID_STATE, "the result was already exported as an Arrow stream");
  return guarded(err, [&] {
    // The stream owns the result's decoder and a reference on the client.
    auto source = std::make_shared<chc_result>();
    source->client = result->client;
    source->result = std::move(result->result);
    try {
      chc::arrow::exportStream([source]() { return source->result->next(); }, out);
    } catch (...) {
      result->result = std::move(source->result);
      throw;
    }
  });
}

chc_status chc_insert_append_arrow(chc_insert* insert, struct ArrowArrayStream* stream, chc_error** err) {
  if (!insert) {
    if (stream && stream->release) stream->release(stream);
    return nullArgument(err, "insert");
  }
  if (!stream) return nullArgument(err, "stream");
  if (insert->finished) {
    if (stream->release) stream->release(stream);
    return report(err, CHC_E_INVALID_STATE, "insert already finished");
  }
  return guarded(err, [&] { chc::arrow::importStream(insert->block, stream); });
}

}  // extern "C"
