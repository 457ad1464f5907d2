// HTTP transport over libcurl. See HttpClient.hpp for the contract.
//
// Model: a pool of "slots". A slot is one CURLM multi handle plus one CURL easy handle; the multi's
// connection cache holds at most one kept-alive connection, so a slot is a pooled connection.
// send() takes an idle slot (or makes one), adds the easy handle to the slot's multi and drives
// curl_multi_perform / curl_multi_poll until the response headers are complete. The response then
// owns the slot and drives the same multi from read(). When the transfer ends, the easy handle is
// removed from its multi (the connection stays in the multi's cache) and the slot goes back to the
// pool at once, even if the caller has not yet read the buffered tail of the body.
//
// Back-pressure: the write callback appends to a per-response buffer; above kBufferCap it returns
// CURL_WRITEFUNC_PAUSE, and read() unpauses once the reader drained the buffer below half of it.
#include "transport/HttpClient.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "common/Error.hpp"

namespace chc::transport {

namespace {

constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
// A retried 429/503/504 answer's body is read to keep the connection up to this size.
constexpr uint64_t kMaxDiscardedBody = 64 * 1024;

// curl_global_init is the one process-wide initialisation libcurl needs. Before curl 7.84 it was
// not thread-safe and it must not run concurrently with any other curl call, so it runs exactly
// once, the first time an HttpClient is made: C++ guarantees that a function-local static is
// initialised once, thread-safely. This is the only process-wide state of the transport.
// curl_global_cleanup is never called: a library cannot know when the process stopped using curl
// (another library in the same process may use it too), and the OS reclaims everything at exit.
void ensureCurlGlobalInit() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw Error(ErrorKind::Internal, std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
  }
}

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void appendSlist(SlistPtr& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) throw Error(ErrorKind::NoMemory, "out of memory building an HTTP header list");
  (void)list.release();  // same head (or the new one when the list was empty)
  list.reset(head);
}

[[noreturn]] void throwSetopt(CURLoption opt, CURLcode rc) {
  throw Error(
      rc == CURLE_UNKNOWN_OPTION || rc == CURLE_NOT_BUILT_IN ? ErrorKind::Unsupported : ErrorKind::InvalidArgument,
      "libcurl rejected option " + std::to_string(static_cast<int>(opt)) + ": " + curl_easy_strerror(rc));
}
void setLong(CURL* h, CURLoption opt, long v) {
  if (CURLcode rc = curl_easy_setopt(h, opt, v); rc != CURLE_OK) throwSetopt(opt, rc);
}
void setOff(CURL* h, CURLoption opt, curl_off_t v) {
  if (CURLcode rc = curl_easy_setopt(h, opt, v); rc != CURLE_OK) throwSetopt(opt, rc);
}
void setStr(CURL* h, CURLoption opt, const char* v) {
  if (CURLcode rc = curl_easy_setopt(h, opt, v); rc != CURLE_OK) throwSetopt(opt, rc);
}
void setPtr(CURL* h, CURLoption opt, const void* v) {
  if (CURLcode rc = curl_easy_setopt(h, opt, v); rc != CURLE_OK) throwSetopt(opt, rc);
}
void setList(CURL* h, CURLoption opt, curl_slist* v) {
  if (CURLcode rc = curl_easy_setopt(h, opt, v); rc != CURLE_OK) throwSetopt(opt, rc);
}
void setWriteFn(CURL* h, CURLoption opt, curl_write_callback fn) {
  if (CURLcode rc = curl_easy_setopt(h, opt, fn); rc != CURLE_OK) throwSetopt(opt, rc);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// IPv6 literals go in brackets in URLs and CURLOPT_CONNECT_TO entries.
std::string urlHost(const std::string& host) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

bool hasControlOrSpace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u >= 0x7f;
  });
}

bool hasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool retryableStatus(int status) { return status == 429 || status == 503 || status == 504; }

