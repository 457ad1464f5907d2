package chconnect

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// Client is a connection pool to one ClickHouse server over HTTP(S).
//
// A Client may be used by any number of goroutines at once (each request takes a pooled
// connection). Close it when done; a finalizer frees a forgotten client, but only whenever the
// garbage collector gets to it. Rows and Insert values it returns belong to one goroutine at a
// time and stay valid after the client is closed.
type Client struct {
	// mu makes Close wait for calls in flight: chc_client_free must not race with them.
	mu sync.RWMutex
	h  capi.Client
}

// Open makes a client from a URL of the form
// http[s]://[user[:password]@]host[:port][/database][?key=value&...] (query keys that are
// client options set those, any other is a ClickHouse setting), then applies opts in order.
// It does not contact the server; the first request does.
func Open(url string, opts ...Option) (*Client, error) {
	return open(url, true, collect(opts))
}

// OpenConfig makes a client from chconnect.h configuration keys (host, port, username,
// password, database, secure, verify, ca_cert, compress, setting.<name>, ...). A "url" key, if
// present, is applied first as by Open; the other keys follow in sorted order, then opts.
func OpenConfig(config map[string]string, opts ...Option) (*Client, error) {
	url, hasURL := config["url"]
	keys := make([]string, 0, len(config))
	for k := range config {
		if k != "url" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	kv := make([]keyValue, 0, len(keys))
	for _, k := range keys {
		kv = append(kv, keyValue{k, config[k]})
	}
	return open(url, hasURL, append(kv, collect(opts)...))
}

// LibraryVersion returns the version of the loaded libchconnect, e.g. "0.1.0".
func LibraryVersion() string { return capi.Chc_version() }

func open(url string, hasURL bool, kv []keyValue) (*Client, error) {
	// The header asks loaders to check this: a library of another ABI major must not be used.
	if abi := capi.Chc_abi_version(); abi != uint(capi.CHC_ABI_VERSION) {
		return nil, errorf(StatusNotSupported, "libchconnect ABI %d loaded, this package needs ABI %d", abi, capi.CHC_ABI_VERSION)
	}
	cfg := capi.Config(capi.Chc_config_new().Swigcptr())
	if cfg == 0 {
		return nil, errorf(StatusNoMem, "out of memory")
	}
	defer capi.Chc_config_free(cfg)
	var e capi.Error
	if hasURL {
		if strings.IndexByte(url, 0) >= 0 {
			return nil, errorf(StatusInvalidArgument, "URL contains a NUL byte")
		}
		if err := check(capi.Chc_config_set_url(cfg, url, &e), e); err != nil {
			return nil, err
		}
	}
	for _, p := range kv {
		if err := p.check(); err != nil {
			return nil, err
		}
		if err := check(capi.Chc_config_set(cfg, p.key, p.value, &e), e); err != nil {
			return nil, err
		}
	}
	var h capi.Client
	if err := check(capi.Chc_client_open(cfg, &h, &e), e); err != nil {
		return nil, err
	}
	c := &Client{h: h}
	runtime.SetFinalizer(c, (*Client).free)
	return c, nil
}

func (c *Client) free() {
	if c.h != 0 {
		capi.Chc_client_free(c.h)
		c.h = 0
	}
}

// Close releases the client. It waits for calls in flight; later calls fail with
// ErrInvalidState. Rows and Inserts already made keep working. Close is idempotent.
func (c *Client) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.free()
	runtime.SetFinalizer(c, nil)
	return nil
}

// acquire read-locks the client for one call and returns its handle. The caller must call
// c.mu.RUnlock() when the call is done.
func (c *Client) acquire(ctx context.Context) (capi.Client, error) {
	if c == nil {
		return 0, errClosed("client")
	}
	if err := ctxError(ctx); err != nil {
		return 0, err
	}
	c.mu.RLock()
	if c.h == 0 {
		c.mu.RUnlock()
		return 0, errClosed("client")
	}
	return c.h, nil
}

// Ping checks that the server answers (GET /ping).
//
// Contexts: ctx is checked before the request starts; a request in flight is bounded by the
// client's timeouts, not by ctx (unlike Command, Query and the others, which a cancelled context
// stops while they wait).
func (c *Client) Ping(ctx context.Context) error {
	h, err := c.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.mu.RUnlock()
	var e capi.Error
	return check(capi.Chc_client_ping(h, &e), e)
}

