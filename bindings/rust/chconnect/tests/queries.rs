//! Queries, commands, errors and threads against the real test server.

mod common;

use std::thread;

use chconnect::{Client, Kind, Query, Status, Value};
use common::{client, env, on_standin, server_kind, unique_name, ServerKind, TempTable};

#[test]
fn seed_example() {
    let c = client();
    let table = unique_name("seed");
    c.command(format!("DROP TABLE IF EXISTS {table}")).expect("drop");
    c.command(format!("CREATE TABLE {table} (key UInt32, value String, metric Float64) ENGINE MergeTree ORDER BY key"))
        .expect("create");
    let mut insert = c.insert(&table, &["key", "value", "metric"]).expect("insert begin");
    insert.append_row(&[1000u32.into(), "String Value 1000".into(), 5.233.into()]).expect("row 1");
    insert.append_row(&[2000u32.into(), "String Value 2000".into(), (-107.04).into()]).expect("row 2");
    assert_eq!(insert.row_count(), 2);
    insert.finish().expect("finish");

    let mut rows = c.query(format!("SELECT max(key), avg(metric) FROM {table}")).expect("query");
    let block = rows.next().expect("one block").expect("block ok");
    assert_eq!((block.column_count(), block.row_count()), (2, 1));
    let (max, avg) = (block.column(0).expect("col 0"), block.column(1).expect("col 1"));
    assert_eq!(max.kind(), Kind::UInt32);
    assert_eq!(max.u64(0), Ok(2000));
    let avg = avg.f64(0).expect("avg");
    assert!((avg - -50.9035).abs() < 1e-9, "avg = {avg}");
    assert!(rows.all(|b| b.map(|b| b.row_count() == 0).unwrap_or(false)), "no further rows");
    c.command(format!("DROP TABLE {table}")).expect("drop");
}

#[test]
fn ping_version_and_command_text() {
    let c = client();
    c.ping().expect("ping");
    let v = c.server_version().expect("version");
    assert!(v.chars().next().is_some_and(|ch| ch.is_ascii_digit()), "version {v:?}");
    assert_eq!(c.server_version().expect("cached version"), v);
    assert_eq!(c.command("SELECT version()").expect("version()").text(), v);
    // Which server it is: 18.16.x, or the stand-in's current engine (26.x when written).
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or_else(|_| panic!("version {v:?}")));
    let (major, minor) = (parts.next().expect("major"), parts.next().expect("minor"));
    match server_kind() {
        ServerKind::ClickHouse1816 => {
            assert_eq!((major, minor), (18, 16), "version {v:?} on clickhouse-18.16");
            if let Ok(sv) = std::env::var("CHC_TEST_SERVER_VERSION") {
                assert_eq!(v, sv, "tests/server/start.sh's CHC_TEST_SERVER_VERSION");
            }
        }
        ServerKind::ChdbStandin => assert!(major >= 24, "version {v:?}: the stand-in runs a current engine"),
    }
    let r = c.command("SELECT 1 + 2").expect("command");
    assert_eq!(r.text(), "3");
    assert_eq!(r.body(), b"3\n");
}

