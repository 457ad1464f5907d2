package chconnect

import (
	"fmt"
	"math"
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
	}
	return fmt.Errorf("cannot store %T value %v in %s", v, v, dst.Type())
}
