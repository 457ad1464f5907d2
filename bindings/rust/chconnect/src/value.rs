use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::scalar::{Decimal, Uuid, I256, U256};

/// One ClickHouse value of any supported type, for row-wise reading
/// ([`Column::value`](crate::Column::value)) and inserting
/// ([`Insert::append_row`](crate::Insert::append_row)).
///
/// Integers up to 64 bits come as `Int` (signed kinds) or `UInt` (unsigned kinds); any integer
/// variant may be inserted into any integer column the value fits. Strings are bytes:
/// ClickHouse does not promise UTF-8. `Nullable(T)` and `LowCardinality(T)` read as `T`'s
/// variant (or `Null`), `Variant(..)` and `Dynamic` as the chosen alternative's variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL (also every value of `Nothing`).
    Null,
    /// Int8..Int64.
    Int(i64),
    /// UInt8..UInt64.
    UInt(u64),
    /// Float32, Float64, BFloat16.
    Float(f64),
    /// String, FixedString(N) (with its zero padding).
    String(Vec<u8>),
    /// Days since 1970-01-01 (Date).
    Date(i32),
    /// Seconds since the epoch, and the column's time zone if it names one.
    DateTime(i64, Option<Arc<str>>),
    Array(Vec<Value>),
    I128(i128),
    U128(u128),
    I256(I256),
    U256(U256),
    Bool(bool),
    /// Decimal(P, S) of any width, exact.
    Decimal(Decimal),
    /// Days since 1970-01-01 (Date32).
    Date32(i32),
    /// Ticks of 10^-precision seconds since the epoch, and the column's time zone if it names one.
    DateTime64 {
        ticks: i64,
        precision: u32,
        tz: Option<Arc<str>>,
    },
    /// Seconds (signed; Time).
    Time(i32),
    /// Ticks of 10^-precision seconds (signed; Time64).
    Time64 {
        ticks: i64,
        precision: u32,
    },
    Uuid(Uuid),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// Enum8 / Enum16: the element's name and value. Inserting uses the name (the value when
    /// the name is empty).
    Enum {
        name: Arc<str>,
        value: i16,
    },
    /// IntervalDay etc.: a count of `unit`s ("Second", "Day", ...).
    Interval {
        count: i64,
        unit: Arc<str>,
    },
    /// Tuple elements in order (named tuples too: the names are in the column's
    /// [`DataType::element_names`](crate::DataType::element_names)).
    Tuple(Vec<Value>),
    /// Map(K, V) entries in their stored order.
    Map(Vec<(Value, Value)>),
    /// One JSON document as text.
    Json(String),
}

impl Value {
    /// An `Array` of anything convertible (for `Vec<u8>` elements too: `Value::array(bytes)`).
    pub fn array<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as i64 if it is an integer (or Date/Date32/DateTime/DateTime64 ticks/Time/
    /// Time64 ticks/Interval count/Enum value/Bool) that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(v) => Some(v),
            Value::UInt(v) => i64::try_from(v).ok(),
            Value::Date(d) | Value::Date32(d) => Some(d.into()),
            Value::DateTime(s, _) => Some(s),
            Value::DateTime64 { ticks, .. } | Value::Time64 { ticks, .. } => Some(ticks),
            Value::Time(s) => Some(s.into()),
            Value::Interval { count, .. } => Some(count),
            Value::Enum { value, .. } => Some(value.into()),
            Value::Bool(b) => Some(b.into()),
            Value::I128(_) | Value::U128(_) | Value::I256(_) | Value::U256(_) => {
                self.as_i128().and_then(|v| i64::try_from(v).ok())
            }
            _ => None,
        }
    }

    /// The value as u64 if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Int(v) => u64::try_from(v).ok(),
            Value::UInt(v) => Some(v),
            _ => self.as_u128().and_then(|v| u64::try_from(v).ok()),
        }
    }

    /// Any integer variant as i128 if it fits.
    pub fn as_i128(&self) -> Option<i128> {
        match *self {
            Value::Int(v) => Some(v.into()),
            Value::UInt(v) => Some(v.into()),
            Value::I128(v) => Some(v),
            Value::U128(v) => i128::try_from(v).ok(),
            Value::I256(v) => v.to_i128(),
            Value::U256(v) => v.to_u128().and_then(|v| i128::try_from(v).ok()),
            _ => None,
        }
    }

    /// Any non-negative integer variant as u128 if it fits.
    pub fn as_u128(&self) -> Option<u128> {
        match *self {
            Value::U128(v) => Some(v),
            Value::U256(v) => v.to_u128(),
            _ => self.as_i128().and_then(|v| u128::try_from(v).ok()),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_decimal(&self) -> Option<Decimal> {
        match *self {
            Value::Decimal(d) => Some(d),
            _ => None,
        }
    }

    pub fn as_uuid(&self) -> Option<Uuid> {
        match *self {
            Value::Uuid(u) => Some(u),
            _ => None,
        }
    }

    /// IPv4 and IPv6 values as an `IpAddr`.
    pub fn as_ip(&self) -> Option<std::net::IpAddr> {
        match *self {
            Value::Ipv4(a) => Some(a.into()),
            Value::Ipv6(a) => Some(a.into()),
            _ => None,
        }
    }

    pub fn as_tuple(&self) -> Option<&[Value]> {
        match self {
            Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// The value as f64 for floats, integers and decimals (may round).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(v) => Some(v),
            Value::Int(v) => Some(v as f64),
            Value::UInt(v) => Some(v as f64),
            Value::I128(v) => Some(v as f64),
            Value::U128(v) => Some(v as f64),
            Value::Decimal(d) => Some(d.to_f64()),
            _ => None,
        }
    }

    /// String bytes (also the text of Json and the name of Enum).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(b) => Some(b),
            Value::Json(s) => Some(s.as_bytes()),
            Value::Enum { name, .. } => Some(name.as_bytes()),
            _ => None,
        }
    }

    /// The string if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        self.as_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(v) => Some(v),
            _ => None,
        }
    }
}

