//! CancelSwitch attached to a Query: another thread stops requests made with the query, also
//! while they still wait for the server's response (no result exists yet), against the real
//! server (and the chDB stand-in). The server sleeps 3 s before answering (18.16 caps sleep() at
//! 3 s); a cancelled request must return well before that.

mod common;

use std::io::Read;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use chconnect::{CancelSwitch, Client, Error, Query, Result, Status, Value};
use common::{client, TempTable};

/// Answers after 3 s and sends nothing before (no progress headers by default).
const SLOW_SQL: &str = "SELECT sleep(3)";
/// The switch is triggered this long after the request started.
const TRIGGER_AFTER: Duration = Duration::from_millis(300);
/// From the trigger to the request's return: the contract says "well under a second"; generous
/// for a loaded 2-core machine.
const MAX_LATENCY: Duration = Duration::from_millis(1500);
/// From the request's start to its return: an uncancelled request takes 3 s.
const MAX_TOTAL: Duration = Duration::from_millis(2500);
/// A request with an already triggered switch fails without contacting the server.
const AT_ONCE: Duration = Duration::from_millis(500);

fn assert_usable(c: &Client, n: u32) {
    assert_eq!(c.command(format!("SELECT {n}")).expect("client still usable").text(), n.to_string());
}

fn assert_cancelled<T: std::fmt::Debug>(what: &str, r: Result<T>) -> Error {
    let e = r.expect_err(what);
    assert_eq!(e.status(), Status::Cancelled, "{what}: {e}");
    e
}

/// Triggers `switch` from another thread `TRIGGER_AFTER` from now; the join gives the instant
/// of the trigger.
fn trigger_later(switch: &CancelSwitch) -> thread::JoinHandle<Instant> {
    let switch = switch.clone();
    thread::spawn(move || {
        thread::sleep(TRIGGER_AFTER);
        switch.trigger();
        Instant::now()
    })
}

/// Runs `request` (which must be waiting on the server when the switch is triggered from
/// another thread) and checks it fails with Cancelled promptly after the trigger.
fn cancelled_promptly<T: std::fmt::Debug>(what: &str, switch: &CancelSwitch, request: impl FnOnce() -> Result<T>) {
    assert!(!switch.is_triggered(), "{what}: a fresh switch");
    let t0 = Instant::now();
    let trigger = trigger_later(switch);
    let r = request();
    let (done, total) = (Instant::now(), t0.elapsed());
    let triggered_at = trigger.join().expect("trigger thread");
    let e = assert_cancelled(what, r);
    let latency = done.saturating_duration_since(triggered_at);
    eprintln!("{what}: cancelled {latency:?} after the trigger, {total:?} after the start");
    assert!(latency < MAX_LATENCY, "{what}: returned {latency:?} after the trigger ({e})");
    assert!(total < MAX_TOTAL, "{what}: returned after {total:?}, not cancelled? ({e})");
    assert!(switch.is_triggered());
}

/// A command waiting for its answer stops when another thread triggers the switch; the switch
/// stays triggered, so the same query then fails at once; the client stays usable.
#[test]
fn switch_stops_a_command_waiting_for_its_answer() {
    let c = client();
    let stop = CancelSwitch::new().expect("switch");
    let q = Query::new(SLOW_SQL).cancel_switch(&stop);
    cancelled_promptly("command", &stop, || c.command(&q));
    let t0 = Instant::now();
    assert_cancelled("command with the triggered switch", c.command(&q));
    assert!(t0.elapsed() < AT_ONCE, "{:?}", t0.elapsed());
    assert_usable(&c, 1);
}

/// query and query_raw stop while still waiting for the response headers, where neither a
/// RawCancel nor anything else on a result could reach (no result exists yet).
#[test]
fn switch_stops_query_and_query_raw_waiting_for_headers() {
    let c = client();
    let stop = CancelSwitch::new().expect("switch");
    let q = Query::new(SLOW_SQL).cancel_switch(&stop);
    cancelled_promptly("query", &stop, || c.query(&q));
    assert_usable(&c, 2);

    // A switch dropped by the caller still works through the query (and a clone of it).
    let stop = CancelSwitch::new().expect("switch");
    let q = Query::new(format!("{SLOW_SQL} FORMAT CSV")).cancel_switch(&stop);
    let handle = stop.clone();
    drop(stop);
    cancelled_promptly("query_raw", &handle, || c.query_raw(q.clone()));
    assert_usable(&c, 3);
}

/// One switch attached to two queries running on two threads at once stops both.
#[test]
fn one_switch_stops_two_requests_on_two_threads() {
    let c = client();
    let stop = CancelSwitch::new().expect("switch");
    let (tx, rx) = mpsc::channel();
    let workers: Vec<_> = [("command", "SELECT sleep(3), 1"), ("query", "SELECT sleep(3), 2")]
        .into_iter()
        .map(|(what, sql)| {
            let (c, q, tx) = (c.clone(), Query::new(sql).cancel_switch(&stop), tx.clone());
            thread::spawn(move || {
                let r = if what == "command" { c.command(q).map(drop) } else { c.query(q).map(drop) };
                tx.send(Instant::now()).ok();
                (what, r)
            })
        })
        .collect();
    // Both requests are sent and wait for the server.
    assert!(rx.recv_timeout(TRIGGER_AFTER).is_err(), "a request returned before the trigger");
    stop.trigger();
    let triggered_at = Instant::now();
    for _ in 0..2 {
        let done = rx.recv_timeout(Duration::from_secs(10)).expect("a request still runs 10 s after the trigger");
        let latency = done.saturating_duration_since(triggered_at);
        assert!(latency < MAX_LATENCY, "returned {latency:?} after the trigger");
    }
    for w in workers {
        let (what, r) = w.join().expect("worker thread");
        assert_cancelled(what, r);
    }
    eprintln!("two threads: both cancelled within {:?} of the trigger", triggered_at.elapsed());
    assert_usable(&c, 4);
}