#[test]
fn wrong_password_gives_auth_error_without_the_password() {
    let secret = "Wr0ng-Pa55word-9431";
    let c = Client::from_config(&[
        ("host", env("CHC_TEST_HOST").as_str()),
        ("port", env("CHC_TEST_HTTP_PORT").as_str()),
        ("username", env("CHC_TEST_USER").as_str()),
        ("password", secret),
    ])
    .expect("open");
    let e = c.command("SELECT 1").expect_err("wrong password must fail");
    assert_eq!(e.status(), Status::Auth, "{e}");
    // 18.16: HTTP 401, code 193 (WRONG_PASSWORD; no name in its text); current servers: 403,
    // 516 AUTHENTICATION_FAILED.
    let want = match server_kind() {
        ServerKind::ClickHouse1816 => (401, 193, ""),
        ServerKind::ChdbStandin => (403, 516, "AUTHENTICATION_FAILED"),
    };
    assert_eq!((e.http_status(), e.code(), e.name()), want, "{e}");
    for text in [e.to_string(), format!("{e:?}"), e.message().to_string()] {
        assert!(!text.contains(secret), "password leaked: {text}");
    }
    // Same through a URL, and through query() as well.
    let url = format!(
        "http://{}:{secret}@{}:{}/default",
        env("CHC_TEST_USER"),
        env("CHC_TEST_HOST"),
        env("CHC_TEST_HTTP_PORT")
    );
    let e = Client::open(&url).expect("open").query("SELECT 1").expect_err("wrong password");
    assert_eq!(e.status(), Status::Auth, "{e}");
    assert_eq!((e.http_status(), e.code(), e.name()), want, "{e}");
    assert!(!format!("{e} {e:?}").contains(secret), "password leaked: {e:?}");
    // The real password does not leak into errors either.
    let e = client().command("SELECT * FROM no_such_table_for_leak_check").expect_err("missing");
    assert!(!format!("{e} {e:?}").contains(&env("CHC_TEST_PASSWORD")), "{e:?}");
}

#[test]
fn missing_table_is_code_60_and_client_stays_usable() {
    let c = client();
    let table = unique_name("missing");
    let e = c.query(format!("SELECT * FROM {table}")).expect_err("missing table");
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_eq!(e.code(), 60, "{e}");
    // Exception names ("(UNKNOWN_TABLE)") are in current servers' texts, not in 18.16's.
    assert_eq!(e.name(), if on_standin() { "UNKNOWN_TABLE" } else { "" }, "{e}");
    assert_eq!(e.http_status(), 404, "{e}");
    assert!(e.message().contains(&table), "{e}");
    assert!(e.to_string().contains("60"), "{e}");
    let e = c.command(format!("DROP TABLE {table}")).expect_err("missing table");
    assert_eq!((e.status(), e.code()), (Status::Server, 60), "{e}");
    // The same client keeps working.
    assert_eq!(c.command("SELECT 42").expect("after error").text(), "42");
    let v = c.query("SELECT 7").expect("query").into_values().expect("values");
    assert_eq!(v, vec![vec![Value::UInt(7)]]);
}

#[test]
fn syntax_error_and_error_during_stream() {
    let c = client();
    let e = c.command("SELEC 1").expect_err("syntax");
    assert_eq!((e.status(), e.code(), e.http_status()), (Status::Server, 62, 400), "{e}");
    assert_eq!(e.name(), if on_standin() { "SYNTAX_ERROR" } else { "" }, "{e}");
    // throwIf fails after some blocks; whether it surfaces at query() or during the stream, the
    // error reaches the caller and the result is never reported complete.
    let q =
        Query::new("SELECT throwIf(number = 50000) FROM system.numbers LIMIT 100000").setting("max_block_size", 1000);
    let outcome = c.query(q).and_then(|rows| rows.into_values());
    let e = outcome.expect_err("throwIf must fail");
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_eq!(e.code(), 395, "{e}");
    assert_eq!(c.command("SELECT 1").expect("usable").text(), "1");
}

/// Query parameters go out as `param_<name>`: current servers (the stand-in) substitute
/// `{name:Type}`; 18.16 has no query parameters and rejects `param_n` as an unknown setting (115,
/// HTTP 404). The value is sent as given, TSV-escaped: `\t` is a TAB in the value.
#[test]
fn query_parameters_per_server() {
    let c = client();
    let q = Query::new("SELECT {n:UInt32} + 1 AS n, {s:String} AS s").param("n", 41).param("s", r"it's\tok");
    let command = c.command(&q);
    let values = c.query(&q).and_then(|r| r.into_values());
    match server_kind() {
        ServerKind::ChdbStandin => {
            // TabSeparated escapes the quote and the TAB.
            assert_eq!(command.expect("command with param_*").text(), r"42	it\'s\tok");
            assert_eq!(values.expect("query with param_*"), vec![vec![Value::UInt(42), Value::from("it's\tok")]]);
        }
        ServerKind::ClickHouse1816 => {
            for e in [command.expect_err("18.16 has no param_*"), values.expect_err("18.16 has no param_*")] {
                assert_eq!((e.status(), e.code(), e.http_status()), (Status::Server, 115, 404), "{e}");
                assert!(e.message().contains("param_"), "{e}");
            }
        }
    }
    assert_eq!(c.command("SELECT 1").expect("usable").text(), "1");
}

