package chconnect

import (
	"github.com/chconnect/chconnect-go/internal/capi"
)

// SummaryFields are the X-ClickHouse-Summary fields a Response keeps (servers before 19.x send
// no summary at all).
var SummaryFields = []string{
	"read_rows", "read_bytes", "written_rows", "written_bytes", "total_rows_to_read",
	"result_rows", "result_bytes", "elapsed_ns",
}

// Response is the buffered answer to a command or an insert. It holds no C resources.
type Response struct {
	Body    string // response body; for a command, the TabSeparated result text
	QueryID string // query id from the server or the request, "" if unknown

	summary map[string]int64
}

// Summary returns one numeric field of the X-ClickHouse-Summary header (see SummaryFields) and
// whether the server sent it.
func (r *Response) Summary(field string) (int64, bool) {
	if r == nil {
		return 0, false
	}
	v, ok := r.summary[field]
	return v, ok
}

// takeResponse copies a chc_response into Go memory and frees it.
func takeResponse(h capi.Response) *Response {
	if h == 0 {
		return &Response{}
	}
	defer capi.Chc_response_free(h)
	var n int64
	p := capi.Chc_response_body(h, &n)
	r := &Response{Body: goStringN(p, n), QueryID: capi.Chc_response_query_id(h)}
	for _, f := range SummaryFields {
		var v int64
		var e capi.Error
		if capi.Chc_response_summary(h, f, &v, &e) == capi.CHC_OK {
			if r.summary == nil {
				r.summary = make(map[string]int64)
			}
			r.summary[f] = v
		} else {
			capi.Chc_error_free(e)
		}
	}
	return r
}
