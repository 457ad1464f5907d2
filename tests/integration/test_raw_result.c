/* chc_client_query_raw / chc_raw_result_*: a query's body as bytes, read incrementally, against the
 * real ClickHouse server started by tests/server/start.sh (env CHC_TEST_*).
 *
 * 18.16 reports a failure after the body started as plain text ("Code: 395, e.displayText() = ...")
 * appended to the body of a chunked response that then ends normally; that case runs against the
 * real server. The 25.11+ tagged exception block and a connection cut before the last chunk cannot
 * be made by 18.16: a local one-shot HTTP server (ReplayServerForRawBodies) answers with those
 * bytes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"

static chc_client* client_http(void) { return test_client("CHC_TEST_URL", NULL); }

/* Growing byte buffer. */
typedef struct {
  char* data;
  size_t len, cap;
} bytes;

static void bytes_append(bytes* b, const void* p, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2;
    b->data = realloc(b->data, b->cap);
    assert_non_null(b->data);
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

/* Reads a raw result until the end or an error, with read sizes cycling through `caps`; returns the
   status of the last read and the error (if any) in *err. */
static chc_status read_all(chc_raw_result* raw, bytes* out, const size_t* caps, size_t ncaps, chc_error** err) {
  static char buf[1 << 17];
  for (size_t i = 0;; ++i) {
    size_t cap = caps[i % ncaps], n = 12345;
    chc_status st = chc_raw_result_read(raw, buf, cap, &n, err);
    if (st != CHC_OK) {
      assert_int_equal(n, 0);
      return st;
    }
    assert_true(n <= cap);
    if (n == 0) return CHC_OK;
    bytes_append(out, buf, n);
  }
}

static char* command_body(chc_client* client, const char* sql, size_t* len) {
  chc_query* q = test_query(sql);
  chc_response* r = NULL;
  chc_error* err = NULL;
  if (chc_client_command(client, q, &r, &err) != CHC_OK) fail_msg("command: %s", chc_error_message(err));
  const char* body = chc_response_body(r, len);
  char* copy = malloc(*len + 1);
  memcpy(copy, body, *len + 1);
  chc_response_free(r);
  chc_query_free(q);
  return copy;
}

static const char* kCsvSql =
    "SELECT number, toString(number * 7), 'text, \"quoted\"', number % 3 = 0 FROM numbers(300000) FORMAT CSV";

static void check_equals_command(chc_client* client, const char* sql, const size_t* caps, size_t ncaps) {
  size_t expected_len = 0;
  char* expected = command_body(client, sql, &expected_len);
  chc_query* q = test_query(sql);
  chc_raw_result* raw = NULL;
  chc_error* err = NULL;
  if (chc_client_query_raw(client, q, &raw, &err) != CHC_OK) fail_msg("query_raw: %s", chc_error_message(err));
  assert_true(strlen(chc_raw_result_query_id(raw)) > 0);
  bytes got = {0};
  if (read_all(raw, &got, caps, ncaps, &err) != CHC_OK) fail_msg("read: %s", chc_error_message(err));
  assert_int_equal(got.len, expected_len);
  assert_memory_equal(got.data, expected, expected_len);
  /* after the end: 0 bytes again, CHC_OK */
  char b[8];
  size_t n = 99;
  assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, NULL), CHC_OK);
  assert_int_equal(n, 0);
  assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, NULL), CHC_OK);
  assert_int_equal(n, 0);
  chc_raw_result_cancel(raw); /* harmless after the end */
  assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, NULL), CHC_OK);
  assert_int_equal(n, 0);
  chc_raw_result_free(raw);
  chc_query_free(q);
  free(got.data);
  free(expected);
}

