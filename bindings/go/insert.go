package chconnect

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"time"
	"unsafe"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// Insert collects rows for one Native INSERT (see Client.Insert) and sends them with Finish.
// An Insert belongs to one goroutine at a time. Always Close it (after Finish too); a finalizer
// frees a forgotten one, but only whenever the garbage collector gets to it.
type Insert struct {
	h       capi.Insert
	ctx     context.Context
	cancel  ctxSwitch // attached to the insert's options at begin (zero if ctx cannot be done)
	names   []string
	types   []*Type
	plans   []*colPlan
	scratch []nval
	rows    int
	broken  error // set when a row could only be half appended; the insert is unusable
	done    bool
}

// colPlan is how Go values reach one column's builder.
type colPlan struct {
	name string
	typ  *Type
	b    capi.Builder
	elem *colPlan   // Nullable, LowCardinality: the inner type, same builder; Array, Map: the element builder
	kids []*colPlan // Tuple elements, Variant alternatives
}

// newInsert wraps h; the Insert owns cancel, the switch attached to h's options.
func newInsert(ctx context.Context, h capi.Insert, cancel ctxSwitch) (*Insert, error) {
	ins := &Insert{h: h, ctx: ctx, cancel: cancel}
	runtime.SetFinalizer(ins, (*Insert).free)
	n := int(capi.Chc_insert_column_count(h))
	for i := 0; i < n; i++ {
		name := capi.Chc_insert_column_name(h, int64(i))
		t := copyType(capi.Chc_insert_column_type(h, int64(i)))
		b := capi.Builder(capi.Chc_insert_builder(h, int64(i)).Swigcptr())
		if t == nil || b == 0 {
			ins.Close()
			return nil, errorf(StatusInternal, "insert column %d has no type or builder", i)
		}
		p, err := makePlan(name, t, b)
		if err != nil {
			ins.Close()
			return nil, err
		}
		ins.names = append(ins.names, name)
		ins.types = append(ins.types, t)
		ins.plans = append(ins.plans, p)
	}
	ins.scratch = make([]nval, n)
	return ins, nil
}

func makePlan(name string, t *Type, b capi.Builder) (*colPlan, error) {
	p := &colPlan{name: name, typ: t, b: b}
	var err error
	switch t.Kind {
	case KindNullable:
		if t.Elem == nil {
			return nil, errorf(StatusInternal, "column %q: Nullable without inner type", name)
		}
		p.elem, err = makePlan(name, t.Elem, b) // a Nullable builder takes the inner values itself
	case KindLowCardinality:
		if t.Elem == nil {
			return nil, errorf(StatusInternal, "column %q: LowCardinality without inner type", name)
		}
		p.elem, err = makePlan(name, t.Elem, b) // takes the inner values itself
	case KindArray, KindMap:
		cb := capi.Builder(capi.Chc_builder_child(b, 0).Swigcptr())
		if t.Elem == nil || cb == 0 {
			return nil, errorf(StatusInternal, "column %q: %s without element builder", name, t.Kind)
		}
		p.elem, err = makePlan(name, t.Elem, cb)
		if err == nil && t.Kind == KindMap && len(p.elem.kids) != 2 {
			err = errorf(StatusInternal, "column %q: Map without key and value builders", name)
		}
	case KindTuple, KindVariant:
		for i, et := range t.Elems {
			cb := capi.Builder(capi.Chc_builder_child(b, int64(i)).Swigcptr())
			if et == nil || cb == 0 {
				return nil, errorf(StatusInternal, "column %q: %s without builder %d", name, t.Kind, i)
			}
			kid, err := makePlan(name, et, cb)
			if err != nil {
				return nil, err
			}
			p.kids = append(p.kids, kid)
		}
	}
	return p, err
}

func (ins *Insert) free() {
	if ins.h != 0 {
		capi.Chc_insert_free(ins.h)
		ins.h = 0
	}
	ins.cancel.free()
}

