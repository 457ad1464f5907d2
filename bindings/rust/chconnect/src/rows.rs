use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::iter::FusedIterator;
use std::ptr::{self, NonNull};
use std::sync::Arc;

use crate::error::{Error, Result, Status};
use crate::scalar::{Decimal, Uuid, I256, U256};
use crate::sys;
use crate::types::{DataType, Kind};
use crate::util::{call, cstr, cstring, slice};
use crate::value::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

fn protocol(msg: &str) -> Error {
    Error::new(Status::Protocol, msg)
}

/// The streamed result of [`Client::query`](crate::Client::query): an iterator of blocks.
/// Dropping it before the end aborts the transfer; blocks already taken stay valid.
/// `Send` but not `Sync` (one thread at a time).
pub struct Rows {
    raw: NonNull<sys::chc_result>,
    done: bool,
}

// SAFETY: chconnect.h: a result may move between threads, never be used concurrently (no Sync).
unsafe impl Send for Rows {}

impl Rows {
    pub(crate) fn from_raw(raw: NonNull<sys::chc_result>) -> Rows {
        Rows { raw, done: false }
    }

    /// The next block, `Ok(None)` at the end. After an error it keeps returning `Ok(None)`
    /// (the error itself is reported once; a partial result never looks complete before it).
    pub fn next_block(&mut self) -> Result<Option<Block>> {
        if self.done {
            return Ok(None);
        }
        let mut out: *mut sys::chc_block = ptr::null_mut();
        // SAFETY: live result owned by this thread; on success *out is an owned block or NULL.
        let res = call(|err| unsafe { sys::chc_result_next(self.raw.as_ptr(), &mut out, err) });
        match res {
            Err(e) => {
                self.done = true;
                Err(e)
            }
            Ok(()) => match NonNull::new(out) {
                None => {
                    self.done = true;
                    Ok(None)
                }
                Some(raw) => Ok(Some(Block { raw })),
            },
        }
    }

    /// Query id of the request ("" if the server did not say and none was set).
    pub fn query_id(&self) -> Cow<'_, str> {
        // SAFETY: borrowed until the result is freed.
        unsafe { cstr(sys::chc_result_query_id(self.raw.as_ptr())) }
    }

    /// One numeric field of X-ClickHouse-Summary; `None` if the server did not send it.
    pub fn summary(&self, field: &str) -> Option<i64> {
        let f = cstring(field, "summary field").ok()?;
        let mut out = 0i64;
        // SAFETY: live result, valid C string and out pointer.
        call(|err| unsafe { sys::chc_result_summary(self.raw.as_ptr(), f.as_ptr(), &mut out, err) }).ok()?;
        Some(out)
    }

    /// Reads the whole result into rows of values.
    pub fn into_values(mut self) -> Result<Vec<Vec<Value>>> {
        let mut rows = Vec::new();
        while let Some(block) = self.next_block()? {
            rows.extend(block.to_rows()?);
        }
        Ok(rows)
    }
}

impl Iterator for Rows {
    type Item = Result<Block>;

    fn next(&mut self) -> Option<Result<Block>> {
        self.next_block().transpose()
    }
}

impl FusedIterator for Rows {}

impl fmt::Debug for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rows").field("query_id", &self.query_id()).field("done", &self.done).finish()
    }
}

impl Drop for Rows {
    fn drop(&mut self) {
        // SAFETY: owned, freed once; aborts an unfinished transfer.
        unsafe { sys::chc_result_free(self.raw.as_ptr()) }
    }
}

/// One block of a result: columns of equal length. `Send` but not `Sync`.
pub struct Block {
    raw: NonNull<sys::chc_block>,
}

// SAFETY: handles may move between threads; the block's memory is refcounted by the library.
unsafe impl Send for Block {}

impl Block {
    pub fn column_count(&self) -> usize {
        // SAFETY: live block.
        unsafe { sys::chc_block_column_count(self.raw.as_ptr()) }
    }

