// HTTP/1.1 transport over libcurl: a pool of keep-alive connections, TLS (mbedTLS in the bundled
// build), proxy, timeouts, one retry on a stale keep-alive connection, retries on 429/503/504
// answers, streaming responses with bounded memory. Knows nothing of ClickHouse types; see
// shared/spec/http-interface.md §2, §3, §11.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ByteStream.hpp"

namespace chc::transport {

struct TlsOptions {
  bool verify = true;       // verify the peer certificate and the host name
  std::string ca_file;      // PEM bundle; empty = system store (/etc/ssl/certs/ca-certificates.crt)
  std::string client_cert;  // PEM files for mutual TLS; both or neither
  std::string client_key;
  std::string server_host_name;  // connect to Endpoint::host, but send SNI/Host and verify the
                                 // certificate as this name (CURLOPT_CONNECT_TO)
};

struct Endpoint {
  bool https = false;
  std::string host;  // name, IPv4 or IPv6 literal (with or without brackets)
  uint16_t port = 8123;
  std::string base_path = "/";  // path prefix, e.g. behind a proxy ("/clickhouse/")
};

struct HttpOptions {
  Endpoint endpoint;
  TlsOptions tls;
  // Sent as "Authorization: Basic ..." (built here, never logged, never in error text).
  // Empty username = no Authorization header. Not sent when the request carries its own
  // Authorization or X-ClickHouse-User header (the server refuses two methods at once).
  std::string username = "default";
  std::string password;
  std::chrono::milliseconds connect_timeout{10000};        // TCP connect + TLS handshake
  std::chrono::milliseconds send_receive_timeout{300000};  // max time with no byte moving
  size_t pool_size = 8;                                    // idle connections kept
  // Proxy. nullopt: libcurl's environment variables decide (http_proxy for http, https_proxy or
  // HTTPS_PROXY for https, else all_proxy / ALL_PROXY; hosts in no_proxy / NO_PROXY go direct;
  // curl never reads HTTP_PROXY). "": no proxy, the environment is ignored. A URL: that proxy for
  // every request, the environment (no_proxy included) is ignored.
  std::optional<std::string> proxy;
  std::string user_agent;  // e.g. "chconnect/0.1.0"; empty = no User-Agent header
};

namespace detail {
struct Transfer;
struct Pool;
}  // namespace detail

// Cancels a request from any thread. cancel() sets a flag and wakes the thread that drives the
// transfer (curl_multi_wakeup), so a send() or read() blocked on the network returns promptly with
// Error(Cancelled); the connection is closed, never reused. A token cancelled before send() makes
// send() fail at once. One token may serve several requests, in turn or at the same time on
// several threads: cancel() stops them all.
class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;
  void cancel() noexcept;  // thread-safe, idempotent
  bool cancelled() const noexcept { return flag_.load(std::memory_order_acquire); }

 private:
  friend struct detail::Transfer;
  std::atomic<bool> flag_{false};
  std::mutex mu_;
  std::vector<void*> multis_;  // the CURLM* handles currently driven for this token, under mu_
};

// What a progress observer sees after each step of the transfer that moved something.
struct TransferProgress {
  // Response header lines received since the previous call (all of them on the first call); a
  // new header block (interim 1xx response, retry) starts over.
  std::span<const std::pair<std::string, std::string>> new_headers;
  uint64_t body_bytes_received = 0;  // raw response body bytes so far (as on the wire)
  uint64_t bytes_sent = 0;           // request body bytes sent so far
};