// Close frees the insert; an unfinished insert is abandoned (nothing is sent). Idempotent.
func (ins *Insert) Close() error {
	if ins == nil {
		return nil
	}
	ins.free()
	ins.plans = nil
	runtime.SetFinalizer(ins, nil)
	return nil
}

// Columns returns the names of the insert's columns, in order.
func (ins *Insert) Columns() []string { return ins.names }

// Types returns the types of the insert's columns, in order.
func (ins *Insert) Types() []*Type { return ins.types }

// Len returns the number of rows appended so far.
func (ins *Insert) Len() int { return ins.rows }

// Append adds one row, one value per column, converted by the column's type:
//   - Int*/UInt*: any Go integer, bool, or integral float in the column's range
//   - Float32/Float64: any Go float or integer
//   - String/FixedString(N): string or []byte (at most N bytes for FixedString)
//   - Date: time.Time (its calendar date), an integer (days since 1970-01-01) or "2006-01-02"
//   - DateTime: time.Time, an integer (seconds since the epoch) or "2006-01-02 15:04:05" (read
//     in the column's time zone, else UTC)
//   - Nullable(T): nil or a nil pointer for NULL, else a value for T
//   - Array(T): a slice or array of values for T (nested for Array(Array(...)))
//
// Pointers are followed. A value that does not fit gives an *Error with ErrType and appends
// nothing: the insert stays usable.
func (ins *Insert) Append(row ...any) error {
	if err := ins.usable(); err != nil {
		return err
	}
	if len(row) != len(ins.plans) {
		return errorf(StatusInvalidArgument, "Append: %d values for %d columns", len(row), len(ins.plans))
	}
	vals := ins.scratch
	for i, p := range ins.plans {
		v, err := p.normalize(row[i])
		if err != nil {
			clear(vals)
			return errorf(StatusType, "column %q (%s): %v", p.name, p.typ.Name, err)
		}
		vals[i] = v
	}
	for i, p := range ins.plans {
		if err := p.push(vals[i]); err != nil {
			// Earlier columns already hold this row and builders cannot drop a value.
			ins.broken = err
			clear(vals)
			return err
		}
	}
	clear(vals)
	runtime.KeepAlive(ins)
	ins.rows++
	return nil
}

func (ins *Insert) usable() error {
	if ins == nil || ins.h == 0 {
		return errClosed("insert")
	}
	if ins.broken != nil {
		return errorf(StatusInvalidState, "insert unusable after a failed append: %v", ins.broken)
	}
	if ins.done {
		return errorf(StatusInvalidState, "insert already finished")
	}
	return nil
}

// Finish sends the collected rows as one Native block and waits for the server. The context
// given to Insert is checked first, and cancelling it (or its deadline passing) while Finish
// waits stops the request: Finish then returns promptly with an *Error that unwraps to the
// context's error, and whether the server inserted the rows is unknown. After success the
// insert takes no more rows.
func (ins *Insert) Finish() (*Response, error) {
	if err := ins.usable(); err != nil {
		return nil, err
	}
	if err := ctxError(ins.ctx); err != nil {
		return nil, err
	}
	var r capi.Response
	err := ins.cancel.watch(func() error {
		var e capi.Error
		return check(capi.Chc_insert_finish(ins.h, &r, &e), e)
	})
	runtime.KeepAlive(ins)
	if err != nil {
		return nil, err
	}
	ins.done = true
	return takeResponse(r), nil
}

// nval is a Go value checked and converted for one column.
type nval struct {
	k   nkind
	i   int64  // nInt; nVariant: the alternative
	u   uint64 // nFixed, nArray with b: the value count
	f   float64
	s   string
	b   []byte // nFixed, bulk nArray: values in the wire layout
	arr []nval // nArray, nTuple elements; nVariant: the one value
}

type nkind uint8

