use std::fmt;

use crate::sys;
use crate::util::cstr;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The library status a failed call returned (`CHC_E_*` in chconnect.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// A bad argument: NULL handle, unknown option value, bad URL, row out of range.
    InvalidArgument,
    /// The call is not allowed now (finished insert, exhausted result).
    InvalidState,
    /// Unknown option key, column or summary field.
    NotFound,
    /// A ClickHouse type or feature this version cannot handle.
    NotSupported,
    /// Out of memory.
    NoMem,
    /// Connect, send or receive failed.
    Io,
    /// TLS handshake or certificate verification failed.
    Tls,
    /// Connect or send/receive timeout.
    Timeout,
    /// The operation was cancelled.
    Cancelled,
    /// The server rejected the credentials.
    Auth,
    /// Any other ClickHouse exception or HTTP error status.
    Server,
    /// Malformed or truncated data.
    Protocol,
    /// A value does not fit the column's type.
    Type,
    /// A bug in chconnect.
    Internal,
    /// A status this crate does not know (a newer library).
    Other(i32),
}

impl Status {
    /// Maps a `chc_status` code.
    pub fn from_code(code: i32) -> Status {
        match code {
            sys::CHC_E_INVALID_ARGUMENT => Status::InvalidArgument,
            sys::CHC_E_INVALID_STATE => Status::InvalidState,
            sys::CHC_E_NOT_FOUND => Status::NotFound,
            sys::CHC_E_NOT_SUPPORTED => Status::NotSupported,
            sys::CHC_E_NOMEM => Status::NoMem,
            sys::CHC_E_IO => Status::Io,
            sys::CHC_E_TLS => Status::Tls,
            sys::CHC_E_TIMEOUT => Status::Timeout,
            sys::CHC_E_CANCELLED => Status::Cancelled,
            sys::CHC_E_AUTH => Status::Auth,
            sys::CHC_E_SERVER => Status::Server,
            sys::CHC_E_PROTOCOL => Status::Protocol,
            sys::CHC_E_TYPE => Status::Type,
            sys::CHC_E_INTERNAL => Status::Internal,
            other => Status::Other(other),
        }
    }

    /// The `chc_status` code.
    pub fn code(self) -> i32 {
        match self {
            Status::InvalidArgument => sys::CHC_E_INVALID_ARGUMENT,
            Status::InvalidState => sys::CHC_E_INVALID_STATE,
            Status::NotFound => sys::CHC_E_NOT_FOUND,
            Status::NotSupported => sys::CHC_E_NOT_SUPPORTED,
            Status::NoMem => sys::CHC_E_NOMEM,
            Status::Io => sys::CHC_E_IO,
            Status::Tls => sys::CHC_E_TLS,
            Status::Timeout => sys::CHC_E_TIMEOUT,
            Status::Cancelled => sys::CHC_E_CANCELLED,
            Status::Auth => sys::CHC_E_AUTH,
            Status::Server => sys::CHC_E_SERVER,
            Status::Protocol => sys::CHC_E_PROTOCOL,
            Status::Type => sys::CHC_E_TYPE,
            Status::Internal => sys::CHC_E_INTERNAL,
            Status::Other(code) => code,
        }
    }

    /// Symbolic name as the C library prints it, e.g. "CHC_E_SERVER".
    pub fn name(self) -> String {
        // SAFETY: chc_status_name returns a static string for any input.
        unsafe { cstr(sys::chc_status_name(self.code())) }.into_owned()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A failed call: the library status plus, for server errors, the ClickHouse exception code and
/// name, the HTTP status and the query id. The library never puts passwords in any of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    code: i32,
    name: String,
    http_status: i32,
    query_id: String,
    message: String,
}

impl Error {
    /// An error made on the Rust side (no server involved).
    pub(crate) fn new(status: Status, message: impl Into<String>) -> Error {
        Error { status, code: 0, name: String::new(), http_status: 0, query_id: String::new(), message: message.into() }
    }

    /// Copies a `chc_error` and frees it.
    ///
    /// # Safety
    /// `err` must be NULL or an error object owned by the caller; it is freed here.
    pub(crate) unsafe fn from_raw(status: sys::chc_status, err: *mut sys::chc_error) -> Error {
        if err.is_null() {
            // The caller passed an error slot, so this only happens on a library bug.
            let status = Status::from_code(status);
            return Error::new(status, format!("{} (no error details)", status.name()));
        }
        let e = Error {
            // The error's own status is authoritative; the return code is the fallback.
            status: Status::from_code(match sys::chc_error_status(err) {
                sys::CHC_OK => status,
                s => s,
            }),
            code: sys::chc_error_server_code(err),
            name: cstr(sys::chc_error_server_name(err)).into_owned(),
            http_status: sys::chc_error_http_status(err),
            query_id: cstr(sys::chc_error_query_id(err)).into_owned(),
            message: cstr(sys::chc_error_message(err)).into_owned(),
        };
        sys::chc_error_free(err);
        e
    }

    /// Library status of the failure.
    pub fn status(&self) -> Status {
        self.status
    }
    /// ClickHouse exception code (e.g. 60 for UNKNOWN_TABLE), 0 when not from the server.
    pub fn code(&self) -> i32 {
        self.code
    }
    /// ClickHouse exception name (e.g. "UNKNOWN_TABLE"), "" when the server gave none.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// HTTP status of the failed response, 0 if there was none.
    pub fn http_status(&self) -> i32 {
        self.http_status
    }
    /// Query id of the failed request, "" if unknown.
    pub fn query_id(&self) -> &str {
        &self.query_id
    }
    /// Human-readable message (for server errors: the server's exception text).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if self.code != 0 {
            write!(f, " code {}", self.code)?;
            if !self.name.is_empty() {
                write!(f, " ({})", self.name)?;
            }
        }
        if self.http_status != 0 {
            write!(f, " HTTP {}", self.http_status)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.query_id.is_empty() {
            write!(f, " [query_id {}]", self.query_id)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for code in 1..=14 {
            let s = Status::from_code(code);
            assert!(!matches!(s, Status::Other(_)), "code {code} unmapped");
            assert_eq!(s.code(), code);
            assert!(s.name().starts_with("CHC_E_"), "{code}: {}", s.name());
        }
        assert_eq!(Status::from_code(999), Status::Other(999));
        assert_eq!(Status::Other(999).code(), 999);
        assert_eq!(Status::Server.name(), "CHC_E_SERVER");
    }

    #[test]
    fn display_shows_code_name_http_and_query_id() {
        let e = Error {
            status: Status::Server,
            code: 60,
            name: "UNKNOWN_TABLE".into(),
            http_status: 404,
            query_id: "q1".into(),
            message: "Table default.x doesn't exist.".into(),
        };
        assert_eq!(
            e.to_string(),
            "CHC_E_SERVER code 60 (UNKNOWN_TABLE) HTTP 404: Table default.x doesn't exist. [query_id q1]"
        );
        let local = Error::new(Status::InvalidArgument, "bad");
        assert_eq!(local.to_string(), "CHC_E_INVALID_ARGUMENT: bad");
    }
}
