package chconnect

import (
	"encoding/binary"
	"math"
	"reflect"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// Column is one column of a Block. Its typed accessors (Int64, Uint64, Float64, String, Bytes,
// Time, Value) read the library's buffers in place and return copies. Its raw accessors (Data,
// Offsets, NullMap) return views of the library's memory: zero-copy, read-only, and valid only
// until the next call to Next, NextRow or Close on the Rows, while the Block is reachable.
//
// A Column is valid as long as its Block; afterwards its methods fail with ErrInvalidState.
type Column struct {
	blk   *Block
	name  string
	typ   *Type
	n     int
	data  []byte  // fixed-width values, or the bytes of String
	offs  []int64 // String and Array: n+1 offsets
	nulls []byte  // Nullable: n bytes, 1 = NULL
	child *Column // Nullable: inner column; Array: elements
}

func newColumn(b *Block, h capi.Column, typ *Type) (*Column, error) {
	c := &Column{blk: b, typ: typ}
	if typ == nil { // a top-level column; children take their type from the parent's Elem
		c.typ = copyType(capi.Chc_column_type(h))
		c.name = capi.Chc_column_name(h)
		if c.typ == nil {
			return nil, errorf(StatusInternal, "column without a type")
		}
	}
	c.n = int(capi.Chc_column_row_count(h))
	var n int64
	if p := capi.Chc_column_data(h, &n); p != nil && n > 0 {
		c.data = unsafe.Slice((*byte)(p), n)
	}
	var cnt int64
	if p := capi.Chc_column_offsets(h, &cnt); p != nil && cnt > 0 {
		c.offs = unsafe.Slice(p, cnt)
	}
	if p := capi.Chc_column_null_map(h); p != nil && c.n > 0 {
		c.nulls = unsafe.Slice(p, c.n)
	}
	if capi.Chc_column_child_count(h) > 0 {
		var ch capi.Column
		var e capi.Error
		if err := check(capi.Chc_column_child(h, 0, &ch, &e), e); err != nil {
			return nil, err
		}
		b.res.cols = append(b.res.cols, ch) // freed with the block
		et := c.typ.Elem
		if et == nil {
			et = copyType(capi.Chc_column_type(ch))
		}
		child, err := newColumn(b, ch, et)
		if err != nil {
			return nil, err
		}
		c.child = child
	}
	return c, nil
}

// Name returns the column name ("" for the child columns of Nullable and Array).
func (c *Column) Name() string { return c.name }

// Type returns the column type.
func (c *Column) Type() *Type { return c.typ }

// Len returns the number of rows (for an Array's Child: the number of elements).
func (c *Column) Len() int { return c.n }

// Child returns the inner column of a Nullable or the element column of an Array, else nil.
func (c *Column) Child() *Column { return c.child }

// Data returns the column's contiguous buffer (zero-copy, see Column): Len() values of
// Type().Size bytes each, little-endian, for fixed-width kinds; the concatenated bytes for
// String. nil for other kinds.
func (c *Column) Data() []byte { return c.data }

// Offsets returns Len()+1 offsets for String (into Data) and Array (into Child) (zero-copy).
func (c *Column) Offsets() []int64 { return c.offs }

// NullMap returns Len() bytes for Nullable, 1 = NULL (zero-copy).
func (c *Column) NullMap() []byte { return c.nulls }

func (c *Column) valid() bool { return c != nil && c.blk.valid() }

func (c *Column) checkRow(i int) error {
	if !c.valid() {
		return errClosed("column")
	}
	if i < 0 || i >= c.n {
		return errorf(StatusInvalidArgument, "row %d out of range (column %q has %d rows)", i, c.name, c.n)
	}
	return nil
}

// leaf returns the column holding the value of row i: c itself, or the inner column of a
// Nullable (a NULL row gives ErrType, as in the C ABI).
func (c *Column) leaf(i int) (*Column, error) {
	if err := c.checkRow(i); err != nil {
		return nil, err
	}
	if c.typ.Kind != KindNullable {
		return c, nil
	}
	if c.nulls == nil || c.child == nil || c.child.n <= i {
		return nil, errorf(StatusProtocol, "malformed Nullable column %q", c.name)
	}
	if c.nulls[i] != 0 {
		return nil, errorf(StatusType, "row %d of column %q is NULL", i, c.name)
	}
	return c.child, nil
}

func (c *Column) typeError(want string) error {
	return errorf(StatusType, "column %q of type %s has no %s value", c.name, c.typ.Name, want)
}

// fixed returns the size bytes of row i of a fixed-width column.
func (c *Column) fixed(i, size int) ([]byte, error) {
	start := i * size
	if size <= 0 || start+size > len(c.data) {
		return nil, errorf(StatusProtocol, "column %q: buffer too short for row %d", c.name, i)
	}
	return c.data[start : start+size], nil
}

// span returns the offsets [start, end) of row i of a String or Array column, checked against
// limit (the data length or the element count).
func (c *Column) span(i, limit int) (int, int, error) {
	if i+1 >= len(c.offs) {
		return 0, 0, errorf(StatusProtocol, "column %q: offsets too short for row %d", c.name, i)
	}
	start, end := c.offs[i], c.offs[i+1]
	if start < 0 || start > end || end > int64(limit) {
		return 0, 0, errorf(StatusProtocol, "column %q: bad offsets at row %d", c.name, i)
	}
	return int(start), int(end), nil
}

// IsNull reports whether row i is NULL (always false for a column that is not Nullable).
func (c *Column) IsNull(i int) bool {
	if c.checkRow(i) != nil || c.typ.Kind != KindNullable || i >= len(c.nulls) {
		return false
	}
	null := c.nulls[i] != 0
	runtime.KeepAlive(c)
	return null
}

// Int64 reads row i of an integer (UInt64 only up to MaxInt64), Date (days) or DateTime
// (seconds) column.
func (c *Column) Int64(i int) (int64, error) {
	v, err := c.int64At(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) int64At(i int) (int64, error) {
	l, err := c.leaf(i)
	if err != nil {
		return 0, err
	}
	k := l.typ.Kind
	if k.isUnsigned() || k == KindDate || k == KindDateTime {
		u, err := l.uint64Raw(i)
		if err != nil {
			return 0, err
		}
		if u > math.MaxInt64 {
			return 0, errorf(StatusType, "value %d of column %q does not fit in int64", u, c.name)
		}
		return int64(u), nil
	}
	if !k.isSigned() {
		return 0, l.typeError("integer")
	}
	b, err := l.fixed(i, l.typ.Size)
	if err != nil {
		return 0, err
	}
	switch k {
	case KindInt8:
		return int64(int8(b[0])), nil
	case KindInt16:
		return int64(int16(binary.LittleEndian.Uint16(b))), nil
	case KindInt32:
		return int64(int32(binary.LittleEndian.Uint32(b))), nil
	default:
		return int64(binary.LittleEndian.Uint64(b)), nil
	}
}

// uint64Raw reads an unsigned, Date or DateTime value of this (non-Nullable) column.
func (c *Column) uint64Raw(i int) (uint64, error) {
	b, err := c.fixed(i, c.typ.Size)
	if err != nil {
		return 0, err
	}
	switch c.typ.Kind {
	case KindUInt8:
		return uint64(b[0]), nil
	case KindUInt16, KindDate:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case KindUInt32, KindDateTime:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case KindUInt64:
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, c.typeError("unsigned")
}

// Uint64 reads row i of an unsigned integer, Date, DateTime, or (non-negative) signed column.
func (c *Column) Uint64(i int) (uint64, error) {
	v, err := c.uint64At(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) uint64At(i int) (uint64, error) {
	l, err := c.leaf(i)
	if err != nil {
		return 0, err
	}
	if l.typ.Kind.isSigned() {
		v, err := l.int64At(i)
		if err != nil {
			return 0, err
		}
		if v < 0 {
			return 0, errorf(StatusType, "value %d of column %q is negative", v, c.name)
		}
		return uint64(v), nil
	}
	return l.uint64Raw(i)
}

// Float64 reads row i of a Float32, Float64 or integer column.
func (c *Column) Float64(i int) (float64, error) {
	v, err := c.float64At(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) float64At(i int) (float64, error) {
	l, err := c.leaf(i)
	if err != nil {
		return 0, err
	}
	switch k := l.typ.Kind; {
	case k == KindFloat32:
		b, err := l.fixed(i, 4)
		if err != nil {
			return 0, err
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), nil
	case k == KindFloat64:
		b, err := l.fixed(i, 8)
		if err != nil {
			return 0, err
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
	case k.isSigned():
		v, err := l.int64At(i)
		return float64(v), err
	case k.isUnsigned():
		v, err := l.uint64Raw(i)
		return float64(v), err
	}
	return 0, l.typeError("floating-point")
}

// bytesAt returns the bytes of row i of a String or FixedString column, in place.
func (c *Column) bytesAt(i int) ([]byte, error) {
	l, err := c.leaf(i)
	if err != nil {
		return nil, err
	}
	switch l.typ.Kind {
	case KindString:
		start, end, err := l.span(i, len(l.data))
		if err != nil {
			return nil, err
		}
		return l.data[start:end], nil
	case KindFixedString:
		return l.fixed(i, l.typ.Size)
	}
	return nil, l.typeError("string")
}

// String reads row i of a String or FixedString column (FixedString keeps its zero padding).
func (c *Column) String(i int) (string, error) {
	b, err := c.bytesAt(i)
	s := string(b)
	runtime.KeepAlive(c)
	return s, err
}

// Bytes reads row i of a String or FixedString column as a new byte slice.
func (c *Column) Bytes(i int) ([]byte, error) {
	b, err := c.bytesAt(i)
	var out []byte
	if err == nil {
		out = append([]byte{}, b...)
	}
	runtime.KeepAlive(c)
	return out, err
}

// Time reads row i of a Date (midnight UTC) or DateTime column (in its time zone when the type
// names one and the zone database knows it, else UTC).
func (c *Column) Time(i int) (time.Time, error) {
	t, err := c.timeAt(i)
	runtime.KeepAlive(c)
	return t, err
}

func (c *Column) timeAt(i int) (time.Time, error) {
	l, err := c.leaf(i)
	if err != nil {
		return time.Time{}, err
	}
	switch l.typ.Kind {
	case KindDate:
		d, err := l.uint64Raw(i)
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(int64(d)*86400, 0).UTC(), nil
	case KindDateTime:
		s, err := l.uint64Raw(i)
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(int64(s), 0).In(location(l.typ.Timezone)), nil
	}
	return time.Time{}, l.typeError("time")
}

// ArrayBounds returns the elements [start, end) of row i of an Array column, as indexes into
// Child().
func (c *Column) ArrayBounds(i int) (start, end int, err error) {
	if err := c.checkRow(i); err != nil {
		return 0, 0, err
	}
	if c.typ.Kind != KindArray || c.child == nil {
		return 0, 0, c.typeError("array")
	}
	return c.span(i, c.child.n)
}

// Value reads row i as a Go value: int8..int64, uint8..uint64, float32, float64, string (String,
// FixedString), time.Time (Date, DateTime), nil for a NULL (a Nullable's other rows give the
// inner value), and a typed slice for Array (see Type.GoType: Array(Int32) gives []int32,
// Array(Nullable(String)) gives []*string, Array(Array(UInt8)) gives [][]uint8).
func (c *Column) Value(i int) (any, error) {
	v, err := c.valueAt(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) valueAt(i int) (any, error) {
	if err := c.checkRow(i); err != nil {
		return nil, err
	}
	switch k := c.typ.Kind; {
	case k == KindNullable:
		if c.IsNull(i) {
			return nil, nil
		}
		if c.child == nil {
			return nil, errorf(StatusProtocol, "malformed Nullable column %q", c.name)
		}
		return c.child.valueAt(i)
	case k == KindArray:
		v, err := c.arrayAt(i)
		if err != nil {
			return nil, err
		}
		return v.Interface(), nil
	case k >= KindInt8 && k <= KindDateTime:
		return c.scalarAt(i)
	}
	return nil, errorf(StatusNotSupported, "column %q: type %s is not supported", c.name, c.typ.Name)
}

// scalarAt reads a non-Nullable, non-Array value as its Go type.
func (c *Column) scalarAt(i int) (any, error) {
	switch c.typ.Kind {
	case KindInt8, KindInt16, KindInt32, KindInt64:
		v, err := c.int64At(i)
		if err != nil {
			return nil, err
		}
		switch c.typ.Kind {
		case KindInt8:
			return int8(v), nil
		case KindInt16:
			return int16(v), nil
		case KindInt32:
			return int32(v), nil
		}
		return v, nil
	case KindUInt8, KindUInt16, KindUInt32, KindUInt64:
		v, err := c.uint64Raw(i)
		if err != nil {
			return nil, err
		}
		switch c.typ.Kind {
		case KindUInt8:
			return uint8(v), nil
		case KindUInt16:
			return uint16(v), nil
		case KindUInt32:
			return uint32(v), nil
		}
		return v, nil
	case KindFloat32:
		v, err := c.float64At(i)
		return float32(v), err
	case KindFloat64:
		return c.float64At(i)
	case KindString, KindFixedString:
		b, err := c.bytesAt(i)
		return string(b), err
	case KindDate, KindDateTime:
		return c.timeAt(i)
	}
	return nil, errorf(StatusNotSupported, "column %q: type %s is not supported", c.name, c.typ.Name)
}

// elemAt reads element i of an Array's child as a reflect.Value of Type.GoType.
func (c *Column) elemAt(i int) (reflect.Value, error) {
	switch c.typ.Kind {
	case KindNullable:
		pt := c.typ.GoType()
		if err := c.checkRow(i); err != nil {
			return reflect.Value{}, err
		}
		if c.IsNull(i) {
			return reflect.Zero(pt), nil
		}
		if c.child == nil {
			return reflect.Value{}, errorf(StatusProtocol, "malformed Nullable column")
		}
		v, err := c.child.elemAt(i)
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(pt.Elem())
		p.Elem().Set(v)
		return p, nil
	case KindArray:
		return c.arrayAt(i)
	}
	v, err := c.scalarAt(i)
	if err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(v), nil
}

// arrayAt reads row i of an Array column as a typed slice.
func (c *Column) arrayAt(i int) (reflect.Value, error) {
	start, end, err := c.ArrayBounds(i)
	if err != nil {
		return reflect.Value{}, err
	}
	if c.typ.Elem == nil {
		return reflect.Value{}, errorf(StatusProtocol, "Array column %q without element type", c.name)
	}
	s := reflect.MakeSlice(reflect.SliceOf(c.typ.Elem.GoType()), end-start, end-start)
	for j := start; j < end; j++ {
		v, err := c.child.elemAt(j)
		if err != nil {
			return reflect.Value{}, err
		}
		s.Index(j - start).Set(v)
	}
	return s, nil
}

// GoType returns the Go type of the values of t: int8..uint64, float32, float64, string,
// time.Time, *T for Nullable(T), []T for Array(T); interface{} for kinds this version does not
// know.
func (t *Type) GoType() reflect.Type {
	if t == nil {
		return anyType
	}
	switch t.Kind {
	case KindInt8:
		return reflect.TypeOf(int8(0))
	case KindInt16:
		return reflect.TypeOf(int16(0))
	case KindInt32:
		return reflect.TypeOf(int32(0))
	case KindInt64:
		return reflect.TypeOf(int64(0))
	case KindUInt8:
		return reflect.TypeOf(uint8(0))
	case KindUInt16:
		return reflect.TypeOf(uint16(0))
	case KindUInt32:
		return reflect.TypeOf(uint32(0))
	case KindUInt64:
		return reflect.TypeOf(uint64(0))
	case KindFloat32:
		return reflect.TypeOf(float32(0))
	case KindFloat64:
		return reflect.TypeOf(float64(0))
	case KindString, KindFixedString:
		return reflect.TypeOf("")
	case KindDate, KindDateTime:
		return timeType
	case KindNullable:
		return reflect.PointerTo(t.Elem.GoType())
	case KindArray:
		return reflect.SliceOf(t.Elem.GoType())
	}
	return anyType
}

var (
	anyType  = reflect.TypeOf((*any)(nil)).Elem()
	timeType = reflect.TypeOf(time.Time{})
)

var locations sync.Map // zone name -> *time.Location

// location returns the named zone, UTC when it is "" or unknown to the zone database (the
// instant is right either way; only its presentation differs).
func location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	locations.Store(name, l)
	return l
}
