/* chc_cancel / chc_query_set_cancel against the real server (CHC_TEST_URL): a switch stops
 * requests made with its query from another thread, also while they still wait for the response,
 * where chc_result_cancel cannot reach. The server sleeps 3 s before answering; a cancelled call
 * must return well before that. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"

#define SLOW_SQL "SELECT sleep(3)"
/* Generous for a loaded 2-core machine; an uncancelled call takes 3 s. */
#define PROMPT_S 1.5

static chc_client* client_http(void) { return test_client("CHC_TEST_URL", NULL); }

typedef struct {
  chc_cancel* cancel;
  int delay_ms;
} trigger_arg;

static void* trigger_later(void* p) {
  trigger_arg* a = p;
  test_sleep_ms(a->delay_ms);
  chc_cancel_trigger(a->cancel);
  return NULL;
}

static chc_query* query_with(const char* sql, chc_cancel* cancel) {
  chc_query* q = test_query(sql);
  assert_int_equal(chc_query_set_cancel(q, cancel, NULL), CHC_OK);
  return q;
}

static void test_command_waiting_for_its_answer(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_cancel* cancel = chc_cancel_new();
  assert_non_null(cancel);
  chc_query* q = query_with(SLOW_SQL, cancel);
  trigger_arg a = {cancel, 300};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, trigger_later, &a), 0);
  double t0 = test_now_s();
  chc_response* r = NULL;
  chc_error* err = NULL;
  assert_int_equal(chc_client_command(client, q, &r, &err), CHC_E_CANCELLED);
  double took = test_now_s() - t0;
  pthread_join(t, NULL);
  assert_null(r);
  chc_error_free(err);
  if (took > PROMPT_S) fail_msg("cancelled command returned after %.2f s", took);
  assert_int_equal(chc_cancel_is_triggered(cancel), 1);
  /* A triggered switch stays triggered: the query fails at once until another is attached. */
  t0 = test_now_s();
  assert_int_equal(chc_client_command(client, q, &r, NULL), CHC_E_CANCELLED);
  assert_true(test_now_s() - t0 < 0.5);
  assert_int_equal(chc_query_set_cancel(q, NULL, NULL), CHC_OK);
  chc_query_free(q);
  chc_cancel_free(cancel);
  test_assert_client_usable(client);
  chc_client_free(client);
}

static void test_query_waiting_for_headers_and_raw(void** state) {
  (void)state;
  chc_client* client = client_http();
  for (int raw = 0; raw < 2; ++raw) {
    chc_cancel* cancel = chc_cancel_new();
    chc_query* q = query_with(SLOW_SQL, cancel);
    chc_cancel_free(cancel); /* the query keeps the switch; the trigger below uses its own copy */
    cancel = NULL;
    chc_cancel* other = chc_cancel_new();
    assert_int_equal(chc_query_set_cancel(q, other, NULL), CHC_OK); /* replaces the first */
    trigger_arg a = {other, 300};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, trigger_later, &a), 0);
    double t0 = test_now_s();
    chc_status st;
    if (raw) {
      chc_raw_result* rr = NULL;
      st = chc_client_query_raw(client, q, &rr, NULL);
      assert_null(rr);
    } else {
      chc_result* res = NULL;
      st = chc_client_query(client, q, &res, NULL);
      assert_null(res);
    }
    double took = test_now_s() - t0;
    pthread_join(t, NULL);
    assert_int_equal(st, CHC_E_CANCELLED);
    if (took > PROMPT_S) fail_msg("cancelled %s returned after %.2f s", raw ? "raw query" : "query", took);
    chc_query_free(q);
    chc_cancel_free(other);
  }
  test_assert_client_usable(client);
  chc_client_free(client);
}

typedef struct {
  chc_client* client;
  chc_cancel* cancel;
  chc_status status;
  double took;
} slow_call;

static void* run_slow(void* p) {
  slow_call* c = p;
  chc_query* q = query_with(SLOW_SQL, c->cancel);
  chc_response* r = NULL;
  double t0 = test_now_s();
  c->status = chc_client_command(c->client, q, &r, NULL);
  c->took = test_now_s() - t0;
  chc_response_free(r);
  chc_query_free(q);
  return NULL;
}

/* One switch on two requests running at the same time on two threads stops both. */
static void test_one_switch_two_threads(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_cancel* cancel = chc_cancel_new();
  slow_call calls[2] = {{client, cancel, CHC_OK, 0}, {client, cancel, CHC_OK, 0}};
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) assert_int_equal(pthread_create(&t[i], NULL, run_slow, &calls[i]), 0);
  test_sleep_ms(400);
  chc_cancel_trigger(cancel);
  for (int i = 0; i < 2; ++i) {
    pthread_join(t[i], NULL);
    assert_int_equal(calls[i].status, CHC_E_CANCELLED);
    if (calls[i].took > PROMPT_S + 0.4) fail_msg("thread %d returned after %.2f s", i, calls[i].took);
  }
  chc_cancel_free(cancel);
  test_assert_client_usable(client);
  chc_client_free(client);
}

