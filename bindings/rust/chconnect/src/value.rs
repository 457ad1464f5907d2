use std::fmt;
use std::sync::Arc;

/// One ClickHouse value of any supported type, for row-wise reading
/// ([`Column::value`](crate::Column::value)) and inserting
/// ([`Insert::append_row`](crate::Insert::append_row)).
///
/// Integers come as `Int` (signed kinds) or `UInt` (unsigned kinds); either may be inserted into
/// any integer column the value fits. Strings are bytes: ClickHouse does not promise UTF-8.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    UInt(u64),
    Float(f64),
    String(Vec<u8>),
    /// Days since 1970-01-01.
    Date(i32),
    /// Seconds since the epoch, and the column's time zone if it names one.
    DateTime(i64, Option<Arc<str>>),
    Array(Vec<Value>),
}

impl Value {
    /// An `Array` of anything convertible (for `Vec<u8>` elements too: `Value::array(bytes)`).
    pub fn array<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as i64 if it is an integer (or Date/DateTime) that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(v) => Some(v),
            Value::UInt(v) => i64::try_from(v).ok(),
            Value::Date(d) => Some(d.into()),
            Value::DateTime(s, _) => Some(s),
            _ => None,
        }
    }

    /// The value as u64 if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Int(v) => u64::try_from(v).ok(),
            Value::UInt(v) => Some(v),
            _ => None,
        }
    }

    /// The value as f64 for floats and integers (integers may round).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(v) => Some(v),
            Value::Int(v) => Some(v as f64),
            Value::UInt(v) => Some(v as f64),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(b) => Some(b),
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

impl fmt::Display for Value {
    /// Dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DD hh:mm:ss` in UTC (no time zone
    /// database here), invalid UTF-8 replaced.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Int(v) => write!(f, "{v}"),
            Value::UInt(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::String(b) => f.write_str(&String::from_utf8_lossy(b)),
            Value::Date(d) => {
                let (y, m, d) = civil_from_days((*d).into());
                write!(f, "{y:04}-{m:02}-{d:02}")
            }
            Value::DateTime(s, _) => {
                let (y, mo, d) = civil_from_days(s.div_euclid(86_400));
                let t = s.rem_euclid(86_400);
                write!(f, "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
            }
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match item {
                        Value::String(_) => write!(f, "'{item}'")?,
                        _ => write!(f, "{item}")?,
                    }
                }
                f.write_str("]")
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
        assert_eq!(arr.to_string(), "['x', NULL, [1]]");
    }
}
