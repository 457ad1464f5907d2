package chconnect

import (
	"fmt"
	"math"
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"time"
)

// scanner is database/sql's Scanner, accepted as a Scan destination.
type scanner interface {
	Scan(src any) error
}

// assign stores v (a value from Column.Value) into the pointer dest.
func assign(dest any, v any) error {
	switch d := dest.(type) {
	case nil:
		return fmt.Errorf("nil destination")
	case *any:
		*d = v
		return nil
	case *string:
		if s, ok := v.(string); ok {
			*d = s
			return nil
		}
	case *[]byte:
		if s, ok := v.(string); ok {
			*d = []byte(s)
			return nil
		}
	case *int64:
		if x, ok := v.(int64); ok {
			*d = x
			return nil
		}
	case *float64:
		if x, ok := v.(float64); ok {
			*d = x
			return nil
		}
	case *time.Time:
		if t, ok := v.(time.Time); ok {
			*d = t
			return nil
		}
	case scanner:
		return d.Scan(v)
	}
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return fmt.Errorf("destination %T is not a non-nil pointer", dest)
	}
	return setValue(dv.Elem(), v)
}

// setValue stores v into dst, converting numbers when the value fits.
func setValue(dst reflect.Value, v any) error {
	if v == nil {
		switch dst.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			dst.Set(reflect.Zero(dst.Type()))
			return nil
		}
		return fmt.Errorf("NULL cannot be stored in %s (use a pointer)", dst.Type())
	}
	sv := reflect.ValueOf(v)
	if sv.Type().AssignableTo(dst.Type()) {
		dst.Set(sv)
		return nil
	}
	if ok, err := setSpecial(dst, v); ok || err != nil {
		return err
	}
	if sv.Kind() == reflect.Pointer { // a Nullable element of an Array
		if sv.IsNil() {
			return setValue(dst, nil)
		}
		return setValue(dst, sv.Elem().Interface())
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := setValue(p.Elem(), v); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, u, unsigned, ok := integerOf(v)
		if ok && !unsigned && !dst.OverflowInt(i) {
			dst.SetInt(i)
			return nil
		}
		if ok && unsigned && u <= math.MaxInt64 && !dst.OverflowInt(int64(u)) {
			dst.SetInt(int64(u))
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		i, u, unsigned, ok := integerOf(v)
		if ok && !unsigned && i >= 0 {
			u, unsigned = uint64(i), true
		}
		if ok && unsigned && !dst.OverflowUint(u) {
			dst.SetUint(u)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		if f, ok := floatOf(v); ok && (dst.Kind() == reflect.Float64 || !dst.OverflowFloat(f)) {
			dst.SetFloat(f)
			return nil
		}
	case reflect.Bool:
		if i, u, unsigned, ok := integerOf(v); ok {
			dst.SetBool((unsigned && u != 0) || (!unsigned && i != 0))
			return nil
		}
	case reflect.String:
		if sv.Kind() == reflect.String {
			dst.SetString(sv.String())
			return nil
		}
		if b, ok := v.(SharedVariantValue); ok {
			dst.SetString(string(b))
			return nil
		}
		if st, ok := v.(fmt.Stringer); ok { // Decimal, UUID, netip.Addr, *big.Int, Interval
			dst.SetString(st.String())
			return nil
		}
	case reflect.Slice:
		if sv.Kind() == reflect.String && dst.Type().Elem().Kind() == reflect.Uint8 {
			dst.SetBytes([]byte(sv.String()))
			return nil
		}
		if sv.Kind() == reflect.Slice {
			out := reflect.MakeSlice(dst.Type(), sv.Len(), sv.Len())
			for i := 0; i < sv.Len(); i++ {
				if err := setValue(out.Index(i), sv.Index(i).Interface()); err != nil {
					return fmt.Errorf("element %d: %w", i, err)
				}
			}
			dst.Set(out)
			return nil
		}
	case reflect.Interface:
		if sv.Type().Implements(dst.Type()) {
			dst.Set(sv)
			return nil
		}
	case reflect.Map:
		if m, ok := v.(map[any]any); ok {
			out := reflect.MakeMapWithSize(dst.Type(), len(m))
			for k, x := range m {
				kv := reflect.New(dst.Type().Key()).Elem()
				if err := setValue(kv, k); err != nil {
					return fmt.Errorf("key %v: %w", k, err)
				}
				xv := reflect.New(dst.Type().Elem()).Elem()
				if err := setValue(xv, x); err != nil {
					return fmt.Errorf("value of key %v: %w", k, err)
				}
				out.SetMapIndex(kv, xv)
			}
			dst.Set(out)
			return nil
		}
	case reflect.Struct:
		if t, ok := v.([]any); ok { // a Tuple into the exported fields, in order
			var fields []int
			for i := 0; i < dst.NumField(); i++ {
				if dst.Type().Field(i).IsExported() {
					fields = append(fields, i)
				}
			}
			if len(fields) != len(t) {
				return fmt.Errorf("a tuple of %d elements does not fit %s (%d exported fields)", len(t), dst.Type(), len(fields))
			}
			for j, f := range fields {
				if err := setValue(dst.Field(f), t[j]); err != nil {
					return fmt.Errorf("field %s: %w", dst.Type().Field(f).Name, err)
				}
			}
			return nil
		}
	}
	return fmt.Errorf("cannot store %T value %v in %s", v, v, dst.Type())
}

// setSpecial handles the conversions of the newer value types; ok reports that it stored v.
func setSpecial(dst reflect.Value, v any) (ok bool, err error) {
	switch dst.Type() {
	case bigIntType:
		if b, isBig := v.(*big.Int); isBig {
			dst.Set(reflect.ValueOf(new(big.Int).Set(b)))
			return true, nil
		}
		if i, u, unsigned, isInt := integerOf(v); isInt {
			if unsigned {
				dst.Set(reflect.ValueOf(new(big.Int).SetUint64(u)))
			} else {
				dst.Set(reflect.ValueOf(big.NewInt(i)))
			}
			return true, nil
		}
	case reflect.TypeOf(net.IP(nil)):
		if a, isAddr := v.(netip.Addr); isAddr {
			dst.Set(reflect.ValueOf(net.IP(a.AsSlice())))
			return true, nil
		}
	case reflect.TypeOf([16]byte{}):
		if u, isUUID := v.(UUID); isUUID {
			dst.Set(reflect.ValueOf([16]byte(u)))
			return true, nil
		}
	case durationType:
		if iv, isInterval := v.(Interval); isInterval {
			d, fixed := iv.Duration()
			if !fixed {
				return false, fmt.Errorf("interval %v is not a fixed duration", iv)
			}
			dst.SetInt(int64(d))
			return true, nil
		}
	}
	switch x := v.(type) {
	case *big.Int:
		switch dst.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if x.IsInt64() && !dst.OverflowInt(x.Int64()) {
				dst.SetInt(x.Int64())
				return true, nil
			}
			return false, fmt.Errorf("%s does not fit in %s", x, dst.Type())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if x.IsUint64() && !dst.OverflowUint(x.Uint64()) {
				dst.SetUint(x.Uint64())
				return true, nil
			}
			return false, fmt.Errorf("%s does not fit in %s", x, dst.Type())
		case reflect.Float32, reflect.Float64:
			f, _ := new(big.Float).SetInt(x).Float64()
			dst.SetFloat(f)
			return true, nil
		}
	case Decimal:
		switch dst.Kind() {
		case reflect.Float32, reflect.Float64:
			dst.SetFloat(x.Float64())
			return true, nil
		}
		if dst.Type() == reflect.TypeOf((*big.Rat)(nil)) {
			dst.Set(reflect.ValueOf(x.Rat()))
			return true, nil
		}
	}
	return false, nil
}
