/* Progress callbacks and cancellation through the C ABI, against the real ClickHouse server started
 * by tests/server/start.sh (env CHC_TEST_*).
 *
 * Debian's 18.16 build never sends X-ClickHouse-Progress (its HTTP library lacks the ClickHouse
 * patch that writes them), so the header path is checked with ReplayServerForProgressHeaders: a
 * local loopback HTTP server that answers with progress headers in the shape newer servers (and
 * 18.x, with total_rows) send them. Everything else runs against the real server. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static chc_client* client_http(void) { return test_client("CHC_TEST_URL", NULL); }

/* ---- progress recorder ---------------------------------------------------------------------- */

typedef struct {
  int calls;
  int64_t received[4096];
  int64_t read_rows[64];
  int n_read_rows;
  int64_t last_sent;
  int64_t total_rows;
  int64_t progress_headers;
  int cancel_after_bytes; /* >0: return 1 once received_bytes exceeds it */
  int cancelled_calls;
  int seen_headers; /* progress_headers as of the last call, for another thread (atomic access) */
} recorder;

static int on_progress(void* ctx, const chc_progress* p) {
  recorder* r = ctx;
  int64_t v = 0;
  assert_int_equal(chc_progress_value(p, "received_bytes", &v, NULL), CHC_OK);
  if (r->calls < 4096) r->received[r->calls] = v;
  r->calls++;
  assert_int_equal(chc_progress_value(p, "sent_bytes", &r->last_sent, NULL), CHC_OK);
  assert_int_equal(chc_progress_value(p, "progress_headers", &r->progress_headers, NULL), CHC_OK);
  __atomic_store_n(&r->seen_headers, (int)r->progress_headers, __ATOMIC_RELEASE);
  if (chc_progress_value(p, "read_rows", &v, NULL) == CHC_OK && r->n_read_rows < 64) {
    if (r->n_read_rows == 0 || r->read_rows[r->n_read_rows - 1] != v) r->read_rows[r->n_read_rows++] = v;
  }
  chc_progress_value(p, "total_rows", &r->total_rows, NULL);
  chc_error* err = NULL;
  assert_int_equal(chc_progress_value(p, "no_such_field", &v, &err), CHC_E_NOT_FOUND);
  chc_error_free(err);
  if (r->cancel_after_bytes > 0 && r->received[r->calls > 4096 ? 4095 : r->calls - 1] > r->cancel_after_bytes) {
    r->cancelled_calls++;
    return 1;
  }
  return 0;
}

/* ---- progress against the real server ---------------------------------------------------------- */

static void test_progress_tracks_received_bytes(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_query* q = test_query("SELECT number FROM numbers(3000000)");
  recorder* rec = calloc(1, sizeof *rec);
  assert_int_equal(chc_query_set_progress(q, on_progress, rec, NULL), CHC_OK);
  chc_result* res = NULL;
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  int calls_after_query = rec->calls;
  chc_block* b = NULL;
  size_t rows = 0;
  while (chc_result_next(res, &b, NULL) == CHC_OK && b) {
    rows += chc_block_row_count(b);
    chc_block_free(b);
  }
  assert_int_equal(rows, 3000000);
  assert_true(rec->calls > calls_after_query + 2); /* fired during chc_result_next */
  for (int i = 1; i < rec->calls && i < 4096; ++i) assert_true(rec->received[i] >= rec->received[i - 1]);
  int last = rec->calls < 4096 ? rec->calls - 1 : 4095;
  assert_true(rec->received[last] >= 24000000); /* 3e6 UInt64 values, uncompressed at least */
  printf("# %d progress calls, %lld body bytes, %lld progress headers\n", rec->calls, (long long)rec->received[last],
         (long long)rec->progress_headers);
  chc_result_free(res);
  chc_query_free(q);
  free(rec);
  chc_client_free(client);
}

