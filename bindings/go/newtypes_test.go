package chconnect_test

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // DateTime('Asia/Tokyo') needs the zone database; the test host may lack one

	"github.com/chconnect/chconnect-go"
)

// Round trip of every type 18.16 knows beyond the basic ones: inserted from Go values, read back
// as Go values, and compared with the server's own toString().
func TestNewTypesRoundTrip(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	tbl := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+tbl+` (
		k UInt32,
		d9 Decimal(9, 2), d18 Decimal(18, 4), d38 Decimal(38, 10), dn Nullable(Decimal(10, 3)),
		u UUID, e8 Enum8('a' = 1, 'b' = -2), e16 Enum16('x' = 1000, 'y' = -1000),
		tup Tuple(Int32, String, Nullable(Float64)),
		lc LowCardinality(String), lcn LowCardinality(Nullable(String)), alc Array(LowCardinality(String)),
		n Nested(a UInt8, b String),
		dt DateTime('Asia/Tokyo'), adec Array(Decimal(10, 3)), ai Array(Int32)
	) ENGINE MergeTree ORDER BY k`)

	uuid1, _ := chconnect.ParseUUID("61f0c404-5cb3-11e7-907b-a6006ad3dba0")
	bigD, _ := chconnect.ParseDecimal("-1234567890123456789012345678.0123456789")
	type tup struct {
		A int32
		B string
		C *float64
	}
	f := 2.5
	rows := [][]any{
		{1, chconnect.NewDecimal(12345, 2), "-3.1416", bigD, nil,
			uuid1, "a", "y", []any{int32(-7), "x", nil},
			"red", nil, []string{"p", "q", "p"},
			[]uint8{1, 2}, []string{"one", "two"},
			time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), []any{"1.5", 2, chconnect.NewDecimal(-1, 3)}, []int32{1, -2, 3}},
		{2, 0.5, big.NewInt(42), "0.0000000001", "7.125",
			"00000000-0000-0000-0000-000000000001", int8(-2), int16(1000), tup{A: 5, B: "y", C: &f},
			[]byte("blue"), "green", []string{},
			[]uint8{}, []string{},
			"2021-06-30 23:59:59", []any{}, []int32{}},
	}
	ins, err := c.Insert(ctx, tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	for i, r := range rows {
		if err := ins.Append(r...); err != nil {
			t.Fatalf("Append row %d: %v", i, err)
		}
	}
	if _, err := ins.Finish(); err != nil {
		t.Fatal(err)
	}

	// 18.16's toString(Decimal128) prints garbage for wide values: compare in SQL instead.
	var n uint64
	if err := c.QueryRow(ctx, "SELECT count() FROM "+tbl+" WHERE d38 = toDecimal128('"+bigD.String()+"', 10)").Scan(&n); err != nil || n != 1 {
		t.Errorf("Decimal128 round trip: %d rows match, %v", n, err)
	}
	cols := []string{"d9", "d18", "dn", "u", "e8", "e16", "lc", "lcn", "dt"}
	var sel []string
	for _, col := range cols {
		sel = append(sel, col, "toString("+col+")")
	}
	rs, err := c.Query(ctx, "SELECT "+strings.Join(sel, ", ")+", tup, alc, n.a, n.b, adec, ai, d38 FROM "+tbl+" ORDER BY k")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	row := 0
	for rs.NextRow() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		for j, col := range cols {
			got, want := vals[2*j], vals[2*j+1]
			if got == nil {
				if want != nil && want != "\\N" {
					t.Errorf("row %d %s: got NULL, server says %v", row, col, want)
				}
				continue
			}
			var s string
			switch g := got.(type) {
			case time.Time:
				// 18.16 sends plain "DateTime" in Native (no zone): the instant is right, shown in UTC.
				tokyo, _ := time.LoadLocation("Asia/Tokyo")
				s = g.In(tokyo).Format("2006-01-02 15:04:05")
			case chconnect.Decimal:
				// The server's toString drops the scale's trailing zeros on current versions.
				s = serverDecimalText(t, g.String())
			default:
				s = fmt.Sprint(g)
			}
			if s != want {
				t.Errorf("row %d %s: Go %T %q, server %q", row, col, got, s, want)
			}
		}
		rest := vals[2*len(cols):]
		var wantTup []any
		var wantRest []any
		if row == 0 {
			wantTup = []any{int32(-7), "x", nil}
			wantRest = []any{[]string{"p", "q", "p"}, []uint8{1, 2}, []string{"one", "two"},
				[]chconnect.Decimal{mustDec(t, "1.500"), mustDec(t, "2.000"), mustDec(t, "-0.001")}, []int32{1, -2, 3}}
		} else {
			wantTup = []any{int32(5), "y", 2.5}
			wantRest = []any{[]string{}, []uint8{}, []string{}, []chconnect.Decimal{}, []int32{}}
		}
		if !reflect.DeepEqual(rest[0], wantTup) {
			t.Errorf("row %d tup: %#v, want %#v", row, rest[0], wantTup)
		}
		for j, w := range wantRest {
			if fmt.Sprintf("%T %v", rest[j+1], rest[j+1]) != fmt.Sprintf("%T %v", w, w) {
				t.Errorf("row %d column %d: %T %v, want %T %v", row, j+1, rest[j+1], rest[j+1], w, w)
			}
		}
		// Scan into typed destinations.
		var d9 float64
		var d38 string
		var u [16]byte
		var e8 string
		var tp tup
		var lcn *string
		dest := make([]any, len(vals))
		for j := range dest {
			dest[j] = new(any)
		}
		dest[0], dest[2*len(cols)+6], dest[6], dest[8], dest[15], dest[2*len(cols)] = &d9, &d38, &u, &e8, &lcn, &tp
		if err := rs.Scan(dest...); err != nil {
			t.Fatalf("Scan row %d: %v", row, err)
		}
		if row == 0 && (d9 != 123.45 || d38 != bigD.String() || chconnect.UUID(u) != uuid1 || e8 != "a" || lcn != nil || tp.A != -7 || tp.B != "x" || tp.C != nil) {
			t.Errorf("Scan row 0: %v %v %v %v %v %+v", d9, d38, u, e8, lcn, tp)
		}
		if row == 1 && (lcn == nil || *lcn != "green" || tp.C == nil || *tp.C != 2.5) {
			t.Errorf("Scan row 1: %v %+v", lcn, tp)
		}
		row++
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if row != 2 {
		t.Fatalf("%d rows", row)
	}
}

