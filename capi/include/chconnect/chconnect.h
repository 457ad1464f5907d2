/*
 * chconnect.h: ClickHouse over HTTP and the Native format, behind a stable C ABI.
 *
 * This header is the contract (C99, no C++). Breaking it is a major version.
 *
 * Conventions
 * -----------
 * Handles   Every object is an opaque handle (an incomplete struct used through a pointer).
 * Status    Every fallible call returns a chc_status (CHC_OK = 0) and takes a trailing
 *           `chc_error** err`. On failure, and only if `err` is not NULL, *err receives a new
 *           error object the caller frees with chc_error_free. On success *err is left untouched.
 *           No call aborts the process or lets an exception escape, whatever its input.
 *           A NULL handle where one is required gives CHC_E_INVALID_ARGUMENT.
 * Ownership "Owned" results (from *_new, *_open, *_begin, *_next, chc_client_query, ...) are freed
 *           by the matching *_free, which accepts NULL. "Borrowed" pointers (names, types,
 *           buffers) stay valid exactly as long as the object named in their documentation.
 *           Parents are kept alive by their children through reference counts: a block keeps
 *           its memory after its result is freed, a column keeps its block alive, a result keeps
 *           its client alive. Free order never matters.
 * Threads   A chc_client may be used from any number of threads at once (each request takes a
 *           pooled connection). Every other handle belongs to one thread at a time: it may move
 *           between threads but must not be used concurrently. chc_error objects are immutable.
 *           The exceptions are chc_result_cancel and chc_raw_result_cancel, which any thread may
 *           call at any time while the result exists. Callbacks (progress) run on the thread that is inside the call
 *           that drives the request, never on a hidden thread.
 * Text      Strings are UTF-8 (values may be arbitrary bytes and come as pointer + length).
 *           Input strings are NUL-terminated unless a length is given.
 * Secrets   Passwords never appear in error messages or anything else the library returns.
 */
#ifndef CHCONNECT_H
#define CHCONNECT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CHC_BUILDING_LIBRARY)
#define CHC_API __attribute__((visibility("default")))
#else
#define CHC_API
#endif

/* ---------------------------------------------------------------------------------------------
 * 1. Version
 * ------------------------------------------------------------------------------------------- */

#define CHC_VERSION_MAJOR 0
#define CHC_VERSION_MINOR 1
#define CHC_VERSION_PATCH 0
#define CHC_VERSION_NUMBER (CHC_VERSION_MAJOR * 10000 + CHC_VERSION_MINOR * 100 + CHC_VERSION_PATCH)
#define CHC_VERSION_STRING "0.1.0"
/* The SONAME major (libchconnect.so.1). Loaders should check chc_abi_version() == CHC_ABI_VERSION. */
#define CHC_ABI_VERSION 1

/* Library version as "MAJOR.MINOR.PATCH". Static string, never freed. Thread-safe. */
CHC_API const char* chc_version(void);
/* CHC_VERSION_NUMBER of the loaded library. Thread-safe. */
CHC_API uint32_t chc_version_number(void);
/* CHC_ABI_VERSION of the loaded library. Thread-safe. */
CHC_API uint32_t chc_abi_version(void);

/* ---------------------------------------------------------------------------------------------
 * 2. Status codes and errors
 * ------------------------------------------------------------------------------------------- */

typedef int32_t chc_status;
#define CHC_OK 0
#define CHC_E_INVALID_ARGUMENT 1 /* a bad argument: NULL handle, unknown option value, bad URL */
#define CHC_E_INVALID_STATE 2    /* call not allowed now: finished insert, exhausted result */
#define CHC_E_NOT_FOUND 3        /* unknown option key, column or summary field */
#define CHC_E_NOT_SUPPORTED 4    /* a ClickHouse type or feature this version cannot handle */
#define CHC_E_NOMEM 5            /* out of memory */
#define CHC_E_IO 6               /* connect, send or receive failed; connection dropped */
#define CHC_E_TLS 7              /* TLS handshake or certificate verification failed */
#define CHC_E_TIMEOUT 8          /* connect or send/receive timeout elapsed */
#define CHC_E_CANCELLED 9        /* the operation was cancelled */
#define CHC_E_AUTH 10            /* the server rejected the credentials (401/403, codes 192-194, 516) */
#define CHC_E_SERVER 11          /* any other ClickHouse exception or HTTP error status */
#define CHC_E_PROTOCOL 12        /* malformed or truncated data from the server or in a given buffer */
#define CHC_E_TYPE 13            /* a value does not fit the column's type */
#define CHC_E_INTERNAL 14        /* a bug in chconnect; please report it */

/* Symbolic name of a status, e.g. "CHC_E_SERVER". Static string. Thread-safe. */
CHC_API const char* chc_status_name(chc_status status);

typedef struct chc_error chc_error;

/* Frees an error. Accepts NULL. */
CHC_API void chc_error_free(chc_error* err);
/* The status this error was returned with. */
CHC_API chc_status chc_error_status(const chc_error* err);
/* Human-readable message (for server errors: the server's exception text). Borrowed: valid until
   the error is freed. Never NULL for a non-NULL error. */
CHC_API const char* chc_error_message(const chc_error* err);
/* ClickHouse exception code (e.g. 60 for UNKNOWN_TABLE), 0 if the error did not come from the
   server's exception text or headers. */
CHC_API int32_t chc_error_server_code(const chc_error* err);
/* Symbolic ClickHouse exception name (e.g. "UNKNOWN_TABLE") when the server gave one, else "".
   Borrowed: valid until the error is freed. */
CHC_API const char* chc_error_server_name(const chc_error* err);
/* HTTP status of the failed response, 0 if there was none (e.g. connection refused). */
CHC_API int32_t chc_error_http_status(const chc_error* err);
/* Query id of the failed request, "" if unknown. Borrowed: valid until the error is freed. */
CHC_API const char* chc_error_query_id(const chc_error* err);

/* ---------------------------------------------------------------------------------------------
 * 3. Configuration (string key/value)
 * ------------------------------------------------------------------------------------------- */

