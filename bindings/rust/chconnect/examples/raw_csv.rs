//! Stream a query's CSV answer to stdout as it arrives (memory stays bounded whatever its size).
//!
//!     CLICKHOUSE_URL=http://default:password@127.0.0.1:8123/default cargo run --example raw_csv

use std::io;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("CLICKHOUSE_URL")
        .map_err(|_| "set CLICKHOUSE_URL, e.g. http://default:password@127.0.0.1:8123/default")?;
    let client = chconnect::Client::open(&url)?;
    let mut body = client.query_raw("SELECT number, toString(number * 3) FROM numbers(10) FORMAT CSV")?;
    // A failed read is an io::Error wrapping chconnect::Error (server code via Error::from_io).
    io::copy(&mut body, &mut io::stdout().lock())?;
    Ok(())
}
