// Tests of the HTTP transport (impl/transport) against the real ClickHouse test server
// (tests/server/start.sh: CHC_TEST_URL, CHC_TEST_HTTPS_URL, CHC_TEST_CA, CHC_TEST_OTHER_CA; the
// tests fail when these are missing) and against small local TCP servers that stand in for
// situations a real server cannot be made to produce on demand (a server that never answers, a
// listener whose backlog is full, a server that drops a kept-alive connection). Those bind only
// 127.0.0.1 and are named after what they stand in for.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csetjmp>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <cmocka.h>
}

#include "common/Error.hpp"
#include "transport/HttpClient.hpp"

using chc::Error;
using chc::ErrorKind;
using namespace chc::transport;
using Clock = std::chrono::steady_clock;

namespace {

// ---- test environment --------------------------------------------------------------------------
struct ServerUrl {
  bool https = false;
  std::string user, password, host, database;
  uint16_t port = 0;
};

std::string requireEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    fail_msg(
        "environment variable %s is not set: start the test server first "
        "(eval \"$(tests/server/start.sh)\")",
        name);
  }
  return v;
}

// scheme://user:password@host:port/database
ServerUrl parseUrl(const std::string& url) {
  ServerUrl u;
  size_t p = url.find("://");
  assert_true(p != std::string::npos);
  u.https = url.compare(0, p, "https") == 0;
  std::string rest = url.substr(p + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.database = slash == std::string::npos ? "default" : rest.substr(slash + 1);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    u.user = userinfo.substr(0, colon);
    if (colon != std::string::npos) u.password = userinfo.substr(colon + 1);
  }
  size_t colon = authority.rfind(':');
  assert_true(colon != std::string::npos);
  u.host = authority.substr(0, colon);
  u.port = static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)));
  return u;
}

HttpOptions optionsFrom(const ServerUrl& u) {
  HttpOptions o;
  o.endpoint.https = u.https;
  o.endpoint.host = u.host;
  o.endpoint.port = u.port;
  o.username = u.user;
  o.password = u.password;
  o.user_agent = "chconnect-test/0.1";
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.send_receive_timeout = std::chrono::milliseconds(60000);
  return o;
}

HttpOptions httpOptions() { return optionsFrom(parseUrl(requireEnv("CHC_TEST_URL"))); }

HttpOptions httpsOptions(const std::string& ca) {
  HttpOptions o = optionsFrom(parseUrl(requireEnv("CHC_TEST_HTTPS_URL")));
  o.tls.ca_file = ca;
  return o;
}

HttpRequest query(const std::string& sql) {
  HttpRequest r;
  r.path_and_query = "?database=default";
  r.body.assign(sql.begin(), sql.end());
  return r;
}

std::string run(HttpClient& c, const std::string& sql, int* status = nullptr) {
  auto resp = c.send(query(sql));
  if (status != nullptr) {
    *status = resp->status();
  } else if (resp->status() != 200) {
    std::string body = resp->readAll(4096);
    fail_msg("HTTP %d for '%s': %s", resp->status(), sql.c_str(), body.c_str());
  }
  return resp->readAll(size_t{1} << 30);
}

// Runs f, expects a chc::Error, returns it.
Error expectError(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  fail_msg("expected a chc::Error");
  return Error(ErrorKind::Internal, "unreachable");
}

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// ---- small local TCP servers -------------------------------------------------------------------
int listenLoopback(int backlog, uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  assert_int_equal(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  assert_int_equal(::listen(fd, backlog), 0);
  socklen_t len = sizeof a;
  assert_int_equal(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

uint16_t unusedPort() {
  uint16_t port = 0;
  int fd = listenLoopback(1, &port);
  ::close(fd);
  return port;
}

// Reads one HTTP request head (up to the blank line) plus a Content-Length body; false on EOF.
bool readRequest(int fd) {
  std::string data;
  char buf[4096];
  size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    head_end = data.find("\r\n\r\n");
  }
  size_t body_len = 0;
  size_t cl = data.find("Content-Length: ");
  if (cl != std::string::npos && cl < head_end) body_len = std::strtoul(data.c_str() + cl + 16, nullptr, 10);
  while (data.size() < head_end + 4 + body_len) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
  }
  return true;
}

void sendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Base: a loopback listener; each accepted connection is served by serve(fd, index) on its own
// thread. Stopping shuts every connection down (unblocking the handlers) and joins them.
class LocalServer {
 public:
  explicit LocalServer(std::function<void(int fd, int index)> serve) : serve_(std::move(serve)) {
    listen_fd_ = listenLoopback(16, &port_);
    thread_ = std::thread([this] { loop(); });
  }
  ~LocalServer() {
    stop_ = true;
    thread_.join();
    for (int fd : conns_) ::shutdown(fd, SHUT_RDWR);
    for (auto& w : workers_) w.join();
    for (int fd : conns_) ::close(fd);
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      conns_.push_back(fd);
      int index = accepted_++;
      workers_.emplace_back([this, fd, index] { serve_(fd, index); });
    }
  }
  std::function<void(int, int)> serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> conns_;  // touched by the accept thread only until it is joined
  std::vector<std::thread> workers_;
};

// Stands in for a server that accepts a connection and then never says anything.
struct SilentServerForTimeoutTest : LocalServer {
  SilentServerForTimeoutTest() : LocalServer([](int, int) {}) {}
};

// Stands in for a server that answers the first request on a connection, then goes silent
// (keeps the connection open, never answers the second request).
struct AnswerOnceThenSilentServerForTimeoutTest : LocalServer {
  AnswerOnceThenSilentServerForTimeoutTest()
      : LocalServer([](int fd, int) {
          static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nKeep-Alive: timeout=10\r\n\r\nok\n";
          if (readRequest(fd)) sendAll(fd, ok);
          readRequest(fd);
        }) {}
};