/* A multi-MB CSV answer read in pieces of many sizes equals the buffered command body. */
static void test_raw_small_reads_equal_whole_body(void** state) {
  (void)state;
  chc_client* client = client_http();
  const size_t caps[] = {1, 13, 1000, 4096, 70001, 131072, 2};
  check_equals_command(client, kCsvSql, caps, sizeof caps / sizeof caps[0]);
  /* other formats, incl. binary ones whose bytes may contain anything */
  const size_t big[] = {65536};
  check_equals_command(client, "SELECT number, toString(number) FROM numbers(200000) FORMAT RowBinary", big, 1);
  check_equals_command(client, "SELECT number, [number, 1] AS a FROM numbers(50000) FORMAT JSONEachRow", big, 1);
  check_equals_command(client, "SELECT number FROM numbers(10)", caps, 2); /* default TabSeparated */
  check_equals_command(client, "SELECT 1 WHERE 0 FORMAT CSV", big, 1);     /* empty body */
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* Text that looks like the start of an exception but is data is delivered unchanged. */
static void test_raw_exception_lookalikes_are_data(void** state) {
  (void)state;
  chc_client* client = client_http();
  const size_t caps[] = {3, 4096};
  check_equals_command(
      client, "SELECT concat('Code: ', toString(number), ', not an error') FROM numbers(1000) FORMAT TSV", caps, 2);
  check_equals_command(client, "SELECT 'Code: 1' FORMAT TSV", caps, 2);
  check_equals_command(client, "SELECT 'line\\r\\n__exception' FORMAT TSVRaw", caps, 2);
  chc_client_free(client);
}

/* Content-Encoding is decoded: gzip from the server gives the same bytes. */
static void test_raw_gzip(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", "compress", "gzip", NULL);
  const size_t caps[] = {65536, 7};
  check_equals_command(client, kCsvSql, caps, 2);
  chc_client_free(client);
}

static void test_raw_error_before_body(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_query* q = test_query("SELECT * FROM no_such_table_raw FORMAT CSV");
  assert_int_equal(chc_query_set(q, "query_id", "raw-before-body", NULL), CHC_OK);
  chc_raw_result* raw = (chc_raw_result*)1;
  chc_error* err = NULL;
  assert_int_equal(chc_client_query_raw(client, q, &raw, &err), CHC_E_SERVER);
  assert_int_equal(chc_error_server_code(err), 60);
  assert_int_equal(chc_error_http_status(err), 404);
  assert_string_equal(chc_error_query_id(err), "raw-before-body");
  chc_error_free(err);
  chc_query_free(q);
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* 18.16 appends "Code: 395, e.displayText() = DB::Exception: ..." to the body and ends the chunked
   stream normally: read returns the rows before it, then CHC_E_SERVER 395, never the text. */
static void check_mid_stream(chc_client* client, const char* format) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT throwIf(number = 100000), number, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' "
           "FROM numbers(200000) FORMAT %s",
           format);
  chc_query* q = test_query(sql);
  assert_int_equal(chc_query_set(q, "setting.max_block_size", "1000", NULL), CHC_OK);
  chc_raw_result* raw = NULL;
  chc_error* err = NULL;
  if (chc_client_query_raw(client, q, &raw, &err) != CHC_OK)
    fail_msg("the failure should come after the body started: %s", chc_error_message(err));
  bytes got = {0};
  const size_t caps[] = {4096, 1, 65536};
  assert_int_equal(read_all(raw, &got, caps, 3, &err), CHC_E_SERVER);
  assert_int_equal(chc_error_server_code(err), 395);
  assert_int_equal(chc_error_http_status(err), 200);
  assert_non_null(strstr(chc_error_message(err), "mid-stream"));
  assert_string_equal(chc_error_query_id(err), chc_raw_result_query_id(raw));
  chc_error_free(err);
  err = NULL;
  assert_true(got.len > 1000000); /* the server streamed rows before failing */
  assert_null(memmem(got.data, got.len, "Code: ", 6));
  if (strcmp(format, "CSV") == 0) assert_int_equal(got.data[got.len - 1], '\n');
  /* sticky */
  char b[16];
  size_t n = 5;
  assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, &err), CHC_E_SERVER);
  assert_int_equal(n, 0);
  assert_int_equal(chc_error_server_code(err), 395);
  chc_error_free(err);
  chc_raw_result_free(raw);
  chc_query_free(q);
  free(got.data);
}

