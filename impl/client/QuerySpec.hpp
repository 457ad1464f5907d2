// One request: SQL plus per-request options (the keys of chc_query in chconnect.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/CustomHeaders.hpp"
#include "client/ExternalData.hpp"
#include "transport/HttpClient.hpp"

namespace chc {

// Progress of one request, as seen by a progress callback.
struct Progress {
  // Numeric fields of the latest X-ClickHouse-Progress header (merged field by field: the server
  // sends running totals, newer servers omit zero fields). Empty until a header arrived.
  std::map<std::string, int64_t> server;
  uint64_t received_bytes = 0;    // response body bytes received so far (as on the wire)
  uint64_t sent_bytes = 0;        // request body bytes sent so far
  uint64_t progress_headers = 0;  // X-ClickHouse-Progress headers received so far

  // A server field, or received_bytes / sent_bytes / progress_headers.
  std::optional<int64_t> get(std::string_view field) const;
};

// Returns false to cancel the request. Runs on the thread that drives the request.
using ProgressCallback = std::function<bool(const Progress&)>;

struct QuerySpec {
  std::string sql;
  std::string query_id;
  std::string session_id;
  std::string database;
  std::map<std::string, std::string> settings;
  std::map<std::string, std::string> params;  // server-side {name:Type} values
  ProgressCallback on_progress;               // optional
  // "progress_interval_ms": -1 = default (progress headers on, every 100 ms, when on_progress is
  // set; off otherwise), 0 = no progress headers, N > 0 = headers every N ms.
  int64_t progress_interval_ms = -1;
  // "query_retries": retries on 429/503/504 for this request; unset = the request kind's default
  // (the client's query_retries for queries and the library's own look-ups, 0 otherwise).
  std::optional<int> retries;
  HeaderList headers;                             // "header.<Name>" (empty value: suppress the client's)
  std::optional<std::vector<std::string>> roles;  // "role": replaces the client's roles when set
  std::vector<ExternalTable> external;            // chc_query_add_external
  // chc_query_set_cancel: cancels every request made with this spec (and their results) from
  // any thread, also while one waits for its response.
  std::shared_ptr<transport::CancelToken> cancel;

  // Throws Error(NotFound) for unknown keys, Error(InvalidArgument) for bad names.
  void set(std::string_view key, std::string_view value);
};

}  // namespace chc