// Stands in for a server that stalls in the middle of a response body.
struct StallingBodyServerForTimeoutTest : LocalServer {
  StallingBodyServerForTimeoutTest()
      : LocalServer([](int fd, int) {
          if (readRequest(fd)) sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        }) {}
};

// Stands in for a newer server failing mid-stream (spec §9.2): a chunked body that ends with the
// exception text and then the connection closes without the final chunk.
struct BrokenChunkedServerForMidStreamErrorTest : LocalServer {
  BrokenChunkedServerForMidStreamErrorTest()
      : LocalServer([](int fd, int) {
          if (!readRequest(fd)) return;
          sendAll(fd,
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n"
                  "1f\r\nCode: 395. DB::Exception: boom\n\r\n");
          ::shutdown(fd, SHUT_RDWR);
        }) {}
};

// Stands in for a kept-alive connection that the server closes just as the client reuses it:
// the first connection answers one request with keep-alive, then reads the second request and
// closes without answering; later connections answer normally.
struct KeepAliveThenCloseServerForRetryTest : LocalServer {
  KeepAliveThenCloseServerForRetryTest()
      : LocalServer([](int fd, int index) {
          static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nKeep-Alive: timeout=10\r\n\r\nok\n";
          if (!readRequest(fd)) return;
          sendAll(fd, ok);
          if (index == 0) {
            readRequest(fd);
            ::shutdown(fd, SHUT_RDWR);
          }
        }) {}
};

// Stands in for a kept-alive connection that the server resets while the client is still sending
// a large body on it: the first connection answers one request, then reads a little of the
// second one and resets the connection; later connections read the request and answer normally.
struct KeepAliveThenResetServerForSendRetryTest : LocalServer {
  KeepAliveThenResetServerForSendRetryTest()
      : LocalServer([](int fd, int index) {
          static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nKeep-Alive: timeout=10\r\n\r\nok\n";
          if (index > 0) {
            if (readRequest(fd)) sendAll(fd, ok);
            return;
          }
          if (!readRequest(fd)) return;
          sendAll(fd, ok);
          char buf[4096];
          (void)::recv(fd, buf, sizeof buf, 0);
          linger l{1, 0};  // close with RST
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
          ::shutdown(fd, SHUT_RDWR);
        }) {}
};

// Stands in for a server that drops a fresh connection after reading the request.
struct ClosingServerForNoRetryTest : LocalServer {
  ClosingServerForNoRetryTest()
      : LocalServer([](int fd, int) {
          readRequest(fd);
          ::shutdown(fd, SHUT_RDWR);
        }) {}
};

