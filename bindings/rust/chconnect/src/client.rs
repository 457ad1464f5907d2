use std::borrow::Cow;
use std::fmt;
use std::ptr::{self, NonNull};
use std::sync::Arc;

use crate::cancel::CancelSwitch;
use crate::error::{Error, Result, Status};
use crate::insert::Insert;
use crate::raw::RawResult;
use crate::rows::Rows;
use crate::sys;
use crate::util::{call, cstr, cstring, cstrings, ptrs, slice};

/// Owner of the C client handle; shared by every clone of a [`Client`] and freed once, by the
/// last one, so `chc_client_free` never races another call.
struct RawClient(NonNull<sys::chc_client>);

// SAFETY: chconnect.h: a chc_client may be used from any number of threads at once.
unsafe impl Send for RawClient {}
unsafe impl Sync for RawClient {}

impl Drop for RawClient {
    fn drop(&mut self) {
        // SAFETY: we own one reference; results and inserts keep the client alive on the C side.
        unsafe { sys::chc_client_free(self.0.as_ptr()) }
    }
}

/// Owned `chc_config`, freed on every path.
struct RawConfig(NonNull<sys::chc_config>);

impl RawConfig {
    fn new() -> Result<RawConfig> {
        // SAFETY: no arguments; NULL only when out of memory.
        NonNull::new(unsafe { sys::chc_config_new() })
            .map(RawConfig)
            .ok_or_else(|| Error::new(Status::NoMem, "chc_config_new failed"))
    }

    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let k = cstring(key, "config key")?;
        let v = cstring(value, "config value")?;
        // SAFETY: live config, valid C strings (copied by the library).
        call(|err| unsafe { sys::chc_config_set(self.0.as_ptr(), k.as_ptr(), v.as_ptr(), err) })
    }

    fn set_url(&mut self, url: &str) -> Result<()> {
        let u = cstring(url, "URL")?;
        // SAFETY: live config, valid C string.
        call(|err| unsafe { sys::chc_config_set_url(self.0.as_ptr(), u.as_ptr(), err) })
    }
}

impl Drop for RawConfig {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { sys::chc_config_free(self.0.as_ptr()) }
    }
}

/// A ClickHouse client: options plus a pool of HTTP connections. Cheap to clone (clones share
/// the pool), `Send + Sync`: use it from any number of threads at once. Opening does not contact
/// the server.
#[derive(Clone)]
pub struct Client {
    raw: Arc<RawClient>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Options are not shown: they may hold a password.
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// Opens a client from a URL: `http[s]://[user[:password]@]host[:port][/database][?key=value&...]`
    /// (query keys are config keys or ClickHouse settings).
    pub fn open(url: &str) -> Result<Client> {
        Self::open_with(url, &[] as &[(&str, &str)])
    }

    /// Opens a client from config key/value pairs (`host`, `port`, `username`, `password`,
    /// `database`, `secure`, `verify`, `ca_cert`, `compress`, `setting.<name>`, ... see
    /// chconnect.h). Unknown keys give `NotFound`, malformed values `InvalidArgument`.
    pub fn from_config<K: AsRef<str>, V: AsRef<str>>(options: &[(K, V)]) -> Result<Client> {
        let mut config = RawConfig::new()?;
        for (k, v) in options {
            config.set(k.as_ref(), v.as_ref())?;
        }
        Self::from_raw_config(&config)
    }

    /// A URL, then config pairs applied on top (e.g. `ca_cert`, `verify`, `compress`).
    pub fn open_with<K: AsRef<str>, V: AsRef<str>>(url: &str, options: &[(K, V)]) -> Result<Client> {
        let mut config = RawConfig::new()?;
        config.set_url(url)?;
        for (k, v) in options {
            config.set(k.as_ref(), v.as_ref())?;
        }
        Self::from_raw_config(&config)
    }

    fn from_raw_config(config: &RawConfig) -> Result<Client> {
        let mut out: *mut sys::chc_client = ptr::null_mut();
        // SAFETY: live config (copied by the library); on success we own *out.
        call(|err| unsafe { sys::chc_client_open(config.0.as_ptr(), &mut out, err) })?;
        let raw =
            NonNull::new(out).ok_or_else(|| Error::new(Status::Internal, "chc_client_open returned no client"))?;
        Ok(Client { raw: Arc::new(RawClient(raw)) })
    }

    fn ptr(&self) -> *mut sys::chc_client {
        self.raw.0.as_ptr()
    }