// ServerVersion returns the server's version string (e.g. "18.16.1"), asked once and cached.
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	h, err := c.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer c.mu.RUnlock()
	var e capi.Error
	var p *byte
	if err := check(capi.Chc_client_server_version(h, &p, &e), e); err != nil {
		return "", err
	}
	return goString(p), nil // borrowed until the client is freed, which the read lock prevents
}

// newQuery makes a chc_query for sql with the request options applied. The caller frees it.
func newQuery(sql string, opts []Option) (capi.Query, error) {
	q := capi.Query(capi.Chc_query_new(sql).Swigcptr())
	if q == 0 {
		return 0, errorf(StatusNoMem, "out of memory")
	}
	var e capi.Error
	for _, p := range collect(opts) {
		if err := p.check(); err != nil {
			capi.Chc_query_free(q)
			return 0, err
		}
		if err := check(capi.Chc_query_set(q, p.key, p.value, &e), e); err != nil {
			capi.Chc_query_free(q)
			return 0, err
		}
	}
	return q, nil
}

// runQuery holds the client (checking ctx first) and a query built from sql and opts while call
// runs, then releases both; call's status and *e become the returned error. Cancelling ctx while
// call runs stops the request (see ctxSwitch) and makes the error the context's.
func (c *Client) runQuery(ctx context.Context, sql string, opts []QueryOption,
	call func(h capi.Client, q capi.Query, e *capi.Error) int) error {
	h, err := c.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.mu.RUnlock()
	q, err := newQuery(sql, opts)
	if err != nil {
		return err
	}
	defer capi.Chc_query_free(q)
	sw, err := newCtxSwitch(ctx)
	if err != nil {
		return err
	}
	defer sw.free()
	if err := sw.attach(q); err != nil {
		return err
	}
	return sw.watch(func() error {
		var e capi.Error
		st := call(h, q, &e)
		return check(st, e)
	})
}

// Command runs a statement whose response is text (DDL, SET, INSERT ... VALUES, small SELECTs in
// TabSeparated or a format the SQL names) and returns the buffered response.
//
// Cancelling ctx (or its deadline passing) stops the request, also while it waits for the
// server's answer: Command then returns promptly with an *Error that unwraps to the context's
// error (StatusCancelled, or StatusTimeout for a deadline). The connection is closed and the
// client stays usable; the server may go on running the statement.
func (c *Client) Command(ctx context.Context, sql string, opts ...QueryOption) (*Response, error) {
	var r capi.Response
	if err := c.runQuery(ctx, sql, opts, func(h capi.Client, q capi.Query, e *capi.Error) int {
		return capi.Chc_client_command(h, q, &r, e)
	}); err != nil {
		return nil, err
	}
	return takeResponse(r), nil
}

// Query runs a SELECT (the library appends FORMAT Native, so the SQL must not name a format)
// and returns once the response headers arrived; the blocks stream in as Rows.Next asks for
// them. Close the Rows when done.
//
// Cancelling ctx stops the request while Query waits for the response headers, as for Command.
// Once Query returned, ctx is checked before each block is read; a block read in flight is
// bounded by the client's timeouts.
func (c *Client) Query(ctx context.Context, sql string, opts ...QueryOption) (*Rows, error) {
	var r capi.Result
	if err := c.runQuery(ctx, sql, opts, func(h capi.Client, q capi.Query, e *capi.Error) int {
		return capi.Chc_client_query(h, q, &r, e)
	}); err != nil {
		return nil, err
	}
	return newRows(ctx, r), nil
}

// QueryRow runs a query and keeps its first row for Row.Scan; the rest of the result is
// discarded. Errors are reported by Scan.
func (c *Client) QueryRow(ctx context.Context, sql string, opts ...QueryOption) *Row {
	rows, err := c.Query(ctx, sql, opts...)
	if err != nil {
		return &Row{err: err}
	}
	defer rows.Close()
	if !rows.NextRow() {
		if err := rows.Err(); err != nil {
			return &Row{err: err}
		}
		return &Row{err: ErrNoRows}
	}
	vals, err := rows.Values()
	return &Row{vals: vals, err: err}
}

