package chconnect_test

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go"
)

const allTypesSchema = `(
	id UInt32,
	i8 Int8, i16 Int16, i32 Int32, i64 Int64,
	u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64,
	f32 Float32, f64 Float64,
	s String, fs FixedString(5),
	d Date, dt DateTime, dtu DateTime('UTC'),
	n Nullable(Int32), ns Nullable(String),
	a Array(Int32), astr Array(String), an Array(Nullable(Int64)),
	aa Array(Array(UInt8)), aas Array(Array(String))
) ENGINE MergeTree ORDER BY id`

type myInt int16  // a named integer type goes in by its kind
type myStr string // likewise a named string type

func i64p(v int64) *int64 { return &v }

func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// Every type of the C ABI goes in through Insert.Append and comes back equal, read by Value,
// by the typed accessors and by the server's own text rendering.
func TestTypesRoundTrip(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" "+allTypesSchema)

	tokyo := time.FixedZone("UTC+9", 9*3600)
	inputs := [][]any{
		{ // minimum values, empty strings and arrays, NULLs
			uint32(0),
			int8(math.MinInt8), int16(math.MinInt16), int32(math.MinInt32), int64(math.MinInt64),
			uint8(0), uint16(0), uint32(0), uint64(0),
			float32(-1.5), -1e300,
			"", "",
			utc(1970, 1, 1, 0, 0, 0), utc(1970, 1, 1, 0, 0, 0), utc(1970, 1, 1, 0, 0, 0),
			nil, nil,
			[]int32{}, []string{}, []*int64{},
			[][]uint8{}, [][]string{},
		},
		{ // maximum values, bytes that need escaping, nested arrays
			uint32(1),
			int8(math.MaxInt8), int16(math.MaxInt16), int32(math.MaxInt32), int64(math.MaxInt64),
			uint8(math.MaxUint8), uint16(math.MaxUint16), uint32(math.MaxUint32), uint64(math.MaxUint64),
			float32(3.25), math.MaxFloat64,
			"héllo\x00\tworld", "abcde",
			utc(2100, 12, 31, 0, 0, 0), utc(2038, 1, 19, 3, 14, 8), utc(2038, 1, 19, 3, 14, 8),
			int32(math.MaxInt32), "x",
			[]int32{1, -2, 3}, []string{"a", "", "ccc"}, []*int64{i64p(1), nil, i64p(-3)},
			[][]uint8{{1, 2}, {}, {255}}, [][]string{{"x"}, {"y", "z"}, {}},
		},
		{ // other Go types that convert: plain ints, named types, pointers, []any, strings for dates
			2,
			-5, myInt(-300), 70000, 1 << 40,
			true, 65535.0, uint(7), uint64(1 << 63),
			2.5, float32(0.25),
			[]byte("bytes"), myStr("ab"),
			"2024-02-29", "2024-02-29 12:34:56", time.Date(2024, 2, 29, 21, 34, 56, 0, tokyo),
			i64p(-1), []byte{},
			[]any{int8(4), 5, uint16(6)}, []myStr{"p", "q"}, []any{nil, 9},
			[][]int{{7}}, []any{[]string{"m"}},
		},
	}
	wants := [][]any{
		{
			uint32(0),
			int8(math.MinInt8), int16(math.MinInt16), int32(math.MinInt32), int64(math.MinInt64),
			uint8(0), uint16(0), uint32(0), uint64(0),
			float32(-1.5), -1e300,
			"", "\x00\x00\x00\x00\x00",
			utc(1970, 1, 1, 0, 0, 0), utc(1970, 1, 1, 0, 0, 0), utc(1970, 1, 1, 0, 0, 0),
			nil, nil,
			[]int32{}, []string{}, []*int64{},
			[][]uint8{}, [][]string{},
		},
		{
			uint32(1),
			int8(math.MaxInt8), int16(math.MaxInt16), int32(math.MaxInt32), int64(math.MaxInt64),
			uint8(math.MaxUint8), uint16(math.MaxUint16), uint32(math.MaxUint32), uint64(math.MaxUint64),
			float32(3.25), math.MaxFloat64,
			"héllo\x00\tworld", "abcde",
			utc(2100, 12, 31, 0, 0, 0), utc(2038, 1, 19, 3, 14, 8), utc(2038, 1, 19, 3, 14, 8),
			int32(math.MaxInt32), "x",
			[]int32{1, -2, 3}, []string{"a", "", "ccc"}, []*int64{i64p(1), nil, i64p(-3)},
			[][]uint8{{1, 2}, {}, {255}}, [][]string{{"x"}, {"y", "z"}, {}},
		},
		{
			uint32(2),
			int8(-5), int16(-300), int32(70000), int64(1 << 40),
			uint8(1), uint16(65535), uint32(7), uint64(1 << 63),
			float32(2.5), 0.25,
			"bytes", "ab\x00\x00\x00",
			utc(2024, 2, 29, 0, 0, 0), utc(2024, 2, 29, 12, 34, 56), utc(2024, 2, 29, 12, 34, 56),
			int32(-1), "",
			[]int32{4, 5, 6}, []string{"p", "q"}, []*int64{nil, i64p(9)},
			[][]uint8{{7}}, [][]string{{"m"}},
		},
	}

	ins, err := c.Insert(ctx, table, nil) // nil: every column, in table order
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	defer ins.Close()
	if got := strings.Join(ins.Columns(), ","); !strings.HasPrefix(got, "id,i8,i16") {
		t.Fatalf("insert columns %s", got)
	}
	for i, row := range inputs {
		if err := ins.Append(row...); err != nil {
			t.Fatalf("Append row %d: %v", i, err)
		}
	}
	if _, err := ins.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}

	rows, err := c.Query(ctx, "SELECT * FROM "+table+" ORDER BY id")
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.NextRow() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("Values row %d: %v", n, err)
		}
		if n >= len(wants) {
			t.Fatalf("extra row %v", vals)
		}
		want := wants[n]
		if len(vals) != len(want) {
			t.Fatalf("row %d: %d values, want %d", n, len(vals), len(want))
		}
		names, _ := rows.Block().Names()
		for j := range vals {
			if !sameValue(vals[j], want[j]) {
				t.Errorf("row %d column %s: got %#v (%T), want %#v (%T)", n, names[j], vals[j], vals[j], want[j], want[j])
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(wants) {
		t.Fatalf("%d rows, want %d", n, len(wants))
	}

	// The server's own rendering of what it stored.
	text := mustCommand(t, c, "SELECT id, i8, i64, u64, f32, f64, s, fs, d, dtu, toUnixTimestamp(dt), n, ns, a, an, aa, aas FROM "+
		table+" ORDER BY id FORMAT TabSeparated").Body
	wantText := strings.Join([]string{
		"0\t-128\t-9223372036854775808\t0\t-1.5\t-1e300\t\t\\0\\0\\0\\0\\0\t1970-01-01\t1970-01-01 00:00:00\t0\t\\N\t\\N\t[]\t[]\t[]\t[]",
		"1\t127\t9223372036854775807\t18446744073709551615\t3.25\t1.7976931348623157e308\théllo\\0\\tworld\tabcde\t2100-12-31\t2038-01-19 03:14:08\t2147483648\t2147483647\tx\t[1,-2,3]\t[1,NULL,-3]\t[[1,2],[],[255]]\t[['x'],['y','z'],[]]",
		"2\t-5\t1099511627776\t9223372036854775808\t2.5\t0.25\tbytes\tab\\0\\0\\0\t2024-02-29\t2024-02-29 12:34:56\t1709210096\t-1\t\t[4,5,6]\t[NULL,9]\t[[7]]\t[['m']]",
	}, "\n") + "\n"
	// 18.16 prints day 0 and second 0 as zeros rather than as 1970-01-01.
	text = strings.ReplaceAll(text, "0000-00-00", "1970-01-01")
	if text != wantText {
		t.Errorf("server text:\n%s\nwant:\n%s", text, wantText)
	}
}

// sameValue compares read values: times by instant, everything else deeply.
func sameValue(got, want any) bool {
	if wt, ok := want.(time.Time); ok {
		gt, ok := got.(time.Time)
		return ok && gt.Equal(wt)
	}
	return reflect.DeepEqual(got, want)
}

func TestTypedAccessors(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	rows, err := c.Query(ctx, `SELECT
		toInt8(-7) AS i8, toUInt64(18446744073709551615) AS u64, toFloat32(1.5) AS f32,
		'abc' AS s, toFixedString('ab', 4) AS fs, toDate('2020-05-17') AS d,
		toDateTime('2020-05-17 10:11:12', 'UTC') AS dt,
		CAST(NULL AS Nullable(Int32)) AS nn, CAST(5 AS Nullable(Int32)) AS nv, [10, 20, 30] AS arr`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no block: %v", rows.Err())
	}
	b := rows.Block()
	col := func(name string) *chconnect.Column {
		t.Helper()
		c, err := b.ColumnByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if v, err := col("i8").Int64(0); err != nil || v != -7 {
		t.Errorf("i8 Int64 %v %v", v, err)
	}
	if v, err := col("i8").Float64(0); err != nil || v != -7 {
		t.Errorf("i8 Float64 %v %v", v, err)
	}
	if _, err := col("i8").Uint64(0); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("negative Uint64: %v", err)
	}
	if _, err := col("u64").Int64(0); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("u64 max as Int64: %v", err)
	}
	if v, err := col("u64").Uint64(0); err != nil || v != math.MaxUint64 {
		t.Errorf("u64 Uint64 %v %v", v, err)
	}
	if v, err := col("f32").Float64(0); err != nil || v != 1.5 {
		t.Errorf("f32 %v %v", v, err)
	}
	if _, err := col("f32").Int64(0); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("float as Int64: %v", err)
	}
	if v, err := col("s").String(0); err != nil || v != "abc" {
		t.Errorf("s %q %v", v, err)
	}
	if v, err := col("fs").Bytes(0); err != nil || string(v) != "ab\x00\x00" {
		t.Errorf("fs %q %v", v, err)
	}
	if _, err := col("s").Int64(0); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("string as Int64: %v", err)
	}
	if v, err := col("d").Time(0); err != nil || !v.Equal(utc(2020, 5, 17, 0, 0, 0)) {
		t.Errorf("d %v %v", v, err)
	}
	if v, err := col("d").Int64(0); err != nil || v != utc(2020, 5, 17, 0, 0, 0).Unix()/86400 {
		t.Errorf("d days %v %v", v, err)
	}
	if v, err := col("dt").Time(0); err != nil || !v.Equal(utc(2020, 5, 17, 10, 11, 12)) || v.Location().String() != "UTC" {
		t.Errorf("dt %v %v", v, err)
	}
	// 18.16 names no zone in Native column types (DateTime, not DateTime('UTC')), so the zone is
	// checked through ParseType in TestParseType.
	if dt := col("dt").Type(); dt.Kind != chconnect.KindDateTime {
		t.Errorf("dt type %+v", dt)
	}
	if !col("nn").IsNull(0) || col("nv").IsNull(0) || col("i8").IsNull(0) {
		t.Errorf("IsNull wrong")
	}
	if _, err := col("nn").Int64(0); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("NULL as Int64: %v", err)
	}
	if v, err := col("nv").Int64(0); err != nil || v != 5 {
		t.Errorf("nv %v %v", v, err)
	}
	if v, err := col("nn").Value(0); err != nil || v != nil {
		t.Errorf("nn Value %v %v", v, err)
	}
	if _, err := col("i8").Int64(1); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("row out of range: %v", err)
	}
	if _, err := col("i8").Int64(-1); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("negative row: %v", err)
	}
	if _, err := b.Column(99); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("column out of range: %v", err)
	}
	if _, err := b.ColumnByName("nope"); !errors.Is(err, chconnect.ErrNotFound) {
		t.Errorf("unknown column: %v", err)
	}

	// Raw, zero-copy buffers.
	arr := col("arr")
	start, end, err := arr.ArrayBounds(0)
	if err != nil || end-start != 3 {
		t.Fatalf("ArrayBounds %d %d %v", start, end, err)
	}
	el := arr.Child()
	if el.Type().Kind != chconnect.KindUInt8 || len(el.Data()) != 3 || el.Data()[2] != 30 {
		t.Errorf("array elements %v %v", el.Type(), el.Data())
	}
	if offs := arr.Offsets(); len(offs) != 2 || offs[0] != 0 || offs[1] != 3 {
		t.Errorf("array offsets %v", offs)
	}
	if d := col("u64").Data(); len(d) != 8 || binary.LittleEndian.Uint64(d) != math.MaxUint64 {
		t.Errorf("u64 data %v", d)
	}
	if s := col("s"); string(s.Data()) != "abc" || len(s.Offsets()) != 2 {
		t.Errorf("string buffers %q %v", s.Data(), s.Offsets())
	}
	if nm := col("nn").NullMap(); len(nm) != 1 || nm[0] != 1 {
		t.Errorf("null map %v", nm)
	}

	// Scan into various destinations.
	var (
		i8   int
		u64  uint64
		f32  float64
		s    []byte
		fs   string
		d    time.Time
		dt   time.Time
		nn   *int32
		nv   *int64
		arrv []int
	)
	if err := b.Scan(0, &i8, &u64, &f32, &s, &fs, &d, &dt, &nn, &nv, &arrv); err != nil {
		t.Fatal(err)
	}
	if i8 != -7 || u64 != math.MaxUint64 || f32 != 1.5 || string(s) != "abc" || nn != nil || nv == nil || *nv != 5 ||
		!reflect.DeepEqual(arrv, []int{10, 20, 30}) || !dt.Equal(utc(2020, 5, 17, 10, 11, 12)) {
		t.Errorf("Scan: %v %v %v %q %v %v %v", i8, u64, f32, s, nn, nv, arrv)
	}
	var small int8
	var dummy any
	if err := b.Scan(0, &dummy, &small, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("UInt64 max into int8: %v", err)
	}
	var notNull int32
	if err := b.Scan(0, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &notNull, &dummy, &dummy); !errors.Is(err, chconnect.ErrType) {
		t.Errorf("NULL into int32: %v", err)
	}
	if err := b.Scan(0, &dummy); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("too few destinations: %v", err)
	}

	// After the block is gone its columns refuse to be read instead of reading freed memory.
	u := col("u64")
	if rows.Next() {
		t.Fatalf("unexpected second block")
	}
	if _, err := u.Uint64(0); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Errorf("column of a released block: %v", err)
	}
	if _, err := b.Column(0); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Errorf("released block: %v", err)
	}
}