/*
 * A chc_config collects client options before chc_client_open copies them. Keys:
 *   host                 server host name or address              (default "localhost")
 *   port                 TCP port                                 (default 8123, 8443 if secure)
 *   username / user      user name                                (default "default")
 *   password             password                                 (default "")
 *   database             default database for every request       (default: the user's default)
 *   secure               "1"/"true": HTTPS                        (default "0")
 *   verify               "0"/"false": skip TLS certificate and host verification (default "1")
 *   ca_cert              PEM file with the CA certificates to trust (default: system store)
 *   client_cert          PEM client certificate for mutual TLS
 *   client_cert_key      PEM private key of client_cert
 *   server_host_name     name used for SNI and certificate verification instead of host
 *   connect_timeout      seconds (decimal allowed)               (default 10)
 *   send_receive_timeout seconds without any byte moving          (default 300)
 *   compress             "auto"/"1"/"true": responses in lz4 or zstd when the server offers them,
 *                        insert bodies as ClickHouse LZ4 blocks; "lz4", "zstd": that method both
 *                        ways; "gzip", "deflate": HTTP content encoding both ways;
 *                        "none"/"0"/"false": off                  (default "auto")
 *   max_connections      idle keep-alive connections kept         (default 8)
 *   proxy                proxy URL ("http://[user:password@]host:port") for every request; the
 *                        environment (no_proxy included) is then ignored. "" = no proxy at all.
 *                        Not set (default): the environment decides, as in curl: http_proxy for
 *                        http, https_proxy or HTTPS_PROXY for https, else all_proxy / ALL_PROXY;
 *                        hosts listed in no_proxy / NO_PROXY go direct (HTTP_PROXY is never read)
 *   path                 path prefix on the server                (default "/")
 *   session_id           server session for every request         (default none). The server runs
 *                        one request of a session at a time and refuses a second at once with
 *                        SESSION_IS_LOCKED (code 373). A result of the session freed before its end
 *                        (or failed, or cancelled) keeps the session locked on the server until its
 *                        query notices the closed connection: the client's next session request
 *                        then retries 373 for up to 5 s (10 ms, 20 ms, ... 200 ms apart; a cancel
 *                        ends the wait). Otherwise 373 is returned at once (CHC_E_SERVER): two
 *                        requests of one session at the same time are the caller's mistake.
 *   query_retries        how many times a request answered with HTTP 429, 503 or 504 is sent again
 *                        (default 2, 0-100). Applies to chc_client_query and the library's own
 *                        read-only look-ups (server version, the DESCRIBE TABLE of
 *                        chc_client_insert_begin); commands and inserts are not retried on these
 *                        statuses unless their query sets query_retries (a proxy's 504 may come
 *                        after the statement ran), as clickhouse-connect. A retry re-sends the
 *                        whole request (an insert's whole body) after a pause: the answer's
 *                        Retry-After (whole seconds, at most 5 s) or 100 ms, 200 ms, 400 ms, ... (at
 *                        most 1 s; so at most 5 s per retry are added to the call). Retries happen
 *                        before the call returns, never after body bytes reached the caller: a
 *                        result that fails mid-stream fails. A retried answer is not shown to the
 *                        progress callback. When the retries are used up, the last answer is the
 *                        error (CHC_E_SERVER, HTTP status 429/503/504, the message says how many
 *                        attempts were made). Independently, every request (inserts included) whose
 *                        kept-alive connection turns out closed before any answer byte is sent once
 *                        more on a new connection.
 *   protocol_revision    the Native protocol revision (client_protocol_version URL parameter)
 *                        chc_client_query results are requested and read at: "auto" (default)
 *                        asks the server once per client, on the first chc_client_query, with
 *                        SELECT 1 AS check: 54405 if the answer carries the revision's block
 *                        header, 0 if the server rejects the parameter (ClickHouse before ~19.x,
 *                        code 115) or a proxy strips it. At 54405 a top-level DateTime('tz') column
 *                        keeps its time zone in its type name (at 0 it arrives as plain DateTime).
 *                        If the probe fails (network, authentication, ...) that query fails with
 *                        its error and the next query asks again. "0" or "54405": no probe, always
 *                        that revision (54405 against a server that does not know the parameter:
 *                        every query fails with code 115). Never sent with inserts, commands or
 *                        chc_client_query_raw
 *   role                 comma-separated roles for every request: one role=<name> URL parameter
 *                        each (SET ROLE for the request, ClickHouse 24.4+; older servers reject the
 *                        parameter as an unknown setting). Spaces around names are trimmed; a name
 *                        cannot contain a comma. "" = none                 (default none)
 *   header.<Name>        an HTTP header sent with every request (also /ping), e.g.
 *                        header.X-ClickHouse-Quota=q1. Overrides the library's User-Agent; an
 *                        Authorization or X-ClickHouse-User header replaces the Basic credentials.
 *                        An empty value sends nothing. CHC_E_INVALID_ARGUMENT for a name that is not
 *                        an HTTP token, a control character (CR, LF, ...) in the value, and for the
 *                        headers the library manages: Content-Length, Transfer-Encoding,
 *                        Content-Type, Content-Encoding, Accept-Encoding, Expect
 *   setting.<name>       ClickHouse setting sent with every request (e.g. setting.max_threads=4)
 * Unknown keys give CHC_E_NOT_FOUND; malformed values CHC_E_INVALID_ARGUMENT.
 */
typedef struct chc_config chc_config;

/* New empty configuration. Owned: free with chc_config_free. Returns NULL only when out of memory. */
CHC_API chc_config* chc_config_new(void);
/* Frees a configuration. Accepts NULL. */
CHC_API void chc_config_free(chc_config* config);
/* Sets one option (see the key list above); a later call for the same key wins. key and value are
   copied. Errors: CHC_E_NOT_FOUND (unknown key), CHC_E_INVALID_ARGUMENT (bad value). */
CHC_API chc_status chc_config_set(chc_config* config, const char* key, const char* value, chc_error** err);
/* Sets options from a URL: http[s]://[user[:password]@]host[:port][/database][?key=value&...].
   Percent-escapes are decoded. https selects secure=1. Query keys that are config keys set those;
   any other key is a ClickHouse setting (like setting.<key>). Errors: CHC_E_INVALID_ARGUMENT. */
CHC_API chc_status chc_config_set_url(chc_config* config, const char* url, chc_error** err);

/* ---------------------------------------------------------------------------------------------
 * 4. Client
 * ------------------------------------------------------------------------------------------- */

typedef struct chc_client chc_client;

/* Opens a client from a configuration (copied; the config may be freed right after). Does not
   contact the server: connections are made on the first request. Owned: free with
   chc_client_free. Thread-safe once open. Errors: CHC_E_INVALID_ARGUMENT (inconsistent options,
   e.g. client_cert without client_cert_key). */
CHC_API chc_status chc_client_open(const chc_config* config, chc_client** out, chc_error** err);
/* Releases the caller's reference; the client closes once its results and inserts are freed too.
   Accepts NULL. Must not race with other calls on the same client from other threads. */
CHC_API void chc_client_free(chc_client* client);
/* GET /ping. CHC_OK when the server answered "Ok.". Errors: CHC_E_IO, CHC_E_TLS, CHC_E_TIMEOUT,
   CHC_E_SERVER. Thread-safe. */
CHC_API chc_status chc_client_ping(chc_client* client, chc_error** err);
/* Server version string (e.g. "18.16.1"), asked once with SELECT version() and then cached.
 *out is borrowed: valid until the client is freed. Thread-safe. */
CHC_API chc_status chc_client_server_version(chc_client* client, const char** out, chc_error** err);
/* Asks the server to stop the query with this id: sends KILL QUERY WHERE query_id = '<id>' ASYNC
   (quotes and backslashes escaped) on its own pooled connection, without the client's session
   (the query to stop holds it), and returns once the server answered; the query then ends on its
   own connection with a server error (QUERY_WAS_CANCELLED, code 394), possibly a little later.
   Set your own query_id (chc_query_set) to be able to do this. Killing an id that is not running
   is not an error. Thread-safe: typically called from another
   thread while one is blocked in chc_client_query or chc_result_next. Errors: CHC_E_INVALID_ARGUMENT
   (NULL or empty id), CHC_E_SERVER (e.g. the user lacks the KILL QUERY grant for another user's
   query), CHC_E_AUTH, CHC_E_IO, CHC_E_TIMEOUT. */