/// Once triggered, every request kind fails at once with the query, without contacting the
/// server, until a new switch is attached.
#[test]
fn triggered_switch_fails_later_requests_at_once() {
    let c = client();
    let t = TempTable::new(&c, "cancel_later", "id UInt32");
    let stop = CancelSwitch::new().expect("switch");
    let q = Query::new("SELECT 42").cancel_switch(&stop);
    assert_eq!(c.command(&q).expect("untriggered").text(), "42");
    stop.trigger();
    assert!(stop.is_triggered());
    let t0 = Instant::now();
    assert_cancelled("command", c.command(&q));
    assert_cancelled("query", c.query(&q));
    assert_cancelled("query_raw", c.query_raw(&q));
    let ins = Query::new(format!("INSERT INTO {} FORMAT TabSeparated", t.name)).cancel_switch(&stop);
    assert_cancelled("insert_raw", c.insert_raw(&ins, b"1\n"));
    assert_cancelled("insert_with", c.insert_with(&t.name, &["id"], &ins));
    let mut typed = c.insert_typed_with(&t.name, &["id"], &["UInt32"], &ins).expect("typed insert begins offline");
    typed.append_row(&[Value::from(1u32)]).expect("row");
    assert_cancelled("typed insert finish", typed.finish());
    assert!(t0.elapsed() < AT_ONCE * 2, "six requests took {:?}", t0.elapsed());
    assert_eq!(c.command(format!("SELECT count() FROM {}", t.name)).expect("count").text(), "0");

    // A new switch makes the query usable again.
    let fresh = CancelSwitch::new().expect("switch");
    assert_eq!(c.command(q.cancel_switch(&fresh)).expect("new switch").text(), "42");
    assert_usable(&c, 5);
}

/// Triggering the switch after a request returned cancels the reading of its result, as
/// RawResult::cancel does: blocks already buffered may still come, but the result ends in
/// Cancelled, not in its end; blocks already read stay valid.
#[test]
fn switch_cancels_reading_results() {
    let c = client();
    let stop = CancelSwitch::new().expect("switch");
    let q = Query::new("SELECT number FROM numbers(1000000)").setting("max_block_size", 1000).cancel_switch(&stop);
    let mut rows = c.query(&q).expect("query");
    let first = rows.next().expect("a block").expect("block ok");
    let handle = stop.clone();
    thread::spawn(move || handle.trigger()).join().expect("trigger thread");
    let mut read = first.row_count();
    let e = loop {
        match rows.next().expect("the result ended without an error") {
            Ok(block) => read += block.row_count(),
            Err(e) => break e,
        }
    };
    assert_eq!(e.status(), Status::Cancelled, "{e}");
    assert!(read < 1000000, "all {read} rows came");
    assert!(rows.next().is_none(), "the error is reported once, then the iterator ends");
    assert_eq!(first.column(0).expect("column").u64(0), Ok(0));
    drop(rows);

    let stop = CancelSwitch::new().expect("switch");
    let q = Query::new("SELECT number FROM numbers(1000000) FORMAT TSV").cancel_switch(&stop);
    let mut raw = c.query_raw(&q).expect("query_raw");
    let mut b = [0u8; 2];
    raw.read_exact(&mut b).expect("first bytes");
    assert_eq!(&b, b"0\n");
    stop.trigger();
    let e = std::io::copy(&mut raw, &mut std::io::sink()).expect_err("read after the trigger");
    let ce = Error::from_io(&e).unwrap_or_else(|| panic!("not a chconnect::Error: {e:?}"));
    assert_eq!(ce.status(), Status::Cancelled, "{e}");
    drop(raw);
    assert_usable(&c, 6);
}

/// A switch that is never triggered changes nothing: every request kind works as without it.
#[test]
fn untriggered_switch_changes_nothing() {
    let c = client();
    let t = TempTable::new(&c, "cancel_untriggered", "id UInt32, s String");
    let stop = CancelSwitch::new().expect("switch");
    let with = |sql: String| Query::new(sql).cancel_switch(&stop);

    assert_eq!(c.command(with("SELECT 1 + 2".into())).expect("command").text(), "3");
    let opts = with(String::new());
    let mut ins = c.insert_with(&t.name, &["id", "s"], &opts).expect("insert_with");
    ins.append_row(&[Value::from(1u32), Value::from("a")]).expect("row");
    ins.finish().expect("finish");
    let mut ins = c.insert_typed_with(&t.name, &["id", "s"], &["UInt32", "String"], &opts).expect("typed");
    ins.append_row(&[Value::from(2u32), Value::from("b")]).expect("row");
    ins.finish().expect("finish");
    c.insert_raw(with(format!("INSERT INTO {} FORMAT TabSeparated", t.name)), b"3\tc\n").expect("insert_raw");

    let rows: Vec<Vec<Value>> = c
        .query(with(format!("SELECT id, s FROM {} ORDER BY id", t.name)))
        .expect("query")
        .into_values()
        .expect("values");
    assert_eq!(
        rows,
        vec![
            vec![Value::from(1u32), Value::from("a")],
            vec![Value::from(2u32), Value::from("b")],
            vec![Value::from(3u32), Value::from("c")],
        ]
    );
    let mut text = String::new();
    c.query_raw(with(format!("SELECT id, s FROM {} ORDER BY id FORMAT CSV", t.name)))
        .expect("query_raw")
        .read_to_string(&mut text)
        .expect("read");
    assert_eq!(text, "1,\"a\"\n2,\"b\"\n3,\"c\"\n");
    assert!(!stop.is_triggered());
}