    pub fn row_count(&self) -> usize {
        // SAFETY: live block.
        unsafe { sys::chc_block_row_count(self.raw.as_ptr()) }
    }

    /// Column `i`; it stays valid after the block is dropped.
    pub fn column(&self, i: usize) -> Result<Column> {
        let mut out: *mut sys::chc_column = ptr::null_mut();
        // SAFETY: live block; the library checks `i`; on success we own *out.
        call(|err| unsafe { sys::chc_block_column(self.raw.as_ptr(), i, &mut out, err) })?;
        Column::from_raw(out)
    }

    pub fn columns(&self) -> Result<Vec<Column>> {
        (0..self.column_count()).map(|i| self.column(i)).collect()
    }

    /// The first column called `name`; `NotFound` if there is none.
    pub fn column_by_name(&self, name: &str) -> Result<Column> {
        for i in 0..self.column_count() {
            let col = self.column(i)?;
            if col.name() == name {
                return Ok(col);
            }
        }
        Err(Error::new(Status::NotFound, format!("no column named {name:?} in the block")))
    }

    pub fn column_names(&self) -> Result<Vec<String>> {
        self.columns().map(|cols| cols.iter().map(|c| c.name().into_owned()).collect())
    }

    /// Row `row` as values, one per column.
    pub fn row(&self, row: usize) -> Result<Vec<Value>> {
        self.columns()?.iter().map(|c| c.value(row)).collect()
    }

    /// Every row of the block as values (decoded column by column).
    pub fn to_rows(&self) -> Result<Vec<Vec<Value>>> {
        let n = self.row_count();
        let mut rows: Vec<Vec<Value>> = (0..n).map(|_| Vec::with_capacity(self.column_count())).collect();
        for col in self.columns()? {
            let values = col.values()?;
            if values.len() != n {
                return Err(protocol("column length differs from the block's row count"));
            }
            for (row, v) in rows.iter_mut().zip(values) {
                row.push(v);
            }
        }
        Ok(rows)
    }
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Block").field("columns", &self.column_count()).field("rows", &self.row_count()).finish()
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        // SAFETY: owned, freed once; its columns keep the memory alive.
        unsafe { sys::chc_block_free(self.raw.as_ptr()) }
    }
}

mod private {
    pub trait Sealed {}
}

/// Fixed-width element types readable as a zero-copy slice with [`Column::as_slice`].
pub trait Primitive: private::Sealed + Copy + 'static {
    /// Column kinds whose values have exactly this representation.
    const KINDS: &'static [Kind];
}

macro_rules! primitive {
    ($($t:ty => [$($k:ident),*]),*) => {$(
        impl private::Sealed for $t {}
        impl Primitive for $t {
            const KINDS: &'static [Kind] = &[$(Kind::$k),*];
        }
    )*};
}
primitive!(
    i8 => [Int8, Enum8], i16 => [Int16, Enum16], i32 => [Int32, Date32, Time],
    i64 => [Int64, DateTime64, Time64, Interval],
    u8 => [UInt8, Bool], u16 => [UInt16, Date, BFloat16], u32 => [UInt32, DateTime, Ipv4], u64 => [UInt64],
    f32 => [Float32], f64 => [Float64], i128 => [Int128], u128 => [UInt128]
);

/// One column of a block (or a child column: the inner column of Nullable, the elements of
/// Array). Its buffers are borrowed from the library for as long as the `Column` lives.
/// `Send` but not `Sync`.
pub struct Column {
    raw: NonNull<sys::chc_column>,
    data_type: OnceCell<DataType>,
    tz: OnceCell<Option<Arc<str>>>,
}

// SAFETY: handles may move between threads; the block memory is refcounted by the library.
// Not Sync: chconnect.h allows one thread at a time (and OnceCell is not Sync anyway).
unsafe impl Send for Column {}

impl Column {
    pub(crate) fn from_raw(raw: *mut sys::chc_column) -> Result<Column> {
        NonNull::new(raw)
            .map(|raw| Column { raw, data_type: OnceCell::new(), tz: OnceCell::new() })
            .ok_or_else(|| Error::new(Status::Internal, "the library returned no column"))
    }

