/* A session stays locked on the server after the client drops one of its results early: the
 * client's next request of that session waits it out (SESSION_IS_LOCKED, code 373, retried for up
 * to 5 s), while a request that really overlaps a running one still fails at once. Against the
 * real server (CHC_TEST_URL).
 *
 * The held query: one row per block, each row padded to 1.1 MB so the server's 1 MiB response
 * buffer sends it at once, and each block sleeping 1 s before it is written. A result dropped
 * after the first block (t = 1 s) leaves the server asleep until t = 2 s, when it writes the
 * second block, finds the connection closed and frees the session: a request sent in between
 * meets SESSION_IS_LOCKED for about a second. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define HELD_SQL                                                                  \
  "SELECT number, arrayStringConcat(arrayMap(x -> 'x', range(1100000))) AS pad, " \
  "sleepEachRow(1) AS z FROM system.numbers LIMIT 4"

static chc_client* session_client(void) {
  return test_client("CHC_TEST_URL", "session_id", test_unique_name("chc_session_lock"), NULL);
}

static chc_query* held_query(const char* query_id) {
  chc_query* q = test_query(HELD_SQL);
  assert_int_equal(chc_query_set(q, "setting.max_block_size", "1", NULL), CHC_OK);
  if (query_id) assert_int_equal(chc_query_set(q, "query_id", query_id, NULL), CHC_OK);
  return q;
}

/* A running held query whose first block was read. */
static chc_result* start_held(chc_client* client, const char* query_id) {
  chc_query* q = held_query(query_id);
  chc_result* res = NULL;
  chc_error* err = NULL;
  if (chc_client_query(client, q, &res, &err) != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  chc_query_free(q);
  chc_block* b = NULL;
  if (chc_result_next(res, &b, &err) != CHC_OK) fail_msg("first block: %s", chc_error_message(err));
  assert_non_null(b);
  assert_int_equal(chc_block_row_count(b), 1);
  chc_block_free(b);
  return res;
}

/* Runs "SELECT 40 + 2" and returns how long it took; fails the test on error. */
static double timed_command(chc_client* client) {
  double t0 = test_now_s();
  test_assert_client_usable(client);
  return test_now_s() - t0;
}

static void test_dropped_result_is_waited_out(void** state) {
  (void)state;
  chc_client* client = session_client();
  chc_result_free(start_held(client, NULL)); /* dropped at t = 1 s; the server holds the session until t = 2 s */
  double waited = timed_command(client);
  /* It succeeded, and only after the server let go: the retry ran (without it, 373 at once). */
  assert_true(waited > 0.3);
  assert_true(waited < 5.0);
  /* Nothing is pending any more: the next request goes straight through. */
  assert_true(timed_command(client) < 1.0);
  chc_client_free(client);
}

static void test_dropped_raw_result_is_waited_out(void** state) {
  (void)state;
  chc_client* client = session_client();
  chc_query* q = held_query(NULL);
  chc_raw_result* raw = NULL;
  chc_error* err = NULL;
  if (chc_client_query_raw(client, q, &raw, &err) != CHC_OK) fail_msg("raw query: %s", chc_error_message(err));
  chc_query_free(q);
  static char buf[4096];
  size_t n = 0;
  if (chc_raw_result_read(raw, buf, sizeof buf, &n, &err) != CHC_OK) fail_msg("read: %s", chc_error_message(err));
  assert_true(n > 0);
  chc_raw_result_free(raw);
  double waited = timed_command(client);
  assert_true(waited > 0.3);
  assert_true(waited < 5.0);
  chc_client_free(client);
}

static void test_overlapping_request_fails_at_once(void** state) {
  (void)state;
  chc_client* client = session_client();
  chc_result* res = start_held(client, NULL); /* still open: its query runs */
  double t0 = test_now_s();
  chc_error* err = test_command_error(client, "SELECT 1");
  assert_true(test_now_s() - t0 < 1.0);
  assert_int_equal(chc_error_status(err), CHC_E_SERVER);
  assert_int_equal(chc_error_server_code(err), 373);
  chc_error_free(err);
  err = NULL;
  /* Read to the end, the session is free again without any wait. */
  chc_block* b = NULL;
  while (chc_result_next(res, &b, &err) == CHC_OK && b) chc_block_free(b);
  assert_null(err);
  chc_result_free(res);
  assert_true(timed_command(client) < 1.0);
  chc_client_free(client);
}

/* KILL QUERY goes out without the session, so the running query of the session is stopped instead
   of the kill being refused with SESSION_IS_LOCKED. */
static void test_kill_query_of_a_session(void** state) {
  (void)state;
  chc_client* client = session_client();
  const char* qid = test_unique_name("chc_session_kill");
  chc_result* res = start_held(client, qid);
  chc_error* err = NULL;
  if (chc_client_kill_query(client, qid, &err) != CHC_OK) fail_msg("kill: %s", chc_error_message(err));
  /* The query stops: its stream ends in QUERY_WAS_CANCELLED (394) before its 4 rows, well before
     the 3 s the rest would take. */
  double t0 = test_now_s();
  size_t rows = 1;
  chc_block* b = NULL;
  chc_status st;
  while ((st = chc_result_next(res, &b, &err)) == CHC_OK && b) {
    rows += chc_block_row_count(b);
    chc_block_free(b);
  }
  assert_int_equal(st, CHC_E_SERVER);
  assert_int_equal(chc_error_server_code(err), 394);
  assert_true(rows < 4);
  assert_true(test_now_s() - t0 < 2.5);
  chc_error_free(err);
  chc_result_free(res);
  test_assert_client_usable(client);
  chc_client_free(client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dropped_result_is_waited_out),
      cmocka_unit_test(test_dropped_raw_result_is_waited_out),
      cmocka_unit_test(test_overlapping_request_fails_at_once),
      cmocka_unit_test(test_kill_query_of_a_session),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
