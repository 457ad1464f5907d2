/* The protocol_revision client option (client_protocol_version for Native SELECTs) against the
 * real 18.16 server (env CHC_TEST_*), which predates the parameter: "auto" probes, gets code 115
 * and reads at revision 0 exactly as before; "0" sends nothing; "54405" makes queries fail with
 * the server's 115 and a hint. When CHC_CHDB_URL is set, the same against the chDB stand-in, which
 * refuses the parameter too (tests/server/chdb_README.md: chDB writes Native at revision 0 only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define TOKYO_SQL                                                                       \
  "SELECT toDateTime('2024-01-01 00:00:00', 'Asia/Tokyo') AS t, "                       \
  "toNullable(toDateTime('2024-01-01 00:00:00', 'Asia/Tokyo')) AS n, number AS k FROM " \
  "system.numbers LIMIT 2"

/* Runs TOKYO_SQL and checks the revision-0 answer: top-level t is plain DateTime (the server drops
   the zone below revision 54337), the Nullable one keeps it; both hold the same instant. */
static void expect_tokyo_at_revision_0(chc_client* client) {
  chc_query* q = test_query(TOKYO_SQL);
  chc_result* res = NULL;
  chc_error* err = NULL;
  if (chc_client_query(client, q, &res, &err) != CHC_OK) fail_msg("query: %s", chc_error_message(err));
  chc_query_free(q);
  size_t rows = 0;
  chc_block* b = NULL;
  while (chc_result_next(res, &b, &err) == CHC_OK && b) {
    chc_column *t = NULL, *n = NULL;
    assert_int_equal(chc_block_column(b, 0, &t, NULL), CHC_OK);
    assert_int_equal(chc_block_column(b, 1, &n, NULL), CHC_OK);
    assert_string_equal(chc_type_name(chc_column_type(t)), "DateTime");
    assert_string_equal(chc_type_name(chc_column_type(n)), "Nullable(DateTime('Asia/Tokyo'))");
    for (size_t r = 0; r < chc_block_row_count(b); ++r) {
      uint64_t v = 0;
      assert_int_equal(chc_column_get_uint64(t, r, &v, NULL), CHC_OK);
      assert_int_equal(v, 1704034800u); /* 2023-12-31 15:00:00 UTC */
    }
    rows += chc_block_row_count(b);
    chc_column_free(t);
    chc_column_free(n);
    chc_block_free(b);
  }
  if (err) fail_msg("next: %s", chc_error_message(err));
  assert_int_equal(rows, 2);
  chc_result_free(res);
}

static void run_auto_and_zero(const char* url_env) {
  /* auto (the default): the probe falls back to 0; several queries, one probe. */
  chc_client* client = test_client(url_env, NULL);
  for (int i = 0; i < 3; ++i) expect_tokyo_at_revision_0(client);
  test_assert_client_usable(client);
  chc_client_free(client);
  /* auto in a session: the probe leaves the session out, the query uses it */
  client = test_client(url_env, "session_id", test_unique_name("chc_rev_session"), NULL);
  expect_tokyo_at_revision_0(client);
  chc_client_free(client);
  /* forced 0 (no probe) and explicit auto */
  client = test_client(url_env, "protocol_revision", "0", NULL);
  expect_tokyo_at_revision_0(client);
  chc_client_free(client);
  client = test_client(url_env, "protocol_revision", "auto", NULL);
  expect_tokyo_at_revision_0(client);
  chc_client_free(client);
}

static void run_forced_54405(const char* url_env) {
  chc_client* client = test_client(url_env, "protocol_revision", "54405", NULL);
  for (int i = 0; i < 2; ++i) { /* the same clear error every time, the client stays usable */
    chc_query* q = test_query("SELECT 1");
    chc_result* res = NULL;
    chc_error* err = NULL;
    assert_int_equal(chc_client_query(client, q, &res, &err), CHC_E_SERVER);
    assert_null(res);
    assert_int_equal(chc_error_server_code(err), 115);
    const char* msg = chc_error_message(err);
    assert_non_null(strstr(msg, "client_protocol_version"));
    assert_non_null(strstr(msg, "protocol_revision=54405"));
    chc_error_free(err);
    chc_query_free(q);
  }
  /* commands and inserts never carry the parameter */
  test_assert_client_usable(client);
  chc_client_free(client);
}

static void test_auto_and_zero_on_18_16(void** state) {
  (void)state;
  run_auto_and_zero("CHC_TEST_URL");
}

static void test_forced_54405_on_18_16(void** state) {
  (void)state;
  run_forced_54405("CHC_TEST_URL");
}

static void test_standin(void** state) {
  (void)state;
  if (!getenv("CHC_CHDB_URL") || !*getenv("CHC_CHDB_URL")) {
    printf("# CHC_CHDB_URL not set: stand-in checks skipped\n");
    skip();
  }
  run_auto_and_zero("CHC_CHDB_URL");
  run_forced_54405("CHC_CHDB_URL");
}

static void test_option_values(void** state) {
  (void)state;
  chc_config* cfg = chc_config_new();
  chc_error* err = NULL;
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "54454", &err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(strstr(chc_error_message(err), "protocol_revision"));
  chc_error_free(err);
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "1", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "auto", NULL), CHC_OK);
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "0", NULL), CHC_OK);
  assert_int_equal(chc_config_set(cfg, "protocol_revision", "54405", NULL), CHC_OK);
  /* in a URL it is an option, not a server setting */
  assert_int_equal(chc_config_set_url(cfg, "http://localhost/db?protocol_revision=zero", &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  chc_config_free(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_option_values),
      cmocka_unit_test(test_auto_and_zero_on_18_16),
      cmocka_unit_test(test_forced_54405_on_18_16),
      cmocka_unit_test(test_standin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