    fn ptr(&self) -> *const sys::chc_column {
        self.raw.as_ptr()
    }

    /// Column name; "" for child columns.
    pub fn name(&self) -> Cow<'_, str> {
        // SAFETY: borrowed until the column handle is freed.
        unsafe { cstr(sys::chc_column_name(self.ptr())) }
    }

    /// Type name as the server prints it, e.g. `Nullable(String)`.
    pub fn type_name(&self) -> Cow<'_, str> {
        // SAFETY: the type is borrowed until the column handle is freed.
        unsafe { cstr(sys::chc_type_name(sys::chc_column_type(self.ptr()))) }
    }

    pub fn kind(&self) -> Kind {
        // SAFETY: as above; NULL gives kind 0 (Other).
        Kind::from_raw(unsafe { sys::chc_type_get_kind(sys::chc_column_type(self.ptr())) })
    }

    /// The full type (kind, name, size, time zone, children), copied once and cached.
    pub fn data_type(&self) -> Result<&DataType> {
        if let Some(t) = self.data_type.get() {
            return Ok(t);
        }
        // SAFETY: the type is borrowed for the call and copied.
        let t = unsafe { DataType::from_raw(sys::chc_column_type(self.ptr())) }?;
        Ok(self.data_type.get_or_init(|| t))
    }

    /// Number of rows (for an Array's element child: the number of elements).
    pub fn row_count(&self) -> usize {
        // SAFETY: live column.
        unsafe { sys::chc_column_row_count(self.ptr()) }
    }

    pub fn is_nullable(&self) -> bool {
        self.kind() == Kind::Nullable
    }

    /// Raw value bytes: `row_count * fixed_size` little-endian bytes for fixed-width kinds, the
    /// concatenated strings for String; empty for other kinds.
    pub fn data(&self) -> &[u8] {
        let mut len = 0usize;
        // SAFETY: borrowed until the column handle is freed (tied to &self).
        unsafe { slice(sys::chc_column_data(self.ptr(), &mut len).cast::<u8>(), len) }
    }

    /// `row_count + 1` offsets for String (into [`data`](Self::data)) and Array (into the
    /// child's elements); empty for other kinds.
    pub fn offsets(&self) -> &[i64] {
        let mut count = 0usize;
        // SAFETY: borrowed until the column handle is freed.
        unsafe { slice(sys::chc_column_offsets(self.ptr(), &mut count), count) }
    }

    /// `row_count` bytes, 1 = NULL, for Nullable columns; `None` otherwise.
    pub fn null_map(&self) -> Option<&[u8]> {
        // SAFETY: the map holds row_count bytes, borrowed until the column handle is freed.
        let p = unsafe { sys::chc_column_null_map(self.ptr()) };
        if p.is_null() {
            None
        } else {
            Some(unsafe { slice(p, self.row_count()) })
        }
    }

    /// LowCardinality: bytes per index in [`data`](Self::data) (1, 2, 4 or 8); 0 otherwise.
    pub fn index_width(&self) -> usize {
        // SAFETY: live column.
        unsafe { sys::chc_column_index_width(self.ptr()) }
    }

    /// Variant / Dynamic: the alternative (child index, 255 for NULL) and the row within it.
    pub fn variant_row(&self, row: usize) -> Result<(u32, usize)> {
        let (mut disc, mut member) = (0u32, 0usize);
        // SAFETY: live column; the library checks the row and the kind.
        call(|err| unsafe { sys::chc_column_variant_row(self.ptr(), row, &mut disc, &mut member, err) })?;
        Ok((disc, member))
    }

    pub fn child_count(&self) -> usize {
        // SAFETY: live column.
        unsafe { sys::chc_column_child_count(self.ptr()) }
    }

    /// Child column `i`: the inner column of Nullable (placeholder values at NULL rows), the
    /// element column of Array.
    pub fn child(&self, i: usize) -> Result<Column> {
        let mut out: *mut sys::chc_column = ptr::null_mut();
        // SAFETY: live column; the library checks `i`; on success we own *out.
        call(|err| unsafe { sys::chc_column_child(self.ptr(), i, &mut out, err) })?;
        Column::from_raw(out)
    }

    /// True when row `row` is NULL (false for non-Nullable columns and rows out of range).
    pub fn is_null(&self, row: usize) -> bool {
        // SAFETY: live column; the library range-checks `row`.
        row < self.row_count() && unsafe { sys::chc_column_is_null(self.ptr(), row) } != 0
    }

    /// Integer value (Int*, UInt* up to i64::MAX, Date days, DateTime seconds).
    pub fn i64(&self, row: usize) -> Result<i64> {
        let mut out = 0i64;
        // SAFETY: live column; the library range-checks `row`.
        call(|err| unsafe { sys::chc_column_get_int64(self.ptr(), row, &mut out, err) })?;
        Ok(out)
    }

    /// Unsigned value (UInt*, Date, DateTime, non-negative Int*).
    pub fn u64(&self, row: usize) -> Result<u64> {
        let mut out = 0u64;
        // SAFETY: as above.
        call(|err| unsafe { sys::chc_column_get_uint64(self.ptr(), row, &mut out, err) })?;
        Ok(out)
    }

    /// Float value (Float32, Float64 and every integer kind).
    pub fn f64(&self, row: usize) -> Result<f64> {
        let mut out = 0f64;
        // SAFETY: as above.
        call(|err| unsafe { sys::chc_column_get_double(self.ptr(), row, &mut out, err) })?;
        Ok(out)
    }

    /// String / FixedString bytes, borrowed from the column.
    pub fn bytes(&self, row: usize) -> Result<&[u8]> {
        let mut data: *const std::os::raw::c_char = ptr::null();
        let mut len = 0usize;
        // SAFETY: as above; the bytes are borrowed until the column handle is freed.
        call(|err| unsafe { sys::chc_column_get_string(self.ptr(), row, &mut data, &mut len, err) })?;
        Ok(unsafe { slice(data.cast::<u8>(), len) })
    }

    /// String / FixedString as UTF-8 (`Type` error if the bytes are not UTF-8).
    pub fn str(&self, row: usize) -> Result<&str> {
        std::str::from_utf8(self.bytes(row)?)
            .map_err(|_| Error::new(Status::Type, format!("value at row {row} is not valid UTF-8")))
    }

    /// The values of a fixed-width column as a typed slice, without copying: `i32` for Int32,
    /// `u16` for Date, `u32` for DateTime, `f64` for Float64, ... `Type` error for another kind.
    pub fn as_slice<T: Primitive>(&self) -> Result<&[T]> {
        let kind = self.kind();
        if !T::KINDS.contains(&kind) {
            return Err(Error::new(
                Status::Type,
                format!("column of type {} is not a slice of {}", self.type_name(), std::any::type_name::<T>()),
            ));
        }
        if cfg!(target_endian = "big") {
            return Err(Error::new(Status::NotSupported, "column buffers are little-endian"));
        }
        let data = self.data();
        let size = std::mem::size_of::<T>();
        if self.row_count().checked_mul(size) != Some(data.len()) {
            return Err(protocol("column buffer size does not match its row count"));
        }
        if data.is_empty() {
            return Ok(&[]);
        }
        if data.as_ptr().align_offset(std::mem::align_of::<T>()) != 0 {
            return Err(Error::new(Status::NotSupported, "column buffer is not aligned for a typed slice"));
        }
        // SAFETY: length and alignment checked; every bit pattern is valid for these types; the
        // buffer is borrowed for as long as &self.
        Ok(unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<T>(), data.len() / size) })
    }

    /// Row `row` as a [`Value`] (recursing into Nullable and Array).
    pub fn value(&self, row: usize) -> Result<Value> {
        if row >= self.row_count() {
            return Err(Error::new(
                Status::InvalidArgument,
                format!("row {row} out of range (column has {} rows)", self.row_count()),
            ));
        }
        let mut out = Vec::with_capacity(1);
        decode(self, self.data_type()?, row, row + 1, &mut out)?;
        out.pop().ok_or_else(|| Error::new(Status::Internal, "no value decoded"))
    }

    /// Every row as a [`Value`].
    pub fn values(&self) -> Result<Vec<Value>> {
        let n = self.row_count();
        let mut out = Vec::with_capacity(n);
        decode(self, self.data_type()?, 0, n, &mut out)?;
        Ok(out)
    }

    fn typed<T>(&self, row: usize, what: &str, f: impl FnOnce(&Value) -> Option<T>) -> Result<T> {
        let v = self.value(row)?;
        f(&v).ok_or_else(|| {
            Error::new(Status::Type, format!("value at row {row} of column type {} is not {what}", self.type_name()))
        })
    }

    /// Any integer column (up to Int128/UInt128, Int256/UInt256 when the value fits).
    pub fn i128(&self, row: usize) -> Result<i128> {
        self.typed(row, "an i128", Value::as_i128)
    }

    /// Any non-negative integer value that fits u128.
    pub fn u128(&self, row: usize) -> Result<u128> {
        self.typed(row, "a u128", Value::as_u128)
    }

    /// Bool columns.
    pub fn bool(&self, row: usize) -> Result<bool> {
        self.typed(row, "a Bool", Value::as_bool)
    }

    /// Decimal columns, exact.
    pub fn decimal(&self, row: usize) -> Result<crate::Decimal> {
        self.typed(row, "a Decimal", Value::as_decimal)
    }

    /// UUID columns (RFC byte order).
    pub fn uuid(&self, row: usize) -> Result<crate::Uuid> {
        self.typed(row, "a UUID", Value::as_uuid)
    }

    /// IPv4 / IPv6 columns.
    pub fn ip(&self, row: usize) -> Result<std::net::IpAddr> {
        self.typed(row, "an IP address", Value::as_ip)
    }

    fn timezone(&self, ty: &DataType) -> Option<Arc<str>> {
        self.tz.get_or_init(|| ty.timezone().map(Arc::from)).clone()
    }
}

