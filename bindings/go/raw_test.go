package chconnect_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go"
)

// A big CSV answer streamed through io.Copy is byte for byte the buffered body of the same query.
func TestQueryRawCSVMatchesCommand(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	const sql = "SELECT number, toString(number * 3), 'x,\"y\"' FROM numbers(300000) FORMAT CSV"
	raw, err := c.QueryRaw(ctx, sql, chconnect.WithQueryID("go-raw-csv-"+time.Now().Format("150405.000000")))
	if err != nil {
		t.Fatalf("QueryRaw: %v", err)
	}
	defer raw.Close()
	if !strings.HasPrefix(raw.QueryID(), "go-raw-csv-") {
		t.Errorf("QueryID %q: want the id sent", raw.QueryID())
	}
	var got bytes.Buffer
	n, err := io.Copy(&got, raw)
	if err != nil {
		t.Fatalf("io.Copy: %v after %d bytes", err, n)
	}
	want := mustCommand(t, c, sql).Body
	if got.Len() != len(want) || got.String() != want {
		t.Fatalf("streamed %d bytes, buffered body has %d (equal: %v)", got.Len(), len(want), got.String() == want)
	}
	if lines := strings.Count(want, "\n"); lines != 300000 {
		t.Fatalf("%d lines, want 300000", lines)
	}
	if !strings.HasPrefix(want, "0,\"0\",\"x,\"\"y\"\"\"\n") {
		t.Fatalf("unexpected first line: %q", want[:40])
	}
	// EOF repeats; Close after EOF and a second Close are fine.
	if k, err := raw.Read(make([]byte, 8)); k != 0 || err != io.EOF {
		t.Fatalf("Read after EOF: %d, %v", k, err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("Close after EOF: %v", err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if raw.QueryID() == "" {
		t.Errorf("QueryID empty after Close")
	}

	// A small answer in the server's default format, read with a one-byte buffer.
	small, err := c.QueryRaw(ctx, "SELECT 7, 'a'")
	if err != nil {
		t.Fatalf("QueryRaw: %v", err)
	}
	defer small.Close()
	var sb []byte
	one := make([]byte, 1)
	for {
		k, err := small.Read(one)
		sb = append(sb, one[:k]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if k != 1 {
			t.Fatalf("Read gave %d bytes and no error", k)
		}
	}
	if string(sb) != "7\ta\n" {
		t.Fatalf("body %q, want TabSeparated %q", sb, "7\ta\n")
	}
	if k, err := small.Read(nil); k != 0 || err != io.EOF {
		t.Fatalf("Read(nil) after the end: %d, %v", k, err)
	}
}

// A server error before the body is returned by QueryRaw itself, as *Error with the server code.
func TestQueryRawServerErrorBeforeBody(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	raw, err := c.QueryRaw(ctx, "SELECT * FROM chc_no_such_table_go_raw FORMAT CSV")
	if raw != nil {
		raw.Close()
		t.Fatalf("QueryRaw returned a result for an unknown table")
	}
	e := asError(t, err)
	if e.Status != chconnect.StatusServer || e.Code != 60 || !errors.Is(err, chconnect.ErrServer) {
		t.Fatalf("want StatusServer code 60, got %#v", e)
	}
	if e.HTTPStatus != 404 && e.HTTPStatus != 500 {
		t.Errorf("HTTP status %d", e.HTTPStatus)
	}
	if !strings.Contains(e.Message, "chc_no_such_table_go_raw") {
		t.Errorf("message %q does not name the table", e.Message)
	}
	// The client stays usable.
	if got := mustCommand(t, c, "SELECT 2").Body; got != "2\n" {
		t.Fatalf("after the error: %q", got)
	}
	// A context cancelled before the call stops it before the request.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.QueryRaw(cancelled, "SELECT 1"); !errors.Is(err, context.Canceled) || !errors.Is(err, chconnect.ErrCancelled) {
		t.Fatalf("QueryRaw with a cancelled context: %v", err)
	}
	// A closed client.
	c2 := openTest(t)
	c2.Close()
	if _, err := c2.QueryRaw(ctx, "SELECT 1"); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Fatalf("QueryRaw on a closed client: %v", err)
	}
}

// An exception the server raises while the body streams is an *Error, never data. 18.16 writes it
// into the body after the rows that preceded it (Read reports it); the stand-in buffers the whole
// result and fails before the body (QueryRaw reports it).
func TestQueryRawMidStreamError(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	sql := "SELECT throwIf(number = 100000), number, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' FROM numbers(200000) FORMAT CSV"
	raw, err := c.QueryRaw(ctx, sql, chconnect.WithSetting("max_block_size", 1000))
	var got bytes.Buffer
	if err == nil {
		defer raw.Close()
		_, err = io.Copy(&got, raw)
		if err == nil {
			t.Fatalf("the body ended without the error (%d bytes)", got.Len())
		}
		// Sticky.
		if _, err2 := raw.Read(make([]byte, 16)); !errors.Is(err2, chconnect.ErrServer) {
			t.Fatalf("Read after the error: %v", err2)
		}
	} else if !onStandin(t) {
		t.Fatalf("18.16 streams rows before the error; QueryRaw failed: %v", err)
	}
	e := asError(t, err)
	if e.Status != chconnect.StatusServer || e.Code != 395 {
		t.Fatalf("want StatusServer code 395, got %#v", e)
	}
	if bytes.Contains(got.Bytes(), []byte("Code: ")) || bytes.Contains(got.Bytes(), []byte("Exception")) {
		t.Fatalf("the exception text was delivered as data")
	}
	if !onStandin(t) {
		if got.Len() < 1000000 || got.Bytes()[got.Len()-1] != '\n' {
			t.Fatalf("want the rows before the error, whole lines: %d bytes", got.Len())
		}
		if e.HTTPStatus != 200 || e.QueryID != raw.QueryID() {
			t.Errorf("HTTP %d, query id %q (result's %q)", e.HTTPStatus, e.QueryID, raw.QueryID())
		}
	}
	if got := mustCommand(t, c, "SELECT 4").Body; got != "4\n" {
		t.Fatalf("after the error: %q", got)
	}
}

// Reading after Close is an error, not a crash; closing early frees the connection.
func TestQueryRawReadAfterClose(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	raw, err := c.QueryRaw(ctx, "SELECT number FROM numbers(300000) FORMAT TSV")
	if err != nil {
		t.Fatalf("QueryRaw: %v", err)
	}
	buf := make([]byte, 2)
	if n, err := io.ReadFull(raw, buf); err != nil || string(buf[:n]) != "0\n" {
		t.Fatalf("first Read: %q, %v", buf[:n], err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := 0; i < 2; i++ {
		n, err := raw.Read(buf)
		if n != 0 || !errors.Is(err, chconnect.ErrInvalidState) {
			t.Fatalf("Read after Close: %d, %v", n, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	var nilRaw *chconnect.RawResult
	if _, err := nilRaw.Read(buf); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Fatalf("Read on nil: %v", err)
	}
	if err := nilRaw.Close(); err != nil {
		t.Fatalf("Close on nil: %v", err)
	}
	if got := mustCommand(t, c, "SELECT 5").Body; got != "5\n" {
		t.Fatalf("after an early Close: %q", got)
	}
}

// Closing an endless answer early aborts the transfer promptly; the client stays usable.
// Excluded against the chDB stand-in (.ci/binding_suites_standin.sh): it buffers whole results.
func TestQueryRawEarlyClose(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	t0 := time.Now()
	raw, err := c.QueryRaw(ctx, "SELECT number, toString(number) FROM system.numbers FORMAT CSV")
	if err != nil {
		t.Fatalf("QueryRaw: %v", err)
	}
	n, err := io.CopyN(io.Discard, raw, 3000000)
	if err != nil || n != 3000000 {
		t.Fatalf("CopyN: %d, %v", n, err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := raw.Read(make([]byte, 10)); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Fatalf("Read after Close: %v", err)
	}
	if d := time.Since(t0); d > 30*time.Second {
		t.Fatalf("took %v", d)
	}
	if got := mustCommand(t, c, "SELECT 3").Body; got != "3\n" {
		t.Fatalf("after an early Close: %q", got)
	}
}

// stalledSQL sends about 1 MiB (the server's first buffer of the 200000 matching rows) and then
// scans without output, so a Read blocks; max_execution_time ends it on the server side.
const stalledSQL = "SELECT number FROM system.numbers WHERE number < 200000 OR number > 1000000000000 FORMAT CSV"

// readInBackground reads the rest of raw in a goroutine; the channel gives the loop's error.
func readInBackground(raw *chconnect.RawResult) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, raw)
		done <- err
	}()
	return done
}

// Cancelling the context, its deadline, or Close from another goroutine aborts a blocked Read.
// Excluded against the chDB stand-in (.ci/binding_suites_standin.sh): the stalled query never
// finishes there, and the stand-in buffers whole results before answering.
func TestQueryRawCancelDuringRead(t *testing.T) {
	c := openTest(t)
	for _, mode := range []string{"cancel", "deadline", "close"} {
		t.Run(mode, func(t *testing.T) {
			var ctx context.Context
			var cancel context.CancelFunc
			if mode == "deadline" {
				// The deadline must fall after the first MiB and the 700 ms check below: 3 s leaves
				// 2.3 s for QueryRaw and the first read on a loaded machine (1.5 s left 0.8 s).
				ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
			} else {
				ctx, cancel = context.WithCancel(context.Background())
			}
			defer cancel()
			t0 := time.Now()
			raw, err := c.QueryRaw(ctx, stalledSQL, chconnect.WithSetting("max_execution_time", 20))
			if err != nil {
				t.Fatalf("QueryRaw: %v", err)
			}
			defer raw.Close()
			// The first buffer arrives at once; then Read blocks (no error yet).
			first := make([]byte, 1<<20)
			if _, err := io.ReadFull(raw, first); err != nil {
				t.Fatalf("reading the first MiB: %v", err)
			}
			done := readInBackground(raw)
			select {
			case err := <-done:
				t.Fatalf("the read loop ended before the cancellation: %v", err)
			case <-time.After(700 * time.Millisecond):
			}
			switch mode {
			case "cancel":
				cancel()
			case "close":
				go raw.Close()
			}
			var err2 error
			select {
			case err2 = <-done:
			case <-time.After(15 * time.Second):
				t.Fatalf("Read still blocked 15 s after the %s", mode)
			}
			switch mode {
			case "cancel":
				if !errors.Is(err2, context.Canceled) || !errors.Is(err2, chconnect.ErrCancelled) {
					t.Fatalf("Read after cancel: %v", err2)
				}
			case "deadline":
				if !errors.Is(err2, context.DeadlineExceeded) || !errors.Is(err2, chconnect.ErrTimeout) {
					t.Fatalf("Read after the deadline: %v", err2)
				}
			case "close":
				if !errors.Is(err2, chconnect.ErrCancelled) && !errors.Is(err2, chconnect.ErrInvalidState) {
					t.Fatalf("Read after Close from another goroutine: %v", err2)
				}
			}
			if d := time.Since(t0); d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
			if mode != "close" {
				e := asError(t, err2)
				if e.QueryID != raw.QueryID() || e.QueryID == "" {
					t.Errorf("error query id %q, result's %q", e.QueryID, raw.QueryID())
				}
				// Sticky.
				if _, err3 := raw.Read(first); err3 != err2 {
					t.Fatalf("Read after the error: %v, want %v", err3, err2)
				}
			}
			if err := raw.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			// The server ends the stalled query by itself (max_execution_time), and the
			// client stays usable meanwhile.
			if got := mustCommand(t, c, "SELECT 6").Body; got != "6\n" {
				t.Fatalf("after the %s: %q", mode, got)
			}
		})
	}
}
