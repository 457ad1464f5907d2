use std::fmt;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use crate::client::Response;
use crate::error::{Error, Result, Status};
use crate::rows::Primitive;
use crate::scalar::{Decimal, Limbs, Uuid, I256};
use crate::sys;
use crate::types::{DataType, Kind};
use crate::util::{call, cstr};
use crate::value::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn type_error(ty: &DataType, what: &str) -> Error {
    Error::new(Status::Type, format!("{what} does not fit column type {}", ty.name()))
}

/// Checks that `v` can be appended to a column of type `ty`, with the same code path that appends
/// it (see [`put`]), so a row is validated whole before any of its values is appended.
fn check(ty: &DataType, v: &Value) -> Result<()> {
    put(None, ty, v)
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Int(_) | Value::UInt(_) | Value::I128(_) | Value::U128(_) | Value::I256(_) | Value::U256(_) => {
            "an integer"
        }
        Value::Float(_) => "a float",
        Value::String(_) => "a string",
        Value::Date(_) | Value::Date32(_) => "a date",
        Value::DateTime(..) | Value::DateTime64 { .. } => "a date-time",
        Value::Time(_) | Value::Time64 { .. } => "a time",
        Value::Array(_) => "an array",
        Value::Bool(_) => "a bool",
        Value::Decimal(_) => "a decimal",
        Value::Uuid(_) => "a UUID",
        Value::Ipv4(_) | Value::Ipv6(_) => "an IP address",
        Value::Enum { .. } => "an enum value",
        Value::Interval { .. } => "an interval",
        Value::Tuple(_) => "a tuple",
        Value::Map(_) => "a map",
        Value::Json(_) => "a JSON document",
    }
}

/// One builder call.
enum Leaf {
    I64(i64),
    U64(u64),
    F64(f64),
    Bytes(Vec<u8>),
    Fixed(Vec<u8>),
}

impl Leaf {
    fn apply(self, b: &mut Builder<'_>) -> Result<()> {
        match self {
            Leaf::I64(v) => b.append_i64(v),
            Leaf::U64(v) => b.append_u64(v),
            Leaf::F64(v) => b.append_f64(v),
            Leaf::Bytes(v) => b.append_bytes(&v),
            Leaf::Fixed(v) => b.append_fixed_raw(&v, 1),
        }
    }
}

/// Sign and magnitude of any integer value.
fn int_parts(v: &Value) -> Option<(bool, Limbs)> {
    Some(match *v {
        Value::Int(i) => (i < 0, Limbs::from_u128(i.unsigned_abs().into())),
        Value::UInt(u) => (false, Limbs::from_u128(u.into())),
        Value::I128(i) => (i < 0, Limbs::from_u128(i.unsigned_abs())),
        Value::U128(u) => (false, Limbs::from_u128(u)),
        Value::I256(i) => i.parts(),
        Value::U256(u) => (false, Limbs::from_le(&u.0)),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 => {
            (f < 0.0, Limbs::from_u128(f.abs() as u128))
        }
        _ => return None,
    })
}

/// Little-endian two's complement bytes of an integer of `bits` bits (`signed` or not), None if
/// it does not fit.
fn int_bytes(neg: bool, mag: Limbs, bits: u32, signed: bool) -> Option<Vec<u8>> {
    let neg = neg && !mag.is_zero();
    let fits = match (signed, neg) {
        (false, true) => false,
        (false, false) => mag.bits() <= bits,
        (true, false) => mag.bits() < bits,
        // -2^(bits-1) is the only magnitude with `bits` bits that fits.
        (true, true) => mag.bits() < bits || (mag.bits() == bits && is_pow2(mag)),
    };
    if !fits {
        return None;
    }
    let raw = if neg { mag.neg() } else { mag }.to_le();
    Some(raw[..(bits / 8) as usize].to_vec())
}

fn is_pow2(m: Limbs) -> bool {
    m.0.iter().map(|l| l.count_ones()).sum::<u32>() == 1
}