impl fmt::Debug for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Column")
            .field("name", &self.name())
            .field("type", &self.type_name())
            .field("rows", &self.row_count())
            .finish()
    }
}

impl Drop for Column {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { sys::chc_column_free(self.raw.as_ptr()) }
    }
}

/// `N` bytes of value `row` in a fixed-width buffer.
fn fixed<const N: usize>(data: &[u8], row: usize) -> Result<[u8; N]> {
    row.checked_mul(N)
        .and_then(|start| data.get(start..start.checked_add(N)?))
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| protocol("column data is shorter than its row count"))
}

/// Offsets `[start, end]` of a String/Array column as a checked element range.
fn offset_range(offsets: &[i64], row: usize, limit: usize) -> Result<(usize, usize)> {
    let get = |i: usize| {
        offsets.get(i).and_then(|&o| usize::try_from(o).ok()).ok_or_else(|| protocol("offsets are missing or negative"))
    };
    let (a, b) = (get(row)?, get(row + 1)?);
    if a > b || b > limit {
        return Err(protocol("offsets are out of order or out of range"));
    }
    Ok((a, b))
}

/// Appends the values of rows `start..end` of `col` (of type `ty`) to `out`. Reads the documented
/// buffers directly: one FFI call per column, not per value.
fn decode(col: &Column, ty: &DataType, start: usize, end: usize, out: &mut Vec<Value>) -> Result<()> {
    macro_rules! each {
        (|$row:ident| $e:expr) => {{
            for $row in start..end {
                out.push($e);
            }
            Ok(())
        }};
    }
    let data = col.data();
    match ty.kind() {
        Kind::Int8 => each!(|r| Value::Int(i8::from_le_bytes(fixed(data, r)?).into())),
        Kind::Int16 => each!(|r| Value::Int(i16::from_le_bytes(fixed(data, r)?).into())),
        Kind::Int32 => each!(|r| Value::Int(i32::from_le_bytes(fixed(data, r)?).into())),
        Kind::Int64 => each!(|r| Value::Int(i64::from_le_bytes(fixed(data, r)?))),
        Kind::UInt8 => each!(|r| Value::UInt(u8::from_le_bytes(fixed(data, r)?).into())),
        Kind::UInt16 => each!(|r| Value::UInt(u16::from_le_bytes(fixed(data, r)?).into())),
        Kind::UInt32 => each!(|r| Value::UInt(u32::from_le_bytes(fixed(data, r)?).into())),
        Kind::UInt64 => each!(|r| Value::UInt(u64::from_le_bytes(fixed(data, r)?))),
        Kind::Float32 => each!(|r| Value::Float(f32::from_le_bytes(fixed(data, r)?).into())),
        Kind::Float64 => each!(|r| Value::Float(f64::from_le_bytes(fixed(data, r)?))),
        Kind::Date => each!(|r| Value::Date(u16::from_le_bytes(fixed(data, r)?).into())),
        Kind::DateTime => {
            let tz = col.timezone(ty);
            each!(|r| Value::DateTime(u32::from_le_bytes(fixed(data, r)?).into(), tz.clone()))
        }
        Kind::String => {
            let offsets = col.offsets();
            each!(|r| {
                let (a, b) = offset_range(offsets, r, data.len())?;
                Value::String(data[a..b].to_vec())
            })
        }
        Kind::FixedString => {
            let n = ty.fixed_size();
            each!(|r| {
                let bytes = r
                    .checked_mul(n)
                    .and_then(|s| data.get(s..s.checked_add(n)?))
                    .ok_or_else(|| protocol("column data is shorter than its row count"))?;
                Value::String(bytes.to_vec())
            })
        }
        Kind::Nullable => {
            let inner_ty = ty.inner().ok_or_else(|| protocol("Nullable without an inner type"))?;
            let inner = col.child(0)?;
            let first = out.len();
            decode(&inner, inner_ty, start, end, out)?;
            let nulls = col.null_map().unwrap_or(&[]);
            for (slot, row) in out[first..].iter_mut().zip(start..end) {
                if nulls.get(row).copied().unwrap_or(0) != 0 {
                    *slot = Value::Null;
                }
            }
            Ok(())
        }
        Kind::Array => {
            let elem_ty = ty.inner().ok_or_else(|| protocol("Array without an element type"))?;
            let elems = col.child(0)?;
            let offsets = col.offsets();
            let limit = elems.row_count();
            let (first, last) = if start < end {
                (offset_range(offsets, start, limit)?.0, offset_range(offsets, end - 1, limit)?.1)
            } else {
                (0, 0)
            };
            let mut flat = Vec::with_capacity(last - first);
            decode(&elems, elem_ty, first, last, &mut flat)?;
            let mut flat = flat.into_iter();
            for r in start..end {
                let (a, b) = offset_range(offsets, r, limit)?;
                out.push(Value::Array(flat.by_ref().take(b - a).collect()));
            }
            Ok(())
        }
        Kind::Int128 => each!(|r| Value::I128(i128::from_le_bytes(fixed(data, r)?))),
        Kind::UInt128 => each!(|r| Value::U128(u128::from_le_bytes(fixed(data, r)?))),
        Kind::Int256 => each!(|r| Value::I256(I256(fixed(data, r)?))),
        Kind::UInt256 => each!(|r| Value::U256(U256(fixed(data, r)?))),
        Kind::BFloat16 => {
            each!(|r| Value::Float(f32::from_bits(u32::from(u16::from_le_bytes(fixed(data, r)?)) << 16).into()))
        }
        Kind::Bool => each!(|r| Value::Bool(u8::from_le_bytes(fixed(data, r)?) != 0)),
        Kind::Decimal => {
            let scale = ty.scale();
            let width = if ty.fixed_size() != 0 { ty.fixed_size() } else { decimal_width(ty.precision()) };
            each!(|r| {
                let bytes = r
                    .checked_mul(width)
                    .and_then(|s| data.get(s..s.checked_add(width)?))
                    .filter(|b| matches!(b.len(), 4 | 8 | 16 | 32))
                    .ok_or_else(|| protocol("Decimal data is shorter than its row count"))?;
                // Sign-extend the little-endian value to 256 bits.
                let fill = if bytes[bytes.len() - 1] & 0x80 != 0 { 0xff } else { 0 };
                let mut wide = [fill; 32];
                wide[..bytes.len()].copy_from_slice(bytes);
                Value::Decimal(Decimal { unscaled: I256(wide), scale })
            })
        }
        Kind::Date32 => each!(|r| Value::Date32(i32::from_le_bytes(fixed(data, r)?))),
        Kind::DateTime64 => {
            let tz = col.timezone(ty);
            let precision = ty.precision();
            each!(|r| Value::DateTime64 { ticks: i64::from_le_bytes(fixed(data, r)?), precision, tz: tz.clone() })
        }
        Kind::Time => each!(|r| Value::Time(i32::from_le_bytes(fixed(data, r)?))),
        Kind::Time64 => {
            let precision = ty.precision();
            each!(|r| Value::Time64 { ticks: i64::from_le_bytes(fixed(data, r)?), precision })
        }
        Kind::Uuid => each!(|r| Value::Uuid(Uuid::from_clickhouse(fixed(data, r)?))),
        Kind::Ipv4 => each!(|r| Value::Ipv4(Ipv4Addr::from(u32::from_le_bytes(fixed(data, r)?)))),
        Kind::Ipv6 => each!(|r| Value::Ipv6(Ipv6Addr::from(fixed::<16>(data, r)?))),
        Kind::Enum8 | Kind::Enum16 => {
            let names: Vec<(i16, Arc<str>)> =
                ty.enum_entries().iter().map(|(n, v)| (*v as i16, Arc::from(n.as_str()))).collect();
            each!(|r| {
                let value = if ty.kind() == Kind::Enum8 {
                    i16::from(i8::from_le_bytes(fixed(data, r)?))
                } else {
                    i16::from_le_bytes(fixed(data, r)?)
                };
                let name = names
                    .iter()
                    .find(|(v, _)| *v == value)
                    .map(|(_, n)| n.clone())
                    .ok_or_else(|| protocol("Enum value without a name in the type"))?;
                Value::Enum { name, value }
            })
        }
        Kind::Interval => {
            let unit: Arc<str> = Arc::from(ty.unit());
            each!(|r| Value::Interval { count: i64::from_le_bytes(fixed(data, r)?), unit: unit.clone() })
        }
        Kind::Nothing => each!(|_r| Value::Null),
        Kind::Json => {
            let offsets = col.offsets();
            each!(|r| {
                let (a, b) = offset_range(offsets, r, data.len())?;
                Value::Json(String::from_utf8_lossy(&data[a..b]).into_owned())
            })
        }
        Kind::Tuple => {
            let n = col.child_count();
            if n != ty.children().len() {
                return Err(protocol("Tuple column and type differ in element count"));
            }
            let mut columns: Vec<std::vec::IntoIter<Value>> = Vec::with_capacity(n);
            for (i, elem_ty) in ty.children().iter().enumerate() {
                let mut vals = Vec::with_capacity(end - start);
                decode(&col.child(i)?, elem_ty, start, end, &mut vals)?;
                if vals.len() != end - start {
                    return Err(protocol("Tuple element column is too short"));
                }
                columns.push(vals.into_iter());
            }
            each!(|_r| Value::Tuple(columns.iter_mut().map(|c| c.next().unwrap_or(Value::Null)).collect()))
        }
        Kind::Map => {
            let entry_ty = ty.inner().ok_or_else(|| protocol("Map without an entry type"))?;
            let entries = col.child(0)?;
            let offsets = col.offsets();
            let limit = entries.row_count();
            let (first, last) = if start < end {
                (offset_range(offsets, start, limit)?.0, offset_range(offsets, end - 1, limit)?.1)
            } else {
                (0, 0)
            };
            let mut flat = Vec::with_capacity(last - first);
            decode(&entries, entry_ty, first, last, &mut flat)?;
            let mut flat = flat.into_iter();
            for r in start..end {
                let (a, b) = offset_range(offsets, r, limit)?;
                let mut pairs = Vec::with_capacity(b - a);
                for entry in flat.by_ref().take(b - a) {
                    match entry {
                        Value::Tuple(kv) if kv.len() == 2 => {
                            let mut kv = kv.into_iter();
                            pairs.push((kv.next().unwrap_or(Value::Null), kv.next().unwrap_or(Value::Null)));
                        }
                        _ => return Err(protocol("Map entries are not key/value tuples")),
                    }
                }
                out.push(Value::Map(pairs));
            }
            Ok(())
        }
        Kind::LowCardinality => {
            let dict = col.child(0)?;
            let dict_ty = dict.data_type()?.clone();
            let width = col.index_width();
            let nulls = col.null_map();
            let index = |r: usize| -> Result<usize> {
                let b = r
                    .checked_mul(width)
                    .and_then(|s| data.get(s..s.checked_add(width)?))
                    .ok_or_else(|| protocol("LowCardinality indexes are shorter than the row count"))?;
                let mut le = [0u8; 8];
                le.get_mut(..b.len()).ok_or_else(|| protocol("bad LowCardinality index width"))?.copy_from_slice(b);
                usize::try_from(u64::from_le_bytes(le)).map_err(|_| protocol("LowCardinality index out of range"))
            };
            if width == 0 && start < end {
                return Err(protocol("LowCardinality column without indexes"));
            }
            // Small reads decode only the entries they use; large ones the whole dictionary once.
            let whole = if end - start >= dict.row_count() {
                let mut d = Vec::with_capacity(dict.row_count());
                decode(&dict, &dict_ty, 0, dict.row_count(), &mut d)?;
                Some(d)
            } else {
                None
            };
            for r in start..end {
                if nulls.is_some_and(|n| n.get(r).copied().unwrap_or(0) != 0) {
                    out.push(Value::Null);
                    continue;
                }
                let i = index(r)?;
                if i >= dict.row_count() {
                    return Err(protocol("LowCardinality index out of range"));
                }
                match &whole {
                    Some(d) => out.push(d[i].clone()),
                    None => decode(&dict, &dict_ty, i, i + 1, out)?,
                }
            }
            Ok(())
        }
        Kind::Variant | Kind::Dynamic => {
            let mut alternatives: Vec<Option<(Column, DataType)>> = (0..col.child_count()).map(|_| None).collect();
            for r in start..end {
                let (disc, member) = col.variant_row(r)?;
                if disc == 255 {
                    out.push(Value::Null);
                    continue;
                }
                let slot = alternatives
                    .get_mut(disc as usize)
                    .ok_or_else(|| protocol("Variant discriminator without an alternative"))?;
                if slot.is_none() {
                    let c = col.child(disc as usize)?;
                    let t = c.data_type()?.clone();
                    *slot = Some((c, t));
                }
                let (c, t) = slot.as_ref().ok_or_else(|| protocol("missing alternative"))?;
                if ty.kind() == Kind::Dynamic && c.name() == "SharedVariant" {
                    return Err(Error::new(
                        Status::NotSupported,
                        format!(
                            "row {r} of a Dynamic column holds a value of an overflow type (SharedVariant); \
                             reading it is not supported (read the column as String with toString())"
                        ),
                    ));
                }
                decode(c, t, member, member + 1, out)?;
            }
            Ok(())
        }
        Kind::Other(_) => {
            Err(Error::new(Status::NotSupported, format!("reading values of type {} is not supported", ty.name())))
        }
    }
}

/// Bytes of a Decimal of precision `p` (when the library gives no fixed size).
fn decimal_width(p: u32) -> usize {
    match p {
        0..=9 => 4,
        10..=18 => 8,
        19..=38 => 16,
        _ => 32,
    }
}