func mustDec(t *testing.T, s string) chconnect.Decimal {
	d, err := chconnect.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Types 18.16 can only produce in results, and typed accessors on the new kinds.
func TestServerCastsAndAccessors(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	rs, err := c.Query(ctx, `SELECT toIntervalDay(3) AS iv, toIntervalMonth(-2) AS im, NULL AS nothing, [] AS empty,
		toDecimal128('-99999999999999999999999999999999.999999', 6) AS d128,
		toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') AS u, CAST('b' AS Enum8('a' = 1, 'b' = 2)) AS e,
		toLowCardinality('lc') AS lc, tuple(1, 'x') AS tp, toFixedString('ab', 3) AS fs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if !rs.NextRow() {
		t.Fatalf("no row: %v", rs.Err())
	}
	vals, err := rs.Values()
	if err != nil {
		t.Fatal(err)
	}
	if iv, ok := vals[0].(chconnect.Interval); !ok || iv.Value != 3 || iv.Unit != "Day" {
		t.Errorf("interval: %#v", vals[0])
	}
	if iv, ok := vals[1].(chconnect.Interval); !ok || iv.Value != -2 || iv.Unit != "Month" {
		t.Errorf("interval month: %#v", vals[1])
	}
	if vals[2] != nil {
		t.Errorf("NULL: %#v", vals[2])
	}
	if fmt.Sprintf("%T", vals[3]) != "[]interface {}" || reflect.ValueOf(vals[3]).Len() != 0 {
		t.Errorf("[]: %#v", vals[3])
	}
	if d, ok := vals[4].(chconnect.Decimal); !ok || d.String() != "-99999999999999999999999999999999.999999" {
		t.Errorf("Decimal128: %v", vals[4])
	}
	b := rs.Block()
	col := func(name string) *chconnect.Column {
		cc, err := b.ColumnByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return cc
	}
	if d, err := col("iv").Duration(0); err != nil || d != 72*time.Hour {
		t.Errorf("Interval Duration: %v %v", d, err)
	}
	if _, err := col("im").Duration(0); err == nil {
		t.Errorf("month interval gave a duration")
	}
	if !col("nothing").IsNull(0) {
		t.Errorf("IsNull(NULL) false")
	}
	if u, err := col("u").UUID(0); err != nil || u.String() != "61f0c404-5cb3-11e7-907b-a6006ad3dba0" {
		t.Errorf("UUID: %v %v", u, err)
	}
	if name, v, err := col("e").Enum(0); err != nil || name != "b" || v != 2 {
		t.Errorf("Enum: %v %v %v", name, v, err)
	}
	if v, err := col("e").Int64(0); err != nil || v != 2 {
		t.Errorf("Enum Int64: %v %v", v, err)
	}
	if s, err := col("lc").String(0); err != nil || s != "lc" {
		t.Errorf("LowCardinality String: %q %v", s, err)
	}
	if tp, err := col("tp").Tuple(0); err != nil || !reflect.DeepEqual(tp, []any{uint8(1), "x"}) {
		t.Errorf("Tuple: %#v %v", tp, err)
	}
	if bi, err := col("d128").BigInt(0); err == nil {
		t.Errorf("BigInt on Decimal: %v", bi)
	}
	if d, err := col("d128").Decimal(0); err != nil || d.Scale != 6 {
		t.Errorf("Decimal: %v %v", d, err)
	}
}

// Insert errors of the new kinds leave the insert usable.
func TestNewTypesInsertErrors(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	tbl := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+tbl+" (d Decimal(5, 2), u UUID, e Enum8('a' = 1), tp Tuple(UInt8, String)) ENGINE Memory")
	ins, err := c.Insert(ctx, tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	bad := [][]any{
		{"1234.5", "00000000-0000-0000-0000-000000000001", "a", []any{1, "x"}}, // Decimal out of range
		{"1.234", "00000000-0000-0000-0000-000000000001", "a", []any{1, "x"}},  // too many digits
		{"1.23", "not-a-uuid", "a", []any{1, "x"}},                             // UUID
		{"1.23", "00000000-0000-0000-0000-000000000001", "zz", []any{1, "x"}},  // Enum name
		{"1.23", "00000000-0000-0000-0000-000000000001", "a", []any{1}},        // tuple arity
		{"1.23", "00000000-0000-0000-0000-000000000001", "a", []any{300, "x"}}, // tuple element range
		{"1.23", "00000000-0000-0000-0000-000000000001", nil, []any{1, "x"}},   // NULL
	}
	for i, r := range bad {
		err := ins.Append(r...)
		if err == nil {
			t.Fatalf("bad row %d accepted", i)
		}
		if e := asError(t, err); e.Status != chconnect.StatusType {
			t.Errorf("bad row %d: %v", i, err)
		}
	}
	if err := ins.Append("1.23", chconnect.UUID{15: 1}, 1, [2]any{uint8(1), "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ins.Finish(); err != nil {
		t.Fatal(err)
	}
	var d, u, e string
	if err := c.QueryRow(ctx, "SELECT toString(d), toString(u), toString(e) FROM "+tbl).Scan(&d, &u, &e); err != nil {
		t.Fatal(err)
	}
	if d != "1.23" || u != "00000000-0000-0000-0000-000000000001" || e != "a" {
		t.Errorf("%q %q %q", d, u, e)
	}
}