/// Ticks of 10^-`from` seconds as ticks of 10^-`to` seconds, None if inexact or out of range.
fn rescale_ticks(t: i64, from: u32, to: u32) -> Option<i64> {
    if to >= from {
        t.checked_mul(10i64.checked_pow(to - from)?)
    } else {
        let d = 10i64.checked_pow(from - to)?;
        (t % d == 0).then(|| t / d)
    }
}

/// Validates `v` against a column of type `ty` and, when `b` is given, appends it. Nothing is
/// appended on error for scalars; composite values are validated whole by a `None` pass first.
fn put(b: Option<&mut Builder<'_>>, ty: &DataType, v: &Value) -> Result<()> {
    if v.is_null() {
        if !ty.accepts_null() {
            return Err(type_error(ty, "NULL"));
        }
        return b.map_or(Ok(()), |b| b.append_null());
    }
    let base = ty.base();
    let bad = || type_error(ty, value_kind(v));
    let child_ty = |i: usize| base.children().get(i).ok_or_else(|| type_error(ty, "a value (type without children)"));
    match base.kind() {
        Kind::Array => {
            let items = match v {
                Value::Array(items) => items,
                _ => return Err(bad()),
            };
            let elem = child_ty(0)?;
            match b {
                None => items.iter().try_for_each(|it| put(None, elem, it)),
                Some(b) => {
                    {
                        let mut c = b.child_at(0)?;
                        for it in items {
                            put(Some(&mut c), elem, it)?;
                        }
                    }
                    b.end_array()
                }
            }
        }
        Kind::Map => {
            let pairs = match v {
                Value::Map(pairs) => pairs,
                _ => return Err(bad()),
            };
            let entry = child_ty(0)?;
            let (kt, vt) = match entry.children() {
                [k, v] => (k, v),
                _ => return Err(type_error(ty, "a map (entry type is not a pair)")),
            };
            match b {
                None => pairs.iter().try_for_each(|(k, v)| put(None, kt, k).and_then(|_| put(None, vt, v))),
                Some(b) => {
                    {
                        let mut t = b.child_at(0)?;
                        for (k, v) in pairs {
                            put(Some(&mut t.child_at(0)?), kt, k)?;
                            put(Some(&mut t.child_at(1)?), vt, v)?;
                        }
                    }
                    b.end_array()
                }
            }
        }
        Kind::Tuple => {
            let items = match v {
                Value::Tuple(items) if items.len() == base.children().len() => items,
                Value::Tuple(items) => {
                    return Err(type_error(ty, &format!("a tuple of {} elements", items.len())));
                }
                _ => return Err(bad()),
            };
            match b {
                None => items.iter().zip(base.children()).try_for_each(|(it, t)| put(None, t, it)),
                Some(b) => {
                    for (i, (it, t)) in items.iter().zip(base.children()).enumerate() {
                        put(Some(&mut b.child_at(i)?), t, it)?;
                    }
                    Ok(())
                }
            }
        }
        Kind::Variant => {
            let alts = base.children();
            // The alternative whose natural value kind is `v`'s, else the first that accepts it.
            let i = alts
                .iter()
                .position(|t| natural(t, v) && put(None, t, v).is_ok())
                .or_else(|| alts.iter().position(|t| put(None, t, v).is_ok()))
                .ok_or_else(bad)?;
            match b {
                None => Ok(()),
                Some(b) => put(Some(&mut b.child_at(i)?), &alts[i], v),
            }
        }
        _ => {
            let leaf = leaf(ty, base, v)?;
            b.map_or(Ok(()), |b| leaf.apply(b))
        }
    }
}

