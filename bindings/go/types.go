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
	KindArray       Kind = 16 // Type.Elem is the element type
)

var kindNames = [...]string{
	KindInt8: "Int8", KindInt16: "Int16", KindInt32: "Int32", KindInt64: "Int64",
	KindUInt8: "UInt8", KindUInt16: "UInt16", KindUInt32: "UInt32", KindUInt64: "UInt64",
	KindFloat32: "Float32", KindFloat64: "Float64", KindString: "String",
	KindFixedString: "FixedString", KindDate: "Date", KindDateTime: "DateTime",
	KindNullable: "Nullable", KindArray: "Array",
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int32(k))
}

func (k Kind) isSigned() bool   { return k >= KindInt8 && k <= KindInt64 }
func (k Kind) isUnsigned() bool { return k >= KindUInt8 && k <= KindUInt64 }

// Type describes a ClickHouse column type. It is plain Go data (copied from the library).
type Type struct {
	Name     string // canonical name as the server prints it, e.g. "Array(Nullable(String))"
	Kind     Kind
	Size     int    // bytes per value for fixed-width kinds (numbers, Date, DateTime, FixedString(N)), else 0
	Timezone string // zone of DateTime('zone'), "" if none
	Elem     *Type  // inner type of Nullable, element type of Array; nil otherwise
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
	if capi.Chc_type_child_count(h) > 0 {
		t.Elem = copyType(capi.Chc_type_child(h, 0))
	}
	return t
}