static void test_raw_mid_stream_error(void** state) {
  (void)state;
  chc_client* client = client_http();
  check_mid_stream(client, "CSV");
  check_mid_stream(client, "RowBinary"); /* the text follows binary rows, not a line start */
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* Freeing or cancelling before the end aborts the transfer; the client stays usable. */
static void test_raw_early_free_and_cancel(void** state) {
  (void)state;
  chc_client* client = client_http();
  for (int mode = 0; mode < 2; ++mode) {
    double t0 = test_now_s();
    chc_query* q = test_query("SELECT number, toString(number) FROM system.numbers FORMAT CSV"); /* endless */
    chc_raw_result* raw = NULL;
    assert_int_equal(chc_client_query_raw(client, q, &raw, NULL), CHC_OK);
    char b[1000];
    size_t n = 0, total = 0;
    while (total < 3000000) {
      assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, NULL), CHC_OK);
      assert_true(n > 0);
      total += n;
    }
    if (mode == 1) {
      chc_raw_result_cancel(raw);
      chc_raw_result_cancel(raw);
      chc_error* err = NULL;
      assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, &err), CHC_E_CANCELLED);
      chc_error_free(err);
      assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, NULL), CHC_E_CANCELLED);
    }
    chc_raw_result_free(raw);
    chc_query_free(q);
    assert_true(test_now_s() - t0 < 30);
    test_assert_client_usable(client);
  }
  chc_raw_result_free(NULL);
  chc_raw_result_cancel(NULL);
  assert_string_equal(chc_raw_result_query_id(NULL), "");
  chc_client_free(client);
}

