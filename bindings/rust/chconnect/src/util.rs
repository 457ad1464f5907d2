//! Small helpers at the FFI boundary: C strings in and out, borrowed buffers, status checks.

use std::borrow::Cow;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;

use crate::error::{Error, Result, Status};
use crate::sys;

/// Borrows a NUL-terminated C string; NULL reads as "". Invalid UTF-8 is replaced, not trusted.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn cstr<'a>(p: *const c_char) -> Cow<'a, str> {
    if p.is_null() {
        Cow::Borrowed("")
    } else {
        CStr::from_ptr(p).to_string_lossy()
    }
}

/// Copies a Rust string for the C side. The value is never echoed in the error: it may be a
/// password.
pub(crate) fn cstring(s: &str, what: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(Status::InvalidArgument, format!("{what} contains a NUL byte")))
}

/// [`cstring`] of every item (`what` names one in the error).
pub(crate) fn cstrings<S: AsRef<str>>(items: &[S], what: &str) -> Result<Vec<CString>> {
    items.iter().map(|s| cstring(s.as_ref(), what)).collect()
}

/// The pointers of `strings`, for a `const char* const*` argument; valid while `strings` lives.
pub(crate) fn ptrs(strings: &[CString]) -> Vec<*const c_char> {
    strings.iter().map(|s| s.as_ptr()).collect()
}

/// A borrowed C buffer as a slice; NULL or empty gives `&[]` (from_raw_parts forbids NULL).
///
/// # Safety
/// When non-NULL, `p` must point to `len` initialised values that outlive `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, len)
    }
}

/// Runs one fallible C call that takes a trailing `chc_error**` and maps its status.
pub(crate) fn call(f: impl FnOnce(*mut *mut sys::chc_error) -> sys::chc_status) -> Result<()> {
    let mut err: *mut sys::chc_error = ptr::null_mut();
    let status = f(&mut err);
    if status == sys::CHC_OK {
        // The header says *err is untouched on success; free defensively if it was set anyway.
        if !err.is_null() {
            // SAFETY: an error object the library handed us; freed once here.
            unsafe { sys::chc_error_free(err) };
        }
        Ok(())
    } else {
        // SAFETY: `err` is NULL or a fresh error we own.
        Err(unsafe { Error::from_raw(status, err) })
    }
}