    /// `GET /ping`: Ok when the server answered.
    pub fn ping(&self) -> Result<()> {
        // SAFETY: live client, thread-safe call.
        call(|err| unsafe { sys::chc_client_ping(self.ptr(), err) })
    }

    /// The server's version string (e.g. "18.16.1"), asked once and then cached.
    pub fn server_version(&self) -> Result<String> {
        let mut out: *const std::os::raw::c_char = ptr::null();
        // SAFETY: live client; *out is borrowed until the client is freed, copied right away.
        call(|err| unsafe { sys::chc_client_server_version(self.ptr(), &mut out, err) })?;
        Ok(unsafe { cstr(out) }.into_owned())
    }

    /// Runs a statement (DDL, SET, small SELECTs) and returns its buffered text response.
    pub fn command(&self, query: impl Into<Query>) -> Result<Response> {
        let q = query.into().to_raw()?;
        let mut out: *mut sys::chc_response = ptr::null_mut();
        // SAFETY: live client and query; on success we own *out.
        call(|err| unsafe { sys::chc_client_command(self.ptr(), q.0.as_ptr(), &mut out, err) })?;
        Response::from_raw(out)
    }

    /// Runs a SELECT and streams its result block by block ("FORMAT Native" is appended: the SQL
    /// must not name a format).
    pub fn query(&self, query: impl Into<Query>) -> Result<Rows> {
        Ok(Rows::from_raw(self.start(query, "chc_client_query", sys::chc_client_query)?))
    }

