package chconnect

import (
	"context"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// ctxSwitch ties a context to a chc_cancel switch, so that cancelling the context (or its
// deadline passing) stops a request that is still waiting for its response. Attached to a
// chc_query, the switch is watched by every request made with that query; watch triggers it
// when the context is done while one call runs. The zero ctxSwitch (a context that can never
// be done) does nothing.
type ctxSwitch struct {
	ctx context.Context
	sw  capi.Cancel
}

// newCtxSwitch makes a switch for ctx, or the zero ctxSwitch when ctx can never be done. The
// caller frees it.
func newCtxSwitch(ctx context.Context) (ctxSwitch, error) {
	if ctx == nil || ctx.Done() == nil {
		return ctxSwitch{}, nil
	}
	sw := capi.Cancel(capi.Chc_cancel_new().Swigcptr())
	if sw == 0 {
		return ctxSwitch{}, errorf(StatusNoMem, "out of memory")
	}
	return ctxSwitch{ctx: ctx, sw: sw}, nil
}

// active reports whether there is a switch.
func (s ctxSwitch) active() bool { return s.sw != 0 }

// attach makes the requests started with q afterwards watch the switch (q shares it).
func (s ctxSwitch) attach(q capi.Query) error {
	if s.sw == 0 {
		return nil
	}
	var e capi.Error
	return check(capi.Chc_query_set_cancel(q, s.sw, &e), e)
}

// watch runs call (a C call made with a query the switch is attached to) and triggers the
// switch if the context is done before call returns: the request then fails promptly with
// StatusCancelled, which watch reports as the context's error (see ctxError). The trigger only
// runs while watch does, so free may follow watch without racing with it.
func (s ctxSwitch) watch(call func() error) error {
	if s.sw == 0 {
		return call()
	}
	sw := s.sw
	fired := make(chan struct{})
	stop := context.AfterFunc(s.ctx, func() {
		defer close(fired)
		capi.Chc_cancel_trigger(sw)
	})
	err := call()
	if !stop() {
		// The trigger has started (or run): the handle must outlive it.
		<-fired
	}
	return s.contextError(err)
}

// contextError turns a StatusCancelled failure into the context's error when the context is
// done (the switch is only triggered by it), keeping the failure's query id.
func (s ctxSwitch) contextError(err error) error {
	ce, ok := err.(*Error)
	if !ok || ce.Status != StatusCancelled {
		return err
	}
	cerr := ctxError(s.ctx)
	if cerr == nil {
		return err
	}
	if e, ok := cerr.(*Error); ok {
		e.QueryID = ce.QueryID
	}
	return cerr
}

// free releases the caller's handle; queries, requests and results it is attached to keep the
// switch alive. Not to be called while watch runs.
func (s *ctxSwitch) free() {
	if s.sw != 0 {
		capi.Chc_cancel_free(s.sw)
		s.sw = 0
	}
}