const (
	nNull nkind = iota
	nInt
	nUint
	nFloat
	nString
	nArray // elements then end_array (Array, Map); b set: elements given in bulk
	nTuple // one value per element builder
	nFixed // u values in the wire layout
	nVariant
)

func (p *colPlan) push(v nval) error {
	var e capi.Error
	var st int
	switch v.k {
	case nNull:
		st = capi.Chc_builder_append_null(p.b, &e)
	case nInt:
		st = capi.Chc_builder_append_int64(p.b, v.i, &e)
	case nUint:
		st = capi.Chc_builder_append_uint64(p.b, v.u, &e)
	case nFloat:
		st = capi.Chc_builder_append_double(p.b, v.f, &e)
	case nString:
		st = capi.Chc_builder_append_string(p.b, v.s, &e)
	case nFixed:
		st = appendFixed(p.b, v.b, v.u, &e)
	case nArray:
		if v.b != nil {
			if err := check(appendFixed(p.elem.b, v.b, v.u, &e), e); err != nil {
				return err
			}
		}
		for _, x := range v.arr {
			if err := p.elem.push(x); err != nil {
				return err
			}
		}
		st = capi.Chc_builder_end_array(p.b, &e)
	case nTuple:
		for j, x := range v.arr {
			if err := p.kids[j].push(x); err != nil {
				return err
			}
		}
		return nil
	case nVariant:
		return p.kids[v.i].push(v.arr[0])
	}
	return check(st, e)
}

// appendFixed passes count values in the wire layout to chc_builder_append_fixed.
func appendFixed(b capi.Builder, data []byte, count uint64, e *capi.Error) int {
	if len(data) == 0 {
		return capi.Chc_builder_append_fixed(b, 0, 0, e)
	}
	var pin runtime.Pinner
	pin.Pin(&data[0])
	defer pin.Unpin()
	return capi.Chc_builder_append_fixed(b, uintptr(unsafe.Pointer(&data[0])), int64(count), e)
}

// nullable reports whether the type takes NULL.
func (t *Type) nullable() bool {
	switch t.Kind {
	case KindNullable, KindVariant, KindDynamic:
		return true
	case KindLowCardinality:
		return t.Elem != nil && t.Elem.Kind == KindNullable
	}
	return false
}

