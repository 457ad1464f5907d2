package chconnect

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"sort"
	"strconv"
	"time"
	"unsafe"
)

// Conversions of Go values for the newer column types (see Insert.Append).

func wideValue(t *Type, v any) (nval, error) {
	var b *big.Int
	switch x := v.(type) {
	case *big.Int:
		b = x
	case big.Int:
		b = &x
	case string:
		var ok bool
		if b, ok = new(big.Int).SetString(x, 10); !ok {
			return nval{}, fmt.Errorf("%q is not an integer", x)
		}
	default:
		if i, u, unsigned, ok := integerOf(v); ok {
			if unsigned {
				b = new(big.Int).SetUint64(u)
			} else {
				b = big.NewInt(i)
			}
			break
		}
		if f, ok := floatOf(v); ok && !math.IsInf(f, 0) && !math.IsNaN(f) && f == math.Trunc(f) {
			b, _ = big.NewFloat(f).Int(nil)
			break
		}
		return nval{}, fmt.Errorf("%T is not an integer (*big.Int, Go integer or decimal text)", v)
	}
	signed := t.Kind == KindInt128 || t.Kind == KindInt256
	out, ok := bigToLE(b, t.Size, signed)
	if !ok {
		return nval{}, fmt.Errorf("%s is out of range for %s", b, t.Name)
	}
	return nval{k: nFixed, b: out, u: 1}, nil
}

func decimalValue(v any, t *Type) (nval, error) {
	var d Decimal
	var err error
	switch x := v.(type) {
	case Decimal:
		d = x
	case big.Int: // Append follows pointers
		d = Decimal{Unscaled: &x}
	case big.Rat:
		d, err = ParseDecimal(x.FloatString(t.Scale)) // rounded to the scale
	case float32, float64:
		f, _ := floatOf(v)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nval{}, fmt.Errorf("%v is not a decimal number", f)
		}
		d, err = ParseDecimal(strconv.FormatFloat(f, 'f', t.Scale, 64)) // rounded to the scale
	default:
		if i, u, unsigned, ok := integerOf(v); ok { // the value itself, not the unscaled integer
			if unsigned {
				d = Decimal{Unscaled: new(big.Int).SetUint64(u)}
			} else {
				d = Decimal{Unscaled: big.NewInt(i)}
			}
		} else if s, ok := stringOf(v); ok {
			d, err = ParseDecimal(s)
		} else if f, ok := floatOf(v); ok {
			d, err = ParseDecimal(strconv.FormatFloat(f, 'f', t.Scale, 64))
		} else {
			return nval{}, fmt.Errorf("%T is not a Decimal, number or decimal text", v)
		}
	}
	if err != nil {
		return nval{}, err
	}
	r, err := d.rescale(t.Scale)
	if err != nil {
		return nval{}, err
	}
	if len(new(big.Int).Abs(r.Unscaled).String()) > t.Precision && r.Unscaled.Sign() != 0 {
		return nval{}, fmt.Errorf("%s does not fit %s", d, t.Name)
	}
	return nval{k: nString, s: r.String()}, nil
}

// rescale returns d with the given scale; an error when non-zero digits would be lost.
func (d Decimal) rescale(scale int) (Decimal, error) {
	if d.Unscaled == nil {
		return Decimal{Unscaled: new(big.Int), Scale: scale}, nil
	}
	if d.Scale == scale {
		return d, nil
	}
	if d.Scale < scale {
		m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil)
		return Decimal{Unscaled: m.Mul(m, d.Unscaled), Scale: scale}, nil
	}
	m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil)
	q, r := new(big.Int).QuoRem(d.Unscaled, m, new(big.Int))
	if r.Sign() != 0 {
		return Decimal{}, fmt.Errorf("%s has more than %d fractional digits", d, scale)
	}
	return Decimal{Unscaled: q, Scale: scale}, nil
}

// enumValue checks an element name or value against the Enum's elements.
func enumValue(v any, t *Type) (nval, error) {
	if s, ok := stringOf(v); ok {
		for _, e := range t.Enum {
			if e.Name == s {
				return nval{k: nString, s: s}, nil
			}
		}
		return nval{}, fmt.Errorf("%q is not an element of %s", s, t.Name)
	}
	if i, u, unsigned, ok := integerOf(v); ok {
		if unsigned {
			if u > math.MaxInt16 {
				return nval{}, fmt.Errorf("%d is not a value of %s", u, t.Name)
			}
			i = int64(u)
		}
		if _, known := t.enumName(int16(i)); known && i >= math.MinInt16 && i <= math.MaxInt16 {
			return nval{k: nInt, i: i}, nil
		}
		return nval{}, fmt.Errorf("%d is not a value of %s", i, t.Name)
	}
	return nval{}, fmt.Errorf("%T is not an element name or value", v)
}

