//! Types 18.16 does not have, read from and written to the chDB stand-in for a current server
//! (tests/server/chdb_start.sh, `CHC_CHDB_URL`). They fail when it is not running: a suite that
//! silently skips would look green without testing anything.

use chconnect::{Client, Decimal, Value, I256, U256};
use std::net::{Ipv4Addr, Ipv6Addr};

fn chdb() -> Option<Client> {
    let url = std::env::var("CHC_CHDB_URL")
        .expect("CHC_CHDB_URL is not set: start tests/server/chdb_start.sh to run the current-type tests");
    Some(Client::open_with(&url, &[("send_receive_timeout", "60")]).expect("open chDB stand-in"))
}

/// Values of `exprs` and their toString(), through one SELECT.
fn select(c: &Client, exprs: &[&str]) -> Vec<(Value, String)> {
    let sql = format!(
        "SELECT {}, {} SETTINGS output_format_native_write_json_as_string = 1, allow_experimental_variant_type = 1, \
         allow_experimental_dynamic_type = 1, enable_time_time64_type = 1",
        exprs.join(", "),
        exprs.iter().map(|e| format!("toString({e})")).collect::<Vec<_>>().join(", ")
    );
    let rows = c.query(sql.as_str()).unwrap_or_else(|e| panic!("{sql}: {e}")).into_values().expect("values");
    let row = &rows[0];
    let n = exprs.len();
    (0..n).map(|i| (row[i].clone(), row[n + i].as_str().expect("toString").to_owned())).collect()
}

#[test]
fn current_types_read_as_values() {
    let Some(c) = chdb() else { return };
    let exprs = [
        "toInt128('-170141183460469231731687303715884105728')",
        "toUInt128('340282366920938463463374607431768211455')",
        "toInt256('-57896044618658097711785492504343953926634992332820282019728792003956564819968')",
        "toUInt256('115792089237316195423570985008687907853269984665640564039457584007913129639935')",
        "true",
        "toDecimal256('-12345678901234567890123456789012345678901234567890.12345', 5)",
        "toDate32('1900-01-01')",
        "toDateTime64('2019-01-01 00:00:00.123', 3, 'UTC')",
        "toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0')",
        "toIPv4('192.168.1.10')",
        "toIPv6('2001:db8::1')",
        "toIPv6('::ffff:1.2.3.4')",
        "map('a', 1, 'b', 2)",
        "CAST('x', 'Enum16(\\'x\\' = -300)')",
        "toBFloat16(1.5)",
        "CAST(-3661, 'Time')",
        "CAST('-01:00:00.25', 'Time64(2)')",
    ];
    let got = select(&c, &exprs);
    for (i, (v, s)) in got.iter().enumerate() {
        match v {
            // Newer servers trim trailing zeros of decimals and print Time differently; the
            // value is checked below.
            Value::Decimal(_) | Value::Time(_) | Value::Time64 { .. } => {}
            Value::Map(_) => assert_eq!(v.to_string(), s.as_str(), "{}", exprs[i]),
            _ => assert_eq!(v.to_string(), s.as_str(), "{}: {v:?}", exprs[i]),
        }
    }
    assert_eq!(got[0].0, Value::I128(i128::MIN));
    assert_eq!(got[1].0, Value::U128(u128::MAX));
    assert_eq!(
        got[2].0,
        Value::I256(I256::from_le_bytes({
            let mut b = [0u8; 32];
            b[31] = 0x80;
            b
        }))
    );
    assert_eq!(got[3].0, Value::U256(U256([0xff; 32])));
    assert_eq!(got[4].0, Value::Bool(true));
    assert_eq!(
        got[5].0,
        Value::Decimal("-12345678901234567890123456789012345678901234567890.12345".parse::<Decimal>().expect("d"))
    );
    assert_eq!(got[6].0, Value::Date32(-25_567));
    assert!(
        matches!(&got[7].0, Value::DateTime64 { ticks: 1_546_300_800_123, precision: 3, tz: Some(z) } if &**z == "UTC")
    );
    assert_eq!(got[9].0, Value::Ipv4(Ipv4Addr::new(192, 168, 1, 10)));
    assert_eq!(got[10].0, Value::Ipv6("2001:db8::1".parse::<Ipv6Addr>().expect("ip")));
    assert_eq!(got[12].0, Value::from(vec![("a", 1u8), ("b", 2u8)]));
    assert_eq!(got[13].0, Value::Enum { name: "x".into(), value: -300 });
    assert_eq!(got[14].0, Value::Float(1.5));
    assert_eq!(got[15].0, Value::Time(-3661));
    assert_eq!(got[16].0, Value::Time64 { ticks: -360_025, precision: 2 });
}