CHC_API chc_status chc_client_kill_query(chc_client* client, const char* query_id, chc_error** err);

/* ---------------------------------------------------------------------------------------------
 * 5. Queries: one statement plus per-request options
 * ------------------------------------------------------------------------------------------- */

/*
 * A chc_query holds one SQL statement and per-request options. Keys for chc_query_set:
 *   query_id        query id (default: the server assigns one)
 *   session_id      server session (overrides the client's)
 *   database        default database (overrides the client's)
 *   setting.<name>  a ClickHouse setting for this request (overrides the client's)
 *   param.<name>    value of a server-side parameter {name:Type} in the SQL (servers >= 19.11)
 *   progress_interval_ms  "0": no progress headers; N > 0: ask the server for X-ClickHouse-Progress
 *                   headers every N ms (settings send_progress_in_http_headers=1 and
 *                   http_headers_progress_interval_ms=N). Default: headers every 100 ms (the
 *                   server's default interval) when a progress callback is set, none otherwise.
 *                   An explicit setting.send_progress_in_http_headers wins.
 *   query_retries   retries on HTTP 429/503/504 for this request, 0-100 (see the config key);
 *                   overrides the default of every request kind, e.g. to retry an idempotent
 *                   insert (with insert_deduplication_token) or to turn retries off for a query
 *   role            comma-separated roles for this request, replacing the client's ("" = none)
 *   header.<Name>   an HTTP header for this request, overriding the client's header of that name
 *                   (an empty value suppresses it); rules as for the config key
 * Unknown keys give CHC_E_NOT_FOUND. Not thread-safe; may be reused for several requests.
 */
typedef struct chc_query chc_query;

/* New query for `sql` (sql_len bytes, copied; the SQL need not be NUL-terminated). Owned: free
   with chc_query_free. Returns NULL only when out of memory. */
CHC_API chc_query* chc_query_new(const char* sql, size_t sql_len);
/* Frees a query. Accepts NULL. */
CHC_API void chc_query_free(chc_query* query);
/* Sets a per-request option (see the key list above); key and value are copied. */
CHC_API chc_status chc_query_set(chc_query* query, const char* key, const char* value, chc_error** err);

/* Adds an external table to the query (ClickHouse "external data for query processing"): the SQL
   can then read `name` like a temporary table, e.g. SELECT * FROM t WHERE id IN (SELECT id FROM
   name). Its columns come from `structure` ("id UInt32, s String") or from `types`
   ("UInt32,String": columns _1, _2, ...): exactly one of the two, the other NULL or "". `format`
   is the data's input format (NULL or "" = TabSeparated; Native, RowBinary, CSV, ... are fine).
   `data` (len bytes, any bytes, copied; NULL only with len 0) is sent unchanged. The name must not
   be empty, "query", contain a control character, '"' or '\', nor be added twice to the query.
   Tables stay with the query for every later request made with it (they cannot be removed: make a
   new query). Requests: chc_client_command and chc_client_query send a query with external tables
   as a multipart/form-data POST: one file part per table, the URL parameters <name>_structure or
   <name>_types and <name>_format, the SQL in the `query` URL parameter (in a `query` form field
   when it is longer than 4 KiB URL-encoded); the body is not compressed. Inserts with such a query
   (chc_client_insert_begin options, chc_client_insert_raw) give CHC_E_NOT_SUPPORTED, and so does a
   ClickHouse setting whose name ends in _format, _types or _structure (the server would take it as
   a table option and silently not apply it; put it in the SQL's SETTINGS clause). A structure or
   format the server rejects is its error (CHC_E_SERVER). Not thread-safe (like chc_query_set).
   Errors: CHC_E_INVALID_ARGUMENT, CHC_E_NOMEM. */
CHC_API chc_status chc_query_add_external(chc_query* query, const char* name, const char* structure, const char* types,
                                          const char* format, const void* data, size_t len, chc_error** err);

/*
 * Progress. A progress callback registered on a query fires during the calls that drive that
 * request: chc_client_command, chc_client_query, chc_result_next, chc_client_insert_raw and
 * chc_insert_finish (when the options given to chc_client_insert_begin carry it; not for the
 * column look-up chc_client_insert_begin makes), always on the calling thread and only
 * after something moved (a header arrived, body bytes were received or sent). It must not call
 * back into the same result or insert. Returning non-zero cancels the request: the transfer is
 * aborted (its connection is closed, not reused) and the driving call returns CHC_E_CANCELLED;
 * for a result every later chc_result_next returns CHC_E_CANCELLED too. Servers send progress
 * headers only before the first body byte (spec: while the query runs and no output was sent), and
 * some builds never send them (Debian's 18.16 package: its HTTP library lacks the hook), so the
 * transfer counters are always there as well.
 */
typedef struct chc_progress chc_progress;
typedef int (*chc_progress_fn)(void* ctx, const chc_progress* progress);

/* One progress field. Server fields come from the latest X-ClickHouse-Progress header (running
   totals, merged field by field): read_rows, read_bytes, written_rows, written_bytes,
   total_rows_to_read (19.x+) or total_rows (18.x), elapsed_ns, ... whatever the server sent;
   CHC_E_NOT_FOUND for a field it did not send. Always available: received_bytes (response body
   bytes received so far, as on the wire), sent_bytes (request body bytes sent so far) and
   progress_headers (number of X-ClickHouse-Progress headers so far). `progress` is valid only
   during the callback. */
CHC_API chc_status chc_progress_value(const chc_progress* progress, const char* field, int64_t* out, chc_error** err);
/* Registers (fn != NULL) or removes (fn == NULL) the progress callback of a query; ctx is passed
   through untouched. Applies to requests started with this query afterwards. */
CHC_API chc_status chc_query_set_progress(chc_query* query, chc_progress_fn fn, void* ctx, chc_error** err);

/* A cancel switch for requests that have not returned yet: attached to a query with
   chc_query_set_cancel, it stops every request made with that query, from any thread, including
   one still waiting for its response (where chc_result_cancel cannot reach, as no result exists
   yet). Typical use: a deadline or a user's "stop" in another thread. */
typedef struct chc_cancel chc_cancel;

/* A new, untriggered switch. Owned: free with chc_cancel_free. NULL only when out of memory. */
CHC_API chc_cancel* chc_cancel_new(void);
/* Triggers the switch: every request made with a query it is attached to, running or started
   later, fails with CHC_E_CANCELLED promptly (well under a second; retry pauses end too), and so
   does reading their results (chc_result_next, chc_raw_result_read, as after chc_result_cancel:
   blocks or bytes already received may still be returned first);
   the connection is closed and the client stays usable. A switch stays triggered: attach a new
   one to use the query again. Thread-safe, idempotent; accepts NULL. */
CHC_API void chc_cancel_trigger(chc_cancel* cancel);
/* 1 once triggered, else 0 (also for NULL). Thread-safe. */
CHC_API int32_t chc_cancel_is_triggered(const chc_cancel* cancel);
/* Frees the caller's handle. Queries and requests it is attached to keep the switch alive (and
   triggerable by nobody else). Accepts NULL. */
