/* Arrow C Data Interface through the C ABI: argument checks, the release contract of
 * chc_insert_append_arrow, and (against the server in CHC_TEST_URL) export of a
 * real result as a block and as a stream, and an insert fed from an Arrow stream made here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int g_stream_releases = 0;

static int fake_get_schema(struct ArrowArrayStream* s, struct ArrowSchema* out) {
  (void)s;
  (void)out;
  return EIO;
}
static int fake_get_next(struct ArrowArrayStream* s, struct ArrowArray* out) {
  (void)s;
  (void)out;
  return EIO;
}
static const char* fake_error(struct ArrowArrayStream* s) {
  (void)s;
  return "fake stream broke";
}
static void fake_release(struct ArrowArrayStream* s) {
  s->release = NULL;
  ++g_stream_releases;
}
static struct ArrowArrayStream fake_stream(void) {
  struct ArrowArrayStream s = {fake_get_schema, fake_get_next, fake_error, fake_release, NULL};
  return s;
}

static void test_null_arguments(void** state) {
  (void)state;
  chc_error* err = NULL;
  struct ArrowArray a;
  struct ArrowSchema s;
  struct ArrowArrayStream st;
  assert_int_equal(chc_block_export_arrow(NULL, &a, &s, &err), CHC_E_INVALID_ARGUMENT);
  assert_non_null(strstr(chc_error_message(err), "block"));
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_result_export_arrow_stream(NULL, &st, &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  err = NULL;
  assert_int_equal(chc_insert_append_arrow(NULL, NULL, &err), CHC_E_INVALID_ARGUMENT);
  chc_error_free(err);
  /* a NULL insert still consumes the stream */
  g_stream_releases = 0;
  st = fake_stream();
  assert_int_equal(chc_insert_append_arrow(NULL, &st, NULL), CHC_E_INVALID_ARGUMENT);
  assert_null(st.release);
  assert_int_equal(g_stream_releases, 1);
}

/* The server tests fail (not skip) without a server: tests/server/start.sh provides it. */
static const char* server_url(void) { return test_env("CHC_TEST_URL"); }

static chc_client* open_client(void) {
  chc_config* cfg = chc_config_new();
  assert_int_equal(chc_config_set_url(cfg, server_url(), NULL), CHC_OK);
  chc_client* c = NULL;
  assert_int_equal(chc_client_open(cfg, &c, NULL), CHC_OK);
  chc_config_free(cfg);
  return c;
}

static chc_result* run_query(chc_client* c, const char* sql) {
  chc_query* q = chc_query_new(sql, strlen(sql));
  chc_result* r = NULL;
  chc_error* err = NULL;
  chc_status st = chc_client_query(c, q, &r, &err);
  if (st != CHC_OK) fail_msg("query failed: %s", chc_error_message(err));
  chc_query_free(q);
  return r;
}

static void test_block_export_server(void** state) {
  (void)state;
  chc_client* c = open_client();
  chc_result* r = run_query(c,
                            "SELECT toInt32(number) AS n, toString(number) AS s, "
                            "if(number % 2, NULL, number) AS maybe FROM system.numbers LIMIT 5");
  chc_block* b = NULL;
  assert_int_equal(chc_result_next(r, &b, NULL), CHC_OK);
  assert_non_null(b);
  struct ArrowArray a;
  struct ArrowSchema s;
  assert_int_equal(chc_block_export_arrow(b, &a, &s, NULL), CHC_OK);
  chc_block_free(b); /* the export keeps the memory */
  chc_result_free(r);
  chc_client_free(c);
  assert_string_equal(s.format, "+s");
  assert_int_equal(s.n_children, 3);
  assert_string_equal(s.children[0]->format, "i");
  assert_string_equal(s.children[0]->name, "n");
  assert_string_equal(s.children[1]->format, "Z");
  assert_string_equal(s.children[2]->format, "L");
  assert_int_equal(s.children[2]->flags, ARROW_FLAG_NULLABLE);
  assert_int_equal(a.length, 5);
  const int32_t* n = (const int32_t*)a.children[0]->buffers[1];
  assert_int_equal(n[4], 4);
  const int64_t* off = (const int64_t*)a.children[1]->buffers[1];
  assert_int_equal(off[5] - off[4], 1);
  assert_int_equal(((const char*)a.children[1]->buffers[2])[off[3]], '3');
  assert_int_equal(a.children[2]->null_count, 2);
  assert_int_equal(((const uint8_t*)a.children[2]->buffers[0])[0], 0x15);
  a.release(&a);
  s.release(&s);
  assert_null(a.release);
  assert_null(s.release);
}

static void test_stream_export_and_insert_server(void** state) {
  (void)state;
  chc_client* c = open_client();
  const char* table = test_unique_name("arrow_capi");
  char sql[512];
  snprintf(sql, sizeof sql, "CREATE TABLE %s (id UInt64, name String, tags Array(String)) ENGINE = Memory", table);
  test_command(c, sql);
  /* the stream of a real query */
  chc_result* r = run_query(c,
                            "SELECT number AS id, concat('n', toString(number)) AS name, "
                            "arrayMap(x -> toString(x), range(number % 3)) AS tags "
                            "FROM system.numbers LIMIT 100000");
  struct ArrowArrayStream st;
  assert_int_equal(chc_result_export_arrow_stream(r, &st, NULL), CHC_OK);
  chc_error* err = NULL;
  /* the stream owns the rows now: a second export is refused, freeing the result is fine */
  struct ArrowArrayStream again;
  assert_int_equal(chc_result_export_arrow_stream(r, &again, &err), CHC_E_INVALID_STATE);
  chc_error_free(err);
  chc_result_free(r);
  /* feed the stream straight into an insert */
  const char* cols[] = {"id", "name", "tags"};
  chc_insert* ins = NULL;
  assert_int_equal(chc_client_insert_begin(c, table, cols, 3, NULL, &ins, NULL), CHC_OK);
  err = NULL;
  chc_status status = chc_insert_append_arrow(ins, &st, &err);
  if (status != CHC_OK) fail_msg("append_arrow: %s", chc_error_message(err));
  assert_null(st.release);
  assert_int_equal(chc_builder_row_count(chc_insert_builder(ins, 0)), 100000);
  /* a broken stream: clean error, rows unchanged, stream released */
  g_stream_releases = 0;
  struct ArrowArrayStream bad = fake_stream();
  err = NULL;
  assert_int_equal(chc_insert_append_arrow(ins, &bad, &err), CHC_E_IO);
  assert_non_null(strstr(chc_error_message(err), "fake stream broke"));
  chc_error_free(err);
  assert_int_equal(g_stream_releases, 1);
  assert_int_equal(chc_builder_row_count(chc_insert_builder(ins, 0)), 100000);
  assert_int_equal(chc_insert_finish(ins, NULL, NULL), CHC_OK);
  chc_insert_free(ins);
  snprintf(sql, sizeof sql, "SELECT count(), sum(id), sum(length(tags)), max(name) FROM %s", table);
  chc_query* q = chc_query_new(sql, strlen(sql));
  chc_response* resp = NULL;
  assert_int_equal(chc_client_command(c, q, &resp, NULL), CHC_OK);
  size_t len = 0;
  const char* body = chc_response_body(resp, &len);
  assert_string_equal(body, "100000\t4999950000\t99999\tn99999\n");
  chc_response_free(resp);
  chc_query_free(q);
  snprintf(sql, sizeof sql, "DROP TABLE %s", table);
  test_command(c, sql);
  chc_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_null_arguments),
      cmocka_unit_test(test_block_export_server),
      cmocka_unit_test(test_stream_export_and_insert_server),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