// Stands in for an unreachable host: a listener whose accept queue is full and that never
// accepts, so further SYNs are dropped and connect() hangs.
struct ListenerWithFullBacklogForConnectTimeoutTest {
  ListenerWithFullBacklogForConnectTimeoutTest() {
    listen_fd = listenLoopback(0, &port);
    for (int i = 0; i < 4; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(port);
      (void)::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
      fillers.push_back(c);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~ListenerWithFullBacklogForConnectTimeoutTest() {
    for (int fd : fillers) ::close(fd);
    ::close(listen_fd);
  }
  int listen_fd = -1;
  uint16_t port = 0;
  std::vector<int> fillers;
};

// Stands in for a server that keeps connections alive for a short time only
// ("Keep-Alive: timeout=2"), answering every request on a connection.
struct ShortKeepAliveServerForIdleTest : LocalServer {
  ShortKeepAliveServerForIdleTest()
      : LocalServer([](int fd, int) {
          static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nKeep-Alive: timeout=2\r\n\r\nok\n";
          while (readRequest(fd)) sendAll(fd, ok);
        }) {}
};

// Reads up to the end of an HTTP request head; returns the head, `rest` gets bytes after it.
std::string readHead(int fd, std::string* rest) {
  std::string data;
  char buf[4096];
  size_t end;
  while ((end = data.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {};
    data.append(buf, static_cast<size_t>(n));
  }
  *rest = data.substr(end + 4);
  return data.substr(0, end + 4);
}

int connectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void relay(int a, int b) {
  pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  char buf[65536];
  for (;;) {
    if (::poll(p, 2, 10000) <= 0) return;
    for (int i = 0; i < 2; ++i) {
      if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = ::recv(p[i].fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        sendAll(p[1 - i].fd, std::string(buf, static_cast<size_t>(n)));
      }
    }
  }
}

// Stands in for a forward HTTP proxy: records each connection's first request head, then relays
// to the target port on 127.0.0.1 (any host name). CONNECT gets "200" and a raw tunnel; an
// absolute-form request is forwarded as is.
struct RelayProxyForProxyTest : LocalServer {
  RelayProxyForProxyTest()
      : LocalServer([this](int fd, int) {
          std::string rest;
          std::string head = readHead(fd, &rest);
          if (head.empty()) return;
          {
            std::lock_guard lock(mu);
            heads.push_back(head);
          }
          // target port: "CONNECT host:port HTTP/1.1" or "POST http://host:port/... HTTP/1.1"
          size_t sp = head.find(' ');
          std::string target = head.substr(sp + 1, head.find(' ', sp + 1) - sp - 1);
          bool is_connect = head.compare(0, 8, "CONNECT ") == 0;
          if (!is_connect) target = target.substr(target.find("://") + 3);
          target = target.substr(0, target.find('/'));
          uint16_t port = static_cast<uint16_t>(std::stoi(target.substr(target.rfind(':') + 1)));
          int up = connectLoopback(port);
          if (up < 0) return;
          if (is_connect) {
            sendAll(fd, "HTTP/1.1 200 Connection established\r\n\r\n");
          } else {
            sendAll(up, head);
          }
          if (!rest.empty()) sendAll(up, rest);
          relay(fd, up);
          ::close(up);
        }) {}
  std::mutex mu;
  std::vector<std::string> heads;
};

HttpOptions localOptions(uint16_t port) {
  HttpOptions o;
  o.endpoint.host = "127.0.0.1";
  o.endpoint.port = port;
  o.username = "default";
  o.password = "local_secret_pw";
  return o;
}

// ---- tests: helpers without a server -----------------------------------------------------------
void test_url_encode_and_base64(void**) {
  assert_string_equal(urlEncode("AZaz09-_.~").c_str(), "AZaz09-_.~");
  assert_string_equal(urlEncode("a b&c=d/é%+#\t").c_str(), "a%20b%26c%3Dd%2F%C3%A9%25%2B%23%09");
  assert_string_equal(urlEncode("").c_str(), "");
  assert_string_equal(base64("").c_str(), "");
  assert_string_equal(base64("f").c_str(), "Zg==");
  assert_string_equal(base64("fo").c_str(), "Zm8=");
  assert_string_equal(base64("foo").c_str(), "Zm9v");
  assert_string_equal(base64("foobar").c_str(), "Zm9vYmFy");
  assert_string_equal(base64("default:chc_test_pw").c_str(), "ZGVmYXVsdDpjaGNfdGVzdF9wdw==");
  assert_string_equal(base64(std::string("\xff\x00\x80", 3)).c_str(), "/wCA");
}

void test_invalid_arguments(void**) {
  HttpOptions o = localOptions(1);
  o.endpoint.host = "";
  assert_int_equal(static_cast<int>(expectError([&] { HttpClient c(o); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));
  o = localOptions(1);
  o.endpoint.https = true;
  o.tls.client_cert = "/nonexistent/cert.pem";
  assert_int_equal(static_cast<int>(expectError([&] { HttpClient c(o); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));
  o = localOptions(1);
  o.endpoint.https = true;
  o.tls.ca_file = "/nonexistent/ca.pem";
  assert_int_equal(static_cast<int>(expectError([&] { HttpClient c(o); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));

  HttpClient c(localOptions(1));
  HttpRequest get_with_body;
  get_with_body.method = "GET";
  get_with_body.body = {1, 2, 3};
  assert_int_equal(static_cast<int>(expectError([&] { c.send(get_with_body); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));
  HttpRequest put;
  put.method = "PUT";
  assert_int_equal(static_cast<int>(expectError([&] { c.send(put); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));
  HttpRequest space;
  space.path_and_query = "?query=SELECT 1";
  assert_int_equal(static_cast<int>(expectError([&] { c.send(space); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));
  HttpRequest injected;
  injected.headers.push_back({"X-Test", "a\r\nX-Evil: 1"});
  assert_int_equal(static_cast<int>(expectError([&] { c.send(injected); }).kind()),
                   static_cast<int>(ErrorKind::InvalidArgument));
  assert_int_equal(c.connectionsOpened(), 0);
}

// ---- tests against the real server -------------------------------------------------------------
void test_ping(void**) {
  HttpClient c(httpOptions());
  HttpRequest r;
  r.method = "GET";
  r.path_and_query = "/ping";
  auto resp = c.send(r);
  assert_int_equal(resp->status(), 200);
  assert_string_equal(resp->readAll(100).c_str(), "Ok.\n");
  uint8_t b[8];
  assert_int_equal(resp->read(b), 0);  // stays at the end
}

void test_select_one_and_headers(void**) {
  HttpClient c(httpOptions());
  auto resp = c.send(query("SELECT 1"));
  assert_int_equal(resp->status(), 200);
  assert_string_equal(resp->readAll(100).c_str(), "1\n");
  const std::string* ct = resp->header("content-TYPE");
  assert_non_null(ct);
  assert_true(contains(*ct, "text/tab-separated-values"));
  const std::string* ka = resp->header("Keep-Alive");
  assert_non_null(ka);
  assert_true(contains(*ka, "timeout="));
  assert_null(resp->header("X-Not-There"));
  assert_int_equal(resp->headerValues("Content-Type").size(), 1);
  // base path "/" + "ping" and a base path with a trailing prefix both resolve
  HttpRequest ping;
  ping.method = "GET";
  ping.path_and_query = "ping";
  auto p = c.send(ping);
  assert_int_equal(p->status(), 200);
  assert_string_equal(p->readAll(100).c_str(), "Ok.\n");
}

void test_keep_alive_reuse(void**) {
  HttpClient c(httpOptions());
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  {
    auto r = c.send(query("SELECT 2"));
    assert_true(r->connectionReused());
    assert_string_equal(r->readAll(100).c_str(), "2\n");
  }
  assert_string_equal(run(c, "SELECT 3").c_str(), "3\n");
  assert_int_equal(c.connectionsOpened(), 1);
  assert_int_equal(c.idleConnections(), 1);
}

void test_error_status_keeps_connection(void**) {
  HttpClient c(httpOptions());
  int status = 0;
  std::string body = run(c, "SELECT * FROM default.chc_no_such_table_xyz", &status);
  assert_int_equal(status, 404);
  assert_true(contains(body, "Code: 60"));
  status = 0;
  body = run(c, "SELEKT 1", &status);
  assert_int_equal(status, 400);
  assert_true(contains(body, "Code: 62"));
  assert_string_equal(run(c, "SELECT 4").c_str(), "4\n");
  assert_int_equal(c.connectionsOpened(), 1);
}

void streamBig(bool slow_start) {
  HttpClient c(httpOptions());
  auto resp = c.send(query("SELECT number FROM system.numbers LIMIT 10000000 FORMAT RowBinary"));
  assert_int_equal(resp->status(), 200);
  // With a slow start the server fills the socket buffers first, so a single drive of curl gets
  // more than the buffer cap and must pause.
  if (slow_start) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<uint8_t> buf(65536 + 3);  // odd size: values straddle reads
  uint64_t total = 0, expect = 0, value = 0;
  unsigned have = 0;
  for (;;) {
    size_t n = resp->read(buf);
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) {
      value |= uint64_t{buf[i]} << (8 * have);
      if (++have == 8) {
        if (value != expect) fail_msg("value %llu at %llu", (unsigned long long)value, (unsigned long long)expect);
        ++expect;
        value = 0;
        have = 0;
      }
    }
    total += n;
  }
  assert_int_equal(total, 80000000ULL);
  assert_int_equal(expect, 10000000ULL);
  size_t hw = resp->bufferHighWater();
  std::printf("# stream %s: buffer high water %zu bytes (cap %zu)\n", slow_start ? "slow start" : "tight loop", hw,
              HttpResponse::kBufferCap);
  assert_true(hw <= HttpResponse::kBufferCap + HttpResponse::kReadChunk);
  if (slow_start) assert_true(hw >= HttpResponse::kBufferCap);  // the cap was reached and held
  resp.reset();
  assert_string_equal(run(c, "SELECT 5").c_str(), "5\n");
  assert_int_equal(c.connectionsOpened(), 1);  // the fully read response kept its connection
}

void test_stream_big_response(void**) { streamBig(false); }
void test_stream_big_response_slow_reader(void**) { streamBig(true); }

void test_drop_midstream_then_reuse(void**) {
  HttpClient c(httpOptions());
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  assert_int_equal(c.connectionsOpened(), 1);
  {
    auto resp = c.send(query("SELECT number FROM system.numbers LIMIT 10000000 FORMAT RowBinary"));
    std::vector<uint8_t> buf(1 << 16);
    size_t got = 0;
    while (got < (size_t{1} << 20)) got += resp->read(buf);
  }  // dropped mid-stream: its connection must not be reused
  assert_string_equal(run(c, "SELECT 6").c_str(), "6\n");
  assert_int_equal(c.connectionsOpened(), 2);
  assert_string_equal(run(c, "SELECT 7").c_str(), "7\n");
  assert_int_equal(c.connectionsOpened(), 2);

  // abort(): same, and reading afterwards is a state error
  auto resp = c.send(query("SELECT number FROM system.numbers LIMIT 10000000 FORMAT RowBinary"));
  uint8_t b[100];
  assert_true(resp->read(b) > 0);
  resp->abort();
  assert_int_equal(static_cast<int>(expectError([&] { resp->read(b); }).kind()),
                   static_cast<int>(ErrorKind::InvalidState));
  assert_string_equal(run(c, "SELECT 8").c_str(), "8\n");
  assert_int_equal(c.connectionsOpened(), 3);
}

void test_response_outlives_client(void**) {
  std::unique_ptr<HttpResponse> resp;
  {
    HttpClient c(httpOptions());
    resp = c.send(query("SELECT number FROM system.numbers LIMIT 100000 FORMAT RowBinary"));
  }
  std::string body = resp->readAll(size_t{1} << 24);
  assert_int_equal(body.size(), 800000);
}

void test_large_post_body(void**) {
  HttpClient c(httpOptions());
  const std::string table = "default.chc_transport_test_" + std::to_string(::getpid());
  run(c, "DROP TABLE IF EXISTS " + table);
  run(c, "CREATE TABLE " + table + " (s String) ENGINE = Memory");
  std::string rows;
  size_t chars = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string row = "row-" + std::to_string(i) + "-abcdefghij";  // ~4.3 MB in all
    chars += row.size();
    rows += row + "\n";
  }
  HttpRequest r;
  r.path_and_query = "?database=default&query=" + urlEncode("INSERT INTO " + table + " FORMAT TabSeparated");
  r.body.assign(rows.begin(), rows.end());
  auto t0 = Clock::now();
  auto resp = c.send(std::move(r));
  assert_int_equal(resp->status(), 200);
  assert_string_equal(resp->readAll(1000).c_str(), "");
  assert_true(secondsSince(t0) < 5.0);  // no 100-continue stall
  assert_string_equal(run(c, "SELECT count(), sum(length(s)) FROM " + table).c_str(),
                      ("200000\t" + std::to_string(chars) + "\n").c_str());
  run(c, "DROP TABLE " + table);
  assert_int_equal(c.connectionsOpened(), 1);
}

void test_wrong_password(void**) {
  HttpOptions o = httpOptions();
  const std::string secret = "wrong_secret_pw_42";
  o.password = secret;
  HttpClient c(o);
  int status = 0;
  std::string body = run(c, "SELECT 1", &status);
  std::printf("# wrong password: HTTP %d, body: %s", status, body.c_str());
  assert_true(status == 401 || status == 403 || status == 500 || status == 516);
  assert_false(contains(body, secret));
  assert_true(contains(body, "Code: 193") || contains(body, "Code: 516") || contains(body, "assword"));

  // a transport error with the same credentials names host:port but never the password
  HttpOptions lo = localOptions(unusedPort());
  lo.password = secret;
  HttpClient lc(lo);
  Error e = expectError([&] { lc.send(query("SELECT 1")); });
  std::string msg = e.what();
  assert_false(contains(msg, secret));
  assert_false(contains(msg, base64("default:" + secret)));
  assert_false(contains(msg, "Authorization"));
}

// proxy = "": no proxy at all, whatever the environment says (no proxy option: the environment
// decides, see tests/integration/test_transport_options.c).
void test_environment_proxy_ignored(void**) {
  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  ::setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
  ::setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
  HttpOptions o = httpOptions();
  o.proxy = "";
  HttpClient c(o);
  std::string got = run(c, "SELECT 9");
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  ::unsetenv("ALL_PROXY");
  assert_string_equal(got.c_str(), "9\n");
}

void test_keep_alive_timeout_respected(void**) {
  // The server says "Keep-Alive: timeout=2": an idle connection is reused for ~1 s, not after.
  ShortKeepAliveServerForIdleTest server;
  HttpClient c(localOptions(server.port()));
  assert_string_equal(run(c, "SELECT 1").c_str(), "ok\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  assert_string_equal(run(c, "SELECT 1").c_str(), "ok\n");
  assert_int_equal(c.connectionsOpened(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  assert_string_equal(run(c, "SELECT 1").c_str(), "ok\n");
  assert_int_equal(c.connectionsOpened(), 2);
  assert_int_equal(server.accepted(), 2);
}

void test_http_through_proxy(void**) {
  RelayProxyForProxyTest proxy;
  HttpOptions o = httpOptions();
  o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  HttpClient c(o);
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  assert_string_equal(run(c, "SELECT 2").c_str(), "2\n");
  assert_int_equal(c.connectionsOpened(), 1);
  std::lock_guard lock(proxy.mu);
  assert_int_equal(proxy.heads.size(), 1);
  const std::string& head = proxy.heads[0];
  const std::string line =
      "POST http://" + o.endpoint.host + ":" + std::to_string(o.endpoint.port) + "/?database=default HTTP/1.1\r\n";
  assert_true(head.compare(0, line.size(), line) == 0);
  assert_true(contains(head, "Authorization: Basic " + base64(o.username + ":" + o.password) + "\r\n"));
  assert_true(contains(head, "User-Agent: chconnect-test/0.1\r\n"));
  assert_true(contains(head, "Content-Length: 8\r\n"));
  assert_false(contains(head, "Content-Type"));
  assert_false(contains(head, "Expect"));
  assert_false(contains(head, "Accept-Encoding"));
}

void test_https_through_proxy(void**) {
  RelayProxyForProxyTest proxy;
  HttpOptions o = httpsOptions(requireEnv("CHC_TEST_CA"));
  o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  HttpClient c(o);
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  std::lock_guard lock(proxy.mu);
  assert_int_equal(proxy.heads.size(), 1);
  const std::string line = "CONNECT " + o.endpoint.host + ":" + std::to_string(o.endpoint.port) + " HTTP/1.1\r\n";
  assert_true(proxy.heads[0].compare(0, line.size(), line) == 0);
  assert_false(contains(proxy.heads[0], "Authorization"));  // credentials stay inside the tunnel
}

void test_concurrent_requests(void**) {
  HttpOptions o = httpOptions();
  o.pool_size = 8;
  HttpClient c(o);
  std::atomic<int> failures{0}, ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const int n = t * 1000 + i;
        try {
          auto resp = c.send(query("SELECT " + std::to_string(n)));
          std::string body = resp->readAll(100);
          if (resp->status() == 200 && body == std::to_string(n) + "\n") {
            ++ok;
          } else {
            ++failures;
          }
        } catch (const Error& e) {
          std::fprintf(stderr, "thread %d request %d: %s\n", t, i, e.what());
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::printf("# concurrent: 200 requests over %llu connections\n",
              static_cast<unsigned long long>(c.connectionsOpened()));
  assert_int_equal(failures.load(), 0);
  assert_int_equal(ok.load(), 200);
  assert_true(c.connectionsOpened() <= 8);  // 4 when nothing closes a connection (the usual case)
  assert_true(c.idleConnections() <= 4);
}

// ---- HTTPS ------------------------------------------------------------------------------------
void test_https_verified(void**) {
  HttpClient c(httpsOptions(requireEnv("CHC_TEST_CA")));
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  assert_string_equal(run(c, "SELECT 2").c_str(), "2\n");
  assert_int_equal(c.connectionsOpened(), 1);
}

void test_https_other_ca_fails(void**) {
  HttpOptions o = httpsOptions(requireEnv("CHC_TEST_OTHER_CA"));
  HttpClient c(o);
  Error e = expectError([&] { c.send(query("SELECT 1")); });
  std::printf("# other CA: %s\n", e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Tls));
  assert_true(contains(e.what(), "TLS: certificate verification failed"));
  assert_true(contains(e.what(), o.endpoint.host + ":" + std::to_string(o.endpoint.port)));
  assert_false(contains(e.what(), o.password));
}

void test_https_insecure(void**) {
  HttpOptions o = httpsOptions(requireEnv("CHC_TEST_OTHER_CA"));
  o.tls.verify = false;
  HttpClient c(o);
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
}

void test_https_server_host_name(void**) {
  HttpOptions o = httpsOptions(requireEnv("CHC_TEST_CA"));
  o.endpoint.host = "127.0.0.1";
  o.tls.server_host_name = "localhost";  // connect to 127.0.0.1, verify as localhost
  {
    HttpClient c(o);
    assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  }
  o.tls.server_host_name = "not-the-server.invalid";  // the certificate does not name it
  HttpClient c(o);
  Error e = expectError([&] { c.send(query("SELECT 1")); });
  std::printf("# wrong server_host_name: %s\n", e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Tls));
}

void test_https_client_certificate_loads(void**) {
  // The test server does not ask for client certificates; this checks that mbedTLS takes the PEM
  // pair and the handshake still succeeds.
  HttpOptions o = httpsOptions(requireEnv("CHC_TEST_CA"));
  o.tls.client_cert = requireEnv("CHC_TEST_CLIENT_CERT");
  o.tls.client_key = requireEnv("CHC_TEST_CLIENT_KEY");
  HttpClient c(o);
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
  // a key that does not parse is a TLS error naming the problem
  o.tls.client_key = requireEnv("CHC_TEST_CA");
  HttpClient bad(o);
  Error e = expectError([&] { bad.send(query("SELECT 1")); });
  std::printf("# bad client key: %s\n", e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Tls));
}

// ---- failures with local stand-in servers --------------------------------------------------------
void test_connection_refused(void**) {
  HttpOptions o = localOptions(unusedPort());
  HttpClient c(o);
  auto t0 = Clock::now();
  Error e = expectError([&] { c.send(query("SELECT 1")); });
  std::printf("# refused: %s\n", e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Network));
  assert_true(contains(e.what(), "127.0.0.1:" + std::to_string(o.endpoint.port)));
  assert_true(secondsSince(t0) < 1.0);
}

void test_connect_timeout(void**) {
  ListenerWithFullBacklogForConnectTimeoutTest listener;
  HttpOptions o = localOptions(listener.port);
  o.connect_timeout = std::chrono::milliseconds(300);
  HttpClient c(o);
  auto t0 = Clock::now();
  Error e = expectError([&] { c.send(query("SELECT 1")); });
  double s = secondsSince(t0);
  std::printf("# connect timeout after %.3f s: %s\n", s, e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Timeout));
  assert_true(contains(e.what(), "connect timeout after 300 ms"));
  assert_true(s >= 0.25 && s < 2.0);
}

void test_receive_timeout(void**) {
  SilentServerForTimeoutTest server;
  HttpOptions o = localOptions(server.port());
  o.send_receive_timeout = std::chrono::milliseconds(400);
  HttpClient c(o);
  auto t0 = Clock::now();
  Error e = expectError([&] { c.send(query("SELECT 1")); });
  double s = secondsSince(t0);
  std::printf("# receive timeout after %.3f s: %s\n", s, e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Timeout));
  assert_true(contains(e.what(), "receive timeout after 400 ms"));
  assert_true(s >= 0.39 && s < 2.0);
  assert_int_equal(server.accepted(), 1);
}

void test_receive_timeout_on_reused_connection(void**) {
  AnswerOnceThenSilentServerForTimeoutTest server;
  HttpOptions o = localOptions(server.port());
  o.send_receive_timeout = std::chrono::milliseconds(300);
  HttpClient c(o);
  HttpRequest get;
  get.method = "GET";
  get.path_and_query = "/ping";
  assert_string_equal(c.send(get)->readAll(100).c_str(), "ok\n");
  auto t0 = Clock::now();
  Error e = expectError([&] { c.send(get); });
  double s = secondsSince(t0);
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Timeout));
  assert_true(s >= 0.29 && s < 2.0);
  assert_int_equal(c.connectionsOpened(), 1);
}

void test_receive_timeout_mid_body(void**) {
  StallingBodyServerForTimeoutTest server;
  HttpOptions o = localOptions(server.port());
  o.send_receive_timeout = std::chrono::milliseconds(300);
  HttpClient c(o);
  auto resp = c.send(query("SELECT 1"));
  assert_int_equal(resp->status(), 200);
  uint8_t buf[100];
  size_t got = 0;
  auto t0 = Clock::now();
  Error e = expectError([&] {
    for (;;) {
      size_t n = resp->read(std::span<uint8_t>(buf + got, sizeof buf - got));
      if (n == 0) break;
      got += n;
    }
  });
  double s = secondsSince(t0);
  std::printf("# stalled body: %zu bytes, then after %.3f s: %s\n", got, s, e.what());
  assert_int_equal(got, 10);  // the bytes that came are delivered before the error
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Timeout));
  assert_int_equal(e.server().http_status, 200);
  assert_true(s >= 0.29 && s < 2.0);
  // the error sticks
  assert_int_equal(static_cast<int>(expectError([&] { resp->read(buf); }).kind()),
                   static_cast<int>(ErrorKind::Timeout));
}

void test_broken_chunked_body_delivers_bytes_then_fails(void**) {
  BrokenChunkedServerForMidStreamErrorTest server;
  HttpClient c(localOptions(server.port()));
  auto resp = c.send(query("SELECT 1"));
  assert_int_equal(resp->status(), 200);
  std::string got;
  Error e = expectError([&] {
    uint8_t buf[7];  // small reads
    for (size_t n; (n = resp->read(buf)) > 0;) got.append(reinterpret_cast<char*>(buf), n);
  });
  std::printf("# broken chunked body: %s\n", e.what());
  assert_string_equal(got.c_str(), "helloCode: 395. DB::Exception: boom\n");
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Network));
}

void test_stale_keep_alive_retried_once(void**) {
  KeepAliveThenCloseServerForRetryTest server;
  HttpClient c(localOptions(server.port()));
  assert_string_equal(run(c, "SELECT 1").c_str(), "ok\n");
  assert_string_equal(run(c, "SELECT 1").c_str(), "ok\n");  // reused connection dies -> retried
  assert_int_equal(server.accepted(), 2);
  assert_int_equal(c.connectionsOpened(), 2);
}

void test_stale_keep_alive_send_failure_retried_once(void**) {
  KeepAliveThenResetServerForSendRetryTest server;
  HttpClient c(localOptions(server.port()));
  assert_string_equal(run(c, "SELECT 1").c_str(), "ok\n");
  HttpRequest big = query(std::string(size_t{32} << 20, 'x'));  // more than the socket buffers hold
  auto resp = c.send(std::move(big));
  assert_int_equal(resp->status(), 200);
  assert_string_equal(resp->readAll(100).c_str(), "ok\n");
  assert_int_equal(server.accepted(), 2);
  assert_int_equal(c.connectionsOpened(), 2);
}

void test_fresh_connection_not_retried(void**) {
  ClosingServerForNoRetryTest server;
  HttpClient c(localOptions(server.port()));
  Error e = expectError([&] { c.send(query("SELECT 1")); });
  std::printf("# dropped fresh connection: %s\n", e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Network));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  assert_int_equal(server.accepted(), 1);
}

// ---- cancellation and progress -------------------------------------------------------------------

// Stands in for a server that sends progress headers while a query runs, then the body in two
// parts, the way servers with the header hook do (Debian's 18.16 sends none). Each part goes out
// once the client's observer has been called for the previous one (the test counts its calls in
// `seen`): with a fixed pause instead, a client thread that is not scheduled for that long (a
// loaded machine) reads several parts at once and gets a single call for them.
struct ProgressHeadersServerForObserverTest : LocalServer {
  ProgressHeadersServerForObserverTest()
      : LocalServer([this](int fd, int) {
          if (!readRequest(fd)) return;
          sendAll(fd, "HTTP/1.1 200 OK\r\nX-ClickHouse-Progress: {\"read_rows\":\"1\"}\r\n");
          waitSeen(1);
          sendAll(fd, "X-ClickHouse-Progress: {\"read_rows\":\"2\"}\r\nContent-Length: 10\r\n\r\n01234");
          waitSeen(2);
          sendAll(fd, "56789");
          readRequest(fd);
        }) {}
  // Waits (at most 5 s) until the observer has been called `n` times.
  void waitSeen(int n) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (seen.load() < n && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::atomic<int> seen{0};  // observer calls so far (incremented by the test's observer)
};

// Cancels `token` from another thread after `ms`.
std::thread cancelLater(std::shared_ptr<CancelToken> token, int ms, Clock::time_point* when) {
  return std::thread([token, ms, when] {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    *when = Clock::now();
    token->cancel();
  });
}

void test_cancel_wakes_blocked_read(void**) {
  StallingBodyServerForTimeoutTest server;
  HttpClient c(localOptions(server.port()));  // 60 s receive timeout: only the cancel can end the read
  HttpRequest r = query("SELECT 1");
  auto token = std::make_shared<CancelToken>();
  r.cancel = token;
  auto resp = c.send(std::move(r));
  assert_int_equal(resp->status(), 200);
  uint8_t buf[100];
  assert_int_equal(resp->read(std::span<uint8_t>(buf, sizeof buf)), 10);
  Clock::time_point cancelled_at;
  std::thread t = cancelLater(token, 300, &cancelled_at);
  Error e = expectError([&] { resp->read(std::span<uint8_t>(buf, sizeof buf)); });
  double late = secondsSince(cancelled_at);
  t.join();
  std::printf("# blocked read woke %.3f s after cancel: %s\n", late, e.what());
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Cancelled));
  assert_true(late < 0.5);
  // Sticky, and the connection is not reused.
  Error again = expectError([&] { resp->read(std::span<uint8_t>(buf, sizeof buf)); });
  assert_int_equal(static_cast<int>(again.kind()), static_cast<int>(ErrorKind::Cancelled));
  resp.reset();
  assert_true(token->cancelled());
}

void test_cancel_wakes_blocked_send(void**) {
  SilentServerForTimeoutTest server;
  HttpClient c(localOptions(server.port()));
  HttpRequest r = query("SELECT 1");
  auto token = std::make_shared<CancelToken>();
  r.cancel = token;
  Clock::time_point cancelled_at;
  std::thread t = cancelLater(token, 300, &cancelled_at);
  Error e = expectError([&] { c.send(std::move(r)); });
  double late = secondsSince(cancelled_at);
  t.join();
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Cancelled));
  assert_true(late < 0.5);
  // A token cancelled before send(): fails at once, before any connection is used.
  HttpRequest r2 = query("SELECT 1");
  r2.cancel = token;
  auto t0 = Clock::now();
  Error e2 = expectError([&] { c.send(std::move(r2)); });
  assert_int_equal(static_cast<int>(e2.kind()), static_cast<int>(ErrorKind::Cancelled));
  assert_true(secondsSince(t0) < 0.5);
}

void test_cancel_real_server_then_reuse(void**) {
  HttpClient c(httpOptions());
  // ~5 s of output at one 1.6 MB block per second: the second block takes a while.
  HttpRequest r = query(
      "SELECT number FROM system.numbers WHERE sleep(1) = 0 LIMIT 1000000 "
      "SETTINGS max_block_size = 200000, max_threads = 1 FORMAT RowBinary");
  auto token = std::make_shared<CancelToken>();
  r.cancel = token;
  auto resp = c.send(std::move(r));
  assert_int_equal(resp->status(), 200);
  Clock::time_point cancelled_at;
  std::thread t = cancelLater(token, 200, &cancelled_at);
  std::vector<uint8_t> buf(1 << 16);
  Error e = expectError([&] {
    while (resp->read(std::span<uint8_t>(buf.data(), buf.size())) > 0) {
    }
  });
  double late = secondsSince(cancelled_at);
  t.join();
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Cancelled));
  assert_true(late < 0.5);
  resp.reset();
  assert_string_equal(run(c, "SELECT 1").c_str(), "1\n");
}

