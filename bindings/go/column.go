package chconnect

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"reflect"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// Column is one column of a Block. Its typed accessors (Int64, Uint64, Float64, String, Bytes,
// Time, Value, ...) read the library's buffers in place and return copies. Its raw accessors
// (Data, Offsets, NullMap) return views of the library's memory: zero-copy, read-only, and valid
// only until the next call to Next, NextRow or Close on the Rows, while the Block is reachable.
//
// The typed accessors look through Nullable, LowCardinality (the dictionary entry), Variant and
// Dynamic (the chosen alternative's value); a NULL row gives ErrType, except for Value, which
// gives nil.
//
// A Column is valid as long as its Block; afterwards its methods fail with ErrInvalidState.
type Column struct {
	blk      *Block
	h        capi.Column
	name     string
	typ      *Type
	n        int
	data     []byte    // fixed-width values, String bytes, LowCardinality indexes, Variant discriminators
	offs     []int64   // String, JSON, Array, Map: n+1 offsets
	nulls    []byte    // Nullable, LowCardinality(Nullable), Variant, Dynamic: n bytes, 1 = NULL
	idxWidth int       // LowCardinality: bytes per index
	child    *Column   // first child: Nullable inner, Array elements, LowCardinality dictionary, Map entries
	children []*Column // every child column (Tuple elements, Variant alternatives, ...)
}