static void test_progress_callback_cancels(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_query* q = test_query("SELECT number FROM numbers(20000000)");
  recorder* rec = calloc(1, sizeof *rec);
  rec->cancel_after_bytes = 2 << 20;
  assert_int_equal(chc_query_set_progress(q, on_progress, rec, NULL), CHC_OK);
  chc_result* res = NULL;
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  chc_block* b = NULL;
  chc_status st;
  size_t rows = 0;
  chc_error* err = NULL;
  while ((st = chc_result_next(res, &b, &err)) == CHC_OK && b) {
    rows += chc_block_row_count(b);
    chc_block_free(b);
  }
  assert_int_equal(st, CHC_E_CANCELLED);
  assert_null(b);
  assert_int_equal(chc_error_status(err), CHC_E_CANCELLED);
  assert_true(strlen(chc_error_query_id(err)) > 0);
  chc_error_free(err);
  assert_int_equal(rec->cancelled_calls, 1);
  assert_true(rows < 20000000);
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_E_CANCELLED); /* sticky */
  chc_result_free(res);
  test_assert_client_usable(client);

  /* Removing the callback: the query runs to the end. */
  assert_int_equal(chc_query_set_progress(q, NULL, NULL, NULL), CHC_OK);
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  rows = 0;
  while (chc_result_next(res, &b, NULL) == CHC_OK && b) {
    rows += chc_block_row_count(b);
    chc_block_free(b);
  }
  assert_int_equal(rows, 20000000);
  chc_result_free(res);
  chc_query_free(q);
  free(rec);
  chc_client_free(client);
}

static void test_progress_on_command_and_insert(void** state) {
  (void)state;
  chc_client* client = client_http();
  char sql[256];
  const char* table = test_unique_name("progress_ins");
  snprintf(sql, sizeof sql, "CREATE TABLE %s (x UInt64) ENGINE = Memory", table);
  test_command(client, sql);

  recorder* rec = calloc(1, sizeof *rec);
  chc_query* q = test_query("SELECT number FROM numbers(100000) FORMAT TabSeparated");
  assert_int_equal(chc_query_set_progress(q, on_progress, rec, NULL), CHC_OK);
  chc_response* r = NULL;
  assert_int_equal(chc_client_command(client, q, &r, NULL), CHC_OK);
  assert_true(rec->calls >= 1);
  int last = rec->calls < 4096 ? rec->calls - 1 : 4095;
  size_t len = 0;
  chc_response_body(r, &len);
  assert_true(rec->received[last] > 0);
  chc_response_free(r);
  chc_query_free(q);

  /* A raw insert: sent_bytes reports the upload. */
  memset(rec, 0, sizeof *rec);
  snprintf(sql, sizeof sql, "INSERT INTO %s FORMAT TabSeparated", table);
  q = test_query(sql);
  assert_int_equal(chc_query_set_progress(q, on_progress, rec, NULL), CHC_OK);
  static char body[200000];
  size_t n = 0;
  for (int i = 0; i < 20000; ++i) n += (size_t)snprintf(body + n, sizeof body - n, "%d\n", i);
  assert_int_equal(chc_client_insert_raw(client, q, body, n, NULL, NULL), CHC_OK);
  assert_true(rec->calls >= 1);
  assert_true(rec->last_sent > 0);
  chc_query_free(q);

  /* chc_insert_finish with the callback in the options; a callback that cancels fails the insert. */
  memset(rec, 0, sizeof *rec);
  q = test_query("");
  assert_int_equal(chc_query_set_progress(q, on_progress, rec, NULL), CHC_OK);
  chc_insert* ins = NULL;
  assert_int_equal(chc_client_insert_begin(client, table, NULL, 0, q, &ins, NULL), CHC_OK);
  for (uint64_t i = 0; i < 1000; ++i)
    assert_int_equal(chc_builder_append_uint64(chc_insert_builder(ins, 0), i, NULL), CHC_OK);
  assert_int_equal(rec->calls, 0); /* not for the DESCRIBE TABLE of chc_client_insert_begin */
  int calls_before = rec->calls;
  assert_int_equal(chc_insert_finish(ins, NULL, NULL), CHC_OK);
  assert_true(rec->calls > calls_before);
  assert_true(rec->last_sent > 0);
  chc_insert_free(ins);
  chc_query_free(q);
  free(rec);

  snprintf(sql, sizeof sql, "DROP TABLE %s", table);
  test_command(client, sql);
  chc_client_free(client);
}

