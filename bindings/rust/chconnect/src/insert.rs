use std::fmt;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use crate::client::Response;
use crate::error::{Error, Result, Status};
use crate::sys;
use crate::types::{DataType, Kind};
use crate::util::{call, cstr};
use crate::value::Value;

fn type_error(ty: &DataType, what: &str) -> Error {
    Error::new(Status::Type, format!("{what} does not fit column type {}", ty.name()))
}

/// Checks that `v` can be appended to a column of type `ty`, with the same rules the library
/// applies, so a row is validated whole before any of its values is appended.
fn check(ty: &DataType, v: &Value) -> Result<()> {
    let kind = ty.kind();
    let in_range = |x: i128| kind.int_range().is_some_and(|(lo, hi)| lo <= x && x <= hi);
    match (kind, v) {
        (Kind::Nullable, Value::Null) => Ok(()),
        (Kind::Nullable, v) => check(ty.inner().ok_or_else(|| type_error(ty, "a value"))?, v),
        (_, Value::Null) => Err(type_error(ty, "NULL")),
        (Kind::Float32 | Kind::Float64, Value::Int(_) | Value::UInt(_)) => Ok(()),
        // Integer kinds, Date (days) and DateTime (seconds) take integers in their range.
        (_, Value::Int(_) | Value::UInt(_)) if kind.int_range().is_some() => {
            let x = match *v {
                Value::Int(i) => i128::from(i),
                Value::UInt(u) => i128::from(u),
                _ => 0,
            };
            if in_range(x) {
                Ok(())
            } else {
                Err(type_error(ty, &format!("{x}")))
            }
        }
        (Kind::Float32, Value::Float(f)) if f.is_finite() && f.abs() > f64::from(f32::MAX) => {
            Err(type_error(ty, &format!("{f}")))
        }
        (Kind::Float32 | Kind::Float64, Value::Float(_)) => Ok(()),
        (_, Value::Float(f)) if kind.int_range().is_some() && !matches!(kind, Kind::Date | Kind::DateTime) => {
            // Integral floats are accepted by integer columns (as by the library).
            if f.is_finite() && f.fract() == 0.0 && in_range(*f as i128) {
                Ok(())
            } else {
                Err(type_error(ty, &format!("{f}")))
            }
        }
        (Kind::String, Value::String(_)) => Ok(()),
        (Kind::FixedString, Value::String(b)) if b.len() <= ty.fixed_size() => Ok(()),
        (Kind::FixedString, Value::String(b)) => Err(type_error(ty, &format!("a string of {} bytes", b.len()))),
        (Kind::Date, Value::Date(d)) if in_range((*d).into()) => Ok(()),
        (Kind::DateTime, Value::DateTime(s, _)) if in_range((*s).into()) => Ok(()),
        (Kind::Array, Value::Array(items)) => {
            let elem = ty.inner().ok_or_else(|| type_error(ty, "an array"))?;
            items.iter().try_for_each(|item| check(elem, item))
        }
        (_, v) => Err(type_error(ty, value_kind(v))),
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Int(_) | Value::UInt(_) => "an integer",
        Value::Float(_) => "a float",
        Value::String(_) => "a string",
        Value::Date(_) => "a date",
        Value::DateTime(..) => "a date-time",
        Value::Array(_) => "an array",
    }
}

/// A Native insert in progress (from [`Client::insert`](crate::Client::insert)): append rows,
/// then [`finish`](Insert::finish) sends them in one request. Dropping it unfinished sends
/// nothing. `Send` but not `Sync`.
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

    /// The element builder of an Array column.
    pub fn child(&mut self) -> Result<Builder<'_>> {
        let ty = match (self.ty.kind(), self.ty.inner()) {
            (Kind::Array, Some(t)) => t.clone(),
            _ => return Err(Error::new(Status::Type, format!("column type {} has no element builder", self.ty))),
        };
        // SAFETY: live builder; the child is borrowed as long as the parent (tied to &mut self).
        let raw = NonNull::new(unsafe { sys::chc_builder_child(self.p(), 0) })
            .ok_or_else(|| Error::new(Status::Internal, "the library returned no element builder"))?;
        Ok(Builder { raw, ty, _insert: PhantomData })
    }

    /// Appends a [`Value`] after checking it against the column type (nothing is appended on a
    /// `Type` error, also for arrays).
    pub fn append(&mut self, v: &Value) -> Result<()> {
        check(&self.ty, v)?;
        self.append_unchecked(v)
    }

    fn append_unchecked(&mut self, v: &Value) -> Result<()> {
        let kind = match (self.ty.kind(), self.ty.inner()) {
            (Kind::Nullable, Some(inner)) => inner.kind(),
            (k, _) => k,
        };
        let float_col = matches!(kind, Kind::Float32 | Kind::Float64);
        match v {
            Value::Null => self.append_null(),
            // The library takes only floats into Float columns; integers are converted here.
            Value::Int(i) if float_col => self.append_f64(*i as f64),
            Value::UInt(u) if float_col => self.append_f64(*u as f64),
            Value::Int(i) => self.append_i64(*i),
            Value::UInt(u) => self.append_u64(*u),
            Value::Float(f) => self.append_f64(*f),
            Value::String(b) => self.append_bytes(b),
            Value::Date(d) => self.append_i64((*d).into()),
            Value::DateTime(s, _) => self.append_i64(*s),
            Value::Array(items) => {
                let mut child = self.child()?;
                for item in items {
                    child.append_unchecked(item)?;
                }
                self.end_array()
            }
        }
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
