//! A cancel switch attached to queries ([`CancelSwitch`], `chc_cancel` in chconnect.h).

use std::fmt;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result, Status};
use crate::sys;
use crate::util::call;

/// Owner of the C switch handle; shared by every clone of a [`CancelSwitch`] (and by every
/// [`Query`](crate::Query) it is attached to) and freed once, by the last one, so
/// `chc_cancel_free` never races another call on the handle.
struct RawSwitch {
    ptr: NonNull<sys::chc_cancel>,
    /// Serialises `chc_query_set_cancel` calls naming this switch: chconnect.h declares only
    /// `chc_cancel_trigger` and `chc_cancel_is_triggered` thread-safe, and two threads may start
    /// requests with queries sharing the switch at the same time.
    attach: Mutex<()>,
}

// SAFETY: chconnect.h: chc_cancel_trigger and chc_cancel_is_triggered are thread-safe (any
// thread, any time); the only other uses of the pointer are chc_query_set_cancel, serialised by
// `attach`, and chc_cancel_free, made once by the last owner (no other reference exists then).
unsafe impl Send for RawSwitch {}
unsafe impl Sync for RawSwitch {}

impl Drop for RawSwitch {
    fn drop(&mut self) {
        // SAFETY: owned, freed once. C queries and running requests it was attached to keep their
        // own reference to the switch (chconnect.h), so freeing the handle never disarms them.
        unsafe { sys::chc_cancel_free(self.ptr.as_ptr()) }
    }
}

/// A cancel switch for requests that have not returned yet. Attached to a [`Query`](crate::Query)
/// with [`Query::cancel_switch`](crate::Query::cancel_switch), it stops every request made with
/// that query when [`trigger`](Self::trigger)ed from any thread:
/// [`Client::command`](crate::Client::command), [`Client::query`](crate::Client::query) and
/// [`Client::query_raw`](crate::Client::query_raw) (also while they still wait for the server's
/// response, before there is any result to cancel) and the reading of their
/// [`Rows`](crate::Rows) and [`RawResult`](crate::RawResult),
/// [`Client::insert_raw`](crate::Client::insert_raw), and inserts started with the query as
/// options ([`Client::insert_with`](crate::Client::insert_with),
/// [`Client::insert_typed_with`](crate::Client::insert_typed_with): the column look-up and
/// [`Insert::finish`](crate::Insert::finish)).
///
/// Once triggered, each such request (running or started later) fails with
/// [`Status::Cancelled`] promptly (well under a second; retry pauses end too), and so does the
/// reading of its results, as after [`RawResult::cancel`](crate::RawResult::cancel) (blocks or
/// bytes already buffered may still come first; the result then ends in the error); the
/// connection is closed and the client stays usable (the server may go on running the query
/// until it next writes to the closed connection). A switch stays triggered: a query carrying it fails at once
/// from then on, so attach a new switch to use the query again.
///
/// `Send + Sync` and cheap to clone: clones are the same switch (triggering one triggers all, and
/// they compare equal). Typical use: a deadline or a user's "stop" in another thread.
///
/// ```no_run
/// use std::thread;
/// use std::time::Duration;
/// use chconnect::{CancelSwitch, Client, Query, Status};
///
/// # fn main() -> chconnect::Result<()> {
/// let client = Client::open("http://default:password@127.0.0.1:8123/default")?;
/// let stop = CancelSwitch::new()?;
/// let deadline = stop.clone();
/// thread::spawn(move || {
///     thread::sleep(Duration::from_secs(2));
///     deadline.trigger();
/// });
/// // Stops after about 2 s, even though the server sends nothing before the query ends.
/// match client.command(Query::new("SELECT count() FROM big_table WHERE f(x)").cancel_switch(&stop)) {
///     Ok(r) => println!("{}", r.text()),
///     Err(e) if e.status() == Status::Cancelled => println!("stopped after 2 s"),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CancelSwitch {
    raw: Arc<RawSwitch>,
}

impl CancelSwitch {
    /// A new switch, not triggered. Fails only when out of memory (`NoMem`).
    pub fn new() -> Result<CancelSwitch> {
        // SAFETY: no arguments; NULL only when out of memory.
        let ptr = NonNull::new(unsafe { sys::chc_cancel_new() })
            .ok_or_else(|| Error::new(Status::NoMem, "chc_cancel_new failed"))?;
        Ok(CancelSwitch { raw: Arc::new(RawSwitch { ptr, attach: Mutex::new(()) }) })
    }

    /// Triggers the switch: every request made with a query it is attached to, running or
    /// started later, fails with [`Status::Cancelled`]. From any thread; idempotent; it cannot be
    /// undone.
    pub fn trigger(&self) {
        // SAFETY: live handle (we hold an owner); thread-safe per chconnect.h.
        unsafe { sys::chc_cancel_trigger(self.raw.ptr.as_ptr()) }
    }

    /// Whether [`trigger`](Self::trigger) was called (on this switch or a clone).
    pub fn is_triggered(&self) -> bool {
        // SAFETY: live handle; thread-safe per chconnect.h.
        unsafe { sys::chc_cancel_is_triggered(self.raw.ptr.as_ptr()) != 0 }
    }

    /// Attaches the switch to a C query (`chc_query_set_cancel`; the query shares the switch).
    pub(crate) fn attach(&self, query: NonNull<sys::chc_query>) -> Result<()> {
        // Nothing panics while holding the lock; recover from poisoning anyway.
        let _serial = self.raw.attach.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: the caller owns the live query (used by this thread only); the switch is live.
        call(|err| unsafe { sys::chc_query_set_cancel(query.as_ptr(), self.raw.ptr.as_ptr(), err) })
    }
}

impl PartialEq for CancelSwitch {
    /// The same switch (a clone of it), not merely the same state.
    fn eq(&self, other: &CancelSwitch) -> bool {
        Arc::ptr_eq(&self.raw, &other.raw)
    }
}

impl Eq for CancelSwitch {}

impl fmt::Debug for CancelSwitch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelSwitch").field("triggered", &self.is_triggered()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_is_shared_by_clones_and_sticks() {
        let a = CancelSwitch::new().expect("new switch");
        let b = a.clone();
        let other = CancelSwitch::new().expect("another switch");
        assert!(!a.is_triggered() && !b.is_triggered());
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(format!("{a:?}"), "CancelSwitch { triggered: false }");
        b.trigger();
        b.trigger(); // idempotent
        assert!(a.is_triggered() && b.is_triggered());
        assert!(!other.is_triggered());
        drop(b);
        assert!(a.is_triggered(), "a switch stays triggered");
        assert_eq!(format!("{a:?}"), "CancelSwitch { triggered: true }");
    }

    #[test]
    fn trigger_from_another_thread() {
        let s = CancelSwitch::new().expect("new switch");
        let t = s.clone();
        std::thread::spawn(move || t.trigger()).join().expect("trigger thread");
        assert!(s.is_triggered());
    }
}