/* ---- progress headers: a local replay of what servers with the header hook send ------------------- */

typedef struct {
  int listen_fd;
  uint16_t port;
  pthread_t thread;
  char request[8192];
  recorder* rec; /* the client's recorder: each progress header waits until the previous one was seen */
} replay_server;

/* Waits (at most 5 s) until the client's progress callback has seen `n` progress headers. A fixed
   pause between the headers is not enough: a client thread that is not scheduled for that long
   (a loaded machine) reads several headers in one go and gets one callback for all of them. */
static void replay_wait_seen(replay_server* s, int n) {
  double deadline = test_now_s() + 5.0;
  while (__atomic_load_n(&s->rec->seen_headers, __ATOMIC_ACQUIRE) < n && test_now_s() < deadline) test_sleep_ms(2);
}

/* ReplayServerForProgressHeaders: answers one request with three X-ClickHouse-Progress headers
 * (19.x+ field names with string values, plus 18.x's total_rows), each sent once the client has
 * reported the previous one, and an empty Native body. */
static void* replay_main(void* arg) {
  replay_server* s = arg;
  int fd = accept(s->listen_fd, NULL, NULL);
  if (fd < 0) return NULL;
  test_read_http_request(fd, s->request, sizeof s->request);
  static const char* const parts[] = {
      "HTTP/1.1 200 OK\r\nX-ClickHouse-Query-Id: replayed\r\n",
      "X-ClickHouse-Progress: {\"read_rows\":\"10\",\"read_bytes\":\"80\",\"total_rows\":\"30\"}\r\n",
      "X-ClickHouse-Progress: "
      "{\"read_rows\":\"20\",\"read_bytes\":\"160\",\"written_rows\":\"0\",\"written_bytes\":\"0\","
      "\"total_rows_to_read\":\"30\"}\r\n",
      "x-clickhouse-progress: {\"read_rows\":30,\"read_bytes\":240, \"elapsed_ns\":\"5000\", \"junk\": [1,2]}\r\n",
      "X-ClickHouse-Summary: {\"read_rows\":\"30\",\"read_bytes\":\"240\"}\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
    if (i >= 2) replay_wait_seen(s, (int)i - 1); /* parts 1..3 are the progress headers */
    send(fd, parts[i], strlen(parts[i]), MSG_NOSIGNAL);
  }
  test_sleep_ms(50);
  close(fd);
  return NULL;
}

static void replay_start(replay_server* s, recorder* rec) {
  memset(s, 0, sizeof *s);
  s->rec = rec;
  s->listen_fd = test_listen_loopback(4, &s->port);
  assert_int_equal(pthread_create(&s->thread, NULL, replay_main, s), 0);
}

static void replay_stop(replay_server* s) {
  pthread_join(s->thread, NULL);
  close(s->listen_fd);
}