CHC_API void chc_cancel_free(chc_cancel* cancel);
/* Attaches `cancel` (NULL: detaches) to a query: requests started with the query afterwards watch
   it (chc_client_command, chc_client_query and chc_client_query_raw with their results,
   chc_client_insert_begin / _typed with options, chc_insert_finish, chc_client_insert_raw; not
   chc_client_kill_query). The query shares the switch: free the handle whenever. Not
   thread-safe for the query (like chc_query_set); one switch may be attached to any number of
   queries, from any threads (it is only referenced, never changed, by this call). */
CHC_API chc_status chc_query_set_cancel(chc_query* query, chc_cancel* cancel, chc_error** err);

/* A finished, buffered response to a command or an insert: body text, summary, query id. */
typedef struct chc_response chc_response;

/* Frees a response. Accepts NULL. */
CHC_API void chc_response_free(chc_response* response);
/* Response body (for a command: the TabSeparated result text). Borrowed: valid until the response
   is freed; *len receives the byte length (the bytes are also NUL-terminated). */
CHC_API const char* chc_response_body(const chc_response* response, size_t* len);
/* Query id from the X-ClickHouse-Query-Id header or the request, "" if unknown. Borrowed. */
CHC_API const char* chc_response_query_id(const chc_response* response);
/* One numeric field of X-ClickHouse-Summary (read_rows, read_bytes, written_rows, written_bytes,
   total_rows_to_read, result_rows, result_bytes, elapsed_ns, ...). CHC_E_NOT_FOUND when the
   server did not send it (18.16 sends no summary). */
CHC_API chc_status chc_response_summary(const chc_response* response, const char* field, int64_t* out, chc_error** err);

/* Runs a statement and buffers its (text) response: DDL, SET, small SELECTs. The output format is
   the server's default (TabSeparated) unless the SQL names one. Owned *out: free with
   chc_response_free. Thread-safe on the client. Errors: CHC_E_SERVER, CHC_E_AUTH, CHC_E_IO, ... */
CHC_API chc_status chc_client_command(chc_client* client, const chc_query* query, chc_response** out, chc_error** err);

/* A query's response body as bytes, read incrementally: any output format (CSV, TSV,
   JSONEachRow, Parquet, Native, ...) with memory bounded by a few hundred KiB whatever the size of
   the answer. */
typedef struct chc_raw_result chc_raw_result;

/* Runs a statement like chc_client_query (the same options: settings, params, query_id, session,
   roles, headers, external tables, progress callback; retried on HTTP 429/503/504 per query_retries
   until the response starts) and returns once the response headers arrived, without reading the
   body. The output format is the server's default (TabSeparated) unless the SQL names one
   (FORMAT CSV, ...). HTTP-level errors fail here with the server's code (CHC_E_SERVER, CHC_E_AUTH;
   CHC_E_IO, CHC_E_TLS, CHC_E_TIMEOUT for the transport). A Content-Encoding the library asked for
   (config `compress`) is decoded: the bytes read are the format's own. Owned *out: free with
   chc_raw_result_free (freeing it before the end aborts the transfer). Thread-safe on the client;
   the raw result belongs to one thread at a time. */
CHC_API chc_status chc_client_query_raw(chc_client* client, const chc_query* query, chc_raw_result** out,
                                        chc_error** err);
/* Reads up to `cap` (> 0) body bytes into buf and sets *n to the number read; blocks until at
   least one byte is available. *n == 0 with CHC_OK means the end of the body, and so does every
   later call. Progress callbacks fire inside this call.
   Errors after the response started: the server's exception written into the body (the plain
   "Code: N, ... DB::Exception ..." text of servers up to 24.x, the "__exception__" marker and tagged
   blocks of 25.x+) gives CHC_E_SERVER with its code and name (HTTP status 200), after the bytes
   that preceded it were read, and is never delivered as data. To tell it from data, bytes from an
   occurrence of "Code: " or "\r\n__exception__" are held back until the end of the body or until
   256 KiB more arrived (then they are data): output containing such text may arrive later than
   the rest; an exception report longer than 256 KiB, or data that itself ends in a complete
   "Code: N, ... DB::Exception ..." text, is not told apart. A cut connection or truncated body gives
   CHC_E_IO (or the server's exception when its text arrived before the cut), a stalled one
   CHC_E_TIMEOUT, a broken Content-Encoding CHC_E_PROTOCOL; CHC_E_CANCELLED after
   chc_raw_result_cancel or when the progress callback returned non-zero. After an error every
   further call returns the same status; the connection is closed and the client stays usable.
   Errors: CHC_E_INVALID_ARGUMENT (NULL raw, buf or n, cap 0). */
CHC_API chc_status chc_raw_result_read(chc_raw_result* raw, void* buf, size_t cap, size_t* n, chc_error** err);
/* Cancels the transfer, like chc_result_cancel: may be called from any thread, also while another
   is inside chc_raw_result_read (which then returns CHC_E_CANCELLED promptly, as do later calls);
   the connection is closed, the client stays usable. Idempotent; harmless after the end. Accepts
   NULL. Must not race with chc_raw_result_free. */
CHC_API void chc_raw_result_cancel(chc_raw_result* raw);
/* Frees a raw result, aborting the transfer if the body was not read to the end (its connection is
   closed, not reused; a session it carried stays locked on the server a moment, see session_id).
   Accepts NULL. */
CHC_API void chc_raw_result_free(chc_raw_result* raw);
/* Query id of the request (X-ClickHouse-Query-Id, else the one sent). Borrowed: valid until the raw
   result is freed; "" for NULL. */
CHC_API const char* chc_raw_result_query_id(const chc_raw_result* raw);

/* ---------------------------------------------------------------------------------------------
 * 6. Types
 * ------------------------------------------------------------------------------------------- */