std::string joinPath(std::string base, std::string_view pq) {
  if (base.empty() || base.front() != '/') base.insert(0, "/");
  if (pq.empty()) return base;
  if (pq.front() == '?') return base.append(pq);
  if (pq.front() == '/') pq.remove_prefix(1);
  if (base.back() != '/') base.push_back('/');
  return base.append(pq);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
namespace detail {

struct Slot {
  MultiPtr multi;  // declared first: destroyed after the easy handle
  EasyPtr easy;
  char errbuf[CURL_ERROR_SIZE] = {};
  bool attached = false;    // easy is currently added to multi
  bool used = false;        // completed a transfer: the multi may cache a kept-alive connection
  bool fresh_next = false;  // last transfer was cut short: never reuse what the cache may hold
  long max_age_s = 0;       // from the server's "Keep-Alive: timeout=N" (N-1); 0 = curl default

  Slot() = default;
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() {
    if (attached) curl_multi_remove_handle(multi.get(), easy.get());
  }
};

struct Pool {
  HttpOptions opts;
  std::string where;                 // "host:port" for error messages
  std::string url_prefix;            // "http(s)://host:port"
  std::string auth_header;           // "Authorization: Basic ..." or empty
  std::string ca_file;               // resolved CA bundle, empty = curl's default
  std::vector<std::string> secrets;  // scrubbed from any error text
  SlistPtr connect_to;               // CURLOPT_CONNECT_TO for server_host_name; outlives every slot

  mutable std::mutex mu;
  std::vector<std::unique_ptr<Slot>> idle;  // LIFO: the most recently used connection first
  std::atomic<uint64_t> connections{0};

  explicit Pool(HttpOptions o);
  std::unique_ptr<Slot> take();
  void give(std::unique_ptr<Slot> s) noexcept;
  std::unique_ptr<Slot> makeSlot() const;
  std::string scrub(std::string msg) const;
};

Pool::Pool(HttpOptions o) : opts(std::move(o)) {
  const Endpoint& ep = opts.endpoint;
  const TlsOptions& tls = opts.tls;
  if (ep.host.empty()) throwInvalid("HTTP endpoint: empty host name");
  if (hasControlOrSpace(ep.host) || ep.host.find_first_of("/?#@") != std::string::npos) {
    throwInvalid("HTTP endpoint: invalid host name '" + ep.host + "'");
  }
  if (ep.port == 0) throwInvalid("HTTP endpoint: port 0");
  if (hasControlOrSpace(ep.base_path)) throwInvalid("HTTP endpoint: base path must be percent-encoded");
  if (opts.connect_timeout.count() <= 0) throwInvalid("connect timeout must be positive");
  if (opts.send_receive_timeout.count() <= 0) throwInvalid("send/receive timeout must be positive");
  if (hasCrLf(opts.user_agent)) throwInvalid("user agent contains a line break");
  if (tls.client_cert.empty() != tls.client_key.empty()) {
    throwInvalid("TLS: client certificate and client key must be given together");
  }
  if (!tls.server_host_name.empty() &&
      (hasControlOrSpace(tls.server_host_name) || tls.server_host_name.find_first_of("/?#@:") != std::string::npos)) {
    throwInvalid("TLS: invalid server host name '" + tls.server_host_name + "'");
  }
  if (ep.https) {
    for (const std::string* f : {&tls.ca_file, &tls.client_cert, &tls.client_key}) {
      if (!f->empty() && !readable(*f)) throwInvalid("TLS: cannot read file '" + *f + "'");
    }
  }

  const std::string host = urlHost(ep.host);
  const std::string port = std::to_string(ep.port);
  where = host + ":" + port;
  const std::string& url_name = tls.server_host_name.empty() ? host : tls.server_host_name;
  url_prefix = std::string(ep.https ? "https://" : "http://") + url_name + ":" + port;
  if (!tls.server_host_name.empty()) {
    where += " as " + tls.server_host_name;
    appendSlist(connect_to, tls.server_host_name + ":" + port + ":" + host + ":" + port);
  }
  if (!opts.username.empty()) {
    if (hasCrLf(opts.username) || opts.username.find(':') != std::string::npos) {
      throwInvalid("user name contains ':' or a line break");
    }
    std::string cred = base64(opts.username + ":" + opts.password);
    auth_header = "Authorization: Basic " + cred;
    secrets.push_back(cred);
  }
  // Very short passwords are not scrubbed (they would garble every message); curl never puts our
  // Authorization header or the password into its error text anyway.
  if (opts.password.size() >= 4) secrets.push_back(opts.password);
  if (opts.proxy && hasCrLf(*opts.proxy)) throwInvalid("proxy URL contains a line break");
  if (opts.proxy) {  // http://user:password@proxy:port: the password is a secret too
    const std::string& p = *opts.proxy;
    size_t start = p.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    size_t at = p.find('@', start);
    size_t colon = p.find(':', start);
    if (at != std::string::npos && colon != std::string::npos && colon < at && at - colon - 1 >= 4) {
      secrets.push_back(p.substr(colon + 1, at - colon - 1));
    }
  }
  if (ep.https && tls.verify) {
    if (!tls.ca_file.empty()) {
      ca_file = tls.ca_file;
    } else if (readable(kSystemCaBundle)) {
      ca_file = kSystemCaBundle;
    }
  }
  // The first slot is made now so that libcurl validates every option here, not at the first request.
  if (opts.pool_size > 0)
    idle.push_back(makeSlot());
  else
    makeSlot();
}

std::unique_ptr<Slot> Pool::makeSlot() const {
  auto s = std::make_unique<Slot>();
  s->multi.reset(curl_multi_init());
  s->easy.reset(curl_easy_init());
  if (!s->multi || !s->easy) throw Error(ErrorKind::NoMemory, "out of memory creating a curl handle");
  curl_multi_setopt(s->multi.get(), CURLMOPT_MAXCONNECTS, 1L);

  CURL* e = s->easy.get();
  setLong(e, CURLOPT_NOSIGNAL, 1L);  // a library in a threaded process: no SIGALRM, no SIGPIPE games
  setPtr(e, CURLOPT_ERRORBUFFER, s->errbuf);
  setLong(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
#if LIBCURL_VERSION_NUM >= 0x075500
  setStr(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  // Raw bytes: we decode Content-Encoding ourselves (CURLOPT_ACCEPT_ENCODING is never set).
  setLong(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  setLong(e, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
  setLong(e, CURLOPT_FOLLOWLOCATION, 0L);
  setLong(e, CURLOPT_BUFFERSIZE, static_cast<long>(HttpResponse::kReadChunk));
  setLong(e, CURLOPT_TCP_NODELAY, 1L);
  setLong(e, CURLOPT_TCP_KEEPALIVE, 1L);
  setLong(e, CURLOPT_TCP_KEEPIDLE, 60L);
  setLong(e, CURLOPT_TCP_KEEPINTVL, 30L);
  setLong(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
  // No proxy option: libcurl reads http_proxy / https_proxy / all_proxy / no_proxy itself (per
  // request). "" disables proxies, environment included; an explicit URL also overrides no_proxy.
  if (opts.proxy) {
    setStr(e, CURLOPT_PROXY, opts.proxy->c_str());
    if (!opts.proxy->empty()) setStr(e, CURLOPT_NOPROXY, "");
  }
  setLong(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (!opts.user_agent.empty()) setStr(e, CURLOPT_USERAGENT, opts.user_agent.c_str());
  if (connect_to) setList(e, CURLOPT_CONNECT_TO, connect_to.get());
  if (opts.endpoint.https) {
    const TlsOptions& tls = opts.tls;
    setLong(e, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
    setLong(e, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
    if (!ca_file.empty()) setStr(e, CURLOPT_CAINFO, ca_file.c_str());
    if (!tls.client_cert.empty()) {
      setStr(e, CURLOPT_SSLCERT, tls.client_cert.c_str());
      setStr(e, CURLOPT_SSLCERTTYPE, "PEM");
      setStr(e, CURLOPT_SSLKEY, tls.client_key.c_str());
      setStr(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
  }
  return s;
}

std::unique_ptr<Slot> Pool::take() {
  {
    std::lock_guard lock(mu);
    if (!idle.empty()) {
      std::unique_ptr<Slot> s = std::move(idle.back());
      idle.pop_back();
      return s;
    }
  }
  return makeSlot();
}

void Pool::give(std::unique_ptr<Slot> s) noexcept {
  std::unique_ptr<Slot> surplus;  // closed outside the lock
  std::lock_guard lock(mu);
  if (idle.size() < opts.pool_size) {
    idle.push_back(std::move(s));
  } else {
    surplus = std::move(s);
  }
}

std::string Pool::scrub(std::string msg) const {
  for (const std::string& secret : secrets) {
    for (size_t pos; (pos = msg.find(secret)) != std::string::npos;) msg.replace(pos, secret.size(), "***");
  }
  return msg;
}

// One request/response exchange; owned by send() and then by the HttpResponse.
struct Transfer {
  std::shared_ptr<Pool> pool;
  std::unique_ptr<Slot> slot;  // set while the transfer runs
  std::string url;
  SlistPtr header_list;
  std::vector<uint8_t> body;
  bool is_get = false;
  std::shared_ptr<CancelToken> cancel, also_cancel;
  std::function<bool(const TransferProgress&)> on_progress;

  // response state (reset for each attempt)
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  bool headers_complete = false;
  bool got_response_bytes = false;
  bool connected = false;
  bool reused = false;
  bool paused = false;
  bool done = false;
  bool aborted = false;
  CURLcode result = CURLE_OK;
  long attempt_connects = 0;
  uint64_t received = 0;
  uint64_t body_received = 0;
  bool cancelled = false;   // failed with Error(Cancelled)
  bool discarding = false;  // reading a retried answer's body to drop it: no progress calls
  bool may_retry = false;   // status retries are left: a 429/503/504 answer will be dropped
  int attempts = 0;         // times the request was sent
  // what the progress observer has seen
  size_t notified_headers = 0;
  uint64_t notified_body = 0;
  uint64_t notified_sent = 0;
  uint64_t sent_total = 0;  // request body bytes sent, recorded when the transfer detached
  std::optional<Error> error;

  std::vector<uint8_t> buf;
  size_t rpos = 0;
  size_t high_water = 0;

  Transfer(std::shared_ptr<Pool> p, HttpRequest req);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  size_t buffered() const { return buf.size() - rpos; }
  void start(bool fresh);
  void driveUntil(const std::function<bool()>& pred);
  void pump();  // one curl_multi_perform + completion check
  void complete(CURLcode rc);
  void detach(bool cut_short) noexcept;
  void checkCancel();
  void notifyProgress();
  [[noreturn]] void failCancelled(const std::string& why);
  void watch(bool on);  // (un)registers the slot's multi with the cancel tokens (off: never throws)
  void maybeUnpause();
  void discardBody(uint64_t limit);
  void pauseFor(std::chrono::milliseconds delay);
  Error makeError(CURLcode rc) const;

  static size_t onWrite(char* data, size_t size, size_t nmemb, void* ud);
  static size_t onHeader(char* data, size_t size, size_t nitems, void* ud);
};

Transfer::Transfer(std::shared_ptr<Pool> p, HttpRequest req) : pool(std::move(p)) {
  if (req.method == "GET") {
    is_get = true;
    if (!req.body.empty()) throwInvalid("HTTP GET request with a body");
  } else if (req.method != "POST") {
    throwInvalid("HTTP method must be GET or POST, not '" + req.method + "'");
  }
  if (hasControlOrSpace(req.path_and_query)) throwInvalid("HTTP request path must be percent-encoded");
  url = pool->url_prefix + joinPath(pool->opts.endpoint.base_path, req.path_and_query);

  bool own_auth = false, own_content_type = false;
  for (const auto& [name, value] : req.headers) {
    if (name.empty() || hasCrLf(name) || hasCrLf(value) || name.find(':') != std::string::npos ||
        hasControlOrSpace(name)) {
      throwInvalid("invalid HTTP header name or value for '" + name + "'");
    }
    if (iequals(name, "Authorization") || iequals(name, "X-ClickHouse-User")) own_auth = true;
    if (iequals(name, "Content-Type")) own_content_type = true;
  }
  if (!own_auth && !pool->auth_header.empty()) appendSlist(header_list, pool->auth_header);
  appendSlist(header_list, "Expect:");  // no 100-continue round trip on large POSTs
  if (!is_get && !own_content_type) appendSlist(header_list, "Content-Type:");  // drop curl's form type
  for (const auto& [name, value] : req.headers) {
    // "Name:" would make curl remove the header; "Name;" sends it with an empty value.
    appendSlist(header_list, value.empty() ? name + ";" : name + ": " + value);
  }
  body = std::move(req.body);
  cancel = std::move(req.cancel);
  also_cancel = std::move(req.also_cancel);
  on_progress = std::move(req.on_progress);
}

Transfer::~Transfer() {
  if (slot) detach(true);
}

void Transfer::start(bool fresh) {
  CURL* e = slot->easy.get();
  slot->errbuf[0] = '\0';
  status = 0;
  headers.clear();
  headers_complete = got_response_bytes = connected = reused = paused = done = false;
  result = CURLE_OK;
  attempt_connects = 0;
  received = 0;
  body_received = 0;
  notified_headers = 0;
  notified_body = notified_sent = sent_total = 0;
  error.reset();
  buf.clear();
  rpos = 0;

  setStr(e, CURLOPT_URL, url.c_str());
  setList(e, CURLOPT_HTTPHEADER, header_list.get());
  if (is_get) {
    setLong(e, CURLOPT_HTTPGET, 1L);
  } else {
    static const char kEmpty[1] = {0};
    setLong(e, CURLOPT_POST, 1L);
    setOff(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    setPtr(e, CURLOPT_POSTFIELDS, body.empty() ? static_cast<const void*>(kEmpty) : body.data());
  }
  setWriteFn(e, CURLOPT_WRITEFUNCTION, &Transfer::onWrite);
  setPtr(e, CURLOPT_WRITEDATA, this);
  setWriteFn(e, CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
  setPtr(e, CURLOPT_HEADERDATA, this);
  setLong(e, CURLOPT_FRESH_CONNECT, (fresh || slot->fresh_next) ? 1L : 0L);
  slot->fresh_next = false;
  setLong(e, CURLOPT_MAXAGE_CONN, slot->max_age_s > 0 ? slot->max_age_s : 118L);
  if (CURLMcode mc = curl_multi_add_handle(slot->multi.get(), e); mc != CURLM_OK) {
    throw Error(ErrorKind::Internal, std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
  }
  slot->attached = true;
  watch(true);
}

void Transfer::watch(bool on) {
  if (!slot) return;
  void* multi = slot->multi.get();
  for (CancelToken* token : {cancel.get(), also_cancel.get()}) {
    if (!token) continue;
    std::lock_guard lock(token->mu_);
    auto& m = token->multis_;
    if (on) {
      if (std::find(m.begin(), m.end(), multi) == m.end()) m.push_back(multi);
    } else {
      m.erase(std::remove(m.begin(), m.end(), multi), m.end());
    }
  }
}

void Transfer::failCancelled(const std::string& why) {
  if (slot) detach(true);
  done = true;
  cancelled = true;
  buf.clear();
  rpos = 0;
  Error err(ErrorKind::Cancelled, why);
  err.server().http_status = status;
  error = err;
  throw err;
}

void Transfer::checkCancel() {
  if (cancelled) throw *error;
  if ((cancel && cancel->cancelled()) || (also_cancel && also_cancel->cancelled())) failCancelled("request cancelled");
}

void Transfer::notifyProgress() {
  if (!on_progress || discarding || (may_retry && retryableStatus(status))) return;
  curl_off_t sent = 0;
  if (slot && slot->attached) {
    curl_easy_getinfo(slot->easy.get(), CURLINFO_SIZE_UPLOAD_T, &sent);
  } else {
    sent = static_cast<curl_off_t>(sent_total);
  }
  if (notified_headers > headers.size()) notified_headers = 0;  // a new header block started
  const bool moved = notified_headers < headers.size() || body_received != notified_body ||
                     static_cast<uint64_t>(sent) != notified_sent;
  if (!moved) return;
  TransferProgress p;
  p.new_headers = std::span<const std::pair<std::string, std::string>>(headers).subspan(notified_headers);
  p.body_bytes_received = body_received;
  p.bytes_sent = static_cast<uint64_t>(sent);
  notified_headers = headers.size();
  notified_body = body_received;
  notified_sent = static_cast<uint64_t>(sent);
  if (!on_progress(p)) failCancelled("request cancelled by the progress callback");
}

void Transfer::pump() {
  int running = 0;
  if (CURLMcode mc = curl_multi_perform(slot->multi.get(), &running); mc != CURLM_OK) {
    throw Error(ErrorKind::Internal, std::string("curl_multi_perform: ") + curl_multi_strerror(mc));
  }
  int left = 0;
  while (slot && slot->attached) {
    CURLMsg* m = curl_multi_info_read(slot->multi.get(), &left);
    if (m == nullptr) break;
    if (m->msg == CURLMSG_DONE && m->easy_handle == slot->easy.get()) complete(m->data.result);
  }
}

void Transfer::driveUntil(const std::function<bool()>& pred) {
  using clock = std::chrono::steady_clock;
  const auto limit = pool->opts.send_receive_timeout;
  auto last_move = clock::now();
  uint64_t last_bytes = ~uint64_t{0};
  while (!pred() && !done) {
    checkCancel();
    pump();
    notifyProgress();
    if (pred() || done) break;

    CURL* e = slot->easy.get();
    auto now = clock::now();
    // Bytes moved: response headers + body received, request head + body sent.
    curl_off_t uploaded = 0;
    long request_head = 0;
    curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_head);
    const uint64_t moved = received + static_cast<uint64_t>(uploaded) + static_cast<uint64_t>(request_head);
    if (!connected) {
      // Until connect + TLS handshake are done, CURLOPT_CONNECTTIMEOUT_MS is the limit.
      curl_off_t pretransfer = 0;
      curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
      if (pretransfer > 0 || moved > 0) {
        connected = true;
        last_move = now;
      }
    }
    if (moved != last_bytes) {
      last_bytes = moved;
      last_move = now;
    }
    auto wait = std::chrono::milliseconds(1000);
    if (connected) {
      auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_move);
      if (idle >= limit) {
        Error err(ErrorKind::Timeout, "receive timeout after " + std::to_string(limit.count()) + " ms (" + pool->where +
                                          "): no bytes sent or received" +
                                          (status ? "" : " before the response headers"));
        err.server().http_status = status;
        detach(true);
        done = true;
        error = err;
        throw err;
      }
      wait = std::min(wait, limit - idle);
    }
    int numfds = 0;
    if (CURLMcode mc = curl_multi_poll(slot->multi.get(), nullptr, 0, static_cast<int>(wait.count()), &numfds);
        mc != CURLM_OK) {
      throw Error(ErrorKind::Internal, std::string("curl_multi_poll: ") + curl_multi_strerror(mc));
    }
  }
}

void Transfer::complete(CURLcode rc) {
  result = rc;
  if (rc != CURLE_OK) error = makeError(rc);
  detach(false);
  done = true;
}

void Transfer::detach(bool cut_short) noexcept {
  if (!slot) return;
  CURL* e = slot->easy.get();
  watch(false);
  if (slot->attached) {
    curl_off_t up = 0;
    if (curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up > 0) sent_total = static_cast<uint64_t>(up);
    long nc = 0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nc);
    attempt_connects = nc;
    pool->connections.fetch_add(static_cast<uint64_t>(nc), std::memory_order_relaxed);
    // Removing a transfer that has not completed makes curl close its connection
    // ("Removed with partial response"); fresh_next makes sure of it.
    curl_multi_remove_handle(slot->multi.get(), e);
    slot->attached = false;
  }
  if (cut_short || result != CURLE_OK) {
    slot->fresh_next = true;
  } else {
    slot->used = true;
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
      if (!iequals(it->first, "Keep-Alive")) continue;
      auto pos = it->second.find("timeout=");
      if (pos != std::string::npos) {
        long n = std::strtol(it->second.c_str() + pos + 8, nullptr, 10);
        if (n > 0) slot->max_age_s = std::max(1L, n - 1);  // close idle connections a second early
      }
      break;
    }
  }
  // Pointers into this transfer must not outlive it.
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
  curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(nullptr));
  if (!is_get) curl_easy_setopt(e, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  pool->give(std::move(slot));
}

// Reads and drops the body of an answer that is going to be retried, so the connection can be
// reused; past `limit` bytes (or on a transfer error) the connection is closed instead.
void Transfer::discardBody(uint64_t limit) {
  discarding = true;
  uint64_t dropped = 0;
  try {
    while (!done) {
      dropped += buffered();
      buf.clear();
      rpos = 0;
      if (dropped > limit) {
        detach(true);
        done = true;
        break;
      }
      maybeUnpause();
      driveUntil([this] { return buffered() > 0; });
    }
  } catch (const Error& e) {
    discarding = false;
    if (e.kind() == ErrorKind::Cancelled) throw;
    if (slot) detach(true);  // a broken answer: the retry takes another connection
    done = true;
  }
  discarding = false;
  buf.clear();
  rpos = 0;
}

// Sleeps before a retry; a cancel request ends the wait (and the request) at once.
void Transfer::pauseFor(std::chrono::milliseconds delay) {
  using clock = std::chrono::steady_clock;
  const auto until = clock::now() + delay;
  for (;;) {
    checkCancel();
    const auto now = clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<clock::duration>(until - now, std::chrono::milliseconds(20)));
  }
}

void Transfer::maybeUnpause() {
  if (paused && slot && slot->attached && buffered() < HttpResponse::kBufferCap / 2) {
    paused = false;
    // May call onWrite right away with the data curl held back (which may pause again).
    if (CURLcode rc = curl_easy_pause(slot->easy.get(), CURLPAUSE_CONT); rc != CURLE_OK) {
      throw Error(ErrorKind::Internal, std::string("curl_easy_pause: ") + curl_easy_strerror(rc));
    }
  }
}

Error Transfer::makeError(CURLcode rc) const {
  std::string detail = slot && slot->errbuf[0] ? std::string(trim(slot->errbuf)) : curl_easy_strerror(rc);
  const std::string at = " (" + pool->where + "): ";
  ErrorKind kind = ErrorKind::Network;
  std::string what;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: what = "cannot resolve host"; break;
    case CURLE_COULDNT_RESOLVE_PROXY: what = "cannot resolve proxy"; break;
    case CURLE_COULDNT_CONNECT: what = "cannot connect"; break;
    case CURLE_SEND_ERROR: what = "send failed"; break;
    case CURLE_RECV_ERROR: what = "receive failed"; break;
    case CURLE_GOT_NOTHING: what = "server closed the connection without a response"; break;
    case CURLE_PARTIAL_FILE: what = "connection closed before the end of the response"; break;
#if LIBCURL_VERSION_NUM >= 0x074900
    case CURLE_PROXY: what = "proxy error"; break;
#endif
    case CURLE_OPERATION_TIMEDOUT:
      kind = ErrorKind::Timeout;
      what =
          connected ? "timeout" : "connect timeout after " + std::to_string(pool->opts.connect_timeout.count()) + " ms";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      kind = ErrorKind::Tls;
      what = "TLS: certificate verification failed";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      kind = ErrorKind::Tls;
      what = "TLS: handshake failed";
      break;
    case CURLE_SSL_CERTPROBLEM:
      kind = ErrorKind::Tls;
      what = "TLS: problem with the client certificate or key";
      break;
    case CURLE_SSL_CACERT_BADFILE:
      kind = ErrorKind::Tls;
      what = "TLS: cannot use the CA file";
      break;
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
#if LIBCURL_VERSION_NUM >= 0x074700
    case CURLE_SSL_CLIENTCERT:
#endif
      kind = ErrorKind::Tls;
      what = "TLS error";
      break;
    case CURLE_OUT_OF_MEMORY:
      kind = ErrorKind::NoMemory;
      what = "out of memory";
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      kind = ErrorKind::InvalidArgument;
      what = "bad request";
      break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      kind = ErrorKind::Protocol;
      what = "malformed HTTP response";
      break;
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      kind = ErrorKind::Internal;
      what = "transfer aborted";
      break;
    default: what = "HTTP transfer failed"; break;
  }
  Error err(kind, pool->scrub(what + at + detail));
  err.server().http_status = status;
  return err;
}

size_t Transfer::onWrite(char* data, size_t size, size_t nmemb, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  const size_t n = size * nmemb;
  if (t->buffered() >= HttpResponse::kBufferCap) {
    t->paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  t->headers_complete = true;
  if (t->rpos > 0 && t->rpos >= t->buf.size() / 2) {
    t->buf.erase(t->buf.begin(), t->buf.begin() + static_cast<ptrdiff_t>(t->rpos));
    t->rpos = 0;
  }
  t->buf.insert(t->buf.end(), reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + n);
  t->received += n;
  t->body_received += n;
  t->high_water = std::max(t->high_water, t->buffered());
  return n;
}

size_t Transfer::onHeader(char* data, size_t size, size_t nitems, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  const size_t n = size * nitems;
  t->received += n;
  t->got_response_bytes = true;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new header block: 1xx interim responses are replaced by the final one.
    auto sp = line.find(' ');
    int code = 0;
    if (sp != std::string_view::npos) {
      for (size_t i = sp + 1; i < line.size() && i < sp + 4 && line[i] >= '0' && line[i] <= '9'; ++i) {
        code = code * 10 + (line[i] - '0');
      }
    }
    t->status = code;
    t->headers.clear();
    t->notified_headers = 0;
    t->headers_complete = false;
  } else if (line.empty()) {
    if (t->status >= 200) t->headers_complete = true;
  } else if (!t->headers_complete) {  // (trailers after the body are ignored)
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      t->headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
  }
  return n;
}

}  // namespace detail

// ------------------------------------------------------------------------------------------------
HttpResponse::HttpResponse(std::unique_ptr<detail::Transfer> t) : t_(std::move(t)) {}

HttpResponse::~HttpResponse() {
  if (!t_ || !t_->slot) return;
  // The caller may have read exactly the whole body without asking for the end: one non-blocking
  // step often completes the transfer, and the connection can then be kept.
  if (t_->buffered() == 0 && !t_->done) {
    try {
      t_->pump();
    } catch (...) {
    }
  }
  if (t_->slot) t_->detach(true);
}

int HttpResponse::status() const { return t_->status; }

const std::string* HttpResponse::header(std::string_view name) const {
  for (auto it = t_->headers.rbegin(); it != t_->headers.rend(); ++it) {
    if (iequals(it->first, name)) return &it->second;
  }
  return nullptr;
}

std::vector<std::string> HttpResponse::headerValues(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : t_->headers) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

const std::vector<std::pair<std::string, std::string>>& HttpResponse::headers() const { return t_->headers; }

size_t HttpResponse::read(std::span<uint8_t> dst) {
  detail::Transfer& t = *t_;
  if (t.aborted) throw Error(ErrorKind::InvalidState, "HTTP response was aborted");
  t.checkCancel();
  if (dst.empty()) return 0;
  if (t.buffered() == 0 && !t.done) {
    t.maybeUnpause();
    t.driveUntil([&t] { return t.buffered() > 0; });
  }
  const size_t n = std::min(dst.size(), t.buffered());
  if (n > 0) {
    std::memcpy(dst.data(), t.buf.data() + t.rpos, n);
    t.rpos += n;
    if (t.rpos == t.buf.size()) {
      t.buf.clear();
      t.rpos = 0;
    }
    t.maybeUnpause();
    return n;
  }
  if (t.error) throw *t.error;
  return 0;
}

std::string HttpResponse::readAll(size_t limit) {
  std::string out;
  uint8_t chunk[16384];
  while (out.size() < limit) {
    size_t want = std::min(sizeof chunk, limit - out.size());
    size_t n = read(std::span<uint8_t>(chunk, want));
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(chunk), n);
  }
  return out;
}

void HttpResponse::abort() {
  if (t_->slot) t_->detach(true);
  t_->aborted = true;
  t_->done = true;
  t_->buf.clear();
  t_->rpos = 0;
}

int HttpResponse::attempts() const { return t_->attempts; }

size_t HttpResponse::bufferHighWater() const { return t_->high_water; }
bool HttpResponse::connectionReused() const { return t_->reused; }

// ------------------------------------------------------------------------------------------------
void CancelToken::cancel() noexcept {
  flag_.store(true, std::memory_order_release);
  // The driving thread registers its multi handle under mu_ and unregisters it before the handle
  // can go back to the pool (or be destroyed), so the handle is alive here. A wake-up that reaches
  // a multi between polls is kept by curl until the next curl_multi_poll, so it is never lost.
  std::lock_guard lock(mu_);
  for (void* multi : multis_) curl_multi_wakeup(static_cast<CURLM*>(multi));
}

HttpClient::HttpClient(HttpOptions options) {
  ensureCurlGlobalInit();
  pool_ = std::make_shared<detail::Pool>(std::move(options));
}

HttpClient::~HttpClient() = default;

const HttpOptions& HttpClient::options() const { return pool_->opts; }

uint64_t HttpClient::connectionsOpened() const { return pool_->connections.load(std::memory_order_relaxed); }

size_t HttpClient::idleConnections() const {
  std::lock_guard lock(pool_->mu);
  return pool_->idle.size();
}

namespace {

// Pause before status retry number `n` (1-based): the answer's Retry-After in whole seconds (at
// most 5 s; the HTTP-date form is ignored), else 100 ms doubling per retry, at most 1 s.
std::chrono::milliseconds retryDelay(const detail::Transfer& answer, int n) {
  for (auto it = answer.headers.rbegin(); it != answer.headers.rend(); ++it) {
    if (!iequals(it->first, "Retry-After")) continue;
    std::string_view v = trim(it->second);
    if (!v.empty() && v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::chrono::milliseconds(std::min(std::strtol(std::string(v).c_str(), nullptr, 10), 5L) * 1000);
    }
    break;
  }
  return std::chrono::milliseconds(std::min(100L << std::min(n - 1, 4), 1000L));
}

}  // namespace

std::unique_ptr<HttpResponse> HttpClient::send(HttpRequest request) {
  const int status_retries = std::max(0, request.status_retries);
  auto t = std::make_unique<detail::Transfer>(pool_, std::move(request));
  bool fresh = false, stale_retried = false;
  int status_retried = 0;
  for (;;) {
    ++t->attempts;
    t->may_retry = status_retried < status_retries;
    t->slot = pool_->take();
    const bool slot_was_used = t->slot->used;
    t->start(fresh);
    fresh = false;
    t->driveUntil([&t] { return t->headers_complete; });
    if (t->headers_complete) {
      if (t->slot) {
        long nc = 0;
        curl_easy_getinfo(t->slot->easy.get(), CURLINFO_NUM_CONNECTS, &nc);
        t->reused = slot_was_used && nc == 0;
      } else {
        t->reused = slot_was_used && t->attempt_connects == 0;
      }
      if (status_retried < status_retries && retryableStatus(t->status)) {
        // The server (or a proxy) asks to come back later: the answer is dropped, never seen by
        // the caller, and the same request goes out again.
        ++status_retried;
        const auto delay = retryDelay(*t, status_retried);
        t->discardBody(kMaxDiscardedBody);
        t->pauseFor(delay);
        continue;
      }
      return std::make_unique<HttpResponse>(std::move(t));
    }
    if (t->result == CURLE_OK) {
      throw Error(ErrorKind::Protocol, "HTTP response ended before its headers (" + pool_->where + ")");
    }
    // A kept-alive connection the server closed meanwhile fails before any response byte: retry
    // once on a fresh connection. Nothing else is retried (the request may have run).
    const bool stale = t->result == CURLE_SEND_ERROR || t->result == CURLE_RECV_ERROR || t->result == CURLE_GOT_NOTHING;
    if (!stale_retried && slot_was_used && t->attempt_connects == 0 && !t->got_response_bytes && stale) {
      stale_retried = fresh = true;
      continue;
    }
    throw *t->error;
  }
}

// ------------------------------------------------------------------------------------------------
std::string urlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_' ||
        u == '.' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string base64(std::string_view s) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((s.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= s.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(s[i])) << 16) | (uint32_t(uint8_t(s[i + 1])) << 8) | uint8_t(s[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (size_t rest = s.size() - i; rest > 0) {
    uint32_t v = uint32_t(uint8_t(s[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(s[i + 1])) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace chc::transport