func newColumn(b *Block, h capi.Column, typ *Type) (*Column, error) {
	c := &Column{blk: b, h: h, typ: typ}
	if typ == nil { // a top-level column
		c.name = capi.Chc_column_name(h)
	}
	// The column's own type: a LowCardinality dictionary drops Nullable, Dynamic alternatives are
	// per block, so children take theirs from the library rather than from the parent type.
	c.typ = copyType(capi.Chc_column_type(h))
	if c.typ == nil {
		return nil, errorf(StatusInternal, "column without a type")
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
	c.idxWidth = int(capi.Chc_column_index_width(h))
	nc := capi.Chc_column_child_count(h)
	for i := int64(0); i < nc; i++ {
		var ch capi.Column
		var e capi.Error
		if err := check(capi.Chc_column_child(h, i, &ch, &e), e); err != nil {
			return nil, err
		}
		b.res.cols = append(b.res.cols, ch) // freed with the block
		child, err := newColumn(b, ch, c.typ)
		if err != nil {
			return nil, err
		}
		c.children = append(c.children, child)
	}
	if len(c.children) > 0 {
		c.child = c.children[0]
	}
	return c, nil
}

// Name returns the column name ("" for child columns).
func (c *Column) Name() string { return c.name }

// Type returns the column type.
func (c *Column) Type() *Type { return c.typ }

// Len returns the number of rows (for an Array's Child: the number of elements).
func (c *Column) Len() int { return c.n }

// Child returns the first child column: the inner column of a Nullable, the element column of an
// Array, the dictionary of a LowCardinality, the Tuple(keys, values) column of a Map; else nil.
func (c *Column) Child() *Column { return c.child }

// Children returns every child column (Tuple elements, Variant/Dynamic alternatives, ...).
func (c *Column) Children() []*Column { return c.children }

// Data returns the column's contiguous buffer (zero-copy, see Column): Len() values of
// Type().Size bytes each, little-endian, for fixed-width kinds; the concatenated bytes for
// String and JSON; the indexes of a LowCardinality; the discriminators of a Variant. nil for
// other kinds.
func (c *Column) Data() []byte { return c.data }

// Offsets returns Len()+1 offsets for String/JSON (into Data) and Array/Map (into Child)
// (zero-copy).
func (c *Column) Offsets() []int64 { return c.offs }

// NullMap returns Len() bytes, 1 = NULL, for Nullable, LowCardinality(Nullable), Variant and
// Dynamic (zero-copy); nil otherwise.
func (c *Column) NullMap() []byte { return c.nulls }

// IndexWidth returns the bytes per index in Data for a LowCardinality column, else 0.
func (c *Column) IndexWidth() int { return c.idxWidth }

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

// resolve follows Nullable, LowCardinality, Variant and Dynamic from row i to the column and
// row that hold its value; null reports a NULL row.
func (c *Column) resolve(i int) (l *Column, row int, null bool, err error) {
	if err := c.checkRow(i); err != nil {
		return nil, 0, false, err
	}
	for {
		switch c.typ.Kind {
		case KindNullable:
			if c.nulls == nil || c.child == nil || c.child.n <= i {
				return nil, 0, false, errorf(StatusProtocol, "malformed Nullable column %q", c.name)
			}
			if c.nulls[i] != 0 {
				return c, i, true, nil
			}
			c = c.child
		case KindLowCardinality:
			if c.nulls != nil && i < len(c.nulls) && c.nulls[i] != 0 {
				return c, i, true, nil
			}
			w := c.idxWidth
			if c.child == nil || (w != 1 && w != 2 && w != 4 && w != 8) || (i+1)*w > len(c.data) {
				return nil, 0, false, errorf(StatusProtocol, "malformed LowCardinality column %q", c.name)
			}
			idx := readIndex(c.data[i*w:(i+1)*w], w)
			if idx >= uint64(c.child.n) {
				return nil, 0, false, errorf(StatusProtocol, "column %q: index %d beyond the dictionary", c.name, idx)
			}
			c, i = c.child, int(idx)
		case KindVariant, KindDynamic:
			disc, mrow, err := c.variantRow(i)
			if err != nil {
				return nil, 0, false, err
			}
			if disc == 255 {
				return c, i, true, nil
			}
			if int(disc) >= len(c.children) || mrow < 0 || int(mrow) >= c.children[disc].n {
				return nil, 0, false, errorf(StatusProtocol, "column %q: bad variant row %d", c.name, i)
			}
			c, i = c.children[disc], int(mrow)
		default:
			return c, i, false, nil
		}
	}
}

// variantRow maps row i of a Variant/Dynamic column to its alternative and the row within it
// (chc_column_variant_row; computed from the discriminators for columns made in Go, in tests).
func (c *Column) variantRow(i int) (disc uint, mrow int64, err error) {
	if c.h != 0 {
		var e capi.Error
		err = check(capi.Chc_column_variant_row(c.h, int64(i), &disc, &mrow, &e), e)
		return disc, mrow, err
	}
	if i >= len(c.data) {
		return 0, 0, errorf(StatusProtocol, "column %q: no discriminator for row %d", c.name, i)
	}
	d := c.data[i]
	for _, x := range c.data[:i] {
		if x == d {
			mrow++
		}
	}
	return uint(d), mrow, nil
}

func readIndex(b []byte, w int) uint64 {
	switch w {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// leaf is resolve with a NULL row as an ErrType error (as in the C ABI).
func (c *Column) leaf(i int) (*Column, int, error) {
	l, row, null, err := c.resolve(i)
	if err != nil {
		return nil, 0, err
	}
	if null {
		return nil, 0, errorf(StatusType, "row %d of column %q is NULL", i, c.name)
	}
	return l, row, nil
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

// IsNull reports whether row i is NULL (Nullable, LowCardinality(Nullable), Variant, Dynamic and
// Nothing; always false for other kinds).
func (c *Column) IsNull(i int) bool {
	if c.checkRow(i) != nil {
		return false
	}
	_, _, null, err := c.resolve(i)
	runtime.KeepAlive(c)
	return err == nil && null
}

// rawInt reads row i of a fixed-width integer-coded kind: signed kinds in s, unsigned in u.
func (c *Column) rawInt(i int) (s int64, u uint64, unsigned bool, err error) {
	k := c.typ.Kind
	switch k {
	case KindInt8, KindInt16, KindInt32, KindInt64, KindEnum8, KindEnum16, KindDate32, KindTime,
		KindDateTime64, KindTime64, KindInterval:
	case KindUInt8, KindUInt16, KindUInt32, KindUInt64, KindBool, KindDate, KindDateTime, KindIPv4:
		unsigned = true
	default:
		return 0, 0, false, c.typeError("integer")
	}
	b, err := c.fixed(i, c.typ.Size)
	if err != nil {
		return 0, 0, false, err
	}
	switch len(b) {
	case 1:
		u = uint64(b[0])
		s = int64(int8(b[0]))
	case 2:
		u = uint64(binary.LittleEndian.Uint16(b))
		s = int64(int16(u))
	case 4:
		u = uint64(binary.LittleEndian.Uint32(b))
		s = int64(int32(u))
	case 8:
		u = binary.LittleEndian.Uint64(b)
		s = int64(u)
	default:
		return 0, 0, false, errorf(StatusProtocol, "column %q: integer of %d bytes", c.name, len(b))
	}
	return s, u, unsigned, nil
}

// Int64 reads row i of an integer (UInt64 only up to MaxInt64, Int128.. when it fits), Bool,
// Enum (the value), Date/Date32 (days), DateTime (seconds), DateTime64/Time64 (ticks), Time
// (seconds), Interval or IPv4 column.
func (c *Column) Int64(i int) (int64, error) {
	v, err := c.int64At(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) int64At(i int) (int64, error) {
	l, j, err := c.leaf(i)
	if err != nil {
		return 0, err
	}
	if l.typ.Kind.isWide() {
		v, err := l.bigAt(j)
		if err != nil {
			return 0, err
		}
		if !v.IsInt64() {
			return 0, errorf(StatusType, "value %s of column %q does not fit in int64", v, c.name)
		}
		return v.Int64(), nil
	}
	s, u, unsigned, err := l.rawInt(j)
	if err != nil {
		return 0, err
	}
	if unsigned {
		if u > math.MaxInt64 {
			return 0, errorf(StatusType, "value %d of column %q does not fit in int64", u, c.name)
		}
		return int64(u), nil
	}
	return s, nil
}

// Uint64 reads the same kinds as Int64 when the value is not negative.
func (c *Column) Uint64(i int) (uint64, error) {
	v, err := c.uint64At(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) uint64At(i int) (uint64, error) {
	l, j, err := c.leaf(i)
	if err != nil {
		return 0, err
	}
	if l.typ.Kind.isWide() {
		v, err := l.bigAt(j)
		if err != nil {
			return 0, err
		}
		if !v.IsUint64() {
			return 0, errorf(StatusType, "value %s of column %q does not fit in uint64", v, c.name)
		}
		return v.Uint64(), nil
	}
	s, u, unsigned, err := l.rawInt(j)
	if err != nil {
		return 0, err
	}
	if unsigned {
		return u, nil
	}
	if s < 0 {
		return 0, errorf(StatusType, "value %d of column %q is negative", s, c.name)
	}
	return uint64(s), nil
}

// BigInt reads row i of any integer column (Int8..UInt256) as a new *big.Int.
func (c *Column) BigInt(i int) (*big.Int, error) {
	l, j, err := c.leaf(i)
	var v *big.Int
	if err == nil {
		if l.typ.Kind.isWide() {
			v, err = l.bigAt(j)
		} else if l.typ.Kind.isSigned() || l.typ.Kind.isUnsigned() {
			var s int64
			var u uint64
			var unsigned bool
			s, u, unsigned, err = l.rawInt(j)
			if unsigned {
				v = new(big.Int).SetUint64(u)
			} else {
				v = big.NewInt(s)
			}
		} else {
			err = l.typeError("integer")
		}
	}
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) bigAt(i int) (*big.Int, error) {
	b, err := c.fixed(i, c.typ.Size)
	if err != nil {
		return nil, err
	}
	k := c.typ.Kind
	return bigFromLE(b, k == KindInt128 || k == KindInt256 || k == KindDecimal), nil
}

// Decimal reads row i of a Decimal column exactly.
func (c *Column) Decimal(i int) (Decimal, error) {
	l, j, err := c.leaf(i)
	var d Decimal
	if err == nil {
		d, err = l.decimalAt(j)
	}
	runtime.KeepAlive(c)
	return d, err
}

func (c *Column) decimalAt(i int) (Decimal, error) {
	if c.typ.Kind != KindDecimal {
		return Decimal{}, c.typeError("Decimal")
	}
	u, err := c.bigAt(i)
	if err != nil {
		return Decimal{}, err
	}
	return Decimal{Unscaled: u, Scale: c.typ.Scale}, nil
}

// Bool reads row i of a Bool column (or an integer column: non-zero is true).
func (c *Column) Bool(i int) (bool, error) {
	l, j, err := c.leaf(i)
	var v bool
	if err == nil {
		var s int64
		var u uint64
		switch {
		case l.typ.Kind == KindBool || l.typ.Kind.isSigned() || l.typ.Kind.isUnsigned():
			s, u, _, err = l.rawInt(j)
			v = s != 0 || u != 0
		default:
			err = l.typeError("boolean")
		}
	}
	runtime.KeepAlive(c)
	return v, err
}

// Float64 reads row i of a Float32, Float64, BFloat16, integer or Decimal (nearest float) column.
func (c *Column) Float64(i int) (float64, error) {
	v, err := c.float64At(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) float64At(i int) (float64, error) {
	l, j, err := c.leaf(i)
	if err != nil {
		return 0, err
	}
	switch k := l.typ.Kind; {
	case k == KindFloat32:
		b, err := l.fixed(j, 4)
		if err != nil {
			return 0, err
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), nil
	case k == KindFloat64:
		b, err := l.fixed(j, 8)
		if err != nil {
			return 0, err
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
	case k == KindBFloat16:
		b, err := l.fixed(j, 2)
		if err != nil {
			return 0, err
		}
		return float64(bfloat16ToFloat32(binary.LittleEndian.Uint16(b))), nil
	case k == KindDecimal:
		d, err := l.decimalAt(j)
		return d.Float64(), err
	case k.isWide():
		v, err := l.bigAt(j)
		if err != nil {
			return 0, err
		}
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, nil
	case k.isSigned() || k.isUnsigned():
		s, u, unsigned, err := l.rawInt(j)
		if unsigned {
			return float64(u), err
		}
		return float64(s), err
	}
	return 0, l.typeError("floating-point")
}

// bytesAt returns the bytes of row i of a String, FixedString or JSON column, in place, or the
// name of an Enum value.
func (c *Column) bytesAt(i int) ([]byte, error) {
	l, j, err := c.leaf(i)
	if err != nil {
		return nil, err
	}
	return l.bytesRaw(j)
}

func (c *Column) bytesRaw(i int) ([]byte, error) {
	switch c.typ.Kind {
	case KindString, KindJSON:
		start, end, err := c.span(i, len(c.data))
		if err != nil {
			return nil, err
		}
		return c.data[start:end], nil
	case KindFixedString:
		return c.fixed(i, c.typ.Size)
	case KindEnum8, KindEnum16:
		name, _, err := c.enumAt(i)
		return []byte(name), err
	}
	return nil, c.typeError("string")
}

// String reads row i of a String, FixedString (keeping its zero padding), JSON (the document
// text) or Enum (the element name) column.
func (c *Column) String(i int) (string, error) {
	b, err := c.bytesAt(i)
	s := string(b)
	runtime.KeepAlive(c)
	return s, err
}

// Bytes reads row i of a String, FixedString or JSON column as a new byte slice.
func (c *Column) Bytes(i int) ([]byte, error) {
	b, err := c.bytesAt(i)
	var out []byte
	if err == nil {
		out = append([]byte{}, b...)
	}
	runtime.KeepAlive(c)
	return out, err
}

// JSON unmarshals row i of a JSON (or String) column into dest with encoding/json.
func (c *Column) JSON(i int, dest any) error {
	b, err := c.bytesAt(i)
	if err == nil {
		err = json.Unmarshal(b, dest)
	}
	runtime.KeepAlive(c)
	return err
}

// Enum reads row i of an Enum8/Enum16 column: the element name and its value.
func (c *Column) Enum(i int) (name string, value int16, err error) {
	l, j, err := c.leaf(i)
	if err == nil {
		name, value, err = l.enumAt(j)
	}
	runtime.KeepAlive(c)
	return name, value, err
}

func (c *Column) enumAt(i int) (string, int16, error) {
	if c.typ.Kind != KindEnum8 && c.typ.Kind != KindEnum16 {
		return "", 0, c.typeError("Enum")
	}
	s, _, _, err := c.rawInt(i)
	if err != nil {
		return "", 0, err
	}
	name, ok := c.typ.enumName(int16(s))
	if !ok {
		return "", int16(s), errorf(StatusProtocol, "column %q: %d is not an element of %s", c.name, s, c.typ.Name)
	}
	return name, int16(s), nil
}

// Time reads row i of a Date/Date32 (midnight UTC) or DateTime/DateTime64 column (in its time
// zone when the type names one and the zone database knows it, else UTC).
func (c *Column) Time(i int) (time.Time, error) {
	l, j, err := c.leaf(i)
	var t time.Time
	if err == nil {
		t, err = l.timeAt(j)
	}
	runtime.KeepAlive(c)
	return t, err
}

func (c *Column) timeAt(i int) (time.Time, error) {
	switch c.typ.Kind {
	case KindDate, KindDate32, KindDateTime, KindDateTime64:
	default:
		return time.Time{}, c.typeError("time")
	}
	s, u, _, err := c.rawInt(i)
	if err != nil {
		return time.Time{}, err
	}
	switch c.typ.Kind {
	case KindDate:
		return dateFromDays(int64(u)), nil
	case KindDate32:
		return dateFromDays(s), nil
	case KindDateTime:
		return time.Unix(int64(u), 0).In(location(c.typ.Timezone)), nil
	}
	return ticksToTime(s, c.typ.Precision, location(c.typ.Timezone)), nil
}

// Duration reads row i of a Time, Time64 or Interval (fixed-length units) column.
func (c *Column) Duration(i int) (time.Duration, error) {
	l, j, err := c.leaf(i)
	var d time.Duration
	if err == nil {
		d, err = l.durationAt(j)
	}
	runtime.KeepAlive(c)
	return d, err
}

func (c *Column) durationAt(i int) (time.Duration, error) {
	switch c.typ.Kind {
	case KindTime, KindTime64, KindInterval:
	default:
		return 0, c.typeError("duration")
	}
	s, _, _, err := c.rawInt(i)
	if err != nil {
		return 0, err
	}
	switch c.typ.Kind {
	case KindTime:
		return time.Duration(s) * time.Second, nil
	case KindTime64:
		return ticksToDuration(s, c.typ.Precision), nil
	}
	d, ok := Interval{Value: s, Unit: c.typ.Unit}.Duration()
	if !ok {
		return 0, errorf(StatusType, "column %q: %d %s is not a fixed duration", c.name, s, c.typ.Unit)
	}
	return d, nil
}

// UUID reads row i of a UUID column.
func (c *Column) UUID(i int) (UUID, error) {
	l, j, err := c.leaf(i)
	var u UUID
	if err == nil {
		if l.typ.Kind != KindUUID {
			err = l.typeError("UUID")
		} else if b, e := l.fixed(j, 16); e != nil {
			err = e
		} else {
			u = uuidFromWire(b)
		}
	}
	runtime.KeepAlive(c)
	return u, err
}

// IP reads row i of an IPv4 or IPv6 column.
func (c *Column) IP(i int) (netip.Addr, error) {
	l, j, err := c.leaf(i)
	var a netip.Addr
	if err == nil {
		a, err = l.ipAt(j)
	}
	runtime.KeepAlive(c)
	return a, err
}

func (c *Column) ipAt(i int) (netip.Addr, error) {
	switch c.typ.Kind {
	case KindIPv4:
		_, u, _, err := c.rawInt(i)
		return ipv4FromWire(uint32(u)), err
	case KindIPv6:
		b, err := c.fixed(i, 16)
		if err != nil {
			return netip.Addr{}, err
		}
		return netip.AddrFrom16([16]byte(b)), nil
	}
	return netip.Addr{}, c.typeError("IP address")
}

// Tuple reads row i of a Tuple column: one Go value per element (see Value).
func (c *Column) Tuple(i int) ([]any, error) {
	l, j, err := c.leaf(i)
	var v []any
	if err == nil {
		v, err = l.tupleAt(j)
	}
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) tupleAt(i int) ([]any, error) {
	if c.typ.Kind != KindTuple {
		return nil, c.typeError("Tuple")
	}
	out := make([]any, len(c.children))
	for k, ch := range c.children {
		v, err := ch.valueAt(i)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// MapPairs reads row i of a Map column as key/value pairs in the server's order.
func (c *Column) MapPairs(i int) ([]MapEntry, error) {
	l, j, err := c.leaf(i)
	var v []MapEntry
	if err == nil {
		v, err = l.mapPairsAt(j)
	}
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) mapPairsAt(i int) ([]MapEntry, error) {
	if c.typ.Kind != KindMap || c.child == nil || len(c.child.children) != 2 {
		return nil, c.typeError("Map")
	}
	start, end, err := c.span(i, c.child.n)
	if err != nil {
		return nil, err
	}
	keys, vals := c.child.children[0], c.child.children[1]
	out := make([]MapEntry, 0, end-start)
	for j := start; j < end; j++ {
		k, err := keys.valueAt(j)
		if err != nil {
			return nil, err
		}
		v, err := vals.valueAt(j)
		if err != nil {
			return nil, err
		}
		out = append(out, MapEntry{Key: k, Value: v})
	}
	return out, nil
}

// Map reads row i of a Map column as map[any]any (a later duplicate key wins; keys of
// Int128..UInt256 are *big.Int pointers, so prefer MapPairs for those).
func (c *Column) Map(i int) (map[any]any, error) {
	pairs, err := c.MapPairs(i)
	if err != nil {
		return nil, err
	}
	return pairsToMap(pairs), nil
}

func pairsToMap(pairs []MapEntry) map[any]any {
	m := make(map[any]any, len(pairs))
	for _, p := range pairs {
		k := p.Key
		if !reflect.ValueOf(k).Comparable() { // cannot happen for ClickHouse's key types
			k = fmt.Sprint(k)
		}
		m[k] = p.Value
	}
	return m
}

// ArrayBounds returns the elements [start, end) of row i of an Array (or Map) column, as indexes
// into Child().
func (c *Column) ArrayBounds(i int) (start, end int, err error) {
	if err := c.checkRow(i); err != nil {
		return 0, 0, err
	}
	if (c.typ.Kind != KindArray && c.typ.Kind != KindMap) || c.child == nil {
		return 0, 0, c.typeError("array")
	}
	return c.span(i, c.child.n)
}

// Value reads row i as a Go value (see Type.GoType): nil for NULL; int8..int64, uint8..uint64,
// *big.Int (128/256-bit), float32 (Float32, BFloat16), float64, bool, Decimal, string (String,
// FixedString, Enum label, JSON text), time.Time (Date, Date32, DateTime, DateTime64),
// time.Duration (Time, Time64), UUID, netip.Addr (IPv4, IPv6), Interval, []any (Tuple),
// map[any]any (Map), a typed slice for Array (Array(Int32) gives []int32,
// Array(Nullable(String)) gives []*string); LowCardinality gives the dictionary value, Variant
// and Dynamic the chosen alternative's value (SharedVariantValue for Dynamic overflow values).
func (c *Column) Value(i int) (any, error) {
	v, err := c.valueAt(i)
	runtime.KeepAlive(c)
	return v, err
}

func (c *Column) valueAt(i int) (any, error) {
	l, j, null, err := c.resolve(i)
	if err != nil || null {
		return nil, err
	}
	return l.scalarAt(j)
}

// scalarAt reads row i of a column that is not Nullable, LowCardinality, Variant or Dynamic.
func (c *Column) scalarAt(i int) (any, error) {
	switch k := c.typ.Kind; k {
	case KindInt8, KindInt16, KindInt32, KindInt64, KindUInt8, KindUInt16, KindUInt32, KindUInt64:
		s, u, _, err := c.rawInt(i)
		if err != nil {
			return nil, err
		}
		switch k {
		case KindInt8:
			return int8(s), nil
		case KindInt16:
			return int16(s), nil
		case KindInt32:
			return int32(s), nil
		case KindInt64:
			return s, nil
		case KindUInt8:
			return uint8(u), nil
		case KindUInt16:
			return uint16(u), nil
		case KindUInt32:
			return uint32(u), nil
		}
		return u, nil
	case KindInt128, KindInt256, KindUInt128, KindUInt256:
		return c.bigAt(i)
	case KindFloat32, KindBFloat16:
		v, err := c.float64At(i)
		return float32(v), err
	case KindFloat64:
		return c.float64At(i)
	case KindBool:
		_, u, _, err := c.rawInt(i)
		return u != 0, err
	case KindDecimal:
		return c.decimalAt(i)
	case KindString, KindFixedString, KindJSON:
		b, err := c.bytesRaw(i)
		if err != nil {
			return nil, err
		}
		if c.typ.Name == "SharedVariant" {
			return SharedVariantValue(append([]byte{}, b...)), nil
		}
		return string(b), nil
	case KindEnum8, KindEnum16:
		name, _, err := c.enumAt(i)
		return name, err
	case KindDate, KindDate32, KindDateTime, KindDateTime64:
		return c.timeAt(i)
	case KindTime, KindTime64:
		return c.durationAt(i)
	case KindInterval:
		s, _, _, err := c.rawInt(i)
		return Interval{Value: s, Unit: c.typ.Unit}, err
	case KindUUID:
		b, err := c.fixed(i, 16)
		if err != nil {
			return nil, err
		}
		return uuidFromWire(b), nil
	case KindIPv4, KindIPv6:
		return c.ipAt(i)
	case KindNothing:
		return nil, nil
	case KindTuple:
		return c.tupleAt(i)
	case KindMap:
		p, err := c.mapPairsAt(i)
		if err != nil {
			return nil, err
		}
		return pairsToMap(p), nil
	case KindArray:
		v, err := c.arrayAt(i)
		if err != nil {
			return nil, err
		}
		return v.Interface(), nil
	case KindNullable, KindLowCardinality, KindVariant, KindDynamic:
		return c.valueAt(i)
	}
	return nil, errorf(StatusNotSupported, "column %q: type %s is not supported", c.name, c.typ.Name)
}

// arrayAt reads row i of an Array column as a typed slice (of the element type's GoType).
func (c *Column) arrayAt(i int) (reflect.Value, error) {
	start, end, err := c.span(i, c.childLen())
	if err != nil {
		return reflect.Value{}, err
	}
	if c.child == nil {
		return reflect.Value{}, errorf(StatusProtocol, "Array column %q without elements", c.name)
	}
	et := c.child.typ.GoType()
	if c.typ.Elem != nil {
		et = c.typ.Elem.GoType() // the declared element type (a dictionary child drops Nullable)
	}
	s := reflect.MakeSlice(reflect.SliceOf(et), end-start, end-start)
	for j := start; j < end; j++ {
		v, err := c.child.valueAt(j)
		if err != nil {
			return reflect.Value{}, err
		}
		rv, err := toGoType(et, v)
		if err != nil {
			return reflect.Value{}, errorf(StatusInternal, "column %q: %v", c.name, err)
		}
		s.Index(j - start).Set(rv)
	}
	return s, nil
}

func (c *Column) childLen() int {
	if c.child == nil {
		return 0
	}
	return c.child.n
}

// toGoType makes v (a Value result) a reflect.Value of type t: nil becomes the zero value, a value
// for a pointer type is boxed.
func toGoType(t reflect.Type, v any) (reflect.Value, error) {
	if v == nil {
		return reflect.Zero(t), nil
	}
	rv := reflect.ValueOf(v)
	if rv.Type().AssignableTo(t) {
		return rv, nil
	}
	if t.Kind() == reflect.Pointer && rv.Type().AssignableTo(t.Elem()) {
		p := reflect.New(t.Elem())
		p.Elem().Set(rv)
		return p, nil
	}
	return reflect.Value{}, fmt.Errorf("%T is not a %s", v, t)
}

// GoType returns the Go type of the values of t (see Column.Value): *T for Nullable(T) (T itself
// when T is already a pointer or interface type), []T for Array(T), the inner type for
// LowCardinality, interface{} for Variant, Dynamic and Nothing.
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
	case KindInt128, KindInt256, KindUInt128, KindUInt256:
		return bigIntType
	case KindFloat32, KindBFloat16:
		return reflect.TypeOf(float32(0))
	case KindFloat64:
		return reflect.TypeOf(float64(0))
	case KindBool:
		return reflect.TypeOf(false)
	case KindDecimal:
		return decimalType
	case KindString, KindFixedString, KindEnum8, KindEnum16, KindJSON:
		return reflect.TypeOf("")
	case KindDate, KindDate32, KindDateTime, KindDateTime64:
		return timeType
	case KindTime, KindTime64:
		return durationType
	case KindUUID:
		return uuidType
	case KindIPv4, KindIPv6:
		return addrType
	case KindInterval:
		return intervalType
	case KindTuple:
		return reflect.TypeOf([]any(nil))
	case KindMap:
		return reflect.TypeOf(map[any]any(nil))
	case KindLowCardinality:
		return t.Elem.GoType()
	case KindNullable:
		et := t.Elem.GoType()
		switch et.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			return et
		}
		return reflect.PointerTo(et)
	case KindArray:
		return reflect.SliceOf(t.Elem.GoType())
	}
	return anyType
}

var (
	anyType      = reflect.TypeOf((*any)(nil)).Elem()
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(time.Duration(0))
	bigIntType   = reflect.TypeOf((*big.Int)(nil))
	decimalType  = reflect.TypeOf(Decimal{})
	uuidType     = reflect.TypeOf(UUID{})
	addrType     = reflect.TypeOf(netip.Addr{})
	intervalType = reflect.TypeOf(Interval{})
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
