//! Round trips of the types 18.16 knows beyond the basic ones (Decimal, UUID, Enum, Tuple,
//! Nested, LowCardinality, Nothing, Interval), compared with the server's toString().

mod common;

use std::str::FromStr;

use chconnect::{Decimal, Kind, Status, Uuid, Value};
use common::{client, server_decimal_text, TempTable};

const COLUMNS: &str = "id UInt32, d32 Decimal(9, 2), d64 Decimal(18, 6), d128 Decimal(38, 10), \
    u UUID, e8 Enum8('a' = 1, 'b' = -2), e16 Enum16('x' = 1000, 'y' = -1000), \
    t Tuple(Int32, String), lc LowCardinality(String), lcn LowCardinality(Nullable(String)), \
    nd Nullable(Decimal(9, 3)), n Nested(k UInt8, v String)";

fn dec(s: &str) -> Value {
    Value::Decimal(Decimal::from_str(s).expect("decimal"))
}

fn rows() -> Vec<Vec<Value>> {
    vec![
        vec![
            Value::UInt(1),
            dec("-1234567.89"),
            dec("123456789012.345678"),
            dec("-1234567890123456789012345678.0123456789"),
            Value::Uuid("61f0c404-5cb3-11e7-907b-a6006ad3dba0".parse().expect("uuid")),
            Value::Enum { name: "b".into(), value: -2 },
            Value::Enum { name: "y".into(), value: -1000 },
            Value::Tuple(vec![Value::Int(-5), Value::from("it's")]),
            Value::from("lc1"),
            Value::Null,
            dec("1.5"), // rescaled to 1.500
            Value::Array(vec![Value::UInt(1), Value::UInt(2)]),
            Value::from(vec!["p", "q"]),
        ],
        vec![
            Value::UInt(2),
            Value::Int(3), // whole number into Decimal
            Value::from("0.000001"),
            dec("0"),
            Value::from("00000000-0000-0000-0000-000000000001"),
            Value::from("a"),
            Value::Int(1000),
            Value::Tuple(vec![Value::Int(i32::MAX.into()), Value::from("")]),
            Value::from("lc1"),
            Value::from("v"),
            Value::Null,
            Value::Array(vec![]),
            Value::Array(vec![]),
        ],
    ]
}

#[test]
fn decimal_uuid_enum_tuple_nested_low_cardinality_round_trip() {
    let c = client();
    let t = TempTable::new(&c, "more", COLUMNS);
    let mut insert = c.insert(&t.name, &[] as &[&str]).expect("insert");
    let names: Vec<String> = insert.columns().iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names.len(), 13, "{names:?}");
    assert_eq!(insert.columns()[1].1.kind(), Kind::Decimal);
    assert_eq!((insert.columns()[1].1.precision(), insert.columns()[1].1.scale()), (9, 2));
    for row in rows() {
        insert.append_row(&row).expect("append");
    }
    // Rejected whole rows leave the insert unchanged.
    let mut bad = rows()[0].clone();
    bad[1] = dec("1.234"); // 3 fraction digits into scale 2
    assert_eq!(insert.append_row(&bad).map_err(|e| e.status()), Err(Status::Type));
    bad = rows()[0].clone();
    bad[1] = dec("12345678.9"); // 10 digits > precision 9
    assert_eq!(insert.append_row(&bad).map_err(|e| e.status()), Err(Status::Type));
    bad = rows()[0].clone();
    bad[5] = Value::from("nope");
    assert_eq!(insert.append_row(&bad).map_err(|e| e.status()), Err(Status::Type));
    bad = rows()[0].clone();
    bad[7] = Value::Tuple(vec![Value::Int(1)]);
    assert_eq!(insert.append_row(&bad).map_err(|e| e.status()), Err(Status::Type));
    bad = rows()[0].clone();
    bad[4] = Value::from("not-a-uuid");
    assert_eq!(insert.append_row(&bad).map_err(|e| e.status()), Err(Status::Type));
    assert_eq!(insert.row_count(), 2);
    insert.finish().expect("finish");

    let cols = "d32, d64, d128, u, e8, e16, t, lc, lcn, nd";
    let sel = format!(
        "SELECT {cols}, {} FROM {} ORDER BY id",
        cols.split(", ").map(|c| format!("toString({c})")).collect::<Vec<_>>().join(", "),
        t.name
    );
    let got = c.query(sel).expect("select").into_values().expect("values");
    assert_eq!(got.len(), 2);
    for row in &got {
        let n = row.len() / 2;
        for i in 0..n {
            if i == 2 && row[i] != dec("0.0000000000") {
                // 18.16's toString(Decimal128) prints NUL bytes for some digits (a server bug);
                // the value itself is checked below.
                continue;
            }
            if row[i].is_null() {
                assert_eq!(row[n + i], Value::Null, "toString(NULL)");
                continue;
            }
            let server = row[n + i].as_str().expect("toString is a string");
            // 18.16's toString of a tuple escapes quotes inside as \' the same way. Current servers'
            // toString drops a Decimal's trailing zeros ("1.5" for 1.500).
            let ours = match &row[i] {
                Value::Decimal(d) => server_decimal_text(&d.to_string()),
                v => v.to_string(),
            };
            assert_eq!(ours, server, "column {i}: {:?}", row[i]);
        }
    }
    assert_eq!(got[0][0], dec("-1234567.89"));
    assert_eq!(got[0][2], dec("-1234567890123456789012345678.0123456789"));
    assert_eq!(got[1][0], dec("3.00"));
    assert_eq!(got[0][9], dec("1.500"));
    assert_eq!(got[0][8], Value::Null);
    assert_eq!(got[1][8], Value::from("v"));
    assert_eq!(got[0][4], Value::Enum { name: "b".into(), value: -2 });

    // Nested columns read back as arrays; typed getters.
    let block = c
        .query(format!("SELECT n.k, n.v, [(7, NULL), (8, 'z')], u, d128 FROM {} ORDER BY id", t.name))
        .expect("select")
        .next()
        .expect("block")
        .expect("ok");
    assert_eq!(block.column(0).expect("n.k").value(0), Ok(Value::Array(vec![Value::UInt(1), Value::UInt(2)])));
    assert_eq!(block.column(1).expect("n.v").value(0), Ok(Value::from(vec!["p", "q"])));
    assert_eq!(
        block.column(2).expect("at").value(0),
        Ok(Value::Array(vec![
            Value::Tuple(vec![Value::UInt(7), Value::Null]),
            Value::Tuple(vec![Value::UInt(8), Value::from("z")]),
        ]))
    );
    let u = block.column(3).expect("u");
    assert_eq!(u.uuid(0).map(|u| u.to_string()), Ok("61f0c404-5cb3-11e7-907b-a6006ad3dba0".to_owned()));
    assert_eq!(u.uuid(1), Ok(Uuid::from_str("00000000-0000-0000-0000-000000000001").expect("uuid")));
    assert_eq!(block.column(4).expect("d128").decimal(1).map(|d| d.to_string()), Ok("0.0000000000".to_owned()));
}

