//! Client::query_raw: a query's response body as bytes through std::io::Read, against the real
//! server (and the chDB stand-in, minus the two tests .ci/binding_suites_standin.sh excludes).

mod common;

use std::io::{self, Read};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use chconnect::{Error, Query, Status};
use common::{client, on_standin};

fn crate_error(e: &io::Error) -> &Error {
    Error::from_io(e).unwrap_or_else(|| panic!("not a chconnect::Error inside: {e:?}"))
}

fn assert_usable(c: &chconnect::Client, n: u32) {
    assert_eq!(c.command(format!("SELECT {n}")).expect("client still usable").text(), n.to_string());
}

/// A big CSV answer streamed through io::copy is byte for byte the buffered body of the query.
#[test]
fn raw_csv_matches_command() {
    let c = client();
    let sql = "SELECT number, toString(number * 3), 'x,\"y\"' FROM numbers(300000) FORMAT CSV";
    let qid = common::unique_name("raw_csv");
    let mut raw = c.query_raw(Query::new(sql).query_id(&qid)).expect("query_raw");
    assert_eq!(raw.query_id(), qid);
    let mut got = Vec::new();
    let n = io::copy(&mut raw, &mut got).expect("io::copy");
    assert_eq!(n as usize, got.len());
    let want = c.command(sql).expect("command");
    assert!(got == want.body(), "streamed {} bytes, buffered body has {}", got.len(), want.body().len());
    assert_eq!(got.iter().filter(|&&b| b == b'\n').count(), 300000);
    assert!(got.starts_with(b"0,\"0\",\"x,\"\"y\"\"\"\n"));
    // The end repeats; an empty buffer reads nothing.
    let mut b = [0u8; 8];
    assert_eq!(raw.read(&mut b).expect("read after the end"), 0);
    assert_eq!(raw.read(&mut b).expect("read after the end"), 0);
    assert_eq!(raw.read(&mut []).expect("empty read"), 0);
    raw.cancel(); // harmless after the end
    assert_eq!(raw.read(&mut b).expect("read after the end and a cancel"), 0);
    drop(raw);

    // The server's default format, read one byte at a time, through read_to_end.
    let mut small = c.query_raw("SELECT 7, 'a'").expect("query_raw");
    let mut one = [0u8; 1];
    let mut text = Vec::new();
    loop {
        match small.read_bytes(&mut one).expect("read_bytes") {
            0 => break,
            k => text.extend_from_slice(&one[..k]),
        }
    }
    assert_eq!(text, b"7\ta\n");
    let mut rest = Vec::new();
    c.query_raw("SELECT 8 FORMAT TSV").expect("query_raw").read_to_end(&mut rest).expect("read_to_end");
    assert_eq!(rest, b"8\n");
}

/// A server error before the body is returned by query_raw itself, with the server's code.
#[test]
fn raw_server_error_before_body() {
    let c = client();
    let e = c.query_raw("SELECT * FROM chc_no_such_table_rs_raw FORMAT CSV").expect_err("unknown table");
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_eq!(e.code(), 60, "{e}");
    assert!(e.message().contains("chc_no_such_table_rs_raw"), "{e}");
    assert!(!e.query_id().is_empty(), "{e}");
    assert_usable(&c, 2);
}

/// An exception raised while the body streams is an error, never data. 18.16 writes it into the
/// body after the rows before it (a read reports it); the stand-in may fail before the body.
#[test]
fn raw_mid_stream_error() {
    let c = client();
    let q = Query::new(
        "SELECT throwIf(number = 100000), number, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' FROM numbers(200000) FORMAT CSV",
    )
    .setting("max_block_size", 1000);
    let mut got = Vec::new();
    let e: Error = match c.query_raw(q) {
        Ok(mut raw) => {
            let ioe = io::copy(&mut raw, &mut got).expect_err("the body ended without the error");
            let e = crate_error(&ioe).clone();
            assert_eq!(ioe.kind(), io::ErrorKind::Other);
            assert_eq!(e.query_id(), raw.query_id());
            // Sticky, and the crate error comes back out of the io::Error by downcasting too.
            let again = raw.read(&mut [0u8; 16]).expect_err("sticky");
            let inner = again.into_inner().expect("inner error").downcast::<Error>().expect("a chconnect::Error");
            assert_eq!(inner.code(), 395);
            e
        }
        Err(e) => {
            assert!(on_standin(), "18.16 streams rows before the error; query_raw failed: {e}");
            e
        }
    };
    assert_eq!(e.status(), Status::Server, "{e}");
    assert_eq!(e.code(), 395, "{e}");
    assert!(!got.windows(6).any(|w| w == b"Code: "), "the exception text was delivered as data");
    if !on_standin() {
        assert_eq!(e.http_status(), 200, "{e}");
        assert!(got.len() > 1_000_000 && got.ends_with(b"\n"), "{} bytes", got.len());
    }
    assert_usable(&c, 4);
}