/// True when `v`'s variant is the one a column of type `t` reads as.
fn natural(t: &DataType, v: &Value) -> bool {
    let k = t.base().kind();
    match v {
        Value::Int(_) => k.is_signed_int(),
        Value::UInt(_) => k.is_unsigned_int(),
        Value::Float(_) => matches!(k, Kind::Float32 | Kind::Float64 | Kind::BFloat16),
        Value::String(_) => matches!(k, Kind::String | Kind::FixedString),
        Value::Date(_) => k == Kind::Date,
        Value::Date32(_) => k == Kind::Date32,
        Value::DateTime(..) => k == Kind::DateTime,
        Value::DateTime64 { .. } => k == Kind::DateTime64,
        Value::Time(_) => k == Kind::Time,
        Value::Time64 { .. } => k == Kind::Time64,
        Value::I128(_) => k == Kind::Int128,
        Value::U128(_) => k == Kind::UInt128,
        Value::I256(_) => k == Kind::Int256,
        Value::U256(_) => k == Kind::UInt256,
        Value::Bool(_) => k == Kind::Bool,
        Value::Decimal(_) => k == Kind::Decimal,
        Value::Uuid(_) => k == Kind::Uuid,
        Value::Ipv4(_) => k == Kind::Ipv4,
        Value::Ipv6(_) => k == Kind::Ipv6,
        Value::Enum { .. } => matches!(k, Kind::Enum8 | Kind::Enum16),
        Value::Interval { .. } => k == Kind::Interval,
        Value::Array(_) => k == Kind::Array,
        Value::Tuple(_) => k == Kind::Tuple,
        Value::Map(_) => k == Kind::Map,
        Value::Json(_) => k == Kind::Json,
        Value::Null => false,
    }
}

