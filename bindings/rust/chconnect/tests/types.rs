//! Round trips of every supported type through Native inserts and Native results.

mod common;

use std::sync::Arc;

use chconnect::{Kind, Status, Value};
use common::{client, TempTable};

const COLUMNS: &str = "id UInt32, i8 Int8, i16 Int16, i32 Int32, i64 Int64, \
    u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64, f32 Float32, f64 Float64, \
    s String, fs FixedString(4), d Date, dt DateTime, dtz DateTime('UTC'), \
    ns Nullable(String), ni Nullable(Int32), ai Array(Int32), ast Array(String), \
    aa Array(Array(UInt8)), an Array(Nullable(String))";

fn utc() -> Option<Arc<str>> {
    Some(Arc::from("UTC"))
}

/// Rows as they are inserted and as they must come back (FixedString pads with zeros).
fn rows() -> Vec<(Vec<Value>, Vec<Value>)> {
    let min = vec![
        Value::UInt(1),
        Value::Int(i8::MIN.into()),
        Value::Int(i16::MIN.into()),
        Value::Int(i32::MIN.into()),
        Value::Int(i64::MIN),
        Value::UInt(0),
        Value::UInt(0),
        Value::UInt(0),
        Value::UInt(0),
        Value::Float(-1.5),
        Value::Float(f64::MIN_POSITIVE),
        Value::from(""),
        Value::from("ab"),
        Value::Date(0),
        Value::DateTime(0, None),
        Value::DateTime(0, utc()),
        Value::Null,
        Value::Null,
        Value::Array(vec![]),
        Value::Array(vec![]),
        Value::Array(vec![]),
        Value::Array(vec![]),
    ];
    let mut min_out = min.clone();
    min_out[12] = Value::String(b"ab\0\0".to_vec());
    let max = vec![
        Value::UInt(2),
        Value::Int(i8::MAX.into()),
        Value::Int(i16::MAX.into()),
        Value::Int(i32::MAX.into()),
        Value::Int(i64::MAX),
        Value::UInt(u8::MAX.into()),
        Value::UInt(u16::MAX.into()),
        Value::UInt(u32::MAX.into()),
        Value::UInt(u64::MAX),
        Value::Float(3.25),
        Value::Float(-1.0e300),
        Value::String("héllo, wörld \t\n ✓".as_bytes().to_vec()),
        Value::from("abcd"),
        Value::Date(17_897), // 2019-01-01
        Value::DateTime(1_546_300_800, None),
        Value::DateTime(1_546_300_800, utc()),
        Value::from("not null"),
        Value::Int(-7),
        Value::from(vec![1i32, -2, 3]),
        Value::from(vec!["x", "", "zz"]),
        Value::Array(vec![Value::from(vec![1u16, 2]), Value::Array(vec![]), Value::from(vec![255u16])]),
        Value::from(vec![Some("a"), None, Some("")]),
    ];
    // Integers given as UInt into UInt columns come back as UInt; aa's elements are UInt8.
    let mut max_out = max.clone();
    max_out[20] = Value::Array(vec![
        Value::Array(vec![Value::UInt(1), Value::UInt(2)]),
        Value::Array(vec![]),
        Value::Array(vec![Value::UInt(255)]),
    ]);
    // Binary bytes (not UTF-8, with NUL) in String.
    let mut bin = max.clone();
    bin[0] = Value::UInt(3);
    bin[11] = Value::String(vec![0, 255, 254, b'a', 0]);
    bin[16] = Value::String(vec![0xC3]);
    let mut bin_out = max_out.clone();
    bin_out[0] = Value::UInt(3);
    bin_out[11] = Value::String(vec![0, 255, 254, b'a', 0]);
    bin_out[16] = Value::String(vec![0xC3]);
    vec![(min, min_out), (max, max_out), (bin, bin_out)]
}