#[test]
fn variant_dynamic_json_read_as_values() {
    let Some(c) = chdb() else { return };
    let exprs = [
        "CAST(42::UInt64, 'Variant(String, UInt64)')",
        "CAST('s', 'Variant(String, UInt64)')",
        "CAST(NULL, 'Variant(String, UInt64)')",
        "CAST(7, 'Dynamic')",
        "CAST('2020-01-01'::Date, 'Dynamic')",
        "'{\"a\":1,\"b\":[\"x\"]}'::JSON",
    ];
    let sql = format!(
        "SELECT {} SETTINGS output_format_native_write_json_as_string = 1, allow_experimental_variant_type = 1, \
         allow_experimental_dynamic_type = 1, allow_experimental_json_type = 1",
        exprs.join(", ")
    );
    let row = c.query(sql.as_str()).unwrap_or_else(|e| panic!("{e}")).into_values().expect("values").remove(0);
    let got: Vec<(Value, ())> = row.into_iter().map(|v| (v, ())).collect();
    assert_eq!(got[0].0, Value::UInt(42));
    assert_eq!(got[1].0, Value::from("s"));
    assert_eq!(got[2].0, Value::Null);
    assert_eq!(got[3].0.as_i64(), Some(7));
    assert_eq!(got[4].0, Value::Date(18_262));
    match &got[5].0 {
        Value::Json(s) => assert!(s.contains("\"a\"") && s.contains("\"x\""), "{s}"),
        v => panic!("JSON read as {v:?}"),
    }
}

#[test]
fn current_types_insert_round_trip() {
    let Some(c) = chdb() else { return };
    let name = format!("rs_current_{}", std::process::id());
    c.command(format!("DROP TABLE IF EXISTS {name}")).expect("drop");
    c.command(format!(
        "CREATE TABLE {name} (id UInt8, i128 Int128, u256 UInt256, b Bool, d Decimal256(5), d32 Date32, \
         dt64 DateTime64(6, 'UTC'), ip4 IPv4, ip6 IPv6, m Map(String, Array(UInt8)), v Variant(String, UInt64, Date), \
         lcu LowCardinality(Nullable(String)), u UUID) ENGINE MergeTree ORDER BY id \
         SETTINGS allow_nullable_key = 0"
    ))
    .or_else(|_| {
        c.command(format!(
            "CREATE TABLE {name} (id UInt8, i128 Int128, u256 UInt256, b Bool, d Decimal256(5), d32 Date32, \
             dt64 DateTime64(6, 'UTC'), ip4 IPv4, ip6 IPv6, m Map(String, Array(UInt8)), v Variant(String, UInt64, Date), \
             lcu LowCardinality(Nullable(String)), u UUID) ENGINE MergeTree ORDER BY id"
        ))
    })
    .expect("create");
    let rows = vec![
        vec![
            Value::UInt(1),
            Value::I128(-5),
            Value::U256(U256::from(u128::MAX)),
            Value::Bool(true),
            Value::Decimal("-1.5".parse().expect("d")),
            Value::Date32(-1),
            Value::DateTime64 { ticks: 1_546_300_800_123, precision: 3, tz: None },
            Value::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            Value::from("::1"),
            Value::Map(vec![(Value::from("k"), Value::Array(vec![Value::UInt(1), Value::UInt(2)]))]),
            Value::UInt(9),
            Value::Null,
            Value::from("61f0c404-5cb3-11e7-907b-a6006ad3dba0"),
        ],
        vec![
            Value::UInt(2),
            Value::Int(i64::MIN),
            Value::UInt(0),
            Value::Bool(false),
            Value::Int(7),
            Value::Date(1),
            Value::DateTime(0, None),
            Value::from("1.2.3.4"),
            Value::Ipv4(Ipv4Addr::new(1, 2, 3, 4)),
            Value::Map(vec![]),
            Value::from("str"),
            Value::from("lc"),
            Value::Uuid("00000000-0000-0000-0000-000000000001".parse().expect("uuid")),
        ],
        vec![
            Value::UInt(3),
            Value::I128(0),
            Value::UInt(1),
            Value::Bool(true),
            Value::Decimal(Decimal::new(1, 5)),
            Value::Date32(0),
            Value::DateTime(1, None),
            Value::UInt(0),
            Value::Ipv6(Ipv6Addr::UNSPECIFIED),
            Value::Map(vec![
                (Value::from("a"), Value::Array(vec![])),
                (Value::from("b"), Value::Array(vec![Value::UInt(3)])),
            ]),
            Value::Date(18_262),
            Value::from("lc"),
            Value::Uuid(Default::default()),
        ],
    ];
    let mut insert = c.insert(&name, &[] as &[&str]).expect("insert");
    for r in &rows {
        insert.append_row(r).expect("append");
    }
    insert.finish().expect("finish");
    let text =
        c.command(format!("SELECT * FROM {name} ORDER BY id FORMAT TabSeparated")).expect("select").text().into_owned();
    let _ = c.command(format!("DROP TABLE IF EXISTS {name}"));
    assert_eq!(
        text,
        "1\t-5\t340282366920938463463374607431768211455\ttrue\t-1.5\t1969-12-31\t2019-01-01 00:00:00.123000\t10.0.0.1\t::1\t{'k':[1,2]}\t9\t\\N\t61f0c404-5cb3-11e7-907b-a6006ad3dba0\n\
         2\t-9223372036854775808\t0\tfalse\t7\t1970-01-02\t1970-01-01 00:00:00.000000\t1.2.3.4\t::ffff:1.2.3.4\t{}\tstr\tlc\t00000000-0000-0000-0000-000000000001\n\
         3\t0\t1\ttrue\t0.00001\t1970-01-01\t1970-01-01 00:00:01.000000\t0.0.0.0\t::\t{'a':[],'b':[3]}\t2020-01-01\tlc\t00000000-0000-0000-0000-000000000000"
    );
}
