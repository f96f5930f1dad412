//! The in-order hand-over behind `scan` and `filter`'s single pass: block
//! `b` of a window computes what it can alone (its sum, its kept count)
//! while its input is in cache, takes the value handed over by block
//! `b - 1` (the prefix before it, the output offset it starts at), hands
//! its own successor the next value, and then finishes (rescans, copies)
//! from the value it took, still in cache.
//!
//! # Protocol
//! - A window of blocks `lo..hi` has links `0..=hi - lo`. The caller puts
//!   link 0 (the value before block `lo`) before the window runs; block
//!   `lo + k` takes link `k` and puts link `k + 1`; the caller takes link
//!   `hi - lo` after the window has run. Each link is put once and taken
//!   once, so the values handed over, and the bits of everything computed
//!   from them, are those of the sequential chain whatever the timing.
//! - The window runs through `Shared::run_parallel` in chunks of one
//!   block. Chunks are claimed in increasing order (one `fetch_add`), and a
//!   thread claims its next chunk only after finishing the current one, so
//!   when block `b` waits for link `b - lo`, block `b - 1` has been claimed
//!   by a thread that is running it (or has run it): the lowest unfinished
//!   block never waits, and the window always progresses.
//! - A block that unwinds (a panic of user code) poisons the chain through
//!   a drop guard, before the job learns of the panic; a waiter sees the
//!   poison and gives up instead of waiting for a link that will never be
//!   put (the job's `stop` may skip the panicking block's successors, who
//!   then never put theirs). The call re-raises the panic afterwards.
//!
//! # Memory ordering
//! A link's value is written before its state is stored `FULL` with
//! `Release`; the taker loads `FULL` with `Acquire` before reading it: the
//! value's write happens before its read. `TAKEN` is stored `Relaxed`: only
//! the caller reads it, after the window's join (which orders every
//! chunk's writes before it, see `pool::job`), to know which values are
//! left to drop. The poison flag guards no data (`Relaxed`): a waiter that
//! reads it stale just spins a little longer.

use crate::loom::{AtomicBool, AtomicUsize, Ordering, UnsafeCell};
use std::mem::MaybeUninit;

const EMPTY: usize = 0;
const FULL: usize = 1;
const TAKEN: usize = 2;

/// Spins of a waiting block before it starts yielding its core: a link is
/// usually put within a block's time (a few microseconds), but on a
/// loaded machine the putter may have been preempted.
const SPINS_BEFORE_YIELD: u32 = 1 << 12;

/// Yields before a waiter starts sleeping between looks: a putter that is
/// still not done has lost its core for a while (more threads than cores),
/// and a spinning waiter would only keep it off longer.
const YIELDS_BEFORE_SLEEP: u32 = 1 << 6;

/// How long a waiter sleeps between looks once it sleeps: short against a
/// scheduler's time slice (milliseconds), long against a look.
#[cfg(not(loom))]
const SLEEP: std::time::Duration = std::time::Duration::from_micros(20);

struct Link<V> {
    state: AtomicUsize,
    value: UnsafeCell<MaybeUninit<V>>,
}

/// The links of one window at a time (reused window after window).
pub(super) struct Chain<V> {
    links: Box<[Link<V>]>,
    poisoned: AtomicBool,
}

// SAFETY: values move from the thread that puts a link to the one that
// takes it (`V: Send`); each link's value is accessed by one thread at a
// time, ordered by its state (see the protocol).
unsafe impl<V: Send> Sync for Chain<V> {}

impl<V> Chain<V> {
    /// A chain of `links` links, all empty.
    pub(super) fn new(links: usize) -> Self {
        Chain {
            links: (0..links)
                .map(|_| Link {
                    state: AtomicUsize::new(EMPTY),
                    value: UnsafeCell::new(MaybeUninit::uninit()),
                })
                .collect(),
            poisoned: AtomicBool::new(false),
        }
    }