void test_progress_observer(void**) {
  ProgressHeadersServerForObserverTest server;
  HttpClient c(localOptions(server.port()));
  HttpRequest r = query("SELECT 1");
  std::vector<std::string> progress;
  std::vector<uint64_t> body_bytes;
  uint64_t sent = 0;
  r.on_progress = [&](const TransferProgress& p) {
    for (const auto& [n, v] : p.new_headers)
      if (n == "X-ClickHouse-Progress") progress.push_back(v);
    body_bytes.push_back(p.body_bytes_received);
    sent = p.bytes_sent;
    ++server.seen;
    return true;
  };
  auto resp = c.send(std::move(r));
  assert_int_equal(progress.size(), 2);  // both arrived before send() returned
  assert_string_equal(progress[1].c_str(), "{\"read_rows\":\"2\"}");
  assert_string_equal(resp->readAll(100).c_str(), "0123456789");
  assert_true(body_bytes.size() >= 2);
  for (size_t i = 1; i < body_bytes.size(); ++i) assert_true(body_bytes[i] >= body_bytes[i - 1]);
  assert_int_equal(body_bytes.back(), 10);
  assert_int_equal(sent, 8);             // "SELECT 1"
  assert_int_equal(progress.size(), 2);  // each header is reported once
}

void test_progress_observer_cancels(void**) {
  ProgressHeadersServerForObserverTest server;
  HttpClient c(localOptions(server.port()));
  HttpRequest r = query("SELECT 1");
  int calls = 0;
  r.on_progress = [&](const TransferProgress& p) {
    ++calls;
    ++server.seen;
    return p.body_bytes_received == 0;  // cancel at the first body byte
  };
  // The first body bytes may arrive with the headers (then send() itself is cancelled).
  Error e = expectError([&] { c.send(std::move(r))->readAll(100); });
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Cancelled));
  assert_true(contains(e.what(), "progress callback"));
  assert_true(calls >= 2);
}

