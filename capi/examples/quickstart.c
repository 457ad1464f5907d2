/* The seed example in plain C: create a table, insert two rows, read an aggregate back.
 * Server from CLICKHOUSE_URL, e.g. http://default:password@127.0.0.1:8123/default
 * Build: cc quickstart.c $(pkg-config --cflags --libs chconnect) */
#include <chconnect/chconnect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char* what, chc_error* err) {
  fprintf(stderr, "%s failed: %s (%s, server code %d)\n", what, chc_error_message(err),
          chc_status_name(chc_error_status(err)), chc_error_server_code(err));
  chc_error_free(err);
  return 1;
}

static int command(chc_client* client, const char* sql) {
  chc_error* err = NULL;
  chc_response* response = NULL;
  chc_query* query = chc_query_new(sql, strlen(sql));
  chc_status st = chc_client_command(client, query, &response, &err);
  chc_query_free(query);
  chc_response_free(response);
  return st == CHC_OK ? 0 : fail(sql, err);
}

int main(void) {
  const char* url = getenv("CLICKHOUSE_URL");
  if (!url) url = "http://default:@127.0.0.1:8123/default";
  chc_error* err = NULL;
  chc_config* config = chc_config_new();
  if (chc_config_set_url(config, url, &err) != CHC_OK) return fail("chc_config_set_url", err);
  chc_client* client = NULL;
  chc_status st = chc_client_open(config, &client, &err);
  chc_config_free(config);
  if (st != CHC_OK) return fail("chc_client_open", err);

  if (command(client, "DROP TABLE IF EXISTS new_table") ||
      command(client,
              "CREATE TABLE new_table (key UInt32, value String, metric Float64) "
              "ENGINE MergeTree ORDER BY key"))
    return 1;

  /* Insert [1000, 'String Value 1000', 5.233] and [2000, 'String Value 2000', -107.04]. */
  const char* columns[] = {"key", "value", "metric"};
  chc_insert* insert = NULL;
  if (chc_client_insert_begin(client, "new_table", columns, 3, NULL, &insert, &err) != CHC_OK)
    return fail("chc_client_insert_begin", err);
  const uint64_t keys[] = {1000, 2000};
  const char* values[] = {"String Value 1000", "String Value 2000"};
  const double metrics[] = {5.233, -107.04};
  for (int i = 0; i < 2; ++i) {
    if (chc_builder_append_uint64(chc_insert_builder(insert, 0), keys[i], &err) != CHC_OK ||
        chc_builder_append_string(chc_insert_builder(insert, 1), values[i], strlen(values[i]), &err) != CHC_OK ||
        chc_builder_append_double(chc_insert_builder(insert, 2), metrics[i], &err) != CHC_OK)
      return fail("append", err);
  }
  st = chc_insert_finish(insert, NULL, &err);
  chc_insert_free(insert);
  if (st != CHC_OK) return fail("chc_insert_finish", err);

  const char* sql = "SELECT max(key), avg(metric) FROM new_table";
  chc_query* query = chc_query_new(sql, strlen(sql));
  chc_result* result = NULL;
  st = chc_client_query(client, query, &result, &err);
  chc_query_free(query);
  if (st != CHC_OK) return fail("chc_client_query", err);
  chc_block* block = NULL;
  while ((st = chc_result_next(result, &block, &err)) == CHC_OK && block != NULL) {
    chc_column *max_key = NULL, *avg_metric = NULL;
    chc_block_column(block, 0, &max_key, NULL);
    chc_block_column(block, 1, &avg_metric, NULL);
    for (size_t row = 0; row < chc_block_row_count(block); ++row) {
      uint64_t k = 0;
      double m = 0;
      chc_column_get_uint64(max_key, row, &k, NULL);
      chc_column_get_double(avg_metric, row, &m, NULL);
      printf("max(key) = %llu, avg(metric) = %g\n", (unsigned long long)k, m);
    }
    chc_column_free(max_key);
    chc_column_free(avg_metric);
    chc_block_free(block);
  }
  chc_result_free(result);
  if (st != CHC_OK) return fail("chc_result_next", err);

  int rc = command(client, "DROP TABLE new_table");
  chc_client_free(client);
  return rc;
}