#[test]
fn builders_for_composites_and_bulk_appends() {
    let c = client();
    let t = TempTable::new(&c, "bulk", "a Int32, d Date, t Tuple(UInt8, String), e Enum8('a' = 1, 'b' = 2)");
    let mut insert = c.insert(&t.name, &[] as &[&str]).expect("insert");
    insert.builder(0).expect("a").append_slice(&[1i32, -2, 3]).expect("bulk Int32");
    insert.builder(1).expect("d").append_slice(&[2u16, 1, 17_897]).expect("bulk Date");
    assert_eq!(insert.builder(1).expect("d").append_slice(&[1i32]).map_err(|e| e.status()), Err(Status::Type));
    {
        let mut tb = insert.builder(2).expect("t");
        for i in 0..3u8 {
            tb.child_at(0).expect("t.1").append(&Value::UInt(i.into())).expect("t.1");
            tb.child_at(1).expect("t.2").append(&Value::from(format!("s{i}"))).expect("t.2");
        }
        assert!(tb.child_at(2).is_err());
    }
    insert.builder(3).expect("e").append_slice(&[1i8, 2, 1]).expect("bulk Enum8");
    assert!(insert.builder(3).expect("e").append_slice(&[5i8]).is_err(), "5 is not an element");
    insert.finish().expect("finish");
    let got = c
        .command(format!("SELECT a, d, t, e FROM {} ORDER BY a FORMAT TabSeparated", t.name))
        .expect("select")
        .text()
        .into_owned();
    assert_eq!(got, "-2\t1970-01-02\t(1,'s1')\tb\n1\t1970-01-03\t(0,'s0')\ta\n3\t2019-01-01\t(2,'s2')\ta");
}

#[test]
fn nothing_interval_and_server_side_values() {
    let c = client();
    let sql = "SELECT NULL, [], toIntervalDay(3), toIntervalSecond(-5), toDecimal32('-0.05', 2), \
               toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0'), tuple(1, 'a', [NULL, 2]), \
               toLowCardinality('x'), CAST('b' AS Enum8('a' = 1, 'b' = 2))";
    let rows = c.query(sql).expect("select").into_values().expect("values");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r[0], Value::Null);
    assert_eq!(r[1], Value::Array(vec![]));
    assert_eq!(r[2], Value::Interval { count: 3, unit: "Day".into() });
    assert_eq!(r[3], Value::Interval { count: -5, unit: "Second".into() });
    assert_eq!(r[4].to_string(), "-0.05");
    assert_eq!(r[5].to_string(), "61f0c404-5cb3-11e7-907b-a6006ad3dba0");
    assert_eq!(
        r[6],
        Value::Tuple(vec![Value::UInt(1), Value::from("a"), Value::Array(vec![Value::Null, Value::UInt(2)])])
    );
    assert_eq!(r[6].to_string(), "(1,'a',[NULL,2])");
    assert_eq!(r[7], Value::from("x"));
    assert_eq!(r[8].to_string(), "b");
}