    /// Runs a statement and returns its response body as bytes read incrementally, without
    /// decoding it ([`RawResult`] implements [`std::io::Read`]). The format is the server's
    /// default (TabSeparated) unless the SQL names one (`SELECT ... FORMAT CSV`). Returns once
    /// the response headers arrived: an error the server reports before the body (unknown
    /// table, syntax error, ...) is returned here, later ones by the reads. To stop it from
    /// another thread while it still waits for the headers (before a
    /// [`RawCancel`](crate::RawCancel) exists), attach a [`CancelSwitch`] to the query
    /// ([`Query::cancel_switch`]).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = chconnect::Client::open("http://default:password@127.0.0.1:8123/default")?;
    /// let mut body = client.query_raw("SELECT number FROM numbers(10) FORMAT CSV")?;
    /// std::io::copy(&mut body, &mut std::io::stdout().lock())?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_raw(&self, query: impl Into<Query>) -> Result<RawResult> {
        Ok(RawResult::from_raw(self.start(query, "chc_client_query_raw", sys::chc_client_query_raw)?))
    }

    /// Sends `query` with `start` (chc_client_query or chc_client_query_raw, named `name` in the
    /// error) and returns the result handle it made, owned by the caller.
    fn start<T>(
        &self,
        query: impl Into<Query>,
        name: &str,
        start: unsafe extern "C" fn(
            *mut sys::chc_client,
            *const sys::chc_query,
            *mut *mut T,
            *mut *mut sys::chc_error,
        ) -> sys::chc_status,
    ) -> Result<NonNull<T>> {
        let q = query.into().to_raw()?;
        let mut out: *mut T = ptr::null_mut();
        // SAFETY: live client and query; on success we own *out.
        call(|err| unsafe { start(self.ptr(), q.0.as_ptr(), &mut out, err) })?;
        NonNull::new(out).ok_or_else(|| Error::new(Status::Internal, format!("{name} returned no result")))
    }

    /// Starts a Native insert into `table` ("name" or "db.name") for the named columns (empty:
    /// every insertable column). Asks the server for the column types first.
    pub fn insert<S: AsRef<str>>(&self, table: &str, columns: &[S]) -> Result<Insert> {
        self.begin_insert(table, columns, None::<&[&str]>, None)
    }

    /// [`insert`](Self::insert) with per-request options (settings, query id, ...; the SQL of
    /// `options` is ignored).
    pub fn insert_with<S: AsRef<str>>(&self, table: &str, columns: &[S], options: &Query) -> Result<Insert> {
        self.begin_insert(table, columns, None::<&[&str]>, Some(options))
    }

    /// Starts a Native insert into `table` ("name" or "db.name") with the column types given:
    /// `types[i]` is the ClickHouse type name of `columns[i]` (`"UInt32"`,
    /// `"Nullable(Float64)"`, ...), one per column, so the server is not asked (no DESCRIBE TABLE
    /// request). Nothing is checked against the table here: the server checks the names and
    /// types when the insert is [`finish`](Insert::finish)ed, and a column the table lacks or a
    /// type it cannot read into its column is a `Server` error from `finish`.
    ///
    /// Errors: `InvalidArgument` for no columns, a different number of types than columns, a
    /// repeated name, a malformed type name or a NUL byte in a name or type; `NotSupported` for a
    /// type this version does not handle.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use chconnect::Value;
    /// let client = chconnect::Client::open("http://default:password@127.0.0.1:8123/default")?;
    /// let mut insert = client.insert_typed("events", &["id", "name"], &["UInt32", "String"])?;
    /// insert.append_row(&[Value::from(1u32), Value::from("started")])?;
    /// insert.finish()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert_typed<S: AsRef<str>, T: AsRef<str>>(
        &self,
        table: &str,
        columns: &[S],
        types: &[T],
    ) -> Result<Insert> {
        self.begin_insert(table, columns, Some(types), None)
    }

    /// [`insert_typed`](Self::insert_typed) with per-request options (settings, query id, ...;
    /// the SQL of `options` is ignored).
    pub fn insert_typed_with<S: AsRef<str>, T: AsRef<str>>(
        &self,
        table: &str,
        columns: &[S],
        types: &[T],
        options: &Query,
    ) -> Result<Insert> {
        self.begin_insert(table, columns, Some(types), Some(options))
    }

    /// Starts an insert: `chc_client_insert_begin_typed` when `types` are given (as many as
    /// `columns`; the library checks), else `chc_client_insert_begin`, which asks the server.
    fn begin_insert<S: AsRef<str>, T: AsRef<str>>(
        &self,
        table: &str,
        columns: &[S],
        types: Option<&[T]>,
        options: Option<&Query>,
    ) -> Result<Insert> {
        let t = cstring(table, "table name")?;
        let names = cstrings(columns, "column name")?;
        let types = types.map(|types| cstrings(types, "column type")).transpose()?;
        let name_ptrs = ptrs(&names);
        let type_ptrs = types.as_deref().map(ptrs);
        let q = options.map(Query::to_raw).transpose()?;
        let q_ptr = q.as_ref().map_or(ptr::null(), |q| q.0.as_ptr().cast_const());
        let mut out: *mut sys::chc_insert = ptr::null_mut();
        let (np, n) = (name_ptrs.as_ptr(), name_ptrs.len());
        // SAFETY: live client/query; `name_ptrs` and `type_ptrs` hold as many valid C strings as
        // their lengths say, alive for the call; on success we own *out.
        call(|err| unsafe {
            match &type_ptrs {
                None => sys::chc_client_insert_begin(self.ptr(), t.as_ptr(), np, n, q_ptr, &mut out, err),
                Some(tp) => sys::chc_client_insert_begin_typed(
                    self.ptr(),
                    t.as_ptr(),
                    np,
                    n,
                    tp.as_ptr(),
                    tp.len(),
                    q_ptr,
                    &mut out,
                    err,
                ),
            }
        })?;
        let func = if type_ptrs.is_some() { "chc_client_insert_begin_typed" } else { "chc_client_insert_begin" };
        let raw =
            NonNull::new(out).ok_or_else(|| Error::new(Status::Internal, format!("{func} returned no insert")))?;
        // SAFETY: a live insert we now own.
        unsafe { Insert::from_raw(raw) }
    }

    /// Sends a complete INSERT with a caller-made body: the query's SQL is the whole statement
    /// (e.g. `INSERT INTO t FORMAT TabSeparated`), `data` the body.
    pub fn insert_raw(&self, query: impl Into<Query>, data: &[u8]) -> Result<Response> {
        let q = query.into().to_raw()?;
        let mut out: *mut sys::chc_response = ptr::null_mut();
        // SAFETY: live client/query; `data` is borrowed for the call only.
        call(|err| unsafe {
            sys::chc_client_insert_raw(self.ptr(), q.0.as_ptr(), data.as_ptr().cast(), data.len(), &mut out, err)
        })?;
        Response::from_raw(out)
    }
}