func dateTime64Value(v any, t *Type) (nval, error) {
	switch x := v.(type) {
	case time.Time:
		return nval{k: nInt, i: timeToTicks(x, t.Precision)}, nil
	case string:
		tm, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", x, location(t.Timezone))
		if err != nil {
			return nval{}, fmt.Errorf("%q is not a date and time (2006-01-02 15:04:05.999)", x)
		}
		return nval{k: nInt, i: timeToTicks(tm, t.Precision)}, nil
	}
	n, err := intValue(KindInt64, v)
	if err != nil {
		return nval{}, fmt.Errorf("%T is not a time.Time, date-time string or tick count", v)
	}
	return n, nil
}

func timeOfDayValue(v any, t *Type) (nval, error) {
	if d, ok := v.(time.Duration); ok {
		if t.Kind == KindTime {
			if d%time.Second != 0 {
				return nval{}, fmt.Errorf("%v is not a whole number of seconds", d)
			}
			if d/time.Second > math.MaxInt32 || d/time.Second < math.MinInt32 {
				return nval{}, fmt.Errorf("%v is out of range for Time", d)
			}
			return nval{k: nInt, i: int64(d / time.Second)}, nil
		}
		return nval{k: nInt, i: durationToTicks(d, t.Precision)}, nil
	}
	n, err := intValue(KindInt64, v)
	if err != nil {
		return nval{}, fmt.Errorf("%T is not a time.Duration or a count of seconds/ticks", v)
	}
	return n, nil
}

func uuidValue(v any) (nval, error) {
	switch x := v.(type) {
	case UUID:
		return nval{k: nString, s: x.String()}, nil
	case [16]byte:
		return nval{k: nString, s: UUID(x).String()}, nil
	}
	if s, ok := stringOf(v); ok {
		if len(s) == 16 { // 16 raw bytes in RFC order
			return nval{k: nString, s: UUID([]byte(s)).String()}, nil
		}
		u, err := ParseUUID(s)
		if err != nil {
			return nval{}, err
		}
		return nval{k: nString, s: u.String()}, nil
	}
	return nval{}, fmt.Errorf("%T is not a UUID, [16]byte or UUID text", v)
}

func ipValue(v any, k Kind) (nval, error) {
	var a netip.Addr
	switch x := v.(type) {
	case netip.Addr:
		a = x
	case net.IP:
		var ok bool
		if a, ok = netip.AddrFromSlice(x); !ok {
			return nval{}, fmt.Errorf("%v is not an IP address", x)
		}
	case string:
		var err error
		if a, err = netip.ParseAddr(x); err != nil {
			return nval{}, fmt.Errorf("%q is not an IP address", x)
		}
	default:
		if k == KindIPv4 {
			if _, u, unsigned, ok := integerOf(v); ok && unsigned && u <= math.MaxUint32 {
				return nval{k: nUint, u: u}, nil
			}
		}
		return nval{}, fmt.Errorf("%T is not a netip.Addr, net.IP or address text", v)
	}
	if k == KindIPv4 {
		a = a.Unmap()
		if !a.Is4() {
			return nval{}, fmt.Errorf("%v is not an IPv4 address", a)
		}
		return nval{k: nUint, u: uint64(binary.BigEndian.Uint32(a.AsSlice()))}, nil
	}
	return nval{k: nString, s: a.String()}, nil
}

func jsonValue(v any) (nval, error) {
	switch x := v.(type) {
	case string:
		return nval{k: nString, s: x}, nil
	case []byte:
		return nval{k: nString, s: string(x)}, nil
	case json.RawMessage:
		return nval{k: nString, s: string(x)}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nval{}, fmt.Errorf("JSON: %v", err)
	}
	return nval{k: nString, s: string(b)}, nil
}