/// X-ClickHouse-Summary: 18.16 sends none; current servers (the stand-in) send every field.
#[test]
fn summary_per_server() {
    let c = client();
    let t = TempTable::new(&c, "summary", "k UInt32");
    let insert =
        c.command(format!("INSERT INTO {} SELECT number FROM system.numbers LIMIT 3", t.name)).expect("insert");
    let select = c.command("SELECT 1").expect("select");
    let rows = c.query("SELECT 1").expect("query");
    const FIELDS: [&str; 8] = [
        "read_rows",
        "read_bytes",
        "written_rows",
        "written_bytes",
        "total_rows_to_read",
        "result_rows",
        "result_bytes",
        "elapsed_ns",
    ];
    for f in FIELDS {
        if on_standin() {
            assert!(select.summary(f).is_some_and(|v| v >= 0), "{f}: {:?}", select.summary(f));
        } else {
            assert_eq!((select.summary(f), insert.summary(f)), (None, None), "{f}: 18.16 sends no summary");
        }
    }
    if on_standin() {
        assert_eq!(select.summary("result_rows"), Some(1));
        assert_eq!(insert.summary("written_rows"), Some(3));
    }
    // A streamed result reads the summary from the response headers.
    assert_eq!(rows.summary("read_rows").is_some(), on_standin(), "{:?}", rows.summary("read_rows"));
    assert_eq!(select.summary("no_such_field"), None);
}

#[test]
fn several_blocks_with_small_max_block_size() {
    let c = client();
    let q = Query::new("SELECT number, toString(number) AS s FROM system.numbers LIMIT 10000")
        .setting("max_block_size", 1000);
    let (mut blocks, mut rows, mut sum) = (0, 0usize, 0u64);
    for block in c.query(q).expect("query") {
        let block = block.expect("block");
        if block.row_count() == 0 {
            continue;
        }
        blocks += 1;
        let n = block.column(0).expect("number");
        let s = block.column_by_name("s").expect("s");
        let numbers = n.as_slice::<u64>().expect("UInt64 slice");
        assert_eq!(numbers.len(), block.row_count());
        for (i, &x) in numbers.iter().enumerate() {
            assert_eq!(s.str(i).expect("str"), x.to_string());
        }
        sum += numbers.iter().sum::<u64>();
        rows += block.row_count();
    }
    assert!(blocks >= 2, "expected several blocks, got {blocks}");
    assert_eq!(rows, 10000);
    assert_eq!(sum, 9999 * 10000 / 2);
}

#[test]
fn query_options_settings_and_query_id() {
    let c = client();
    let id = unique_name("qid");
    let q = Query::new("SELECT value FROM system.settings WHERE name = 'max_threads'")
        .setting("max_threads", 3)
        .query_id(&id);
    let rows = c.query(&q).expect("query");
    assert_eq!(rows.query_id(), id);
    assert_eq!(rows.into_values().expect("values"), vec![vec![Value::from("3")]]);
    // The same Query value can be reused, also for a command.
    assert_eq!(c.command(q.clone().query_id(unique_name("qid2"))).expect("command").text(), "3");
    // Query options of the library reject unknown keys.
    let e = c.command(Query::new("SELECT 1").option("no_such", 1)).expect_err("unknown option");
    assert_eq!(e.status(), Status::NotFound, "{e}");
}

