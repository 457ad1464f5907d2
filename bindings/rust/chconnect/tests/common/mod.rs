//! Shared helpers: the server comes from the environment set by tests/server/start.sh; a missing
//! variable fails the test (never skips it).
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chconnect::Client;

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start the test server first with eval \"$(tests/server/start.sh)\"")
    })
}

/// The server the suite runs against, from `CHC_TEST_SERVER_KIND`: the real ClickHouse 18.16 of
/// tests/server/start.sh (`clickhouse-18.16`, the default when unset) or the chDB HTTP stand-in
/// for a current server (`chdb-standin`, tests/server/chdb_start.sh; set by
/// .ci/binding_suites_standin.sh). Tests whose expectations differ branch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    ClickHouse1816,
    ChdbStandin,
}

pub fn server_kind() -> ServerKind {
    match std::env::var("CHC_TEST_SERVER_KIND").as_deref() {
        Err(_) | Ok("") | Ok("clickhouse-18.16") => ServerKind::ClickHouse1816,
        Ok("chdb-standin") => ServerKind::ChdbStandin,
        Ok(other) => panic!("CHC_TEST_SERVER_KIND={other:?}: want \"clickhouse-18.16\" (default) or \"chdb-standin\""),
    }
}

/// Whether the server is the chDB stand-in for a current ClickHouse.
pub fn on_standin() -> bool {
    server_kind() == ServerKind::ChdbStandin
}

/// How the server's `toString` renders a Decimal whose full-scale text is `s`: 18.16 keeps the
/// scale's trailing zeros ("1.500"); current servers drop them ("1.5", "0"), and `toString`
/// ignores `output_format_decimal_trailing_zeros`.
pub fn server_decimal_text(s: &str) -> String {
    if !on_standin() || !s.contains('.') {
        return s.to_string();
    }
    let t = s.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

pub fn client() -> Client {
    // A short receive timeout turns a hung query into a failure instead of a stuck suite.
    Client::open_with(&env("CHC_TEST_URL"), &[("send_receive_timeout", "60")]).expect("open the test client")
}

/// A table name unique across concurrent test runs and tests.
pub fn unique_name(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("rs_{prefix}_{}_{nanos}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A table created for one test and dropped when the test ends (also on failure).
pub struct TempTable {
    pub client: Client,
    pub name: String,
}

impl TempTable {
    pub fn new(client: &Client, prefix: &str, columns: &str) -> TempTable {
        let name = unique_name(prefix);
        client
            .command(format!("CREATE TABLE {name} ({columns}) ENGINE MergeTree ORDER BY tuple()"))
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        TempTable { client: client.clone(), name }
    }
}

impl Drop for TempTable {
    fn drop(&mut self) {
        let _ = self.client.command(format!("DROP TABLE IF EXISTS {}", self.name));
    }
}