/// The builder call that appends scalar `v` to a column of base type `base` (`ty` for messages).
fn leaf(ty: &DataType, base: &DataType, v: &Value) -> Result<Leaf> {
    let bad = || type_error(ty, value_kind(v));
    let out_of_range = || type_error(ty, &v.to_string());
    let kind = base.kind();
    let int = || int_parts(v).ok_or_else(bad);
    Ok(match kind {
        // Small integers, Date (days), DateTime (seconds): the library range-checks too.
        Kind::Int8
        | Kind::Int16
        | Kind::Int32
        | Kind::Int64
        | Kind::UInt8
        | Kind::UInt16
        | Kind::UInt32
        | Kind::UInt64
        | Kind::Date
        | Kind::DateTime => {
            let x: i128 = match v {
                Value::Date(d) if kind == Kind::Date => (*d).into(),
                Value::Date32(d) if kind == Kind::Date => (*d).into(),
                Value::DateTime(s, _) if kind == Kind::DateTime => (*s).into(),
                Value::Float(_) if matches!(kind, Kind::Date | Kind::DateTime) => return Err(bad()),
                Value::Date(_) | Value::Date32(_) | Value::DateTime(..) => return Err(bad()),
                _ => {
                    let (neg, mag) = int()?;
                    let bytes = int_bytes(neg, mag, 128, true).ok_or_else(out_of_range)?;
                    i128::from_le_bytes(bytes.try_into().map_err(|_| out_of_range())?)
                }
            };
            let (lo, hi) = kind.int_range().ok_or_else(bad)?;
            if x < lo || x > hi {
                return Err(out_of_range());
            }
            match i64::try_from(x) {
                Ok(i) => Leaf::I64(i),
                Err(_) => Leaf::U64(u64::try_from(x).map_err(|_| out_of_range())?),
            }
        }
        Kind::Int128 | Kind::UInt128 | Kind::Int256 | Kind::UInt256 => {
            let (neg, mag) = int()?;
            let bits = if matches!(kind, Kind::Int128 | Kind::UInt128) { 128 } else { 256 };
            let signed = matches!(kind, Kind::Int128 | Kind::Int256);
            Leaf::Fixed(int_bytes(neg, mag, bits, signed).ok_or_else(out_of_range)?)
        }
        Kind::Float32 | Kind::Float64 | Kind::BFloat16 => {
            let f = match v {
                Value::Float(f) => *f,
                Value::Int(i) => *i as f64,
                Value::UInt(u) => *u as f64,
                Value::I128(i) => *i as f64,
                Value::U128(u) => *u as f64,
                _ => return Err(bad()),
            };
            if kind != Kind::Float64 && f.is_finite() && f.abs() > f64::from(f32::MAX) {
                return Err(out_of_range());
            }
            Leaf::F64(f)
        }
        Kind::Bool => match v {
            Value::Bool(b) => Leaf::Fixed(vec![u8::from(*b)]),
            Value::Int(0) | Value::UInt(0) => Leaf::Fixed(vec![0]),
            Value::Int(1) | Value::UInt(1) => Leaf::Fixed(vec![1]),
            _ => return Err(bad()),
        },
        Kind::Decimal => {
            let d = match v {
                Value::Decimal(d) => *d,
                Value::String(s) => std::str::from_utf8(s)
                    .ok()
                    .and_then(|s| s.parse::<Decimal>().ok())
                    .ok_or_else(|| type_error(ty, "a string that is not a decimal"))?,
                Value::Float(f) if f.is_finite() => return Ok(Leaf::F64(*f)),
                _ => {
                    let (neg, mag) = int()?;
                    Decimal::from_i256(I256::from_parts(neg, mag).ok_or_else(out_of_range)?, 0)
                }
            };
            let d = d
                .rescale(base.scale())
                .ok_or_else(|| type_error(ty, &format!("{d} (more fraction digits than the scale, or too large)")))?;
            if base.precision() > 0 && d.digits() > base.precision() as usize {
                return Err(out_of_range());
            }
            Leaf::Bytes(d.to_string().into_bytes())
        }
        Kind::String => match v {
            Value::String(b) => Leaf::Bytes(b.clone()),
            _ => return Err(bad()),
        },
        Kind::FixedString => match v {
            Value::String(b) if b.len() <= base.fixed_size() => Leaf::Bytes(b.clone()),
            Value::String(b) => return Err(type_error(ty, &format!("a string of {} bytes", b.len()))),
            _ => return Err(bad()),
        },
        Kind::Date32 => match v {
            Value::Date32(d) | Value::Date(d) => Leaf::Fixed(d.to_le_bytes().to_vec()),
            Value::Int(_) | Value::UInt(_) => Leaf::Fixed(
                i32::try_from(v.as_i64().ok_or_else(out_of_range)?).map_err(|_| out_of_range())?.to_le_bytes().to_vec(),
            ),
            _ => return Err(bad()),
        },
        Kind::Time => match v {
            Value::Time(s) => Leaf::Fixed(s.to_le_bytes().to_vec()),
            Value::Int(_) | Value::UInt(_) => Leaf::Fixed(
                i32::try_from(v.as_i64().ok_or_else(out_of_range)?).map_err(|_| out_of_range())?.to_le_bytes().to_vec(),
            ),
            _ => return Err(bad()),
        },
        Kind::DateTime64 | Kind::Time64 => {
            let p = base.precision();
            let ticks = match (kind, v) {
                (Kind::DateTime64, Value::DateTime64 { ticks, precision, .. })
                | (Kind::Time64, Value::Time64 { ticks, precision }) => rescale_ticks(*ticks, *precision, p),
                (Kind::DateTime64, Value::DateTime(s, _)) => rescale_ticks(*s, 0, p),
                (Kind::Time64, Value::Time(s)) => rescale_ticks((*s).into(), 0, p),
                (_, Value::Int(_) | Value::UInt(_)) => v.as_i64(),
                _ => return Err(bad()),
            }
            .ok_or_else(|| type_error(ty, &format!("{v} (not exact in precision {p})")))?;
            Leaf::Fixed(ticks.to_le_bytes().to_vec())
        }
        Kind::Uuid => {
            let u = match v {
                Value::Uuid(u) => *u,
                Value::String(s) => std::str::from_utf8(s)
                    .ok()
                    .and_then(|s| s.parse::<Uuid>().ok())
                    .ok_or_else(|| type_error(ty, "a string that is not a UUID"))?,
                _ => return Err(bad()),
            };
            Leaf::Fixed(u.to_clickhouse().to_vec())
        }
        Kind::Ipv4 => {
            let a: Ipv4Addr = match v {
                Value::Ipv4(a) => *a,
                Value::String(s) => std::str::from_utf8(s)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| type_error(ty, "a string that is not an IPv4 address"))?,
                Value::UInt(u) => Ipv4Addr::from(u32::try_from(*u).map_err(|_| out_of_range())?),
                _ => return Err(bad()),
            };
            Leaf::Fixed(u32::from(a).to_le_bytes().to_vec())
        }
        Kind::Ipv6 => {
            let a: Ipv6Addr = match v {
                Value::Ipv6(a) => *a,
                Value::Ipv4(a) => a.to_ipv6_mapped(),
                Value::String(s) => match std::str::from_utf8(s).ok().and_then(|s| s.parse::<IpAddr>().ok()) {
                    Some(IpAddr::V6(a)) => a,
                    Some(IpAddr::V4(a)) => a.to_ipv6_mapped(),
                    None => return Err(type_error(ty, "a string that is not an IP address")),
                },
                _ => return Err(bad()),
            };
            Leaf::Fixed(a.octets().to_vec())
        }
        Kind::Enum8 | Kind::Enum16 => {
            let entries = base.enum_entries();
            let found = match v {
                Value::Enum { name, .. } if !name.is_empty() => entries.iter().find(|(n, _)| **n == **name),
                Value::Enum { value, .. } => entries.iter().find(|(_, x)| *x == i32::from(*value)),
                Value::String(s) => entries.iter().find(|(n, _)| n.as_bytes() == &s[..]),
                Value::Int(_) | Value::UInt(_) => {
                    let x = v.as_i64();
                    entries.iter().find(|(_, e)| Some(i64::from(*e)) == x)
                }
                _ => return Err(bad()),
            };
            let value = found.map(|(_, x)| *x).ok_or_else(|| type_error(ty, &format!("{v} (not an element)")))?;
            if kind == Kind::Enum8 {
                Leaf::Fixed(vec![value as i8 as u8])
            } else {
                Leaf::Fixed((value as i16).to_le_bytes().to_vec())
            }
        }
        Kind::Interval => match v {
            Value::Interval { count, unit } if unit.is_empty() || unit.eq_ignore_ascii_case(base.unit()) => {
                Leaf::Fixed(count.to_le_bytes().to_vec())
            }
            Value::Int(_) | Value::UInt(_) => Leaf::Fixed(v.as_i64().ok_or_else(out_of_range)?.to_le_bytes().to_vec()),
            _ => return Err(bad()),
        },
        Kind::Json => match v {
            Value::Json(s) => Leaf::Bytes(s.clone().into_bytes()),
            Value::String(b) => Leaf::Bytes(b.clone()),
            _ => return Err(bad()),
        },
        // Through the C ABI a Dynamic column takes integers (Int64/UInt64), floats (Float64) and
        // strings (String) only.
        Kind::Dynamic => match v {
            Value::Int(i) => Leaf::I64(*i),
            Value::UInt(u) => Leaf::U64(*u),
            Value::Float(f) => Leaf::F64(*f),
            Value::String(b) => Leaf::Bytes(b.clone()),
            _ => return Err(bad()),
        },
        _ => {
            return Err(Error::new(
                Status::NotSupported,
                format!("inserting {} into {} is not supported", value_kind(v), ty.name()),
            ))
        }
    })
}