struct HttpRequest {
  // Appended to Endpoint::base_path, already percent-encoded by the caller (see urlEncode).
  // "?query=..." gives base_path + "?query=..."; "ping" or "/ping" gives base_path + "ping".
  std::string path_and_query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<uint8_t> body;    // POST body, sent with Content-Length (empty allowed)
  std::string method = "POST";  // "POST" or "GET" (GET must have an empty body)
  // Optional. See CancelToken. Either token cancels the request (`also_cancel`: a caller's token
  // shared by several requests, next to the one of this request's result).
  std::shared_ptr<CancelToken> cancel;
  std::shared_ptr<CancelToken> also_cancel;
  // Optional. Called on the thread that drives the transfer (inside send() and read(), never from
  // inside libcurl and never on another thread) after each step that received headers or body
  // bytes or sent body bytes. Returning false cancels the request: the transfer is aborted and
  // the call that drove it throws Error(Cancelled). Exceptions propagate to that call.
  std::function<bool(const TransferProgress&)> on_progress;
  // How many times the request is sent again when the server answers 429, 503 or 504. Such an
  // answer is never returned while retries are left: its body is read and dropped (the progress
  // observer does not see it), then the whole request, body included, is sent again after a
  // pause: the answer's Retry-After (whole seconds, at most 5) or else 100 ms, 200 ms, 400 ms, ...
  // (at most 1 s). The pause honours `cancel`. Retries happen only inside send(), before any body
  // byte reaches the caller. 0 = none.
  int status_retries = 0;
};

// Streaming response: the body is pulled by the caller. Returned once the status line and the
// headers have arrived. Owned by one thread at a time. May outlive its HttpClient.
class HttpResponse final : public InputStream {
 public:
  // Body bytes buffered per response before the transfer is paused (back-pressure). The buffer can
  // exceed this by at most one network read (CURLOPT_BUFFERSIZE = kReadChunk).
  static constexpr size_t kBufferCap = size_t{1} << 20;
  static constexpr size_t kReadChunk = size_t{512} << 10;

  // Made by HttpClient::send() only (detail::Transfer is not available outside the transport).
  explicit HttpResponse(std::unique_ptr<detail::Transfer> t);
  ~HttpResponse() override;  // returns the connection to the pool if the body was fully read,
                             // otherwise closes it
  HttpResponse(const HttpResponse&) = delete;
  HttpResponse& operator=(const HttpResponse&) = delete;

  int status() const;
  // How many times the request was sent (1 + retries on a stale connection or a 429/503/504).
  int attempts() const;
  // Case-insensitive; the last value wins; nullptr if absent. Valid while the response lives.
  const std::string* header(std::string_view name) const;
  std::vector<std::string> headerValues(std::string_view name) const;  // all values, in order
  const std::vector<std::pair<std::string, std::string>>& headers() const;

  // Raw body bytes (no Content-Encoding decoding; chunked framing removed). Returns 0 only at the
  // end of the body. Throws chc::Error (Network, Timeout, Tls) if the transfer fails; bytes that
  // arrived before the failure are delivered first. Throws Error(Cancelled) once the request's
  // CancelToken is cancelled or its progress observer returned false (buffered bytes are dropped).
  size_t read(std::span<uint8_t> dst) override;
  // The rest of the body, up to `limit` bytes (for error bodies). Stops early at the limit.
  std::string readAll(size_t limit);
  // Stops the transfer now; the connection is closed, not reused. Later read() calls throw
  // Error(InvalidState).
  void abort();

  // Debug / test counters.
  size_t bufferHighWater() const;  // largest number of body bytes ever buffered
  bool connectionReused() const;   // this response came over a kept-alive connection

 private:
  std::unique_ptr<detail::Transfer> t_;
};

// Thread-safe: any thread may call send() concurrently; each request takes a pooled connection.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);  // throws Error(InvalidArgument) on bad options
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and waits for the response headers. Any HTTP status is returned as a
  // response (no exception for 4xx/5xx). Throws chc::Error: Network (refused, reset, resolve),
  // Timeout (connect, send/receive), Tls (handshake, certificate), InvalidArgument.
  std::unique_ptr<HttpResponse> send(HttpRequest request);

  const HttpOptions& options() const;
  // Number of TCP connections opened so far (sum of CURLINFO_NUM_CONNECTS): keep-alive reuse
  // shows as requests > connections.
  uint64_t connectionsOpened() const;
  size_t idleConnections() const;  // pooled slots waiting for a request

 private:
  std::shared_ptr<detail::Pool> pool_;
};

// Percent-encodes every byte except the unreserved characters A-Z a-z 0-9 - _ . ~
std::string urlEncode(std::string_view s);
// Standard base64 (RFC 4648, with padding).
std::string base64(std::string_view s);

}  // namespace chc::transport
