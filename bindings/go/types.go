package chconnect

import (
	"fmt"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// Kind is the family of a ClickHouse type (chc_type_kind). Values are stable.
type Kind int32

// Kinds the C ABI handles.
const (
	KindInt8        Kind = 1
	KindInt16       Kind = 2
	KindInt32       Kind = 3
	KindInt64       Kind = 4
	KindUInt8       Kind = 5
	KindUInt16      Kind = 6
	KindUInt32      Kind = 7
	KindUInt64      Kind = 8
	KindFloat32     Kind = 9
	KindFloat64     Kind = 10
	KindString      Kind = 11
	KindFixedString Kind = 12 // Type.Size gives N
	KindDate        Kind = 13 // days since 1970-01-01
	KindDateTime    Kind = 14 // seconds since the epoch; Type.Timezone may name a zone
	KindNullable    Kind = 15 // Type.Elem is the inner type
	KindArray       Kind = 16 // Type.Elem is the element type (also Nested, Ring, Polygon, ...)

	KindInt128         Kind = 17 // 16 bytes, little-endian two's complement
	KindInt256         Kind = 18 // 32 bytes
	KindUInt128        Kind = 19
	KindUInt256        Kind = 20
	KindBFloat16       Kind = 21 // the top half of a Float32
	KindBool           Kind = 22
	KindDecimal        Kind = 23 // Type.Precision, Type.Scale; 4/8/16/32 bytes
	KindDate32         Kind = 24 // Int32 days since 1970-01-01
	KindDateTime64     Kind = 25 // Int64 ticks of 10^-Precision s; Type.Timezone may name a zone
	KindTime           Kind = 26 // Int32 seconds
	KindTime64         Kind = 27 // Int64 ticks of 10^-Precision s
	KindUUID           Kind = 28 // two little-endian UInt64 halves, high half first
	KindIPv4           Kind = 29 // UInt32 of the address
	KindIPv6           Kind = 30 // 16 bytes, network order
	KindEnum8          Kind = 31 // Type.Enum gives the elements
	KindEnum16         Kind = 32
	KindInterval       Kind = 33 // Int64 count of Type.Unit
	KindNothing        Kind = 34 // only NULLs (Nullable(Nothing))
	KindTuple          Kind = 35 // Type.Elems, Type.ElemNames
	KindMap            Kind = 36 // Type.Elem is Tuple(keys K, values V)
	KindLowCardinality Kind = 37 // Type.Elem is the value type
	KindVariant        Kind = 38 // Type.Elems are the alternatives, sorted by name
	KindDynamic        Kind = 39 // each block's column has its own alternatives
	KindJSON           Kind = 40 // JSON text per row
)

var kindNames = [...]string{
	KindInt8: "Int8", KindInt16: "Int16", KindInt32: "Int32", KindInt64: "Int64",
	KindUInt8: "UInt8", KindUInt16: "UInt16", KindUInt32: "UInt32", KindUInt64: "UInt64",
	KindFloat32: "Float32", KindFloat64: "Float64", KindString: "String",
	KindFixedString: "FixedString", KindDate: "Date", KindDateTime: "DateTime",
	KindNullable: "Nullable", KindArray: "Array",
	KindInt128: "Int128", KindInt256: "Int256", KindUInt128: "UInt128", KindUInt256: "UInt256",
	KindBFloat16: "BFloat16", KindBool: "Bool", KindDecimal: "Decimal", KindDate32: "Date32",
	KindDateTime64: "DateTime64", KindTime: "Time", KindTime64: "Time64", KindUUID: "UUID",
	KindIPv4: "IPv4", KindIPv6: "IPv6", KindEnum8: "Enum8", KindEnum16: "Enum16",
	KindInterval: "Interval", KindNothing: "Nothing", KindTuple: "Tuple", KindMap: "Map",
	KindLowCardinality: "LowCardinality", KindVariant: "Variant", KindDynamic: "Dynamic", KindJSON: "JSON",
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int32(k))
}

func (k Kind) isSigned() bool   { return k >= KindInt8 && k <= KindInt64 }
func (k Kind) isUnsigned() bool { return k >= KindUInt8 && k <= KindUInt64 }
func (k Kind) isWide() bool     { return k >= KindInt128 && k <= KindUInt256 }

// EnumElement is one element of an Enum8/Enum16 type.
type EnumElement struct {
	Name  string
	Value int16
}

// Type describes a ClickHouse column type. It is plain Go data (copied from the library).
type Type struct {
	Name     string // canonical name as the server prints it, e.g. "Array(Nullable(String))"
	Kind     Kind
	Size     int    // bytes per value for fixed-width kinds (numbers, Date, DateTime, FixedString(N)), else 0
	Timezone string // zone of DateTime('zone'), "" if none
	Elem     *Type  // inner type of Nullable and LowCardinality, element type of Array, Tuple(K, V) of Map; first child otherwise

	Precision int           // Decimal: precision P; DateTime64/Time64: sub-second digits
	Scale     int           // Decimal: scale S
	Unit      string        // Interval: "Nanosecond" ... "Year"
	Enum      []EnumElement // Enum8/Enum16 elements in the server's order
	Elems     []*Type       // every child type (Tuple elements, Variant alternatives, ...)
	ElemNames []string      // Tuple element names ("" for unnamed tuples)
}

// enumName returns the element name of an Enum value.
func (t *Type) enumName(v int16) (string, bool) {
	for _, e := range t.Enum {
		if e.Value == v {
			return e.Name, true
		}
	}
	return "", false
}

func (t *Type) String() string {
	if t == nil {
		return "<nil>"
	}
	return t.Name
}

// ParseType parses a ClickHouse type name, e.g. "Array(Nullable(String))". A valid type this
// version does not handle gives ErrNotSupported.
func ParseType(name string) (*Type, error) {
	var h capi.Type
	var e capi.Error
	if err := check(capi.Chc_type_parse(name, &h, &e), e); err != nil {
		return nil, err
	}
	defer capi.Chc_type_free(h)
	return copyType(h), nil
}

// copyType copies a (borrowed) chc_type tree into Go memory.
func copyType(h capi.Struct_SS_chc_type) *Type {
	if h == nil || h.Swigcptr() == 0 {
		return nil
	}
	t := &Type{
		Name:     capi.Chc_type_name(h),
		Kind:     Kind(capi.Chc_type_get_kind(h)),
		Size:     int(capi.Chc_type_fixed_size(h)),
		Timezone: capi.Chc_type_timezone(h),
	}
	t.Precision = int(capi.Chc_type_precision(h))
	t.Scale = int(capi.Chc_type_scale(h))
	t.Unit = capi.Chc_type_unit(h)
	for i, n := int64(0), capi.Chc_type_enum_count(h); i < n; i++ {
		t.Enum = append(t.Enum, EnumElement{Name: capi.Chc_type_enum_name(h, i), Value: int16(capi.Chc_type_enum_value(h, i))})
	}
	n := capi.Chc_type_child_count(h)
	for i := int64(0); i < n; i++ {
		t.Elems = append(t.Elems, copyType(capi.Chc_type_child(h, i)))
		if t.Kind == KindTuple {
			t.ElemNames = append(t.ElemNames, capi.Chc_type_element_name(h, i))
		}
	}
	if n > 0 {
		t.Elem = t.Elems[0]
	}
	return t
}