/// A Native insert in progress (from [`Client::insert`](crate::Client::insert) or
/// [`Client::insert_typed`](crate::Client::insert_typed)): append rows, then
/// [`finish`](Insert::finish) sends them in one request. Dropping it unfinished sends nothing.
/// `Send` but not `Sync`.
pub struct Insert {
    raw: NonNull<sys::chc_insert>,
    columns: Vec<(String, DataType)>,
    /// Set when a builder call failed after validation: the columns may now differ in length and
    /// the library offers no way to take a value back, so the insert must not be sent.
    broken: Option<Error>,
}

// SAFETY: chconnect.h: an insert may move between threads, never be used concurrently.
unsafe impl Send for Insert {}

impl Insert {
    /// # Safety
    /// `raw` must be a live insert the caller owns (it is freed by Drop, also on error here).
    pub(crate) unsafe fn from_raw(raw: NonNull<sys::chc_insert>) -> Result<Insert> {
        let mut insert = Insert { raw, columns: Vec::new(), broken: None };
        let n = sys::chc_insert_column_count(raw.as_ptr());
        for i in 0..n {
            let name = cstr(sys::chc_insert_column_name(raw.as_ptr(), i)).into_owned();
            let ty = DataType::from_raw(sys::chc_insert_column_type(raw.as_ptr(), i))?;
            insert.columns.push((name, ty));
        }
        Ok(insert)
    }

