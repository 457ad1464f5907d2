//! The chconnect seed example: create a table, insert two rows, read an aggregate back.
//!
//!     CLICKHOUSE_URL=http://default:password@127.0.0.1:8123/default cargo run --example quickstart

use chconnect::{Client, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("CLICKHOUSE_URL")
        .map_err(|_| "set CLICKHOUSE_URL, e.g. http://default:password@127.0.0.1:8123/default")?;
    let client = Client::open(&url)?;

    client.command("DROP TABLE IF EXISTS new_table")?;
    client
        .command("CREATE TABLE new_table (key UInt32, value String, metric Float64) ENGINE MergeTree ORDER BY key")?;

    let mut insert = client.insert("new_table", &["key", "value", "metric"])?;
    insert.append_row(&[Value::from(1000u32), Value::from("String Value 1000"), Value::from(5.233)])?;
    insert.append_row(&[Value::from(2000u32), Value::from("String Value 2000"), Value::from(-107.04)])?;
    insert.finish()?;

    for block in client.query("SELECT max(key), avg(metric) FROM new_table")? {
        let block = block?;
        let (max_key, avg_metric) = (block.column(0)?, block.column(1)?);
        for row in 0..block.row_count() {
            println!("max(key) = {}, avg(metric) = {}", max_key.u64(row)?, avg_metric.f64(row)?);
        }
    }

    client.command("DROP TABLE new_table")?;
    Ok(())
}
