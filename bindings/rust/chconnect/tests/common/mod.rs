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