// Insert starts a Native insert into table ("name" or "db.name") for the named columns (nil or
// empty: every insertable column). It asks the server for the column types first. Append rows,
// then Finish; Close the Insert in every case (Close after Finish is cheap).
//
// Cancelling ctx stops the DESCRIBE TABLE request, as for Command. The Insert keeps ctx:
// Finish checks it before sending the rows and is stopped by it while it waits for the server.
func (c *Client) Insert(ctx context.Context, table string, columns []string, opts ...QueryOption) (*Insert, error) {
	return c.beginInsert(ctx, table, columns, nil, opts,
		func(h capi.Client, q capi.Query, ins *capi.Insert, e *capi.Error) int {
			return capi.Chc_client_insert_begin(h, table, columns, q, ins, e)
		})
}

// InsertTyped is Insert with the column types given, so no DESCRIBE TABLE request is sent:
// column columns[i] has type types[i], a ClickHouse type name as ParseType takes (one type per
// column, at least one column). Nothing is checked against the table here: the server checks the
// names and types when Finish sends the rows, and a column the table lacks or a type it cannot
// read into its column is its error, returned by Finish. len(types) != len(columns), no columns,
// a repeated name or a malformed type name is StatusInvalidArgument from the library, a type
// this version does not handle StatusNotSupported. Append, Finish and Close, and ctx, as for
// Insert.
func (c *Client) InsertTyped(ctx context.Context, table string, columns, types []string, opts ...QueryOption) (*Insert, error) {
	return c.beginInsert(ctx, table, columns, types, opts,
		func(h capi.Client, q capi.Query, ins *capi.Insert, e *capi.Error) int {
			return capi.Chc_client_insert_begin_typed(h, table, columns, types, q, ins, e)
		})
}

// beginInsert holds the client (checking ctx first) and the request options while begin starts
// the insert, after checking that no name or type name contains a NUL byte. A context that can
// be cancelled gets a switch, attached to the options (the insert keeps them for Finish) and
// handed to the Insert.
func (c *Client) beginInsert(ctx context.Context, table string, columns, types []string, opts []QueryOption,
	begin func(h capi.Client, q capi.Query, ins *capi.Insert, e *capi.Error) int) (*Insert, error) {
	h, err := c.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer c.mu.RUnlock()
	sw, err := newCtxSwitch(ctx)
	if err != nil {
		return nil, err
	}
	defer sw.free() // a no-op once the Insert owns it
	var q capi.Query
	if len(opts) > 0 || sw.active() {
		if q, err = newQuery("", opts); err != nil {
			return nil, err
		}
		defer capi.Chc_query_free(q)
		if err := sw.attach(q); err != nil {
			return nil, err
		}
	}
	// Names travel as C strings: a NUL byte would silently cut them.
	for _, name := range append([]string{table}, columns...) {
		if strings.IndexByte(name, 0) >= 0 {
			return nil, errorf(StatusInvalidArgument, "table or column name %q contains a NUL byte", name)
		}
	}
	for _, typ := range types {
		if strings.IndexByte(typ, 0) >= 0 {
			return nil, errorf(StatusInvalidArgument, "type name %q contains a NUL byte", typ)
		}
	}
	var ins capi.Insert
	if err := sw.watch(func() error {
		var e capi.Error
		return check(begin(h, q, &ins, &e), e)
	}); err != nil {
		return nil, err
	}
	cancel := sw
	sw = ctxSwitch{} // the Insert frees it
	return newInsert(ctx, ins, cancel)
}

// InsertRaw sends a complete INSERT whose body the caller made: sql is the whole statement (e.g.
// "INSERT INTO t FORMAT TabSeparated"), data the body. data is only read during the call.
// Cancelling ctx stops the request, as for Command (the server may have inserted the data).
func (c *Client) InsertRaw(ctx context.Context, sql string, data []byte, opts ...QueryOption) (*Response, error) {
	var r capi.Response
	if err := c.runQuery(ctx, sql, opts, func(h capi.Client, q capi.Query, e *capi.Error) int {
		return capi.Chc_client_insert_raw(h, q, data, &r, e)
	}); err != nil {
		return nil, err
	}
	return takeResponse(r), nil
}

// goString copies a NUL-terminated C string.
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// goStringN copies n bytes of C memory.
func goStringN(p *byte, n int64) string {
	if p == nil || n <= 0 {
		return ""
	}
	return string(unsafe.Slice(p, n))
}