/* Type kinds. Values are stable; new kinds are only added. */
typedef int32_t chc_type_kind;
#define CHC_TYPE_INT8 1
#define CHC_TYPE_INT16 2
#define CHC_TYPE_INT32 3
#define CHC_TYPE_INT64 4
#define CHC_TYPE_UINT8 5
#define CHC_TYPE_UINT16 6
#define CHC_TYPE_UINT32 7
#define CHC_TYPE_UINT64 8
#define CHC_TYPE_FLOAT32 9
#define CHC_TYPE_FLOAT64 10
#define CHC_TYPE_STRING 11
#define CHC_TYPE_FIXED_STRING 12 /* chc_type_fixed_size gives N */
#define CHC_TYPE_DATE 13         /* UInt16 days since 1970-01-01 */
#define CHC_TYPE_DATETIME 14     /* UInt32 seconds since the epoch; chc_type_timezone may name a zone */
#define CHC_TYPE_NULLABLE 15     /* one child: the inner type */
#define CHC_TYPE_ARRAY 16        /* one child: the element type (also Nested(...), Ring, Polygon, ...) */
#define CHC_TYPE_INT128 17       /* 16 bytes, little-endian two's complement */
#define CHC_TYPE_INT256 18       /* 32 bytes */
#define CHC_TYPE_UINT128 19
#define CHC_TYPE_UINT256 20
#define CHC_TYPE_BFLOAT16 21        /* 2 bytes: the top half of a Float32 */
#define CHC_TYPE_BOOL 22            /* 1 byte, 0 or 1 */
#define CHC_TYPE_DECIMAL 23         /* 4/8/16/32 bytes: value * 10^scale; chc_type_precision/scale */
#define CHC_TYPE_DATE32 24          /* Int32 days since 1970-01-01 */
#define CHC_TYPE_DATETIME64 25      /* Int64 ticks of 10^-precision s; chc_type_timezone may name a zone */
#define CHC_TYPE_TIME 26            /* Int32 seconds */
#define CHC_TYPE_TIME64 27          /* Int64 ticks of 10^-precision s */
#define CHC_TYPE_UUID 28            /* 16 bytes: two little-endian UInt64, high half first (ClickHouse order) */
#define CHC_TYPE_IPV4 29            /* UInt32 of the address (192.168.1.10 = 0xC0A8010A) */
#define CHC_TYPE_IPV6 30            /* 16 bytes, network order */
#define CHC_TYPE_ENUM8 31           /* Int8 value; chc_type_enum_* give the names */
#define CHC_TYPE_ENUM16 32          /* Int16 value */
#define CHC_TYPE_INTERVAL 33        /* Int64 count of chc_type_unit units */
#define CHC_TYPE_NOTHING 34         /* 1 placeholder byte per row; appears as Nullable(Nothing) */
#define CHC_TYPE_TUPLE 35           /* one child per element (also Point); chc_type_element_name */
#define CHC_TYPE_MAP 36             /* one child: Tuple(keys K, values V); Array layout (offsets) */
#define CHC_TYPE_LOW_CARDINALITY 37 /* one child: T; column: dictionary child + indexes */
#define CHC_TYPE_VARIANT 38         /* one child per alternative, sorted by type name */
#define CHC_TYPE_DYNAMIC 39         /* no type children; each block's column has its own alternatives */
#define CHC_TYPE_JSON 40            /* read as JSON text per row (see chc_column_data) */

typedef struct chc_type chc_type;

/* Parses a ClickHouse type name (e.g. "Array(Nullable(String))"). Owned *out: free with
   chc_type_free. Errors: CHC_E_INVALID_ARGUMENT (malformed name), CHC_E_NOT_SUPPORTED (a valid
   type this version does not handle yet; the message names it). */
CHC_API chc_status chc_type_parse(const char* name, chc_type** out, chc_error** err);
/* Frees a type from chc_type_parse. Accepts NULL. Never call it on a borrowed type. */
CHC_API void chc_type_free(chc_type* type);
/* Kind of the type. Returns 0 for NULL. */
CHC_API chc_type_kind chc_type_get_kind(const chc_type* type);
/* Canonical type name as the server prints it. Borrowed: valid as long as the type. */
CHC_API const char* chc_type_name(const chc_type* type);
/* Number of child types (Nullable, Array, Map, LowCardinality: 1; Tuple: one per element). */
CHC_API size_t chc_type_child_count(const chc_type* type);
/* Child type i, or NULL if out of range. Borrowed: valid as long as the parent type. */
CHC_API const chc_type* chc_type_child(const chc_type* type, size_t i);
/* Bytes per value for fixed-width kinds (numbers, Date, DateTime, FixedString(N)), 0 otherwise. */
CHC_API size_t chc_type_fixed_size(const chc_type* type);
/* Time zone named in DateTime('tz') or DateTime64(p, 'tz'), "" if none. Borrowed: valid as long as
   the type. */
CHC_API const char* chc_type_timezone(const chc_type* type);
/* Decimal: precision P; DateTime64/Time64: sub-second digits; 0 for other kinds. */
CHC_API uint32_t chc_type_precision(const chc_type* type);
/* Decimal: scale S; 0 for other kinds. */
CHC_API uint32_t chc_type_scale(const chc_type* type);
/* Tuple: name of element i ("" for unnamed tuples or i out of range). Borrowed like the type. */
CHC_API const char* chc_type_element_name(const chc_type* type, size_t i);
/* Enum8/Enum16: number of elements, and the name / value of element i (in the server's order).
   Names are borrowed like the type; NULL / 0 when i is out of range. */
CHC_API size_t chc_type_enum_count(const chc_type* type);
CHC_API const char* chc_type_enum_name(const chc_type* type, size_t i);
CHC_API int32_t chc_type_enum_value(const chc_type* type, size_t i);
/* Interval: the unit ("Nanosecond" ... "Year"), "" for other kinds. Borrowed like the type. */
CHC_API const char* chc_type_unit(const chc_type* type);

/* ---------------------------------------------------------------------------------------------
 * 7. Query results: a stream of blocks of columns
 * ------------------------------------------------------------------------------------------- */

typedef struct chc_result chc_result;
typedef struct chc_block chc_block;
typedef struct chc_column chc_column;

/* Runs a SELECT (or any statement with a result) and returns once the response headers arrived;
   the request asks for the Native format (URL parameter default_format=Native), so the SQL must
   not name a format itself. HTTP-level errors
   fail here. Owned *out: free with chc_result_free (freeing it before the end aborts the
   transfer). Thread-safe on the client; the result belongs to one thread at a time. */
CHC_API chc_status chc_client_query(chc_client* client, const chc_query* query, chc_result** out, chc_error** err);
/* Frees a result, aborting the transfer if it was not read to the end (a session it carried stays
   locked on the server a moment, see session_id). Accepts NULL. Blocks taken from it stay valid. */
CHC_API void chc_result_free(chc_result* result);
/* Decodes the next block. *out is an owned block (free with chc_block_free), or NULL at the end of
   the result (status CHC_OK). Memory is bounded by one block. An error the server reports in the
   middle of the stream gives CHC_E_SERVER with its code; a truncated or malformed stream gives
   CHC_E_PROTOCOL; a partial result is never reported as complete. CHC_E_CANCELLED after
   chc_result_cancel or when the query's progress callback returned non-zero. After an error every
   further call returns the same status. */
CHC_API chc_status chc_result_next(chc_result* result, chc_block** out, chc_error** err);
/* Cancels the result's request. The only call on a result that may be made from any thread, also
   while another thread is inside chc_result_next (or an Arrow stream made from the result): that
   call wakes up and returns CHC_E_CANCELLED promptly (well under a second), and so do all later
   chc_result_next calls; blocks already returned stay valid. The transfer is aborted and its
   connection closed (never reused); the client stays usable. The server stops the query when it
   next writes to the closed connection; use chc_client_kill_query to stop a query that writes
   nothing for a long time, or one still inside chc_client_query (which has no result to cancel
   yet and, on servers that buffer their output, may wait there for most of the query). Idempotent; harmless on a result
   that already ended (read to the end or failed: later chc_result_next calls still report that end or that error).
   Accepts NULL. Must not race with chc_result_free. */
CHC_API void chc_result_cancel(chc_result* result);
/* Query id of the request ("" if the server did not say and none was set). Borrowed: valid until
   the result is freed. */
CHC_API const char* chc_result_query_id(const chc_result* result);
/* The X-ClickHouse-Timezone response header: the zone the server used for DateTime values whose
   type names none (the session_timezone setting, else the server's zone), "" when the server did
   not send it (18.16) or the result was moved into an Arrow stream. Borrowed: valid until the
   result is freed. Any thread that may use the result. */
