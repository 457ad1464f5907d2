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
/* Runs a statement, failing the test on error. */
void test_command(chc_client* client, const char* sql);
/* Runs a statement expecting failure; returns the error (caller frees). */
chc_error* test_command_error(chc_client* client, const char* sql);
/* A name unique to this process, e.g. for tables: prefix_<pid>_<counter>. */
const char* test_unique_name(const char* prefix);

#endif