#[test]
fn round_trip_of_supported_types() {
    let c = client();
    let t = TempTable::new(&c, "types", COLUMNS);
    let mut insert = c.insert(&t.name, &[] as &[&str]).expect("insert into every column");
    assert_eq!(insert.columns().len(), 22);
    assert_eq!(insert.columns()[12].1.kind(), Kind::FixedString);
    assert_eq!(insert.columns()[15].1.timezone(), Some("UTC"));
    let data = rows();
    for (row, _) in &data {
        insert.append_row(row).expect("append row");
    }
    insert.finish().expect("finish");

    let got = c.query(format!("SELECT * FROM {} ORDER BY id", t.name)).expect("select").into_values().expect("values");
    assert_eq!(got.len(), data.len());
    for (i, (row, (_, want))) in got.iter().zip(&data).enumerate() {
        assert_eq!(row.len(), want.len());
        for (j, (g, w)) in row.iter().zip(want).enumerate() {
            match (g, w) {
                // 18.16 writes plain "DateTime" into Native results even for DateTime('UTC')
                // columns, so the zone may be missing on the way back; the instant must not be.
                (Value::DateTime(gs, gtz), Value::DateTime(ws, _)) if j == 15 => {
                    assert_eq!(gs, ws, "row {i} column {j}");
                    assert!(gtz.as_deref().is_none_or(|z| z == "UTC"), "row {i}: zone {gtz:?}");
                }
                _ => assert_eq!(g, w, "row {i} column {j}"),
            }
        }
    }

    // Types as the server reports them.
    let mut rows = c.query(format!("SELECT * FROM {} ORDER BY id", t.name)).expect("select");
    let block = rows.next().expect("block").expect("ok");
    let types: Vec<String> = block.columns().expect("columns").iter().map(|c| c.type_name().into_owned()).collect();
    assert_eq!(types[12], "FixedString(4)");
    assert!(types[15].starts_with("DateTime"), "{}", types[15]);
    assert_eq!(types[20], "Array(Array(UInt8))");
    let dtz = block.column(15).expect("dtz");
    let zone = dtz.data_type().expect("type").timezone().map(str::to_owned);
    assert_eq!(zone.as_deref(), types[15].strip_prefix("DateTime('").and_then(|z| z.strip_suffix("')")));
    // A zone in the type the server sends does come through (toDateTime with a zone argument
    // is typed DateTime('zone') by newer servers; a parsed type always keeps it).
    assert_eq!(chconnect::DataType::parse("DateTime('UTC')").expect("parse").timezone(), Some("UTC"));
}

