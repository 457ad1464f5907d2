package chconnect_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go"
)

// The server sleeps 3 s (the cap of sleep() on 18.16 and current servers) before it sends the
// response headers, so a call that is not stopped by its context takes at least 3 s; a stopped one
// returns well under a second after the cancellation. The bound leaves the loaded 2-core CI
// machine 1.2 s after a cancellation at 300 ms and still fails a call that waited for the server.
const (
	sleepSQL      = "SELECT sleep(3)"
	cancelAfter   = 300 * time.Millisecond
	cancelBound   = 1500 * time.Millisecond
	cancelSleepOf = 3 * time.Second
)

// cancelCtx gives a context that a deadline ("deadline") or an explicit cancel from another
// goroutine ("cancel") ends `after` from now.
func cancelCtx(t *testing.T, mode string, after time.Duration) context.Context {
	t.Helper()
	switch mode {
	case "deadline":
		ctx, cancel := context.WithTimeout(context.Background(), after)
		t.Cleanup(cancel)
		return ctx
	case "cancel":
		ctx, cancel := context.WithCancel(context.Background())
		tm := time.AfterFunc(after, cancel)
		t.Cleanup(func() { tm.Stop(); cancel() })
		return ctx
	}
	t.Fatalf("unknown mode %q", mode)
	return nil
}

// checkCtxErr asserts that err is the context's error of the mode, as reads report it.
func checkCtxErr(t *testing.T, mode string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: the call succeeded", mode)
	}
	asError(t, err)
	switch mode {
	case "deadline":
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, chconnect.ErrTimeout) {
			t.Fatalf("after the deadline: %v, want context.DeadlineExceeded and ErrTimeout", err)
		}
	case "cancel":
		if !errors.Is(err, context.Canceled) || !errors.Is(err, chconnect.ErrCancelled) {
			t.Fatalf("after cancel: %v, want context.Canceled and ErrCancelled", err)
		}
	}
}

// A context that ends while a call waits for the server's answer stops the call promptly, with
// the context's error; the client stays usable.
func TestContextStopsWaitingCalls(t *testing.T) {
	c := openTest(t)
	tbl := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+tbl+" (a UInt8) ENGINE = Memory")
	calls := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Command", func(ctx context.Context) error {
			r, err := c.Command(ctx, sleepSQL)
			if err == nil {
				return fmt.Errorf("Command returned %q", r.Body)
			}
			return err
		}},
		{"Query", func(ctx context.Context) error {
			rows, err := c.Query(ctx, sleepSQL)
			if err == nil {
				rows.Close()
				return errors.New("Query returned rows")
			}
			return err
		}},
		{"QueryRow", func(ctx context.Context) error {
			var v uint8
			return c.QueryRow(ctx, sleepSQL).Scan(&v)
		}},
		{"QueryRaw", func(ctx context.Context) error {
			raw, err := c.QueryRaw(ctx, sleepSQL)
			if err == nil {
				raw.Close()
				return errors.New("QueryRaw returned a result")
			}
			return err
		}},
		{"InsertRaw", func(ctx context.Context) error {
			// INSERT ... SELECT: the server answers once the SELECT has slept.
			_, err := c.InsertRaw(ctx, "INSERT INTO "+tbl+" SELECT sleep(3)", nil)
			return err
		}},
	}
	for _, call := range calls {
		for _, mode := range []string{"deadline", "cancel"} {
			t.Run(call.name+"/"+mode, func(t *testing.T) {
				t0 := time.Now()
				ctx := cancelCtx(t, mode, cancelAfter)
				err := call.run(ctx)
				d := time.Since(t0)
				t.Logf("%s returned after %v: %v", call.name, d, err)
				checkCtxErr(t, mode, err)
				if d > cancelBound {
					t.Fatalf("%s returned after %v, want < %v (the server answers after %v)", call.name, d, cancelBound, cancelSleepOf)
				}
				if got := mustCommand(t, c, "SELECT 7").Body; got != "7\n" {
					t.Fatalf("after the %s: %q", mode, got)
				}
			})
		}
	}
}

