package chconnect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// Status is the library's status code (chc_status). Every *Error carries one.
//
// Status values are also errors, which makes them usable as sentinels with errors.Is:
//
//	if errors.Is(err, chconnect.ErrTimeout) { ... }
type Status int32

// Status codes, equal to the CHC_E_* values of chconnect.h.
const (
	StatusOK              Status = 0
	StatusInvalidArgument Status = 1  // a bad argument: unknown option value, bad URL, ...
	StatusInvalidState    Status = 2  // call not allowed now: finished insert, closed handle
	StatusNotFound        Status = 3  // unknown option key, column or summary field
	StatusNotSupported    Status = 4  // a ClickHouse type or feature this version cannot handle
	StatusNoMem           Status = 5  // out of memory
	StatusIO              Status = 6  // connect, send or receive failed
	StatusTLS             Status = 7  // TLS handshake or certificate verification failed
	StatusTimeout         Status = 8  // a timeout (or a context deadline) elapsed
	StatusCancelled       Status = 9  // the operation (or its context) was cancelled
	StatusAuth            Status = 10 // the server rejected the credentials
	StatusServer          Status = 11 // any other ClickHouse exception or HTTP error status
	StatusProtocol        Status = 12 // malformed or truncated data
	StatusType            Status = 13 // a value does not fit the column's type
	StatusInternal        Status = 14 // a bug in chconnect
)

// Sentinels for errors.Is. An *Error matches the sentinel of its Status.
var (
	ErrInvalidArgument error = StatusInvalidArgument
	ErrInvalidState    error = StatusInvalidState
	ErrNotFound        error = StatusNotFound
	ErrNotSupported    error = StatusNotSupported
	ErrNoMem           error = StatusNoMem
	ErrIO              error = StatusIO
	ErrTLS             error = StatusTLS
	ErrTimeout         error = StatusTimeout
	ErrCancelled       error = StatusCancelled
	ErrAuth            error = StatusAuth
	ErrServer          error = StatusServer
	ErrProtocol        error = StatusProtocol
	ErrType            error = StatusType
	ErrInternal        error = StatusInternal
)

// ErrNoRows is returned by Row.Scan when the query returned no rows.
var ErrNoRows = errors.New("chconnect: no rows in result set")

var statusText = [...]string{
	StatusOK:              "ok",
	StatusInvalidArgument: "invalid argument",
	StatusInvalidState:    "invalid state",
	StatusNotFound:        "not found",
	StatusNotSupported:    "not supported",
	StatusNoMem:           "out of memory",
	StatusIO:              "I/O error",
	StatusTLS:             "TLS error",
	StatusTimeout:         "timeout",
	StatusCancelled:       "cancelled",
	StatusAuth:            "authentication failed",
	StatusServer:          "server error",
	StatusProtocol:        "protocol error",
	StatusType:            "type error",
	StatusInternal:        "internal error",
}

// String gives a short description, e.g. "timeout".
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusText) {
		return statusText[s]
	}
	return fmt.Sprintf("status %d", int32(s))
}

// Name gives the C symbol of the status, e.g. "CHC_E_TIMEOUT".
func (s Status) Name() string { return capi.Chc_status_name(int(s)) }

// Error makes a Status usable as a sentinel error.
func (s Status) Error() string { return "chconnect: " + s.String() }

// Error is the error type of every failed call. Fields that do not apply are zero.
// The password of the connection never appears in it.
type Error struct {
	Status     Status // what kind of failure
	Code       int32  // ClickHouse exception code (e.g. 60 for UNKNOWN_TABLE), 0 if none
	Name       string // ClickHouse exception name (e.g. "UNKNOWN_TABLE") when the server gave one
	HTTPStatus int    // HTTP status of the failed response, 0 if there was none
	QueryID    string // query id of the failed request, "" if unknown
	Message    string // the library's or the server's message

	cause error // a context error, for errors.Is(err, context.Canceled)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("chconnect: ")
	b.WriteString(e.Status.String())
	var details []string
	if e.Code != 0 {
		if e.Name != "" {
			details = append(details, fmt.Sprintf("code %d %s", e.Code, e.Name))
		} else {
			details = append(details, fmt.Sprintf("code %d", e.Code))
		}
	}
	if e.HTTPStatus != 0 {
		details = append(details, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.QueryID != "" {
		details = append(details, "query id "+e.QueryID)
	}
	if len(details) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(details, ", "))
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is the sentinel (Status) of this error.
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Status
}

// Unwrap returns the context error behind a cancellation, if any.
func (e *Error) Unwrap() error { return e.cause }

// newError builds an *Error from a failed call and frees the C error. A failed call without an
// error object (out of memory while making it) still gives a usable *Error.
func newError(st int, h capi.Error) error {
	if h == 0 {
		return &Error{Status: Status(st), Message: Status(st).Name()}
	}
	e := &Error{
		Status:     Status(capi.Chc_error_status(h)),
		Code:       int32(capi.Chc_error_server_code(h)),
		Name:       capi.Chc_error_server_name(h),
		HTTPStatus: capi.Chc_error_http_status(h),
		QueryID:    capi.Chc_error_query_id(h),
		Message:    capi.Chc_error_message(h),
	}
	capi.Chc_error_free(h)
	if e.Status == StatusOK {
		e.Status = Status(st)
	}
	return e
}

// check turns a status into an error (nil for CHC_OK), freeing the error handle.
func check(st int, h capi.Error) error {
	if st == capi.CHC_OK {
		if h != 0 { // not expected: the library leaves *err alone on success
			capi.Chc_error_free(h)
		}
		return nil
	}
	return newError(st, h)
}

// errorf makes an error raised by the Go layer itself.
func errorf(st Status, format string, args ...any) error {
	return &Error{Status: st, Message: fmt.Sprintf(format, args...)}
}

// ctxError returns an *Error when ctx is already done: StatusTimeout for an elapsed deadline,
// StatusCancelled otherwise; it unwraps to the context's own error.
func ctxError(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	err := ctx.Err()
	if err == nil {
		return nil
	}
	st := StatusCancelled
	if errors.Is(err, context.DeadlineExceeded) {
		st = StatusTimeout
	}
	return &Error{Status: st, Message: err.Error(), cause: err}
}

func errClosed(what string) error {
	return errorf(StatusInvalidState, "%s is closed", what)
}