// tupleValue takes a slice or array with one value per element, or a struct (exported fields
// in order).
func (p *colPlan) tupleValue(v any) (nval, error) {
	rv := reflect.ValueOf(v)
	var elems []any
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			elems = append(elems, rv.Index(i).Interface())
		}
	case reflect.Struct:
		for i := 0; i < rv.NumField(); i++ {
			if rv.Type().Field(i).IsExported() {
				elems = append(elems, rv.Field(i).Interface())
			}
		}
	default:
		return nval{}, fmt.Errorf("%T is not a slice, array or struct for a tuple", v)
	}
	if len(elems) != len(p.kids) {
		return nval{}, fmt.Errorf("%d values for a tuple of %d elements", len(elems), len(p.kids))
	}
	out := make([]nval, len(elems))
	for i, x := range elems {
		n, err := p.kids[i].normalize(x)
		if err != nil {
			return nval{}, fmt.Errorf("tuple element %d: %w", i, err)
		}
		out[i] = n
	}
	return nval{k: nTuple, arr: out}, nil
}

// mapValue takes a Go map (entries sorted by key for a stable order) or []MapEntry.
func (p *colPlan) mapValue(v any) (nval, error) {
	var pairs []MapEntry
	if x, ok := v.([]MapEntry); ok {
		pairs = x
	} else {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Map {
			return nval{}, fmt.Errorf("%T is not a map or []MapEntry", v)
		}
		it := rv.MapRange()
		for it.Next() {
			pairs = append(pairs, MapEntry{Key: it.Key().Interface(), Value: it.Value().Interface()})
		}
		sort.SliceStable(pairs, func(i, j int) bool { return lessKey(pairs[i].Key, pairs[j].Key) })
	}
	keys, vals := p.elem.kids[0], p.elem.kids[1]
	out := make([]nval, len(pairs))
	for i, e := range pairs {
		k, err := keys.normalize(e.Key)
		if err != nil {
			return nval{}, fmt.Errorf("key %v: %w", e.Key, err)
		}
		x, err := vals.normalize(e.Value)
		if err != nil {
			return nval{}, fmt.Errorf("value of key %v: %w", e.Key, err)
		}
		out[i] = nval{k: nTuple, arr: []nval{k, x}}
	}
	return nval{k: nArray, arr: out}, nil
}

func lessKey(a, b any) bool {
	if fa, ok := floatOf(a); ok {
		if fb, ok := floatOf(b); ok {
			return fa < fb
		}
	}
	return fmt.Sprint(a) < fmt.Sprint(b)
}

// variantValue picks the alternative for v: the first (in the type's sorted order) whose Go type
// is v's type, else the first that accepts v.
func (p *colPlan) variantValue(v any) (nval, error) {
	vt := reflect.TypeOf(v)
	for pass := 0; pass < 2; pass++ {
		for i, kid := range p.kids {
			if pass == 0 && kid.typ.GoType() != vt {
				continue
			}
			if n, err := kid.normalize(v); err == nil {
				return nval{k: nVariant, i: int64(i), arr: []nval{n}}, nil
			}
		}
	}
	return nval{}, fmt.Errorf("no alternative of %s takes %T %v", p.typ.Name, v, v)
}

func dynamicValue(v any) (nval, error) {
	switch v.(type) {
	case float32, float64:
		f, _ := floatOf(v)
		return nval{k: nFloat, f: f}, nil
	}
	if i, u, unsigned, ok := integerOf(v); ok {
		if unsigned {
			return nval{k: nUint, u: u}, nil
		}
		return nval{k: nInt, i: i}, nil
	}
	if f, ok := floatOf(v); ok {
		return nval{k: nFloat, f: f}, nil
	}
	if s, ok := stringOf(v); ok {
		return nval{k: nString, s: s}, nil
	}
	return nval{}, fmt.Errorf("Dynamic takes integers, floats, strings and nil, not %T", v)
}

var littleEndian = func() bool { x := uint16(1); return *(*byte)(unsafe.Pointer(&x)) == 1 }()

// bulkBytes returns the wire layout of a slice whose Go element type is exactly the plain
// numeric column type t (e.g. []int32 for Int32), for chc_builder_append_fixed.
func bulkBytes(t *Type, rv reflect.Value) ([]byte, bool) {
	if !littleEndian || rv.Kind() != reflect.Slice || rv.Len() == 0 || t.Size == 0 {
		return nil, false
	}
	switch t.Kind {
	case KindInt8, KindInt16, KindInt32, KindInt64, KindUInt8, KindUInt16, KindUInt32, KindUInt64,
		KindFloat32, KindFloat64:
	default:
		return nil, false
	}
	if rv.Type().Elem() != t.GoType() {
		return nil, false
	}
	n := rv.Len() * t.Size
	src := unsafe.Slice((*byte)(rv.UnsafePointer()), n)
	return append([]byte(nil), src...), true
}