// Insert.Finish waits for the server, which fills a column's DEFAULT sleep(3) before it answers:
// the Insert's context stops that wait. The deadline is 1 s so that the DESCRIBE TABLE of Insert
// surely comes first; the bound stays under the 3 s of the server.
func TestContextStopsInsertFinish(t *testing.T) {
	c := openTest(t)
	tbl := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+tbl+" (a UInt8, b UInt8 DEFAULT sleep(3)) ENGINE = Memory")
	const after = time.Second
	for _, mode := range []string{"deadline", "cancel"} {
		t.Run(mode, func(t *testing.T) {
			t0 := time.Now()
			ctx := cancelCtx(t, mode, after)
			ins, err := c.Insert(ctx, tbl, []string{"a"})
			if err != nil {
				t.Fatalf("Insert: %v", err)
			}
			defer ins.Close()
			if err := ins.Append(1); err != nil {
				t.Fatalf("Append: %v", err)
			}
			t1 := time.Now()
			if t1.Sub(t0) >= after {
				t.Fatalf("Insert and Append took %v, past the cancellation", t1.Sub(t0))
			}
			_, err = ins.Finish()
			d := time.Since(t0)
			t.Logf("Finish returned after %v (%v into Finish): %v", d, time.Since(t1), err)
			checkCtxErr(t, mode, err)
			if d > after+cancelBound-cancelAfter {
				t.Fatalf("Finish returned %v after the start, want < %v", d, after+cancelBound-cancelAfter)
			}
			// A second Finish reports the context again, without a request.
			if _, err := ins.Finish(); err == nil {
				t.Fatalf("second Finish succeeded")
			}
			if got := mustCommand(t, c, "SELECT 8").Body; got != "8\n" {
				t.Fatalf("after the %s: %q", mode, got)
			}
		})
	}
	// The same insert with a context that stays alive waits for the server and succeeds.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ins, err := c.InsertTyped(ctx, tbl, []string{"a"}, []string{"UInt8"}, chconnect.WithSetting("max_threads", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	if err := ins.Append(5); err != nil {
		t.Fatal(err)
	}
	if _, err := ins.Finish(); err != nil {
		t.Fatalf("Finish with a live context: %v", err)
	}
	if got := mustCommand(t, c, "SELECT count() FROM "+tbl+" WHERE a = 5").Body; got != "1\n" {
		t.Fatalf("rows with a = 5: %q", got)
	}
}