static void test_raw_bad_arguments(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_query* q = test_query("SELECT 1");
  chc_raw_result* raw = NULL;
  chc_error* err = NULL;
  assert_int_equal(chc_client_query_raw(NULL, q, &raw, &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  assert_int_equal(chc_client_query_raw(client, NULL, &raw, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_query_raw(client, q, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_query_raw(client, q, &raw, NULL), CHC_OK);
  char b[4];
  size_t n = 7;
  assert_int_equal(chc_raw_result_read(NULL, b, sizeof b, &n, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(n, 0);
  assert_int_equal(chc_raw_result_read(raw, NULL, sizeof b, &n, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_raw_result_read(raw, b, sizeof b, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_raw_result_read(raw, b, 0, &n, NULL), CHC_E_INVALID_ARGUMENT);
  /* still readable after rejected calls */
  assert_int_equal(chc_raw_result_read(raw, b, sizeof b, &n, NULL), CHC_OK);
  assert_int_equal(n, 2);
  assert_memory_equal(b, "1\n", 2);
  chc_raw_result_free(raw);
  chc_query_free(q);
  chc_client_free(client);
}

/* Progress callbacks fire while reading; a non-zero return cancels. */
static int cancel_after_1mb(void* ctx, const chc_progress* p) {
  int64_t v = 0;
  assert_int_equal(chc_progress_value(p, "received_bytes", &v, NULL), CHC_OK);
  ++*(int*)ctx;
  return v > (1 << 20);
}

static void test_raw_progress_cancels(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_query* q = test_query("SELECT number FROM system.numbers FORMAT CSV");
  int calls = 0;
  assert_int_equal(chc_query_set_progress(q, cancel_after_1mb, &calls, NULL), CHC_OK);
  chc_raw_result* raw = NULL;
  assert_int_equal(chc_client_query_raw(client, q, &raw, NULL), CHC_OK);
  bytes got = {0};
  const size_t caps[] = {65536};
  chc_error* err = NULL;
  assert_int_equal(read_all(raw, &got, caps, 1, &err), CHC_E_CANCELLED);
  chc_error_free(err);
  assert_true(calls > 1);
  assert_true(got.len < (8 << 20));
  chc_raw_result_free(raw);
  chc_query_free(q);
  free(got.data);
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* ---- ReplayServerForRawBodies: one connection, one canned response, then close ---------------- */

typedef struct {
  int listen_fd;
  uint16_t port;
  const char* response;
  pthread_t thread;
} replay_server;

static void* replay_main(void* arg) {
  replay_server* s = arg;
  int fd = accept(s->listen_fd, NULL, NULL);
  if (fd < 0) return NULL;
  char req[65536];
  test_read_http_request(fd, req, sizeof req); /* headers, then the (short) SQL body */
  size_t len = strlen(s->response);
  for (size_t off = 0; off < len;) {
    ssize_t w = send(fd, s->response + off, len - off, MSG_NOSIGNAL);
    if (w <= 0) break;
    off += (size_t)w;
  }
  shutdown(fd, SHUT_WR);
  close(fd);
  return NULL;
}

static void replay_start(replay_server* s, const char* response) {
  s->response = response;
  s->listen_fd = test_listen_loopback(4, &s->port);
  assert_int_equal(pthread_create(&s->thread, NULL, replay_main, s), 0);
}

static void replay_stop(replay_server* s) {
  pthread_join(s->thread, NULL);
  close(s->listen_fd);
}

/* Reads the replayed answer; returns the final status, the bytes and the error. */
static chc_status replay_read(const char* response, bytes* got, chc_error** err) {
  replay_server s;
  replay_start(&s, response);
  char url[128];
  snprintf(url, sizeof url, "http://default:x@127.0.0.1:%d/", s.port);
  chc_config* config = chc_config_new();
  assert_int_equal(chc_config_set_url(config, url, NULL), CHC_OK);
  assert_int_equal(chc_config_set(config, "proxy", "", NULL), CHC_OK);
  chc_client* client = NULL;
  assert_int_equal(chc_client_open(config, &client, NULL), CHC_OK);
  chc_config_free(config);
  chc_query* q = test_query("SELECT replayed FORMAT TSV");
  chc_raw_result* raw = NULL;
  assert_int_equal(chc_client_query_raw(client, q, &raw, NULL), CHC_OK);
  const size_t caps[] = {2, 4096};
  chc_status st = read_all(raw, got, caps, 2, err);
  chc_raw_result_free(raw);
  chc_query_free(q);
  chc_client_free(client);
  replay_stop(&s);
  return st;
}

#define REPLAY_HEADERS                                                                  \
  "HTTP/1.1 200 OK\r\nContent-Type: text/tab-separated-values; charset=UTF-8\r\n"       \
  "X-ClickHouse-Query-Id: replayed\r\nX-ClickHouse-Exception-Tag: abcdefghijklmnop\r\n" \
  "Transfer-Encoding: chunked\r\nConnection: Keep-Alive\r\n\r\n"

/* 25.11+: the tagged exception block, then the stream is cut (no final chunk). */
static void test_raw_replay_tagged_exception(void** state) {
  (void)state;
  /* "1\n2\n" + "\r\n__exception__\r\nabcdefghijklmnop\r\n" + message (112 bytes with its \n) +
     "112 abcdefghijklmnop\r\n__exception__\r\n" */
  static const char* response = REPLAY_HEADERS
      "4\r\n1\n2\n\r\n"
      "b8\r\n\r\n__exception__\r\nabcdefghijklmnop\r\n"
      "Code: 395. DB::Exception: Value passed to 'throwIf' function is non-zero: "
      "(FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)\n"
      "112 abcdefghijklmnop\r\n__exception__\r\n\r\n";
  bytes got = {0};
  chc_error* err = NULL;
  assert_int_equal(replay_read(response, &got, &err), CHC_E_SERVER);
  assert_int_equal(chc_error_server_code(err), 395);
  assert_string_equal(chc_error_server_name(err), "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO");
  assert_string_equal(chc_error_query_id(err), "replayed");
  chc_error_free(err);
  assert_int_equal(got.len, 4);
  assert_memory_equal(got.data, "1\n2\n", 4);
  free(got.data);
}

/* A body cut before its last chunk, with no exception text: CHC_E_IO after the bytes that came. */
static void test_raw_replay_cut_connection(void** state) {
  (void)state;
  static const char* response = REPLAY_HEADERS "6\r\n1\n2\n3\n\r\n";
  bytes got = {0};
  chc_error* err = NULL;
  assert_int_equal(replay_read(response, &got, &err), CHC_E_IO);
  chc_error_free(err);
  assert_int_equal(got.len, 6);
  assert_memory_equal(got.data, "1\n2\n3\n", 6);
  free(got.data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_raw_small_reads_equal_whole_body),
      cmocka_unit_test(test_raw_exception_lookalikes_are_data),
      cmocka_unit_test(test_raw_gzip),
      cmocka_unit_test(test_raw_error_before_body),
      cmocka_unit_test(test_raw_mid_stream_error),
      cmocka_unit_test(test_raw_early_free_and_cancel),
      cmocka_unit_test(test_raw_bad_arguments),
      cmocka_unit_test(test_raw_progress_cancels),
      cmocka_unit_test(test_raw_replay_tagged_exception),
      cmocka_unit_test(test_raw_replay_cut_connection),
  };
  return cmocka_run_group_tests_name("raw_result", tests, NULL, NULL);
}