// normalize checks v against the column type and converts it.
func (p *colPlan) normalize(v any) (nval, error) {
	v, isNil := deref(v)
	if isNil {
		if p.typ.nullable() {
			return nval{k: nNull}, nil
		}
		return nval{}, fmt.Errorf("NULL for a type that is not Nullable")
	}
	switch k := p.typ.Kind; {
	case k == KindNullable || k == KindLowCardinality:
		return p.elem.normalize(v)
	case k.isWide():
		return wideValue(p.typ, v)
	case k == KindBFloat16:
		f, ok := floatOf(v)
		if !ok {
			return nval{}, fmt.Errorf("%T is not a number", v)
		}
		return nval{k: nFloat, f: f}, nil
	case k == KindBool:
		i, u, unsigned, ok := integerOf(v)
		if !ok || (unsigned && u > 1) || (!unsigned && (i < 0 || i > 1)) {
			return nval{}, fmt.Errorf("%T %v is not a bool (or 0/1)", v, v)
		}
		return nval{k: nUint, u: u | uint64(i)}, nil
	case k == KindDecimal:
		return decimalValue(v, p.typ)
	case k == KindDate32:
		days, err := daysOf(v)
		if err != nil {
			return nval{}, err
		}
		if days < math.MinInt32 || days > math.MaxInt32 {
			return nval{}, fmt.Errorf("date out of range for Date32")
		}
		return nval{k: nInt, i: days}, nil
	case k == KindDateTime64:
		return dateTime64Value(v, p.typ)
	case k == KindTime || k == KindTime64:
		return timeOfDayValue(v, p.typ)
	case k == KindUUID:
		return uuidValue(v)
	case k == KindIPv4 || k == KindIPv6:
		return ipValue(v, k)
	case k == KindEnum8 || k == KindEnum16:
		return enumValue(v, p.typ)
	case k == KindJSON:
		return jsonValue(v)
	case k == KindTuple:
		return p.tupleValue(v)
	case k == KindMap:
		return p.mapValue(v)
	case k == KindVariant:
		return p.variantValue(v)
	case k == KindDynamic:
		return dynamicValue(v)
	case k.isSigned() || k.isUnsigned():
		return intValue(k, v)
	case k == KindFloat32 || k == KindFloat64:
		f, ok := floatOf(v)
		if !ok {
			return nval{}, fmt.Errorf("%T is not a number", v)
		}
		if k == KindFloat32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
			return nval{}, fmt.Errorf("%v is out of range for Float32", f)
		}
		return nval{k: nFloat, f: f}, nil
	case k == KindString || k == KindFixedString:
		s, ok := stringOf(v)
		if !ok {
			return nval{}, fmt.Errorf("%T is not a string or []byte", v)
		}
		if k == KindFixedString && len(s) > p.typ.Size {
			return nval{}, fmt.Errorf("%d bytes do not fit in %s", len(s), p.typ.Name)
		}
		return nval{k: nString, s: s}, nil
	case k == KindDate:
		return dateValue(v)
	case k == KindDateTime:
		return dateTimeValue(v, p.typ.Timezone)
	case k == KindArray:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return nval{}, fmt.Errorf("%T is not a slice or array", v)
		}
		if b, ok := bulkBytes(p.elem.typ, rv); ok {
			return nval{k: nArray, b: b, u: uint64(rv.Len())}, nil
		}
		arr := make([]nval, rv.Len())
		for i := range arr {
			x, err := p.elem.normalize(rv.Index(i).Interface())
			if err != nil {
				return nval{}, fmt.Errorf("element %d: %w", i, err)
			}
			arr[i] = x
		}
		return nval{k: nArray, arr: arr}, nil
	}
	return nval{}, fmt.Errorf("inserting into %s is not supported", p.typ.Name)
}

// deref follows pointers; it reports nil for nil and for nil pointers, slices stay as they are.
func deref(v any) (any, bool) {
	for {
		if v == nil {
			return nil, true
		}
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer {
			return v, false
		}
		if rv.IsNil() {
			return nil, true
		}
		v = rv.Elem().Interface()
	}
}

// integerOf classifies an integer (or bool) value: signed values in i, unsigned ones in u.
func integerOf(v any) (i int64, u uint64, unsigned bool, ok bool) {
	switch x := v.(type) {
	case int:
		return int64(x), 0, false, true
	case int64:
		return x, 0, false, true
	case int32:
		return int64(x), 0, false, true
	case int16:
		return int64(x), 0, false, true
	case int8:
		return int64(x), 0, false, true
	case uint:
		return 0, uint64(x), true, true
	case uint64:
		return 0, x, true, true
	case uint32:
		return 0, uint64(x), true, true
	case uint16:
		return 0, uint64(x), true, true
	case uint8:
		return 0, uint64(x), true, true
	case bool:
		if x {
			return 1, 0, false, true
		}
		return 0, 0, false, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), 0, false, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return 0, rv.Uint(), true, true
	case reflect.Bool:
		if rv.Bool() {
			return 1, 0, false, true
		}
		return 0, 0, false, true
	}
	return 0, 0, false, false
}

func floatOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	if i, u, unsigned, ok := integerOf(v); ok {
		if unsigned {
			return float64(u), true
		}
		return float64(i), true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Float32 || rv.Kind() == reflect.Float64 {
		return rv.Float(), true
	}
	return 0, false
}

func stringOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String {
		return rv.String(), true
	}
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		return string(rv.Bytes()), true
	}
	return "", false
}

