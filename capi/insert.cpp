// chc_insert, chc_builder and raw inserts.
#include <unordered_map>

#include "Handles.hpp"
#include "types/TypeFactory.hpp"

using namespace chc::capi;

namespace chc::capi {

std::unique_ptr<chc_builder> makeBuilderHandle(Column* column) {
  auto h = std::make_unique<chc_builder>();
  h->column = column;
  // Array, Map, Tuple and Variant expose child builders; Nullable, LowCardinality and Dynamic take
  // values themselves.
  switch (column->type().kind()) {
    case TypeKind::Array:
    case TypeKind::Map:
    case TypeKind::Tuple:
    case TypeKind::Variant:
      for (size_t i = 0; i < column->childCount(); ++i)
        h->children.push_back(makeBuilderHandle(column->builderChild(i)));
      break;
    default: break;
  }
  return h;
}

}  // namespace chc::capi

namespace {
// Outside extern "C": a template there would get C linkage and clashing symbol names.
template <class F>
chc_status append(chc_builder* builder, chc_error** err, const F& f) {
  if (!builder) return nullArgument(err, "builder");
  return guarded(err, [&] { f(*builder->column); });
}

// An insert into `table` without columns yet, with the request options of `options`.
std::unique_ptr<chc_insert> newInsert(chc_client* client, const char* table, const chc_query* options) {
  auto ins = std::make_unique<chc_insert>();
  ins->client = client->client;
  ins->table = chc::quoteTableName(table);
  if (options) ins->options = options->spec;
  return ins;
}

void addColumns(chc_insert& ins, const std::vector<chc::ColumnInfo>& columns) {
  for (const chc::ColumnInfo& c : columns) {
    ins.block.names.push_back(c.name);
    ins.block.columns.push_back(chc::makeColumn(c.type));
    ins.types.push_back(makeTypeHandle(c.type));
    ins.builders.push_back(makeBuilderHandle(ins.block.columns.back().get()));
  }
}

// Throws unless `name` (column i) is set and not already in `chosen`.
void checkNewName(const char* name, size_t i, const std::vector<chc::ColumnInfo>& chosen) {
  if (!name) throw chc::Error(chc::ErrorKind::InvalidArgument, "column name " + std::to_string(i) + " is NULL");
  for (const auto& c : chosen)
    if (c.name == name)
      throw chc::Error(chc::ErrorKind::InvalidArgument, std::string("column '") + name + "' named twice");
}
}  // namespace

extern "C" {

chc_status chc_client_insert_begin(chc_client* client, const char* table, const char* const* columns, size_t ncolumns,
                                   const chc_query* options, chc_insert** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!table || !*table) return nullArgument(err, "table");
  if (ncolumns > 0 && !columns) return nullArgument(err, "columns");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] {
    auto ins = newInsert(client, table, options);
    std::vector<chc::ColumnInfo> described = client->client->describeInsertColumns(ins->table, ins->options);
    std::vector<chc::ColumnInfo> chosen;
    if (ncolumns == 0) {
      chosen = described;
    } else {
      std::unordered_map<std::string, size_t> by_name;
      for (size_t i = 0; i < described.size(); ++i) by_name.emplace(described[i].name, i);
      for (size_t i = 0; i < ncolumns; ++i) {
        checkNewName(columns[i], i, chosen);
        auto it = by_name.find(columns[i]);
        if (it == by_name.end())
          throw chc::Error(chc::ErrorKind::NotFound,
                           std::string("table ") + table + " has no insertable column '" + columns[i] + "'");
        chosen.push_back(described[it->second]);
      }
    }
    addColumns(*ins, chosen);
    *out = release(std::move(ins));
  });
}

chc_status chc_client_insert_begin_typed(chc_client* client, const char* table, const char* const* columns,
                                         size_t ncolumns, const char* const* types, size_t ntypes,
                                         const chc_query* options, chc_insert** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!table || !*table) return nullArgument(err, "table");
  if (!columns) return nullArgument(err, "columns");
  if (!types) return nullArgument(err, "types");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] {
    if (ncolumns == 0) throw chc::Error(chc::ErrorKind::InvalidArgument, "a typed insert needs at least one column");
    if (ntypes != ncolumns)
      throw chc::Error(chc::ErrorKind::InvalidArgument,
                       std::to_string(ncolumns) + " column names but " + std::to_string(ntypes) + " types");
    std::vector<chc::ColumnInfo> chosen;
    for (size_t i = 0; i < ncolumns; ++i) {
      checkNewName(columns[i], i, chosen);
      if (!types[i]) throw chc::Error(chc::ErrorKind::InvalidArgument, "type " + std::to_string(i) + " is NULL");
      chosen.push_back({columns[i], chc::makeType(types[i])});
    }
    auto ins = newInsert(client, table, options);
    addColumns(*ins, chosen);
    *out = release(std::move(ins));
  });
}