    /// Column names and types, in insert order.
    pub fn columns(&self) -> &[(String, DataType)] {
        &self.columns
    }

    /// Rows appended so far (those of the first column).
    pub fn row_count(&self) -> usize {
        // SAFETY: a builder of a live insert (or NULL, which gives 0).
        if self.columns.is_empty() {
            0
        } else {
            unsafe { sys::chc_builder_row_count(sys::chc_insert_builder(self.raw.as_ptr(), 0)) }
        }
    }

    fn ensure_usable(&self) -> Result<()> {
        match &self.broken {
            None => Ok(()),
            Some(e) => Err(Error::new(
                Status::InvalidState,
                format!("insert abandoned after a failed append ({e}); start a new one"),
            )),
        }
    }

    /// Appends one row: one value per column, in [`columns`](Self::columns) order. The whole row
    /// is checked first, so a value that does not fit (`Type` error) leaves the insert unchanged.
    pub fn append_row(&mut self, row: &[Value]) -> Result<()> {
        self.ensure_usable()?;
        if row.len() != self.columns.len() {
            return Err(Error::new(
                Status::InvalidArgument,
                format!("row has {} values, the insert has {} columns", row.len(), self.columns.len()),
            ));
        }
        for ((name, ty), v) in self.columns.iter().zip(row) {
            check(ty, v).map_err(|e| Error::new(e.status(), format!("column {name}: {}", e.message())))?;
        }
        for (i, v) in row.iter().enumerate() {
            let mut b = self.builder(i)?;
            if let Err(e) = b.append_unchecked(v) {
                self.broken = Some(e.clone());
                return Err(e);
            }
        }
        Ok(())
    }

    /// The builder of column `i`, to append values column by column. Every column must end with
    /// the same number of rows before [`finish`](Self::finish).
    pub fn builder(&mut self, i: usize) -> Result<Builder<'_>> {
        let ty = self
            .columns
            .get(i)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| Error::new(Status::InvalidArgument, format!("column index {i} out of range")))?;
        // SAFETY: live insert; the builder is borrowed as long as the insert, tied to &mut self.
        let raw = NonNull::new(unsafe { sys::chc_insert_builder(self.raw.as_ptr(), i) })
            .ok_or_else(|| Error::new(Status::Internal, "the library returned no builder"))?;
        Ok(Builder { raw, ty, _insert: PhantomData })
    }

    /// Sends the collected rows and waits for the server.
    pub fn finish(self) -> Result<Response> {
        self.ensure_usable()?;
        let mut out: *mut sys::chc_response = ptr::null_mut();
        // SAFETY: live insert; on success we own *out. `self` is dropped (freed) afterwards.
        call(|err| unsafe { sys::chc_insert_finish(self.raw.as_ptr(), &mut out, err) })?;
        Response::from_raw(out)
    }
}

impl fmt::Debug for Insert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Insert").field("columns", &self.columns).field("rows", &self.row_count()).finish()
    }
}

impl Drop for Insert {
    fn drop(&mut self) {
        // SAFETY: owned, freed once; an unfinished insert is abandoned.
        unsafe { sys::chc_insert_free(self.raw.as_ptr()) }
    }
}

