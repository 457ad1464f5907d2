use std::ptr;

use crate::error::{Error, Result, Status};
use crate::sys;
use crate::util::{call, cstr, cstring};

/// Deepest type nesting copied from the library; far beyond anything real, it only bounds
/// recursion on hostile input.
const MAX_TYPE_DEPTH: usize = 64;

/// Kind of a ClickHouse type (`CHC_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    String,
    /// FixedString(N); [`DataType::fixed_size`] gives N.
    FixedString,
    /// Days since 1970-01-01 (UInt16).
    Date,
    /// Seconds since the epoch (UInt32), with an optional time zone.
    DateTime,
    /// One child: the inner type.
    Nullable,
    /// One child: the element type.
    Array,
    Int128,
    Int256,
    UInt128,
    UInt256,
    /// 2 bytes: the top half of a Float32.
    BFloat16,
    Bool,
    /// [`DataType::precision`] / [`DataType::scale`]; 4, 8, 16 or 32 bytes.
    Decimal,
    /// Int32 days since 1970-01-01.
    Date32,
    /// Int64 ticks of 10^-precision seconds, with an optional time zone.
    DateTime64,
    /// Int32 seconds (signed).
    Time,
    /// Int64 ticks of 10^-precision seconds (signed).
    Time64,
    Uuid,
    Ipv4,
    Ipv6,
    /// [`DataType::enum_entries`] gives the names and values.
    Enum8,
    Enum16,
    /// Int64 count of [`DataType::unit`] units.
    Interval,
    Nothing,
    /// One child per element; [`DataType::element_names`] for named tuples.
    Tuple,
    /// One child: `Tuple(keys K, values V)`.
    Map,
    /// One child: the dictionary type.
    LowCardinality,
    /// One child per alternative, sorted by type name.
    Variant,
    /// No type children; each block's column has its own alternatives.
    Dynamic,
    /// Read as JSON text per row.
    Json,
    /// A kind this crate does not know (a newer library).
    Other(i32),
}

impl Kind {
    /// Maps a `chc_type_kind`.
    pub fn from_raw(kind: sys::chc_type_kind) -> Kind {
        match kind {
            sys::CHC_TYPE_INT8 => Kind::Int8,
            sys::CHC_TYPE_INT16 => Kind::Int16,
            sys::CHC_TYPE_INT32 => Kind::Int32,
            sys::CHC_TYPE_INT64 => Kind::Int64,
            sys::CHC_TYPE_UINT8 => Kind::UInt8,
            sys::CHC_TYPE_UINT16 => Kind::UInt16,
            sys::CHC_TYPE_UINT32 => Kind::UInt32,
            sys::CHC_TYPE_UINT64 => Kind::UInt64,
            sys::CHC_TYPE_FLOAT32 => Kind::Float32,
            sys::CHC_TYPE_FLOAT64 => Kind::Float64,
            sys::CHC_TYPE_STRING => Kind::String,
            sys::CHC_TYPE_FIXED_STRING => Kind::FixedString,
            sys::CHC_TYPE_DATE => Kind::Date,
            sys::CHC_TYPE_DATETIME => Kind::DateTime,
            sys::CHC_TYPE_NULLABLE => Kind::Nullable,
            sys::CHC_TYPE_ARRAY => Kind::Array,
            sys::CHC_TYPE_INT128 => Kind::Int128,
            sys::CHC_TYPE_INT256 => Kind::Int256,
            sys::CHC_TYPE_UINT128 => Kind::UInt128,
            sys::CHC_TYPE_UINT256 => Kind::UInt256,
            sys::CHC_TYPE_BFLOAT16 => Kind::BFloat16,
            sys::CHC_TYPE_BOOL => Kind::Bool,
            sys::CHC_TYPE_DECIMAL => Kind::Decimal,
            sys::CHC_TYPE_DATE32 => Kind::Date32,
            sys::CHC_TYPE_DATETIME64 => Kind::DateTime64,
            sys::CHC_TYPE_TIME => Kind::Time,
            sys::CHC_TYPE_TIME64 => Kind::Time64,
            sys::CHC_TYPE_UUID => Kind::Uuid,
            sys::CHC_TYPE_IPV4 => Kind::Ipv4,
            sys::CHC_TYPE_IPV6 => Kind::Ipv6,
            sys::CHC_TYPE_ENUM8 => Kind::Enum8,
            sys::CHC_TYPE_ENUM16 => Kind::Enum16,
            sys::CHC_TYPE_INTERVAL => Kind::Interval,
            sys::CHC_TYPE_NOTHING => Kind::Nothing,
            sys::CHC_TYPE_TUPLE => Kind::Tuple,
            sys::CHC_TYPE_MAP => Kind::Map,
            sys::CHC_TYPE_LOW_CARDINALITY => Kind::LowCardinality,
            sys::CHC_TYPE_VARIANT => Kind::Variant,
            sys::CHC_TYPE_DYNAMIC => Kind::Dynamic,
            sys::CHC_TYPE_JSON => Kind::Json,
            other => Kind::Other(other),
        }
    }