CHC_API const char* chc_result_timezone(const chc_result* result);
/* One numeric field of X-ClickHouse-Summary, as chc_response_summary. */
CHC_API chc_status chc_result_summary(const chc_result* result, const char* field, int64_t* out, chc_error** err);

/* Frees a block. Accepts NULL. Columns taken from it stay valid. */
CHC_API void chc_block_free(chc_block* block);
/* Number of columns / rows of a block (0 for NULL). */
CHC_API size_t chc_block_column_count(const chc_block* block);
CHC_API size_t chc_block_row_count(const chc_block* block);
/* Column i of a block. Owned *out: free with chc_column_free; it keeps the block's memory alive.
   Errors: CHC_E_INVALID_ARGUMENT (NULL block, i out of range). */
CHC_API chc_status chc_block_column(const chc_block* block, size_t i, chc_column** out, chc_error** err);

/* Frees a column handle. Accepts NULL. */
CHC_API void chc_column_free(chc_column* column);
/* Column name; "" for child columns. Borrowed: valid until the column handle is freed. */
CHC_API const char* chc_column_name(const chc_column* column);
/* Column type. Borrowed: valid until the column handle is freed. */
CHC_API const chc_type* chc_column_type(const chc_column* column);
/* Number of rows (for an Array's element child: the number of elements). */
CHC_API size_t chc_column_row_count(const chc_column* column);

/*
 * Zero-copy buffers. All are borrowed: valid until the column handle is freed, read-only.
 *  - fixed-width kinds (numbers, Date, DateTime, FixedString): chc_column_data gives row_count
 *    values of chc_type_fixed_size bytes each, little-endian, contiguous.
 *  - String: chc_column_offsets gives row_count + 1 offsets (offsets[0] = 0), chc_column_data the
 *    concatenated bytes; row i is bytes [offsets[i], offsets[i+1]). (Arrow large_binary layout.)
 *  - Array: chc_column_offsets as for String, indexing the elements of chc_column_child(col, 0).
 *  - Nullable: chc_column_null_map gives row_count bytes, 1 = NULL; chc_column_child(col, 0) is
 *    the inner column (placeholder values at NULL rows).
 *  - Tuple: one child column per element, each with row_count rows.
 *  - Map: offsets as for Array, indexing child 0, a Tuple(keys, values) column.
 *  - LowCardinality: chc_column_child(col, 0) is the dictionary (type T with Nullable removed),
 *    chc_column_data the row_count indexes into it, chc_column_index_width bytes each
 *    (little-endian). For LowCardinality(Nullable(T)) index 0 is NULL and chc_column_null_map
 *    is set.
 *  - Variant: chc_column_data gives one discriminator byte per row (the alternative's index, 255 =
 *    NULL; chc_column_null_map is set accordingly), the alternatives are the children, each holding
 *    only the rows that chose it (chc_column_variant_row maps a row to its place).
 *  - Dynamic: as Variant, with this block's alternatives (their types are the children's types);
 *    one child named "SharedVariant" holds values of overflow types as raw bytes (binary type
 *    encoding + binary value).
 *  - JSON: offsets + bytes as for String, one JSON document per row: the STRING serialization
 *    (output_format_native_write_json_as_string=1) as sent, the object serializations (typed
 *    paths, dynamic paths, shared data) rebuilt as the engine's own JSON text.
 * A buffer that does not apply to the kind is NULL with length 0.
 */
CHC_API const void* chc_column_data(const chc_column* column, size_t* byte_len);
CHC_API const int64_t* chc_column_offsets(const chc_column* column, size_t* count);
CHC_API const uint8_t* chc_column_null_map(const chc_column* column);
/* Variant and Dynamic: the alternative (child index) and the row within it of `row`. A NULL row
   gives *discriminator = 255. Errors: CHC_E_INVALID_ARGUMENT (row out of range), CHC_E_TYPE
   (another kind). */
CHC_API chc_status chc_column_variant_row(const chc_column* column, size_t row, uint32_t* discriminator,
                                          size_t* member_row, chc_error** err);
/* LowCardinality: bytes per index in chc_column_data (1, 2, 4 or 8); 0 for other kinds. */
CHC_API size_t chc_column_index_width(const chc_column* column);
/* Number of child columns (as chc_type_child_count). */
CHC_API size_t chc_column_child_count(const chc_column* column);
/* Child column i. Owned *out: free with chc_column_free. Errors: CHC_E_INVALID_ARGUMENT. */
CHC_API chc_status chc_column_child(const chc_column* column, size_t i, chc_column** out, chc_error** err);

/*
 * Typed access to one value (row < row_count, else CHC_E_INVALID_ARGUMENT). On a Nullable column
 * these read the inner value, on a LowCardinality column the dictionary entry; check
 * chc_column_is_null first (a NULL row gives CHC_E_TYPE).
 *   get_int64:  Int8..Int64, UInt8..UInt64 (CHC_E_TYPE if > INT64_MAX), Bool, Enum8/16 (value),
 *               Date/Date32 (days), DateTime (s), DateTime64/Time64 (ticks), Time (s), Interval,
 *               IPv4
 *   get_uint64: the same kinds when the value is not negative
 *   get_double: Float32, Float64, BFloat16 and Int8..UInt64
 *   get_string: String, FixedString, Enum8/16 (the element name); bytes borrowed: valid until the
 *               column handle is freed
 * Wide integers, Decimal, UUID and IPv6 are read from chc_column_data.
 * Any other kind gives CHC_E_TYPE with the type's name in the message.
 */
CHC_API int32_t chc_column_is_null(const chc_column* column, size_t row);
CHC_API chc_status chc_column_get_int64(const chc_column* column, size_t row, int64_t* out, chc_error** err);
CHC_API chc_status chc_column_get_uint64(const chc_column* column, size_t row, uint64_t* out, chc_error** err);
CHC_API chc_status chc_column_get_double(const chc_column* column, size_t row, double* out, chc_error** err);
CHC_API chc_status chc_column_get_string(const chc_column* column, size_t row, const char** data, size_t* len,
                                         chc_error** err);

/* ---------------------------------------------------------------------------------------------
 * 8. Inserts
 * ------------------------------------------------------------------------------------------- */

typedef struct chc_insert chc_insert;
typedef struct chc_builder chc_builder;

/* Starts a Native insert into `table` ("name" or "db.name", quoted by the library) for the named
   columns (ncolumns names; ncolumns = 0 means every insertable column). Asks the server for the
   column types (DESCRIBE TABLE) first; unknown column names give CHC_E_NOT_FOUND. `options` may be
   NULL; its SQL is ignored, its keys (settings, query_id, ...) apply. Rows are collected in memory
   and sent by chc_insert_finish. Owned *out: free with chc_insert_free. */
CHC_API chc_status chc_client_insert_begin(chc_client* client, const char* table, const char* const* columns,
                                           size_t ncolumns, const chc_query* options, chc_insert** out,
                                           chc_error** err);