    /// Put link `k`.
    ///
    /// # Panics
    /// If `k` is out of bounds or the link was put already (a bug of the
    /// caller: each link is put once per window).
    pub(super) fn put(&self, k: usize, v: V) {
        let link = &self.links[k];
        assert_eq!(
            link.state.load(Ordering::Relaxed),
            EMPTY,
            "para: internal error: a chain link put twice"
        );
        // SAFETY: link `k` is put by one block only (the protocol), and no
        // one reads its value before the `Release` store below.
        link.value.with_mut(|p| unsafe { (*p).write(v) });
        link.state.store(FULL, Ordering::Release);
    }

    /// Take link `k`, waiting until it is put; `None` if the chain was
    /// poisoned first (some block panicked).
    pub(super) fn take(&self, k: usize) -> Option<V> {
        let link = &self.links[k];
        let mut spins = 0u32;
        while link.state.load(Ordering::Acquire) != FULL {
            if self.poisoned.load(Ordering::Relaxed) {
                return None;
            }
            if spins < SPINS_BEFORE_YIELD {
                crate::loom::spin_hint();
            } else if spins < SPINS_BEFORE_YIELD + YIELDS_BEFORE_SLEEP {
                crate::loom::thread::yield_now();
            } else {
                wait_a_little();
            }
            spins = spins.saturating_add(1);
        }
        // SAFETY: `FULL` was loaded with `Acquire`, so the value's write is
        // visible; link `k` is taken by one block only, once, so the value
        // is moved out once (`TAKEN` keeps the chain's drop off it).
        let v = link.value.with(|p| unsafe { (*p).assume_init_read() });
        link.state.store(TAKEN, Ordering::Relaxed);
        Some(v)
    }

    /// A guard that poisons the chain if dropped while armed (a block
    /// unwinding).
    pub(super) fn guard(&self) -> PoisonOnUnwind<'_> {
        PoisonOnUnwind(&self.poisoned)
    }

    /// Caller only, between windows: empty every link, dropping values
    /// not taken (contained), and clear the poison.
    pub(super) fn reset(&mut self) {
        for link in self.links.iter_mut() {
            let state = link.state.swap(EMPTY, Ordering::Relaxed);
            if state == FULL {
                // SAFETY: `FULL` and never taken: the value is initialised
                // and owned by the chain; the state is `EMPTY` now, so it
                // is not dropped twice.
                let v = link.value.with(|p| unsafe { (*p).assume_init_read() });
                crate::unwind::drop_caught(v);
            }
        }
        self.poisoned.store(false, Ordering::Relaxed);
    }
}

impl<V> Drop for Chain<V> {
    fn drop(&mut self) {
        self.reset();
    }
}

/// Sleep `SLEEP` (a yield in loom models, which have no clock).
fn wait_a_little() {
    #[cfg(loom)]
    crate::loom::thread::yield_now();
    #[cfg(not(loom))]
    std::thread::sleep(SLEEP);
}

/// Poisons its chain when dropped, unless [`disarm`](Self::disarm)ed.
pub(super) struct PoisonOnUnwind<'c>(&'c AtomicBool);

impl PoisonOnUnwind<'_> {
    /// The block finished normally.
    pub(super) fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for PoisonOnUnwind<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn links_hand_values_over_once_and_leftovers_are_dropped() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut c = Chain::new(3);
        c.put(0, Counted(drops.clone()));
        c.put(1, Counted(drops.clone()));
        let first = c.take(0).unwrap();
        drop(first);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        c.reset(); // link 1 was never taken
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        c.put(1, Counted(drops.clone()));
        drop(c);
        assert_eq!(drops.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_poisoned_chain_releases_its_waiter() {
        let c = Chain::<u32>::new(2);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| c.take(1));
            let g = c.guard();
            drop(g); // as a block unwinding would
            assert_eq!(waiter.join().unwrap(), None);
        });
        let ok = c.guard();
        ok.disarm();
        c.put(1, 5);
        assert_eq!(c.take(1), Some(5));
    }

    #[test]
    fn a_waiter_gets_the_value_put_on_another_thread() {
        let c = Chain::new(2);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| c.take(1));
            std::thread::sleep(std::time::Duration::from_millis(5));
            c.put(1, String::from("prefix"));
            assert_eq!(waiter.join().unwrap().as_deref(), Some("prefix"));
        });
    }
}
