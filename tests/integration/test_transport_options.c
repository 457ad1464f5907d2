/* Transport options through the C ABI against the real ClickHouse server started by
 * tests/server/start.sh (env CHC_TEST_*): retries on 429/503/504 (query_retries), custom headers
 * (header.<Name>), roles (role), external data (chc_query_add_external) and proxies.
 *
 * A real server cannot answer 503 on demand, show the raw request line it received, or act as a
 * proxy, so those checks put HttpRelayDoubleForTransportTests in front of it: a loopback listener
 * that records each request (head and body), then either answers it itself from a per-request
 * script (an HTTP status, or a 200 whose Native body breaks off after one block) or relays it to
 * the real server (as a forward proxy would). Everything else talks to the real server directly. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Runs a command and returns its body (caller frees), failing the test on error. */
static char* command_text(chc_client* client, chc_query* q) {
  chc_response* r = NULL;
  chc_error* err = NULL;
  if (chc_client_command(client, q, &r, &err) != CHC_OK) fail_msg("command failed: %s", chc_error_message(err));
  size_t len = 0;
  const char* body = chc_response_body(r, &len);
  char* out = malloc(len + 1);
  memcpy(out, body, len + 1);
  chc_response_free(r);
  return out;
}

static char* run_text(chc_client* client, const char* sql) {
  chc_query* q = test_query(sql);
  char* out = command_text(client, q);
  chc_query_free(q);
  return out;
}

/* Expects `st` to be a failure with status `want`; returns the error (caller frees). */
static chc_error* expect_status(chc_status st, chc_error* err, chc_status want) {
  if (st != want)
    fail_msg("expected %s, got %s: %s", chc_status_name(want), chc_status_name(st),
             err ? chc_error_message(err) : "(no error)");
  assert_non_null(err);
  assert_int_equal(chc_error_status(err), want);
  return err;
}

/* ---- HttpRelayDoubleForTransportTests ------------------------------------------------------------ */

enum {
  RELAY = 0,      /* script entry: forward to the real server */
  TRUNCATED = -1, /* script entry: 200 with one Native block, then the connection drops mid-block */
  MAX_REQUESTS = 64
};

typedef struct {
  int listen_fd;
  uint16_t port;
  uint16_t upstream_port; /* the real server; 0 = answer "Ok.\n" instead of relaying */
  pthread_t thread;
  int stop;
  pthread_mutex_t mu;
  int script[MAX_REQUESTS]; /* per request number: RELAY, TRUNCATED or an HTTP status to answer */
  const char* retry_after;  /* Retry-After value sent with scripted statuses, or NULL */
  int requests;             /* requests received so far */
  int relayed;              /* of which forwarded to the real server */
  char* heads[MAX_REQUESTS];
  size_t body_len[MAX_REQUESTS];
  char* bodies[MAX_REQUESTS];
} relay_double;