/* Like chc_client_insert_begin, but with the column types given, so the server is not asked
   (no DESCRIBE TABLE request): column columns[i] has type types[i], a ClickHouse type name as
   chc_type_parse takes. ncolumns >= 1 names and as many types (ntypes == ncolumns). Nothing is
   checked against the table here: the server checks the names and types when the insert is sent,
   and a column the table lacks or a type it cannot read into its column is its error
   (CHC_E_SERVER from chc_insert_finish). Owned *out: free with chc_insert_free. Thread-safe on
   the client. Errors: CHC_E_INVALID_ARGUMENT (NULL argument, no columns, ntypes != ncolumns, a
   NULL or repeated name, a malformed type name), CHC_E_NOT_SUPPORTED (a type this version does
   not handle). */
CHC_API chc_status chc_client_insert_begin_typed(chc_client* client, const char* table, const char* const* columns,
                                                 size_t ncolumns, const char* const* types, size_t ntypes,
                                                 const chc_query* options, chc_insert** out, chc_error** err);
/* Frees an insert; an unfinished insert is abandoned (nothing is sent). Accepts NULL. */
CHC_API void chc_insert_free(chc_insert* insert);
/* Number of columns of the insert, and the name / type of column i (borrowed: valid until the
   insert is freed; NULL when i is out of range). */
CHC_API size_t chc_insert_column_count(const chc_insert* insert);
CHC_API const char* chc_insert_column_name(const chc_insert* insert, size_t i);
CHC_API const chc_type* chc_insert_column_type(const chc_insert* insert, size_t i);
/* The value builder of column i, NULL when out of range. Borrowed: valid until the insert is freed. */
CHC_API chc_builder* chc_insert_builder(chc_insert* insert, size_t i);
/* Sends the collected rows (one Native block, compressed per the client's `compress`) and waits
   for the server. Every column must hold the same number of rows (else CHC_E_INVALID_ARGUMENT,
   nothing sent). Owned *out (may be NULL if not wanted): free with chc_response_free. After
   success the insert accepts no more rows (CHC_E_INVALID_STATE). */
CHC_API chc_status chc_insert_finish(chc_insert* insert, chc_response** out, chc_error** err);

/*
 * Builders append one value to a column. A value of the wrong kind gives CHC_E_TYPE and leaves the
 * column unchanged; an out-of-range number (e.g. 300 into UInt8) gives CHC_E_TYPE.
 *   append_int64 / append_uint64: integer kinds, Date (days), DateTime (seconds), and Float32/64
 *                  (converted to the nearest float)
 *   append_double: Float32/Float64 (and integer kinds when the value is integral and in range)
 *   append_string: String, FixedString(N) (len <= N, zero-padded), Enum8/16 (element name),
 *                  Decimal (exact decimal text "-123.45"), UUID (canonical text), IPv4 and IPv6
 *                  (text; an IPv4 address into IPv6 becomes ::ffff:a.b.c.d)
 *   append_double: also Decimal (rounded to the scale) and BFloat16
 *   append_int64 / append_uint64 into Decimal: the unscaled integer (value * 10^scale)
 *   append_null:   Nullable and LowCardinality(Nullable) columns only
 * LowCardinality columns take the values of their inner type and build the dictionary.
 * Variant: an append_* on the Variant builder goes to the first alternative (in sorted order)
 *   that accepts the value; chc_builder_child(b, i) appends to alternative i explicitly (for a
 *   Tuple alternative, the row is counted when its first element gets its value: append to every
 *   element before the next row; for an Array or Map alternative, at chc_builder_end_array).
 * Dynamic: integers become Int64/UInt64, doubles Float64, strings String, append_null NULL.
 * JSON: append_string with the JSON text of one row (parsed by the server).
 * On a Nullable builder the append_* calls add a non-NULL value. For an Array or Map column, append
 * the elements to chc_builder_child(b, 0), then call chc_builder_end_array(b) to close one row
 * (a Map's child is a Tuple builder whose children take the keys and the values). A Tuple row is
 * one value appended to each chc_builder_child(b, i).
 */
CHC_API chc_status chc_builder_append_int64(chc_builder* builder, int64_t value, chc_error** err);
CHC_API chc_status chc_builder_append_uint64(chc_builder* builder, uint64_t value, chc_error** err);
CHC_API chc_status chc_builder_append_double(chc_builder* builder, double value, chc_error** err);
CHC_API chc_status chc_builder_append_string(chc_builder* builder, const char* data, size_t len, chc_error** err);
CHC_API chc_status chc_builder_append_null(chc_builder* builder, chc_error** err);
CHC_API chc_status chc_builder_end_array(chc_builder* builder, chc_error** err);
/* Appends `count` values given in the column's fixed-width wire layout (count * chc_type_fixed_size
   bytes at `data`, copied): the fast path for numbers, dates, UUIDs, ... (Enum and Bool values are
   checked). All or nothing: on error no value is added. CHC_E_TYPE for variable-width kinds. */
CHC_API chc_status chc_builder_append_fixed(chc_builder* builder, const void* data, size_t count, chc_error** err);
/* Child builder i: the element builder of an Array or Map column (i = 0), the element builders of
   a Tuple, the alternative builders of a Variant; NULL otherwise. Borrowed like its parent. */
CHC_API chc_builder* chc_builder_child(chc_builder* builder, size_t i);
/* Number of rows appended so far. */
CHC_API size_t chc_builder_row_count(const chc_builder* builder);

/* Sends a complete INSERT with a caller-made body: `query`'s SQL is the whole statement
   (e.g. "INSERT INTO t FORMAT Native"), `data` the body (len bytes, borrowed for the call only),
   compressed per the client's `compress`. Owned *out (may be NULL): free with chc_response_free. */
CHC_API chc_status chc_client_insert_raw(chc_client* client, const chc_query* query, const void* data, size_t len,
                                         chc_response** out, chc_error** err);

