//! Inserts with the column types given (`Client::insert_typed`) against the real test server.

mod common;

use chconnect::{Query, Status, Value};
use common::{client, unique_name, TempTable};

const TABLE_COLUMNS: &str = "id UInt32, s String, f Nullable(Float64)";

#[test]
fn insert_typed_round_trip() {
    let c = client();
    let t = TempTable::new(&c, "typed", TABLE_COLUMNS);
    // Not the table's order, as with insert: the server matches the columns by name.
    let mut insert =
        c.insert_typed(&t.name, &["f", "id", "s"], &["Nullable(Float64)", "UInt32", "String"]).expect("insert_typed");
    let cols: Vec<(&str, &str)> = insert.columns().iter().map(|(n, ty)| (n.as_str(), ty.name())).collect();
    assert_eq!(cols, [("f", "Nullable(Float64)"), ("id", "UInt32"), ("s", "String")]);
    insert.append_row(&[Value::Null, 7u32.into(), "a".into()]).expect("row 1");
    insert.append_row(&[2.5.into(), 8u32.into(), "bc".into()]).expect("row 2");
    insert.append_row(&[(-1.25).into(), 9u32.into(), "".into()]).expect("row 3");
    // The types given decide what a row may hold, as DESCRIBE's would.
    let e = insert.append_row(&[Value::Null, Value::Null, "x".into()]).expect_err("NULL into UInt32");
    assert_eq!(e.status(), Status::Type, "{e}");
    assert_eq!(insert.row_count(), 3);
    insert.finish().expect("finish");

    let got =
        c.query(format!("SELECT id, s, f FROM {} ORDER BY id", t.name)).expect("select").into_values().expect("values");
    assert_eq!(
        got,
        vec![
            vec![Value::UInt(7), Value::from("a"), Value::Null],
            vec![Value::UInt(8), Value::from("bc"), Value::Float(2.5)],
            vec![Value::UInt(9), Value::from(""), Value::Float(-1.25)],
        ]
    );
}

#[test]
fn insert_typed_with_options_and_owned_strings() {
    let c = client();
    let t = TempTable::new(&c, "typed_with", TABLE_COLUMNS);
    let columns = vec!["id".to_string(), "s".to_string()];
    let types = vec!["UInt32".to_string(), "String".to_string()];
    let id = unique_name("typed_qid");
    let opts = Query::new("the SQL is ignored").query_id(&id);
    let mut insert = c.insert_typed_with(&t.name, &columns, &types, &opts).expect("insert_typed_with");
    for k in 1..=5u32 {
        insert.append_row(&[k.into(), format!("v{k}").into()]).expect("row");
    }
    let resp = insert.finish().expect("finish");
    assert_eq!(resp.query_id(), id);
    // The column left out takes its default.
    let got = c
        .command(format!("SELECT count(), sum(id), arraySort(groupArray(s)), countIf(isNull(f)) FROM {}", t.name))
        .expect("count")
        .text()
        .into_owned();
    assert_eq!(got, "5\t15\t['v1','v2','v3','v4','v5']\t5");
}

#[test]
fn insert_typed_unknown_column_fails_at_finish() {
    let c = client();
    let t = TempTable::new(&c, "typed_nosuch", TABLE_COLUMNS);
    // Nothing is checked when the insert begins: the server sees the column at finish.
    let mut insert = c.insert_typed(&t.name, &["id", "nosuch"], &["UInt32", "String"]).expect("begins unchecked");
    insert.append_row(&[1u32.into(), "x".into()]).expect("row");
    let e = insert.finish().expect_err("the table has no column nosuch");
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_ne!(e.code(), 0, "{e}");
    assert!(e.message().contains("nosuch"), "{e}");
    assert_eq!(c.command(format!("SELECT count() FROM {}", t.name)).expect("count").text(), "0");

    // A table that does not exist is the server's error at finish too.
    let missing = unique_name("typed_missing");
    let mut insert = c.insert_typed(&missing, &["id"], &["UInt32"]).expect("begins without asking");
    insert.append_row(&[1u32.into()]).expect("row");
    let e = insert.finish().expect_err("no such table");
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_ne!(e.code(), 0, "{e}");
}

#[test]
fn insert_typed_argument_errors_leave_the_client_usable() {
    let c = client();
    let t = TempTable::new(&c, "typed_args", TABLE_COLUMNS);
    let e = c.insert_typed(&t.name, &["id", "s"], &["UInt32"]).expect_err("2 names, 1 type");
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    assert!(e.message().contains("2 column names but 1 types"), "{e}");
    let e = c.insert_typed(&t.name, &["id", "s"], &["UInt32", "Strin g"]).expect_err("malformed type");
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    assert!(e.message().contains("Strin g"), "{e}");
    assert_eq!(e.code(), 0, "not a server error: {e}");
    c.ping().expect("the client still answers");
    assert_eq!(c.command(format!("SELECT count() FROM {}", t.name)).expect("count").text(), "0");
}