macro_rules! from_int {
    ($variant:ident, $conv:ty: $($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::$variant(<$conv>::from(v))
            }
        }
    )*};
}
from_int!(Int, i64: i8, i16, i32, i64);
from_int!(UInt, u64: u8, u16, u32, u64);

impl From<f32> for Value {
    fn from(v: f32) -> Value {
        Value::Float(v.into())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<i128> for Value {
    fn from(v: i128) -> Value {
        Value::I128(v)
    }
}
impl From<u128> for Value {
    fn from(v: u128) -> Value {
        Value::U128(v)
    }
}
impl From<I256> for Value {
    fn from(v: I256) -> Value {
        Value::I256(v)
    }
}
impl From<U256> for Value {
    fn from(v: U256) -> Value {
        Value::U256(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<Decimal> for Value {
    fn from(v: Decimal) -> Value {
        Value::Decimal(v)
    }
}
impl From<Uuid> for Value {
    fn from(v: Uuid) -> Value {
        Value::Uuid(v)
    }
}
impl From<Ipv4Addr> for Value {
    fn from(v: Ipv4Addr) -> Value {
        Value::Ipv4(v)
    }
}
impl From<Ipv6Addr> for Value {
    fn from(v: Ipv6Addr) -> Value {
        Value::Ipv6(v)
    }
}
impl From<std::net::IpAddr> for Value {
    fn from(v: std::net::IpAddr) -> Value {
        match v {
            std::net::IpAddr::V4(a) => Value::Ipv4(a),
            std::net::IpAddr::V6(a) => Value::Ipv6(a),
        }
    }
}
impl<K: Into<Value>, V: Into<Value>> From<Vec<(K, V)>> for Value {
    /// A Map.
    fn from(v: Vec<(K, V)>) -> Value {
        Value::Map(v.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::String(v.as_bytes().to_vec())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::String(v.into_bytes())
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::String(v.to_vec())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::String(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}
// Vec<u8> is a byte string (above), so arrays get From for the other element types only.
macro_rules! from_vec {
    ($($t:ty),*) => {$(
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Value {
                Value::array(v)
            }
        }
    )*};
}
from_vec!(i8, i16, i32, i64, u16, u32, u64, f32, f64, &str, String, Value);
from_vec!(Option<i8>, Option<i16>, Option<i32>, Option<i64>, Option<u8>, Option<u16>, Option<u32>, Option<u64>);
from_vec!(Option<f32>, Option<f64>, Option<&str>, Option<String>);

/// Proleptic Gregorian date of a day count since 1970-01-01 (the usual era-based conversion).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds and a fraction of `precision` digits as `YYYY-MM-DD hh:mm:ss[.fff]` (UTC).
fn write_datetime(f: &mut fmt::Formatter<'_>, ticks: i64, precision: u32) -> fmt::Result {
    let scale = 10i64.checked_pow(precision).unwrap_or(1);
    let (secs, frac) = (ticks.div_euclid(scale), ticks.rem_euclid(scale));
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    write!(f, "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)?;
    if precision > 0 {
        write!(f, ".{frac:0width$}", width = precision as usize)?;
    }
    Ok(())
}

/// Signed duration as `[-]hhh:mm:ss[.fff]`.
fn write_time(f: &mut fmt::Formatter<'_>, ticks: i64, precision: u32) -> fmt::Result {
    let scale = 10u64.checked_pow(precision).unwrap_or(1);
    let abs = ticks.unsigned_abs();
    let (secs, frac) = (abs / scale, abs % scale);
    let sign = if ticks < 0 { "-" } else { "" };
    write!(f, "{sign}{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)?;
    if precision > 0 {
        write!(f, ".{frac:0width$}", width = precision as usize)?;
    }
    Ok(())
}

/// A string inside an array, tuple or map, quoted and escaped as ClickHouse's text formats do.
fn write_quoted(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    f.write_str("'")?;
    for c in String::from_utf8_lossy(b).chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\0' => f.write_str("\\0")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("'")
}

/// An element of a composite value: text-like values quoted.
fn write_nested(f: &mut fmt::Formatter<'_>, v: &Value) -> fmt::Result {
    match v {
        Value::String(b) => write_quoted(f, b),
        Value::Json(s) => write_quoted(f, s.as_bytes()),
        Value::Enum { name, .. } => write_quoted(f, name.as_bytes()),
        Value::Date(_)
        | Value::Date32(_)
        | Value::DateTime(..)
        | Value::DateTime64 { .. }
        | Value::Time(_)
        | Value::Time64 { .. }
        | Value::Uuid(_)
        | Value::Ipv4(_)
        | Value::Ipv6(_) => write_quoted(f, v.to_string().as_bytes()),
        _ => write!(f, "{v}"),
    }
}

impl fmt::Display for Value {
    /// ClickHouse's text form (as `toString` prints it): dates as `YYYY-MM-DD`, date-times as
    /// `YYYY-MM-DD hh:mm:ss[.fff]` in UTC (no time zone database here), decimals with exactly
    /// `scale` fraction digits, arrays `[1,2]`, tuples `(1,'a')`, maps `{'k':1}` with quoted
    /// strings inside; top-level strings unquoted, invalid UTF-8 replaced.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Int(v) => write!(f, "{v}"),
            Value::UInt(v) => write!(f, "{v}"),
            Value::I128(v) => write!(f, "{v}"),
            Value::U128(v) => write!(f, "{v}"),
            Value::I256(v) => write!(f, "{v}"),
            Value::U256(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::String(b) => f.write_str(&String::from_utf8_lossy(b)),
            Value::Json(s) => f.write_str(s),
            Value::Date(d) | Value::Date32(d) => {
                let (y, m, d) = civil_from_days((*d).into());
                write!(f, "{y:04}-{m:02}-{d:02}")
            }
            Value::DateTime(s, _) => write_datetime(f, *s, 0),
            Value::DateTime64 { ticks, precision, .. } => write_datetime(f, *ticks, *precision),
            Value::Time(s) => write_time(f, (*s).into(), 0),
            Value::Time64 { ticks, precision } => write_time(f, *ticks, *precision),
            Value::Uuid(u) => write!(f, "{u}"),
            Value::Ipv4(a) => write!(f, "{a}"),
            Value::Ipv6(a) => write!(f, "{a}"),
            Value::Enum { name, .. } => f.write_str(name),
            Value::Interval { count, .. } => write!(f, "{count}"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_nested(f, item)?;
                }
                f.write_str("]")
            }
            Value::Tuple(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_nested(f, item)?;
                }
                f.write_str(")")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_nested(f, k)?;
                    f.write_str(":")?;
                    write_nested(f, v)?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_and_display() {
        assert_eq!(Value::from(-3i8), Value::Int(-3));
        assert_eq!(Value::from(7u16), Value::UInt(7));
        assert_eq!(Value::from(Some("a")), Value::String(b"a".to_vec()));
        assert_eq!(Value::from(None::<i32>), Value::Null);
        assert_eq!(Value::from(vec![1u8, 2]), Value::String(vec![1, 2]));
        assert_eq!(Value::from(vec![Some(1i32), None]), Value::Array(vec![Value::Int(1), Value::Null]));
        assert_eq!(Value::UInt(u64::MAX).as_i64(), None);
        assert_eq!(Value::Int(-1).as_u64(), None);
        assert_eq!(Value::Date(0).to_string(), "1970-01-01");
        assert_eq!(Value::Date(18_000).to_string(), "2019-04-14");
        assert_eq!(Value::Date(-1).to_string(), "1969-12-31");
        assert_eq!(Value::DateTime(1_500_000_000, None).to_string(), "2017-07-14 02:40:00");
        let arr = Value::Array(vec![Value::from("x"), Value::Null, Value::Array(vec![Value::Int(1)])]);
        assert_eq!(arr.to_string(), "['x',NULL,[1]]");
        let t = Value::Tuple(vec![Value::Int(1), Value::from("it's"), Value::Date(0)]);
        assert_eq!(t.to_string(), "(1,'it\\'s','1970-01-01')");
        let m = Value::from(vec![("a", 1u8), ("b", 2u8)]);
        assert_eq!(m.to_string(), "{'a':1,'b':2}");
        assert_eq!(Value::DateTime64 { ticks: -1, precision: 3, tz: None }.to_string(), "1969-12-31 23:59:59.999");
        assert_eq!(
            Value::DateTime64 { ticks: 1_500_000_000_123, precision: 3, tz: None }.to_string(),
            "2017-07-14 02:40:00.123"
        );
        assert_eq!(Value::Time(-3661).to_string(), "-01:01:01");
        assert_eq!(Value::Time64 { ticks: 3_600_005, precision: 1 }.to_string(), "100:00:00.5");
        assert_eq!(Value::Decimal(Decimal::new(-12500, 3)).to_string(), "-12.500");
        assert_eq!(Value::Bool(true).to_string(), "true");
        assert_eq!(Value::from(u128::MAX).as_i128(), None);
        assert_eq!(Value::I256(I256::from(-3i64)).as_i64(), Some(-3));
        assert_eq!(Value::Ipv4(Ipv4Addr::new(1, 2, 3, 4)).to_string(), "1.2.3.4");
    }
}