    /// True for Int8..Int64.
    pub fn is_signed_int(self) -> bool {
        matches!(self, Kind::Int8 | Kind::Int16 | Kind::Int32 | Kind::Int64)
    }

    /// True for UInt8..UInt64.
    pub fn is_unsigned_int(self) -> bool {
        matches!(self, Kind::UInt8 | Kind::UInt16 | Kind::UInt32 | Kind::UInt64)
    }

    /// Inclusive value range of the integer-like kinds (integers, Date, DateTime).
    pub(crate) fn int_range(self) -> Option<(i128, i128)> {
        Some(match self {
            Kind::Int8 => (i8::MIN.into(), i8::MAX.into()),
            Kind::Int16 => (i16::MIN.into(), i16::MAX.into()),
            Kind::Int32 => (i32::MIN.into(), i32::MAX.into()),
            Kind::Int64 => (i64::MIN.into(), i64::MAX.into()),
            Kind::UInt8 => (0, u8::MAX.into()),
            Kind::UInt16 | Kind::Date => (0, u16::MAX.into()),
            Kind::UInt32 | Kind::DateTime => (0, u32::MAX.into()),
            Kind::UInt64 => (0, u64::MAX.into()),
            Kind::Date32 | Kind::Time => (i32::MIN.into(), i32::MAX.into()),
            Kind::DateTime64 | Kind::Time64 | Kind::Interval => (i64::MIN.into(), i64::MAX.into()),
            _ => return None,
        })
    }
}

/// A ClickHouse type, copied out of the library into plain Rust data (so it is `Send + Sync`
/// and outlives any handle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataType {
    kind: Kind,
    name: String,
    fixed_size: usize,
    timezone: Option<String>,
    precision: u32,
    scale: u32,
    element_names: Vec<String>,
    enum_entries: Vec<(String, i32)>,
    unit: String,
    children: Vec<DataType>,
}

impl DataType {
    /// Parses a type name such as `Array(Nullable(String))` with the library's parser.
    /// Errors: `InvalidArgument` for a malformed name, `NotSupported` for a valid type this
    /// version cannot handle.
    pub fn parse(name: &str) -> Result<DataType> {
        let c_name = cstring(name, "type name")?;
        let mut raw: *mut sys::chc_type = ptr::null_mut();
        // SAFETY: valid C string and out pointer; on success we own *raw.
        call(|err| unsafe { sys::chc_type_parse(c_name.as_ptr(), &mut raw, err) })?;
        if raw.is_null() {
            return Err(Error::new(Status::Internal, "chc_type_parse returned no type"));
        }
        // SAFETY: `raw` is a live type we own; freed right after copying.
        let copied = unsafe { DataType::from_raw(raw) };
        unsafe { sys::chc_type_free(raw) };
        copied
    }

    /// Copies a borrowed `chc_type` (recursively).
    ///
    /// # Safety
    /// `t` must be NULL or a type that stays valid for the call.
    pub(crate) unsafe fn from_raw(t: *const sys::chc_type) -> Result<DataType> {
        Self::copy(t, 0)
    }