/// One SQL statement plus per-request options; pure Rust data (and at most one shared
/// [`CancelSwitch`]), reusable and `Send + Sync`.
///
/// ```
/// # use chconnect::Query;
/// let q = Query::new("SELECT number FROM system.numbers LIMIT {n:UInt32}")
///     .setting("max_block_size", 1000)
///     .query_id("my-query-1")
///     .param("n", 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    sql: String,
    options: Vec<(String, String)>,
    cancel: Option<CancelSwitch>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Query {
        Query { sql: sql.into(), options: Vec::new(), cancel: None }
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Any per-request option key of chconnect.h (`query_id`, `session_id`, `database`,
    /// `setting.<name>`, `param.<name>`); a later value for the same key wins.
    pub fn option(mut self, key: impl Into<String>, value: impl fmt::Display) -> Query {
        self.options.push((key.into(), value.to_string()));
        self
    }

    /// A ClickHouse setting for this request.
    pub fn setting(self, name: &str, value: impl fmt::Display) -> Query {
        self.option(format!("setting.{name}"), value)
    }

    /// A server-side parameter `{name:Type}` (servers >= 19.11).
    pub fn param(self, name: &str, value: impl fmt::Display) -> Query {
        self.option(format!("param.{name}"), value)
    }

    pub fn query_id(self, id: impl fmt::Display) -> Query {
        self.option("query_id", id)
    }

    pub fn session_id(self, id: impl fmt::Display) -> Query {
        self.option("session_id", id)
    }

    pub fn database(self, db: impl fmt::Display) -> Query {
        self.option("database", db)
    }

    /// Attaches a [`CancelSwitch`] (replacing any attached before): every request made with this
    /// query (or a clone of it) from now on fails with [`Status::Cancelled`] once the switch is
    /// triggered from any thread, also while it still waits for the server's response, and so do
    /// reads of its results. The query shares the switch (clones of a `Query` share it too), so
    /// one switch can stop several requests on several threads at once. A triggered switch stays
    /// triggered: attach a new one to run the query again.
    ///
    /// ```no_run
    /// # fn main() -> chconnect::Result<()> {
    /// use chconnect::{CancelSwitch, Client, Query, Status};
    /// let client = Client::open("http://default:password@127.0.0.1:8123/default")?;
    /// let stop = CancelSwitch::new()?;
    /// let q = Query::new("SELECT count() FROM numbers(10000000000)").cancel_switch(&stop);
    /// let worker = std::thread::spawn(move || client.command(q));
    /// stop.trigger(); // e.g. the user pressed "stop": running or not yet sent, the command fails
    /// assert_eq!(worker.join().unwrap().unwrap_err().status(), Status::Cancelled);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cancel_switch(mut self, switch: &CancelSwitch) -> Query {
        self.cancel = Some(switch.clone());
        self
    }

    fn to_raw(&self) -> Result<RawQuery> {
        // SAFETY: the SQL is passed with its length (copied; need not be NUL-terminated).
        let raw = NonNull::new(unsafe { sys::chc_query_new(self.sql.as_ptr().cast(), self.sql.len()) })
            .map(RawQuery)
            .ok_or_else(|| Error::new(Status::NoMem, "chc_query_new failed"))?;
        for (k, v) in &self.options {
            let ck = cstring(k, "query option key")?;
            let cv = cstring(v, "query option value")?;
            // SAFETY: live query, valid C strings (copied).
            call(|err| unsafe { sys::chc_query_set(raw.0.as_ptr(), ck.as_ptr(), cv.as_ptr(), err) })?;
        }
        if let Some(switch) = &self.cancel {
            switch.attach(raw.0)?;
        }
        Ok(raw)
    }
}

impl From<&str> for Query {
    fn from(sql: &str) -> Query {
        Query::new(sql)
    }
}
impl From<String> for Query {
    fn from(sql: String) -> Query {
        Query::new(sql)
    }
}
impl From<&String> for Query {
    fn from(sql: &String) -> Query {
        Query::new(sql.as_str())
    }
}
impl From<&Query> for Query {
    fn from(q: &Query) -> Query {
        q.clone()
    }
}

/// Owned `chc_query` for the duration of one request.
struct RawQuery(NonNull<sys::chc_query>);

impl Drop for RawQuery {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { sys::chc_query_free(self.0.as_ptr()) }
    }
}

/// A finished, buffered response of a command or insert: body text, summary, query id.
pub struct Response {
    raw: NonNull<sys::chc_response>,
}

// SAFETY: chconnect.h: handles may move between threads (not used concurrently: no Sync).
unsafe impl Send for Response {}

impl Response {
    pub(crate) fn from_raw(raw: *mut sys::chc_response) -> Result<Response> {
        NonNull::new(raw)
            .map(|raw| Response { raw })
            .ok_or_else(|| Error::new(Status::Internal, "the library returned no response"))
    }

