//! A query's response body as bytes, read incrementally ([`Client::query_raw`](crate::Client::query_raw)).

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, Result, Status};
use crate::sys;
use crate::util::{call, cstr};

/// The handle as the cancel side sees it: NULL once the result is freed. The lock makes
/// `chc_raw_result_cancel` (any thread) never race `chc_raw_result_free`; reads do not take it,
/// so a cancel does not wait for a blocked read.
struct Shared(Mutex<*mut sys::chc_raw_result>);

// SAFETY: the pointer is only used for chc_raw_result_cancel (any thread, any time, per
// chconnect.h) and chc_raw_result_free, both under the lock.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, *mut sys::chc_raw_result> {
        // Nothing panics while holding the lock; recover from poisoning anyway.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cancel(&self) {
        let h = self.lock();
        if !h.is_null() {
            // SAFETY: live handle (free takes the same lock); cancel is thread-safe.
            unsafe { sys::chc_raw_result_cancel(*h) }
        }
    }
}

/// The response body of [`Client::query_raw`](crate::Client::query_raw), in whatever format the
/// SQL named (CSV, TabSeparated, JSONEachRow, Parquet, Native, ...), read from the network as it
/// is consumed; memory is bounded by a few hundred KiB whatever the size of the answer.
///
/// It implements [`std::io::Read`]: `Ok(0)` is the end of the body (and so is every later read).
/// A failure is an [`io::Error`] wrapping this crate's [`Error`] (get it back with
/// [`Error::from_io`], or `into_inner` and `downcast`); every later read fails the same way. A
/// ClickHouse exception the server writes into the body after it started (a query failing
/// mid-stream) is such an error with [`Status::Server`] and the exception's code, never data.
///
/// Dropping it before the end aborts the transfer (the connection is closed, not reused); the
/// client stays usable. `Send` but not `Sync`: one thread reads; [`cancel_handle`](Self::cancel_handle)
/// gives a handle that cancels from any thread.
pub struct RawResult {
    raw: NonNull<sys::chc_raw_result>,
    shared: Arc<Shared>,
}

// SAFETY: chconnect.h: a raw result may move between threads (used by one at a time: no Sync).
unsafe impl Send for RawResult {}

impl RawResult {
    /// Takes ownership of a raw result handle.
    pub(crate) fn from_raw(raw: NonNull<sys::chc_raw_result>) -> RawResult {
        RawResult { raw, shared: Arc::new(Shared(Mutex::new(raw.as_ptr()))) }
    }

    /// Query id of the request (the server's `X-ClickHouse-Query-Id`, else the one sent).
    pub fn query_id(&self) -> Cow<'_, str> {
        // SAFETY: borrowed until the raw result is freed, which `&self` prevents.
        unsafe { cstr(sys::chc_raw_result_query_id(self.raw.as_ptr())) }
    }

    /// Reads up to `buf.len()` body bytes, blocking until at least one is available; `Ok(0)` at
    /// the end of the body (or for an empty `buf`). The same as [`io::Read::read`] with this
    /// crate's error type.
    pub fn read_bytes(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut n = 0usize;
        // SAFETY: live handle owned by us (&mut: no concurrent read); buf is writable for len.
        call(|err| unsafe {
            sys::chc_raw_result_read(self.raw.as_ptr(), buf.as_mut_ptr().cast(), buf.len(), &mut n, err)
        })?;
        Ok(n)
    }

    /// Cancels the transfer: the read in progress (on another thread, through a
    /// [`RawCancel`]) and every later read fail with [`Status::Cancelled`]. Idempotent;
    /// harmless after the end.
    pub fn cancel(&self) {
        self.shared.cancel()
    }

    /// A handle that cancels this transfer from any thread, also while a read is blocked waiting
    /// for the server. It does nothing once the result is dropped.
    pub fn cancel_handle(&self) -> RawCancel {
        RawCancel { shared: Arc::clone(&self.shared) }
    }
}

impl io::Read for RawResult {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_bytes(buf).map_err(io::Error::from)
    }
}

impl fmt::Debug for RawResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResult").field("query_id", &self.query_id()).finish_non_exhaustive()
    }
}

impl Drop for RawResult {
    fn drop(&mut self) {
        let mut h = self.shared.lock();
        // SAFETY: owned, freed once; cancel handles see NULL from now on.
        unsafe { sys::chc_raw_result_free(self.raw.as_ptr()) };
        *h = std::ptr::null_mut();
    }
}

/// Cancels a [`RawResult`]'s transfer from any thread ([`RawResult::cancel_handle`]). Cheap to
/// clone, `Send + Sync`; does nothing after the result was dropped.
#[derive(Clone)]
pub struct RawCancel {
    shared: Arc<Shared>,
}

impl RawCancel {
    /// See [`RawResult::cancel`].
    pub fn cancel(&self) {
        self.shared.cancel()
    }
}

impl fmt::Debug for RawCancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawCancel").finish_non_exhaustive()
    }
}

/// The `io::ErrorKind` for a status.
fn io_kind(status: Status) -> io::ErrorKind {
    match status {
        Status::Timeout => io::ErrorKind::TimedOut,
        Status::InvalidArgument => io::ErrorKind::InvalidInput,
        Status::Protocol => io::ErrorKind::InvalidData,
        Status::NoMem => io::ErrorKind::OutOfMemory,
        // Not Interrupted for Cancelled: io::copy and read_to_end retry Interrupted, and a
        // cancelled transfer fails every later read.
        _ => io::ErrorKind::Other,
    }
}

impl From<Error> for io::Error {
    /// An `io::Error` whose kind follows the status (`TimedOut`, `InvalidInput`, `InvalidData`,
    /// `OutOfMemory`, else `Other`) and whose inner error is the [`Error`] itself.
    fn from(e: Error) -> io::Error {
        io::Error::new(io_kind(e.status()), e)
    }
}

impl Error {
    /// The crate's error inside an `io::Error` made from one (as [`RawResult`]'s `Read` returns
    /// them), `None` for any other `io::Error`.
    pub fn from_io(e: &io::Error) -> Option<&Error> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
    }
}