    unsafe fn copy(t: *const sys::chc_type, depth: usize) -> Result<DataType> {
        if t.is_null() {
            return Err(Error::new(Status::Internal, "missing type"));
        }
        if depth > MAX_TYPE_DEPTH {
            return Err(Error::new(Status::NotSupported, "type nested too deeply"));
        }
        let tz = cstr(sys::chc_type_timezone(t));
        let n = sys::chc_type_child_count(t);
        let mut children = Vec::with_capacity(n.min(4));
        for i in 0..n {
            children.push(Self::copy(sys::chc_type_child(t, i), depth + 1)?);
        }
        let element_names: Vec<String> = (0..n).map(|i| cstr(sys::chc_type_element_name(t, i)).into_owned()).collect();
        let element_names = if element_names.iter().all(String::is_empty) { Vec::new() } else { element_names };
        let enum_entries = (0..sys::chc_type_enum_count(t))
            .map(|i| (cstr(sys::chc_type_enum_name(t, i)).into_owned(), sys::chc_type_enum_value(t, i)))
            .collect();
        Ok(DataType {
            kind: Kind::from_raw(sys::chc_type_get_kind(t)),
            precision: sys::chc_type_precision(t),
            scale: sys::chc_type_scale(t),
            element_names,
            enum_entries,
            unit: cstr(sys::chc_type_unit(t)).into_owned(),
            name: cstr(sys::chc_type_name(t)).into_owned(),
            fixed_size: sys::chc_type_fixed_size(t),
            timezone: if tz.is_empty() { None } else { Some(tz.into_owned()) },
            children,
        })
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// Canonical name as the server prints it.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Bytes per value for fixed-width kinds (numbers, Date, DateTime, FixedString(N)), else 0.
    pub fn fixed_size(&self) -> usize {
        self.fixed_size
    }
    /// Time zone of `DateTime('zone')`, `None` if none was named.
    pub fn timezone(&self) -> Option<&str> {
        self.timezone.as_deref()
    }
    /// Decimal: precision P; DateTime64 / Time64: sub-second digits; 0 otherwise.
    pub fn precision(&self) -> u32 {
        self.precision
    }
    /// Decimal: scale S; 0 otherwise.
    pub fn scale(&self) -> u32 {
        self.scale
    }
    /// Tuple: element names (empty for unnamed tuples).
    pub fn element_names(&self) -> &[String] {
        &self.element_names
    }
    /// Enum8 / Enum16: (name, value) in the server's order; empty otherwise.
    pub fn enum_entries(&self) -> &[(String, i32)] {
        &self.enum_entries
    }
    /// Interval: the unit ("Second", "Day", ...); "" otherwise.
    pub fn unit(&self) -> &str {
        &self.unit
    }
    /// The type without Nullable / LowCardinality wrappers (the type values are appended as).
    pub fn base(&self) -> &DataType {
        match (self.kind, self.children.first()) {
            (Kind::Nullable | Kind::LowCardinality, Some(inner)) => inner.base(),
            _ => self,
        }
    }
    /// True when the column takes NULL: Nullable, LowCardinality(Nullable), Variant, Dynamic,
    /// and JSON-less wrappers around them.
    pub fn accepts_null(&self) -> bool {
        match (self.kind, self.children.first()) {
            (Kind::Nullable | Kind::Variant | Kind::Dynamic, _) => true,
            (Kind::LowCardinality, Some(inner)) => inner.accepts_null(),
            _ => false,
        }
    }
    /// Child types: the inner type of Nullable, the element type of Array.
    pub fn children(&self) -> &[DataType] {
        &self.children
    }
    /// The single child of Nullable / Array.
    pub fn inner(&self) -> Option<&DataType> {
        self.children.first()
    }
    /// True for `Nullable(..)`.
    pub fn is_nullable(&self) -> bool {
        self.kind == Kind::Nullable
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_types() {
        let t = DataType::parse("Array(Nullable(String))").expect("parse");
        assert_eq!(t.kind(), Kind::Array);
        assert_eq!(t.name(), "Array(Nullable(String))");
        let inner = t.inner().expect("element type");
        assert_eq!(inner.kind(), Kind::Nullable);
        assert!(inner.is_nullable());
        assert_eq!(inner.inner().map(DataType::kind), Some(Kind::String));
        assert_eq!(t.children().len(), 1);
    }

    #[test]
    fn parses_sizes_and_time_zones() {
        assert_eq!(DataType::parse("FixedString(16)").map(|t| (t.kind(), t.fixed_size())), Ok((Kind::FixedString, 16)));
        assert_eq!(DataType::parse("UInt16").map(|t| t.fixed_size()), Ok(2));
        assert_eq!(DataType::parse("Date").map(|t| (t.kind(), t.fixed_size())), Ok((Kind::Date, 2)));
        let dt = DataType::parse("DateTime('Europe/Berlin')").expect("parse");
        assert_eq!((dt.kind(), dt.timezone(), dt.fixed_size()), (Kind::DateTime, Some("Europe/Berlin"), 4));
        assert_eq!(DataType::parse("DateTime").map(|t| t.timezone().is_none()), Ok(true));
        for (name, kind) in [
            ("Int8", Kind::Int8),
            ("Int64", Kind::Int64),
            ("UInt8", Kind::UInt8),
            ("UInt64", Kind::UInt64),
            ("Float32", Kind::Float32),
            ("Float64", Kind::Float64),
            ("String", Kind::String),
        ] {
            assert_eq!(DataType::parse(name).map(|t| t.kind()), Ok(kind), "{name}");
        }
    }

    #[test]
    fn parse_errors_map_to_statuses() {
        for bad in ["Array(", "Nullable(String", "FixedString(x)", ""] {
            let e = DataType::parse(bad).expect_err(bad);
            assert_eq!(e.status(), Status::InvalidArgument, "{bad}: {e}");
            assert_eq!(e.code(), 0, "{bad}: not a server error");
            assert!(!e.message().is_empty());
        }
        // A well-formed name of a type this version does not decode.
        let e = DataType::parse("Object('json')").expect_err("Object");
        assert!(matches!(e.status(), Status::NotSupported | Status::InvalidArgument), "{e}");
        // Interior NUL is rejected on the Rust side without reaching C.
        let e = DataType::parse("Int8\0").expect_err("NUL");
        assert_eq!(e.status(), Status::InvalidArgument);
    }
}