#[test]
fn typed_getters_and_zero_copy_buffers() {
    let c = client();
    let t = TempTable::new(&c, "getters", COLUMNS);
    let mut insert = c.insert(&t.name, &[] as &[&str]).expect("insert");
    for (row, _) in rows() {
        insert.append_row(&row).expect("append");
    }
    insert.finish().expect("finish");
    let block =
        c.query(format!("SELECT * FROM {} ORDER BY id", t.name)).expect("select").next().expect("block").expect("ok");
    assert_eq!(block.row_count(), 3);
    let col = |i: usize| block.column(i).expect("column");

    assert_eq!(col(1).i64(0), Ok(-128));
    assert_eq!(col(4).i64(0), Ok(i64::MIN));
    assert_eq!(col(8).u64(1), Ok(u64::MAX));
    assert_eq!(col(8).i64(1).err().map(|e| e.status()), Some(Status::Type), "UInt64 max does not fit i64");
    assert_eq!(col(5).u64(1), Ok(255));
    assert_eq!(col(5).f64(1), Ok(255.0));
    assert_eq!(col(9).f64(1), Ok(3.25));
    assert_eq!(col(10).f64(1), Ok(-1.0e300));
    assert_eq!(col(11).str(1), Ok("héllo, wörld \t\n ✓"));
    assert_eq!(col(11).bytes(2), Ok(&[0u8, 255, 254, b'a', 0][..]));
    assert_eq!(col(11).str(2).err().map(|e| e.status()), Some(Status::Type), "not UTF-8");
    assert_eq!(col(12).bytes(0), Ok(&b"ab\0\0"[..]));
    assert_eq!(col(13).i64(1), Ok(17_897));
    assert_eq!(col(14).u64(1), Ok(1_546_300_800));

    // Zero-copy slices.
    assert_eq!(col(3).as_slice::<i32>().expect("i32"), &[i32::MIN, i32::MAX, i32::MAX]);
    assert_eq!(col(13).as_slice::<u16>().expect("Date as u16"), &[0, 17_897, 17_897]);
    assert_eq!(col(2).data(), &[0x00, 0x80, 0xff, 0x7f, 0xff, 0x7f], "Int16 little-endian");
    let s = col(11);
    assert_eq!(s.offsets().len(), 4);
    assert_eq!(s.offsets()[0], 0);
    let (a, b) = (s.offsets()[1] as usize, s.offsets()[2] as usize);
    assert_eq!(&s.data()[a..b], "héllo, wörld \t\n ✓".as_bytes());

    // Nullable: null map plus inner column.
    let ns = col(16);
    assert!(ns.is_nullable());
    assert_eq!(ns.null_map(), Some(&[1u8, 0, 0][..]));
    assert!(ns.is_null(0) && !ns.is_null(1));
    assert_eq!(ns.str(1), Ok("not null"));
    assert_eq!(ns.child(0).expect("inner").kind(), Kind::String);
    assert_eq!(col(17).value(0), Ok(Value::Null));
    assert_eq!(col(17).i64(1), Ok(-7));

    // Arrays: offsets into the element child, nested.
    let ai = col(18);
    assert_eq!(ai.offsets(), &[0, 0, 3, 6]);
    let elems = ai.child(0).expect("elements");
    assert_eq!(elems.as_slice::<i32>().expect("elements"), &[1, -2, 3, 1, -2, 3]);
    let aa = col(20);
    assert_eq!(aa.child_count(), 1);
    let inner = aa.child(0).expect("inner arrays");
    assert_eq!(inner.kind(), Kind::Array);
    assert_eq!(inner.child(0).expect("leaf").as_slice::<u8>().expect("UInt8"), &[1, 2, 255, 1, 2, 255]);
    assert_eq!(
        aa.value(1),
        Ok(Value::Array(vec![
            Value::Array(vec![Value::UInt(1), Value::UInt(2)]),
            Value::Array(vec![]),
            Value::Array(vec![Value::UInt(255)]),
        ]))
    );
    assert_eq!(col(21).value(1), Ok(Value::Array(vec![Value::from("a"), Value::Null, Value::from("")])));
    assert_eq!(block.row(0).expect("row 0").len(), 22);
}

#[test]
fn column_builders_and_rejected_values() {
    let c = client();
    let t = TempTable::new(&c, "builders", "k UInt8, tags Array(Nullable(String)), f Float32");
    let mut insert = c.insert(&t.name, &["k", "tags", "f"]).expect("insert");

    // A value that does not fit fails the whole row before anything is appended.
    let e = insert.append_row(&[Value::UInt(300), Value::Array(vec![]), Value::Float(1.0)]).expect_err("300 > UInt8");
    assert_eq!(e.status(), Status::Type, "{e}");
    let e = insert
        .append_row(&[Value::UInt(1), Value::from(vec![Some(1i32)]), Value::Float(1.0)])
        .expect_err("Int in Array(String)");
    assert_eq!(e.status(), Status::Type, "{e}");
    let e = insert.append_row(&[Value::UInt(1)]).expect_err("short row");
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    assert_eq!(insert.row_count(), 0);
    insert.append_row(&[Value::UInt(1), Value::from(vec![Some("a"), None]), Value::Int(2)]).expect("good row");

    // Column by column through the builders.
    {
        let mut k = insert.builder(0).expect("k");
        k.append_u64(2).expect("k");
        assert_eq!(k.append_i64(-1).err().map(|e| e.status()), Some(Status::Type));
        assert_eq!(k.append_null().err().map(|e| e.status()), Some(Status::Type));
        assert_eq!(k.row_count(), 2);
    }
    {
        let mut tags = insert.builder(1).expect("tags");
        {
            let mut elems = tags.child().expect("elements");
            elems.append_str("x").expect("x");
            elems.append_null().expect("null element");
            elems.append(&Value::from("y")).expect("y");
        }
        tags.end_array().expect("end row");
    }
    insert.builder(2).expect("f").append_f64(0.5).expect("f");
    assert!(insert.builder(3).is_err());
    assert_eq!(insert.row_count(), 2);
    let resp = insert.finish().expect("finish");
    let _ = resp.query_id();

    let got = c
        .query(format!("SELECT k, tags, f FROM {} ORDER BY k", t.name))
        .expect("select")
        .into_values()
        .expect("values");
    assert_eq!(
        got,
        vec![
            vec![Value::UInt(1), Value::Array(vec![Value::from("a"), Value::Null]), Value::Float(2.0)],
            vec![
                Value::UInt(2),
                Value::Array(vec![Value::from("x"), Value::Null, Value::from("y")]),
                Value::Float(0.5)
            ],
        ]
    );
}

