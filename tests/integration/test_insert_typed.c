/* chc_client_insert_begin_typed: an insert whose column types the caller gives, against the real
 * server (CHC_TEST_URL). That no DESCRIBE TABLE is sent is read from the server's own query log
 * (the requests carry log_queries=1; 18.16 keeps it off by default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static chc_client* client_http(void) { return test_client("CHC_TEST_URL", NULL); }

/* The first value of a one-value answer, as an integer. */
static unsigned long long scalar(chc_client* client, const char* sql) {
  chc_query* q = test_query(sql);
  chc_response* r = NULL;
  chc_error* err = NULL;
  if (chc_client_command(client, q, &r, &err) != CHC_OK) fail_msg("%s: %s", sql, chc_error_message(err));
  chc_query_free(q);
  size_t len = 0;
  unsigned long long v = strtoull(chc_response_body(r, &len), NULL, 10);
  chc_response_free(r);
  return v;
}

/* How many logged requests of this process began with `prefix` followed by the table's name. */
static unsigned long long logged(chc_client* client, const char* prefix, const char* table) {
  test_command(client, "SYSTEM FLUSH LOGS");
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT count() FROM system.query_log WHERE type = 1 AND query LIKE '%s `%s`%%'", prefix,
           table);
  return scalar(client, sql);
}

static chc_query* logged_options(void) {
  chc_query* q = test_query("");
  assert_int_equal(chc_query_set(q, "setting.log_queries", "1", NULL), CHC_OK);
  return q;
}

static const char* new_table(chc_client* client) {
  const char* table = test_unique_name("typed_insert");
  char sql[256];
  snprintf(sql, sizeof sql, "CREATE TABLE %s (id UInt32, s String, f Nullable(Float64)) ENGINE Memory", table);
  test_command(client, sql);
  return table;
}

static void drop_table(chc_client* client, const char* table) {
  char sql[256];
  snprintf(sql, sizeof sql, "DROP TABLE %s", table);
  test_command(client, sql);
}

static void test_typed_insert_round_trip_without_describe(void** state) {
  (void)state;
  chc_client* client = client_http();
  const char* table = new_table(client);
  const char* cols[] = {"f", "id", "s"}; /* any order, as with DESCRIBE */
  const char* types[] = {"Nullable(Float64)", "UInt32", "String"};
  chc_query* options = logged_options();
  chc_insert* ins = NULL;
  chc_error* err = NULL;
  if (chc_client_insert_begin_typed(client, table, cols, 3, types, 3, options, &ins, &err) != CHC_OK)
    fail_msg("begin: %s", chc_error_message(err));
  assert_int_equal(chc_insert_column_count(ins), 3);
  assert_string_equal(chc_insert_column_name(ins, 1), "id");
  assert_string_equal(chc_type_name(chc_insert_column_type(ins, 0)), "Nullable(Float64)");
  assert_int_equal(chc_builder_append_null(chc_insert_builder(ins, 0), NULL), CHC_OK);
  assert_int_equal(chc_builder_append_double(chc_insert_builder(ins, 0), 2.5, NULL), CHC_OK);
  assert_int_equal(chc_builder_append_uint64(chc_insert_builder(ins, 1), 7, NULL), CHC_OK);
  assert_int_equal(chc_builder_append_uint64(chc_insert_builder(ins, 1), 8, NULL), CHC_OK);
  assert_int_equal(chc_builder_append_string(chc_insert_builder(ins, 2), "a", 1, NULL), CHC_OK);
  assert_int_equal(chc_builder_append_string(chc_insert_builder(ins, 2), "bc", 2, NULL), CHC_OK);
  if (chc_insert_finish(ins, NULL, &err) != CHC_OK) fail_msg("finish: %s", chc_error_message(err));
  chc_insert_free(ins);

  char sql[256];
  snprintf(sql, sizeof sql, "SELECT sum(id * length(s)) + 1000 * countIf(isNull(f)) + sum(ifNull(f, 0)) * 10 FROM %s",
           table);
  assert_int_equal(scalar(client, sql), 7 * 1 + 8 * 2 + 1000 + 25);
  assert_true(logged(client, "INSERT INTO", table) >= 1);
  assert_int_equal(logged(client, "DESCRIBE TABLE", table), 0);

  /* The control: the same insert without types asks the server first. */
  assert_int_equal(chc_client_insert_begin(client, table, cols, 3, options, &ins, NULL), CHC_OK);
  chc_insert_free(ins);
  assert_true(logged(client, "DESCRIBE TABLE", table) >= 1);
  chc_query_free(options);
  drop_table(client, table);
  chc_client_free(client);
}

static void expect_invalid(chc_client* client, const char* table, const char* const* cols, size_t ncols,
                           const char* const* types, size_t ntypes, const char* needle) {
  chc_insert* ins = NULL;
  chc_error* err = NULL;
  assert_int_equal(chc_client_insert_begin_typed(client, table, cols, ncols, types, ntypes, NULL, &ins, &err),
                   CHC_E_INVALID_ARGUMENT);
  assert_null(ins);
  if (!strstr(chc_error_message(err), needle)) fail_msg("'%s' lacks '%s'", chc_error_message(err), needle);
  chc_error_free(err);
}

static void test_typed_insert_refuses_bad_arguments(void** state) {
  (void)state;
  chc_client* client = client_http();
  const char* cols[] = {"id", "s"};
  const char* types[] = {"UInt32", "String"};
  const char* twice[] = {"id", "id"};
  const char* bad_type[] = {"UInt32", "Strin g"};
  const char* null_type[] = {"UInt32", NULL};
  expect_invalid(client, "t", cols, 2, types, 1, "2 column names but 1 types");
  expect_invalid(client, "t", cols, 0, types, 0, "at least one column");
  expect_invalid(client, "t", twice, 2, types, 2, "named twice");
  expect_invalid(client, "t", cols, 2, bad_type, 2, "Strin g");
  expect_invalid(client, "t", cols, 2, null_type, 2, "type 1 is NULL");
  expect_invalid(client, "t", cols, 2, NULL, 2, "types");
  /* Nothing was asked of the server for these: it still answers. */
  test_assert_client_usable(client);
  chc_client_free(client);
}

static void test_typed_insert_server_checks_names(void** state) {
  (void)state;
  chc_client* client = client_http();
  const char* table = new_table(client);
  const char* cols[] = {"id", "nosuch"};
  const char* types[] = {"UInt32", "String"};
  chc_insert* ins = NULL;
  assert_int_equal(chc_client_insert_begin_typed(client, table, cols, 2, types, 2, NULL, &ins, NULL), CHC_OK);
  assert_int_equal(chc_builder_append_uint64(chc_insert_builder(ins, 0), 1, NULL), CHC_OK);
  assert_int_equal(chc_builder_append_string(chc_insert_builder(ins, 1), "x", 1, NULL), CHC_OK);
  chc_error* err = NULL;
  assert_int_equal(chc_insert_finish(ins, NULL, &err), CHC_E_SERVER);
  assert_non_null(strstr(chc_error_message(err), "nosuch"));
  chc_error_free(err);
  chc_insert_free(ins);
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count() FROM %s", table);
  assert_int_equal(scalar(client, sql), 0);
  drop_table(client, table);
  chc_client_free(client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_typed_insert_round_trip_without_describe),
      cmocka_unit_test(test_typed_insert_refuses_bad_arguments),
      cmocka_unit_test(test_typed_insert_server_checks_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