#[test]
fn empty_result() {
    let c = client();
    let rows = c.query("SELECT number FROM system.numbers WHERE number > 10 LIMIT 0").expect("query");
    assert!(rows.into_values().expect("values").is_empty());
}

#[test]
fn concurrent_queries_from_threads() {
    let c = client();
    thread::scope(|s| {
        let handles: Vec<_> = (0..4u64)
            .map(|t| {
                let c = c.clone();
                s.spawn(move || {
                    for i in 0..5u64 {
                        let n = 1000 * (t + 1) + i;
                        let got = c
                            .query(format!("SELECT sum(number) FROM (SELECT number FROM system.numbers LIMIT {n})"))
                            .and_then(|r| r.into_values())
                            .expect("threaded query");
                        assert_eq!(got, vec![vec![Value::UInt(n * (n - 1) / 2)]]);
                        c.ping().expect("threaded ping");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread");
        }
    });
    // Sharing one &Client (Sync) rather than clones works too.
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert_eq!(c.command("SELECT 5").expect("command").text(), "5"));
        }
    });
}

#[test]
fn handles_outlive_their_parents_and_move_threads() {
    let c = client();
    let mut rows = c.query("SELECT number AS n, [number, number + 1] AS a FROM system.numbers LIMIT 3").expect("query");
    drop(c); // the result keeps the client alive
    let block = rows.next().expect("block").expect("ok");
    let (n, a) = (block.column(0).expect("n"), block.column(1).expect("a"));
    let elems = a.child(0).expect("elements");
    drop(block);
    drop(rows);
    drop(a); // the element child keeps its parent's memory alive
    assert_eq!(n.name(), "n");
    assert_eq!(n.as_slice::<u64>().expect("slice"), &[0, 1, 2]);
    assert_eq!(elems.row_count(), 6);
    // Columns and results may move to another thread.
    let moved = thread::spawn(move || (n.values(), elems.values())).join().expect("thread");
    assert_eq!(moved.0.expect("n values"), vec![Value::UInt(0), Value::UInt(1), Value::UInt(2)]);
    assert_eq!(moved.1.expect("elements").len(), 6);
    let rows = client().query("SELECT 1").expect("query");
    let got = thread::spawn(move || rows.into_values()).join().expect("thread").expect("values");
    assert_eq!(got, vec![vec![Value::UInt(1)]]);
}

#[test]
fn bad_input_gives_errors_not_panics() {
    let c = client();
    let block = c.query("SELECT 1 AS x, 'a' AS s").expect("query").next().expect("block").expect("ok");
    assert_eq!(block.column(5).err().map(|e| e.status()), Some(Status::InvalidArgument));
    let x = block.column(0).expect("x");
    let s = block.column(1).expect("s");
    assert_eq!(x.i64(1).err().map(|e| e.status()), Some(Status::InvalidArgument));
    assert_eq!(x.value(1).err().map(|e| e.status()), Some(Status::InvalidArgument));
    assert_eq!(x.str(0).err().map(|e| e.status()), Some(Status::Type));
    assert_eq!(s.i64(0).err().map(|e| e.status()), Some(Status::Type));
    assert_eq!(s.as_slice::<u8>().err().map(|e| e.status()), Some(Status::Type));
    assert_eq!(x.as_slice::<u64>().err().map(|e| e.status()), Some(Status::Type));
    assert_eq!(x.child(0).err().map(|e| e.status()), Some(Status::InvalidArgument));
    assert!(x.null_map().is_none() && !x.is_null(0) && !x.is_null(99));
    assert_eq!(block.column_by_name("nope").err().map(|e| e.status()), Some(Status::NotFound));
    let e = c.command("SELECT 1\0").expect_err("NUL in SQL goes to the server as is");
    assert_eq!(e.status(), Status::Server, "{e}");
    let _t = TempTable::new(&c, "bad", "k UInt8");
    let e = c.insert(&_t.name, &["no_such_column"]).expect_err("unknown column");
    assert_eq!(e.status(), Status::NotFound, "{e}");
}