static int send_all(int fd, const void* data, size_t len) {
  const char* p = data;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Reads one request: head (malloc'd, NUL-terminated) and Content-Length body. 0 on success. */
static int read_request(int fd, char** head_out, char** body_out, size_t* body_len) {
  size_t cap = 1 << 16, got = 0;
  char* buf = malloc(cap + 1);
  char* end = NULL;
  while (!end) {
    if (got == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    ssize_t n = recv(fd, buf + got, cap - got, 0);
    if (n <= 0) {
      free(buf);
      return -1;
    }
    got += (size_t)n;
    buf[got] = 0;
    end = strstr(buf, "\r\n\r\n");
  }
  size_t head_len = (size_t)(end + 4 - buf);
  const char* cl = strcasestr(buf, "\r\nContent-Length:");
  size_t want = cl && cl < end ? (size_t)atol(cl + 17) : 0;
  char* body = malloc(want + 1);
  size_t have = got - head_len < want ? got - head_len : want;
  memcpy(body, buf + head_len, have);
  while (have < want) {
    ssize_t n = recv(fd, body + have, want - have, 0);
    if (n <= 0) {
      free(buf);
      free(body);
      return -1;
    }
    have += (size_t)n;
  }
  body[want] = 0;
  buf[head_len] = 0;
  *head_out = buf;
  *body_out = body;
  *body_len = want;
  return 0;
}

static int connect_loopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Forwards a request to the real server as a proxy would: origin-form request line, its own
   "Connection: close", every byte of the answer relayed until the server closes. */
static void relay_to_upstream(relay_double* d, int fd, const char* head, const char* body, size_t body_len) {
  int up = connect_loopback(d->upstream_port);
  if (up < 0) return;
  size_t cap = strlen(head) + 64;
  char* out = malloc(cap);
  size_t n = 0;
  const char* line_end = strstr(head, "\r\n");
  const char* sp = strchr(head, ' ');
  const char* target = sp + 1;
  if (strncmp(target, "http://", 7) == 0) target = strchr(target + 7, '/'); /* absolute-form */
  memcpy(out, head, (size_t)(sp + 1 - head));
  n = (size_t)(sp + 1 - head);
  memcpy(out + n, target, (size_t)(line_end + 2 - target));
  n += (size_t)(line_end + 2 - target);
  for (const char* line = line_end + 2; strncmp(line, "\r\n", 2) != 0;) {
    const char* e = strstr(line, "\r\n") + 2;
    if (strncasecmp(line, "Connection:", 11) != 0 && strncasecmp(line, "Proxy-Connection:", 17) != 0) {
      memcpy(out + n, line, (size_t)(e - line));
      n += (size_t)(e - line);
    }
    line = e;
  }
  n += (size_t)sprintf(out + n, "Connection: close\r\n\r\n");
  send_all(up, out, n);
  free(out);
  send_all(up, body, body_len);
  char buf[65536];
  ssize_t got;
  while ((got = recv(up, buf, sizeof buf, 0)) > 0) send_all(fd, buf, (size_t)got);
  close(up);
}

static void answer_status(int fd, int status, const char* retry_after) {
  char msg[512];
  const char* text = "Service Unavailable\n";
  int n = snprintf(msg, sizeof msg,
                   "HTTP/1.1 %d Scripted\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s%s%s"
                   "Connection: close\r\n\r\n%s",
                   status, strlen(text), retry_after ? "Retry-After: " : "", retry_after ? retry_after : "",
                   retry_after ? "\r\n" : "", text);
  send_all(fd, msg, (size_t)n);
}

/* A Native block (one UInt8 column "x", one row: 42) in a chunk, then half of the next block, then
   the connection is closed without the final chunk. */
static void answer_truncated(int fd) {
  static const char head[] =
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  static const char block[] = "\x01\x01\x01x\x05UInt8\x2a";
  char chunk[64];
  send_all(fd, head, sizeof head - 1);
  int n = snprintf(chunk, sizeof chunk, "%zx\r\n", sizeof block - 1);
  send_all(fd, chunk, (size_t)n);
  send_all(fd, block, sizeof block - 1);
  send_all(fd, "\r\n", 2);
  test_sleep_ms(150);
  send_all(fd, "4\r\n\x01\x01\x01x\r\n", 9);
  test_sleep_ms(50);
}

static void* relay_main(void* arg) {
  relay_double* d = arg;
  for (;;) {
    struct pollfd p = {d->listen_fd, POLLIN, 0};
    int ready = poll(&p, 1, 50);
    pthread_mutex_lock(&d->mu);
    int stop = d->stop;
    pthread_mutex_unlock(&d->mu);
    if (stop) return NULL;
    if (ready <= 0) continue;
    int fd = accept(d->listen_fd, NULL, NULL);
    if (fd < 0) continue;
    /* One request per connection: every answer says (or is) Connection: close. */
    char *head = NULL, *body = NULL;
    size_t body_len = 0;
    if (read_request(fd, &head, &body, &body_len) == 0) {
      pthread_mutex_lock(&d->mu);
      int i = d->requests++;
      int action = i < MAX_REQUESTS ? d->script[i] : RELAY;
      const char* retry_after = d->retry_after;
      if (i < MAX_REQUESTS) {
        d->heads[i] = head;
        d->bodies[i] = body;
        d->body_len[i] = body_len;
      }
      if (action == RELAY && d->upstream_port) d->relayed++;
      pthread_mutex_unlock(&d->mu);
      if (action == TRUNCATED) {
        answer_truncated(fd);
      } else if (action > 0) {
        answer_status(fd, action, retry_after);
      } else if (d->upstream_port) {
        relay_to_upstream(d, fd, head, body, body_len);
      } else {
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nOk.\n";
        send_all(fd, ok, sizeof ok - 1);
      }
      if (i >= MAX_REQUESTS) {
        free(head);
        free(body);
      }
    }
    close(fd);
  }
}

/* upstream: relay to the real server (CHC_TEST_HTTP_PORT) when non-zero. */
static relay_double* relay_start(int upstream) {
  relay_double* d = calloc(1, sizeof *d);
  pthread_mutex_init(&d->mu, NULL);
  d->upstream_port = upstream ? (uint16_t)atoi(test_env("CHC_TEST_HTTP_PORT")) : 0;
  d->listen_fd = test_listen_loopback(16, &d->port);
  assert_int_equal(pthread_create(&d->thread, NULL, relay_main, d), 0);
  return d;
}

static void relay_stop(relay_double* d) {
  pthread_mutex_lock(&d->mu);
  d->stop = 1;
  pthread_mutex_unlock(&d->mu);
  pthread_join(d->thread, NULL);
  close(d->listen_fd);
  for (int i = 0; i < MAX_REQUESTS; ++i) {
    free(d->heads[i]);
    free(d->bodies[i]);
  }
  pthread_mutex_destroy(&d->mu);
  free(d);
}

static int relay_requests(relay_double* d) {
  pthread_mutex_lock(&d->mu);
  int n = d->requests;
  pthread_mutex_unlock(&d->mu);
  return n;
}

static int relay_relayed(relay_double* d) {
  pthread_mutex_lock(&d->mu);
  int n = d->relayed;
  pthread_mutex_unlock(&d->mu);
  return n;
}

/* Request line of request i ("POST /?... HTTP/1.1"), copied into buf. */
static const char* relay_request_line(relay_double* d, int i, char* buf, size_t size) {
  pthread_mutex_lock(&d->mu);
  assert_true(i < d->requests);
  const char* head = d->heads[i];
  size_t n = (size_t)(strstr(head, "\r\n") - head);
  if (n >= size) n = size - 1;
  memcpy(buf, head, n);
  buf[n] = 0;
  pthread_mutex_unlock(&d->mu);
  return buf;
}

/* Whether request i's head contains `text` (case-sensitive). */
static int relay_head_has(relay_double* d, int i, const char* text) {
  pthread_mutex_lock(&d->mu);
  int has = i < d->requests && strstr(d->heads[i], text) != NULL;
  pthread_mutex_unlock(&d->mu);
  return has;
}

/* Sets what the double does with request number i (RELAY, TRUNCATED or an HTTP status). */
static void relay_script(relay_double* d, int i, int action) {
  pthread_mutex_lock(&d->mu);
  d->script[i] = action;
  pthread_mutex_unlock(&d->mu);
}

/* A client of the real server's URL (compress=none) whose requests go to the double's port
   instead, plus key/value pairs (NULL-terminated). */
static chc_client* client_via(relay_double* d, ...) {
  chc_config* config = chc_config_new();
  char port[16];
  snprintf(port, sizeof port, "%u", d->port);
  assert_int_equal(chc_config_set_url(config, test_env("CHC_TEST_URL"), NULL), CHC_OK);
  assert_int_equal(chc_config_set(config, "port", port, NULL), CHC_OK);
  assert_int_equal(chc_config_set(config, "compress", "none", NULL), CHC_OK);
  /* No client_protocol_version probe: the scripts count requests. (Callers may set "auto".) */
  assert_int_equal(chc_config_set(config, "protocol_revision", "0", NULL), CHC_OK);
  va_list ap;
  va_start(ap, d);
  chc_client* client = test_client_open(config, ap);
  va_end(ap);
  return client;
}

/* Occurrences of `needle` in `s`. */
static int count_of(const char* s, const char* needle) {
  int n = 0;
  for (const char* p = strstr(s, needle); p; p = strstr(p + 1, needle)) ++n;
  return n;
}

static uint64_t sum_numbers(chc_client* client, const char* sql, chc_status* status, chc_error** err) {
  chc_query* q = test_query(sql);
  chc_result* res = NULL;
  uint64_t sum = 0;
  *status = chc_client_query(client, q, &res, err);
  chc_query_free(q);
  if (*status != CHC_OK) return 0;
  chc_block* b = NULL;
  while ((*status = chc_result_next(res, &b, err)) == CHC_OK && b) {
    chc_column* c = NULL;
    assert_int_equal(chc_block_column(b, 0, &c, NULL), CHC_OK);
    for (size_t r = 0; r < chc_block_row_count(b); ++r) {
      uint64_t v = 0;
      assert_int_equal(chc_column_get_uint64(c, r, &v, NULL), CHC_OK);
      sum += v;
    }
    chc_column_free(c);
    chc_block_free(b);
  }
  chc_result_free(res);
  return sum;
}

/* ---- retries ------------------------------------------------------------------------------------ */

static void test_query_retried_on_503_then_answered(void** state) {
  (void)state;
  relay_double* d = relay_start(1);
  relay_script(d, 0, 503);
  relay_script(d, 1, 504);
  chc_client* client = client_via(d, NULL); /* default query_retries = 2 */
  double start = test_now_s();
  chc_status st;
  chc_error* err = NULL;
  uint64_t sum = sum_numbers(client, "SELECT number FROM numbers(101)", &st, &err);
  double took = test_now_s() - start;
  if (st != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  assert_int_equal(sum, 5050);
  assert_int_equal(relay_requests(d), 3);
  assert_int_equal(relay_relayed(d), 1);
  printf("# 2 retries (503, 504) then the real answer: %.3f s (pauses 0.1 + 0.2 s)\n", took);
  assert_true(took >= 0.29);
  chc_client_free(client);
  relay_stop(d);
}

static void test_retries_used_up(void** state) {
  (void)state;
  relay_double* d = relay_start(1);
  for (int i = 0; i < 3; ++i) relay_script(d, i, 503);
  chc_client* client = client_via(d, "query_retries", "1", NULL);
  chc_status st;
  chc_error* err = NULL;
  sum_numbers(client, "SELECT number FROM numbers(3)", &st, &err);
  expect_status(st, err, CHC_E_SERVER);
  assert_int_equal(chc_error_http_status(err), 503);
  assert_non_null(strstr(chc_error_message(err), "after 2 attempts"));
  assert_int_equal(relay_requests(d), 2);
  chc_error_free(err);
  err = NULL;

  /* 429 with Retry-After: 1 -> a one-second pause; query key query_retries=0 turns retries off. */
  pthread_mutex_lock(&d->mu);
  memset(d->script, 0, sizeof d->script);
  d->script[2] = 429;
  d->retry_after = "1";
  pthread_mutex_unlock(&d->mu);
  double start = test_now_s();
  uint64_t sum = sum_numbers(client, "SELECT number FROM numbers(4)", &st, &err);
  double took = test_now_s() - start;
  if (st != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  assert_int_equal(sum, 6);
  printf("# 429 with Retry-After: 1 -> answered after %.3f s\n", took);
  assert_true(took >= 0.95);
  assert_int_equal(relay_requests(d), 4);

  relay_script(d, 4, 429);
  chc_query* q = test_query("SELECT 1");
  assert_int_equal(chc_query_set(q, "query_retries", "0", NULL), CHC_OK);
  chc_result* res = NULL;
  st = chc_client_query(client, q, &res, &err);
  expect_status(st, err, CHC_E_SERVER);
  assert_int_equal(chc_error_http_status(err), 429);
  assert_null(strstr(chc_error_message(err), "attempts"));
  chc_error_free(err);
  err = NULL;
  assert_int_equal(relay_requests(d), 5);
  assert_int_equal(chc_query_set(q, "query_retries", "101", &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_query_set(q, "query_retries", "x", NULL), CHC_E_INVALID_ARGUMENT);
  chc_query_free(q);
  chc_client_free(client);

  chc_config* cfg = chc_config_new();
  assert_int_equal(chc_config_set(cfg, "query_retries", "-1", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(cfg, "query_retries", "101", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(cfg, "query_retries", "0", NULL), CHC_OK);
  chc_config_free(cfg);
  relay_stop(d);
}

/* protocol_revision=auto: the client_protocol_version probe goes through the same transport as
   the query. A failed probe (here a 503 with retries off) fails that query and is not cached; the
   next query probes again (relayed to 18.16: code 115, so revision 0) and later queries do not. */
static void test_protocol_probe_failure_not_cached(void** state) {
  (void)state;
  relay_double* d = relay_start(1);
  relay_script(d, 0, 503);
  chc_client* client = client_via(d, "protocol_revision", "auto", "query_retries", "0", NULL);
  chc_status st;
  chc_error* err = NULL;
  sum_numbers(client, "SELECT number FROM numbers(3)", &st, &err);
  expect_status(st, err, CHC_E_SERVER);
  assert_int_equal(chc_error_http_status(err), 503);
  chc_error_free(err);
  err = NULL;
  assert_int_equal(relay_requests(d), 1); /* the probe failed: the query itself was not sent */
  assert_true(relay_head_has(d, 0, "client_protocol_version=54405"));

  assert_int_equal(sum_numbers(client, "SELECT number FROM numbers(4)", &st, &err), 6);
  if (st != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  assert_int_equal(relay_requests(d), 3); /* probe again (115 -> revision 0), then the query */
  assert_true(relay_head_has(d, 1, "client_protocol_version=54405"));
  assert_false(relay_head_has(d, 2, "client_protocol_version"));

  assert_int_equal(sum_numbers(client, "SELECT number FROM numbers(5)", &st, &err), 10);
  assert_int_equal(relay_requests(d), 4); /* cached: no probe */
  /* commands never probe nor carry the parameter */
  chc_query* q = test_query("SELECT 1");
  char* v = command_text(client, q);
  free(v);
  chc_query_free(q);
  assert_int_equal(relay_requests(d), 5);
  assert_false(relay_head_has(d, 4, "client_protocol_version"));
  chc_client_free(client);
  relay_stop(d);
}

static void test_command_not_retried_unless_asked(void** state) {
  (void)state;
  relay_double* d = relay_start(1);
  relay_script(d, 0, 503);
  relay_script(d, 1, 503);
  chc_client* client = client_via(d, NULL);
  chc_query* q = test_query("SELECT 7");
  chc_response* r = NULL;
  chc_error* err = NULL;
  {
    chc_status st_ = chc_client_command(client, q, &r, &err);
    expect_status(st_, err, CHC_E_SERVER);
  }
  assert_int_equal(chc_error_http_status(err), 503);
  chc_error_free(err);
  assert_int_equal(relay_requests(d), 1);
  assert_int_equal(chc_query_set(q, "query_retries", "1", NULL), CHC_OK);
  char* v = command_text(client, q);
  assert_string_equal(v, "7\n");
  free(v);
  assert_int_equal(relay_requests(d), 3);
  chc_query_free(q);
  chc_client_free(client);
  relay_stop(d);
}

static void test_insert_resent_whole(void** state) {
  (void)state;
  chc_client* direct = test_client("CHC_TEST_URL", NULL);
  char sql[256];
  const char* table = test_unique_name("retry_ins");
  char tname[64];
  snprintf(tname, sizeof tname, "%s", table);
  snprintf(sql, sizeof sql, "CREATE TABLE %s (x UInt64, s String) ENGINE = Memory", tname);
  test_command(direct, sql);

  relay_double* d = relay_start(1);
  chc_client* client = client_via(d, "compress", "lz4", NULL);

  /* Raw insert: 503 first, the same body again. */
  relay_script(d, 0, 503);
  snprintf(sql, sizeof sql, "INSERT INTO %s FORMAT TabSeparated", tname);
  chc_query* q = test_query(sql);
  assert_int_equal(chc_query_set(q, "query_retries", "2", NULL), CHC_OK);
  static char body[400000];
  size_t n = 0;
  for (int i = 0; i < 20000; ++i) n += (size_t)snprintf(body + n, sizeof body - n, "%d\tv%d\n", i, i);
  assert_int_equal(chc_client_insert_raw(client, q, body, n, NULL, NULL), CHC_OK);
  chc_query_free(q);
  assert_int_equal(relay_requests(d), 2);
  pthread_mutex_lock(&d->mu);
  assert_true(d->body_len[0] > 1000);
  assert_int_equal(d->body_len[0], d->body_len[1]);
  assert_memory_equal(d->bodies[0], d->bodies[1], d->body_len[0]);
  pthread_mutex_unlock(&d->mu);

  /* Builder insert: DESCRIBE (request 2, a read: retried by default), then the insert (request 4),
     whose options ask for a retry. */
  relay_script(d, 2, 503);
  relay_script(d, 4, 504);
  q = test_query("");
  assert_int_equal(chc_query_set(q, "query_retries", "1", NULL), CHC_OK);
  chc_insert* ins = NULL;
  chc_error* err = NULL;
  if (chc_client_insert_begin(client, tname, NULL, 0, q, &ins, &err) != CHC_OK)
    fail_msg("insert_begin: %s", chc_error_message(err));
  for (uint64_t i = 0; i < 1000; ++i) {
    assert_int_equal(chc_builder_append_uint64(chc_insert_builder(ins, 0), 100000 + i, NULL), CHC_OK);
    assert_int_equal(chc_builder_append_string(chc_insert_builder(ins, 1), "b", 1, NULL), CHC_OK);
  }
  if (chc_insert_finish(ins, NULL, &err) != CHC_OK) fail_msg("insert_finish: %s", chc_error_message(err));
  chc_insert_free(ins);
  chc_query_free(q);
  assert_int_equal(relay_requests(d), 6);
  pthread_mutex_lock(&d->mu);
  assert_int_equal(d->body_len[4], d->body_len[5]);
  assert_memory_equal(d->bodies[4], d->bodies[5], d->body_len[4]);
  pthread_mutex_unlock(&d->mu);

  /* Each row arrived exactly once. */
  snprintf(sql, sizeof sql, "SELECT count(), uniqExact(x), sum(x) FROM %s", tname);
  char* v = run_text(direct, sql);
  uint64_t expect_sum = (uint64_t)19999 * 20000 / 2 + 1000 * 100000 + 999 * 1000 / 2;
  char want[128];
  snprintf(want, sizeof want, "21000\t21000\t%llu\n", (unsigned long long)expect_sum);
  assert_string_equal(v, want);
  free(v);

  snprintf(sql, sizeof sql, "DROP TABLE %s", tname);
  test_command(direct, sql);
  chc_client_free(client);
  chc_client_free(direct);
  relay_stop(d);
}

static void test_no_retry_after_body_delivered(void** state) {
  (void)state;
  relay_double* d = relay_start(0);
  relay_script(d, 0, 503);
  relay_script(d, 1, TRUNCATED);
  chc_client* client = client_via(d, "query_retries", "5", NULL);
  chc_query* q = test_query("SELECT x");
  chc_result* res = NULL;
  chc_error* err = NULL;
  if (chc_client_query(client, q, &res, &err) != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  chc_block* b = NULL;
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_OK);
  assert_non_null(b);
  assert_int_equal(chc_block_row_count(b), 1);
  chc_block_free(b);
  chc_status st = chc_result_next(res, &b, &err);
  assert_null(b);
  assert_true(st == CHC_E_IO || st == CHC_E_PROTOCOL);
  printf("# broken stream after one block: %s: %s\n", chc_status_name(st), chc_error_message(err));
  chc_error_free(err);
  assert_int_equal(chc_result_next(res, &b, NULL), st); /* sticky, no new request */
  chc_result_free(res);
  chc_query_free(q);
  test_sleep_ms(100);
  assert_int_equal(relay_requests(d), 2); /* the 503 was retried, the broken stream was not */
  chc_client_free(client);
  relay_stop(d);
}

/* ---- roles ---------------------------------------------------------------------------------------- */

static void test_role_url_parameters(void** state) {
  (void)state;
  relay_double* d = relay_start(0);
  chc_client* client = client_via(d, "role", " analyst ,, my role,", NULL);
  char line[4096];
  chc_query* q = test_query("SELECT 1");
  free(command_text(client, q));
  relay_request_line(d, 0, line, sizeof line);
  assert_non_null(strstr(line, "&role=analyst&role=my%20role"));
  assert_int_equal(count_of(line, "role="), 2);

  assert_int_equal(chc_query_set(q, "role", "auditor", NULL), CHC_OK); /* replaces the client's */
  free(command_text(client, q));
  relay_request_line(d, 1, line, sizeof line);
  assert_non_null(strstr(line, "&role=auditor"));
  assert_int_equal(count_of(line, "role="), 1);

  assert_int_equal(chc_query_set(q, "role", "", NULL), CHC_OK); /* none for this request */
  free(command_text(client, q));
  relay_request_line(d, 2, line, sizeof line);
  assert_null(strstr(line, "role="));
  printf("# request line: %s\n", relay_request_line(d, 0, line, sizeof line));

  chc_error* err = NULL;
  assert_int_equal(chc_query_set(q, "role", "a\nb", &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  chc_query_free(q);
  chc_client_free(client);
  relay_stop(d);
}

static void test_role_reaches_real_server(void** state) {
  (void)state;
  /* 18.16 has no roles: it takes `role` for a setting and refuses it, which shows the parameter
     arrived under that name. Servers with roles answer UNKNOWN_ROLE (511) for a role that does not
     exist. */
  chc_client* client = test_client("CHC_TEST_URL", "role", "chc_no_such_role", NULL);
  chc_error* err = test_command_error(client, "SELECT 1");
  printf("# server answer to role=chc_no_such_role: %d %s\n", chc_error_server_code(err), chc_error_message(err));
  assert_int_equal(chc_error_status(err), CHC_E_SERVER);
  int32_t code = chc_error_server_code(err);
  assert_true(code == 115 || code == 511);
  if (code == 115) assert_non_null(strstr(chc_error_message(err), "role"));
  chc_error_free(err);
  /* The query's empty role list wins over the client's. */
  chc_query* q = test_query("SELECT 5");
  assert_int_equal(chc_query_set(q, "role", "", NULL), CHC_OK);
  char* v = command_text(client, q);
  assert_string_equal(v, "5\n");
  free(v);
  chc_query_free(q);
  chc_client_free(client);
}

/* ---- custom headers ------------------------------------------------------------------------------ */

static void test_custom_headers_sent(void** state) {
  (void)state;
  relay_double* d = relay_start(0);
  chc_client* client = client_via(d, "header.X-Chc-Client", "c1", "header.X-Chc-Both", "from client", NULL);
  chc_query* q = test_query("SELECT 1");
  free(command_text(client, q));
  assert_true(relay_head_has(d, 0, "\r\nX-Chc-Client: c1\r\n"));
  assert_true(relay_head_has(d, 0, "\r\nX-Chc-Both: from client\r\n"));

  assert_int_equal(chc_query_set(q, "header.x-chc-both", "from query", NULL), CHC_OK);
  assert_int_equal(chc_query_set(q, "header.X-Chc-Client", "", NULL), CHC_OK); /* suppressed */
  assert_int_equal(chc_query_set(q, "header.X-Chc-Query", "q\tv", NULL), CHC_OK);
  assert_int_equal(chc_query_set(q, "header.User-Agent", "my-app/2.0", NULL), CHC_OK);
  free(command_text(client, q));
  assert_true(relay_head_has(d, 1, "\r\nx-chc-both: from query\r\n"));
  assert_false(relay_head_has(d, 1, "from client"));
  assert_false(relay_head_has(d, 1, "X-Chc-Client"));
  assert_true(relay_head_has(d, 1, "\r\nX-Chc-Query: q\tv\r\n"));
  assert_true(relay_head_has(d, 1, "\r\nUser-Agent: my-app/2.0\r\n"));
  assert_false(relay_head_has(d, 1, "chconnect/"));

  assert_int_equal(chc_client_ping(client, NULL), CHC_OK); /* client headers on /ping too */
  assert_true(relay_head_has(d, 2, "GET /ping HTTP/1.1"));
  assert_true(relay_head_has(d, 2, "\r\nX-Chc-Client: c1\r\n"));
  chc_query_free(q);
  chc_client_free(client);
  relay_stop(d);
}

static void test_header_injection_rejected(void** state) {
  (void)state;
  static const char* const bad_values[] = {"a\r\nX-Evil: 1", "a\nb", "a\rb", "a\x01"};
  static const char* const bad_keys[] = {"header.",
                                         "header.X Evil",
                                         "header.X:Evil",
                                         "header.X-Evil\r\nY",
                                         "header.Content-Length",
                                         "header.transfer-encoding",
                                         "header.Content-Type",
                                         "header.Accept-Encoding",
                                         "header.Content-Encoding",
                                         "header.Expect"};
  chc_config* cfg = chc_config_new();
  chc_query* q = test_query("SELECT 1");
  chc_error* err = NULL;
  for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; ++i) {
    assert_int_equal(chc_config_set(cfg, "header.X-Test", bad_values[i], &err), CHC_E_INVALID_ARGUMENT);
    chc_error_free(err);
    err = NULL;
    assert_int_equal(chc_query_set(q, "header.X-Test", bad_values[i], &err), CHC_E_INVALID_ARGUMENT);
    assert_null(strstr(chc_error_message(err), "\n"));
    chc_error_free(err);
    err = NULL;
  }
  for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; ++i) {
    assert_int_equal(chc_config_set(cfg, bad_keys[i], "v", NULL), CHC_E_INVALID_ARGUMENT);
    assert_int_equal(chc_query_set(q, bad_keys[i], "v", NULL), CHC_E_INVALID_ARGUMENT);
  }
  assert_int_equal(chc_config_set(cfg, "headers.X", "v", NULL), CHC_E_NOT_FOUND);
  assert_int_equal(chc_config_set(cfg, "header.X-Fine_1.a~", "any value: with 'quotes' & tabs\t", NULL), CHC_OK);
  chc_query_free(q);
  chc_config_free(cfg);
}

static void test_headers_reach_real_server(void** state) {
  (void)state;
  /* ClickHouse's own header authentication (X-ClickHouse-User / X-ClickHouse-Key) given as custom
     headers replaces the client's (wrong) Basic credentials. */
  chc_client* client = test_client("CHC_TEST_URL", "password", "wrong_pw", NULL);
  chc_error* err = test_command_error(client, "SELECT 1");
  assert_int_equal(chc_error_status(err), CHC_E_AUTH);
  chc_error_free(err);
  chc_client_free(client);
  client = test_client("CHC_TEST_URL", "password", "wrong_pw", "header.X-ClickHouse-User", test_env("CHC_TEST_USER"),
                       "header.X-ClickHouse-Key", test_env("CHC_TEST_PASSWORD"), NULL);
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* ---- external data -------------------------------------------------------------------------------- */

static void test_external_select_star(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  static const char tsv[] = "1\tabc\n2\tdef\n";
  chc_query* q = test_query("SELECT * FROM ext ORDER BY a");
  assert_int_equal(chc_query_add_external(q, "ext", "a UInt32, b String", NULL, NULL, tsv, sizeof tsv - 1, NULL),
                   CHC_OK);
  char* v = command_text(client, q);
  assert_string_equal(v, "1\tabc\n2\tdef\n");
  free(v);

  /* The same query streamed as Native. */
  chc_result* res = NULL;
  chc_error* err = NULL;
  if (chc_client_query(client, q, &res, &err) != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  chc_block* b = NULL;
  size_t rows = 0;
  while (chc_result_next(res, &b, NULL) == CHC_OK && b) {
    chc_column* c = NULL;
    assert_int_equal(chc_block_column(b, 1, &c, NULL), CHC_OK);
    assert_string_equal(chc_column_name(c), "b");
    const char* s = NULL;
    size_t len = 0;
    assert_int_equal(chc_column_get_string(c, 0, &s, &len, NULL), CHC_OK);
    assert_memory_equal(s, rows == 0 ? "abc" : "def", 3);
    rows += chc_block_row_count(b);
    chc_column_free(c);
    chc_block_free(b);
  }
  assert_int_equal(rows, 2);
  chc_result_free(res);
  chc_query_free(q);

  /* types instead of structure: columns _1, _2; format given explicitly. */
  static const char csv[] = "10,\"x,y\"\n20,z\n";
  q = test_query("SELECT _1 * 2, _2 FROM t2 ORDER BY _1");
  assert_int_equal(chc_query_add_external(q, "t2", "", "UInt16,String", "CSV", csv, sizeof csv - 1, NULL), CHC_OK);
  v = command_text(client, q);
  assert_string_equal(v, "20\tx,y\n40\tz\n");
  free(v);
  chc_query_free(q);

  /* An empty table. */
  q = test_query("SELECT count() FROM empty");
  assert_int_equal(chc_query_add_external(q, "empty", "a UInt8", NULL, NULL, NULL, 0, NULL), CHC_OK);
  v = command_text(client, q);
  assert_string_equal(v, "0\n");
  free(v);
  chc_query_free(q);
  chc_client_free(client);
}

static void test_external_request_shape(void** state) {
  (void)state;
  relay_double* d = relay_start(0);
  chc_client* client = client_via(d, NULL);
  static const char data[] = "1\n2\n";
  chc_query* q = test_query("SELECT * FROM ids");
  assert_int_equal(chc_query_add_external(q, "ids", "id UInt8", NULL, "TSV", data, sizeof data - 1, NULL), CHC_OK);
  free(command_text(client, q));
  char line[4096];
  relay_request_line(d, 0, line, sizeof line);
  printf("# %s\n", line);
  assert_true(strncmp(line, "POST /?", 7) == 0);
  assert_non_null(strstr(line, "&query=SELECT%20%2A%20FROM%20ids"));
  assert_non_null(strstr(line, "&ids_structure=id%20UInt8"));
  assert_non_null(strstr(line, "&ids_format=TSV"));
  assert_true(relay_head_has(d, 0, "\r\nContent-Type: multipart/form-data; boundary=chconnect-"));
  pthread_mutex_lock(&d->mu);
  const char* body = d->bodies[0];
  assert_non_null(strstr(body, "Content-Disposition: form-data; name=\"ids\"; filename=\"ids\"\r\n"));
  assert_non_null(strstr(body, "\r\n\r\n1\n2\n\r\n--chconnect-"));
  assert_null(strstr(body, "SELECT"));
  pthread_mutex_unlock(&d->mu);
  chc_query_free(q);
  chc_client_free(client);
  relay_stop(d);
}

static void test_external_join_with_real_table(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  const char* table = test_unique_name("ext_join");
  char tname[64], sql[512];
  snprintf(tname, sizeof tname, "%s", table);
  snprintf(sql, sizeof sql, "CREATE TABLE %s (id UInt32, name String) ENGINE = Memory", tname);
  test_command(client, sql);
  snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')", tname);
  test_command(client, sql);

  static const char scores[] = "2\t20.5\n4\t40\n9\t90\n";
  snprintf(sql, sizeof sql, "SELECT id, name, score FROM %s ALL INNER JOIN scores USING id ORDER BY id", tname);
  chc_query* q = test_query(sql);
  assert_int_equal(
      chc_query_add_external(q, "scores", "id UInt32, score Float64", NULL, NULL, scores, sizeof scores - 1, NULL),
      CHC_OK);
  assert_int_equal(chc_query_set(q, "setting.max_threads", "1", NULL), CHC_OK);
  char* v = command_text(client, q);
  assert_string_equal(v, "2\ttwo\t20.5\n4\tfour\t40\n");
  free(v);
  chc_query_free(q);

  /* IN (subquery on the external table), with a server-side setting and a query id. */
  snprintf(sql, sizeof sql,
           "SELECT groupArray(name) FROM (SELECT name FROM %s WHERE id IN (SELECT _1 FROM keep) ORDER BY id)", tname);
  q = test_query(sql);
  static const char keep[] = "1\n3\n";
  assert_int_equal(chc_query_add_external(q, "keep", NULL, "UInt32", "TabSeparated", keep, sizeof keep - 1, NULL),
                   CHC_OK);
  assert_int_equal(chc_query_set(q, "query_id", test_unique_name("ext_qid"), NULL), CHC_OK);
  v = command_text(client, q);
  assert_string_equal(v, "['one','three']\n");
  free(v);
  chc_query_free(q);

  snprintf(sql, sizeof sql, "DROP TABLE %s", tname);
  test_command(client, sql);
  chc_client_free(client);
}

static void test_external_several_tables(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  chc_query* q = test_query("SELECT (SELECT sum(a) FROM t1), (SELECT groupArray(s) FROM t2), (SELECT count() FROM t3)");
  static const char t1[] = "1\n2\n3\n";
  static const char t2[] = "x,1\ny,2\n";
  static const char t3[] = "{\"k\":1}\n{\"k\":2}\n{\"k\":3}\n{\"k\":4}\n";
  assert_int_equal(chc_query_add_external(q, "t1", "a UInt64", NULL, NULL, t1, sizeof t1 - 1, NULL), CHC_OK);
  assert_int_equal(chc_query_add_external(q, "t2", "s String, n UInt8", NULL, "CSV", t2, sizeof t2 - 1, NULL), CHC_OK);
  assert_int_equal(chc_query_add_external(q, "t3", "k UInt8", NULL, "JSONEachRow", t3, sizeof t3 - 1, NULL), CHC_OK);
  char* v = command_text(client, q);
  assert_string_equal(v, "6\t['x','y']\t4\n");
  free(v);
  /* The query keeps its tables for later requests. */
  v = command_text(client, q);
  assert_string_equal(v, "6\t['x','y']\t4\n");
  free(v);
  chc_query_free(q);
  chc_client_free(client);
}

static void test_external_binary_safe(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  /* RowBinary: String = varint length + bytes. Values with NUL, CR LF, a multipart delimiter look-
     alike and every byte value. */
  unsigned char rb[1024];
  size_t n = 0;
  static const char v1[] = "a\0b\r\n--chconnect-0000\r\n\"";
  rb[n++] = sizeof v1 - 1;
  memcpy(rb + n, v1, sizeof v1 - 1);
  n += sizeof v1 - 1;
  rb[n++] = 0; /* empty string */
  rb[n++] = 0x80;
  rb[n++] = 0x02; /* 256 bytes: 0x00..0xff */
  for (int i = 0; i < 256; ++i) rb[n++] = (unsigned char)i;
  chc_query* q = test_query("SELECT length(s), hex(s) FROM bin");
  assert_int_equal(chc_query_add_external(q, "bin", "s String", NULL, "RowBinary", rb, n, NULL), CHC_OK);
  char* v = command_text(client, q);
  char want[2048];
  size_t w = (size_t)sprintf(want, "%zu\t", sizeof v1 - 1);
  for (size_t i = 0; i < sizeof v1 - 1; ++i) w += (size_t)sprintf(want + w, "%02X", (unsigned char)v1[i]);
  w += (size_t)sprintf(want + w, "\n0\t\n256\t");
  for (int i = 0; i < 256; ++i) w += (size_t)sprintf(want + w, "%02X", i);
  sprintf(want + w, "\n");
  assert_string_equal(v, want);
  free(v);
  chc_query_free(q);

  /* Native bytes made by the server go back to it as an external table. */
  q = test_query(
      "SELECT toUInt32(number) AS a, concat('v\\0', toString(number)) AS s FROM numbers(1000) FORMAT Native");
  chc_response* r = NULL;
  assert_int_equal(chc_client_command(client, q, &r, NULL), CHC_OK);
  chc_query_free(q);
  size_t len = 0;
  const char* native = chc_response_body(r, &len);
  assert_true(len > 6000);
  assert_non_null(memchr(native, 0, len));
  q = test_query("SELECT count(), sum(a), countIf(s = concat('v\\0', toString(a))) FROM nat");
  assert_int_equal(chc_query_add_external(q, "nat", "a UInt32, s String", NULL, "Native", native, len, NULL), CHC_OK);
  chc_response_free(r);
  v = command_text(client, q);
  assert_string_equal(v, "1000\t499500\t1000\n");
  free(v);
  chc_query_free(q);
  chc_client_free(client);
}

static void test_external_long_sql(void** state) {
  (void)state;
  /* 20 KiB of SQL: more than 18.16 takes in a URL, so it goes in the `query` form field. */
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  size_t pad = 20000;
  char* sql = malloc(pad + 64);
  size_t n = (size_t)sprintf(sql, "SELECT sum(a) FROM ext /* ");
  memset(sql + n, 'x', pad);
  n += pad;
  strcpy(sql + n, " */");
  chc_query* q = chc_query_new(sql, strlen(sql));
  static const char data[] = "5\n6\n";
  assert_int_equal(chc_query_add_external(q, "ext", "a Int32", NULL, NULL, data, sizeof data - 1, NULL), CHC_OK);
  char* v = command_text(client, q);
  assert_string_equal(v, "11\n");
  free(v);
  chc_query_free(q);
  free(sql);
  chc_client_free(client);
}

static void test_external_errors(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  static const char data[] = "1\n";
  chc_error* err = NULL;

  /* The server refuses the structure: its error comes back and the client stays usable. */
  chc_query* q = test_query("SELECT * FROM bad");
  assert_int_equal(chc_query_add_external(q, "bad", "a NoSuchType", NULL, NULL, data, 2, NULL), CHC_OK);
  chc_response* r = NULL;
  {
    chc_status st_ = chc_client_command(client, q, &r, &err);
    expect_status(st_, err, CHC_E_SERVER);
  }
  printf("# bad structure: %d %s\n", chc_error_server_code(err), chc_error_message(err));
  assert_int_equal(chc_error_server_code(err), 50); /* UNKNOWN_TYPE */
  assert_non_null(strstr(chc_error_message(err), "NoSuchType"));
  chc_error_free(err);
  err = NULL;
  chc_result* res = NULL;
  {
    chc_status st_ = chc_client_query(client, q, &res, &err);
    expect_status(st_, err, CHC_E_SERVER);
  }
  chc_error_free(err);
  err = NULL;
  chc_query_free(q);
  test_assert_client_usable(client);

  /* Data that does not parse as the structure. */
  q = test_query("SELECT * FROM nums");
  assert_int_equal(chc_query_add_external(q, "nums", "a UInt32", NULL, NULL, "abc\n", 4, NULL), CHC_OK);
  {
    chc_status st_ = chc_client_command(client, q, &r, &err);
    expect_status(st_, err, CHC_E_SERVER);
  }
  printf("# unparsable data: %d %s\n", chc_error_server_code(err), chc_error_message(err));
  chc_error_free(err);
  err = NULL;
  chc_query_free(q);
  test_assert_client_usable(client);

  /* Argument checks. */
  q = test_query("SELECT 1");
  assert_int_equal(chc_query_add_external(NULL, "t", "a UInt8", NULL, NULL, data, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, NULL, "a UInt8", NULL, NULL, data, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, "t", "a UInt8", NULL, NULL, NULL, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, "t", NULL, NULL, NULL, data, 2, &err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(strstr(chc_error_message(err), "neither"));
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_query_add_external(q, "t", "a UInt8", "UInt8", NULL, data, 2, &err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(strstr(chc_error_message(err), "both"));
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_query_add_external(q, "", "a UInt8", NULL, NULL, data, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, "query", "a UInt8", NULL, NULL, data, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, "a\"b", "a UInt8", NULL, NULL, data, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, "a\r\nb", "a UInt8", NULL, NULL, data, 2, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_add_external(q, "t", "a UInt8", NULL, NULL, data, 2, NULL), CHC_OK);
  assert_int_equal(chc_query_add_external(q, "t", "a UInt8", NULL, NULL, data, 2, &err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(strstr(chc_error_message(err), "already"));
  chc_error_free(err);
  err = NULL;

  /* Not with inserts, not with settings the server would take for table options. */
  assert_int_equal(chc_client_insert_raw(client, q, data, 2, NULL, &err), CHC_E_NOT_SUPPORTED);
  chc_error_free(err);
  err = NULL;
  chc_insert* ins = NULL;
  assert_int_equal(chc_client_insert_begin(client, "system.numbers", NULL, 0, q, &ins, NULL), CHC_E_NOT_SUPPORTED);
  assert_null(ins);
  assert_int_equal(chc_query_set(q, "setting.date_time_input_format", "best_effort", NULL), CHC_OK);
  {
    chc_status st_ = chc_client_command(client, q, &r, &err);
    expect_status(st_, err, CHC_E_NOT_SUPPORTED);
  }
  assert_non_null(strstr(chc_error_message(err), "date_time_input_format"));
  chc_error_free(err);
  chc_query_free(q);
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* ---- proxies ---------------------------------------------------------------------------------------- */

static void clear_proxy_env(void) {
  static const char* const names[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                      "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) unsetenv(names[i]);
}

static void test_proxy_from_environment(void** state) {
  (void)state;
  relay_double* d = relay_start(1);
  char proxy[64], line[4096];
  snprintf(proxy, sizeof proxy, "http://127.0.0.1:%u", d->port);
  clear_proxy_env();
  setenv("http_proxy", proxy, 1);

  /* No proxy key: libcurl takes http_proxy. */
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  test_assert_client_usable(client);
  assert_int_equal(relay_relayed(d), 1);
  relay_request_line(d, 0, line, sizeof line);
  char want[64];
  snprintf(want, sizeof want, "POST http://127.0.0.1:%s/?", test_env("CHC_TEST_HTTP_PORT"));
  assert_true(strncmp(line, want, strlen(want)) == 0); /* absolute-form: a proxy request */
  chc_client_free(client);

  /* no_proxy lists the host: direct. */
  setenv("no_proxy", "localhost,127.0.0.1", 1);
  client = test_client("CHC_TEST_URL", NULL);
  test_assert_client_usable(client);
  assert_int_equal(relay_relayed(d), 1);
  chc_client_free(client);

  /* HTTP_PROXY (upper case) is never read for http (curl's rule against the CGI "Proxy:" header). */
  clear_proxy_env();
  setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
  client = test_client("CHC_TEST_URL", NULL);
  test_assert_client_usable(client);
  chc_client_free(client);

  /* A dead proxy in http_proxy: the request fails to connect (the environment is really used). */
  clear_proxy_env();
  setenv("http_proxy", "http://127.0.0.1:1", 1);
  client = test_client("CHC_TEST_URL", NULL);
  chc_error* err = test_command_error(client, "SELECT 1");
  assert_int_equal(chc_error_status(err), CHC_E_IO);
  chc_error_free(err);
  chc_client_free(client);
  clear_proxy_env();
  relay_stop(d);
}

static void test_explicit_proxy_wins(void** state) {
  (void)state;
  relay_double* d = relay_start(1);
  char proxy[64];
  snprintf(proxy, sizeof proxy, "http://127.0.0.1:%u", d->port);
  clear_proxy_env();
  setenv("http_proxy", "http://127.0.0.1:1", 1);
  setenv("no_proxy", "127.0.0.1", 1);

  /* The proxy key beats http_proxy and no_proxy. */
  chc_client* client = test_client("CHC_TEST_URL", "proxy", proxy, NULL);
  test_assert_client_usable(client);
  test_assert_client_usable(client);
  assert_int_equal(relay_relayed(d), 2);
  chc_client_free(client);

  /* proxy = "": no proxy at all, the environment is ignored. */
  unsetenv("no_proxy");
  client = test_client("CHC_TEST_URL", "proxy", "", NULL);
  test_assert_client_usable(client);
  assert_int_equal(relay_relayed(d), 2);
  chc_client_free(client);

  /* A proxy password never shows in errors. */
  client = test_client("CHC_TEST_URL", "proxy", "http://puser:proxy_secret_pw@127.0.0.1:1", NULL);
  chc_error* err = test_command_error(client, "SELECT 1");
  assert_int_equal(chc_error_status(err), CHC_E_IO);
  assert_null(strstr(chc_error_message(err), "proxy_secret_pw"));
  chc_error_free(err);
  chc_client_free(client);
  clear_proxy_env();
  relay_stop(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_query_retried_on_503_then_answered),
      cmocka_unit_test(test_retries_used_up),
      cmocka_unit_test(test_command_not_retried_unless_asked),
      cmocka_unit_test(test_protocol_probe_failure_not_cached),
      cmocka_unit_test(test_insert_resent_whole),
      cmocka_unit_test(test_no_retry_after_body_delivered),
      cmocka_unit_test(test_role_url_parameters),
      cmocka_unit_test(test_role_reaches_real_server),
      cmocka_unit_test(test_custom_headers_sent),
      cmocka_unit_test(test_header_injection_rejected),
      cmocka_unit_test(test_headers_reach_real_server),
      cmocka_unit_test(test_external_select_star),
      cmocka_unit_test(test_external_request_shape),
      cmocka_unit_test(test_external_join_with_real_table),
      cmocka_unit_test(test_external_several_tables),
      cmocka_unit_test(test_external_binary_safe),
      cmocka_unit_test(test_external_long_sql),
      cmocka_unit_test(test_external_errors),
      cmocka_unit_test(test_proxy_from_environment),
      cmocka_unit_test(test_explicit_proxy_wins),
  };
  return cmocka_run_group_tests_name("transport_options", tests, NULL, NULL);
}