/* Reading a result made with the query is cancelled too, as with chc_result_cancel. */
static void test_result_read_cancelled(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_cancel* cancel = chc_cancel_new();
  chc_query* q = query_with("SELECT number FROM system.numbers", cancel);
  assert_int_equal(chc_query_set(q, "setting.max_block_size", "1000", NULL), CHC_OK);
  chc_result* res = NULL;
  assert_int_equal(chc_client_query(client, q, &res, NULL), CHC_OK);
  chc_block* b = NULL;
  assert_int_equal(chc_result_next(res, &b, NULL), CHC_OK);
  assert_non_null(b);
  chc_block_free(b);
  chc_cancel_trigger(cancel);
  chc_status st;
  int blocks = 0;
  /* Blocks already buffered may still come; the stream ends in CHC_E_CANCELLED, not in its end. */
  while ((st = chc_result_next(res, &b, NULL)) == CHC_OK) {
    assert_non_null(b);
    chc_block_free(b);
    assert_true(++blocks < 100000);
  }
  assert_int_equal(st, CHC_E_CANCELLED);
  chc_result_free(res);
  chc_query_free(q);
  chc_cancel_free(cancel);
  test_assert_client_usable(client);
  chc_client_free(client);
}

static void test_untriggered_switch_changes_nothing(void** state) {
  (void)state;
  chc_client* client = client_http();
  chc_cancel* cancel = chc_cancel_new();
  assert_int_equal(chc_cancel_is_triggered(cancel), 0);
  assert_int_equal(chc_cancel_is_triggered(NULL), 0);
  chc_cancel_trigger(NULL); /* accepted */
  chc_query* q = query_with("SELECT 7", cancel);
  chc_response* r = NULL;
  assert_int_equal(chc_client_command(client, q, &r, NULL), CHC_OK);
  size_t len = 0;
  assert_string_equal(chc_response_body(r, &len), "7\n");
  chc_response_free(r);
  assert_int_equal(chc_query_set_cancel(NULL, cancel, NULL), CHC_E_INVALID_ARGUMENT);
  chc_query_free(q);
  chc_cancel_free(cancel);
  chc_cancel_free(NULL);
  chc_client_free(client);
}

/* ---- StallingErrorBodyDouble: answers 500 with the headers of an error, then sends nothing (a
   real server cannot be made to stall inside its error text) until the client hangs up. -------- */

typedef struct {
  int listen_fd;
  uint16_t port;
  pthread_t thread;
} stalling_server;

static void* stalling_main(void* arg) {
  stalling_server* s = arg;
  int fd = accept(s->listen_fd, NULL, NULL);
  if (fd < 0) return NULL;
  char req[65536];
  test_read_http_request(fd, req, sizeof req);
  const char* head =
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
      "X-ClickHouse-Exception-Code: 159\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nCode:\r\n";
  if (send(fd, head, strlen(head), MSG_NOSIGNAL) > 0) {
    char byte;
    while (recv(fd, &byte, 1, 0) > 0) { /* until the client closes */
    }
  }
  close(fd);
  return NULL;
}

/* Cancelled while the error text is still arriving: a cancel, not a server error. */
static void test_cancel_while_an_error_body_arrives(void** state) {
  (void)state;
  stalling_server srv;
  srv.listen_fd = test_listen_loopback(1, &srv.port);
  assert_int_equal(pthread_create(&srv.thread, NULL, stalling_main, &srv), 0);
  char url[128];
  snprintf(url, sizeof url, "http://default:x@127.0.0.1:%u/", (unsigned)srv.port);
  chc_config* config = chc_config_new();
  assert_int_equal(chc_config_set_url(config, url, NULL), CHC_OK);
  assert_int_equal(chc_config_set(config, "proxy", "", NULL), CHC_OK);
  chc_client* client = NULL;
  assert_int_equal(chc_client_open(config, &client, NULL), CHC_OK);
  chc_config_free(config);
  chc_cancel* cancel = chc_cancel_new();
  chc_query* q = query_with("SELECT 1", cancel);
  trigger_arg a = {cancel, 300};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, trigger_later, &a), 0);
  double t0 = test_now_s();
  chc_response* r = NULL;
  chc_error* err = NULL;
  chc_status st = chc_client_command(client, q, &r, &err);
  double took = test_now_s() - t0;
  pthread_join(t, NULL);
  if (st != CHC_E_CANCELLED) fail_msg("status %d: %s", (int)st, chc_error_message(err));
  assert_int_equal(chc_error_server_code(err), 0);
  assert_true(took < PROMPT_S);
  chc_error_free(err);
  chc_query_free(q);
  chc_cancel_free(cancel);
  chc_client_free(client); /* closes the connection: the double's recv returns */
  pthread_join(srv.thread, NULL);
  close(srv.listen_fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_command_waiting_for_its_answer),
      cmocka_unit_test(test_query_waiting_for_headers_and_raw),
      cmocka_unit_test(test_one_switch_two_threads),
      cmocka_unit_test(test_result_read_cancelled),
      cmocka_unit_test(test_untriggered_switch_changes_nothing),
      cmocka_unit_test(test_cancel_while_an_error_body_arrives),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