// intValue converts v for an integer kind, checking the range.
func intValue(k Kind, v any) (nval, error) {
	var lo int64
	var hi uint64
	switch k {
	case KindInt8:
		lo, hi = math.MinInt8, math.MaxInt8
	case KindInt16:
		lo, hi = math.MinInt16, math.MaxInt16
	case KindInt32:
		lo, hi = math.MinInt32, math.MaxInt32
	case KindInt64:
		lo, hi = math.MinInt64, math.MaxInt64
	case KindUInt8:
		hi = math.MaxUint8
	case KindUInt16:
		hi = math.MaxUint16
	case KindUInt32:
		hi = math.MaxUint32
	case KindUInt64:
		hi = math.MaxUint64
	}
	i, u, unsigned, ok := integerOf(v)
	if !ok {
		f, isFloat := floatOf(v)
		if !isFloat {
			return nval{}, fmt.Errorf("%T is not an integer", v)
		}
		// float64(hi) rounds up for the 64-bit kinds (to 2^63, 2^64), so compare with >=.
		if f != math.Trunc(f) || f < float64(lo) || f >= float64(hi)+1 || (hi >= math.MaxInt64 && f >= float64(hi)) {
			return nval{}, fmt.Errorf("%v is not an integer in the range of %s", f, k)
		}
		if f < 0 {
			i = int64(f)
		} else {
			u, unsigned = uint64(f), true
		}
	}
	if unsigned {
		if u > hi {
			return nval{}, fmt.Errorf("%d is out of range for %s", u, k)
		}
		if k.isSigned() {
			return nval{k: nInt, i: int64(u)}, nil
		}
		return nval{k: nUint, u: u}, nil
	}
	if i < lo || (i > 0 && uint64(i) > hi) {
		return nval{}, fmt.Errorf("%d is out of range for %s", i, k)
	}
	if k.isSigned() {
		return nval{k: nInt, i: i}, nil
	}
	return nval{k: nUint, u: uint64(i)}, nil
}

func dateValue(v any) (nval, error) {
	days, err := daysOf(v)
	if err != nil {
		return nval{}, err
	}
	if days < 0 || days > math.MaxUint16 {
		return nval{}, fmt.Errorf("date out of range (1970-01-01 to 2149-06-06)")
	}
	return nval{k: nUint, u: uint64(days)}, nil
}

// daysOf converts a time.Time (its calendar date), "2006-01-02" or a day number to days since
// 1970-01-01.
func daysOf(v any) (int64, error) {
	var days int64
	switch x := v.(type) {
	case time.Time:
		y, m, d := x.Date()
		days = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	case string:
		t, err := time.Parse("2006-01-02", x)
		if err != nil {
			return 0, fmt.Errorf("%q is not a date (2006-01-02)", x)
		}
		days = t.Unix() / 86400
		if t.Unix() < 0 && t.Unix()%86400 != 0 {
			days--
		}
	default:
		n, err := intValue(KindInt64, v)
		if err != nil {
			return 0, fmt.Errorf("%T is not a time.Time, date string or day number", v)
		}
		days = n.i
	}
	return days, nil
}

func dateTimeValue(v any, tz string) (nval, error) {
	var secs int64
	switch x := v.(type) {
	case time.Time:
		secs = x.Unix()
	case string:
		t, err := time.ParseInLocation("2006-01-02 15:04:05", x, location(tz))
		if err != nil {
			return nval{}, fmt.Errorf("%q is not a date and time (2006-01-02 15:04:05)", x)
		}
		secs = t.Unix()
	default:
		n, err := intValue(KindInt64, v)
		if err != nil {
			return nval{}, fmt.Errorf("%T is not a time.Time, date-time string or Unix time", v)
		}
		secs = n.i
	}
	if secs < 0 || secs > math.MaxUint32 {
		return nval{}, fmt.Errorf("time out of range for DateTime (1970 to 2106)")
	}
	return nval{k: nUint, u: uint64(secs)}, nil
}