void chc_insert_free(chc_insert* insert) { destroy(insert); }
size_t chc_insert_column_count(const chc_insert* insert) { return insert ? insert->block.columns.size() : 0; }
const char* chc_insert_column_name(const chc_insert* insert, size_t i) {
  return insert && i < insert->block.names.size() ? insert->block.names[i].c_str() : nullptr;
}
const chc_type* chc_insert_column_type(const chc_insert* insert, size_t i) {
  return insert && i < insert->types.size() ? insert->types[i].get() : nullptr;
}
chc_builder* chc_insert_builder(chc_insert* insert, size_t i) {
  return insert && !insert->finished && i < insert->builders.size() ? insert->builders[i].get() : nullptr;
}

chc_status chc_insert_finish(chc_insert* insert, chc_response** out, chc_error** err) {
  if (!insert) return nullArgument(err, "insert");
  if (insert->finished) return report(err, CHC_E_INVALID_STATE, "insert already finished");
  return guarded(err, [&] {
    chc::Block& block = insert->block;
    block.rows = block.columns.empty() ? 0 : block.columns[0]->size();
    for (size_t i = 0; i < block.columns.size(); ++i)
      if (block.columns[i]->size() != block.rows)
        throw chc::Error(chc::ErrorKind::InvalidArgument, "column '" + block.names[i] + "' has " +
                                                              std::to_string(block.columns[i]->size()) +
                                                              " rows but column '" + block.names[0] + "' has " +
                                                              std::to_string(block.rows) + "; nothing was sent");
    chc::Response response = insert->client->insertBlock(insert->table, block, insert->options);
    insert->finished = true;
    if (out) {
      auto r = std::make_unique<chc_response>();
      r->response = std::move(response);
      *out = release(std::move(r));
    }
  });
}

chc_status chc_builder_append_int64(chc_builder* builder, int64_t value, chc_error** err) {
  return append(builder, err, [&](chc::Column& c) { c.appendInt64(value); });
}
chc_status chc_builder_append_uint64(chc_builder* builder, uint64_t value, chc_error** err) {
  return append(builder, err, [&](chc::Column& c) { c.appendUInt64(value); });
}
chc_status chc_builder_append_double(chc_builder* builder, double value, chc_error** err) {
  return append(builder, err, [&](chc::Column& c) { c.appendDouble(value); });
}
chc_status chc_builder_append_string(chc_builder* builder, const char* data, size_t len, chc_error** err) {
  if (!data && len) return nullArgument(err, "data");
  return append(builder, err, [&](chc::Column& c) { c.appendString(std::string_view(data ? data : "", len)); });
}
chc_status chc_builder_append_null(chc_builder* builder, chc_error** err) {
  return append(builder, err, [&](chc::Column& c) { c.appendNull(); });
}
chc_status chc_builder_end_array(chc_builder* builder, chc_error** err) {
  return append(builder, err, [&](chc::Column& c) { c.endArray(); });
}
chc_status chc_builder_append_fixed(chc_builder* builder, const void* data, size_t count, chc_error** err) {
  if (!data && count) return nullArgument(err, "data");
  return append(builder, err, [&](chc::Column& c) {
    size_t width =
        c.type().kind() == chc::TypeKind::Nullable ? c.type().children()[0]->fixedSize() : c.type().fixedSize();
    if (c.type().kind() == chc::TypeKind::LowCardinality) {
      const chc::TypePtr& inner = c.type().children()[0];
      width = inner->kind() == chc::TypeKind::Nullable ? inner->children()[0]->fixedSize() : inner->fixedSize();
    }
    if (width == 0)
      throw chc::Error(chc::ErrorKind::Type, "column of type " + c.type().name() + " has no fixed-width values");
    if (count > SIZE_MAX / width) throw chc::Error(chc::ErrorKind::InvalidArgument, "count is too large");
    c.appendFixed(std::span<const uint8_t>(static_cast<const uint8_t*>(data), count * width));
  });
}

chc_builder* chc_builder_child(chc_builder* builder, size_t i) {
  return builder && i < builder->children.size() ? builder->children[i].get() : nullptr;
}
size_t chc_builder_row_count(const chc_builder* builder) { return builder ? builder->column->size() : 0; }

chc_status chc_client_insert_raw(chc_client* client, const chc_query* query, const void* data, size_t len,
                                 chc_response** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!query) return nullArgument(err, "query");
  if (!data && len) return nullArgument(err, "data");
  return guarded(err, [&] {
    const auto* p = static_cast<const uint8_t*>(data);
    chc::Response response = client->client->insertRaw(query->spec, std::vector<uint8_t>(p, p + len));
    if (out) {
      auto r = std::make_unique<chc_response>();
      r->response = std::move(response);
      *out = release(std::move(r));
    }
  });
}

}  // extern "C"