static void test_progress_headers_parsed(void** state) {
  (void)state;
  recorder* rec = calloc(1, sizeof *rec);
  replay_server srv;
  replay_start(&srv, rec);
  chc_config* cfg = chc_config_new();
  char port[16];
  snprintf(port, sizeof port, "%u", srv.port);
  assert_int_equal(chc_config_set(cfg, "host", "127.0.0.1", NULL), CHC_OK);
  assert_int_equal(chc_config_set(cfg, "port", port, NULL), CHC_OK);
  assert_int_equal(chc_config_set(cfg, "compress", "none", NULL), CHC_OK);
  /* The replay answers one request: no client_protocol_version probe before it. */
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "0", NULL), CHC_OK);
  chc_client* client = NULL;
  assert_int_equal(chc_client_open(cfg, &client, NULL), CHC_OK);
  chc_config_free(cfg);

  chc_query* q = test_query("SELECT 1");
  assert_int_equal(chc_query_set(q, "progress_interval_ms", "50", NULL), CHC_OK);
  chc_error* err = NULL;
  assert_int_equal(chc_query_set(q, "progress_interval_ms", "-5", &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  assert_int_equal(chc_query_set_progress(q, on_progress, rec, NULL), CHC_OK);
  chc_result* res = NULL;
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  chc_block* b = NULL;
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_OK);
  assert_null(b);
  chc_result_free(res);
  replay_stop(&srv);

  assert_non_null(strstr(srv.request, "send_progress_in_http_headers=1"));
  assert_non_null(strstr(srv.request, "http_headers_progress_interval_ms=50"));
  assert_true(rec->n_read_rows >= 2);
  for (int i = 1; i < rec->n_read_rows; ++i) assert_true(rec->read_rows[i] > rec->read_rows[i - 1]);
  assert_int_equal(rec->read_rows[rec->n_read_rows - 1], 30);
  assert_int_equal(rec->total_rows, 30);
  assert_int_equal(rec->progress_headers, 3);
  free(rec);
  chc_query_free(q);
  chc_client_free(client);
}

/* ---- chc_result_cancel ------------------------------------------------------------------------ */

typedef struct {
  chc_result* res;
  int delay_ms;
  double cancelled_at;
} canceller;

static void* cancel_main(void* arg) {
  canceller* c = arg;
  test_sleep_ms(c->delay_ms);
  c->cancelled_at = test_now_s();
  chc_result_cancel(c->res);
  return NULL;
}

static void test_result_cancel_from_other_thread(void** state) {
  (void)state;
  chc_client* client = client_http();
  /* Blocks of 200000 UInt64 (1.6 MB, more than the server's 1 MB output buffer), one every 3 s:
     the headers come with the first block; reading the second block blocks for ~3 s. */
  chc_query* q = test_query("SELECT number FROM system.numbers WHERE sleep(3) = 0 LIMIT 4000000");
  assert_int_equal(chc_query_set(q, "setting.max_block_size", "200000", NULL), CHC_OK);
  assert_int_equal(chc_query_set(q, "setting.max_threads", "1", NULL), CHC_OK);
  chc_result* res = NULL;
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  canceller c = {res, 700, 0};
  pthread_t t;
  double start = test_now_s();
  assert_int_equal(pthread_create(&t, NULL, cancel_main, &c), 0);
  chc_block* b = NULL;
  chc_status st;
  chc_error* err = NULL;
  int blocks = 0;
  while ((st = chc_result_next(res, &b, &err)) == CHC_OK && b) {
    ++blocks;
    chc_block_free(b);
  }
  double ended = test_now_s();
  pthread_join(t, NULL);
  assert_int_equal(st, CHC_E_CANCELLED);
  chc_error_free(err);
  printf("# %d blocks before cancel; next returned %.3f s after chc_result_cancel (%.3f s in total)\n", blocks,
         ended - c.cancelled_at, ended - start);
  assert_true(ended - c.cancelled_at < 1.0);
  assert_true(blocks < 20);
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_E_CANCELLED);
  chc_result_cancel(res); /* idempotent */
  chc_result_free(res);
  chc_query_free(q);
  test_assert_client_usable(client);
  chc_client_free(client);
}

