package chconnect

import (
	"encoding/binary"
	"math/big"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// Columns made in Go from hand-made wire buffers, for the kinds 18.16 cannot produce.
var fakeBlock = &Block{res: &resultHandle{blk: 1}}

func mkCol(t *testing.T, typ string, n int, data []byte, offs []int64, nulls []byte, kids ...*Column) *Column {
	t.Helper()
	ty, err := ParseType(typ)
	if err != nil {
		t.Fatalf("ParseType(%s): %v", typ, err)
	}
	c := &Column{blk: fakeBlock, typ: ty, n: n, data: data, offs: offs, nulls: nulls, children: kids}
	if len(kids) > 0 {
		c.child = kids[0]
	}
	return c
}

func le64(vs ...int64) []byte {
	b := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	return b
}

func val(t *testing.T, c *Column, i int) any {
	t.Helper()
	v, err := c.Value(i)
	if err != nil {
		t.Fatalf("%s row %d: %v", c.typ.Name, i, err)
	}
	return v
}

func TestDecodeNewKinds(t *testing.T) {
	// Int128 -1 and 2^64; UInt256 max
	i128 := mkCol(t, "Int128", 2, append(bytesOf(0xff, 16), append(make([]byte, 8), 1, 0, 0, 0, 0, 0, 0, 0)...), nil, nil)
	if v := val(t, i128, 0).(*big.Int); v.Int64() != -1 {
		t.Errorf("Int128 -1: %v", v)
	}
	if v := val(t, i128, 1).(*big.Int); v.String() != "18446744073709551616" {
		t.Errorf("Int128 2^64: %v", v)
	}
	u256 := mkCol(t, "UInt256", 1, bytesOf(0xff, 32), nil, nil)
	if v := val(t, u256, 0).(*big.Int); v.BitLen() != 256 {
		t.Errorf("UInt256 max: %v", v)
	}
	if b := mkCol(t, "BFloat16", 1, []byte{0xc0, 0x3f}, nil, nil); val(t, b, 0) != float32(1.5) {
		t.Errorf("BFloat16: %v", val(t, b, 0))
	}
	if b := mkCol(t, "Bool", 2, []byte{1, 0}, nil, nil); val(t, b, 0) != true || val(t, b, 1) != false {
		t.Errorf("Bool")
	}
	dec := mkCol(t, "Decimal(38, 3)", 1, append(le64(-12345), bytesOf(0xff, 8)...), nil, nil)
	if d := val(t, dec, 0).(Decimal); d.String() != "-12.345" {
		t.Errorf("Decimal128: %v", d)
	}
	d32 := mkCol(t, "Date32", 1, []byte{0xff, 0xff, 0xff, 0xff}, nil, nil) // -1 day
	if v := val(t, d32, 0).(time.Time); !v.Equal(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Date32: %v", v)
	}
	dt64 := mkCol(t, "DateTime64(3, 'UTC')", 2, le64(1500, -1), nil, nil)
	if v := val(t, dt64, 0).(time.Time); !v.Equal(time.Unix(1, 500e6)) {
		t.Errorf("DateTime64: %v", v)
	}
	if v := val(t, dt64, 1).(time.Time); !v.Equal(time.Unix(-1, 999e6)) {
		t.Errorf("DateTime64 negative: %v", v)
	}
	if tm := mkCol(t, "Time", 1, []byte{0x10, 0x0e, 0, 0}, nil, nil); val(t, tm, 0) != time.Hour {
		t.Errorf("Time: %v", val(t, tm, 0))
	}
	if tm := mkCol(t, "Time64(6)", 1, le64(-1500000), nil, nil); val(t, tm, 0) != -1500*time.Millisecond {
		t.Errorf("Time64: %v", val(t, tm, 0))
	}
	// UUID 61f0c404-5cb3-11e7-907b-a6006ad3dba0 in ClickHouse order
	raw := []byte{0xe7, 0x11, 0xb3, 0x5c, 0x04, 0xc4, 0xf0, 0x61, 0xa0, 0xdb, 0xd3, 0x6a, 0x00, 0xa6, 0x7b, 0x90}
	if u := val(t, mkCol(t, "UUID", 1, raw, nil, nil), 0).(UUID); u.String() != "61f0c404-5cb3-11e7-907b-a6006ad3dba0" {
		t.Errorf("UUID: %v", u)
	}
	if w := uuidToWire(uuidFromWire(raw)); !reflect.DeepEqual(w[:], raw) {
		t.Errorf("UUID wire round trip")
	}
	if a := val(t, mkCol(t, "IPv4", 1, []byte{0x0a, 0x01, 0xa8, 0xc0}, nil, nil), 0); a != netip.MustParseAddr("192.168.1.10") {
		t.Errorf("IPv4: %v", a)
	}
	v6 := netip.MustParseAddr("2001:db8::1").As16()
	if a := val(t, mkCol(t, "IPv6", 1, v6[:], nil, nil), 0); a != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("IPv6: %v", a)
	}
	if e := val(t, mkCol(t, "Enum16('x' = 1000, 'y' = -1000)", 1, []byte{0x18, 0xfc}, nil, nil), 0); e != "y" {
		t.Errorf("Enum16: %v", e)
	}
	js := mkCol(t, "JSON", 1, []byte(`{"a":1}`), []int64{0, 7}, nil)
	var m map[string]int
	if err := js.JSON(0, &m); err != nil || m["a"] != 1 || val(t, js, 0) != `{"a":1}` {
		t.Errorf("JSON: %v %v", m, err)
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestDecodeNestedKinds(t *testing.T) {
	// Map(String, UInt8): rows {a:1, b:2}, {}
	keys := mkCol(t, "String", 2, []byte("ab"), []int64{0, 1, 2}, nil)
	vals := mkCol(t, "UInt8", 2, []byte{1, 2}, nil, nil)
	tup := mkCol(t, "Tuple(keys String, values UInt8)", 2, nil, nil, nil, keys, vals)
	mp := mkCol(t, "Map(String, UInt8)", 2, nil, []int64{0, 2, 2}, nil, tup)
	if v := val(t, mp, 0); !reflect.DeepEqual(v, map[any]any{"a": uint8(1), "b": uint8(2)}) {
		t.Errorf("Map: %#v", v)
	}
	var typed map[string]int
	if err := assign(&typed, val(t, mp, 0)); err != nil || typed["b"] != 2 {
		t.Errorf("Scan map: %v %v", typed, err)
	}
	if p, _ := mp.MapPairs(0); len(p) != 2 || p[0].Key != "a" {
		t.Errorf("MapPairs: %v", p)
	}
	// LowCardinality(Nullable(String)): dictionary ["", "x", "y"], indexes 0 (NULL), 2, 1
	dict := mkCol(t, "String", 3, []byte("xy"), []int64{0, 0, 1, 2}, nil)
	lc := mkCol(t, "LowCardinality(Nullable(String))", 3, []byte{0, 2, 1}, nil, []byte{1, 0, 0}, dict)
	lc.idxWidth = 1
	if val(t, lc, 0) != nil || val(t, lc, 1) != "y" || val(t, lc, 2) != "x" || !lc.IsNull(0) {
		t.Errorf("LowCardinality: %v %v %v", val(t, lc, 0), val(t, lc, 1), val(t, lc, 2))
	}
	// Variant(String, UInt64): rows "s", NULL, 7, "t"
	alt0 := mkCol(t, "String", 2, []byte("st"), []int64{0, 1, 2}, nil)
	alt1 := mkCol(t, "UInt64", 1, le64(7), nil, nil)
	vr := mkCol(t, "Variant(String, UInt64)", 4, []byte{0, 255, 1, 0}, nil, []byte{0, 1, 0, 0}, alt0, alt1)
	got := []any{val(t, vr, 0), val(t, vr, 1), val(t, vr, 2), val(t, vr, 3)}
	if !reflect.DeepEqual(got, []any{"s", nil, uint64(7), "t"}) {
		t.Errorf("Variant: %#v", got)
	}
	// Array(LowCardinality(Nullable(String))) gives []*string
	arr := mkCol(t, "Array(LowCardinality(Nullable(String)))", 1, nil, []int64{0, 3}, nil, lc)
	if v, ok := val(t, arr, 0).([]*string); !ok || len(v) != 3 || v[0] != nil || *v[1] != "y" {
		t.Errorf("Array(LC(Nullable)): %#v", val(t, arr, 0))
	}
}

func TestEncodeNewKinds(t *testing.T) {
	plan := func(name string) *colPlan {
		ty, err := ParseType(name)
		if err != nil {
			t.Fatal(err)
		}
		return fakePlan(ty)
	}
	cases := []struct {
		typ  string
		v    any
		want nval
		ok   bool
	}{
		{"Int128", big.NewInt(-1), nval{k: nFixed, b: bytesOf(0xff, 16), u: 1}, true},
		{"UInt128", -1, nval{}, false},
		{"Int256", "12", nval{k: nFixed, b: append([]byte{12}, make([]byte, 31)...), u: 1}, true},
		{"Decimal(9, 2)", 5, nval{k: nString, s: "5.00"}, true},
		{"Decimal(9, 2)", 1.005, nval{k: nString, s: "1.00"}, true}, // rounded by FormatFloat (1.005 is 1.00499...)
		{"Decimal(9, 2)", "1.230", nval{k: nString, s: "1.23"}, true},
		{"Decimal(9, 2)", "1.234", nval{}, false},
		{"Decimal(5, 2)", "1234.5", nval{}, false},
		{"Bool", true, nval{k: nUint, u: 1}, true},
		{"Bool", 2, nval{}, false},
		{"Date32", "1969-12-31", nval{k: nInt, i: -1}, true},
		{"DateTime64(3)", time.Unix(1, 500e6), nval{k: nInt, i: 1500}, true},
		{"DateTime64(3, 'UTC')", "1970-01-01 00:00:01.25", nval{k: nInt, i: 1250}, true},
		{"Time", 90 * time.Second, nval{k: nInt, i: 90}, true},
		{"Time64(3)", 1500 * time.Microsecond, nval{k: nInt, i: 1}, true},
		{"UUID", UUID{15: 1}, nval{k: nString, s: "00000000-0000-0000-0000-000000000001"}, true},
		{"UUID", "xyz", nval{}, false},
		{"IPv4", netip.MustParseAddr("::ffff:192.168.1.10"), nval{k: nUint, u: 0xC0A8010A}, true},
		{"IPv4", "2001:db8::1", nval{}, false},
		{"IPv6", "192.168.1.10", nval{k: nString, s: "192.168.1.10"}, true},
		{"Enum8('a' = 1)", "a", nval{k: nString, s: "a"}, true},
		{"Enum8('a' = 1)", 2, nval{}, false},
		{"JSON", map[string]int{"a": 1}, nval{k: nString, s: `{"a":1}`}, true},
		{"Dynamic", 1.5, nval{k: nFloat, f: 1.5}, true},
		{"Dynamic", nil, nval{k: nNull}, true},
		{"Variant(String, UInt64)", uint64(3), nval{k: nVariant, i: 1, arr: []nval{{k: nUint, u: 3}}}, true},
		{"Variant(String, UInt64)", "s", nval{k: nVariant, i: 0, arr: []nval{{k: nString, s: "s"}}}, true},
		{"Variant(String, UInt64)", 5, nval{k: nVariant, i: 1, arr: []nval{{k: nUint, u: 5}}}, true},
		{"Tuple(UInt8, String)", struct {
			A int
			B string
		}{1, "x"}, nval{k: nTuple, arr: []nval{{k: nUint, u: 1}, {k: nString, s: "x"}}}, true},
		{"Map(String, UInt8)", map[string]int{"b": 2, "a": 1}, nval{k: nArray, arr: []nval{
			{k: nTuple, arr: []nval{{k: nString, s: "a"}, {k: nUint, u: 1}}},
			{k: nTuple, arr: []nval{{k: nString, s: "b"}, {k: nUint, u: 2}}}}}, true},
		{"LowCardinality(Nullable(String))", nil, nval{k: nNull}, true},
		{"LowCardinality(String)", nil, nval{}, false},
		{"Array(Int32)", []int32{1, 2}, nval{k: nArray, b: []byte{1, 0, 0, 0, 2, 0, 0, 0}, u: 2}, true},
	}
	for _, c := range cases {
		got, err := plan(c.typ).normalize(c.v)
		if (err == nil) != c.ok {
			t.Errorf("%s <- %T(%v): err %v, want ok=%v", c.typ, c.v, c.v, err, c.ok)
			continue
		}
		if c.ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s <- %T(%v): %#v, want %#v", c.typ, c.v, c.v, got, c.want)
		}
	}
}

// fakePlan builds a plan without builders (normalize never touches them).
func fakePlan(t *Type) *colPlan {
	p := &colPlan{typ: t}
	switch t.Kind {
	case KindNullable, KindLowCardinality, KindArray, KindMap:
		p.elem = fakePlan(t.Elem)
	case KindTuple, KindVariant:
		for _, e := range t.Elems {
			p.kids = append(p.kids, fakePlan(e))
		}
	}
	return p
}

func TestValueTypes(t *testing.T) {
	for _, s := range []string{"0", "-0.5", "12.340", "-100"} {
		d, err := ParseDecimal(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDecimal(%q) = %v, %v", s, d, err)
		}
	}
	if NewDecimal(-5, 3).String() != "-0.005" {
		t.Errorf("%v", NewDecimal(-5, 3))
	}
	for _, n := range []int64{0, 1, -1, 1 << 62} {
		for _, size := range []int{16, 32} {
			b, ok := bigToLE(big.NewInt(n), size, true)
			if !ok || bigFromLE(b, true).Int64() != n {
				t.Errorf("bigToLE(%d, %d)", n, size)
			}
		}
	}
	if d, ok := (Interval{Value: 2, Unit: "Week"}).Duration(); !ok || d != 14*24*time.Hour {
		t.Errorf("Interval week: %v", d)
	}
	if got := ticksToDuration(durationToTicks(1234567*time.Microsecond, 6), 6); got != 1234567*time.Microsecond {
		t.Errorf("Time64 round trip: %v", got)
	}
}