    /// The response body (for a command: its TabSeparated result).
    pub fn body(&self) -> &[u8] {
        let mut len = 0usize;
        // SAFETY: live response; the bytes are borrowed for as long as `self`.
        unsafe { slice(sys::chc_response_body(self.raw.as_ptr(), &mut len).cast::<u8>(), len) }
    }

    /// The body as text (invalid UTF-8 replaced), without the trailing newline.
    pub fn text(&self) -> Cow<'_, str> {
        let body = self.body();
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        String::from_utf8_lossy(body)
    }

    /// Query id of the request, "" if unknown.
    pub fn query_id(&self) -> Cow<'_, str> {
        // SAFETY: borrowed until the response is freed.
        unsafe { cstr(sys::chc_response_query_id(self.raw.as_ptr())) }
    }

    /// One numeric field of X-ClickHouse-Summary (`written_rows`, `read_rows`, ...); `None` when
    /// the server did not send it (18.16 sends no summary).
    pub fn summary(&self, field: &str) -> Option<i64> {
        let f = cstring(field, "summary field").ok()?;
        let mut out = 0i64;
        // SAFETY: live response, valid C string and out pointer.
        call(|err| unsafe { sys::chc_response_summary(self.raw.as_ptr(), f.as_ptr(), &mut out, err) }).ok()?;
        Some(out)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response").field("query_id", &self.query_id()).field("body", &self.text()).finish()
    }
}

