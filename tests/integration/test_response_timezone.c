/* chc_result_timezone: the X-ClickHouse-Timezone response header. 18.16 does not send it ("");
 * the chDB stand-in (CHC_CHDB_URL, ClickHouse 26.9 behind the HTTP interface) sends the query's
 * session_timezone, else the engine's zone, as current servers do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The zone of a query's result (copied), and that its one value is `epoch` seconds. */
static char* zone_of(chc_client* client, const char* sql, const char* session_timezone, uint64_t epoch) {
  chc_query* q = test_query(sql);
  if (session_timezone) assert_int_equal(chc_query_set(q, "setting.session_timezone", session_timezone, NULL), CHC_OK);
  chc_result* res = NULL;
  chc_error* err = NULL;
  if (chc_client_query(client, q, &res, &err) != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  chc_query_free(q);
  char* zone = strdup(chc_result_timezone(res));
  chc_block* b = NULL;
  size_t rows = 0;
  while (chc_result_next(res, &b, &err) == CHC_OK && b) {
    chc_column* c = NULL;
    assert_int_equal(chc_block_column(b, 0, &c, NULL), CHC_OK);
    for (size_t r = 0; r < chc_block_row_count(b); ++r) {
      uint64_t v = 0;
      assert_int_equal(chc_column_get_uint64(c, r, &v, NULL), CHC_OK);
      assert_int_equal(v, epoch);
    }
    rows += chc_block_row_count(b);
    chc_column_free(c);
    chc_block_free(b);
  }
  if (err) fail_msg("next: %s", chc_error_message(err));
  assert_int_equal(rows, 1);
  /* still readable after the end, empty for NULL */
  assert_string_equal(chc_result_timezone(res), zone);
  chc_result_free(res);
  return zone;
}

#define LOCAL_MIDNIGHT "SELECT toDateTime('2024-01-01 00:00:00') AS t"

static void test_not_sent_by_18_16(void** state) {
  (void)state;
  chc_client* client = test_client("CHC_TEST_URL", NULL);
  char* zone = zone_of(client, "SELECT toDateTime('2024-01-01 00:00:00', 'UTC') AS t", NULL, 1704067200u);
  assert_string_equal(zone, "");
  free(zone);
  assert_string_equal(chc_result_timezone(NULL), "");
  chc_client_free(client);
}

static void test_standin_sends_the_session_zone(void** state) {
  (void)state;
  if (!getenv("CHC_CHDB_URL") || !*getenv("CHC_CHDB_URL")) {
    printf("# CHC_CHDB_URL not set: stand-in checks skipped\n");
    skip();
  }
  chc_client* client = test_client("CHC_CHDB_URL", NULL);
  char* zone = zone_of(client, LOCAL_MIDNIGHT, NULL, 1704067200u); /* engine zone UTC */
  assert_string_equal(zone, "UTC");
  free(zone);
  /* the server read the text in the session zone, and says so */
  zone = zone_of(client, LOCAL_MIDNIGHT, "Asia/Tokyo", 1704034800u);
  assert_string_equal(zone, "Asia/Tokyo");
  free(zone);
  chc_client_free(client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_not_sent_by_18_16),
      cmocka_unit_test(test_standin_sends_the_session_zone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
