package chconnect

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// ctxSwitch without a server: which contexts get a switch, when watch triggers it, and which
// errors become the context's.
func TestCtxSwitch(t *testing.T) {
	// A context that can never be done gets no switch, and watch just runs the call.
	for _, ctx := range []context.Context{nil, context.Background()} {
		s, err := newCtxSwitch(ctx)
		if err != nil || s.active() {
			t.Fatalf("newCtxSwitch(%v): active %v, %v", ctx, s.active(), err)
		}
		want := &Error{Status: StatusCancelled}
		if got := s.watch(func() error { return want }); got != want {
			t.Fatalf("watch without a switch: %v", got)
		}
		s.free()
	}

	// Cancelling during the call triggers the switch; the call's StatusCancelled becomes the
	// context's error, keeping the query id.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := newCtxSwitch(ctx)
	if err != nil || !s.active() {
		t.Fatalf("newCtxSwitch: active %v, %v", s.active(), err)
	}
	err = s.watch(func() error {
		if capi.Chc_cancel_is_triggered(s.sw) != 0 {
			t.Errorf("triggered before the cancel")
		}
		cancel()
		for t0 := time.Now(); capi.Chc_cancel_is_triggered(s.sw) == 0; time.Sleep(time.Millisecond) {
			if time.Since(t0) > 10*time.Second {
				t.Fatalf("the switch was not triggered 10 s after cancel")
			}
		}
		return &Error{Status: StatusCancelled, QueryID: "q1", Message: "cancelled"}
	})
	var e *Error
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) || !errors.As(err, &e) || e.QueryID != "q1" {
		t.Fatalf("watch after cancel: %v", err)
	}
	// Other failures stay as they are, even with the context done.
	server := &Error{Status: StatusServer, Code: 60}
	if got := s.watch(func() error { return server }); got != server {
		t.Fatalf("a server error became %v", got)
	}
	s.free()
	s.free() // idempotent

	// A deadline gives StatusTimeout and context.DeadlineExceeded.
	dctx, dcancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer dcancel()
	s, _ = newCtxSwitch(dctx)
	err = s.watch(func() error {
		<-dctx.Done()
		return &Error{Status: StatusCancelled}
	})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("watch after the deadline: %v", err)
	}
	s.free()

	// StatusCancelled while the context is alive (not its doing) stays as it is.
	live, liveCancel := context.WithCancel(context.Background())
	defer liveCancel()
	s, _ = newCtxSwitch(live)
	other := &Error{Status: StatusCancelled}
	if got := s.watch(func() error { return other }); got != other {
		t.Fatalf("a cancellation with a live context became %v", got)
	}
	if capi.Chc_cancel_is_triggered(s.sw) != 0 {
		t.Fatalf("triggered without a cancel")
	}
	s.free()
	liveCancel() // the AfterFunc is stopped: nothing runs on the freed handle

	// A context ending as the call returns: the trigger may start after the call, and watch
	// waits for it before returning, so free right after never races with it (run with -race).
	for i := 0; i < 1000; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		s, _ := newCtxSwitch(ctx)
		if err := s.watch(func() error { cancel(); return nil }); err != nil {
			t.Fatalf("a successful call became %v", err)
		}
		s.free()
	}
}