#[test]
fn unequal_columns_are_not_sent() {
    let c = client();
    let t = TempTable::new(&c, "unequal", "a UInt8, b UInt8");
    let mut insert = c.insert(&t.name, &["a", "b"]).expect("insert");
    insert.builder(0).expect("a").append_u64(1).expect("a");
    let e = insert.finish().expect_err("columns differ in length");
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    assert_eq!(c.command(format!("SELECT count() FROM {}", t.name)).expect("count").text(), "0");
    // Dropping an unfinished insert sends nothing either.
    let mut insert = c.insert(&t.name, &["a", "b"]).expect("insert");
    insert.append_row(&[1u8.into(), 2u8.into()]).expect("row");
    drop(insert);
    assert_eq!(c.command(format!("SELECT count() FROM {}", t.name)).expect("count").text(), "0");
}

#[test]
fn insert_raw_body() {
    let c = client();
    let t = TempTable::new(&c, "raw", "k UInt32, v String");
    let resp =
        c.insert_raw(format!("INSERT INTO {} FORMAT TabSeparated", t.name), b"1\tone\n2\ttwo\n").expect("raw insert");
    let _ = resp.summary("written_rows"); // 18.16 sends no summary: None is fine
    let got =
        c.query(format!("SELECT k, v FROM {} ORDER BY k", t.name)).expect("select").into_values().expect("values");
    assert_eq!(got, vec![vec![Value::UInt(1), Value::from("one")], vec![Value::UInt(2), Value::from("two")]]);
    let e = c.insert_raw(format!("INSERT INTO {} FORMAT TabSeparated", t.name), b"x\ty\n").expect_err("bad row");
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_ne!(e.code(), 0, "{e}");
}

#[test]
fn many_rows_across_blocks_round_trip() {
    let c = client();
    let t = TempTable::new(&c, "many", "k UInt64, s Nullable(String), a Array(UInt16)");
    let mut insert = c.insert(&t.name, &["k", "s", "a"]).expect("insert");
    let n = 5000u64;
    for k in 0..n {
        let s = if k.is_multiple_of(3) { Value::Null } else { Value::from(format!("v{k}")) };
        let a = Value::from((0..(k % 4) as u16).collect::<Vec<u16>>());
        insert.append_row(&[Value::UInt(k), s, a]).expect("append");
    }
    insert.finish().expect("finish");
    let q = chconnect::Query::new(format!("SELECT k, s, a FROM {} ORDER BY k", t.name)).setting("max_block_size", 512);
    let mut k = 0u64;
    let mut blocks = 0;
    for block in c.query(q).expect("select") {
        let block = block.expect("block");
        blocks += 1;
        for row in block.to_rows().expect("rows") {
            let want_s = if k.is_multiple_of(3) { Value::Null } else { Value::from(format!("v{k}")) };
            assert_eq!(row, vec![Value::UInt(k), want_s, Value::from((0..(k % 4) as u16).collect::<Vec<u16>>())]);
            k += 1;
        }
    }
    assert_eq!(k, n);
    assert!(blocks > 1, "blocks = {blocks}");
}
