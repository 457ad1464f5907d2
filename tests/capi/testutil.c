#define _GNU_SOURCE /* strcasestr */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char* test_env(const char* name) {
  const char* v = getenv(name);
  if (!v || !*v) fail_msg("environment variable %s is not set: start a server with tests/server/start.sh", name);
  return v;
}

chc_client* test_client_open(chc_config* config, va_list pairs) {
  chc_error* err = NULL;
  const char* key;
  while ((key = va_arg(pairs, const char*)) != NULL) {
    const char* value = va_arg(pairs, const char*);
    if (chc_config_set(config, key, value, &err) != CHC_OK) fail_msg("config %s: %s", key, chc_error_message(err));
  }
  chc_client* client = NULL;
  if (chc_client_open(config, &client, &err) != CHC_OK) fail_msg("open: %s", chc_error_message(err));
  chc_config_free(config);
  return client;
}

chc_client* test_client(const char* url_env, ...) {
  chc_config* config = chc_config_new();
  assert_non_null(config);
  chc_error* err = NULL;
  if (chc_config_set_url(config, test_env(url_env), &err) != CHC_OK) fail_msg("set_url: %s", chc_error_message(err));
  va_list ap;
  va_start(ap, url_env);
  chc_client* client = test_client_open(config, ap);
  va_end(ap);
  return client;
}

chc_query* test_query(const char* sql) {
  chc_query* q = chc_query_new(sql, strlen(sql));
  assert_non_null(q);
  return q;
}

double test_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void test_sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

void test_command(chc_client* client, const char* sql) {
  chc_query* q = chc_query_new(sql, strlen(sql));
  chc_response* r = NULL;
  chc_error* err = NULL;
  chc_status st = chc_client_command(client, q, &r, &err);
  chc_query_free(q);
  if (st != CHC_OK) fail_msg("%s: %s", sql, chc_error_message(err));
  chc_response_free(r);
}

chc_error* test_command_error(chc_client* client, const char* sql) {
  chc_query* q = chc_query_new(sql, strlen(sql));
  chc_response* r = NULL;
  chc_error* err = NULL;
  chc_status st = chc_client_command(client, q, &r, &err);
  chc_query_free(q);
  chc_response_free(r);
  if (st == CHC_OK) fail_msg("expected %s to fail", sql);
  assert_non_null(err);
  assert_int_equal(chc_error_status(err), st);
  return err;
}

const char* test_unique_name(const char* prefix) {
  static char buf[128];
  static int counter = 0;
  snprintf(buf, sizeof buf, "%s_%d_%d", prefix, (int)getpid(), ++counter);
  return buf;
}

int test_listen_loopback(int backlog, uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr*)&a, sizeof a), 0);
  assert_int_equal(listen(fd, backlog), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(fd, (struct sockaddr*)&a, &len), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

size_t test_read_http_request(int fd, char* buf, size_t cap) {
  size_t got = 0;
  buf[0] = 0;
  while (got < cap - 1) {
    ssize_t n = recv(fd, buf + got, cap - 1 - got, 0);
    if (n <= 0) break;
    got += (size_t)n;
    buf[got] = 0;
    char* end = strstr(buf, "\r\n\r\n");
    if (end) {
      const char* cl = strcasestr(buf, "Content-Length:");
      size_t want = (size_t)(end + 4 - buf) + (cl && cl < end ? (size_t)atol(cl + 15) : 0);
      if (got >= want) break;
    }
  }
  return got;
}

void test_assert_client_usable(chc_client* client) {
  chc_query* q = test_query("SELECT 40 + 2");
  chc_response* r = NULL;
  assert_int_equal(chc_client_command(client, q, &r, NULL), CHC_OK);
  size_t len = 0;
  const char* body = chc_response_body(r, &len);
  assert_int_equal(len, 3);
  assert_memory_equal(body, "42\n", 3);
  chc_response_free(r);
  chc_query_free(q);
}