/* ---------------------------------------------------------------------------------------------
 * 9. Arrow C Data Interface
 *
 * The structs below are the Arrow C Data / C Stream Interface (fixed by the Arrow specification,
 * guarded by its standard macros so they coexist with arrow/c/abi.h). No Arrow library is linked.
 *
 * Export type mapping (ClickHouse -> Arrow format string; "zero-copy" = the buffer is the column's):
 *   Int8..Int64 / UInt8..UInt64 -> c s i l / C S I L;  Float32/64 -> f / g  (zero-copy)
 *   Bool -> b (bit-packed copy);  String -> Z (large_binary, zero-copy; not "U": values need not be
 *   UTF-8);  FixedString(N) -> w:N (zero-copy);  Date -> tdD (widened to int32);  Date32 -> tdD;
 *   DateTime('tz') -> tss:tz, DateTime -> tss: (widened to int64);  DateTime64(p, 'tz') -> tss/tsm/
 *   tsu/tsn:tz for p = 0/1-3/4-6/7-9 (zero-copy for p = 0, 3, 6, 9, else scaled to the finer unit);
 *   Decimal(P, S) -> d:P,S (Decimal32/64 sign-extended to 128 bits, Decimal128 zero-copy) or
 *   d:P,S,256 (Decimal256, zero-copy);  UUID -> w:16 (16 bytes in RFC 4122 order, converted);
 *   IPv4 -> I;  IPv6 -> w:16;  Int128/UInt128 -> w:16, Int256/UInt256 -> w:32 (raw little-endian);
 *   BFloat16 -> S (raw bits);  Interval -> l;  Time -> i;  Time64 -> l;  Nothing -> n (null type);
 *   Enum8/16 -> dictionary: indexes c (Enum8) / s (Enum16) -- the next wider signed type when there
 *   are more elements -- holding the position in the element list, dictionary u (element names);
 *   Nullable(T) -> T with a validity bitmap and ARROW_FLAG_NULLABLE;
 *   Array(T) -> +L (large_list, offsets zero-copy) with child "item";
 *   Tuple(...) -> +s with children named by the element names ("1", "2", ... when unnamed);
 *   Map(K, V) -> +m (int32 offsets, converted) with child "entries" (+s of "key" and "value");
 *   LowCardinality(T) -> dictionary: int32 indexes (i), dictionary of T's mapping; for
 *   LowCardinality(Nullable(T)) the NULL rows are marked in the indexes' validity bitmap;
 *   Variant(T1, ..., Tn) (and Geometry) -> +ud:0,1,...,n (dense union, ARROW_FLAG_NULLABLE): child i
 *   is alternative i (sorted order; Geometry's fixed order), named by its type name ("String",
 *   "Array(UInt64)") and exported with its own mapping; the int8 type ids are the discriminators
 *   (zero-copy when the block has no NULL), the int32 offsets each row's place in its alternative;
 *   a union has no validity bitmap, so one more child "null" of the null type (n), type id n, holds
 *   the NULL rows. At most 127 alternatives (Arrow type ids are 0..127);
 *   JSON -> U (large_utf8, one document per row, offsets and bytes zero-copy) with field metadata
 *   ARROW:extension:name = arrow.json (the canonical JSON extension type; ARROW:extension:metadata
 *   is "");
 *   Dynamic -> U with the same arrow.json metadata and ARROW_FLAG_NULLABLE: each value as JSON text
 *   (numbers unquoted, strings quoted, dates, times, UUIDs, IPs and enums as strings, arrays, maps
 *   and tuples as JSON arrays/objects, NaN/Inf as the text null: as the engine writes values in a
 *   JSON column), NULL as an Arrow null. Not a union: Dynamic's types change from block to block and
 *   a stream has one schema;
 *   in JSON and Dynamic text, bytes that are not well-formed UTF-8 (ClickHouse strings are bytes)
 *   are replaced by U+FFFD, one per byte (Arrow utf8 must be UTF-8).
 *   Any other type (e.g. AggregateFunction) gives CHC_E_NOT_SUPPORTED.
 * Nested fields are non-nullable (flags 0) unless their type is Nullable.
 *
 * Import (chc_insert_append_arrow) accepts: n b c C s S i I l L e f g z Z u U w:N d:P,S[,bits]
 *   tdD tdm ts{s,m,u,n}:tz +l +L +w:N +s +m +ud:I,J,... and dictionary-encoded fields with integer
 *   indexes.
 *   Numbers go into number, Date/DateTime and Decimal columns through the builders' range checks;
 *   binary/utf8 into String, FixedString (len <= N), Enum (name), Decimal/UUID/IP (text);
 *   w:16 into UUID (RFC order), IPv6, Int128/UInt128; w:32 into Int256/UInt256; any w:N into
 *   String and FixedString;
 *   dates and timestamps into Date, Date32, DateTime, DateTime64 (rescaled, rounded down) and Int64;
 *   decimals into Decimal (exactly: lost digits are CHC_E_TYPE), Float and (scale 0) integers;
 *   lists into Array, structs into Tuple (by position), maps (or lists of 2-field structs) into Map;
 *   a dictionary-encoded field as its values (into LowCardinality or plain columns);
 *   utf8/large_utf8 (arrow.json or plain) into JSON: the text of one document per row, parsed by
 *   the server; dense unions into Variant only: a child named like an alternative's type (as the
 *   export names them) goes to that alternative, a child of the null type or a null slot is NULL,
 *   any other child of a scalar type goes to the first alternative that accepts each value (a
 *   nested child that matches no alternative by name is CHC_E_TYPE). Sparse unions (+us) are
 *   CHC_E_TYPE; Dynamic columns take scalar Arrow types (utf8 becomes a String value: the JSON text
 *   of an exported Dynamic column is not parsed back), not unions.
 *   A NULL (validity bit 0, or the null type) into a column that is not Nullable is CHC_E_TYPE.
 * ------------------------------------------------------------------------------------------- */

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* Exports a block as one Arrow struct array (one child per column) with its schema. The caller
   owns *out_array and *out_schema and calls their release callbacks (each releases its children and
   dictionary; children moved out by the consumer stay valid on their own); the exported memory
   keeps the block's buffers alive (zero-copy where the layouts agree), so the block may be freed
   first. Errors: CHC_E_NOT_SUPPORTED for a column type without an Arrow mapping (nothing is
   exported, *out_array and *out_schema untouched). */
CHC_API chc_status chc_block_export_arrow(const chc_block* block, struct ArrowArray* out_array,
                                          struct ArrowSchema* out_schema, chc_error** err);
/* Moves a result into an ArrowArrayStream (struct arrays, one per block). After success the result
   handle may only be freed; the stream (owned by the caller, ended with its release callback)
   keeps what it needs alive. get_schema reads ahead to the first block (and may be called again: it
   returns a new copy); a result with no blocks at all (18.16 answers an empty query with an empty
   body) has a schema with no fields. get_next gives one struct array per block, then an array with
   release == NULL at the end. Stream errors follow the Arrow convention: EIO (server, network,
   protocol errors, a block whose columns differ from the first), EINVAL, ENOTSUP (a type without an
   Arrow mapping), ENOMEM; get_last_error then gives the chconnect message (valid until the next
   call on the stream). A second export of the same result gives CHC_E_INVALID_STATE.
   Thread rules: the stream belongs to one thread at a time, like the result. */
CHC_API chc_status chc_result_export_arrow_stream(chc_result* result, struct ArrowArrayStream* out, chc_error** err);
/* Appends every batch of an Arrow stream (struct arrays) to an insert: fields are matched to the
   insert's columns by name, converted per the mapping above (and from the common Arrow types:
   utf8, binary, large variants, timestamps, dates, decimals, lists, structs, maps, dictionaries,
   validity bitmaps). The stream is consumed and released (also on error). All or nothing per
   call: on error the insert's rows are as before the call. Errors: CHC_E_NOT_FOUND (a column
   missing from the stream, or a stream field that is not a column of the insert), CHC_E_TYPE (an
   Arrow type or value that cannot become the column's type, a NULL into a column that is not
   Nullable), CHC_E_INVALID_ARGUMENT (NULL or already released stream, malformed Arrow data: bad
   format string, wrong buffer or child count, negative length, offsets out of order), CHC_E_IO
   (the stream's get_schema/get_next failed; the message includes its get_last_error),
   CHC_E_INVALID_STATE (finished insert). The stream is released in every case, also when `insert`
   is NULL. */
CHC_API chc_status chc_insert_append_arrow(chc_insert* insert, struct ArrowArrayStream* stream, chc_error** err);

#ifdef __cplusplus
}
#endif

#endif /* CHCONNECT_H */
