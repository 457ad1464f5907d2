// The ClickHouse client: builds requests (shared/spec/http-interface.md), sends them over the
// pooled transport, turns failures into chc::Error. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/ClientConfig.hpp"
#include "client/QuerySpec.hpp"
#include "client/RawResult.hpp"
#include "client/SessionLock.hpp"
#include "client/Summary.hpp"
#include "native/Block.hpp"
#include "native/NativeBlockReader.hpp"
#include "transport/HttpClient.hpp"

namespace chc {

// A completed, buffered response (command or insert).
struct Response {
  std::string body;
  std::string query_id;
  Summary summary;
};

// A streaming SELECT: blocks are decoded as they are pulled. One thread at a time.
class QueryResult {
 public:
  // `revision`: the client_protocol_version the response was requested at (0: none sent).
  // `session`: the client's SessionLock when the request carried its session, marked if this
  // result is destroyed before its end.
  QueryResult(std::unique_ptr<transport::HttpResponse> response, std::string query_id,
              std::shared_ptr<transport::CancelToken> cancel = nullptr, uint64_t revision = 0,
              std::shared_ptr<SessionLock> session = nullptr);
  ~QueryResult();
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  // The next block, or nullopt at the end. Errors are sticky: once failed, every call rethrows.
  std::optional<Block> next();
  const std::string& queryId() const { return query_id_; }
  const Summary& summary() const { return summary_; }
  // X-ClickHouse-Timezone: the zone the server read and shows tz-less DateTime values in for this
  // query (session_timezone, else the server's); "" when not sent (18.16 does not send it).
  const std::string& timezone() const { return timezone_; }

 private:
  std::string query_id_;
  Summary summary_;
  std::string timezone_;
  std::unique_ptr<InputStream> body_;  // decoding chain that owns the HTTP response
  NativeBlockReader reader_;
  std::optional<Error> failure_;
  std::shared_ptr<transport::CancelToken> cancel_;
  std::shared_ptr<SessionLock> session_;
  bool done_ = false;
};

struct ColumnInfo {
  std::string name;
  TypePtr type;
};

class Client {
 public:
  explicit Client(const ClientConfig& config);

  void ping();
  // Cached after the first successful call; the reference stays valid as long as the client.
  const std::string& serverVersion();
  Response command(const QuerySpec& query);
  // `cancel` (optional) can abort the request from another thread, see transport::CancelToken.
  std::unique_ptr<QueryResult> query(const QuerySpec& query, std::shared_ptr<transport::CancelToken> cancel = nullptr);
  // Like query(), but the body is returned as bytes in the format the SQL names (the server's
  // default, TabSeparated, if none); retried on 429/503/504 like queries.
  std::unique_ptr<RawResult> queryRaw(const QuerySpec& query, std::shared_ptr<transport::CancelToken> cancel = nullptr);
  // KILL QUERY WHERE query_id = '<id>' ASYNC on its own pooled connection, without the session
  // (which the query to stop holds).
  Response killQuery(std::string_view query_id);
  // Column names and types of a table, for inserts (DESCRIBE TABLE); insertable columns only
  // (MATERIALIZED and ALIAS columns are left out).
  std::vector<ColumnInfo> describeInsertColumns(const std::string& quoted_table, const QuerySpec& options);
  // Sends `block` as the body of `INSERT INTO <table> (<names>) FORMAT Native`.
  Response insertBlock(const std::string& quoted_table, const Block& block, const QuerySpec& options);
  // Sends a caller-made body for the INSERT statement in query.sql.
  Response insertRaw(const QuerySpec& query, std::vector<uint8_t> body);

  const ClientConfig& config() const { return config_; }

  // The client_protocol_version Native SELECTs are requested and read at: the forced value of the
  // protocol_revision option, else the probe's cached answer, probing first if there is none.
  // `query` gives the probe its database, roles and headers. Throws what the probe's request
  // throws when the server could not be asked (nothing is cached then).
  uint64_t nativeRevision(const QuerySpec& query, const std::shared_ptr<transport::CancelToken>& cancel = nullptr);

 private:
  enum class BodyKind { Sql, Data };
  // default_retries: status retries when the query does not set query_retries.
  // native_revision > 0 adds client_protocol_version; with_session = false leaves the session out.
  transport::HttpRequest buildRequest(const QuerySpec& query, BodyKind kind, std::string* query_id, bool native_output,
                                      int default_retries, uint64_t native_revision = 0, bool with_session = true);
  uint64_t probeNativeRevision(const QuerySpec& query, const std::shared_ptr<transport::CancelToken>& cancel);
  // Whether requests built from `query` carry a session (its own or the client's).
  bool inSession(const QuerySpec& query) const;
  // Sends, and turns an HTTP error answer into chc::Error. `in_session`: the request carries the
  // session; after a result of it was dropped early, SESSION_IS_LOCKED is retried (see SessionLock).
  std::unique_ptr<transport::HttpResponse> send(transport::HttpRequest request, const std::string& query_id,
                                                bool in_session = false);
  std::unique_ptr<transport::HttpResponse> sendOnce(transport::HttpRequest request, const std::string& query_id);
  Response finishBuffered(std::unique_ptr<transport::HttpResponse> response, const std::string& query_id);
  void compressBody(transport::HttpRequest& request, std::vector<uint8_t> body);

  ClientConfig config_;
  transport::HttpClient http_;
  std::mutex version_mutex_;
  std::optional<std::string> server_version_;
  std::mutex revision_mutex_;  // held during the probe: concurrent first queries wait for its answer
  std::optional<uint64_t> native_revision_;
  std::shared_ptr<SessionLock> session_lock_ = std::make_shared<SessionLock>();
};

// `name` or `db.name` quoted with backquotes; a name that already has backquotes is used as is.
std::string quoteTableName(std::string_view table);
std::string quoteIdentifier(std::string_view name);

}  // namespace chc