impl Drop for Response {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { sys::chc_response_free(self.raw.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_map_to_statuses() {
        let e = Client::from_config(&[("no_such_option", "1")]).expect_err("unknown key");
        assert_eq!(e.status(), Status::NotFound, "{e}");
        let e = Client::from_config(&[("port", "not-a-port")]).expect_err("bad port");
        assert_eq!(e.status(), Status::InvalidArgument, "{e}");
        let e = Client::open("ftp://example").expect_err("bad scheme");
        assert_eq!(e.status(), Status::InvalidArgument, "{e}");
        // A NUL byte in a secret: rejected on the Rust side, and the value is not echoed.
        let e = Client::from_config(&[("password", "sec\0ret-pw")]).expect_err("NUL");
        assert_eq!(e.status(), Status::InvalidArgument);
        assert!(!e.to_string().contains("ret-pw"), "{e}");
    }

    #[test]
    fn open_does_not_connect() {
        // Nothing listens on port 1: opening still succeeds, the first request fails with Io.
        let client = Client::from_config(&[("host", "127.0.0.1"), ("port", "1"), ("connect_timeout", "2")])
            .expect("open without contacting the server");
        let e = client.ping().expect_err("nothing listens on port 1");
        assert_eq!(e.status(), Status::Io, "{e}");
        assert_eq!(e.http_status(), 0);
    }

    /// A client whose server is never reached: nothing listens on port 1, so any request is `Io`.
    fn unreachable_client() -> Client {
        Client::from_config(&[("host", "127.0.0.1"), ("port", "1"), ("connect_timeout", "2")]).expect("open")
    }

    #[test]
    fn insert_typed_does_not_ask_the_server() {
        let client = unreachable_client();
        // insert asks for the column types (DESCRIBE TABLE) and fails; insert_typed sends nothing.
        let e = client.insert("t", &["a"]).expect_err("insert needs the server");
        assert_eq!(e.status(), Status::Io, "{e}");
        let types = vec!["Nullable(Float64)".to_string(), "Array(String)".to_string()];
        let insert = client.insert_typed("db.t", &["f", "tags"], &types).expect("typed insert begins offline");
        let cols: Vec<(&str, &str)> = insert.columns().iter().map(|(n, t)| (n.as_str(), t.name())).collect();
        assert_eq!(cols, [("f", "Nullable(Float64)"), ("tags", "Array(String)")]);
        let opts = Query::new("ignored").setting("insert_quorum", 0).query_id("q");
        let insert = client.insert_typed_with("t", &["a"], &["UInt8"], &opts).expect("with options");
        assert_eq!(insert.columns().len(), 1);
        let bad = Query::new("").option("no_such_key", 1);
        let e = client.insert_typed_with("t", &["a"], &["UInt8"], &bad).expect_err("bad option");
        assert_eq!(e.status(), Status::NotFound, "{e}");
    }

    #[test]
    fn insert_typed_argument_errors() {
        let client = unreachable_client();
        let invalid = |r: Result<Insert>, what: &str, needle: &str| {
            let e = r.expect_err(what);
            assert_eq!(e.status(), Status::InvalidArgument, "{what}: {e}");
            assert_eq!(e.code(), 0, "{what}: not a server error: {e}");
            assert!(e.message().contains(needle), "{what}: {e} lacks {needle:?}");
        };
        invalid(client.insert_typed("t", &["a", "b"], &["UInt8"]), "2 names, 1 type", "2 column names but 1 types");
        invalid(
            client.insert_typed("t", &["a"], &["UInt8", "String"]),
            "1 name, 2 types",
            "1 column names but 2 types",
        );
        invalid(client.insert_typed("t", &[] as &[&str], &[] as &[&str]), "no columns", "at least one column");
        invalid(client.insert_typed("t", &["a", "b"], &["UInt8", "Strin g"]), "malformed type", "Strin g");
        invalid(client.insert_typed("t", &["a", "a"], &["UInt8", "UInt8"]), "repeated name", "named twice");
        invalid(client.insert_typed("t", &["a\0b"], &["UInt8"]), "NUL in a name", "column name");
        invalid(client.insert_typed("t", &["a"], &["UInt8\0"]), "NUL in a type", "column type");
        invalid(client.insert_typed("t\0", &["a"], &["UInt8"]), "NUL in the table", "table name");
        // A well-formed name of a type this version does not decode.
        let e = client.insert_typed("t", &["o"], &["Object('json')"]).expect_err("Object");
        assert!(matches!(e.status(), Status::NotSupported | Status::InvalidArgument), "{e}");
    }

    #[test]
    fn query_builder_collects_options() {
        let q = Query::new("SELECT {n:UInt8}").setting("max_threads", 2).param("n", 7).query_id("qid");
        assert_eq!(q.sql(), "SELECT {n:UInt8}");
        assert_eq!(
            q.options,
            vec![
                ("setting.max_threads".to_string(), "2".to_string()),
                ("param.n".to_string(), "7".to_string()),
                ("query_id".to_string(), "qid".to_string())
            ]
        );
        assert!(q.to_raw().is_ok());
        let bad = Query::new("SELECT 1").option("no_such_key", 1);
        assert_eq!(bad.to_raw().err().map(|e| e.status()), Some(Status::NotFound));
    }

    #[test]
    fn query_shares_its_cancel_switch() {
        let (a, b) = (CancelSwitch::new().expect("switch a"), CancelSwitch::new().expect("switch b"));
        let q = Query::new("SELECT 1").cancel_switch(&a);
        assert_eq!(q.cancel.as_ref(), Some(&a));
        assert_ne!(q, Query::new("SELECT 1"));
        assert_eq!(q.clone(), q, "clones share the switch");
        let q = q.cancel_switch(&b);
        assert_eq!(q.cancel.as_ref(), Some(&b), "a later switch replaces the first");
        drop(b);
        assert!(q.to_raw().is_ok(), "the query keeps the switch alive");
        assert!(format!("{q:?}").contains("CancelSwitch { triggered: false }"), "{q:?}");
    }

    /// A triggered switch fails a request before it is sent: no server needed.
    #[test]
    fn triggered_switch_fails_at_once() {
        let client = unreachable_client();
        let stop = CancelSwitch::new().expect("switch");
        stop.trigger();
        let q = Query::new("SELECT 1").cancel_switch(&stop);
        let e = client.command(&q).expect_err("triggered");
        assert_eq!(e.status(), Status::Cancelled, "{e}");
        let e = client.query(&q).expect_err("triggered");
        assert_eq!(e.status(), Status::Cancelled, "{e}");
        let e = client.insert_with("t", &["a"], &q).expect_err("triggered");
        assert_eq!(e.status(), Status::Cancelled, "{e}");
        let e = client.insert_raw(&q, b"1\n").expect_err("triggered");
        assert_eq!(e.status(), Status::Cancelled, "{e}");
        let mut insert = client.insert_typed_with("t", &["a"], &["UInt8"], &q).expect("begins offline");
        insert.append_row(&[crate::Value::from(1u8)]).expect("row");
        let e = insert.finish().expect_err("triggered");
        assert_eq!(e.status(), Status::Cancelled, "{e}");
    }

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn thread_markers() {
        assert_send_sync::<Client>();
        assert_send_sync::<Query>();
        assert_send_sync::<Error>();
        assert_send::<Response>();
        assert_send::<crate::Rows>();
        assert_send::<crate::Block>();
        assert_send::<crate::Column>();
        assert_send::<crate::Insert>();
        assert_send::<crate::RawResult>();
        assert_send_sync::<crate::RawCancel>();
        assert_send_sync::<crate::CancelSwitch>();
    }
}
