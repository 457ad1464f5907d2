/* C ABI contracts that need no server: versions, NULL handling, ownership, option validation,
 * type parsing, and errors for an unreachable server. Links only libchconnect.so. */
#include <string.h>

#include "testutil.h"

static void test_versions(void** state) {
  (void)state;
  assert_string_equal(chc_version(), CHC_VERSION_STRING);
  assert_int_equal(chc_version_number(), CHC_VERSION_NUMBER);
  assert_int_equal(chc_abi_version(), CHC_ABI_VERSION);
  assert_string_equal(chc_status_name(CHC_E_SERVER), "CHC_E_SERVER");
  assert_string_equal(chc_status_name(CHC_OK), "CHC_OK");
  assert_string_equal(chc_status_name(9999), "CHC_E_UNKNOWN");
}

static void test_free_functions_accept_null(void** state) {
  (void)state;
  chc_error_free(NULL);
  chc_config_free(NULL);
  chc_client_free(NULL);
  chc_query_free(NULL);
  chc_response_free(NULL);
  chc_type_free(NULL);
  chc_result_free(NULL);
  chc_block_free(NULL);
  chc_column_free(NULL);
  chc_insert_free(NULL);
  /* accessors on NULL give neutral values, never crash */
  assert_int_equal(chc_error_server_code(NULL), 0);
  assert_string_equal(chc_error_message(NULL), "");
  assert_int_equal(chc_block_row_count(NULL), 0);
  assert_int_equal(chc_column_row_count(NULL), 0);
  assert_null(chc_column_type(NULL));
  assert_int_equal(chc_type_get_kind(NULL), 0);
  assert_null(chc_insert_builder(NULL, 0));
  assert_null(chc_builder_child(NULL, 0));
}

