// chc_config, chc_client, chc_query, chc_response, commands and raw results.
#include <cstring>

#include "Handles.hpp"

using namespace chc::capi;

extern "C" {

chc_config* chc_config_new(void) {
  try {
    return release(std::make_unique<chc_config>());
  } catch (...) {
    return nullptr;
  }
}

void chc_config_free(chc_config* config) { destroy(config); }

chc_status chc_config_set(chc_config* config, const char* key, const char* value, chc_error** err) {
  if (!config) return nullArgument(err, "config");
  if (!key || !value) return nullArgument(err, "key and value");
  return guarded(err, [&] { config->config.set(key, value); });
}

chc_status chc_config_set_url(chc_config* config, const char* url, chc_error** err) {
  if (!config) return nullArgument(err, "config");
  if (!url) return nullArgument(err, "url");
  return guarded(err, [&] {
    chc::ClientConfig updated = config->config;  // all or nothing: a bad URL changes nothing
    updated.setUrl(url);
    config->config = std::move(updated);
  });
}

chc_status chc_client_open(const chc_config* config, chc_client** out, chc_error** err) {
  if (!config) return nullArgument(err, "config");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] {
    auto handle = std::make_unique<chc_client>();
    handle->client = std::make_shared<chc::Client>(config->config);
    *out = release(std::move(handle));
  });
}

void chc_client_free(chc_client* client) { destroy(client); }

chc_status chc_client_ping(chc_client* client, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  return guarded(err, [&] { client->client->ping(); });
}

chc_status chc_client_server_version(chc_client* client, const char** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] { *out = client->client->serverVersion().c_str(); });
}

chc_query* chc_query_new(const char* sql, size_t sql_len) {
  if (!sql && sql_len) return nullptr;
  try {
    auto q = std::make_unique<chc_query>();
    if (sql) q->spec.sql.assign(sql, sql_len);
    return release(std::move(q));
  } catch (...) {
    return nullptr;
  }
}

void chc_query_free(chc_query* query) { destroy(query); }

chc_status chc_query_set(chc_query* query, const char* key, const char* value, chc_error** err) {
  if (!query) return nullArgument(err, "query");
  if (!key || !value) return nullArgument(err, "key and value");
  return guarded(err, [&] { query->spec.set(key, value); });
}

chc_status chc_query_add_external(chc_query* query, const char* name, const char* structure, const char* types,
                                  const char* format, const void* data, size_t len, chc_error** err) {
  if (!query) return nullArgument(err, "query");
  if (!name) return nullArgument(err, "name");
  if (!data && len) return nullArgument(err, "data (with len > 0)");
  return guarded(err, [&] {
    chc::ExternalTable table;
    table.name = name;
    if (structure) table.structure = structure;
    if (types) table.types = types;
    if (format) table.format = format;
    if (len) table.data.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + len);
    chc::addExternalTable(query->spec.external, std::move(table));
  });
}

chc_cancel* chc_cancel_new(void) {
  try {
    return release(std::make_unique<chc_cancel>());
  } catch (...) {
    return nullptr;
  }
}

void chc_cancel_trigger(chc_cancel* cancel) {
  if (cancel) cancel->token->cancel();
}

int32_t chc_cancel_is_triggered(const chc_cancel* cancel) { return cancel && cancel->token->cancelled() ? 1 : 0; }

void chc_cancel_free(chc_cancel* cancel) { destroy(cancel); }

chc_status chc_query_set_cancel(chc_query* query, chc_cancel* cancel, chc_error** err) {
  if (!query) return nullArgument(err, "query");
  query->spec.cancel = cancel ? cancel->token : nullptr;
  return CHC_OK;
}

chc_status chc_query_set_progress(chc_query* query, chc_progress_fn fn, void* ctx, chc_error** err) {
  if (!query) return nullArgument(err, "query");
  return guarded(err, [&] {
    if (!fn) {
      query->spec.on_progress = nullptr;
      return;
    }
    query->spec.on_progress = [fn, ctx](const chc::Progress& p) {
      chc_progress handle{&p};
      return fn(ctx, &handle) == 0;
    };
  });
}

chc_status chc_progress_value(const chc_progress* progress, const char* field, int64_t* out, chc_error** err) {
  if (!progress || !progress->progress) return nullArgument(err, "progress");
  if (!field || !out) return nullArgument(err, "field and out");
  auto v = progress->progress->get(field);
  if (!v) return report(err, CHC_E_NOT_FOUND, std::string("progress field '") + field + "' was not sent by the server");
  *out = *v;
  return CHC_OK;
}

chc_status chc_client_kill_query(chc_client* client, const char* query_id, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!query_id) return nullArgument(err, "query_id");
  if (!*query_id) return report(err, CHC_E_INVALID_ARGUMENT, "query_id must not be empty");
  return guarded(err, [&] { (void)client->client->killQuery(query_id); });
}

void chc_response_free(chc_response* response) { destroy(response); }

const char* chc_response_body(const chc_response* response, size_t* len) {
  if (!response) {
    if (len) *len = 0;
    return "";
  }
  if (len) *len = response->response.body.size();
  return response->response.body.c_str();
}

const char* chc_response_query_id(const chc_response* response) {
  return response ? response->response.query_id.c_str() : "";
}

chc_status chc_response_summary(const chc_response* response, const char* field, int64_t* out, chc_error** err) {
  if (!response) return nullArgument(err, "response");
  if (!field || !out) return nullArgument(err, "field and out");
  auto v = response->response.summary.get(field);
  if (!v) return report(err, CHC_E_NOT_FOUND, std::string("summary field '") + field + "' was not sent by the server");
  *out = *v;
  return CHC_OK;
}

chc_status chc_client_command(chc_client* client, const chc_query* query, chc_response** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!query) return nullArgument(err, "query");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] {
    auto r = std::make_unique<chc_response>();
    r->response = client->client->command(query->spec);
    *out = release(std::move(r));
  });
}

// ---- raw results -------------------------------------------------------------------------------

chc_status chc_client_query_raw(chc_client* client, const chc_query* query, chc_raw_result** out, chc_error** err) {
  if (!client) return nullArgument(err, "client");
  if (!query) return nullArgument(err, "query");
  if (!out) return nullArgument(err, "out");
  return guarded(err, [&] {
    auto r = std::make_unique<chc_raw_result>();
    r->client = client->client;
    r->cancel = std::make_shared<chc::transport::CancelToken>();
    r->raw = client->client->queryRaw(query->spec, r->cancel);
    *out = release(std::move(r));
  });
}

chc_status chc_raw_result_read(chc_raw_result* raw, void* buf, size_t cap, size_t* n, chc_error** err) {
  if (n) *n = 0;
  if (!raw) return nullArgument(err, "raw");
  if (!buf || !n) return nullArgument(err, "buf and n");
  if (cap == 0) return report(err, CHC_E_INVALID_ARGUMENT, "cap must be > 0");
  return guarded(err, [&] { *n = raw->raw->read(std::span<uint8_t>(static_cast<uint8_t*>(buf), cap)); });
}

void chc_raw_result_cancel(chc_raw_result* raw) {
  if (raw && raw->cancel) raw->cancel->cancel();
}

void chc_raw_result_free(chc_raw_result* raw) { destroy(raw); }

const char* chc_raw_result_query_id(const chc_raw_result* raw) { return raw ? raw->raw->queryId().c_str() : ""; }

}  // extern "C"