func TestInsertValueErrors(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" (u8 UInt8, fs FixedString(2), n Nullable(String), a Array(Int8), d Date) ENGINE MergeTree ORDER BY u8")

	if _, err := c.Insert(ctx, table, []string{"u8", "nope"}); !errors.Is(err, chconnect.ErrNotFound) {
		t.Errorf("unknown column: %v", err)
	}
	ins, err := c.Insert(ctx, table, []string{"u8", "fs", "n", "a", "d"},
		chconnect.WithQueryID("go-insert-qid-"+table), chconnect.WithSetting("max_threads", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	if tps := ins.Types(); len(tps) != 5 || tps[2].Name != "Nullable(String)" {
		t.Fatalf("types %v", tps)
	}
	day := utc(2001, 2, 3, 0, 0, 0)
	bad := [][]any{
		{300, "ab", nil, []int{}, day},                      // out of range for UInt8
		{-1, "ab", nil, []int{}, day},                       // negative into UInt8
		{1.5, "ab", nil, []int{}, day},                      // not integral
		{"1", "ab", nil, []int{}, day},                      // a string is not a number
		{1, "abc", nil, []int{}, day},                       // too long for FixedString(2)
		{nil, "ab", nil, []int{}, day},                      // NULL into a non-Nullable column
		{1, "ab", 5, []int{}, day},                          // a number into Nullable(String)
		{1, "ab", nil, []int{1, 200}, day},                  // an element out of range for Int8
		{1, "ab", nil, 5, day},                              // not a slice
		{1, "ab", nil, []int{}, utc(1969, 12, 31, 0, 0, 0)}, // before the Date range
		{1, "ab", nil, []int{}, "31/12/2001"},               // not a date
		{1, "ab", nil},                                      // too few values
	}
	for i, row := range bad {
		err := ins.Append(row...)
		if err == nil {
			t.Errorf("bad row %d accepted: %v", i, row)
			continue
		}
		e := asError(t, err)
		if e.Status != chconnect.StatusType && e.Status != chconnect.StatusInvalidArgument {
			t.Errorf("bad row %d: status %v: %v", i, e.Status, err)
		}
	}
	if ins.Len() != 0 {
		t.Fatalf("rejected rows were counted: %d", ins.Len())
	}
	// The insert is still usable and nothing half-appended went out.
	if err := ins.Append(uint8(9), "xy", "v", []int8{-1, 1}, day); err != nil {
		t.Fatal(err)
	}
	if err := ins.Append(10, []byte("z"), nil, []int8(nil), day); err != nil { // a nil slice is an empty array
		t.Fatal(err)
	}
	resp, err := ins.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if resp.QueryID != "go-insert-qid-"+table {
		t.Errorf("insert query id %q", resp.QueryID)
	}
	if err := ins.Append(1, "ab", nil, []int{}, day); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Errorf("Append after Finish: %v", err)
	}
	if _, err := ins.Finish(); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Errorf("second Finish: %v", err)
	}
	r := mustCommand(t, c, "SELECT u8, fs, n, a, d FROM "+table+" ORDER BY u8")
	if r.Body != "9\txy\tv\t[-1,1]\t2001-02-03\n10\tz\\0\t\\N\t[]\t2001-02-03\n" {
		t.Fatalf("stored %q", r.Body)
	}
	if err := ins.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ins.Append(1, "ab", nil, []int{}, day); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Errorf("Append after Close: %v", err)
	}
}

func TestInsertRaw(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" (k UInt32, v String) ENGINE MergeTree ORDER BY k")
	if _, err := c.InsertRaw(ctx, "INSERT INTO "+table+" FORMAT TabSeparated", []byte("1\tone\n2\ttwo\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InsertRaw(ctx, "INSERT INTO "+table+" FORMAT TabSeparated", nil); err != nil {
		t.Fatalf("empty body: %v", err)
	}
	if r := mustCommand(t, c, "SELECT k, v FROM "+table+" ORDER BY k"); r.Body != "1\tone\n2\ttwo\n" {
		t.Fatalf("stored %q", r.Body)
	}
	_, err := c.InsertRaw(ctx, "INSERT INTO "+table+" FORMAT TabSeparated", []byte("x\tbad\n"))
	if e := asError(t, err); e.Status != chconnect.StatusServer || e.Code == 0 {
		t.Fatalf("malformed raw insert: %v", err)
	}
}
