package chconnect

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Range checks of Insert.Append's conversions at the edges of each integer kind.
func TestIntValueRanges(t *testing.T) {
	cases := []struct {
		k  Kind
		v  any
		ok bool
	}{
		{KindInt8, -128, true}, {KindInt8, -129, false}, {KindInt8, 127, true}, {KindInt8, uint8(128), false},
		{KindUInt8, 255, true}, {KindUInt8, 256, false}, {KindUInt8, -1, false}, {KindUInt8, true, true},
		{KindInt16, math.MinInt16, true}, {KindInt16, math.MaxInt16 + 1, false},
		{KindUInt32, uint64(math.MaxUint32), true}, {KindUInt32, uint64(math.MaxUint32) + 1, false},
		{KindInt64, int64(math.MinInt64), true}, {KindInt64, uint64(math.MaxInt64), true},
		{KindInt64, uint64(math.MaxInt64) + 1, false},
		{KindUInt64, uint64(math.MaxUint64), true}, {KindUInt64, int64(-1), false},
		// floats must be integral and in range; 2^63 and 2^64 are just out
		{KindInt32, 3.0, true}, {KindInt32, 3.5, false}, {KindInt32, math.NaN(), false},
		{KindInt64, float64(1 << 62), true}, {KindInt64, math.Pow(2, 63), false}, {KindInt64, -math.Pow(2, 63), true},
		{KindUInt64, math.Pow(2, 63), true}, {KindUInt64, math.Pow(2, 64), false}, {KindUInt64, math.Inf(1), false},
		{KindInt8, "1", false},
	}
	for _, c := range cases {
		_, err := intValue(c.k, c.v)
		if (err == nil) != c.ok {
			t.Errorf("%s <- %T(%v): err %v, want ok=%v", c.k, c.v, c.v, err, c.ok)
		}
	}
}

func TestErrorFormatting(t *testing.T) {
	e := &Error{Status: StatusServer, Code: 60, Name: "UNKNOWN_TABLE", HTTPStatus: 404, QueryID: "q1", Message: "Table x doesn't exist"}
	got := e.Error()
	for _, part := range []string{"server error", "code 60 UNKNOWN_TABLE", "HTTP 404", "query id q1", "Table x doesn't exist"} {
		if !strings.Contains(got, part) {
			t.Errorf("%q lacks %q", got, part)
		}
	}
	if !errors.Is(e, ErrServer) || errors.Is(e, ErrTimeout) {
		t.Errorf("errors.Is does not follow the status")
	}
	if StatusTLS.Name() != "CHC_E_TLS" || StatusTimeout.String() != "timeout" || Status(99).String() != "status 99" {
		t.Errorf("status names: %s %s %s", StatusTLS.Name(), StatusTimeout, Status(99))
	}
	// A failed call without an error object still gives a usable error.
	if err := check(int(StatusNoMem), 0); !errors.Is(err, ErrNoMem) {
		t.Errorf("check without error object: %v", err)
	}
}

func TestOptionFormatting(t *testing.T) {
	kv := collect([]Option{
		WithSetting("max_threads", 4), WithSetting("readonly", true), WithConnectTimeout(1500e6),
		WithAuth("u", "p"), nil, WithParam("x", 2.5),
	})
	want := []keyValue{
		{"setting.max_threads", "4"}, {"setting.readonly", "1"}, {"connect_timeout", "1.5"},
		{"username", "u"}, {"password", "p"}, {"param.x", "2.5"},
	}
	if len(kv) != len(want) {
		t.Fatalf("got %v", kv)
	}
	for i := range want {
		if kv[i] != want[i] {
			t.Errorf("option %d: %v, want %v", i, kv[i], want[i])
		}
	}
}