// ---- status retries (429/503/504) -------------------------------------------------------------------

// Stands in for a busy server or proxy: answers the first `busy` requests (over all connections)
// with 503 + Retry-After and a body of `body_size` bytes on a kept-alive connection, then "ok".
struct BusyServerForStatusRetryTest : LocalServer {
  BusyServerForStatusRetryTest(int busy, size_t body_size, const char* retry_after)
      : LocalServer([this, busy, body_size, retry_after](int fd, int) {
          while (readRequest(fd)) {
            if (requests++ < busy) {
              sendAll(fd, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: " + std::string(retry_after) +
                              "\r\nContent-Length: " + std::to_string(body_size) + "\r\n\r\n" +
                              std::string(body_size, 'b'));
            } else {
              sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
            }
          }
        }) {}
  std::atomic<int> requests{0};
};

void test_status_retry_keeps_connection(void**) {
  BusyServerForStatusRetryTest server(2, 100, "0");
  HttpClient c(localOptions(server.port()));
  HttpRequest r = query("SELECT 1");
  r.status_retries = 2;
  uint64_t max_body = 0;
  r.on_progress = [&](const TransferProgress& p) {
    max_body = std::max(max_body, p.body_bytes_received);
    return true;
  };
  auto resp = c.send(std::move(r));
  assert_int_equal(resp->status(), 200);
  assert_int_equal(resp->attempts(), 3);
  assert_string_equal(resp->readAll(100).c_str(), "ok\n");
  assert_true(max_body <= 3);  // the dropped 503 bodies were never reported
  assert_int_equal(server.requests.load(), 3);
  assert_int_equal(server.accepted(), 1);  // the small 503 bodies were read: connection kept

  // No retries left: the 503 is the answer.
  BusyServerForStatusRetryTest always(100, 10, "0");
  HttpClient c2(localOptions(always.port()));
  HttpRequest r2 = query("SELECT 1");
  r2.status_retries = 1;
  auto resp2 = c2.send(std::move(r2));
  assert_int_equal(resp2->status(), 503);
  assert_int_equal(resp2->attempts(), 2);
  assert_string_equal(resp2->readAll(100).c_str(), "bbbbbbbbbb");
}