/// After a cancel every read fails with Cancelled; dropping early frees the connection.
#[test]
fn raw_read_after_cancel_and_early_drop() {
    let c = client();
    let mut raw = c.query_raw("SELECT number FROM numbers(300000) FORMAT TSV").expect("query_raw");
    let mut b = [0u8; 2];
    raw.read_exact(&mut b).expect("first bytes");
    assert_eq!(&b, b"0\n");
    let handle = raw.cancel_handle();
    handle.cancel();
    handle.cancel();
    for _ in 0..2 {
        let e = raw.read(&mut b).expect_err("read after cancel");
        assert_eq!(crate_error(&e).status(), Status::Cancelled, "{e}");
    }
    drop(raw);
    handle.cancel(); // after the drop: nothing to cancel, no crash
    assert_usable(&c, 5);

    let mut raw = c.query_raw("SELECT number FROM numbers(300000) FORMAT TSV").expect("query_raw");
    raw.read_exact(&mut b).expect("first bytes");
    drop(raw); // before the end: aborts the transfer
    assert_usable(&c, 6);
}

/// Dropping an endless answer early aborts the transfer promptly; the client stays usable.
/// Excluded against the chDB stand-in (it computes whole results before sending).
#[test]
fn raw_early_drop_aborts_an_endless_answer() {
    let c = client();
    let t0 = Instant::now();
    let raw = c.query_raw("SELECT number, toString(number) FROM system.numbers FORMAT CSV").expect("query_raw");
    let n = io::copy(&mut raw.take(3_000_000), &mut io::sink()).expect("read 3 MB");
    assert_eq!(n, 3_000_000);
    assert!(t0.elapsed() < Duration::from_secs(30), "{:?}", t0.elapsed());
    assert_usable(&c, 3);
}

/// A cancel from another thread aborts a read blocked waiting for the server. The query sends
/// about 1 MiB (the server's first buffer) and then scans without output; max_execution_time
/// ends it on the server side. Excluded against the chDB stand-in (it would never answer).
#[test]
fn raw_cancel_from_another_thread_aborts_a_blocked_read() {
    let c = client();
    let q = Query::new("SELECT number FROM system.numbers WHERE number < 200000 OR number > 1000000000000 FORMAT CSV")
        .setting("max_execution_time", 20);
    let t0 = Instant::now();
    let mut raw = c.query_raw(q).expect("query_raw");
    let mut first = vec![0u8; 1 << 20];
    raw.read_exact(&mut first).expect("the first MiB");
    let handle = raw.cancel_handle();
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        let r = io::copy(&mut raw, &mut io::sink());
        tx.send(()).ok();
        (r, raw)
    });
    // The reader blocks: nothing more arrives.
    assert!(rx.recv_timeout(Duration::from_millis(700)).is_err(), "the read ended before the cancel");
    handle.cancel();
    rx.recv_timeout(Duration::from_secs(15)).expect("the read still blocks 15 s after the cancel");
    let (r, mut raw) = reader.join().expect("reader thread");
    let e = r.expect_err("cancelled");
    let ce = crate_error(&e);
    assert_eq!(ce.status(), Status::Cancelled, "{e}");
    assert_eq!(ce.query_id(), raw.query_id());
    let again = raw.read(&mut first).expect_err("sticky");
    assert_eq!(crate_error(&again).status(), Status::Cancelled);
    drop(raw);
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_usable(&c, 7);
}