static void test_cancel_before_next_and_after_end(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_result_cancel(NULL);
  int64_t v = 0;
  assert_int_equal(chc_progress_value(NULL, "read_rows", &v, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_set_progress(NULL, on_progress, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  chc_query* q = test_query("SELECT number FROM numbers(10)");
  chc_result* res = NULL;
  chc_block* b = NULL;

  /* Cancelled before the first chc_result_next. */
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  chc_result_cancel(res);
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_E_CANCELLED);
  assert_null(b);
  chc_result_free(res);

  /* Cancelled after the end: harmless, the end stays the end. */
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  size_t rows = 0;
  while (chc_result_next(res, &b, NULL) == CHC_OK && b) {
    rows += chc_block_row_count(b);
    chc_block_free(b);
  }
  assert_int_equal(rows, 10);
  chc_result_cancel(res);
  chc_result_cancel(res);
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_OK);
  assert_null(b);
  chc_result_free(res);
  chc_query_free(q);
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* ---- chc_client_kill_query -------------------------------------------------------------------- */

typedef struct {
  chc_client* client;
  const char* query_id;
  chc_status status;
  int32_t server_code;
  double ended;
} long_query;

static void* long_query_main(void* arg) {
  long_query* lq = arg;
  chc_query* q = test_query("SELECT count() FROM numbers(100000000000) WHERE NOT ignore(sipHash64(toString(number)))");
  chc_query_set(q, "query_id", lq->query_id, NULL);
  chc_query_set(q, "setting.max_execution_time", "30", NULL); /* safety net if the kill fails */
  chc_result* res = NULL;
  chc_error* err = NULL;
  lq->status = chc_client_query(lq->client, q, &res, &err);
  if (lq->status == CHC_OK) {
    chc_block* b = NULL;
    while ((lq->status = chc_result_next(res, &b, &err)) == CHC_OK && b) chc_block_free(b);
  }
  if (err) lq->server_code = chc_error_server_code(err);
  lq->ended = test_now_s();
  chc_error_free(err);
  chc_result_free(res);
  chc_query_free(q);
  return NULL;
}

/* Whether the server lists a query with this id in system.processes. */
static int query_is_running(chc_client* client, const char* query_id) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count() FROM system.processes WHERE query_id = '%s'", query_id);
  chc_query* q = test_query(sql);
  chc_response* r = NULL;
  chc_error* err = NULL;
  if (chc_client_command(client, q, &r, &err) != CHC_OK) fail_msg("%s: %s", sql, chc_error_message(err));
  int running = strcmp(chc_response_body(r, NULL), "0\n") != 0;
  chc_response_free(r);
  chc_query_free(q);
  return running;
}

static void test_kill_query(void** state) {
  (void)state;
  chc_client* client = client_http();
  long_query lq = {client, test_unique_name("kill_me"), CHC_OK, 0, 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, long_query_main, &lq), 0);
  /* KILL QUERY finds only a query the server has registered: wait for it in system.processes
     (a fixed pause can end before the request reached a busy server, and the kill then misses). */
  double deadline = test_now_s() + 20.0;
  while (!query_is_running(client, lq.query_id)) {
    if (test_now_s() > deadline) fail_msg("query %s never showed up in system.processes", lq.query_id);
    test_sleep_ms(20);
  }
  double killed_at = test_now_s();
  chc_error* err = NULL;
  chc_status st = chc_client_kill_query(client, lq.query_id, &err);
  if (st != CHC_OK) fail_msg("kill: %s", chc_error_message(err));
  pthread_join(t, NULL);
  printf("# killed query ended %.3f s after KILL QUERY: %s, server code %d\n", lq.ended - killed_at,
         chc_status_name(lq.status), lq.server_code);
  assert_int_equal(lq.status, CHC_E_SERVER);
  assert_int_equal(lq.server_code, 394); /* QUERY_WAS_CANCELLED */
  assert_true(lq.ended - killed_at < 10.0);

  /* Unknown ids, quotes and backslashes are fine; bad arguments are not. */
  assert_int_equal(chc_client_kill_query(client, "no such query ' \\ x", NULL), CHC_OK);
  assert_int_equal(chc_client_kill_query(client, "", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_kill_query(client, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_kill_query(NULL, "x", NULL), CHC_E_INVALID_ARGUMENT);
  test_assert_client_usable(client);
  chc_client_free(client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_progress_tracks_received_bytes),
      cmocka_unit_test(test_progress_callback_cancels),
      cmocka_unit_test(test_progress_on_command_and_insert),
      cmocka_unit_test(test_progress_headers_parsed),
      cmocka_unit_test(test_result_cancel_from_other_thread),
      cmocka_unit_test(test_cancel_before_next_and_after_end),
      cmocka_unit_test(test_kill_query),
  };
  return cmocka_run_group_tests_name("progress_cancel", tests, NULL, NULL);
}