/// Appends values to one column of an [`Insert`] (borrowed from it).
pub struct Builder<'a> {
    raw: NonNull<sys::chc_builder>,
    ty: DataType,
    _insert: PhantomData<&'a mut Insert>,
}

impl<'a> Builder<'a> {
    fn p(&self) -> *mut sys::chc_builder {
        self.raw.as_ptr()
    }

    /// The column's type.
    pub fn data_type(&self) -> &DataType {
        &self.ty
    }

    /// Rows appended so far.
    pub fn row_count(&self) -> usize {
        // SAFETY: live builder.
        unsafe { sys::chc_builder_row_count(self.p()) }
    }

    /// Integer kinds, Date (days), DateTime (seconds).
    pub fn append_i64(&mut self, v: i64) -> Result<()> {
        // SAFETY: live builder borrowed from a live insert.
        call(|err| unsafe { sys::chc_builder_append_int64(self.p(), v, err) })
    }

    pub fn append_u64(&mut self, v: u64) -> Result<()> {
        // SAFETY: as above.
        call(|err| unsafe { sys::chc_builder_append_uint64(self.p(), v, err) })
    }

    /// Float kinds (and integer kinds when `v` is integral and in range).
    pub fn append_f64(&mut self, v: f64) -> Result<()> {
        // SAFETY: as above.
        call(|err| unsafe { sys::chc_builder_append_double(self.p(), v, err) })
    }

    /// String, FixedString(N) (at most N bytes, zero-padded).
    pub fn append_bytes(&mut self, v: &[u8]) -> Result<()> {
        // SAFETY: as above; the bytes are copied.
        call(|err| unsafe { sys::chc_builder_append_string(self.p(), v.as_ptr().cast(), v.len(), err) })
    }

    pub fn append_str(&mut self, v: &str) -> Result<()> {
        self.append_bytes(v.as_bytes())
    }

    /// Nullable columns only.
    pub fn append_null(&mut self) -> Result<()> {
        // SAFETY: as above.
        call(|err| unsafe { sys::chc_builder_append_null(self.p(), err) })
    }

    /// Closes one Array row after its elements were appended to [`child`](Self::child).
    pub fn end_array(&mut self) -> Result<()> {
        // SAFETY: as above.
        call(|err| unsafe { sys::chc_builder_end_array(self.p(), err) })
    }

    /// The element builder of an Array column (`child_at(0)`).
    pub fn child(&mut self) -> Result<Builder<'_>> {
        self.child_at(0)
    }

    /// Child builder `i`: the element builder of an Array or Map (0; a Map's is a Tuple builder
    /// whose children take the keys and the values), the element builders of a Tuple, the
    /// alternative builders of a Variant (in the type's sorted order).
    pub fn child_at(&mut self, i: usize) -> Result<Builder<'_>> {
        let base = self.ty.base();
        let ty = match base.kind() {
            Kind::Array | Kind::Map | Kind::Tuple | Kind::Variant => base.children().get(i).cloned(),
            _ => None,
        }
        .ok_or_else(|| Error::new(Status::Type, format!("column type {} has no child builder {i}", self.ty)))?;
        // SAFETY: live builder; the child is borrowed as long as the parent (tied to &mut self).
        let raw = NonNull::new(unsafe { sys::chc_builder_child(self.p(), i) })
            .ok_or_else(|| Error::new(Status::Internal, "the library returned no child builder"))?;
        Ok(Builder { raw, ty, _insert: PhantomData })
    }

    /// Appends values given in the column's fixed-width wire layout: `i32` for Int32 / Date32,
    /// `u16` for Date, `i64` for DateTime64 ticks, `u128` for UInt128, ... (the [`Primitive`]
    /// kinds; Nullable and LowCardinality columns of them too). All or nothing.
    pub fn append_slice<T: Primitive>(&mut self, values: &[T]) -> Result<()> {
        let kind = self.ty.base().kind();
        if !T::KINDS.contains(&kind) {
            return Err(Error::new(
                Status::Type,
                format!("column type {} does not take {} values", self.ty, std::any::type_name::<T>()),
            ));
        }
        if cfg!(target_endian = "big") {
            return Err(Error::new(Status::NotSupported, "wire values are little-endian"));
        }
        // SAFETY: T is a plain number type; the bytes are read for the call only.
        let bytes = unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values)) };
        self.append_fixed_raw(bytes, values.len())
    }

    /// `count` values of the column's fixed-width wire layout (`count * fixed_size` bytes), as
    /// `chc_builder_append_fixed`: 16-byte UUIDs in ClickHouse order, Decimal's unscaled
    /// little-endian integers, ... Enum and Bool values are checked by the library.
    pub fn append_fixed_raw(&mut self, data: &[u8], count: usize) -> Result<()> {
        let width = self.ty.base().fixed_size();
        if width == 0 || count.checked_mul(width) != Some(data.len()) {
            return Err(Error::new(
                Status::InvalidArgument,
                format!("{} bytes are not {count} values of column type {}", data.len(), self.ty),
            ));
        }
        // SAFETY: live builder; `data` holds count * width bytes, copied by the library.
        call(|err| unsafe { sys::chc_builder_append_fixed(self.p(), data.as_ptr().cast(), count, err) })
    }

    /// Appends a [`Value`] after checking it against the column type (nothing is appended on a
    /// `Type` error, also for arrays, tuples, maps).
    pub fn append(&mut self, v: &Value) -> Result<()> {
        check(&self.ty, v)?;
        self.append_unchecked(v)
    }

    fn append_unchecked(&mut self, v: &Value) -> Result<()> {
        let ty = self.ty.clone();
        put(Some(self), &ty, v)
    }
}

