/* Shared helpers for the C ABI tests (cmocka). */
#ifndef CHC_TESTUTIL_H
#define CHC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka must come after the headers above */
#include <cmocka.h>

#include "chconnect/chconnect.h"

/* Environment variable value; fails the test (not skips) when it is missing. */
const char* test_env(const char* name);
/* A client for CHC_TEST_URL plus optional extra key/value pairs (NULL-terminated list). */
chc_client* test_client(const char* url_env, ...);
/* Applies the key/value pairs of `pairs` (NULL-terminated) to config, opens a client and frees
   config; fails the test on any error. */
chc_client* test_client_open(chc_config* config, va_list pairs);
/* A new query for sql; fails the test when out of memory. */
chc_query* test_query(const char* sql);
/* Monotonic clock in seconds, and a sleep in milliseconds. */
double test_now_s(void);
void test_sleep_ms(int ms);
/* Runs a statement, failing the test on error. */
void test_command(chc_client* client, const char* sql);
/* Runs a statement expecting failure; returns the error (caller frees). */
chc_error* test_command_error(chc_client* client, const char* sql);
/* A name unique to this process, e.g. for tables: prefix_<pid>_<counter>. */
const char* test_unique_name(const char* prefix);

/* Fails the test unless the client still runs a command ("SELECT 40 + 2", one request). */
void test_assert_client_usable(chc_client* client);

/* Test doubles for what a real server cannot be made to do. */
/* A listening TCP socket on a free loopback port (backlog `backlog`); sets *port. Fails the test
   on error. */
int test_listen_loopback(int backlog, uint16_t* port);
/* Reads one HTTP request from fd into buf (NUL-terminated): the headers and, with a
   Content-Length, that many body bytes (as far as cap allows). Returns the bytes read. */
size_t test_read_http_request(int fd, char* buf, size_t cap);

#endif