static void test_null_handles_give_invalid_argument(void** state) {
  (void)state;
  chc_error* err = NULL;
  chc_client* client = NULL;
  assert_int_equal(chc_client_open(NULL, &client, &err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(err);
  assert_int_equal(chc_error_status(err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(strstr(chc_error_message(err), "NULL"));
  chc_error_free(err);
  /* err may be NULL: the status alone reports */
  assert_int_equal(chc_client_ping(NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_command(NULL, NULL, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_query(NULL, NULL, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_result_next(NULL, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_block_column(NULL, 0, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_builder_append_int64(NULL, 1, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_insert_finish(NULL, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(NULL, "host", "x", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_type_parse(NULL, NULL, NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_client_insert_raw(NULL, NULL, NULL, 0, NULL, NULL), CHC_E_INVALID_ARGUMENT);
}

static void test_config_validation(void** state) {
  (void)state;
  chc_config* c = chc_config_new();
  assert_non_null(c);
  chc_error* err = NULL;
  assert_int_equal(chc_config_set(c, "hots", "x", &err), CHC_E_NOT_FOUND);
  assert_non_null(strstr(chc_error_message(err), "hots"));
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_config_set(c, "port", "70000", &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  assert_int_equal(chc_config_set(c, "secure", "maybe", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(c, "compress", "brotli", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(c, "connect_timeout", "-1", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(c, "setting.bad name", "1", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set(c, "setting.max_threads", "4", NULL), CHC_OK);
  assert_int_equal(chc_config_set(c, "compress", "zstd", NULL), CHC_OK);
  assert_int_equal(chc_config_set_url(c, "ftp://x", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set_url(c, "http://", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set_url(c, "http://u:p%40ss@h:99999/db", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_config_set_url(c, "https://u:p%40ss@[::1]:8443/db?max_threads=2&compress=lz4", NULL), CHC_OK);
  /* mTLS needs both halves */
  assert_int_equal(chc_config_set(c, "client_cert", "/nonexistent.pem", NULL), CHC_OK);
  chc_client* client = NULL;
  err = NULL;
  assert_int_equal(chc_client_open(c, &client, &err), CHC_E_INVALID_ARGUMENT);
  assert_null(client);
  assert_non_null(strstr(chc_error_message(err), "client_cert_key"));
  chc_error_free(err);
  chc_config_free(c);
}

static void test_query_options(void** state) {
  (void)state;
  chc_query* q = chc_query_new("SELECT 1", 8);
  assert_non_null(q);
  assert_int_equal(chc_query_set(q, "query_id", "abc", NULL), CHC_OK);
  assert_int_equal(chc_query_set(q, "setting.max_block_size", "10", NULL), CHC_OK);
  assert_int_equal(chc_query_set(q, "param.x", "10", NULL), CHC_OK);
  assert_int_equal(chc_query_set(q, "param.", "10", NULL), CHC_E_INVALID_ARGUMENT);
  assert_int_equal(chc_query_set(q, "timeout", "10", NULL), CHC_E_NOT_FOUND);
  chc_query_free(q);
  assert_null(chc_query_new(NULL, 5));
}

static void test_type_parse(void** state) {
  (void)state;
  chc_type* t = NULL;
  chc_error* err = NULL;
  assert_int_equal(chc_type_parse("Array(Nullable( FixedString(3)))", &t, &err), CHC_OK);
  assert_int_equal(chc_type_get_kind(t), CHC_TYPE_ARRAY);
  assert_string_equal(chc_type_name(t), "Array(Nullable(FixedString(3)))");
  assert_int_equal(chc_type_child_count(t), 1);
  const chc_type* inner = chc_type_child(t, 0);
  assert_int_equal(chc_type_get_kind(inner), CHC_TYPE_NULLABLE);
  assert_int_equal(chc_type_fixed_size(chc_type_child(inner, 0)), 3);
  assert_null(chc_type_child(t, 1));
  chc_type_free(t);

  assert_int_equal(chc_type_parse("DateTime('Europe/Berlin')", &t, NULL), CHC_OK);
  assert_string_equal(chc_type_timezone(t), "Europe/Berlin");
  assert_int_equal(chc_type_fixed_size(t), 4);
  chc_type_free(t);

  t = NULL;
  assert_int_equal(chc_type_parse("Array(UInt8", &t, &err), CHC_E_INVALID_ARGUMENT);
  assert_null(t);
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_type_parse("Object('json')", &t, &err), CHC_E_NOT_SUPPORTED);
  assert_non_null(strstr(chc_error_message(err), "Object('json')"));
  assert_non_null(strstr(chc_error_message(err), "not supported yet"));
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_type_parse("AggregateFunction(uniq, UInt64)", &t, &err), CHC_E_NOT_SUPPORTED);
  assert_non_null(strstr(chc_error_message(err), "finalizeAggregation"));
  chc_error_free(err);
}

static void test_unreachable_server(void** state) {
  (void)state;
  chc_config* c = chc_config_new();
  /* Port 1 on loopback: nothing listens there, so the connection is refused at once. */
  assert_int_equal(chc_config_set_url(c, "http://default:s3cret-pw@127.0.0.1:1/default", NULL), CHC_OK);
  assert_int_equal(chc_config_set(c, "connect_timeout", "2", NULL), CHC_OK);
  chc_client* client = NULL;
  assert_int_equal(chc_client_open(c, &client, NULL), CHC_OK);
  chc_config_free(c);
  chc_error* err = NULL;
  assert_int_equal(chc_client_ping(client, &err), CHC_E_IO);
  assert_null(strstr(chc_error_message(err), "s3cret-pw"));
  assert_int_equal(chc_error_http_status(err), 0);
  assert_int_equal(chc_error_server_code(err), 0);
  chc_error_free(err);
  err = NULL;
  chc_query* q = chc_query_new("SELECT 1", 8);
  chc_result* r = NULL;
  assert_int_equal(chc_client_query(client, q, &r, &err), CHC_E_IO);
  assert_null(r);
  assert_true(strlen(chc_error_query_id(err)) > 0); /* every request carries a query id */
  assert_null(strstr(chc_error_message(err), "s3cret-pw"));
  chc_error_free(err);
  chc_query_free(q);
  chc_client_free(client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_free_functions_accept_null),
      cmocka_unit_test(test_null_handles_give_invalid_argument),
      cmocka_unit_test(test_config_validation),
      cmocka_unit_test(test_query_options),
      cmocka_unit_test(test_type_parse),
      cmocka_unit_test(test_unreachable_server),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
