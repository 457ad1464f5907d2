//! Safe Rust API for ClickHouse over HTTP and the Native format, on top of libchconnect (the C
//! library; raw bindings in `chconnect-sys`).
//!
//! ```no_run
//! use chconnect::{Client, Value};
//!
//! # fn main() -> chconnect::Result<()> {
//! let client = Client::open("http://default:password@127.0.0.1:8123/default")?;
//! for block in client.query("SELECT number, toString(number) FROM system.numbers LIMIT 3")? {
//!     let block = block?;
//!     let (n, s) = (block.column(0)?, block.column(1)?);
//!     for row in 0..block.row_count() {
//!         println!("{} {}", n.u64(row)?, s.str(row)?);
//!     }
//! }
//! let mut insert = client.insert("t", &["id", "name"])?;
//! insert.append_row(&[Value::from(1u32), Value::from("one")])?;
//! insert.finish()?;
//! # Ok(())
//! # }
//! ```
//!
//! Ownership: every handle is freed by `Drop`; the C library reference-counts parents, so a
//! `Column` stays valid after its `Block` and `Rows` are dropped. Threads: a [`Client`] is
//! `Send + Sync` and cheap to clone (one shared connection pool); [`Rows`], [`Block`],
//! [`Column`], [`Insert`], [`RawResult`] and [`Response`] are `Send` but not `Sync`, as the C
//! contract says ([`RawCancel`] cancels a [`RawResult`] from another thread). A
//! [`CancelSwitch`] attached to a [`Query`] stops the requests made with it from any thread,
//! also while they still wait for the server's response.

mod cancel;
mod client;
mod error;
mod insert;
mod raw;
mod rows;
mod scalar;
mod types;
mod util;
mod value;

pub use cancel::CancelSwitch;
pub use chconnect_sys as sys;
pub use client::{Client, Query, Response};
pub use error::{Error, Result, Status};
pub use insert::{Builder, Insert};
pub use raw::{RawCancel, RawResult};
pub use rows::{Block, Column, Primitive, Rows};
pub use scalar::{Decimal, ParseError, Uuid, I256, U256};
pub use types::{DataType, Kind};
pub use value::Value;

/// Version of the loaded libchconnect ("MAJOR.MINOR.PATCH").
pub fn library_version() -> String {
    // SAFETY: chc_version returns a static NUL-terminated string.
    unsafe { util::cstr(sys::chc_version()) }.into_owned()
}

/// True when the loaded libchconnect has the ABI these bindings were generated for.
pub fn abi_compatible() -> bool {
    // SAFETY: no arguments, thread-safe.
    unsafe { sys::chc_abi_version() == sys::CHC_ABI_VERSION }
}

/// Compile-time checks that result handles are not `Sync` (the C contract: one thread at a
/// time).
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<chconnect::Rows>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<chconnect::Block>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<chconnect::Column>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<chconnect::Insert>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<chconnect::RawResult>();
/// ```
#[doc(hidden)]
pub mod not_sync {}
