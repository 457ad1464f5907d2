#include "client/Client.hpp"

#include <strings.h>

#include <cstdio>
#include <random>
#include <thread>

#include "client/ServerException.hpp"
#include "common/VectorSink.hpp"
#include "compress/ContentEncoding.hpp"
#include "compress/NativeBlockCodec.hpp"
#include "native/NativeBlockWriter.hpp"
#include "types/TypeFactory.hpp"

namespace chc {
namespace {

constexpr size_t kMaxErrorBody = 1 << 20;
constexpr size_t kMaxCommandBody = size_t(1) << 30;
// With external data the SQL goes in the `query` URL parameter (as clickhouse-connect sends it)
// up to this many URL-encoded bytes, else in a `query` form field (18.16 refuses URLs over ~16 KiB).
constexpr size_t kMaxSqlInUrl = 4096;

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string newQueryId() {
  std::random_device rd;  // per call: no shared RNG state between threads
  uint8_t b[16];
  for (size_t i = 0; i < 16; i += 4) {
    uint32_t r = rd();
    for (size_t k = 0; k < 4; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

void addParam(std::string& url, std::string_view name, std::string_view value) {
  url += url.empty() ? '?' : '&';
  url += transport::urlEncode(name);
  url += '=';
  url += transport::urlEncode(value);
}

// The response decoding chain for its Content-Encoding header.
std::unique_ptr<InputStream> decodedBody(std::unique_ptr<transport::HttpResponse> response) {
  const std::string* enc = response->header("Content-Encoding");
  compress::ContentEncoding encoding = enc ? compress::parseContentEncoding(*enc) : compress::ContentEncoding::Identity;
  return compress::makeDecodingStream(encoding, std::move(response));
}

std::string readAllFrom(InputStream& in, size_t limit) {
  std::string out;
  uint8_t buf[64 * 1024];
  while (out.size() < limit) {
    size_t n = in.read(std::span<uint8_t>(buf, std::min(sizeof buf, limit - out.size())));
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf), n);
  }
  // There was more than `limit`: refuse rather than silently truncate.
  uint8_t probe;
  if (in.read(std::span<uint8_t>(&probe, 1)) != 0)
    throw Error(ErrorKind::InvalidArgument,
                "response exceeds " + std::to_string(limit) + " bytes; use a streaming query for large results");
  return out;
}

Error serverError(int status, const std::string& body, const std::string* code_header, const std::string& query_id) {
  ServerInfo info;
  info.http_status = status;
  info.query_id = query_id;
  std::string message;
  if (auto parsed = parseExceptionText(body)) {
    info.code = parsed->code;
    info.name = parsed->name;
    message = parsed->message;
  } else {
    message = "HTTP " + std::to_string(status) + (body.empty() ? std::string() : ": " + body.substr(0, 4096));
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  }
  if (code_header && info.code == 0) info.code = std::atoi(code_header->c_str());
  return Error(kindForServerError(info.code, status), message, info);
}

// A response header's value, "" when the server did not send it.
std::string headerOrEmpty(const transport::HttpResponse& response, const char* name) {
  const std::string* v = response.header(name);
  return v ? *v : std::string();
}

// The query id the server reports (X-ClickHouse-Query-Id), else the one sent.
std::string reportedQueryId(const transport::HttpResponse& response, std::string sent) {
  const std::string* id = response.header("X-ClickHouse-Query-Id");
  return id ? *id : std::move(sent);
}

// A server error about the client_protocol_version parameter (18.16: "Code: 115, e.displayText() =
// DB::Exception: Unknown setting client_protocol_version").
bool namesRevisionParameter(const Error& e) {
  return std::string_view(e.what()).find("client_protocol_version") != std::string_view::npos;
}

}  // namespace

std::string quoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "`";
}

std::string quoteTableName(std::string_view table) {
  if (table.find('`') != std::string_view::npos) return std::string(table);
  size_t dot = table.find('.');
  if (dot == std::string_view::npos) return quoteIdentifier(table);
  return quoteIdentifier(table.substr(0, dot)) + "." + quoteIdentifier(table.substr(dot + 1));
}

// ---- QueryResult ------------------------------------------------------------------------------

QueryResult::QueryResult(std::unique_ptr<transport::HttpResponse> response, std::string query_id,
                         std::shared_ptr<transport::CancelToken> cancel, uint64_t revision,
                         std::shared_ptr<SessionLock> session)
    : query_id_(std::move(query_id)),
      summary_(Summary::parse(headerOrEmpty(*response, "X-ClickHouse-Summary"))),
      timezone_(headerOrEmpty(*response, "X-ClickHouse-Timezone")),
      body_(decodedBody(std::move(response))),
      reader_(*body_, revision),
      cancel_(std::move(cancel)),
      session_(std::move(session)) {}

QueryResult::~QueryResult() {
  if (session_ && !done_) session_->markAbandoned();
}

std::optional<Block> QueryResult::next() {
  if (failure_) throw *failure_;
  if (done_) return std::nullopt;
  auto cancelledNow = [&] {
    failure_ = Error(ErrorKind::Cancelled, "query cancelled", ServerInfo{0, {}, 200, query_id_});
    body_.reset();  // aborts the transfer; the connection is closed
    return *failure_;
  };
  if (cancel_ && cancel_->cancelled()) throw cancelledNow();
  try {
    std::optional<Block> block = reader_.next();
    if (!block) {
      done_ = true;
      body_.reset();  // fully read: the connection goes back to the pool
    }
    return block;
  } catch (const NativeDecodeError& e) {
    if (e.kind() == ErrorKind::Cancelled) throw cancelledNow();
    // A server that fails mid-stream appends its exception text to the body (spec §9.2).
    if (auto parsed = findMidStreamException(e.window())) {
      ServerInfo info{parsed->code, parsed->name, 200, query_id_};
      failure_ = Error(ErrorKind::Server, "server failed mid-stream: " + parsed->message, info);
    } else {
      ServerInfo info = e.server();
      info.query_id = query_id_;
      failure_ = Error(e.kind(), e.what(), info);
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled && cancel_ && cancel_->cancelled()) throw cancelledNow();
    ServerInfo info = e.server();
    info.query_id = query_id_;
    failure_ = Error(e.kind(), e.what(), info);
  }
  body_.reset();  // a failed stream's connection is not reused
  throw *failure_;
}

// ---- Client -----------------------------------------------------------------------------------

Client::Client(const ClientConfig& config) : config_(config.resolved()), http_(config_.http) {}

transport::HttpRequest Client::buildRequest(const QuerySpec& query, BodyKind kind, std::string* query_id,
                                            bool native_output, int default_retries, uint64_t native_revision,
                                            bool with_session) {
  transport::HttpRequest req;
  req.status_retries = query.retries.value_or(default_retries);
  req.also_cancel = query.cancel;
  std::string params;
  const std::string& database = query.database.empty() ? config_.database : query.database;
  if (!database.empty()) addParam(params, "database", database);
  *query_id = query.query_id.empty() ? newQueryId() : query.query_id;
  addParam(params, "query_id", *query_id);
  const std::string& session = query.session_id.empty() ? config_.session_id : query.session_id;
  if (!session.empty() && with_session) addParam(params, "session_id", session);
  for (const std::string& role : query.roles ? *query.roles : config_.roles) addParam(params, "role", role);
  std::map<std::string, std::string> settings = config_.settings;
  for (const auto& [k, v] : query.settings) settings[k] = v;
  for (const auto& [k, v] : settings) addParam(params, k, v);
  for (const auto& [k, v] : query.params) addParam(params, "param_" + k, v);
  if (native_output) addParam(params, "default_format", "Native");
  // Only for Native SELECTs read by NativeBlockReader: never with INSERT bodies (the server reads
  // those at revision 0 whatever the parameter says) nor raw queries (the caller's own format).
  if (native_revision > 0) addParam(params, "client_protocol_version", std::to_string(native_revision));
  // Progress headers (spec §10): on by default when a progress callback is set. A setting given
  // explicitly (setting.send_progress_in_http_headers=...) wins.
  const bool want_progress = query.progress_interval_ms > 0 || (query.progress_interval_ms < 0 && query.on_progress);
  if (want_progress && !settings.count("send_progress_in_http_headers")) {
    addParam(params, "send_progress_in_http_headers", "1");
    if (query.progress_interval_ms > 0 && !settings.count("http_headers_progress_interval_ms"))
      addParam(params, "http_headers_progress_interval_ms", std::to_string(query.progress_interval_ms));
  }
  if (query.on_progress) {
    auto state = std::make_shared<Progress>();
    req.on_progress = [state, fn = query.on_progress](const transport::TransferProgress& tp) {
      for (const auto& [name, value] : tp.new_headers) {
        if (name.size() != 21 || strncasecmp(name.c_str(), "X-ClickHouse-Progress", 21) != 0) continue;
        for (const auto& [k, v] : Summary::parse(value).fields) state->server[k] = v;
        ++state->progress_headers;
      }
      state->received_bytes = tp.body_bytes_received;
      state->sent_bytes = tp.bytes_sent;
      return fn(*state);
    };
  }
  // Response compression: ask only for encodings we decode; 18.16 answers lz4/zstd uncompressed.
  const char* accept = nullptr;
  switch (config_.compression) {
    case Compression::None: break;
    case Compression::Auto: accept = "lz4, zstd"; break;
    case Compression::Lz4: accept = "lz4"; break;
    case Compression::Zstd: accept = "zstd"; break;
    case Compression::Gzip: accept = "gzip"; break;
    case Compression::Deflate: accept = "deflate"; break;
  }
  if (accept) {
    addParam(params, "enable_http_compression", "1");
    req.headers.emplace_back("Accept-Encoding", accept);
  }
  if (!query.external.empty()) {
    // External data (spec §6): a multipart/form-data body with one file part per table; the SQL
    // moves to the URL (or a form field when long). The server takes every parameter ending in
    // _format, _types or _structure as an external table's, never as a setting.
    if (kind != BodyKind::Sql) throwUnsupported("external data cannot be sent with an insert body");
    for (const auto& [name, value] : settings) {
      if (endsWith(name, "_format") || endsWith(name, "_types") || endsWith(name, "_structure"))
        throwUnsupported("setting '" + name +
                         "' cannot be sent with external data (the server reads parameters ending in _format, "
                         "_types or _structure as external table options); put it in the SQL's SETTINGS clause");
    }
    const bool sql_in_url = transport::urlEncode(query.sql).size() <= kMaxSqlInUrl;
    if (sql_in_url) addParam(params, "query", query.sql);
    for (const ExternalTable& t : query.external) {
      if (!t.structure.empty()) addParam(params, t.name + "_structure", t.structure);
      if (!t.types.empty()) addParam(params, t.name + "_types", t.types);
      if (!t.format.empty()) addParam(params, t.name + "_format", t.format);
    }
    MultipartBody body = buildMultipartBody(query.external, sql_in_url ? nullptr : &query.sql);
    req.headers.emplace_back("Content-Type", std::move(body.content_type));
    req.body = std::move(body.bytes);
  } else if (kind == BodyKind::Sql) {
    req.body.assign(query.sql.begin(), query.sql.end());
  } else {
    addParam(params, "query", query.sql);
  }
  for (auto& header : mergeCustomHeaders(config_.headers, query.headers)) req.headers.push_back(std::move(header));
  req.path_and_query = params;
  return req;
}

void Client::compressBody(transport::HttpRequest& request, std::vector<uint8_t> body) {
  auto nativeBlocks = [&](compress::BlockMethod method) {
    VectorSink sink;
    auto enc = compress::makeNativeBlockEncoder(method, sink);
    enc->write(body);
    enc->finish();
    request.body = std::move(sink.bytes);
    request.path_and_query += request.path_and_query.empty() ? "?decompress=1" : "&decompress=1";
  };
  auto httpEncoding = [&](compress::ContentEncoding encoding) {
    VectorSink sink;
    auto enc = compress::makeEncodingSink(encoding, sink);
    enc->write(body);
    enc->finish();
    request.body = std::move(sink.bytes);
    request.headers.emplace_back("Content-Encoding", std::string(compress::contentEncodingName(encoding)));
  };
  switch (config_.compression) {
    case Compression::None: request.body = std::move(body); break;
    case Compression::Auto:
    case Compression::Lz4: nativeBlocks(compress::BlockMethod::Lz4); break;
    case Compression::Zstd: nativeBlocks(compress::BlockMethod::Zstd); break;
    case Compression::Gzip: httpEncoding(compress::ContentEncoding::Gzip); break;
    case Compression::Deflate: httpEncoding(compress::ContentEncoding::Deflate); break;
  }
}

bool Client::inSession(const QuerySpec& query) const {
  return !query.session_id.empty() || !config_.session_id.empty();
}

std::unique_ptr<transport::HttpResponse> Client::send(transport::HttpRequest request, const std::string& query_id,
                                                      bool in_session) {
  if (!in_session || !session_lock_->abandoned()) return sendOnce(std::move(request), query_id);
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + kSessionLockWait;
  std::chrono::milliseconds delay{10};
  for (;;) {
    try {
      auto response = sendOnce(request, query_id);  // a copy: the request may go out again
      session_lock_->clear();
      return response;
    } catch (const Error& e) {
      if (e.server().code != kSessionIsLockedCode) {
        if (e.server().http_status != 0) session_lock_->clear();  // the server took the session
        throw;
      }
      if (clock::now() + delay > deadline) throw;
    }
    // The session is still held by the dropped result's query: wait, a cancel ends the wait.
    for (const auto until = clock::now() + delay; clock::now() < until;) {
      if ((request.cancel && request.cancel->cancelled()) || (request.also_cancel && request.also_cancel->cancelled()))
        throw Error(ErrorKind::Cancelled, "query cancelled", ServerInfo{0, {}, 0, query_id});
      std::this_thread::sleep_for(std::min<clock::duration>(until - clock::now(), std::chrono::milliseconds(20)));
    }
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
}

std::unique_ptr<transport::HttpResponse> Client::sendOnce(transport::HttpRequest request, const std::string& query_id) {
  std::unique_ptr<transport::HttpResponse> response;
  try {
    response = http_.send(std::move(request));
  } catch (Error& e) {
    e.server().query_id = query_id;
    throw;
  }
  if (response->status() == 200) return response;
  // Error bodies may be compressed too; fall back to the raw bytes if decoding fails.
  int status = response->status();
  const int attempts = response->attempts();
  std::string code_header;
  if (const std::string* h = response->header("X-ClickHouse-Exception-Code")) code_header = *h;
  std::string body;
  try {
    auto decoded = decodedBody(std::move(response));
    body = readAllFrom(*decoded, kMaxErrorBody);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled) {  // cancelled while the error text arrived: a cancel
      Error cancelled = e;
      cancelled.server().query_id = query_id;
      throw cancelled;
    }
    body = body.empty() ? std::string("(unreadable error body)") : body;
  }
  Error err = serverError(status, body, code_header.empty() ? nullptr : &code_header, query_id);
  if (attempts > 1 && (status == 429 || status == 503 || status == 504))
    throw Error(err.kind(),
                std::string(err.what()) + " (HTTP " + std::to_string(status) + " after " + std::to_string(attempts) +
                    " attempts)",
                err.server());
  throw err;
}

Response Client::finishBuffered(std::unique_ptr<transport::HttpResponse> response, const std::string& query_id) {
  Response out;
  out.query_id = reportedQueryId(*response, query_id);
  out.summary = Summary::parse(headerOrEmpty(*response, "X-ClickHouse-Summary"));
  auto decoded = decodedBody(std::move(response));
  std::string body = readAllFrom(*decoded, kMaxCommandBody);
  // A 200 whose body ends in an exception: the statement failed after output started. Only a
  // trailing "Code: N, ... DB::Exception" line counts, so result text that merely contains
  // "Code: " is not mistaken for an error.
  for (size_t pos = body.rfind("Code: "); pos != std::string::npos;
       pos = pos ? body.rfind("Code: ", pos - 1) : std::string::npos) {
    if (pos != 0 && body[pos - 1] != '\n') continue;
    auto parsed = parseExceptionText(std::string_view(body).substr(pos));
    if (parsed && parsed->message.find("DB::Exception") != std::string::npos) {
      ServerInfo info{parsed->code, parsed->name, 200, out.query_id};
      throw Error(ErrorKind::Server, parsed->message, info);
    }
    break;
  }
  out.body = std::move(body);
  return out;
}

void Client::ping() {
  transport::HttpRequest req;
  req.method = "GET";
  req.path_and_query = "ping";
  req.headers = mergeCustomHeaders(config_.headers, {});
  auto response = send(std::move(req), std::string());
  std::string body = response->readAll(64);
  if (body != "Ok.\n") throw Error(ErrorKind::Protocol, "unexpected /ping answer: " + body.substr(0, 32));
}

const std::string& Client::serverVersion() {
  std::lock_guard<std::mutex> lock(version_mutex_);
  if (!server_version_) {
    QuerySpec q;
    q.sql = "SELECT version()";
    q.retries = config_.query_retries;  // a read: retried like queries
    std::string v = command(q).body;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    server_version_ = v;
  }
  return *server_version_;
}

Response Client::command(const QuerySpec& query) {
  std::string query_id;
  // Commands may change data: no retries on 429/503/504 unless the query asks (a proxy's 504 can
  // come after the statement ran). clickhouse-connect does the same.
  auto req = buildRequest(query, BodyKind::Sql, &query_id, false, 0);
  return finishBuffered(send(std::move(req), query_id, inSession(query)), query_id);
}

std::unique_ptr<QueryResult> Client::query(const QuerySpec& query, std::shared_ptr<transport::CancelToken> cancel) {
  const uint64_t revision = nativeRevision(query, cancel);
  std::string query_id;
  auto req = buildRequest(query, BodyKind::Sql, &query_id, true, config_.query_retries, revision);
  req.cancel = cancel;
  std::unique_ptr<transport::HttpResponse> response;
  try {
    response = send(std::move(req), query_id, inSession(query));
  } catch (const Error& e) {
    if (revision == 0 || !namesRevisionParameter(e)) throw;
    // A forced revision on a server that does not know the parameter: say what to change.
    if (config_.protocol_revision)
      throw Error(e.kind(),
                  std::string(e.what()) + " (the client option protocol_revision=" + std::to_string(revision) +
                      " makes every query send client_protocol_version, which this server does not accept; use "
                      "protocol_revision=auto or 0)",
                  e.server());
    // The probe said yes but this server says no (a load balancer over mixed versions): ask
    // again next time.
    std::lock_guard<std::mutex> lock(revision_mutex_);
    native_revision_.reset();
    throw;
  }
  query_id = reportedQueryId(*response, std::move(query_id));
  return std::make_unique<QueryResult>(std::move(response), std::move(query_id), std::move(cancel), revision,
                                       inSession(query) ? session_lock_ : nullptr);
}

uint64_t Client::nativeRevision(const QuerySpec& query, const std::shared_ptr<transport::CancelToken>& cancel) {
  if (config_.protocol_revision) return *config_.protocol_revision;
  std::lock_guard<std::mutex> lock(revision_mutex_);
  if (!native_revision_) native_revision_ = probeNativeRevision(query, cancel);  // throws: nothing cached
  return *native_revision_;
}

// The probe (spec native-format.md §2.2; clickhouse-connect does the same): SELECT 1 AS check at
// kMaxNativeRevision. The answer is a property of the server (and of any proxy in front of it),
// so it is asked once per client:
// - the server rejects the parameter (code 115 "Unknown setting client_protocol_version" on
//   18.16, or any error naming the parameter) -> 0;
// - 200 with a block that starts with a BlockInfo -> kMaxNativeRevision;
// - 200 with a plain revision-0 block (a proxy stripped the parameter), or anything else -> 0.
// Any other failure (network, timeout, authentication, a missing database, HTTP 5xx, a cancel)
// is thrown to the query that triggered the probe and nothing is cached, so the next query asks
// again. The request goes through the same transport as queries (auth, TLS, proxy, timeouts,
// retries) with the query's database, roles and headers and the client's settings, but without
// its per-query settings, parameters, external data or progress callback. It leaves the session
// out: the answer does not depend on it, and a session-less request cannot be refused with
// SESSION_IS_LOCKED while another thread has the client's session busy (nor create the session).
uint64_t Client::probeNativeRevision(const QuerySpec& query, const std::shared_ptr<transport::CancelToken>& cancel) {
  QuerySpec probe;
  probe.sql = "SELECT 1 AS check FORMAT Native";
  probe.database = query.database;
  probe.roles = query.roles;
  probe.headers = query.headers;
  probe.cancel = query.cancel;
  std::string query_id;
  auto req = buildRequest(probe, BodyKind::Sql, &query_id, true, config_.query_retries, kMaxNativeRevision, false);
  req.cancel = cancel;
  std::unique_ptr<transport::HttpResponse> response;
  try {
    response = send(std::move(req), query_id);
  } catch (const Error& e) {
    // Only an error that names the parameter: a 115 for another setting (an unknown name in the
    // client's settings) must fail the query, not pin the client to revision 0.
    if ((e.kind() == ErrorKind::Server || e.server().http_status >= 400) && namesRevisionParameter(e)) return 0;
    throw;
  }
  auto decoded = decodedBody(std::move(response));
  const std::string body = readAllFrom(*decoded, 64 * 1024);
  // True if `body` is exactly the probe's one-row block when read at `revision`.
  auto isProbeBlock = [&](uint64_t revision) {
    MemoryInputStream in(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
    NativeBlockReader reader(in, revision);
    try {
      std::optional<Block> block = reader.next();
      if (!block || block->rows != 1 || block->columns.size() != 1 || block->names[0] != "check") return false;
      std::span<const uint8_t> data = block->columns[0]->data();
      return data.size() == 1 && data[0] == 1 && !reader.next();
    } catch (const NativeDecodeError&) {
      return false;
    }
  };
  // Anything else that came with 200 (a replaying test double, a proxy with its own answer) is
  // not a BlockInfo: revision 0, which is what every server writes without the parameter.
  return isProbeBlock(kMaxNativeRevision) ? kMaxNativeRevision : 0;
}

std::unique_ptr<RawResult> Client::queryRaw(const QuerySpec& query, std::shared_ptr<transport::CancelToken> cancel) {
  std::string query_id;
  auto req = buildRequest(query, BodyKind::Sql, &query_id, false, config_.query_retries);
  req.cancel = cancel;
  auto response = send(std::move(req), query_id, inSession(query));
  query_id = reportedQueryId(*response, std::move(query_id));
  return std::make_unique<RawResult>(std::move(response), std::move(query_id), std::move(cancel),
                                     inSession(query) ? session_lock_ : nullptr);
}

Response Client::killQuery(std::string_view query_id) {
  if (query_id.empty()) throwInvalid("query id must not be empty");
  QuerySpec q;
  q.sql = "KILL QUERY WHERE query_id = '";
  for (char c : query_id) {
    if (c == '\\' || c == '\'') q.sql.push_back('\\');
    q.sql.push_back(c);
  }
  q.sql += "' ASYNC";
  // Without the session: the query it stops holds it, so the server would refuse the kill with
  // SESSION_IS_LOCKED. KILL QUERY needs nothing from the session.
  std::string kill_id;
  auto req = buildRequest(q, BodyKind::Sql, &kill_id, false, 0, 0, false);
  return finishBuffered(send(std::move(req), kill_id), kill_id);
}

std::vector<ColumnInfo> Client::describeInsertColumns(const std::string& quoted_table, const QuerySpec& options) {
  QuerySpec q = options;
  q.params.clear();
  q.query_id.clear();
  q.on_progress = nullptr;  // progress is about the insert itself, not this look-up
  q.progress_interval_ms = -1;
  if (!q.external.empty()) throwUnsupported("external data cannot be sent with an insert");
  if (!q.retries) q.retries = config_.query_retries;  // a read: retried like queries
  q.sql = "DESCRIBE TABLE " + quoted_table + " FORMAT TabSeparated";
  std::string body = command(q).body;
  std::vector<ColumnInfo> columns;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    std::string_view line(body.data() + pos, (eol == std::string::npos ? body.size() : eol) - pos);
    pos = eol == std::string::npos ? body.size() : eol + 1;
    if (line.empty()) continue;
    // name \t type \t default_type \t default_expression [\t comment ...]; TSV-escaped
    std::vector<std::string> fields;
    std::string field;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c == '\t') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\\' && i + 1 < line.size()) {
        char e = line[++i];
        field.push_back(e == 't' ? '\t' : e == 'n' ? '\n' : e == '0' ? '\0' : e);
      } else {
        field.push_back(c);
      }
    }
    fields.push_back(std::move(field));
    if (fields.size() < 2) throw Error(ErrorKind::Protocol, "unexpected DESCRIBE TABLE output");
    if (fields.size() > 2 && (fields[2] == "MATERIALIZED" || fields[2] == "ALIAS")) continue;
    columns.push_back({fields[0], makeType(fields[1])});
  }
  return columns;
}

Response Client::insertBlock(const std::string& quoted_table, const Block& block, const QuerySpec& options) {
  QuerySpec q = options;
  q.sql = "INSERT INTO " + quoted_table + " (";
  for (size_t i = 0; i < block.names.size(); ++i) q.sql += (i ? ", " : "") + quoteIdentifier(block.names[i]);
  q.sql += ") FORMAT Native";
  std::vector<uint8_t> body;
  writeNativeBlock(block, body);
  return insertRaw(q, std::move(body));
}

Response Client::insertRaw(const QuerySpec& query, std::vector<uint8_t> body) {
  std::string query_id;
  auto req = buildRequest(query, BodyKind::Data, &query_id, false, 0);
  compressBody(req, std::move(body));
  return finishBuffered(send(std::move(req), query_id, inSession(query)), query_id);
}

}  // namespace chc