void test_status_retry_large_body_closes_connection(void**) {
  BusyServerForStatusRetryTest server(1, 8 << 20, "0");
  HttpClient c(localOptions(server.port()));
  HttpRequest r = query("SELECT 1");
  r.status_retries = 1;
  auto resp = c.send(std::move(r));
  assert_int_equal(resp->status(), 200);
  assert_string_equal(resp->readAll(100).c_str(), "ok\n");
  assert_int_equal(server.accepted(), 2);  // 8 MiB are not worth reading: a new connection
}

void test_status_retry_pause_cancelled(void**) {
  BusyServerForStatusRetryTest server(100, 10, "5");
  HttpClient c(localOptions(server.port()));
  HttpRequest r = query("SELECT 1");
  r.status_retries = 3;
  auto token = std::make_shared<CancelToken>();
  r.cancel = token;
  Clock::time_point cancelled_at;
  std::thread t = cancelLater(token, 300, &cancelled_at);
  Error e = expectError([&] { c.send(std::move(r)); });
  double late = secondsSince(cancelled_at);
  t.join();
  assert_int_equal(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::Cancelled));
  // Retry-After: 5 makes an uninterrupted pause last 5 s; 1 s leaves room for a loaded machine.
  assert_true(late < 1.0);
  assert_int_equal(server.requests.load(), 1);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_url_encode_and_base64),
      cmocka_unit_test(test_invalid_arguments),
      cmocka_unit_test(test_ping),
      cmocka_unit_test(test_select_one_and_headers),
      cmocka_unit_test(test_keep_alive_reuse),
      cmocka_unit_test(test_error_status_keeps_connection),
      cmocka_unit_test(test_stream_big_response),
      cmocka_unit_test(test_stream_big_response_slow_reader),
      cmocka_unit_test(test_drop_midstream_then_reuse),
      cmocka_unit_test(test_response_outlives_client),
      cmocka_unit_test(test_large_post_body),
      cmocka_unit_test(test_wrong_password),
      cmocka_unit_test(test_environment_proxy_ignored),
      cmocka_unit_test(test_keep_alive_timeout_respected),
      cmocka_unit_test(test_http_through_proxy),
      cmocka_unit_test(test_https_through_proxy),
      cmocka_unit_test(test_concurrent_requests),
      cmocka_unit_test(test_https_verified),
      cmocka_unit_test(test_https_other_ca_fails),
      cmocka_unit_test(test_https_insecure),
      cmocka_unit_test(test_https_server_host_name),
      cmocka_unit_test(test_https_client_certificate_loads),
      cmocka_unit_test(test_connection_refused),
      cmocka_unit_test(test_connect_timeout),
      cmocka_unit_test(test_receive_timeout),
      cmocka_unit_test(test_receive_timeout_on_reused_connection),
      cmocka_unit_test(test_receive_timeout_mid_body),
      cmocka_unit_test(test_broken_chunked_body_delivers_bytes_then_fails),
      cmocka_unit_test(test_stale_keep_alive_retried_once),
      cmocka_unit_test(test_stale_keep_alive_send_failure_retried_once),
      cmocka_unit_test(test_fresh_connection_not_retried),
      cmocka_unit_test(test_cancel_wakes_blocked_read),
      cmocka_unit_test(test_cancel_wakes_blocked_send),
      cmocka_unit_test(test_cancel_real_server_then_reuse),
      cmocka_unit_test(test_progress_observer),
      cmocka_unit_test(test_progress_observer_cancels),
      cmocka_unit_test(test_status_retry_keeps_connection),
      cmocka_unit_test(test_status_retry_large_body_closes_connection),
      cmocka_unit_test(test_status_retry_pause_cancelled),
  };
  return cmocka_run_group_tests_name("transport", tests, nullptr, nullptr);
}