impl fmt::Debug for Builder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder").field("type", &self.ty).field("rows", &self.row_count()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str) -> DataType {
        DataType::parse(name).unwrap_or_else(|e| panic!("parse {name}: {e}"))
    }

    #[test]
    fn check_applies_ranges_and_kinds() {
        assert!(check(&t("UInt8"), &Value::UInt(255)).is_ok());
        assert_eq!(check(&t("UInt8"), &Value::UInt(256)).map_err(|e| e.status()), Err(Status::Type));
        assert_eq!(check(&t("UInt8"), &Value::Int(-1)).map_err(|e| e.status()), Err(Status::Type));
        assert!(check(&t("Int64"), &Value::Int(i64::MIN)).is_ok());
        assert!(check(&t("Int64"), &Value::UInt(u64::MAX)).is_err());
        assert!(check(&t("UInt64"), &Value::UInt(u64::MAX)).is_ok());
        assert!(check(&t("Int32"), &Value::Float(3.0)).is_ok());
        assert!(check(&t("Int32"), &Value::Float(3.5)).is_err());
        assert!(check(&t("Float32"), &Value::Float(1e300)).is_err());
        assert!(check(&t("Float64"), &Value::Int(5)).is_ok());
        assert!(check(&t("String"), &Value::Null).is_err());
        assert!(check(&t("Nullable(String)"), &Value::Null).is_ok());
        assert!(check(&t("Nullable(String)"), &Value::from("x")).is_ok());
        assert!(check(&t("FixedString(2)"), &Value::from("abc")).is_err());
        assert!(check(&t("FixedString(3)"), &Value::from("abc")).is_ok());
        assert!(check(&t("Date"), &Value::Date(70_000)).is_err());
        assert!(check(&t("Date"), &Value::Date(17_000)).is_ok());
        assert!(check(&t("DateTime"), &Value::DateTime(-1, None)).is_err());
        assert!(check(&t("String"), &Value::Int(1)).is_err());
        let nested = t("Array(Array(Nullable(Int8)))");
        assert!(check(&nested, &Value::array([vec![Some(1i8), None]])).is_ok());
        assert!(check(&nested, &Value::Array(vec![Value::Array(vec![Value::Int(300)])])).is_err());
        assert!(check(&nested, &Value::Int(1)).is_err());
    }
}
