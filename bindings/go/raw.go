package chconnect

import (
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// rawHandle owns the C side of a RawResult. It is kept apart from RawResult so that the
// context's cancel hook (which points at it) does not keep the RawResult, and its finalizer,
// reachable.
type rawHandle struct {
	// readMu is held during chc_raw_result_read and by free, so the handle is never freed under
	// a read in flight. It also guards eof and err.
	readMu sync.Mutex
	// mu guards h between cancel (any goroutine, any time) and free: chc_raw_result_cancel must
	// not race with chc_raw_result_free. It is never held during a read, so cancel does not wait.
	mu  sync.Mutex
	h   capi.RawResult
	eof bool
	err error // sticky: every Read after an error returns it
}

func (r *rawHandle) cancel() {
	r.mu.Lock()
	if r.h != 0 {
		capi.Chc_raw_result_cancel(r.h)
	}
	r.mu.Unlock()
}

func (r *rawHandle) free() {
	r.readMu.Lock()
	r.mu.Lock()
	if r.h != 0 {
		capi.Chc_raw_result_free(r.h)
		r.h = 0
	}
	r.mu.Unlock()
	r.readMu.Unlock()
}

// RawResult is the response body of QueryRaw, read from the network as it is consumed: an
// io.ReadCloser over the bytes of whatever format the SQL named (CSV, TabSeparated,
// JSONEachRow, Parquet, Native, ...). Memory is bounded by a few hundred KiB whatever the size
// of the answer.
//
// Read returns io.EOF at the end of the body. A failure returns an *Error, and every later Read
// returns the same one; a ClickHouse exception the server writes into the body after it started
// (a query failing mid-stream) is an *Error with StatusServer and the exception's code, never
// data. Cancelling the context given to QueryRaw aborts the transfer, also while a Read is
// blocked waiting for the server: that Read returns an *Error with StatusCancelled (StatusTimeout
// for a deadline) that unwraps to the context's error.
//
// A RawResult belongs to one goroutine at a time, except that Close may be called from another
// goroutine to abort a blocked Read. Always Close it (closing before the end aborts the transfer;
// the client stays usable); Close is idempotent and fine after io.EOF. A finalizer frees a
// forgotten one, but only whenever the garbage collector gets to it.
type RawResult struct {
	raw       *rawHandle
	ctx       context.Context
	stop      func() bool // unregisters the context's cancel hook
	queryID   string
	closeOnce sync.Once
}

// QueryRaw runs a statement and returns its response body as a stream of bytes, without
// decoding it: the format is the server's default (TabSeparated) unless the SQL names one
// ("SELECT ... FORMAT CSV"). It returns once the response headers arrived; an error the server
// reports before the body starts (unknown table, syntax error, ...) is returned here.
//
// Cancelling ctx (or its deadline passing) while QueryRaw waits for the response headers stops
// the request, as for Command: QueryRaw returns promptly with an *Error that unwraps to the
// context's error. Once it returned, cancelling ctx aborts the transfer, including a Read in
// flight (see RawResult).
func (c *Client) QueryRaw(ctx context.Context, sql string, opts ...QueryOption) (*RawResult, error) {
	var r capi.RawResult
	if err := c.runQuery(ctx, sql, opts, func(h capi.Client, q capi.Query, e *capi.Error) int {
		return capi.Chc_client_query_raw(h, q, &r, e)
	}); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	raw := &rawHandle{h: r}
	res := &RawResult{raw: raw, ctx: ctx, queryID: capi.Chc_raw_result_query_id(r)}
	// A context that is already done runs the hook at once: the first Read reports it.
	res.stop = context.AfterFunc(ctx, raw.cancel)
	runtime.SetFinalizer(res, (*RawResult).Close)
	return res, nil
}

// QueryID returns the query id of the request (from the server's X-ClickHouse-Query-Id header,
// else the one sent), "" if unknown. It stays available after Close.
func (r *RawResult) QueryID() string {
	if r == nil {
		return ""
	}
	return r.queryID
}

// Read reads up to len(p) bytes of the body; it blocks until at least one byte is available,
// the body ends (0, io.EOF) or the transfer fails (0, *Error). Reading a closed RawResult gives
// an *Error with StatusInvalidState.
func (r *RawResult) Read(p []byte) (int, error) {
	if r == nil || r.raw == nil {
		return 0, errClosed("raw result")
	}
	raw := r.raw
	raw.readMu.Lock()
	defer raw.readMu.Unlock()
	if raw.h == 0 { // h only changes under readMu too
		return 0, errClosed("raw result")
	}
	if raw.err != nil {
		return 0, raw.err
	}
	if raw.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := ctxError(r.ctx); err != nil {
		raw.err = r.withQueryID(err)
		return 0, raw.err
	}
	var n int64
	var e capi.Error
	if err := check(capi.Chc_raw_result_read(raw.h, p, &n, &e), e); err != nil {
		// A cancellation caused by the context reports the context's error.
		if ce, ok := err.(*Error); ok && ce.Status == StatusCancelled {
			if cerr := ctxError(r.ctx); cerr != nil {
				err = r.withQueryID(cerr)
			}
		}
		raw.err = err
		return 0, err
	}
	if n == 0 {
		raw.eof = true
		return 0, io.EOF
	}
	return int(n), nil
}

func (r *RawResult) withQueryID(err error) error {
	if e, ok := err.(*Error); ok && e.QueryID == "" {
		e.QueryID = r.queryID
	}
	return err
}

// Close frees the result, aborting the transfer if the body was not read to the end (its
// connection is closed, not reused). It may be called from another goroutine while a Read is
// blocked: that Read then returns a StatusCancelled error. Close is idempotent and returns nil.
func (r *RawResult) Close() error {
	if r == nil || r.raw == nil {
		return nil
	}
	r.closeOnce.Do(func() {
		if r.stop != nil {
			r.stop()
		}
		r.raw.cancel() // wakes a Read blocked in another goroutine; harmless after the end
		r.raw.free()   // waits for that Read to return
		runtime.SetFinalizer(r, nil)
	})
	return nil
}
