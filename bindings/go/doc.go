// Package chconnect is a ClickHouse client over HTTP(S) and the Native format, a thin Go layer
// over the chconnect C library (libchconnect.so.1, found with pkg-config; see README.md).
//
//	c, err := chconnect.Open("http://default:password@127.0.0.1:8123/default")
//	if err != nil { ... }
//	defer c.Close()
//	var n uint64
//	err = c.QueryRow(ctx, "SELECT count() FROM system.tables").Scan(&n)
//
// Ownership: Client, Rows and Insert own C resources; Close each of them (a finalizer is only a
// safety net). A Client may be shared by goroutines; a Rows or an Insert belongs to one
// goroutine at a time. Blocks and Columns of a Rows are valid until the next block is read.
//
// Errors: every failure is an *Error with the library's Status, the ClickHouse exception code
// and name, the HTTP status, the query id and the message; errors.Is(err, ErrTimeout) and the
// other Err* sentinels test the Status. Passwords never appear in errors.
//
// Contexts: a context is checked before each request starts (and before each block of a Rows
// is read, and before an Insert is sent). Cancelling it, or its deadline passing, also stops a
// request in flight while it waits for the server (Command, Query, QueryRaw, Insert and
// InsertTyped, Insert.Finish, InsertRaw): the call returns promptly with an error that unwraps
// to the context's error, and the client stays usable. Ping and ServerVersion in flight, and a
// Rows' block read in flight, are bounded by the client's timeouts (WithConnectTimeout,
// WithSendReceiveTimeout) instead. Once QueryRaw returned, cancelling its context aborts the
// RawResult's transfer, also a Read in flight.
package chconnect