// A context that can be cancelled but never is changes nothing: quick calls keep working and
// leave no goroutine behind; cancelling the context afterwards disturbs nothing.
func TestCancellableContextIdle(t *testing.T) {
	c := openTest(t)
	tbl := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+tbl+" (a UInt32) ENGINE = Memory")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Warm up the pool before counting goroutines.
	mustCommand(t, c, "SELECT 1")
	before := runtime.NumGoroutine()
	const n = 200
	inserts := 0
	for i := 0; i < n; i++ {
		switch i % 10 {
		case 0, 5, 9:
			r, err := c.Command(ctx, fmt.Sprintf("SELECT %d", i))
			if err != nil || r.Body != fmt.Sprintf("%d\n", i) {
				t.Fatalf("Command %d: %v %v", i, r, err)
			}
		case 1, 6:
			var v uint64
			if err := c.QueryRow(ctx, fmt.Sprintf("SELECT toUInt64(%d)", i)).Scan(&v); err != nil || v != uint64(i) {
				t.Fatalf("QueryRow %d: %d %v", i, v, err)
			}
		case 2, 7:
			raw, err := c.QueryRaw(ctx, fmt.Sprintf("SELECT %d", i))
			if err != nil {
				t.Fatalf("QueryRaw %d: %v", i, err)
			}
			b, err := io.ReadAll(raw)
			raw.Close()
			if err != nil || string(b) != fmt.Sprintf("%d\n", i) {
				t.Fatalf("QueryRaw %d: %q %v", i, b, err)
			}
		case 3:
			ins, err := c.Insert(ctx, tbl, nil)
			if err != nil {
				t.Fatalf("Insert %d: %v", i, err)
			}
			if err := ins.Append(i); err != nil {
				t.Fatalf("Append %d: %v", i, err)
			}
			_, err = ins.Finish()
			ins.Close()
			if err != nil {
				t.Fatalf("Finish %d: %v", i, err)
			}
			inserts++
		case 4, 8:
			if _, err := c.InsertRaw(ctx, "INSERT INTO "+tbl+" FORMAT TabSeparated", []byte(fmt.Sprintf("%d\n", i))); err != nil {
				t.Fatalf("InsertRaw %d: %v", i, err)
			}
			inserts++
		}
	}
	// No AfterFunc fired and none is left registered: the goroutine count is back where it was
	// (a few idle runtime or pool goroutines may come and go).
	var after int
	for wait := 0; wait < 50; wait++ {
		if after = runtime.NumGoroutine(); after <= before+2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if after > before+2 {
		t.Fatalf("%d goroutines after %d calls, %d before", after, n, before)
	}
	if got := mustCommand(t, c, "SELECT count() FROM "+tbl).Body; got != fmt.Sprintf("%d\n", inserts) {
		t.Fatalf("rows inserted: %q, want %d", got, inserts)
	}
	// Cancelling the context now reaches no request: later calls with it fail before starting,
	// other contexts are unaffected.
	cancel()
	if _, err := c.Command(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Command with the cancelled context: %v", err)
	}
	if got := mustCommand(t, c, "SELECT 9").Body; got != "9\n" {
		t.Fatalf("after cancel: %q", got)
	}
}

// Contexts ending at random moments around quick calls (before, during, just after the request)
// give either the normal answer or the context's error, never another error or a crash: the
// trigger never runs on a freed switch.
func TestContextEndsAroundQuickCalls(t *testing.T) {
	c := openTest(t)
	// The client's first Query probes the server's Native revision, and both servers answer the
	// probe with an error (HTTP 404, code 115). A cancel that lands while the library reads that
	// error body is reported as that server error, "(unreadable error body)", not as
	// CHC_E_CANCELLED (impl/client/Client.cpp, sendOnce) — a library issue outside this
	// binding, seen on the stand-in about once in 150 tries. Probe first, with nothing to cancel.
	if err := c.QueryRow(context.Background(), "SELECT 1").Err(); err != nil {
		t.Fatal(err)
	}
	// Contexts end within twice the time of a call, so that some calls are answered and some
	// stopped on either server (the stand-in is several times slower than 18.16).
	t0 := time.Now()
	for i := 0; i < 5; i++ {
		mustCommand(t, c, "SELECT 1")
	}
	span := 2 * time.Since(t0) / 5
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	ok, stopped := 0, 0
	for i := 0; i < 200; i++ {
		d := time.Duration(rng.Int63n(int64(span)))
		var ctx context.Context
		var cancel context.CancelFunc
		if i%2 == 0 {
			ctx, cancel = context.WithTimeout(context.Background(), d)
		} else {
			ctx, cancel = context.WithCancel(context.Background())
			time.AfterFunc(d, cancel)
		}
		var err error
		if i%3 == 0 {
			var rows *chconnect.Rows
			if rows, err = c.Query(ctx, "SELECT 1"); err == nil {
				rows.Close()
			}
		} else {
			var r *chconnect.Response
			if r, err = c.Command(ctx, "SELECT 1"); err == nil && r.Body != "1\n" {
				t.Fatalf("call %d: body %q", i, r.Body)
			}
		}
		cancel()
		switch {
		case err == nil:
			ok++
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			stopped++
		default:
			t.Fatalf("call %d (context ending after %v): %v", i, d, err)
		}
	}
	t.Logf("contexts ending within %v: %d calls answered, %d stopped by their context", span, ok, stopped)
	if got := mustCommand(t, c, "SELECT 10").Body; got != "10\n" {
		t.Fatalf("afterwards: %q", got)
	}
}
